//! NAS-Bench-201 / NATS-Bench-TSS cells, and the generalised cell with N nodes.
//!
//! A cell with N nodes (node 0 the input, node N−1 the output) has one operation on every
//! edge j ← i (i < j): N(N−1)/2 edges, 5^(N(N−1)/2) cells (15,625 for the benchmark's N = 4,
//! 9,765,625 for the paper's 5-node example). The string form lists node j's incoming edges
//! `|op~0|op~1|...|op~(j−1)|` for j = 1..N−1, joined by `+`.
//!
//! Operations: `none`, `skip_connect`, `nor_conv_1x1`, `nor_conv_3x3`, `avg_pool_3x3`
//! (ids 0–4 in this order, the benchmark's order). The official index order of the 15,625
//! cells is embedded (`nb201_order.bin`, made by `scripts/gen-nb201-order.py` from the
//! public benchmark CSV and checked against it by a test).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use super::graph::{CellGraph, GraphOp};
use super::{BlockCensus, BlockKind, Census, CensusOptions, PoolCount};
use crate::error::{Error, Result};

/// Most nodes a generalised cell may have (28 edges).
pub const MAX_NODES: usize = 8;
const MAX_EDGES: usize = MAX_NODES * (MAX_NODES - 1) / 2;

/// Number of cells in the benchmark space.
pub const NB201_SIZE: usize = 15_625;

/// One NB201 operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum Nb201Op {
    /// Zero: the edge is absent.
    #[default]
    None = 0,
    /// Identity.
    Skip = 1,
    /// ReLU-conv1×1-BN.
    Conv1x1 = 2,
    /// ReLU-conv3×3-BN.
    Conv3x3 = 3,
    /// 3×3 average pooling, stride 1.
    AvgPool3x3 = 4,
}

/// Operation names in id order.
pub const OP_NAMES: [&str; 5] = [
    "none",
    "skip_connect",
    "nor_conv_1x1",
    "nor_conv_3x3",
    "avg_pool_3x3",
];
const OPS: [Nb201Op; 5] = [
    Nb201Op::None,
    Nb201Op::Skip,
    Nb201Op::Conv1x1,
    Nb201Op::Conv3x3,
    Nb201Op::AvgPool3x3,
];

impl Nb201Op {
    /// The benchmark's name.
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Op;
    /// assert_eq!(Nb201Op::Conv3x3.name(), "nor_conv_3x3");
    /// assert_eq!(Nb201Op::None.name(), "none");
    /// ```
    pub fn name(self) -> &'static str {
        OP_NAMES[self as usize]
    }
    /// From an id 0–4.
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Op;
    /// assert_eq!(Nb201Op::from_id(4), Some(Nb201Op::AvgPool3x3));
    /// assert_eq!(Nb201Op::from_id(5), None);
    /// ```
    pub fn from_id(id: u8) -> Option<Self> {
        OPS.get(id as usize).copied()
    }
}

/// A (generalised) NAS-Bench-201 cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nb201Arch {
    nodes: u8,
    ops: [Nb201Op; MAX_EDGES],
}

/// Edge index of j ← i in string order.
///
/// # Formula
/// Node j's edges follow those of nodes 1..j−1, which number 1 + 2 + … + (j−1) = j(j−1)/2.
///
/// ```
/// use sednas::arch::nb201::edge_index;
/// assert_eq!(edge_index(1, 0), 0);
/// assert_eq!(edge_index(2, 1), 2);
/// assert_eq!(edge_index(3, 2), 5);
/// ```
#[inline]
pub const fn edge_index(j: usize, i: usize) -> usize {
    j * (j - 1) / 2 + i
}

static ORDER_BYTES: &[u8] = include_bytes!("nb201_order.bin");

fn order() -> &'static [u16] {
    static ORDER: OnceLock<Vec<u16>> = OnceLock::new();
    ORDER.get_or_init(|| {
        ORDER_BYTES
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect()
    })
}

fn inverse_order() -> &'static [u16] {
    static INV: OnceLock<Vec<u16>> = OnceLock::new();
    INV.get_or_init(|| {
        let mut inv = vec![0u16; NB201_SIZE];
        for (i, &code) in order().iter().enumerate() {
            inv[code as usize] = i as u16;
        }
        inv
    })
}

