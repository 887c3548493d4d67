//! The selection protocol (`docs/benchmark-protocol.md`, `sednas benchmark`): for each
//! space a *design* split on which every free parameter of a proxy may be chosen, and a
//! *report* split that no design choice has seen; per proxy and split, rank agreement and
//! where the proxy's picks land.
//!
//! Splits (fixed before any design work, never changed after):
//!
//! | space | design split | report split |
//! |---|---|---|
//! | NB201 | all 15,625 cells, CIFAR-10 *validation* accuracy (`cifar10_valid_val`) | all cells, 200-epoch *test* accuracy on CIFAR-10, CIFAR-100, ImageNet16-120 |
//! | NB101 | the cells of `nb101_nasbenchvis_10k.csv` whose key hashes to the design half | the other half |
//! | NB301 | the genotypes of the NASLib sample whose key hashes to the design half | the other half |
//!
//! The key is the canonical architecture text (`AnyArch`'s `Display`); the half is the top
//! bit of its 64-bit FNV-1a hash ([`half_of`]). NB101 rows whose 108-epoch run diverged
//! (accuracy < 15 %, 13 rows) are left out and counted.

use std::path::Path;

use serde::Serialize;

use super::population::{Population, PopulationSpec};
use super::{competition_ranks_desc, kendall_tau_b, spearman, tie_aware_selection};
use crate::arch::{AnyArch, ArchColumns, SpaceKind};
use crate::error::{Error, Result};

/// Which half of a space a cell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// Free parameters may be chosen here.
    Design,
    /// Reported only.
    Report,
}

impl std::fmt::Display for Half {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Half::Design => "design",
            Half::Report => "report",
        })
    }
}

pub use crate::numerics::fnv1a64;

/// The half of a hash-split space a canonical architecture text belongs to: design iff
/// the top bit of its FNV-1a hash is 0 (the low bits of FNV-1a only mix the bytes'
/// parities, so the top bit is used).
///
/// ```
/// use sednas::eval::benchmark::{half_of, Half};
/// assert_eq!(half_of("a"), Half::Report); // 0xaf63… has its top bit set
/// ```
pub fn half_of(key: &str) -> Half {
    if fnv1a64(key.as_bytes()) >> 63 == 0 {
        Half::Design
    } else {
        Half::Report
    }
}

/// How a task draws its cells from the truth file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subset {
    /// Every row.
    All,
    /// The rows whose key falls in this half.
    Hash(Half),
}

