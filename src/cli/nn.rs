//! `sednas train` and `sednas fmap-entropy`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::arch::nb201::Nb201Arch;
use crate::data::{Split, load_named};
use crate::entropy::{H1Estimator, H2Options};
use crate::nn::fmap::fmap_entropy;
use crate::nn::nb201::{Nb201Net, Nb201NetConfig};
use crate::nn::run::{RunConfig, prepare, train_nb201};
use crate::nn::train::{Optim, TrainParams};

use crate::nn::device::{Backend, describe};
use crate::window::{Border, Kernel, Stride, WindowSpec};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// NB201 architecture string.
    #[arg(long)]
    arch: String,
    /// digits (embedded), mnist, fashion-mnist (scripts/fetch-data.sh).
    #[arg(long, default_value = "fashion-mnist")]
    dataset: String,
    /// Folder filled by scripts/fetch-data.sh.
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 1)]
    epochs: usize,
    /// Width C of the first stage.
    #[arg(long, default_value_t = 8)]
    width: usize,
    /// Cells per stage N.
    #[arg(long, default_value_t = 1)]
    cells: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value_t = 64)]
    batch: usize,
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    #[arg(long, value_enum, default_value = "adam")]
    optim: Optim,
    /// Learning-rate schedule over the whole run: constant, or cosine decay to 0.
    #[arg(long, default_value = "constant", value_parser = ["constant", "cosine"])]
    schedule: String,
    /// Use only the first N training images (0 = all).
    #[arg(long, default_value_t = 0)]
    train_limit: usize,
    /// Use only the first N test images (0 = all).
    #[arg(long, default_value_t = 0)]
    test_limit: usize,
    /// Repeat grey images to 3 channels.
    #[arg(long)]
    rgb: bool,
    /// Run directory (config.json, metrics.csv, model.bpk).
    #[arg(long)]
    out: PathBuf,
    /// Continue from the checkpoint in --out.
    #[arg(long)]
    resume: bool,
    /// burn backend: flex (CPU), wgpu (needs the `wgpu` cargo feature and a Vulkan/Metal
    /// driver) or cuda (needs the `cuda` feature).
    #[arg(long, value_enum, default_value = "flex")]
    device: Backend,
}