impl Nb201Arch {
    /// A cell with `nodes` nodes from its edge operations in string order.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `nodes` outside 2..=8, or (`ops`) a count of
    /// operations other than the cell's n(n−1)/2 edges.
    ///
    /// ```
    /// use sednas::arch::nb201::{Nb201Arch, Nb201Op::*};
    /// let a = Nb201Arch::new(3, &[Conv3x3, Skip, Conv1x1]).unwrap();
    /// assert_eq!(a.to_string(), "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|");
    /// ```
    pub fn new(nodes: usize, ops: &[Nb201Op]) -> Result<Self> {
        if !(2..=MAX_NODES).contains(&nodes) {
            return Err(Error::param(
                "nodes",
                format!("a cell needs 2..={MAX_NODES} nodes, got {nodes}"),
            ));
        }
        let e = nodes * (nodes - 1) / 2;
        if ops.len() != e {
            return Err(Error::param(
                "ops",
                format!("a {nodes}-node cell has {e} edges, got {} ops", ops.len()),
            ));
        }
        let mut a = [Nb201Op::None; MAX_EDGES];
        a[..e].copy_from_slice(ops);
        Ok(Nb201Arch {
            nodes: nodes as u8,
            ops: a,
        })
    }

    /// Number of nodes (4 for the benchmark).
    ///
    /// ```
    /// let a: sednas::arch::nb201::Nb201Arch = "|skip_connect~0|+|none~0|none~1|".parse().unwrap();
    /// assert_eq!(a.nodes(), 3);
    /// ```
    pub fn nodes(&self) -> usize {
        self.nodes as usize
    }

    /// Edge operations in string order.
    ///
    /// ```
    /// use sednas::arch::nb201::{Nb201Arch, Nb201Op::*};
    /// let a: Nb201Arch = "|skip_connect~0|+|nor_conv_1x1~0|none~1|".parse().unwrap();
    /// assert_eq!(a.ops(), &[Skip, Conv1x1, None]);
    /// ```
    pub fn ops(&self) -> &[Nb201Op] {
        let n = self.nodes as usize;
        &self.ops[..n * (n - 1) / 2]
    }

    /// Operation on edge j ← i.
    ///
    /// ```
    /// use sednas::arch::nb201::{Nb201Arch, Nb201Op};
    /// let a: Nb201Arch = "|skip_connect~0|+|nor_conv_1x1~0|avg_pool_3x3~1|".parse().unwrap();
    /// assert_eq!(a.op(2, 1), Nb201Op::AvgPool3x3);
    /// assert_eq!(a.op(2, 0), Nb201Op::Conv1x1);
    /// ```
    pub fn op(&self, j: usize, i: usize) -> Nb201Op {
        self.ops[edge_index(j, i)]
    }

    /// The base-5 code Σ op_e·5^e (edges in string order).
    ///
    /// ```
    /// let a: sednas::arch::nb201::Nb201Arch = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|".parse().unwrap();
    /// assert_eq!(a.code(), 1);
    /// ```
    pub fn code(&self) -> u64 {
        self.ops()
            .iter()
            .rev()
            .fold(0u64, |acc, &op| acc * 5 + op as u64)
    }

    /// The cell with `nodes` nodes and base-5 `code`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `nodes` outside 2..=8, or a `code` of 5^(n(n−1)/2)
    /// or more.
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Arch;
    /// let a = Nb201Arch::from_code(4, 4039).unwrap();
    /// assert_eq!(a.code(), 4039);
    /// assert!(Nb201Arch::from_code(4, 15_625).is_err());
    /// ```
    pub fn from_code(nodes: usize, mut code: u64) -> Result<Self> {
        if !(2..=MAX_NODES).contains(&nodes) {
            return Err(Error::param(
                "nodes",
                format!("a cell needs 2..={MAX_NODES} nodes, got {nodes}"),
            ));
        }
        let e = nodes * (nodes - 1) / 2;
        let total = 5u64.checked_pow(e as u32).unwrap_or(u64::MAX);
        if code >= total {
            return Err(Error::param(
                "code",
                format!("a {nodes}-node cell has codes 0..5^{e} = {total}, got {code}"),
            ));
        }
        let mut ops = [Nb201Op::None; MAX_EDGES];
        for op in ops.iter_mut().take(e) {
            *op = OPS[(code % 5) as usize];
            code /= 5;
        }
        Ok(Nb201Arch {
            nodes: nodes as u8,
            ops,
        })
    }

