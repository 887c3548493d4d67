//! `nb201-fashion`: NB201 architectures spanning SED's range (the whole top-SED tie set plus
//! evenly spaced SED quantiles down to the lowest connected cells) trained on Fashion-MNIST
//! with one short schedule and several seeds; held-out accuracy, per-layer local entropy of
//! the trained feature maps, and the rank correlation of accuracy with SED, LED-flow,
//! #params and the measured entropies.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;

use super::{Splits, cached_result, save_result};
use super::{idx_files, mean, read_config, sd, write_meta};
use crate::arch::nb201::{Nb201Arch, enumerate};
use crate::arch::{AnyArch, Census};
use crate::entropy::{Binning, H1Estimator, H2Options};
use crate::error::{Error, Result};
use crate::nn::device::Backend;
use crate::nn::fmap::fmap_entropy;
use crate::nn::nb201::Nb201NetConfig;
use crate::nn::run::{RunConfig, prepare, train_nb201};
use crate::nn::train::{Optim, TrainConfig};
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
    let mut rd = csv::Reader::from_path(&p)
        .map_err(|e| Error::param("truth", format!("{}: {e}", p.display())))?;
    let h = rd
        .headers()
        .map_err(|e| Error::param("truth", format!("{}: {e}", p.display())))?
        .clone();
    let col = |name: &str| {
        h.iter()
            .position(|c| c == name)
            .ok_or_else(|| Error::param("truth", format!("{}: no column {name}", p.display())))
    };
    let (ix, acc) = (col("index")?, col("cifar10_test")?);
    let mut out = std::collections::HashMap::new();
    for (line, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| Error::param("truth", format!("{}: {e}", p.display())))?;
        let parse = |i: usize| rec.get(i).and_then(|v| v.trim().parse::<f64>().ok());
        match (parse(ix), parse(acc)) {
            (Some(i), Some(a))
                if (0.0..15_625.0).contains(&i)
                    && i.fract() == 0.0
                    && (0.0..=100.0).contains(&a) =>
            {
                if out.insert(i as usize, a).is_some() {
                    return Err(Error::param(
                        "truth",
                        format!(
                            "{}: line {}: index {i} is listed twice",
                            p.display(),
                            line + 2
                        ),
                    ));
                }
            }
            _ => {
                return Err(Error::param(
                    "truth",
                    format!(
                        "{}: line {}: index must be an integer in 0..15625 and cifar10_test a number in [0, 100]",
                        p.display(),
                        line + 2
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The architectures: the top-SED tie set, then evenly spaced SED quantiles (ascending).
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
    /// Per-layer (name, H1 mean binned:h1_bins, exact zero-H1 fraction, H2 mean).
    pub layers: Vec<(String, f64, f64, Option<f64>)>,
}

fn run_one(
    cfg: &Config,
    data: &Splits,
    arch: &Nb201Arch,
    seed: u64,
    dir: &Path,
    resume: bool,
) -> Result<RunResult> {
    if let Some(r) = cached_result(dir, resume)? {
        return Ok(r);
    }
    let probe = &data.test;
    let rc = RunConfig {
        arch: arch.to_string(),
        dataset: cfg.dataset.clone(),
        net: Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: cfg.width,
            cells: cfg.cells,
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

/// (index, arch, SED, LED-flow, #params, acc mean, acc sd, H1 mean, H1 zero fraction, H2 last cell)
type ArchRow = (usize, String, f64, f64, f64, f64, f64, f64, f64, f64);

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
/// of them without `resume`); returns the printed summary.
pub fn run(config_path: &Path, out: &Path, resume: bool) -> Result<String> {
    run_mode(config_path, out, resume, false)
}

/// Tabulates the runs already finished in `out` without training anything (the experiment's
/// stored config must equal `config_path`'s). When some planned runs are missing, the summary
/// says so on its first line ("PARTIAL: k of n runs") and covers the finished ones only.
pub fn tabulate(config_path: &Path, out: &Path) -> Result<String> {
    run_mode(config_path, out, true, true)
}

fn run_mode(config_path: &Path, out: &Path, resume: bool, tabulate_only: bool) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    cfg.validate()?;
    let truth = match &cfg.truth {
        Some(p) => Some(read_truth(p)?),
        None => None,
    };
    let t0 = Instant::now();
    let archs = select_archs(cfg.n_archs)?;
    // data and device first: a bad dataset or backend leaves no folder behind
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
    cfg.device.train_device()?;
    if tabulate_only && !out.join("runs").is_dir() {
        return Err(Error::param(
            "tabulate",
            format!("{} holds no runs to tabulate", out.display()),
        ));
    }
    super::check_config(out, &cfg, resume)?;
    std::fs::create_dir_all(out.join("runs")).map_err(|e| Error::io(out, e))?;
    let total = archs.len() * cfg.seeds.len();
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} trainings ({elapsed}, eta {eta}) {msg}",
        )
        .expect("template"),
    );
    // (position in `archs`, seed position, result): trained in spread order, reported in
    // SED order
    let mut done: Vec<(usize, usize, RunResult)> = Vec::new();
    for i in spread_order(archs.len()) {
        let a = &archs[i];
        for (j, &seed) in cfg.seeds.iter().enumerate() {
            let dir = out
                .join("runs")
                .join(format!("{}_s{seed}", a.official_index().unwrap_or(0)));
            bar.set_message(format!("index {}", a.official_index().unwrap_or(0)));
            if tabulate_only {
                if let Some(r) = cached_result::<RunResult>(&dir, true)? {
                    done.push((i, j, r));
                }
            } else {
                done.push((i, j, run_one(&cfg, &data, a, seed, &dir, resume)?));
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    done.sort_by_key(|d| (d.0, d.1));
    if done.is_empty() {
        return Err(Error::param(
            "tabulate",
            format!("no finished run in {}", out.join("runs").display()),
        ));
    }
    let n_runs = done.len();
    let archs: Vec<Nb201Arch> = {
        let mut v: Vec<usize> = done.iter().map(|d| d.0).collect();
        v.dedup();
        v.into_iter().map(|i| archs[i]).collect()
    };
    let results: Vec<RunResult> = done.into_iter().map(|d| d.2).collect();
    // per-run CSV
    let last_cell = |r: &RunResult| r.layers.last().cloned();
    // runs.csv is deterministic (bit for bit for a seed); timings go to timings.csv
    let mut timings = String::from("index,seed,train_seconds,step_ms\n");
    for r in &results {
        timings.push_str(&format!(
            "{},{},{},{}\n",
            r.index, r.seed, r.train_seconds, r.step_ms
        ));
    }
    crate::io::write_atomic(&out.join("timings.csv"), timings.as_bytes())?;
    let mut csv = String::from(
        "index,arch,seed,sed,led_flow,params,test_acc,train_loss,h1_mean_layers,h1_zero_layers,h2_mean_last,h1_mean_last\n",
    );
    for r in &results {
        let lc = last_cell(r);
        csv.push_str(&format!(
            "{},\"{}\",{},{},{},{},{},{},{},{},{},{}\n",
            r.index,
            r.arch,
            r.seed,
            r.sed,
            r.led_flow,
            r.params,
            r.test_acc,
            r.train_loss,
            mean(&r.layers.iter().map(|l| l.1).collect::<Vec<_>>()),
            mean(&r.layers.iter().map(|l| l.2).collect::<Vec<_>>()),
            lc.as_ref()
                .and_then(|l| l.3)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            lc.as_ref().map(|l| l.1).unwrap_or(f64::NAN)
        ));
    }
    crate::io::write_atomic(&out.join("runs.csv"), csv.as_bytes())?;
    // per-architecture means over seeds
    let mut rows: Vec<ArchRow> = Vec::new();
    for a in &archs {
        let rs: Vec<&RunResult> = results
            .iter()
            .filter(|r| r.index == a.official_index().unwrap_or(0))
            .collect();
        let acc: Vec<f64> = rs.iter().map(|r| r.test_acc).collect();
        let h1: Vec<f64> = rs
            .iter()
            .map(|r| mean(&r.layers.iter().map(|l| l.1).collect::<Vec<_>>()))
            .collect();
        let h1z: Vec<f64> = rs
            .iter()
            .map(|r| mean(&r.layers.iter().map(|l| l.2).collect::<Vec<_>>()))
            .collect();
        let h2: Vec<f64> = rs
            .iter()
            .filter_map(|r| r.layers.last().and_then(|l| l.3))
            .collect();
        rows.push((
            rs[0].index,
            rs[0].arch.clone(),
            rs[0].sed,
            rs[0].led_flow,
            rs[0].params as f64,
            mean(&acc),
            sd(&acc),
            mean(&h1),
            mean(&h1z),
            if h2.is_empty() { f64::NAN } else { mean(&h2) },
        ));
    }
    let mut s = String::from(
        "index,arch,sed,led_flow,params,acc_mean,acc_sd,h1_mean,h1_zero_fraction,h2_mean_last_cell\n",
    );
    for r in &rows {
        s.push_str(&format!(
            "{},\"{}\",{},{},{},{},{},{},{},{}\n",
            r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9
        ));
    }
    crate::io::write_atomic(&out.join("archs.csv"), s.as_bytes())?;
    let acc: Vec<f64> = rows.iter().map(|r| r.5).collect();
    let preds: [(&str, Vec<f64>); 6] = [
        ("SED", rows.iter().map(|r| r.2).collect()),
        ("LED-flow", rows.iter().map(|r| r.3).collect()),
        ("#params", rows.iter().map(|r| r.4).collect()),
        (
            "mean local H1 (trained maps)",
            rows.iter().map(|r| r.7).collect(),
        ),
        (
            "fraction of zero-H1 windows",
            rows.iter().map(|r| r.8).collect(),
        ),
        (
            "mean local H2, last cell",
            rows.iter().map(|r| r.9).collect(),
        ),
    ];
    let mut summary = String::new();
    if n_runs < total {
        summary.push_str(&format!(
            "PARTIAL: {n_runs} of {total} planned runs finished; the figures below cover the finished runs only\n"
        ));
    }
    summary.push_str(&format!(
        "nb201-fashion: {} architectures × {} seeds on {} ({} train / {} test images, {} epoch(s), C={}, N={})\n",
        archs.len(),
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
            format!("binned:{} H1, 3×3×c windows, mean over layers", cfg.h1_bins)
        }
        "fraction of zero-H1 windows" => {
            "exact H1 (Definition 1), 3×3×c windows, mean over layers".to_string()
        }
        "mean local H2, last cell" => {
            "Gaussian H2, 3×3×c windows across the measured images".to_string()
        }
        _ => "-".to_string(),
    };
    let mut fam = super::Family::default();
    for (name, v) in &preds {
        fam.corr("premise", name, &est(name), v, &acc);
    }
    if let Some(t) = &truth {
        let c10: Vec<f64> = rows
            .iter()
            .map(|r| t.get(&r.0).copied().unwrap_or(f64::NAN))
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
    let steps: Vec<f64> = results.iter().map(|r| r.step_ms).collect();
    let timing = format!(
        "wall time {:.0} s this invocation, {:.0} s of training summed over runs; train step (batch {}, CPU): {:.1} ms mean over runs",
        t0.elapsed().as_secs_f64(),
        results.iter().map(|r| r.train_seconds).sum::<f64>(),
        cfg.batch,
        mean(&steps)
    );
    crate::io::write_atomic(&out.join("correlations.csv"), corr.as_bytes())?;
    crate::plot::scatter(
        &out.join("acc_vs_sed"),
        &format!("NB201 on {}: held-out accuracy vs SED", cfg.dataset),
        "SED",
        "accuracy (mean over seeds)",
        &[crate::plot::Series {
            name: "architectures".into(),
            points: rows.iter().map(|r| (r.2, r.5)).collect(),
        }],
        None,
    )?;
    crate::plot::scatter(
        &out.join("acc_vs_ledflow"),
        &format!("NB201 on {}: held-out accuracy vs LED-flow", cfg.dataset),
        "LED-flow",
        "accuracy (mean over seeds)",
        &[crate::plot::Series {
            name: "architectures".into(),
            points: rows.iter().map(|r| (r.3, r.5)).collect(),
        }],
        None,
    )?;
    // layer-by-layer local-H1 heatmaps of the best and the worst architecture (first seed),
    // from their checkpoints, on the first held-out image
    let order: Vec<&ArchRow> = {
        let mut v: Vec<&ArchRow> = rows.iter().filter(|r| r.5.is_finite()).collect();
        v.sort_by(|a, b| b.5.total_cmp(&a.5));
        v
    };
    let probe = &data.test;
    let test = prepare(&probe.take(cfg.fmap_count), false);
    for (tag, row) in [("best", order.first()), ("worst", order.last())] {
        let Some(row) = row else { continue };
        // the first seed of this architecture that finished
        let Some(seed) = results.iter().find(|r| r.index == row.0).map(|r| r.seed) else {
            continue;
        };
        let dir = out.join("runs").join(format!("{}_s{seed}", row.0));
        let arch: Nb201Arch = row.1.parse()?;
        let net_cfg = Nb201NetConfig {
            in_channels: probe.images.dim().1,
            width: cfg.width,
            cells: cfg.cells,
            classes: probe.classes,
        };
        let device = cfg.device.device()?;
        let net = crate::nn::nb201::Nb201Net::new(&arch, &net_cfg, &device)?
            .try_load_file(crate::nn::train::checkpoint_path(&dir))
            .map_err(|e| Error::param("checkpoint", format!("{}: {e:?}", dir.display())))?;
        let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
        let layers = fmap_entropy(
            &net,
            &test,
            &spec,
            &H1Estimator::Binned(Binning::data_range(cfg.h1_bins)?),
            None,
            &device,
        )?;
        for l in &layers {
            let png = crate::io::png::heatmap_png(l.first_h1.view(), 4)?;
            crate::io::write_atomic(&out.join(format!("heatmap_{tag}_{}.png", l.layer)), &png)?;
        }
    }
    let data_files = idx_files(&cfg.dataset, &cfg.data_dir);
    write_meta(
        out,
        "nb201-fashion",
        &cfg,
        &data_files,
        t0.elapsed().as_secs_f64(),
        serde_json::json!({
            "timing": timing,
            "train_seconds": results
                .iter()
                .map(|r| (format!("{}_s{}", r.index, r.seed), r.train_seconds))
                .collect::<std::collections::BTreeMap<_, _>>(),
            "train_seconds_total": results.iter().map(|r| r.train_seconds).sum::<f64>(),
        }),
    )?;
    crate::io::write_atomic(&out.join("summary.txt"), summary.as_bytes())?;
    Ok(format!("{summary}{timing}\n"))
}
