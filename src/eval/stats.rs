//! Inference for the experiments: rank correlations and mean differences with intervals,
//! p-values and Holm's correction, on `statrs` distributions.
//!
//! The unit of analysis is the caller's business: the experiments pass one value per
//! *configuration* (the mean over its seeds), never one per seed, because seeds are
//! replicates of a configuration, not independent samples of the design.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A statistic with a two-sided interval and p-value (null: correlation or mean 0).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Spearman ρ or mean difference.
    pub value: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
    /// Number of units (configurations, pairs of configurations, cells).
    pub n: usize,
    /// Two-sided p-value, uncorrected.
    pub p: f64,
}

/// Quantile `q` of Student's t with `df` degrees of freedom (NaN when `df` ≤ 0 or `q` ∉ (0, 1)).
///
/// ```
/// let t = sednas::eval::stats::t_quantile(0.975, 10.0);
/// assert!((t - 2.228_138_851_986_274).abs() < 1e-9);
/// // the 12 ≤ n < 30 range the old hand-written table got wrong: df = 19
/// assert!((sednas::eval::stats::t_quantile(0.975, 19.0) - 2.093_024_054_408_309).abs() < 1e-9);
/// assert!(sednas::eval::stats::t_quantile(0.975, 0.0).is_nan());
/// ```
pub fn t_quantile(q: f64, df: f64) -> f64 {
    if !(q > 0.0 && q < 1.0) {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(q),
        Err(_) => f64::NAN,
    }
}

/// Quantile `q` of the standard normal distribution.
///
/// ```
/// assert!((sednas::eval::stats::z_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
/// ```
pub fn z_quantile(q: f64) -> f64 {
    if !(q > 0.0 && q < 1.0) {
        return f64::NAN;
    }
    Normal::standard().inverse_cdf(q)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
fn t_two_sided(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) if t.is_finite() => (2.0 * d.cdf(-t.abs())).min(1.0),
        Ok(_) if t.is_infinite() => 0.0,
        _ => f64::NAN,
    }
}