    /// The benchmark cell with official index `index` (0..15,625).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`index`) for an index of 15,625 or more.
    ///
    /// ```
    /// let a = sednas::arch::nb201::Nb201Arch::from_index(0).unwrap();
    /// assert_eq!(a.to_string(), "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
    /// assert_eq!(a.official_index(), Some(0));
    /// ```
    pub fn from_index(index: usize) -> Result<Self> {
        let code = *order().get(index).ok_or_else(|| {
            Error::param(
                "index",
                format!("NB201 indices are 0..{NB201_SIZE}, got {index}"),
            )
        })?;
        Self::from_code(4, code as u64)
    }

    /// The official index, for 4-node cells.
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Arch;
    /// let a: Nb201Arch =
    ///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|".parse().unwrap();
    /// assert_eq!(a.official_index(), Some(1));
    /// // a 3-node cell is not in the benchmark
    /// let b: Nb201Arch = "|skip_connect~0|+|none~0|none~1|".parse().unwrap();
    /// assert_eq!(b.official_index(), None);
    /// ```
    pub fn official_index(&self) -> Option<usize> {
        (self.nodes == 4).then(|| inverse_order()[self.code() as usize] as usize)
    }

    /// Whether some path of non-`none` edges joins the input to the output.
    ///
    /// ```
    /// let a: sednas::arch::nb201::Nb201Arch = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|".parse().unwrap();
    /// assert!(!a.is_connected());
    /// ```
    pub fn is_connected(&self) -> bool {
        let n = self.nodes as usize;
        let mut reach = [false; MAX_NODES];
        reach[0] = true;
        for j in 1..n {
            reach[j] = (0..j).any(|i| reach[i] && self.op(j, i) != Nb201Op::None);
        }
        reach[n - 1]
    }

    /// Canonical form under isomorphism, following NAS-Bench-201's `to_unique_str(consider_zero=True)`:
    /// `none` edges (and edges from all-zero nodes) become zero, a skip passes its input's
    /// expression through, any other operation wraps it, and each node's terms are sorted.
    /// Two cells compute the same function exactly when their canonical forms are equal
    /// (6,466 classes among the 15,625 benchmark cells).
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Arch;
    /// let a: Nb201Arch = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|nor_conv_1x1~1|skip_connect~2|".parse().unwrap();
    /// let b: Nb201Arch = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|nor_conv_1x1~1|skip_connect~2|".parse().unwrap();
    /// assert_eq!(a.canonical(), b.canonical());
    /// ```
    pub fn canonical(&self) -> String {
        let n = self.nodes as usize;
        let mut exprs: Vec<String> = Vec::with_capacity(n);
        exprs.push("0".to_string());
        for j in 1..n {
            let mut terms: Vec<String> = (0..j)
                .map(|i| {
                    let op = self.op(j, i);
                    let src = &exprs[i];
                    match op {
                        Nb201Op::None => "#".to_string(),
                        _ if src == "#" => "#".to_string(),
                        Nb201Op::Skip => src.clone(),
                        _ => format!("({src})@{}", op.name()),
                    }
                })
                .collect();
            terms.sort();
            exprs.push(terms.join("+"));
        }
        exprs.pop().unwrap_or_default()
    }

