//! NAS-Bench-101 cells: an upper-triangular adjacency matrix (n ≤ 7 vertices) and one
//! operation per vertex (`input`, `conv3x3-bn-relu`, `conv1x1-bn-relu`, `maxpool3x3`,
//! `output`). One-line form: `ADJ|op,op,...` with ADJ the n² 0/1 entries row-major (49
//! characters for 7 vertices), as in NASLib's data. The census uses the *pruned* cell:
//! vertices not on an input→output path are dropped, as NAS-Bench-101 does.
//!
//! Network: 3 stacks of 3 cells (128, 256, 512 channels at 32², 16², 8²) with fixed
//! down-sampling between stacks. NAS-Bench-101 has no skip operation (SED's skip_SED
//! takes the configured constant); the 1×1 projections the benchmark adds are not counted.

use std::fmt;
use std::str::FromStr;

use super::{BlockCensus, BlockKind, Census, CensusOptions, PoolCount};
use crate::error::{Error, Result};

/// Largest cell.
pub const MAX_VERTICES: usize = 7;
/// NAS-Bench-101's edge limit.
pub const MAX_EDGES: usize = 9;

/// A vertex operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nb101Op {
    /// The cell input.
    Input,
    /// 3×3 convolution.
    Conv3x3,
    /// 1×1 convolution.
    Conv1x1,
    /// 3×3 max pooling, stride 1.
    MaxPool3x3,
    /// The cell output.
    Output,
}

impl Nb101Op {
    /// The benchmark's name.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Op;
    /// assert_eq!(Nb101Op::Conv1x1.name(), "conv1x1-bn-relu");
    /// assert_eq!(Nb101Op::MaxPool3x3.name(), "maxpool3x3");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Nb101Op::Input => "input",
            Nb101Op::Conv3x3 => "conv3x3-bn-relu",
            Nb101Op::Conv1x1 => "conv1x1-bn-relu",
            Nb101Op::MaxPool3x3 => "maxpool3x3",
            Nb101Op::Output => "output",
        }
    }
}

/// A NAS-Bench-101 cell as given (unpruned, for lossless round trips).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nb101Arch {
    n: usize,
    adj: [[bool; MAX_VERTICES]; MAX_VERTICES],
    ops: [Nb101Op; MAX_VERTICES],
}

fn err(position: usize, expected: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Arch {
        space: "nb101",
        position,
        expected: expected.into(),
        message: message.into(),
    }
}

impl Nb101Arch {
    /// Builds and validates a cell from its matrix text (n² characters of 0/1, row-major)
    /// and its operation names.
    ///
    /// # Errors
    /// [`Error::Arch`] naming the position of what is wrong: a matrix that is not n²
    /// characters of 0/1 with 2 ≤ n ≤ 7, an edge that is not upper-triangular, operations
    /// that do not match the matrix (count, names, input first and output last).
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// let a = Nb101Arch::from_parts("011001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// assert_eq!(a.pruned_ops().len(), 3);
    /// assert!(Nb101Arch::from_parts("010001100", &["input", "conv3x3-bn-relu", "output"]).is_err());
    /// ```
    pub fn from_parts(matrix: &str, ops: &[&str]) -> Result<Self> {
        let m = matrix.trim().as_bytes();
        let n = (1..=MAX_VERTICES)
            .find(|k| k * k == m.len())
            .ok_or_else(|| {
                err(
                    0,
                    "n² characters of 0/1 with 2 ≤ n ≤ 7 (49 for 7 vertices)",
                    format!("matrix has {} characters", m.len()),
                )
            })?;
        if n < 2 {
            return Err(err(0, "at least 2 vertices", "matrix too small"));
        }
        let mut adj = [[false; MAX_VERTICES]; MAX_VERTICES];
        for (k, &ch) in m.iter().enumerate() {
            let (i, j) = (k / n, k % n);
            match ch {
                b'0' => {}
                b'1' if j > i => adj[i][j] = true,
                b'1' => {
                    return Err(err(
                        k,
                        "0 on and below the diagonal (upper-triangular)",
                        format!("entry ({i}, {j}) is 1"),
                    ));
                }
                _ => return Err(err(k, "'0' or '1'", format!("character {:?}", ch as char))),
            }
        }
        if ops.len() != n {
            return Err(err(
                m.len(),
                format!("{n} operations"),
                format!("found {}", ops.len()),
            ));
        }
        let mut o = [Nb101Op::Input; MAX_VERTICES];
        for (k, name) in ops.iter().enumerate() {
            let op = match name.trim() {
                "input" if k == 0 => Nb101Op::Input,
                "output" if k == n - 1 => Nb101Op::Output,
                "conv3x3-bn-relu" if k > 0 && k < n - 1 => Nb101Op::Conv3x3,
                "conv1x1-bn-relu" if k > 0 && k < n - 1 => Nb101Op::Conv1x1,
                "maxpool3x3" if k > 0 && k < n - 1 => Nb101Op::MaxPool3x3,
                other => {
                    let exp = if k == 0 {
                        "input"
                    } else if k == n - 1 {
                        "output"
                    } else {
                        "one of conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3"
                    };
                    return Err(err(
                        m.len() + 1 + k,
                        exp,
                        format!("operation {k} is {other:?}"),
                    ));
                }
            };
            o[k] = op;
        }
        let a = Nb101Arch { n, adj, ops: o };
        if a.keep().iter().take(n).all(|&k| !k) {
            return Err(err(0, "a path from input to output", "output unreachable"));
        }
        Ok(a)
    }

