//! The local-entropy profile of a network's feature maps, without burn: what `sednas measure`
//! computes for each captured map ([`measure_map`], [`profile_map`]) and the six
//! per-network local-entropy-decrease summaries ([`summaries`]). `nn::measure` (the burn
//! networks) and the Python package (`sednas.torch.entropy_profile`, on a PyTorch model's
//! maps) both call these, so the figures are one implementation.
//!
//! Per map (an n×h×w×c batch; by default, as `sednas measure`, windows 3×3×1 — one channel,
//! so that H2's d = 9 stays below the batch size — border `valid`, so that every window has
//! exactly d entries):
//! * `h1x`: mean local H1 with the **exact** estimator (Definition 1: value frequencies);
//! * `distinct`: the fraction of windows whose d values are all different (H1 = log2 d). On
//!   pre-activation float maps this is ≈ 1 and exact H1 is *degenerate* (it only counts
//!   distinct values); the binned H1 is the informative one there;
//! * `h1b`: mean local H1 with the binned estimator (`binned:N`: N equal-width bins over the
//!   range of each image's map — all channels of one image share the range);
//! * `zero`: the fraction of windows whose exact H1 is 0 (all d entries equal);
//! * `h2`: mean local H2 across the batch over the non-singular windows, and `singular`,
//!   the fraction of singular ones.
//!
//! Means run over every window of every image (H1) or every window (H2), in the map's
//! row-major window order, images in batch order.

use std::cell::RefCell;

use ndarray::{ArrayView4, Axis};

use super::fused::{ExactIds, H1Pass, H1Setup, H1Sums};
use super::local::{Estimator, MAX_LOCAL_ENTROPY_BYTES, estimate_bytes, local_entropy};
use super::{Binning, H1Estimator, H2Options, MapValue};
use crate::error::{Error, Result};
use crate::numerics::XlogxTable;
use crate::window::{Border, Kernel, Stride, WindowPlan, WindowSpec};

/// One captured map's measurements.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MapMeasure {
    /// Layer name (stem, stageS_cellK, reductionS; reductionS follows stage S, e.g.
    /// reduction1 sits between stage1_cellN and stage2_cell1).
    pub layer: String,
    /// `out` (as the cell emits it) or `relu` (after the next ReLU).
    pub kind: &'static str,
    /// Mean exact local H1 (bits).
    pub h1x: f64,
    /// Fraction of windows with 9 distinct values (exact H1 degenerate when ≈ 1).
    pub distinct: f64,
    /// Mean binned local H1 (bits).
    pub h1b: f64,
    /// Fraction of windows with exact H1 = 0.
    pub zero: f64,
    /// Mean local H2 (bits) over non-singular windows (NaN if none).
    pub h2: f64,
    /// Fraction of singular windows.
    pub singular: f64,
}

/// The figures of one map (see the module docs); the fields of [`MapMeasure`] without its
/// names.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MapFigures {
    /// Mean exact local H1 (bits).
    pub h1x: f64,
    /// Fraction of windows whose d values are all distinct (exact H1 = log2 d).
    pub distinct: f64,
    /// Mean local H1 (bits) with [`ProfileOptions::estimator`].
    pub h1b: f64,
    /// Fraction of windows with exact H1 = 0.
    pub zero: f64,
    /// Mean local H2 (bits) over non-singular windows (NaN if none, or if H2 is off).
    pub h2: f64,
    /// Fraction of singular windows (NaN if H2 is off).
    pub singular: f64,
}

/// How [`profile_map`] measures a map: the window (border `valid`, stride 1), the H1
/// estimator of `h1b`, and whether H2 is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileOptions {
    /// The window (`sednas measure`: 3×3×1).
    pub kernel: Kernel,
    /// The estimator of `h1b` (`sednas measure`: `binned:N` over each image's range).
    pub estimator: H1Estimator,
    /// Whether to compute H2 across the batch (it needs more maps than window entries d
    /// for a non-singular covariance).
    pub h2: bool,
}

