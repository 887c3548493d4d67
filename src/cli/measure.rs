//! `sednas measure` and `sednas merge`: measured local entropy of NB201 networks at
//! initialisation over a population, sharded and resumable (thin: the work is
//! `nn::measure` and `io::shard`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::arch::SpaceKind;
use crate::arch::nb201::{NB201_SIZE, Nb201Arch};
use crate::io::shard::{RunFile, Shard, merge, read_run, write_run};
use crate::nn::measure::{
    MeasureConfig, MeasureInput, SUMMARIES, measure_inputs, measure_nb201, summaries,
};
use crate::rng::SplitMix64;

const TOOL: &str = "measure";
const METRICS: [&str; 6] = ["h1x", "distinct", "h1b", "zero", "h2", "singular"];

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InputArg {
    /// Gaussian N(0, 1) images from the seed (data-free).
    Noise,
    /// The 20 real CIFAR-10 test images (scripts/fetch-data.sh).
    Cifar,
    /// Fashion-MNIST test images, padded to 32×32, 3 channels.
    Fashion,
    /// MNIST test images, padded to 32×32, 3 channels.
    Mnist,
}

#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Search space (networks exist for nb201 so far).
    #[arg(long, default_value = "nb201")]
    space: String,
    /// The whole space (15,625 cells, index order).
    #[arg(long)]
    all: bool,
    /// A uniform sample of K cells of the space (without replacement, index order).
    #[arg(long, value_name = "K")]
    sample: Option<usize>,
    /// Seed of --sample.
    #[arg(long, default_value_t = 0)]
    sample_seed: u64,
    /// CSV with an architecture column (--arch-col, default arch_str) instead; none of
    /// --all/--sample/--from: one architecture per stdin line.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Architecture column of --from.
    #[arg(long)]
    arch_col: Option<String>,
    /// Output CSV (first line: shard and configuration; written atomically at checkpoints).
    #[arg(long)]
    out: PathBuf,
    /// Continue an existing --out of the same configuration and shard.
    #[arg(long)]
    resume: bool,
    /// Only the positions p with p mod N = I (e.g. a job array's index); `sednas merge` joins them.
    #[arg(long, default_value = "0/1")]
    shard: Shard,
    /// Width C of the first stage (benchmark 16; reduced scale 8).
    #[arg(long, default_value_t = 8)]
    width: usize,
    /// Cells per stage N (benchmark 5; reduced scale 1).
    #[arg(long, default_value_t = 1)]
    cells: usize,
    /// Images in the batch (10..=256; 20 at most for cifar).
    #[arg(long, default_value_t = 16)]
    batch: usize,
    /// Input images.
    #[arg(long, value_enum, default_value = "noise")]
    input: InputArg,
    /// Init (and noise) seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Bins of the binned H1 estimator (equal width over each image's map range).
    #[arg(long, default_value_t = 16)]
    bins: usize,
    /// Folder with the fetched images (scripts/fetch-data.sh).
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Networks between checkpoints.
    #[arg(long, default_value_t = 50)]
    checkpoint: usize,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard files of one `sednas measure` run (each shard exactly once).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Merged output.
    #[arg(long)]
    out: PathBuf,
}

fn population(a: &MeasureArgs) -> anyhow::Result<Vec<Nb201Arch>> {
    let sources = a.all as usize + a.sample.is_some() as usize + a.from.is_some() as usize;
    if sources > 1 {
        bail!("give one of --all, --sample K, --from FILE (or stdin lines)");
    }
    if a.all {
        return (0..NB201_SIZE)
            .map(|i| Nb201Arch::from_index(i).map_err(Into::into))
            .collect();
    }
    if let Some(k) = a.sample {
        if k == 0 || k > NB201_SIZE {
            bail!("--sample must be 1..={NB201_SIZE}, got {k}");
        }
        // partial Fisher–Yates over the indices, then index order
        let mut idx: Vec<usize> = (0..NB201_SIZE).collect();
        let mut r = SplitMix64::new(a.sample_seed);
        for i in 0..k {
            let j = i + r.below((NB201_SIZE - i) as u64) as usize;
            idx.swap(i, j);
        }
        let mut pick = idx[..k].to_vec();
        pick.sort_unstable();
        return pick
            .into_iter()
            .map(|i| Nb201Arch::from_index(i).map_err(Into::into))
            .collect();
    }
    let mut out = Vec::new();
    if let Some(f) = &a.from {
        let pop = read_arch_column(f, a.arch_col.as_deref().unwrap_or("arch_str"))?;
        for a in pop.archs {
            if let crate::arch::AnyArch::Nb201(x) = a {
                out.push(x);
            }
        }
    } else {
        for (k, line) in std::io::stdin().lock().lines().enumerate() {
            let line = line.context("stdin")?;
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            out.push(
                t.parse()
                    .with_context(|| format!("stdin line {}: {t:?}", k + 1))?,
            );
        }
    }
    if out.is_empty() {
        bail!("the population is empty");
    }
    Ok(out)
}

