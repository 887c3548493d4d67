//! `sednas entropy FILE`: local H1/H2 of a `.npy` or PNG map.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use ndarray::Axis;

use crate::entropy::{Estimator, H2Options, local_entropy, summarize};
use crate::io::npy::{NpyArray, read_npy, to_npy_bytes};
use crate::io::png::{AlphaPolicy, read_png_alpha};
use crate::io::write_atomic;
use crate::window::{Border, Kernel, Stride, WindowSpec};

#[derive(Debug, Args)]
pub struct EntropyArgs {
    /// Input: .npy (u8, f32 or f64; h×w, h×w×c, or n×h×w×c for gaussian) or .png (8-bit;
    /// at most 1 GiB decoded, refused from the header before allocating).
    file: PathBuf,
    /// Kernel WxH or WxHxC (odd sizes; at most 2^24 entries per window).
    #[arg(long, default_value = "3x3")]
    kernel: Kernel,
    /// Stride S1xS2 or S1xS2xS3 along (w, h, c).
    #[arg(long, default_value = "1x1")]
    stride: Stride,
    /// Border policy: valid, crop, zero, reflect.
    #[arg(long, default_value = "crop")]
    border: Border,
    /// exact | binned:N (N bins over the map's range, N ≤ 2^24) | binned:N:LO:HI | gaussian
    /// (a batch of at most 2^31 padded values).
    #[arg(long, default_value = "exact")]
    estimator: String,
    /// Ridge ε for gaussian: use Σ + ε·I (recorded in the output).
    #[arg(long)]
    ridge: Option<f64>,
    /// Output: .npy (float64 map), .csv (one row per window) or .json (summary).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Heatmap PNG of the local-entropy map: a panel per channel with pixel axes, a colour bar
    /// in bits and a caption (each window at least 4×4 pixels; at most 2^28 pixels).
    #[arg(long)]
    heatmap: Option<PathBuf>,
    /// Threads for the map (default: every core); the values do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// A PNG with an alpha channel: keep it (as the last channel) or drop it. Without this
    /// flag such an image is refused (transparency is not intensity).
    #[arg(long, value_enum)]
    alpha: Option<AlphaPolicy>,
}

fn load(path: &Path, alpha: Option<AlphaPolicy>) -> anyhow::Result<NpyArray> {
    match lower_ext(path).as_str() {
        "npy" if alpha.is_some() => bail!("--alpha applies to PNG input only"),
        "npy" => Ok(read_npy(path)?),
        "png" => Ok(NpyArray::U8(
            read_png_alpha(path, alpha.unwrap_or_default())?.into_dyn(),
        )),
        _ => bail!(
            "{}: unknown input format (expected .npy or .png)",
            path.display()
        ),
    }
}

pub fn run(a: EntropyArgs) -> anyhow::Result<i32> {
    let pool = super::thread_pool(a.threads)?;
    pool.install(|| run_in_pool(a))
}

