//! `sed-ablation`: which part of SED's formula carries the signal? SED as printed, without
//! skip_SED, without conv_SED, without pool_SED, without the sigmoids, each alternative
//! reading, and LED-flow, on NB201 (three datasets) and the NB101 / NB301 samples; plus the
//! NB201 figures: SED vs #params coloured by accuracy (the paper's Figure 2 analogue) and the
//! tie structure of SED (accuracy spread per distinct SED value).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{read_config, write_csv, write_meta};
use crate::arch::SpaceKind;
use crate::error::{Error, Result};
use crate::eval::population::{Population, PopulationSpec, score_all};
use crate::eval::{ProxyReport, competition_ranks_desc, evaluate};
use crate::plot::{Caption, ColourBar, Labels, Series, bars, scatter};
use crate::sed::ledflow::LedFlow;
use crate::sed::{Sed, SedConfig, ablations, readings};

/// One benchmark of the ablation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benchmark {
    /// Short name used in tables.
    pub name: String,
    /// Search space.
    pub space: SpaceKind,
    /// Truth CSV, relative to `data_dir`.
    pub file: String,
    /// Accuracy column.
    pub acc_col: String,
}

/// The experiment's configuration (`experiments/sed-ablation/config.toml`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder with the benchmark CSVs (`$SEDNAS_DATA` overrides it when set).
    pub data_dir: PathBuf,
    /// The benchmarks.
    pub benchmarks: Vec<Benchmark>,
    /// NB201 cost file for the #params figure (relative to `data_dir`).
    pub nb201_cost: String,
}

/// One proxy evaluated on one benchmark.
#[derive(Debug, Clone)]
pub struct ProxyResult {
    /// The proxy: a SED reading or ablation (`sed`, `sed[-skip]`, ...) or `led-flow`.
    pub proxy: String,
    /// Its agreement with the benchmark's accuracy.
    pub report: ProxyReport,
}

/// One benchmark's results: every proxy, in the order of [`readings`], [`ablations`], then
/// LED-flow.
#[derive(Debug, Clone)]
pub struct BenchmarkResult {
    /// The benchmark's short name.
    pub name: String,
    /// Its proxies.
    pub proxies: Vec<ProxyResult>,
}

/// One row of `ablation.csv`. Columns that are undefined for a proxy (no ρ for a constant
/// score, no selection without accuracies) are empty, never 0.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AblationRow {
    /// Benchmark.
    pub benchmark: String,
    /// Proxy.
    pub proxy: String,
    /// Architectures with an accuracy and a score.
    pub n: usize,
    /// Spearman ρ.
    pub spearman: Option<f64>,
    /// Kendall τ-b.
    pub kendall_tau_b: Option<f64>,
    /// Precision of the proxy's top 10 % against the true top 10 %.
    pub top10_precision: f64,
    /// Distinct score values.
    pub distinct: usize,
    /// Architectures sharing the top score.
    pub tied: Option<usize>,
    /// Best true rank among them.
    pub best_rank: Option<usize>,
    /// Expected true rank of a uniform pick among them.
    pub expected_rank: Option<f64>,
    /// Worst true rank among them.
    pub worst_rank: Option<usize>,
}

impl AblationRow {
    fn new(benchmark: &str, p: &ProxyResult) -> Self {
        let r = &p.report;
        let sel = r.selection.as_ref();
        AblationRow {
            benchmark: benchmark.to_string(),
            proxy: p.proxy.clone(),
            n: r.n,
            spearman: r.spearman,
            kendall_tau_b: r.kendall_tau_b,
            top10_precision: r.top10_precision,
            distinct: r.distinct_values,
            tied: sel.map(|s| s.tied),
            best_rank: sel.map(|s| s.best_rank),
            expected_rank: sel.map(|s| s.expected_rank),
            worst_rank: sel.map(|s| s.worst_rank),
        }
    }
}

/// One row of `nb201_sed_ties.csv`: a distinct SED value and the accuracies of the cells
/// that share it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TieRow {
    /// The SED value.
    pub sed: f64,
    /// Cells with it.
    pub count: usize,
    /// Lowest accuracy among them.
    pub acc_min: f64,
    /// Mean accuracy.
    pub acc_mean: f64,
    /// Highest accuracy.
    pub acc_max: f64,
}

