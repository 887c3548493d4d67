//! `sednas entropy FILE`: local H1/H2 of a `.npy` or PNG map.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::entropy::Estimator;
use crate::entropy::file::{check_out, entropy_of_file, estimator, lower_ext};
use crate::io::png::AlphaPolicy;
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

pub fn run(a: EntropyArgs) -> anyhow::Result<i32> {
    let pool = super::thread_pool(a.threads)?;
    pool.install(|| run_in_pool(a))
}

fn run_in_pool(a: EntropyArgs) -> anyhow::Result<i32> {
    // output formats first: nothing is read or computed for a command that cannot finish
    if let Some(out) = &a.out {
        check_out(out)?;
    }
    if let Some(hm) = &a.heatmap
        && lower_ext(hm) != "png"
    {
        bail!("{}: --heatmap must end in .png", hm.display());
    }
    for p in a.out.iter().chain(&a.heatmap) {
        super::check_parent(p)?;
    }
    let spec = WindowSpec::new(a.kernel, a.stride, a.border);
    let r = entropy_of_file(&a.file, &spec, &a.estimator, a.ridge, a.alpha)?;
    // the heatmap is rendered before anything is written: a map too large to draw leaves
    // no --out behind
    let heatmap = match &a.heatmap {
        Some(hm) => Some((
            hm,
            crate::plot::entropy_map_figure(
                &a.file,
                r.values.view(),
                &spec,
                &a.estimator,
                matches!(estimator(&a.estimator, a.ridge)?, Estimator::Gaussian(_)),
                hm,
            )
            .with_context(|| hm.display().to_string())?,
        )),
        None => None,
    };
    if let Some(out) = &a.out {
        write_atomic(out, &r.encode(out)?)?;
    }
    if let Some((hm, png)) = heatmap {
        write_atomic(hm, &png)?;
    }
    outln!("{}", serde_json::to_string_pretty(&r.report)?)?;
    Ok(0)
}
