//! The proxies `sednas eval` reports, assembled from the registry ([`crate::proxy`]): SED
//! with its readings and ablations, the other topology proxies, and proxy columns of the
//! truth or joined files (the measured-entropy summaries of `sednas measure` among them).

use super::population::{Population, score_all};
use super::{ProxyReport, evaluate};
use crate::arch::SpaceKind;
use crate::error::{Error, Result};
use crate::proxy::{Needs, Settings, find};
use crate::sed::{Sed, ablations, readings};

/// The proxies `sednas eval` reports when `--proxies` is not given, in this order.
pub const DEFAULT_PROXIES: [&str; 3] = ["sed", "led-flow", "ledp"];

/// What to report.
#[derive(Debug, Clone)]
pub struct EvalPlan {
    /// Registry names, in report order ([`DEFAULT_PROXIES`] by default). A topology proxy
    /// is scored; a proxy that needs a network is read as a column of that name.
    pub proxies: Vec<String>,
    /// Whether the names were chosen by the caller: then a proxy not defined for the space
    /// is an error; otherwise it is left out (LEDp on NATS-SSS).
    pub explicit: bool,
    /// SED's switches, the network size and LED-flow's skip gain.
    pub settings: Settings,
    /// Report SED under its alternative readings too ([`readings`]).
    pub readings: bool,
    /// Report SED without each of its terms too ([`ablations`]).
    pub ablations: bool,
    /// Numeric columns of the population to report after the proxies.
    pub columns: Vec<String>,
}

/// The reports, and the scoring time of SED and LED-flow (seconds per architecture).
#[derive(Debug, Clone)]
pub struct EvalReports {
    /// One report per proxy, reading or column, in plan order.
    pub reports: Vec<ProxyReport>,
    /// SED's time per architecture (parse excluded, one core), if SED was scored.
    pub sed_seconds_per_arch: Option<f64>,
    /// LED-flow's time per architecture, if LED-flow was scored.
    pub led_flow_seconds_per_arch: Option<f64>,
}

/// The columns of `pop` the plan reads: the measured proxies it names, then its columns.
///
/// # Errors
/// An unknown proxy name ([`find`]).
///
/// ```
/// use sednas::eval::proxies::{plan_columns, EvalPlan, DEFAULT_PROXIES};
/// let plan = EvalPlan {
///     proxies: vec!["sed".into(), "h1_min".into()],
///     explicit: true,
///     settings: Default::default(),
///     readings: false,
///     ablations: false,
///     columns: vec!["nwot".into()],
/// };
/// assert_eq!(plan_columns(&plan).unwrap(), ["h1_min", "nwot"]);
/// ```
pub fn plan_columns(plan: &EvalPlan) -> Result<Vec<String>> {
    let mut v = Vec::new();
    for name in &plan.proxies {
        let e = find(name)?;
        if e.name == crate::proxy::led_m::ENTRY.name {
            v.push(crate::proxy::led_m::MEASURED_COLUMN.to_string());
        } else if e.needs == Needs::Network {
            v.push(e.column.to_string());
        }
    }
    v.extend(plan.columns.iter().cloned());
    Ok(v)
}