pub fn run_train(a: TrainArgs) -> anyhow::Result<i32> {
    // bring the device up first: a missing backend is an error before anything is written
    let dev = a.device.train_device()?;
    eprintln!("device: {}", describe(a.device, &dev));
    let test = load_named(&a.dataset, &a.data_dir, Split::Test).with_context(|| {
        format!(
            "dataset {} (run scripts/fetch-data.sh for mnist / fashion-mnist)",
            a.dataset
        )
    })?;
    let train_split = load_named(&a.dataset, &a.data_dir, Split::Train)?;
    let in_channels = if a.rgb { 3 } else { test.images.dim().1 };
    let rc = RunConfig {
        arch: a.arch.parse::<Nb201Arch>()?.to_string(),
        dataset: a.dataset.clone(),
        net: Nb201NetConfig {
            in_channels,
            width: a.width,
            cells: a.cells,
            classes: test.classes,
        },
        rgb: a.rgb,
        train: TrainParams {
            epochs: a.epochs,
            batch: a.batch,
            lr: a.lr,
            seed: a.seed,
            optim: a.optim,
            schedule: if a.schedule == "cosine" {
                crate::nn::train::Schedule::Cosine
            } else {
                crate::nn::train::Schedule::Constant
            },
        }
        .check()?,
        train_limit: a.train_limit,
        test_limit: a.test_limit,
        device: a.device,
    };
    let (_, hist) = train_nb201(&rc, &train_split, &test, &a.out, a.resume, true)?;
    outln!("epoch,train_loss,train_acc,test_acc,seconds,step_ms")?;
    for h in &hist {
        outln!(
            "{},{:.4},{:.4},{:.4},{:.2},{:.1}",
            h.epoch,
            h.train_loss,
            h.train_acc,
            h.test_acc,
            h.seconds,
            h.step_ms
        )?;
    }
    outln!(
        "run: {} (config.json, metrics.csv, model.bpk)",
        a.out.display()
    )?;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct FmapArgs {
    /// Run directory written by `sednas train`.
    #[arg(long, conflicts_with = "untrained")]
    checkpoint: Option<PathBuf>,
    /// Use a freshly initialised network (needs --arch).
    #[arg(long)]
    untrained: bool,
    /// NB201 architecture (with --untrained).
    #[arg(long)]
    arch: Option<String>,
    #[arg(long, default_value_t = 8)]
    width: usize,
    #[arg(long, default_value_t = 1)]
    cells: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Images: a dataset name (digits, mnist, fashion-mnist, cifar10-test20, cifar100-test20).
    #[arg(long, default_value = "digits")]
    dataset: String,
    /// Images from a .npy (n×h×w or n×h×w×c; u8 scaled by 1/255) instead of --dataset.
    #[arg(long)]
    images: Option<PathBuf>,
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Number of held-out images fed through the network.
    #[arg(long, default_value_t = 64)]
    count: usize,
    #[arg(long, default_value = "3x3")]
    kernel: Kernel,
    #[arg(long, default_value = "1x1")]
    stride: Stride,
    #[arg(long, default_value = "crop")]
    border: Border,
    /// H1 estimator: exact, binned:N (N bins over each map's range) or binned:N:LO:HI.
    #[arg(long, default_value = "binned:16")]
    estimator: String,
    /// Skip the Gaussian H2 across the batch.
    #[arg(long)]
    no_h2: bool,
    /// Ridge for H2.
    #[arg(long)]
    ridge: Option<f64>,
    /// Folder for per-layer H1 heatmaps of the first image (axes, colour bar in bits, caption).
    #[arg(long)]
    heatmaps: Option<PathBuf>,
    /// Write the table as .json or .csv.
    #[arg(long)]
    out: Option<PathBuf>,
    /// burn backend: flex (CPU), wgpu or cuda (see `train --help`).
    #[arg(long, value_enum, default_value = "flex")]
    device: Backend,
}

pub fn run_fmap(a: FmapArgs) -> anyhow::Result<i32> {
    // settings first: nothing is loaded or computed for a command that cannot finish
    if a.count == 0 {
        bail!("--count must be at least 1 (the number of images fed through the network)");
    }
    if let Some(out) = &a.out {
        let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "json" && ext != "csv" {
            bail!("{}: --out must end in .json or .csv", out.display());
        }
        super::check_parent(out)?;
    }
    if let Some(dir) = &a.heatmaps
        && dir.exists()
        && !dir.is_dir()
    {
        bail!("{}: --heatmaps must be a folder, not a file", dir.display());
    }
    let h1: H1Estimator = a.estimator.parse()?;
    let h2 = match a.ridge {
        Some(e) => H2Options::new().with_ridge(e)?,
        None => H2Options::new(),
    };
    let spec = WindowSpec::new(a.kernel, a.stride, a.border);
    let device = a.device.device()?;
    let (net, rgb, what) = fmap_network(&a, &device)?;
    let imgs = match &a.images {
        Some(p) => crate::data::images_from_npy(p)?,
        None => load_named(&a.dataset, &a.data_dir, Split::Test)?,
    };
    let imgs = prepare(&imgs.take(a.count), rgb);
    // images the network cannot take are a one-line error before anything is printed
    let (n, c, h, w) = imgs.images.dim();
    crate::nn::Classifier::check_input(&net, [n, c, h, w])?;
    eprintln!("device: {}", describe(a.device, &device));
    let layers = fmap_entropy(&net, &imgs, &spec, &h1, (!a.no_h2).then_some(&h2), &device)?;
    outln!(
        "feature-map entropy of {what} on {} images of {} ({} windows {}, stride {}, {} border; bits)",
        imgs.len(),
        imgs.name,
        a.estimator,
        a.kernel,
        a.stride,
        a.border
    )?;
    out!("{}", crate::nn::fmap::layers_table(&layers))?;
    if let Some(dir) = &a.heatmaps {
        let command = fmap_command(&a, dir);
        let source = format!("{}; {what}", imgs.name);
        crate::nn::fmap::write_heatmaps(dir, &layers, &source, &a.estimator, &spec, &command)?;
        outln!("heatmaps: {}", dir.display())?;
    }
    if let Some(out) = &a.out {
        crate::nn::fmap::write_layers(out, &layers)?;
    }
    Ok(0)
}

/// The network of `fmap-entropy`: a trained checkpoint, or an untrained NB201 cell sized
/// for the images; with whether it takes RGB input and a description.
fn fmap_network(
    a: &FmapArgs,
    device: &burn::tensor::Device,
) -> anyhow::Result<(Nb201Net, bool, String)> {
    Ok(if let Some(dir) = &a.checkpoint {
        let (rc, net) = crate::nn::run::load_run(dir, device)?;
        (
            net,
            rc.rgb,
            format!("trained checkpoint {} ({})", dir.display(), rc.arch),
        )
    } else if a.untrained {
        let arch: Nb201Arch = a
            .arch
            .as_deref()
            .context("--untrained needs --arch")?
            .parse()?;
        device.seed(a.seed);
        let probe = match &a.images {
            Some(p) => crate::data::images_from_npy(p)?,
            None => load_named(&a.dataset, &a.data_dir, Split::Test)?,
        };
        let cfg = Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: a.width,
            cells: a.cells,
            classes: probe.classes.max(2),
        };
        (
            Nb201Net::new(&arch, &cfg, device)?,
            false,
            format!("untrained {arch} (seed {})", a.seed),
        )
    } else {
        bail!("give --checkpoint DIR or --untrained --arch STRING");
    })
}

