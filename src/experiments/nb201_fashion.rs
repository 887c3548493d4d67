//! `nb201-fashion`: NB201 architectures spanning SED's range (the whole top-SED tie set plus
//! evenly spaced SED quantiles down to the lowest connected cells) trained on Fashion-MNIST
//! with one short schedule and several seeds; held-out accuracy, per-layer local entropy of
//! the trained feature maps, and the rank correlation of accuracy with SED, LED-flow,
//! #params and the measured entropies.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;

use super::{LayerSummary, idx_files, mean, read_config, sd, write_csv, write_meta};
use super::{Mode, Splits, cached_result, save_result};
use crate::arch::nb201::{Nb201Arch, enumerate};
use crate::arch::{AnyArch, Census};
use crate::entropy::{Binning, H1Estimator, H2Options};
use crate::error::{Error, Result};
use crate::nn::device::Backend;
use crate::nn::fmap::fmap_entropy;
use crate::nn::nb201::Nb201NetConfig;
use crate::nn::run::{RunConfig, prepare, train_nb201};
use crate::nn::train::{Optim, TrainParams};
use crate::sed::ledflow::LedFlow;
use crate::sed::{Sed, SedConfig};
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// The experiment's configuration (`experiments/nb201-fashion/config.toml`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Dataset name (fashion-mnist or mnist; digits for a smoke run).
    pub dataset: String,
    /// Folder filled by scripts/fetch-data.sh.
    pub data_dir: PathBuf,
    /// Training images (first N of the training split).
    pub train_limit: usize,
    /// Held-out images (first N of the test split).
    pub test_limit: usize,
    /// Epochs.
    pub epochs: usize,
    /// Width C.
    pub width: usize,
    /// Cells per stage.
    pub cells: usize,
    /// Batch size.
    pub batch: usize,
    /// Learning rate (Adam).
    pub lr: f64,
    /// Seeds (one training run per architecture and seed).
    pub seeds: Vec<u64>,
    /// Number of architectures (≥ the size of the top-SED tie set).
    pub n_archs: usize,
    /// Held-out images whose feature maps are measured.
    pub fmap_count: usize,
    /// H1 bins for the feature maps (mean local H1; zero-H1 fractions use the exact estimator).
    pub h1_bins: usize,
    /// NB-Bench-201 ground truth (`nb201_test_acc_200ep.csv`, columns `index`,
    /// `cifar10_test`): when given, the summary reports how far the trained ranks agree with
    /// the benchmark's CIFAR-10 ranks of the same cells. A bare file name is read from the
    /// data folder (`$SEDNAS_DATA`, else `../shared/data`); a path is used as given.
    #[serde(default)]
    pub truth: Option<PathBuf>,
    /// Learning-rate schedule (`constant` or `cosine`; default constant).
    #[serde(default)]
    pub schedule: crate::nn::train::Schedule,
    /// burn backend for training and feature maps (flex, wgpu, cuda; default flex).
    #[serde(default)]
    pub device: Backend,
}

impl Config {
    /// Checks every setting before any training starts: a typed error naming it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting out of range.
    ///
    /// ```
    /// use sednas::experiments::{nb201_fashion::Config, read_config};
    /// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/nb201-fashion/smoke.toml");
    /// let mut c: Config = read_config(&p).unwrap();
    /// assert!(c.validate().is_ok());
    /// c.seeds.clear();
    /// assert!(c.validate().unwrap_err().to_string().contains("seeds"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        super::check_common(
            "nb201-fashion",
            &[
                ("train_limit", self.train_limit),
                ("test_limit", self.test_limit),
                ("epochs", self.epochs),
                ("width", self.width),
                ("cells", self.cells),
                ("batch", self.batch),
                ("n_archs", self.n_archs),
                ("h1_bins", self.h1_bins),
            ],
            self.fmap_count,
            self.lr,
            &self.seeds,
        )?;
        let bad = |what: &str, why: String| Err(super::config_error("nb201-fashion", what, why));
        if self.width > 64 {
            return bad("width", format!("must be ≤ 64, got {}", self.width));
        }
        if self.cells > 5 {
            return bad(
                "cells",
                format!("must be ≤ 5 (NB201 uses 5), got {}", self.cells),
            );
        }
        if self.n_archs > 1000 {
            return bad("n_archs", format!("must be ≤ 1000, got {}", self.n_archs));
        }
        Ok(())
    }
}

