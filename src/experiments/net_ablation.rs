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
    Splits, cached_result, idx_files, mean, read_config, save_result, sd, spearman_ci, write_meta,
};
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
    /// H1 bins.
    pub h1_bins: usize,
    /// burn backend for training and feature maps (flex, wgpu, cuda; default flex).
    #[serde(default)]
    pub device: Backend,
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
    /// Fraction of zero-H1 3×3 windows of the map entering the convolution (after the pool).
    pub conv_input_h1_zero: f64,
    /// Mean local H1 of the map entering the convolution.
    pub conv_input_h1: f64,
    /// Mean local H2 (3×3 windows across the batch) of the convolution's output.
    pub conv_output_h2: Option<f64>,
    /// Training wall time (s).
    pub seconds: f64,
    /// Every layer: (name, mean H1, fraction of zero-H1 windows, mean H2).
    #[serde(default)]
    pub layers: Vec<(String, f64, f64, Option<f64>)>,
}

/// SED of a plain CNN: one block with the stem 3×3 conv, the k×k conv, the pool and the skip.
pub fn plain_sed(pool: usize, kernel: usize, skip: bool, width: u32, side: u64) -> Result<f64> {
    let mut b = BlockCensus::new(width, width, side * side, side * side, 1, None);
    b.add_conv(3, 3, width, 1);
    b.add_conv(kernel as u32, kernel as u32, width, 1);
    if pool > 1 {
        b.add_pool(pool as u32, pool as u32, 1, 1, 1);
    }
    b.skips = skip as u32;
    let census = Census {
        blocks: vec![b],
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
    let side = te.images.dim().2 as u64;
    let r = RunResult {
        pool,
        kernel,
        skip,
        seed,
        sed: plain_sed(pool, kernel, skip, cfg.width as u32, side)?,
        params: net.num_params(),
        test_acc: last.test_acc,
        conv_input_h1_zero: input.map(|l| l.h1_zero_fraction).unwrap_or(f64::NAN),
        conv_input_h1: input.map(|l| l.h1_mean).unwrap_or(f64::NAN),
        conv_output_h2: output.and_then(|l| l.h2_mean),
        seconds: hist.iter().map(|h| h.seconds).sum(),
        layers: layers
            .iter()
            .map(|l| (l.layer.clone(), l.h1_mean, l.h1_zero_fraction, l.h2_mean))
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

/// Mean and 95% t-interval half-width (normal approximation for n ≥ 30).
fn mean_ci(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let t = if n >= 30.0 {
        1.96
    } else {
        [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23][(n as usize).clamp(2, 11) - 2]
    };
    (mean(v), t * sd(v) / n.sqrt())
}

/// Runs the ablation into `out`; returns the printed summary.
pub fn run(config_path: &Path, out: &Path, resume: bool) -> Result<String> {
    let cfg: Config = read_config(config_path)?;
    if cfg.seeds.is_empty()
        || cfg.pools.is_empty()
        || cfg.kernels.is_empty()
        || cfg.skips.is_empty()
    {
        return Err(Error::param(
            "config",
            "seeds, pools, kernels and skips must be non-empty",
        ));
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(out.join("runs")).map_err(|e| Error::io(out, e))?;
    let data = Splits::load(&cfg.dataset, &cfg.data_dir)?;
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
        "pool,kernel,skip,seed,sed,params,test_acc,conv_input_h1_zero,conv_input_h1,conv_output_h2\n",
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
    // per configuration: mean ± sd of accuracy over seeds
    let mut labels = Vec::new();
    let (mut accm, mut accs) = (Vec::new(), Vec::new());
    let mut cfgcsv =
        String::from("pool,kernel,skip,sed,acc_mean,acc_sd,conv_input_h1_zero,conv_output_h2\n");
    for &p in &cfg.pools {
        for &k in &cfg.kernels {
            for &s in &cfg.skips {
                let g: Vec<&RunResult> = rs
                    .iter()
                    .filter(|r| r.pool == p && r.kernel == k && r.skip == s)
                    .collect();
                let acc: Vec<f64> = g.iter().map(|r| r.test_acc).collect();
                let z: Vec<f64> = g.iter().map(|r| r.conv_input_h1_zero).collect();
                let h2: Vec<f64> = g.iter().filter_map(|r| r.conv_output_h2).collect();
                labels.push(format!("o{p} k{k}{}", if s { " +skip" } else { "" }));
                accm.push(mean(&acc));
                accs.push(sd(&acc));
                cfgcsv.push_str(&format!(
                    "{p},{k},{s},{},{},{},{},{}\n",
                    g[0].sed,
                    mean(&acc),
                    sd(&acc),
                    mean(&z),
                    mean(&h2)
                ));
            }
        }
    }
    crate::io::write_atomic(&out.join("configs.csv"), cfgcsv.as_bytes())?;
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
    // the rules
    let mut summary = format!(
        "net-ablation: {} configurations × {} seeds on {} ({} train / {} test images, {} epoch(s), width {})\n",
        labels.len(),
        cfg.seeds.len(),
        cfg.dataset,
        cfg.train_limit,
        cfg.test_limit,
        cfg.epochs,
        cfg.width,
    );
    let mut rules = String::from("rule,statistic,value,ci_low,ci_high,n\n");
    let mut push =
        |summary: &mut String, rule: &str, stat: &str, v: Option<(f64, f64, f64)>, n: usize| {
            if let Some((r, lo, hi)) = v {
                summary.push_str(&format!(
                    "  {rule}: {stat} = {r:+.3} [{lo:+.3}, {hi:+.3}] (n = {n})\n"
                ));
                rules.push_str(&format!("\"{rule}\",\"{stat}\",{r},{lo},{hi},{n}\n"));
            }
        };
    let all = |f: &dyn Fn(&RunResult) -> f64,
               g: &dyn Fn(&RunResult) -> Option<f64>|
     -> (Vec<f64>, Vec<f64>) {
        rs.iter()
            .filter_map(|r| g(r).filter(|v| v.is_finite()).map(|y| (f(r), y)))
            .unzip()
    };
    summary.push_str("Rule 1 (large pooling before a small kernel lowers local H1):\n");
    let (x, y) = all(&|r| r.pool as f64, &|r| Some(r.conv_input_h1_zero));
    push(
        &mut summary,
        "R1 pool size vs zero-H1 fraction entering the conv",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    let (x, y) = all(&|r| r.pool as f64, &|r| Some(r.test_acc));
    push(
        &mut summary,
        "R1 pool size vs accuracy",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    summary.push_str("Rule 2 (large kernels raise local H2):\n");
    let (x, y) = all(&|r| r.kernel as f64, &|r| r.conv_output_h2);
    push(
        &mut summary,
        "R2 kernel size vs mean H2 of the conv output",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    let (x, y) = all(&|r| r.kernel as f64, &|r| Some(r.test_acc));
    push(
        &mut summary,
        "R2 kernel size vs accuracy",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    summary.push_str("Rule 3 (skips raise local H2):\n");
    let diffs: Vec<f64> = rs
        .iter()
        .filter(|r| r.skip)
        .filter_map(|r| {
            let off = rs.iter().find(|o| {
                !o.skip && o.pool == r.pool && o.kernel == r.kernel && o.seed == r.seed
            })?;
            Some(r.conv_output_h2? - off.conv_output_h2?)
        })
        .filter(|d| d.is_finite())
        .collect();
    if !diffs.is_empty() {
        let (m, h) = mean_ci(&diffs);
        push(
            &mut summary,
            "R3 H2(with skip) − H2(without), paired",
            "mean difference (bits)",
            Some((m, m - h, m + h)),
            diffs.len(),
        );
    }
    let acc_diffs: Vec<f64> = rs
        .iter()
        .filter(|r| r.skip)
        .filter_map(|r| {
            rs.iter()
                .find(|o| !o.skip && o.pool == r.pool && o.kernel == r.kernel && o.seed == r.seed)
                .map(|o| r.test_acc - o.test_acc)
        })
        .collect();
    if !acc_diffs.is_empty() {
        let (m, h) = mean_ci(&acc_diffs);
        push(
            &mut summary,
            "R3 accuracy(with skip) − accuracy(without), paired",
            "mean difference",
            Some((m, m - h, m + h)),
            acc_diffs.len(),
        );
    }
    summary.push_str("SED of the topology:\n");
    let (x, y) = all(&|r| r.sed, &|r| Some(r.test_acc));
    push(
        &mut summary,
        "SED vs accuracy",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    let (x, y) = all(&|r| r.params as f64, &|r| Some(r.test_acc));
    push(
        &mut summary,
        "#params vs accuracy",
        "spearman",
        spearman_ci(&x, &y),
        x.len(),
    );
    if !skip_runs.is_empty() {
        summary.push_str(
            "Rule 3 in NB201 cells (k skips replacing 3×3 convs; all other edges 3×3 convs):\n",
        );
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
        let (x, y): (Vec<f64>, Vec<f64>) = skip_runs
            .iter()
            .map(|r| (r.skips as f64, r.test_acc))
            .unzip();
        push(
            &mut summary,
            "R3 NB201 #skips vs accuracy",
            "spearman",
            spearman_ci(&x, &y),
            x.len(),
        );
        let (x, y): (Vec<f64>, Vec<f64>) = skip_runs
            .iter()
            .filter_map(|r| {
                r.cell_h2
                    .first()
                    .copied()
                    .flatten()
                    .map(|h| (r.skips as f64, h))
            })
            .unzip();
        push(
            &mut summary,
            "R3 NB201 #skips vs mean H2 of the stage-1 cell",
            "spearman",
            spearman_ci(&x, &y),
            x.len(),
        );
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
        "Fraction of zero-H1 3×3 windows entering the conv, by max-pool size",
        "fraction of windows with H1 = 0",
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
        serde_json::json!({"timing": timing}),
    )?;
    crate::io::write_atomic(&out.join("summary.txt"), summary.as_bytes())?;
    Ok(format!("{summary}{timing}\n"))
}
