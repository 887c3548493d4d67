//! `net-ablation`: plain CNNs that vary one operation at a time — max-pool size before a
//! convolution, that convolution's kernel, a skip connection around it — trained on real
//! images with one short schedule and several seeds. For each trained network: held-out
//! accuracy, the fraction of zero-H1 windows and the mean local H2 of each layer's feature
//! maps on held-out images, and SED of its topology. The three rules behind SED are then
//! tested against the data with confidence intervals.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;

use super::{
    LayerSummary, Mode, Splits, cached_result, idx_files, mean, read_config, save_result, sd,
    write_csv, write_meta,
};
use crate::arch::{BlockCensus, Census};
use crate::entropy::{Binning, H1Estimator, H2Options};
use crate::error::{Error, Result};
use crate::nn::device::Backend;
use crate::nn::fmap::fmap_entropy;
use crate::nn::plain::{PlainCnn, PlainConfig};
use crate::nn::run::{RunConfig, prepare, train_nb201};
use crate::nn::train::{Optim, TrainConfig, TrainParams, train};
use crate::sed::{O1Source, Sed, SedConfig};
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// The experiment's configuration (`experiments/net-ablation/config.toml`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Dataset (fashion-mnist, mnist, digits).
    pub dataset: String,
    /// Folder filled by scripts/fetch-data.sh.
    pub data_dir: PathBuf,
    /// Training images.
    pub train_limit: usize,
    /// Held-out images.
    pub test_limit: usize,
    /// Epochs.
    pub epochs: usize,
    /// Channels.
    pub width: usize,
    /// Batch size.
    pub batch: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// Max-pool sizes (1 = none).
    pub pools: Vec<usize>,
    /// Kernel sizes of the convolution after the pool.
    pub kernels: Vec<usize>,
    /// Skip connection off / on.
    pub skips: Vec<bool>,
    /// NB201 series: numbers of skip connections in an otherwise all-3×3-conv cell.
    #[serde(default)]
    pub nb201_skips: Vec<usize>,
    /// Held-out images whose feature maps are measured.
    pub fmap_count: usize,
    /// H1 bins of the binned estimator (mean local H1; equal-width bins over each map's
    /// range). Zero-H1 fractions use the exact estimator.
    pub h1_bins: usize,
    /// Bin counts of the sensitivity check: the zero-H1 fraction entering the conv under
    /// `binned:N` for each N, beside the exact one.
    #[serde(default = "default_sensitivity")]
    pub sensitivity_bins: Vec<usize>,
    /// Accuracy every configuration should reach (e.g. 0.97 on MNIST); the summary lists
    /// the configurations below it.
    #[serde(default)]
    pub acc_target: Option<f64>,
    /// Learning-rate schedule (`constant` or `cosine`; default constant).
    #[serde(default)]
    pub schedule: crate::nn::train::Schedule,
    /// burn backend for training and feature maps (flex, wgpu, cuda; default flex).
    #[serde(default)]
    pub device: Backend,
}

fn default_sensitivity() -> Vec<usize> {
    vec![4, 16, 64]
}

/// One finished run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunResult {
    /// Pool size.
    pub pool: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Skip on.
    pub skip: bool,
    /// Seed.
    pub seed: u64,
    /// SED of the topology (O_1 = the network's own pool).
    pub sed: f64,
    /// Trainable parameters.
    pub params: usize,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Fraction of exactly constant 3×3×1 windows (one channel each) (exact estimator) of the map entering
    /// the convolution (after the pool).
    pub conv_input_h1_zero: f64,
    /// The same fraction under `binned:N`, for each N of `sensitivity_bins`: (N, fraction).
    pub conv_input_h1_zero_binned: Vec<(usize, f64)>,
    /// Mean local H1 (binned:h1_bins) of the map entering the convolution.
    pub conv_input_h1: f64,
    /// Mean local H2 (3×3 windows across the batch) of the convolution's output.
    pub conv_output_h2: Option<f64>,
    /// Training wall time (s).
    pub seconds: f64,
    /// Every layer's local entropy (mean H1 under binned:h1_bins, exact zero-H1 fraction,
    /// mean H2).
    pub layers: Vec<LayerSummary>,
}

/// SED of a plain CNN (`nn::plain`): three blocks, one per resolution. Block 1 (side/2)
/// holds the stem 3×3 conv, the k×k conv, the o×o pool and the skip; blocks 2 and 3 (side/4,
/// side/8) one 3×3 conv each, widths 2w and 4w. `side` is the input image side.
///
/// No pool, 3×3 kernel, no skip, w = 2, 8×8 inputs (blocks at 4², 2², 1²): no skip makes
/// sig(skip_SED·conv_SED) = sig(0) = ½ in every block; pool_SED = #K² + #OPT² − 0² is
/// 2² + 2² = 8 in block 1 (two 3×3 convs) and 1 + 1 = 2 in blocks 2 and 3; F_in/F_out = 1,
/// 4, 4; C_out = 2, 4, 8. So the terms are sig(2)·8·½, sig(4)·4·2·½, sig(8)·4·2·½.
///
/// # Errors
/// [`Error::InvalidParameter`] for a pool, kernel, width or map side that makes no network.
///
/// ```
/// let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
/// let v = sednas::experiments::net_ablation::plain_sed(1, 3, false, 2, 8).unwrap();
/// assert!((v - (4.0 * sig(2.0) + 4.0 * sig(4.0) + 4.0 * sig(8.0)) / 3.0).abs() < 1e-12);
/// ```
pub fn plain_sed(pool: usize, kernel: usize, skip: bool, width: u32, side: u64) -> Result<f64> {
    let s1 = (side / 2).max(1);
    let (s2, s3) = ((s1 / 2).max(1), (s1 / 4).max(1));
    let mut b1 = BlockCensus::new(width, width, s1 * s1, s1 * s1, 1, None);
    b1.add_conv(3, 3, width, 1);
    b1.add_conv(kernel as u32, kernel as u32, width, 1);
    if pool > 1 {
        b1.add_pool(pool as u32, pool as u32, 1, 1, 1);
    }
    b1.skips = skip as u32;
    let mut b2 = BlockCensus::new(width, 2 * width, s1 * s1, s2 * s2, 1, None);
    b2.add_conv(3, 3, 2 * width, 1);
    let mut b3 = BlockCensus::new(2 * width, 4 * width, s2 * s2, s3 * s3, 1, None);
    b3.add_conv(3, 3, 4 * width, 1);
    let census = Census {
        blocks: vec![b1, b2, b3],
        space_has_skip: true,
        space_has_pool: true,
    };
    let sed = Sed::new(SedConfig {
        o1_source: O1Source::Arch,
        ..Default::default()
    })?;
    Ok(sed.score_census(&census))
}

