//! Search spaces: one file per space, each with a typed architecture, lossless
//! parse ↔ format round-trips, validity checks, and an **op census per block** — the only
//! thing the SED scorer ([`crate::sed`]) ever looks at.
//!
//! | space | file | architecture |
//! |---|---|---|
//! | NAS-Bench-201 / NATS-TSS (and the generalised N-node cell) | [`nb201`] | `\|op~0\|+\|op~0\|op~1\|+...` |
//! | NATS-SSS | [`nats_sss`] | `c1:c2:c3:c4:c5` |
//! | NAS-Bench-101 | [`nb101`] | 7×7 adjacency + ops |
//! | DARTS / NAS-Bench-301 | [`darts`] | genotype (Python repr, JSON, NASLib) |

pub mod darts;
pub mod graph;
pub mod nats_sss;
pub mod nb101;
pub mod nb201;
pub mod space;

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use space::SearchSpace;

/// Most distinct kernel shapes one block can hold.
pub const MAX_KINDS: usize = 4;

/// Convolutions of one kernel shape in a block.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct ConvCount {
    /// Kernel width k_w.
    pub kw: u32,
    /// Kernel height k_h.
    pub kh: u32,
    /// Number of operations with this kernel.
    pub ops: u32,
    /// Total filters (output channels) over those operations.
    pub filters: u64,
}

/// Pooling operations of one shape and stride in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PoolCount {
    /// Pool width o_w.
    pub ow: u32,
    /// Pool height o_h.
    pub oh: u32,
    /// Stride s1 (along w).
    pub sw: u32,
    /// Stride s2 (along h).
    pub sh: u32,
    /// Number of operations.
    pub ops: u32,
}

impl PoolCount {
    /// A pooling kernel with no operations counted yet.
    ///
    /// ```
    /// use sednas::arch::PoolCount;
    /// let k = PoolCount::kernel(3, 3, 2, 2);
    /// assert_eq!(k, PoolCount { ow: 3, oh: 3, sw: 2, sh: 2, ops: 0 });
    /// ```
    pub const fn kernel(ow: u32, oh: u32, sw: u32, sh: u32) -> Self {
        PoolCount {
            ow,
            oh,
            sw,
            sh,
            ops: 0,
        }
    }

    /// The effective size (⌈o_w/s1⌉, ⌈o_h/s2⌉) a kernel is compared with.
    ///
    /// ```
    /// assert_eq!(sednas::arch::PoolCount::kernel(3, 3, 2, 2).effective(), (2, 2));
    /// ```
    pub fn effective(&self) -> (u32, u32) {
        (
            self.ow.div_ceil(self.sw.max(1)),
            self.oh.div_ceil(self.sh.max(1)),
        )
    }
}

/// The operations of one block (cell, node or stage) as SED sees them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BlockCensus {
    /// Convolution counts by kernel shape (first `n_convs` entries used).
    pub convs: [ConvCount; MAX_KINDS],
    /// Number of used entries in `convs`.
    pub n_convs: usize,
    /// Pooling counts by shape and stride (first `n_pools` entries used).
    pub pools: [PoolCount; MAX_KINDS],
    /// Number of used entries in `pools`.
    pub n_pools: usize,
    /// Skip connections (identity operations).
    pub skips: u32,
    /// `none` (zero) operations.
    pub nones: u32,
    /// Channels in.
    pub c_in: u32,
    /// Channels out (#C_out).
    pub c_out: u32,
    /// Entries per channel in (#F_in = h·w).
    pub f_in: u64,
    /// Entries per channel out (#F_out).
    pub f_out: u64,
    /// How many identical blocks of the network this entry stands for.
    pub multiplicity: u32,
    /// O_1 from the space's candidate operations for this block (largest pooling kernel).
    pub space_o1: Option<PoolCount>,
}