/// One (space, accuracy, split) of the protocol.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    /// Short name, e.g. `nb201/cifar10`.
    pub name: &'static str,
    /// Search space.
    pub space: SpaceKind,
    /// Design or report.
    pub half: Half,
    /// Truth file in the data folder.
    pub file: &'static str,
    /// Accuracy column.
    pub acc_col: &'static str,
    /// Architecture column (NB101's matrix column differs from the default).
    pub arch_col: Option<&'static str>,
    /// Which rows.
    pub subset: Subset,
    /// Rows with an accuracy below this are left out (diverged runs).
    pub min_acc: Option<f64>,
    /// Peer proxies: a file in the data folder (joined by architecture) and its columns.
    pub peers: Option<(&'static str, &'static [&'static str])>,
}

/// NAS-Bench-Suite-Zero's proxy columns, in the order the table lists them (the same
/// names in the NB201 and NB301 files).
const PEERS: &[&str] = &[
    "nwot",
    "jacov",
    "synflow",
    "snip",
    "grasp",
    "fisher",
    "grad_norm",
    "epe_nas",
    "l2_norm",
    "plain",
    "zen",
    "flops",
];

/// The protocol's tasks, design splits first.
pub const TASKS: [Task; 8] = [
    Task {
        name: "nb201/cifar10-valid",
        space: SpaceKind::Nb201,
        half: Half::Design,
        file: "nb201_cifar10_valid_acc_nb201v1_0.csv",
        acc_col: "cifar10_valid_val",
        arch_col: None,
        subset: Subset::Hash(Half::Design),
        min_acc: None,
        peers: Some(("nb201_zc_proxies_cifar10.csv", PEERS)),
    },
    Task {
        name: "nb101/design",
        space: SpaceKind::Nb101,
        half: Half::Design,
        file: "nb101_nasbenchvis_10k.csv",
        acc_col: "valid_acc_108ep_1run",
        arch_col: Some("adjacency_rowmajor"),
        subset: Subset::Hash(Half::Design),
        min_acc: Some(15.0),
        peers: None,
    },
    Task {
        name: "nb301/design",
        space: SpaceKind::Darts,
        half: Half::Design,
        file: "nb301_zc_proxies_naslib_sample.csv",
        acc_col: "naslib_val_accuracy",
        arch_col: None,
        subset: Subset::Hash(Half::Design),
        min_acc: None,
        peers: Some(("nb301_zc_proxies_naslib_sample.csv", PEERS)),
    },
    Task {
        name: "nb201/cifar10",
        space: SpaceKind::Nb201,
        half: Half::Report,
        file: "nb201_test_acc_200ep.csv",
        acc_col: "cifar10_test",
        arch_col: None,
        subset: Subset::Hash(Half::Report),
        min_acc: None,
        peers: Some(("nb201_zc_proxies_cifar10.csv", PEERS)),
    },
    Task {
        name: "nb201/cifar100",
        space: SpaceKind::Nb201,
        half: Half::Report,
        file: "nb201_test_acc_200ep.csv",
        acc_col: "cifar100_test",
        arch_col: None,
        subset: Subset::Hash(Half::Report),
        min_acc: None,
        peers: Some(("nb201_zc_proxies_cifar100.csv", &["zen"])),
    },
    Task {
        name: "nb201/imagenet16-120",
        space: SpaceKind::Nb201,
        half: Half::Report,
        file: "nb201_test_acc_200ep.csv",
        acc_col: "imagenet16_120_test",
        arch_col: None,
        subset: Subset::Hash(Half::Report),
        min_acc: None,
        peers: Some(("nb201_zc_proxies_imagenet16_120.csv", PEERS)),
    },
    Task {
        name: "nb101/report",
        space: SpaceKind::Nb101,
        half: Half::Report,
        file: "nb101_nasbenchvis_10k.csv",
        acc_col: "valid_acc_108ep_1run",
        arch_col: Some("adjacency_rowmajor"),
        subset: Subset::Hash(Half::Report),
        min_acc: Some(15.0),
        peers: None,
    },
    Task {
        name: "nb301/report",
        space: SpaceKind::Darts,
        half: Half::Report,
        file: "nb301_zc_proxies_naslib_sample.csv",
        acc_col: "naslib_val_accuracy",
        arch_col: None,
        subset: Subset::Hash(Half::Report),
        min_acc: None,
        peers: Some(("nb301_zc_proxies_naslib_sample.csv", PEERS)),
    },
];

/// A task's population, ready to score.
#[derive(Debug, Clone)]
pub struct TaskData {
    /// The task.
    pub task: Task,
    /// Its cells, accuracies and peer columns.
    pub pop: Population,
    /// True competition ranks (1 = most accurate of the task's cells).
    pub ranks: Vec<usize>,
    /// Peer column names present (in protocol order).
    pub peers: Vec<String>,
}

/// Reads one task from the data folder.
///
/// # Errors
/// The errors of [`Population::read`] (the task's file missing or damaged, named with its
/// line) and [`Population::join`] (its peer file, when it exists); [`Error::InFile`]
/// ([`Error::Empty`] inside) naming the file when no cell is left after the task's split
/// and accuracy rules.
///
/// ```
/// use sednas::eval::benchmark::{load_task, TASKS};
/// let r = load_task(std::path::Path::new("no-such-dir"), &TASKS[0]);
/// assert!(matches!(r, Err(sednas::error::Error::Io { .. })));
/// ```
pub fn load_task(data: &Path, task: &Task) -> Result<TaskData> {
    let peers: Vec<String> = task
        .peers
        .map(|(_, c)| c.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    let same_file = task.peers.map(|(f, _)| f == task.file).unwrap_or(false);
    let cols = ArchColumns::with(task.space, task.arch_col, None, None);
    let mut pop = Population::read(
        &data.join(task.file),
        &PopulationSpec {
            space: task.space,
            acc_col: task.acc_col,
            cols: cols.clone(),
            filters: &[],
            proxy_cols: if same_file { &peers } else { &[] },
            exclude_disconnected: false,
        },
    )?;
    if let (Some((file, _)), false) = (task.peers, same_file) {
        let path = data.join(file);
        // only a path that does not exist at all is "not found" (the task runs without its
        // peers); a folder, FIFO, device or broken link is an error from the reader
        let missing = matches!(std::fs::symlink_metadata(&path), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
        if !missing {
            pop.join(
                &path,
                task.space,
                &ArchColumns::default_for(task.space),
                &peers,
                &[],
            )?;
        } else {
            // said, not silent: the task runs without its peer rows
            pop.note(format!(
                "peer file {} not found: this task has no peer rows",
                path.display()
            ));
        }
    }
    let keep: Vec<bool> = (0..pop.len())
        .map(|i| {
            let in_half = match task.subset {
                Subset::All => true,
                Subset::Hash(h) => half_of(&pop.keys()[i]) == h,
            };
            in_half && !pop.acc()[i].is_nan() && task.min_acc.is_none_or(|m| pop.acc()[i] >= m)
        })
        .collect();
    let other_half = (0..pop.len())
        .filter(|&i| matches!(task.subset, Subset::Hash(h) if half_of(&pop.keys()[i]) != h))
        .count();
    let low = (0..pop.len())
        .filter(|&i| task.min_acc.is_some_and(|m| pop.acc()[i] < m))
        .count();
    pop.retain_mask(&keep)?;
    if other_half > 0 {
        pop.note(format!(
            "{other_half} rows in the other half of the hash split"
        ));
    }
    if low > 0 {
        pop.note(format!(
            "{low} diverged runs (accuracy < {} %)",
            task.min_acc.unwrap_or(0.0)
        ));
    }
    if pop.is_empty() {
        return Err(Error::InFile {
            path: data.join(task.file).display().to_string(),
            error: Box::new(Error::Empty {
                what: "task's population (after its split and accuracy rules)",
                shape: vec![0],
            }),
        });
    }
    let (peers, absent): (Vec<String>, Vec<String>) =
        peers.into_iter().partition(|c| pop.cols().contains_key(c));
    if !absent.is_empty() && task.peers.is_some_and(|(f, _)| data.join(f).is_file()) {
        pop.note(format!(
            "peer columns not in the data: {}",
            absent.join(", ")
        ));
    }
    let ranks = competition_ranks_desc(pop.acc());
    Ok(TaskData {
        task: *task,
        pop,
        ranks,
        peers,
    })
}

/// Expected number of `hit` items among a proxy's top k under uniform random
/// tie-breaking at the k-th score (NaN scores are never picked).
///
/// # Formula
/// With A = items scoring above the k-th score, G = items tied at it, m = k − |A|:
/// E = |A ∩ hit| + m·|G ∩ hit|/|G|
///
/// ```
/// use sednas::eval::benchmark::expected_hits;
/// // top 2 of [3, 2, 2, 1]: item 0 sure, one of {1, 2}; hits = {0, 2}
/// assert_eq!(expected_hits(&[3.0, 2.0, 2.0, 1.0], &[true, false, true, false], 2), 1.5);
/// ```
pub fn expected_hits(score: &[f64], hit: &[bool], k: usize) -> f64 {
    let valid: Vec<f64> = score.iter().copied().filter(|s| !s.is_nan()).collect();
    if valid.is_empty() || k == 0 {
        return 0.0;
    }
    let k = k.min(valid.len());
    let mut sorted = valid;
    sorted.sort_by(|a, b| b.total_cmp(a));
    let sk = sorted[k - 1];
    let (mut above, mut above_hit, mut tied, mut tied_hit) = (0usize, 0usize, 0usize, 0usize);
    for (s, &h) in score.iter().zip(hit) {
        if s.is_nan() {
            continue;
        }
        if *s > sk {
            above += 1;
            above_hit += h as usize;
        } else if *s == sk {
            tied += 1;
            tied_hit += h as usize;
        }
    }
    above_hit as f64 + (k - above) as f64 * tied_hit as f64 / tied as f64
}

/// The top-1 % set of a task: cells whose accuracy is at least the ⌈n/100⌉-th largest.
///
/// ```
/// let acc: Vec<f64> = (0..200).map(|i| i as f64).collect();
/// let t = sednas::eval::benchmark::top_percent(&acc, 1.0);
/// assert_eq!(t.iter().filter(|&&x| x).count(), 2);
/// ```
pub fn top_percent(acc: &[f64], percent: f64) -> Vec<bool> {
    let mut s: Vec<f64> = acc.iter().copied().filter(|a| !a.is_nan()).collect();
    if s.is_empty() {
        return vec![false; acc.len()];
    }
    s.sort_by(|a, b| b.total_cmp(a));
    let k = ((s.len() as f64 * percent / 100.0).ceil() as usize).clamp(1, s.len());
    let t = s[k - 1];
    acc.iter().map(|&a| a >= t).collect()
}

/// One proxy on one task.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    /// Task name.
    pub task: String,
    /// design or report.
    pub half: Half,
    /// Proxy name.
    pub proxy: String,
    /// computed (by sednas, from the topology) or peer (a column of the shared data).
    pub source: &'static str,
    /// Cells in the task.
    pub population: usize,
    /// Cells with a proxy value.
    pub n: usize,
    /// Spearman ρ.
    pub spearman: Option<f64>,
    /// Lower end of ρ's 95 % interval (Fisher transform, SE = 1.03/√(n − 3):
    /// [`crate::eval::stats::spearman_test`]).
    pub spearman_lo: Option<f64>,
    /// Upper end of ρ's 95 % interval.
    pub spearman_hi: Option<f64>,
    /// Kendall τ-b.
    pub kendall_tau_b: Option<f64>,
    /// Cells sharing the top proxy score.
    pub pick_tied: usize,
    /// Best true rank among them.
    pub pick_best_rank: usize,
    /// Expected true rank (uniform tie-break).
    pub pick_expected_rank: f64,
    /// Worst true rank among them.
    pub pick_worst_rank: usize,
    /// Expected rank as a percentile of the population (100·rank/population; small = good).
    pub pick_expected_percentile: f64,
    /// Worst rank as a percentile.
    pub pick_worst_percentile: f64,
    /// Size of the top-1 % set.
    pub top1pct_size: usize,
    /// Expected number of top-1 % cells among the proxy's top 10.
    pub top1pct_in_top10: f64,
    /// Expected number of top-1 % cells among the proxy's top 100.
    pub top1pct_in_top100: f64,
}

/// Evaluates one proxy's scores (same order as `data.pop`) on a task.
///
/// ```
/// use sednas::eval::benchmark::{bench_row, TaskData, TASKS};
/// use sednas::eval::population::Population;
/// use sednas::arch::{AnyArch, SpaceKind};
/// let archs: Vec<AnyArch> = ["8:8:8:8:8", "8:8:8:8:16", "8:8:8:16:8", "8:8:16:8:8"]
///     .iter()
///     .map(|s| AnyArch::parse(SpaceKind::NatsSss, s).unwrap())
///     .collect();
/// let pop = Population::from_parts(archs, vec![90.0, 80.0, 70.0, 60.0]).unwrap();
/// let data = TaskData { task: TASKS[0], pop, ranks: vec![1, 2, 3, 4], peers: vec![] };
/// let r = bench_row(&data, "p", "computed", &[4.0, 3.0, 3.0, f64::NAN]);
/// assert_eq!((r.population, r.n, r.pick_tied, r.pick_best_rank), (4, 3, 1, 1));
/// // rank 1 of 4 is the 25th percentile; ⌈1 % of 4⌉ = 1 cell is the top 1 %
/// assert_eq!((r.pick_expected_percentile, r.top1pct_size), (25.0, 1));
/// assert_eq!(r.task, TASKS[0].name);
/// ```
pub fn bench_row(data: &TaskData, proxy: &str, source: &'static str, score: &[f64]) -> BenchRow {
    let acc = data.pop.acc();
    let keep: Vec<usize> = (0..score.len()).filter(|&i| !score[i].is_nan()).collect();
    let p: Vec<f64> = keep.iter().map(|&i| score[i]).collect();
    let a: Vec<f64> = keep.iter().map(|&i| acc[i]).collect();
    let r: Vec<usize> = keep.iter().map(|&i| data.ranks[i]).collect();
    let hit_all = top_percent(acc, 1.0);
    let hit: Vec<bool> = keep.iter().map(|&i| hit_all[i]).collect();
    let sel = tie_aware_selection(&p, &a, &r);
    let n_pop = acc.len() as f64;
    let ci = crate::eval::stats::spearman_test(&p, &a, 0.95);
    BenchRow {
        task: data.task.name.to_string(),
        half: data.task.half,
        proxy: proxy.to_string(),
        source,
        population: acc.len(),
        n: keep.len(),
        spearman: spearman(&p, &a),
        spearman_lo: ci.map(|e| e.lo),
        spearman_hi: ci.map(|e| e.hi),
        kendall_tau_b: kendall_tau_b(&p, &a),
        pick_tied: sel.map_or(0, |s| s.tied),
        pick_best_rank: sel.map_or(0, |s| s.best_rank),
        pick_expected_rank: sel.map_or(f64::NAN, |s| s.expected_rank),
        pick_worst_rank: sel.map_or(0, |s| s.worst_rank),
        pick_expected_percentile: sel.map_or(f64::NAN, |s| 100.0 * s.expected_rank / n_pop),
        pick_worst_percentile: sel.map_or(f64::NAN, |s| 100.0 * s.worst_rank as f64 / n_pop),
        top1pct_size: hit_all.iter().filter(|&&h| h).count(),
        top1pct_in_top10: expected_hits(&p, &hit, 10),
        top1pct_in_top100: expected_hits(&p, &hit, 100),
    }
}

/// Scores a slice of architectures, one value per architecture, in order.
pub type ScoreFn<'a> = Box<dyn Fn(&[AnyArch]) -> Vec<f64> + Sync + 'a>;

/// A proxy that sednas computes from the topology alone: scores a slice of architectures
/// (reusing its own scratch space across them).
pub struct Computed<'a> {
    /// Name in the table (the registry entry's label).
    pub name: String,
    /// The registry entry.
    pub entry: &'static crate::proxy::Entry,
    /// The scorer.
    pub score: ScoreFn<'a>,
}

/// The order of the benchmark table's first rows (registry names); the registry's other
/// topology proxies follow in registry order.
pub const TABLE_ORDER: [&str; 4] = ["ledp", "led-flow", "sed", "params"];

/// The proxies sednas computes from the topology, as `sednas benchmark` lists them: every
/// topology entry of the registry ([`crate::proxy::REGISTRY`]) under default settings,
/// [`TABLE_ORDER`] first: LEDp (constants per space,
/// [`crate::sed::ledp::LedpConfig::for_space`]), LED-flow, SED (the default reading) and
/// the benchmark network's parameter count. A proxy scores NaN on a space it is not
/// defined for.
///
/// # Errors
/// A registry entry that fails to build under default settings.
///
/// ```
/// let p = sednas::eval::benchmark::standard_proxies().unwrap();
/// let names: Vec<&str> = p.iter().map(|c| c.name.as_str()).collect();
/// assert_eq!(names, ["ledp", "led-flow", "sed", "#params", "sed-validated", "sed-measured"]);
/// ```
pub fn standard_proxies() -> Result<Vec<Computed<'static>>> {
    use crate::proxy::{Settings, find, topology};
    let mut entries: Vec<&'static crate::proxy::Entry> =
        TABLE_ORDER.iter().map(|n| find(n)).collect::<Result<_>>()?;
    for e in topology() {
        if !entries.iter().any(|x| x.name == e.name) {
            entries.push(e);
        }
    }
    let space_of = |a: &AnyArch| a.kind();
    let mut out = Vec::new();
    for entry in entries {
        // built per space up front, so that a setting error shows here and not per task
        let mut built = Vec::new();
        for &space in crate::proxy::ALL_SPACES {
            if entry.supports(space) {
                built.push((space, entry.build(&Settings::default(), space)?));
            }
        }
        out.push(Computed {
            name: entry.label.to_string(),
            entry,
            score: Box::new(move |archs: &[AnyArch]| {
                let Some(first) = archs.first() else {
                    return vec![];
                };
                match built.iter().find(|(s, _)| *s == space_of(first)) {
                    Some((_, p)) => p.score_batch(archs),
                    None => vec![f64::NAN; archs.len()],
                }
            }),
        });
    }
    Ok(out)
}

