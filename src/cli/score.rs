//! `sednas score` and `sednas enumerate`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;

use super::sedflags::SedFlags;
use crate::arch::{ArchColumns, SpaceKind};
use crate::proxy::enumerate::Enumeration;
use crate::proxy::stream::{
    CsvRecords, LineScorer, Listed, OnError, StreamOptions, TextLines, score_stream,
};

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Search space.
    #[arg(long, value_enum)]
    space: SpaceKind,
    /// Architectures; none: one per line from stdin (or --input).
    archs: Vec<String>,
    /// CSV input (header row); the architecture column is --arch-col.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Architecture column (default per space: arch_str, channels, adjacency_7x7_rowmajor, normal_cell).
    #[arg(long)]
    arch_col: Option<String>,
    /// NB101 operations column.
    #[arg(long, default_value = "ops")]
    ops_col: String,
    /// DARTS reduction-cell column (when the arch column holds a NASLib normal cell).
    #[arg(long, default_value = "reduce_cell")]
    reduce_col: String,
    /// skip (report, go on, exit 1) or stop (exit 2) on a bad line.
    #[arg(long, value_enum, default_value = "skip")]
    on_error: OnError,
    /// Worker threads (default: every core); the output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Scorer, by its name in the proxy registry (`sednas::proxy`): sed (Definition 4),
    /// led-flow (graph-aware, proofs/led-flow.md), ledp (LED-flow + log2 #params − pools −
    /// shortest path, constants per space chosen on the design split:
    /// docs/benchmark-protocol.md) or params (the benchmark network's parameter count).
    #[arg(long, default_value = "sed")]
    proxy: String,
    /// LED-flow's skip gain.
    #[arg(long, default_value_t = 0.75)]
    led_skip_gain: f64,
    /// Also print skip_SED, conv_SED, pool_SED of the first block.
    #[arg(long)]
    explain: bool,
    /// NB201 only: score the generalised cell of N nodes (2..=7). Without it, `--space
    /// nb201` is the 4-node benchmark cell and a cell of another size is a bad line.
    #[arg(long)]
    nodes: Option<usize>,
    #[command(flatten)]
    sed: SedFlags,
}

pub fn run_score(a: ScoreArgs) -> anyhow::Result<i32> {
    if crate::proxy::led_m::ENTRY.is_named(&a.proxy) {
        return run_led_m(&a);
    }
    let sed = a.sed.scorer()?;
    let cfg = a.sed.config()?;
    let entry = crate::proxy::find(&a.proxy).map_err(|_| {
        anyhow::anyhow!(
            "unknown --proxy {:?}: expected {}",
            a.proxy,
            crate::proxy::topology_names()
        )
    })?;
    if !entry.supports(a.space) {
        bail!("--proxy {}: {}", entry.name, entry.unsupported);
    }
    entry.check_network_sizes(sed.census_options())?;
    let settings = crate::proxy::Settings {
        sed: cfg,
        led_skip_gain: a.led_skip_gain,
    };
    let proxy = entry.build(&settings, a.space)?;
    if a.input.is_some() && !a.archs.is_empty() {
        bail!("give architectures as arguments or --input FILE, not both");
    }
    let threads = super::thread_count(a.threads)?;
    let opts = StreamOptions::new(threads, a.on_error)?;
    let mut scorer = LineScorer::new(a.space, proxy, a.explain.then_some(sed));
    if let Some(n) = a.nodes {
        scorer = scorer.with_nodes(n)?;
    }
    let scorer = Arc::new(scorer);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let report = |line: u64, why: &str| eprintln!("error: line {line}: {why}");
    let rep = if let Some(path) = &a.input {
        let cols = ArchColumns::with(
            a.space,
            a.arch_col.as_deref(),
            Some(&a.ops_col),
            Some(&a.reduce_col),
        );
        let records = CsvRecords::open(path, a.space, &cols)?;
        score_stream(scorer, records, &mut out, opts, report)?
    } else if !a.archs.is_empty() {
        score_stream(scorer, Listed::new(a.archs), &mut out, opts, report)?
    } else {
        score_stream(
            scorer,
            TextLines::new(std::io::stdin()),
            &mut out,
            opts,
            report,
        )?
    };
    out.flush()?;
    if rep.stopped {
        return Ok(2);
    }
    if rep.bad > 0 {
        eprintln!("error: {} of {} lines skipped", rep.bad, rep.lines);
        return Ok(1);
    }
    Ok(0)
}

