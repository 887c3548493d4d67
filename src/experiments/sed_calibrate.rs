//! `sed-calibrate`: measures the factors of `sed-measured` ([`crate::sed::measured`]) once,
//! on calibration networks that belong to no evaluation population.
//!
//! Calibration networks (benchmark scale, `--input` images of the config, several init
//! seeds), one per operation, every searched cell made of that operation only:
//! * NB201: the generalised **2-node** cell `|op~0|` (one edge, input → output) for
//!   `skip_connect`, `nor_conv_1x1`, `nor_conv_3x3`, `avg_pool_3x3`; not a 4-node benchmark
//!   cell, so in no NB201 population;
//! * NB101: the **3-vertex** cell input → op → output for `conv3x3-bn-relu`,
//!   `conv1x1-bn-relu`, `maxpool3x3` (the run checks that none is in the 10,000-cell file);
//! * DARTS: the genotype whose 8 normal and 8 reduction edges are all `op` (inputs 0, 1 of
//!   each node), for the 7 operations other than `none` (checked absent from the NB301 file).
//!
//! # Formula
//! For every searched cell of a calibration network, Δ = h1b(cell) − h1b(previous captured
//! map), both ReLU'd maps, h1b the mean binned local H1 (binned:16, 3×3×1 windows, bits);
//! its stage s is the number of resolution halvings before it. Δ̄(op, s) is the mean over
//! the stage's cells and the seeds. Each census block B of the calibration architecture at
//! stage s shares Δ̄ equally among its T_B operations, Δ̄/T_B to every category it contains;
//! f(c, s) is the mean of the shares a category receives (over operations and seeds).
//! `none` cannot be measured this way (its cells output zeros, and so does everything after
//! them): f(none, s) = −H̄_in(s)/T, the entropy an edge loses when it carries nothing, with
//! H̄_in(s) the mean h1b entering the stage-s cells of the skip network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::read_config;
use crate::arch::{AnyArch, Census, CensusOptions, SpaceKind};
use crate::error::{Error, Result};
use crate::io::staged::Staged;
use crate::nn::measure::{MeasureInput, MeasureParams, measure_arch, measure_inputs};
use crate::sed::measured::{CalibrationTable, Category, Factor, block_categories, block_stage};

/// The experiment's configuration (`experiments/sed-calibrate/config.toml`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Spaces to calibrate.
    pub spaces: Vec<SpaceKind>,
    /// Init seeds (replicates of each calibration network).
    pub seeds: Vec<u64>,
    /// Input images.
    pub input: MeasureInput,
    /// Images in the batch.
    pub batch: usize,
    /// Bins of the binned H1 estimator.
    pub bins: usize,
    /// Folder with the fetched images.
    pub data_dir: PathBuf,
    /// Folder with the benchmark CSVs (checks that no calibration network is in them;
    /// `$SEDNAS_DATA` overrides it).
    pub bench_dir: PathBuf,
}

/// The calibration networks of `space` as (operation, architecture), the skip network
/// first where the space has one.
///
/// # Errors
/// [`Error::Param`] for NATS-SSS (no operations to calibrate).
pub fn calibration_archs(space: SpaceKind) -> Result<Vec<(&'static str, AnyArch)>> {
    let parse = |s: &str| AnyArch::parse(space, s);
    Ok(match space {
        SpaceKind::Nb201 => ["skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
            .into_iter()
            .map(|op| Ok((op, parse(&format!("|{op}~0|"))?)))
            .collect::<Result<_>>()?,
        SpaceKind::Nb101 => ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]
            .into_iter()
            .map(|op| Ok((op, parse(&format!("010001000|input,{op},output"))?)))
            .collect::<Result<_>>()?,
        SpaceKind::Darts => [
            "skip_connect",
            "max_pool_3x3",
            "avg_pool_3x3",
            "sep_conv_3x3",
            "sep_conv_5x5",
            "dil_conv_3x3",
            "dil_conv_5x5",
        ]
        .into_iter()
        .map(|op| {
            let cell = (0..8)
                .map(|i| format!("('{op}', {})", i % 2))
                .collect::<Vec<_>>()
                .join(", ");
            let g = format!(
                "Genotype(normal=[{cell}], normal_concat=[2, 3, 4, 5], reduce=[{cell}], reduce_concat=[2, 3, 4, 5])"
            );
            Ok((op, parse(&g)?))
        })
        .collect::<Result<_>>()?,
        SpaceKind::NatsSss => {
            return Err(Error::param(
                "sed-calibrate",
                "nats-sss has no operations to calibrate (channel sizes only)",
            ));
        }
    })
}

