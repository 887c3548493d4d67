//! Claims of `docs/sed-readings.md` that involve a number, checked.

use sednas::arch::nb101::Nb101Arch;
use sednas::arch::{AnyArch, Census};
use sednas::sed::{Sed, SedConfig};

// The doc once said "any constant gives the same ranking within a space" for
// `missing_constant`. False for NB101: the constant c replaces skip_SED inside
// sig(skip_SED·conv_SED) while pool_SED multiplies outside it. With b large convolutions
// and T ops in a block, pool_SED = 2bT and the block term is 2·b·T·sig(c·b) (sig(C) = 1 at
// NB101's widths), so (b, T) = (2, 5) ranks above (3, 3) at c = 1 and below at c = 0.5.
// Two real cells with those counts swap order.
#[test]
fn nb101_missing_constant_changes_the_ranking() {
    let f = |b: f64, t: f64, c: f64| 2.0 * b * t / (1.0 + (-c * b).exp());
    assert!(f(2.0, 5.0, 1.0) > f(3.0, 3.0, 1.0));
    assert!(f(2.0, 5.0, 0.5) < f(3.0, 3.0, 0.5));
    // b = 2, T = 5: a 7-vertex chain conv3×3, conv3×3, conv1×1, conv1×1, maxpool
    let long = Nb101Arch::from_parts(
        "0100000001000000010000000100000001000000010000000",
        &[
            "input",
            "conv3x3-bn-relu",
            "conv3x3-bn-relu",
            "conv1x1-bn-relu",
            "conv1x1-bn-relu",
            "maxpool3x3",
            "output",
        ],
    )
    .unwrap();
    // b = 3, T = 3: a chain of three conv3×3
    let short = Nb101Arch::from_parts(
        "0100000100000100000100000",
        &[
            "input",
            "conv3x3-bn-relu",
            "conv3x3-bn-relu",
            "conv3x3-bn-relu",
            "output",
        ],
    )
    .unwrap();
    let score = |a: &Nb101Arch, c: f64| {
        Sed::new(SedConfig {
            missing_constant: c,
            ..SedConfig::default()
        })
        .unwrap()
        .score(&AnyArch::Nb101(a.clone()), &mut Census::default())
    };
    let (l1, s1) = (score(&long, 1.0), score(&short, 1.0));
    let (l05, s05) = (score(&long, 0.5), score(&short, 0.5));
    assert!(l1 > s1, "c = 1: {l1} vs {s1}");
    assert!(l05 < s05, "c = 0.5: {l05} vs {s05}");
    // and the scores are the closed form (every block has the same cell; the ratio of the
    // two cells' scores equals the ratio of their block terms)
    let r1 = f(2.0, 5.0, 1.0) / f(3.0, 3.0, 1.0);
    assert!((l1 / s1 - r1).abs() < 1e-9, "{} vs {r1}", l1 / s1);
}
