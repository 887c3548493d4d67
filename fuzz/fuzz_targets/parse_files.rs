#![no_main]
//! The .npy and PNG readers: never panic on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sednas::io::npy::parse_npy(data, "fuzz");
    let _ = sednas::io::png::decode_png(data, "fuzz");
});