/// What a plain-CNN run folder records about its network and training (`config.json`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlainRunConfig {
    /// The network.
    pub net: PlainConfig,
    /// Training settings.
    pub train: TrainConfig,
    /// Training images used (first N of the split).
    pub train_limit: usize,
    /// Held-out images used (first N of the split).
    pub test_limit: usize,
    /// The burn backend.
    pub device: crate::nn::device::Backend,
}

/// The training settings of every run of the experiment (Adam), for one seed.
fn train_config(cfg: &Config, seed: u64) -> Result<TrainConfig> {
    TrainParams {
        epochs: cfg.epochs,
        batch: cfg.batch,
        lr: cfg.lr,
        seed,
        optim: Optim::Adam,
        schedule: cfg.schedule,
    }
    .check()
}

/// The configuration the experiment plans for one plain-CNN run.
fn plain_run_config(cfg: &Config, data: &Splits, v: Variant, seed: u64) -> Result<PlainRunConfig> {
    let tr = &data.train;
    Ok(PlainRunConfig {
        net: PlainConfig {
            in_channels: tr.images.dim().1,
            width: cfg.width,
            pool: v.pool,
            kernel: v.kernel,
            skip: v.skip,
            classes: tr.classes,
        },
        train: train_config(cfg, seed)?,
        train_limit: cfg.train_limit,
        test_limit: cfg.test_limit,
        device: cfg.device,
    })
}

/// One plain-CNN run: `(pool, kernel, skip)` is the variant.
fn run_one(
    cfg: &Config,
    data: &Splits,
    Variant { pool, kernel, skip }: Variant,
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<RunResult> {
    let v = Variant { pool, kernel, skip };
    let rc = plain_run_config(cfg, data, v, seed)?;
    if let Some(r) = cached_result::<RunResult>(dir, resume)? {
        r.check(dir, v, seed)?;
        super::check_run_config(dir, &rc, "--resume")?;
        return Ok(r);
    }
    let tr = data.train.take(cfg.train_limit);
    let te = data.test.take(cfg.test_limit);
    let device = cfg.device.train_device()?;
    device.seed(seed);
    let pc = rc.net;
    let net = PlainCnn::new(&pc, &device)?;
    let tc = rc.train;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // the run's own configuration, checked when a half-trained run is resumed
    let cfg_path = dir.join("config.json");
    if resume && cfg_path.is_file() {
        super::check_run_config(dir, &rc, "--resume")?;
    }
    let text = serde_json::to_string_pretty(&rc).map_err(|e| Error::Json {
        what: "config.json".into(),
        reason: e.to_string(),
    })?;
    crate::io::write_atomic(&cfg_path, text.as_bytes())?;
    let (net, hist) = train(net, &tr, &te, &tc, Some(dir), resume, &device, |_, _, _| {})?;
    let last = hist
        .last()
        .ok_or_else(|| Error::param("training", "no epoch ran"))?;
    let net = net.valid();
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let layers = fmap_entropy(
        &net,
        &te.take(cfg.fmap_count),
        &spec,
        &H1Estimator::Binned(Binning::data_range(cfg.h1_bins)?),
        Some(&H2Options::new()),
        &cfg.device.device()?,
    )?;
    // the conv's input is the pool output when there is a pool, else the stem output
    let input = layers
        .iter()
        .find(|l| l.layer == "pool")
        .or_else(|| layers.iter().find(|l| l.layer == "stem"));
    let output = layers.iter().find(|l| l.layer == "conv");
    let in_name = input.map(|l| l.layer.clone()).unwrap_or_default();
    let mut binned = Vec::new();
    for &nb in &cfg.sensitivity_bins {
        let ls = fmap_entropy(
            &net,
            &te.take(cfg.fmap_count),
            &spec,
            &H1Estimator::Binned(Binning::data_range(nb)?),
            None,
            &cfg.device.device()?,
        )?;
        let z = ls
            .iter()
            .find(|l| l.layer == in_name)
            .map(|l| l.h1_zero_fraction)
            .unwrap_or(f64::NAN);
        binned.push((nb, z));
    }
    let side = te.images.dim().2 as u64;
    let r = RunResult {
        pool,
        kernel,
        skip,
        seed,
        sed: plain_sed(pool, kernel, skip, cfg.width as u32, side)?,
        params: net.num_params(),
        test_acc: last.test_acc,
        conv_input_h1_zero: input.map(|l| l.h1_exact_zero_fraction).unwrap_or(f64::NAN),
        conv_input_h1_zero_binned: binned,
        conv_input_h1: input.map(|l| l.h1_mean).unwrap_or(f64::NAN),
        conv_output_h2: output.and_then(|l| l.h2_mean),
        seconds: hist.iter().map(|h| h.seconds).sum(),
        layers: layers.iter().map(LayerSummary::from).collect(),
    };
    save_result(dir, &r)?;
    Ok(r)
}

/// The NB201 cell with `k` skip connections: all six edges 3×3 convolutions, then the edges
/// 3←0, 2←0, 1←0, 3←1, 2←1, 3←2 (in this order) turned into skips.
///
/// # Errors
/// [`Error::InvalidParameter`] for a `k` outside the cells the experiment defines.
///
/// ```
/// use sednas::experiments::net_ablation::skip_cell;
/// assert_eq!(
///     skip_cell(2).unwrap().to_string(),
///     "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
/// );
/// assert_eq!(skip_cell(0).unwrap().to_string().matches("nor_conv_3x3").count(), 6);
/// ```
pub fn skip_cell(k: usize) -> Result<crate::arch::nb201::Nb201Arch> {
    use crate::arch::nb201::{Nb201Arch, Nb201Op, edge_index};
    let mut ops = [Nb201Op::Conv3x3; 6];
    for &(j, i) in [(3, 0), (2, 0), (1, 0), (3, 1), (2, 1), (3, 2)]
        .iter()
        .take(k.min(6))
    {
        ops[edge_index(j, i)] = Nb201Op::Skip;
    }
    Nb201Arch::new(4, &ops)
}

/// One NB201 run of the skip series.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SkipRun {
    /// Number of skips.
    pub skips: usize,
    /// Seed.
    pub seed: u64,
    /// The cell.
    pub arch: String,
    /// SED of the cell.
    pub sed: f64,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Mean local H2 of each cell output (stage 1..3).
    pub cell_h2: Vec<Option<f64>>,
}

/// The training configuration the experiment plans for one NB201 skip-series run (its
/// `config.json`).
fn skip_run_config(cfg: &Config, data: &Splits, k: usize, seed: u64) -> Result<RunConfig> {
    let arch = skip_cell(k)?;
    let probe = &data.test;
    Ok(RunConfig {
        arch: arch.to_string(),
        dataset: cfg.dataset.clone(),
        net: crate::nn::nb201::Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: cfg.width,
            cells: 1,
            classes: probe.classes,
        },
        rgb: false,
        train: train_config(cfg, seed)?,
        train_limit: cfg.train_limit,
        test_limit: cfg.test_limit,
        device: cfg.device,
    })
}

