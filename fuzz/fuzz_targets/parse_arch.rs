#![no_main]
//! Every search-space parser: never panics; whatever parses round-trips through its format.
use libfuzzer_sys::fuzz_target;
use sednas::arch::{AnyArch, SpaceKind};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for space in [SpaceKind::Nb201, SpaceKind::NatsSss, SpaceKind::Nb101, SpaceKind::Darts] {
        if let Ok(a) = AnyArch::parse(space, s) {
            assert_eq!(AnyArch::parse(space, &a.to_string()).unwrap(), a);
        }
    }
});