/// NB201 CIFAR-10 test accuracy by official index, from `nb201_test_acc_200ep.csv`.
fn read_truth(path: &Path) -> Result<std::collections::HashMap<usize, f64>> {
    // a bare file name lives in the data folder ($SEDNAS_DATA, else ../shared/data)
    let bare = path.parent().is_none_or(|d| d.as_os_str().is_empty());
    let p = if bare {
        std::env::var_os("SEDNAS_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("../shared/data"))
            .join(path)
    } else {
        path.to_path_buf()
    };
    let name = p.display().to_string();
    let csv_err = |line: u64, e: csv::Error| {
        crate::io::bounded::from_csv(&e).unwrap_or_else(|| Error::Csv {
            path: name.clone(),
            line,
            reason: e.to_string(),
        })
    };
    let mut rd = csv::Reader::from_reader(crate::io::bounded::open(&p, crate::io::bounded::CSV)?);
    let h = rd.headers().map_err(|e| csv_err(1, e))?.clone();
    let col = |c: &str| {
        crate::io::columns::find_unique(&h, c, &name)?.ok_or_else(|| Error::Csv {
            path: name.clone(),
            line: 1,
            reason: format!("no column {c:?}"),
        })
    };
    let (ix, acc) = (col("index")?, col("cifar10_test")?);
    let mut out = std::collections::HashMap::new();
    for (line, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| csv_err(line as u64 + 2, e))?;
        let parse = |i: usize| rec.get(i).and_then(|v| v.trim().parse::<f64>().ok());
        match (parse(ix), parse(acc)) {
            (Some(i), Some(a))
                if (0.0..15_625.0).contains(&i)
                    && i.fract() == 0.0
                    && (0.0..=100.0).contains(&a) =>
            {
                if out.insert(i as usize, a).is_some() {
                    return Err(Error::Csv {
                        path: name.clone(),
                        line: line as u64 + 2,
                        reason: format!("index {i} is listed twice"),
                    });
                }
            }
            _ => {
                return Err(Error::Csv {
                    path: name.clone(),
                    line: line as u64 + 2,
                    reason:
                        "index must be an integer in 0..15625 and cifar10_test a number in [0, 100]"
                            .into(),
                });
            }
        }
    }
    Ok(out)
}

/// The architectures: the top-SED tie set, then evenly spaced SED quantiles (ascending).
///
/// # Errors
/// [`Error::InvalidParameter`] for `n` of 0 or more than the space holds.
///
/// ```
/// let a = sednas::experiments::nb201_fashion::select_archs(7).unwrap();
/// // the lowest-SED connected cell, then the 6 cells that share the top SED
/// assert_eq!(a.len(), 7);
/// assert_eq!(a[0].official_index(), Some(91));
/// ```
pub fn select_archs(n: usize) -> Result<Vec<Nb201Arch>> {
    let sed = Sed::new(SedConfig::default())?;
    let mut census = Census::default();
    let mut all: Vec<(f64, usize, Nb201Arch)> = enumerate(4)?
        .filter(|a| a.is_connected())
        .map(|a| {
            (
                sed.score(&AnyArch::Nb201(a), &mut census),
                a.official_index().unwrap_or(0),
                a,
            )
        })
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let top = all.last().map(|x| x.0).unwrap_or(0.0);
    let mut chosen: Vec<(f64, usize, Nb201Arch)> =
        all.iter().filter(|x| x.0 == top).copied().collect();
    let rest = n.saturating_sub(chosen.len());
    let pool: Vec<&(f64, usize, Nb201Arch)> = all.iter().filter(|x| x.0 != top).collect();
    for k in 0..rest {
        let pos = if rest <= 1 {
            0
        } else {
            k * (pool.len() - 1) / (rest - 1)
        };
        let c = *pool[pos];
        if !chosen.iter().any(|x| x.1 == c.1) {
            chosen.push(c);
        }
    }
    chosen.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    Ok(chosen.into_iter().map(|x| x.2).collect())
}

/// One finished run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunResult {
    /// Official NB201 index.
    pub index: usize,
    /// Architecture.
    pub arch: String,
    /// Seed.
    pub seed: u64,
    /// SED (default configuration).
    pub sed: f64,
    /// LED-flow.
    pub led_flow: f64,
    /// Trainable parameters of the trained network.
    pub params: usize,
    /// Held-out accuracy after the last epoch.
    pub test_acc: f64,
    /// Training loss of the last epoch.
    pub train_loss: f64,
    /// Training wall time (s).
    pub train_seconds: f64,
    /// Mean time of one training step (ms).
    pub step_ms: f64,
    /// Per-layer local entropy (H1 mean under binned:h1_bins, exact zero-H1 fraction, H2
    /// mean).
    pub layers: Vec<LayerSummary>,
}

impl RunResult {
    /// A cached result must be the run of its folder (index, architecture, seed) with an
    /// accuracy in [0, 1].
    fn check(&self, dir: &Path, arch: &Nb201Arch, seed: u64) -> Result<()> {
        super::check_cached(
            dir,
            &[
                (
                    "index",
                    self.index.to_string(),
                    arch.official_index().unwrap_or(0).to_string(),
                ),
                ("arch", self.arch.clone(), arch.to_string()),
                ("seed", self.seed.to_string(), seed.to_string()),
            ],
            self.test_acc,
        )
    }
}

/// The training configuration the experiment plans for one run (its `config.json`).
fn run_config(cfg: &Config, data: &Splits, arch: &Nb201Arch, seed: u64) -> Result<RunConfig> {
    let probe = &data.test;
    Ok(RunConfig {
        arch: arch.to_string(),
        dataset: cfg.dataset.clone(),
        net: Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: cfg.width,
            cells: cfg.cells,
            classes: probe.classes,
        },
        rgb: false,
        train: TrainParams {
            epochs: cfg.epochs,
            batch: cfg.batch,
            lr: cfg.lr,
            seed,
            optim: Optim::Adam,
            schedule: cfg.schedule,
        }
        .check()?,
        train_limit: cfg.train_limit,
        test_limit: cfg.test_limit,
        device: cfg.device,
    })
}

