//! `sednas eval`: SED (and its readings, and any named proxy columns) against ground truth.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::sedflags::SedFlags;
use crate::arch::{ArchColumns, SpaceKind};
use crate::eval::population::{Population, PopulationSpec, parse_filters};
use crate::eval::proxies::{DEFAULT_PROXIES, EvalPlan, evaluate_plan, plan_columns};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Search space of the truth file's architectures.
    #[arg(long, value_enum)]
    space: SpaceKind,
    /// Ground-truth CSV (header row).
    #[arg(long)]
    truth: PathBuf,
    /// Accuracy column (percent; higher is better).
    #[arg(long)]
    acc_col: String,
    /// Architecture column (default per space: arch_str, channels, adjacency_7x7_rowmajor, normal_cell).
    #[arg(long)]
    arch_col: Option<String>,
    /// NB101 operations column.
    #[arg(long, default_value = "ops")]
    ops_col: String,
    /// DARTS reduction-cell column.
    #[arg(long, default_value = "reduce_cell")]
    reduce_col: String,
    /// Keep only rows where COL equals VALUE (e.g. dataset=cifar10); repeatable.
    #[arg(long = "where", value_name = "COL=VALUE")]
    filters: Vec<String>,
    /// Proxies of the registry to report, in order (default: sed,led-flow,ledp). A proxy
    /// computed from the topology is scored; a measured one (e.g. h1_min) is read as the
    /// column of that name of the truth file or a --join file (a `sednas measure` CSV).
    #[arg(long, value_delimiter = ',')]
    proxies: Vec<String>,
    /// Numeric proxy columns to evaluate beside SED (looked up in the truth file, then in
    /// each --join file), e.g. params,flops,nwot,synflow.
    #[arg(long, value_delimiter = ',')]
    proxy_cols: Vec<String>,
    /// Extra CSV files with proxy columns, joined on the architecture; repeatable.
    #[arg(long)]
    join: Vec<PathBuf>,
    /// Only SED under the given configuration (no alternative readings).
    #[arg(long)]
    no_readings: bool,
    /// Leave out the LED-flow and LEDp rows.
    #[arg(long)]
    no_led_flow: bool,
    /// LED-flow's skip gain (default 0.75, chosen on CIFAR-10 validation).
    #[arg(long, default_value_t = 0.75)]
    led_skip_gain: f64,
    /// Also SED without skip_SED / conv_SED / pool_SED / sigmoids.
    #[arg(long)]
    ablations: bool,
    /// NB201: leave out the architectures whose output is cut off from the input.
    #[arg(long)]
    exclude_disconnected: bool,
    /// Restrict the population to architectures where every --proxy-cols value is present
    /// (so all proxies, SED included, are compared on the same architectures).
    #[arg(long)]
    common: bool,
    /// One JSON object per proxy per line instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    sed: SedFlags,
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.4}")).unwrap_or_else(|| "n/a".into())
}