impl BlockCensus {
    /// An empty block.
    ///
    /// ```
    /// use sednas::arch::BlockCensus;
    /// let b = BlockCensus::new(16, 32, 32 * 32, 16 * 16, 5, None);
    /// assert_eq!((b.c_in, b.c_out, b.f_in, b.f_out, b.multiplicity), (16, 32, 1024, 256, 5));
    /// assert_eq!((b.n_convs, b.n_pools, b.skips, b.nones), (0, 0, 0, 0));
    /// ```
    pub fn new(
        c_in: u32,
        c_out: u32,
        f_in: u64,
        f_out: u64,
        multiplicity: u32,
        space_o1: Option<PoolCount>,
    ) -> Self {
        BlockCensus {
            convs: [ConvCount::default(); MAX_KINDS],
            n_convs: 0,
            pools: [PoolCount::default(); MAX_KINDS],
            n_pools: 0,
            skips: 0,
            nones: 0,
            c_in,
            c_out,
            f_in,
            f_out,
            multiplicity,
            space_o1,
        }
    }

    /// Counts `times` convolutions of kernel kw×kh with `filters` output channels each.
    ///
    /// Counts of an existing kernel shape accumulate; a new shape takes the next entry.
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, ConvCount};
    /// let mut b = BlockCensus::new(16, 16, 1024, 1024, 1, None);
    /// b.add_conv(3, 3, 16, 2);
    /// b.add_conv(1, 1, 16, 1);
    /// b.add_conv(3, 3, 16, 1);
    /// assert_eq!(
    ///     b.convs(),
    ///     &[
    ///         ConvCount { kw: 3, kh: 3, ops: 3, filters: 48 },
    ///         ConvCount { kw: 1, kh: 1, ops: 1, filters: 16 },
    ///     ]
    /// );
    /// ```
    #[inline]
    pub fn add_conv(&mut self, kw: u32, kh: u32, filters: u32, times: u32) {
        for c in &mut self.convs[..self.n_convs] {
            if c.kw == kw && c.kh == kh {
                c.ops += times;
                c.filters += filters as u64 * times as u64;
                return;
            }
        }
        if self.n_convs < MAX_KINDS {
            self.convs[self.n_convs] = ConvCount {
                kw,
                kh,
                ops: times,
                filters: filters as u64 * times as u64,
            };
            self.n_convs += 1;
        }
    }

    /// Counts `times` pooling operations o_w×o_h with stride (s1, s2).
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, PoolCount};
    /// let mut b = BlockCensus::new(16, 16, 1024, 1024, 1, None);
    /// b.add_pool(3, 3, 1, 1, 2);
    /// b.add_pool(3, 3, 2, 2, 1);
    /// b.add_pool(3, 3, 1, 1, 1);
    /// assert_eq!(
    ///     b.pools(),
    ///     &[
    ///         PoolCount { ow: 3, oh: 3, sw: 1, sh: 1, ops: 3 },
    ///         PoolCount { ow: 3, oh: 3, sw: 2, sh: 2, ops: 1 },
    ///     ]
    /// );
    /// ```
    #[inline]
    pub fn add_pool(&mut self, ow: u32, oh: u32, sw: u32, sh: u32, times: u32) {
        for p in &mut self.pools[..self.n_pools] {
            if (p.ow, p.oh, p.sw, p.sh) == (ow, oh, sw, sh) {
                p.ops += times;
                return;
            }
        }
        if self.n_pools < MAX_KINDS {
            self.pools[self.n_pools] = PoolCount {
                ow,
                oh,
                sw,
                sh,
                ops: times,
            };
            self.n_pools += 1;
        }
    }

    /// The used convolution counts.
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, ConvCount};
    /// let mut b = BlockCensus::new(8, 8, 64, 64, 1, None);
    /// assert!(b.convs().is_empty());
    /// b.add_conv(5, 3, 8, 1);
    /// assert_eq!(b.convs(), &[ConvCount { kw: 5, kh: 3, ops: 1, filters: 8 }]);
    /// ```
    pub fn convs(&self) -> &[ConvCount] {
        &self.convs[..self.n_convs]
    }

    /// The used pooling counts.
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, PoolCount};
    /// let mut b = BlockCensus::new(8, 8, 64, 64, 1, None);
    /// assert!(b.pools().is_empty());
    /// b.add_pool(2, 2, 2, 2, 4);
    /// assert_eq!(b.pools(), &[PoolCount { ow: 2, oh: 2, sw: 2, sh: 2, ops: 4 }]);
    /// ```
    pub fn pools(&self) -> &[PoolCount] {
        &self.pools[..self.n_pools]
    }

    /// Adds every count of `other` (same channels/resolution assumed).
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, ConvCount};
    /// let mut a = BlockCensus::new(16, 16, 1024, 1024, 1, None);
    /// a.add_conv(3, 3, 16, 1);
    /// a.skips = 1;
    /// let mut b = BlockCensus::new(16, 16, 1024, 1024, 1, None);
    /// b.add_conv(3, 3, 16, 2);
    /// b.add_conv(1, 1, 16, 1);
    /// b.add_pool(3, 3, 1, 1, 1);
    /// b.nones = 2;
    /// a.merge(&b);
    /// assert_eq!(
    ///     a.convs(),
    ///     &[
    ///         ConvCount { kw: 3, kh: 3, ops: 3, filters: 48 },
    ///         ConvCount { kw: 1, kh: 1, ops: 1, filters: 16 },
    ///     ]
    /// );
    /// assert_eq!((a.pools()[0].ops, a.skips, a.nones), (1, 1, 2));
    /// ```
    pub fn merge(&mut self, other: &BlockCensus) {
        for c in other.convs() {
            self.add_conv_filters(c);
        }
        for p in other.pools() {
            self.add_pool(p.ow, p.oh, p.sw, p.sh, p.ops);
        }
        self.skips += other.skips;
        self.nones += other.nones;
    }

    fn add_conv_filters(&mut self, c: &ConvCount) {
        for x in &mut self.convs[..self.n_convs] {
            if x.kw == c.kw && x.kh == c.kh {
                x.ops += c.ops;
                x.filters += c.filters;
                return;
            }
        }
        if self.n_convs < MAX_KINDS {
            self.convs[self.n_convs] = *c;
            self.n_convs += 1;
        }
    }
}

