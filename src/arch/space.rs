//! The [`SearchSpace`] trait: what sednas needs from a search space, implemented once per
//! space, in that space's own file ([`super::nb201`], [`super::nats_sss`], [`super::nb101`],
//! [`super::darts`]): a typed, hashable architecture that parses and prints losslessly, the
//! op census SED reads, the cell graphs, the benchmark's parameter count and index, uniform
//! sampling, one-step mutation and, where the space is small enough, enumeration.
//!
//! [`AnyArch`] (the architecture of a space chosen at run time) forwards to the trait through
//! the [`for_each_space!`](crate::for_each_space) macro, so its methods hold no per-space
//! logic. A new space is one new file with its `impl SearchSpace`, plus one line in that macro
//! and one variant in [`SpaceKind`] and [`AnyArch`].

use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::str::FromStr;

use super::graph::CellGraph;
use super::{AnyArch, Census, CensusOptions, SpaceKind};
use crate::error::{Error, Result};
use crate::io::columns::ColumnLayout;
use crate::rng::SplitMix64;

/// A search space (a zero-sized marker type per space: [`super::nb201::Nb201`],
/// [`super::nats_sss::NatsSss`], [`super::nb101::Nb101`], [`super::darts::Darts`]).
///
/// ```
/// use sednas::arch::space::SearchSpace;
/// use sednas::arch::nb201::Nb201;
/// use sednas::rng::SplitMix64;
/// let a = <Nb201 as SearchSpace>::parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|").unwrap();
/// assert_eq!(Nb201::params(&a), Some(73_306));
/// assert_eq!(Nb201::size(), Some(15_625));
/// // a mutation changes exactly one edge of an NB201 cell
/// let b = Nb201::mutate(&a, &mut SplitMix64::new(1));
/// assert_eq!(a.ops().iter().zip(b.ops()).filter(|(x, y)| x != y).count(), 1);
/// ```
pub trait SearchSpace: 'static {
    /// The typed architecture.
    type Arch: Clone + Eq + Hash + Debug + Display + FromStr<Err = Error> + Send + Sync;

    /// The space's run-time tag.
    const KIND: SpaceKind;

    /// Where the space's architectures sit in a CSV file: the default architecture column
    /// (matching the files in `../shared/data`) and any second column it needs.
    const COLUMNS: ColumnLayout;

    /// Parses the one-line text form (the inverse of `Display`).
    fn parse(s: &str) -> Result<Self::Arch> {
        s.parse()
    }

    /// The architecture as an [`AnyArch`].
    fn wrap(a: Self::Arch) -> AnyArch;

    /// Writes the op census of `a` (what SED reads) into `out`.
    fn census(a: &Self::Arch, opts: &CensusOptions, out: &mut Census);

    /// Writes the cell graphs of `a` into `out` (cleared first by the caller).
    fn graphs(a: &Self::Arch, opts: &CensusOptions, out: &mut Vec<CellGraph>);

    /// Parameters of the space's reference network, counted by the benchmark's own rules
    /// (`None` where no count is implemented).
    fn params(a: &Self::Arch) -> Option<u64>;

    /// The official benchmark index, where the space has one.
    fn index(_a: &Self::Arch) -> Option<usize> {
        None
    }

    /// Number of architectures in the space (`None`: too many to count in a u64, or not
    /// defined, as for NB101's isomorphism classes).
    fn size() -> Option<u64>;

    /// A uniformly random architecture (NB101 and DARTS: uniform over the generator's
    /// encoding, documented in their files).
    fn sample(r: &mut SplitMix64) -> Result<Self::Arch>;

    /// One random local change (a valid architecture of the same space).
    fn mutate(a: &Self::Arch, r: &mut SplitMix64) -> Self::Arch;

    /// Every architecture in a fixed order, where the space is small enough to enumerate.
    fn enumerate() -> Option<Box<dyn Iterator<Item = Self::Arch>>> {
        None
    }
}

/// Runs `$body` once with `$S` bound to the marker type of the run-time space `$kind`
/// (a [`SpaceKind`]); with `$any => $a`, matches an [`AnyArch`] and binds its typed
/// architecture to `$a` as well. The one place that lists the spaces.
///
/// ```
/// use sednas::arch::space::SearchSpace;
/// use sednas::arch::SpaceKind;
/// let sizes: Vec<Option<u64>> = [SpaceKind::Nb201, SpaceKind::NatsSss, SpaceKind::Nb101]
///     .iter()
///     .map(|&k| sednas::for_each_space!(k, S => S::size()))
///     .collect();
/// assert_eq!(sizes, [Some(15_625), Some(32_768), None]);
/// ```
#[macro_export]
macro_rules! for_each_space {
    ($kind:expr, $S:ident => $body:expr) => {
        match $kind {
            $crate::arch::SpaceKind::Nb201 => {
                #[allow(dead_code)]
                type $S = $crate::arch::nb201::Nb201;
                $body
            }
            $crate::arch::SpaceKind::NatsSss => {
                #[allow(dead_code)]
                type $S = $crate::arch::nats_sss::NatsSss;
                $body
            }
            $crate::arch::SpaceKind::Nb101 => {
                #[allow(dead_code)]
                type $S = $crate::arch::nb101::Nb101;
                $body
            }
            $crate::arch::SpaceKind::Darts => {
                #[allow(dead_code)]
                type $S = $crate::arch::darts::Darts;
                $body
            }
        }
    };
    ($any:expr, $S:ident, $a:ident => $body:expr) => {
        match $any {
            $crate::arch::AnyArch::Nb201($a) => {
                #[allow(dead_code)]
                type $S = $crate::arch::nb201::Nb201;
                $body
            }
            $crate::arch::AnyArch::NatsSss($a) => {
                #[allow(dead_code)]
                type $S = $crate::arch::nats_sss::NatsSss;
                $body
            }
            $crate::arch::AnyArch::Nb101($a) => {
                #[allow(dead_code)]
                type $S = $crate::arch::nb101::Nb101;
                $body
            }
            $crate::arch::AnyArch::Darts($a) => {
                #[allow(dead_code)]
                type $S = $crate::arch::darts::Darts;
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{darts::Darts, nats_sss::NatsSss, nb101::Nb101, nb201::Nb201};

    // Per space: samples and mutations print to text that parses back to them; the wrapped
    // architecture reports its space; where the space is enumerable, the enumeration holds
    // `size()` distinct architectures (hashable, typed).
    fn contract<S: SearchSpace>() {
        let mut r = SplitMix64::new(9);
        let mut a = S::sample(&mut r).unwrap();
        for _ in 0..500 {
            assert_eq!(S::parse(&a.to_string()).unwrap(), a);
            assert_eq!(S::wrap(a.clone()).kind(), S::KIND);
            a = S::mutate(&a, &mut r);
        }
        match (S::size(), S::enumerate()) {
            (Some(n), Some(it)) => {
                let all: std::collections::HashSet<S::Arch> = it.collect();
                assert_eq!(all.len() as u64, n, "{}", S::KIND);
            }
            (None, None) => {}
            (n, it) => panic!("{}: size {n:?} but enumerable {}", S::KIND, it.is_some()),
        }
    }

    #[test]
    fn every_space_keeps_the_contract() {
        contract::<Nb201>();
        contract::<NatsSss>();
        contract::<Nb101>();
        contract::<Darts>();
    }
}
