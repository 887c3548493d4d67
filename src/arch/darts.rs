//! DARTS / NAS-Bench-301 genotypes.
//!
//! A genotype has a normal and a reduction cell; each cell has 4 intermediate nodes (2..=5)
//! with 2 incoming edges each, listed as 8 `(op, input)` pairs; inputs 0 and 1 are the two
//! previous cells. Three text forms are read (detected per line) and written:
//! * Python repr: `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=range(2, 6))`
//! * JSON: `{"normal": [["sep_conv_3x3", 0], ...], "normal_concat": [...], "reduce": [...], "reduce_concat": [...]}`
//! * NASLib: `op~in;op~in;...` per cell; on one line the normal and reduction cells are
//!   separated by `|` (or whitespace).
//!
//! Network for the census: the CIFAR evaluation network, `darts_layers` cells (20) with
//! reduction cells at L/3 and 2L/3, `darts_channels` (36) initial channels doubling at each
//! reduction. Ops on edges from inputs 0/1 of a reduction cell have stride 2.

use std::fmt;
use std::str::FromStr;

use super::{BlockCensus, BlockKind, Census, CensusOptions, DilatedKernel, PoolCount};
use crate::error::{Error, Result};

/// DARTS operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DartsOp {
    /// Zero.
    None,
    /// 3×3 max pooling.
    MaxPool3x3,
    /// 3×3 average pooling.
    AvgPool3x3,
    /// Identity (factorised reduce at stride 2).
    Skip,
    /// Separable 3×3 convolution.
    SepConv3x3,
    /// Separable 5×5 convolution.
    SepConv5x5,
    /// Dilated 3×3 convolution (dilation 2).
    DilConv3x3,
    /// Dilated 5×5 convolution (dilation 2).
    DilConv5x5,
}

const NAMES: [(&str, DartsOp); 8] = [
    ("none", DartsOp::None),
    ("max_pool_3x3", DartsOp::MaxPool3x3),
    ("avg_pool_3x3", DartsOp::AvgPool3x3),
    ("skip_connect", DartsOp::Skip),
    ("sep_conv_3x3", DartsOp::SepConv3x3),
    ("sep_conv_5x5", DartsOp::SepConv5x5),
    ("dil_conv_3x3", DartsOp::DilConv3x3),
    ("dil_conv_5x5", DartsOp::DilConv5x5),
];

impl DartsOp {
    /// The DARTS name.
    ///
    /// ```
    /// use sednas::arch::darts::DartsOp;
    /// assert_eq!(DartsOp::DilConv5x5.name(), "dil_conv_5x5");
    /// assert_eq!(DartsOp::Skip.name(), "skip_connect");
    /// ```
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, o)| *o == self)
            .map(|(n, _)| *n)
            .unwrap_or("none")
    }
    fn from_name(s: &str) -> Option<Self> {
        NAMES.iter().find(|(n, _)| *n == s).map(|(_, o)| *o)
    }
}

/// One cell: 8 (op, input) pairs and the concatenated nodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DartsCell {
    /// The 8 edges in genotype order (2 per intermediate node).
    pub edges: [(DartsOp, u8); 8],
    /// Nodes concatenated into the output.
    pub concat: Vec<u8>,
    /// Whether the concat list was written as `range(a, b)` (kept for round trips).
    pub concat_as_range: bool,
}

/// A DARTS genotype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Genotype {
    /// The normal cell.
    pub normal: DartsCell,
    /// The reduction cell.
    pub reduce: DartsCell,
}

fn err(position: usize, expected: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Arch {
        space: "darts",
        position,
        expected: expected.into(),
        message: message.into(),
    }
}

fn check_cell(
    edges: &[(String, i64, usize)],
    concat: &[(i64, usize)],
    which: &str,
) -> Result<[(DartsOp, u8); 8]> {
    if edges.len() != 8 {
        let pos = edges.last().map(|e| e.2).unwrap_or(0);
        return Err(err(
            pos,
            "8 (op, input) pairs",
            format!("{which} cell has {} edges", edges.len()),
        ));
    }
    let mut out = [(DartsOp::None, 0u8); 8];
    for (k, (name, input, pos)) in edges.iter().enumerate() {
        let op = DartsOp::from_name(name).ok_or_else(|| {
            err(*pos, "one of none, max_pool_3x3, avg_pool_3x3, skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5", format!("unknown operation {name:?} in {which} cell"))
        })?;
        let node = 2 + k / 2;
        if *input < 0 || *input >= node as i64 {
            return Err(err(
                *pos,
                format!("an input in 0..{} for node {node}", node - 1),
                format!("input {input} out of range in {which} cell"),
            ));
        }
        // a node's two edges may come from the same input (e.g. ('none', 0), ('dil_conv_5x5',
        // 0)): the DARTS evaluation network builds both operations on that input and sums
        // them, and random samples of the space (public sets of trained DARTS cells) hold
        // many such genotypes; every scorer and the network treat them as two parallel edges
        out[k] = (op, *input as u8);
    }
    if concat.is_empty() {
        let pos = edges.last().map(|e| e.2).unwrap_or(0);
        return Err(err(
            pos,
            "at least one concatenated node",
            format!("empty concat in {which} cell (its output would have no channels)"),
        ));
    }
    for (i, &(c, pos)) in concat.iter().enumerate() {
        if !(0..6).contains(&c) {
            return Err(err(
                pos,
                "concat nodes in 0..=5",
                format!("concat node {c} in {which} cell"),
            ));
        }
        if concat[..i].iter().any(|x| x.0 == c) {
            return Err(err(
                pos,
                "each concat node once",
                format!("concat node {c} listed twice in {which} cell"),
            ));
        }
    }
    Ok(out)
}