fn run_one(
    cfg: &Config,
    data: &Splits,
    arch: &Nb201Arch,
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<RunResult> {
    let rc = run_config(cfg, data, arch, seed)?;
    if let Some(r) = cached_result::<RunResult>(dir, resume)? {
        r.check(dir, arch, seed)?;
        super::check_run_config(dir, &rc, "--resume")?;
        return Ok(r);
    }
    let probe = &data.test;
    let (net, hist) = train_nb201(&rc, &data.train, &data.test, dir, resume, false)?;
    let last = hist
        .last()
        .ok_or_else(|| Error::param("training", "no epoch ran"))?;
    let device = cfg.device.device()?;
    let net = net.valid();
    let test = prepare(&probe.take(cfg.fmap_count), false);
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let layers = fmap_entropy(
        &net,
        &test,
        &spec,
        &H1Estimator::Binned(Binning::data_range(cfg.h1_bins)?),
        Some(&H2Options::new()),
        &device,
    )?;
    let sed = Sed::new(SedConfig::default())?;
    let led = LedFlow::new(Default::default())?;
    let any = AnyArch::Nb201(*arch);
    let r = RunResult {
        index: arch.official_index().unwrap_or(0),
        arch: arch.to_string(),
        seed,
        sed: sed.score(&any, &mut Census::default()),
        led_flow: led.score(&any, &mut Vec::new()),
        params: net.num_params(),
        test_acc: last.test_acc,
        train_loss: last.train_loss,
        train_seconds: hist.iter().map(|h| h.seconds).sum(),
        step_ms: last.step_ms,
        layers: layers.iter().map(LayerSummary::from).collect(),
    };
    save_result(dir, &r)?;
    Ok(r)
}

/// The order in which the planned architectures are trained: a bit-reversal (van der Corput)
/// permutation of `0..n`, so that the first k finished runs of an interrupted experiment
/// span SED's whole range instead of its lowest k cells.
///
/// ```
/// use sednas::experiments::nb201_fashion::spread_order;
/// assert_eq!(spread_order(5), vec![0, 4, 2, 1, 3]);
/// ```
pub fn spread_order(n: usize) -> Vec<usize> {
    let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
    let mut v: Vec<usize> = (0..(1usize << bits))
        .map(|i| {
            if bits == 0 {
                i
            } else {
                i.reverse_bits() >> (usize::BITS - bits)
            }
        })
        .filter(|&i| i < n)
        .collect();
    v.truncate(n);
    v
}

/// Runs the experiment into `out` (training every planned run that is not finished, or all
/// of them without `resume`); returns the printed summary. A bad configuration is refused
/// before any folder is made.
///
/// # Errors
/// A configuration that does not read or validate, an output folder of another
/// configuration ([`Error::ConfigMismatch`]), a dataset that cannot be loaded, a failed
/// training run or write.
///
/// ```
/// use std::path::Path;
/// let out = std::env::temp_dir().join(format!("sednas-doc-nf-{}", std::process::id()));
/// let e = sednas::experiments::nb201_fashion::run(Path::new("no-such.toml"), &out, false).unwrap_err();
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

/// Tabulates the runs already finished in `out` without training anything (the experiment's
/// stored config must equal `config_path`'s). When some planned runs are missing, the summary
/// says so on its first line ("PARTIAL: k of n runs") and covers the finished ones only.
///
/// # Errors
/// As [`run`]; [`Error::InvalidParameter`] when a run folder is missing or unfinished.
///
/// ```
/// use std::path::Path;
/// let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/nb201-fashion/smoke.toml");
/// let out = std::env::temp_dir().join(format!("sednas-doc-tab-{}", std::process::id()));
/// // nothing to tabulate in a folder without runs (and nothing is written there)
/// let e = sednas::experiments::nb201_fashion::tabulate(&cfg, &out).unwrap_err().to_string();
/// assert!(e.contains("holds no runs"), "{e}");
/// assert!(!out.exists());
/// ```
pub fn tabulate(config_path: &Path, out: &Path) -> Result<String> {
    run_mode(config_path, out, Mode::Tabulate)
}

/// The planned runs: the architectures in SED order and the seeds. Trained in
/// [`spread_order`] over the architectures, each with every seed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Architectures, ascending SED ([`select_archs`]).
    pub archs: Vec<Nb201Arch>,
    /// Seeds (replicates of each architecture).
    pub seeds: Vec<u64>,
}

impl Plan {
    /// The plan of a (validated) configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a configuration that does not validate or selects no
    /// architecture.
    ///
    /// ```
    /// use sednas::experiments::{nb201_fashion::{Config, Plan}, read_config};
    /// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/nb201-fashion/smoke.toml");
    /// let c: Config = read_config(&p).unwrap();
    /// let plan = Plan::new(&c).unwrap();
    /// assert_eq!((plan.archs.len(), plan.seeds.clone()), (7, vec![0]));
    /// ```
    pub fn new(cfg: &Config) -> Result<Self> {
        Ok(Plan {
            archs: select_archs(cfg.n_archs)?,
            seeds: cfg.seeds.clone(),
        })
    }

