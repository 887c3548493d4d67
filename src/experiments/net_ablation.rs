//! `net-ablation`: plain CNNs that vary one operation at a time — max-pool size before a
//! convolution, that convolution's kernel, a skip connection around it — trained on real
//! images with one short schedule and several seeds. For each trained network: held-out
//! accuracy, the fraction of zero-H1 windows and the mean local H2 of each layer's feature
//! maps on held-out images, and SED of its topology. The three rules behind SED are then
//! tested against the data with confidence intervals.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;

use super::{Splits, cached_result, idx_files, mean, read_config, save_result, sd, write_meta};
use crate::arch::{BlockCensus, Census};
use crate::entropy::{Binning, H1Estimator, H2Options};
use crate::error::{Error, Result};
use crate::nn::device::Backend;
use crate::nn::fmap::fmap_entropy;
use crate::nn::plain::{PlainCnn, PlainConfig};
use crate::nn::run::{RunConfig, prepare, train_nb201};
use crate::nn::train::{Optim, TrainConfig, train};
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
    /// Fraction of exactly constant 3×3×c windows (exact estimator) of the map entering
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
    /// Every layer: (name, mean H1 binned:h1_bins, exact zero-H1 fraction, mean H2).
    pub layers: Vec<(String, f64, f64, Option<f64>)>,
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

