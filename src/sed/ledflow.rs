//! LED-flow: a data-free, position-aware local-entropy proxy (model: `proofs/led-flow.md`).
//!
//! SED counts operations per block and ignores where they sit. LED-flow propagates a
//! local-entropy scale through each cell's graph with per-operation gains that are
//! modelling choices, motivated by (not derived from) the propositions:
//!
//! * a k×k convolution multiplies the scale by k (a scale rule; P4 compares window sizes on
//!   a fixed map and does not give it);
//! * an o×o pooling divides it by o² (averaging o² entries divides their variance by o²; max
//!   pooling creates constant blocks, P3's mechanism);
//! * a skip connection passes the scale with gain `skip_gain` < 1 (motivated by P5: a sum
//!   raises entropy only through its independent part);
//! * `none` cuts the path; nodes add their inputs (an independence assumption).
//!
//! The cell's scale is V_out = Σ over input→output paths of the product of the gains on the
//! path; the score is the multiplicity-weighted mean over cells of log2(channels · V_out)
//! (−∞ for a cell whose output is cut off). One free parameter, `skip_gain`, was chosen on
//! CIFAR-10 *validation* accuracy (`nb201_cifar10_valid_acc_nb201v1_0.csv`, column
//! `cifar10_valid_val`) among {0.25, 0.5, 0.75, 1}: 0.75 (ρ_val 0.807, 0.830, 0.832, 0.809).

use crate::arch::graph::{CellGraph, GraphOp, MAX_GRAPH_NODES};
use crate::arch::{AnyArch, CensusOptions, CensusParams};
use crate::error::{Error, Result};

/// LED-flow settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedFlowConfig {
    /// Gain of a searched skip connection (chosen on CIFAR-10 validation: 0.75).
    pub skip_gain: f64,
    /// Network sizes (shared with SED's census; unchecked, [`LedFlow::new`] checks them).
    pub network: CensusParams,
}

impl Default for LedFlowConfig {
    fn default() -> Self {
        LedFlowConfig {
            skip_gain: 0.75,
            network: CensusParams::default(),
        }
    }
}

/// A validated LED-flow scorer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LedFlow {
    cfg: LedFlowConfig,
    /// `cfg.network`, checked.
    opts: CensusOptions,
}

impl LedFlow {
    /// Validates the configuration (skip gain finite and > 0).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a `skip_gain` that is not finite and > 0, and the
    /// census checks of `network`.
    ///
    /// ```
    /// use sednas::sed::ledflow::{LedFlow, LedFlowConfig};
    /// assert!(LedFlow::new(LedFlowConfig::default()).is_ok());
    /// assert!(LedFlow::new(LedFlowConfig { skip_gain: 0.0, ..Default::default() }).is_err());
    /// ```
    pub fn new(cfg: LedFlowConfig) -> Result<Self> {
        if !(cfg.skip_gain.is_finite() && cfg.skip_gain > 0.0) {
            return Err(Error::param(
                "skip_gain",
                format!("must be finite and > 0, got {}", cfg.skip_gain),
            ));
        }
        let opts = cfg.network.check()?;
        Ok(LedFlow { cfg, opts })
    }

    /// Per-operation gain of the local-entropy scale.
    ///
    /// # Formula
    /// conv k×k: k; pool o×o: 1/o²; skip: skip_gain; wire: 1; none: 0
    ///
    /// ```
    /// use sednas::arch::graph::GraphOp;
    /// let f = sednas::sed::ledflow::LedFlow::new(Default::default()).unwrap();
    /// assert_eq!(f.gain(GraphOp::Conv { k: 3 }), 3.0);
    /// assert_eq!(f.gain(GraphOp::AvgPool { o: 3, s: 1 }), 1.0 / 9.0);
    /// ```
    #[inline]
    pub fn gain(&self, op: GraphOp) -> f64 {
        match op {
            GraphOp::None => 0.0,
            GraphOp::Skip => self.cfg.skip_gain,
            GraphOp::Wire => 1.0,
            GraphOp::Conv { k } => k as f64,
            GraphOp::AvgPool { o, .. } | GraphOp::MaxPool { o, .. } => 1.0 / (o as f64 * o as f64),
        }
    }