/// Benchmark scale of `space` as (width, cells): NB201 C = 16, N = 5; NB101 128, 3 modules
/// per stack; DARTS C = 16, 8 cells (NB301's evaluation network).
pub fn benchmark_scale(space: SpaceKind) -> (usize, usize) {
    match space {
        SpaceKind::Nb201 | SpaceKind::NatsSss => (16, 5),
        SpaceKind::Nb101 => (128, 3),
        SpaceKind::Darts => (16, 8),
    }
}

fn is_stage_step(layer: &str) -> bool {
    layer.starts_with("reduction") || layer.starts_with("downsample") || layer.ends_with("_reduce")
}

fn is_searched_cell(layer: &str) -> bool {
    layer.starts_with("stage") || layer.starts_with("stack") || layer.starts_with("cell")
}

/// One measured cell of a calibration network.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CellDelta {
    /// Space.
    pub space: String,
    /// Operation of the calibration network.
    pub op: &'static str,
    /// Init seed.
    pub seed: u64,
    /// Layer name.
    pub layer: String,
    /// Stage (resolution halvings before it).
    pub stage: u8,
    /// h1b of the map entering the cell (bits).
    pub h1b_in: f64,
    /// h1b of the cell's ReLU'd output (bits).
    pub h1b_out: f64,
}

/// Measures every calibration network of `space` and derives its table (module docs).
///
/// # Errors
/// Errors of measurement (images missing, a bad configuration) and of the table's checks.
pub fn calibrate(
    space: SpaceKind,
    cfg: &Config,
    cells: &mut Vec<CellDelta>,
) -> Result<CalibrationTable> {
    let (width, ncells) = benchmark_scale(space);
    let opts = CensusOptions::default();
    let mut census = Census::default();
    // (category, stage) -> shares
    let mut shares: BTreeMap<(Category, u8), Vec<f64>> = BTreeMap::new();
    let mut skip_in: BTreeMap<u8, Vec<f64>> = BTreeMap::new();
    let mut skip_ops: BTreeMap<u8, u32> = BTreeMap::new();
    // the input batch depends on the seed only (noise), not on the operation: built once
    let runs = cfg
        .seeds
        .iter()
        .map(|&seed| {
            let mcfg = MeasureParams {
                width,
                cells: ncells,
                batch: cfg.batch,
                input: cfg.input,
                seed,
                bins: cfg.bins,
            }
            .check(space)?;
            Ok((seed, mcfg, measure_inputs(&mcfg, &cfg.data_dir)?))
        })
        .collect::<Result<Vec<_>>>()?;
    for (op, arch) in calibration_archs(space)? {
        arch.census(&opts, &mut census);
        for (seed, mcfg, images) in &runs {
            let (seed, mcfg) = (*seed, *mcfg);
            let maps = measure_arch(&arch, &mcfg, images.view())?;
            let relu: Vec<_> = maps.iter().filter(|m| m.kind == "relu").collect();
            let mut stage = 0u8;
            let mut per_stage: BTreeMap<u8, Vec<f64>> = BTreeMap::new();
            for w in relu.windows(2) {
                let (prev, m) = (w[0], w[1]);
                if is_stage_step(&m.layer) {
                    stage += 1;
                }
                if !is_searched_cell(&m.layer) {
                    continue;
                }
                per_stage.entry(stage).or_default().push(m.h1b - prev.h1b);
                if op == "skip_connect" {
                    skip_in.entry(stage).or_default().push(prev.h1b);
                }
                cells.push(CellDelta {
                    space: space.to_string(),
                    op,
                    seed,
                    layer: m.layer.clone(),
                    stage,
                    h1b_in: prev.h1b,
                    h1b_out: m.h1b,
                });
            }
            for (s, d) in &per_stage {
                let mean = d.iter().sum::<f64>() / d.len() as f64;
                for b in &census.blocks {
                    if block_stage(b.f_out, opts.resolution())? != *s {
                        continue;
                    }
                    let cats = block_categories(b);
                    let t: u32 = cats.iter().map(|c| c.1).sum();
                    if t == 0 {
                        continue;
                    }
                    if op == "skip_connect" {
                        skip_ops.insert(*s, t);
                    }
                    for (c, _) in cats {
                        shares.entry((c, *s)).or_default().push(mean / t as f64);
                    }
                }
            }
        }
    }
    let mut factors: Vec<Factor> = shares
        .into_iter()
        .map(|((category, stage), v)| Factor {
            category,
            stage,
            bits: v.iter().sum::<f64>() / v.len() as f64,
            n: v.len() as u32,
        })
        .collect();
    if matches!(space, SpaceKind::Nb201 | SpaceKind::Darts) {
        for (s, v) in skip_in {
            let t = skip_ops.get(&s).copied().unwrap_or(1).max(1);
            factors.push(Factor {
                category: Category::None,
                stage: s,
                bits: -(v.iter().sum::<f64>() / v.len() as f64) / t as f64,
                n: v.len() as u32,
            });
        }
    }
    CalibrationTable::new(space, factors)
}

