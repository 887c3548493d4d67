//! SED (Definition 4 of the paper, `crate::sed`), under the switches of [`Settings::sed`].

use super::{ALL_SPACES, Built, Direction, Entry, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;
use crate::sed::Sed;

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "sed",
    aliases: &[],
    column: "sed",
    label: "sed",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: ALL_SPACES,
    unsupported: "",
    fixed_network: false,
    about: "SED (Definition 4), under the given switches",
    build: Some(build),
};

fn build(s: &Settings, _space: SpaceKind) -> Result<Built> {
    Ok(Box::new(Sed::new(s.sed)?))
}

impl Proxy for Sed {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64 {
        Sed::score(self, arch, &mut scratch.census)
    }
}
