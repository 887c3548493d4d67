//! `sednas benchmark`: the selection protocol of `docs/benchmark-protocol.md` over the
//! shared data, every proxy side by side (thin: the work is `eval::benchmark`).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use crate::eval::benchmark::{self, BenchRow, Half};
use crate::sed::SedConfig;
use crate::sed::ledp::LedpConfig;

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

/// `--measured SPACE=FILE`: the space, the run file's architecture columns (from its
/// header) and whether its configuration is led-m's.
#[cfg(feature = "nn")]
fn measured_run(spec: &str) -> anyhow::Result<benchmark::MeasuredRun> {
    use crate::arch::{ArchColumns, SpaceKind};
    let Some((space, file)) = spec.split_once('=') else {
        anyhow::bail!("--measured {spec:?}: expected SPACE=FILE");
    };
    let space: SpaceKind = space.parse().context("--measured")?;
    let path = PathBuf::from(file);
    // only the first two lines (configuration, header) are read here; the join reads the rows
    let mut r = std::io::BufReader::new(crate::io::bounded::open(&path, crate::io::bounded::CSV)?);
    let (mut first, mut header) = (String::new(), String::new());
    {
        use std::io::BufRead;
        r.read_line(&mut first)?;
        r.read_line(&mut header)?;
    }
    let (first, header) = (first.trim_end(), header.trim_end());
    let config = first
        .split_once("config=")
        .map(|(_, c)| c)
        .filter(|_| first.starts_with("# sednas measure"))
        .with_context(|| format!("--measured {file}: line 1 is not a `sednas measure` header"))?;
    let config: serde_json::Value = serde_json::from_str(config)
        .with_context(|| format!("--measured {file}: line 1: configuration is not JSON"))?;
    if config["space"].as_str() != Some(&space.to_string()) {
        anyhow::bail!(
            "--measured {spec}: the run measured {} networks, not {space}",
            config["space"]
        );
    }
    let want = serde_json::to_value(crate::nn::ledm::config(space)?)?;
    let led_m = config["measure"] == want;
    let names: Vec<&str> = header.split(',').collect();
    let arch = match space {
        SpaceKind::Nb101 if names.contains(&"adjacency_rowmajor") => Some("adjacency_rowmajor"),
        _ => None,
    };
    Ok(benchmark::MeasuredRun {
        space,
        path,
        cols: ArchColumns::with(space, arch, None, None),
        led_m,
    })
}

#[cfg(not(feature = "nn"))]
fn measured_run(_: &str) -> anyhow::Result<benchmark::MeasuredRun> {
    anyhow::bail!("--measured needs the `nn` feature (led-m's configuration lives there)")
}

fn f4(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.3}"))
}

