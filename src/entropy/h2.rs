//! Multivariate-Gaussian (differential) entropy, in bits.
//!
//! H2 = ½·log2((2πe)^d·det Σ) with log det Σ from a Cholesky factorisation
//! ([`crate::numerics::cholesky_log2det`]). For local H2 over a batch of N maps (N×h×w×c),
//! each window position gives d = k_w·k_h·k_c entries per map (fewer at `crop` edges), and
//! Σ is their sample covariance across the batch with denominator N − 1.
//!
//! Scale: positions (and covariance matrices) far outside the ordinary range of f64 are
//! multiplied by a power of two before the algebra and the bits put back afterwards, so
//! H2(c·x) = H2(x) + d·log2 c from 1e-300 to f64::MAX (see [`local_h2`]).
//!
//! Memory: the workspace is sized by the largest window actually present (a `crop` kernel
//! clipped to the map) and refused with [`Error::TooLarge`] before allocating beyond
//! [`MAX_H2_BYTES`].
//!
//! Singular policy: a singular or near-singular Σ gives H2 = −∞ together with a typed
//! [`Singular`] reason (too few maps, a constant entry, or a non-positive Cholesky pivot).
//! When the caller asks for a ridge ε (see [`H2Options::with_ridge`]), Σ + ε·I is used instead
//! and ε is recorded in the result. The result is never NaN.
//!
//! Fast path ("running moments"): every entry of a window covariance is a dot product of two
//! centred position vectors across the batch. These products depend only on the pair of
//! positions, so they are computed once per (position, offset) pair and shared by all the
//! windows that contain the pair. The reference [`local_h2_naive`] recomputes each window's
//! covariance from its own data.

use ndarray::{Array3, ArrayView2, ArrayView4};
use rayon::prelude::*;

use super::{MapValue, check_finite, try_filled};
use crate::error::{Error, Result};
use crate::numerics::{
    CHOLESKY_LANES, LOG2_2PI_E, NeumaierAcc, cholesky_log2det, cholesky_log2det_x8, dot, dot_fused,
    exponent, has_fma, ldexp,
};
use crate::window::{WindowPlan, WindowSpec};

/// Why a covariance is singular (H2 = −∞).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Singular {
    /// N ≤ d: a sample covariance of N maps has rank at most N − 1 < d.
    TooFewSamples { samples: usize, dim: usize },
    /// Entry `entry` (row-major within the window) is the same in every map: zero variance.
    ConstantEntry { entry: usize },
    /// Cholesky met a pivot at or below `tolerance` = d·ε_mach·max Σ_ii at index `index`.
    NotPositiveDefinite {
        index: usize,
        pivot: f64,
        tolerance: f64,
    },
}

/// H2 of one covariance: a value in bits, −∞ with a reason when singular.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GaussianEntropy {
    /// Entropy in bits (−∞ when `singular` is set).
    pub bits: f64,
    /// Why the value is −∞, if it is.
    pub singular: Option<Singular>,
}

/// Options for H2: the ridge ε (off by default).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct H2Options {
    ridge: Option<f64>,
}

impl H2Options {
    /// No regularisation: singular windows are −∞.
    ///
    /// ```
    /// assert_eq!(sednas::entropy::H2Options::new().ridge(), None);
    /// ```
    pub fn new() -> Self {
        H2Options { ridge: None }
    }

    /// Regularise with Σ + ε·I; ε must be finite and > 0.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`ridge`) for ε that is not finite and > 0.
    ///
    /// ```
    /// use sednas::entropy::H2Options;
    /// assert!(H2Options::new().with_ridge(1e-6).is_ok());
    /// assert!(H2Options::new().with_ridge(-1.0).is_err());
    /// ```
    pub fn with_ridge(self, eps: f64) -> Result<Self> {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(Error::param(
                "ridge",
                format!("must be finite and > 0, got {eps:e}"),
            ));
        }
        Ok(H2Options { ridge: Some(eps) })
    }

    /// The ridge, if any.
    ///
    /// ```
    /// use sednas::entropy::H2Options;
    /// assert_eq!(H2Options::new().with_ridge(1e-6).unwrap().ridge(), Some(1e-6));
    /// ```
    pub fn ridge(&self) -> Option<f64> {
        self.ridge
    }
}

/// H2 of a d×d covariance matrix, in bits.
///
/// # Formula
/// H2 = ½·(d·log2(2πe) + log2 det Σ)
///
/// # Scale
/// A matrix whose largest |entry| lies outside [2^−500, 2^500] is first multiplied by a
/// power of two 2^k that brings it to [1, 2) (exact, subnormal entries included), and
/// H2 = H2(2^k·Σ) − d·k/2: so H2(c·Σ) = H2(Σ) + (d/2)·log2 c from subnormal matrices to
/// 1e300, and for such a matrix the symmetry check below is relative to its own scale (a
/// 1e-300 matrix is no longer symmetric "within 1e-12" whatever it holds). Inside that range
/// the matrix is used as it is, bit-identical to before. A `NotPositiveDefinite` pivot and
/// tolerance are those of the scaled matrix.
///
/// # Errors
/// [`Error::Shape`] for a non-square or non-symmetric matrix (|Σ_ij − Σ_ji| above
/// 1e-12·max(|Σ_ij|, |Σ_ji|, 1) after scaling), [`Error::Empty`] for 0×0 and
/// [`Error::NonFinite`] for NaN or ±∞.
///
/// ```
/// use ndarray::array;
/// use sednas::entropy::gaussian_entropy;
/// // unit variance in one dimension: ½·log2(2πe) ≈ 2.047 bits
/// let h = gaussian_entropy(array![[1.0]].view()).unwrap();
/// assert!((h.bits - 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).log2()).abs() < 1e-15);
/// // a singular matrix is −∞ with a reason, never NaN
/// let s = gaussian_entropy(array![[1.0, 1.0], [1.0, 1.0]].view()).unwrap();
/// assert_eq!(s.bits, f64::NEG_INFINITY);
/// assert!(s.singular.is_some());
/// // 2^-1060·I (subnormal entries): exactly 2·530 bits below I
/// let i = gaussian_entropy(array![[1.0, 0.0], [0.0, 1.0]].view()).unwrap().bits;
/// let t = 2f64.powi(-1000) * 2f64.powi(-60);
/// assert_eq!(gaussian_entropy(array![[t, 0.0], [0.0, t]].view()).unwrap().bits, i - 1060.0);
/// ```
pub fn gaussian_entropy(cov: ArrayView2<'_, f64>) -> Result<GaussianEntropy> {
    let (d, d2) = cov.dim();
    if d != d2 {
        return Err(Error::Shape(format!(
            "covariance must be square, got {d}×{d2}"
        )));
    }
    if d == 0 {
        return Err(Error::Empty {
            what: "covariance",
            shape: vec![0, 0],
        });
    }
    check_finite(cov.iter(), "covariance")?;
    let top = cov.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let k = if top != 0.0 && !(TINY..=1.0 / TINY).contains(&top) {
        -exponent(top)
    } else {
        0
    };
    let mut m: Vec<f64> = cov
        .iter()
        .map(|&x| if k == 0 { x } else { ldexp(x, k) })
        .collect();
    for i in 0..d {
        for j in 0..i {
            let (a, b) = (m[i * d + j], m[j * d + i]);
            if (a - b).abs() > 1e-12 * (a.abs().max(b.abs()).max(1.0)) {
                let (a, b) = (cov[[i, j]], cov[[j, i]]);
                return Err(Error::Shape(format!(
                    "covariance is not symmetric at ({i}, {j}): {a:e} vs {b:e}"
                )));
            }
        }
    }
    let mut h = entropy_of_lower(&mut m, d);
    if k != 0 {
        // Σ·2^k has log2 det larger by d·k: H2 larger by d·k/2
        h.bits -= 0.5 * d as f64 * k as f64;
    }
    Ok(h)
}