/// The census of a whole architecture: its blocks and what the space offers.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Census {
    /// The blocks B_1..B_n (with multiplicities).
    pub blocks: Vec<BlockCensus>,
    /// Whether the space has skip connections among its candidate operations.
    pub space_has_skip: bool,
    /// Whether the space has pooling among its candidate operations.
    pub space_has_pool: bool,
}

impl Census {
    /// Empties the census, keeping its allocation (for scoring loops).
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, Census};
    /// let mut c = Census::default();
    /// c.blocks.push(BlockCensus::new(16, 16, 1024, 1024, 5, None));
    /// c.clear(false, true);
    /// assert_eq!(c, Census { blocks: vec![], space_has_skip: false, space_has_pool: true });
    /// ```
    pub fn clear(&mut self, space_has_skip: bool, space_has_pool: bool) {
        self.blocks.clear();
        self.space_has_skip = space_has_skip;
        self.space_has_pool = space_has_pool;
    }
}

/// What a block is when SED sums over B_1..B_n (the paper leaves it open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// Each searched cell is a block (identical cells are one entry with a multiplicity).
    Cell,
    /// Each intermediate node of each cell (with its incoming edges) is a block.
    Node,
    /// All cells of one stage (same resolution) form one block.
    Stage,
}

impl BlockKind {
    /// For `cells` identical cells: how many times each op is counted in one block entry,
    /// and how many identical block entries that entry stands for. `cell`: (1, cells);
    /// `stage`: (cells, 1). Not meaningful for `node` (each node is its own entry).
    ///
    /// ```
    /// use sednas::arch::BlockKind;
    /// assert_eq!(BlockKind::Stage.times_and_multiplicity(5), (5, 1));
    /// ```
    pub fn times_and_multiplicity(self, cells: u32) -> (u32, u32) {
        if self == BlockKind::Stage {
            (cells, 1)
        } else {
            (1, cells)
        }
    }
}

/// How a dilated convolution's kernel is sized (DARTS `dil_conv_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DilatedKernel {
    /// The nominal size (3 for dil_conv_3x3).
    Nominal,
    /// The receptive field, (k−1)·2+1 (5 for dil_conv_3x3).
    Effective,
}