// ---------- a tiny tokenizer shared by the repr parser ----------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    P(char),
}

fn tokenize(s: &str) -> Result<Vec<(Tok, usize)>> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let st = i;
            while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(s[st..i].to_string()), st));
        } else if c.is_ascii_digit() || c == '-' {
            let st = i;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let v = s[st..i].parse().map_err(|e: std::num::ParseIntError| {
                use std::num::IntErrorKind::{NegOverflow, PosOverflow};
                match e.kind() {
                    PosOverflow | NegOverflow => err(st, "an integer", "number overflows"),
                    _ => err(st, "an integer", "bad number"),
                }
            })?;
            out.push((Tok::Int(v), st));
        } else if c == '\'' || c == '"' {
            let st = i;
            i += 1;
            while i < b.len() && b[i] as char != c {
                i += 1;
            }
            if i >= b.len() {
                return Err(err(st, "a closing quote", "unterminated string"));
            }
            out.push((Tok::Str(s[st + 1..i].to_string()), st));
            i += 1;
        } else if "()[]{},=:".contains(c) {
            out.push((Tok::P(c), i));
            i += 1;
        } else {
            return Err(err(
                i,
                "Python or JSON syntax",
                format!("unexpected character {c:?}"),
            ));
        }
    }
    Ok(out)
}

struct P<'a> {
    t: &'a [(Tok, usize)],
    i: usize,
    end: usize,
}

impl P<'_> {
    fn pos(&self) -> usize {
        self.t.get(self.i).map(|x| x.1).unwrap_or(self.end)
    }
    fn eat(&mut self, c: char) -> Result<()> {
        match self.t.get(self.i) {
            Some((Tok::P(x), _)) if *x == c => {
                self.i += 1;
                Ok(())
            }
            _ => Err(err(self.pos(), format!("'{c}'"), "malformed genotype")),
        }
    }
    fn peek_p(&self, c: char) -> bool {
        matches!(self.t.get(self.i), Some((Tok::P(x), _)) if *x == c)
    }
    fn key(&mut self) -> Result<(String, usize)> {
        let pos = self.pos();
        match self.t.get(self.i) {
            Some((Tok::Ident(s), _)) | Some((Tok::Str(s), _)) => {
                self.i += 1;
                Ok((s.clone(), pos))
            }
            _ => Err(err(pos, "a field name", "malformed genotype")),
        }
    }
    fn int(&mut self) -> Result<(i64, usize)> {
        let pos = self.pos();
        match self.t.get(self.i) {
            Some((Tok::Int(v), _)) => {
                self.i += 1;
                Ok((*v, pos))
            }
            _ => Err(err(pos, "an integer", "malformed genotype")),
        }
    }
    /// `[ (op, in), ... ]` with () or [] pairs.
    fn edges(&mut self) -> Result<Vec<(String, i64, usize)>> {
        self.eat('[')?;
        let mut v = Vec::new();
        while !self.peek_p(']') {
            let open = if self.peek_p('(') { '(' } else { '[' };
            let close = if open == '(' { ')' } else { ']' };
            self.eat(open)?;
            let pos = self.pos();
            let name = match self.t.get(self.i) {
                Some((Tok::Str(s), _)) => s.clone(),
                _ => return Err(err(pos, "a quoted operation name", "malformed edge")),
            };
            self.i += 1;
            self.eat(',')?;
            let (input, _) = self.int()?;
            self.eat(close)?;
            v.push((name, input, pos));
            if !self.peek_p(']') {
                self.eat(',')?;
            }
        }
        self.eat(']')?;
        Ok(v)
    }
    /// `[2, 3, 4, 5]` or `range(2, 6)`.
    fn concat(&mut self) -> Result<(Vec<(i64, usize)>, bool)> {
        if let Some((Tok::Ident(s), _)) = self.t.get(self.i)
            && s == "range"
        {
            self.i += 1;
            self.eat('(')?;
            let (a, pa) = self.int()?;
            self.eat(',')?;
            let (b, pb) = self.int()?;
            self.eat(')')?;
            // bounds before anything is collected: range(0, 2^63) must not allocate
            if !(0..=6).contains(&a) || !(0..=6).contains(&b) {
                return Err(err(
                    if (0..=6).contains(&a) { pb } else { pa },
                    "range(a, b) with 0 ≤ a ≤ b ≤ 6 (concatenated nodes 0..=5)",
                    format!("range({a}, {b})"),
                ));
            }
            return Ok(((a..b).map(|x| (x, pa)).collect(), true));
        }
        self.eat('[')?;
        let mut v = Vec::new();
        while !self.peek_p(']') {
            v.push(self.int()?);
            if !self.peek_p(']') {
                self.eat(',')?;
            }
        }
        self.eat(']')?;
        Ok((v, false))
    }
}

