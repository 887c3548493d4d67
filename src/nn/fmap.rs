//! Local entropy of captured feature maps, layer by layer.

use burn::tensor::Device;
use ndarray::{Array3, s};

use super::{Classifier, from_nchw, to_nhwc};
use crate::data::ImageSet;
use crate::entropy::{H1Estimator, H2Options, local_h1, local_h2, summarize};
use crate::error::{Error, Result};
use crate::window::WindowSpec;

/// Local-entropy summary of one layer's feature maps over a batch of images.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LayerEntropy {
    /// Layer name (stem, stageS_cellK, reductionS, ...; reductionS follows stage S, e.g.
    /// reduction1 sits between stage1_cellN and stage2_cell1).
    pub layer: String,
    /// Feature-map shape n×h×w×c.
    pub shape: [usize; 4],
    /// Mean local H1 (bits) over all windows of all images.
    pub h1_mean: f64,
    /// Smallest local H1.
    pub h1_min: f64,
    /// Fraction of windows with H1 = 0 under the requested estimator (a binned estimator can
    /// call near-equal values equal; see `h1_exact_zero_fraction`).
    pub h1_zero_fraction: f64,
    /// Mean local H1 (bits) under the exact estimator (Definition 1, value frequencies),
    /// always computed. Where every value of a window is distinct it equals log2 of the
    /// window size: on pre-activation float maps the exact estimator is degenerate.
    pub h1_exact_mean: f64,
    /// Fraction of exactly constant windows (exact estimator: H1 = 0 iff all entries are
    /// equal), always computed; the estimator every zero-H1 verdict uses.
    pub h1_exact_zero_fraction: f64,
    /// Mean local H2 (bits) over finite windows (None if every window is singular or H2 was skipped).
    pub h2_mean: Option<f64>,
    /// Fraction of windows with H2 = −∞ (singular covariance), if H2 was computed.
    pub h2_neg_inf_fraction: Option<f64>,
    /// The H1 map of the first image (for heatmaps).
    #[serde(skip)]
    pub first_h1: Array3<f64>,
}

/// Runs `model` (evaluation mode) on `images` and measures every captured feature map:
/// local H1 per image (then averaged) and, when `h2` is given, local H2 across the batch.
///
/// Zero images give the stem a constant map per channel (its bias, then BatchNorm): every
/// one-channel window there has H1 = 0. (Border `crop`: the last maps are smaller than the
/// window.)
///
/// # Errors
/// [`Error::Shape`] or [`Error::Empty`] for images the network cannot take
/// ([`Classifier::check_input`]); [`Error::Internal`] for a map that does not convert; the
/// entropy core's errors ([`local_h1`], and `local_h2` with `h2`: fewer than 2 images, a
/// window larger than a map under `valid`, …).
///
/// ```
/// use ndarray::Array4;
/// use sednas::data::ImageSet;
/// use sednas::entropy::H1Estimator;
/// use sednas::nn::fmap::fmap_entropy;
/// use sednas::nn::plain::{PlainCnn, PlainConfig};
/// use sednas::nn::cpu;
/// use sednas::window::{Border, Kernel, Stride, WindowSpec};
/// let device = cpu();
/// let cfg = PlainConfig { in_channels: 1, width: 2, pool: 3, kernel: 3, skip: false, classes: 10 };
/// let net = PlainCnn::new(&cfg, &device).unwrap();
/// let images = ImageSet {
///     name: "zeros".into(),
///     images: Array4::zeros((2, 1, 8, 8)),
///     labels: vec![0, 1],
///     classes: 10,
/// };
/// let spec = WindowSpec::new(Kernel::new(3, 3, 1).unwrap(), Stride::unit(), Border::Crop);
/// let layers = fmap_entropy(&net, &images, &spec, &H1Estimator::Exact, None, &device).unwrap();
/// let shapes: Vec<_> = layers.iter().map(|l| (l.layer.as_str(), l.shape)).collect();
/// assert_eq!(
///     shapes,
///     [
///         ("stem", [2, 8, 8, 2]),
///         ("pool", [2, 4, 4, 2]),
///         ("conv", [2, 4, 4, 2]),
///         ("stage2", [2, 2, 2, 4]),
///         ("stage3", [2, 1, 1, 8]),
///     ]
/// );
/// assert_eq!((layers[0].h1_mean, layers[0].h1_exact_zero_fraction), (0.0, 1.0));
/// assert_eq!(layers[0].h2_mean, None); // H2 not asked for
/// ```
pub fn fmap_entropy<M: Classifier>(
    model: &M,
    images: &ImageSet,
    spec: &WindowSpec,
    h1: &H1Estimator,
    h2: Option<&H2Options>,
    device: &Device,
) -> Result<Vec<LayerEntropy>> {
    let (n, c, h, w) = images.images.dim();
    model.check_input([n, c, h, w])?;
    let m = model.valid();
    let (_, feats) = m.forward_features(from_nchw(images.images.view(), device));
    let mut out = Vec::new();
    for (name, t) in feats {
        let a = to_nhwc(t)?;
        let (n, h, w, c) = a.dim();
        let (mut sum, mut cnt, mut min, mut zeros) = (0.0, 0usize, f64::INFINITY, 0usize);
        let (mut esum, mut ezeros) = (0.0, 0usize);
        let mut first = Array3::zeros((0, 0, 0));
        for i in 0..n {
            let map = local_h1(a.slice(s![i, .., .., ..]), spec, h1)?;
            let sm = summarize(map.view());
            sum += sm.mean.unwrap_or(0.0) * sm.windows as f64;
            cnt += sm.windows;
            min = min.min(sm.min);
            zeros += (sm.zero_fraction * sm.windows as f64).round() as usize;
            let em = if *h1 == H1Estimator::Exact {
                sm
            } else {
                summarize(local_h1(a.slice(s![i, .., .., ..]), spec, &H1Estimator::Exact)?.view())
            };
            esum += em.mean.unwrap_or(0.0) * em.windows as f64;
            ezeros += (em.zero_fraction * em.windows as f64).round() as usize;
            if i == 0 {
                first = map;
            }
        }
        let (h2_mean, h2_inf) = match h2 {
            Some(opts) if n >= 2 => {
                let r = local_h2(a.view(), spec, opts)?;
                let sm = summarize(r.values.view());
                (sm.mean, Some(sm.neg_inf_fraction))
            }
            _ => (None, None),
        };
        out.push(LayerEntropy {
            layer: name,
            shape: [n, h, w, c],
            h1_mean: if cnt > 0 { sum / cnt as f64 } else { f64::NAN },
            h1_min: min,
            h1_zero_fraction: if cnt > 0 {
                zeros as f64 / cnt as f64
            } else {
                f64::NAN
            },
            h1_exact_mean: if cnt > 0 { esum / cnt as f64 } else { f64::NAN },
            h1_exact_zero_fraction: if cnt > 0 {
                ezeros as f64 / cnt as f64
            } else {
                f64::NAN
            },
            h2_mean,
            h2_neg_inf_fraction: h2_inf,
            first_h1: first,
        });
    }
    Ok(out)
}