impl ProfileOptions {
    /// `sednas measure`'s settings: 3×3×1 windows, `binned:bins` over each image's range, H2.
    ///
    /// # Errors
    /// As [`Binning::data_range`] for `bins` (0, or more than
    /// [`crate::entropy::h1::MAX_BINS`]).
    ///
    /// ```
    /// use sednas::entropy::profile::ProfileOptions;
    /// let o = ProfileOptions::measure(16).unwrap();
    /// assert_eq!((o.kernel.len(), o.h2), (9, true));
    /// assert!(ProfileOptions::measure(0).is_err()); // at least 1 bin
    /// ```
    pub fn measure(bins: usize) -> Result<Self> {
        Ok(ProfileOptions {
            kernel: Kernel::new(3, 3, 1)?,
            estimator: H1Estimator::Binned(Binning::data_range(bins)?),
            h2: true,
        })
    }

    /// The windows: [`ProfileOptions::kernel`], stride 1, border `valid`.
    pub fn spec(&self) -> WindowSpec {
        WindowSpec::new(self.kernel, Stride::unit(), Border::Valid)
    }
}

/// Measures one n×h×w×c map (see the module docs). Each image's two H1 estimators run in
/// one window walk (the exact and the binned ids side by side, a workspace reused across
/// images and maps, nothing allocated per window), bit for bit what two [`local_entropy`]
/// calls per image give (the tests compare them); the batch's H2 map comes from
/// [`local_entropy`]. A map `local_entropy` would refuse for its size is refused before
/// anything is allocated, and any error is the one the unfused calls report (an error
/// reruns them).
///
/// # Errors
/// An empty batch; the errors of [`local_entropy`] (NaN or ±inf with its index, a window
/// larger than the map, H2 with fewer than 2 maps, …).
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::profile::{profile_map, ProfileOptions};
/// use sednas::window::Kernel;
/// // 1×1 windows hold one value: exact H1 0 everywhere, and every window "distinct" (log2 1 = 0)
/// let a = Array4::from_shape_fn((3, 2, 2, 1), |(n, i, j, _)| (n + i + j) as f64);
/// let o = ProfileOptions { kernel: Kernel::new(1, 1, 1).unwrap(), estimator: "exact".parse().unwrap(), h2: false };
/// let f = profile_map(a.view(), &o).unwrap();
/// assert_eq!((f.h1x, f.distinct, f.h1b, f.zero), (0.0, 1.0, 0.0, 1.0));
/// assert!(f.h2.is_nan() && f.singular.is_nan()); // H2 off
/// ```
pub fn profile_map<T: MapValue>(a: ArrayView4<'_, T>, opts: &ProfileOptions) -> Result<MapFigures> {
    let fast = with_pass(|p| h1_fused(a, None, opts, p))
        .and_then(|[s, _]| Ok(figures(s, h2_figures(a, opts)?)));
    match fast {
        Ok(f) => Ok(f),
        // the reference path gives the error (and its order) the unfused code gave
        Err(_) => profile_map_reference(a, opts),
    }
}

/// [`profile_map`] of `pre` and of `post`, bit for bit (errors included), in one pass
/// when `post` is `relu(pre)`: the exact-H1 value ids of `post` are then those of `pre`
/// (ReLU keeps every positive value and maps the rest to 0), so `post`'s values are not
/// hashed again. Whether `post` is `relu(pre)` is checked value by value; any other
/// `post` is measured on its own.
///
/// # Errors
/// As [`profile_map`] for either map.
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::profile::{profile_map, profile_pair, ProfileOptions};
/// let pre = Array4::from_shape_fn((12, 5, 6, 2), |(n, i, j, c)| ((n * 7 + i * 5 + j * 3 + c) % 11) as f32 - 5.0);
/// let post = pre.mapv(|x| x.max(0.0));
/// let o = ProfileOptions::measure(16).unwrap();
/// let [a, b] = profile_pair(pre.view(), post.view(), &o).unwrap();
/// // (compared as text: H2 is NaN here, every window's covariance being singular)
/// assert_eq!(format!("{a:?}"), format!("{:?}", profile_map(pre.view(), &o).unwrap()));
/// assert_eq!(format!("{b:?}"), format!("{:?}", profile_map(post.view(), &o).unwrap()));
/// ```
pub fn profile_pair<T: MapValue>(
    pre: ArrayView4<'_, T>,
    post: ArrayView4<'_, T>,
    opts: &ProfileOptions,
) -> Result<[MapFigures; 2]> {
    let fast = with_pass(|p| h1_fused(pre, Some(post), opts, p)).and_then(|[s, t]| {
        let a = figures(s, h2_figures(pre, opts)?);
        Ok([a, figures(t, h2_figures(post, opts)?)])
    });
    match fast {
        Ok(f) => Ok(f),
        Err(_) => Ok([
            profile_map_reference(pre, opts)?,
            profile_map_reference(post, opts)?,
        ]),
    }
}