/// The tie structure of a score: one row per distinct value (ascending), over the
/// architectures whose accuracy is known (NaN accuracies are left out; a value held only by
/// such architectures has no row).
///
/// ```
/// use sednas::experiments::sed_ablation::{tie_rows, TieRow};
/// let rows = tie_rows(&[2.0, 1.0, 2.0, 3.0], &[90.0, 50.0, 70.0, f64::NAN]);
/// assert_eq!(rows, [
///     TieRow { sed: 1.0, count: 1, acc_min: 50.0, acc_mean: 50.0, acc_max: 50.0 },
///     TieRow { sed: 2.0, count: 2, acc_min: 70.0, acc_mean: 80.0, acc_max: 90.0 },
/// ]);
/// ```
pub fn tie_rows(score: &[f64], acc: &[f64]) -> Vec<TieRow> {
    let mut pairs: Vec<(f64, f64)> = score
        .iter()
        .zip(acc)
        .filter(|(s, a)| s.is_finite() && a.is_finite())
        .map(|(s, a)| (*s, *a))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|g| {
            let accs: Vec<f64> = g.iter().map(|p| p.1).collect();
            TieRow {
                sed: g[0].0,
                count: g.len(),
                acc_min: accs.iter().copied().fold(f64::INFINITY, f64::min),
                acc_mean: super::mean(&accs),
                acc_max: accs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect()
}

/// Every proxy of the ablation on one population (run step).
fn evaluate_population(
    pop: &Population,
    configs: &[(String, SedConfig)],
) -> Result<(Vec<ProxyResult>, Vec<f64>)> {
    let ranks = competition_ranks_desc(pop.acc());
    let mut out = Vec::new();
    let mut printed = Vec::new();
    for (k, (name, c)) in configs.iter().enumerate() {
        let (scores, _) = score_all(&Sed::new(*c)?, pop.archs());
        out.push(ProxyResult {
            proxy: name.clone(),
            report: evaluate(name, &scores, pop.acc(), &ranks),
        });
        if k == 0 {
            printed = scores;
        }
    }
    let led = LedFlow::new(Default::default())?;
    let mut g = Vec::new();
    let lf: Vec<f64> = pop.archs().iter().map(|a| led.score(a, &mut g)).collect();
    out.push(ProxyResult {
        proxy: "led-flow".into(),
        report: evaluate("led-flow", &lf, pop.acc(), &ranks),
    });
    Ok((out, printed))
}

/// The text table: Spearman ρ per proxy (rows) and benchmark (columns).
fn table_text(results: &[BenchmarkResult]) -> String {
    let mut summary = String::from("SED term ablation: Spearman ρ per benchmark (rows: proxies)\n");
    summary.push_str(&format!("{:<20}", "proxy"));
    for b in results {
        summary.push_str(&format!(" {:>16}", b.name));
    }
    summary.push('\n');
    if let Some(first) = results.first() {
        for (i, p) in first.proxies.iter().enumerate() {
            summary.push_str(&format!("{:<20}", p.proxy));
            for b in results {
                let v = b
                    .proxies
                    .get(i)
                    .and_then(|r| r.report.spearman)
                    .map(|v| format!("{v:+.3}"))
                    .unwrap_or_else(|| "n/a".into());
                summary.push_str(&format!(" {v:>16}"));
            }
            summary.push('\n');
        }
    }
    summary
}

/// ρ per proxy of one benchmark, as a bar chart; `data` names the benchmark's file and
/// column, `cmd` the command.
fn plot_benchmark(out: &Path, b: &BenchmarkResult, data: &str, cmd: &str) -> Result<()> {
    let labels: Vec<String> = b
        .proxies
        .iter()
        .map(|p| {
            p.proxy
                .replace("sed[", "")
                .replace(']', "")
                .replace("block=", "")
                .replace("#K=filters", "#K=filt")
                .replace("dil=effective", "dil=eff")
                .replace("sed", "SED")
        })
        .collect();
    let vals: Vec<f64> = b
        .proxies
        .iter()
        .map(|p| p.report.spearman.unwrap_or(f64::NAN))
        .collect();
    let n = b.proxies.iter().map(|p| p.report.n).max().unwrap_or(0);
    bars(
        &out.join(format!("rho_{}", b.name)),
        &Labels {
            title: &format!(
                "Spearman ρ of each SED reading / ablation with accuracy, {}",
                b.name
            ),
            x: "proxy (SED as printed, its readings, its terms dropped; LED-flow)",
            y: "Spearman ρ with accuracy (dimensionless)",
        },
        &labels,
        &vals,
        None,
        &Caption::new(data, format!("{n} cells"), cmd),
    )
}

/// The NB201 figures and the tie table. #params are joined by architecture (not by row
/// order); a cell without a cost row is left out of the #params figure. `data` and
/// `cost_file` name the files, `cmd` the command.
fn nb201_figures(
    out: &Path,
    acc_col: &str,
    pop: &Population,
    sed: &[f64],
    cost: &Population,
    (data, cost_file, cmd): (&str, &str, &str),
) -> Result<()> {
    let params: std::collections::HashMap<&str, f64> = cost
        .keys()
        .iter()
        .map(|k| k.as_str())
        .zip(cost.acc().iter().copied())
        .collect();
    let (points, colour): (Vec<(f64, f64)>, Vec<f64>) = pop
        .keys()
        .iter()
        .zip(sed.iter().zip(pop.acc()))
        .filter_map(|(k, (&s, &a))| params.get(k.as_str()).map(|&p| ((p, s), a)))
        .unzip();
    let n = points.len();
    scatter(
        &out.join("nb201_sed_vs_params"),
        &Labels {
            title: "NB201: SED vs #params, coloured by test accuracy",
            x: "#params (millions; params_mb_cifar10)",
            y: "SED (dimensionless score)",
        },
        &[Series {
            name: "cells".into(),
            points,
        }],
        Some(&ColourBar {
            values: &colour,
            label: &format!("{acc_col} accuracy (%)"),
        }),
        &Caption::new(
            format!("{data} and {cost_file} (joined by architecture)"),
            format!("{n} cells"),
            cmd,
        ),
    )?;
    // tie structure: every architecture at (SED value, accuracy)
    let points: Vec<(f64, f64)> = sed.iter().copied().zip(pop.acc().iter().copied()).collect();
    let n = points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .count();
    scatter(
        &out.join("nb201_sed_ties"),
        &Labels {
            title: "NB201: accuracy of the cells sharing each SED value",
            x: "SED (dimensionless score)",
            y: &format!("{acc_col} accuracy (%)"),
        },
        &[Series {
            name: "cells".into(),
            points,
        }],
        None,
        &Caption::new(data, format!("{n} cells"), cmd),
    )?;
    write_csv(&out.join("nb201_sed_ties.csv"), &tie_rows(sed, pop.acc()))
}

/// Runs the ablation into `out`; returns the printed summary. A config or a data file that
/// cannot be read is an error that names it, before anything is written.
///
/// # Errors
/// A configuration that does not read or validate, benchmark data that cannot be read
/// ([`Error::Csv`], [`Error::Io`]), or a failed write.
///
/// ```
/// use std::path::Path;
/// let out = std::env::temp_dir().join(format!("sednas-doc-sa-{}", std::process::id()));
/// let e = sednas::experiments::sed_ablation::run(Path::new("no-such.toml"), &out).unwrap_err();
/// assert!(e.to_string().contains("no-such.toml"));
/// assert!(!out.exists());
/// ```
pub fn run(config_path: &Path, out: &Path) -> Result<String> {
    let mut cfg: Config = read_config(config_path)?;
    if let Some(d) = std::env::var_os("SEDNAS_DATA") {
        cfg.data_dir = PathBuf::from(d);
    }
    let t0 = Instant::now();
    let base = SedConfig::default();
    let mut configs = readings(&base);
    configs.extend(ablations(&base));
    // read every file first: a missing one leaves no folder behind
    let mut files = Vec::new();
    let mut pops = Vec::new();
    for b in &cfg.benchmarks {
        let path = cfg.data_dir.join(&b.file);
        files.push(path.clone());
        pops.push(
            Population::read(&path, &PopulationSpec::new(b.space, &b.acc_col))
                .map_err(|e| Error::param("benchmark", format!("{}: {e}", b.name)))?,
        );
    }
    let first_nb201 = cfg
        .benchmarks
        .iter()
        .position(|b| b.space == SpaceKind::Nb201);
    let cost = match first_nb201 {
        Some(_) => {
            let cost_path = cfg.data_dir.join(&cfg.nb201_cost);
            files.push(cost_path.clone());
            Some(
                Population::read(
                    &cost_path,
                    &PopulationSpec::new(SpaceKind::Nb201, "params_mb_cifar10"),
                )
                .map_err(|e| Error::param("cost", e.to_string()))?,
            )
        }
        None => None,
    };
    // run
    let mut results = Vec::new();
    let mut nb201_sed = Vec::new();
    for (k, (b, pop)) in cfg.benchmarks.iter().zip(&pops).enumerate() {
        let (proxies, printed) = evaluate_population(pop, &configs)?;
        if Some(k) == first_nb201 {
            nb201_sed = printed;
        }
        results.push(BenchmarkResult {
            name: b.name.clone(),
            proxies,
        });
    }
    // tabulate, plot and meta.json into a staging folder, moved into place together
    // (meta.json last): a run that fails half-way leaves the old set untouched
    let cmd = super::command("sed-ablation", config_path, out, "");
    let staged = crate::io::staged::Staged::new(out)?;
    let out = staged.dir();
    let rows: Vec<AblationRow> = results
        .iter()
        .flat_map(|b| b.proxies.iter().map(|p| AblationRow::new(&b.name, p)))
        .collect();
    write_csv(&out.join("ablation.csv"), &rows)?;
    let summary = table_text(&results);
    // plot
    for (b, spec) in results.iter().zip(&cfg.benchmarks) {
        let data = format!("{} (column {})", spec.file, spec.acc_col);
        plot_benchmark(out, b, &data, &cmd)?;
    }
    if let (Some(k), Some(cost)) = (first_nb201, &cost) {
        let b = &cfg.benchmarks[k];
        nb201_figures(
            out,
            &b.acc_col,
            &pops[k],
            &nb201_sed,
            cost,
            (&b.file, &cfg.nb201_cost, &cmd),
        )?;
    }
    write_meta(
        out,
        "sed-ablation",
        &cfg,
        &files,
        t0.elapsed().as_secs_f64(),
        serde_json::json!({}),
    )?;
    crate::io::write_atomic(&out.join("summary.txt"), summary.as_bytes())?;
    staged.commit(&["summary.txt", "meta.json"])?;
    Ok(summary)
}
