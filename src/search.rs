//! SED-driven search: random sampling and regularised evolution (Real et al. 2019) with
//! SED as the fitness, over NB201 (and the generalised cell), NB101 and DARTS. The best SED
//! wins; when several evaluated architectures share it, all of them are returned.

use std::collections::HashMap;

use crate::arch::nb201::{Nb201Arch, space_size};
use crate::arch::space::SearchSpace;
use crate::arch::{AnyArch, SpaceKind};
use crate::error::{Error, Result};
use crate::proxy::{Proxy, Scratch};
use crate::rng::SplitMix64;

/// Search strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Independent uniform samples.
    Random,
    /// Regularised (aging) evolution.
    Evolution,
}

/// Search settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SearchConfig {
    /// Space to search.
    pub space: SpaceKind,
    /// NB201 cell nodes (4 = the benchmark).
    pub nodes: usize,
    /// Architectures evaluated in total.
    pub samples: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Strategy.
    pub strategy: Strategy,
    /// Evolution: population size.
    pub population: usize,
    /// Evolution: tournament size.
    pub tournament: usize,
}

/// The most evaluations one search may run: every distinct architecture is kept (with its
/// score) to report ties and skip re-scoring, about 0.8 kB per DARTS genotype, so 10⁶ DARTS
/// genotypes hold about 0.8 GB (10⁷ peaked at 7.9 GB).
pub const MAX_SAMPLES: usize = 1_000_000;

/// Search settings that have been checked ([`Search::new`], or `TryFrom<SearchConfig>`):
/// at least one and at most [`MAX_SAMPLES`] evaluations; for evolution, population ≥ 2
/// and 1 ≤ tournament ≤ population; a node count with a finite NB201 space (2..=7 nodes:
/// 5^(n(n−1)/2) cells must fit in a u64), and the default 4 nodes for the other spaces,
/// which have no node setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    cfg: SearchConfig,
}

impl TryFrom<SearchConfig> for Search {
    type Error = Error;
    fn try_from(cfg: SearchConfig) -> Result<Self> {
        Search::new(cfg)
    }
}

impl Search {
    /// Checks `cfg` before any work; each error names the setting.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting: `samples` 0, `population/tournament`
    /// outside population ≥ 2 and 1 ≤ tournament ≤ population (evolution), `nodes` outside
    /// 2..=7 (NB201) or other than 4 (the other spaces); [`Error::TooLarge`] for more than
    /// the sample limit.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::error::Error;
    /// use sednas::search::{Search, SearchConfig, Strategy};
    /// let cfg = SearchConfig {
    ///     space: SpaceKind::Nb201, nodes: 4, samples: 100, seed: 0,
    ///     strategy: Strategy::Evolution, population: 10, tournament: 3,
    /// };
    /// assert_eq!(Search::new(cfg).unwrap().config(), &cfg);
    /// let bad = |c: SearchConfig| match Search::new(c) {
    ///     Err(Error::InvalidParameter { name, .. }) => name,
    ///     other => panic!("{other:?}"),
    /// };
    /// assert_eq!(bad(SearchConfig { samples: 0, ..cfg }), "samples");
    /// assert!(matches!(Search::new(SearchConfig { samples: usize::MAX, ..cfg }), Err(Error::TooLarge { .. })));
    /// assert_eq!(bad(SearchConfig { tournament: 11, ..cfg }), "population/tournament");
    /// assert_eq!(bad(SearchConfig { nodes: 9, ..cfg }), "nodes");
    /// assert_eq!(bad(SearchConfig { space: SpaceKind::Darts, nodes: 5, ..cfg }), "nodes");
    /// ```
    pub fn new(cfg: SearchConfig) -> Result<Self> {
        if cfg.samples == 0 {
            return Err(Error::param("samples", "must be at least 1, got 0"));
        }
        if cfg.samples > MAX_SAMPLES {
            return Err(Error::TooLarge {
                what: "search samples",
                requested: cfg.samples as u128,
                limit: MAX_SAMPLES as u128,
            });
        }
        if cfg.strategy == Strategy::Evolution
            && (cfg.population < 2 || cfg.tournament < 1 || cfg.tournament > cfg.population)
        {
            return Err(Error::param(
                "population/tournament",
                format!(
                    "needs population ≥ 2 and 1 ≤ tournament ≤ population, got population {} and tournament {}",
                    cfg.population, cfg.tournament
                ),
            ));
        }
        if cfg.space == SpaceKind::Nb201 {
            // the one rule for a countable NB201 space (2..=7 nodes)
            space_size(cfg.nodes)?;
        } else if cfg.nodes != 4 {
            return Err(Error::param(
                "nodes",
                format!(
                    "the node count applies to nb201 only (the {} cell is fixed), got {}",
                    cfg.space, cfg.nodes
                ),
            ));
        }
        Ok(Search { cfg })
    }

    /// The checked settings.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::search::{Search, SearchConfig, Strategy};
    /// let cfg = SearchConfig {
    ///     space: SpaceKind::Nb101, nodes: 4, samples: 5, seed: 1,
    ///     strategy: Strategy::Random, population: 0, tournament: 0,
    /// };
    /// assert_eq!(Search::try_from(cfg).unwrap().config().samples, 5);
    /// ```
    pub fn config(&self) -> &SearchConfig {
        &self.cfg
    }