    /// Number of edges of the matrix as given.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// // 0→1, 0→2, 1→2
    /// let a = Nb101Arch::from_parts("011001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// assert_eq!(a.edges(), 3);
    /// ```
    pub fn edges(&self) -> usize {
        self.adj
            .iter()
            .map(|r| r.iter().filter(|&&x| x).count())
            .sum()
    }

    /// Whether the cell lies in the official NAS-Bench-101 space (at most 9 edges and 7
    /// vertices). The parser accepts larger DAGs (NASLib's sample contains some) and the
    /// census treats them the same way; this flag lets reports count them.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// let a = Nb101Arch::from_parts("011001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// assert_eq!(a.within_official_limits(), true);
    /// // 7 vertices, every edge above the diagonal: 21 edges
    /// let full = format!("{}|input,{}output", "0111111001111100011110000111000001100000010000000",
    ///     "conv3x3-bn-relu,".repeat(5));
    /// let b: Nb101Arch = full.parse().unwrap();
    /// assert_eq!((b.edges(), b.within_official_limits()), (21, false));
    /// ```
    pub fn within_official_limits(&self) -> bool {
        self.edges() <= MAX_EDGES
    }

    /// Vertices on some input→output path.
    fn keep(&self) -> [bool; MAX_VERTICES] {
        let n = self.n;
        let mut fwd = [false; MAX_VERTICES];
        fwd[0] = true;
        for j in 1..n {
            fwd[j] = (0..j).any(|i| fwd[i] && self.adj[i][j]);
        }
        let mut bwd = [false; MAX_VERTICES];
        bwd[n - 1] = true;
        for i in (0..n - 1).rev() {
            bwd[i] = (i + 1..n).any(|j| bwd[j] && self.adj[i][j]);
        }
        let mut keep = [false; MAX_VERTICES];
        for k in 0..n {
            keep[k] = fwd[k] && bwd[k];
        }
        if !keep[n - 1] {
            return [false; MAX_VERTICES];
        }
        keep
    }

    /// Number of vertices of the pruned cell that carry `op`.
    ///
    /// ```
    /// use sednas::arch::nb101::{Nb101Arch, Nb101Op};
    /// let a = Nb101Arch::from_parts("010001000", &["input", "maxpool3x3", "output"]).unwrap();
    /// assert_eq!(a.pruned_count(Nb101Op::MaxPool3x3), 1);
    /// ```
    pub fn pruned_count(&self, op: Nb101Op) -> usize {
        let keep = self.keep();
        (0..self.n)
            .filter(|&k| keep[k] && self.ops[k] == op)
            .count()
    }

