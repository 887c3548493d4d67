//! Summaries of a local-entropy map.

use ndarray::ArrayView3;

use crate::numerics::NeumaierAcc;

/// Mean / min / max of a local-entropy map and its zero- and −∞-entropy fractions.
///
/// `mean` is over the finite windows only (`None` if there are none); `min` is −∞ when any
/// window is −∞ (a singular H2 window). JSON writes −∞ as `null`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of windows.
    pub windows: usize,
    /// Mean over finite windows, bits (compensated sum).
    pub mean: Option<f64>,
    /// Smallest value, bits.
    pub min: f64,
    /// Largest value, bits.
    pub max: f64,
    /// Fraction of windows with entropy exactly 0 (H1: constant windows).
    pub zero_fraction: f64,
    /// Fraction of windows with entropy −∞ (H2: singular covariance).
    pub neg_inf_fraction: f64,
}

/// Summarises a local-entropy map.
///
/// # Formula
/// mean = Σ_finite h / #finite; zero_fraction = #{h = 0}/#windows; neg_inf_fraction = #{h = −∞}/#windows
///
/// ```
/// use ndarray::array;
/// let m = array![[[0.0], [1.0]], [[2.0], [f64::NEG_INFINITY]]];
/// let s = sednas::entropy::summarize(m.view());
/// assert_eq!((s.windows, s.mean, s.zero_fraction, s.neg_inf_fraction), (4, Some(1.0), 0.25, 0.25));
/// ```
pub fn summarize(values: ArrayView3<'_, f64>) -> Summary {
    let mut acc = NeumaierAcc::default();
    let (mut finite, mut zeros, mut neg_inf) = (0usize, 0usize, 0usize);
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values.iter() {
        min = min.min(v);
        max = max.max(v);
        if v.is_finite() {
            finite += 1;
            acc.add(v);
        }
        if v == 0.0 {
            zeros += 1;
        }
        if v == f64::NEG_INFINITY {
            neg_inf += 1;
        }
    }
    let n = values.len();
    let frac = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    Summary {
        windows: n,
        mean: (finite > 0).then(|| acc.value() / finite as f64),
        min,
        max,
        zero_fraction: frac(zeros),
        neg_inf_fraction: frac(neg_inf),
    }
}