fn parse_structured(s: &str) -> Result<Genotype> {
    let toks = tokenize(s)?;
    let mut p = P {
        t: &toks,
        i: 0,
        end: s.len(),
    };
    let json = p.peek_p('{');
    if json {
        p.eat('{')?;
    } else {
        match p.t.first() {
            Some((Tok::Ident(g), _)) if g == "Genotype" => p.i += 1,
            _ => return Err(err(0, "'Genotype(' or '{'", "unknown genotype format")),
        }
        p.eat('(')?;
    }
    let close = if json { '}' } else { ')' };
    let sep = if json { ':' } else { '=' };
    let (mut normal, mut reduce, mut nc, mut rc) = (None, None, None, None);
    while !p.peek_p(close) {
        let (k, kpos) = p.key()?;
        p.eat(sep)?;
        match k.as_str() {
            "normal" => normal = Some(p.edges()?),
            "reduce" => reduce = Some(p.edges()?),
            "normal_concat" => nc = Some(p.concat()?),
            "reduce_concat" => rc = Some(p.concat()?),
            other => {
                return Err(err(
                    kpos,
                    "normal, normal_concat, reduce, reduce_concat",
                    format!("unknown field {other:?}"),
                ));
            }
        }
        if !p.peek_p(close) {
            p.eat(',')?;
        }
    }
    p.eat(close)?;
    if p.i != toks.len() {
        return Err(err(p.pos(), "end of input", "trailing text"));
    }
    let missing = |f: &str| err(s.len(), format!("field {f}"), "missing field");
    let normal = normal.ok_or_else(|| missing("normal"))?;
    let reduce = reduce.ok_or_else(|| missing("reduce"))?;
    let (nc, nr) = nc.unwrap_or_else(|| ((2..6).map(|x| (x, 0)).collect(), true));
    let (rcv, rr) = rc.unwrap_or_else(|| ((2..6).map(|x| (x, 0)).collect(), true));
    Ok(Genotype {
        normal: DartsCell {
            edges: check_cell(&normal, &nc, "normal")?,
            concat: nc.iter().map(|x| x.0 as u8).collect(),
            concat_as_range: nr,
        },
        reduce: DartsCell {
            edges: check_cell(&reduce, &rcv, "reduce")?,
            concat: rcv.iter().map(|x| x.0 as u8).collect(),
            concat_as_range: rr,
        },
    })
}

/// Parses one NASLib cell `op~in;op~in;...` (8 entries); `offset` shifts error positions.
///
/// # Errors
/// [`Error::Arch`] naming the position (shifted by `offset`) of an entry without `~`, an
/// input that is not a number, an unknown operation, an input that is not an earlier state,
/// or a count of entries other than 8.
///
/// ```
/// use sednas::arch::darts::{parse_naslib_cell, DartsOp};
/// use sednas::error::Error;
/// let s = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0";
/// let c = parse_naslib_cell(s, 0, "normal").unwrap();
/// assert_eq!(c.edges[6], (DartsOp::DilConv3x3, 2));
/// assert_eq!(c.concat, [2, 3, 4, 5]);
/// // node 2 has inputs 0 and 1 only
/// let bad = s.replacen("sep_conv_3x3~0", "sep_conv_3x3~2", 1);
/// assert!(matches!(parse_naslib_cell(&bad, 0, "normal"), Err(Error::Arch { position: 0, .. })));
/// ```
pub fn parse_naslib_cell(s: &str, offset: usize, which: &str) -> Result<DartsCell> {
    let mut edges = Vec::new();
    let mut pos = offset;
    for part in s.split(';') {
        let (name, input) = part
            .split_once('~')
            .ok_or_else(|| err(pos, "'op~input'", format!("missing '~' in {which} cell")))?;
        let input: i64 = input.trim().parse().map_err(|_| {
            err(
                pos + name.len() + 1,
                "an input node number",
                format!("bad input in {which} cell"),
            )
        })?;
        edges.push((name.trim().to_string(), input, pos));
        pos += part.len() + 1;
    }
    let concat: Vec<(i64, usize)> = (2..6).map(|x| (x, offset)).collect();
    Ok(DartsCell {
        edges: check_cell(&edges, &concat, which)?,
        concat: vec![2, 3, 4, 5],
        concat_as_range: true,
    })
}

