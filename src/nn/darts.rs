//! The DARTS evaluation network (`NetworkCIFAR` of the DARTS code, auxiliary head left out)
//! built from a typed [`Genotype`]: stem conv 3×3 (3 → 3C) + BN; L cells, the ones at
//! ⌊L/3⌋ and ⌊2L/3⌋ reduction cells that double C and halve the map; global average pooling
//! → linear. Cell k takes the outputs of cells k−2 and k−1 (the stem for the first two),
//! preprocesses them (ReLU-conv 1×1-BN, or a FactorizedReduce for the older one after a
//! reduction cell), computes four nodes, each the sum of two operations on earlier states,
//! and concatenates the nodes of its `concat` list. Operations as DARTS defines them
//! (`operations.py`):
//! * `sep_conv_k`: (ReLU, depthwise k×k, pointwise 1×1, BN) twice, the first with the stride;
//! * `dil_conv_k`: ReLU, depthwise k×k with dilation 2, pointwise 1×1, BN;
//! * `max_pool_3x3`, `avg_pool_3x3` (padding 1, average without the padded zeros);
//! * `skip_connect`: identity, or FactorizedReduce at stride 2 (ReLU, two 1×1 convs with
//!   stride 2 on the map and on the map shifted by one pixel, concatenated, BN);
//! * `none`: zeros of the output's shape.
//!
//! Every BatchNorm carries γ and β (the evaluation network's `affine=True`). Parameter
//! counts: [`Genotype::params`] with `affine_ops: true` (test `tests/measure.rs`);
//! NAS-Bench-Suite-Zero's NB301 `params` column is the same count without the operations'
//! BN affines ([`DartsNet::op_bn_affine_params`]), on NASLib's C = 32, 8-cell network.
//!
//! Checked against a port of DARTS' `cnn/model.py` + `cnn/operations.py`
//! (`scripts/crosscheck/darts_ref.py`; 100 genotypes, 84 from NB301 and 16 of its own with
//! `none`, stride-2 skips and nodes fed twice by one input, C = 4, L = 5, batch-statistics
//! BatchNorm): logits and every captured map agree within 10⁻⁵ of 1 + max|ref|.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{
    AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, AvgPool2d, AvgPool2dConfig, MaxPool2d,
    MaxPool2dConfig,
};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Classifier;
use crate::arch::darts::{DartsCell, DartsOp, Genotype};
use crate::error::{Error, Result};

fn conv(cin: usize, cout: usize, k: usize, stride: usize, pad: usize, dil: usize) -> Conv2dConfig {
    Conv2dConfig::new([cin, cout], [k, k])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_dilation([dil, dil])
        .with_bias(false)
}

/// ReLU → conv 1×1 → BN.
#[derive(Module, Debug)]
pub struct ReluConvBn {
    conv: Conv2d,
    bn: BatchNorm,
}

impl ReluConvBn {
    fn new(cin: usize, cout: usize, device: &Device) -> Self {
        ReluConvBn {
            conv: conv(cin, cout, 1, 1, 0, 1).init(device),
            bn: BatchNormConfig::new(cout).init(device),
        }
    }
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        super::batch_norm(&self.bn, self.conv.forward(relu(x)))
    }
}

/// ReLU → (1×1 conv, stride 2, on x) ‖ (1×1 conv, stride 2, on x shifted by one pixel) → BN.
#[derive(Module, Debug)]
pub struct FactorizedReduce {
    a: Conv2d,
    b: Conv2d,
    bn: BatchNorm,
}

impl FactorizedReduce {
    fn new(cin: usize, cout: usize, device: &Device) -> Self {
        FactorizedReduce {
            a: conv(cin, cout / 2, 1, 2, 0, 1).init(device),
            b: conv(cin, cout / 2, 1, 2, 0, 1).init(device),
            bn: BatchNormConfig::new(cout).init(device),
        }
    }
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = relu(x);
        let [n, c, h, w] = x.dims();
        let shifted = x.clone().slice([0..n, 0..c, 1..h, 1..w]);
        let y = Tensor::cat(vec![self.a.forward(x), self.b.forward(shifted)], 1);
        super::batch_norm(&self.bn, y)
    }
}