#[inline]
fn entropy_of_lower(m: &mut [f64], d: usize) -> GaussianEntropy {
    match cholesky_log2det(m, d) {
        Ok(l) => GaussianEntropy {
            bits: 0.5 * (d as f64 * LOG2_2PI_E + l),
            singular: None,
        },
        Err(f) => GaussianEntropy {
            bits: f64::NEG_INFINITY,
            singular: Some(Singular::NotPositiveDefinite {
                index: f.index,
                pivot: f.pivot,
                tolerance: f.tolerance,
            }),
        },
    }
}

/// Local H2 over a batch: values in bits, the singular windows with their reasons, and the
/// ridge used.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalH2 {
    /// H2 per window, shape (windows along h, w, c); −∞ where singular.
    pub values: Array3<f64>,
    /// Every window whose value is −∞, with why.
    pub singular: Vec<([usize; 3], Singular)>,
    /// ε if Σ + ε·I was used.
    pub ridge: Option<f64>,
    /// Number of maps N in the batch.
    pub samples: usize,
}

/// Batch data in position-major layout: each padded position holds its N centred values,
/// multiplied by 2^shift (shift 0 at ordinary scales).
struct Centred {
    data: Vec<f64>,
    constant: Vec<bool>,
    /// The power of two each position's centred values were multiplied by.
    shift: Vec<i32>,
    /// Whether any shift is non-zero (else every value is computed exactly as unscaled).
    scaled: bool,
    n: usize,
    dims: [usize; 3],
    plan: WindowPlan,
    layout: Layout,
}

impl Centred {
    /// The ridge on the diagonal entry of position `p`: ε·4^shift, the ridge of the scaled
    /// data (D(Σ + ε·I)D = DΣD + ε·D² for D = diag(2^shift)).
    #[inline]
    fn ridge_at(&self, p: usize, ridge: f64) -> f64 {
        if self.scaled && ridge != 0.0 {
            ldexp(ridge, 2 * self.shift[p])
        } else {
            ridge
        }
    }

    /// Σ of the shifts of a window's entries: H2 of the scaled window minus this is H2 of
    /// the data (scaling entry a by 2^k_a adds k_a bits).
    #[inline]
    fn correction(&self, entries: &[(usize, [usize; 3])]) -> f64 {
        if !self.scaled {
            return 0.0;
        }
        entries
            .iter()
            .map(|&(p, _)| self.shift[p] as i64)
            .sum::<i64>() as f64
    }
}

/// What local H2 allocates, decided before anything is: the largest window actually
/// present (under `crop` the kernel clipped to the map, at most min(k, len) per axis),
/// whether the shared pair table pays off, and the bytes of every buffer.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Largest window extent along (h, w, c).
    ext: [usize; 3],
    /// Entries of the largest window (the product of `ext`).
    dmax: usize,
    /// Whether the fast path shares products through the pair table.
    table: bool,
    /// Bytes of the centred batch, the pair table and its index, the output map, and one
    /// thread's covariance buffers (an upper bound: 64·d² bytes for each window size d that
    /// is factorised).
    bytes: u128,
}

impl Layout {
    fn new(plan: &WindowPlan, n: usize, ridge: bool, fast: bool) -> Layout {
        let axes = plan.axes();
        let extents = |a: usize| -> Vec<usize> {
            let mut e: Vec<usize> = axes[a]
                .lo
                .iter()
                .zip(&axes[a].hi)
                .map(|(l, h)| h - l)
                .collect();
            e.sort_unstable();
            e.dedup();
            e
        };
        let sizes = [extents(0), extents(1), extents(2)];
        let ext = [0, 1, 2].map(|a| sizes[a].last().copied().unwrap_or(1));
        // each extent is at most its kernel size, so dmax ≤ k_w·k_h·k_c ≤ 2^24
        let dmax = ext[0] * ext[1] * ext[2];
        let positions: u128 = plan.padded().iter().map(|&d| d as u128).product();
        let windows = plan.windows() as u128;
        let d = dmax as u128;
        let n_off = (ext[0] * (2 * ext[1] - 1) * (2 * ext[2] - 1)) as u128;
        let table_cost = positions * n_off;
        let direct_cost = windows * d * (d + 1) / 2;
        // shared products pay off when windows overlap; the table is capped at 16 M entries
        let table = fast && table_cost < direct_cost && table_cost <= 16 << 20;
        // centred values, constant flags and shifts; the output; one window's entry list
        let mut bytes = positions * (8 * n as u128 + 1 + 4) + 8 * windows + 32 * d;
        if table {
            bytes += 8 * table_cost + 8 * d * d;
        }
        // covariance buffers of every window size that is factorised (without a ridge only
        // d < N is: N ≤ d is −∞ before any algebra); sizes are ascending on each axis
        'h: for &a in &sizes[0] {
            for &b in &sizes[1] {
                for &c in &sizes[2] {
                    let d = (a * b * c) as u128;
                    if !ridge && d >= n as u128 {
                        if c == sizes[2][0] && b == sizes[1][0] {
                            break 'h;
                        }
                        break;
                    }
                    bytes += 64 * d * d;
                }
            }
        }
        Layout {
            ext,
            dmax,
            table,
            bytes,
        }
    }
}

/// Smallest per-position spread of centred values left unscaled: 2^−500 (products then stay
/// far above the subnormal range).
const TINY: f64 = f64::from_bits(523u64 << 52);

