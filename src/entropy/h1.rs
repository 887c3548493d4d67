//! One-dimensional (Shannon) entropy by value frequency, in bits.
//!
//! Values are first mapped to histogram levels: by exact value ([`H1Estimator::Exact`]; for
//! u8 the value itself, for floats a dense id per distinct value with −0.0 = +0.0) or
//! by bin ([`H1Estimator::Binned`]). The entropy of a multiset with counts c_b is
//! H1 = log2 N − (1/N)·Σ_b c_b·log2 c_b, computed with the exact fixed-point table of
//! [`crate::numerics::XlogxTable`]. Because the sum is exact integer arithmetic, the
//! sliding-histogram map [`local_h1`] is bit-identical to the per-window computation
//! [`local_h1_naive`] and to [`h1`] on each window's values.

use ndarray::{Array3, ArrayView3, Axis};
use rayon::prelude::*;

use super::{MapValue, check_finite};
use crate::error::{Error, Result};
use crate::numerics::XlogxTable;
use crate::window::{WindowSpec, Windows};

/// How values are grouped into histogram bins. Deserialising goes through the checked
/// constructors ([`Binning::range`], [`Binning::data_range`]), so a stored binning with
/// 0 bins or lo ≥ hi is an error, not a value.
///
/// ```
/// use sednas::entropy::Binning;
/// let ok: Binning = serde_json::from_str(r#"{"DataRange":{"bins":16}}"#).unwrap();
/// assert_eq!(ok, Binning::data_range(16).unwrap());
/// assert!(serde_json::from_str::<Binning>(r#"{"DataRange":{"bins":0}}"#).is_err());
/// assert!(serde_json::from_str::<Binning>(r#"{"Range":{"lo":1.0,"hi":1.0,"bins":4}}"#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "BinningUnchecked")]
pub enum Binning {
    /// `bins` bins of equal width over the stated range `[lo, hi]`; a value outside is an error.
    Range { lo: f64, hi: f64, bins: usize },
    /// `bins` bins of equal width over the range of the values (after padding, for maps).
    DataRange { bins: usize },
}

impl Binning {
    /// Equal-width bins over a stated range.
    ///
    /// # Formula
    /// bin(x) = min(⌊(x − lo)/(hi − lo)·bins⌋, bins − 1)
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`binning range`) unless lo < hi, both finite; as
    /// [`Binning::data_range`] for `bins`.
    ///
    /// ```
    /// assert!(sednas::entropy::Binning::range(0.0, 1.0, 4).is_ok());
    /// assert!(sednas::entropy::Binning::range(1.0, 1.0, 4).is_err());
    /// ```
    pub fn range(lo: f64, hi: f64, bins: usize) -> Result<Self> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::param(
                "binning range",
                format!("needs finite lo < hi, got [{lo}, {hi}]"),
            ));
        }
        check_bins(bins)?;
        Ok(Binning::Range { lo, hi, bins })
    }

    /// `bins` equal-width bins over the data's own range.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`bins`) for 0; [`Error::TooLarge`] for more than
    /// [`MAX_BINS`].
    ///
    /// ```
    /// assert!(sednas::entropy::Binning::data_range(0).is_err());
    /// assert!(sednas::entropy::Binning::data_range(usize::MAX).is_err());
    /// ```
    pub fn data_range(bins: usize) -> Result<Self> {
        check_bins(bins)?;
        Ok(Binning::DataRange { bins })
    }

    /// The number of bins.
    ///
    /// ```
    /// use sednas::entropy::Binning;
    /// assert_eq!(Binning::data_range(16).unwrap().bins(), 16);
    /// assert_eq!(Binning::range(0.0, 1.0, 4).unwrap().bins(), 4);
    /// ```
    pub fn bins(&self) -> usize {
        match *self {
            Binning::Range { bins, .. } | Binning::DataRange { bins } => bins,
        }
    }
}

/// [`Binning`] as read, before its checks.
#[derive(serde::Deserialize)]
enum BinningUnchecked {
    Range { lo: f64, hi: f64, bins: usize },
    DataRange { bins: usize },
}

impl TryFrom<BinningUnchecked> for Binning {
    type Error = Error;
    fn try_from(b: BinningUnchecked) -> Result<Self> {
        match b {
            BinningUnchecked::Range { lo, hi, bins } => Binning::range(lo, hi, bins),
            BinningUnchecked::DataRange { bins } => Binning::data_range(bins),
        }
    }
}

/// Most bins a binned estimator may have (2^24): its histogram (4 bytes per bin and thread)
/// is allocated up front, so a larger count is refused before allocating.
pub const MAX_BINS: usize = 1 << 24;

