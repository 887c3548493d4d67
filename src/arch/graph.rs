//! Graph structure of a cell, for scorers that look at where operations sit (LED-flow,
//! `src/sed/ledflow.rs`), not only at how many there are. Part of the census interface:
//! every space writes its cells as small DAGs with an operation on each edge (and,
//! for NAS-Bench-101, on each vertex).

/// Most nodes of one cell graph.
pub const MAX_GRAPH_NODES: usize = 8;
/// Most edges of one cell graph.
pub const MAX_GRAPH_EDGES: usize = 32;

/// An operation on an edge or a vertex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum GraphOp {
    /// No connection (zero).
    #[default]
    None,
    /// A searched skip connection (identity operation chosen by the architecture).
    Skip,
    /// A plain wire of the cell's wiring (NAS-Bench-101 edges, input/output vertices).
    Wire,
    /// Convolution with a k×k kernel (nominal or effective size, per the census options).
    Conv {
        /// kernel side
        k: u8,
    },
    /// Average pooling o×o with stride s.
    AvgPool {
        /// pool side
        o: u8,
        /// stride
        s: u8,
    },
    /// Max pooling o×o with stride s.
    MaxPool {
        /// pool side
        o: u8,
        /// stride
        s: u8,
    },
}

/// One cell as a DAG: nodes `0..inputs` are the cell's inputs, every edge goes from a lower
/// to a higher node, a node sums its incoming edges and then applies its node operation
/// (identity except in NAS-Bench-101), and the cell output is the sum (or concatenation)
/// of the nodes in `outputs`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CellGraph {
    /// Number of nodes.
    pub nodes: u8,
    /// Number of input nodes.
    pub inputs: u8,
    /// Edges (from, to, op); the first `n_edges` are used.
    pub edges: [(u8, u8, GraphOp); MAX_GRAPH_EDGES],
    /// Number of edges.
    pub n_edges: u8,
    /// Bit k set: edge k applies its operation twice in sequence (DARTS separable convs).
    pub repeats: u32,
    /// Operation applied to each node's summed input.
    pub node_ops: [GraphOp; MAX_GRAPH_NODES],
    /// Bit mask of the nodes that form the cell output.
    pub outputs: u8,
    /// Output channels of this cell.
    pub channels: u32,
    /// How many identical cells of the network this graph stands for.
    pub multiplicity: u32,
}

impl CellGraph {
    /// An empty graph of `nodes` nodes with `inputs` inputs.
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// let g = CellGraph::new(4, 1, 16, 5);
    /// assert_eq!((g.nodes, g.inputs, g.n_edges, g.outputs), (4, 1, 0, 0));
    /// assert_eq!((g.channels, g.multiplicity), (16, 5));
    /// assert_eq!(g.node_ops[0], GraphOp::Wire);
    /// ```
    pub fn new(nodes: usize, inputs: usize, channels: u32, multiplicity: u32) -> Self {
        CellGraph {
            nodes: nodes.min(MAX_GRAPH_NODES) as u8,
            inputs: inputs as u8,
            edges: [(0, 0, GraphOp::None); MAX_GRAPH_EDGES],
            n_edges: 0,
            repeats: 0,
            node_ops: [GraphOp::Wire; MAX_GRAPH_NODES],
            outputs: 0,
            channels,
            multiplicity,
        }
    }

    /// Adds the edge from → to with `op` (ignored beyond capacity or if not from < to).
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// let mut g = CellGraph::new(3, 1, 16, 1);
    /// g.edge(0, 2, GraphOp::Skip);
    /// g.edge(2, 1, GraphOp::Skip); // not from < to: ignored
    /// g.edge(1, 3, GraphOp::Skip); // node 3 does not exist: ignored
    /// assert_eq!(g.edges(), &[(0, 2, GraphOp::Skip)]);
    /// ```
    #[inline]
    pub fn edge(&mut self, from: usize, to: usize, op: GraphOp) {
        if from < to && (self.n_edges as usize) < MAX_GRAPH_EDGES && to < self.nodes as usize {
            self.edges[self.n_edges as usize] = (from as u8, to as u8, op);
            self.n_edges += 1;
        }
    }

    /// Marks the last edge as two operations in sequence (its op applied twice).
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// let mut g = CellGraph::new(3, 1, 16, 1);
    /// g.edge(0, 1, GraphOp::Skip);
    /// g.edge(1, 2, GraphOp::Conv { k: 3 });
    /// g.edge_repeat_last();
    /// assert_eq!(g.repeats, 0b10);
    /// ```
    #[inline]
    pub fn edge_repeat_last(&mut self) {
        if self.n_edges > 0 {
            self.repeats |= 1 << (self.n_edges - 1);
        }
    }

    /// Whether edge `k` applies its operation twice in sequence.
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// let mut g = CellGraph::new(3, 1, 16, 1);
    /// g.edge(0, 1, GraphOp::Conv { k: 5 });
    /// g.edge_repeat_last();
    /// g.edge(1, 2, GraphOp::Conv { k: 3 });
    /// assert_eq!((g.repeated(0), g.repeated(1)), (true, false));
    /// ```
    #[inline]
    pub fn repeated(&self, k: usize) -> bool {
        self.repeats & (1 << k) != 0
    }

    /// The used edges.
    ///
    /// ```
    /// use sednas::arch::graph::{CellGraph, GraphOp};
    /// let mut g = CellGraph::new(3, 1, 16, 1);
    /// g.edge(0, 1, GraphOp::MaxPool { o: 3, s: 1 });
    /// g.edge(1, 2, GraphOp::Wire);
    /// assert_eq!(g.edges(), &[(0, 1, GraphOp::MaxPool { o: 3, s: 1 }), (1, 2, GraphOp::Wire)]);
    /// ```
    pub fn edges(&self) -> &[(u8, u8, GraphOp)] {
        &self.edges[..self.n_edges as usize]
    }
}
