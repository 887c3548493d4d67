//! Ground truth looked up by architecture: the accuracy and competition rank (1 = most
//! accurate) of each architecture of a truth file, for reporting what a search picked.

use std::collections::HashMap;
use std::path::Path;

use super::competition_ranks_desc;
use super::population::{Population, PopulationSpec};
use crate::arch::{ArchColumns, SpaceKind};
use crate::error::Result;

/// Accuracy and rank by canonical architecture text.
#[derive(Debug, Clone)]
pub struct TruthLookup {
    map: HashMap<String, (f64, usize)>,
    /// Architectures in the truth population.
    pub population: usize,
    /// What was left out or found while reading (joined with "; "), empty if nothing.
    pub notes: String,
}

impl TruthLookup {
    /// Reads `path` (accuracy column `acc_col`, architecture columns `cols`) for `space`. A
    /// repeated architecture is looked up at its last row.
    ///
    /// # Errors
    /// The file errors of [`Population::read`] (named file and line).
    pub fn read(path: &Path, space: SpaceKind, acc_col: &str, cols: ArchColumns) -> Result<Self> {
        let pop = Population::read(
            path,
            &PopulationSpec {
                space,
                acc_col,
                cols,
                filters: &[],
                proxy_cols: &[],
                exclude_disconnected: false,
            },
        )?;
        let ranks = competition_ranks_desc(pop.acc());
        let map = pop
            .keys()
            .iter()
            .cloned()
            .zip(pop.acc().iter().copied().zip(ranks))
            .collect();
        Ok(Self {
            map,
            population: pop.archs().len(),
            notes: pop.excluded().join("; "),
        })
    }

    /// Accuracy and rank of the architecture whose canonical text is `key`.
    pub fn get(&self, key: &str) -> Option<(f64, usize)> {
        self.map.get(key).copied()
    }
}