/// Scores and evaluates every proxy of `plan` on `pop` (architectures of `space`).
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown proxy name (`proxy`, see
/// [`crate::proxy::find`]), a proxy the caller named that is not defined for `space`
/// (`--proxy`), a measured proxy whose column the population lacks (`--proxy`) or a plan
/// column it lacks (`--proxy-cols`); the scorers' errors for a refused setting.
pub fn evaluate_plan(pop: &Population, space: SpaceKind, plan: &EvalPlan) -> Result<EvalReports> {
    let ranks = super::competition_ranks_desc(pop.acc());
    let mut out = EvalReports {
        reports: Vec::new(),
        sed_seconds_per_arch: None,
        led_flow_seconds_per_arch: None,
    };
    // the column `name` read for the measured proxy `proxy` (None: a --proxy-cols column)
    let column = |proxy: Option<&str>, name: &str| {
        pop.cols().get(name).ok_or_else(|| match proxy {
            Some(p) => Error::param(
                "--proxy",
                format!(
                    "{p} reads the column {name:?}, which is in neither the truth file nor any --join file"
                ),
            ),
            None => Error::param(
                "--proxy-cols",
                format!("column {name:?} is in neither the truth file nor any --join file"),
            ),
        })
    };
    for name in &plan.proxies {
        let entry = find(name)?;
        if entry.name == crate::proxy::led_m::ENTRY.name {
            // LEDp of the topology + w · the joined measure file's neg_zero_mean
            let m = column(Some(entry.name), crate::proxy::led_m::MEASURED_COLUMN)?;
            let ledp = crate::proxy::ledp::ENTRY
                .build(&plan.settings, space)?
                .score_batch(pop.archs());
            let scores = ledp
                .iter()
                .zip(m.iter())
                .map(|(&l, &s)| {
                    if s.is_nan() {
                        Ok(f64::NAN) // a cell the joined run does not cover
                    } else {
                        crate::sed::ledm::combine(l, s)
                    }
                })
                .collect::<Result<Vec<f64>>>()?;
            out.reports
                .push(evaluate(entry.name, &scores, pop.acc(), &ranks));
            continue;
        }
        if entry.needs == Needs::Network {
            let c = column(Some(entry.name), entry.column)?;
            out.reports.push(evaluate(entry.name, c, pop.acc(), &ranks));
            continue;
        }
        if !entry.supports(space) {
            if plan.explicit {
                return Err(Error::param("--proxy", entry.unsupported));
            }
            continue;
        }
        if entry.name == crate::proxy::sed::ENTRY.name {
            // SED with its switches: the readings and ablations are SED under other configs
            let base = plan.settings.sed;
            let mut configs = if plan.readings {
                readings(&base)
            } else {
                vec![(entry.name.to_string(), base)]
            };
            if plan.ablations {
                configs.extend(ablations(&base));
            }
            for (name, cfg) in &configs {
                let sed = Sed::new(*cfg)?;
                let (scores, per_arch) = score_all(&sed, pop.archs());
                out.sed_seconds_per_arch.get_or_insert(per_arch);
                out.reports.push(evaluate(name, &scores, pop.acc(), &ranks));
            }
            continue;
        }
        let p = entry.build(&plan.settings, space)?;
        let t = std::time::Instant::now();
        let scores = p.score_batch(pop.archs());
        if entry.name == crate::proxy::led_flow::ENTRY.name {
            out.led_flow_seconds_per_arch =
                Some(t.elapsed().as_secs_f64() / pop.archs().len().max(1) as f64);
        }
        out.reports
            .push(evaluate(entry.name, &scores, pop.acc(), &ranks));
    }
    for c in &plan.columns {
        out.reports
            .push(evaluate(c, column(None, c)?, pop.acc(), &ranks));
    }
    Ok(out)
}

/// One `sednas eval` request: a truth file, its columns and filters, extra files to join,
/// and the plan of what to report.
#[derive(Debug, Clone)]
pub struct EvalRequest {
    /// Space of the truth file's architectures.
    pub space: SpaceKind,
    /// Ground-truth CSV.
    pub truth: std::path::PathBuf,
    /// Accuracy column (higher is better).
    pub acc_col: String,
    /// Architecture columns.
    pub cols: crate::arch::ArchColumns,
    /// `COL=VALUE` filters (rows kept where each holds).
    pub filters: Vec<String>,
    /// CSV files joined on the architecture.
    pub join: Vec<std::path::PathBuf>,
    /// Leave out NB201 cells whose output is cut off from the input.
    pub exclude_disconnected: bool,
    /// Keep only architectures with a value in every column read (`--common`).
    pub common: bool,
    /// What to report.
    pub plan: EvalPlan,
}

/// The reports of an [`EvalRequest`] with the population they were computed on.
#[derive(Debug, Clone)]
pub struct EvalOutcome {
    /// The reports.
    pub reports: EvalReports,
    /// The population (after filters, joins and `common`).
    pub pop: Population,
}

impl EvalRequest {
    /// Reads, joins, filters and evaluates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a column named twice in the plan or found in no file
    /// (`--proxy-cols`); [`Error::BadSpec`] for a filter that is not `COL=VALUE`;
    /// [`Error::InFile`] ([`Error::Empty`] inside) naming the truth file when no
    /// architecture is left to evaluate; the file errors of [`Population::read`] and
    /// [`Population::join`]; as [`evaluate_plan`].
    pub fn evaluate(&self) -> Result<EvalOutcome> {
        let mut seen = std::collections::HashSet::new();
        if let Some(c) = self.plan.columns.iter().find(|c| !seen.insert(c.as_str())) {
            return Err(Error::param("--proxy-cols", format!("names {c:?} twice")));
        }
        let filters = super::population::parse_filters(&self.filters)?;
        // the columns read: measured proxies named in the plan, then its columns
        let cols_read = plan_columns(&self.plan)?;
        let mut pop = Population::read(
            &self.truth,
            &super::population::PopulationSpec {
                space: self.space,
                acc_col: &self.acc_col,
                cols: self.cols.clone(),
                filters: &filters,
                proxy_cols: &cols_read,
                exclude_disconnected: self.exclude_disconnected,
            },
        )?;
        if pop.archs().is_empty() {
            return Err(Error::InFile {
                path: self.truth.display().to_string(),
                error: Box::new(Error::Empty {
                    what: "population left to evaluate",
                    shape: vec![0],
                }),
            });
        }
        for j in &self.join {
            pop.join(j, self.space, &self.cols, &cols_read, &filters)?;
        }
        if let Some(c) = cols_read.iter().find(|c| !pop.cols().contains_key(*c)) {
            return Err(Error::param(
                "--proxy-cols",
                format!("proxy column {c:?} is in neither the truth file nor any --join file"),
            ));
        }
        if self.common && !cols_read.is_empty() {
            let keep: Vec<bool> = (0..pop.archs().len())
                .map(|i| cols_read.iter().all(|c| !pop.cols()[c][i].is_nan()))
                .collect();
            let dropped = keep.iter().filter(|k| !**k).count();
            pop.retain_mask(&keep)?;
            pop.note(format!(
                "{dropped} architectures lacking a value of some --proxy-cols (--common)"
            ));
        }
        let reports = evaluate_plan(&pop, self.space, &self.plan)?;
        Ok(EvalOutcome { reports, pop })
    }

    /// The `truth` object of `eval --json` rows.
    pub fn truth_json(&self, o: &EvalOutcome) -> serde_json::Value {
        serde_json::json!({
            "file": self.truth.display().to_string(),
            "column": self.acc_col,
            "space": self.space.to_string(),
            "rows_read": o.pop.rows(),
            "population": o.pop.archs().len(),
            "excluded": o.pop.excluded(),
            "where": self.filters,
            "joined": self.join.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "sed_seconds_per_arch": o.reports.sed_seconds_per_arch,
            "led_flow_seconds_per_arch": o.reports.led_flow_seconds_per_arch,
        })
    }

    /// The text report of `sednas eval`: truth, population, filters, timing and one table
    /// row per proxy.
    pub fn text_report(&self, o: &EvalOutcome) -> String {
        use std::fmt::Write as _;
        let fmt_opt = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_else(|| "n/a".into());
        let mut s = String::new();
        let _ = writeln!(
            s,
            "truth: {} column {} ({} space)",
            self.truth.display(),
            self.acc_col,
            self.space
        );
        let excluded = if o.pop.excluded().is_empty() {
            "none".to_string()
        } else {
            o.pop.excluded().join("; ")
        };
        let _ = writeln!(
            s,
            "population: {} of {} rows; excluded: {excluded}",
            o.pop.archs().len(),
            o.pop.rows(),
        );
        if !self.filters.is_empty() {
            let _ = writeln!(s, "filter: {}", self.filters.join(", "));
        }
        if let Some(t) = o.reports.sed_seconds_per_arch {
            let _ = writeln!(
                s,
                "SED time: {t:.3e} s per architecture (parse excluded, one core)"
            );
        }
        s.push_str("ranks: 1 = most accurate of the population; selection = architectures sharing the top proxy score\n");
        let _ = writeln!(
            s,
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
        );
        for r in &o.reports.reports {
            let sel = r.selection.as_ref();
            let ranks = sel
                .map(|s| format!("{}/{:.1}/{}", s.best_rank, s.expected_rank, s.worst_rank))
                .unwrap_or_default();
            let accs = sel
                .map(|s| format!("{:.2}/{:.2}/{:.2}", s.best_acc, s.expected_acc, s.worst_acc))
                .unwrap_or_default();
            let _ = writeln!(
                s,
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
            );
        }
        s
    }
}