    /// Operations of the pruned cell (input and output included).
    ///
    /// ```
    /// use sednas::arch::nb101::{Nb101Arch, Nb101Op};
    /// // vertex 2 (max pool) feeds nothing: pruned
    /// let a = Nb101Arch::from_parts(
    ///     "0110000100000000",
    ///     &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
    /// )
    /// .unwrap();
    /// assert_eq!(a.pruned_ops(), vec![Nb101Op::Input, Nb101Op::Conv3x3, Nb101Op::Output]);
    /// ```
    pub fn pruned_ops(&self) -> Vec<Nb101Op> {
        let keep = self.keep();
        (0..self.n)
            .filter(|&k| keep[k])
            .map(|k| self.ops[k])
            .collect()
    }

    /// Op census over 3 stacks of `nb101_cells_per_stack` cells.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// use sednas::arch::{Census, CensusOptions, ConvCount};
    /// let a = Nb101Arch::from_parts("010001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// let mut c = Census::default();
    /// a.census(&CensusOptions::default(), &mut c);
    /// assert_eq!(c.space_has_skip, false);
    /// let filters: Vec<_> = c.blocks.iter().map(|b| b.convs()[0].filters).collect();
    /// assert_eq!(filters, [128, 256, 512]);
    /// assert_eq!(c.blocks[0].convs(), &[ConvCount { kw: 3, kh: 3, ops: 1, filters: 128 }]);
    /// assert_eq!((c.blocks[0].f_in, c.blocks[0].multiplicity), (32 * 32, 3));
    /// ```
    pub fn census(&self, opts: &CensusOptions, out: &mut Census) {
        out.clear(false, true);
        let keep = self.keep();
        let o1 = Some(PoolCount::kernel(3, 3, 1, 1));
        for stack in 0..3u32 {
            let c = opts.nb101_channels << stack;
            let side = (opts.resolution >> stack).max(1) as u64;
            let f = side * side;
            let cells = opts.nb101_cells_per_stack;
            let add = |b: &mut BlockCensus, op: Nb101Op, times: u32| match op {
                Nb101Op::Conv3x3 => b.add_conv(3, 3, c, times),
                Nb101Op::Conv1x1 => b.add_conv(1, 1, c, times),
                Nb101Op::MaxPool3x3 => b.add_pool(3, 3, 1, 1, times),
                _ => {}
            };
            match opts.block {
                BlockKind::Cell | BlockKind::Stage => {
                    let (times, mult) = opts.block.times_and_multiplicity(cells);
                    let mut b = BlockCensus::new(c, c, f, f, mult, o1);
                    for k in 1..self.n - 1 {
                        if keep[k] {
                            add(&mut b, self.ops[k], times);
                        }
                    }
                    out.blocks.push(b);
                }
                BlockKind::Node => {
                    for k in 1..self.n - 1 {
                        if keep[k] {
                            let mut b = BlockCensus::new(c, c, f, f, cells, o1);
                            add(&mut b, self.ops[k], 1);
                            out.blocks.push(b);
                        }
                    }
                    if out.blocks.is_empty() || (1..self.n - 1).all(|k| !keep[k]) {
                        // input wired straight to output: one empty block
                        out.blocks.push(BlockCensus::new(c, c, f, f, cells, o1));
                    }
                }
            }
        }
    }
}

