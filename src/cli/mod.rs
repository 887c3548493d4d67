//! The `sednas` command line: a thin layer over the library. Every failure prints one line
//! (`error: ...`) and exits with status 2.

/// `println!` that returns an error instead of panicking when standard output cannot be
/// written (a full disk, `> /dev/full`): every command reports a failed write as a one-line
/// error with a non-zero exit. A closed pipe stays a quiet exit (see `is_broken_pipe`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*).map_err(crate::cli::stdout_err)
    }};
}

/// `print!` with the same rule as `outln!`.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($t)*).map_err(crate::cli::stdout_err)
    }};
}

mod benchmark;
mod demo;
mod entropy;
pub mod eval;
mod experiment;
#[cfg(feature = "nn")]
mod measure;
#[cfg(feature = "nn")]
pub mod nn;
mod score;
mod search;
mod sedflags;
mod verify;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

/// Local entropy of feature maps, the SED zero-cost NAS proxy, and the theory behind it.
#[derive(Debug, Parser)]
#[command(name = "sednas", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The main job on embedded defaults: entropy of an embedded image, the proposition
    /// verdicts, and SED over all of NAS-Bench-201 (no downloads, no data files).
    Demo(demo::DemoArgs),
    /// Local entropy (H1 or H2) of a map in a .npy or PNG file.
    Entropy(entropy::EntropyArgs),
    /// SED of architectures (arguments, stdin lines, or a CSV column) as CSV.
    Score(score::ScoreArgs),
    /// Stream every NB201 architecture (or the top K) with its SED.
    Enumerate(score::EnumerateArgs),
    /// Rank correlation and tie-aware selection of SED (and other proxies) against ground truth.
    Eval(eval::EvalArgs),
    /// The selection protocol over the shared benchmark data: every proxy's ρ, τ-b and
    /// where its top picks land, on design and report splits (docs/benchmark-protocol.md).
    Benchmark(benchmark::BenchmarkArgs),
    /// SED-driven search (random sampling or regularised evolution).
    Search(search::SearchArgs),
    /// Train an NB201 network (burn, CPU) on real images.
    #[cfg(feature = "nn")]
    Train(nn::TrainArgs),
    /// Local entropy of every captured feature map of a trained or untrained NB201 network.
    #[cfg(feature = "nn")]
    FmapEntropy(nn::FmapArgs),
    /// Time NB201 training steps and the measured-entropy pipeline on a burn backend.
    #[cfg(feature = "nn")]
    NnBench(nn::NnBenchArgs),
    /// Measured local entropy of NB201 networks at initialisation over a population
    /// (sharded with --shard I/N, resumable), one CSV row per network.
    #[cfg(feature = "nn")]
    Measure(measure::MeasureArgs),
    /// Export one measured network (parameters, input, logits, every captured map and its
    /// measure row) as .npy files + manifest.json, for the PyTorch cross-check
    /// (scripts/crosscheck/).
    #[cfg(feature = "nn")]
    NnExport(measure::ExportArgs),
    /// Join the shards of one `sednas measure` run (each exactly once).
    #[cfg(feature = "nn")]
    Merge(measure::MergeArgs),
    /// Run an experiment of experiments/ (results/NAME/: CSV, figures, meta.json).
    #[command(alias = "ablate")]
    Experiment(experiment::ExperimentArgs),
    /// Check Propositions 1–5 of the paper and print the verdict table.
    Verify(verify::VerifyArgs),
}

/// Runs the CLI on `args` (the first is the program name) and returns the exit status.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            // one line: clap's own message without the usage block
            let text = e.to_string();
            eprintln!(
                "{} (see --help)",
                text.lines().next().unwrap_or("error: bad arguments")
            );
            return 2;
        }
        Err(e) => {
            let _ = e.print();
            return 0;
        }
    };
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Entropy(a) => entropy::run(a),
        Command::Score(a) => score::run_score(a),
        Command::Enumerate(a) => score::run_enumerate(a),
        Command::Eval(a) => eval::run(a),
        Command::Benchmark(a) => benchmark::run(a),
        Command::Search(a) => search::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Experiment(a) => experiment::run(a),
        #[cfg(feature = "nn")]
        Command::Train(a) => nn::run_train(a),
        #[cfg(feature = "nn")]
        Command::FmapEntropy(a) => nn::run_fmap(a),
        #[cfg(feature = "nn")]
        Command::NnBench(a) => nn::run_nn_bench(a),
        #[cfg(feature = "nn")]
        Command::Measure(a) => measure::run_measure(a),
        #[cfg(feature = "nn")]
        Command::NnExport(a) => measure::run_export(a),
        #[cfg(feature = "nn")]
        Command::Merge(a) => measure::run_merge(a),
    };
    let result = result.and_then(|code| flush_stdout().map(|()| code));
    match result {
        Ok(code) => code,
        // a closed pipe (`sednas ... | head`) is not an error
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            2
        }
    }
}

/// `--threads N` checked (1..=1024), default every core.
pub(crate) fn thread_count(threads: Option<usize>) -> anyhow::Result<usize> {
    Ok(match threads {
        Some(0) => anyhow::bail!("--threads must be at least 1"),
        Some(n) if n > 1024 => anyhow::bail!("--threads must be at most 1024, got {n}"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

/// A rayon pool of `--threads N` threads (see [`thread_count`]).
pub(crate) fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let n = thread_count(threads)?;
    Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build()?)
}

/// A failed write to standard output, as an error that names it.
pub(crate) fn stdout_err(e: std::io::Error) -> anyhow::Error {
    anyhow::Error::new(e).context("writing to standard output")
}

/// A library error as the CLI reports it: a failed write to standard output (the library
/// names it `<stdout>`) keeps its I/O error so that a closed pipe stays a quiet exit.
pub(crate) fn lib_err(e: crate::Error) -> anyhow::Error {
    match e {
        crate::Error::Io { path, error } if path.as_os_str() == "<stdout>" => stdout_err(error),
        e => e.into(),
    }
}

/// Flushes standard output at the end of a command, so that a write that fails only at the
/// final flush is reported too.
fn flush_stdout() -> anyhow::Result<()> {
    use std::io::Write as _;
    std::io::stdout().lock().flush().map_err(stdout_err)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|ce| matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

/// Flattens an error chain to a single line.
fn one_line(e: &anyhow::Error) -> String {
    let mut s = e.to_string();
    for cause in e.chain().skip(1) {
        s.push_str(": ");
        s.push_str(&cause.to_string());
    }
    s.replace('\n', " ")
}

/// An output path whose folder does not exist is refused before any work (rather than
/// after the computation, or after other outputs were written).
pub(crate) fn check_parent(p: &std::path::Path) -> anyhow::Result<()> {
    if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && !d.is_dir()
    {
        anyhow::bail!("{}: the folder {} does not exist", p.display(), d.display());
    }
    Ok(())
}
