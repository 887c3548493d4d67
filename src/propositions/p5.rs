//! Proposition 5: H2((X1 + X2)[α; β]) > max{H2(X1[α; β]), H2(X2[α; β])} (skip connections
//! raise local entropy).
//!
//! Σ_{1+2} = Σ1 + Σ2 + C + Cᵀ with C = Cov(X1, X2). For independent branches (C = 0) and
//! Σ2 ≠ 0, Σ1 + Σ2 ⪰ Σ1 with det strictly larger, so the claim holds. For dependent branches
//! it fails: X2 = −X1 gives X1 + X2 ≡ 0 (H2 = −∞); X2 = −X1/2 halves the signal and lowers H2
//! by d bits. Corrected: H2(X1+X2) > H2(X1) whenever Σ2 + C + Cᵀ ⪰ 0 and ≠ 0 (in particular
//! for independent branches). See `proofs/P5.md`.

use ndarray::Array4;

use super::{Check, Report, Verdict, VerifyOptions, normal, random_spd};
use crate::entropy::{H2Options, gaussian_entropy, local_h2};
use crate::error::Result;
use crate::rng::SplitMix64;
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// For random independent SPD pairs, the smallest margin H2(Σ1+Σ2) − max(H2(Σ1), H2(Σ2)).
///
/// # Errors
/// The entropy core's errors ([`gaussian_entropy`]); none for the SPD matrices drawn here.
///
/// ```
/// use sednas::propositions::p5::independent_margin;
/// // no pairs: the minimum over an empty set
/// assert_eq!(independent_margin(0, 4, 7).unwrap(), f64::INFINITY);
/// let m = independent_margin(50, 4, 7).unwrap();
/// assert!((m - 0.137_810_820_494_431_5).abs() < 1e-12); // > 0: the sum has more entropy
/// ```
pub fn independent_margin(trials: usize, d: usize, seed: u64) -> Result<f64> {
    let mut r = SplitMix64::new(seed);
    let mut worst = f64::INFINITY;
    for _ in 0..trials {
        let s1 = random_spd(d, &mut r, 0.01);
        let s2 = random_spd(d, &mut r, 0.01) * (0.01 + 2.0 * r.unit());
        let h12 = gaussian_entropy((&s1 + &s2).view())?.bits;
        let m = gaussian_entropy(s1.view())?
            .bits
            .max(gaussian_entropy(s2.view())?.bits);
        worst = worst.min(h12 - m);
    }
    Ok(worst)
}

/// Sampled X1 and X2 = a·X1 + b·Z (Z independent) over a batch, 3×3 windows: returns
/// (H2(X1), H2(X2), H2(X1 + X2)) at the centre window, from the entropy core.
///
/// X2 = −X1 cancels exactly (H2 = −∞). X2 = −X1/2 makes X1 + X2 = X1/2 exactly: the same
/// window covariance as X2 (so the same H2), a quarter of X1's, hence d = 9 bits below H2(X1).
///
/// # Errors
/// As [`local_h2`]: [`crate::Error::Shape`] for fewer than 2 samples (`n` < 2).
///
/// ```
/// use sednas::propositions::p5::sampled;
/// let (h1, h2, hs) = sampled(-1.0, 0.0, 100, 7).unwrap();
/// assert_eq!(h1, h2);
/// assert_eq!(hs, f64::NEG_INFINITY);
/// let (h1, h2, hs) = sampled(-0.5, 0.0, 100, 7).unwrap();
/// assert_eq!(hs, h2);
/// assert!((h1 - hs - 9.0).abs() < 1e-9);
/// ```
pub fn sampled(a: f64, b: f64, n: usize, seed: u64) -> Result<(f64, f64, f64)> {
    let mut r = SplitMix64::new(seed);
    let x1 = Array4::from_shape_fn((n, 3, 3, 1), |_| normal(&mut r));
    let z = Array4::from_shape_fn((n, 3, 3, 1), |_| normal(&mut r));
    let x2 = &x1 * a + &z * b;
    let sum = &x1 + &x2;
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Valid);
    let h = |x: &Array4<f64>| -> Result<f64> {
        Ok(local_h2(x.view(), &spec, &H2Options::new())?.values[[0, 0, 0]])
    };
    Ok((h(&x1)?, h(&x2)?, h(&sum)?))
}