/// Checks that no calibration network of `space` is in the space's evaluation file.
fn check_disjoint(space: SpaceKind, bench_dir: &Path) -> Result<Option<PathBuf>> {
    use crate::eval::population::{Population, PopulationSpec};
    let (file, acc, arch_col) = match space {
        SpaceKind::Nb101 => (
            "nb101_nasbenchvis_10k.csv",
            "valid_acc_108ep_1run",
            "adjacency_rowmajor",
        ),
        SpaceKind::Darts => (
            "nb301_zc_proxies_naslib_sample.csv",
            "naslib_val_accuracy",
            "normal_cell",
        ),
        _ => return Ok(None), // NB201: 2-node cells are not 4-node benchmark cells
    };
    let path = bench_dir.join(file);
    let mut spec = PopulationSpec::new(space, acc);
    spec.cols.arch = arch_col.into();
    let pop = Population::read(&path, &spec)?;
    for (op, a) in calibration_archs(space)? {
        let key = a.to_string();
        if pop.archs().contains(&a) || pop.keys().contains(&key) {
            return Err(Error::param(
                "sed-calibrate",
                format!("the {op} calibration network is in {}", path.display()),
            ));
        }
    }
    Ok(Some(path))
}

/// Runs the calibration and writes `calibration.csv` (the table `sed-measured` embeds),
/// `cells.csv` (every measured cell) and `meta.json` into `out`, staged.
///
/// # Errors
/// A bad config, missing images or benchmark files, a calibration network found in an
/// evaluation file, or a write failure (nothing is left half-written).
pub fn run(config_path: &Path, out: &Path) -> Result<String> {
    let mut cfg: Config = read_config(config_path)?;
    if let Some(d) = std::env::var_os("SEDNAS_DATA") {
        cfg.bench_dir = PathBuf::from(d);
    }
    if cfg.spaces.is_empty() || cfg.seeds.is_empty() {
        return Err(Error::param(
            "sed-calibrate",
            format!(
                "{}: spaces and seeds must not be empty",
                config_path.display()
            ),
        ));
    }
    if let Some((i, s)) = cfg
        .spaces
        .iter()
        .enumerate()
        .find(|(i, s)| cfg.spaces[..*i].contains(s))
    {
        return Err(Error::param(
            "sed-calibrate",
            format!(
                "{}: space {s} listed twice (position {})",
                config_path.display(),
                i + 1
            ),
        ));
    }
    let stage = Staged::new(out)?;
    let t0 = Instant::now();
    let mut files = Vec::new();
    for &s in &cfg.spaces {
        files.extend(check_disjoint(s, &cfg.bench_dir)?);
    }
    let mut table = crate::sed::measured::COLUMNS.join(",");
    table.push('\n');
    let mut cells = Vec::new();
    let mut summary = String::new();
    for &s in &cfg.spaces {
        let t = calibrate(s, &cfg, &mut cells)?;
        table.push_str(&t.to_csv());
        summary.push_str(&format!("{s}: {} factors\n", t.factors().len()));
    }
    let mut c = String::from("space,op,seed,layer,stage,h1b_in,h1b_out,delta\n");
    for d in &cells {
        c.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            d.space,
            d.op,
            d.seed,
            d.layer,
            d.stage,
            d.h1b_in,
            d.h1b_out,
            d.h1b_out - d.h1b_in
        ));
    }
    stage.write("calibration.csv", table.as_bytes())?;
    stage.write("cells.csv", c.as_bytes())?;
    let meta = serde_json::json!({
        "experiment": "sed-calibrate",
        "command": format!("sednas experiment sed-calibrate --config {}", config_path.display()),
        "config": cfg,
        "scales": cfg.spaces.iter().map(|&s| (s.to_string(), benchmark_scale(s))).collect::<BTreeMap<_, _>>(),
        "estimator": "h1b: binned local H1, 3x3x1 windows, valid border, bins over each image's range; ReLU'd maps",
        "checked_absent_from": files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "wall_seconds": t0.elapsed().as_secs_f64(),
    });
    let meta = serde_json::to_vec_pretty(&meta).map_err(|e| Error::Json {
        what: "meta.json".into(),
        reason: e.to_string(),
    })?;
    stage.write("meta.json", &meta)?;
    stage.commit(&["meta.json"])?;
    Ok(summary)
}