/// Mean of `v` with a `level` t-interval and the two-sided one-sample t-test of mean 0;
/// `None` for fewer than two finite values (non-finite values are an error of the caller
/// and are left out).
///
/// # Formula
/// m = Σv/n; s² = Σ(v − m)²/(n − 1); m ± t_{(1+level)/2, n−1}·s/√n; p = 2·P(T_{n−1} > |m/(s/√n)|)
///
/// ```
/// use sednas::eval::stats::mean_ci;
/// let e = mean_ci(&[1.0, 2.0, 3.0], 0.95).unwrap();
/// assert_eq!(e.value, 2.0);
/// // s = 1, t_{0.975, 2} = 4.302652729749464
/// assert!((e.hi - (2.0 + 4.302_652_729_749_464 / 3f64.sqrt())).abs() < 1e-9);
/// assert!((e.p - 0.074_179_900_227_5).abs() < 1e-6);
/// assert!(mean_ci(&[1.0], 0.95).is_none());
/// ```
pub fn mean_ci(v: &[f64], level: f64) -> Option<Estimate> {
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n < 2 {
        return None;
    }
    let m = crate::numerics::neumaier_sum(v.iter().copied()) / n as f64;
    let ss = crate::numerics::neumaier_sum(v.iter().map(|x| (x - m) * (x - m)));
    let se = (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt();
    let df = (n - 1) as f64;
    let t = t_quantile(0.5 + level / 2.0, df);
    let p = if se > 0.0 {
        t_two_sided(m / se, df)
    } else if m == 0.0 {
        1.0
    } else {
        0.0
    };
    Some(Estimate {
        value: m,
        lo: m - t * se,
        hi: m + t * se,
        n,
        p,
    })
}

/// Spearman ρ with a `level` interval from the Fisher transform (SE = 1.03/√(n − 3), the
/// Fieller–Hartley–Pearson correction for rank correlations) and the two-sided p-value of
/// the usual t approximation; `None` when ρ is undefined (fewer than two pairs or a
/// constant variable). For n < 4 the interval is [−1, 1].
///
/// # Formula
/// z = atanh ρ; [tanh(z − q·SE), tanh(z + q·SE)], q = Φ⁻¹((1+level)/2);
/// p = 2·P(T_{n−2} > |ρ|·√((n − 2)/(1 − ρ²)))
///
/// ```
/// use sednas::eval::stats::spearman_test;
/// let e = spearman_test(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 5.0, 4.0], 0.95).unwrap();
/// assert!((e.value - 0.8).abs() < 1e-12);
/// // t = 0.8·√(3/0.36) = 2.3094; p = 0.1040
/// assert!((e.p - 0.104_088_039_3).abs() < 1e-6);
/// assert!(e.lo < 0.8 && 0.8 < e.hi);
/// ```
pub fn spearman_test(x: &[f64], y: &[f64], level: f64) -> Option<Estimate> {
    let r = crate::eval::spearman(x, y)?;
    let n = x.len();
    let p = if n > 2 {
        if r.abs() >= 1.0 {
            0.0
        } else {
            t_two_sided(r * ((n - 2) as f64 / (1.0 - r * r)).sqrt(), (n - 2) as f64)
        }
    } else {
        1.0
    };
    Some(fisher_estimate(r, n, 3, p, level))
}

/// ρ with its `level` interval from the Fisher transform, SE = 1.03/√(n − k) ([−1, 1] when
/// n ≤ k), and the p-value already computed.
fn fisher_estimate(r: f64, n: usize, k: usize, p: f64, level: f64) -> Estimate {
    if n <= k {
        return Estimate {
            value: r,
            lo: -1.0,
            hi: 1.0,
            n,
            p,
        };
    }
    let z = r.clamp(-0.999_999, 0.999_999).atanh();
    let se = 1.03 / ((n - k) as f64).sqrt();
    let q = z_quantile(0.5 + level / 2.0);
    Estimate {
        value: r,
        lo: (z - q * se).tanh(),
        hi: (z + q * se).tanh(),
        n,
        p,
    }
}

/// Partial Spearman ρ of `x` and `y` given `z` (one control: the Spearman correlation of
/// `x` and `y` once the ranks of `z` are regressed out of both), with a `level` interval from
/// the Fisher transform (SE = 1.03/√(n − 4)) and the two-sided p of the t approximation on
/// n − 3 degrees of freedom; `None` when a pairwise ρ is undefined or `z` explains `x` or `y`
/// entirely. For n < 5 the interval is [−1, 1].
///
/// # Formula
/// ρ_xy·z = (ρ_xy − ρ_xz·ρ_yz) / √((1 − ρ_xz²)(1 − ρ_yz²));
/// p = 2·P(T_{n−3} > |ρ|·√((n − 3)/(1 − ρ²)))
///
/// ```
/// use sednas::eval::stats::{partial_spearman_test, spearman_test};
/// // y follows z exactly; x = z plus a wobble: x and y agree only through z
/// let z = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let x = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0];
/// let y = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5];
/// assert!(spearman_test(&x, &y, 0.95).unwrap().value > 0.9);
/// assert!(partial_spearman_test(&x, &y, &z, 0.95).is_none()); // z explains y entirely
/// // with a y of its own: ρ_xy = 16/21, ρ_xz = 19/21, ρ_yz = 20/21 give −0.7683 (x and y
/// // agree less than z makes them)
/// let y = [1.0, 3.0, 2.0, 4.0, 5.0, 7.0, 6.0, 8.0];
/// let e = partial_spearman_test(&x, &y, &z, 0.95).unwrap();
/// let (a, b, c): (f64, f64, f64) = (16.0 / 21.0, 19.0 / 21.0, 20.0 / 21.0);
/// assert!((e.value - (a - b * c) / ((1.0 - b * b) * (1.0 - c * c)).sqrt()).abs() < 1e-12);
/// assert!((e.value + 0.7683).abs() < 1e-4);
/// assert!(e.lo < e.value && e.value < e.hi && e.n == 8);
/// ```
pub fn partial_spearman_test(x: &[f64], y: &[f64], z: &[f64], level: f64) -> Option<Estimate> {
    let rxy = crate::eval::spearman(x, y)?;
    let rxz = crate::eval::spearman(x, z)?;
    let ryz = crate::eval::spearman(y, z)?;
    let den = ((1.0 - rxz * rxz) * (1.0 - ryz * ryz)).sqrt();
    if den.is_nan() || den <= 1e-12 {
        return None;
    }
    let r = ((rxy - rxz * ryz) / den).clamp(-1.0, 1.0);
    let n = x.len();
    let p = if n > 3 {
        if r.abs() >= 1.0 {
            0.0
        } else {
            t_two_sided(r * ((n - 3) as f64 / (1.0 - r * r)).sqrt(), (n - 3) as f64)
        }
    } else {
        1.0
    };
    Some(fisher_estimate(r, n, 4, p, level))
}

/// Holm's step-down adjusted p-values for one family of tests (same order as the input;
/// NaN p-values stay NaN and do not count as tests).
///
/// # Formula
/// sort p ascending: p₍₁₎ ≤ … ≤ p₍ₘ₎; adj₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎)
///
/// ```
/// let adj = sednas::eval::stats::holm(&[0.01, 0.04, 0.03]);
/// assert_eq!(adj, vec![0.03, 0.06, 0.06]);
/// assert!(sednas::eval::stats::holm(&[f64::NAN, 0.5])[0].is_nan());
/// ```
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = idx.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut run = 0.0f64;
    for (j, &i) in idx.iter().enumerate() {
        run = run.max(((m - j) as f64 * p[i]).min(1.0));
        out[i] = run;
    }
    out
}