/// The `fmap-entropy` command line that made the heatmaps (for their captions).
fn fmap_command(a: &FmapArgs, dir: &std::path::Path) -> String {
    let net_flags = match &a.checkpoint {
        Some(c) => format!("--checkpoint {}", c.display()),
        None => format!(
            "--untrained --arch '{}' --width {} --cells {} --seed {}",
            a.arch.as_deref().unwrap_or(""),
            a.width,
            a.cells,
            a.seed
        ),
    };
    let img_flags = match &a.images {
        Some(p) => format!("--images {}", p.display()),
        None => format!(
            "--dataset {} --data-dir {}",
            a.dataset,
            a.data_dir.display()
        ),
    };
    format!(
        "sednas fmap-entropy {net_flags} {img_flags} --count {} --kernel {} --stride {} --border {} --estimator {} --heatmaps {}",
        a.count,
        a.kernel,
        a.stride,
        a.border,
        a.estimator,
        dir.display()
    )
}

#[derive(Debug, Args)]
pub struct NnBenchArgs {
    /// burn backend: flex, wgpu or cuda.
    #[arg(long, value_enum, default_value = "flex")]
    device: Backend,
    /// NB201 architecture (default: the best-SED cell of the README).
    #[arg(
        long,
        default_value = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    )]
    arch: String,
    /// Width C (the benchmark's is 16).
    #[arg(long, default_value_t = 16)]
    width: usize,
    /// Cells per stage N (the benchmark's is 5).
    #[arg(long, default_value_t = 5)]
    cells: usize,
    /// Batch of 32×32×3 images.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Timed training steps (after one warm-up step).
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Which network: `nb201` (the cell above at --width/--cells, 3×32×32 inputs) or
    /// `plain` (the operation-ablation CNN of `experiment net-ablation`, 1×28×28 inputs,
    /// width --width, max pool 3, kernel 5, skip on).
    #[arg(long, default_value = "nb201", value_parser = ["nb201", "plain"])]
    net: String,
}

pub fn run_nn_bench(a: NnBenchArgs) -> anyhow::Result<i32> {
    if a.net == "plain" {
        let net = crate::nn::plain::PlainConfig {
            in_channels: 1,
            width: a.width,
            pool: 3,
            kernel: 5,
            skip: true,
            classes: 10,
        };
        let t = crate::nn::timing::time_plain(a.device, &net, a.batch, a.steps)?;
        outln!("{}", serde_json::to_string(&t)?)?;
        return Ok(0);
    }
    let arch: Nb201Arch = a.arch.parse()?;
    let t = crate::nn::timing::time_nb201(a.device, &arch, a.width, a.cells, a.batch, a.steps)?;
    outln!("{}", serde_json::to_string(&t)?)?;
    Ok(0)
}