/// ReLU → depthwise k×k (dilation d) → pointwise 1×1 → BN.
#[derive(Module, Debug)]
pub struct DwPwBn {
    dw: Conv2d,
    pw: Conv2d,
    bn: BatchNorm,
}

impl DwPwBn {
    fn new(c: usize, k: usize, stride: usize, dil: usize, device: &Device) -> Self {
        let pad = dil * (k - 1) / 2;
        DwPwBn {
            dw: conv(c, c, k, stride, pad, dil).with_groups(c).init(device),
            pw: conv(c, c, 1, 1, 0, 1).init(device),
            bn: BatchNormConfig::new(c).init(device),
        }
    }
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        super::batch_norm(&self.bn, self.pw.forward(self.dw.forward(relu(x))))
    }
}

/// One edge operation (exactly one field set, or none for `none` and the identity).
#[derive(Module, Debug)]
pub struct Edge {
    /// DwPwBn stages: two for sep_conv, one for dil_conv.
    convs: Vec<DwPwBn>,
    max: Option<MaxPool2d>,
    avg: Option<AvgPool2d>,
    reduce: Option<FactorizedReduce>,
    /// `none`: zeros.
    zero: bool,
    stride: usize,
}

impl Edge {
    fn new(op: DartsOp, c: usize, stride: usize, device: &Device) -> Self {
        let mut e = Edge {
            convs: vec![],
            max: None,
            avg: None,
            reduce: None,
            zero: false,
            stride,
        };
        let pad = PaddingConfig2d::Explicit(1, 1, 1, 1);
        match op {
            DartsOp::SepConv3x3 | DartsOp::SepConv5x5 => {
                let k = if op == DartsOp::SepConv3x3 { 3 } else { 5 };
                e.convs = vec![
                    DwPwBn::new(c, k, stride, 1, device),
                    DwPwBn::new(c, k, 1, 1, device),
                ];
            }
            DartsOp::DilConv3x3 | DartsOp::DilConv5x5 => {
                let k = if op == DartsOp::DilConv3x3 { 3 } else { 5 };
                e.convs = vec![DwPwBn::new(c, k, stride, 2, device)];
            }
            DartsOp::MaxPool3x3 => {
                e.max = Some(
                    MaxPool2dConfig::new([3, 3])
                        .with_strides([stride, stride])
                        .with_padding(pad)
                        .init(),
                )
            }
            DartsOp::AvgPool3x3 => {
                e.avg = Some(
                    AvgPool2dConfig::new([3, 3])
                        .with_strides([stride, stride])
                        .with_padding(pad)
                        .with_count_include_pad(false)
                        .init(),
                )
            }
            DartsOp::Skip if stride == 2 => e.reduce = Some(FactorizedReduce::new(c, c, device)),
            DartsOp::Skip => {}
            DartsOp::None => e.zero = true,
        }
        e
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        if self.zero {
            let [n, c, h, w] = x.dims();
            let s = self.stride;
            return Tensor::zeros([n, c, h.div_ceil(s), w.div_ceil(s)], &x.device());
        }
        if let Some(m) = &self.max {
            return m.forward(x);
        }
        if let Some(a) = &self.avg {
            return a.forward(x);
        }
        if let Some(r) = &self.reduce {
            return r.forward(x);
        }
        self.convs.iter().fold(x, |h, c| c.forward(h))
    }

    /// Parameters of this edge's BatchNorm affines (γ, β).
    fn bn_affine(&self) -> usize {
        let bn = |b: &BatchNorm| 2 * b.gamma.dims()[0];
        self.convs.iter().map(|c| bn(&c.bn)).sum::<usize>()
            + self.reduce.as_ref().map(|r| bn(&r.bn)).unwrap_or(0)
    }
}

