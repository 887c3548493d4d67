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
    ///
    /// ```
    /// use sednas::numerics::NeumaierAcc;
    /// let mut acc = NeumaierAcc::default();
    /// for x in [1.0, 1e100, 1.0, -1e100] {
    ///     acc.add(x);
    /// }
    /// // a plain sum gives 0
    /// assert_eq!(acc.value(), 2.0);
    /// ```
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
    ///
    /// ```
    /// let acc = sednas::numerics::NeumaierAcc::default();
    /// assert_eq!(acc.value(), 0.0);
    /// ```
    #[inline]
    pub fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

/// Dot product with eight independent accumulators and fused multiply-adds (the summation
/// order is fixed and every step is one correctly rounded `mul_add`, so the result is the
/// same on every machine and symmetric in its arguments; on x86-64 with FMA it runs as vector
/// FMA instructions).
///
/// # Formula
/// Σ_i a_i·b_i
///
/// ```
/// assert_eq!(sednas::numerics::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if has_fma() {
            // SAFETY: the CPU has AVX2 and FMA, the features `dot_fma` assumes.
            return unsafe { dot_fma(a, b) };
        }
    }
    dot_fused(a, b)
}

/// Whether this CPU has AVX2 and FMA (x86-64), for the dispatching kernels.
#[inline]
pub(crate) fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_fma(a: &[f64], b: &[f64]) -> f64 {
    dot_fused(a, b)
}

