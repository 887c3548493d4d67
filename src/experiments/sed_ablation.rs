//! `sed-ablation`: which part of SED's formula carries the signal? SED as printed, without
//! skip_SED, without conv_SED, without pool_SED, without the sigmoids, each alternative
//! reading, and LED-flow, on NB201 (three datasets) and the NB101 / NB301 samples; plus the
//! NB201 figures: SED vs #params coloured by accuracy (the paper's Figure 2 analogue) and the
//! tie structure of SED (accuracy spread per distinct SED value).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{read_config, write_meta};
use crate::arch::SpaceKind;
use crate::error::{Error, Result};
use crate::eval::population::{Population, PopulationSpec, score_all};
use crate::eval::{ProxyReport, competition_ranks_desc, evaluate};
use crate::plot::{Series, bars, scatter};
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

/// Runs the ablation into `out`; returns the printed summary. A config that cannot be read
/// is an error that names it, before anything is written.
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
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let base = SedConfig::default();
    let mut configs = readings(&base);
    configs.extend(ablations(&base));
    let mut csv = String::from(
        "benchmark,proxy,n,spearman,kendall_tau_b,top10_precision,distinct,tied,best_rank,expected_rank,worst_rank\n",
    );
    let mut summary = String::from("SED term ablation: Spearman ρ per benchmark (rows: proxies)\n");
    let mut table: Vec<(String, Vec<(String, ProxyReport)>)> = Vec::new();
    let mut files = Vec::new();
    // the first NB201 benchmark's population and SED (as printed), kept for the figures
    let mut nb201: Option<(String, Population, Vec<f64>)> = None;
    for b in &cfg.benchmarks {
        let path = cfg.data_dir.join(&b.file);
        files.push(path.clone());
        let pop = Population::read(&path, &PopulationSpec::new(b.space, &b.acc_col))
            .map_err(|e| Error::param("benchmark", format!("{}: {e}", b.name)))?;
        let ranks = competition_ranks_desc(pop.acc());
        let mut reps = Vec::new();
        let mut printed = Vec::new();
        for (k, (name, c)) in configs.iter().enumerate() {
            let (scores, _) = score_all(&Sed::new(*c)?, pop.archs());
            reps.push((name.clone(), evaluate(name, &scores, pop.acc(), &ranks)));
            if k == 0 {
                printed = scores;
            }
        }
        let led = LedFlow::new(Default::default())?;
        let mut g = Vec::new();
        let lf: Vec<f64> = pop.archs().iter().map(|a| led.score(a, &mut g)).collect();
        reps.push((
            "led-flow".into(),
            evaluate("led-flow", &lf, pop.acc(), &ranks),
        ));
        for (name, r) in &reps {
            let sel = r.selection.as_ref();
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{}\n",
                b.name,
                name,
                r.n,
                r.spearman.map(|v| v.to_string()).unwrap_or_default(),
                r.kendall_tau_b.map(|v| v.to_string()).unwrap_or_default(),
                r.top10_precision,
                r.distinct_values,
                sel.map(|s| s.tied).unwrap_or(0),
                sel.map(|s| s.best_rank).unwrap_or(0),
                sel.map(|s| s.expected_rank).unwrap_or(f64::NAN),
                sel.map(|s| s.worst_rank).unwrap_or(0)
            ));
        }
        let labels: Vec<String> = reps
            .iter()
            .map(|(n, _)| {
                n.replace("sed[", "")
                    .replace(']', "")
                    .replace("block=", "")
                    .replace("#K=filters", "#K=filt")
                    .replace("dil=effective", "dil=eff")
                    .replace("sed", "SED")
            })
            .collect();
        let vals: Vec<f64> = reps
            .iter()
            .map(|(_, r)| r.spearman.unwrap_or(f64::NAN))
            .collect();
        bars(
            &out.join(format!("rho_{}", b.name)),
            &format!("Spearman ρ on {}", b.name),
            "Spearman ρ",
            &labels,
            &vals,
            None,
        )?;
        table.push((b.name.clone(), reps));
        if b.space == SpaceKind::Nb201 && nb201.is_none() {
            nb201 = Some((b.acc_col.clone(), pop, printed));
        }
    }
    crate::io::write_atomic(&out.join("ablation.csv"), csv.as_bytes())?;
    // text table
    summary.push_str(&format!("{:<20}", "proxy"));
    for (b, _) in &table {
        summary.push_str(&format!(" {b:>16}"));
    }
    summary.push('\n');
    if let Some((_, first)) = table.first() {
        for (i, (name, _)) in first.iter().enumerate() {
            summary.push_str(&format!("{name:<20}"));
            for (_, reps) in &table {
                let v = reps
                    .get(i)
                    .and_then(|r| r.1.spearman)
                    .map(|v| format!("{v:+.3}"))
                    .unwrap_or_else(|| "n/a".into());
                summary.push_str(&format!(" {v:>16}"));
            }
            summary.push('\n');
        }
    }
    // NB201 figures (first NB201 benchmark)
    if let Some((acc_col, pop, sed)) = &nb201 {
        let cost_path = cfg.data_dir.join(&cfg.nb201_cost);
        files.push(cost_path.clone());
        let cost = Population::read(
            &cost_path,
            &PopulationSpec::new(SpaceKind::Nb201, "params_mb_cifar10"),
        )
        .map_err(|e| Error::param("cost", e.to_string()))?;
        scatter(
            &out.join("nb201_sed_vs_params"),
            &format!("NB201: SED vs #params, coloured by {acc_col}"),
            "#params (M)",
            "SED",
            &[Series {
                name: "cells".into(),
                points: cost
                    .acc()
                    .iter()
                    .copied()
                    .zip(sed.iter().copied())
                    .collect(),
            }],
            Some(pop.acc()),
        )?;
        // tie structure: every architecture at (SED value, accuracy)
        scatter(
            &out.join("nb201_sed_ties"),
            &format!(
                "NB201: accuracy of the cells sharing each SED value ({})",
                acc_col
            ),
            "SED",
            "test accuracy (%)",
            &[Series {
                name: "cells".into(),
                points: sed.iter().copied().zip(pop.acc().iter().copied()).collect(),
            }],
            None,
        )?;
        let mut vals: Vec<f64> = sed.clone();
        vals.sort_by(|a, b| a.total_cmp(b));
        vals.dedup();
        let mut ties = String::from("sed,count,acc_min,acc_mean,acc_max\n");
        for v in &vals {
            let accs: Vec<f64> = (0..sed.len())
                .filter(|&i| sed[i] == *v)
                .map(|i| pop.acc()[i])
                .collect();
            ties.push_str(&format!(
                "{v},{},{},{},{}\n",
                accs.len(),
                accs.iter().copied().fold(f64::INFINITY, f64::min),
                accs.iter().sum::<f64>() / accs.len() as f64,
                accs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            ));
        }
        crate::io::write_atomic(&out.join("nb201_sed_ties.csv"), ties.as_bytes())?;
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
    Ok(summary)
}