    /// Planned runs: architectures × seeds.
    ///
    /// ```
    /// use sednas::experiments::nb201_fashion::{Plan, select_archs};
    /// let plan = Plan { archs: select_archs(7).unwrap(), seeds: vec![0, 1] };
    /// assert_eq!(plan.len(), 14);
    /// ```
    pub fn len(&self) -> usize {
        self.archs.len() * self.seeds.len()
    }

    /// Whether nothing is planned.
    ///
    /// ```
    /// use sednas::experiments::nb201_fashion::Plan;
    /// assert!(Plan { archs: vec![], seeds: vec![0] }.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A run's folder: `runs/{official index}_s{seed}`.
    ///
    /// ```
    /// use sednas::experiments::nb201_fashion::Plan;
    /// let a = "|avg_pool_3x3~0|+|none~0|nor_conv_1x1~1|+|nor_conv_1x1~0|none~1|nor_conv_1x1~2|".parse().unwrap();
    /// let d = Plan::dir(std::path::Path::new("out"), &a, 3);
    /// assert_eq!(d, std::path::Path::new("out/runs/91_s3"));
    /// ```
    pub fn dir(out: &Path, arch: &Nb201Arch, seed: u64) -> PathBuf {
        out.join("runs")
            .join(format!("{}_s{seed}", arch.official_index().unwrap_or(0)))
    }
}

/// One row of `runs.csv` (one training run).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunRow {
    /// Official NB201 index.
    pub index: usize,
    /// Architecture.
    pub arch: String,
    /// Seed.
    pub seed: u64,
    /// SED.
    pub sed: f64,
    /// LED-flow.
    pub led_flow: f64,
    /// Parameters.
    pub params: usize,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Training loss of the last epoch.
    pub train_loss: f64,
    /// Mean over layers of the mean local H1 (binned).
    pub h1_mean_layers: f64,
    /// Mean over layers of the exact zero-H1 window fraction.
    pub h1_zero_layers: f64,
    /// Mean local H2 of the last layer (empty when undefined).
    pub h2_mean_last: Option<f64>,
    /// Mean local H1 of the last layer.
    pub h1_mean_last: f64,
}

/// One row of `archs.csv` (an architecture: means over its seeds).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArchSummary {
    /// Official NB201 index.
    pub index: usize,
    /// Architecture.
    pub arch: String,
    /// SED.
    pub sed: f64,
    /// LED-flow.
    pub led_flow: f64,
    /// Parameters.
    pub params: usize,
    /// Held-out accuracy, mean over seeds.
    pub acc_mean: f64,
    /// Its standard deviation over seeds (empty with one seed: undefined, not 0).
    pub acc_sd: Option<f64>,
    /// Mean local H1 (binned), mean over layers and seeds.
    pub h1_mean: f64,
    /// Exact zero-H1 window fraction, mean over layers and seeds.
    pub h1_zero_fraction: f64,
    /// Mean local H2 of the last cell, mean over seeds (NaN when undefined).
    pub h2_mean_last_cell: f64,
}

impl From<&RunResult> for RunRow {
    fn from(r: &RunResult) -> Self {
        RunRow {
            index: r.index,
            arch: r.arch.clone(),
            seed: r.seed,
            sed: r.sed,
            led_flow: r.led_flow,
            params: r.params,
            test_acc: r.test_acc,
            train_loss: r.train_loss,
            h1_mean_layers: layer_mean(r, |l| l.h1_mean),
            h1_zero_layers: layer_mean(r, |l| l.h1_zero_exact),
            h2_mean_last: r.layers.last().and_then(|l| l.h2_mean),
            h1_mean_last: r.layers.last().map(|l| l.h1_mean).unwrap_or(f64::NAN),
        }
    }
}

fn layer_mean(r: &RunResult, f: impl Fn(&LayerSummary) -> f64) -> f64 {
    mean(&r.layers.iter().map(f).collect::<Vec<_>>())
}

