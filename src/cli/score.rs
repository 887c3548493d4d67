//! `sednas score` and `sednas enumerate`.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use rayon::prelude::*;

use super::sedflags::SedFlags;
use crate::arch::nb201::{Nb201Arch, space_size};
use crate::arch::{ArchColumns, Census, SpaceKind};
use crate::proxy::stream::{
    CsvRecords, LineScorer, Listed, OnError, StreamOptions, TextLines, score_stream,
};
use crate::sed::top_k::TopK;

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
    if entry.fixed_network {
        // the count is each benchmark's own network; a network size set by flag or
        // --config would be silently ignored, so it is refused
        let (got, def) = (*sed.census_options(), crate::arch::CensusOptions::default());
        let sizes = [
            (
                "nb201-cells",
                got.nb201_cells_per_stage,
                def.nb201_cells_per_stage,
            ),
            ("nb201-channels", got.nb201_channels, def.nb201_channels),
            (
                "nb101-cells",
                got.nb101_cells_per_stack,
                def.nb101_cells_per_stack,
            ),
            ("nb101-channels", got.nb101_channels, def.nb101_channels),
            ("darts-layers", got.darts_layers, def.darts_layers),
            ("darts-channels", got.darts_channels, def.darts_channels),
            ("resolution", got.resolution, def.resolution),
        ];
        if let Some((flag, v, d)) = sizes.iter().find(|(_, v, d)| v != d) {
            bail!(
                "--proxy {} counts each benchmark's own network (NB201 C = 16, N = 5; NB101 C = 128, 3 cells per stack; DARTS NASLib's C = 32, 8 cells): --{flag} {v} (default {d}) would be ignored",
                entry.name
            );
        }
    }
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
        let name = path.display().to_string();
        let mut rdr =
            csv::Reader::from_reader(crate::io::bounded::open(path, crate::io::bounded::CSV)?);
        let cols = ArchColumns::with(
            a.space,
            a.arch_col.as_deref(),
            Some(&a.ops_col),
            Some(&a.reduce_col),
        );
        let headers = rdr
            .headers()
            .map_err(|e| {
                crate::io::bounded::from_csv(&e).unwrap_or_else(|| crate::Error::Csv {
                    path: name.clone(),
                    line: 1,
                    reason: e.to_string(),
                })
            })?
            .clone();
        let idx = cols.locate(a.space, &headers, &name)?;
        score_stream(
            scorer,
            CsvRecords::new(rdr, idx, name),
            &mut out,
            opts,
            report,
        )?
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
    use std::io::{BufRead, Read};
    if a.input.is_some() {
        bail!(
            "--proxy led-m scores listed architectures or stdin lines; for a population run `sednas measure --input patches --batch 10` and join it (README, \"A proxy grounded in measured entropy\")"
        );
    }
    if a.nodes.is_some() {
        bail!("--proxy led-m measures the benchmark's own network: --nodes does not apply");
    }
    let scorer = crate::nn::ledm::LedM::new(a.space)?;
    // stdin is read a line at a time, each line bounded (an architecture is a short text)
    const MAX_LINE: u64 = 1 << 20;
    let mut stdin = std::io::stdin().lock();
    let mut listed = a.archs.iter();
    let mut next_line = |buf: &mut Vec<u8>| -> anyhow::Result<bool> {
        buf.clear();
        if !a.archs.is_empty() {
            return Ok(listed
                .next()
                .map(|t| buf.extend_from_slice(t.as_bytes()))
                .is_some());
        }
        let got = (&mut stdin).take(MAX_LINE + 1).read_until(b'\n', buf)?;
        if got as u64 > MAX_LINE && buf.last() != Some(&b'\n') {
            bail!("stdin: a line longer than {MAX_LINE} bytes is not an architecture");
        }
        Ok(got > 0)
    };
    outln!("arch,led_m,neg_zero_mean")?;
    let (mut bad, mut n, mut i) = (0usize, 0usize, 0usize);
    let mut buf = Vec::new();
    while next_line(&mut buf)? {
        i += 1;
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        n += 1;
        let r = crate::arch::AnyArch::parse(a.space, text).and_then(|arch| {
            if let crate::arch::AnyArch::Nb201(c) = &arch
                && c.nodes() != 4
            {
                return Err(crate::Error::param(
                    "led-m",
                    format!(
                        "a {}-node cell: led-m measures the 4-node benchmark cell",
                        c.nodes()
                    ),
                ));
            }
            scorer.score(&arch).map(|s| (arch, s))
        });
        match r {
            Ok((arch, (v, s))) => outln!("\"{arch}\",{v},{s}")?,
            Err(e) => {
                eprintln!("error: line {i}: {e}");
                bad += 1;
                if matches!(a.on_error, OnError::Stop) {
                    return Ok(2);
                }
            }
        }
    }
    if bad > 0 {
        eprintln!("error: {bad} of {n} lines skipped");
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
    #[command(flatten)]
    sed: SedFlags,
}