    /// The scale V_out of one cell: Σ over input→output paths of the product of gains.
    ///
    /// # Formula
    /// V_i = 1 (inputs); V_j = g(node_j)·Σ_{(i→j)} g(op_ij)·V_i; V_out = Σ_{j ∈ outputs} V_j
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// use sednas::sed::ledflow::LedFlow;
    /// let f = LedFlow::new(Default::default()).unwrap();
    /// let mut g = CellGraph::new(3, 1, 16, 1);
    /// g.edge(0, 1, GraphOp::Conv { k: 3 });
    /// g.edge(0, 2, GraphOp::Skip);
    /// g.edge(1, 2, GraphOp::AvgPool { o: 3, s: 1 });
    /// g.outputs = 0b100;
    /// // paths 0→2 (skip, 0.75) and 0→1→2 (3 · 1/9)
    /// assert_eq!(g.node_ops[1], GraphOp::Wire);
    /// assert!((f.cell_flow(&g) - (0.75 + 3.0 / 9.0)).abs() < 1e-15);
    /// g.outputs = 0b110; // nodes 1 and 2 summed
    /// assert!((f.cell_flow(&g) - (3.0 + 0.75 + 3.0 / 9.0)).abs() < 1e-15);
    /// ```
    pub fn cell_flow(&self, g: &CellGraph) -> f64 {
        let n = g.nodes as usize;
        // acc[j]: the sum entering node j; a node's value is g(node_j)·acc[j].
        // One pass suffices because every edge into a node precedes every edge out of it
        // (the spaces add edges grouped by head or by tail, both in node order).
        let mut acc = [0.0f64; MAX_GRAPH_NODES];
        for a in acc.iter_mut().take((g.inputs as usize).min(n)) {
            *a = 1.0;
        }
        for (k, &(from, to, op)) in g.edges().iter().enumerate() {
            let mut gain = self.gain(op);
            if g.repeated(k) {
                gain *= gain;
            }
            let src = self.gain(g.node_ops[from as usize]) * acc[from as usize];
            acc[to as usize] += gain * src;
        }
        (0..n)
            .filter(|&j| g.outputs & (1 << j) != 0)
            .map(|j| self.gain(g.node_ops[j]) * acc[j])
            .sum()
    }

    /// Score of a list of cell graphs (see the module docs).
    ///
    /// # Formula
    /// LED-flow(A) = Σ_c m_c·log2(C_c·V_out(c)) / Σ_c m_c
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// use sednas::sed::ledflow::LedFlow;
    /// let f = LedFlow::new(Default::default()).unwrap();
    /// // V_out = 3 + 1 = 4 at 16 channels: log2 64 = 6; a wire (V = 1) at 4 channels, ×3: log2 4 = 2
    /// let mut a = CellGraph::new(2, 1, 16, 1);
    /// a.edge(0, 1, GraphOp::Conv { k: 3 });
    /// a.edge(0, 1, GraphOp::Wire);
    /// a.outputs = 0b10;
    /// let mut b = CellGraph::new(2, 1, 4, 3);
    /// b.edge(0, 1, GraphOp::Wire);
    /// b.outputs = 0b10;
    /// assert_eq!(f.score_graphs(&[a, b]), (6.0 + 3.0 * 2.0) / 4.0);
    /// // a cell whose output is cut off
    /// let mut cut = CellGraph::new(2, 1, 16, 1);
    /// cut.outputs = 0b10;
    /// assert_eq!(f.score_graphs(&[cut]), f64::NEG_INFINITY);
    /// ```
    pub fn score_graphs(&self, graphs: &[CellGraph]) -> f64 {
        let (mut s, mut m) = (0.0, 0.0);
        // consecutive cells often share their topology (NB201: the same cell in 3 stages):
        // compute each distinct flow and its logarithm once
        let mut prev: Option<(&CellGraph, f64)> = None;
        for g in graphs {
            let lv = match prev {
                Some((p, lv)) if same_topology(p, g) => lv,
                _ => {
                    let v = self.cell_flow(g);
                    if v > 0.0 { v.log2() } else { f64::NEG_INFINITY }
                }
            };
            prev = Some((g, lv));
            let w = g.multiplicity as f64;
            s += w * (lv + log2_int(g.channels));
            m += w;
        }
        if m > 0.0 {
            round9(s / m)
        } else {
            f64::NEG_INFINITY
        }
    }