thread_local! {
    /// The fused walk's workspace, reused by every map measured on this thread.
    static PASS: RefCell<H1Pass> = RefCell::new(H1Pass::default());
}

/// Runs `f` with this thread's workspace (a fresh one if it is in use), then trims it.
fn with_pass<R>(f: impl FnOnce(&mut H1Pass) -> R) -> R {
    PASS.with(|p| match p.try_borrow_mut() {
        Ok(mut p) => {
            let r = f(&mut p);
            p.trim();
            r
        }
        Err(_) => f(&mut H1Pass::default()),
    })
}

/// The H1 sums of `a` (and of `b`, `relu(a)` if it is), by the fused walk. Any error (an
/// empty batch, a map over the size limit, a non-finite value, …) sends the caller to the
/// reference path, which reports it as the unfused code did; nothing is allocated for a
/// map that `local_entropy` would refuse.
fn h1_fused<T: MapValue>(
    a: ArrayView4<'_, T>,
    b: Option<ArrayView4<'_, T>>,
    opts: &ProfileOptions,
    pass: &mut H1Pass,
) -> Result<[H1Sums; 2]> {
    let (n, h, w, c) = a.dim();
    if n == 0 || b.is_some_and(|b| b.dim() != a.dim()) {
        return Err(Error::Shape(format!(
            "a batch of {n} maps, or a pair of different shapes: {:?} and {:?}",
            a.dim(),
            b.map(|b| b.dim())
        )));
    }
    let spec = opts.spec();
    for est in [H1Estimator::Exact, opts.estimator] {
        if let Some(bytes) = estimate_bytes::<T>(&[h, w, c], &spec, &Estimator::H1(est))
            && bytes > MAX_LOCAL_ENTROPY_BYTES as u128
        {
            return Err(Error::TooLarge {
                what: "bytes of output map and workspace",
                requested: bytes,
                limit: MAX_LOCAL_ENTROPY_BYTES as u128,
            });
        }
    }
    let plan = WindowPlan::new([h, w, c], &spec)?;
    let table = XlogxTable::new(opts.kernel.len());
    let setup = H1Setup {
        plan: &plan,
        col: opts.kernel.kh() * opts.kernel.kc(),
        table: &table,
        full: (opts.kernel.len() as f64).log2(),
        second: opts.estimator,
        sort9: super::sort9::is_3x3x1_valid(plan.axes().each_ref())
            .then(|| super::sort9::Patterns::new(&table)),
    };
    let mut sums = [H1Sums::default(); 2];
    for k in 0..n {
        let img = a.index_axis(Axis(0), k);
        pass.image(img, ExactIds::Own, &setup, &mut sums[0])?;
        if let Some(b) = b {
            let how = ExactIds::ReluOf(img);
            pass.image(b.index_axis(Axis(0), k), how, &setup, &mut sums[1])?;
        }
    }
    Ok(sums)
}