fn read_arch_column(
    f: &std::path::Path,
    col: &str,
) -> crate::Result<crate::eval::population::Population> {
    let mut rdr = csv::Reader::from_path(f).map_err(|e| crate::Error::Csv {
        path: f.display().to_string(),
        line: 1,
        reason: e.to_string(),
    })?;
    let headers = rdr
        .headers()
        .map_err(|e| crate::Error::Csv {
            path: f.display().to_string(),
            line: 1,
            reason: e.to_string(),
        })?
        .clone();
    let i = headers
        .iter()
        .position(|h| h == col)
        .ok_or_else(|| crate::Error::Csv {
            path: f.display().to_string(),
            line: 1,
            reason: format!("no column {col:?}"),
        })?;
    let mut pop = crate::eval::population::Population::default();
    for (k, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| crate::Error::Csv {
            path: f.display().to_string(),
            line: k as u64 + 2,
            reason: e.to_string(),
        })?;
        let a = crate::arch::AnyArch::parse(SpaceKind::Nb201, rec.get(i).unwrap_or("")).map_err(
            |e| crate::Error::Csv {
                path: f.display().to_string(),
                line: k as u64 + 2,
                reason: e.to_string(),
            },
        )?;
        pop.archs.push(a);
    }
    Ok(pop)
}

