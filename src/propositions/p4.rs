//! Proposition 4: H2 of a larger subtensor ≥ H2 of a smaller one when
//! k_w1·k_h1·k_c1 ≥ k_w2·k_h2·k_c2 and k_w1·k_h1·k_c1 ≠ 2·k_w2·k_h2·k_c2.
//!
//! For nested windows W2 ⊂ W1 the chain rule gives
//! H2(W1) − H2(W2) = ½·log2((2πe)^{d1−d2}·det S), S the Schur complement (conditional
//! covariance of the extra entries given W2). It is negative whenever the conditional
//! variances are small: for i.i.d. N(μ, σ²) entries H2 = (d/2)·log2(2πe·σ²) *decreases* with
//! d when σ² < 1/(2πe) ≈ 0.0585. The condition d1 ≠ 2·d2 plays no role. See `proofs/P4.md`.

use ndarray::{Array2, Array4, s};

use super::{Check, Report, Verdict, VerifyOptions, normal, random_spd};
use crate::entropy::{H2Options, gaussian_entropy, local_h2, summarize};
use crate::error::Result;
use crate::numerics::LOG2_2PI_E;
use crate::rng::SplitMix64;
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// H2 (bits) of d i.i.d. N(μ, σ²) entries.
///
/// # Formula
/// H2 = (d/2)·log2(2πe·σ²)
///
/// ```
/// let h = sednas::propositions::p4::h2_iid(9, 0.01);
/// assert!(h < sednas::propositions::p4::h2_iid(1, 0.01)); // the larger window has less entropy
/// ```
pub fn h2_iid(d: usize, var: f64) -> f64 {
    0.5 * d as f64 * (LOG2_2PI_E + var.log2())
}

/// The variance threshold 1/(2πe) above which H2 of i.i.d. entries grows with d.
///
/// # Formula
/// σ² = 1/(2πe) ≈ 0.0585, where h2_iid(d, σ²) = 0 for every d.
///
/// ```
/// use sednas::propositions::p4::{h2_iid, iid_threshold};
/// assert_eq!(iid_threshold(), 0.058_549_831_524_319_17);
/// assert!(h2_iid(9, iid_threshold()).abs() < 1e-14);
/// ```
pub fn iid_threshold() -> f64 {
    1.0 / (2.0 * std::f64::consts::PI * std::f64::consts::E)
}

/// Chain rule check on a random SPD covariance: returns |H2(W1) − H2(W2) − ½log2((2πe)^Δd det S)|
/// for the leading d2×d2 block W2 of a d1×d1 covariance.
///
/// The identity holds exactly, so the residual is rounding error only.
///
/// # Errors
/// [`crate::Error::Shape`] for `d2` > `d1`; the entropy core's errors
/// ([`gaussian_entropy`]): [`crate::Error::Empty`] for `d2` = 0 or `d1` = `d2` (an empty
/// block).
///
/// ```
/// let r = sednas::propositions::p4::chain_rule_residual(9, 4, 7).unwrap();
/// assert!(r < 1e-10);
/// // a block larger than the matrix, or an empty one: errors, not panics
/// assert!(sednas::propositions::p4::chain_rule_residual(4, 9, 7).is_err());
/// assert!(sednas::propositions::p4::chain_rule_residual(4, 4, 7).is_err());
/// ```
pub fn chain_rule_residual(d1: usize, d2: usize, seed: u64) -> Result<f64> {
    if d2 > d1 {
        return Err(crate::Error::Shape(format!(
            "a leading {d2}×{d2} block of a {d1}×{d1} covariance"
        )));
    }
    let mut r = SplitMix64::new(seed);
    let s1 = random_spd(d1, &mut r, 0.05);
    let s2 = s1.slice(s![..d2, ..d2]).to_owned();
    let h1 = gaussian_entropy(s1.view())?.bits;
    let h2 = gaussian_entropy(s2.view())?.bits;
    // Schur complement S = C − Bᵀ A⁻¹ B via Gauss–Jordan on A (small, well conditioned)
    let a = s2.clone();
    let b = s1.slice(s![..d2, d2..]).to_owned();
    let c = s1.slice(s![d2.., d2..]).to_owned();
    let x = solve(&a, &b);
    let schur = &c - &b.t().dot(&x);
    let hs = gaussian_entropy(((&schur + &schur.t()) * 0.5).view())?.bits;
    Ok((h1 - h2 - hs).abs())
}

/// Solves A·X = B by Gaussian elimination with partial pivoting (tests only; small systems).
fn solve(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    let mut m = a.clone();
    let mut x = b.clone();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| m[[i, col]].abs().total_cmp(&m[[j, col]].abs()))
            .unwrap_or(col);
        for k in 0..n {
            m.swap([col, k], [piv, k]);
        }
        for k in 0..x.ncols() {
            x.swap([col, k], [piv, k]);
        }
        let d = m[[col, col]];
        for row in 0..n {
            if row != col {
                let f = m[[row, col]] / d;
                for k in 0..n {
                    m[[row, k]] -= f * m[[col, k]];
                }
                for k in 0..x.ncols() {
                    x[[row, k]] -= f * x[[col, k]];
                }
            }
        }
    }
    for row in 0..n {
        let d = m[[row, row]];
        for k in 0..x.ncols() {
            x[[row, k]] /= d;
        }
    }
    x
}