fn check_bins(bins: usize) -> Result<()> {
    if bins == 0 {
        return Err(Error::param("bins", "must be at least 1, got 0"));
    }
    if bins > MAX_BINS {
        return Err(Error::TooLarge {
            what: "bins",
            requested: bins as u128,
            limit: MAX_BINS as u128,
        });
    }
    Ok(())
}

/// Which one-dimensional estimator to use.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum H1Estimator {
    /// Frequency of each exact value (−0.0 = +0.0).
    Exact,
    /// Frequency of each bin.
    Binned(Binning),
}

impl std::str::FromStr for H1Estimator {
    type Err = Error;

    /// Reads `exact`, `binned:N` (N bins over the data's range) or `binned:N:LO:HI`.
    ///
    /// ```
    /// use sednas::entropy::{Binning, H1Estimator};
    /// assert_eq!("binned:4:0:1".parse::<H1Estimator>().unwrap(), H1Estimator::Binned(Binning::range(0.0, 1.0, 4).unwrap()));
    /// assert!("binned:x".parse::<H1Estimator>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::BadSpec {
            what: "H1 estimator",
            text: s.to_string(),
            expected: "exact, binned:N or binned:N:LO:HI",
        };
        let num = |t: &str| t.parse::<f64>().map_err(|_| bad());
        let bins = |t: &str| t.parse::<usize>().map_err(|_| bad());
        match s.split(':').collect::<Vec<_>>().as_slice() {
            ["exact"] => Ok(H1Estimator::Exact),
            ["binned", n] => Ok(H1Estimator::Binned(Binning::data_range(bins(n)?)?)),
            ["binned", n, lo, hi] => Ok(H1Estimator::Binned(Binning::range(
                num(lo)?,
                num(hi)?,
                bins(n)?,
            )?)),
            _ => Err(bad()),
        }
    }
}

/// Maps values to histogram levels; returns (levels, number of levels).
fn quantize<'a, T: MapValue>(
    values: impl ExactSizeIterator<Item = &'a T> + Clone,
    est: &H1Estimator,
) -> Result<(Vec<u32>, usize)> {
    match est {
        H1Estimator::Exact => {
            if let Some(levels) = T::LEVELS {
                let ids = values.map(|v| v.small_level().unwrap_or(0)).collect();
                return Ok((ids, levels));
            }
            // x + 0.0 folds −0.0 into +0.0; finite values are totally ordered.
            if values.len() > u32::MAX as usize {
                return Err(Error::TooLarge {
                    what: "values of one map (exact H1)",
                    requested: values.len() as u128,
                    limit: u32::MAX as u128,
                });
            }
            let n = values.len();
            Ok(exact_ids(values.map(|v| order_key(v.to_f64())), n))
        }
        H1Estimator::Binned(binning) => {
            let (lo, hi, bins, check) = match *binning {
                Binning::Range { lo, hi, bins } => (lo, hi, bins, true),
                Binning::DataRange { bins } => {
                    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                    for v in values.clone() {
                        let x = v.to_f64();
                        lo = lo.min(x);
                        hi = hi.max(x);
                    }
                    (lo, hi, bins, false)
                }
            };
            let width = hi - lo;
            let mut ids = Vec::with_capacity(values.len());
            for (index, v) in values.enumerate() {
                let x = v.to_f64();
                if check && !(lo..=hi).contains(&x) {
                    return Err(Error::OutOfRange {
                        value: x,
                        index,
                        lo,
                        hi,
                    });
                }
                // x − lo ≥ 0 here (checked range, or lo = the minimum), so truncation is
                // the floor (and cheaper: no libm call on the hot path)
                let b = if width > 0.0 {
                    ((x - lo) / width * bins as f64) as usize
                } else {
                    0
                };
                ids.push(b.min(bins - 1) as u32);
            }
            Ok((ids, bins))
        }
    }
}