fn run_skip(
    cfg: &Config,
    data: &Splits,
    k: usize,
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<SkipRun> {
    let rc = skip_run_config(cfg, data, k, seed)?;
    if let Some(r) = cached_result::<SkipRun>(dir, resume)? {
        r.check(dir, k, seed)?;
        super::check_run_config(dir, &rc, "--resume")?;
        return Ok(r);
    }
    let arch = skip_cell(k)?;
    let probe = &data.test;
    let (net, hist) = train_nb201(&rc, &data.train, &data.test, dir, resume, false)?;
    let net = net.valid();
    let test = prepare(&probe.take(cfg.fmap_count), false);
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let layers = fmap_entropy(
        &net,
        &test,
        &spec,
        &H1Estimator::Binned(Binning::data_range(cfg.h1_bins)?),
        Some(&H2Options::new()),
        &cfg.device.device()?,
    )?;
    let sed = Sed::new(SedConfig::default())?;
    let r = SkipRun {
        skips: k,
        seed,
        arch: arch.to_string(),
        sed: sed.score(&crate::arch::AnyArch::Nb201(arch), &mut Census::default()),
        test_acc: hist.last().map(|h| h.test_acc).unwrap_or(f64::NAN),
        cell_h2: layers
            .iter()
            .filter(|l| l.layer.contains("cell"))
            .map(|l| l.h2_mean)
            .collect(),
    };
    save_result(dir, &r)?;
    Ok(r)
}

/// A plain-CNN variant: the operations around the ablated convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    /// Max-pool size before the convolution (1 = none).
    pub pool: usize,
    /// Kernel size of the convolution.
    pub kernel: usize,
    /// Skip connection around the convolution.
    pub skip: bool,
}

impl Variant {
    /// `o3 k5 +skip`.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::Variant;
    /// assert_eq!(Variant { pool: 3, kernel: 5, skip: true }.label(), "o3 k5 +skip");
    /// assert_eq!(Variant { pool: 1, kernel: 3, skip: false }.label(), "o1 k3");
    /// ```
    pub fn label(&self) -> String {
        format!(
            "o{} k{}{}",
            self.pool,
            self.kernel,
            if self.skip { " +skip" } else { "" }
        )
    }

    fn of(r: &RunResult) -> Self {
        Variant {
            pool: r.pool,
            kernel: r.kernel,
            skip: r.skip,
        }
    }
}

/// The planned runs of a (validated) configuration: every plain-CNN variant (pools ×
/// kernels × skips, in the config's order) and every NB201 skip count, each with every seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Plain-CNN variants.
    pub variants: Vec<Variant>,
    /// NB201 cells: numbers of skips.
    pub nb201_skips: Vec<usize>,
    /// Seeds (replicates of each configuration).
    pub seeds: Vec<u64>,
}

impl Plan {
    /// The plan of `cfg`.
    ///
    /// ```
    /// use sednas::experiments::{net_ablation::{Config, Plan}, read_config};
    /// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
    /// let c: Config = read_config(&p).unwrap();
    /// let plan = Plan::new(&c);
    /// assert_eq!((plan.variants.len(), plan.nb201_skips.len(), plan.seeds.len()), (8, 2, 2));
    /// assert_eq!(plan.len(), 20);
    /// ```
    pub fn new(cfg: &Config) -> Self {
        let mut variants = Vec::new();
        for &pool in &cfg.pools {
            for &kernel in &cfg.kernels {
                for &skip in &cfg.skips {
                    variants.push(Variant { pool, kernel, skip });
                }
            }
        }
        Plan {
            variants,
            nb201_skips: cfg.nb201_skips.clone(),
            seeds: cfg.seeds.clone(),
        }
    }

    /// Planned runs: (variants + NB201 cells) × seeds.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::{Plan, Variant};
    /// let v = Variant { pool: 1, kernel: 3, skip: false };
    /// assert_eq!(Plan { variants: vec![v], nb201_skips: vec![0, 2], seeds: vec![0, 1] }.len(), 6);
    /// ```
    pub fn len(&self) -> usize {
        (self.variants.len() + self.nb201_skips.len()) * self.seeds.len()
    }

    /// Whether nothing is planned.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::Plan;
    /// assert!(Plan { variants: vec![], nb201_skips: vec![], seeds: vec![0] }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A plain run's folder: `runs/pool{o}_k{k}_skip{0|1}_s{seed}`.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::{Plan, Variant};
    /// let v = Variant { pool: 3, kernel: 5, skip: true };
    /// assert_eq!(Plan::plain_dir("out".as_ref(), v, 1), std::path::Path::new("out/runs/pool3_k5_skip1_s1"));
    /// ```
    pub fn plain_dir(out: &Path, v: Variant, seed: u64) -> PathBuf {
        out.join("runs").join(format!(
            "pool{}_k{}_skip{}_s{seed}",
            v.pool, v.kernel, v.skip as u8
        ))
    }

    /// An NB201 run's folder: `runs/nb201_skips{k}_s{seed}`.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::Plan;
    /// assert_eq!(Plan::skip_dir("out".as_ref(), 2, 0), std::path::Path::new("out/runs/nb201_skips2_s0"));
    /// ```
    pub fn skip_dir(out: &Path, k: usize, seed: u64) -> PathBuf {
        out.join("runs").join(format!("nb201_skips{k}_s{seed}"))
    }
}

/// The finished runs of an experiment, in plan order.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// Plain-CNN runs.
    pub plain: Vec<RunResult>,
    /// NB201 skip-series runs.
    pub skips: Vec<SkipRun>,
}

impl Runs {
    /// Number of finished runs.
    fn len(&self) -> usize {
        self.plain.len() + self.skips.len()
    }
}

