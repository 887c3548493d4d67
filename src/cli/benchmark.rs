//! `sednas benchmark`: the selection protocol of `docs/benchmark-protocol.md` over the
//! shared data, every proxy side by side (thin: the work is `eval::benchmark`).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use crate::eval::bench_out;
use crate::eval::benchmark::{self, Half};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SplitArg {
    /// Design splits only (where free parameters may be chosen).
    Design,
    /// Report splits only.
    Report,
    /// Both.
    All,
}

#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    /// Folder with the shared benchmark CSVs (default: $SEDNAS_DATA, else ../shared/data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Which splits to evaluate.
    #[arg(long, value_enum, default_value = "all")]
    split: SplitArg,
    /// Leave out the peers' proxy columns (only what sednas computes).
    #[arg(long)]
    no_peers: bool,
    /// Only these proxies in the printed table and JSON (comma-separated names as printed,
    /// e.g. ledp,led-flow,sed,#params,nwot); default: all. --out files keep every proxy.
    #[arg(long, value_delimiter = ',')]
    proxies: Vec<String>,
    /// One JSON object per (task, proxy) per line instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write benchmark.csv, the top-end analysis (top_end.csv, top_end.md) and its
    /// figures into this folder (created; files written atomically).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A `sednas measure` run file for SPACE (nb201, nb101, darts), repeatable: its
    /// neg_zero_mean, and led-m when the run has led-m's configuration (reduced scale,
    /// --input patches --batch 10, seed 0), are evaluated on the cells it covers.
    #[arg(long, value_name = "SPACE=FILE")]
    measured: Vec<String>,
}

#[cfg(feature = "nn")]
use crate::nn::ledm::measured_run;

#[cfg(not(feature = "nn"))]
fn measured_run(_: &str) -> crate::Result<benchmark::MeasuredRun> {
    Err(crate::Error::param(
        "--measured",
        "needs the `nn` feature (led-m's configuration lives there)",
    ))
}

pub fn run(a: BenchmarkArgs) -> anyhow::Result<i32> {
    let data = a
        .data
        .clone()
        .or_else(|| std::env::var_os("SEDNAS_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("../shared/data"));
    if !data.is_dir() {
        anyhow::bail!(
            "data folder {} not found (pass --data or set SEDNAS_DATA to the shared benchmark CSVs)",
            data.display()
        );
    }
    // the output location is checked (and its staging folder made) before any work; the
    // files are written there and moved into place together, meta.json last
    let staged = match &a.out {
        Some(out) => Some(crate::io::staged::Staged::new(out).context("--out")?),
        None => None,
    };
    let halves: &[Half] = match a.split {
        SplitArg::Design => &[Half::Design],
        SplitArg::Report => &[Half::Report],
        SplitArg::All => &[Half::Design, Half::Report],
    };
    let proxies = benchmark::standard_proxies()?;
    let measured = a
        .measured
        .iter()
        .map(|m| measured_run(m))
        .collect::<crate::Result<Vec<_>>>()?;
    let t = std::time::Instant::now();
    let res = benchmark::run_with(&data, &proxies, !a.no_peers, halves, &measured)?;
    let secs = t.elapsed().as_secs_f64();
    let shown = bench_out::select_rows(&res, &a.proxies)?;
    if a.json {
        for r in &shown {
            outln!("{}", serde_json::to_string(r)?)?;
        }
    } else {
        out!("{}", bench_out::text_report(&res, &shown, &data, secs))?;
    }
    if let Some(staged) = staged {
        let split = match a.split {
            SplitArg::Design => Some("design"),
            SplitArg::Report => Some("report"),
            SplitArg::All => None,
        };
        let command = bench_out::command_line(a.out.as_deref(), split, &a.measured);
        bench_out::write_out(staged.dir(), &res, &proxies, &data, secs, &command)?;
        staged.commit(&["meta.json"])?;
    }
    Ok(0)
}