/// The P5 report.
///
/// # Errors
/// The errors of [`independent_margin`] and [`sampled`]; none under [`VerifyOptions`]'
/// sample sizes.
///
/// ```
/// use sednas::propositions::{p5, Verdict, VerifyOptions};
/// let r = p5::report(&VerifyOptions::default()).unwrap();
/// assert_eq!((r.id, r.verdict), ("P5", Verdict::False));
/// assert!(r.consistent());
/// ```
pub fn report(opts: &VerifyOptions) -> Result<Report> {
    let trials = if opts.thorough { 20_000 } else { 2_000 };
    let margin = independent_margin(trials, 9, opts.seed)?;
    let mut checks = vec![Check {
        name: "independent branches: H2(Σ1 + Σ2) > max(H2(Σ1), H2(Σ2)) on random SPD pairs".into(),
        confirms: margin > 0.0,
        value: Some(margin),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "{trials} random 9×9 pairs (Σ2 scaled by 0.01..2); smallest margin in bits"
        ),
    }];
    let n = if opts.thorough { 20_000 } else { 3_000 };
    let (h1, h2, hs) = sampled(-1.0, 0.0, n, opts.seed)?;
    checks.push(Check {
        name:
            "counterexample: X2 = −X1 (perfectly anti-correlated branch) gives X1 + X2 ≡ 0, H2 = −∞"
                .into(),
        confirms: hs == f64::NEG_INFINITY && h1.is_finite() && h2.is_finite(),
        value: Some(hs),
        claim: Some(h1.max(h2)),
        ci95: None,
        detail: format!(
            "{n} sampled 3×3 windows: H2(X1) = {h1:.3}, H2(X2) = {h2:.3}, H2(X1+X2) = {hs}"
        ),
    });
    let (h1, h2, hs) = sampled(-0.5, 0.0, n, opts.seed)?;
    checks.push(Check {
        name: "counterexample: X2 = −X1/2 gives X1 + X2 = X1/2, H2 lower by d = 9 bits than H2(X1)"
            .into(),
        confirms: hs < h1.max(h2) && ((h1 - hs) - 9.0).abs() < 1e-6,
        value: Some(hs),
        claim: Some(h1.max(h2)),
        ci95: None,
        detail: format!("H2(X1) = {h1:.3}, H2(X2) = {h2:.3}, H2(X1+X2) = {hs:.3} bits"),
    });
    let (h1, h2, hs) = sampled(0.3, 1.0, n, opts.seed)?;
    checks.push(Check {
        name: "corrected condition met (Σ2 + C + Cᵀ ≻ 0): the sum's entropy exceeds both".into(),
        confirms: hs > h1.max(h2),
        value: Some(hs),
        claim: Some(h1.max(h2)),
        ci95: None,
        detail: format!(
            "X2 = 0.3·X1 + Z: H2(X1) = {h1:.3}, H2(X2) = {h2:.3}, H2(X1+X2) = {hs:.3} bits"
        ),
    });
    Ok(Report {
        id: "P5",
        verdict: Verdict::False,
        paper: "For X^(l1) ~ N(μ1, Σ1) and X^(l2) ~ N(μ2, Σ2): H2((X^(l1) + X^(l2))[α; β]) > max{H2(X^(l1)[α; β]), H2(X^(l2)[α; β])} for every window.",
        corrected: "With C = Cov(X1, X2) on the window: H2(X1 + X2) > H2(X1) if Σ2 + C + Cᵀ ⪰ 0 and ≠ 0, and > H2(X2) if Σ1 + C + Cᵀ ⪰ 0 and ≠ 0. In particular the claim holds for independent branches with Σ1, Σ2 ≠ 0; it fails for anti-correlated branches (X2 = −X1 gives −∞).",
        proof: "proofs/P5.md",
        checks,
    })
}
