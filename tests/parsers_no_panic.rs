//! Every parser on arbitrary input returns Ok or a typed error, never panics. This is the
//! stable-toolchain counterpart of the cargo-fuzz targets in `fuzz/` (which need nightly).

use proptest::prelude::*;
use sednas::arch::{AnyArch, SpaceKind};

const SPACES: [SpaceKind; 4] = [
    SpaceKind::Nb201,
    SpaceKind::NatsSss,
    SpaceKind::Nb101,
    SpaceKind::Darts,
];

/// Strings built from the alphabet of the real formats, so mutations reach deep states.
fn near_valid() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("|".to_string()),
        Just("+".to_string()),
        Just("~".to_string()),
        Just(";".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("=".to_string()),
        Just("nor_conv_3x3".to_string()),
        Just("skip_connect".to_string()),
        Just("none".to_string()),
        Just("avg_pool_3x3".to_string()),
        Just("sep_conv_3x3".to_string()),
        Just("conv3x3-bn-relu".to_string()),
        Just("Genotype".to_string()),
        Just("normal".to_string()),
        Just("range".to_string()),
        Just("input".to_string()),
        Just("output".to_string()),
        Just("0".to_string()),
        Just("1".to_string()),
        Just("7".to_string()),
        Just("64".to_string()),
        Just("-3".to_string()),
        Just("99999999999999999999".to_string()),
        Just("é".to_string()),
        Just(" ".to_string()),
    ];
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn parsers_never_panic_on_bytes(s in ".{0,120}") {
        for space in SPACES {
            if let Ok(a) = AnyArch::parse(space, &s) {
                // whatever parses must format and parse back to itself
                prop_assert_eq!(AnyArch::parse(space, &a.to_string()).unwrap(), a);
            }
        }
    }

    #[test]
    fn parsers_never_panic_near_valid(s in near_valid()) {
        for space in SPACES {
            if let Ok(a) = AnyArch::parse(space, &s) {
                prop_assert_eq!(AnyArch::parse(space, &a.to_string()).unwrap(), a);
            }
        }
    }
}