fn centre<T: MapValue>(
    batch: ArrayView4<'_, T>,
    spec: &WindowSpec,
    ridge: Option<f64>,
    fast: bool,
) -> Result<Centred> {
    crate::window::check_nonempty(batch.shape(), "batch")?;
    check_finite(batch.iter(), "batch")?;
    let (n, h, w, c) = batch.dim();
    if n < 2 {
        return Err(Error::Shape(format!(
            "a sample covariance needs a batch of at least 2 maps, got {n} (shape {:?})",
            batch.shape()
        )));
    }
    // the batch's windows are those of its maps: one plan, shared with H1
    let plan = WindowPlan::new([h, w, c], spec)?;
    let dims = plan.padded();
    // maps × padded positions, counted in u128 so the product cannot wrap
    let positions: u128 = dims.iter().map(|&d| d as u128).product();
    let requested = positions * n as u128;
    if requested > MAX_CENTRED_ENTRIES as u128 {
        return Err(Error::TooLarge {
            what: "centred batch values (maps × padded positions)",
            requested,
            limit: MAX_CENTRED_ENTRIES as u128,
        });
    }
    let layout = Layout::new(&plan, n, ridge.is_some(), fast);
    if layout.bytes > MAX_H2_BYTES {
        return Err(Error::TooLarge {
            what: "bytes of local H2 workspace (centred batch, pair table, covariances, output)",
            requested: layout.bytes,
            limit: MAX_H2_BYTES,
        });
    }
    let p_total = dims[0] * dims[1] * dims[2];
    let entries = p_total * n;
    let mut data = try_filled(entries, 0.0, "bytes of the centred batch")?;
    let mut constant = try_filled(p_total, true, "bytes of the constant-entry flags")?;
    let mut shift = try_filled(p_total, 0i32, "bytes of the position scales")?;
    // Up to this |x| a position is used as it is: its centred values are at most 2·big and
    // a covariance entry sums n products of two, so no sum overflows (the old limit).
    // Beyond it, and for spreads below TINY, the position is scaled by a power of two.
    let big = (f64::MAX / (4.0 * n as f64)).sqrt() * 0.999;
    // with a ridge ε, an up-scaled position keeps ε·4^shift ≤ 2^1001 (finite); there the
    // data's own variance is far below ε and does not change Σ + ε·I in f64
    let cap = ridge.map(|e| (1000 - exponent(e)).div_euclid(2).max(0));
    let plane = dims[1] * dims[2];
    // Unpadded windows (`valid`, `crop`) read the map itself: a standard-layout batch is
    // gathered position-major here, image by image over blocks of positions (contiguous
    // reads, writes within a block), instead of n strided reads per position below. The
    // values and every later step are the same.
    let gathered = plan.pad() == [0, 0, 0] && dims == [h, w, c];
    let gathered = gathered
        && match batch.as_slice() {
            Some(flat) => {
                const BLOCK: usize = 256;
                for p0 in (0..p_total).step_by(BLOCK) {
                    let p1 = (p0 + BLOCK).min(p_total);
                    for (s, img) in flat.chunks_exact(p_total).enumerate() {
                        for (q, v) in img[p0..p1].iter().enumerate() {
                            data[(p0 + q) * n + s] = v.to_f64();
                        }
                    }
                }
                true
            }
            None => false,
        };
    // one plane (fixed padded row pi) of positions; planes are independent
    let fill = |pi: usize, data: &mut [f64], constant: &mut [bool], shift: &mut [i32]| {
        let si = plan.source(0, pi);
        for pj in 0..dims[1] {
            let sj = plan.source(1, pj);
            for pk in 0..dims[2] {
                let sk = plan.source(2, pk);
                let p = pj * dims[2] + pk;
                let (Some(a), Some(b), Some(d)) = (si, sj, sk) else {
                    continue;
                };
                let col = &mut data[p * n..(p + 1) * n];
                let mut top = 0.0f64;
                if gathered {
                    col.iter().for_each(|x| top = top.max(x.abs()));
                } else {
                    for (s, x) in col.iter_mut().enumerate() {
                        *x = batch[[s, a, b, d]].to_f64();
                        top = top.max(x.abs());
                    }
                }
                let first = col[0];
                constant[p] = col.iter().all(|&x| x == first);
                // exact power-of-two scaling before the sum, so the mean cannot overflow
                let k1 = if top > big { -exponent(top) } else { 0 };
                if k1 != 0 {
                    col.iter_mut().for_each(|x| *x = ldexp(*x, k1));
                }
                let mut acc = NeumaierAcc::default();
                col.iter().for_each(|&x| acc.add(x));
                let mean = acc.value() / n as f64;
                let mut spread = 0.0f64;
                for x in col.iter_mut() {
                    *x -= mean;
                    spread = spread.max(x.abs());
                }
                let mut k = k1;
                if spread != 0.0 && !(TINY..=2.0 * big).contains(&spread) {
                    k -= exponent(spread);
                }
                if let Some(cap) = cap
                    && k > 0
                {
                    k = k.min(cap);
                }
                if k != k1 {
                    col.iter_mut().for_each(|x| *x = ldexp(*x, k - k1));
                }
                shift[p] = k;
            }
        }
    };
    if plane > 0 {
        if entries < PARALLEL_MIN_WORK || rayon::current_num_threads() == 1 {
            for (pi, ((dc, cc), sc)) in data
                .chunks_mut(plane * n)
                .zip(constant.chunks_mut(plane))
                .zip(shift.chunks_mut(plane))
                .enumerate()
            {
                fill(pi, dc, cc, sc);
            }
        } else {
            data.par_chunks_mut(plane * n)
                .zip(constant.par_chunks_mut(plane))
                .zip(shift.par_chunks_mut(plane))
                .enumerate()
                .for_each(|(pi, ((dc, cc), sc))| fill(pi, dc, cc, sc));
        }
    }
    // A ridge below 2^−1022 of the scaled variances cannot be represented next to them.
    if let Some(eps) = ridge
        && let Some(p) =
            (0..p_total).find(|&p| shift[p] < 0 && ldexp(eps, 2 * shift[p]) < f64::MIN_POSITIVE)
    {
        let (pi, pj, pk) = (p / plane, p / dims[2] % dims[1], p % dims[2]);
        let at = [plan.source(0, pi), plan.source(1, pj), plan.source(2, pk)];
        let [Some(a), Some(b), Some(d)] = at else {
            unreachable!("only positions of the map are scaled")
        };
        let (s, value) =
            (0..n)
                .map(|s| (s, batch[[s, a, b, d]].to_f64()))
                .fold(
                    (0, 0.0f64),
                    |m, x| if x.1.abs() > m.1.abs() { x } else { m },
                );
        return Err(Error::Overflow {
            what: "batch (its variance dwarfs the ridge)",
            index: ((s * h + a) * w + b) * c + d,
            value,
            limit: ldexp(eps.sqrt(), 511),
        });
    }
    let scaled = shift.iter().any(|&k| k != 0);
    Ok(Centred {
        data,
        constant,
        shift,
        scaled,
        n,
        dims,
        plan,
        layout,
    })
}

