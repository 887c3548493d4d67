//! NATS-Bench size search space (SSS): five channel counts `c1:c2:c3:c4:c5`, each in
//! {8, 16, …, 64}; 8^5 = 32,768 architectures. The official index is the base-8 number
//! of the channel choices with c5 varying fastest (checked against
//! `nats_sss_arch_index.csv` by a test).
//!
//! The network (NATS-Bench's `DynamicShapeTinyNet` with N = 5 // 3 = 1) is: cell (c1),
//! residual reduction (c2), cell (c3), residual reduction (c4), cell (c5). Every cell is
//! the fixed topology [`SSS_CELL`]. The census lists the three cells as blocks; the two
//! fixed residual reduction blocks are not searched and are not blocks.

use std::fmt;
use std::str::FromStr;

use super::nb201::Nb201Arch;
use super::{BlockKind, Census, CensusOptions};
use crate::error::{Error, Result};

/// The fixed cell of NATS-SSS.
pub const SSS_CELL: &str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

/// Number of architectures in NATS-SSS.
pub const SSS_SIZE: usize = 32_768;

/// A NATS-SSS architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SssArch {
    channels: [u8; 5],
}

impl SssArch {
    /// Validates five channel counts.
    ///
    /// # Errors
    /// [`Error::Arch`] naming the layer of a channel count outside {8, 16, …, 64}.
    ///
    /// ```
    /// use sednas::arch::nats_sss::SssArch;
    /// assert_eq!(SssArch::new([8, 8, 8, 8, 16]).unwrap().index(), 1);
    /// assert!(SssArch::new([8, 8, 8, 8, 12]).is_err());
    /// ```
    pub fn new(channels: [u32; 5]) -> Result<Self> {
        let mut c = [0u8; 5];
        for (k, &v) in channels.iter().enumerate() {
            if !(8..=64).contains(&v) || v % 8 != 0 {
                return Err(Error::Arch {
                    space: "nats-sss",
                    position: k,
                    expected: "a channel count in {8, 16, 24, 32, 40, 48, 56, 64}".into(),
                    message: format!("bad channel {v} in layer {}", k + 1),
                });
            }
            c[k] = v as u8;
        }
        Ok(SssArch { channels: c })
    }

    /// The architecture with official index `index`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`index`) for an index of 32,768 or more.
    ///
    /// ```
    /// let a = sednas::arch::nats_sss::SssArch::from_index(32_767).unwrap();
    /// assert_eq!(a.to_string(), "64:64:64:64:64");
    /// ```
    pub fn from_index(index: usize) -> Result<Self> {
        if index >= SSS_SIZE {
            return Err(Error::param(
                "index",
                format!("NATS-SSS indices are 0..{SSS_SIZE}, got {index}"),
            ));
        }
        let mut c = [0u8; 5];
        let mut x = index;
        for k in (0..5).rev() {
            c[k] = ((x % 8) as u8 + 1) * 8;
            x /= 8;
        }
        Ok(SssArch { channels: c })
    }

    /// Official index: Σ_k (c_k/8 − 1)·8^(4−k).
    ///
    /// ```
    /// use sednas::arch::nats_sss::SssArch;
    /// // (16/8 − 1)·8 = 8
    /// assert_eq!(SssArch::new([8, 8, 8, 16, 8]).unwrap().index(), 8);
    /// assert_eq!(SssArch::new([64, 64, 64, 64, 64]).unwrap().index(), 32_767);
    /// ```
    pub fn index(&self) -> usize {
        self.channels
            .iter()
            .fold(0, |acc, &c| acc * 8 + (c as usize / 8 - 1))
    }

    /// The five channel counts.
    ///
    /// ```
    /// let a: sednas::arch::nats_sss::SssArch = "64:32:48:16:8".parse().unwrap();
    /// assert_eq!(a.channels(), [64, 32, 48, 16, 8]);
    /// ```
    pub fn channels(&self) -> [u32; 5] {
        self.channels.map(u32::from)
    }

    /// Op census: the three cells (c1, c3, c5) at resolution R, R/2, R/4.
    ///
    /// The fixed cell has five 3×3 convolutions and one skip, so each block counts five
    /// convolutions with that cell's c_k filters each.
    ///
    /// ```
    /// use sednas::arch::nats_sss::SssArch;
    /// use sednas::arch::{Census, CensusOptions, ConvCount};
    /// let a: SssArch = "64:32:48:16:8".parse().unwrap();
    /// let mut c = Census::default();
    /// a.census(&CensusOptions::default(), &mut c);
    /// let io: Vec<_> = c.blocks.iter().map(|b| (b.c_in, b.c_out)).collect();
    /// assert_eq!(io, [(16, 64), (32, 48), (16, 8)]);
    /// assert_eq!(c.blocks[1].convs(), &[ConvCount { kw: 3, kh: 3, ops: 5, filters: 240 }]);
    /// assert_eq!((c.blocks[1].skips, c.blocks[1].multiplicity), (1, 1));
    /// ```
    pub fn census(&self, opts: &CensusOptions, out: &mut Census) {
        let cell: Nb201Arch = SSS_CELL.parse().expect("fixed cell parses");
        let mut tmp = Census::default();
        let mut o = *opts;
        o.nb201_cells_per_stage = 1;
        if o.block == BlockKind::Stage {
            o.block = BlockKind::Cell;
        }
        cell.census(&o, &mut tmp);
        out.clear(true, true);
        let per_stage = tmp.blocks.len() / 3;
        let c = self.channels();
        let ins = [opts.nb201_channels, c[1], c[3]];
        for (stage, chunk) in tmp.blocks.chunks(per_stage).enumerate() {
            for b in chunk {
                let mut b = *b;
                let cout = c[2 * stage];
                for conv in &mut b.convs[..b.n_convs] {
                    conv.filters = conv.ops as u64 * cout as u64;
                }
                b.c_out = cout;
                b.c_in = ins[stage];
                out.blocks.push(b);
            }
        }
    }
}