    /// Runs the search; `progress` is called with the number of evaluations so far.
    ///
    /// # Errors
    /// None for settings [`Search::new`] accepted; the sampler's errors are kept as a guard
    /// (see [`sample`]).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::search::{Search, SearchConfig, Strategy};
    /// use sednas::sed::{Sed, SedConfig};
    /// let cfg = SearchConfig {
    ///     space: SpaceKind::Nb201, nodes: 2, samples: 100, seed: 7,
    ///     strategy: Strategy::Random, population: 0, tournament: 0,
    /// };
    /// let r = Search::new(cfg).unwrap().run(&Sed::new(SedConfig::default()).unwrap(), |_| {}).unwrap();
    /// assert_eq!(r.distinct_evaluated, 5);
    /// ```
    pub fn run(&self, proxy: &dyn Proxy, progress: impl FnMut(usize)) -> Result<SearchResult> {
        run_checked(proxy, &self.cfg, progress)
    }
}

/// The result: every evaluated architecture sharing the best SED.
#[derive(Debug, Clone)]
pub struct SearchResult {
    /// The best SED seen.
    pub best_score: f64,
    /// The distinct architectures with that score.
    pub best: Vec<AnyArch>,
    /// Distinct architectures evaluated.
    pub distinct_evaluated: usize,
}

/// A uniformly random architecture of the configured space.
///
/// NATS-SSS takes one draw below 8⁵ as the official index.
///
/// # Errors
/// [`Error::InvalidParameter`] (`nodes`) for an NB201 node count outside 2..=7; the space's
/// own sampler's errors.
///
/// ```
/// use sednas::arch::nats_sss::SssArch;
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::rng::SplitMix64;
/// use sednas::search::{sample, SearchConfig, Strategy};
/// let cfg = SearchConfig {
///     space: SpaceKind::NatsSss,
///     nodes: 4,
///     samples: 1,
///     seed: 7,
///     strategy: Strategy::Random,
///     population: 2,
///     tournament: 1,
/// };
/// let a = sample(&cfg, &mut SplitMix64::new(7)).unwrap();
/// let index = SplitMix64::new(7).below(32_768) as usize;
/// assert_eq!(a, AnyArch::NatsSss(SssArch::from_index(index).unwrap()));
/// assert_eq!(a.to_string(), "8:56:64:24:64");
/// ```
pub fn sample(cfg: &SearchConfig, r: &mut SplitMix64) -> Result<AnyArch> {
    if cfg.space == SpaceKind::Nb201 {
        // the generalised cell: any node count (the trait's NB201 is the 4-node benchmark)
        return Ok(AnyArch::Nb201(Nb201Arch::from_code(
            cfg.nodes,
            r.below(space_size(cfg.nodes)?),
        )?));
    }
    crate::for_each_space!(cfg.space, S => Ok(S::wrap(S::sample(r)?)))
}

/// One random local change.
///
/// An NB201 cell changes exactly one edge to a different operation.
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::rng::SplitMix64;
/// use sednas::search::mutate;
/// let a = AnyArch::parse(
///     SpaceKind::Nb201,
///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",
/// )
/// .unwrap();
/// let b = mutate(&a, &mut SplitMix64::new(7));
/// let (AnyArch::Nb201(x), AnyArch::Nb201(y)) = (&a, &b) else { unreachable!() };
/// assert_eq!(x.ops().iter().zip(y.ops()).filter(|(p, q)| p != q).count(), 1);
/// assert_eq!(b.to_string(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|nor_conv_1x1~2|");
/// ```
pub fn mutate(a: &AnyArch, r: &mut SplitMix64) -> AnyArch {
    crate::for_each_space!(a, S, x => S::wrap(S::mutate(x, r)))
}

/// Checks `cfg` ([`Search::new`]) and runs the search; `progress` is called with the
/// number of evaluations so far.
///
/// The 2-node NB201 cell has one edge, so its space holds 5 cells; 100 random samples visit
/// all of them and the search returns the exhaustive optimum.
///
/// # Errors
/// As [`Search::new`] and [`Search::run`].
///
/// ```
/// use sednas::arch::{AnyArch, Census, SpaceKind};
/// use sednas::arch::nb201::enumerate;
/// use sednas::error::Error;
/// use sednas::search::{search, SearchConfig, Strategy};
/// use sednas::sed::{Sed, SedConfig};
/// let sed = Sed::new(SedConfig::default()).unwrap();
/// let cfg = SearchConfig {
///     space: SpaceKind::Nb201,
///     nodes: 2,
///     samples: 100,
///     seed: 7,
///     strategy: Strategy::Random,
///     population: 10,
///     tournament: 3,
/// };
/// let r = search(&sed, &cfg, |_| {}).unwrap();
/// assert_eq!(r.distinct_evaluated, 5);
/// let mut scratch = Census::default();
/// let best = enumerate(2)
///     .unwrap()
///     .map(|a| sed.score(&AnyArch::Nb201(a), &mut scratch))
///     .fold(f64::NEG_INFINITY, f64::max);
/// assert_eq!(r.best_score, best);
/// assert_eq!(r.best.iter().map(|a| a.to_string()).collect::<Vec<_>>(), ["|nor_conv_3x3~0|"]);
/// let none = SearchConfig { samples: 0, ..cfg };
/// assert!(matches!(search(&sed, &none, |_| {}), Err(Error::InvalidParameter { name: "samples", .. })));
/// ```
pub fn search(
    proxy: &dyn Proxy,
    cfg: &SearchConfig,
    progress: impl FnMut(usize),
) -> Result<SearchResult> {
    Search::new(*cfg)?.run(proxy, progress)
}

