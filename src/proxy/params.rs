//! The parameter count of each benchmark's own network ([`AnyArch::params`]): the baseline
//! every zero-cost proxy is compared with.

use super::{Built, Direction, Entry, NETWORK_SPACES, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "params",
    aliases: &["#params"],
    column: "params",
    label: "#params",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: NETWORK_SPACES,
    unsupported: "no parameter count is implemented for nats-sss",
    fixed_network: true,
    about: "parameters of the benchmark's own network (NB201 C = 16, N = 5; NB101 C = 128; DARTS NASLib's C = 32, 8 cells)",
    build: Some(build),
};

/// The parameter count as a registry proxy (NaN where no count is implemented).
#[derive(Debug, Clone, Copy)]
pub struct Params;

fn build(_s: &Settings, _space: SpaceKind) -> Result<Built> {
    Ok(Box::new(Params))
}

impl Proxy for Params {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    fn score(&self, arch: &AnyArch, _scratch: &mut Scratch) -> f64 {
        arch.params().map_or(f64::NAN, |p| p as f64)
    }
}
