//! `sednas measure` and `sednas merge`: measured local entropy of NB201, NB101 and DARTS
//! networks at initialisation over a population, sharded and resumable (thin: the work is
//! `nn::measure` and `io::shard`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::arch::nb201::{NB201_SIZE, Nb201Arch};
use crate::arch::{AnyArch, ArchColumns, SpaceKind};
use crate::io::shard::{RunFile, Shard, merge, read_run, write_run};
use crate::nn::measure::{
    MeasureConfig, MeasureInput, SUMMARIES, measure_arch, measure_inputs, summaries,
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
    /// The 20 real CIFAR-100 test images (scripts/fetch-data.sh).
    Cifar100,
    /// CIFAR-10 and CIFAR-100 images alternating, up to 40.
    CifarMixed,
    /// 64 natural-image patches built into the binary (scikit-image sample photos; no dataset).
    Patches,
    /// Fashion-MNIST test images, padded to 32×32, 3 channels.
    Fashion,
    /// MNIST test images, padded to 32×32, 3 channels.
    Mnist,
}

#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Search space: nb201, nb101 or darts (nb301). --all and --sample are NB201's; NB101
    /// and DARTS populations come from --from (e.g. the shared nb101_nasbenchvis_10k.csv with
    /// --arch-col adjacency_rowmajor, nb301_zc_proxies_naslib_sample.csv) or stdin.
    #[arg(long, default_value = "nb201")]
    space: SpaceKind,
    /// The whole NB201 space (15,625 cells, index order).
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
    /// Architecture column of --from (and of the output): default arch_str (nb201),
    /// adjacency_7x7_rowmajor (nb101), normal_cell (darts).
    #[arg(long)]
    arch_col: Option<String>,
    /// NB101 operations column of --from (and of the output).
    #[arg(long, default_value = "ops")]
    ops_col: String,
    /// DARTS reduction-cell column of --from (and of the output), when the arch column
    /// holds NASLib normal cells.
    #[arg(long, default_value = "reduce_cell")]
    reduce_col: String,
    /// Row limit of --from / stdin: the first K architectures.
    #[arg(long, value_name = "K")]
    limit: Option<usize>,
    /// Output CSV (first line: shard and configuration; written atomically at checkpoints).
    #[arg(long)]
    out: PathBuf,
    /// Continue an existing --out of the same configuration and shard.
    #[arg(long)]
    resume: bool,
    /// Only the positions p with p mod N = I (e.g. a job array's index); `sednas merge` joins them.
    #[arg(long, default_value = "0/1")]
    shard: Shard,
    /// Width C (default: the reduced scale; NB201 8 of the benchmark's 16, NB101 16 of 128,
    /// DARTS 8 of 16).
    #[arg(long)]
    width: Option<usize>,
    /// Cells: NB201 cells per stage (reduced 1, benchmark 5), NB101 modules per stack
    /// (1, 3), DARTS cells (5, 8).
    #[arg(long)]
    cells: Option<usize>,
    /// Images in the batch (10..=256; at most 20 for cifar and cifar100, 40 for cifar-mixed, 64 for patches).
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

fn population(a: &MeasureArgs) -> anyhow::Result<Vec<AnyArch>> {
    let sources = a.all as usize + a.sample.is_some() as usize + a.from.is_some() as usize;
    if sources > 1 {
        bail!("give one of --all, --sample K, --from FILE (or stdin lines)");
    }
    if (a.all || a.sample.is_some()) && a.space != SpaceKind::Nb201 {
        bail!(
            "--all and --sample enumerate NB201 only; give {} architectures with --from FILE or on stdin",
            a.space
        );
    }
    if a.limit == Some(0) {
        bail!("--limit must be at least 1");
    }
    if a.all {
        return (0..NB201_SIZE)
            .map(|i| Ok(AnyArch::Nb201(Nb201Arch::from_index(i)?)))
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
            .map(|i| Ok(AnyArch::Nb201(Nb201Arch::from_index(i)?)))
            .collect();
    }
    let limit = a.limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    if let Some(f) = &a.from {
        out = read_arch_column(f, a.space, &columns(a), limit)?;
    } else {
        // stdin goes through the bounded reader too: lines up to 4 MiB, 1 GiB in all
        let stdin = std::io::BufReader::new(crate::io::bounded::Bounded::new(
            std::io::stdin().lock(),
            "<stdin>",
            crate::io::bounded::CSV,
        ));
        for (k, line) in stdin.lines().enumerate() {
            let line = line.map_err(|e| {
                crate::io::bounded::from_io(&e)
                    .map(anyhow::Error::from)
                    .unwrap_or_else(|| anyhow::Error::from(e).context("stdin"))
            })?;
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if out.len() == limit {
                break;
            }
            out.push(AnyArch::parse(a.space, t).with_context(|| {
                format!(
                    "stdin line {}: {:?}",
                    k + 1,
                    crate::io::bounded::excerpt(t, 200)
                )
            })?);
        }
    }
    if out.is_empty() {
        bail!("the population is empty");
    }
    Ok(out)
}

