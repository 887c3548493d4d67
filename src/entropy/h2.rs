//! Multivariate-Gaussian (differential) entropy, in bits.
//!
//! H2 = ½·log2((2πe)^d·det Σ) with log det Σ from a Cholesky factorisation
//! ([`crate::numerics::cholesky_log2det`]). For local H2 over a batch of N maps (N×h×w×c),
//! each window position gives d = k_w·k_h·k_c entries per map (fewer at `crop` edges), and
//! Σ is their sample covariance across the batch with denominator N − 1.
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

use super::{MapValue, check_finite};
use crate::error::{Error, Result};
use crate::numerics::{
    CHOLESKY_LANES, LOG2_2PI_E, NeumaierAcc, cholesky_log2det, cholesky_log2det_x8, dot, dot_fused,
    has_fma,
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
    /// ```
    /// use sednas::entropy::H2Options;
    /// assert!(H2Options::new().with_ridge(1e-6).is_ok());
    /// assert!(H2Options::new().with_ridge(-1.0).is_err());
    /// ```
    pub fn with_ridge(self, eps: f64) -> Result<Self> {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(Error::param(
                "ridge",
                format!("must be finite and > 0, got {eps}"),
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
    for i in 0..d {
        for j in 0..i {
            let (a, b) = (cov[[i, j]], cov[[j, i]]);
            if (a - b).abs() > 1e-12 * (a.abs().max(b.abs()).max(1.0)) {
                return Err(Error::Shape(format!(
                    "covariance is not symmetric at ({i}, {j}): {a} vs {b}"
                )));
            }
        }
    }
    let mut m: Vec<f64> = cov.iter().copied().collect();
    Ok(entropy_of_lower(&mut m, d))
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

/// Batch data in position-major layout (each padded position holds its N centred values).
struct Centred {
    data: Vec<f64>,
    constant: Vec<bool>,
    n: usize,
    dims: [usize; 3],
    plan: WindowPlan,
}

fn centre<T: MapValue>(batch: ArrayView4<'_, T>, spec: &WindowSpec) -> Result<Centred> {
    crate::window::check_nonempty(batch.shape(), "batch")?;
    check_finite(batch.iter(), "batch")?;
    let (n, h, w, c) = batch.dim();
    if n < 2 {
        return Err(Error::param(
            "batch",
            format!("sample covariance needs at least 2 maps, got {n}"),
        ));
    }
    // centred values are at most 2·max|x|, and a covariance entry sums n products of two:
    // beyond this bound the sums overflow to ∞ and Cholesky would call the window singular
    let limit = (f64::MAX / (4.0 * n as f64)).sqrt() * 0.999;
    if let Some((index, v)) = batch
        .iter()
        .map(|v| v.to_f64())
        .enumerate()
        .find(|(_, v)| v.abs() > limit)
    {
        return Err(Error::Overflow {
            what: "batch",
            index,
            value: v,
            limit,
        });
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
    let p_total = dims[0] * dims[1] * dims[2];
    let entries = p_total * n;
    let mut data = vec![0.0; entries];
    let mut constant = vec![true; p_total];
    let plane = dims[1] * dims[2];
    // one plane (fixed padded row pi) of positions; planes are independent
    let fill = |pi: usize, data: &mut [f64], constant: &mut [bool]| {
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
                let mut acc = NeumaierAcc::default();
                for (s, x) in col.iter_mut().enumerate() {
                    *x = batch[[s, a, b, d]].to_f64();
                    acc.add(*x);
                }
                let first = col[0];
                constant[p] = col.iter().all(|&x| x == first);
                let mean = acc.value() / n as f64;
                for x in col.iter_mut() {
                    *x -= mean;
                }
            }
        }
    };
    if plane > 0 {
        if entries < PARALLEL_MIN_WORK || rayon::current_num_threads() == 1 {
            for (pi, (dc, cc)) in data
                .chunks_mut(plane * n)
                .zip(constant.chunks_mut(plane))
                .enumerate()
            {
                fill(pi, dc, cc);
            }
        } else {
            data.par_chunks_mut(plane * n)
                .zip(constant.par_chunks_mut(plane))
                .enumerate()
                .for_each(|(pi, (dc, cc))| fill(pi, dc, cc));
        }
    }
    Ok(Centred {
        data,
        constant,
        n,
        dims,
        plan,
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

fn finish(
    cd: &Centred,
    spec: &WindowSpec,
    ridge: Option<f64>,
    fill: impl Fn(&[(usize, [usize; 3])], &mut [[f64; CHOLESKY_LANES]], usize, Scale) + Sync,
) -> LocalH2 {
    let shape = cd.plan.shape();
    let mut values = Array3::<f64>::zeros(shape);
    let dmax = spec.kernel.len();
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
               i0: usize|
     -> Vec<([usize; 3], Singular)> {
        let at = |j: usize, l: usize| ((i - i0) * shape[1] + j) * shape[2] + l;
        let mut singular = Vec::new();
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
                        groups.push(Group::new(d));
                        groups.last_mut().expect("just pushed")
                    }
                };
                let lane = g.filled;
                fill(entries, &mut g.packed, lane, scale);
                g.lanes[lane] = [i, j, l];
                g.filled += 1;
                if g.filled == CHOLESKY_LANES {
                    g.flush(dst, i0, shape[1], shape[2], &mut singular);
                }
            }
        }
        singular
    };
    let scratch = || (Vec::with_capacity(dmax), Vec::<Group>::new());
    // a band: consecutive rows i0.. sharing the groups, flushed at its end
    let band = |i0: usize, dst: &mut [f64], st: &mut (Vec<(usize, [usize; 3])>, Vec<Group>)| {
        let mut singular = Vec::new();
        for i in i0..i0 + dst.len() / row_len {
            singular.extend(row(i, dst, st, i0));
        }
        for g in st.1.iter_mut() {
            if g.filled > 0 {
                g.flush(dst, i0, shape[1], shape[2], &mut singular);
            }
        }
        singular
    };
    let mut singular: Vec<([usize; 3], Singular)> = Vec::new();
    if row_len > 0 {
        let out = values.as_slice_mut().expect("fresh array");
        let work = out.len() * dmax * dmax * dmax / 6;
        let threads = rayon::current_num_threads();
        if work < PARALLEL_MIN_WORK || threads == 1 {
            singular = band(0, out, &mut scratch());
        } else {
            // about four bands per thread
            let rows_per = shape[0].div_ceil(4 * threads).max(1);
            let parts: Vec<Vec<([usize; 3], Singular)>> = out
                .par_chunks_mut(rows_per * row_len)
                .enumerate()
                .map_init(scratch, |st, (b, dst)| band(b * rows_per, dst, st))
                .collect();
            singular = parts.into_iter().flatten().collect();
        }
    }
    singular.sort_by_key(|(idx, _)| *idx);
    LocalH2 {
        values,
        singular,
        ridge,
        samples: cd.n,
    }
}

/// Largest centred batch (maps × padded positions) local H2 allocates: 2^31 values, 16 GiB.
pub const MAX_CENTRED_ENTRIES: usize = 1 << 31;

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
    filled: usize,
}

impl Group {
    fn new(d: usize) -> Self {
        Group {
            d,
            packed: vec![[0.0; CHOLESKY_LANES]; d * d],
            lanes: [[0; 3]; CHOLESKY_LANES],
            filled: 0,
        }
    }

    /// Factorises the waiting windows into `band` (rows i0.. of the output).
    fn flush(
        &mut self,
        band: &mut [f64],
        i0: usize,
        w1: usize,
        w2: usize,
        singular: &mut Vec<([usize; 3], Singular)>,
    ) {
        self.flush_into(singular, |idx, v| {
            band[((idx[0] - i0) * w1 + idx[1]) * w2 + idx[2]] = v
        });
    }

    fn flush_into(
        &mut self,
        singular: &mut Vec<([usize; 3], Singular)>,
        mut put: impl FnMut([usize; 3], f64),
    ) {
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
                Ok(l) => put(idx, 0.5 * (log2_2pie_d + l)),
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
/// For window W with entries e_1..e_d: Σ_ab = 1/(N−1)·Σ_n (x_n[e_a] − x̄[e_a])(x_n[e_b] − x̄[e_b]),
/// H2(W) = ½·(d·log2(2πe) + log2 det(Σ [+ ε·I]))
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
/// ```
pub fn local_h2<T: MapValue>(
    batch: ArrayView4<'_, T>,
    spec: &WindowSpec,
    opts: &H2Options,
) -> Result<LocalH2> {
    let cd = centre(batch, spec)?;
    let (kh, kw, kc) = (spec.kernel.kh(), spec.kernel.kw(), spec.kernel.kc());
    let (ow, oc) = (2 * kw - 1, 2 * kc - 1);
    let n_off = kh * ow * oc;
    let positions = cd.dims[0] * cd.dims[1] * cd.dims[2];
    let n_windows = cd.plan.windows();
    let d = spec.kernel.len();
    // Shared products pay off when windows overlap; cap the table at 16 M entries (128 MiB).
    let table_cost = positions * n_off;
    let direct_cost = n_windows * d * (d + 1) / 2;
    if table_cost < direct_cost && table_cost <= 16 << 20 {
        let table = build_table(&cd, kh, kw, kc);
        let dims = cd.dims;
        // for full windows the table index of pair (a, b) is base·n_off + pair_idx[a, b]
        let full: Vec<[usize; 3]> = {
            let mut v = Vec::with_capacity(d);
            for y in 0..kh {
                for x in 0..kw {
                    for z in 0..kc {
                        v.push([y, x, z]);
                    }
                }
            }
            v
        };
        let mut pair_idx = vec![0usize; d * d];
        for a in 0..d {
            for b in 0..=a {
                let (ca, cb) = (full[a], full[b]);
                let rel_b = (cb[0] * dims[1] + cb[1]) * dims[2] + cb[2];
                let off = ((ca[0] - cb[0]) * ow + (ca[1] + kw - 1 - cb[1])) * oc
                    + (ca[2] + kc - 1 - cb[2]);
                pair_idx[a * d + b] = rel_b * n_off + off;
            }
        }
        Ok(finish(&cd, spec, opts.ridge, |entries, m, lane, sc| {
            let d = entries.len();
            if d == full.len() {
                let base = entries[0].0 * n_off;
                for a in 0..d {
                    let row = &mut m[a * d..a * d + a + 1];
                    for (r, &pi) in row.iter_mut().zip(&pair_idx[a * d..a * d + a + 1]) {
                        r[lane] = table[base + pi] * sc.inv;
                    }
                    m[a * d + a][lane] += sc.ridge;
                }
                return;
            }
            for (a, &(_, ca)) in entries.iter().enumerate() {
                for (b, &(pb, cb)) in entries[..=a].iter().enumerate() {
                    let dy = ca[0] - cb[0];
                    let dxi = (ca[1] + kw - 1) - cb[1];
                    let dzi = (ca[2] + kc - 1) - cb[2];
                    m[a * d + b][lane] = table[pb * n_off + (dy * ow + dxi) * oc + dzi] * sc.inv;
                }
                m[a * d + a][lane] += sc.ridge;
            }
        }))
    } else {
        Ok(finish(&cd, spec, opts.ridge, |entries, m, lane, sc| {
            fill_direct(&cd, entries, m, lane, sc)
        }))
    }
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
        m[a * d + a][lane] += sc.ridge;
    }
}

/// Dot products of every position with every position at a lexicographically non-negative
/// offset inside the kernel box: entry `p·n_off + (dy·(2k_w−1) + dx + k_w−1)·(2k_c−1) + dz + k_c−1`.
/// Planes (fixed y) are independent and split across rayon's threads.
fn build_table(cd: &Centred, kh: usize, kw: usize, kc: usize) -> Vec<f64> {
    let n_off = kh * (2 * kw - 1) * (2 * kc - 1);
    let dims = cd.dims;
    let mut table = vec![0.0f64; dims[0] * dims[1] * dims[2] * n_off];
    let plane = dims[1] * dims[2] * n_off;
    if plane == 0 {
        return table;
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
    table
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
    let cd = centre(batch, spec)?;
    Ok(finish(&cd, spec, opts.ridge, |entries, m, lane, sc| {
        fill_direct(&cd, entries, m, lane, sc)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::{Border, Kernel, Stride};
    use ndarray::{Array4, array};

    // Edge case: values whose products overflow f64 (finite, ~1e200) are an overflow error
    // naming the value, not a "singular" window; 1e150 still gives a finite H2.
    #[test]
    fn huge_values_are_overflow_not_singular() {
        let spec = WindowSpec::new(Kernel::new(1, 1, 1).unwrap(), Stride::unit(), Border::Valid);
        let mut b = Array4::<f64>::zeros((4, 1, 1, 1));
        for (k, v) in [1.0, 2.0, 4.0, 7.0].iter().enumerate() {
            b[[k, 0, 0, 0]] = v * 1e150;
        }
        let h = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        assert!(h.values[[0, 0, 0]].is_finite() && h.singular.is_empty());
        b[[2, 0, 0, 0]] = 1e200;
        match local_h2(b.view(), &spec, &H2Options::new()) {
            Err(Error::Overflow {
                index: 2, value, ..
            }) => assert_eq!(value, 1e200),
            o => panic!("{o:?}"),
        }
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