/// The table as Markdown (one row per task and proxy).
fn table(rows: &[BenchRow]) -> String {
    let mut s = String::from(
        "| split | task | proxy | n | ρ [95 % CI] | τ-b | top pick: tied, rank best / expected / worst (of population) | expected pick percentile | top-1 % cells in top 10 / top 100 |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {}{} | {} | {} [{}, {}] | {} | {}, {} / {:.1} / {} (of {}) | {:.2} % | {:.2} / {:.1} (of {}) |",
            r.half,
            r.task,
            r.proxy,
            if r.source == "peer" { " (peer)" } else { "" },
            r.n,
            f4(r.spearman),
            f4(r.spearman_lo),
            f4(r.spearman_hi),
            f4(r.kendall_tau_b),
            r.pick_tied,
            r.pick_best_rank,
            r.pick_expected_rank,
            r.pick_worst_rank,
            r.population,
            r.pick_expected_percentile,
            r.top1pct_in_top10,
            r.top1pct_in_top100,
            r.top1pct_size,
        );
    }
    s
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
        .collect::<anyhow::Result<Vec<_>>>()?;
    let t = std::time::Instant::now();
    let res = benchmark::run_with(&data, &proxies, !a.no_peers, halves, &measured)?;
    let secs = t.elapsed().as_secs_f64();
    // a registry name or alias stands for its row label (`params` for `#params`)
    let wanted: Vec<String> = a
        .proxies
        .iter()
        .map(|p| crate::proxy::find(p).map_or_else(|_| p.clone(), |e| e.label.to_string()))
        .collect();
    for (p, shown_as) in a.proxies.iter().zip(&wanted) {
        if !res.rows.iter().any(|r| &r.proxy == shown_as) {
            anyhow::bail!("--proxies: no proxy named {p:?} (names: {})", {
                let mut v: Vec<&str> = res.rows.iter().map(|r| r.proxy.as_str()).collect();
                v.sort();
                v.dedup();
                v.join(", ")
            });
        }
    }
    let shown: Vec<BenchRow> = res
        .rows
        .iter()
        .filter(|r| wanted.is_empty() || wanted.contains(&r.proxy))
        .cloned()
        .collect();
    if a.json {
        for r in &shown {
            outln!("{}", serde_json::to_string(r)?)?;
        }
    } else {
        outln!(
            "sednas benchmark: protocol docs/benchmark-protocol.md, data {}, {:.2} s",
            data.display(),
            secs
        )?;
        for d in &res.tasks {
            outln!(
                "{} ({}): {} cells from {} column {}; left out: {}",
                d.task.name,
                d.task.half,
                d.pop.len(),
                d.task.file,
                d.task.acc_col,
                if d.pop.excluded().is_empty() {
                    "none".to_string()
                } else {
                    d.pop.excluded().join("; ")
                }
            )?;
        }
        let mut line = String::from("score time per architecture (parsed, one core):");
        for (name, space, s, n) in &res.timing {
            let _ = write!(
                line,
                " {name}/{space} {:.0} ns;",
                s * 1e9 / (*n).max(1) as f64
            );
        }
        outln!("{line}")?;
        outln!(
            "ranks: 1 = most accurate cell of the task; pick = the cells sharing the top proxy score; \
             top-1 % = cells at or above the ⌈n/100⌉-th accuracy; peers and measured rows are scored on the cells they cover (n)"
        )?;
        out!("{}", table(&shown))?;
        for (task, p, base, d, lo, hi, n) in &res.gains {
            outln!(
                "measured gain, {task}: ρ({p}) − ρ({base}) = {d:+.3} [{lo:+.3}, {hi:+.3}] on the {n} cells the run covers (95 % paired bootstrap, 1,000 resamples, seed 0)"
            )?;
        }
    }
    if let Some(staged) = staged {
        // the figures' captions name the command (the flags that change what is drawn)
        let mut command = format!(
            "sednas benchmark --out {}",
            a.out
                .as_deref()
                .unwrap_or(std::path::Path::new("."))
                .display()
        );
        command.push_str(match a.split {
            SplitArg::Design => " --split design",
            SplitArg::Report => " --split report",
            SplitArg::All => "",
        });
        for m in &a.measured {
            command.push_str(&format!(" --measured {m}"));
        }
        write_out(staged.dir(), &res, &proxies, &data, secs, &command)?;
        staged.commit(&["meta.json"])?;
    }
    Ok(0)
}