    /// Writes the op census (see [`super::Census`]) of the NB201 network built from this cell:
    /// three stages of N cells with C, 2C, 4C channels at resolution R, R/2, R/4.
    ///
    /// ```
    /// use sednas::arch::nb201::Nb201Arch;
    /// use sednas::arch::{BlockKind, Census, CensusOptions, CensusParams, ConvCount};
    /// let a: Nb201Arch =
    ///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|".parse().unwrap();
    /// let mut c = Census::default();
    /// a.census(&CensusOptions::default(), &mut c);
    /// let last = &c.blocks[2];
    /// assert_eq!((last.c_out, last.f_out, last.multiplicity), (64, 8 * 8, 5));
    /// assert_eq!(
    ///     last.convs(),
    ///     &[
    ///         ConvCount { kw: 3, kh: 3, ops: 2, filters: 128 },
    ///         ConvCount { kw: 1, kh: 1, ops: 1, filters: 64 },
    ///     ]
    /// );
    /// assert_eq!((last.skips, last.nones), (1, 2));
    /// // stage blocks: each op counted once per cell of the stage
    /// let stage = CensusParams { block: BlockKind::Stage, ..CensusParams::default() }.check().unwrap();
    /// a.census(&stage, &mut c);
    /// assert_eq!((c.blocks[0].skips, c.blocks[0].nones, c.blocks[0].multiplicity), (5, 10, 1));
    /// // node blocks: nodes 1, 2, 3 of each of the three stages
    /// let node = CensusParams { block: BlockKind::Node, ..CensusParams::default() }.check().unwrap();
    /// a.census(&node, &mut c);
    /// assert_eq!(c.blocks.len(), 9);
    /// ```
    pub fn census(&self, opts: &CensusOptions, out: &mut Census) {
        out.clear(true, true);
        let n = self.nodes as usize;
        let o1 = Some(PoolCount::kernel(3, 3, 1, 1));
        let mut hist = [0u32; 5];
        for &op in self.ops() {
            hist[op as usize] += 1;
        }
        for stage in 0..3u32 {
            let c = opts.nb201_channels << stage;
            let side = (opts.resolution >> stage).max(1) as u64;
            let f = side * side;
            let cells = opts.nb201_cells_per_stage;
            match opts.block {
                BlockKind::Cell | BlockKind::Stage => {
                    let (times, mult) = opts.block.times_and_multiplicity(cells);
                    out.blocks.push(BlockCensus::new(c, c, f, f, mult, o1));
                    let b = out.blocks.last_mut().expect("just pushed");
                    add_counts(b, &hist, c, times);
                }
                BlockKind::Node => {
                    for j in 1..n {
                        let mut b = BlockCensus::new(c, c, f, f, cells, o1);
                        let mut h = [0u32; 5];
                        for i in 0..j {
                            h[self.op(j, i) as usize] += 1;
                        }
                        add_counts(&mut b, &h, c, 1);
                        out.blocks.push(b);
                    }
                }
            }
        }
    }
}

impl Nb201Arch {
    /// Cell graphs: one per stage (channels C, 2C, 4C), multiplicity N.
    ///
    /// ```
    /// use sednas::arch::graph::GraphOp;
    /// use sednas::arch::nb201::Nb201Arch;
    /// use sednas::arch::CensusOptions;
    /// let a: Nb201Arch = "|nor_conv_1x1~0|+|none~0|skip_connect~1|".parse().unwrap();
    /// let mut gs = Vec::new();
    /// a.graphs(&CensusOptions::default(), &mut gs);
    /// assert_eq!(gs.len(), 3);
    /// assert_eq!(gs[2].channels, 64);
    /// assert_eq!(gs[0].edges(), &[(0, 1, GraphOp::Conv { k: 1 }), (1, 2, GraphOp::Skip)]);
    /// ```
    pub fn graphs(&self, opts: &CensusOptions, out: &mut Vec<CellGraph>) {
        let n = self.nodes as usize;
        let mut g = CellGraph::new(n, 1, opts.nb201_channels, opts.nb201_cells_per_stage);
        for j in 1..n {
            for i in 0..j {
                let op = match self.op(j, i) {
                    Nb201Op::None => continue,
                    Nb201Op::Skip => GraphOp::Skip,
                    Nb201Op::Conv1x1 => GraphOp::Conv { k: 1 },
                    Nb201Op::Conv3x3 => GraphOp::Conv { k: 3 },
                    Nb201Op::AvgPool3x3 => GraphOp::AvgPool { o: 3, s: 1 },
                };
                g.edge(i, j, op);
            }
        }
        g.outputs = 1 << (n - 1);
        for stage in 0..3u32 {
            g.channels = opts.nb201_channels << stage;
            out.push(g);
        }
    }
}