    /// LED-flow of an architecture; `scratch` is reused between calls.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::sed::ledflow::LedFlow;
    /// let f = LedFlow::new(Default::default()).unwrap();
    /// let mut g = Vec::new();
    /// let best = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|").unwrap();
    /// let chain = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|").unwrap();
    /// // V_out = 0.75 + 3·3 + 3·3 + 3·3·3 = 45.75 vs 27
    /// assert!(f.score(&best, &mut g) > f.score(&chain, &mut g));
    /// ```
    pub fn score(&self, arch: &AnyArch, scratch: &mut Vec<CellGraph>) -> f64 {
        if let AnyArch::Nb201(a) = arch
            && a.nodes() <= MAX_GRAPH_NODES
        {
            return self.score_nb201(a);
        }
        arch.graphs(&self.opts, scratch);
        self.score_graphs(scratch)
    }

    /// NB201 fast path: the same arithmetic, in the same order, as building the three stage
    /// graphs and calling [`Self::score_graphs`] (bit-identical, test
    /// `nb201_fast_path_is_bit_identical`), without building them.
    fn score_nb201(&self, a: &crate::arch::nb201::Nb201Arch) -> f64 {
        use crate::arch::nb201::Nb201Op;
        let n = a.nodes();
        let mut acc = [0.0f64; MAX_GRAPH_NODES];
        acc[0] = 1.0;
        for j in 1..n {
            for i in 0..j {
                let op = match a.op(j, i) {
                    Nb201Op::None => continue,
                    Nb201Op::Skip => GraphOp::Skip,
                    Nb201Op::Conv1x1 => GraphOp::Conv { k: 1 },
                    Nb201Op::Conv3x3 => GraphOp::Conv { k: 3 },
                    Nb201Op::AvgPool3x3 => GraphOp::AvgPool { o: 3, s: 1 },
                };
                // node gain of a wire is 1: 1·acc[i] == acc[i] exactly
                acc[j] += self.gain(op) * acc[i];
            }
        }
        let v = acc[n - 1];
        let lv = if v > 0.0 { v.log2() } else { f64::NEG_INFINITY };
        let net = &self.opts;
        let w = net.nb201_cells_per_stage() as f64;
        let (mut s, mut m) = (0.0, 0.0);
        for stage in 0..3u32 {
            s += w * (lv + log2_int(net.nb201_channels() << stage));
            m += w;
        }
        if m > 0.0 {
            round9(s / m)
        } else {
            f64::NEG_INFINITY
        }
    }

    /// The configuration.
    ///
    /// ```
    /// use sednas::sed::ledflow::{LedFlow, LedFlowConfig};
    /// let cfg = LedFlowConfig { skip_gain: 0.5, ..Default::default() };
    /// assert_eq!(LedFlow::new(cfg).unwrap().config().skip_gain, 0.5);
    /// ```
    pub fn config(&self) -> &LedFlowConfig {
        &self.cfg
    }
}

/// log2 of a channel count (a table for the usual sizes).
#[inline]
fn log2_int(c: u32) -> f64 {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| (0..=1024u32).map(|x| (x as f64).log2()).collect());
    match t.get(c as usize) {
        Some(&v) => v,
        None => (c as f64).log2(),
    }
}

#[inline]
fn same_topology(a: &CellGraph, b: &CellGraph) -> bool {
    a.nodes == b.nodes
        && a.inputs == b.inputs
        && a.outputs == b.outputs
        && a.repeats == b.repeats
        && a.node_ops == b.node_ops
        && a.edges() == b.edges()
}

