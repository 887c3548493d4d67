//! Numerics in one place: compensated sums, Cholesky log-determinants, the fixed-point
//! `c·log2 c` table behind exact sliding histograms, and the Gaussian constant. All
//! logarithms are base 2 (results in bits) unless a name says otherwise.

/// log2(2πe), the per-dimension constant of the Gaussian differential entropy, in bits.
///
/// # Formula
/// log2(2·π·e) = log2(2π) + log2(e)
///
/// ```
/// assert!((sednas::numerics::LOG2_2PI_E - (2.0 * std::f64::consts::PI * std::f64::consts::E).log2()).abs() < 1e-15);
/// ```
pub const LOG2_2PI_E: f64 = 4.094_191_170_361_282;

/// Neumaier's compensated sum (improved Kahan–Babuška).
///
/// # Formula
/// Running sum s and compensation c: t = s + x; c += (s − t) + x if |s| ≥ |x| else (x − t) + s.
/// Returns s + c.
///
/// ```
/// use sednas::numerics::neumaier_sum;
/// assert_eq!(neumaier_sum([1.0, 1e100, 1.0, -1e100]), 2.0);
/// ```
pub fn neumaier_sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut acc = NeumaierAcc::default();
    for v in values {
        acc.add(v);
    }
    acc.value()
}

/// Accumulator form of [`neumaier_sum`], for loops that cannot build an iterator.
///
/// ```
/// let mut acc = sednas::numerics::NeumaierAcc::default();
/// for x in [0.1; 10] { acc.add(x); }
/// assert_eq!(acc.value(), 1.0);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct NeumaierAcc {
    sum: f64,
    comp: f64,
}

impl NeumaierAcc {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The compensated total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// Dot product with eight independent accumulators (vectorises without fast-math; the
/// summation order is fixed, so the result is deterministic and symmetric in its arguments).
///
/// # Formula
/// Σ_i a_i·b_i
///
/// ```
/// assert_eq!(sednas::numerics::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Why a Cholesky factorisation stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CholeskyFailure {
    /// Zero-based index of the pivot that was not positive enough.
    pub index: usize,
    /// The pivot value (Σ_kk minus the squares already eliminated).
    pub pivot: f64,
    /// The tolerance it was compared with.
    pub tolerance: f64,
}

/// log2 det A of a symmetric positive-definite d×d matrix (row-major, lower triangle read)
/// by an in-place Cholesky factorisation A = L·Lᵀ. The lower triangle of `a` is overwritten
/// with L.
///
/// A pivot at or below `d · f64::EPSILON · max_i A_ii` is treated as zero: the matrix is then
/// singular to working precision and the failure names the pivot.
///
/// # Formula
/// log2 det A = 2·Σ_i log2 L_ii
///
/// ```
/// use sednas::numerics::cholesky_log2det;
/// let mut a = [4.0, 2.0, 2.0, 3.0];
/// // det = 4·3 − 2·2 = 8
/// assert!((cholesky_log2det(&mut a, 2).unwrap() - 3.0).abs() < 1e-15);
/// ```
pub fn cholesky_log2det(a: &mut [f64], d: usize) -> Result<f64, CholeskyFailure> {
    debug_assert!(a.len() >= d * d);
    let mut max_diag = 0.0f64;
    for i in 0..d {
        max_diag = max_diag.max(a[i * d + i]);
    }
    let tolerance = d as f64 * f64::EPSILON * max_diag;
    let mut log2det = 0.0;
    for j in 0..d {
        let row = &a[j * d..j * d + j];
        let pivot = a[j * d + j] - dot(row, row);
        if pivot.is_nan() || pivot <= tolerance {
            return Err(CholeskyFailure {
                index: j,
                pivot,
                tolerance,
            });
        }
        let ljj = pivot.sqrt();
        a[j * d + j] = ljj;
        log2det += ljj.log2();
        let inv = 1.0 / ljj;
        let (upto, below) = a.split_at_mut((j + 1) * d);
        let row_j = &upto[j * d..j * d + j];
        for i in (j + 1)..d {
            let row_i = &mut below[(i - j - 1) * d..(i - j) * d];
            row_i[j] = (row_i[j] - dot(&row_i[..j], row_j)) * inv;
        }
    }
    Ok(2.0 * log2det)
}

/// Scale of the fixed-point `c·log2 c` values: 2^64.
pub const FIXED_SCALE: f64 = 18_446_744_073_709_551_616.0;

/// Table of `c·log2 c` in fixed point (i128, scale 2^64) for c = 0..=max_count.
///
/// Exact integer sums of these values make an incrementally updated histogram entropy
/// bit-identical to a from-scratch computation, whatever the update order.
///
/// # Formula
/// T[c] = round(c·log2(c)·2^64), T[0] = T[1] = 0
///
/// ```
/// let t = sednas::numerics::xlogx_table(4);
/// assert_eq!(t[2], 2 * (1i128 << 64)); // 2·log2 2 = 2
/// assert_eq!(t[4], 8 * (1i128 << 64)); // 4·log2 4 = 8
/// ```
pub fn xlogx_table(max_count: usize) -> Vec<i128> {
    (0..=max_count)
        .map(|c| {
            if c < 2 {
                0
            } else {
                let v = c as f64 * (c as f64).log2();
                (v * FIXED_SCALE).round() as i128
            }
        })
        .collect()
}

/// Shannon entropy (bits) of a histogram with `n` entries whose fixed-point Σ c·log2 c is `s`.
///
/// # Formula
/// H = log2 n − S/n, with S = Σ_bins c·log2 c
///
/// ```
/// let t = sednas::numerics::xlogx_table(4);
/// // counts {2, 2}: H = log2 4 − (2 + 2)/4 = 1 bit
/// assert_eq!(sednas::numerics::entropy_from_fixed(t[2] + t[2], 4), 1.0);
/// ```
#[inline]
pub fn entropy_from_fixed(s: i128, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let h = nf.log2() - (s as f64 / FIXED_SCALE) / nf;
    // A histogram with one bin has S = n·log2 n exactly in real numbers; rounding of the
    // table can leave ±1e-16. Entropy is never negative.
    if h < 1e-12 { 0.0 } else { h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_2pie_matches_std() {
        let v = (2.0 * std::f64::consts::PI * std::f64::consts::E).log2();
        assert!((LOG2_2PI_E - v).abs() < 1e-15);
    }

    // Edge case: a singular matrix reports the failing pivot instead of returning NaN.
    #[test]
    fn cholesky_reports_singular_pivot() {
        let mut a = [1.0, 1.0, 1.0, 1.0];
        let err = cholesky_log2det(&mut a, 2).unwrap_err();
        assert_eq!(err.index, 1);
    }

    #[test]
    fn cholesky_3x3_known_det() {
        // det [[4,12,-16],[12,37,-43],[-16,-43,98]] = 36
        let mut a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let l = cholesky_log2det(&mut a, 3).unwrap();
        assert!((l - 36f64.log2()).abs() < 1e-12);
    }

    #[test]
    fn dot_long_vectors() {
        let a: Vec<f64> = (0..37).map(|i| i as f64).collect();
        let expect: f64 = a.iter().map(|x| x * x).sum();
        assert_eq!(dot(&a, &a), expect);
    }

    // Edge case: a histogram with every entry in one bin has zero entropy exactly.
    #[test]
    fn single_bin_entropy_is_zero() {
        let t = xlogx_table(1000);
        for (n, &tn) in t.iter().enumerate().skip(1) {
            assert_eq!(entropy_from_fixed(tn, n), 0.0);
        }
    }
}