/// Fast path of the parser: the operation whose name starts at `pos` (recognised by its
/// first bytes, then checked in full) and the position of the `~` that must follow it.
#[inline]
fn lex_op(b: &[u8], pos: usize) -> Option<(Nb201Op, usize)> {
    let op = match *b.get(pos)? {
        b's' => Nb201Op::Skip,
        b'a' => Nb201Op::AvgPool3x3,
        b'n' => match *b.get(pos + 2)? {
            b'n' => Nb201Op::None,
            b'r' => match *b.get(pos + 11)? {
                b'1' => Nb201Op::Conv1x1,
                b'3' => Nb201Op::Conv3x3,
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let end = pos + if op == Nb201Op::None { 4 } else { 12 };
    (op_from_bytes(b.get(pos..end)?) == Some(op) && b.get(end) == Some(&b'~')).then_some((op, end))
}

/// The operation named by `name` (exact match), decided by length and two bytes, then one
/// comparison.
#[inline]
fn op_from_bytes(name: &[u8]) -> Option<Nb201Op> {
    let op = match (name.len(), name.first(), name.last()) {
        (4, Some(b'n'), Some(b'e')) => Nb201Op::None,
        (12, Some(b's'), Some(b't')) => Nb201Op::Skip,
        (12, Some(b'n'), Some(b'1')) => Nb201Op::Conv1x1,
        (12, Some(b'n'), Some(b'3')) => Nb201Op::Conv3x3,
        (12, Some(b'a'), Some(b'3')) => Nb201Op::AvgPool3x3,
        _ => return None,
    };
    let want = op.name().as_bytes();
    // fixed-width compares instead of a memcmp call
    let same = if name.len() == 12 {
        let w = |x: &[u8]| {
            (
                u64::from_le_bytes(x[..8].try_into().expect("8")),
                u32::from_le_bytes(x[8..12].try_into().expect("4")),
            )
        };
        w(name) == w(want)
    } else {
        name == want
    };
    same.then_some(op)
}

/// Adds an op histogram (indexed by [`Nb201Op`] id) to a block, `times` over.
#[inline]
fn add_counts(b: &mut BlockCensus, h: &[u32; 5], c: u32, times: u32) {
    b.nones += h[Nb201Op::None as usize] * times;
    b.skips += h[Nb201Op::Skip as usize] * times;
    if h[Nb201Op::Conv3x3 as usize] > 0 {
        b.add_conv(3, 3, c, h[Nb201Op::Conv3x3 as usize] * times);
    }
    if h[Nb201Op::Conv1x1 as usize] > 0 {
        b.add_conv(1, 1, c, h[Nb201Op::Conv1x1 as usize] * times);
    }
    if h[Nb201Op::AvgPool3x3 as usize] > 0 {
        b.add_pool(3, 3, 1, 1, h[Nb201Op::AvgPool3x3 as usize] * times);
    }
}

fn arch_err(position: usize, expected: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Arch {
        space: "nb201",
        position,
        expected: expected.into(),
        message: message.into(),
    }
}

impl FromStr for Nb201Arch {
    type Err = Error;

    /// Parses `|op~0|+|op~0|op~1|+...`; errors name the byte position and what was expected.
    fn from_str(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let mut pos = 0usize;
        let mut ops = [Nb201Op::None; MAX_EDGES];
        let mut node = 1usize;
        let mut e = 0usize;
        loop {
            if node >= MAX_NODES {
                return Err(arch_err(
                    pos,
                    format!("at most {MAX_NODES} nodes"),
                    "too many nodes",
                ));
            }
            if b.get(pos) != Some(&b'|') {
                return Err(arch_err(pos, "'|'", "malformed cell"));
            }
            pos += 1;
            for i in 0..node {
                let start = pos;
                if matches!(b.get(pos), None | Some(b'+')) {
                    return Err(arch_err(
                        pos,
                        format!("{node} inputs for node {node}"),
                        format!("wrong edge count: node {node} has {i}"),
                    ));
                }
                let (op, t) = match lex_op(b, pos) {
                    Some(x) => x,
                    None => {
                        // slow path: find the name's end only to report what is wrong
                        let tilde = b[pos..]
                            .iter()
                            .position(|&c| c == b'~' || c == b'|' || c == b'+')
                            .map(|k| pos + k);
                        let Some(t) = tilde.filter(|&t| b[t] == b'~') else {
                            return Err(arch_err(start, "'op~input'", "missing '~'"));
                        };
                        return Err(arch_err(
                            start,
                            "one of none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3",
                            format!("unknown operation {:?}", &s[start..t]),
                        ));
                    }
                };
                pos = t + 1;
                let dstart = pos;
                // every digit is read (an index is never cut to its first digits); one
                // that overflows stays None and is reported with its own text
                let mut idx = Some(0usize);
                while pos < b.len() && b[pos].is_ascii_digit() {
                    idx = idx
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add((b[pos] - b'0') as usize));
                    pos += 1;
                }
                if pos == dstart {
                    return Err(arch_err(
                        dstart,
                        "an input node number",
                        "missing input index",
                    ));
                }
                if idx != Some(i) {
                    return Err(arch_err(
                        dstart,
                        format!(
                            "input {i} (node {node} lists inputs 0..{} in order)",
                            node - 1
                        ),
                        format!(
                            "input index {} out of place",
                            crate::io::bounded::excerpt(&s[dstart..pos], 24)
                        ),
                    ));
                }
                if b.get(pos) != Some(&b'|') {
                    let msg = if i + 1 == node {
                        "wrong edge count"
                    } else {
                        "malformed cell"
                    };
                    return Err(arch_err(pos, "'|'", msg));
                }
                pos += 1;
                ops[e] = op;
                e += 1;
            }
            node += 1;
            match b.get(pos) {
                None => break,
                Some(b'+') => pos += 1,
                Some(_) => {
                    return Err(arch_err(
                        pos,
                        format!("'+' or end (node {} has {} inputs)", node - 1, node - 1),
                        "wrong edge count",
                    ));
                }
            }
        }
        Ok(Nb201Arch {
            nodes: node as u8,
            ops,
        })
    }
}

impl Nb201Arch {
    /// Appends the string form (the same bytes as `Display`) to `out`, without the
    /// formatting machinery.
    ///
    /// ```
    /// let a = sednas::arch::nb201::Nb201Arch::from_index(0).unwrap();
    /// let mut b = Vec::new();
    /// a.write_bytes(&mut b);
    /// assert_eq!(b, a.to_string().into_bytes());
    /// ```
    pub fn write_bytes(&self, out: &mut Vec<u8>) {
        let n = self.nodes as usize;
        for j in 1..n {
            if j > 1 {
                out.push(b'+');
            }
            out.push(b'|');
            for i in 0..j {
                out.extend_from_slice(self.op(j, i).name().as_bytes());
                out.push(b'~');
                crate::io::text::push_u64(out, i as u64);
                out.push(b'|');
            }
        }
    }
}

impl Nb201Arch {
    /// Length in bytes of the string form.
    ///
    /// ```
    /// let a = sednas::arch::nb201::Nb201Arch::from_index(0).unwrap();
    /// assert_eq!(a.text_len(), a.to_string().len());
    /// ```
    pub fn text_len(&self) -> usize {
        let n = self.nodes as usize;
        let mut len = n.saturating_sub(2); // '+' between nodes
        for j in 1..n {
            len += 1; // leading '|'
            for i in 0..j {
                let digits = if i < 10 { 1 } else { 2 };
                len += self.op(j, i).name().len() + 1 + digits + 1;
            }
        }
        len
    }
}

impl fmt::Display for Nb201Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.nodes as usize;
        for j in 1..n {
            if j > 1 {
                f.write_str("+")?;
            }
            f.write_str("|")?;
            for i in 0..j {
                write!(f, "{}~{}|", self.op(j, i).name(), i)?;
            }
        }
        Ok(())
    }
}