/// Everything one benchmark run produced.
pub struct BenchRun {
    /// The tasks as loaded.
    pub tasks: Vec<TaskData>,
    /// One row per (task, proxy): computed proxies first, then peers.
    pub rows: Vec<BenchRow>,
    /// Scores of each computed proxy per task (`scores[task][proxy]`).
    pub scores: Vec<Vec<Vec<f64>>>,
    /// Seconds spent scoring and cells scored, per (computed proxy, space), summed over
    /// that space's tasks (architectures already parsed; one core).
    pub timing: Vec<(String, SpaceKind, f64, usize)>,
    /// Measured gains: (task, proxy, baseline, ρ(proxy) − ρ(baseline), 95 % paired-bootstrap
    /// interval lo, hi, cells) on the cells a measured run covers (1,000 resamples, seed 0).
    pub gains: Vec<(String, String, String, f64, f64, f64, usize)>,
}

/// Runs the protocol: every task of `halves`, every computed proxy and (if `peers`) every
/// peer column present in the data.
///
/// # Errors
/// As [`load_task`] for each task; the scorers' errors.
///
/// ```
/// use sednas::eval::benchmark::{run, Half};
/// // with no task selected nothing is read
/// let r = run(std::path::Path::new("no-such-dir"), &[], false, &[]).unwrap();
/// assert_eq!((r.tasks.len(), r.rows.len()), (0, 0));
/// let r = run(std::path::Path::new("no-such-dir"), &[], false, &[Half::Report]);
/// assert!(matches!(r, Err(sednas::error::Error::Io { .. })));
/// ```
pub fn run(
    data_dir: &Path,
    proxies: &[Computed<'_>],
    peers: bool,
    halves: &[Half],
) -> Result<BenchRun> {
    run_with(data_dir, proxies, peers, halves, &[])
}

/// A `sednas measure` run file whose summaries join the tasks of its space
/// (`sednas benchmark --measured SPACE=FILE`): rows `neg_zero_mean` and, when the run has
/// led-m's configuration, `led-m` (LEDp + 32·neg_zero_mean, [`crate::sed::ledm`]), scored on
/// the cells the file covers (n).
#[derive(Debug, Clone)]
pub struct MeasuredRun {
    /// Its space.
    pub space: SpaceKind,
    /// The run file.
    pub path: std::path::PathBuf,
    /// Its architecture columns.
    pub cols: ArchColumns,
    /// Whether it was measured under led-m's configuration (checked by the caller).
    pub led_m: bool,
}

/// [`run`] with measured run files joined (at most one per space).
///
/// # Errors
/// As [`run`]; a run file that cannot be read or joined (named); [`Error::InvalidParameter`]
/// (`--measured`) for two files of one space, naming both.
pub fn run_with(
    data_dir: &Path,
    proxies: &[Computed<'_>],
    peers: bool,
    halves: &[Half],
    measured: &[MeasuredRun],
) -> Result<BenchRun> {
    for (i, m) in measured.iter().enumerate() {
        if measured[..i].iter().any(|x| x.space == m.space) {
            let first = measured[..i].iter().find(|x| x.space == m.space);
            return Err(Error::param(
                "--measured",
                format!(
                    "two run files for {}: {} and {}",
                    m.space,
                    first
                        .map(|x| x.path.display().to_string())
                        .unwrap_or_default(),
                    m.path.display()
                ),
            ));
        }
    }
    let mut out = BenchRun {
        tasks: vec![],
        rows: vec![],
        scores: vec![],
        timing: vec![],
        gains: vec![],
    };
    for task in TASKS.iter().filter(|t| halves.contains(&t.half)) {
        let mut data = load_task(data_dir, task)?;
        let mut sc = Vec::new();
        for p in proxies {
            let t = std::time::Instant::now();
            let s = (p.score)(data.pop.archs());
            let dt = t.elapsed().as_secs_f64();
            match out
                .timing
                .iter_mut()
                .find(|x| x.0 == p.name && x.1 == task.space)
            {
                Some(x) => {
                    x.2 += dt;
                    x.3 += s.len();
                }
                None => out.timing.push((p.name.clone(), task.space, dt, s.len())),
            }
            out.rows.push(bench_row(&data, &p.name, "computed", &s));
            sc.push(s);
        }
        if peers {
            for c in &data.peers {
                out.rows
                    .push(bench_row(&data, c, "peer", &data.pop.cols()[c.as_str()]));
            }
        }
        for m in measured.iter().filter(|m| m.space == task.space) {
            let col = crate::sed::ledm::SUMMARY;
            data.pop
                .join(&m.path, m.space, &m.cols, &[col.to_string()], &[])?;
            let mut v = data.pop.col(col).map(|c| c.to_vec()).unwrap_or_default();
            // one rule for measured rows: disconnected NB201 cells (all-zero maps) are left
            // out of them, counted in the task's notes
            let mut cut = 0;
            for (x, a) in v.iter_mut().zip(data.pop.archs()) {
                if matches!(a, AnyArch::Nb201(c) if !c.is_connected()) && !x.is_nan() {
                    *x = f64::NAN;
                    cut += 1;
                }
            }
            if cut > 0 {
                data.pop.note(format!(
                    "{cut} disconnected cells left out of the measured rows"
                ));
            }
            out.rows.push(bench_row(&data, col, "measured", &v));
            if m.led_m {
                let ledp = crate::proxy::ledp::ENTRY
                    .build(&crate::proxy::Settings::default(), m.space)?
                    .score_batch(data.pop.archs());
                let lm = ledp
                    .iter()
                    .zip(&v)
                    .map(|(&l, &s)| {
                        if s.is_nan() {
                            Ok(f64::NAN) // a cell the run does not cover
                        } else {
                            crate::sed::ledm::combine(l, s)
                        }
                    })
                    .collect::<Result<Vec<f64>>>()?;
                out.rows.push(bench_row(
                    &data,
                    crate::proxy::led_m::ENTRY.label,
                    "measured",
                    &lm,
                ));
                let covered: Vec<f64> = ledp
                    .iter()
                    .zip(&v)
                    .map(|(&l, s)| if s.is_nan() { f64::NAN } else { l })
                    .collect();
                if let Some((d, lo, hi, n)) = crate::eval::stats::paired_spearman_diff(
                    &lm,
                    &covered,
                    data.pop.acc(),
                    1000,
                    0.95,
                    0,
                ) {
                    out.gains.push((
                        task.name.to_string(),
                        crate::proxy::led_m::ENTRY.label.into(),
                        crate::proxy::ledp::ENTRY.label.into(),
                        d,
                        lo,
                        hi,
                        n,
                    ));
                }
            }
        }
        out.scores.push(sc);
        out.tasks.push(data);
    }
    Ok(out)
}

/// Named structural features of one architecture, for the top-end analysis.
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// let a = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|").unwrap();
/// let f = sednas::eval::benchmark::features(&a);
/// assert_eq!(f[0], ("conv3x3", 3.0));
/// ```
pub fn features(a: &AnyArch) -> Vec<(&'static str, f64)> {
    use crate::arch::darts::DartsOp;
    use crate::arch::nb101::Nb101Op;
    use crate::arch::nb201::Nb201Op;
    let params = ("params_M", a.params().map_or(f64::NAN, |p| p as f64 / 1e6));
    let (_, dmin) = crate::sed::ledp::Ledp::structure(a).unwrap_or((f64::NAN, f64::NAN));
    let dmin = ("d_min", dmin);
    let mut f = match a {
        AnyArch::Nb201(x) => {
            let c = |o: Nb201Op| x.ops().iter().filter(|&&y| y == o).count() as f64;
            vec![
                ("conv3x3", c(Nb201Op::Conv3x3)),
                ("conv1x1", c(Nb201Op::Conv1x1)),
                ("avgpool", c(Nb201Op::AvgPool3x3)),
                ("skip", c(Nb201Op::Skip)),
                ("none", c(Nb201Op::None)),
                params,
            ]
        }
        AnyArch::Nb101(x) => {
            let ops = x.pruned_ops();
            let c = |o: Nb101Op| ops.iter().filter(|&&y| y == o).count() as f64;
            vec![
                ("vertices", ops.len() as f64),
                ("conv3x3", c(Nb101Op::Conv3x3)),
                ("conv1x1", c(Nb101Op::Conv1x1)),
                ("maxpool", c(Nb101Op::MaxPool3x3)),
                params,
            ]
        }
        AnyArch::Darts(g) => {
            let c = |cell: &crate::arch::darts::DartsCell, f: &dyn Fn(DartsOp) -> bool| {
                cell.edges.iter().filter(|(o, _)| f(*o)).count() as f64
            };
            let sep = |o: DartsOp| matches!(o, DartsOp::SepConv3x3 | DartsOp::SepConv5x5);
            let dil = |o: DartsOp| matches!(o, DartsOp::DilConv3x3 | DartsOp::DilConv5x5);
            let pool = |o: DartsOp| matches!(o, DartsOp::MaxPool3x3 | DartsOp::AvgPool3x3);
            let skip = |o: DartsOp| o == DartsOp::Skip;
            vec![
                ("normal_sep", c(&g.normal, &sep)),
                ("normal_dil", c(&g.normal, &dil)),
                ("normal_pool", c(&g.normal, &pool)),
                ("normal_skip", c(&g.normal, &skip)),
                ("reduce_sep", c(&g.reduce, &sep)),
                ("reduce_pool", c(&g.reduce, &pool)),
                params,
            ]
        }
        AnyArch::NatsSss(_) => vec![params],
    };
    f.push(dmin);
    f
}

/// The proxy's top 1 % on a task, against the benchmark's.
#[derive(Debug, Clone, Serialize)]
pub struct TopEnd {
    /// Task name.
    pub task: String,
    /// Proxy name.
    pub proxy: String,
    /// Cells in the proxy's top 1 % (⌈n/100⌉, plus cells tied with the last one).
    pub size: usize,
    /// Mean true percentile of those cells (50 = no better than random).
    pub mean_true_percentile: f64,
    /// Fraction of them in the true top 10 %.
    pub in_true_top10pct: f64,
    /// Feature means over finite values: (name, proxy's top 1 %, whole population, true top 1 %).
    pub features: Vec<(String, f64, f64, f64)>,
    /// The cells: (proxy score, true rank, accuracy, architecture), best score first.
    pub cells: Vec<(f64, usize, f64, String)>,
}

/// Top-end analysis of one proxy on one task.
///
/// # Errors
/// [`Error::Shape`] when the scores, ranks, accuracies or keys are not one per
/// architecture.
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::eval::benchmark::{top_end, TaskData, TASKS};
/// use sednas::eval::population::Population;
/// let cells = [
///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
///     "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|",
///     "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|nor_conv_1x1~2|",
/// ];
/// let archs: Vec<AnyArch> = cells.iter().map(|s| AnyArch::parse(SpaceKind::Nb201, s).unwrap()).collect();
/// let pop = Population::from_parts(archs, vec![90.0, 10.0, 50.0]).unwrap();
/// let data = TaskData { task: TASKS[0], pop, ranks: vec![1, 3, 2], peers: vec![] };
/// let t = top_end(&data, "p", &[3.0, 1.0, 2.0]).unwrap();
/// // a score per cell is required
/// assert!(top_end(&data, "p", &[3.0]).is_err());
/// // ⌈3/100⌉ = 1 cell: the first, true rank 1 of 3
/// assert_eq!((t.size, t.mean_true_percentile, t.in_true_top10pct), (1, 100.0 / 3.0, 0.0));
/// assert_eq!(t.cells[0], (3.0, 1, 90.0, cells[0].to_string()));
/// ```
pub fn top_end(data: &TaskData, proxy: &str, score: &[f64]) -> Result<TopEnd> {
    let n = data.pop.len();
    let lens = [
        ("scores", score.len()),
        ("ranks", data.ranks.len()),
        ("accuracies", data.pop.acc().len()),
        ("keys", data.pop.keys().len()),
    ];
    if let Some((what, len)) = lens.iter().find(|(_, l)| *l != n) {
        return Err(Error::Shape(format!(
            "{len} {what} for a population of {n} architectures"
        )));
    }
    let mut idx: Vec<usize> = (0..n).filter(|&i| !score[i].is_nan()).collect();
    idx.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let k = n.div_ceil(100).min(idx.len());
    let cut = if k > 0 { score[idx[k - 1]] } else { f64::NAN };
    let top: Vec<usize> = idx.iter().copied().filter(|&i| score[i] >= cut).collect();
    let pct = |i: usize| 100.0 * data.ranks[i] as f64 / n as f64;
    let feats: Vec<Vec<(&'static str, f64)>> = data.pop.archs().iter().map(features).collect();
    let truth_top = top_percent(data.pop.acc(), 1.0);
    let mean_over = |set: &mut dyn Iterator<Item = usize>, f: usize| {
        let (mut s, mut c) = (0.0, 0usize);
        for i in set {
            // finite values only (d_min is ∞ for a cell whose output is cut off)
            if feats[i][f].1.is_finite() {
                s += feats[i][f].1;
                c += 1;
            }
        }
        if c == 0 { f64::NAN } else { s / c as f64 }
    };
    let nf = feats.first().map_or(0, |f| f.len());
    let features = (0..nf)
        .map(|f| {
            (
                feats[0][f].0.to_string(),
                mean_over(&mut top.iter().copied(), f),
                mean_over(&mut (0..n), f),
                mean_over(&mut (0..n).filter(|&i| truth_top[i]), f),
            )
        })
        .collect();
    Ok(TopEnd {
        task: data.task.name.to_string(),
        proxy: proxy.to_string(),
        size: top.len(),
        mean_true_percentile: top.iter().map(|&i| pct(i)).sum::<f64>() / top.len().max(1) as f64,
        in_true_top10pct: top.iter().filter(|&&i| pct(i) <= 10.0).count() as f64
            / top.len().max(1) as f64,
        features,
        cells: top
            .iter()
            .map(|&i| {
                (
                    score[i],
                    data.ranks[i],
                    data.pop.acc()[i],
                    data.pop.keys()[i].clone(),
                )
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Edge cases of expected_hits: NaN scores are never picked; k past the valid count
    // takes every valid item; all tied spreads k over the tie set.
    #[test]
    fn expected_hits_edges() {
        let nan = f64::NAN;
        assert_eq!(expected_hits(&[nan, 1.0], &[true, false], 1), 0.0);
        assert_eq!(expected_hits(&[nan, 1.0], &[true, true], 5), 1.0);
        assert_eq!(
            expected_hits(&[1.0; 4], &[true, false, false, false], 2),
            0.5
        );
        assert_eq!(expected_hits(&[], &[], 3), 0.0);
    }

    #[test]
    fn halves_are_balanced_on_structured_keys() {
        // NB201 strings differ in few bytes; the top bit must still split them about evenly
        let design = crate::arch::nb201::enumerate(4)
            .unwrap()
            .filter(|a| half_of(&a.to_string()) == Half::Design)
            .count();
        assert!((7_300..8_300).contains(&design), "{design}");
    }

    // Edge case: a task whose peer file is missing still runs, and says that its peer rows
    // are missing (it used to drop them silently).
    #[test]
    fn missing_peer_file_is_reported() {
        let dir = std::env::temp_dir().join(format!("sednas-peers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let task = TASKS[0];
        let mut text = format!("arch_str,{}\n", task.acc_col);
        for (i, a) in crate::arch::nb201::enumerate(4)
            .unwrap()
            .take(20)
            .enumerate()
        {
            text.push_str(&format!("{a},{}\n", 50.0 + i as f64));
        }
        std::fs::write(dir.join(task.file), text).unwrap();
        let d = load_task(&dir, &task).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(d.peers.is_empty());
        assert!(
            d.pop
                .excluded()
                .iter()
                .any(|e| e.contains("peer file") && e.contains("not found")),
            "{:?}",
            d.pop.excluded()
        );
    }

    #[test]
    fn top_percent_keeps_ties() {
        let t = top_percent(&[5.0, 5.0, 1.0, f64::NAN], 1.0);
        assert_eq!(t, vec![true, true, false, false]);
    }
}
