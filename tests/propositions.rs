//! Propositions 1–5: `cargo test` re-derives every verdict. Each verdict is asserted, so a
//! wrong verdict (a counterexample that stops being one, a holding part that breaks) fails
//! the build. Statements, proofs and counterexamples: proofs/P1.md … proofs/P5.md.

use ndarray::Array2;
use proptest::prelude::*;
use sednas::propositions::p1::{burn_kernel_gradient, conv_relu, relative_spread};
use sednas::propositions::p3::{Pool, estimate, global_max_bound, paper_bound};
use sednas::propositions::p4::{chain_rule_residual, h2_iid, iid_threshold};
use sednas::propositions::p5::{independent_margin, sampled};
use sednas::propositions::{Verdict, VerifyOptions, verify_all};

#[test]
fn verdict_table() {
    let reports = verify_all(&VerifyOptions::default()).unwrap();
    let got: Vec<(&str, Verdict)> = reports.iter().map(|r| (r.id, r.verdict)).collect();
    assert_eq!(
        got,
        vec![
            ("P1", Verdict::Holds),
            ("P2", Verdict::False),
            ("P3", Verdict::False),
            ("P4", Verdict::False),
            ("P5", Verdict::False),
        ]
    );
    for r in &reports {
        for c in &r.checks {
            assert!(
                c.confirms,
                "{}: check '{}' contradicts the verdict: {}",
                r.id, c.name, c.detail
            );
        }
    }
}

// P1 with burn autodiff: a constant window's kernel gradient is c·1; a ReLU-inactive
// output gives the zero gradient (still a multiple of 1).
#[test]
fn p1_burn_gradient_constant_window() {
    for (c, bias) in [(0.7f32, 0.1f32), (-1.3, 0.2), (2.0, -100.0)] {
        let win = Array2::from_elem((3, 3), c);
        let kern =
            Array2::from_shape_fn((3, 3), |(a, b)| 0.2 + 0.1 * (a as f32) - 0.05 * (b as f32));
        let (out, g) = burn_kernel_gradient(win.view(), kern.view(), bias).unwrap();
        let pre = c * kern.sum() + bias;
        assert!((out - pre.max(0.0)).abs() < 1e-5, "out {out} vs {pre}");
        assert!(relative_spread(g.view()) < 1e-6, "gradient not ∝ 1: {g:?}");
        let expect = if pre > 0.0 { c } else { 0.0 };
        assert!(g.iter().all(|&x| (x - expect).abs() < 1e-6), "{g:?}");
    }
}

// P2 with burn autodiff: a singular (rank-1) but non-constant window lets the kernel learn
// more than ΣK: the gradient is the window itself.
#[test]
fn p2_burn_gradient_singular_window() {
    let v = [1.0f32, -0.5, 2.0, 0.25, 1.5, -1.0, 0.5, 0.75, -2.0];
    let win = Array2::from_shape_fn((3, 3), |(a, b)| v[a * 3 + b]);
    let kern = Array2::from_shape_fn((3, 3), |(a, b)| 0.3 + 0.1 * (a * 3 + b) as f32);
    let (_, g) = burn_kernel_gradient(win.view(), kern.view(), 0.0).unwrap();
    for (a, b) in g.iter().zip(win.iter()) {
        assert!((a - b).abs() < 1e-5);
    }
    assert!(relative_spread(g.view()) > 0.5);
}

// P3: the paper's bound fails on small maps; our global-maximum bound is consistent.
#[test]
fn p3_counterexample_and_corrected_bound() {
    let p = Pool::new(3, 3, 1, 1, 0).unwrap();
    assert_eq!(global_max_bound(5, 5, &p), 1.0 / 25.0);
    assert!((paper_bound(5, 5, &p) - 0.2).abs() < 1e-12);
    let e = estimate(5, 5, &p, 4000, 7);
    assert!(e.ci95.1 < 0.2, "{e:?}");
    assert!(
        e.ci95.0 <= 0.04 && 0.04 <= e.ci95.1,
        "exact 0.04 outside CI {e:?}"
    );
    // larger maps: the probability approaches 1 (many local maxima qualify)
    let big = estimate(32, 32, &p, 300, 7);
    assert!(big.p_hat > 0.99, "{big:?}");
}