/// The most cells per stage / stack / network a census accepts.
pub const MAX_CENSUS_CELLS: u32 = 1000;
/// The most channels (first stage) a census accepts.
pub const MAX_CENSUS_CHANNELS: u32 = 1 << 14;
/// The largest input resolution a census accepts.
pub const MAX_CENSUS_RESOLUTION: u32 = 1 << 12;

/// Macro-architecture settings the census needs (network size, block definition), checked:
/// made only by [`CensusParams::check`] (or [`Default`], the benchmarks' own sizes) and by
/// deserializing, which checks too, so a config file with a size that makes no network is
/// refused where it is read. Read with the getters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "CensusParams")]
pub struct CensusOptions {
    block: BlockKind,
    nb201_cells_per_stage: u32,
    nb201_channels: u32,
    nb101_cells_per_stack: u32,
    nb101_channels: u32,
    darts_layers: u32,
    darts_channels: u32,
    dilated_kernel: DilatedKernel,
    resolution: u32,
}

/// [`CensusOptions`] unchecked (linfa's ParamGuard pattern): set any field, then
/// [`CensusParams::check`]. Missing keys of a file take the defaults.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CensusParams {
    /// What a block is.
    pub block: BlockKind,
    /// NB201/NATS-TSS: cells per stage N (benchmark: 5).
    pub nb201_cells_per_stage: u32,
    /// NB201/NATS-TSS: channels of the first stage C (benchmark: 16).
    pub nb201_channels: u32,
    /// NB101: cells per stack (benchmark: 3).
    pub nb101_cells_per_stack: u32,
    /// NB101: channels of the first stack (benchmark: 128).
    pub nb101_channels: u32,
    /// DARTS: number of cells of the evaluation network (CIFAR: 20).
    pub darts_layers: u32,
    /// DARTS: initial channels of the evaluation network (CIFAR: 36).
    pub darts_channels: u32,
    /// DARTS: size of dilated kernels.
    pub dilated_kernel: DilatedKernel,
    /// Input resolution (CIFAR: 32).
    pub resolution: u32,
}

impl Default for CensusParams {
    fn default() -> Self {
        CensusOptions::default().params()
    }
}

impl TryFrom<CensusParams> for CensusOptions {
    type Error = Error;
    fn try_from(u: CensusParams) -> Result<Self> {
        u.check()
    }
}

impl Default for CensusOptions {
    fn default() -> Self {
        CensusOptions {
            block: BlockKind::Cell,
            nb201_cells_per_stage: 5,
            nb201_channels: 16,
            nb101_cells_per_stack: 3,
            nb101_channels: 128,
            darts_layers: 20,
            darts_channels: 36,
            dilated_kernel: DilatedKernel::Nominal,
            resolution: 32,
        }
    }
}

impl CensusOptions {
    /// The settings as unchecked parameters (to change one and check again).
    ///
    /// ```
    /// use sednas::arch::{BlockKind, CensusOptions, CensusParams};
    /// let o = CensusParams { block: BlockKind::Node, ..CensusOptions::default().params() }.check().unwrap();
    /// assert_eq!((o.block(), o.nb201_channels()), (BlockKind::Node, 16));
    /// ```
    pub fn params(&self) -> CensusParams {
        CensusParams {
            block: self.block,
            nb201_cells_per_stage: self.nb201_cells_per_stage,
            nb201_channels: self.nb201_channels,
            nb101_cells_per_stack: self.nb101_cells_per_stack,
            nb101_channels: self.nb101_channels,
            darts_layers: self.darts_layers,
            darts_channels: self.darts_channels,
            dilated_kernel: self.dilated_kernel,
            resolution: self.resolution,
        }
    }
    /// What a block is.
    pub fn block(&self) -> BlockKind {
        self.block
    }
    /// NB201/NATS-TSS: cells per stage N.
    pub fn nb201_cells_per_stage(&self) -> u32 {
        self.nb201_cells_per_stage
    }
    /// NB201/NATS-TSS: channels of the first stage C.
    pub fn nb201_channels(&self) -> u32 {
        self.nb201_channels
    }
    /// NB101: cells per stack.
    pub fn nb101_cells_per_stack(&self) -> u32 {
        self.nb101_cells_per_stack
    }
    /// NB101: channels of the first stack.
    pub fn nb101_channels(&self) -> u32 {
        self.nb101_channels
    }
    /// DARTS: cells of the evaluation network.
    pub fn darts_layers(&self) -> u32 {
        self.darts_layers
    }
    /// DARTS: initial channels of the evaluation network.
    pub fn darts_channels(&self) -> u32 {
        self.darts_channels
    }
    /// DARTS: size of dilated kernels.
    pub fn dilated_kernel(&self) -> DilatedKernel {
        self.dilated_kernel
    }
    /// Input resolution.
    pub fn resolution(&self) -> u32 {
        self.resolution
    }
}

