//! Every SED switch as a command-line flag (over `--config FILE.toml` and the defaults).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::arch::{BlockKind, DilatedKernel};
use crate::sed::{Comparison, KernelCount, O1Source, Precision, Sed, SedConfig, Squash};

/// SED configuration flags; unset flags keep the config file's (or the default) value.
#[derive(Debug, Args, Default, Clone)]
pub struct SedFlags {
    /// TOML file with SedConfig fields (see docs/sed-readings.md); flags override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// K ≥ O_1 (ge, printed) or K > O_1 (gt).
    #[arg(long, value_enum)]
    pub comparison: Option<Comparison>,
    /// Count `none` in Σ_{op∈OPT} #op.
    #[arg(long)]
    pub none_in_opt: Option<bool>,
    /// #K counts operations (ops) or filters.
    #[arg(long, value_enum)]
    pub kernel_count: Option<KernelCount>,
    /// skip_SED / pool_SED in spaces without skips / pooling.
    #[arg(long)]
    pub missing_constant: Option<f64>,
    /// O_1 from the space's candidates (space) or the block's own pooling (arch).
    #[arg(long, value_enum)]
    pub o1: Option<O1Source>,
    /// f64 or f32 arithmetic.
    #[arg(long, value_enum)]
    pub precision: Option<Precision>,
    /// logistic (printed) or identity (ablation: no sigmoids).
    #[arg(long, value_enum)]
    pub squash: Option<Squash>,
    /// Ablation: drop skip_SED from sig(skip_SED·conv_SED).
    #[arg(long)]
    pub no_skip_term: bool,
    /// Ablation: drop conv_SED from sig(skip_SED·conv_SED).
    #[arg(long)]
    pub no_conv_term: bool,
    /// Ablation: drop the pool_SED factor.
    #[arg(long)]
    pub no_pool_term: bool,
    /// What a block is: cell, node or stage.
    #[arg(long, value_enum)]
    pub block: Option<BlockKind>,
    /// DARTS dilated kernels: nominal or effective size.
    #[arg(long, value_enum)]
    pub dilated: Option<DilatedKernel>,
    /// NB201 cells per stage N.
    #[arg(long)]
    pub nb201_cells: Option<u32>,
    /// NB201 first-stage channels C.
    #[arg(long)]
    pub nb201_channels: Option<u32>,
    /// NB101 cells per stack.
    #[arg(long)]
    pub nb101_cells: Option<u32>,
    /// NB101 first-stack channels.
    #[arg(long)]
    pub nb101_channels: Option<u32>,
    /// DARTS evaluation-network cells.
    #[arg(long)]
    pub darts_layers: Option<u32>,
    /// DARTS evaluation-network initial channels.
    #[arg(long)]
    pub darts_channels: Option<u32>,
    /// Input resolution.
    #[arg(long)]
    pub resolution: Option<u32>,
}

impl SedFlags {
    /// The configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<SedConfig> {
        let mut c = match &self.config {
            Some(p) => {
                let text = crate::io::bounded::read_to_string(p, crate::io::bounded::CONFIG)?;
                SedConfig::from_toml(&text).with_context(|| format!("{}", p.display()))?
            }
            None => SedConfig::default(),
        };
        set(&mut c.comparison, self.comparison);
        set(&mut c.none_in_opt, self.none_in_opt);
        set(&mut c.kernel_count, self.kernel_count);
        set(&mut c.missing_constant, self.missing_constant);
        set(&mut c.o1_source, self.o1);
        set(&mut c.precision, self.precision);
        set(&mut c.squash, self.squash);
        c.use_skip &= !self.no_skip_term;
        c.use_conv &= !self.no_conv_term;
        c.use_pool &= !self.no_pool_term;
        let n = &mut c.network;
        set(&mut n.block, self.block);
        set(&mut n.dilated_kernel, self.dilated);
        set(&mut n.nb201_cells_per_stage, self.nb201_cells);
        set(&mut n.nb201_channels, self.nb201_channels);
        set(&mut n.nb101_cells_per_stack, self.nb101_cells);
        set(&mut n.nb101_channels, self.nb101_channels);
        set(&mut n.darts_layers, self.darts_layers);
        set(&mut n.darts_channels, self.darts_channels);
        set(&mut n.resolution, self.resolution);
        Ok(c)
    }

    /// A validated scorer.
    pub fn scorer(&self) -> anyhow::Result<Sed> {
        Ok(Sed::new(self.config()?)?)
    }
}

/// `*dst = v` when a flag was given.
fn set<T>(dst: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *dst = v;
    }
}