/// `score --proxy led-m`: builds and forwards each architecture's reduced-scale network on
/// the embedded patches (`nn::ledm`); one row `arch,led_m,neg_zero_mean` per architecture.
#[cfg(feature = "nn")]
fn run_led_m(a: &ScoreArgs) -> anyhow::Result<i32> {
    if a.input.is_some() {
        bail!(
            "--proxy led-m scores listed architectures or stdin lines; for a population run `sednas measure --input patches --batch 10` and join it (README, \"A proxy grounded in measured entropy\")"
        );
    }
    if a.nodes.is_some() {
        bail!("--proxy led-m measures the benchmark's own network: --nodes does not apply");
    }
    let scorer = crate::nn::ledm::LedM::new(a.space)?;
    let stop = matches!(a.on_error, OnError::Stop);
    let mut out = std::io::stdout().lock();
    let rep = crate::nn::ledm::score_lines(
        &scorer,
        &a.archs,
        std::io::stdin().lock(),
        stop,
        &mut out,
        &mut |i, e| eprintln!("error: line {i}: {e}"),
    )
    .map_err(super::lib_err)?;
    if rep.stopped {
        return Ok(2);
    }
    if rep.bad > 0 {
        eprintln!("error: {} of {} lines skipped", rep.bad, rep.lines);
        return Ok(1);
    }
    Ok(0)
}

#[cfg(not(feature = "nn"))]
fn run_led_m(_: &ScoreArgs) -> anyhow::Result<i32> {
    bail!("--proxy led-m forwards a network: this build has no `nn` feature")
}

#[derive(Debug, Args)]
pub struct EnumerateArgs {
    /// Search space (nb201 only: the others are not enumerable by topology here).
    #[arg(long, value_enum, default_value = "nb201")]
    space: SpaceKind,
    /// Nodes of the (generalised) NB201 cell: 4 is the benchmark (15,625 cells), 5 the
    /// paper's example (9,765,625), 6 has 5^15 ≈ 3.05·10^10 cells (needs --yes), 7 and more
    /// are refused (≥ 4.8·10^14 cells: days of work).
    #[arg(long, default_value_t = 4)]
    nodes: usize,
    /// Only the best K (bounded memory), with the size of the tie at the K-th score
    /// (K ≤ 10,000,000 and at most the size of the space).
    #[arg(long)]
    top: Option<u64>,
    /// Worker threads (default: every core); the output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Go ahead with more than 10^9 cells under --top, or more than 10^8 rows without it.
    #[arg(long)]
    yes: bool,
    /// Scorer, by its registry name (a topology proxy: sed, led-flow, ledp, params; the
    /// output column is the proxy's column name).
    #[arg(long, default_value = "sed")]
    proxy: String,
    /// LED-flow's skip gain (led-flow, ledp).
    #[arg(long, default_value_t = 0.75)]
    led_skip_gain: f64,
    #[command(flatten)]
    sed: SedFlags,
}

pub fn run_enumerate(a: EnumerateArgs) -> anyhow::Result<i32> {
    if a.space != SpaceKind::Nb201 {
        bail!(
            "enumerate supports --space nb201 (with --nodes N); {} is not enumerated",
            a.space
        );
    }
    let sed = a.sed.scorer()?;
    let entry = crate::proxy::find(&a.proxy)?;
    entry.check_network_sizes(sed.census_options())?;
    let settings = crate::proxy::Settings {
        sed: *sed.config(),
        led_skip_gain: a.led_skip_gain,
    };
    let proxy = entry.build(&settings, a.space)?;
    let plan = Enumeration::new(a.nodes, a.top, a.yes)?;
    let pool = super::thread_pool(a.threads)?;
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    plan.run(proxy.as_ref(), &pool, &mut out, &mut |line| {
        eprintln!("{line}")
    })
    .map_err(super::lib_err)?;
    Ok(0)
}