/// Rounds to 1e-9 so that flows equal in exact arithmetic but summed in another order tie
/// exactly (scores are O(10) bits; the rounding is far below any real difference).
#[inline]
fn round9(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e9).round() / 1e9
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::SpaceKind;

    fn s(space: SpaceKind, a: &str) -> f64 {
        LedFlow::new(Default::default())
            .unwrap()
            .score(&AnyArch::parse(space, a).unwrap(), &mut Vec::new())
    }

    // Hand computation on an NB201 cell: paths 0→3 (skip), 0→1→3 (conv3, conv1),
    // 0→2→3 (pool, none: cut), 0→1→2→3 (conv3, conv3, none: cut).
    #[test]
    fn nb201_hand_computed() {
        let a = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|";
        let v: f64 = 0.75 + 3.0 * 1.0;
        // stages of 16, 32, 64 channels, 5 cells each: mean of log2(C·V)
        let expect = ((16.0 * v).log2() + (32.0 * v).log2() + (64.0 * v).log2()) / 3.0;
        assert!((s(SpaceKind::Nb201, a) - expect).abs() < 1e-9);
    }

    // The NB201 fast path equals the general graph path bit for bit on every cell of the
    // benchmark space and on generalised cells of 2–8 nodes, for several skip gains.
    #[test]
    fn nb201_fast_path_is_bit_identical() {
        for gain in [0.25, 0.75, 1.0, 1.7] {
            let f = LedFlow::new(LedFlowConfig {
                skip_gain: gain,
                ..Default::default()
            })
            .unwrap();
            let mut g = Vec::new();
            let mut check = |a: crate::arch::nb201::Nb201Arch| {
                let any = AnyArch::Nb201(a);
                any.graphs(&f.opts, &mut g);
                let slow = f.score_graphs(&g);
                let fast = f.score(&any, &mut g);
                assert_eq!(slow.to_bits(), fast.to_bits(), "{any}: {slow} vs {fast}");
            };
            for a in crate::arch::nb201::enumerate(4).unwrap() {
                check(a);
            }
            for nodes in [2usize, 3, 5, 8] {
                let e = nodes * (nodes - 1) / 2;
                let mut rng = 0x9e3779b97f4a7c15u64 ^ nodes as u64;
                for _ in 0..500 {
                    let ops: Vec<_> = (0..e)
                        .map(|_| {
                            rng ^= rng << 13;
                            rng ^= rng >> 7;
                            rng ^= rng << 17;
                            crate::arch::nb201::Nb201Op::from_id((rng % 5) as u8).unwrap()
                        })
                        .collect();
                    check(crate::arch::nb201::Nb201Arch::new(nodes, &ops).unwrap());
                }
            }
        }
    }

    // Edge case: a cell whose output is cut off from its input scores −∞ (ranked last).
    #[test]
    fn disconnected_is_neg_inf() {
        assert_eq!(
            s(
                SpaceKind::Nb201,
                "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
            ),
            f64::NEG_INFINITY
        );
    }

    // Position matters: the same op counts in different places score differently (SED cannot tell).
    #[test]
    fn position_aware() {
        let a = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
        let b = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
        assert_ne!(s(SpaceKind::Nb201, a), s(SpaceKind::Nb201, b));
    }

    #[test]
    fn other_spaces_score() {
        let nb101 = "0111101000001100000010000110000001100000000000000|input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output";
        assert!(s(SpaceKind::Nb101, nb101).is_finite());
        let darts = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0|max_pool_3x3~0;max_pool_3x3~1;skip_connect~2;max_pool_3x3~1;max_pool_3x3~0;skip_connect~2;skip_connect~2;max_pool_3x3~1";
        assert!(s(SpaceKind::Darts, darts).is_finite());
        assert!(s(SpaceKind::NatsSss, "64:64:64:64:64") > s(SpaceKind::NatsSss, "8:8:8:8:8"));
    }
}