pub fn run(a: EvalArgs) -> anyhow::Result<i32> {
    // a column named twice is one proxy: a repeat is refused rather than reported twice
    let mut seen = std::collections::HashSet::new();
    if let Some(c) = a.proxy_cols.iter().find(|c| !seen.insert(c.as_str())) {
        bail!("--proxy-cols names {c:?} twice");
    }
    let base = a.sed.config()?;
    let filters = parse_filters(&a.filters)?;
    let explicit = !a.proxies.is_empty();
    let proxies: Vec<String> = if explicit {
        a.proxies.clone()
    } else {
        DEFAULT_PROXIES
            .iter()
            .filter(|p| !a.no_led_flow || **p == "sed")
            .map(|p| p.to_string())
            .collect()
    };
    let plan = EvalPlan {
        proxies,
        explicit,
        settings: crate::proxy::Settings {
            sed: base,
            led_skip_gain: a.led_skip_gain,
        },
        readings: !a.no_readings,
        ablations: a.ablations,
        columns: a.proxy_cols.clone(),
    };
    // the columns read: measured proxies named in --proxies, then --proxy-cols
    let cols_read = plan_columns(&plan)?;
    let cols = ArchColumns::with(
        a.space,
        a.arch_col.as_deref(),
        Some(&a.ops_col),
        Some(&a.reduce_col),
    );
    let mut pop = Population::read(
        &a.truth,
        &PopulationSpec {
            space: a.space,
            acc_col: &a.acc_col,
            cols: cols.clone(),
            filters: &filters,
            proxy_cols: &cols_read,
            exclude_disconnected: a.exclude_disconnected,
        },
    )?;
    if pop.archs().is_empty() {
        bail!("{}: no architectures left to evaluate", a.truth.display());
    }
    for j in &a.join {
        pop.join(j, a.space, &cols, &cols_read, &filters)?;
    }
    for c in &cols_read {
        if !pop.cols().contains_key(c) {
            bail!("proxy column {c:?} is in neither the truth file nor any --join file");
        }
    }
    if a.common && !cols_read.is_empty() {
        let keep: Vec<bool> = (0..pop.archs().len())
            .map(|i| cols_read.iter().all(|c| !pop.cols()[c][i].is_nan()))
            .collect();
        let dropped = keep.iter().filter(|k| !**k).count();
        pop.retain_mask(&keep)?;
        pop.note(format!(
            "{dropped} architectures lacking a value of some --proxy-cols (--common)"
        ));
    }
    let res = evaluate_plan(&pop, a.space, &plan)?;
    let (reports, timing, led_time) = (
        res.reports,
        res.sed_seconds_per_arch,
        res.led_flow_seconds_per_arch,
    );
    let truth = serde_json::json!({
        "file": a.truth.display().to_string(),
        "column": a.acc_col,
        "space": a.space.to_string(),
        "rows_read": pop.rows(),
        "population": pop.archs().len(),
        "excluded": pop.excluded(),
        "where": a.filters,
        "joined": a.join.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "sed_seconds_per_arch": timing,
        "led_flow_seconds_per_arch": led_time,
    });
    if a.json {
        for r in &reports {
            let mut v = serde_json::to_value(r)?;
            v.as_object_mut()
                .expect("object")
                .insert("truth".into(), truth.clone());
            outln!("{}", serde_json::to_string(&v)?)?;
        }
        return Ok(0);
    }
    outln!(
        "truth: {} column {} ({} space)",
        a.truth.display(),
        a.acc_col,
        a.space
    )?;
    outln!(
        "population: {} of {} rows; excluded: {}",
        pop.archs().len(),
        pop.rows(),
        if pop.excluded().is_empty() {
            "none".to_string()
        } else {
            pop.excluded().join("; ")
        }
    )?;
    if !a.filters.is_empty() {
        outln!("filter: {}", a.filters.join(", "))?;
    }
    if let Some(t) = timing {
        outln!(
            "SED time: {:.3e} s per architecture (parse excluded, one core)",
            t
        )?;
    }
    outln!(
        "ranks: 1 = most accurate of the population; selection = architectures sharing the top proxy score"
    )?;
    outln!(
        "{:<22} {:>6} {:>8} {:>8} {:>6} {:>6} {:>7} {:>8} {:>6}  {:>22}  {:>23}  {:>8}",
        "proxy",
        "n",
        "rho",
        "tau_b",
        "P@10",
        "P@100",
        "best@10",
        "distinct",
        "tied",
        "rank best/exp/worst",
        "acc best/exp/worst",
        "minacc_rho"
    )?;
    for r in &reports {
        let sel = r.selection.as_ref();
        let ranks = sel
            .map(|s| format!("{}/{:.1}/{}", s.best_rank, s.expected_rank, s.worst_rank))
            .unwrap_or_default();
        let accs = sel
            .map(|s| format!("{:.2}/{:.2}/{:.2}", s.best_acc, s.expected_acc, s.worst_acc))
            .unwrap_or_default();
        outln!(
            "{:<22} {:>6} {:>8} {:>8} {:>6.3} {:>6.3} {:>7} {:>8} {:>6}  {:>22}  {:>23}  {:>8}",
            r.proxy,
            r.n,
            fmt_opt(r.spearman),
            fmt_opt(r.kendall_tau_b),
            r.top10_precision,
            r.top100_precision,
            r.best_rank_in_top10,
            r.distinct_values,
            sel.map(|s| s.tied).unwrap_or(0),
            ranks,
            accs,
            fmt_opt(r.min_acc_spearman)
        )?;
    }
    Ok(0)
}
