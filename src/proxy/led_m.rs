//! `led-m` ([`crate::sed::ledm`]): LEDp + 32·neg_zero_mean, the summary measured on the
//! reduced-scale network with 10 embedded natural-image patches. It needs a forward pass:
//! `sednas score --proxy led-m ARCH…` builds and forwards each network (`nn::ledm`); for a
//! population, `sednas measure --input patches --batch 10` writes `neg_zero_mean` and
//! `sednas eval --proxies led-m --join run.csv` combines it with LEDp.

use super::{Direction, Entry, NETWORK_SPACES, Needs};

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "led-m",
    aliases: &["led_m"],
    column: "led_m",
    label: "led-m",
    direction: Direction::HigherIsBetter,
    needs: Needs::Network,
    spaces: NETWORK_SPACES,
    unsupported: "led-m measures a network: nb201, nb101 or darts",
    fixed_network: true,
    about: "LEDp + 32·neg_zero_mean (reduced-scale network, 10 embedded natural-image patches)",
    build: None,
};

/// The measure column led-m reads ([`crate::sed::ledm::SUMMARY`]).
pub const MEASURED_COLUMN: &str = crate::sed::ledm::SUMMARY;