/// A u64 key of a finite f64 with −0.0 folded into +0.0 (key(a) = key(b) ⇔ a = b), never 0
/// (0 marks an empty slot in [`exact_ids`]).
#[inline]
pub(super) fn order_key(x: f64) -> u64 {
    let b = (x + 0.0).to_bits();
    // order-preserving as well; a finite value's key is never 0 (that would be a NaN)
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// A dense id (0, 1, …, in order of first occurrence) for each distinct key, and the number
/// of distinct keys (at least 1). Entropy depends only on which values are equal, so any
/// bijection of the distinct values to ids gives the same H1. An open-addressing hash table
/// with load ≤ 1/2 (multiplicative hash): O(n), where a sort plus a binary search per value
/// was O(n log n) and dominated the exact estimator on float maps.
fn exact_ids(keys: impl Iterator<Item = u64>, n: usize) -> (Vec<u32>, usize) {
    let bits = (2 * n.max(1)).next_power_of_two().trailing_zeros().max(4);
    let mask = (1usize << bits) - 1;
    // key and id side by side: one cache line per probe
    let mut slots = vec![(0u64, 0u32); mask + 1];
    let mut ids = Vec::with_capacity(n);
    let mut next = 0u32;
    for k in keys {
        let mut at = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize;
        loop {
            let (sk, sid) = slots[at];
            if sk == k {
                ids.push(sid);
                break;
            }
            if sk == 0 {
                slots[at] = (k, next);
                ids.push(next);
                next += 1;
                break;
            }
            at = (at + 1) & mask;
        }
    }
    (ids, (next as usize).max(1))
}

/// H1 of a set of values, in bits.
///
/// # Formula
/// H1 = −Σ_v p_v·log2 p_v = log2 N − (1/N)·Σ_v c_v·log2 c_v, with c_v the count of value (or
/// bin) v among N values.
///
/// # Errors
/// [`Error::Empty`] for no values; [`Error::NonFinite`] naming the index of NaN or ±∞;
/// [`Error::OutOfRange`] for a value outside a stated binning range; [`Error::TooLarge`]
/// for more than 2^32 − 1 values (exact).
///
/// ```
/// use sednas::entropy::{h1, H1Estimator};
/// // four distinct values: 2 bits; −0.0 and +0.0 are one value
/// assert_eq!(h1(&[1.0f64, 2.0, 3.0, 4.0], &H1Estimator::Exact).unwrap(), 2.0);
/// assert_eq!(h1(&[0.0f64, -0.0], &H1Estimator::Exact).unwrap(), 0.0);
/// ```
pub fn h1<T: MapValue>(values: &[T], est: &H1Estimator) -> Result<f64> {
    if values.is_empty() {
        return Err(Error::Empty {
            what: "value set",
            shape: vec![0],
        });
    }
    check_finite(values, "value set")?;
    let (mut ids, _) = quantize(values.iter(), est)?;
    ids.sort_unstable();
    let table = XlogxTable::new(ids.len());
    Ok(table.entropy(run_sum(&ids, &table), ids.len()))
}

/// Σ T[run length] over the runs of a sorted slice.
fn run_sum(sorted: &[u32], table: &XlogxTable) -> i64 {
    let mut s = 0i64;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        s += table.value(j - i);
        i = j;
    }
    s
}

/// Checks the map and quantises the (padded) source of its windows.
fn prepare<'a, T: MapValue>(
    map: ArrayView3<'a, T>,
    spec: &WindowSpec,
    est: &H1Estimator,
) -> Result<(Windows<'a, T>, Array3<u32>, usize)> {
    crate::window::check_nonempty(map.shape(), "map")?;
    check_finite(map.iter(), "map")?;
    let windows = Windows::new(map, spec)?;
    let src = windows.source();
    let (ids, levels) = quantize(src.iter(), est)?;
    let ids =
        Array3::from_shape_vec(src.raw_dim(), ids).map_err(|e| Error::Shape(e.to_string()))?;
    Ok((windows, ids, levels))
}

