//! LED-flow (`proofs/led-flow.md`, `crate::sed::ledflow`): the graph-aware reading of SED.

use super::{ALL_SPACES, Built, Direction, Entry, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;
use crate::sed::ledflow::{LedFlow, LedFlowConfig};

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "led-flow",
    aliases: &["led_flow"],
    column: "led_flow",
    label: "led-flow",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: ALL_SPACES,
    unsupported: "",
    fixed_network: false,
    about: "LED-flow: local-entropy decrease along the cell graph (proofs/led-flow.md)",
    build: Some(build),
};

fn build(s: &Settings, _space: SpaceKind) -> Result<Built> {
    Ok(Box::new(LedFlow::new(LedFlowConfig {
        skip_gain: s.led_skip_gain,
        network: s.sed.network,
    })?))
}

impl Proxy for LedFlow {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64 {
        LedFlow::score(self, arch, &mut scratch.graphs)
    }
}