/// Window entries (position index and padded coordinates) in row-major order.
fn window_entries(cd: &Centred, i: usize, j: usize, l: usize, out: &mut Vec<(usize, [usize; 3])>) {
    out.clear();
    let [ph, pw, pc] = cd.plan.axes();
    for y in ph.lo[i]..ph.hi[i] {
        for x in pw.lo[j]..pw.hi[j] {
            for z in pc.lo[l]..pc.hi[l] {
                out.push(((y * cd.dims[1] + x) * cd.dims[2] + z, [y, x, z]));
            }
        }
    }
}

/// Pre-checks shared by both paths: returns the reason a window is −∞ before any algebra.
#[inline]
fn precheck(cd: &Centred, entries: &[(usize, [usize; 3])], ridge: Option<f64>) -> Option<Singular> {
    if ridge.is_some() {
        return None;
    }
    if let Some(e) = entries.iter().position(|&(p, _)| cd.constant[p]) {
        return Some(Singular::ConstantEntry { entry: e });
    }
    if cd.n <= entries.len() {
        return Some(Singular::TooFewSamples {
            samples: cd.n,
            dim: entries.len(),
        });
    }
    None
}

type Singulars = Vec<([usize; 3], Singular)>;

fn finish(
    cd: &Centred,
    ridge: Option<f64>,
    fill: impl Fn(&[(usize, [usize; 3])], &mut [[f64; CHOLESKY_LANES]], usize, Scale) + Sync,
) -> Result<LocalH2> {
    let shape = cd.plan.shape();
    let windows = shape[0] * shape[1] * shape[2];
    let mut out = try_filled(windows, 0.0, "bytes of the output map")?;
    let dmax = cd.layout.dmax;
    let scale = Scale {
        inv: 1.0 / (cd.n as f64 - 1.0),
        ridge: ridge.unwrap_or(0.0),
    };
    let row_len = shape[1] * shape[2];
    // One row of windows (fixed i). Windows are factorised eight at a time, grouped by size d
    // (bit-identical to one at a time); a group is flushed when it holds eight windows and at
    // the end of a band of rows. Rows are independent, so bands of rows are split across
    // rayon's threads and every value is the same whichever thread computes it.
    let row = |i: usize,
               dst: &mut [f64],
               (entries, groups): &mut (Vec<(usize, [usize; 3])>, Vec<Group>),
               i0: usize,
               singular: &mut Singulars|
     -> Result<()> {
        let at = |j: usize, l: usize| ((i - i0) * shape[1] + j) * shape[2] + l;
        for j in 0..shape[1] {
            for l in 0..shape[2] {
                window_entries(cd, i, j, l, entries);
                if let Some(reason) = precheck(cd, entries, ridge) {
                    dst[at(j, l)] = f64::NEG_INFINITY;
                    singular.push(([i, j, l], reason));
                    continue;
                }
                let d = entries.len();
                let g = match groups.iter().position(|g| g.d == d) {
                    Some(k) => &mut groups[k],
                    None => {
                        groups.push(Group::new(d)?);
                        groups.last_mut().expect("just pushed")
                    }
                };
                let lane = g.filled;
                fill(entries, &mut g.packed, lane, scale);
                g.corr[lane] = cd.correction(entries);
                g.lanes[lane] = [i, j, l];
                g.filled += 1;
                if g.filled == CHOLESKY_LANES {
                    g.flush(dst, i0, shape[1], shape[2], singular);
                }
            }
        }
        Ok(())
    };
    let scratch = || (Vec::with_capacity(dmax), Vec::<Group>::new());
    // a band: consecutive rows i0.. sharing the groups, flushed at its end
    let band = |i0: usize,
                dst: &mut [f64],
                st: &mut (Vec<(usize, [usize; 3])>, Vec<Group>)|
     -> Result<Singulars> {
        let mut singular = Vec::new();
        for i in i0..i0 + dst.len() / row_len {
            row(i, dst, st, i0, &mut singular)?;
        }
        for g in st.1.iter_mut() {
            if g.filled > 0 {
                g.flush(dst, i0, shape[1], shape[2], &mut singular);
            }
        }
        Ok(singular)
    };
    let mut singular: Singulars = Vec::new();
    if row_len > 0 {
        // about d³/6 flops per window, counted without overflow
        let d = dmax as u128;
        let work = windows as u128 * d * d * d / 6;
        let threads = rayon::current_num_threads();
        if work < PARALLEL_MIN_WORK as u128 || threads == 1 {
            singular = band(0, &mut out, &mut scratch())?;
        } else {
            // about four bands per thread
            let rows_per = shape[0].div_ceil(4 * threads).max(1);
            let parts: Vec<Singulars> = out
                .par_chunks_mut(rows_per * row_len)
                .enumerate()
                .map_init(scratch, |st, (b, dst)| band(b * rows_per, dst, st))
                .collect::<Result<_>>()?;
            singular = parts.into_iter().flatten().collect();
        }
    }
    singular.sort_by_key(|(idx, _)| *idx);
    let values = Array3::from_shape_vec(shape, out).expect("one value per window");
    Ok(LocalH2 {
        values,
        singular,
        ridge,
        samples: cd.n,
    })
}

/// Largest centred batch (maps × padded positions) local H2 allocates: 2^31 values, 16 GiB.
pub const MAX_CENTRED_ENTRIES: usize = 1 << 31;

/// Most bytes local H2 allocates in all (2^35, 32 GiB): the centred batch (at most 16 GiB,
/// [`MAX_CENTRED_ENTRIES`]), the pair table and its index, the output map and the
/// covariance buffers of the window sizes it factorises (64·d² bytes each, per thread).
/// Checked before anything is allocated.
pub const MAX_H2_BYTES: u128 = 1 << 35;

/// Bytes [`local_h2`] would allocate for a batch of `shape` (n, h, w, c) under `spec` (see
/// [`MAX_H2_BYTES`]), or `None` where `local_h2` refuses the shape itself (an empty axis, a
/// `valid` kernel larger than the map).
pub(crate) fn local_h2_bytes(
    shape: [usize; 4],
    spec: &WindowSpec,
    opts: &H2Options,
) -> Option<u128> {
    let [n, h, w, c] = shape;
    if shape.contains(&0) {
        return None;
    }
    let plan = WindowPlan::new([h, w, c], spec).ok()?;
    Some(Layout::new(&plan, n, opts.ridge.is_some(), true).bytes)
}

/// Below this much work (about d³/6 per window) a batch is computed on the calling thread.
const PARALLEL_MIN_WORK: usize = 1 << 18;

/// How a filled covariance entry is scaled: Σ_ab = P_ab·inv (+ ridge on the diagonal).
#[derive(Debug, Clone, Copy)]
struct Scale {
    inv: f64,
    ridge: f64,
}

/// Up to eight windows of equal size waiting for a batched factorisation.
struct Group {
    d: usize,
    packed: Vec<[f64; CHOLESKY_LANES]>,
    lanes: [[usize; 3]; CHOLESKY_LANES],
    /// Bits to subtract from each lane's H2 (the window's scaling, 0 at ordinary scales).
    corr: [f64; CHOLESKY_LANES],
    filled: usize,
}