impl Nb101Arch {
    /// Cell graphs: vertices with their operations, identity edges; one graph per stack
    /// (128, 256, 512 channels), multiplicity = cells per stack. The output vertex sums
    /// (NAS-Bench-101 concatenates) its inputs.
    ///
    /// ```
    /// use sednas::arch::graph::GraphOp;
    /// use sednas::arch::nb101::Nb101Arch;
    /// use sednas::arch::CensusOptions;
    /// let a = Nb101Arch::from_parts("010001000", &["input", "maxpool3x3", "output"]).unwrap();
    /// let mut gs = Vec::new();
    /// a.graphs(&CensusOptions::default(), &mut gs);
    /// assert_eq!(gs.iter().map(|g| g.channels).collect::<Vec<_>>(), [128, 256, 512]);
    /// assert_eq!(gs[0].edges(), &[(0, 1, GraphOp::Wire), (1, 2, GraphOp::Wire)]);
    /// assert_eq!(gs[0].node_ops[1], GraphOp::MaxPool { o: 3, s: 1 });
    /// assert_eq!((gs[0].outputs, gs[0].multiplicity), (0b100, 3));
    /// ```
    pub fn graphs(&self, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        use super::graph::{CellGraph, GraphOp};
        for stack in 0..3u32 {
            let mut g = CellGraph::new(
                self.n,
                1,
                opts.nb101_channels << stack,
                opts.nb101_cells_per_stack,
            );
            for i in 0..self.n {
                for j in i + 1..self.n {
                    if self.adj[i][j] {
                        g.edge(i, j, GraphOp::Wire);
                    }
                }
                g.node_ops[i] = match self.ops[i] {
                    Nb101Op::Conv3x3 => GraphOp::Conv { k: 3 },
                    Nb101Op::Conv1x1 => GraphOp::Conv { k: 1 },
                    Nb101Op::MaxPool3x3 => GraphOp::MaxPool { o: 3, s: 1 },
                    Nb101Op::Input | Nb101Op::Output => GraphOp::Wire,
                };
            }
            g.outputs = 1 << (self.n - 1);
            out.push(g);
        }
    }
}

impl FromStr for Nb101Arch {
    type Err = Error;
    /// Parses `ADJ|op,op,...`.
    fn from_str(s: &str) -> Result<Self> {
        let (m, ops) = s.split_once('|').ok_or_else(|| {
            err(
                0,
                "'ADJ|op,op,...' (matrix, '|', comma-separated operations)",
                "missing '|'",
            )
        })?;
        let ops: Vec<&str> = ops.split(',').collect();
        Self::from_parts(m, &ops)
    }
}

impl fmt::Display for Nb101Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in 0..self.n {
            for j in 0..self.n {
                f.write_str(if self.adj[i][j] { "1" } else { "0" })?;
            }
        }
        f.write_str("|")?;
        for k in 0..self.n {
            if k > 0 {
                f.write_str(",")?;
            }
            f.write_str(self.ops[k].name())?;
        }
        Ok(())
    }
}

impl Nb101Arch {
    /// Trainable parameters of the NAS-Bench-101 network built from this cell, counted as
    /// the benchmark's `trainable_parameters` does (equal on all 10,000 cells of
    /// `nb101_nasbenchvis_10k.csv`, test `tests/params.rs`).
    ///
    /// # Formula
    /// The cell is pruned first. Network: stem conv 3×3, 3→128 + BN; 3 stacks of 3 cells
    /// with 128, 256, 512 output channels (2×2 max-pool between stacks, which keeps the
    /// channels); global average pool; dense 512→10 with bias. Convolutions have no bias
    /// and are followed by BN with γ and β (2·c parameters). Inside a cell with input
    /// channels c_in and output channels c_out, vertex channels follow NAS-Bench-101's
    /// `compute_vertex_channels`: vertices feeding the output split c_out evenly (the first
    /// c_out mod in-degree of them get one more), the others take the largest channel count
    /// of their successors. Each input→vertex edge is a 1×1 projection (c_in·c_v + 2c_v),
    /// each conv k×k vertex adds k²·c_v² + 2c_v, and an input→output edge adds a
    /// projection c_in·c_out + 2c_out.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// // input → conv3x3 → output
    /// let a = Nb101Arch::from_parts("010001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// let cell = |ci: u64, c: u64| ci * c + 2 * c + 9 * c * c + 2 * c;
    /// let expect = 3 * 9 * 128 + 256
    ///     + cell(128, 128) * 3
    ///     + cell(128, 256) + cell(256, 256) * 2
    ///     + cell(256, 512) + cell(512, 512) * 2
    ///     + 512 * 10 + 10;
    /// assert_eq!(a.params(), expect);
    /// ```
    pub fn params(&self) -> u64 {
        self.params_at(128, 3, 10)
    }