impl CensusParams {
    /// The checked options: rejects sizes that make no network, and sizes past the bounds
    /// that keep census products in u32.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field for a size of 0, fewer than 3 DARTS
    /// cells or a resolution under 4; [`Error::TooLarge`] naming the field past its bound.
    ///
    /// ```
    /// use sednas::arch::{CensusOptions, CensusParams};
    /// use sednas::error::Error;
    /// assert!(CensusParams::default().check().is_ok());
    /// let err = CensusParams { darts_layers: 2, ..CensusParams::default() }.check().unwrap_err();
    /// assert!(matches!(err, Error::InvalidParameter { name: "darts_layers", .. }));
    /// let p = CensusParams { resolution: 2, ..CensusParams::default() };
    /// assert!(matches!(p.check(), Err(Error::InvalidParameter { name: "resolution", .. })));
    /// // deserializing checks too (missing keys take the defaults)
    /// let o: CensusOptions = serde_json::from_str(r#"{"darts_layers": 8}"#).unwrap();
    /// assert_eq!((o.darts_layers(), o.resolution()), (8, 32));
    /// assert!(serde_json::from_str::<CensusOptions>(r#"{"resolution": 2}"#).is_err());
    /// // sizes past the bounds that keep census products in u32 are refused
    /// let big = CensusParams { nb201_cells_per_stage: u32::MAX, ..CensusParams::default() };
    /// assert!(matches!(big.check(), Err(Error::TooLarge { what: "nb201_cells_per_stage", .. })));
    /// ```
    pub fn check(self) -> Result<CensusOptions> {
        self.validate()?;
        Ok(CensusOptions {
            block: self.block,
            nb201_cells_per_stage: self.nb201_cells_per_stage,
            nb201_channels: self.nb201_channels,
            nb101_cells_per_stack: self.nb101_cells_per_stack,
            nb101_channels: self.nb101_channels,
            darts_layers: self.darts_layers,
            darts_channels: self.darts_channels,
            dilated_kernel: self.dilated_kernel,
            resolution: self.resolution,
        })
    }

    fn validate(&self) -> Result<()> {
        let checks = [
            ("nb201_cells_per_stage", self.nb201_cells_per_stage),
            ("nb201_channels", self.nb201_channels),
            ("nb101_cells_per_stack", self.nb101_cells_per_stack),
            ("nb101_channels", self.nb101_channels),
            ("darts_channels", self.darts_channels),
            ("resolution", self.resolution),
        ];
        for (name, v) in checks {
            if v == 0 {
                return Err(Error::param(name, "must be at least 1"));
            }
        }
        if self.darts_layers < 3 {
            return Err(Error::param(
                "darts_layers",
                format!("needs at least 3 cells, got {}", self.darts_layers),
            ));
        }
        if self.resolution < 4 {
            return Err(Error::param(
                "resolution",
                "must be at least 4 (two 2× reductions)",
            ));
        }
        // upper bounds that keep every census product (counts × cells, channels × 2^stage,
        // resolution²) inside u32 with room to spare (test: census_at_the_bounds_does_not_overflow)
        let caps = [
            (
                "nb201_cells_per_stage",
                self.nb201_cells_per_stage,
                MAX_CENSUS_CELLS,
            ),
            (
                "nb101_cells_per_stack",
                self.nb101_cells_per_stack,
                MAX_CENSUS_CELLS,
            ),
            ("darts_layers", self.darts_layers, MAX_CENSUS_CELLS),
            ("nb201_channels", self.nb201_channels, MAX_CENSUS_CHANNELS),
            ("nb101_channels", self.nb101_channels, MAX_CENSUS_CHANNELS),
            ("darts_channels", self.darts_channels, MAX_CENSUS_CHANNELS),
            ("resolution", self.resolution, MAX_CENSUS_RESOLUTION),
        ];
        for (name, v, cap) in caps {
            if v > cap {
                return Err(Error::TooLarge {
                    what: name,
                    requested: v as u128,
                    limit: cap as u128,
                });
            }
        }
        Ok(())
    }
}