/// The body of [`dot`], to be inlined into kernels compiled with FMA.
#[inline(always)]
pub(crate) fn dot_fused(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..8 {
            acc[k] = x[k].mul_add(y[k], acc[k]);
        }
    }
    let mut tail = 0.0f64;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail = x.mul_add(*y, tail);
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
/// singular to working precision and the failure names the pivot. Each update
/// A_ik −= L_ij·L_kj is one fused multiply-add, exactly as in [`cholesky_log2det_x8`].
///
/// # Formula
/// log2 det A = 2·Σ_i log2 L_ii
///
/// # Errors
/// [`CholeskyFailure`] naming the first pivot at or below the tolerance (singular to
/// working precision).
///
/// ```
/// use sednas::numerics::cholesky_log2det;
/// let mut a = [4.0, 2.0, 2.0, 3.0];
/// // det = 4·3 − 2·2 = 8
/// assert!((cholesky_log2det(&mut a, 2).unwrap() - 3.0).abs() < 1e-15);
/// ```
pub fn cholesky_log2det(a: &mut [f64], d: usize) -> Result<f64, CholeskyFailure> {
    #[cfg(target_arch = "x86_64")]
    {
        if has_fma() {
            // SAFETY: the CPU has AVX2 and FMA, the features `cholesky_fma` assumes.
            return unsafe { cholesky_fma(a, d) };
        }
    }
    cholesky_scalar_impl(a, d)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn cholesky_fma(a: &mut [f64], d: usize) -> Result<f64, CholeskyFailure> {
    cholesky_scalar_impl(a, d)
}

#[inline(always)]
fn cholesky_scalar_impl(a: &mut [f64], d: usize) -> Result<f64, CholeskyFailure> {
    debug_assert!(a.len() >= d * d);
    let mut max_diag = 0.0f64;
    for i in 0..d {
        max_diag = max_diag.max(a[i * d + i]);
    }
    let tolerance = d as f64 * f64::EPSILON * max_diag;
    // Right-looking (outer-product) form: after column j is scaled, the trailing lower
    // triangle is updated row by row with contiguous axpys, which vectorise.
    let mut stack = [0.0f64; 64];
    let mut heap = Vec::new();
    let col: &mut [f64] = if d <= 64 {
        &mut stack[..d]
    } else {
        heap.resize(d, 0.0);
        &mut heap
    };
    // log2 det = Σ log2 pivot_j, accumulated as an exact binary exponent plus a product of
    // mantissas in [1, 2) (one log2 call instead of d)
    let mut exp_sum: i64 = 0;
    let mut mant = 1.0f64;
    for j in 0..d {
        let pivot = a[j * d + j];
        if pivot.is_nan() || pivot <= tolerance {
            return Err(CholeskyFailure {
                index: j,
                pivot,
                tolerance,
            });
        }
        let ljj = pivot.sqrt();
        a[j * d + j] = ljj;
        let (m, e) = split_exponent(pivot);
        mant *= m;
        exp_sum += e;
        if j % 8 == 7 {
            let (m2, e2) = split_exponent(mant);
            mant = m2;
            exp_sum += e2;
        }
        let inv = 1.0 / ljj;
        for i in (j + 1)..d {
            let v = a[i * d + j] * inv;
            a[i * d + j] = v;
            col[i] = v;
        }
        for i in (j + 1)..d {
            let lij = col[i];
            let row = &mut a[i * d + j + 1..=i * d + i];
            for (r, &x) in row.iter_mut().zip(&col[j + 1..=i]) {
                *r = (-lij).mul_add(x, *r);
            }
        }
    }
    Ok(exp_sum as f64 + mant.log2())
}

/// Lanes of the batched Cholesky kernel: eight matrices in lock-step (one AVX-512 vector, or
/// two AVX2 vectors, per step).
pub const CHOLESKY_LANES: usize = 8;

/// Eight independent d×d Cholesky log-determinants in lock-step (lane k of every entry is
/// matrix k), for throughput: the loop control is shared by eight matrices and each
/// arithmetic step is one vector operation (AVX-512 with FMA where the CPU has it, else AVX2
/// with FMA, else portable code). Every lane performs exactly the operations of
/// [`cholesky_log2det`] in the same order (the updates are fused multiply-adds in both), so
/// each lane's result (or failure) is bit-identical to the scalar call on that matrix, on
/// every dispatch path.
///
/// ```
/// use sednas::numerics::{cholesky_log2det, cholesky_log2det_x8};
/// let mats = [[4.0, 2.0, 2.0, 3.0], [1.0, 0.0, 0.0, 1.0], [9.0, 3.0, 3.0, 5.0], [1.0, 1.0, 1.0, 1.0]];
/// let mut packed: Vec<[f64; 8]> = (0..4).map(|e| std::array::from_fn(|k| mats[k % 4][e])).collect();
/// let r = cholesky_log2det_x8(&mut packed, 2);
/// for k in 0..8 {
///     let mut m = mats[k % 4];
///     assert_eq!(r[k], cholesky_log2det(&mut m, 2));
/// }
/// ```
pub fn cholesky_log2det_x8(a: &mut [[f64; 8]], d: usize) -> [Result<f64, CholeskyFailure>; 8] {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx512() {
            // SAFETY: the CPU has AVX-512F and FMA, the features `cholesky_x8_avx512` assumes.
            return unsafe { cholesky_x8_avx512(a, d) };
        }
        if has_fma() {
            // SAFETY: the CPU has AVX2 and FMA, the features `cholesky_x8_avx2` assumes.
            return unsafe { cholesky_x8_avx2(a, d) };
        }
    }
    cholesky_lanes_impl(a, d)
}

