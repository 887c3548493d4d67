//! `sed-measured`: SED's census with per-operation, per-stage factors measured on
//! calibration networks ([`crate::sed::measured::SedMeasured`], the committed table).

use super::{Built, Direction, Entry, NETWORK_SPACES, Needs, Proxy, Scratch, Settings};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::Result;
use crate::sed::measured::{CalibrationTable, SedMeasured};

/// The registry entry.
pub const ENTRY: Entry = Entry {
    name: "sed-measured",
    aliases: &[],
    column: "sed_measured",
    label: "sed-measured",
    direction: Direction::HigherIsBetter,
    needs: Needs::Topology,
    spaces: NETWORK_SPACES,
    unsupported: "sed-measured is calibrated for nb201, nb101 and darts (nats-sss has no operations to calibrate)",
    fixed_network: false,
    about: "SED's census with measured per-operation factors (results/sed-measured)",
    build: Some(build),
};

fn build(s: &Settings, space: SpaceKind) -> Result<Built> {
    Ok(Box::new(SedMeasured::new(
        CalibrationTable::committed(space)?,
        s.sed.network.check()?,
    )?))
}

impl Proxy for SedMeasured {
    fn entry(&self) -> &'static Entry {
        &ENTRY
    }

    /// NaN for an operation or stage the table has no factor for (the CLI's `score` reports
    /// it through [`SedMeasured::score`]).
    fn score(&self, arch: &AnyArch, scratch: &mut Scratch) -> f64 {
        SedMeasured::score(self, arch, &mut scratch.census).unwrap_or(f64::NAN)
    }
}