/// Mean local H2 (valid windows) of sampled i.i.d. N(0, σ²) maps for kernels 1×1, 3×3, 5×5.
///
/// Doubling σ doubles every entry, multiplies each window's covariance by 4 and so raises H2
/// by exactly d bits (½·log2 4^d); the same seed draws the same maps.
///
/// # Errors
/// As [`local_h2`]: [`crate::Error::Shape`] for fewer than 2 maps (`n` < 2),
/// [`crate::Error::NonFinite`] for a σ that makes a value NaN or ±∞.
///
/// ```
/// use sednas::propositions::p4::sampled_mean_h2;
/// let a = sampled_mean_h2(0.5, 200, 7).unwrap();
/// let b = sampled_mean_h2(1.0, 200, 7).unwrap();
/// assert_eq!(a.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 9, 25]);
/// for (x, y) in a.iter().zip(&b) {
///     assert!((y.1 - x.1 - x.0 as f64).abs() < 1e-9);
/// }
/// ```
pub fn sampled_mean_h2(sigma: f64, n: usize, seed: u64) -> Result<Vec<(usize, f64)>> {
    let mut r = SplitMix64::new(seed);
    let batch = Array4::from_shape_fn((n, 7, 7, 1), |_| sigma * normal(&mut r));
    [1usize, 3, 5]
        .iter()
        .map(|&k| {
            let spec = WindowSpec::new(Kernel::square(k)?, Stride::unit(), Border::Valid);
            let h = local_h2(batch.view(), &spec, &H2Options::new())?;
            Ok((k * k, summarize(h.values.view()).mean.unwrap_or(f64::NAN)))
        })
        .collect()
}

/// The P4 report.
///
/// # Errors
/// The errors of [`chain_rule_residual`] and [`sampled_mean_h2`]; none under
/// [`VerifyOptions`]' sample sizes.
///
/// ```
/// use sednas::propositions::{p4, Verdict, VerifyOptions};
/// let r = p4::report(&VerifyOptions::default()).unwrap();
/// assert_eq!((r.id, r.verdict), ("P4", Verdict::False));
/// assert!(r.consistent());
/// ```
pub fn report(opts: &VerifyOptions) -> Result<Report> {
    let small = 0.01;
    let mut checks = vec![Check {
        name: "counterexample (closed form): i.i.d. N(0, 0.01), 3×3 vs 1×1 (9 ≥ 1, 9 ≠ 2)".into(),
        confirms: h2_iid(9, small) < h2_iid(1, small),
        value: Some(h2_iid(9, small) - h2_iid(1, small)),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "H2(3×3) = {:.3} bits < H2(1×1) = {:.3} bits; threshold σ² = 1/(2πe) = {:.4}",
            h2_iid(9, small),
            h2_iid(1, small),
            iid_threshold()
        ),
    }];
    checks.push(Check {
        name: "the excluded case d1 = 2·d2 behaves like any other (3×3×2 vs 3×3×1)".into(),
        confirms: h2_iid(18, 1.0) >= h2_iid(9, 1.0) && h2_iid(18, small) < h2_iid(9, small),
        value: Some(h2_iid(18, 1.0) - h2_iid(9, 1.0)),
        claim: None,
        ci95: None,
        detail:
            "σ² = 1: H2 grows (as for every d1 > d2); σ² = 0.01: H2 falls (as for every d1 > d2)"
                .into(),
    });
    let n = if opts.thorough { 20_000 } else { 2_000 };
    let lo = sampled_mean_h2(0.1, n, opts.seed)?;
    let hi = sampled_mean_h2(1.0, n, opts.seed)?;
    checks.push(Check {
        name: "sampled maps (entropy core): mean local H2 falls with window size for σ = 0.1, rises for σ = 1".into(),
        confirms: lo.windows(2).all(|w| w[1].1 < w[0].1) && hi.windows(2).all(|w| w[1].1 > w[0].1),
        value: Some(lo[2].1 - lo[0].1),
        claim: Some(0.0),
        ci95: None,
        detail: format!("{n} maps 7×7, valid windows; σ=0.1: {lo:?}; σ=1: {hi:?} (d, mean H2 bits)"),
    });
    let mut worst = 0.0f64;
    for t in 0..50 {
        worst = worst.max(chain_rule_residual(
            9,
            1 + t % 8,
            opts.seed.wrapping_add(t as u64),
        )?);
    }
    checks.push(Check {
        name: "corrected statement's identity: H2(W1) − H2(W2) = H2 of the Schur complement (chain rule)".into(),
        confirms: worst < 1e-8,
        value: Some(worst),
        claim: Some(0.0),
        ci95: None,
        detail: "50 random SPD 9×9 covariances, nested leading blocks of size 1..8; max |residual| in bits".into(),
    });
    Ok(Report {
        id: "P4",
        verdict: Verdict::False,
        paper: "For X ~ N(μ, Σ): H2 of the K1-sized subtensor ≥ H2 of the K2-sized one when k_w1·k_h1·k_c1 ≥ k_w2·k_h2·k_c2 and k_w1·k_h1·k_c1 ≠ 2·k_w2·k_h2·k_c2.",
        corrected: "For nested windows W2 ⊂ W1: H2(W1) ≥ H2(W2) iff det S ≥ (2πe)^{−(d1−d2)}, S = Σ_{W1∖W2 | W2} the conditional covariance; sufficient: every eigenvalue of S ≥ 1/(2πe) (i.i.d. entries: σ² ≥ 1/(2πe) ≈ 0.0585, e.g. after BatchNorm with unit variance). The condition d1 ≠ 2·d2 is irrelevant; non-nested windows are not comparable in general.",
        proof: "proofs/P4.md",
        checks,
    })
}