/// One cell instance.
#[derive(Module, Debug)]
pub struct DartsCellNet {
    pre0: Option<ReluConvBn>,
    pre0_reduce: Option<FactorizedReduce>,
    pre1: ReluConvBn,
    edges: Vec<Edge>,
    /// Input state of each edge (0, 1: the preprocessed inputs; 2 + j: node j).
    inputs: Vec<usize>,
    concat: Vec<usize>,
}

impl DartsCellNet {
    fn new(
        cell: &DartsCell,
        c_pp: usize,
        c_p: usize,
        c: usize,
        reduction: bool,
        reduction_prev: bool,
        device: &Device,
    ) -> Self {
        let (pre0, pre0_reduce) = if reduction_prev {
            (None, Some(FactorizedReduce::new(c_pp, c, device)))
        } else {
            (Some(ReluConvBn::new(c_pp, c, device)), None)
        };
        DartsCellNet {
            pre0,
            pre0_reduce,
            pre1: ReluConvBn::new(c_p, c, device),
            edges: cell
                .edges
                .iter()
                .map(|&(op, i)| {
                    let stride = if reduction && i < 2 { 2 } else { 1 };
                    Edge::new(op, c, stride, device)
                })
                .collect(),
            inputs: cell.edges.iter().map(|&(_, i)| i as usize).collect(),
            concat: cell.concat.iter().map(|&i| i as usize).collect(),
        }
    }

    fn forward(&self, s0: Tensor<4>, s1: Tensor<4>) -> Tensor<4> {
        let s0 = match (&self.pre0, &self.pre0_reduce) {
            (Some(p), _) => p.forward(s0),
            (None, Some(r)) => r.forward(s0),
            (None, None) => s0,
        };
        let mut states = vec![s0, self.pre1.forward(s1)];
        for j in 0..self.edges.len() / 2 {
            let a = self.edges[2 * j].forward(states[self.inputs[2 * j]].clone());
            let b = self.edges[2 * j + 1].forward(states[self.inputs[2 * j + 1]].clone());
            states.push(a + b);
        }
        Tensor::cat(self.concat.iter().map(|&i| states[i].clone()).collect(), 1)
    }
}

/// Size settings of the DARTS network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DartsNetConfig {
    /// Input channels (3).
    pub in_channels: usize,
    /// Initial channels C (stem: 3C). DARTS' CIFAR evaluation uses 36; the small network
    /// of issue 11 and `sednas measure` 16; NASLib's NB301 `params` 32.
    pub width: usize,
    /// Cells L (reductions at ⌊L/3⌋ and ⌊2L/3⌋).
    pub cells: usize,
    /// Classes.
    pub classes: usize,
}

/// The DARTS network.
#[derive(Module, Debug)]
pub struct DartsNet {
    stem_conv: Conv2d,
    stem_bn: BatchNorm,
    cells: Vec<DartsCellNet>,
    reductions: Vec<bool>,
    gap: AdaptiveAvgPool2d,
    classifier: Linear,
}