fn columns(a: &MeasureArgs) -> ArchColumns {
    ArchColumns::with(
        a.space,
        a.arch_col.as_deref(),
        Some(&a.ops_col),
        Some(&a.reduce_col),
    )
}

/// Every architecture of `col` (an unparsable one is an error naming its line).
fn read_arch_column(
    f: &std::path::Path,
    space: SpaceKind,
    cols: &ArchColumns,
    limit: usize,
) -> crate::Result<Vec<AnyArch>> {
    let csv_err = |line: u64, reason: String| crate::Error::Csv {
        path: f.display().to_string(),
        line,
        reason,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(crate::io::bounded::open(f, crate::io::bounded::CSV)?);
    let headers = rdr
        .headers()
        .map_err(|e| crate::io::bounded::from_csv(&e).unwrap_or_else(|| csv_err(1, e.to_string())))?
        .clone();
    let idx = cols.locate(space, &headers, &f.display().to_string())?;
    let mut out = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        if out.len() == limit {
            break;
        }
        let rec = rec.map_err(|e| {
            crate::io::bounded::from_csv(&e).unwrap_or_else(|| csv_err(k as u64 + 2, e.to_string()))
        })?;
        let a = AnyArch::parse(space, &idx.text(&rec))
            .map_err(|e| csv_err(k as u64 + 2, e.to_string()))?;
        out.push(a);
    }
    Ok(out)
}

/// The output's architecture columns and their values for `arch` (NB101: matrix and
/// operations; DARTS: NASLib normal and reduction cells; NB201: the cell string).
fn arch_fields(arch: &AnyArch) -> Vec<String> {
    match arch {
        AnyArch::Nb101(_) | AnyArch::Darts(_) => {
            let text = match arch {
                // NASLib's form has no concat list: only for DARTS' own range(2, 6)
                AnyArch::Darts(g)
                    if [&g.normal, &g.reduce]
                        .iter()
                        .all(|c| c.concat == [2, 3, 4, 5]) =>
                {
                    g.to_naslib()
                }
                _ => arch.to_string(),
            };
            match text.split_once('|') {
                Some((x, y)) => vec![x.to_string(), y.to_string()],
                None => vec![text, String::new()],
            }
        }
        _ => vec![arch.to_string()],
    }
}

fn arch_header(space: SpaceKind, cols: &ArchColumns) -> String {
    match space {
        SpaceKind::Nb101 => format!("{},{}", csv_field(&cols.arch), csv_field(&cols.ops)),
        SpaceKind::Darts => format!("{},{}", csv_field(&cols.arch), csv_field(&cols.reduce)),
        _ => csv_field(&cols.arch),
    }
}