/// Trains the planned runs that are not finished (under [`Mode::Tabulate`], collects the
/// finished ones and trains nothing).
fn execute(cfg: &Config, plan: &Plan, data: &Splits, out: &Path, mode: Mode) -> Result<Runs> {
    let bar = super::progress(plan.len());
    let mut runs = Runs::default();
    for &v in &plan.variants {
        for &seed in &plan.seeds {
            let dir = Plan::plain_dir(out, v, seed);
            bar.set_message(v.label());
            if mode == Mode::Tabulate {
                if let Some(r) = cached_result::<RunResult>(&dir, true)? {
                    r.check(&dir, v, seed)?;
                    let rc = plain_run_config(cfg, data, v, seed)?;
                    super::check_run_config(&dir, &rc, "--tabulate")?;
                    runs.plain.push(r);
                }
            } else {
                runs.plain
                    .push(run_one(cfg, data, v, seed, &dir, mode.reuses())?);
            }
            bar.inc(1);
        }
    }
    for &k in &plan.nb201_skips {
        for &seed in &plan.seeds {
            let dir = Plan::skip_dir(out, k, seed);
            bar.set_message(format!("NB201, {k} skips"));
            if mode == Mode::Tabulate {
                if let Some(r) = cached_result::<SkipRun>(&dir, true)? {
                    r.check(&dir, k, seed)?;
                    let rc = skip_run_config(cfg, data, k, seed)?;
                    super::check_run_config(&dir, &rc, "--tabulate")?;
                    runs.skips.push(r);
                }
            } else {
                runs.skips
                    .push(run_skip(cfg, data, k, seed, &dir, mode.reuses())?);
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    Ok(runs)
}

/// One row of `timings.csv`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TimingRow {
    /// Pool size.
    pub pool: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Skip on.
    pub skip: bool,
    /// Seed.
    pub seed: u64,
    /// Training wall time (s).
    pub seconds: f64,
}

/// One row of `runs.csv` (one plain-CNN training run).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunRow {
    /// Pool size.
    pub pool: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Skip on.
    pub skip: bool,
    /// Seed.
    pub seed: u64,
    /// SED of the topology.
    pub sed: f64,
    /// Trainable parameters.
    pub params: usize,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Exact zero-H1 fraction of the map entering the conv.
    pub conv_input_h1_zero_exact: f64,
    /// Mean binned local H1 of the map entering the conv.
    pub conv_input_h1_binned: f64,
    /// Mean local H2 of the conv output (empty when undefined).
    pub conv_output_h2: Option<f64>,
}

impl From<&RunResult> for RunRow {
    fn from(r: &RunResult) -> Self {
        RunRow {
            pool: r.pool,
            kernel: r.kernel,
            skip: r.skip,
            seed: r.seed,
            sed: r.sed,
            params: r.params,
            test_acc: r.test_acc,
            conv_input_h1_zero_exact: r.conv_input_h1_zero,
            conv_input_h1_binned: r.conv_input_h1,
            conv_output_h2: r.conv_output_h2,
        }
    }
}

impl RunResult {
    /// A cached result must be the run of its folder (variant, seed) with an accuracy in
    /// [0, 1].
    fn check(&self, dir: &Path, v: Variant, seed: u64) -> Result<()> {
        super::check_cached(
            dir,
            &[
                ("variant", Variant::of(self).label(), v.label()),
                ("seed", self.seed.to_string(), seed.to_string()),
            ],
            self.test_acc,
        )
    }
}

impl SkipRun {
    /// A cached result must be the run of its folder (skip count, cell, seed) with an
    /// accuracy in [0, 1].
    fn check(&self, dir: &Path, k: usize, seed: u64) -> Result<()> {
        super::check_cached(
            dir,
            &[
                ("skips", self.skips.to_string(), k.to_string()),
                ("arch", self.arch.clone(), skip_cell(k)?.to_string()),
                ("seed", self.seed.to_string(), seed.to_string()),
            ],
            self.test_acc,
        )
    }
}

/// One configuration's means over its seeds (the unit of every test): a row of `configs.csv`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigRow {
    /// Pool size.
    pub pool: usize,
    /// Kernel size.
    pub kernel: usize,
    /// Skip on.
    pub skip: bool,
    /// SED of the topology.
    pub sed: f64,
    /// Trainable parameters.
    pub params: usize,
    /// Seeds that ran.
    pub seeds: usize,
    /// Mean held-out accuracy.
    #[serde(rename = "acc_mean")]
    pub acc: f64,
    /// Standard deviation of the accuracy over seeds (empty with one seed: undefined).
    pub acc_sd: Option<f64>,
    /// Mean exact zero-H1 fraction entering the conv.
    #[serde(rename = "conv_input_h1_zero_exact")]
    pub zero_exact: f64,
    /// Mean binned zero-H1 fractions entering the conv (order of `sensitivity_bins`; in the
    /// summary, not in the CSV).
    #[serde(skip)]
    pub zero_binned: Vec<f64>,
    /// Mean binned local H1 entering the conv.
    #[serde(rename = "conv_input_h1_binned")]
    pub h1: f64,
    /// Mean local H2 of the conv output (NaN when every seed's map was singular).
    #[serde(rename = "conv_output_h2")]
    pub h2: f64,
}

impl ConfigRow {
    /// `o3 k5 +skip` ([`Variant::label`]).
    ///
    /// ```
    /// use sednas::experiments::net_ablation::{config_rows, Config, RunResult};
    /// # let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
    /// # let cfg: Config = sednas::experiments::read_config(&p).unwrap();
    /// let r = RunResult { pool: 3, kernel: 1, skip: true, seed: 0, sed: 1.0, params: 10, test_acc: 0.5,
    ///     conv_input_h1_zero: 0.1, conv_input_h1_zero_binned: vec![], conv_input_h1: 1.0,
    ///     conv_output_h2: None, seconds: 1.0, layers: vec![] };
    /// assert_eq!(config_rows(&cfg, &[r])[0].label(), "o3 k1 +skip");
    /// ```
    pub fn label(&self) -> String {
        self.variant().label()
    }

    /// The configuration's variant.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::{config_rows, Config, RunResult, Variant};
    /// # let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
    /// # let cfg: Config = sednas::experiments::read_config(&p).unwrap();
    /// let r = RunResult { pool: 1, kernel: 3, skip: false, seed: 0, sed: 1.0, params: 10, test_acc: 0.5,
    ///     conv_input_h1_zero: 0.1, conv_input_h1_zero_binned: vec![], conv_input_h1: 1.0,
    ///     conv_output_h2: None, seconds: 1.0, layers: vec![] };
    /// assert_eq!(config_rows(&cfg, &[r])[0].variant(), Variant { pool: 1, kernel: 3, skip: false });
    /// ```
    pub fn variant(&self) -> Variant {
        Variant {
            pool: self.pool,
            kernel: self.kernel,
            skip: self.skip,
        }
    }
}