// P3 as networks pool: stride 2, padding 1, 8×8 map, o = 3. The paper claims > 0.5; the
// probability is about 0.384, and the whole 95% interval lies below 0.5.
#[test]
fn p3_fails_for_padded_stride_two_pooling() {
    let p = Pool::new(3, 3, 2, 2, 1).unwrap();
    assert!((paper_bound(8, 8, &p) - 0.5).abs() < 1e-12);
    let e = estimate(8, 8, &p, 4000, 20241109);
    assert!(e.ci95.1 < 0.5, "{e:?}");
    assert!((e.p_hat - 0.384).abs() < 0.02, "{e:?}");
    // and our bound is not contradicted there
    assert!(e.ci95.1 >= global_max_bound(8, 8, &p));
}

// P3 where the printed bound holds: stride 1, same padding ⌊o/2⌋, odd o ≥ 3. Then
// G − printed = ((o − 3)(w + h) + (o − 1)²)/(wh) ≥ 0, checked exactly against the formula.
#[test]
fn p3_printed_bound_holds_for_same_padded_stride_one() {
    for o in [3usize, 5, 7, 9] {
        let p = Pool::new(o, o, 1, 1, o / 2).unwrap();
        for w in o..=24 {
            for h in o..=24 {
                let g = global_max_bound(w, h, &p);
                let formula = ((o as f64 - 3.0) * (w + h) as f64 + ((o - 1) * (o - 1)) as f64)
                    / (w * h) as f64;
                assert!(
                    (g - paper_bound(w, h, &p) - formula).abs() < 1e-12,
                    "o {o} {w}×{h}"
                );
                assert!(g >= paper_bound(w, h, &p));
            }
        }
    }
}

// P4: the i.i.d. threshold is exactly 1/(2πe).
#[test]
fn p4_threshold() {
    let t = iid_threshold();
    assert!(h2_iid(9, t * 1.001) > h2_iid(1, t * 1.001));
    assert!(h2_iid(9, t * 0.999) < h2_iid(1, t * 0.999));
}

// P5: anti-correlation breaks the claim; independence keeps it.
#[test]
fn p5_dependence() {
    let (h1, _, hs) = sampled(-1.0, 0.0, 500, 1).unwrap();
    assert!(h1.is_finite() && hs == f64::NEG_INFINITY);
    let (h1, h2, hs) = sampled(0.0, 1.0, 500, 1).unwrap();
    assert!(hs > h1.max(h2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // P1 (the part that holds): for any constant receptive field, conv = ReLU(c·ΣK + b).
    #[test]
    fn p1_constant_window_is_bias(c in -5.0f64..5.0, b in -5.0f64..5.0, k in prop::collection::vec(-2.0f64..2.0, 9)) {
        let x = Array2::from_elem((5, 5), c);
        let kern = Array2::from_shape_vec((3, 3), k).unwrap();
        for (i, j) in [(0, 0), (1, 2), (2, 2)] {
            let got = conv_relu(x.view(), kern.view(), b, i, j, 0.0);
            let want = (c * kern.sum() + b).max(0.0);
            prop_assert!((got - want).abs() <= 1e-12 * (1.0 + want.abs()));
        }
    }

    // P4 (corrected form): the chain rule identity behind the condition, any nested sizes.
    #[test]
    fn p4_chain_rule(d1 in 2usize..12, frac in 0.1f64..0.9, seed in any::<u64>()) {
        let d2 = ((d1 as f64 * frac) as usize).clamp(1, d1 - 1);
        prop_assert!(chain_rule_residual(d1, d2, seed).unwrap() < 1e-7);
    }

    // P5 (the part that holds): independent branches always raise H2 strictly.
    #[test]
    fn p5_independent_branches(seed in any::<u64>(), d in 1usize..10) {
        prop_assert!(independent_margin(5, d, seed).unwrap() > 0.0);
    }
}