/// H2 and the singular fraction of a batch (NaN, NaN when H2 is off).
fn h2_figures<T: MapValue>(a: ArrayView4<'_, T>, opts: &ProfileOptions) -> Result<(f64, f64)> {
    if !opts.h2 {
        return Ok((f64::NAN, f64::NAN));
    }
    let gaussian = Estimator::Gaussian(H2Options::new());
    let r = local_entropy(a.into_dyn(), &opts.spec(), &gaussian)?;
    let (mut s2, mut n2, mut ns) = (0.0, 0usize, 0usize);
    for &h in r.values.iter() {
        if h.is_finite() {
            s2 += h;
            n2 += 1;
        } else {
            ns += 1;
        }
    }
    Ok((
        if n2 > 0 { s2 / n2 as f64 } else { f64::NAN },
        ns as f64 / (n2 + ns).max(1) as f64,
    ))
}

/// The figures from the H1 sums and H2.
fn figures(s: H1Sums, (h2, singular): (f64, f64)) -> MapFigures {
    let c = s.cnt.max(1) as f64;
    MapFigures {
        h1x: s.sx / c,
        distinct: s.nd as f64 / c,
        h1b: s.sb / c,
        zero: s.nz as f64 / c,
        h2,
        singular,
    }
}

/// The unfused reference: each image's H1 maps from two [`local_entropy`] calls (exact,
/// then [`ProfileOptions::estimator`]) and H2 from a third; the code `profile_map` had
/// before the fused walk, kept for its errors and as the tests' reference.
fn profile_map_reference<T: MapValue>(
    a: ArrayView4<'_, T>,
    opts: &ProfileOptions,
) -> Result<MapFigures> {
    if a.len_of(Axis(0)) == 0 {
        return Err(Error::Empty {
            what: "batch",
            shape: a.shape().to_vec(),
        });
    }
    let spec = opts.spec();
    let exact = Estimator::H1(H1Estimator::Exact);
    let binned = Estimator::H1(opts.estimator);
    let full = (opts.kernel.len() as f64).log2();
    let (mut sx, mut sb, mut nz, mut nd, mut cnt) = (0.0, 0.0, 0usize, 0usize, 0usize);
    for img in a.axis_iter(Axis(0)) {
        let hx = local_entropy(img.into_dyn(), &spec, &exact)?.values;
        let hb = local_entropy(img.into_dyn(), &spec, &binned)?.values;
        for (&x, &b) in hx.iter().zip(hb.iter()) {
            sx += x;
            sb += b;
            nz += (x == 0.0) as usize;
            nd += ((x - full).abs() < 1e-12) as usize;
            cnt += 1;
        }
    }
    let (h2, singular) = if opts.h2 {
        let gaussian = Estimator::Gaussian(H2Options::new());
        let r = local_entropy(a.into_dyn(), &spec, &gaussian)?;
        let (mut s2, mut n2, mut ns) = (0.0, 0usize, 0usize);
        for &h in r.values.iter() {
            if h.is_finite() {
                s2 += h;
                n2 += 1;
            } else {
                ns += 1;
            }
        }
        (
            if n2 > 0 { s2 / n2 as f64 } else { f64::NAN },
            ns as f64 / (n2 + ns).max(1) as f64,
        )
    } else {
        (f64::NAN, f64::NAN)
    };
    let c = cnt.max(1) as f64;
    Ok(MapFigures {
        h1x: sx / c,
        distinct: nd as f64 / c,
        h1b: sb / c,
        zero: nz as f64 / c,
        h2,
        singular,
    })
}

/// Measures one n×h×w×c map as `sednas measure` does ([`profile_map`] with
/// [`ProfileOptions::measure`]`(bins)`), named `layer` / `kind`.
///
/// # Errors
/// As [`ProfileOptions::measure`] and [`profile_map`].
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::profile::measure_map;
/// // ten identical 3×3 maps holding 0, 1, ..., 8: one window, 9 distinct values, and every
/// // entry the same over the batch (H2 singular)
/// let a = Array4::from_shape_fn((10, 3, 3, 1), |(_, i, j, _)| (3 * i + j) as f32);
/// let m = measure_map(a.view(), "x", "out", 9).unwrap();
/// assert_eq!((m.h1x, m.distinct, m.zero, m.singular), (9f64.log2(), 1.0, 0.0, 1.0));
/// assert!(m.h2.is_nan());
/// assert_eq!(m.h1b, 9f64.log2()); // 9 bins over [0, 8]: one value per bin
/// // a constant map: H1 = 0 in every window
/// let z = Array4::<f32>::zeros((10, 3, 3, 1));
/// let m = measure_map(z.view(), "x", "out", 9).unwrap();
/// assert_eq!((m.h1x, m.distinct, m.zero), (0.0, 0.0, 1.0));
/// ```
pub fn measure_map(
    a: ArrayView4<'_, f32>,
    layer: &str,
    kind: &'static str,
    bins: usize,
) -> Result<MapMeasure> {
    let f = profile_map(a, &ProfileOptions::measure(bins)?)?;
    Ok(MapMeasure::new(layer, kind, f))
}

