//! The proxies sednas knows, in one registry: every front-end (`sednas score`, `eval`,
//! `benchmark`, `search`, `enumerate` and the Python `sednas.score`) looks a proxy up here
//! by name, so a name means the same scorer everywhere.
//!
//! A proxy is an [`Entry`] (its name, direction, what it needs, the spaces it is defined
//! for, and how to build it from [`Settings`]) and, for proxies computed from the topology,
//! a [`Proxy`] implementation that scores typed architectures. Every proxy here is
//! **higher = better** ([`Direction::HigherIsBetter`]): rankings, selections and
//! correlations read a larger score as a better predicted accuracy.
//!
//! | name | needs | file |
//! |---|---|---|
//! | `sed` | topology | [`sed`] |
//! | `led-flow` | topology | [`led_flow`] |
//! | `ledp` | topology | [`ledp`] |
//! | `params` (`#params` in the benchmark table) | topology | [`params`] |
//! | `sed-validated` | topology | [`sed_validated`] |
//! | `sed-measured` | topology (factors measured once) | [`sed_measured`] |
//! | the measured-entropy summaries (`h1_last_minus_stem`, …) | a network forward | [`measured`] |
//! | `led-m` (LEDp + 32·neg_zero_mean) | a network forward | [`led_m`] |
//!
//! Adding a proxy: one file here with its `impl Proxy` and its `pub const ENTRY: Entry`,
//! and one line in [`REGISTRY`] (plus its `mod` line). README, "Adding a proxy".

pub mod enumerate;
pub mod led_flow;
pub mod led_m;
pub mod ledp;
pub mod measured;
pub mod params;
pub mod sed;
pub mod sed_measured;
pub mod sed_validated;
pub mod stream;

use crate::arch::graph::CellGraph;
use crate::arch::{AnyArch, Census, SpaceKind};
use crate::error::{Error, Result};
use crate::sed::SedConfig;

/// The registry: every proxy sednas knows, topology proxies first (in the order `sednas
/// score --help` and the "expected …" of an unknown name list them).
pub const REGISTRY: &[Entry] = &[
    sed::ENTRY,
    led_flow::ENTRY,
    ledp::ENTRY,
    params::ENTRY,
    sed_validated::ENTRY,
    sed_measured::ENTRY,
    measured::H1_LAST_MINUS_STEM,
    measured::H1_NEG_MAX_DROP,
    measured::H1_MIN,
    measured::H2_LAST_MINUS_STEM,
    measured::NEG_ZERO_LAST,
    measured::NEG_ZERO_MEAN,
    led_m::ENTRY,
];

/// Which way a proxy's scores point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// A larger score predicts a more accurate network (every proxy of the registry).
    HigherIsBetter,
}

/// What a proxy needs to score an architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// The typed architecture alone (scored here, in microseconds).
    Topology,
    /// A forward pass of the space's network on an input batch (`sednas measure` writes
    /// these as CSV columns; `eval` reads them with `--join`).
    Network,
}

/// The settings a proxy is built with; front-ends fill them from their flags or keywords.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// SED's switches and the network size of the census (LED-flow and LEDp read the network
    /// size too).
    pub sed: SedConfig,
    /// LED-flow's skip gain (LEDp's too).
    pub led_skip_gain: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sed: SedConfig::default(),
            led_skip_gain: crate::sed::ledflow::LedFlowConfig::default().skip_gain,
        }
    }
}

/// Scratch space a proxy reuses between architectures (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    /// The op census (SED).
    pub census: Census,
    /// The cell graphs (LED-flow, LEDp).
    pub graphs: Vec<CellGraph>,
}

/// A proxy computed from the topology: scores typed architectures.
pub trait Proxy: Send + Sync + std::fmt::Debug {
    /// The registry entry it was built from (name, direction, needs, spaces).
    fn entry(&self) -> &'static Entry;

    /// The score of `arch` (NaN where the proxy has no value for it). Higher = better.
    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64;

    /// The registry name.
    fn name(&self) -> &'static str {
        self.entry().name
    }

    /// Scores of `archs`, in order (one scratch space for the whole slice).
    fn score_batch(&self, archs: &[AnyArch]) -> Vec<f64> {
        let mut s = Scratch::default();
        archs.iter().map(|a| self.score(a, &mut s)).collect()
    }
}

