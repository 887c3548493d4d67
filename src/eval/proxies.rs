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
/// An unknown proxy name; a proxy the caller named that is not defined for `space`; a
/// refused setting; a column missing from the population.
pub fn evaluate_plan(pop: &Population, space: SpaceKind, plan: &EvalPlan) -> Result<EvalReports> {
    let ranks = super::competition_ranks_desc(pop.acc());
    let mut out = EvalReports {
        reports: Vec::new(),
        sed_seconds_per_arch: None,
        led_flow_seconds_per_arch: None,
    };
    let column = |name: &str| {
        pop.cols().get(name).ok_or_else(|| {
            Error::param(
                "proxy",
                format!("column {name:?} is in neither the truth file nor any --join file"),
            )
        })
    };
    for name in &plan.proxies {
        let entry = find(name)?;
        if entry.name == crate::proxy::led_m::ENTRY.name {
            // LEDp of the topology + w · the joined measure file's neg_zero_mean
            let m = column(crate::proxy::led_m::MEASURED_COLUMN)?;
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
            let c = column(entry.column)?;
            out.reports.push(evaluate(entry.name, c, pop.acc(), &ranks));
            continue;
        }
        if !entry.supports(space) {
            if plan.explicit {
                return Err(Error::param("proxy", entry.unsupported));
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
        out.reports.push(evaluate(c, column(c)?, pop.acc(), &ranks));
    }
    Ok(out)
}