/// [`measure_map`] of a cell's `out` map and of its `relu` map (`relu(pre)`), bit for bit,
/// through [`profile_pair`] (the `relu` map's exact-H1 ids come from the `out` map's).
///
/// # Errors
/// As [`ProfileOptions::measure`] and [`profile_pair`].
///
/// ```
/// use ndarray::Array4;
/// use sednas::entropy::profile::{measure_map, measure_pair};
/// let pre = Array4::from_shape_fn((10, 4, 4, 3), |(n, i, j, c)| ((n + 3 * i + j * c) % 5) as f32 - 2.0);
/// let post = pre.mapv(|x| x.max(0.0));
/// let [o, r] = measure_pair(pre.view(), post.view(), "cell", 16).unwrap();
/// assert_eq!((o.kind, r.kind), ("out", "relu"));
/// // (compared as text: H2 may be NaN)
/// assert_eq!(format!("{o:?}"), format!("{:?}", measure_map(pre.view(), "cell", "out", 16).unwrap()));
/// assert_eq!(format!("{r:?}"), format!("{:?}", measure_map(post.view(), "cell", "relu", 16).unwrap()));
/// ```
pub fn measure_pair(
    pre: ArrayView4<'_, f32>,
    post: ArrayView4<'_, f32>,
    layer: &str,
    bins: usize,
) -> Result<[MapMeasure; 2]> {
    let [a, b] = profile_pair(pre, post, &ProfileOptions::measure(bins)?)?;
    Ok([
        MapMeasure::new(layer, "out", a),
        MapMeasure::new(layer, "relu", b),
    ])
}

impl MapMeasure {
    /// The figures `f` of the map `layer` / `kind`.
    ///
    /// ```
    /// use sednas::entropy::profile::{MapFigures, MapMeasure};
    /// let f = MapFigures { h1x: 1.0, distinct: 0.5, h1b: 0.75, zero: 0.25, h2: 3.0, singular: 0.0 };
    /// let m = MapMeasure::new("stem", "relu", f);
    /// assert_eq!((m.layer.as_str(), m.kind, m.h1b), ("stem", "relu", 0.75));
    /// ```
    pub fn new(layer: &str, kind: &'static str, f: MapFigures) -> Self {
        MapMeasure {
            layer: layer.to_string(),
            kind,
            h1x: f.h1x,
            distinct: f.distinct,
            h1b: f.h1b,
            zero: f.zero,
            h2: f.h2,
            singular: f.singular,
        }
    }
}

/// Names of the per-network local-entropy-decrease summaries, each oriented so that
/// *higher = less decrease* (the paper's premise: higher should mean more accurate).
pub const SUMMARIES: [&str; 6] = [
    "h1_last_minus_stem",
    "h1_neg_max_drop",
    "h1_min",
    "h2_last_minus_stem",
    "neg_zero_last",
    "neg_zero_mean",
];

