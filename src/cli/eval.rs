//! `sednas eval`: SED (and its readings, and any named proxy columns) against ground truth.

use std::path::PathBuf;

use clap::Args;

use super::sedflags::SedFlags;
use crate::arch::{ArchColumns, SpaceKind};
use crate::eval::proxies::{DEFAULT_PROXIES, EvalPlan, EvalRequest};

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

pub fn run(a: EvalArgs) -> anyhow::Result<i32> {
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
    let req = EvalRequest {
        space: a.space,
        truth: a.truth.clone(),
        acc_col: a.acc_col.clone(),
        cols: ArchColumns::with(
            a.space,
            a.arch_col.as_deref(),
            Some(&a.ops_col),
            Some(&a.reduce_col),
        ),
        filters: a.filters.clone(),
        join: a.join.clone(),
        exclude_disconnected: a.exclude_disconnected,
        common: a.common,
        plan: EvalPlan {
            proxies,
            explicit,
            settings: crate::proxy::Settings {
                sed: a.sed.config()?,
                led_skip_gain: a.led_skip_gain,
            },
            readings: !a.no_readings,
            ablations: a.ablations,
            columns: a.proxy_cols.clone(),
        },
    };
    let o = req.evaluate()?;
    if a.json {
        let truth = req.truth_json(&o);
        for r in &o.reports.reports {
            let mut v = serde_json::to_value(r)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("truth".into(), truth.clone());
            }
            outln!("{}", serde_json::to_string(&v)?)?;
        }
        return Ok(0);
    }
    out!("{}", req.text_report(&o))?;
    Ok(0)
}