/// Iterator over every cell with `nodes` nodes, in base-5 code order.
///
/// # Errors
/// As [`space_size`].
///
/// ```
/// assert_eq!(sednas::arch::nb201::enumerate(4).unwrap().count(), 15_625);
/// ```
pub fn enumerate(nodes: usize) -> Result<impl Iterator<Item = Nb201Arch>> {
    let total = space_size(nodes)?;
    Ok((0..total).map(move |c| Nb201Arch::from_code(nodes, c).expect("code in range")))
}

/// Number of cells with `nodes` nodes: 5^(nodes(nodes−1)/2).
///
/// # Errors
/// [`Error::InvalidParameter`] (`nodes`) outside 2..=7 (from 8 nodes on the count does not
/// fit a u64).
///
/// ```
/// assert_eq!(sednas::arch::nb201::space_size(5).unwrap(), 9_765_625);
/// assert_eq!(sednas::arch::nb201::space_size(7).unwrap(), 5u64.pow(21));
/// assert!(sednas::arch::nb201::space_size(8).is_err()); // 5^28 > u64::MAX
/// assert!(sednas::arch::nb201::space_size(1).is_err());
/// ```
pub fn space_size(nodes: usize) -> Result<u64> {
    // 5^(n(n−1)/2) fits in a u64 up to 7 nodes (5^21); an 8-node cell parses, but its space
    // (5^28) cannot be counted
    if !(2..=7).contains(&nodes) {
        return Err(Error::param(
            "nodes",
            format!(
                "a cell space needs 2..=7 nodes (its 5^(n(n−1)/2) cells must fit in a u64), got {nodes}"
            ),
        ));
    }
    Ok(5u64.pow((nodes * (nodes - 1) / 2) as u32))
}