impl DartsNet {
    /// Builds the network of `g`: width C even, 2..=256; cells 3..=20; classes and
    /// input channels ≥ 1. A genotype whose concat list is empty, or that feeds a node
    /// from itself or a later node, is refused (the typed genotype cannot hold such a
    /// cell; the check keeps the network total).
    ///
    /// burn's count equals [`Genotype::params`] with `affine_ops: true` plus each BatchNorm's
    /// running mean and variance (2 per channel, [`DartsNet::bn_channels`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`darts network`) for a width that is not even in
    /// 2..=256, cells outside 3..=20, 0 classes or in_channels, or a cell whose nodes take
    /// later states or whose concat list names states outside 0..=5.
    ///
    /// ```
    /// use burn::module::Module;
    /// use sednas::arch::darts::{DartsNetwork, Genotype};
    /// use sednas::nn::cpu;
    /// use sednas::nn::darts::{DartsNet, DartsNetConfig};
    /// let g = Genotype::from_naslib(
    ///     "sep_conv_3x3~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1",
    ///     "skip_connect~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1",
    /// )
    /// .unwrap();
    /// let cfg = DartsNetConfig { in_channels: 3, width: 2, cells: 3, classes: 10 };
    /// let net = DartsNet::new(&g, &cfg, &cpu()).unwrap();
    /// let count = g.params(&DartsNetwork {
    ///     channels: 2,
    ///     layers: 3,
    ///     stem_multiplier: 3,
    ///     classes: 10,
    ///     affine_ops: true,
    /// });
    /// assert_eq!(net.num_params(), count as usize + 2 * net.bn_channels());
    /// assert!(DartsNet::new(&g, &DartsNetConfig { width: 3, ..cfg }, &cpu()).is_err()); // odd C
    /// ```
    pub fn new(g: &Genotype, cfg: &DartsNetConfig, device: &Device) -> Result<Self> {
        if cfg.width < 2
            || cfg.width > 256
            || !cfg.width.is_multiple_of(2)
            || !(3..=20).contains(&cfg.cells)
            || cfg.classes == 0
            || cfg.in_channels == 0
        {
            return Err(Error::param(
                "darts network",
                format!(
                    "needs an even width in 2..=256, cells in 3..=20, classes and in_channels ≥ 1, got {cfg:?}"
                ),
            ));
        }
        for (which, cell) in [("normal", &g.normal), ("reduce", &g.reduce)] {
            let bad_edge = cell
                .edges
                .iter()
                .enumerate()
                .any(|(k, &(_, i))| i as usize >= 2 + k / 2);
            let bad_concat = cell.concat.is_empty() || cell.concat.iter().any(|&i| i > 5);
            if bad_edge || bad_concat {
                return Err(Error::param(
                    "darts network",
                    format!(
                        "{which} cell of {g}: every node must take earlier states and the concat list must name states 0..=5"
                    ),
                ));
            }
        }
        let stem = 3 * cfg.width;
        let (mut c_pp, mut c_p, mut c) = (stem, stem, cfg.width);
        let l = cfg.cells;
        let mut cells = Vec::with_capacity(l);
        let mut reductions = Vec::with_capacity(l);
        let mut reduction_prev = false;
        for i in 0..l {
            let reduction = i == l / 3 || i == 2 * l / 3;
            if reduction {
                c *= 2;
            }
            let cell = if reduction { &g.reduce } else { &g.normal };
            cells.push(DartsCellNet::new(
                cell,
                c_pp,
                c_p,
                c,
                reduction,
                reduction_prev,
                device,
            ));
            reductions.push(reduction);
            reduction_prev = reduction;
            c_pp = c_p;
            c_p = cell.concat.len() * c;
        }
        Ok(DartsNet {
            stem_conv: conv(cfg.in_channels, stem, 3, 1, 1, 1).init(device),
            stem_bn: BatchNormConfig::new(stem).init(device),
            cells,
            reductions,
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            classifier: LinearConfig::new(c_p, cfg.classes).init(device),
        })
    }

    /// Parameters of the BatchNorm affines (γ, β) inside the searched operations
    /// (sep/dil convs and stride-2 skips): what NASLib's non-affine search network leaves out.
    ///
    /// With C = 2 and 3 cells (reductions at cells 1 and 2, C = 4 and 8): the normal cell's
    /// sep_conv_3x3 holds two BatchNorms of C channels (2·2·2 = 8), and each reduction cell's
    /// stride-2 skip a FactorizedReduce with one BatchNorm (2·4 and 2·8).
    ///
    /// ```
    /// use sednas::arch::darts::Genotype;
    /// use sednas::nn::cpu;
    /// use sednas::nn::darts::{DartsNet, DartsNetConfig};
    /// let g = Genotype::from_naslib(
    ///     "sep_conv_3x3~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1",
    ///     "skip_connect~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1",
    /// )
    /// .unwrap();
    /// let cfg = DartsNetConfig { in_channels: 3, width: 2, cells: 3, classes: 10 };
    /// let net = DartsNet::new(&g, &cfg, &cpu()).unwrap();
    /// assert_eq!(net.op_bn_affine_params(), 8 + 8 + 16);
    /// ```
    pub fn op_bn_affine_params(&self) -> usize {
        self.cells
            .iter()
            .flat_map(|c| c.edges.iter())
            .map(Edge::bn_affine)
            .sum()
    }