impl Genotype {
    /// From NASLib's two cell strings.
    ///
    /// # Errors
    /// As [`parse_naslib_cell`] for either cell (positions in the reduction cell count from
    /// the start of `NORMAL|`).
    ///
    /// ```
    /// let n = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0";
    /// let g = sednas::arch::darts::Genotype::from_naslib(n, n).unwrap();
    /// assert_eq!(g.to_naslib(), format!("{n}|{n}"));
    /// ```
    pub fn from_naslib(normal: &str, reduce: &str) -> Result<Self> {
        Ok(Genotype {
            normal: parse_naslib_cell(normal, 0, "normal")?,
            reduce: parse_naslib_cell(reduce, normal.len() + 1, "reduce")?,
        })
    }

    /// NASLib form `NORMAL|REDUCE`.
    ///
    /// ```
    /// let g: sednas::arch::darts::Genotype =
    ///     "none~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1|skip_connect~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1"
    ///         .parse()
    ///         .unwrap();
    /// assert_eq!(
    ///     g.to_naslib(),
    ///     "none~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1|skip_connect~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1"
    /// );
    /// ```
    pub fn to_naslib(&self) -> String {
        let cell = |c: &DartsCell| {
            c.edges
                .iter()
                .map(|(o, i)| format!("{}~{}", o.name(), i))
                .collect::<Vec<_>>()
                .join(";")
        };
        format!("{}|{}", cell(&self.normal), cell(&self.reduce))
    }