impl SssArch {
    /// Cell graphs: the fixed cell three times, with channels c1, c3, c5.
    ///
    /// ```
    /// use sednas::arch::nats_sss::SssArch;
    /// use sednas::arch::CensusOptions;
    /// let a: SssArch = "64:32:48:16:8".parse().unwrap();
    /// let mut gs = Vec::new();
    /// a.graphs(&CensusOptions::default(), &mut gs);
    /// assert_eq!(gs.iter().map(|g| g.channels).collect::<Vec<_>>(), [64, 48, 8]);
    /// assert_eq!((gs[0].n_edges, gs[0].multiplicity), (6, 1));
    /// ```
    pub fn graphs(&self, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        let cell: Nb201Arch = SSS_CELL.parse().expect("fixed cell parses");
        let mut o = *opts;
        o.nb201_cells_per_stage = 1;
        cell.graphs(&o, out);
        let c = self.channels();
        for (k, g) in out.iter_mut().enumerate() {
            g.channels = c[2 * k];
        }
    }
}

impl FromStr for SssArch {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        if parts.len() != 5 {
            return Err(Error::Arch {
                space: "nats-sss",
                position: 0,
                expected: "five channel counts c1:c2:c3:c4:c5".into(),
                message: format!("found {} fields", parts.len()),
            });
        }
        let mut c = [0u32; 5];
        let mut pos = 0;
        for (k, p) in parts.iter().enumerate() {
            c[k] = p.parse().map_err(|_| Error::Arch {
                space: "nats-sss",
                position: pos,
                expected: "a channel count in {8, 16, ..., 64}".into(),
                message: format!("{p:?} is not a number"),
            })?;
            pos += p.len() + 1;
        }
        SssArch::new(c)
    }
}

impl fmt::Display for SssArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.channels;
        write!(f, "{}:{}:{}:{}:{}", c[0], c[1], c[2], c[3], c[4])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip() {
        for i in (0..SSS_SIZE).step_by(97) {
            let a = SssArch::from_index(i).unwrap();
            assert_eq!(a.index(), i);
            assert_eq!(a.to_string().parse::<SssArch>().unwrap(), a);
        }
    }

    // Edge case: wrong field count and a bad channel name their place.
    #[test]
    fn malformed() {
        assert!("8:8:8:8".parse::<SssArch>().is_err());
        match "8:8:x:8:8".parse::<SssArch>() {
            Err(Error::Arch { position, .. }) => assert_eq!(position, 4),
            o => panic!("{o:?}"),
        }
        assert!("8:8:8:8:72".parse::<SssArch>().is_err());
    }
}

/// NATS-Bench-SSS: the fixed cell with five channel counts from {8, 16, …, 64}.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NatsSss;

impl super::space::SearchSpace for NatsSss {
    type Arch = SssArch;
    const KIND: super::SpaceKind = super::SpaceKind::NatsSss;
    const COLUMNS: crate::io::columns::ColumnLayout = crate::io::columns::ColumnLayout {
        arch: "channels",
        extra: crate::io::columns::ExtraColumn::None,
    };

    fn wrap(a: SssArch) -> super::AnyArch {
        super::AnyArch::NatsSss(a)
    }

    fn census(a: &SssArch, opts: &CensusOptions, out: &mut Census) {
        a.census(opts, out)
    }

    fn graphs(a: &SssArch, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        a.graphs(opts, out)
    }

    /// No parameter count is implemented for NATS-SSS.
    fn params(_a: &SssArch) -> Option<u64> {
        None
    }

    fn index(a: &SssArch) -> Option<usize> {
        Some(a.index())
    }

    fn size() -> Option<u64> {
        Some(SSS_SIZE as u64)
    }

    /// One draw below 8⁵ as the official index.
    fn sample(r: &mut crate::rng::SplitMix64) -> Result<SssArch> {
        SssArch::from_index(r.below(SSS_SIZE as u64) as usize)
    }

    /// One of the five channel counts re-drawn from {8, …, 64} (it may stay the same).
    fn mutate(x: &SssArch, r: &mut crate::rng::SplitMix64) -> SssArch {
        let mut c = x.channels();
        let k = r.below(5) as usize;
        c[k] = 8 * (1 + r.below(8) as u32);
        SssArch::new(c).expect("valid channels")
    }

    fn enumerate() -> Option<Box<dyn Iterator<Item = SssArch>>> {
        Some(Box::new(
            (0..SSS_SIZE).map(|i| SssArch::from_index(i).expect("index in range")),
        ))
    }
}
