//! LEDp (`docs/benchmark-protocol.md`, `crate::sed::ledp`): LED-flow + λ·log2 #params −
//! pools − shortest path, with constants per space chosen on the design split.

use super::{Built, Direction, Entry, NETWORK_SPACES, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;
use crate::sed::ledflow::LedFlowConfig;
use crate::sed::ledp::{Ledp, LedpConfig};

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "ledp",
    aliases: &[],
    column: "ledp",
    label: "ledp",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: NETWORK_SPACES,
    unsupported: "LEDp is defined for nb201, nb101 and darts (no parameter count or design split for nats-sss)",
    fixed_network: false,
    about: "LEDp: LED-flow + λ·log2 #params − pools − shortest path (constants per space)",
    build: Some(build),
};

fn build(s: &Settings, space: SpaceKind) -> Result<Built> {
    let mut cfg = LedpConfig::for_space(space)?;
    cfg.led = LedFlowConfig {
        skip_gain: s.led_skip_gain,
        network: s.sed.network,
    };
    Ok(Box::new(Ledp::new(cfg)?))
}

impl Proxy for Ledp {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64 {
        Ledp::score(self, arch, &mut scratch.graphs)
    }
}