/// One CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The first fields of the row of `arch` at `p` (resume checks that a stored row starts so).
fn row_prefix(p: usize, arch: &AnyArch) -> String {
    let index = match arch {
        AnyArch::Nb201(a) => a
            .official_index()
            .map(|i| i.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut s = format!("{p},{index}");
    for f in arch_fields(arch) {
        s.push(',');
        s.push_str(&csv_field(&f));
    }
    s
}

fn header(arch_cols: &str, layers: &[(String, &'static str)]) -> String {
    let mut h = format!("pos,index,{arch_cols},width,cells,input,seed,batch,bins");
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

/// The checked network and input settings shared by `measure` and `nn-export` (reduced
/// scale unless `--width`/`--cells` say otherwise).
fn measure_config(
    space: SpaceKind,
    width: Option<usize>,
    cells: Option<usize>,
    batch: usize,
    input: InputArg,
    seed: u64,
    bins: usize,
) -> anyhow::Result<MeasureConfig> {
    let input = match input {
        InputArg::Noise => MeasureInput::Noise,
        InputArg::Cifar => MeasureInput::Cifar,
        InputArg::Cifar100 => MeasureInput::Cifar100,
        InputArg::CifarMixed => MeasureInput::CifarMixed,
        InputArg::Patches => MeasureInput::Patches,
        InputArg::Fashion => MeasureInput::Fashion,
        InputArg::Mnist => MeasureInput::Mnist,
    };
    let Some((w0, c0)) = MeasureConfig::reduced(space) else {
        bail!("--space {space}: no measured network (nb201, nb101 and darts have one)");
    };
    let cfg = MeasureConfig {
        width: width.unwrap_or(w0),
        cells: cells.unwrap_or(c0),
        batch,
        input,
        seed,
        bins,
    };
    cfg.validate_for(space)?;
    Ok(cfg)
}

pub fn run_measure(a: MeasureArgs) -> anyhow::Result<i32> {
    let cfg = measure_config(a.space, a.width, a.cells, a.batch, a.input, a.seed, a.bins)?;
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
        "space": a.space.to_string(), "measure": cfg, "population": pop.len(), "population_fnv1a": pop_hash,
        "window": "3x3x1 valid", "bn": "batch statistics", "init": "burn 0.22 defaults after device.seed(seed)",
    }))?;
    let arch_cols = arch_header(a.space, &columns(&a));
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
            let ok = pop
                .get(p)
                .is_some_and(|x| row.starts_with(&format!("{},", row_prefix(p, x))));
            if !ok {
                bail!(
                    "--resume: {} row at pos {p} ({:?}…) does not hold the population's architecture there",
                    a.out.display(),
                    row.chars().take(80).collect::<String>()
                );
            }
        }
        if !r.header.is_empty() && !r.header.starts_with(&format!("pos,index,{arch_cols},")) {
            bail!(
                "--resume: {} has architecture columns other than {arch_cols}",
                a.out.display()
            );
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
        "measure: {} {} networks in shard {} ({} already done), width {}, cells {}, {} × {} images, seed {}",
        todo.len(),
        a.space,
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
        let maps = measure_arch(arch, &cfg, images.view())
            .with_context(|| format!("population position {p}: {}", row_prefix(p, arch)))?;
        if run.header.is_empty() {
            let layers: Vec<(String, &'static str)> =
                maps.iter().map(|m| (m.layer.clone(), m.kind)).collect();
            run.header = header(&arch_cols, &layers);
        }
        let mut row = format!(
            "{},{},{},{},{},{},{}",
            row_prefix(p, arch),
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
    outln!(
        "{}: {} rows (shard {}), {:.1} s",
        a.out.display(),
        run.rows.len(),
        a.shard,
        t0.elapsed().as_secs_f64()
    )?;
    Ok(0)
}

pub fn run_merge(a: MergeArgs) -> anyhow::Result<i32> {
    if a.out.extension().and_then(|e| e.to_str()) != Some("csv") {
        bail!("--out {}: expected a .csv file", a.out.display());
    }
    let n = merge(&a.shards, TOOL, &a.out)?;
    outln!(
        "{}: {n} rows from {} shards",
        a.out.display(),
        a.shards.len()
    )?;
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Search space: nb201, nb101 or darts (nb301).
    #[arg(long, default_value = "nb201")]
    space: SpaceKind,
    /// The architecture, in any form `sednas score` takes for the space (NB101:
    /// `MATRIX|OPS`; DARTS: Python repr, JSON or NASLib `normal|reduce`).
    #[arg(long)]
    arch: String,
    /// Width C (default: measure's reduced scale of the space).
    #[arg(long)]
    width: Option<usize>,
    /// Cells (NB201 cells per stage, NB101 modules per stack, DARTS cells; default: measure's
    /// reduced scale).
    #[arg(long)]
    cells: Option<usize>,
    /// Init (and noise) seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Images in the batch (10..=256; at most 20 for cifar and cifar100, 40 for cifar-mixed, 64 for patches).
    #[arg(long, default_value_t = 16)]
    batch: usize,
    /// Input images.
    #[arg(long, value_enum, default_value = "noise")]
    input: InputArg,
    /// Bins of the binned H1 estimator (for the measure row).
    #[arg(long, default_value_t = 16)]
    bins: usize,
    /// Folder with the fetched images (scripts/fetch-data.sh).
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Output folder (created; manifest.json is written last).
    #[arg(long)]
    out: PathBuf,
    /// Leave out the measure row (measure.json): the slow part in a debug build.
    #[arg(long)]
    no_measure: bool,
}

/// `sednas nn-export`: one network as `sednas measure` builds and forwards it, written by
/// `nn::export::export_arch`; prints a one-line JSON summary.
pub fn run_export(a: ExportArgs) -> anyhow::Result<i32> {
    let cfg = measure_config(a.space, a.width, a.cells, a.batch, a.input, a.seed, a.bins)?;
    let arch = AnyArch::parse(a.space, a.arch.trim())
        .with_context(|| format!("--arch {:?}", crate::io::bounded::excerpt(&a.arch, 200)))?;
    let images = measure_inputs(&cfg, &a.data_dir)?;
    let s = crate::nn::export::export_arch(&arch, &cfg, images.view(), &a.out, !a.no_measure)?;
    outln!("{}", serde_json::to_string(&s)?)?;
    Ok(0)
}
