//! The measured-entropy summaries of `sednas measure` (`crate::entropy::profile::SUMMARIES`)
//! as registry entries: they need a forward pass of the space's network, so they are not
//! built here; their names are the columns of `sednas measure` CSVs, which `sednas eval`
//! reads (`--proxies NAME --join run.csv`).

use super::{Direction, Entry, NETWORK_SPACES, Needs};

const fn measured(name: &'static str, about: &'static str) -> Entry {
    Entry {
        name,
        aliases: &[],
        column: name,
        label: name,
        direction: Direction::HigherIsBetter,
        needs: Needs::Network,
        spaces: NETWORK_SPACES,
        unsupported: "measured proxies need a network (nb201, nb101 or darts)",
        fixed_network: false,
        about,
        build: None,
    }
}

/// Binned H1 of the last captured map minus the stem's.
pub const H1_LAST_MINUS_STEM: Entry = measured(
    "h1_last_minus_stem",
    "binned H1 of the last map minus the stem's",
);
/// Minus the largest drop of binned H1 between consecutive maps.
pub const H1_NEG_MAX_DROP: Entry = measured(
    "h1_neg_max_drop",
    "minus the largest binned-H1 drop between consecutive maps",
);
/// The smallest binned H1 over the maps.
pub const H1_MIN: Entry = measured("h1_min", "the smallest binned H1 over the maps");
/// H2 of the last map minus the stem's.
pub const H2_LAST_MINUS_STEM: Entry = measured(
    "h2_last_minus_stem",
    "Gaussian H2 of the last map minus the stem's",
);
/// Minus the zero-window fraction of the last map.
pub const NEG_ZERO_LAST: Entry = measured(
    "neg_zero_last",
    "minus the fraction of constant windows in the last map",
);
/// Minus the mean zero-window fraction over the maps.
pub const NEG_ZERO_MEAN: Entry = measured(
    "neg_zero_mean",
    "minus the mean fraction of constant windows over the maps",
);

#[cfg(test)]
mod tests {
    // the entries are the summaries `sednas measure` writes, in its order
    #[test]
    fn entries_are_the_measure_summaries() {
        let names: Vec<&str> = super::super::REGISTRY
            .iter()
            .filter(|e| {
                e.needs == super::Needs::Network && e.name != super::super::led_m::ENTRY.name
            })
            .map(|e| e.name)
            .collect();
        assert_eq!(names, crate::entropy::profile::SUMMARIES);
    }
}