/// The spaces sednas knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum SpaceKind {
    /// NAS-Bench-201 / NATS-Bench-TSS (4-node cell).
    Nb201,
    /// NATS-Bench-SSS (channel sizes).
    NatsSss,
    /// NAS-Bench-101.
    Nb101,
    /// DARTS / NAS-Bench-301.
    Darts,
}

impl fmt::Display for SpaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpaceKind::Nb201 => "nb201",
            SpaceKind::NatsSss => "nats-sss",
            SpaceKind::Nb101 => "nb101",
            SpaceKind::Darts => "darts",
        })
    }
}

impl FromStr for SpaceKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "nb201" | "nats-tss" => Ok(SpaceKind::Nb201),
            "nats-sss" => Ok(SpaceKind::NatsSss),
            "nb101" => Ok(SpaceKind::Nb101),
            "darts" | "nb301" => Ok(SpaceKind::Darts),
            _ => Err(Error::BadSpec {
                what: "search space",
                text: s.to_string(),
                expected: "one of nb201, nats-sss, nb101, darts",
            }),
        }
    }
}

/// An architecture of any space.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnyArch {
    /// NAS-Bench-201 cell (possibly generalised).
    Nb201(nb201::Nb201Arch),
    /// NATS-SSS channels.
    NatsSss(nats_sss::SssArch),
    /// NAS-Bench-101 cell.
    Nb101(nb101::Nb101Arch),
    /// DARTS genotype.
    Darts(darts::Genotype),
}

impl AnyArch {
    /// Parses one architecture of `space` from its one-line text form.
    ///
    /// # Errors
    /// [`Error::Arch`] naming the position and what was expected for text that is not an
    /// architecture of `space`; [`Error::InputTooLarge`] for a text past the length limit.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "64:32:48:16:8").unwrap();
    /// assert_eq!(a.to_string(), "64:32:48:16:8");
    /// ```
    pub fn parse(space: SpaceKind, s: &str) -> Result<Self> {
        crate::for_each_space!(space, S => Ok(S::wrap(S::parse(s)?)))
    }

    /// Writes the cell graphs of this architecture (the graph part of the census) into `out`.
    ///
    /// ```
    /// use sednas::arch::graph::GraphOp;
    /// use sednas::arch::{AnyArch, CensusOptions, SpaceKind};
    /// let a = AnyArch::parse(
    ///     SpaceKind::Nb201,
    ///     "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|",
    /// )
    /// .unwrap();
    /// let mut gs = Vec::new();
    /// a.graphs(&CensusOptions::default(), &mut gs);
    /// // one graph per stage; `none` edges are left out
    /// assert_eq!(gs.iter().map(|g| g.channels).collect::<Vec<_>>(), [16, 32, 64]);
    /// assert_eq!(
    ///     gs[0].edges(),
    ///     &[(0, 1, GraphOp::Conv { k: 3 }), (0, 2, GraphOp::Skip), (2, 3, GraphOp::AvgPool { o: 3, s: 1 })]
    /// );
    /// assert_eq!((gs[0].multiplicity, gs[0].outputs), (5, 0b1000));
    /// ```
    pub fn graphs(&self, opts: &CensusOptions, out: &mut Vec<graph::CellGraph>) {
        out.clear();
        crate::for_each_space!(self, S, a => S::graphs(a, opts, out))
    }

