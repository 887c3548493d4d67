//! Proposition 2: for X ~ N(μ, Σ), the convolution over a subtensor "works as a constant"
//! when H2 of the subtensor → −∞.
//!
//! H2 → −∞ means det Σ_W → 0: *some* direction of the window loses its variance. The
//! convolution output y = kᵀx + b has variance kᵀΣ_W k, which vanishes only if the kernel
//! lies in the vanishing directions. So the statement is false for d > 1: a rank-1 window
//! x = z·v (v not constant) has H2 = −∞ while y = z·(kᵀv) + b varies with z, and its kernel
//! gradient ∝ x is not a multiple of all-ones. Corrected: y is a.s. constant for every K
//! iff Σ_W = 0 (all variances vanish), and for a given K iff kᵀΣ_W k = 0. See `proofs/P2.md`.

use ndarray::{Array1, Array2, Array4, ArrayView1, ArrayView2};

use super::{Check, Report, Verdict, VerifyOptions, normal, random_spd};
use crate::entropy::{H2Options, Singular, gaussian_entropy, local_h2};
use crate::error::Result;
use crate::rng::SplitMix64;
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// Variance of the convolution output kᵀx for x ~ N(μ, Σ).
///
/// # Formula
/// Var(kᵀx) = kᵀ Σ k
///
/// # Errors
/// [`crate::Error::Shape`] when the covariance is not d×d for d kernel weights.
///
/// ```
/// use ndarray::array;
/// let s = array![[1.0, 0.0], [0.0, 0.0]];
/// assert_eq!(sednas::propositions::p2::conv_variance(s.view(), array![2.0, 5.0].view()).unwrap(), 4.0);
/// // a kernel that does not match the covariance is an error, not a panic
/// assert!(sednas::propositions::p2::conv_variance(s.view(), array![2.0].view()).is_err());
/// ```
pub fn conv_variance(cov: ArrayView2<'_, f64>, k: ArrayView1<'_, f64>) -> Result<f64> {
    let d = k.len();
    if cov.dim() != (d, d) {
        return Err(crate::Error::Shape(format!(
            "{d} kernel weights for a {}×{} covariance",
            cov.dim().0,
            cov.dim().1
        )));
    }
    Ok(k.dot(&cov.dot(&k)))
}

/// One member of the counterexample family Σ_ε = diag(1, ε, …, ε).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Shrink {
    /// ε.
    pub eps: f64,
    /// Exact H2 in bits, closed form ½·(d·log2(2πe) + (d − 1)·log2 ε): finite for every ε > 0.
    pub h2_exact: f64,
    /// H2 from the entropy core (Cholesky): −∞ once ε falls to the singularity tolerance
    /// d·ε_machine·max diag (2.0e-15 for d = 9), where the pivot counts as zero.
    pub h2_core: f64,
    /// Var(kᵀx) = kᵀΣ_ε k.
    pub var: f64,
}

/// The counterexample family Σ_ε = diag(1, ε, …, ε) (d entries): H2 → −∞ as ε → 0 while the
/// variance of a fixed kernel's output stays ≥ k_0².
///
/// # Errors
/// [`crate::Error::Empty`] for d = 0; as [`conv_variance`] for a kernel of other than `d`
/// weights; the entropy core's errors ([`gaussian_entropy`]) for an ε that is not finite.
///
/// ```
/// use ndarray::Array1;
/// let k = Array1::from_elem(9, 0.5);
/// let r = sednas::propositions::p2::shrinking_direction(9, &[1e-16], k.view()).unwrap();
/// // finite in exact arithmetic (≈ −194.18 bits), −∞ from the Cholesky core (below its tolerance)
/// assert!((r[0].h2_exact + 194.179_537_806_165).abs() < 1e-9);
/// assert_eq!(r[0].h2_core, f64::NEG_INFINITY);
/// // d = 0 is an error, not a panic
/// assert!(sednas::propositions::p2::shrinking_direction(0, &[0.5], Array1::zeros(0).view()).is_err());
/// ```
pub fn shrinking_direction(d: usize, eps: &[f64], k: ArrayView1<'_, f64>) -> Result<Vec<Shrink>> {
    if d == 0 {
        return Err(crate::Error::Empty {
            what: "covariance",
            shape: vec![0, 0],
        });
    }
    let c = (2.0 * std::f64::consts::PI * std::f64::consts::E).log2();
    eps.iter()
        .map(|&e| {
            let mut s = Array2::<f64>::zeros((d, d));
            s[[0, 0]] = 1.0;
            for i in 1..d {
                s[[i, i]] = e;
            }
            Ok(Shrink {
                eps: e,
                h2_exact: 0.5 * (d as f64 * c + (d - 1) as f64 * e.log2()),
                h2_core: gaussian_entropy(s.view())?.bits,
                var: conv_variance(s.view(), k)?,
            })
        })
        .collect()
}