/// One plain-CNN run: `(pool, kernel, skip)` is the variant.
fn run_one(
    cfg: &Config,
    data: &Splits,
    (pool, kernel, skip): (usize, usize, bool),
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<RunResult> {
    if let Some(r) = cached_result(dir, resume)? {
        return Ok(r);
    }
    let tr = data.train.take(cfg.train_limit);
    let te = data.test.take(cfg.test_limit);
    let device = cfg.device.train_device()?;
    device.seed(seed);
    let pc = PlainConfig {
        in_channels: tr.images.dim().1,
        width: cfg.width,
        pool,
        kernel,
        skip,
        classes: tr.classes,
    };
    let net = PlainCnn::new(&pc, &device)?;
    let tc = TrainConfig {
        epochs: cfg.epochs,
        batch: cfg.batch,
        lr: cfg.lr,
        seed,
        optim: Optim::Adam,
        schedule: cfg.schedule,
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
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
        layers: layers
            .iter()
            .map(|l| {
                (
                    l.layer.clone(),
                    l.h1_mean,
                    l.h1_exact_zero_fraction,
                    l.h2_mean,
                )
            })
            .collect(),
    };
    save_result(dir, &r)?;
    Ok(r)
}

/// The NB201 cell with `k` skip connections: all six edges 3×3 convolutions, then the edges
/// 3←0, 2←0, 1←0, 3←1, 2←1, 3←2 (in this order) turned into skips.
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

fn run_skip(
    cfg: &Config,
    data: &Splits,
    k: usize,
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<SkipRun> {
    if let Some(r) = cached_result(dir, resume)? {
        return Ok(r);
    }
    let arch = skip_cell(k)?;
    let probe = &data.test;
    let rc = RunConfig {
        arch: arch.to_string(),
        dataset: cfg.dataset.clone(),
        net: crate::nn::nb201::Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: cfg.width,
            cells: 1,
            classes: probe.classes,
        },
        rgb: false,
        train: TrainConfig {
            epochs: cfg.epochs,
            batch: cfg.batch,
            lr: cfg.lr,
            seed,
            optim: Optim::Adam,
            schedule: cfg.schedule,
        },
        train_limit: cfg.train_limit,
        test_limit: cfg.test_limit,
        device: cfg.device,
    };
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

/// One configuration's means over its seeds (the unit of every test).
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
    pub params: f64,
    /// Seeds that ran.
    pub seeds: usize,
    /// Mean held-out accuracy.
    pub acc: f64,
    /// Standard deviation of the accuracy over seeds.
    pub acc_sd: f64,
    /// Mean exact zero-H1 fraction entering the conv.
    pub zero_exact: f64,
    /// Mean binned zero-H1 fractions entering the conv (order of `sensitivity_bins`).
    pub zero_binned: Vec<f64>,
    /// Mean binned local H1 entering the conv.
    pub h1: f64,
    /// Mean local H2 of the conv output (NaN when every seed's map was singular).
    pub h2: f64,
}

impl ConfigRow {
    /// `o3 k5 +skip`.
    pub fn label(&self) -> String {
        format!(
            "o{} k{}{}",
            self.pool,
            self.kernel,
            if self.skip { " +skip" } else { "" }
        )
    }
}

/// Means over seeds per configuration, in the config's (pool, kernel, skip) order.
pub fn config_rows(cfg: &Config, rs: &[RunResult]) -> Vec<ConfigRow> {
    let mut out = Vec::new();
    for &p in &cfg.pools {
        for &k in &cfg.kernels {
            for &s in &cfg.skips {
                let g: Vec<&RunResult> = rs
                    .iter()
                    .filter(|r| r.pool == p && r.kernel == k && r.skip == s)
                    .collect();
                if g.is_empty() {
                    continue;
                }
                let m = |f: &dyn Fn(&RunResult) -> f64| {
                    let v: Vec<f64> = g.iter().map(|r| f(r)).filter(|v| v.is_finite()).collect();
                    if v.is_empty() { f64::NAN } else { mean(&v) }
                };
                let acc: Vec<f64> = g.iter().map(|r| r.test_acc).collect();
                out.push(ConfigRow {
                    pool: p,
                    kernel: k,
                    skip: s,
                    sed: g[0].sed,
                    params: g[0].params as f64,
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
        }
    }
    out
}

impl Config {
    /// Checks every setting before any training starts (zero sizes, an empty list, even
    /// kernels, a learning rate that is not a positive number): a typed error naming it.
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

/// Runs the ablation into `out`; returns the printed summary.
pub fn run(config_path: &Path, out: &Path, resume: bool) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    let t0 = Instant::now();
    // data and device first: a bad dataset or backend leaves no folder behind
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
    cfg.device.train_device()?;
    super::check_config(out, &cfg, resume)?;
    std::fs::create_dir_all(out.join("runs")).map_err(|e| Error::io(out, e))?;
    let total = (cfg.pools.len() * cfg.kernels.len() * cfg.skips.len() + cfg.nb201_skips.len())
        * cfg.seeds.len();
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} trainings ({elapsed}, eta {eta})",
        )
        .expect("template"),
    );
    let mut rs = Vec::new();
    for &p in &cfg.pools {
        for &k in &cfg.kernels {
            for &s in &cfg.skips {
                for &seed in &cfg.seeds {
                    let dir = out
                        .join("runs")
                        .join(format!("pool{p}_k{k}_skip{}_s{seed}", s as u8));
                    rs.push(run_one(&cfg, &data, (p, k, s), seed, &dir, resume)?);
                    bar.inc(1);
                }
            }
        }
    }
    let mut skip_runs = Vec::new();
    for &k in &cfg.nb201_skips {
        for &seed in &cfg.seeds {
            let dir = out.join("runs").join(format!("nb201_skips{k}_s{seed}"));
            skip_runs.push(run_skip(&cfg, &data, k, seed, &dir, resume)?);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let mut timings = String::from("pool,kernel,skip,seed,seconds\n");
    for r in &rs {
        timings.push_str(&format!(
            "{},{},{},{},{}\n",
            r.pool, r.kernel, r.skip, r.seed, r.seconds
        ));
    }
    crate::io::write_atomic(&out.join("timings.csv"), timings.as_bytes())?;
    let mut csv = String::from(
        "pool,kernel,skip,seed,sed,params,test_acc,conv_input_h1_zero_exact,conv_input_h1_binned,conv_output_h2\n",
    );
    for r in &rs {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            r.pool,
            r.kernel,
            r.skip,
            r.seed,
            r.sed,
            r.params,
            r.test_acc,
            r.conv_input_h1_zero,
            r.conv_input_h1,
            r.conv_output_h2.map(|v| v.to_string()).unwrap_or_default(),
        ));
    }
    crate::io::write_atomic(&out.join("runs.csv"), csv.as_bytes())?;
    // per configuration: means over seeds
    let rows = config_rows(&cfg, &rs);
    let mut cfgcsv = String::from(
        "pool,kernel,skip,sed,params,seeds,acc_mean,acc_sd,conv_input_h1_zero_exact,conv_input_h1_binned,conv_output_h2\n",
    );
    for r in &rows {
        cfgcsv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            r.pool,
            r.kernel,
            r.skip,
            r.sed,
            r.params,
            r.seeds,
            r.acc,
            r.acc_sd,
            r.zero_exact,
            r.h1,
            r.h2
        ));
    }
    crate::io::write_atomic(&out.join("configs.csv"), cfgcsv.as_bytes())?;
    let labels: Vec<String> = rows.iter().map(|r| r.label()).collect();
    let accm: Vec<f64> = rows.iter().map(|r| r.acc).collect();
    let accs: Vec<f64> = rows.iter().map(|r| r.acc_sd).collect();
    crate::plot::bars(
        &out.join("accuracy"),
        &format!(
            "Plain CNNs on {}: held-out accuracy (mean ± sd over seeds)",
            cfg.dataset
        ),
        "accuracy",
        &labels,
        &accm,
        Some(&accs),
    )?;
    // the rules, tested on configuration means: seeds are replicates of a configuration,
    // so n is the number of configurations (pairs of configurations for the paired tests)
    let accs: Vec<f64> = rows.iter().map(|r| r.acc).collect();
    let mut summary = format!(
        "net-ablation: {} configurations × {} seeds on {} ({} train / {} test images, {} epoch(s), width {}); \
         tests on configuration means (seeds are replicates)\n",
        rows.len(),
        cfg.seeds.len(),
        cfg.dataset,
        cfg.train_limit,
        cfg.test_limit,
        cfg.epochs,
        cfg.width,
    );
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
    let exact = "exact H1 (Definition 1) on the post-pool float maps, 3×3×c windows";
    let binned = format!(
        "binned:{} H1 (equal-width bins over each map's range), 3×3×c windows",
        cfg.h1_bins
    );
    let gauss = "Gaussian H2, 3×3×c windows across the measured images";
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
        &col(&|r| r.params),
        &accs,
    );
    let mut nb201_rows: Vec<(usize, f64, f64)> = Vec::new();
    for &k in &cfg.nb201_skips {
        let g: Vec<&SkipRun> = skip_runs.iter().filter(|r| r.skips == k).collect();
        let acc = mean(&g.iter().map(|r| r.test_acc).collect::<Vec<_>>());
        let h2: Vec<f64> = g
            .iter()
            .filter_map(|r| r.cell_h2.first().copied().flatten())
            .collect();
        nb201_rows.push((k, acc, if h2.is_empty() { f64::NAN } else { mean(&h2) }));
    }
    if !nb201_rows.is_empty() {
        let ks: Vec<f64> = nb201_rows.iter().map(|r| r.0 as f64).collect();
        let a: Vec<f64> = nb201_rows.iter().map(|r| r.1).collect();
        let h: Vec<f64> = nb201_rows.iter().map(|r| r.2).collect();
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
    if !skip_runs.is_empty() {
        let mut sk = String::from("skips,seed,arch,sed,test_acc,h2_cell1,h2_cell2,h2_cell3\n");
        for r in &skip_runs {
            let h = |i: usize| {
                r.cell_h2
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            };
            sk.push_str(&format!(
                "{},{},\"{}\",{},{},{},{},{}\n",
                r.skips,
                r.seed,
                r.arch,
                r.sed,
                r.test_acc,
                h(0),
                h(1),
                h(2)
            ));
        }
        crate::io::write_atomic(&out.join("nb201_skips.csv"), sk.as_bytes())?;
        let labels: Vec<String> = cfg
            .nb201_skips
            .iter()
            .map(|k| format!("{k} skips"))
            .collect();
        let accs: Vec<Vec<f64>> = cfg
            .nb201_skips
            .iter()
            .map(|&k| {
                skip_runs
                    .iter()
                    .filter(|r| r.skips == k)
                    .map(|r| r.test_acc)
                    .collect()
            })
            .collect();
        crate::plot::bars(
            &out.join("nb201_skips_accuracy"),
            "NB201 cells with k skips (other edges 3×3 conv): accuracy, mean ± sd",
            "accuracy",
            &labels,
            &accs.iter().map(|v| mean(v)).collect::<Vec<_>>(),
            Some(&accs.iter().map(|v| sd(v)).collect::<Vec<_>>()),
        )?;
    }
    crate::io::write_atomic(&out.join("rules.csv"), rules.as_bytes())?;
    let zs: Vec<f64> = cfg
        .pools
        .iter()
        .map(|&p| {
            mean(
                &rs.iter()
                    .filter(|r| r.pool == p)
                    .map(|r| r.conv_input_h1_zero)
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    crate::plot::bars(
        &out.join("zero_h1_by_pool"),
        "Fraction of constant 3×3×c windows (exact H1 = 0) entering the conv, by max-pool size",
        "fraction of windows with exact H1 = 0",
        &cfg.pools
            .iter()
            .map(|p| format!("pool {p}"))
            .collect::<Vec<_>>(),
        &zs,
        None,
    )?;
    let data_files = idx_files(&cfg.dataset, &cfg.data_dir);
    let timing = format!("wall time {:.0} s", t0.elapsed().as_secs_f64());
    write_meta(
        out,
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
    crate::io::write_atomic(&out.join("summary.txt"), summary.as_bytes())?;
    Ok(format!("{summary}{timing}\n"))
}