/// Trains the planned runs that are not finished (or, under `Mode::Tabulate`, collects the
/// finished ones): (position in `plan.archs`, result), sorted by SED order then seed.
fn execute(
    cfg: &Config,
    plan: &Plan,
    data: &Splits,
    out: &Path,
    mode: Mode,
) -> Result<Vec<(usize, RunResult)>> {
    let bar = super::progress(plan.len());
    let mut done: Vec<(usize, usize, RunResult)> = Vec::new();
    for i in spread_order(plan.archs.len()) {
        let a = &plan.archs[i];
        for (j, &seed) in plan.seeds.iter().enumerate() {
            let dir = Plan::dir(out, a, seed);
            bar.set_message(format!("index {}", a.official_index().unwrap_or(0)));
            if mode == Mode::Tabulate {
                if let Some(r) = cached_result::<RunResult>(&dir, true)? {
                    r.check(&dir, a, seed)?;
                    super::check_run_config(&dir, &run_config(cfg, data, a, seed)?, "--tabulate")?;
                    done.push((i, j, r));
                }
            } else {
                done.push((i, j, run_one(cfg, data, a, seed, &dir, mode.reuses())?));
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    done.sort_by_key(|d| (d.0, d.1));
    Ok(done.into_iter().map(|d| (d.0, d.2)).collect())
}

/// The tables of the finished runs: `runs.csv`, `timings.csv`, `archs.csv` and
/// `correlations.csv` and `correlations_given_params.csv` in `out`; returns the architecture rows and the summary text.
fn tabulate_results(
    cfg: &Config,
    plan: &Plan,
    done: &[(usize, RunResult)],
    truth: Option<&std::collections::HashMap<usize, f64>>,
    out: &Path,
) -> Result<(Vec<ArchSummary>, String)> {
    let results: Vec<&RunResult> = done.iter().map(|d| &d.1).collect();
    // runs.csv is deterministic (bit for bit for a seed); timings go to timings.csv
    let mut timings = String::from("index,seed,train_seconds,step_ms\n");
    for r in &results {
        timings.push_str(&format!(
            "{},{},{},{}\n",
            r.index, r.seed, r.train_seconds, r.step_ms
        ));
    }
    crate::io::write_atomic(&out.join("timings.csv"), timings.as_bytes())?;
    let runs: Vec<RunRow> = results.iter().map(|r| RunRow::from(*r)).collect();
    write_csv(&out.join("runs.csv"), &runs)?;
    // per-architecture means over seeds, in SED order
    let mut positions: Vec<usize> = done.iter().map(|d| d.0).collect();
    positions.dedup();
    let rows: Vec<ArchSummary> = positions
        .iter()
        .map(|&p| {
            let rs: Vec<&RunResult> = done.iter().filter(|d| d.0 == p).map(|d| &d.1).collect();
            let acc: Vec<f64> = rs.iter().map(|r| r.test_acc).collect();
            let h2: Vec<f64> = rs
                .iter()
                .filter_map(|r| r.layers.last().and_then(|l| l.h2_mean))
                .collect();
            ArchSummary {
                index: rs[0].index,
                arch: rs[0].arch.clone(),
                sed: rs[0].sed,
                led_flow: rs[0].led_flow,
                params: rs[0].params,
                acc_mean: mean(&acc),
                acc_sd: sd(&acc),
                h1_mean: mean(
                    &rs.iter()
                        .map(|r| layer_mean(r, |l| l.h1_mean))
                        .collect::<Vec<_>>(),
                ),
                h1_zero_fraction: mean(
                    &rs.iter()
                        .map(|r| layer_mean(r, |l| l.h1_zero_exact))
                        .collect::<Vec<_>>(),
                ),
                h2_mean_last_cell: if h2.is_empty() { f64::NAN } else { mean(&h2) },
            }
        })
        .collect();
    write_csv(&out.join("archs.csv"), &rows)?;
    let acc: Vec<f64> = rows.iter().map(|r| r.acc_mean).collect();
    let col = |f: fn(&ArchSummary) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let preds: [(&str, Vec<f64>); 6] = [
        ("SED", col(|r| r.sed)),
        ("LED-flow", col(|r| r.led_flow)),
        ("#params", col(|r| r.params as f64)),
        ("mean local H1 (trained maps)", col(|r| r.h1_mean)),
        ("fraction of zero-H1 windows", col(|r| r.h1_zero_fraction)),
        ("mean local H2, last cell", col(|r| r.h2_mean_last_cell)),
    ];
    let mut summary = String::new();
    if results.len() < plan.len() {
        summary.push_str(&format!(
            "PARTIAL: {} of {} planned runs finished; the figures below cover the finished runs only\n",
            results.len(),
            plan.len()
        ));
    }
    summary.push_str(&format!(
        "nb201-fashion: {} architectures × {} seeds on {} ({} train / {} test images, {} epoch(s), C={}, N={})\n",
        rows.len(),
        cfg.seeds.len(),
        cfg.dataset,
        cfg.train_limit,
        cfg.test_limit,
        cfg.epochs,
        cfg.width,
        cfg.cells,
    ));
    summary.push_str(&format!(
        "held-out accuracy of the architectures (mean over seeds): {:.2}–{:.2} %\n\
         Spearman ρ with mean held-out accuracy, n = architectures (seeds are replicates):\n",
        100.0 * acc.iter().copied().fold(f64::INFINITY, f64::min),
        100.0 * acc.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    ));
    let est = |name: &str| match name {
        "mean local H1 (trained maps)" => {
            format!(
                "binned:{} H1, 3×3×1 windows (one channel each), mean over layers",
                cfg.h1_bins
            )
        }
        "fraction of zero-H1 windows" => {
            "exact H1 (Definition 1), 3×3×1 windows (one channel each), mean over layers"
                .to_string()
        }
        "mean local H2, last cell" => {
            "Gaussian H2, 3×3×1 windows (one channel each) across the measured images".to_string()
        }
        _ => "-".to_string(),
    };
    let mut fam = super::Family::default();
    for (name, v) in &preds {
        fam.corr("premise", name, &est(name), v, &acc);
    }
    if let Some(t) = truth {
        let c10: Vec<f64> = rows
            .iter()
            .map(|r| t.get(&r.index).copied().unwrap_or(f64::NAN))
            .collect();
        fam.corr(
            "proxy",
            "trained accuracy here vs NB201 CIFAR-10 test accuracy (200 epochs) of the same cells",
            "-",
            &c10,
            &acc,
        );
    }
    let (text, corr) = fam.finish("architectures");
    summary.push_str(&text);
    crate::io::write_atomic(&out.join("correlations.csv"), corr.as_bytes())?;
    // beyond size: does a measure rank the cells once #params is held fixed? (a family of
    // its own, corrected on its own)
    let params = col(|r| r.params as f64);
    let mut size = super::Family::default();
    for (name, v) in preds.iter().filter(|(n, _)| *n != "#params") {
        size.partial("beyond size", name, &est(name), v, &acc, &params);
    }
    let (text, corr) = size.finish("architectures");
    summary.push_str(
        "Partial Spearman ρ with accuracy given #params (what a measure adds beyond size):\n",
    );
    summary.push_str(&text);
    crate::io::write_atomic(&out.join("correlations_given_params.csv"), corr.as_bytes())?;
    Ok((rows, summary))
}

/// Accuracy against SED and LED-flow, one point per architecture. `seeds` counts the
/// finished seeds of each architecture; `tables` is the folder whose `archs.csv` the
/// captions name.
fn scatter_figures(
    cfg: &Config,
    rows: &[ArchSummary],
    seeds: &[usize],
    dest: &Path,
    (tables, command): (&Path, &str),
) -> Result<()> {
    let seeds = super::seeds_text(seeds.iter().copied());
    let acc = if seeds == "1 seed" {
        "held-out accuracy (fraction of test images; 1 seed)".to_string()
    } else {
        format!("held-out accuracy (fraction of test images; mean over {seeds})")
    };
    for (file, what, x) in [
        (
            "acc_vs_sed",
            "SED",
            (|r: &ArchSummary| r.sed) as fn(&ArchSummary) -> f64,
        ),
        ("acc_vs_ledflow", "LED-flow", |r: &ArchSummary| r.led_flow),
    ] {
        crate::plot::scatter(
            &dest.join(file),
            &crate::plot::Labels {
                title: &format!(
                    "NB201 on {}: held-out accuracy vs {what} ({} architectures, {seeds})",
                    cfg.dataset,
                    rows.len()
                ),
                x: &format!("{what} of the cell (dimensionless score)"),
                y: &acc,
            },
            &[crate::plot::Series {
                name: "architectures".into(),
                points: rows.iter().map(|r| (x(r), r.acc_mean)).collect(),
            }],
            None,
            &crate::plot::Caption::new(
                tables.join("archs.csv").display().to_string(),
                format!("{} architectures × {seeds}", rows.len()),
                command,
            ),
        )?;
    }
    Ok(())
}

/// The best and the worst architecture (by mean accuracy) of `rows`.
fn best_and_worst(rows: &[ArchSummary]) -> [(&'static str, Option<&ArchSummary>); 2] {
    let mut order: Vec<&ArchSummary> = rows.iter().filter(|r| r.acc_mean.is_finite()).collect();
    order.sort_by(|a, b| b.acc_mean.total_cmp(&a.acc_mean));
    [
        ("best", order.first().copied()),
        ("worst", order.last().copied()),
    ]
}

/// Layer-by-layer local-H1 heatmaps (`heatmap_{tag}_{layer}.png` in `dest`) of the network
/// trained in `run_dir` (its checkpoint) on the first held-out image. `shown_dir` is the run
/// folder the captions name.
#[allow(clippy::too_many_arguments)]
fn heatmap_figures(
    cfg: &Config,
    data: &Splits,
    row: &ArchSummary,
    (tag, seed): (&str, u64),
    run_dir: &Path,
    shown_dir: &Path,
    dest: &Path,
    command: &str,
) -> Result<()> {
    let probe = &data.test;
    let test = prepare(&probe.take(cfg.fmap_count), false);
    let arch: Nb201Arch = row.arch.parse()?;
    let net_cfg = Nb201NetConfig {
        in_channels: probe.images.dim().1,
        width: cfg.width,
        cells: cfg.cells,
        classes: probe.classes,
    };
    let device = cfg.device.device()?;
    let net = crate::nn::nb201::Nb201Net::new(&arch, &net_cfg, &device)?
        .try_load_file(crate::nn::train::checkpoint_path(run_dir))
        .map_err(|e| Error::Checkpoint {
            path: run_dir.display().to_string(),
            reason: format!("{e:?}"),
        })?;
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let layers = fmap_entropy(
        &net,
        &test,
        &spec,
        &H1Estimator::Binned(Binning::data_range(cfg.h1_bins)?),
        None,
        &device,
    )?;
    let images = idx_files(&cfg.dataset, &cfg.data_dir)
        .into_iter()
        .find(|p| p.ends_with("t10k-images-idx3-ubyte"))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("{} test split", cfg.dataset));
    for l in &layers {
        let (h, w, c) = l.first_h1.dim();
        let caption = crate::plot::Caption::new(
            format!(
                "held-out image 0 of {images}; network {}",
                shown_dir.display()
            ),
            format!("{c} channels × {h}×{w} windows"),
            command,
        )
        .estimator(format!(
            "binned:{} H1 ({} equal-width bins over the image's feature-map range), {}",
            cfg.h1_bins,
            cfg.h1_bins,
            crate::plot::windows_text(&spec)
        ));
        let title = format!(
            "Local H1 of layer {}: {tag} cell (NB201 index {}, accuracy {:.1} %, seed {seed})",
            l.layer,
            row.index,
            100.0 * row.acc_mean
        );
        let hm = crate::plot::Heatmap {
            title: &title,
            value: "local H1 (bits)",
            scale: 4,
        };
        let png = crate::plot::heatmap_png(l.first_h1.view(), &hm, &caption)?;
        crate::io::write_atomic(&dest.join(format!("heatmap_{tag}_{}.png", l.layer)), &png)?;
    }
    Ok(())
}

/// The figures: accuracy against SED and LED-flow, and layer-by-layer local-H1 heatmaps of
/// the best and the worst architecture (first finished seed) on the first held-out image.
fn plot(
    cfg: &Config,
    rows: &[ArchSummary],
    results: &[(usize, RunResult)],
    data: &Splits,
    out: &Path,
    dest: &Path,
    command: &str,
) -> Result<()> {
    let seeds: Vec<usize> = rows
        .iter()
        .map(|r| results.iter().filter(|x| x.1.index == r.index).count())
        .collect();
    scatter_figures(cfg, rows, &seeds, dest, (out, command))?;
    for (tag, row) in best_and_worst(rows) {
        let Some(row) = row else { continue };
        // the first seed of this architecture that finished
        let Some(seed) = results
            .iter()
            .find(|r| r.1.index == row.index)
            .map(|r| r.1.seed)
        else {
            continue;
        };
        let arch: Nb201Arch = row.arch.parse()?;
        let dir = Plan::dir(out, &arch, seed);
        if !crate::nn::train::checkpoint_path(&dir).is_file() {
            // a run folder kept without its checkpoint (the committed results keep only
            // config.json, metrics.csv and result.json): the tables stand, this figure cannot
            // (`--replot` trains the run again)
            eprintln!(
                "heatmaps of the {tag} architecture skipped: {} is missing (--replot retrains it)",
                crate::nn::train::checkpoint_path(&dir).display()
            );
            continue;
        }
        heatmap_figures(cfg, data, row, (tag, seed), &dir, &dir, dest, command)?;
    }
    Ok(())
}

/// Redraws the figures from the tables already in `out` (`archs.csv`, `runs.csv`) without
/// tabulating or rewriting any table: the committed results keep their tables but not the
/// trained networks. The heatmaps need the networks of the best and the worst
/// architecture: a run folder's checkpoint is used where there is one; otherwise that one
/// run is trained again in a scratch folder (training is deterministic for a seed and a
/// code revision) and compared with its committed `runs.csv` row: when they differ (the
/// tables were made by an earlier revision) the heatmaps are drawn from the retrained
/// network and their captions and the returned report say so, with both accuracies. The stored config must equal `config_path`'s. Returns a line per figure set.
///
/// # Errors
/// As [`run`]; [`Error::InvalidParameter`] (`--replot`) for a folder without finished runs;
/// [`Error::Csv`] for a table that does not read.
///
/// ```
/// use std::path::Path;
/// let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/nb201-fashion/smoke.toml");
/// let out = std::env::temp_dir().join(format!("sednas-doc-nfrp-{}", std::process::id()));
/// let e = sednas::experiments::nb201_fashion::replot(&cfg, &out).unwrap_err().to_string();
/// assert!(e.contains("experiment-config.json"), "{e}");
/// assert!(!out.exists());
/// ```
pub fn replot(config_path: &Path, out: &Path) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    super::check_replot_config(out, &cfg)?;
    let rows: Vec<ArchSummary> = super::read_csv(&out.join("archs.csv"))?;
    let runs: Vec<RunRow> = super::read_csv(&out.join("runs.csv"))?;
    if rows.is_empty() || runs.is_empty() {
        return Err(Error::param(
            "--replot",
            format!("{} holds no finished runs", out.display()),
        ));
    }
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
    let command = super::command("nb201-fashion", config_path, out, "--replot");
    let staged = crate::io::staged::Staged::new(out)?;
    let dest = staged.dir();
    let seeds: Vec<usize> = rows
        .iter()
        .map(|r| runs.iter().filter(|x| x.index == r.index).count())
        .collect();
    scatter_figures(&cfg, &rows, &seeds, dest, (out, &command))?;
    let mut report = format!(
        "acc_vs_sed, acc_vs_ledflow redrawn from {}\n",
        out.join("archs.csv").display()
    );
    let line = |r: &RunRow| -> Result<String> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(r).map_err(|e| Error::Internal {
            what: "csv encoding",
            reason: e.to_string(),
        })?;
        let bytes = w.into_inner().map_err(|e| Error::Internal {
            what: "csv encoding",
            reason: e.to_string(),
        })?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    for (tag, row) in best_and_worst(&rows) {
        let Some(row) = row else { continue };
        // the first seed of this architecture in runs.csv (the tabulation's order)
        let Some(committed) = runs.iter().find(|r| r.index == row.index) else {
            continue;
        };
        let seed = committed.seed;
        let arch: Nb201Arch = row.arch.parse()?;
        let dir = Plan::dir(out, &arch, seed);
        if crate::nn::train::checkpoint_path(&dir).is_file() {
            heatmap_figures(&cfg, &data, row, (tag, seed), &dir, &dir, dest, &command)?;
            report.push_str(&format!(
                "heatmaps of the {tag} architecture from {}\n",
                dir.display()
            ));
            continue;
        }
        // no checkpoint: train the run again in a scratch folder inside the staging folder
        // (removed with it) and check it against the committed table
        let scratch = dest.join(".retrain");
        let run_dir = Plan::dir(&scratch, &arch, seed);
        let r = run_one(&cfg, &data, &arch, seed, &run_dir, false)?;
        let retrained = RunRow::from(&r);
        let (got, want) = (line(&retrained)?, line(committed)?);
        // a network that does not reproduce the table's run is still drawn, and its
        // captions and the report say so: the tables were made by an earlier code revision
        // and keep no checkpoints, so these maps are of the network the current code trains
        let note = if got == want {
            String::new()
        } else {
            format!(
                " [network trained again with the current code: test accuracy {:.4}; the run in runs.csv, made by an earlier revision, had {:.4}]",
                retrained.test_acc, committed.test_acc
            )
        };
        heatmap_figures(
            &cfg,
            &data,
            row,
            (tag, seed),
            &run_dir,
            &dir,
            dest,
            &format!("{command}{note}"),
        )?;
        std::fs::remove_dir_all(&scratch).map_err(|e| Error::io(&scratch, e))?;
        report.push_str(&if got == want {
            format!(
                "heatmaps of the {tag} architecture: index {} seed {seed} trained again, its runs.csv row identical to the committed one\n",
                row.index
            )
        } else {
            format!(
                "heatmaps of the {tag} architecture: index {} seed {seed} trained again does NOT reproduce {} (got {} want {}); drawn from the retrained network, and its captions say so\n",
                row.index,
                out.join("runs.csv").display(),
                got.trim_end(),
                want.trim_end()
            )
        });
    }
    staged.commit(&[])?;
    Ok(report)
}

/// plan → run (or collect) → tabulate → plot, then `meta.json` and `summary.txt`.
fn run_mode(config_path: &Path, out: &Path, mode: Mode) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    let truth = match &cfg.truth {
        Some(p) => Some(read_truth(p)?),
        None => None,
    };
    let t0 = Instant::now();
    let plan = Plan::new(&cfg)?;
    // data and device first: a bad dataset or backend leaves no folder behind
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
    cfg.device.train_device()?;
    super::open_run_folder(out, &cfg, mode)?;
    let done = execute(&cfg, &plan, &data, out, mode)?;
    if done.is_empty() {
        return Err(Error::param(
            "tabulate",
            format!("no finished run in {}", out.join("runs").display()),
        ));
    }
    // tables, figures, summary and meta.json are staged and moved into place together
    // (meta.json last): a tabulation that fails half-way leaves the old set untouched
    let staged = crate::io::staged::Staged::new(out)?;
    let dest = staged.dir();
    let (rows, summary) = tabulate_results(&cfg, &plan, &done, truth.as_ref(), dest)?;
    let command = super::command("nb201-fashion", config_path, out, mode.flag());
    plot(&cfg, &rows, &done, &data, out, dest, &command)?;
    let steps: Vec<f64> = done.iter().map(|r| r.1.step_ms).collect();
    let train_total: f64 = done.iter().map(|r| r.1.train_seconds).sum();
    let timing = format!(
        "wall time {:.0} s this invocation, {:.0} s of training summed over runs; train step (batch {}, CPU): {:.1} ms mean over runs",
        t0.elapsed().as_secs_f64(),
        train_total,
        cfg.batch,
        mean(&steps)
    );
    let data_files = idx_files(&cfg.dataset, &cfg.data_dir);
    write_meta(
        dest,
        "nb201-fashion",
        &cfg,
        &data_files,
        t0.elapsed().as_secs_f64(),
        serde_json::json!({
            "timing": timing,
            "train_seconds": done
                .iter()
                .map(|r| (format!("{}_s{}", r.1.index, r.1.seed), r.1.train_seconds))
                .collect::<std::collections::BTreeMap<_, _>>(),
            "train_seconds_total": train_total,
        }),
    )?;
    crate::io::write_atomic(&dest.join("summary.txt"), summary.as_bytes())?;
    staged.commit(&["summary.txt", "meta.json"])?;
    Ok(format!("{summary}{timing}\n"))
}