impl Group {
    fn new(d: usize) -> Result<Self> {
        Ok(Group {
            d,
            packed: try_filled(d * d, [0.0; CHOLESKY_LANES], "bytes of window covariances")?,
            lanes: [[0; 3]; CHOLESKY_LANES],
            corr: [0.0; CHOLESKY_LANES],
            filled: 0,
        })
    }

    /// Factorises the waiting windows into `band` (rows i0.. of the output).
    fn flush(
        &mut self,
        band: &mut [f64],
        i0: usize,
        w1: usize,
        w2: usize,
        singular: &mut Singulars,
    ) {
        self.flush_into(singular, |idx, v| {
            band[((idx[0] - i0) * w1 + idx[1]) * w2 + idx[2]] = v
        });
    }

    fn flush_into(&mut self, singular: &mut Singulars, mut put: impl FnMut([usize; 3], f64)) {
        let d = self.d;
        // unused lanes hold identity matrices so they factorise harmlessly
        for k in self.filled..CHOLESKY_LANES {
            for a in 0..d {
                for b in 0..=a {
                    self.packed[a * d + b][k] = if a == b { 1.0 } else { 0.0 };
                }
            }
        }
        let log2_2pie_d = d as f64 * LOG2_2PI_E;
        for (k, r) in cholesky_log2det_x8(&mut self.packed, d)
            .into_iter()
            .enumerate()
            .take(self.filled)
        {
            let idx = self.lanes[k];
            match r {
                Ok(l) => {
                    let mut v = 0.5 * (log2_2pie_d + l);
                    if self.corr[k] != 0.0 {
                        v -= self.corr[k];
                    }
                    put(idx, v)
                }
                Err(f) => {
                    put(idx, f64::NEG_INFINITY);
                    singular.push((
                        idx,
                        Singular::NotPositiveDefinite {
                            index: f.index,
                            pivot: f.pivot,
                            tolerance: f.tolerance,
                        },
                    ));
                }
            }
        }
        self.filled = 0;
    }
}

/// Local H2 of every window across a batch N×h×w×c, in bits (fast path).
///
/// # Formula
/// For window W with entries e_1..e_d: Σ_ab = 1/(N−1)·Σ_n (x_n\[e_a\] − x̄\[e_a\])(x_n\[e_b\] − x̄\[e_b\]),
/// H2(W) = ½·(d·log2(2πe) + log2 det(Σ [+ ε·I]))
///
/// # Scale
/// Each position whose values exceed √(f64::MAX/(4N)) in size, or whose centred values are
/// all below 2^−500 (and not all zero), is multiplied by a power of two 2^k (exact for normal
/// numbers) before its covariances are summed, and H2 of a window is that of the scaled data
/// minus the window's Σk (scaling entry a by 2^k scales Σ_aa by 4^k: H2 gains k bits). So any
/// finite batch, from 1e-300 to f64::MAX, gives H2(c·x) = H2(x) + d·log2 c, never −∞ by
/// underflow nor an overflow. Positions at ordinary scales are not scaled, so their windows
/// are bit for bit what they were before scaling existed. A `NotPositiveDefinite` pivot and
/// tolerance are those of the scaled covariance.
///
/// # Errors
/// * [`Error::Empty`], [`Error::NonFinite`] (naming the flat index), fewer than 2 maps
///   ([`Error::Shape`]), and the window errors of [`WindowPlan::new`].
/// * [`Error::TooLarge`] before allocating: more than [`MAX_CENTRED_ENTRIES`] centred values,
///   or more than [`MAX_H2_BYTES`] in all; windows are sized as they occur, so a `crop`
///   kernel far larger than the map costs what the map's own windows cost. Also, instead of
///   an abort, if the allocator refuses a buffer (`limit` is then 0).
/// * [`Error::Overflow`] only with a ridge ε, for a position whose spread exceeds about
///   √ε·2^511: ε is then below 2^−1022 of its variance and cannot be added in f64.
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::{local_h2, H2Options};
/// use sednas::window::*;
/// // 1×1 windows: H2 = ½·log2(2πe·var)
/// let b = Array4::from_shape_fn((4, 1, 1, 1), |(n, ..)| n as f64); // 0,1,2,3: var = 5/3
/// let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), Border::Valid);
/// let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
/// let expect = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 5.0 / 3.0).log2();
/// assert!((h.values[[0, 0, 0]] - expect).abs() < 1e-14);
/// // scaled by 2^-1000 (products of 2^-2000 would underflow): exactly 1000 bits less
/// let tiny = b.mapv(|x| x * 2f64.powi(-1000));
/// assert_eq!(local_h2(tiny.view(), &spec, &H2Options::new()).unwrap().values[[0, 0, 0]], h.values[[0, 0, 0]] - 1000.0);
/// // a 301×301 crop kernel on a 1×1 map is the 1×1 window
/// let big = WindowSpec::new(Kernel::square(301).unwrap(), Stride::unit(), Border::Crop);
/// assert_eq!(local_h2(b.view(), &big, &H2Options::new()).unwrap(), h);
/// ```
pub fn local_h2<T: MapValue>(
    batch: ArrayView4<'_, T>,
    spec: &WindowSpec,
    opts: &H2Options,
) -> Result<LocalH2> {
    let cd = centre(batch, spec, opts.ridge, true)?;
    if !cd.layout.table {
        return finish(&cd, opts.ridge, |entries, m, lane, sc| {
            fill_direct(&cd, entries, m, lane, sc)
        });
    }
    // the pair table spans the largest window present, not the kernel
    let [eh, ew, ec] = cd.layout.ext;
    let (ow, oc) = (2 * ew - 1, 2 * ec - 1);
    let n_off = eh * ow * oc;
    let d = cd.layout.dmax;
    let table = build_table(&cd, cd.layout.ext)?;
    let dims = cd.dims;
    // for full windows the table index of pair (a, b) is base·n_off + pair_idx[a, b]
    let mut full = Vec::with_capacity(d);
    for y in 0..eh {
        for x in 0..ew {
            for z in 0..ec {
                full.push([y, x, z]);
            }
        }
    }
    let mut pair_idx = try_filled(d * d, 0usize, "bytes of the pair index")?;
    for a in 0..d {
        for b in 0..=a {
            let (ca, cb) = (full[a], full[b]);
            let rel_b = (cb[0] * dims[1] + cb[1]) * dims[2] + cb[2];
            let off =
                ((ca[0] - cb[0]) * ow + (ca[1] + ew - 1 - cb[1])) * oc + (ca[2] + ec - 1 - cb[2]);
            pair_idx[a * d + b] = rel_b * n_off + off;
        }
    }
    finish(&cd, opts.ridge, |entries, m, lane, sc| {
        let d = entries.len();
        // a window of the largest size spans `ext` on every axis: a full box
        if d == full.len() {
            let base = entries[0].0 * n_off;
            for a in 0..d {
                let row = &mut m[a * d..a * d + a + 1];
                for (r, &pi) in row.iter_mut().zip(&pair_idx[a * d..a * d + a + 1]) {
                    r[lane] = table[base + pi] * sc.inv;
                }
                m[a * d + a][lane] += cd.ridge_at(entries[a].0, sc.ridge);
            }
            return;
        }
        for (a, &(pa, ca)) in entries.iter().enumerate() {
            for (b, &(pb, cb)) in entries[..=a].iter().enumerate() {
                let dy = ca[0] - cb[0];
                let dxi = (ca[1] + ew - 1) - cb[1];
                let dzi = (ca[2] + ec - 1) - cb[2];
                m[a * d + b][lane] = table[pb * n_off + (dy * ow + dxi) * oc + dzi] * sc.inv;
            }
            m[a * d + a][lane] += cd.ridge_at(pa, sc.ridge);
        }
    })
}