/// Means over seeds per configuration, in the config's (pool, kernel, skip) order;
/// configurations without a finished run are left out. The standard deviation over seeds
/// is `None` (undefined) for a configuration with one finished seed.
///
/// ```
/// use sednas::experiments::net_ablation::{config_rows, Config, RunResult};
/// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
/// let cfg: Config = sednas::experiments::read_config(&p).unwrap();
/// let run = |seed, acc, h2| RunResult { pool: 3, kernel: 1, skip: false, seed, sed: 2.0, params: 10,
///     test_acc: acc, conv_input_h1_zero: 0.25, conv_input_h1_zero_binned: vec![(4, 0.5)],
///     conv_input_h1: 1.0, conv_output_h2: h2, seconds: 1.0, layers: vec![] };
/// let rows = config_rows(&cfg, &[run(0, 0.5, Some(3.0)), run(1, 0.7, None)]);
/// assert_eq!(rows.len(), 1);
/// let r = &rows[0];
/// assert_eq!((r.seeds, r.acc, r.h2, r.zero_binned[0]), (2, 0.6, 3.0, 0.5));
/// assert!((r.acc_sd.unwrap() - 0.02f64.sqrt()).abs() < 1e-15);
/// assert_eq!(config_rows(&cfg, &[run(0, 0.5, None)])[0].acc_sd, None);
/// ```
pub fn config_rows(cfg: &Config, rs: &[RunResult]) -> Vec<ConfigRow> {
    let mut out = Vec::new();
    for v in Plan::new(cfg).variants {
        let g: Vec<&RunResult> = rs.iter().filter(|r| Variant::of(r) == v).collect();
        if g.is_empty() {
            continue;
        }
        let m = |f: &dyn Fn(&RunResult) -> f64| {
            let v: Vec<f64> = g.iter().map(|r| f(r)).filter(|v| v.is_finite()).collect();
            if v.is_empty() { f64::NAN } else { mean(&v) }
        };
        let acc: Vec<f64> = g.iter().map(|r| r.test_acc).collect();
        out.push(ConfigRow {
            pool: v.pool,
            kernel: v.kernel,
            skip: v.skip,
            sed: g[0].sed,
            params: g[0].params,
            seeds: g.len(),
            acc: mean(&acc),
            acc_sd: sd(&acc),
            zero_exact: m(&|r| r.conv_input_h1_zero),
            zero_binned: (0..cfg.sensitivity_bins.len())
                .map(|i| {
                    m(&|r| {
                        r.conv_input_h1_zero_binned
                            .get(i)
                            .map(|x| x.1)
                            .unwrap_or(f64::NAN)
                    })
                })
                .collect(),
            h1: m(&|r| r.conv_input_h1),
            h2: m(&|r| r.conv_output_h2.unwrap_or(f64::NAN)),
        });
    }
    out
}

/// One row of `nb201_skips.csv` (one NB201 run of the skip series).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SkipRow {
    /// Number of skips.
    pub skips: usize,
    /// Seed.
    pub seed: u64,
    /// The cell.
    pub arch: String,
    /// SED of the cell.
    pub sed: f64,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Mean local H2 of the stage-1 cell output (empty when undefined).
    pub h2_cell1: Option<f64>,
    /// Stage 2.
    pub h2_cell2: Option<f64>,
    /// Stage 3.
    pub h2_cell3: Option<f64>,
}

impl From<&SkipRun> for SkipRow {
    fn from(r: &SkipRun) -> Self {
        let h = |i: usize| r.cell_h2.get(i).copied().flatten();
        SkipRow {
            skips: r.skips,
            seed: r.seed,
            arch: r.arch.clone(),
            sed: r.sed,
            test_acc: r.test_acc,
            h2_cell1: h(0),
            h2_cell2: h(1),
            h2_cell3: h(2),
        }
    }
}

impl Config {
    /// Checks every setting before any training starts (zero sizes, an empty list, even
    /// kernels, a learning rate that is not a positive number): a typed error naming it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting out of range.
    ///
    /// ```
    /// use sednas::experiments::net_ablation::Config;
    /// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
    /// let c: Config = sednas::experiments::read_config(&p).unwrap();
    /// assert!(c.validate().is_ok());
    /// let e = Config { kernels: vec![1, 4], ..c.clone() }.validate().unwrap_err().to_string();
    /// assert!(e.contains("kernels") && e.contains("odd"), "{e}");
    /// assert!(Config { seeds: vec![], ..c }.validate().unwrap_err().to_string().contains("seeds"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        super::check_common(
            "net-ablation",
            &[
                ("train_limit", self.train_limit),
                ("test_limit", self.test_limit),
                ("epochs", self.epochs),
                ("width", self.width),
                ("batch", self.batch),
                ("h1_bins", self.h1_bins),
            ],
            self.fmap_count,
            self.lr,
            &self.seeds,
        )?;
        let bad = |what: &str, why: String| Err(super::config_error("net-ablation", what, why));
        for (what, empty) in [
            ("pools", self.pools.is_empty()),
            ("kernels", self.kernels.is_empty()),
            ("skips", self.skips.is_empty()),
        ] {
            if empty {
                return bad(what, "must not be empty".into());
            }
        }
        if self.width > 256 {
            return bad("width", format!("must be ≤ 256, got {}", self.width));
        }
        fn repeated<T: PartialEq + Copy + std::fmt::Debug>(v: &[T]) -> Option<T> {
            v.iter()
                .enumerate()
                .find(|(i, x)| v[..*i].contains(x))
                .map(|(_, x)| *x)
        }
        if let Some(x) = repeated(&self.pools) {
            return bad("pools", format!("{x} is listed twice"));
        }
        if let Some(x) = repeated(&self.kernels) {
            return bad("kernels", format!("{x} is listed twice"));
        }
        if let Some(x) = repeated(&self.skips) {
            return bad("skips", format!("{x} is listed twice"));
        }
        if let Some(x) = repeated(&self.nb201_skips) {
            return bad("nb201_skips", format!("{x} is listed twice"));
        }
        if let Some(&p) = self.pools.iter().find(|&&p| p == 0 || p > 15) {
            return bad("pools", format!("sizes must be in 1..=15, got {p}"));
        }
        if let Some(&k) = self
            .kernels
            .iter()
            .find(|&&k| k == 0 || k % 2 == 0 || k > 15)
        {
            return bad(
                "kernels",
                format!("sizes must be odd and in 1..=15, got {k}"),
            );
        }
        if let Some(&b) = self
            .sensitivity_bins
            .iter()
            .find(|&&b| !(2..=1 << 16).contains(&b))
        {
            return bad(
                "sensitivity_bins",
                format!("bin counts must be in 2..=65536, got {b}"),
            );
        }
        if let Some(&k) = self.nb201_skips.iter().find(|&&k| k > 6) {
            return bad("nb201_skips", format!("a cell has 6 edges, got {k}"));
        }
        if let Some(t) = self.acc_target
            && !(t > 0.0 && t <= 1.0)
        {
            return bad("acc_target", format!("must be in (0, 1], got {t}"));
        }
        Ok(())
    }
}