/// A proxy built for one space.
pub type Built = Box<dyn Proxy>;

/// One proxy of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The name every front-end accepts and prints (`sednas score --proxy NAME`).
    pub name: &'static str,
    /// Other spellings accepted for it (older names).
    pub aliases: &'static [&'static str],
    /// The CSV column `sednas score` writes (an identifier: `led_flow` for `led-flow`).
    pub column: &'static str,
    /// The row label of the benchmark table.
    pub label: &'static str,
    /// Which way its scores point.
    pub direction: Direction,
    /// What it needs.
    pub needs: Needs,
    /// The spaces it is defined for.
    pub spaces: &'static [SpaceKind],
    /// Why it is not defined for the other spaces.
    pub unsupported: &'static str,
    /// Scores each benchmark's own network: network sizes given in [`Settings`] do not apply.
    pub fixed_network: bool,
    /// One line on what it computes.
    pub about: &'static str,
    /// Builds it (`None` for proxies that need a network forward: they are read, not built).
    pub build: Option<fn(&Settings, SpaceKind) -> Result<Built>>,
}

/// Every space sednas knows (for entries defined everywhere).
pub const ALL_SPACES: &[SpaceKind] = &[
    SpaceKind::Nb201,
    SpaceKind::NatsSss,
    SpaceKind::Nb101,
    SpaceKind::Darts,
];

/// The spaces that have a network here (`sednas measure`) and a parameter count.
pub const NETWORK_SPACES: &[SpaceKind] = &[SpaceKind::Nb201, SpaceKind::Nb101, SpaceKind::Darts];

impl Entry {
    /// Whether `name` is this entry's name or one of its aliases.
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }

    /// Whether the proxy is defined for `space`.
    pub fn supports(&self, space: SpaceKind) -> bool {
        self.spaces.contains(&space)
    }

    /// Refuses network sizes that a proxy counting each benchmark's own network
    /// ([`Entry::fixed_network`]) would silently ignore: any size in `got` other than the
    /// default census options.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the flag whose value differs from its default.
    ///
    /// ```
    /// use sednas::arch::{CensusOptions, CensusParams};
    /// let p = sednas::proxy::find("params").unwrap();
    /// assert!(p.check_network_sizes(&CensusOptions::default()).is_ok());
    /// let big = CensusParams { nb201_channels: 32, ..CensusParams::default() }.check().unwrap();
    /// assert!(p.check_network_sizes(&big).unwrap_err().to_string().contains("--nb201-channels 32"));
    /// ```
    pub fn check_network_sizes(&self, got: &crate::arch::CensusOptions) -> Result<()> {
        if !self.fixed_network {
            return Ok(());
        }
        let def = crate::arch::CensusOptions::default();
        let sizes = [
            (
                "nb201-cells",
                got.nb201_cells_per_stage(),
                def.nb201_cells_per_stage(),
            ),
            ("nb201-channels", got.nb201_channels(), def.nb201_channels()),
            (
                "nb101-cells",
                got.nb101_cells_per_stack(),
                def.nb101_cells_per_stack(),
            ),
            ("nb101-channels", got.nb101_channels(), def.nb101_channels()),
            ("darts-layers", got.darts_layers(), def.darts_layers()),
            ("darts-channels", got.darts_channels(), def.darts_channels()),
            ("resolution", got.resolution(), def.resolution()),
        ];
        match sizes.iter().find(|(_, v, d)| v != d) {
            Some((flag, v, d)) => Err(Error::param(
                "--proxy",
                format!(
                    "{} counts each benchmark's own network (NB201 C = 16, N = 5; NB101 C = 128, 3 cells per stack; DARTS NASLib's C = 32, 8 cells): --{flag} {v} (default {d}) would be ignored",
                    self.name
                ),
            )),
            None => Ok(()),
        }
    }

    /// Builds the proxy for `space` under `settings`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`proxy`) for a space the proxy is not defined for (the
    /// message is [`Entry::unsupported`]) or a proxy that needs a network forward (it is
    /// measured by `sednas measure`, not built here); the scorer's own error for a refused
    /// setting (e.g. a skip gain outside its range).
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::proxy::{find, Scratch, Settings};
    /// let p = find("led_flow").unwrap().build(&Settings::default(), SpaceKind::Nb201).unwrap();
    /// assert_eq!(p.name(), "led-flow");
    /// let a = AnyArch::parse(
    ///     SpaceKind::Nb201,
    ///     "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|",
    /// )
    /// .unwrap();
    /// assert!(p.score(&a, &mut Scratch::default()).is_finite());
    /// assert!(find("ledp").unwrap().build(&Settings::default(), SpaceKind::NatsSss).is_err());
    /// ```
    pub fn build(&self, settings: &Settings, space: SpaceKind) -> Result<Built> {
        if !self.supports(space) {
            return Err(Error::param("proxy", self.unsupported));
        }
        match self.build {
            Some(f) => f(settings, space),
            None => Err(Error::param(
                "proxy",
                format!(
                    "{} needs a network forward: it is a column of `sednas measure` output (read it with `sednas eval --join`)",
                    self.name
                ),
            )),
        }
    }
}