fn write_out(
    out: &std::path::Path,
    res: &benchmark::BenchRun,
    proxies: &[benchmark::Computed<'_>],
    data: &std::path::Path,
    secs: f64,
    command: &str,
) -> anyhow::Result<()> {
    use crate::io::write_atomic;
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &res.rows {
        w.serialize(r)?;
    }
    write_atomic(&out.join("benchmark.csv"), &w.into_inner()?)?;
    write_atomic(&out.join("table.md"), table(&res.rows).as_bytes())?;
    // top-end analysis of the computed proxies (not #params: it is the baseline)
    let mut cells = csv::Writer::from_writer(Vec::new());
    cells.write_record([
        "task",
        "proxy",
        "proxy_rank",
        "score",
        "true_rank",
        "true_percentile",
        "accuracy",
        "arch",
    ])?;
    let mut md = String::from(
        "# Top-end analysis (written by `sednas benchmark --out`)\n\nFor each task and proxy: the proxy's top 1 % (⌈n/100⌉ cells plus ties), where those cells really rank, and the mean of each structural feature over the proxy's top 1 %, the whole population and the benchmark's true top 1 %.\n\n",
    );
    for (ti, d) in res.tasks.iter().enumerate() {
        let mut series = Vec::new();
        let analysed = proxies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.entry.name != crate::proxy::params::ENTRY.name);
        for (pi, name) in analysed.map(|(i, p)| (i, p.name.as_str())) {
            let te = benchmark::top_end(d, name, &res.scores[ti][pi])?;
            let n = d.pop.len() as f64;
            // a top score shared by far more than 1 % of the cells (a proxy constant on the
            // task: sed-validated on NB101) has no top end: its summary line says so, and
            // its cells are not listed one by one
            let k = d.pop.len().div_ceil(100);
            let listed = te.size <= 10 * k;
            for (k, c) in te.cells.iter().enumerate().filter(|_| listed) {
                cells.write_record([
                    d.task.name.to_string(),
                    name.to_string(),
                    (k + 1).to_string(),
                    c.0.to_string(),
                    c.1.to_string(),
                    format!("{:.3}", 100.0 * c.1 as f64 / n),
                    c.2.to_string(),
                    c.3.clone(),
                ])?;
            }
            let _ = writeln!(
                md,
                "## {} ({}) — {}\n\n{} cells; mean true percentile {:.1} (50 = random); {:.0} % of them in the true top 10 %.\n\n| feature | proxy's top 1 % | population | true top 1 % |\n|---|---|---|---|",
                d.task.name,
                d.task.half,
                name,
                te.size,
                te.mean_true_percentile,
                100.0 * te.in_true_top10pct
            );
            for (f, a, b, c) in &te.features {
                let _ = writeln!(md, "| {f} | {a:.2} | {b:.2} | {c:.2} |");
            }
            md.push('\n');
            if !listed {
                let _ = writeln!(
                    md,
                    "The top score is shared by {} cells, more than ten times the top 1 % ({k}): they are not listed in top_end.csv or plotted.\n",
                    te.size
                );
                continue;
            }
            series.push(crate::plot::Series {
                name: name.to_string(),
                points: te
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(k, c)| ((k + 1) as f64, 100.0 * c.1 as f64 / n))
                    .collect(),
            });
        }
        let stem = out.join(format!("top_end_{}", d.task.name.replace('/', "_")));
        let k = d.pop.len().div_ceil(100);
        crate::plot::scatter(
            &stem,
            &crate::plot::Labels {
                title: &format!("{}: true percentile of each proxy's top 1 %", d.task.name),
                x: "position in the proxy's order (1 = top score; ties: file order)",
                y: "true rank percentile (%; 0 = most accurate cell)",
            },
            &series,
            None,
            &crate::plot::Caption::new(
                format!("{} (column {})", d.task.file, d.task.acc_col),
                format!("{} cells; top 1 % = {k} cells plus ties", d.pop.len()),
                command,
            ),
        )?;
    }
    write_atomic(&out.join("top_end.csv"), &cells.into_inner()?)?;
    write_atomic(&out.join("top_end.md"), md.as_bytes())?;
    let ledp: Vec<serde_json::Value> = ["nb201", "nb101", "darts"]
        .iter()
        .map(|s| {
            let c = LedpConfig::for_space(s.parse().expect("space")).expect("config");
            serde_json::json!({"space": s, "lambda": c.lambda, "pool_penalty": c.pool_penalty, "depth_penalty": c.depth_penalty})
        })
        .collect();
    let tasks: Vec<serde_json::Value> = res
        .tasks
        .iter()
        .map(|d| {
            serde_json::json!({
                "task": d.task.name, "half": d.task.half.to_string(), "file": d.task.file,
                "column": d.task.acc_col, "cells": d.pop.len(), "left_out": d.pop.excluded(),
            })
        })
        .collect();
    let meta = serde_json::json!({
        "command": "sednas benchmark --out DIR",
        "data": data.display().to_string(),
        "protocol": "docs/benchmark-protocol.md",
        "seconds": secs,
        "tasks": tasks,
        "sed": SedConfig::default(),
        "ledp": ledp,
    });
    write_atomic(
        &out.join("meta.json"),
        serde_json::to_string_pretty(&meta)?.as_bytes(),
    )?;
    Ok(())
}