/// Sampled rank-1 windows x_n = z_n·v over a batch: (H2 of the window from the entropy core,
/// its singular reason, sample variance of the conv output kᵀx).
///
/// The window x = z·v is rank 1, so H2 = −∞; the output kᵀx = z·(kᵀv) still varies unless
/// k ⟂ v. With v = (1, 2, 1) and k = (2, −1, 0), kᵀv = 0 and every output is exactly 0.
/// The window is a d×1 kernel, so d = `v.len()` must be odd.
///
/// # Errors
/// [`crate::Error::Shape`] for a kernel of another length than `v`;
/// [`crate::Error::InvalidParameter`] (`n`) for fewer than 2 samples; as [`local_h2`] (e.g.
/// an even window length).
///
/// ```
/// use sednas::propositions::p2::rank_one_batch;
/// let (h, why, var) = rank_one_batch(100, &[1.0, 2.0, 1.0], &[2.0, -1.0, 0.0], 7).unwrap();
/// assert_eq!(h, f64::NEG_INFINITY);
/// assert!(why.is_some());
/// assert_eq!(var, 0.0);
/// // a kernel of another length, or fewer than 2 samples: an error, not a panic
/// assert!(rank_one_batch(100, &[1.0, 2.0, 1.0], &[1.0], 7).is_err());
/// assert!(rank_one_batch(1, &[1.0, 2.0, 1.0], &[2.0, -1.0, 0.0], 7).is_err());
/// ```
pub fn rank_one_batch(
    n: usize,
    v: &[f64],
    k: &[f64],
    seed: u64,
) -> Result<(f64, Option<Singular>, f64)> {
    let d = v.len();
    if k.len() != d {
        return Err(crate::Error::Shape(format!(
            "{} kernel weights for a window of {d}",
            k.len()
        )));
    }
    if n < 2 {
        return Err(crate::Error::param(
            "n",
            format!("a variance needs at least 2 samples, got {n}"),
        ));
    }
    let mut r = SplitMix64::new(seed);
    let z: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
    let batch = Array4::from_shape_fn((n, 1, d, 1), |(s, _, j, _)| z[s] * v[j]);
    let spec = WindowSpec::new(Kernel::new(d, 1, 1)?, Stride::unit(), Border::Valid);
    let h = local_h2(batch.view(), &spec, &H2Options::new())?;
    let ys: Vec<f64> = (0..n)
        .map(|s| (0..d).map(|j| k[j] * batch[[s, 0, j, 0]]).sum())
        .collect();
    let m = ys.iter().sum::<f64>() / n as f64;
    let var = ys.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / (n as f64 - 1.0);
    Ok((h.values[[0, 0, 0]], h.singular.first().map(|x| x.1), var))
}