    /// JSON form.
    ///
    /// ```
    /// let cell = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;max_pool_3x3~0;avg_pool_3x3~2;dil_conv_3x3~2;none~0";
    /// let g = sednas::arch::darts::Genotype::from_naslib(cell, cell).unwrap();
    /// let c = r#"[["sep_conv_3x3", 0], ["sep_conv_3x3", 1], ["skip_connect", 0], ["sep_conv_3x3", 1], ["max_pool_3x3", 0], ["avg_pool_3x3", 2], ["dil_conv_3x3", 2], ["none", 0]]"#;
    /// assert_eq!(
    ///     g.to_json(),
    ///     format!(r#"{{"normal": {c}, "normal_concat": [2, 3, 4, 5], "reduce": {c}, "reduce_concat": [2, 3, 4, 5]}}"#)
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        let cell = |c: &DartsCell| {
            c.edges
                .iter()
                .map(|(o, i)| format!("[\"{}\", {}]", o.name(), i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cc = |c: &DartsCell| {
            c.concat
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{{\"normal\": [{}], \"normal_concat\": [{}], \"reduce\": [{}], \"reduce_concat\": [{}]}}",
            cell(&self.normal),
            cc(&self.normal),
            cell(&self.reduce),
            cc(&self.reduce)
        )
    }

    /// Op census of the evaluation network (see the module docs).
    ///
    /// With the default 20 cells, the reduction cells are cells 6 and 13: three stages of six
    /// normal cells (one block each, multiplicity 6) and two reduction blocks.
    ///
    /// ```
    /// use sednas::arch::darts::Genotype;
    /// use sednas::arch::{Census, CensusOptions};
    /// let cell = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0";
    /// let g = Genotype::from_naslib(cell, cell).unwrap();
    /// let mut c = Census::default();
    /// g.census(&CensusOptions::default(), &mut c);
    /// let shape: Vec<_> = c.blocks.iter().map(|b| (b.c_in, b.c_out, b.f_out, b.multiplicity)).collect();
    /// assert_eq!(
    ///     shape,
    ///     [(36, 36, 1024, 6), (36, 72, 256, 1), (72, 72, 256, 6), (72, 144, 64, 1), (144, 144, 64, 6)]
    /// );
    /// assert_eq!(c.blocks[0].skips, 3);
    /// ```
    pub fn census(&self, opts: &CensusOptions, out: &mut Census) {
        out.clear(true, true);
        let l = opts.darts_layers;
        let (r1, r2) = (l / 3, 2 * l / 3);
        let o1 = Some(PoolCount::kernel(3, 3, 1, 1));
        let mut c = opts.darts_channels;
        let mut side = opts.resolution as u64;
        let mut normals_in_stage = 0u32;
        let flush = |count: u32, c: u32, side: u64, out: &mut Census| {
            if count == 0 {
                return;
            }
            let f = side * side;
            match opts.block {
                BlockKind::Cell => {
                    let mut b = BlockCensus::new(c, c, f, f, count, o1);
                    cell_ops(&self.normal, c, 1, opts, &mut b, None);
                    out.blocks.push(b);
                }
                BlockKind::Stage => {
                    let mut b = BlockCensus::new(c, c, f, f, 1, o1);
                    cell_ops(&self.normal, c, count, opts, &mut b, None);
                    out.blocks.push(b);
                }
                BlockKind::Node => {
                    for node in 2..6u8 {
                        let mut b = BlockCensus::new(c, c, f, f, count, o1);
                        cell_ops(&self.normal, c, 1, opts, &mut b, Some(node));
                        out.blocks.push(b);
                    }
                }
            }
        };
        for layer in 0..l {
            if layer == r1 || layer == r2 {
                flush(normals_in_stage, c, side, out);
                normals_in_stage = 0;
                let (cin, fin) = (c, side * side);
                c *= 2;
                side = (side / 2).max(1);
                let fout = side * side;
                if opts.block == BlockKind::Node {
                    for node in 2..6u8 {
                        let mut b = BlockCensus::new(cin, c, fin, fout, 1, o1);
                        reduce_ops(&self.reduce, c, opts, &mut b, Some(node));
                        out.blocks.push(b);
                    }
                } else {
                    let mut b = BlockCensus::new(cin, c, fin, fout, 1, o1);
                    reduce_ops(&self.reduce, c, opts, &mut b, None);
                    out.blocks.push(b);
                }
            } else {
                normals_in_stage += 1;
            }
        }
        flush(normals_in_stage, c, side, out);
    }
}

impl Genotype {
    /// Cell graphs of the evaluation network: normal cells per stage (multiplicity = their
    /// number) and the two reduction cells (edges from the inputs have stride 2). Inputs are
    /// nodes 0 and 1; the output concatenates the `concat` nodes.
    ///
    /// ```
    /// use sednas::arch::darts::Genotype;
    /// use sednas::arch::CensusOptions;
    /// let cell = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;none~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0";
    /// let g = Genotype::from_naslib(cell, cell).unwrap();
    /// let mut gs = Vec::new();
    /// g.graphs(&CensusOptions::default(), &mut gs);
    /// let shape: Vec<_> = gs.iter().map(|g| (g.channels, g.multiplicity)).collect();
    /// assert_eq!(shape, [(36, 6), (72, 1), (72, 6), (144, 1), (144, 6)]);
    /// // the `none` edge is left out; the three separable convolutions are repeated edges
    /// assert_eq!(gs[0].n_edges, 7);
    /// assert_eq!(gs[0].repeats, 0b10011);
    /// assert_eq!(gs[0].outputs, 0b111100);
    /// ```
    pub fn graphs(&self, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        use super::graph::{CellGraph, GraphOp};
        let cell = |c: &DartsCell, ch: u32, mult: u32, reduce: bool| {
            let mut g = CellGraph::new(6, 2, ch, mult);
            for (k, &(op, input)) in c.edges.iter().enumerate() {
                let s = if reduce && input < 2 { 2 } else { 1 };
                let gop = match op {
                    DartsOp::None => continue,
                    DartsOp::Skip => GraphOp::Skip,
                    DartsOp::MaxPool3x3 => GraphOp::MaxPool { o: 3, s },
                    DartsOp::AvgPool3x3 => GraphOp::AvgPool { o: 3, s },
                    other => GraphOp::Conv {
                        k: conv_size(other, opts).unwrap_or(1) as u8,
                    },
                };
                g.edge(input as usize, 2 + k / 2, gop);
                // DARTS' SepConv applies its (ReLU, depthwise k×k, pointwise, BN) block twice:
                // two convolutions in sequence on the same edge
                if matches!(op, DartsOp::SepConv3x3 | DartsOp::SepConv5x5) {
                    g.edge_repeat_last();
                }
            }
            g.outputs = c
                .concat
                .iter()
                .filter(|&&n| n < 6)
                .fold(0u8, |m, &n| m | (1 << n));
            g
        };
        let l = opts.darts_layers;
        let (r1, r2) = (l / 3, 2 * l / 3);
        let mut ch = opts.darts_channels;
        let mut normals = 0u32;
        for layer in 0..l {
            if layer == r1 || layer == r2 {
                if normals > 0 {
                    out.push(cell(&self.normal, ch, normals, false));
                }
                normals = 0;
                ch *= 2;
                out.push(cell(&self.reduce, ch, 1, true));
            } else {
                normals += 1;
            }
        }
        if normals > 0 {
            out.push(cell(&self.normal, ch, normals, false));
        }
    }
}

fn conv_size(op: DartsOp, opts: &CensusOptions) -> Option<u32> {
    let eff = |k: u32| match opts.dilated_kernel {
        DilatedKernel::Nominal => k,
        DilatedKernel::Effective => 2 * (k - 1) + 1,
    };
    match op {
        DartsOp::SepConv3x3 => Some(3),
        DartsOp::SepConv5x5 => Some(5),
        DartsOp::DilConv3x3 => Some(eff(3)),
        DartsOp::DilConv5x5 => Some(eff(5)),
        _ => None,
    }
}

fn add_darts_op(
    b: &mut BlockCensus,
    op: DartsOp,
    c: u32,
    stride: u32,
    times: u32,
    opts: &CensusOptions,
) {
    if let Some(k) = conv_size(op, opts) {
        b.add_conv(k, k, c, times);
        return;
    }
    match op {
        DartsOp::MaxPool3x3 | DartsOp::AvgPool3x3 => b.add_pool(3, 3, stride, stride, times),
        DartsOp::Skip => b.skips += times,
        DartsOp::None => b.nones += times,
        _ => {}
    }
}

fn cell_ops(
    cell: &DartsCell,
    c: u32,
    times: u32,
    opts: &CensusOptions,
    b: &mut BlockCensus,
    node: Option<u8>,
) {
    for (k, &(op, _)) in cell.edges.iter().enumerate() {
        if node.is_none_or(|n| n as usize == 2 + k / 2) {
            add_darts_op(b, op, c, 1, times, opts);
        }
    }
}

fn reduce_ops(
    cell: &DartsCell,
    c: u32,
    opts: &CensusOptions,
    b: &mut BlockCensus,
    node: Option<u8>,
) {
    for (k, &(op, input)) in cell.edges.iter().enumerate() {
        if node.is_none_or(|n| n as usize == 2 + k / 2) {
            let stride = if input < 2 { 2 } else { 1 };
            add_darts_op(b, op, c, stride, 1, opts);
        }
    }
}

impl FromStr for Genotype {
    type Err = Error;
    /// Detects the format: `Genotype(` → Python repr, `{` → JSON, else NASLib `NORMAL|REDUCE`.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        if t.starts_with("Genotype") || t.starts_with('{') {
            return parse_structured(t);
        }
        let (n, r) = t
            .split_once('|')
            .or_else(|| t.split_once(char::is_whitespace))
            .or_else(|| t.split_once(','))
            .ok_or_else(|| {
                err(
                    0,
                    "Genotype(...), {json} or NASLib 'NORMAL|REDUCE'",
                    "unknown genotype format",
                )
            })?;
        Genotype::from_naslib(n.trim(), r.trim())
    }
}

impl fmt::Display for Genotype {
    /// Python repr (the DARTS code's own form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cell = |c: &DartsCell| {
            c.edges
                .iter()
                .map(|(o, i)| format!("('{}', {})", o.name(), i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let cc = |c: &DartsCell| {
            if c.concat_as_range
                && !c.concat.is_empty()
                && c.concat.windows(2).all(|w| w[1] == w[0] + 1)
            {
                format!(
                    "range({}, {})",
                    c.concat[0],
                    c.concat[c.concat.len() - 1] + 1
                )
            } else {
                format!(
                    "[{}]",
                    c.concat
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        write!(
            f,
            "Genotype(normal=[{}], normal_concat={}, reduce=[{}], reduce_concat={})",
            cell(&self.normal),
            cc(&self.normal),
            cell(&self.reduce),
            cc(&self.reduce)
        )
    }
}

/// The DARTS evaluation network a parameter count refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DartsNetwork {
    /// Initial channels C.
    pub channels: u64,
    /// Number of cells (reduction cells at ⌊layers/3⌋ and ⌊2·layers/3⌋).
    pub layers: u32,
    /// Stem width = stem_multiplier · C.
    pub stem_multiplier: u64,
    /// Classifier outputs.
    pub classes: u64,
    /// Whether the searched operations' BatchNorms carry γ, β (DARTS evaluation network:
    /// true; NASLib's search graph, behind NAS-Bench-Suite-Zero's `params`: false).
    pub affine_ops: bool,
}

impl DartsNetwork {
    /// The network behind the `params` column of NAS-Bench-Suite-Zero's NB301 data (NASLib):
    /// C = 32, 8 cells, stem 3·C, 10 classes, searched ops without BN affine parameters;
    /// equal on all 725 rows of `nb301_zc_proxies_naslib_sample.csv` (test `tests/params.rs`).
    pub const NB301_ZC: DartsNetwork = DartsNetwork {
        channels: 32,
        layers: 8,
        stem_multiplier: 3,
        classes: 10,
        affine_ops: false,
    };
    /// The DARTS paper's CIFAR-10 evaluation network (C = 36, 20 cells, auxiliary head not
    /// counted).
    pub const DARTS_EVAL: DartsNetwork = DartsNetwork {
        channels: 36,
        layers: 20,
        stem_multiplier: 3,
        classes: 10,
        affine_ops: true,
    };
}

impl Genotype {
    /// Parameters of the DARTS network `net` built from this genotype.
    ///
    /// # Formula
    /// Stem conv 3×3 (3 → s·C) + BN; cells i = 0…L−1 with C doubled at the reduction cells
    /// ⌊L/3⌋, ⌊2L/3⌋; each cell: preprocess0 (ReLU-conv 1×1-BN, or FactorizedReduce after a
    /// reduction cell: the same count C_pp·C + 2C), preprocess1 C_p·C + 2C, and per edge:
    /// sep_conv k: 2(k²C + C² + b), dil_conv k: k²C + C² + b, skip with stride 2
    /// (FactorizedReduce): C² + b, pools, none and stride-1 skips: 0, where b = 2C when
    /// `affine_ops` else 0. A cell's output has |concat|·C channels. Classifier
    /// C_last·classes + classes.
    ///
    /// ```
    /// use sednas::arch::darts::{DartsNetwork, Genotype};
    /// let g = Genotype::from_naslib(
    ///     "max_pool_3x3~0;dil_conv_3x3~1;avg_pool_3x3~1;avg_pool_3x3~0;sep_conv_3x3~1;sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~3",
    ///     "max_pool_3x3~1;skip_connect~0;sep_conv_3x3~1;sep_conv_3x3~0;max_pool_3x3~3;avg_pool_3x3~0;max_pool_3x3~2;dil_conv_5x5~3",
    /// ).unwrap();
    /// assert_eq!(g.params(&DartsNetwork::NB301_ZC), 856_298); // NB301 sample, row 1: 0.856298 M
    /// ```
    pub fn params(&self, net: &DartsNetwork) -> u64 {
        let stem = net.stem_multiplier * net.channels;
        let mut p = 3 * 9 * stem + 2 * stem;
        let (mut c_pp, mut c_p, mut c) = (stem, stem, net.channels);
        let l = net.layers;
        for i in 0..l {
            let red = l >= 3 && (i == l / 3 || i == 2 * l / 3);
            if red {
                c *= 2;
            }
            let cell = if red { &self.reduce } else { &self.normal };
            p += c_pp * c + 2 * c + c_p * c + 2 * c;
            let b = if net.affine_ops { 2 * c } else { 0 };
            for &(op, inp) in &cell.edges {
                let stride2 = red && inp < 2;
                p += match op {
                    DartsOp::SepConv3x3 => 2 * (9 * c + c * c + b),
                    DartsOp::SepConv5x5 => 2 * (25 * c + c * c + b),
                    DartsOp::DilConv3x3 => 9 * c + c * c + b,
                    DartsOp::DilConv5x5 => 25 * c + c * c + b,
                    DartsOp::Skip if stride2 => c * c + b,
                    _ => 0,
                };
            }
            c_pp = c_p;
            c_p = cell.concat.len() as u64 * c;
        }
        p + c_p * net.classes + net.classes
    }
}

const SAMPLE_OPS: [DartsOp; 7] = [
    DartsOp::MaxPool3x3,
    DartsOp::AvgPool3x3,
    DartsOp::Skip,
    DartsOp::SepConv3x3,
    DartsOp::SepConv5x5,
    DartsOp::DilConv3x3,
    DartsOp::DilConv5x5,
];

/// Two distinct inputs per node and an op for each edge, uniformly; concat 2..6.
fn random_cell(r: &mut crate::rng::SplitMix64) -> DartsCell {
    let mut edges = [(DartsOp::None, 0u8); 8];
    for node in 2..6u8 {
        let a = r.below(node as u64) as u8;
        let mut b = r.below(node as u64 - 1) as u8;
        if b >= a {
            b += 1;
        }
        let k = (node as usize - 2) * 2;
        edges[k] = (SAMPLE_OPS[r.below(7) as usize], a);
        edges[k + 1] = (SAMPLE_OPS[r.below(7) as usize], b);
    }
    DartsCell {
        edges,
        concat: vec![2, 3, 4, 5],
        concat_as_range: true,
    }
}

/// DARTS / NAS-Bench-301: a normal and a reduction cell of 4 nodes × 2 edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Darts;

impl super::space::SearchSpace for Darts {
    type Arch = Genotype;
    const KIND: super::SpaceKind = super::SpaceKind::Darts;
    const COLUMNS: crate::io::columns::ColumnLayout = crate::io::columns::ColumnLayout {
        arch: "normal_cell",
        extra: crate::io::columns::ExtraColumn::Reduce,
    };

    fn wrap(a: Genotype) -> super::AnyArch {
        super::AnyArch::Darts(a)
    }

    fn census(a: &Genotype, opts: &CensusOptions, out: &mut Census) {
        a.census(opts, out)
    }

    fn graphs(a: &Genotype, opts: &CensusOptions, out: &mut Vec<super::graph::CellGraph>) {
        a.graphs(opts, out)
    }

    /// The network behind NB301's `params` column ([`DartsNetwork::NB301_ZC`]).
    fn params(a: &Genotype) -> Option<u64> {
        Some(a.params(&DartsNetwork::NB301_ZC))
    }

    /// Not counted: a genotype lists each node's two inputs in order, so the count of
    /// genotypes is not the count of distinct networks.
    fn size() -> Option<u64> {
        None
    }

    fn sample(r: &mut crate::rng::SplitMix64) -> Result<Genotype> {
        Ok(Genotype {
            normal: random_cell(r),
            reduce: random_cell(r),
        })
    }

    /// One edge of one cell gets another op (any of the 7 but `none`, possibly the same) or
    /// another input (never the input the node's other edge uses).
    fn mutate(g: &Genotype, r: &mut crate::rng::SplitMix64) -> Genotype {
        let mut g = g.clone();
        let cell = if r.below(2) == 0 {
            &mut g.normal
        } else {
            &mut g.reduce
        };
        let k = r.below(8) as usize;
        let node = 2 + k / 2;
        if r.below(2) == 0 {
            cell.edges[k].0 = SAMPLE_OPS[r.below(7) as usize];
        } else {
            // another input, never the one the node's other edge uses (a node may take one
            // input twice, but the search keeps to distinct ones, as DARTS' own
            // discretisation does)
            let other = cell.edges[k ^ 1].1;
            let mut i = r.below(node as u64 - 1) as u8;
            if i >= other {
                i += 1;
            }
            cell.edges[k].1 = i;
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DARTS-V2 as published.
    const DARTS_V2: &str = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

    #[test]
    fn three_formats_round_trip() {
        let g: Genotype = DARTS_V2.parse().unwrap();
        assert_eq!(g.to_string(), DARTS_V2);
        let j: Genotype = g.to_json().parse().unwrap();
        assert_eq!(j.normal.edges, g.normal.edges);
        assert_eq!(j.to_json(), g.to_json());
        let n: Genotype = g.to_naslib().parse().unwrap();
        assert_eq!(n.to_naslib(), g.to_naslib());
    }

    // Edge cases: unknown op, input out of range, wrong edge count, garbage.
    #[test]
    fn malformed() {
        let bad_op = DARTS_V2.replacen("sep_conv_3x3", "sep_conv_7x7", 1);
        match bad_op.parse::<Genotype>() {
            Err(Error::Arch {
                position, message, ..
            }) => {
                assert_eq!(position, 18);
                assert!(message.contains("sep_conv_7x7"));
            }
            o => panic!("{o:?}"),
        }
        // an input index that overflows is reported as such, not as a bad number
        let huge = DARTS_V2.replacen(
            "('dil_conv_3x3', 2)",
            "('dil_conv_3x3', 99999999999999999999999)",
            1,
        );
        let e = huge.parse::<Genotype>().unwrap_err().to_string();
        assert!(e.contains("overflows"), "{e}");
        let bad_in = DARTS_V2.replacen("('dil_conv_3x3', 2)", "('dil_conv_3x3', 6)", 1);
        assert!(
            bad_in
                .parse::<Genotype>()
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(
            "sep_conv_3x3~0;sep_conv_3x3~1|max_pool_3x3~0"
                .parse::<Genotype>()
                .is_err()
        );
        assert!(
            "Genotype(normal=[('sep_conv_3x3', 0)"
                .parse::<Genotype>()
                .is_err()
        );
        // an empty concat (found by tests/fuzz_stable.rs: it used to parse, giving a cell
        // output with no channels), a concat node twice
        for (from, to, want) in [
            (
                "reduce_concat=range(2, 6)",
                "reduce_concat=[]",
                "empty concat in reduce",
            ),
            (
                "reduce_concat=range(2, 6)",
                "reduce_concat=range(4, 4)",
                "empty concat",
            ),
            (
                "normal_concat=[2, 3, 4, 5]",
                "normal_concat=[2, 3, 3]",
                "listed twice",
            ),
        ] {
            let g = DARTS_V2.replacen(from, to, 1);
            assert_ne!(g, DARTS_V2);
            let e = g.parse::<Genotype>().unwrap_err().to_string();
            assert!(e.contains(want), "{to}: {e}");
        }
        assert!("hello".parse::<Genotype>().is_err());
    }

    // Edge case: a node whose two edges come from the same input is a valid genotype (two
    // parallel edges, summed), in every format, and round-trips.
    #[test]
    fn node_fed_twice_by_one_input_is_valid() {
        let g = DARTS_V2.replacen(
            "('sep_conv_3x3', 0), ('sep_conv_3x3', 1)",
            "('none', 0), ('dil_conv_5x5', 0)",
            1,
        );
        let a: Genotype = g.parse().unwrap();
        assert_eq!(a.normal.edges[0], (DartsOp::None, 0));
        assert_eq!(a.normal.edges[1], (DartsOp::DilConv5x5, 0));
        let back: Genotype = a.to_string().parse().unwrap();
        assert_eq!(back, a);
    }
}