fn header(layers: &[(String, &'static str)]) -> String {
    let mut h = String::from("pos,index,arch_str,width,cells,input,seed,batch,bins");
    for s in SUMMARIES {
        h.push(',');
        h.push_str(s);
    }
    for (l, k) in layers {
        for m in METRICS {
            let _ = write!(h, ",{l}.{k}.{m}");
        }
    }
    h
}

pub fn run_measure(a: MeasureArgs) -> anyhow::Result<i32> {
    if a.space != "nb201" {
        bail!(
            "--space {}: measured networks exist for nb201 only so far (NB101 and DARTS networks are not built yet)",
            a.space
        );
    }
    let input = match a.input {
        InputArg::Noise => MeasureInput::Noise,
        InputArg::Cifar => MeasureInput::Cifar,
        InputArg::Fashion => MeasureInput::Fashion,
        InputArg::Mnist => MeasureInput::Mnist,
    };
    let cfg = MeasureConfig {
        width: a.width,
        cells: a.cells,
        batch: a.batch,
        input,
        seed: a.seed,
        bins: a.bins,
    };
    cfg.validate()?;
    if a.checkpoint == 0 {
        bail!("--checkpoint must be at least 1");
    }
    let ext = a.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext != "csv" {
        bail!("--out {}: expected a .csv file", a.out.display());
    }
    if a.out.exists() && !a.resume {
        bail!(
            "--out {} exists: pass --resume to continue it or remove it",
            a.out.display()
        );
    }
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(
            "--out {}: folder {} does not exist",
            a.out.display(),
            dir.display()
        );
    }
    let pop = population(&a)?;
    // the population's identity (not only its size) is part of the configuration, so that
    // --resume and merge refuse files of another sample, seed or source
    let pop_hash = {
        let mut text = String::new();
        for x in &pop {
            text.push_str(&x.to_string());
            text.push('\n');
        }
        format!("{:016x}", crate::eval::benchmark::fnv1a64(text.as_bytes()))
    };
    let images = measure_inputs(&cfg, &a.data_dir)
        .with_context(|| format!("input {} from {}", cfg.input, a.data_dir.display()))?;
    let config = serde_json::to_string(&serde_json::json!({
        "space": "nb201", "measure": cfg, "population": pop.len(), "population_fnv1a": pop_hash,
        "window": "3x3x1 valid", "bn": "batch statistics", "init": "burn 0.22 defaults after device.seed(seed)",
    }))?;
    let mut run = if a.resume && a.out.exists() {
        let r = read_run(&a.out, TOOL)?;
        if r.config != config || r.shard != a.shard {
            bail!(
                "--resume: {} was written under shard {} and config {}, not shard {} and config {config}",
                a.out.display(),
                r.shard,
                r.config,
                a.shard
            );
        }
        for (&p, row) in &r.rows {
            let arch = row.split(',').nth(2).unwrap_or("");
            if pop.get(p).map(|x| x.to_string()).as_deref() != Some(arch) {
                bail!(
                    "--resume: {} row at pos {p} holds {arch:?}, which is not the population's cell there",
                    a.out.display()
                );
            }
        }
        r
    } else {
        RunFile {
            shard: a.shard,
            config: config.clone(),
            header: String::new(),
            rows: BTreeMap::new(),
        }
    };
    let todo: Vec<usize> = (0..pop.len())
        .filter(|&p| a.shard.contains(p) && !run.rows.contains_key(&p))
        .collect();
    eprintln!(
        "measure: {} networks in shard {} ({} already done), C = {}, N = {}, {} × {} images, seed {}",
        todo.len(),
        a.shard,
        run.rows.len(),
        cfg.width,
        cfg.cells,
        cfg.batch,
        cfg.input,
        cfg.seed
    );
    let t0 = std::time::Instant::now();
    let mut since = 0;
    for (k, &p) in todo.iter().enumerate() {
        let arch = &pop[p];
        let maps = measure_nb201(arch, &cfg, images.view())?;
        if run.header.is_empty() {
            let layers: Vec<(String, &'static str)> =
                maps.iter().map(|m| (m.layer.clone(), m.kind)).collect();
            run.header = header(&layers);
        }
        let mut row = format!(
            "{p},{},{arch},{},{},{},{},{},{}",
            arch.official_index()
                .map(|i| i.to_string())
                .unwrap_or_default(),
            cfg.width,
            cfg.cells,
            cfg.input,
            cfg.seed,
            cfg.batch,
            cfg.bins
        );
        for v in summaries(&maps) {
            let _ = write!(row, ",{v}");
        }
        for m in &maps {
            let _ = write!(
                row,
                ",{},{},{},{},{},{}",
                m.h1x, m.distinct, m.h1b, m.zero, m.h2, m.singular
            );
        }
        run.rows.insert(p, row);
        since += 1;
        if since >= a.checkpoint || k + 1 == todo.len() {
            write_run(&a.out, TOOL, &run)?;
            since = 0;
            let el = t0.elapsed().as_secs_f64();
            eprintln!(
                "  {}/{} networks, {:.2} s per network, about {:.0} s left",
                k + 1,
                todo.len(),
                el / (k + 1) as f64,
                el / (k + 1) as f64 * (todo.len() - k - 1) as f64
            );
        }
    }
    if todo.is_empty() {
        write_run(&a.out, TOOL, &run)?;
    }
    println!(
        "{}: {} rows (shard {}), {:.1} s",
        a.out.display(),
        run.rows.len(),
        a.shard,
        t0.elapsed().as_secs_f64()
    );
    Ok(0)
}

pub fn run_merge(a: MergeArgs) -> anyhow::Result<i32> {
    if a.out.extension().and_then(|e| e.to_str()) != Some("csv") {
        bail!("--out {}: expected a .csv file", a.out.display());
    }
    let n = merge(&a.shards, TOOL, &a.out)?;
    println!(
        "{}: {n} rows from {} shards",
        a.out.display(),
        a.shards.len()
    );
    Ok(0)
}