    /// [`Nb101Arch::params`] for another scale: stem width `width`, `modules` per stack,
    /// `classes` outputs (3 input channels). `params()` is `params_at(128, 3, 10)`.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// // input → conv 3×3 → output
    /// let a = Nb101Arch::from_parts("010001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// assert_eq!(a.params_at(128, 3, 10), a.params());
    /// // width 8, one module per stack: stem 3·9·8 + 16; modules 8→8, 8→16, 16→32 with
    /// // (c_in·c + 2c) + (9c² + 2c) each; classifier 32·10 + 10
    /// let m = |i: u64, c: u64| i * c + 2 * c + 9 * c * c + 2 * c;
    /// assert_eq!(a.params_at(8, 1, 10), 3 * 9 * 8 + 16 + m(8, 8) + m(8, 16) + m(16, 32) + 330);
    /// ```
    pub fn params_at(&self, width: u64, modules: u32, classes: u64) -> u64 {
        let cell = self.pruned();
        let (n, adj, ops) = (cell.n, |i: usize, j: usize| cell.adj[i][j], cell.ops);
        let bn = |c: u64| 2 * c;
        let module = |c_in: u64, c_out: u64| -> u64 {
            let ch = cell.channels(c_in, c_out);
            let mut p = 0;
            for t in 1..n - 1 {
                let c = ch[t];
                if adj(0, t) {
                    p += c_in * c + bn(c);
                }
                p += match ops[t] {
                    Nb101Op::Conv3x3 => 9 * c * c + bn(c),
                    Nb101Op::Conv1x1 => c * c + bn(c),
                    _ => 0,
                };
            }
            if adj(0, n - 1) {
                p += c_in * c_out + bn(c_out);
            }
            p
        };
        let mut total = 3 * 9 * width + bn(width);
        let mut c_in = width;
        for stack in 0..3u32 {
            let c = width << stack;
            for _ in 0..modules {
                total += module(c_in, c);
                c_in = c;
            }
        }
        total + 4 * width * classes + classes
    }
}

/// A cell after pruning (vertices on no input→output path removed, as NB101 builds it):
/// vertex 0 is the input, vertex `n − 1` the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrunedCell {
    /// Number of vertices kept.
    pub n: usize,
    /// Adjacency among the kept vertices (row → column).
    pub adj: [[bool; MAX_VERTICES]; MAX_VERTICES],
    /// Operations of the kept vertices.
    pub ops: [Nb101Op; MAX_VERTICES],
}

impl PrunedCell {
    /// NB101's channel plan for a module of `c_in` → `c_out` channels (its
    /// `compute_vertex_channels`): the vertices feeding the output split `c_out` evenly (the
    /// remainder to the first ones), every other interior vertex takes the largest count of
    /// the vertices it feeds; entry 0 is `c_in`, entry `n − 1` is `c_out`.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// let ops = ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output"];
    /// // 1, 2 and 3 all feed the output: 128 = 43 + 43 + 42
    /// let a = Nb101Arch::from_parts("0111000001000010000100000", &ops).unwrap();
    /// assert_eq!(&a.pruned().channels(64, 128)[..5], &[64, 43, 43, 42, 128]);
    /// ```
    pub fn channels(&self, c_in: u64, c_out: u64) -> [u64; MAX_VERTICES] {
        let (n, adj) = (self.n, &self.adj);
        let mut ch = [0u64; MAX_VERTICES];
        if n < 2 {
            return ch;
        }
        ch[0] = c_in;
        ch[n - 1] = c_out;
        if n > 2 {
            let deg = (1..n - 1).filter(|&v| adj[v][n - 1]).count() as u64;
            if deg == 0 {
                return ch;
            }
            let interior = c_out / deg;
            let mut correction = c_out % deg;
            for (v, c) in ch.iter_mut().enumerate().take(n - 1).skip(1) {
                if adj[v][n - 1] {
                    *c = interior;
                    if correction > 0 {
                        *c += 1;
                        correction -= 1;
                    }
                }
            }
            for v in (1..n.saturating_sub(2)).rev() {
                if !adj[v][n - 1] {
                    for dst in v + 1..n - 1 {
                        if adj[v][dst] {
                            ch[v] = ch[v].max(ch[dst]);
                        }
                    }
                }
            }
        }
        ch
    }
}

