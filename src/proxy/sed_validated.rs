//! `sed-validated`: SED keeping only the rule sednas' evidence supports (the skip term; conv
//! and pool terms 1), [`crate::sed::measured::validated_config`], with the census of
//! [`Settings::sed`].

use super::{ALL_SPACES, Built, Direction, Entry, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;
use crate::sed::{Sed, SedConfig};

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "sed-validated",
    aliases: &[],
    column: "sed_validated",
    label: "sed-validated",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: ALL_SPACES,
    unsupported: "",
    fixed_network: false,
    about: "SED with only the supported rule (skip term; conv and pool terms 1)",
    build: Some(build),
};

/// SED keeping only the supported rule.
#[derive(Debug, Clone)]
pub struct SedValidated(Sed);

fn build(s: &Settings, _space: SpaceKind) -> Result<Built> {
    Ok(Box::new(SedValidated(Sed::new(SedConfig {
        use_conv: false,
        use_pool: false,
        ..s.sed
    })?)))
}

impl Proxy for SedValidated {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64 {
        self.0.score(arch, &mut scratch.census)
    }
}
