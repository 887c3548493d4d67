//! `sednas score` and `sednas enumerate`.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::sedflags::SedFlags;
use crate::arch::nb201::{Nb201Arch, space_size};
use crate::arch::{AnyArch, ArchColumns, Census, SpaceKind};
use crate::sed::ledflow::{LedFlow, LedFlowConfig};

/// What to do with a line that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnError {
    /// Report it, skip it, go on (exit status 1 at the end).
    Skip,
    /// Report it and stop (exit status 2).
    Stop,
}

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
    /// Scorer: sed (Definition 4) or led-flow (graph-aware, proofs/led-flow.md).
    #[arg(long, default_value = "sed")]
    proxy: String,
    /// LED-flow's skip gain.
    #[arg(long, default_value_t = 0.75)]
    led_skip_gain: f64,
    /// Also print skip_SED, conv_SED, pool_SED of the first block.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    sed: SedFlags,
}

pub fn run_score(a: ScoreArgs) -> anyhow::Result<i32> {
    let sed = a.sed.scorer()?;
    let led = match a.proxy.as_str() {
        "sed" => None,
        "led-flow" => Some(LedFlow::new(LedFlowConfig {
            skip_gain: a.led_skip_gain,
            network: *sed.census_options(),
        })?),
        other => bail!("unknown --proxy {other:?}: expected sed or led-flow"),
    };
    let mut graphs = Vec::new();
    let mut lines: Vec<(u64, String)> = Vec::new();
    if let Some(path) = &a.input {
        let name = path.display().to_string();
        let mut rdr = csv::Reader::from_path(path).with_context(|| name.clone())?;
        let cols = ArchColumns::with(
            a.space,
            a.arch_col.as_deref(),
            Some(&a.ops_col),
            Some(&a.reduce_col),
        );
        let idx = cols.locate(a.space, rdr.headers()?, &name)?;
        for (k, rec) in rdr.records().enumerate() {
            let rec = rec.with_context(|| format!("{name}: line {}", k + 2))?;
            lines.push((k as u64 + 2, idx.text(&rec)));
        }
    } else if !a.archs.is_empty() {
        lines = a
            .archs
            .iter()
            .enumerate()
            .map(|(k, s)| (k as u64 + 1, s.clone()))
            .collect();
    } else {
        for (k, l) in std::io::stdin().lock().lines().enumerate() {
            let l = l.context("reading stdin")?;
            if !l.trim().is_empty() && !l.trim_start().starts_with('#') {
                lines.push((k as u64 + 1, l));
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut w = csv::Writer::from_writer(&mut out);
    let with_index = matches!(a.space, SpaceKind::Nb201 | SpaceKind::NatsSss);
    let mut header = vec![];
    if with_index {
        header.push("index");
    }
    header.extend(["arch", if led.is_some() { "led_flow" } else { "sed" }]);
    if a.explain {
        header.extend(["skip_sed", "conv_sed", "pool_sed"]);
    }
    w.write_record(&header)?;
    let mut census = Census::default();
    let mut skipped = 0usize;
    for (line, text) in &lines {
        match AnyArch::parse(a.space, text.trim()) {
            Ok(arch) => {
                let s = match &led {
                    Some(l) => l.score(&arch, &mut graphs),
                    None => sed.score(&arch, &mut census),
                };
                let mut rec = vec![];
                if with_index {
                    rec.push(arch.index().map(|i| i.to_string()).unwrap_or_default());
                }
                rec.push(arch.to_string());
                rec.push(format!("{s}"));
                if a.explain {
                    let b = sed.breakdown(&census);
                    let f = b.first();
                    for v in [
                        f.map(|x| x.skip_sed),
                        f.map(|x| x.conv_sed),
                        f.map(|x| x.pool_sed),
                    ] {
                        rec.push(v.map(|x| x.to_string()).unwrap_or_default());
                    }
                }
                w.write_record(&rec)?;
            }
            Err(e) => {
                eprintln!("error: line {line}: {e}");
                match a.on_error {
                    OnError::Stop => {
                        w.flush()?;
                        return Ok(2);
                    }
                    OnError::Skip => skipped += 1,
                }
            }
        }
    }
    w.flush()?;
    drop(w);
    out.flush()?;
    if skipped > 0 {
        eprintln!("error: {skipped} of {} lines skipped", lines.len());
        return Ok(1);
    }
    Ok(0)
}

#[derive(Debug, Args)]
pub struct EnumerateArgs {
    /// Search space (nb201 only: the others are not enumerable by topology here).
    #[arg(long, value_enum, default_value = "nb201")]
    space: SpaceKind,
    /// Nodes of the (generalised) NB201 cell: 4 is the benchmark, 5 the paper's example.
    #[arg(long, default_value_t = 4)]
    nodes: usize,
    /// Only the best K (bounded memory), with the size of the tie at the K-th score.
    #[arg(long)]
    top: Option<usize>,
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
    let total = space_size(a.nodes)?;
    let nodes = a.nodes;
    let opts = *sed.census_options();
    let score_code = |census: &mut Census, code: u64| {
        let arch = Nb201Arch::from_code(nodes, code).expect("code in range");
        arch.census(&opts, census);
        (sed.score_census(census), arch)
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let t0 = std::time::Instant::now();
    match a.top {
        Some(k) => {
            if k == 0 {
                bail!("--top must be at least 1");
            }
            // per-chunk top-k, merged; order: score desc, then code asc (deterministic)
            let chunks: Vec<(u64, u64)> = (0..total)
                .step_by(1 << 16)
                .map(|s| (s, (s + (1 << 16)).min(total)))
                .collect();
            let mut best: Vec<(f64, u64)> = chunks
                .par_iter()
                .map(|&(s, e)| {
                    let mut census = Census::default();
                    let mut v: Vec<(f64, u64)> = Vec::with_capacity(2 * k + 1);
                    for code in s..e {
                        let (score, _) = score_code(&mut census, code);
                        v.push((score, code));
                        if v.len() > 2 * k {
                            v.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                            v.truncate(k);
                        }
                    }
                    v.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                    v.truncate(k);
                    v
                })
                .reduce(Vec::new, |mut a, b| {
                    a.extend(b);
                    a.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                    a.truncate(k);
                    a
                });
            best.truncate(k);
            // how many share the K-th score (a second pass, counting only)
            let kth = best.last().map(|x| x.0);
            let tie = kth.map(|t| {
                (0..total)
                    .into_par_iter()
                    .map_init(Census::default, |c, code| {
                        (score_code(c, code).0 == t) as u64
                    })
                    .sum::<u64>()
            });
            writeln!(out, "rank,index,arch,sed")?;
            for (r, (s, code)) in best.iter().enumerate() {
                let arch = Nb201Arch::from_code(nodes, *code)?;
                let idx = arch
                    .official_index()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                writeln!(out, "{},{},{},{}", r + 1, idx, arch, s)?;
            }
            out.flush()?;
            if let (Some(t), Some(n)) = (kth, tie) {
                eprintln!(
                    "note: {n} of {total} architectures share the K-th score {t}; the order among ties is by code (arbitrary)"
                );
            }
        }
        None => {
            writeln!(out, "index,arch,sed")?;
            let mut census = Census::default();
            for code in 0..total {
                let (s, arch) = score_code(&mut census, code);
                let idx = arch
                    .official_index()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                writeln!(out, "{idx},{arch},{s}")?;
            }
            out.flush()?;
        }
    }
    eprintln!(
        "scored {total} architectures in {:.3} s",
        t0.elapsed().as_secs_f64()
    );
    Ok(0)
}