/// Σ of one window from its own entries (one dot product per pair), scaled.
fn fill_direct(
    cd: &Centred,
    entries: &[(usize, [usize; 3])],
    m: &mut [[f64; CHOLESKY_LANES]],
    lane: usize,
    sc: Scale,
) {
    let n = cd.n;
    let d = entries.len();
    for (a, &(pa, _)) in entries.iter().enumerate() {
        for (b, &(pb, _)) in entries[..=a].iter().enumerate() {
            m[a * d + b][lane] = dot(
                &cd.data[pb * n..(pb + 1) * n],
                &cd.data[pa * n..(pa + 1) * n],
            ) * sc.inv;
        }
        m[a * d + a][lane] += cd.ridge_at(pa, sc.ridge);
    }
}

/// Dot products of every position with every position at a lexicographically non-negative
/// offset inside the box `ext` (the largest window present), (e_h, e_w, e_c): entry
/// `p·n_off + (dy·(2e_w−1) + dx + e_w−1)·(2e_c−1) + dz + e_c−1`.
/// Planes (fixed y) are independent and split across rayon's threads.
fn build_table(cd: &Centred, ext: [usize; 3]) -> Result<Vec<f64>> {
    let [kh, kw, kc] = ext;
    let n_off = kh * (2 * kw - 1) * (2 * kc - 1);
    let dims = cd.dims;
    let mut table = try_filled(
        dims[0] * dims[1] * dims[2] * n_off,
        0.0f64,
        "bytes of the pair table",
    )?;
    let plane = dims[1] * dims[2] * n_off;
    if plane == 0 {
        return Ok(table);
    }
    let fma = has_fma();
    let fill = |y: usize, tab: &mut [f64]| {
        #[cfg(target_arch = "x86_64")]
        {
            if fma {
                // SAFETY: `has_fma` found AVX2 and FMA, the features `table_plane_fma` assumes.
                return unsafe { table_plane_fma(cd, y, tab, kh, kw, kc) };
            }
        }
        let _ = fma;
        table_plane(cd, y, tab, kh, kw, kc)
    };
    if table.len() * cd.n < PARALLEL_MIN_WORK || rayon::current_num_threads() == 1 {
        for (y, tab) in table.chunks_mut(plane).enumerate() {
            fill(y, tab);
        }
    } else {
        table
            .par_chunks_mut(plane)
            .enumerate()
            .for_each(|(y, tab)| fill(y, tab));
    }
    Ok(table)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn table_plane_fma(cd: &Centred, y: usize, tab: &mut [f64], kh: usize, kw: usize, kc: usize) {
    table_plane(cd, y, tab, kh, kw, kc)
}

/// One plane (fixed y) of the pair table.
#[inline(always)]
fn table_plane(cd: &Centred, y: usize, tab: &mut [f64], kh: usize, kw: usize, kc: usize) {
    let (ow, oc) = (2 * kw - 1, 2 * kc - 1);
    let n_off = kh * ow * oc;
    let n = cd.n;
    let dims = cd.dims;
    for x in 0..dims[1] {
        for z in 0..dims[2] {
            let p = (y * dims[1] + x) * dims[2] + z;
            let pl = (x * dims[2] + z) * n_off;
            let xp = &cd.data[p * n..(p + 1) * n];
            for dy in 0..kh.min(dims[0] - y) {
                for dxi in 0..ow {
                    let xx = x as isize + dxi as isize - (kw as isize - 1);
                    if xx < 0 || xx >= dims[1] as isize || (dy == 0 && dxi < kw - 1) {
                        continue;
                    }
                    for dzi in 0..oc {
                        let zz = z as isize + dzi as isize - (kc as isize - 1);
                        if zz < 0
                            || zz >= dims[2] as isize
                            || (dy == 0 && dxi == kw - 1 && dzi < kc - 1)
                        {
                            continue;
                        }
                        let q = ((y + dy) * dims[1] + xx as usize) * dims[2] + zz as usize;
                        tab[pl + (dy * ow + dxi) * oc + dzi] =
                            dot_fused(xp, &cd.data[q * n..(q + 1) * n]);
                    }
                }
            }
        }
    }
}

/// Local H2 with each window's covariance computed from its own entries (reference for
/// [`local_h2`]; same formula, no shared products).
///
/// # Errors
/// As [`local_h2`].
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::{local_h2, local_h2_naive, H2Options};
/// use sednas::window::*;
/// let b = Array4::from_shape_fn((12, 4, 4, 1), |(n, i, j, _)| ((n * 31 + i * 7 + j * 3) % 11) as f64);
/// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
/// let fast = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
/// let slow = local_h2_naive(b.view(), &spec, &H2Options::new()).unwrap();
/// assert_eq!(fast.values, slow.values);
/// ```
pub fn local_h2_naive<T: MapValue>(
    batch: ArrayView4<'_, T>,
    spec: &WindowSpec,
    opts: &H2Options,
) -> Result<LocalH2> {
    let cd = centre(batch, spec, opts.ridge, false)?;
    finish(&cd, opts.ridge, |entries, m, lane, sc| {
        fill_direct(&cd, entries, m, lane, sc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::{Border, Kernel, Stride, WindowPlan};
    use ndarray::{Array4, array};

    /// A full-rank batch of `n` maps (deterministic pseudo-random values in [−1, 1)).
    fn random_batch(n: usize, h: usize, w: usize, c: usize, seed: u64) -> Array4<f64> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Array4::from_shape_simple_fn((n, h, w, c), || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
    }

    /// Entries of each window of `spec` on an h×w×c map (d varies at `crop` edges).
    fn window_sizes(map: [usize; 3], spec: &WindowSpec) -> Array3<f64> {
        let plan = WindowPlan::new(map, spec).unwrap();
        let [a, b, c] = plan.axes().clone();
        Array3::from_shape_fn(plan.shape(), |(i, j, l)| {
            ((a.hi[i] - a.lo[i]) * (b.hi[j] - b.lo[j]) * (c.hi[l] - c.lo[l])) as f64
        })
    }

    // Edge case: values far beyond where covariance sums overflow f64 (~1e200, up to
    // f64::MAX) used to be refused with Error::Overflow; the batch is now rescaled by a power
    // of two per position before the covariance, so they give the exact-scaling answer
    // H2(c·x) = H2(x) + d·log2 c. Only a ridge too small to be represented next to such
    // variances is still an overflow error, and its message prints the value as 1e200.
    #[test]
    fn huge_values_are_overflow_not_singular() {
        let spec = WindowSpec::new(Kernel::new(1, 1, 1).unwrap(), Stride::unit(), Border::Valid);
        let mut b = Array4::<f64>::zeros((4, 1, 1, 1));
        for (k, v) in [1.0, 2.0, 4.0, 7.0].iter().enumerate() {
            b[[k, 0, 0, 0]] = *v;
        }
        let base = local_h2(b.view(), &spec, &H2Options::new()).unwrap().values[[0, 0, 0]];
        for c in [1e150, 1e200, 1e300, f64::MAX / 8.0] {
            let h = local_h2((&b * c).view(), &spec, &H2Options::new()).unwrap();
            assert!(h.singular.is_empty());
            let want = base + c.log2();
            assert!(
                (h.values[[0, 0, 0]] - want).abs() <= 1e-12 * want.abs(),
                "{c:e}"
            );
        }
        // a ridge of 1e-6 next to variances of 1e400 is below 2^-1022 of them: refused
        let opts = H2Options::new().with_ridge(1e-6).unwrap();
        b[[2, 0, 0, 0]] = 1e200;
        match local_h2(b.view(), &spec, &opts) {
            Err(
                e @ Error::Overflow {
                    index: 2, value, ..
                },
            ) => {
                assert_eq!(value, 1e200);
                let msg = e.to_string();
                assert!(msg.contains("value 1e200 at flat index 2"), "{msg}");
                assert!(msg.len() < 200 && !msg.contains('\n'), "{msg}");
            }
            o => panic!("{o:?}"),
        }
    }

    // Edge case: scales from 1e-300 to 1e300 of a full-rank batch, at crop edges where d
    // varies (4, 6 and 9 entries): never −∞, never an error, and H2(c·x) = H2(x) + d·log2 c.
    #[test]
    fn h2_scales_exactly_from_1e_minus_300_to_1e300() {
        let b = random_batch(24, 3, 4, 1, 7);
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        let d = window_sizes([3, 4, 1], &spec);
        let base = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert!(base.singular.is_empty());
        for m in (-300..=300).step_by(20) {
            let c = 10f64.powi(m);
            let h = local_h2((&b * c).view(), &spec, &H2Options::new()).unwrap();
            assert!(h.singular.is_empty(), "1e{m}: {:?}", h.singular);
            for ((&v, &v0), &d) in h.values.iter().zip(&base.values).zip(&d) {
                let want = v0 + d * c.log2();
                assert!(
                    (v - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "1e{m}: {v} vs {want}"
                );
            }
            // the naive path applies the same scaling
            let s = local_h2_naive((&b * c).view(), &spec, &H2Options::new()).unwrap();
            assert_eq!(h, s, "1e{m}");
        }
    }

    // Edge case: a ridge with scaled data. Σ + ε·I of c·x is c²·(Σ_x + (ε/c²)·I), so
    // H2(c·x; ε) = H2(x; ε/c²) + d·log2 c at c = 1e200 (the ridge is scaled with the
    // positions); for data at 1e-250 with ε = 1e-6 the ridge dominates Σ entirely and H2 is
    // that of ε·I.
    #[test]
    fn ridge_scales_with_the_data() {
        let b = random_batch(12, 2, 3, 1, 9);
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        let d = window_sizes([2, 3, 1], &spec);
        let c = 1e200f64;
        let at = |x: &Array4<f64>, eps: f64| {
            local_h2(x.view(), &spec, &H2Options::new().with_ridge(eps).unwrap()).unwrap()
        };
        let big = at(&(&b * c), 1e300);
        let base = at(&b, 1e300 / c / c);
        for ((&v, &v0), &d) in big.values.iter().zip(&base.values).zip(&d) {
            let want = v0 + d * c.log2();
            assert!((v - want).abs() <= 1e-9 * want.abs(), "{v} vs {want}");
        }
        let tiny = at(&(&b * 1e-250), 1e-6);
        for (&v, &d) in tiny.values.iter().zip(&d) {
            let want = 0.5 * d * (LOG2_2PI_E + 1e-6f64.log2());
            assert!((v - want).abs() <= 1e-12 * want.abs(), "{v} vs {want}");
        }
    }

    // Edge case: one position's values are tiny (1e-200) and another's huge (1e200) in the
    // same window: each position is scaled on its own, so the window is still exact.
    #[test]
    fn mixed_scales_in_one_window() {
        let b = random_batch(16, 1, 2, 1, 3);
        let spec = WindowSpec::new(Kernel::new(3, 1, 1).unwrap(), Stride::unit(), Border::Crop);
        let base = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        let mut m = b.clone();
        m.slice_mut(ndarray::s![.., 0, 0, 0])
            .mapv_inplace(|x| x * 1e-200);
        m.slice_mut(ndarray::s![.., 0, 1, 0])
            .mapv_inplace(|x| x * 1e200);
        let h = local_h2(m.view(), &spec, &H2Options::new()).unwrap();
        let shift = [1e-200f64.log2(), 1e200f64.log2()];
        // every crop window here holds both positions
        for (&v, &v0) in h.values.iter().zip(&base.values) {
            let want = v0 + shift[0] + shift[1];
            assert!(
                (v - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{v} vs {want}"
            );
        }
    }

    // Edge case: a covariance matrix itself scaled from 1e-300 to 1e300, and by 2^-1060
    // (subnormal entries, exact): H2(c·Σ) = H2(Σ) + (d/2)·log2 c, and a tiny matrix's
    // symmetry is still checked (relative to its own scale).
    #[test]
    fn gaussian_entropy_scales_exactly() {
        let a = array![[4.0, 2.0, 0.5], [2.0, 3.0, 0.25], [0.5, 0.25, 2.0]];
        let base = gaussian_entropy(a.view()).unwrap().bits;
        let scales = (-300..=300).step_by(10).map(|m| 10f64.powi(m));
        for c in scales.chain([2f64.powi(-1000) * 2f64.powi(-60)]) {
            let h = gaussian_entropy((&a * c).view()).unwrap();
            let want = base + 1.5 * c.log2();
            assert!(h.singular.is_none(), "{c:e}");
            assert!(
                (h.bits - want).abs() <= 1e-9 * want.abs(),
                "{c:e}: {} vs {want}",
                h.bits
            );
        }
        let asym = array![[1e-300, 1e-301], [0.0, 1e-300]];
        assert!(gaussian_entropy(asym.view()).is_err());
    }

    // Edge case: a crop kernel far larger than the map (301×301 on 1×1 and 2×2 maps) is the
    // kernel clipped to the map: same values as the clipped kernel, and no workspace sized
    // by the full kernel (it asked for ~65 GB and aborted).
    #[test]
    fn crop_huge_kernel_is_clipped_to_the_map() {
        let opts = H2Options::new();
        let huge = WindowSpec::new(
            Kernel::new(301, 301, 1).unwrap(),
            Stride::unit(),
            Border::Crop,
        );
        let b = random_batch(2, 1, 1, 1, 1);
        let one = WindowSpec::new(Kernel::new(1, 1, 1).unwrap(), Stride::unit(), Border::Crop);
        assert_eq!(
            local_h2(b.view(), &huge, &opts).unwrap(),
            local_h2(b.view(), &one, &opts).unwrap()
        );
        for n in [3, 9] {
            let b = random_batch(n, 2, 2, 1, n as u64);
            let three = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
            let want = local_h2(b.view(), &three, &opts).unwrap();
            assert_eq!(local_h2(b.view(), &huge, &opts).unwrap(), want);
            assert_eq!(local_h2_naive(b.view(), &huge, &opts).unwrap(), want);
            let r = H2Options::new().with_ridge(1e-3).unwrap();
            assert_eq!(
                local_h2(b.view(), &huge, &r).unwrap(),
                local_h2(b.view(), &three, &r).unwrap()
            );
        }
        // a kernel larger than the map on some axes only, with a stride: the pair table
        // spans the clipped windows and agrees with the naive path
        let b = random_batch(40, 3, 4, 2, 11);
        let spec = WindowSpec::new(
            Kernel::new(7, 5, 3).unwrap(),
            Stride::new(2, 1, 1).unwrap(),
            Border::Crop,
        );
        for o in [opts, H2Options::new().with_ridge(1e-3).unwrap()] {
            let fast = local_h2(b.view(), &spec, &o).unwrap();
            assert!(fast.values.iter().all(|v| v.is_finite()));
            assert_eq!(fast, local_h2_naive(b.view(), &spec, &o).unwrap());
        }
    }

    // Edge case: a window that really is huge and must be factorised (zero border with a
    // ridge: 301×301 = 90,601 entries, 525 GB of Cholesky workspace) is refused with
    // TooLarge before allocating; without a ridge it is −∞ (zero-padded, constant entries)
    // at no cost.
    #[test]
    fn huge_factorised_window_is_too_large() {
        let b = random_batch(2, 1, 1, 1, 5);
        let spec = WindowSpec::new(
            Kernel::new(301, 301, 1).unwrap(),
            Stride::unit(),
            Border::Zero,
        );
        let r = H2Options::new().with_ridge(1e-3).unwrap();
        match local_h2(b.view(), &spec, &r) {
            Err(Error::TooLarge {
                limit, requested, ..
            }) => assert!(requested > limit),
            o => panic!("{o:?}"),
        }
        let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert_eq!(h.values[[0, 0, 0]], f64::NEG_INFINITY);
    }

    // Edge case: a constant entry makes Σ singular; the reason names the entry.
    #[test]
    fn constant_entry_is_neg_inf_with_reason() {
        let mut b =
            Array4::from_shape_fn((10, 1, 3, 1), |(n, _, j, _)| ((n * 7 + j * 3) % 5) as f64);
        for n in 0..10 {
            b[[n, 0, 1, 0]] = 2.0;
        }
        let spec = WindowSpec::new(Kernel::new(3, 1, 1).unwrap(), Stride::unit(), Border::Valid);
        let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert_eq!(h.values[[0, 0, 0]], f64::NEG_INFINITY);
        assert_eq!(
            h.singular,
            vec![([0, 0, 0], Singular::ConstantEntry { entry: 1 })]
        );
        // with a ridge the value is finite and the ridge is recorded
        let r = local_h2(b.view(), &spec, &H2Options::new().with_ridge(1e-3).unwrap()).unwrap();
        assert!(r.values[[0, 0, 0]].is_finite());
        assert_eq!(r.ridge, Some(1e-3));
    }

    // Edge case: N ≤ d cannot give a full-rank sample covariance.
    #[test]
    fn too_few_samples() {
        let b = Array4::from_shape_fn((3, 3, 3, 1), |(n, i, j, _)| {
            (n * 9 + i * 3 + j) as f64 * 1.1
        });
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
        let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert_eq!(
            h.singular[0].1,
            Singular::TooFewSamples { samples: 3, dim: 9 }
        );
        assert!(h.values.iter().all(|v| !v.is_nan()));
    }

    // Edge case: a single map has no sample covariance.
    #[test]
    fn one_map_is_an_error() {
        let b = Array4::<f64>::zeros((1, 3, 3, 1));
        let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), Border::Valid);
        assert!(local_h2(b.view(), &spec, &H2Options::new()).is_err());
    }

    // Edge case: perfectly correlated entries (not constant) are caught by the pivot check.
    #[test]
    fn collinear_entries_are_singular() {
        let b = Array4::from_shape_fn((8, 1, 2, 1), |(n, _, _, _)| n as f64);
        let spec = WindowSpec::new(Kernel::new(3, 1, 1).unwrap(), Stride::unit(), Border::Crop);
        let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert!(h.values.iter().all(|&v| v == f64::NEG_INFINITY));
        assert!(matches!(
            h.singular[0].1,
            Singular::NotPositiveDefinite { .. }
        ));
    }

    #[test]
    fn non_square_covariance_is_error() {
        assert!(gaussian_entropy(array![[1.0, 0.0]].view()).is_err());
        assert!(gaussian_entropy(array![[1.0, 0.5], [0.0, 1.0]].view()).is_err());
    }

    #[test]
    fn fast_equals_naive_all_borders() {
        let b = Array4::from_shape_fn((40, 5, 6, 3), |(n, i, j, k)| {
            (((n * 2654435761usize) ^ (i * 97 + j * 13 + k * 7)) % 1000) as f64 / 100.0
        });
        for border in [Border::Valid, Border::Crop, Border::Zero, Border::Reflect] {
            let spec = WindowSpec::new(
                Kernel::new(3, 3, 3).unwrap(),
                Stride::new(1, 2, 1).unwrap(),
                border,
            );
            for opts in [H2Options::new(), H2Options::new().with_ridge(0.01).unwrap()] {
                let a = local_h2(b.view(), &spec, &opts).unwrap();
                let s = local_h2_naive(b.view(), &spec, &opts).unwrap();
                assert_eq!(a, s, "border {border}");
            }
        }
    }
}
