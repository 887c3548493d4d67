//! `sednas search`: random search or regularised evolution with a registry proxy (SED by
//! default) as the fitness.

use std::path::PathBuf;

use clap::Args;

use super::sedflags::SedFlags;
use crate::arch::{ArchColumns, SpaceKind};
use crate::eval::tie_aware_selection;
use crate::eval::truth::TruthLookup;
use crate::search::{Search, SearchConfig, Strategy};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Search space.
    #[arg(long, value_enum)]
    space: SpaceKind,
    /// Architectures to evaluate (at most 1,000,000: every distinct one is kept).
    #[arg(long, default_value_t = 2000)]
    samples: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// random or evolution.
    #[arg(long, value_enum, default_value = "random")]
    strategy: Strategy,
    /// NB201 cell nodes (2 to 7; the other spaces have fixed cells and take only 4).
    #[arg(long, default_value_t = 4)]
    nodes: usize,
    /// Evolution population.
    #[arg(long, default_value_t = 64)]
    population: usize,
    /// Evolution tournament size.
    #[arg(long, default_value_t = 16)]
    tournament: usize,
    /// Ground truth to report the chosen architectures' accuracy and rank.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Accuracy column of --truth.
    #[arg(long, default_value = "cifar10_test")]
    acc_col: String,
    /// Architecture column of --truth (default per space).
    #[arg(long)]
    arch_col: Option<String>,
    /// The fitness: a topology proxy of the registry (sed, led-flow, ledp, params).
    #[arg(long, default_value = "sed")]
    proxy: String,
    /// LED-flow's skip gain (led-flow, ledp).
    #[arg(long, default_value_t = 0.75)]
    led_skip_gain: f64,
    #[command(flatten)]
    sed: SedFlags,
}

pub fn run(a: SearchArgs) -> anyhow::Result<i32> {
    let settings = crate::proxy::Settings {
        sed: a.sed.config()?,
        led_skip_gain: a.led_skip_gain,
    };
    let entry = crate::proxy::find(&a.proxy)?;
    let proxy = entry.build(&settings, a.space)?;
    // checked before the progress bar or any work
    let plan = Search::new(SearchConfig {
        space: a.space,
        nodes: a.nodes,
        samples: a.samples,
        seed: a.seed,
        strategy: a.strategy,
        population: a.population,
        tournament: a.tournament,
    })?;
    // the truth file and its columns are read before the search runs
    let truth = match &a.truth {
        Some(p) => {
            let cols = ArchColumns::with(a.space, a.arch_col.as_deref(), None, None);
            Some(TruthLookup::read(p, a.space, &a.acc_col, cols)?)
        }
        None => None,
    };
    let bar = indicatif::ProgressBar::new(a.samples as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} architectures ({per_sec}, eta {eta})",
        )
        .expect("template"),
    );
    let t = std::time::Instant::now();
    let r = plan.run(proxy.as_ref(), |k| {
        if k % 256 == 0 {
            bar.set_position(k as u64)
        }
    })?;
    bar.finish_and_clear();
    outln!(
        "search: {:?} over {} ({} evaluations, {} distinct, seed {}) in {:.3} s",
        a.strategy,
        a.space,
        a.samples,
        r.distinct_evaluated,
        a.seed,
        t.elapsed().as_secs_f64()
    )?;
    outln!(
        "best {} {} shared by {} evaluated architecture(s)",
        if entry.name == "sed" {
            "SED"
        } else {
            entry.name
        },
        r.best_score,
        r.best.len()
    )?;
    if let (Some(p), Some(t)) = (&a.truth, &truth) {
        let notes = &t.notes;
        outln!(
            "truth: {} column {} (population {}; rank 1 = most accurate){}",
            p.display(),
            a.acc_col,
            t.population,
            if notes.is_empty() {
                String::new()
            } else {
                format!(
                    "; left out or found: {notes} (a repeated architecture is looked up at its last row)"
                )
            }
        )?;
    }
    print_best(&r, entry.column, truth.as_ref())?;
    Ok(0)
}

/// The best architectures found, with their accuracy and rank where `truth` has them, and
/// the tie-aware selection among those found.
fn print_best(
    r: &crate::search::SearchResult,
    column: &str,
    truth: Option<&TruthLookup>,
) -> anyhow::Result<()> {
    outln!("index,arch,{},accuracy,rank", column)?;
    let mut found = vec![];
    for arch in &r.best {
        let key = arch.to_string();
        let idx = arch.index().map(|i| i.to_string()).unwrap_or_default();
        let (acc, rank) = match truth.and_then(|t| t.get(&key)) {
            Some((acc, rank)) => {
                found.push((acc, rank));
                (format!("{acc}"), rank.to_string())
            }
            None if truth.is_some() => ("not in truth file".into(), String::new()),
            None => (String::new(), String::new()),
        };
        outln!("{idx},\"{key}\",{},{acc},{rank}", r.best_score)?;
    }
    // the tie-aware selection of the library: every pick shares the top score
    let accs: Vec<f64> = found.iter().map(|x| x.0).collect();
    let ranks: Vec<usize> = found.iter().map(|x| x.1).collect();
    if let Some(sel) = tie_aware_selection(&vec![r.best_score; found.len()], &accs, &ranks) {
        outln!(
            "selection among the {} tied with truth: rank best {} / expected {:.1} / worst {}; accuracy best {:.2} / expected {:.2} / worst {:.2}",
            sel.tied,
            sel.best_rank,
            sel.expected_rank,
            sel.worst_rank,
            sel.best_acc,
            sel.expected_acc,
            sel.worst_acc,
        )?;
    }
    Ok(())
}