impl Nb101Arch {
    /// The cell as NB101 builds it: pruned to the vertices on some input→output path.
    ///
    /// ```
    /// use sednas::arch::nb101::{Nb101Arch, Nb101Op};
    /// // vertex 2 (max pool) feeds nothing: it is dropped and the output becomes vertex 2
    /// let a = Nb101Arch::from_parts(
    ///     "0110000100000000",
    ///     &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
    /// )
    /// .unwrap();
    /// let p = a.pruned();
    /// assert_eq!(p.n, 3);
    /// assert_eq!(&p.ops[..3], &[Nb101Op::Input, Nb101Op::Conv3x3, Nb101Op::Output]);
    /// assert_eq!((p.adj[0][1], p.adj[1][2], p.adj[0][2]), (true, true, false));
    /// ```
    pub fn pruned(&self) -> PrunedCell {
        let keep = self.keep();
        let mut idx = [0usize; MAX_VERTICES];
        let mut n = 0;
        for k in 0..self.n {
            if keep[k] {
                idx[n] = k;
                n += 1;
            }
        }
        let mut adj = [[false; MAX_VERTICES]; MAX_VERTICES];
        for i in 0..n {
            for j in 0..n {
                adj[i][j] = self.adj[idx[i]][idx[j]];
            }
        }
        PrunedCell {
            n,
            adj,
            ops: std::array::from_fn(|i| {
                if i < n {
                    self.ops[idx[i]]
                } else {
                    Nb101Op::Output
                }
            }),
        }
    }
}

impl Nb101Arch {
    /// Fewest operation vertices (convolutions and pools) on any input→output path; 0 when
    /// the input feeds the output directly.
    ///
    /// ```
    /// use sednas::arch::nb101::Nb101Arch;
    /// let ops = ["input", "conv3x3-bn-relu", "maxpool3x3", "output"];
    /// let chain = Nb101Arch::from_parts("0100001000010000", &ops).unwrap();
    /// assert_eq!(chain.min_ops_on_path(), 2);
    /// let short = Nb101Arch::from_parts("0101001000010000", &ops).unwrap();
    /// assert_eq!(short.min_ops_on_path(), 0);
    /// ```
    pub fn min_ops_on_path(&self) -> u32 {
        if self.keep()[self.n - 1] {
            self.shortest()
        } else {
            u32::MAX
        }
    }