/// The registry entry named `name` (or one of its aliases).
///
/// # Errors
/// [`Error::InvalidParameter`] (`proxy`) for a name the registry does not hold; the message
/// lists the topology proxies ([`topology_names`]).
///
/// ```
/// use sednas::proxy::{find, Needs};
/// assert_eq!(find("#params").unwrap().name, "params");
/// assert_eq!(find("h1_min").unwrap().needs, Needs::Network);
/// assert!(find("nope").is_err());
/// ```
pub fn find(name: &str) -> Result<&'static Entry> {
    REGISTRY.iter().find(|e| e.is_named(name)).ok_or_else(|| {
        Error::param(
            "proxy",
            format!("unknown proxy {name:?}: expected {}", topology_names()),
        )
    })
}

/// The proxies computed from the topology, as a list for messages.
///
/// ```
/// assert_eq!(
///     sednas::proxy::topology_names(),
///     "sed, led-flow, ledp, params, sed-validated or sed-measured"
/// );
/// ```
pub fn topology_names() -> String {
    let names: Vec<&str> = REGISTRY
        .iter()
        .filter(|e| e.needs == Needs::Topology)
        .map(|e| e.name)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.to_string(),
        None => String::new(),
    }
}

/// The registry entries that are computed from the topology, in registry order.
pub fn topology() -> impl Iterator<Item = &'static Entry> {
    REGISTRY.iter().filter(|e| e.needs == Needs::Topology)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_columns_are_identifiers() {
        let mut seen = std::collections::HashSet::new();
        for e in REGISTRY {
            for n in std::iter::once(&e.name).chain(e.aliases) {
                assert!(seen.insert(*n), "{n} twice");
            }
            assert!(
                e.column
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                e.column
            );
            assert_eq!(e.needs == Needs::Topology, e.build.is_some(), "{}", e.name);
            assert_eq!(e.direction, Direction::HigherIsBetter);
        }
    }

    // Every topology proxy builds for each space it supports and scores a sample of it; a
    // space it does not support is refused with its reason.
    #[test]
    fn every_topology_proxy_builds_and_scores() {
        let mut r = crate::rng::SplitMix64::new(5);
        for e in topology() {
            for &space in ALL_SPACES {
                let built = e.build(&Settings::default(), space);
                if !e.supports(space) {
                    let msg = built.unwrap_err().to_string();
                    assert!(msg.contains(e.unsupported), "{msg}");
                    continue;
                }
                let p = built.unwrap();
                assert_eq!(p.name(), e.name);
                let archs: Vec<AnyArch> = (0..20)
                    .map(|_| {
                        crate::for_each_space!(space, S => {
                            use crate::arch::space::SearchSpace;
                            S::wrap(S::sample(&mut r).unwrap())
                        })
                    })
                    .collect();
                let batch = p.score_batch(&archs);
                let mut s = Scratch::default();
                for (a, b) in archs.iter().zip(&batch) {
                    assert_eq!(p.score(a, &mut s).to_bits(), b.to_bits(), "{} {a}", e.name);
                }
            }
        }
    }
}