/// Local H1 of every window of an `h×w×c` map, in bits: the sliding-histogram fast path.
///
/// Along each row of windows the histogram is updated incrementally (columns that leave are
/// removed, columns that enter are added, Σ c·log2 c kept exactly in fixed point); at the
/// start of every row it is rebuilt from scratch. No step scans all bins. The result is
/// bit-identical to [`local_h1_naive`].
///
/// # Formula
/// out[i, j, l] = H1(window (i, j, l)) under `spec` (see [`crate::window`]).
///
/// # Errors
/// [`Error::Empty`] for an empty axis; [`Error::NonFinite`] naming the flat index of NaN or
/// ±∞; the window errors of [`Windows::new`] (e.g. [`Error::WindowLargerThanMap`] under
/// `valid`); [`Error::OutOfRange`] for a value outside a stated binning range;
/// [`Error::TooLarge`] for a map of more than 2^32 − 1 values (exact).
///
/// ```
/// use ndarray::array;
/// use sednas::entropy::{local_h1, H1Estimator};
/// use sednas::window::*;
/// let img = array![[0u8, 0, 1], [0, 0, 1], [2, 2, 3]].insert_axis(ndarray::Axis(2));
/// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
/// let h = local_h1(img.view(), &spec, &H1Estimator::Exact).unwrap();
/// // counts {0:4, 1:2, 2:2, 3:1} over 9 entries
/// let expect = 9f64.log2() - (4.0 * 2.0 + 2.0 + 2.0) / 9.0;
/// assert!((h[[0, 0, 0]] - expect).abs() < 1e-15);
/// ```
pub fn local_h1<T: MapValue>(
    map: ArrayView3<'_, T>,
    spec: &WindowSpec,
    est: &H1Estimator,
) -> Result<Array3<f64>> {
    let (windows, ids, levels) = prepare(map, spec, est)?;
    let [ph, pw, pc] = windows.plans();
    let mut out = Array3::<f64>::zeros(windows.shape());
    let table = XlogxTable::new(spec.kernel.len());
    let ids = ids.as_standard_layout();
    let (_, sw, sc) = ids.dim();
    let flat = ids.as_slice().expect("standard layout");
    let row_len = pw.len() * pc.len();
    if row_len == 0 {
        return Ok(out);
    }
    let out_flat = out.as_slice_mut().expect("fresh array");
    // Rows of windows are independent (each starts from an empty histogram), so they are
    // split across rayon's threads; every value is the same whichever thread computes it.
    let work = out_flat.len() * spec.kernel.kh() * spec.kernel.kc() * 2;
    let row = |i: usize, dst: &mut [f64], hist: &mut Vec<u32>, offs: &mut Vec<usize>| {
        let (h0, h1) = (ph.lo[i], ph.hi[i]);
        for l in 0..pc.len() {
            let (c0, c1) = (pc.lo[l], pc.hi[l]);
            offs.clear();
            for y in h0..h1 {
                offs.extend((c0..c1).map(|c| y * sw * sc + c));
            }
            let col_len = offs.len();
            let mut s: i64 = 0;
            let mut n: usize = 0;
            let (mut cur0, mut cur1) = (0usize, 0usize);
            for j in 0..pw.len() {
                let (w0, w1) = (pw.lo[j], pw.hi[j]);
                for x in cur0..cur1.min(w0) {
                    let col = &flat[x * sc..];
                    for &o in offs.iter() {
                        let id = col[o] as usize;
                        let c = hist[id] - 1;
                        s -= table.inc(c as usize);
                        hist[id] = c;
                    }
                    n -= col_len;
                }
                for x in cur1.max(w0)..w1 {
                    let col = &flat[x * sc..];
                    for &o in offs.iter() {
                        let id = col[o] as usize;
                        let c = hist[id];
                        s += table.inc(c as usize);
                        hist[id] = c + 1;
                    }
                    n += col_len;
                }
                cur0 = w0;
                cur1 = w1;
                dst[j * pc.len() + l] = table.entropy(s, n);
            }
            // exact resync: empty the histogram before the next row
            for x in cur0..cur1 {
                let col = &flat[x * sc..];
                for &o in offs.iter() {
                    hist[col[o] as usize] = 0;
                }
            }
        }
    };
    let new_scratch = || {
        (
            vec![0u32; levels],
            Vec::with_capacity(spec.kernel.kh() * spec.kernel.kc()),
        )
    };
    if work < PARALLEL_MIN_WORK || rayon::current_num_threads() == 1 {
        let (mut hist, mut offs) = new_scratch();
        for (i, dst) in out_flat.chunks_mut(row_len).enumerate() {
            row(i, dst, &mut hist, &mut offs);
        }
    } else {
        out_flat
            .par_chunks_mut(row_len)
            .enumerate()
            .for_each_init(new_scratch, |(hist, offs), (i, dst)| {
                row(i, dst, hist, offs)
            });
    }
    Ok(out)
}

/// Below this many histogram updates a map is computed on the calling thread (splitting it
/// would cost more than it saves).
pub(crate) const PARALLEL_MIN_WORK: usize = 1 << 17;