/// The `fmap-entropy` table: a header line and one row per layer (shape, mean and minimum
/// H1, share of zero-H1 windows, mean H2 and share of H2 = −∞; bits).
pub fn layers_table(layers: &[LayerEntropy]) -> String {
    use std::fmt::Write as _;
    let mut s = format!(
        "{:<14} {:>18} {:>9} {:>9} {:>9} {:>10} {:>9}\n",
        "layer", "n×h×w×c", "H1 mean", "H1 min", "H1=0", "H2 mean", "H2=-inf"
    );
    for l in layers {
        let sh = format!(
            "{}×{}×{}×{}",
            l.shape[0], l.shape[1], l.shape[2], l.shape[3]
        );
        let h2m = l
            .h2_mean
            .map(|v| format!("{v:.2}"))
            .unwrap_or_else(|| "n/a".into());
        let h2i = l
            .h2_neg_inf_fraction
            .map(|v| format!("{:.1}%", 100.0 * v))
            .unwrap_or_else(|| "n/a".into());
        let _ = writeln!(
            s,
            "{:<14} {:>18} {:>9.4} {:>9.4} {:>8.1}% {:>10} {:>9}",
            l.layer,
            sh,
            l.h1_mean,
            l.h1_min,
            100.0 * l.h1_zero_fraction,
            h2m,
            h2i
        );
    }
    s
}

/// The layers as CSV (`layer,n,h,w,c,h1_mean,h1_min,h1_zero_fraction,h2_mean,h2_neg_inf_fraction`;
/// an H2 that was not computed is an empty field).
pub fn layers_csv(layers: &[LayerEntropy]) -> String {
    use std::fmt::Write as _;
    let mut s =
        String::from("layer,n,h,w,c,h1_mean,h1_min,h1_zero_fraction,h2_mean,h2_neg_inf_fraction\n");
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for l in layers {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{}",
            l.layer,
            l.shape[0],
            l.shape[1],
            l.shape[2],
            l.shape[3],
            l.h1_mean,
            l.h1_min,
            l.h1_zero_fraction,
            opt(l.h2_mean),
            opt(l.h2_neg_inf_fraction)
        );
    }
    s
}

/// Writes the layers to `out` as `.json` or `.csv` (atomically).
///
/// # Errors
/// [`Error::InvalidParameter`] (`--out`) for another extension; [`Error::Json`] naming
/// `out` for layers that do not encode; [`Error::Io`] for a failed write.
pub fn write_layers(out: &std::path::Path, layers: &[LayerEntropy]) -> Result<()> {
    let bytes = match out.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => serde_json::to_vec_pretty(layers).map_err(|e| Error::Json {
            what: out.display().to_string(),
            reason: e.to_string(),
        })?,
        "csv" => layers_csv(layers).into_bytes(),
        _ => {
            return Err(Error::param(
                "--out",
                format!("{}: must end in .json or .csv", out.display()),
            ));
        }
    };
    crate::io::write_atomic(out, &bytes)
}

/// Writes the H1 heatmap figure of the first image of every layer into `dir` (created), one
/// `LAYER.png` each: a panel per channel with pixel axes, a colour bar in bits and a caption
/// naming `source` (the images), the windows, `estimator` and `command`.
///
/// # Errors
/// [`Error::Io`] for a folder or file that cannot be written; the figure's size refusal.
pub fn write_heatmaps(
    dir: &std::path::Path,
    layers: &[LayerEntropy],
    source: &str,
    estimator: &str,
    spec: &WindowSpec,
    command: &str,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for l in layers {
        let p = dir.join(format!("{}.png", l.layer));
        let caption = crate::plot::Caption::new(
            format!("first image of {source}"),
            format!("{} windows", l.first_h1.len()),
            command.to_string(),
        )
        .estimator(format!("{estimator}, {}", crate::plot::windows_text(spec)));
        let hm = crate::plot::Heatmap {
            title: &format!("Local H1 of layer {}, first image", l.layer),
            value: "local H1 (bits)",
            scale: 4,
        };
        let png = crate::plot::heatmap_png(l.first_h1.view(), &hm, &caption)?;
        crate::io::write_atomic(&p, &png)?;
    }
    Ok(())
}