/// Runs the ablation into `out` (with `resume`, only the runs without a `result.json`);
/// returns the printed summary. A bad configuration is refused before anything is written.
///
/// # Errors
/// A configuration that does not read or validate, an output folder of another
/// configuration ([`Error::ConfigMismatch`]), a dataset that cannot be loaded, a failed
/// training run or write.
///
/// ```
/// use std::path::Path;
/// let out = std::env::temp_dir().join(format!("sednas-doc-na-{}", std::process::id()));
/// let e = sednas::experiments::net_ablation::run(Path::new("no-such.toml"), &out, false).unwrap_err();
/// assert!(e.to_string().contains("no-such.toml"));
/// assert!(!out.exists());
/// ```
pub fn run(config_path: &Path, out: &Path, resume: bool) -> Result<String> {
    run_mode(
        config_path,
        out,
        if resume { Mode::Resume } else { Mode::Fresh },
    )
}

/// Tabulates the runs already finished in `out` without training anything (the stored
/// config must equal `config_path`'s). When some planned runs are missing, the summary says
/// so on its first line ("PARTIAL: k of n planned runs") and covers the finished ones only.
///
/// # Errors
/// As [`run`]; [`Error::InvalidParameter`] when a run folder is missing or unfinished.
///
/// ```
/// use std::path::Path;
/// let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
/// let out = std::env::temp_dir().join(format!("sednas-doc-natab-{}", std::process::id()));
/// let e = sednas::experiments::net_ablation::tabulate(&cfg, &out).unwrap_err().to_string();
/// assert!(e.contains("holds no runs"), "{e}");
/// assert!(!out.exists());
/// ```
pub fn tabulate(config_path: &Path, out: &Path) -> Result<String> {
    run_mode(config_path, out, Mode::Tabulate)
}