impl Nb201Arch {
    /// Parameters of the NAS-Bench-201 network built from this cell (C = 16, N = 5 cells per
    /// stage, `classes` outputs), counted as the benchmark does (`params_mb_*` of
    /// `nb201_arch_cost.csv` × 10⁶ on all 15,625 cells, test `tests/params.rs`).
    ///
    /// # Formula
    /// Stem conv 3×3 (3→16) + BN; stages of 5 cells at C = 16, 32, 64; between stages a
    /// residual block C→2C (two ReLU-conv 3×3-BN and an avg-pool + conv 1×1 shortcut
    /// without BN); final BN(64); linear 64→classes with bias. Per cell, each
    /// ReLU-conv k×k-BN edge adds k²C² + 2C; skip, pool and none add nothing. Together:
    /// 73,306 + 243,040·n₃ₓ₃ + 28,000·n₁ₓ₁ for 10 classes, n = ops per cell (dead edges
    /// included: they still hold weights).
    ///
    /// ```
    /// let a: sednas::arch::nb201::Nb201Arch =
    ///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|".parse().unwrap();
    /// assert_eq!(a.params(10), 73_306 + 3 * 243_040); // NATS-Bench index 1: 0.802426 M
    /// ```
    pub fn params(&self, classes: u64) -> u64 {
        let block = |a: u64, b: u64| 9 * a * b + 2 * b + 9 * b * b + 2 * b + a * b;
        let mut p = 3 * 9 * 16 + 2 * 16 + block(16, 32) + block(32, 64) + 2 * 64;
        p += 64 * classes + classes;
        for c in [16u64, 32, 64] {
            for &op in self.ops() {
                p += 5 * match op {
                    Nb201Op::Conv3x3 => 9 * c * c + 2 * c,
                    Nb201Op::Conv1x1 => c * c + 2 * c,
                    _ => 0,
                };
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Edge cases of malformed strings: each names a position and what was expected.
    #[test]
    fn malformed_strings() {
        let cases = [
            ("", 0, "'|'"),
            (
                "|nor_conv_3x3~0|+|nor_conv_5x5~0|none~1|",
                18,
                "unknown operation",
            ),
            ("|nor_conv_3x3~1|", 14, "out of place"),
            ("|nor_conv_3x3~0|+|none~0|", 25, "wrong edge count"),
            ("|nor_conv_3x3~0|none~1|", 16, "wrong edge count"),
            ("|nor_conv_3x3|", 1, "missing '~'"),
            ("|nor_conv_3x3~|", 14, "missing input index"),
            // an index is read whole, never cut to its first three digits ("999")
            (
                "|nor_conv_3x3~99999999999999999999|",
                14,
                "input index 99999999999999999999 out of place",
            ),
            ("|nor_conv_3x3~1000|", 14, "input index 1000 out of place"),
        ];
        for (s, pos, msg) in cases {
            match s.parse::<Nb201Arch>() {
                Err(Error::Arch {
                    position,
                    message,
                    expected,
                    ..
                }) => {
                    assert_eq!(position, pos, "{s}: {message} / {expected}");
                    assert!(
                        message.contains(msg) || expected.contains(msg),
                        "{s}: {message} / {expected}"
                    );
                }
                other => panic!("{s}: expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn round_trip_all_benchmark_cells() {
        for i in 0..NB201_SIZE {
            let a = Nb201Arch::from_index(i).unwrap();
            let s = a.to_string();
            let b: Nb201Arch = s.parse().unwrap();
            assert_eq!(a, b);
            assert_eq!(b.official_index(), Some(i));
        }
    }

    #[test]
    fn isomorphism_classes_match_nb201() {
        let mut set = std::collections::HashSet::new();
        for a in enumerate(4).unwrap() {
            set.insert(a.canonical());
        }
        assert_eq!(set.len(), 6466);
    }

    #[test]
    fn disconnected_count_is_341() {
        assert_eq!(
            enumerate(4).unwrap().filter(|a| !a.is_connected()).count(),
            341
        );
    }

    #[test]
    fn five_node_cells_round_trip() {
        let a = Nb201Arch::from_code(5, 9_765_624).unwrap();
        assert_eq!(a.to_string().parse::<Nb201Arch>().unwrap(), a);
        assert_eq!(a.official_index(), None);
    }
}

/// NAS-Bench-201 / NATS-Bench-TSS: the 4-node cell in the benchmark's skeleton (the
/// generalised N-node cell parses and scores too, through [`Nb201Arch`] directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nb201;

impl super::space::SearchSpace for Nb201 {
    type Arch = Nb201Arch;
    const KIND: super::SpaceKind = super::SpaceKind::Nb201;
    const COLUMNS: crate::io::columns::ColumnLayout = crate::io::columns::ColumnLayout {
        arch: "arch_str",
        extra: crate::io::columns::ExtraColumn::None,
    };

    fn wrap(a: Nb201Arch) -> super::AnyArch {
        super::AnyArch::Nb201(a)
    }

    fn census(a: &Nb201Arch, opts: &CensusOptions, out: &mut Census) {
        a.census(opts, out)
    }

    fn graphs(a: &Nb201Arch, opts: &CensusOptions, out: &mut Vec<CellGraph>) {
        a.graphs(opts, out)
    }

    fn params(a: &Nb201Arch) -> Option<u64> {
        Some(a.params(10))
    }

    fn index(a: &Nb201Arch) -> Option<usize> {
        a.official_index()
    }

    fn size() -> Option<u64> {
        space_size(4).ok()
    }

    fn sample(r: &mut crate::rng::SplitMix64) -> Result<Nb201Arch> {
        Nb201Arch::from_code(4, r.below(space_size(4)?))
    }

    /// Exactly one edge changes to a different operation (any node count).
    fn mutate(x: &Nb201Arch, r: &mut crate::rng::SplitMix64) -> Nb201Arch {
        let mut ops: Vec<Nb201Op> = x.ops().to_vec();
        let e = r.below(ops.len() as u64) as usize;
        let cur = ops[e] as u8;
        let mut new = r.below(4) as u8;
        if new >= cur {
            new += 1;
        }
        ops[e] = Nb201Op::from_id(new).expect("id < 5");
        Nb201Arch::new(x.nodes(), &ops).expect("same shape")
    }

    fn enumerate() -> Option<Box<dyn Iterator<Item = Nb201Arch>>> {
        enumerate(4)
            .ok()
            .map(|it| Box::new(it) as Box<dyn Iterator<Item = Nb201Arch>>)
    }
}