/// Whether this CPU has AVX-512F and FMA.
#[inline]
pub(crate) fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn cholesky_x8_avx512(a: &mut [[f64; 8]], d: usize) -> [Result<f64, CholeskyFailure>; 8] {
    cholesky_lanes_impl(a, d)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn cholesky_x8_avx2(a: &mut [[f64; 8]], d: usize) -> [Result<f64, CholeskyFailure>; 8] {
    cholesky_lanes_impl(a, d)
}

#[inline(always)]
fn cholesky_lanes_impl<const L: usize>(
    a: &mut [[f64; L]],
    d: usize,
) -> [Result<f64, CholeskyFailure>; L] {
    let mut max_diag = [0.0f64; L];
    for i in 0..d {
        for k in 0..L {
            max_diag[k] = max_diag[k].max(a[i * d + i][k]);
        }
    }
    let tolerance = max_diag.map(|m| d as f64 * f64::EPSILON * m);
    let mut failed: [Option<CholeskyFailure>; L] = [None; L];
    let mut stack = [[0.0f64; L]; 64];
    let mut heap = Vec::new();
    let col: &mut [[f64; L]] = if d <= 64 {
        &mut stack[..d]
    } else {
        heap.resize(d, [0.0; L]);
        &mut heap
    };
    let mut exp_sum = [0i64; L];
    let mut mant = [1.0f64; L];
    for j in 0..d {
        let mut pivot = a[j * d + j];
        for k in 0..L {
            if failed[k].is_none() && (pivot[k].is_nan() || pivot[k] <= tolerance[k]) {
                failed[k] = Some(CholeskyFailure {
                    index: j,
                    pivot: pivot[k],
                    tolerance: tolerance[k],
                });
            }
            if failed[k].is_some() {
                pivot[k] = 1.0; // keep the dead lane finite; its result is discarded
            }
        }
        let mut ljj = [0.0; L];
        let mut inv = [0.0; L];
        for k in 0..L {
            ljj[k] = pivot[k].sqrt();
            inv[k] = 1.0 / ljj[k];
            let (m, e) = split_exponent(pivot[k]);
            mant[k] *= m;
            exp_sum[k] += e;
            if j % 8 == 7 {
                let (m2, e2) = split_exponent(mant[k]);
                mant[k] = m2;
                exp_sum[k] += e2;
            }
        }
        a[j * d + j] = ljj;
        for i in (j + 1)..d {
            let mut v = a[i * d + j];
            for k in 0..L {
                v[k] *= inv[k];
            }
            a[i * d + j] = v;
            col[i] = v;
        }
        for i in (j + 1)..d {
            let lij = col[i];
            let row = &mut a[i * d + j + 1..=i * d + i];
            for (r, x) in row.iter_mut().zip(&col[j + 1..=i]) {
                for k in 0..L {
                    r[k] = (-lij[k]).mul_add(x[k], r[k]);
                }
            }
        }
    }
    let mut out = [Ok(0.0); L];
    for k in 0..L {
        out[k] = match failed[k] {
            Some(f) => Err(f),
            None => Ok(exp_sum[k] as f64 + mant[k].log2()),
        };
    }
    out
}

/// x = m·2^e with m in [1, 2), for positive finite x (subnormals handled by scaling).
#[inline]
fn split_exponent(x: f64) -> (f64, i64) {
    let bits = x.to_bits();
    let raw = ((bits >> 52) & 0x7ff) as i64;
    if raw == 0 {
        // subnormal: scale into the normal range first
        let (m, e) = split_exponent(x * f64::powi(2.0, 64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023u64 << 52));
    (m, raw - 1023)
}

/// The binary exponent of a finite non-zero x: ⌊log2 |x|⌋, exact (subnormals included).
///
/// # Formula
/// |x| = m·2^e with m in [1, 2); returns e
///
/// ```
/// use sednas::numerics::exponent;
/// assert_eq!((exponent(1.0), exponent(-3.0), exponent(0.75)), (0, 1, -1));
/// assert_eq!((exponent(f64::MAX), exponent(f64::MIN_POSITIVE)), (1023, -1022));
/// assert_eq!(exponent(5e-324), -1074); // the smallest subnormal
/// ```
pub fn exponent(x: f64) -> i32 {
    debug_assert!(x.is_finite() && x != 0.0);
    split_exponent(x.abs()).1 as i32
}

/// x·2^e, computed by exact power-of-two steps: exact whenever the result is a normal
/// number (or zero), for any e (|e| may exceed 1023, as in 2^1074·5e-324 = 1). Only a
/// result in the subnormal range is rounded, and one beyond f64::MAX is ±∞.
///
/// # Formula
/// ldexp(x, e) = x·2^e
///
/// ```
/// use sednas::numerics::ldexp;
/// assert_eq!(ldexp(3.0, 4), 48.0);
/// assert_eq!(ldexp(5e-324, 1074), 1.0);
/// assert_eq!(ldexp(f64::MAX, -1024), 1.0 - f64::EPSILON / 2.0);
/// assert_eq!(ldexp(1.5, 2000), f64::INFINITY);
/// ```
pub fn ldexp(x: f64, e: i32) -> f64 {
    // every step multiplies by a normal power of two, 2^-1000..=2^1000
    let mut x = x;
    let mut e = e;
    while e != 0 {
        let step = e.clamp(-1000, 1000);
        x *= f64::from_bits(((step + 1023) as u64) << 52);
        e -= step;
    }
    x
}

/// Fixed-point `c·log2 c` table behind exact histogram entropies.
///
/// Values are i64 scaled by 2^k with k = 40, lowered only when a histogram could hold so
/// many entries that a sum might not fit (Σ c·log2 c ≤ N·log2 N must stay below 2^61; k = 40
/// up to N ≈ 10^5). Integer sums are exact and order-free, so an incrementally updated
/// histogram gives the same entropy, bit for bit, as a from-scratch count. Each table value
/// is rounded by at most 2^−41, so H is within about 5e-13 bits of the real-number value.
///
/// # Formula
/// T[c] = round(c·log2(c)·2^k), T[0] = T[1] = 0;  H = log2 N − (Σ_bins T[c_b])/(2^k·N)
///
/// ```
/// let t = sednas::numerics::XlogxTable::new(4);
/// // counts {2, 2}: H = log2 4 − (2 + 2)/4 = 1 bit
/// assert_eq!(t.entropy(2 * t.value(2), 4), 1.0);
/// ```
#[derive(Debug, Clone)]
pub struct XlogxTable {
    shift: i32,
    /// 2^−shift (exact: a power of two).
    unscale: f64,
    table: Vec<i64>,
    inc: Vec<i64>,
    log2n: Vec<f64>,
    inv_n: Vec<f64>,
}

impl XlogxTable {
    /// Table for histograms of at most `max_count` entries.
    ///
    /// ```
    /// let t = sednas::numerics::XlogxTable::new(4);
    /// // small histograms use the full 2^40 scale: T[2] = 2·log2 2·2^40
    /// assert_eq!(t.value(2), 1 << 41);
    /// ```
    pub fn new(max_count: usize) -> Self {
        let m = max_count.max(2) as f64;
        let bound = m * m.log2() + 2.0;
        let shift = (61 - bound.log2().ceil() as i32).clamp(0, 40);
        // tables cover the counts a window can reach; larger counts are computed on demand
        let cap = max_count.min(1 << 16);
        let table: Vec<i64> = (0..=cap + 1).map(|c| xlogx_fixed(c, shift)).collect();
        let inc = table.windows(2).map(|w| w[1] - w[0]).collect();
        let log2n = (0..=cap).map(|n| (n as f64).log2()).collect();
        let inv_n = (0..=cap)
            .map(|n| if n == 0 { 0.0 } else { 1.0 / n as f64 })
            .collect();
        XlogxTable {
            shift,
            unscale: f64::powi(2.0, -shift),
            table,
            inc,
            log2n,
            inv_n,
        }
    }

    /// T[c] (computed directly beyond the table). Only counts up to the `max_count` given to
    /// [`XlogxTable::new`] are in range: the scale is chosen so that their sums fit in an
    /// i64, and far beyond it (c·log2 c·2^shift > 2^63) the fixed-point value saturates.
    ///
    /// ```
    /// let t = sednas::numerics::XlogxTable::new(16);
    /// // T[c] = c·log2 c·2^40: exact for powers of two
    /// assert_eq!((t.value(0), t.value(1), t.value(4), t.value(16)), (0, 0, 8 << 40, 64 << 40));
    /// // beyond the table: computed on demand
    /// assert_eq!(t.value(32), 160 << 40);
    /// ```
    #[inline]
    pub fn value(&self, c: usize) -> i64 {
        match self.table.get(c) {
            Some(&v) => v,
            None => xlogx_fixed(c, self.shift),
        }
    }

    /// T[c+1] − T[c]: the change of Σ when a bin goes from c to c + 1 entries.
    ///
    /// ```
    /// let t = sednas::numerics::XlogxTable::new(16);
    /// // a bin going from 1 to 2 entries: T[2] − T[1] = 2·2^40
    /// assert_eq!(t.inc(1), 2 << 40);
    /// assert_eq!(t.inc(3), t.value(4) - t.value(3));
    /// ```
    #[inline]
    pub fn inc(&self, c: usize) -> i64 {
        match self.inc.get(c) {
            Some(&v) => v,
            None => xlogx_fixed(c + 1, self.shift) - xlogx_fixed(c, self.shift),
        }
    }

    /// Entropy in bits of a histogram with `n` entries whose table sum is `s`.
    ///
    /// ```
    /// let t = sednas::numerics::XlogxTable::new(4);
    /// // four entries in four bins: log2 4 = 2 bits; all in one bin: 0
    /// assert_eq!(t.entropy(0, 4), 2.0);
    /// assert_eq!(t.entropy(t.value(4), 4), 0.0);
    /// assert_eq!(t.entropy(0, 0), 0.0);
    /// ```
    #[inline]
    pub fn entropy(&self, s: i64, n: usize) -> f64 {
        if n == 0 {
            return 0.0;
        }
        let (l, inv) = match (self.log2n.get(n), self.inv_n.get(n)) {
            (Some(&l), Some(&i)) => (l, i),
            _ => ((n as f64).log2(), 1.0 / n as f64),
        };
        let h = l - (s as f64 * self.unscale) * inv;
        // one bin: S = n·log2 n up to table rounding; entropy is never negative
        if h < 1e-12 { 0.0 } else { h }
    }
}

#[inline]
fn xlogx_fixed(c: usize, shift: i32) -> i64 {
    if c < 2 {
        0
    } else {
        let v = c as f64 * (c as f64).log2();
        (v * f64::powi(2.0, shift)).round() as i64
    }
}

/// 64-bit FNV-1a of `bytes`.
///
/// # Formula
/// h₀ = 0xcbf29ce484222325; h ← (h ⊕ byte)·0x100000001b3 mod 2⁶⁴ for each byte
///
/// ```
/// assert_eq!(sednas::numerics::fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(sednas::numerics::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    // Edge case: scaling down into the subnormal range and back up loses only the bits the
    // subnormal could not hold; scaling among normal numbers is exact in both directions.
    #[test]
    fn ldexp_round_trips() {
        for x in [1.0, -1.7, 3.3e-200, 9.9e300, f64::MIN_POSITIVE] {
            for e in [-1100, -600, -1, 0, 1, 600] {
                let y = ldexp(x, e);
                if y.is_finite() && y.abs() >= f64::MIN_POSITIVE {
                    assert_eq!(ldexp(y, -e), x, "{x:e} {e}");
                    assert_eq!(exponent(y), exponent(x) + e);
                }
            }
        }
        assert_eq!(ldexp(1.0, -1075), 0.0);
    }

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
        let t = XlogxTable::new(1000);
        for n in 1..=1000 {
            assert_eq!(t.entropy(t.value(n), n), 0.0);
        }
    }

    #[test]
    fn table_sums_fit_for_large_windows() {
        let n = 7 * 7 * 512;
        let t = XlogxTable::new(n);
        // all entries in one bin is the largest sum
        assert!(t.value(n) > 0 && t.entropy(t.value(n), n) == 0.0);
        // two equal bins: exactly 1 bit
        assert!((t.entropy(2 * t.value(n / 2), n) - 1.0).abs() < 1e-12);
    }
}