/// The summaries of [`SUMMARIES`], from the `relu` maps (what each convolution sees), in
/// network order.
///
/// # Formula
/// with b_k the binned H1 of layer k (k = 0 the stem, K the last cell), z_k the zero-H1
/// fraction and g_k the H2: b_K − b_0; −max(0, max_k (b_k − b_{k+1})); min_k b_k;
/// g_K − g_0; −z_K; −mean_k z_k
///
/// ```
/// use sednas::entropy::profile::{MapMeasure, summaries};
/// let m = |layer: &str, h1b: f64, zero: f64, h2: f64| MapMeasure {
///     layer: layer.into(), kind: "relu", h1x: 0.0, distinct: 0.0, h1b, zero, h2, singular: 0.0 };
/// let s = summaries(&[m("stem", 2.0, 0.25, 5.0), m("cell1", 1.5, 0.25, 4.0), m("cell2", 1.75, 0.5, 3.0)]);
/// assert_eq!(s, vec![-0.25, -0.5, 1.5, -2.0, -0.5, -1.0 / 3.0]);
/// ```
pub fn summaries(maps: &[MapMeasure]) -> Vec<f64> {
    let r: Vec<&MapMeasure> = maps.iter().filter(|m| m.kind == "relu").collect();
    let (Some(first), Some(last)) = (r.first(), r.last()) else {
        return vec![f64::NAN; SUMMARIES.len()];
    };
    let max_drop = r
        .windows(2)
        .map(|w| w[0].h1b - w[1].h1b)
        .fold(0.0f64, f64::max);
    vec![
        last.h1b - first.h1b,
        -max_drop,
        r.iter().map(|m| m.h1b).fold(f64::INFINITY, f64::min),
        last.h2 - first.h2,
        -last.zero,
        -r.iter().map(|m| m.zero).sum::<f64>() / r.len() as f64,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::{local_h1, local_h2};
    use ndarray::Array4;

    /// `nn::measure::measure_map` as it was before it moved here (calling `local_h1` and
    /// `local_h2` directly, with 3×3×1 and log2 9 written out): the moved code must give
    /// the same bits.
    fn measure_map_before_the_move(a: ArrayView4<'_, f32>, bins: usize) -> Result<[f64; 6]> {
        let spec = WindowSpec::new(Kernel::new(3, 3, 1)?, Stride::unit(), Border::Valid);
        let binned = H1Estimator::Binned(Binning::data_range(bins)?);
        let full = 9f64.log2();
        let (mut sx, mut sb, mut nz, mut nd, mut cnt) = (0.0, 0.0, 0usize, 0usize, 0usize);
        for img in a.axis_iter(Axis(0)) {
            let hx = local_h1(img, &spec, &H1Estimator::Exact)?;
            let hb = local_h1(img, &spec, &binned)?;
            for (&x, &b) in hx.iter().zip(hb.iter()) {
                sx += x;
                sb += b;
                nz += (x == 0.0) as usize;
                nd += ((x - full).abs() < 1e-12) as usize;
                cnt += 1;
            }
        }
        let r = local_h2(a, &spec, &H2Options::new())?;
        let (mut s2, mut n2, mut ns) = (0.0, 0usize, 0usize);
        for &h in r.values.iter() {
            if h.is_finite() {
                s2 += h;
                n2 += 1;
            } else {
                ns += 1;
            }
        }
        let c = cnt.max(1) as f64;
        Ok([
            sx / c,
            nd as f64 / c,
            sb / c,
            nz as f64 / c,
            if n2 > 0 { s2 / n2 as f64 } else { f64::NAN },
            ns as f64 / (n2 + ns).max(1) as f64,
        ])
    }

    fn bits(m: &MapMeasure) -> [u64; 6] {
        [m.h1x, m.distinct, m.h1b, m.zero, m.h2, m.singular].map(f64::to_bits)
    }

    // The move is bit-exact: on float maps (pre-activation, after a ReLU, quantised to few
    // levels, constant, tiny batches with singular H2) the moved `measure_map` gives the
    // same bits as the code before the move.
    #[test]
    fn measure_map_is_bit_identical_to_the_code_before_the_move() {
        let mut r = crate::rng::SplitMix64::new(7);
        for (n, h, w, c) in [(10, 8, 8, 3), (16, 9, 7, 5), (12, 3, 3, 1), (20, 16, 16, 4)] {
            let pre = Array4::from_shape_simple_fn((n, h, w, c), || (r.unit() * 4.0 - 2.0) as f32);
            let maps = [
                pre.clone(),
                pre.mapv(|x| x.max(0.0)),
                pre.mapv(|x| (x * 2.0).round()),
                Array4::zeros((n, h, w, c)),
                pre.mapv(|x| (x > 0.5) as u8 as f32),
            ];
            for (i, m) in maps.iter().enumerate() {
                for bins in [2, 16, 9] {
                    let new = measure_map(m.view(), "x", "relu", bins).unwrap();
                    let old = measure_map_before_the_move(m.view(), bins).unwrap();
                    assert_eq!(
                        bits(&new),
                        old.map(f64::to_bits),
                        "shape {:?} map {i} bins {bins}",
                        m.dim()
                    );
                }
            }
        }
    }

    // profile_map with H2 off gives the same H1 figures, NaN for H2; an empty batch is refused.
    #[test]
    fn h2_off_and_empty_batch() {
        let mut r = crate::rng::SplitMix64::new(3);
        let a = Array4::from_shape_simple_fn((4, 6, 6, 2), || r.unit() as f32);
        let mut o = ProfileOptions::measure(16).unwrap();
        let on = profile_map(a.view(), &o).unwrap();
        o.h2 = false;
        let off = profile_map(a.view(), &o).unwrap();
        assert_eq!(
            (on.h1x, on.distinct, on.h1b, on.zero),
            (off.h1x, off.distinct, off.h1b, off.zero)
        );
        assert!(off.h2.is_nan() && off.singular.is_nan());
        assert_eq!(on.singular, 1.0); // 4 maps, d = 9: every Σ singular
        let e = Array4::<f32>::zeros((0, 6, 6, 2));
        assert!(profile_map(e.view(), &o).is_err());
    }

    // Edge case: no `relu` map gives NaN summaries; one map gives zero differences.
    #[test]
    fn summaries_of_none_and_one() {
        assert!(summaries(&[]).iter().all(|s| s.is_nan()));
        let m = MapMeasure {
            layer: "stem".into(),
            kind: "relu",
            h1x: 1.0,
            distinct: 0.0,
            h1b: 2.0,
            zero: 0.5,
            h2: 3.0,
            singular: 0.0,
        };
        assert_eq!(summaries(&[m]), vec![0.0, -0.0, 2.0, 0.0, -0.5, -0.5]);
    }

    fn fig_bits(f: &MapFigures) -> [u64; 6] {
        [f.h1x, f.distinct, f.h1b, f.zero, f.h2, f.singular].map(f64::to_bits)
    }

    /// Same bits, or the same error.
    fn same(a: &Result<MapFigures>, b: &Result<MapFigures>) -> bool {
        match (a, b) {
            (Ok(x), Ok(y)) => fig_bits(x) == fig_bits(y),
            (Err(x), Err(y)) => x.to_string() == y.to_string(),
            _ => false,
        }
    }

    /// The fused walk and the reference path on `pre`, `post` in every type that fits.
    fn check_all(pre: &Array4<f64>, post: &Array4<f64>, o: &ProfileOptions) {
        fn one<T: MapValue>(pre: ArrayView4<'_, T>, post: ArrayView4<'_, T>, o: &ProfileOptions) {
            let (rp, rq) = (
                profile_map_reference(pre, o),
                profile_map_reference(post, o),
            );
            assert!(same(&profile_map(pre, o), &rp), "pre {o:?}");
            assert!(same(&profile_map(post, o), &rq), "post {o:?}");
            match profile_pair(pre, post, o) {
                Ok([a, b]) => assert!(same(&Ok(a), &rp) && same(&Ok(b), &rq), "pair {o:?}"),
                Err(e) => {
                    // the first error, as measuring pre then post
                    let first = rp.err().or(rq.err()).expect("an error");
                    assert_eq!(e.to_string(), first.to_string(), "pair {o:?}");
                }
            }
        }
        one(pre.view(), post.view(), o);
        one(
            pre.mapv(|x| x as f32).view(),
            post.mapv(|x| x as f32).view(),
            o,
        );
        one(
            pre.mapv(|x| x.abs().min(255.0) as u8).view(),
            post.mapv(|x| x.abs().min(255.0) as u8).view(),
            o,
        );
    }

    /// A batch n×h×w×c: `levels` integer levels around 0 (0: continuous values), zeros
    /// of either sign.
    fn batch(n: usize, h: usize, w: usize, c: usize, levels: u32, seed: u64) -> Array4<f64> {
        let mut r = crate::rng::SplitMix64::new(seed);
        Array4::from_shape_simple_fn((n, h, w, c), || {
            let x = if levels == 0 {
                r.unit() * 4.0 - 2.0
            } else {
                (r.unit() * levels as f64).floor() - (levels / 2) as f64
            };
            if x == 0.0 && r.unit() < 0.5 { -0.0 } else { x }
        })
    }

    fn estimator(k: usize, bins: usize) -> H1Estimator {
        match k {
            0 => H1Estimator::Exact,
            1 => H1Estimator::Binned(Binning::data_range(bins).unwrap()),
            2 => H1Estimator::Binned(Binning::range(-3.0, 3.0, bins).unwrap()),
            // narrower than the values: an out-of-range error
            _ => H1Estimator::Binned(Binning::range(-1.0, 1.0, bins).unwrap()),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        // The fused walk (profile_map, profile_pair) is bit-identical to the reference path
        // (two local_entropy H1 calls per image, summed in window order), errors included:
        // any kernel that fits, exact or binned (data range, a stated range, a range the
        // values leave), H2 on or off, f64 / f32 / u8, continuous maps and maps with few
        // levels, `post` = relu(pre) (ids derived) and `post` not relu(pre) (hashed).
        #[test]
        fn fused_is_bit_identical_to_the_reference(
            (n, h, w, c) in (1usize..13, 1usize..8, 1usize..8, 1usize..4),
            (kw, kh, kc) in (0usize..3, 0usize..3, 0usize..2),
            levels in 0u32..7,
            seed in proptest::prelude::any::<u64>(),
            est in 0usize..4,
            bins in 1usize..20,
            h2 in proptest::prelude::any::<bool>(),
        ) {
            let fit = |k: usize, len: usize| (2 * k + 1).min(2 * ((len - 1) / 2) + 1);
            let o = ProfileOptions {
                kernel: Kernel::new(fit(kw, w), fit(kh, h), fit(kc, c)).unwrap(),
                estimator: estimator(est, bins),
                h2,
            };
            let pre = batch(n, h, w, c, levels, seed);
            let relu = pre.mapv(|x| if x >= 0.0 { x } else { 0.0 }); // keeps −0.0
            check_all(&pre, &relu, &o);
            let other = pre.mapv(|x| (x * 0.5).abs());
            check_all(&pre, &other, &o);
        }
    }

    // Edge cases of the fused path give the reference's errors: a NaN in a later image (of
    // pre or of post), an infinity, an empty batch, a kernel larger than the map, a pair of
    // different shapes.
    #[test]
    fn fused_errors_are_the_reference_errors() {
        let o = ProfileOptions::measure(16).unwrap();
        let pre = batch(12, 6, 5, 2, 0, 1);
        let relu = pre.mapv(|x| x.max(0.0));
        let mut nan = pre.clone();
        nan[[3, 2, 1, 1]] = f64::NAN;
        let mut inf = relu.clone();
        inf[[5, 0, 0, 0]] = f64::INFINITY;
        check_all(&nan, &relu, &o);
        check_all(&pre, &inf, &o);
        check_all(&nan, &nan.mapv(|x| x.max(0.0)), &o);
        let empty = Array4::<f64>::zeros((0, 6, 5, 2));
        check_all(&empty, &empty, &o);
        let small = batch(12, 2, 5, 2, 3, 2);
        check_all(&small, &small.mapv(|x| x.max(0.0)), &o);
        // shapes differ: each measured on its own
        let other = batch(12, 4, 5, 2, 3, 2);
        let [a, b] = profile_pair(pre.view(), other.view(), &o).unwrap();
        assert!(same(&Ok(a), &profile_map_reference(pre.view(), &o)));
        assert!(same(&Ok(b), &profile_map_reference(other.view(), &o)));
    }
}