/// A path's extension, lower-cased ("" without one).
fn lower_ext(p: &Path) -> String {
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn run_in_pool(a: EntropyArgs) -> anyhow::Result<i32> {
    // output formats first: nothing is read or computed for a command that cannot finish
    if let Some(out) = &a.out {
        let ext = lower_ext(out);
        if !matches!(ext.as_str(), "npy" | "csv" | "json") {
            bail!(
                "{}: unknown output format (expected .npy, .csv or .json)",
                out.display()
            );
        }
    }
    if let Some(hm) = &a.heatmap
        && lower_ext(hm) != "png"
    {
        bail!("{}: --heatmap must end in .png", hm.display());
    }
    for p in a.out.iter().chain(&a.heatmap) {
        super::check_parent(p)?;
    }
    let mut est: Estimator = a.estimator.parse().map_err(|e| match e {
        crate::Error::BadSpec { .. } => anyhow::anyhow!(
            "unknown estimator {:?}: expected exact, binned:N, binned:N:LO:HI or gaussian",
            a.estimator
        ),
        e => e.into(),
    })?;
    match (&mut est, a.ridge) {
        (Estimator::Gaussian(opts), Some(eps)) => *opts = H2Options::new().with_ridge(eps)?,
        (Estimator::H1(_), Some(_)) => bail!("--ridge applies only to --estimator gaussian"),
        _ => {}
    }
    let spec = WindowSpec::new(a.kernel, a.stride, a.border);
    let input = load(&a.file, a.alpha)?;
    let in_shape = input.shape().to_vec();
    let r = match &input {
        NpyArray::U8(x) => local_entropy(x.view(), &spec, &est),
        NpyArray::F32(x) => local_entropy(x.view(), &spec, &est),
        NpyArray::F64(x) => local_entropy(x.view(), &spec, &est),
    }
    .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let mut extra = serde_json::Map::new();
    if let Estimator::Gaussian(_) = est {
        extra.insert("ridge".into(), serde_json::json!(r.ridge));
        extra.insert("samples".into(), serde_json::json!(r.samples));
        extra.insert(
            "singular_windows".into(),
            serde_json::json!(r.singular.len()),
        );
        if let Some((idx, reason)) = r.singular.first() {
            extra.insert(
                "first_singular".into(),
                serde_json::json!({"window": idx, "why": reason}),
            );
        }
    }
    let values = r.values;
    let summary = summarize(values.view());
    let two_d = in_shape.len() == 2;
    let mut report = serde_json::json!({
        "file": a.file.display().to_string(),
        "input_shape": in_shape,
        "dtype": input.dtype(),
        "estimator": a.estimator,
        "kernel": a.kernel.to_string(),
        "stride": a.stride.to_string(),
        "border": a.border.to_string(),
        "units": "bits",
        "output_shape": values.shape(),
        "summary": summary,
    });
    report.as_object_mut().expect("object").extend(extra);
    // the heatmap is rendered before anything is written: a map too large to draw leaves
    // no --out behind
    let heatmap = match &a.heatmap {
        Some(hm) => {
            let what = match est {
                Estimator::Gaussian(_) => "local H2 (bits)",
                Estimator::H1(_) => "local H1 (bits)",
            };
            let caption = crate::plot::Caption::new(
                a.file.display().to_string(),
                format!("{} windows", values.len()),
                format!(
                    "sednas entropy {} --kernel {} --stride {} --border {} --estimator {} --heatmap {}",
                    a.file.display(),
                    a.kernel,
                    a.stride,
                    a.border,
                    a.estimator,
                    hm.display()
                ),
            )
            .estimator(format!("{}, {}", a.estimator, crate::plot::windows_text(&spec)));
            let spec = crate::plot::Heatmap {
                title: &format!("{what} of {}", a.file.display()),
                value: what,
                scale: 4,
            };
            Some((
                hm,
                crate::plot::heatmap_png(values.view(), &spec, &caption)
                    .with_context(|| hm.display().to_string())?,
            ))
        }
        None => None,
    };
    if let Some(out) = &a.out {
        let bytes = match lower_ext(out).as_str() {
            "npy" => {
                let arr = if two_d {
                    values.index_axis(Axis(2), 0).to_owned().into_dyn()
                } else {
                    values.clone().into_dyn()
                };
                to_npy_bytes(&arr)
            }
            "csv" => {
                let mut s = String::from("row,col,chan,entropy_bits\n");
                for ((i, j, l), v) in values.indexed_iter() {
                    s.push_str(&format!("{i},{j},{l},{v}\n"));
                }
                s.into_bytes()
            }
            "json" => serde_json::to_vec_pretty(&report)?,
            _ => bail!(
                "{}: unknown output format (expected .npy, .csv or .json)",
                out.display()
            ),
        };
        write_atomic(out, &bytes)?;
    }
    if let Some((hm, png)) = heatmap {
        write_atomic(hm, &png)?;
    }
    outln!("{}", serde_json::to_string_pretty(&report)?)?;
    Ok(0)
}