    /// Writes the op census of this architecture into `out`.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, Census, CensusOptions, ConvCount, SpaceKind};
    /// let a = AnyArch::parse(
    ///     SpaceKind::Nb201,
    ///     "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|avg_pool_3x3~2|",
    /// )
    /// .unwrap();
    /// let mut c = Census::default();
    /// a.census(&CensusOptions::default(), &mut c);
    /// // three stages of 5 identical cells: one block each
    /// assert_eq!(c.blocks.len(), 3);
    /// let b = &c.blocks[1];
    /// assert_eq!((b.c_in, b.c_out, b.f_in, b.multiplicity), (32, 32, 16 * 16, 5));
    /// assert_eq!(
    ///     b.convs(),
    ///     &[
    ///         ConvCount { kw: 3, kh: 3, ops: 1, filters: 32 },
    ///         ConvCount { kw: 1, kh: 1, ops: 1, filters: 32 },
    ///     ]
    /// );
    /// assert_eq!((b.pools()[0].ops, b.skips, b.nones), (1, 1, 2));
    /// ```
    pub fn census(&self, opts: &CensusOptions, out: &mut Census) {
        crate::for_each_space!(self, S, a => S::census(a, opts, out))
    }

    /// Parameters of the space's reference network built from this architecture, counted
    /// by the benchmark's own rules (each equal to the shared data's column on every row,
    /// `tests/params.rs`): NB201 C = 16, N = 5, 10 classes ([`nb201::Nb201Arch::params`]);
    /// NB101 `trainable_parameters` ([`nb101::Nb101Arch::params`]); DARTS the network behind
    /// NB301's `params` column ([`darts::DartsNetwork::NB301_ZC`]). NATS-SSS: `None` (no
    /// count is implemented).
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// let a = AnyArch::parse(SpaceKind::Nb201, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|").unwrap();
    /// assert_eq!(a.params(), Some(73_306));
    /// ```
    pub fn params(&self) -> Option<u64> {
        crate::for_each_space!(self, S, a => S::params(a))
    }

    /// The official benchmark index, where the space has one.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// let sss = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:16:8").unwrap();
    /// assert_eq!(sss.index(), Some(8));
    /// let nb101 = AnyArch::parse(SpaceKind::Nb101, "010001000|input,conv3x3-bn-relu,output").unwrap();
    /// assert_eq!(nb101.index(), None);
    /// ```
    pub fn index(&self) -> Option<usize> {
        crate::for_each_space!(self, S, a => S::index(a))
    }

    /// The space this architecture belongs to.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
    /// assert_eq!(a.kind(), SpaceKind::NatsSss);
    /// ```
    pub fn kind(&self) -> SpaceKind {
        crate::for_each_space!(self, S, _a => S::KIND)
    }
}

impl fmt::Display for AnyArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::for_each_space!(self, S, a => fmt::Display::fmt(a, f))
    }
}

pub use crate::io::columns::{ArchColumns, ColumnIndex};

impl crate::io::columns::HasColumns for SpaceKind {
    fn columns(self) -> crate::io::columns::ColumnLayout {
        crate::for_each_space!(self, S => S::COLUMNS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    // Edge case: every census product stays inside u32 at the largest sizes validate()
    // accepts (the test profile panics on overflow), for every space and block kind.
    #[test]
    fn census_at_the_bounds_does_not_overflow() {
        let opts = |block| CensusOptions {
            block,
            nb201_cells_per_stage: MAX_CENSUS_CELLS,
            nb201_channels: MAX_CENSUS_CHANNELS,
            nb101_cells_per_stack: MAX_CENSUS_CELLS,
            nb101_channels: MAX_CENSUS_CHANNELS,
            darts_layers: MAX_CENSUS_CELLS,
            darts_channels: MAX_CENSUS_CHANNELS,
            dilated_kernel: DilatedKernel::Effective,
            resolution: MAX_CENSUS_RESOLUTION,
        };
        let mut r = SplitMix64::new(3);
        let mut out = Census::default();
        for space in [
            SpaceKind::Nb201,
            SpaceKind::NatsSss,
            SpaceKind::Nb101,
            SpaceKind::Darts,
        ] {
            for _ in 0..50 {
                let a = crate::for_each_space!(space, S => S::wrap(S::sample(&mut r).unwrap()));
                for block in [BlockKind::Cell, BlockKind::Node, BlockKind::Stage] {
                    let o = opts(block).params().check().unwrap();
                    a.census(&o, &mut out);
                    assert!(!out.blocks.is_empty(), "{a}");
                }
            }
        }
    }
}