/// Local H1 computed window by window from scratch (reference for [`local_h1`]).
///
/// # Errors
/// As [`local_h1`].
///
/// ```
/// use ndarray::Array3;
/// use sednas::entropy::{local_h1, local_h1_naive, H1Estimator};
/// use sednas::window::*;
/// let m = Array3::from_shape_fn((5, 6, 1), |(i, j, _)| ((i * 7 + j * 3) % 4) as f32);
/// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Reflect);
/// assert_eq!(local_h1(m.view(), &spec, &H1Estimator::Exact).unwrap(),
///            local_h1_naive(m.view(), &spec, &H1Estimator::Exact).unwrap());
/// ```
pub fn local_h1_naive<T: MapValue>(
    map: ArrayView3<'_, T>,
    spec: &WindowSpec,
    est: &H1Estimator,
) -> Result<Array3<f64>> {
    let (windows, ids, _) = prepare(map, spec, est)?;
    let [ph, pw, pc] = windows.plans();
    let table = XlogxTable::new(spec.kernel.len());
    let mut scratch: Vec<u32> = Vec::with_capacity(spec.kernel.len());
    let out = Array3::from_shape_fn(windows.shape(), |(i, j, l)| {
        scratch.clear();
        let view = ids.slice(ndarray::s![
            ph.lo[i]..ph.hi[i],
            pw.lo[j]..pw.hi[j],
            pc.lo[l]..pc.hi[l]
        ]);
        scratch.extend(view.iter().copied());
        scratch.sort_unstable();
        table.entropy(run_sum(&scratch, &table), scratch.len())
    });
    Ok(out)
}

/// Convenience: the 2-D `h×w` form of [`local_h1`] (a zero-copy `h×w×1` view).
///
/// # Errors
/// As [`local_h1`].
///
/// ```
/// use ndarray::Array2;
/// use sednas::entropy::{h1::local_h1_2d, H1Estimator};
/// use sednas::window::*;
/// let m = Array2::<u8>::zeros((4, 4));
/// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
/// assert!(local_h1_2d(m.view(), &spec, &H1Estimator::Exact).unwrap().iter().all(|&h| h == 0.0));
/// ```
pub fn local_h1_2d<T: MapValue>(
    map: ndarray::ArrayView2<'_, T>,
    spec: &WindowSpec,
    est: &H1Estimator,
) -> Result<ndarray::Array2<f64>> {
    let out = local_h1(map.insert_axis(Axis(2)), spec, est)?;
    Ok(out.index_axis_move(Axis(2), 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::{Border, Kernel, Stride};
    use ndarray::Array3;

    // Edge case: NaN names its index and never yields a number.
    #[test]
    fn nan_is_an_error_with_index() {
        let mut m = Array3::<f64>::zeros((3, 3, 1));
        m[[1, 2, 0]] = f64::NAN;
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        match local_h1(m.view(), &spec, &H1Estimator::Exact) {
            Err(Error::NonFinite { index, .. }) => assert_eq!(index, 5),
            other => panic!("expected NonFinite, got {other:?}"),
        }
    }

    // Edge case: infinity is rejected like NaN.
    #[test]
    fn inf_is_an_error() {
        assert!(matches!(
            h1(&[1.0f32, f32::INFINITY], &H1Estimator::Exact),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }

    // Edge case: an empty value set has no entropy.
    #[test]
    fn empty_values_error() {
        assert!(matches!(
            h1::<f64>(&[], &H1Estimator::Exact),
            Err(Error::Empty { .. })
        ));
    }

    // Edge case: a stated range that excludes a value.
    #[test]
    fn out_of_range_value() {
        let b = H1Estimator::Binned(Binning::range(0.0, 1.0, 4).unwrap());
        assert!(matches!(
            h1(&[0.5, 1.5], &b),
            Err(Error::OutOfRange { index: 1, .. })
        ));
    }

    #[test]
    fn binned_counts() {
        let b = H1Estimator::Binned(Binning::range(0.0, 1.0, 2).unwrap());
        // bins: [0, .5) and [.5, 1]; 1.0 goes to the last bin
        assert_eq!(h1(&[0.1, 0.2, 0.6, 1.0], &b).unwrap(), 1.0);
        let d = H1Estimator::Binned(Binning::data_range(4).unwrap());
        assert_eq!(h1(&[5.0, 5.0], &d).unwrap(), 0.0);
    }

    #[test]
    fn channels_and_strides_match_naive() {
        let m = Array3::from_shape_fn((7, 9, 4), |(i, j, k)| {
            ((i * 13 + j * 7 + k * 5) % 6) as f64 * 0.5
        });
        for border in [Border::Valid, Border::Crop, Border::Zero, Border::Reflect] {
            let spec = WindowSpec::new(
                Kernel::new(3, 5, 3).unwrap(),
                Stride::new(2, 1, 2).unwrap(),
                border,
            );
            let a = local_h1(m.view(), &spec, &H1Estimator::Exact).unwrap();
            let b = local_h1_naive(m.view(), &spec, &H1Estimator::Exact).unwrap();
            assert_eq!(a, b, "border {border}");
        }
    }
}