    /// Channels of every BatchNorm in the network (burn's `num_params` also counts each
    /// one's running mean and variance: 2 per channel).
    ///
    /// ```
    /// use sednas::arch::darts::Genotype;
    /// use sednas::nn::cpu;
    /// use sednas::nn::darts::{DartsNet, DartsNetConfig};
    /// let g = Genotype::from_naslib(
    ///     "sep_conv_3x3~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1",
    ///     "skip_connect~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1",
    /// )
    /// .unwrap();
    /// let cfg = DartsNetConfig { in_channels: 3, width: 2, cells: 3, classes: 10 };
    /// let net = DartsNet::new(&g, &cfg, &cpu()).unwrap();
    /// // stem 3C = 6; cell 1 (C = 2): two preprocessings + the sep conv's two BNs;
    /// // cells 2, 3 (C = 4, 8): two preprocessings + the FactorizedReduce skip
    /// assert_eq!(net.bn_channels(), 6 + 4 * 2 + 3 * 4 + 3 * 8);
    /// ```
    pub fn bn_channels(&self) -> usize {
        let bn = |b: &BatchNorm| b.gamma.dims()[0];
        let fr = |r: &FactorizedReduce| bn(&r.bn);
        bn(&self.stem_bn)
            + self
                .cells
                .iter()
                .map(|c| {
                    c.pre0.as_ref().map(|p| bn(&p.bn)).unwrap_or(0)
                        + c.pre0_reduce.as_ref().map(fr).unwrap_or(0)
                        + bn(&c.pre1.bn)
                        + c.edges
                            .iter()
                            .map(|e| {
                                e.convs.iter().map(|v| bn(&v.bn)).sum::<usize>()
                                    + e.reduce.as_ref().map(fr).unwrap_or(0)
                            })
                            .sum::<usize>()
                })
                .sum::<usize>()
    }
}

impl Classifier for DartsNet {
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>) {
        let stem = super::batch_norm(&self.stem_bn, self.stem_conv.forward(x));
        let mut feats = vec![("stem".to_string(), stem.clone())];
        let (mut s0, mut s1) = (stem.clone(), stem);
        for (k, (cell, &red)) in self.cells.iter().zip(&self.reductions).enumerate() {
            let y = cell.forward(s0, s1.clone());
            let name = if red {
                format!("cell{}_reduce", k + 1)
            } else {
                format!("cell{}", k + 1)
            };
            feats.push((name, y.clone()));
            s0 = s1;
            s1 = y;
        }
        let logits = self
            .classifier
            .forward(self.gap.forward(s1).flatten::<2>(1, 3));
        (logits, feats)
    }
}

/// The measured network of this space (`sednas measure`).
impl super::measure::Measured for crate::arch::darts::Darts {
    const REDUCED: Option<(usize, usize)> = Some((8, 5));
    const BENCHMARK: Option<(usize, usize)> = Some((16, 8));

    fn measure(
        a: &crate::arch::darts::Genotype,
        cfg: &super::measure::MeasureConfig,
        images: ndarray::ArrayView4<'_, f32>,
    ) -> Option<Result<Vec<super::measure::MapMeasure>>> {
        Some(super::measure::measure_darts(a, cfg, images))
    }
}
