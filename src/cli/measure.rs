//! `sednas measure` and `sednas merge`: measured local entropy of NB201, NB101 and DARTS
//! networks at initialisation over a population, sharded and resumable (thin: the work is
//! `nn::measure` and `io::shard`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::arch::{AnyArch, ArchColumns, SpaceKind};
use crate::io::shard::{Shard, merge};
use crate::nn::measure::{MeasureConfig, MeasureInput, MeasureScope, measure_inputs};
use crate::nn::measure_run::{MeasureRun, Source, TOOL, check_csv_out, population};

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
    input: MeasureInput,
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
    /// Only the six summaries: measure the `relu` maps alone, H2 on the first and last of
    /// them (the summaries are bit for bit the same; the row has no per-layer columns).
    #[arg(long)]
    summaries_only: bool,
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

fn source(a: &MeasureArgs) -> anyhow::Result<Source> {
    let sources = a.all as usize + a.sample.is_some() as usize + a.from.is_some() as usize;
    if sources > 1 {
        bail!("give one of --all, --sample K, --from FILE (or stdin lines)");
    }
    Ok(match (&a.from, a.sample) {
        _ if a.all => Source::All,
        (_, Some(k)) => Source::Sample {
            k,
            seed: a.sample_seed,
        },
        (Some(f), _) => Source::File(f.clone()),
        (None, None) => Source::Lines,
    })
}

fn columns(a: &MeasureArgs) -> ArchColumns {
    ArchColumns::with(
        a.space,
        a.arch_col.as_deref(),
        Some(&a.ops_col),
        Some(&a.reduce_col),
    )
}

pub fn run_measure(a: MeasureArgs) -> anyhow::Result<i32> {
    let cfg = MeasureConfig::at_scale(a.space, a.width, a.cells, a.batch, a.input, a.seed, a.bins)?
        .with_scope(if a.summaries_only {
            MeasureScope::Summaries
        } else {
            MeasureScope::Layers
        });
    let src = source(&a)?;
    let stdin = std::io::stdin().lock();
    let pop = population(a.space, &src, &columns(&a), a.limit, stdin)?;
    let run = MeasureRun::new(
        cfg,
        pop,
        columns(&a),
        a.out.clone(),
        a.resume,
        a.shard,
        a.checkpoint,
    )?;
    let r = run.run(&a.data_dir, &mut |line| eprintln!("{line}"))?;
    outln!(
        "{}: {} rows (shard {}), {:.1} s",
        a.out.display(),
        r.rows,
        a.shard,
        r.seconds
    )?;
    Ok(0)
}

pub fn run_merge(a: MergeArgs) -> anyhow::Result<i32> {
    check_csv_out(&a.out)?;
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
    input: MeasureInput,
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
    let cfg = MeasureConfig::at_scale(a.space, a.width, a.cells, a.batch, a.input, a.seed, a.bins)?;
    let arch = AnyArch::parse(a.space, a.arch.trim())
        .with_context(|| format!("--arch {:?}", crate::io::bounded::excerpt(&a.arch, 200)))?;
    let images = measure_inputs(&cfg, &a.data_dir)?;
    let s = crate::nn::export::export_arch(&arch, &cfg, images.view(), &a.out, !a.no_measure)?;
    outln!("{}", serde_json::to_string(&s)?)?;
    Ok(0)
}