    fn shortest(&self) -> u32 {
        let n = self.n;
        let mut dist = [u32::MAX; MAX_VERTICES];
        dist[0] = 0;
        for j in 1..n {
            let cost = u32::from(j < n - 1);
            for i in 0..j {
                if self.adj[i][j] && dist[i] != u32::MAX {
                    dist[j] = dist[j].min(dist[i] + cost);
                }
            }
        }
        dist[n - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEST: &str = "0111101000001100000010000110000001100000000000000|input,maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,output";

    #[test]
    fn round_trip() {
        let a: Nb101Arch = BEST.parse().unwrap();
        assert_eq!(a.to_string(), BEST);
    }

    // Edge cases: wrong length, lower-triangular entry, unknown op, too many edges.
    #[test]
    fn malformed() {
        assert!(matches!(
            "0101|input,output".parse::<Nb101Arch>(),
            Err(Error::Arch { .. })
        ));
        assert!("01100|input,output".parse::<Nb101Arch>().is_err());
        match "0110|input,output".parse::<Nb101Arch>() {
            Err(Error::Arch { position, .. }) => assert_eq!(position, 2),
            o => panic!("{o:?}"),
        }
        assert!(
            "011001000|input,conv5x5,output"
                .parse::<Nb101Arch>()
                .is_err()
        );
        let full = "0111111001111100011110000111000001100000010000000|input,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,output";
        let a: Nb101Arch = full.parse().unwrap();
        assert_eq!(a.edges(), 21);
        assert!(!a.within_official_limits());
    }

    #[test]
    fn pruning_drops_dead_vertices() {
        // vertex 2 has no outgoing edge: pruned
        let a = Nb101Arch::from_parts(
            "0110000100000000",
            &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
        );
        // 0->1, 0->2, 1->3 ; 2 dead
        let a = a.unwrap();
        assert_eq!(
            a.pruned_ops(),
            vec![Nb101Op::Input, Nb101Op::Conv3x3, Nb101Op::Output]
        );
    }
}

const SAMPLE_OPS: [&str; 3] = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"];

/// Upper-triangular edges kept with probability 0.35 and ops drawn uniformly, re-drawn until
/// the cell is within NB101's limits (≤ 7 nodes, ≤ 9 edges, input connected to output).
fn random_cell(r: &mut crate::rng::SplitMix64) -> Nb101Arch {
    loop {
        let mut m = String::with_capacity(49);
        for i in 0..7 {
            for j in 0..7 {
                m.push(if j > i && r.unit() < 0.35 { '1' } else { '0' });
            }
        }
        let mut ops = vec!["input"];
        ops.extend((0..5).map(|_| SAMPLE_OPS[r.below(3) as usize]));
        ops.push("output");
        if let Ok(a) = Nb101Arch::from_parts(&m, &ops)
            && a.within_official_limits()
        {
            return a;
        }
    }
}

/// NAS-Bench-101: a 7-node cell (adjacency + ops) within the benchmark's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nb101;

impl super::space::SearchSpace for Nb101 {
    type Arch = Nb101Arch;
    const KIND: super::SpaceKind = super::SpaceKind::Nb101;
    const COLUMNS: crate::io::columns::ColumnLayout = crate::io::columns::ColumnLayout {
        arch: "adjacency_7x7_rowmajor",
        extra: crate::io::columns::ExtraColumn::Ops,
    };

    fn wrap(a: Nb101Arch) -> super::AnyArch {
        super::AnyArch::Nb101(a)
    }

    fn census(a: &Nb101Arch, opts: &CensusOptions, out: &mut Census) {
        a.census(opts, out)
    }

    fn graphs(a: &Nb101Arch, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        a.graphs(opts, out)
    }

    fn params(a: &Nb101Arch) -> Option<u64> {
        Some(a.params())
    }

    /// NB101 counts isomorphism classes (423,624), which this type does not canonicalise.
    fn size() -> Option<u64> {
        None
    }

    fn sample(r: &mut crate::rng::SplitMix64) -> Result<Nb101Arch> {
        Ok(random_cell(r))
    }

    /// One edge flipped or one op changed, re-drawn until the result is within the limits.
    fn mutate(x: &Nb101Arch, r: &mut crate::rng::SplitMix64) -> Nb101Arch {
        // re-draw until a valid neighbour appears: flip one edge or change one op
        let text = x.to_string();
        let (m, ops) = text.split_once('|').expect("nb101 text");
        let ops: Vec<&str> = ops.split(',').collect();
        loop {
            let mut mm: Vec<u8> = m.bytes().collect();
            let mut oo = ops.clone();
            let n = (mm.len() as f64).sqrt() as usize;
            if r.below(2) == 0 && n > 2 {
                let i = r.below(n as u64 - 1) as usize;
                let j = i + 1 + r.below((n - i - 1) as u64) as usize;
                mm[i * n + j] ^= 1;
            } else if n > 2 {
                let k = 1 + r.below(n as u64 - 2) as usize;
                oo[k] = SAMPLE_OPS[r.below(3) as usize];
            }
            let ms = String::from_utf8(mm).expect("ascii");
            if let Ok(a) = Nb101Arch::from_parts(&ms, &oo)
                && a.within_official_limits()
            {
                return a;
            }
        }
    }
}