/// Cells scored in one piece of work (one rayon task, one output buffer).
const CHUNK: u64 = 1 << 16;
/// Largest space enumerated at all, and the sizes that need --yes.
const MAX_CELLS: u64 = 1_000_000_000_000;
const YES_TOP: u64 = 1_000_000_000;
const YES_ROWS: u64 = 100_000_000;
const MAX_TOP: u64 = 10_000_000;

pub fn run_enumerate(a: EnumerateArgs) -> anyhow::Result<i32> {
    if a.space != SpaceKind::Nb201 {
        bail!(
            "enumerate supports --space nb201 (with --nodes N); {} is not enumerated",
            a.space
        );
    }
    let sed = a.sed.scorer()?;
    let total = space_size(a.nodes)?;
    let pool = super::thread_pool(a.threads)?;
    let threads = pool.current_num_threads();
    if let Some(k) = a.top {
        if k == 0 {
            bail!("--top must be at least 1");
        }
        if k > MAX_TOP || k > total {
            bail!(
                "--top {k} is larger than {} (the space has {total} cells; at most {MAX_TOP} are kept)",
                total.min(MAX_TOP)
            );
        }
    }
    if total > MAX_CELLS {
        bail!(
            "--nodes {} has {total} cells: more than the {MAX_CELLS} this command enumerates (days of work at ~50 M cells/s)",
            a.nodes
        );
    }
    let nodes = a.nodes;
    let opts = *sed.census_options();
    let score_code = |census: &mut Census, code: u64| -> f64 {
        let arch = Nb201Arch::from_code(nodes, code).expect("code in range");
        arch.census(&opts, census);
        sed.score_census(census)
    };
    // calibrate on one chunk to estimate the whole run before starting it
    let t_cal = std::time::Instant::now();
    let cal = CHUNK.min(total);
    let mut census = Census::default();
    let mut sink = 0.0;
    for code in 0..cal {
        sink += score_code(&mut census, code);
    }
    std::hint::black_box(sink);
    let rate = cal as f64 / t_cal.elapsed().as_secs_f64().max(1e-9) * threads as f64;
    let est = total as f64 / rate;
    eprintln!(
        "enumerating {total} cells on {threads} thread(s) at ~{:.1} M cells/s (calibrated): ~{}",
        rate / 1e6,
        fmt_secs(est)
    );
    let limit = if a.top.is_some() { YES_TOP } else { YES_ROWS };
    if total > limit && !a.yes {
        bail!(
            "{total} cells (~{}) is more than {limit}{}: add --yes to run it",
            fmt_secs(est),
            if a.top.is_some() {
                ""
            } else {
                " rows of output"
            }
        );
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let t0 = std::time::Instant::now();
    let chunks = total.div_ceil(CHUNK);
    match a.top {
        Some(k) => {
            let k = k as usize;
            let best = pool.install(|| {
                (0..chunks)
                    .into_par_iter()
                    .map(|ci| {
                        let (s, e) = (ci * CHUNK, ((ci + 1) * CHUNK).min(total));
                        let mut census = Census::default();
                        let mut t = TopK::new(k).expect("k >= 1");
                        for code in s..e {
                            t.push(score_code(&mut census, code), code);
                        }
                        t
                    })
                    .reduce_with(|mut a, b| {
                        a.merge(&b);
                        a
                    })
            });
            let mut best = best.ok_or_else(|| anyhow::anyhow!("empty space"))?;
            writeln!(out, "rank,index,arch,sed")?;
            for (r, (s, code)) in best.items().iter().enumerate() {
                let arch = Nb201Arch::from_code(nodes, *code)?;
                let idx = arch
                    .official_index()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                writeln!(out, "{},{},{},{}", r + 1, idx, arch, s)?;
            }
            out.flush()?;
            if let Some((t, n)) = best.kth_tie() {
                eprintln!(
                    "note: {n} of {total} architectures share the K-th score {t}; the order among ties is by code (arbitrary)"
                );
            }
        }
        None => {
            writeln!(out, "index,arch,sed")?;
            // a window of chunks at a time: bounded memory, rows in code order
            let window = 4 * threads as u64;
            let mut ci = 0;
            while ci < chunks {
                let hi = (ci + window).min(chunks);
                let bufs: Vec<Vec<u8>> = pool.install(|| {
                    (ci..hi)
                        .into_par_iter()
                        .map(|c| {
                            let (s, e) = (c * CHUNK, ((c + 1) * CHUNK).min(total));
                            let mut census = Census::default();
                            let mut buf = Vec::with_capacity(((e - s) * 96) as usize);
                            for code in s..e {
                                let arch = Nb201Arch::from_code(nodes, code).expect("in range");
                                arch.census(&opts, &mut census);
                                let v = sed.score_census(&census);
                                if let Some(i) = arch.official_index() {
                                    let _ = write!(buf, "{i}");
                                }
                                let _ = writeln!(buf, ",{arch},{v}");
                            }
                            buf
                        })
                        .collect()
                });
                for b in &bufs {
                    out.write_all(b)?;
                }
                ci = hi;
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

fn fmt_secs(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86400.0)
    }
}