/// The tables of the finished runs (`timings.csv`, `runs.csv`, `configs.csv`,
/// `nb201_skips.csv`, `rules.csv`) written to `out`; returns the configuration rows and the
/// summary text.
fn tabulate_results(
    cfg: &Config,
    plan: &Plan,
    runs: &Runs,
    out: &Path,
) -> Result<(Vec<ConfigRow>, String)> {
    let rs = &runs.plain;
    let timings: Vec<TimingRow> = rs
        .iter()
        .map(|r| TimingRow {
            pool: r.pool,
            kernel: r.kernel,
            skip: r.skip,
            seed: r.seed,
            seconds: r.seconds,
        })
        .collect();
    write_csv(&out.join("timings.csv"), &timings)?;
    write_csv(
        &out.join("runs.csv"),
        &rs.iter().map(RunRow::from).collect::<Vec<_>>(),
    )?;
    // per configuration: means over seeds
    let rows = config_rows(cfg, rs);
    write_csv(&out.join("configs.csv"), &rows)?;
    if !runs.skips.is_empty() {
        write_csv(
            &out.join("nb201_skips.csv"),
            &runs.skips.iter().map(SkipRow::from).collect::<Vec<_>>(),
        )?;
    }
    // the rules, tested on configuration means: seeds are replicates of a configuration,
    // so n is the number of configurations (pairs of configurations for the paired tests)
    let accs: Vec<f64> = rows.iter().map(|r| r.acc).collect();
    let mut summary = String::new();
    if runs.len() < plan.len() {
        summary.push_str(&format!(
            "PARTIAL: {} of {} planned runs finished; the figures below cover the finished runs only\n",
            runs.len(),
            plan.len()
        ));
    }
    summary.push_str(&format!(
        "net-ablation: {} configurations × {} seeds on {} ({} train / {} test images, {} epoch(s), width {}); \
         tests on configuration means (seeds are replicates)\n",
        rows.len(),
        cfg.seeds.len(),
        cfg.dataset,
        cfg.train_limit,
        cfg.test_limit,
        cfg.epochs,
        cfg.width,
    ));
    let (lo, hi) = accs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    summary.push_str(&format!(
        "held-out accuracy of the configurations (mean over seeds): {:.2}–{:.2} %\n",
        100.0 * lo,
        100.0 * hi
    ));
    if let Some(t) = cfg.acc_target {
        let below: Vec<String> = rows
            .iter()
            .filter(|r| r.acc < t)
            .map(|r| format!("{} ({:.2} %)", r.label(), 100.0 * r.acc))
            .collect();
        summary.push_str(&format!(
            "target {:.1} %: {}\n",
            100.0 * t,
            if below.is_empty() {
                "every configuration reached it".to_string()
            } else {
                format!("{} below: {}", below.len(), below.join(", "))
            }
        ));
    }
    let col = |f: &dyn Fn(&ConfigRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let exact =
        "exact H1 (Definition 1) on the post-pool float maps, 3×3×1 windows (one channel each)";
    let binned = format!(
        "binned:{} H1 (equal-width bins over each map's range), 3×3×1 windows (one channel each)",
        cfg.h1_bins
    );
    let gauss = "Gaussian H2, 3×3×1 windows (one channel each) across the measured images";
    let mut fam = super::Family::default();
    let pool = col(&|r| r.pool as f64);
    let kernel = col(&|r| r.kernel as f64);
    let zero = col(&|r| r.zero_exact);
    fam.corr(
        "R1",
        "pool size vs fraction of constant windows entering the conv",
        exact,
        &pool,
        &zero,
    );
    fam.corr("R1", "pool size vs accuracy", "-", &pool, &accs);
    fam.corr(
        "R2",
        "kernel size vs mean H2 of the conv output",
        gauss,
        &kernel,
        &col(&|r| r.h2),
    );
    fam.corr("R2", "kernel size vs accuracy", "-", &kernel, &accs);
    let pair = |f: &dyn Fn(&ConfigRow) -> f64| -> Vec<f64> {
        rows.iter()
            .filter(|r| r.skip)
            .filter_map(|r| {
                let off = rows
                    .iter()
                    .find(|o| !o.skip && o.pool == r.pool && o.kernel == r.kernel)?;
                Some(f(r) - f(off))
            })
            .collect()
    };
    fam.mean(
        "R3",
        "H2(with skip) − H2(without), paired by (pool, kernel)",
        gauss,
        &pair(&|r| r.h2),
    );
    fam.mean(
        "R3",
        "accuracy(with skip) − accuracy(without), paired",
        "-",
        &pair(&|r| r.acc),
    );
    fam.corr(
        "premise",
        "fraction of constant windows entering the conv vs accuracy",
        exact,
        &zero,
        &accs,
    );
    fam.corr(
        "premise",
        "mean local H1 entering the conv vs accuracy",
        &binned,
        &col(&|r| r.h1),
        &accs,
    );
    fam.corr(
        "SED",
        "SED of the topology vs accuracy",
        "-",
        &col(&|r| r.sed),
        &accs,
    );
    fam.corr(
        "#params",
        "#params vs accuracy",
        "-",
        &col(&|r| r.params as f64),
        &accs,
    );
    let series = skip_series(plan, &runs.skips);
    if !series.is_empty() {
        let ks: Vec<f64> = series.iter().map(|r| r.skips as f64).collect();
        let a: Vec<f64> = series.iter().map(|r| r.acc).collect();
        let h: Vec<f64> = series.iter().map(|r| r.h2_cell1).collect();
        fam.corr("R3 NB201", "#skips vs accuracy (NB201 cells)", "-", &ks, &a);
        fam.corr(
            "R3 NB201",
            "#skips vs mean H2 of the stage-1 cell",
            gauss,
            &ks,
            &h,
        );
    }
    let (text, rules) = fam.finish("configurations");
    summary.push_str(&text);
    // the estimator sensitivity of rule 1 (not part of the family: the same question asked
    // of other estimators)
    summary.push_str("R1 sensitivity to the H1 estimator (ρ of pool size with the fraction of zero-H1 windows):\n");
    for (i, nb) in cfg.sensitivity_bins.iter().enumerate() {
        let z = col(&|r| r.zero_binned.get(i).copied().unwrap_or(f64::NAN));
        if let Some(e) = crate::eval::stats::spearman_test(&pool, &z, 0.95) {
            summary.push_str(&format!(
                "  binned:{nb}: ρ = {:+.3} [{:+.3}, {:+.3}], mean fraction {:.4} (exact: {:.4})\n",
                e.value,
                e.lo,
                e.hi,
                mean(&z),
                mean(&zero)
            ));
        }
    }
    crate::io::write_atomic(&out.join("rules.csv"), rules.as_bytes())?;
    Ok((rows, summary))
}

/// One skip count of the NB201 series: means over its finished seeds.
#[derive(Debug, Clone)]
struct SkipSeries {
    skips: usize,
    acc: f64,
    acc_sd: Option<f64>,
    /// Mean H2 of the stage-1 cell (NaN when undefined for every seed).
    h2_cell1: f64,
}

fn skip_series(plan: &Plan, runs: &[SkipRun]) -> Vec<SkipSeries> {
    plan.nb201_skips
        .iter()
        .filter_map(|&k| {
            let g: Vec<&SkipRun> = runs.iter().filter(|r| r.skips == k).collect();
            if g.is_empty() {
                return None;
            }
            let acc: Vec<f64> = g.iter().map(|r| r.test_acc).collect();
            let h2: Vec<f64> = g
                .iter()
                .filter_map(|r| r.cell_h2.first().copied().flatten())
                .collect();
            Some(SkipSeries {
                skips: k,
                acc: mean(&acc),
                acc_sd: sd(&acc),
                h2_cell1: if h2.is_empty() { f64::NAN } else { mean(&h2) },
            })
        })
        .collect()
}

/// The figures: accuracy per configuration, the NB201 skip series, and the fraction of
/// constant windows by pool size. An undefined standard deviation (one seed) draws no bar.
/// `tables` is the folder whose tables the captions name (the output folder), `command`
/// the command that drew them.
fn plot(
    cfg: &Config,
    plan: &Plan,
    runs: &Runs,
    rows: &[ConfigRow],
    out: &Path,
    (tables, command): (&Path, &str),
) -> Result<()> {
    use crate::plot::{Caption, Labels, bars};
    let runs_csv = tables.join("runs.csv").display().to_string();
    let seeds = super::seeds_text(rows.iter().map(|r| r.seeds));
    let sd_ends = |m: f64, sd: Option<f64>| match sd {
        Some(s) => (m - s, m + s),
        None => (f64::NAN, f64::NAN),
    };
    bars(
        &out.join("accuracy"),
        &Labels {
            title: &format!(
                "Plain CNNs on {}: held-out accuracy per configuration (mean ± sd over {seeds})",
                cfg.dataset
            ),
            x: "configuration (o = max-pool size, k = conv kernel, +skip = skip connection)",
            y: "held-out accuracy (fraction of test images)",
        },
        &rows.iter().map(|r| r.label()).collect::<Vec<_>>(),
        &rows.iter().map(|r| r.acc).collect::<Vec<_>>(),
        Some(
            &rows
                .iter()
                .map(|r| sd_ends(r.acc, r.acc_sd))
                .collect::<Vec<_>>(),
        ),
        &Caption::new(
            &runs_csv,
            format!(
                "{} configurations × {seeds} = {} runs",
                rows.len(),
                runs.plain.len()
            ),
            command,
        ),
    )?;
    let series = skip_series(plan, &runs.skips);
    if !series.is_empty() {
        let per = plan
            .nb201_skips
            .iter()
            .map(|&k| runs.skips.iter().filter(|r| r.skips == k).count())
            .filter(|&n| n > 0);
        let seeds = super::seeds_text(per);
        bars(
            &out.join("nb201_skips_accuracy"),
            &Labels {
                title: &format!(
                    "NB201 cells with k skips (other edges 3×3 conv): accuracy, mean ± sd over {seeds}"
                ),
                x: "skip connections in the cell",
                y: "held-out accuracy (fraction of test images)",
            },
            &series
                .iter()
                .map(|s| format!("{} skips", s.skips))
                .collect::<Vec<_>>(),
            &series.iter().map(|s| s.acc).collect::<Vec<_>>(),
            Some(
                &series
                    .iter()
                    .map(|s| sd_ends(s.acc, s.acc_sd))
                    .collect::<Vec<_>>(),
            ),
            &Caption::new(
                tables.join("nb201_skips.csv").display().to_string(),
                format!(
                    "{} cells × {seeds} = {} runs",
                    series.len(),
                    runs.skips.len()
                ),
                command,
            ),
        )?;
    }
    let pools: Vec<usize> = cfg
        .pools
        .iter()
        .copied()
        .filter(|&p| runs.plain.iter().any(|r| r.pool == p))
        .collect();
    // per pool: the mean over every run, and the spread over seeds (min–max of each seed's
    // mean over the configurations with that pool)
    let mut zs = Vec::new();
    let mut spread = Vec::new();
    let mut per_pool = Vec::new();
    for &p in &pools {
        let at: Vec<&RunResult> = runs.plain.iter().filter(|r| r.pool == p).collect();
        zs.push(mean(
            &at.iter().map(|r| r.conv_input_h1_zero).collect::<Vec<_>>(),
        ));
        let seed_means: Vec<f64> = plan
            .seeds
            .iter()
            .filter_map(|&s| {
                let v: Vec<f64> = at
                    .iter()
                    .filter(|r| r.seed == s)
                    .map(|r| r.conv_input_h1_zero)
                    .collect();
                (!v.is_empty()).then(|| mean(&v))
            })
            .collect();
        spread.push(if seed_means.len() >= 2 {
            (
                seed_means.iter().copied().fold(f64::INFINITY, f64::min),
                seed_means.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        } else {
            (f64::NAN, f64::NAN)
        });
        per_pool.push((at.len(), seed_means.len()));
    }
    let runs_per_pool = super::seeds_text(per_pool.iter().map(|p| p.0)).replace("seed", "run");
    let seeds = super::seeds_text(per_pool.iter().map(|p| p.1));
    bars(
        &out.join("zero_h1_by_pool"),
        &Labels {
            title: &format!(
                "Constant 3×3×1 windows (exact H1 = 0) entering the conv, by max-pool size ({})",
                cfg.dataset
            ),
            x: "max-pool size before the conv (1 = no pool)",
            y: &format!("fraction of windows with H1 = 0 (error bar: min–max over {seeds})"),
        },
        &pools
            .iter()
            .map(|p| format!("pool {p}"))
            .collect::<Vec<_>>(),
        &zs,
        Some(&spread),
        &Caption::new(
            &runs_csv,
            format!(
                "{runs_per_pool} per pool size ({} kernels × {} skip settings × {seeds}); bar: their mean; error bar: min–max over the seeds of each seed's mean",
                cfg.kernels.len(),
                cfg.skips.len()
            ),
            command,
        )
        .estimator(format!(
            "exact H1 (Definition 1) on the post-pool float maps of {} held-out images, 3×3×1 windows per channel, stride 1, crop border",
            cfg.fmap_count
        )),
    )
}

/// Redraws the figures from the tables already in `out` (`runs.csv`, and `nb201_skips.csv`
/// when the plan has an NB201 series) without training, tabulating or rewriting any table:
/// the committed results keep their tables but not their run folders. The stored config
/// must equal `config_path`'s. Returns a line naming the figures.
///
/// # Errors
/// As [`run`]; [`Error::InvalidParameter`] (`--replot`) for a folder without finished runs;
/// [`Error::Csv`] for a table that does not read.
///
/// ```
/// use std::path::Path;
/// let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
/// let out = std::env::temp_dir().join(format!("sednas-doc-narp-{}", std::process::id()));
/// let e = sednas::experiments::net_ablation::replot(&cfg, &out).unwrap_err().to_string();
/// assert!(e.contains("experiment-config.json"), "{e}");
/// assert!(!out.exists());
/// ```
pub fn replot(config_path: &Path, out: &Path) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    super::check_replot_config(out, &cfg)?;
    let plan = Plan::new(&cfg);
    let plain: Vec<RunResult> = super::read_csv::<RunRow>(&out.join("runs.csv"))?
        .into_iter()
        .map(RunResult::from)
        .collect();
    if plain.is_empty() {
        return Err(Error::param(
            "--replot",
            format!("{} holds no runs", out.join("runs.csv").display()),
        ));
    }
    let skips_csv = out.join("nb201_skips.csv");
    let skips: Vec<SkipRun> = if plan.nb201_skips.is_empty() {
        Vec::new()
    } else {
        super::read_csv::<SkipRow>(&skips_csv)?
            .into_iter()
            .map(SkipRun::from)
            .collect()
    };
    let runs = Runs { plain, skips };
    let rows = config_rows(&cfg, &runs.plain);
    let command = super::command("net-ablation", config_path, out, "--replot");
    let staged = crate::io::staged::Staged::new(out)?;
    plot(&cfg, &plan, &runs, &rows, staged.dir(), (out, &command))?;
    let mut names: Vec<String> = std::fs::read_dir(staged.dir())
        .map_err(|e| Error::io(staged.dir(), e))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    staged.commit(&[])?;
    Ok(format!(
        "figures redrawn from {} ({} runs): {}\n",
        out.join("runs.csv").display(),
        runs.len(),
        names.join(", ")
    ))
}

/// A run as `runs.csv` records it (for `--replot`): what the table does not keep (the
/// binned sensitivity fractions, the training time, the layers) is empty or NaN.
impl From<RunRow> for RunResult {
    fn from(r: RunRow) -> Self {
        RunResult {
            pool: r.pool,
            kernel: r.kernel,
            skip: r.skip,
            seed: r.seed,
            sed: r.sed,
            params: r.params,
            test_acc: r.test_acc,
            conv_input_h1_zero: r.conv_input_h1_zero_exact,
            conv_input_h1_zero_binned: Vec::new(),
            conv_input_h1: r.conv_input_h1_binned,
            conv_output_h2: r.conv_output_h2,
            seconds: f64::NAN,
            layers: Vec::new(),
        }
    }
}

/// A skip-series run as `nb201_skips.csv` records it (for `--replot`).
impl From<SkipRow> for SkipRun {
    fn from(r: SkipRow) -> Self {
        SkipRun {
            skips: r.skips,
            seed: r.seed,
            arch: r.arch,
            sed: r.sed,
            test_acc: r.test_acc,
            cell_h2: vec![r.h2_cell1, r.h2_cell2, r.h2_cell3],
        }
    }
}

/// plan → run (or collect) → tabulate → plot, then `meta.json` and `summary.txt`.
fn run_mode(config_path: &Path, out: &Path, mode: Mode) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    let t0 = Instant::now();
    let plan = Plan::new(&cfg);
    // data and device first: a bad dataset or backend leaves no folder behind
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
    cfg.device.train_device()?;
    super::open_run_folder(out, &cfg, mode)?;
    let runs = execute(&cfg, &plan, &data, out, mode)?;
    if runs.plain.is_empty() {
        return Err(Error::param(
            "tabulate",
            format!(
                "no finished plain-CNN run in {}",
                out.join("runs").display()
            ),
        ));
    }
    // tables, figures, summary and meta.json are staged and moved into place together
    // (meta.json last): a tabulation that fails half-way leaves the old set untouched
    let staged = crate::io::staged::Staged::new(out)?;
    let dest = staged.dir();
    let (rows, summary) = tabulate_results(&cfg, &plan, &runs, dest)?;
    let command = super::command("net-ablation", config_path, out, mode.flag());
    plot(&cfg, &plan, &runs, &rows, dest, (out, &command))?;
    let data_files = idx_files(&cfg.dataset, &cfg.data_dir);
    let timing = format!("wall time {:.0} s", t0.elapsed().as_secs_f64());
    let rs = &runs.plain;
    write_meta(
        dest,
        "net-ablation",
        &cfg,
        &data_files,
        t0.elapsed().as_secs_f64(),
        serde_json::json!({
            "timing": timing,
            // training seconds of every run (resumed runs keep the time of the run that
            // trained them) and their total
            "train_seconds": rs
                .iter()
                .map(|r| (format!("pool{}_k{}_skip{}_s{}", r.pool, r.kernel, r.skip as u8, r.seed), r.seconds))
                .collect::<std::collections::BTreeMap<_, _>>(),
            "train_seconds_total": rs.iter().map(|r| r.seconds).sum::<f64>(),
        }),
    )?;
    crate::io::write_atomic(&dest.join("summary.txt"), summary.as_bytes())?;
    staged.commit(&["summary.txt", "meta.json"])?;
    Ok(format!("{summary}{timing}\n"))
}