/// Paired bootstrap of a difference of Spearman correlations: ρ(a, acc) − ρ(b, acc) on the
/// same cells, resampled together (`reps` resamples of the n cells with replacement,
/// SplitMix64 from `seed`), with the percentile interval at `level`. Cells where `a`, `b` or
/// `acc` is NaN are left out first (±∞ scores are values).
///
/// Returns `(difference on the data, lo, hi, n)`, or `None` with fewer than 3 cells or an
/// undefined correlation.
///
/// ```
/// use sednas::eval::stats::paired_spearman_diff;
/// let acc: Vec<f64> = (0..50).map(|i| i as f64).collect();
/// let a = acc.clone(); // perfect
/// let b: Vec<f64> = acc.iter().map(|&x| if (x as u32) % 2 == 0 { x } else { -x }).collect();
/// let (d, lo, hi, n) = paired_spearman_diff(&a, &b, &acc, 200, 0.95, 1).unwrap();
/// assert_eq!(n, 50);
/// assert!(d > 0.0 && lo > 0.0 && lo <= d && d <= hi);
/// // a proxy against itself: exactly 0, interval [0, 0]
/// assert_eq!(paired_spearman_diff(&a, &a, &acc, 50, 0.95, 1).unwrap(), (0.0, 0.0, 0.0, 50));
/// ```
pub fn paired_spearman_diff(
    a: &[f64],
    b: &[f64],
    acc: &[f64],
    reps: usize,
    level: f64,
    seed: u64,
) -> Option<(f64, f64, f64, usize)> {
    let keep: Vec<usize> = (0..acc.len())
        .filter(|&i| !(a[i].is_nan() || b[i].is_nan() || acc[i].is_nan()))
        .collect();
    let n = keep.len();
    if n < 3 {
        return None;
    }
    let pick = |ix: &[usize], v: &[f64]| ix.iter().map(|&i| v[keep[i]]).collect::<Vec<f64>>();
    let all: Vec<usize> = (0..n).collect();
    let d = crate::eval::spearman(&pick(&all, a), &pick(&all, acc))?
        - crate::eval::spearman(&pick(&all, b), &pick(&all, acc))?;
    let mut r = crate::rng::SplitMix64::new(seed);
    let mut ds = Vec::with_capacity(reps);
    let mut ix = vec![0usize; n];
    for _ in 0..reps {
        for x in ix.iter_mut() {
            *x = r.below(n as u64) as usize;
        }
        let y = pick(&ix, acc);
        if let (Some(ra), Some(rb)) = (
            crate::eval::spearman(&pick(&ix, a), &y),
            crate::eval::spearman(&pick(&ix, b), &y),
        ) {
            ds.push(ra - rb);
        }
    }
    if ds.is_empty() {
        return None;
    }
    ds.sort_by(f64::total_cmp);
    let q = |p: f64| ds[((p * (ds.len() - 1) as f64).round() as usize).min(ds.len() - 1)];
    let alpha = (1.0 - level) / 2.0;
    Some((d, q(alpha), q(1.0 - alpha), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    // R's p.adjust(c(0.001, 0.02, 0.03, 0.5), "holm") = 0.004 0.06 0.06 0.5
    #[test]
    fn holm_matches_r() {
        let a = holm(&[0.02, 0.5, 0.001, 0.03]);
        let want = [0.06, 0.5, 0.004, 0.06];
        for (x, w) in a.iter().zip(want) {
            assert!((x - w).abs() < 1e-12, "{a:?}");
        }
    }

    // t quantiles against R's qt(0.975, df) for the range the old table covered wrongly
    #[test]
    fn t_quantiles_match_r() {
        for (df, want) in [
            (11.0, 2.200_985_160_091_639),
            (23.0, 2.068_657_610_419_049),
            (29.0, 2.045_229_642_132_703),
            (35.0, 2.030_107_928_250_342),
        ] {
            assert!((t_quantile(0.975, df) - want).abs() < 1e-9, "df {df}");
        }
    }

    // a constant sample: interval of zero width, p = 1 if the mean is 0
    #[test]
    fn constant_sample() {
        let e = mean_ci(&[0.0, 0.0, 0.0], 0.95).unwrap();
        assert_eq!((e.lo, e.hi, e.p), (0.0, 0.0, 1.0));
    }
}