/// The P2 report.
///
/// # Errors
/// The errors of [`shrinking_direction`] and [`rank_one_batch`]; none under
/// [`VerifyOptions`]' sample sizes.
///
/// ```
/// use sednas::propositions::{p2, Verdict, VerifyOptions};
/// let r = p2::report(&VerifyOptions::default()).unwrap();
/// assert_eq!((r.id, r.verdict), ("P2", Verdict::False));
/// assert!(r.consistent());
/// ```
pub fn report(opts: &VerifyOptions) -> Result<Report> {
    let d = 9;
    let k = Array1::from_shape_fn(d, |i| 0.3 + 0.1 * i as f64);
    let eps = [1e-2, 1e-4, 1e-8, 1e-16];
    let rows = shrinking_direction(d, &eps, k.view())?;
    let last = rows[rows.len() - 1];
    let mut checks = vec![Check {
        name: "counterexample: Σ_ε = diag(1, ε, …, ε), ε → 0: H2 → −∞ but Var(conv) stays ≥ k_0²"
            .into(),
        confirms: last.h2_exact < -100.0 && last.var >= k[0] * k[0],
        value: Some(last.var),
        claim: Some(0.0),
        ci95: None,
        detail: rows
            .iter()
            .map(|r| {
                format!(
                    "ε={:e}: H2={:.1} bits{}, Var(kᵀx)={:.4}",
                    r.eps,
                    r.h2_exact,
                    if r.h2_core.is_finite() {
                        String::new()
                    } else {
                        " (the Cholesky core returns −∞: pivot ≤ its tolerance d·ε_machine·max diag = 2.0e-15)".into()
                    },
                    r.var
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }];
    let n = if opts.thorough { 20_000 } else { 2_000 };
    let v = [1.0, -0.5, 2.0, 0.25, 1.5, -1.0, 0.5, 0.75, -2.0];
    let (h, why, var) = rank_one_batch(n, &v, k.as_slice().unwrap_or(&[]), opts.seed)?;
    checks.push(Check {
        name:
            "sampled rank-1 windows x = z·v: local H2 = −∞ (singular) while the conv output varies"
                .into(),
        confirms: h == f64::NEG_INFINITY && why.is_some() && var > 0.1,
        value: Some(var),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "{n} maps, 1×9 window, v = {v:?}; H2 = {h}, reason {why:?}; sample Var(kᵀx) = {var:.4}"
        ),
    });
    burn_checks(&mut checks, &v)?;
    // The corrected statement: Σ → 0 (all variances) makes every kernel's output constant.
    let mut r = SplitMix64::new(opts.seed ^ 0x5eed);
    let base = random_spd(d, &mut r, 0.1);
    let scales = [1.0, 1e-3, 1e-6, 1e-12];
    let vars: Vec<f64> = scales
        .iter()
        .map(|&t| conv_variance((&base * t).view(), k.view()))
        .collect::<Result<_>>()?;
    checks.push(Check {
        name:
            "corrected statement: Σ_W = t·Σ₀, t → 0 drives Var(kᵀx) → 0 for every K (and H2 → −∞)"
                .into(),
        confirms: vars.windows(2).all(|w| w[1] < w[0]) && vars[vars.len() - 1] < 1e-9,
        value: Some(vars[vars.len() - 1]),
        claim: Some(0.0),
        ci95: None,
        detail: format!("random SPD Σ₀ (d = 9), t ∈ {scales:?}: Var = {vars:?}"),
    });
    Ok(Report {
        id: "P2",
        verdict: Verdict::False,
        paper: "For X ~ N(μ, Σ), the convolution of the subtensor X[α; β] with K works as a constant when H2(X[α; β]) → −∞ (under ReLU).",
        corrected: "For x ~ N(μ, Σ_W) and y = ReLU(kᵀx + b): y is a.s. constant for every kernel iff Σ_W = 0; for a given kernel iff kᵀΣ_W k = 0. H2 → −∞ (det Σ_W → 0) is necessary for the former but not sufficient when d > 1 (it is equivalent for d = 1).",
        proof: "proofs/P2.md",
        checks,
    })
}

/// P2's autodiff check on burn (feature `nn`): for a rank-1 window x = z·v the kernel
/// gradient is the window, not ∝ 1. Without the feature the check is absent from the evidence.
#[cfg(feature = "nn")]
fn burn_checks(checks: &mut Vec<Check>, v: &[f64]) -> Result<()> {
    // burn: the kernel gradient for a singular-but-not-constant window is the window itself
    let win = Array2::from_shape_fn((3, 3), |(a, b)| v[a * 3 + b] as f32);
    let kern = Array2::from_shape_fn((3, 3), |(a, b)| 0.3 + 0.1 * (a * 3 + b) as f32);
    let (_, g) = super::p1::burn_kernel_gradient(win.view(), kern.view(), 0.0)?;
    let spread = super::p1::relative_spread(g.view());
    let matches_window = g.iter().zip(win.iter()).all(|(a, b)| (a - b).abs() < 1e-5);
    checks.push(Check {
        name: "burn autodiff: for a rank-1 (H2 = −∞) but non-constant window the kernel gradient is the window, not ∝ 1".into(),
        confirms: matches_window && spread > 0.5,
        value: Some(spread),
        claim: Some(0.0),
        ci95: None,
        detail: "one sample of x = z·v with z = 1; gradient = x (ReLU active), relative spread of its entries shown".into(),
    });
    Ok(())
}

#[cfg(not(feature = "nn"))]
fn burn_checks(_checks: &mut Vec<Check>, _v: &[f64]) -> Result<()> {
    // burn is not built in: the autodiff cross-check is simply absent from the evidence
    Ok(())
}