/// The search itself, on settings [`Search::new`] accepted.
fn run_checked(
    proxy: &dyn Proxy,
    cfg: &SearchConfig,
    mut progress: impl FnMut(usize),
) -> Result<SearchResult> {
    let mut r = SplitMix64::new(cfg.seed);
    let mut scratch = Scratch::default();
    let mut seen: HashMap<String, f64> = HashMap::new();
    let mut best = f64::NEG_INFINITY;
    let mut best_set: Vec<AnyArch> = Vec::new();
    let mut eval = |a: &AnyArch, seen: &mut HashMap<String, f64>| -> f64 {
        let key = a.to_string();
        if let Some(&s) = seen.get(&key) {
            return s;
        }
        let s = proxy.score(a, &mut scratch);
        seen.insert(key, s);
        if s > best {
            best = s;
            best_set.clear();
        }
        if s == best {
            best_set.push(a.clone());
        }
        s
    };
    match cfg.strategy {
        Strategy::Random => {
            for k in 0..cfg.samples {
                let a = sample(cfg, &mut r)?;
                eval(&a, &mut seen);
                progress(k + 1);
            }
        }
        Strategy::Evolution => {
            let mut pop: std::collections::VecDeque<(AnyArch, f64)> = Default::default();
            let init = cfg.population.min(cfg.samples);
            for k in 0..init {
                let a = sample(cfg, &mut r)?;
                let s = eval(&a, &mut seen);
                pop.push_back((a, s));
                progress(k + 1);
            }
            for k in init..cfg.samples {
                let mut parent = r.below(pop.len() as u64) as usize;
                for _ in 1..cfg.tournament {
                    let c = r.below(pop.len() as u64) as usize;
                    if pop[c].1 > pop[parent].1 {
                        parent = c;
                    }
                }
                let child = mutate(&pop[parent].0, &mut r);
                let s = eval(&child, &mut seen);
                pop.push_back((child, s));
                pop.pop_front();
                progress(k + 1);
            }
        }
    }
    Ok(SearchResult {
        best_score: best,
        best: best_set,
        distinct_evaluated: seen.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sed::{Sed, SedConfig};

    fn cfg(space: SpaceKind, strategy: Strategy) -> SearchConfig {
        SearchConfig {
            space,
            nodes: 4,
            samples: 300,
            seed: 3,
            strategy,
            population: 20,
            tournament: 5,
        }
    }

    #[test]
    fn deterministic_and_finds_ties() {
        let sed = Sed::new(SedConfig::default()).unwrap();
        for space in [SpaceKind::Nb201, SpaceKind::Nb101, SpaceKind::Darts] {
            for st in [Strategy::Random, Strategy::Evolution] {
                let a = search(&sed, &cfg(space, st), |_| {}).unwrap();
                let b = search(&sed, &cfg(space, st), |_| {}).unwrap();
                assert_eq!(a.best_score, b.best_score);
                assert_eq!(a.best, b.best);
                assert!(!a.best.is_empty());
            }
        }
    }

    // Every sampled or mutated architecture of every space prints to text that its parser
    // accepts and reads back to the same architecture (a DARTS mutation used to be able to
    // feed a node twice from one input, which the parser then refused).
    #[test]
    fn samples_and_mutations_round_trip() {
        let mut r = SplitMix64::new(5);
        for space in [
            SpaceKind::Nb201,
            SpaceKind::NatsSss,
            SpaceKind::Nb101,
            SpaceKind::Darts,
        ] {
            let mut a = sample(&cfg(space, Strategy::Random), &mut r).unwrap();
            for _ in 0..2000 {
                let back = AnyArch::parse(space, &a.to_string());
                assert_eq!(back.as_ref().ok(), Some(&a), "{a}: {back:?}");
                a = mutate(&a, &mut r);
            }
        }
    }

    // Evolution on NB201 reaches the global SED optimum (59.46, shared by 6 cells) quickly.
    #[test]
    fn evolution_reaches_nb201_optimum() {
        let sed = Sed::new(SedConfig::default()).unwrap();
        let r = search(
            &sed,
            &SearchConfig {
                samples: 2000,
                ..cfg(SpaceKind::Nb201, Strategy::Evolution)
            },
            |_| {},
        )
        .unwrap();
        assert!(
            (r.best_score - 59.46265455308951).abs() < 1e-9,
            "{}",
            r.best_score
        );
    }
}
