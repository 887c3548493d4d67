//! The NAS-Bench-201 macro skeleton (NATS-Bench's `TinyNetwork`): stem 3×3 conv + BN →
//! three stages of N cells (C, 2C, 4C channels) with a residual reduction block between
//! stages → BN + ReLU → global average pooling → linear. Each cell follows the typed
//! architecture: node j = Σ_{i<j} op_ij(node i); ops are ReLU-Conv-BN (1×1, 3×3), 3×3
//! average pooling (stride 1, padding 1, padding not counted), identity, and zero.
//!
//! Checked against the benchmark's own code, xautodl's `TinyNetwork` with `InferCell`
//! (`scripts/crosscheck/`, 100 cells at C = 4, N = 1, batch-statistics BatchNorm): logits
//! and every captured map agree within 2·10⁻⁶ of 1 + max|ref|. One convention differs
//! without changing any value: a `none` edge is skipped here, where xautodl adds `x·0`
//! (the same sum, bar the sign of a zero and NaN/∞ inputs).

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, AvgPool2d, AvgPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Classifier;
use crate::arch::nb201::{Nb201Arch, Nb201Op};
use crate::error::{Error, Result};

/// ReLU → Conv(k, stride) → BN.
#[derive(Module, Debug)]
pub struct ReluConvBn {
    conv: Conv2d,
    bn: BatchNorm,
}

impl ReluConvBn {
    /// A block with `cin → cout` channels, kernel k, stride, padding k/2.
    ///
    /// # Formula
    /// Parameters (burn's count): k²·cin·cout for the convolution (no bias) and 4·cout for the
    /// BatchNorm (γ, β and the running mean and variance).
    ///
    /// ```
    /// use burn::module::Module;
    /// use sednas::nn::{cpu, nb201::ReluConvBn};
    /// let b = ReluConvBn::new(2, 4, 3, 1, &cpu());
    /// assert_eq!(b.num_params(), 9 * 2 * 4 + 4 * 4);
    /// ```
    pub fn new(cin: usize, cout: usize, k: usize, stride: usize, device: &Device) -> Self {
        let p = k / 2;
        ReluConvBn {
            conv: Conv2dConfig::new([cin, cout], [k, k])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                .with_bias(false)
                .init(device),
            bn: BatchNormConfig::new(cout).init(device),
        }
    }

    /// Forward pass.
    ///
    /// A zero input stays zero (no bias; a fresh BatchNorm maps 0 to 0); stride 2 with padding
    /// 1 takes 5×5 to 3×3.
    ///
    /// ```
    /// use burn::tensor::Tensor;
    /// use sednas::nn::{cpu, nb201::ReluConvBn};
    /// let device = cpu();
    /// let b = ReluConvBn::new(2, 4, 3, 2, &device);
    /// let y = b.forward(Tensor::<4>::zeros([1, 2, 5, 5], &device));
    /// assert_eq!(y.dims(), [1, 4, 3, 3]);
    /// assert_eq!(y.abs().sum().into_scalar::<f32>(), 0.0);
    /// ```
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        super::batch_norm(&self.bn, self.conv.forward(relu(x)))
    }
}

/// One edge of a cell.
#[derive(Module, Debug)]
pub struct Edge {
    /// Operation id (see [`Nb201Op`]).
    op: usize,
    conv: Option<ReluConvBn>,
    pool: Option<AvgPool2d>,
}

impl Edge {
    fn new(op: Nb201Op, c: usize, device: &Device) -> Self {
        let (conv, pool) = match op {
            Nb201Op::Conv1x1 => (Some(ReluConvBn::new(c, c, 1, 1, device)), None),
            Nb201Op::Conv3x3 => (Some(ReluConvBn::new(c, c, 3, 1, device)), None),
            Nb201Op::AvgPool3x3 => (
                None,
                Some(
                    AvgPool2dConfig::new([3, 3])
                        .with_strides([1, 1])
                        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                        .with_count_include_pad(false)
                        .init(),
                ),
            ),
            _ => (None, None),
        };
        Edge {
            op: op as usize,
            conv,
            pool,
        }
    }

    /// The edge's output, or None for `none`.
    fn forward(&self, x: Tensor<4>) -> Option<Tensor<4>> {
        if let Some(c) = &self.conv {
            return Some(c.forward(x));
        }
        if let Some(p) = &self.pool {
            return Some(p.forward(x));
        }
        (self.op == Nb201Op::Skip as usize).then_some(x)
    }
}

/// A searched cell.
#[derive(Module, Debug)]
pub struct Cell {
    nodes: usize,
    edges: Vec<Edge>,
}

impl Cell {
    fn new(arch: &Nb201Arch, c: usize, device: &Device) -> Self {
        Cell {
            nodes: arch.nodes(),
            edges: arch
                .ops()
                .iter()
                .map(|&op| Edge::new(op, c, device))
                .collect(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut states: Vec<Tensor<4>> = vec![x];
        let mut e = 0;
        for j in 1..self.nodes {
            let mut acc: Option<Tensor<4>> = None;
            for i in 0..j {
                if let Some(y) = self.edges[e].forward(states[i].clone()) {
                    acc = Some(match acc {
                        Some(a) => a + y,
                        None => y,
                    });
                }
                e += 1;
            }
            states.push(acc.unwrap_or_else(|| states[0].zeros_like()));
        }
        states.pop().expect("at least one node")
    }
}

/// NB201's residual reduction block: ReLU-Conv3×3(stride 2)-BN → ReLU-Conv3×3-BN, plus a
/// shortcut AvgPool(2, 2) → Conv1×1.
#[derive(Module, Debug)]
pub struct ResBlock {
    a: ReluConvBn,
    b: ReluConvBn,
    pool: AvgPool2d,
    proj: Conv2d,
}

impl ResBlock {
    fn new(cin: usize, cout: usize, device: &Device) -> Self {
        ResBlock {
            a: ReluConvBn::new(cin, cout, 3, 2, device),
            b: ReluConvBn::new(cout, cout, 3, 1, device),
            pool: AvgPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            proj: Conv2dConfig::new([cin, cout], [1, 1])
                .with_bias(false)
                .init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.b.forward(self.a.forward(x.clone())) + self.proj.forward(self.pool.forward(x))
    }
}

/// Size settings of the skeleton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Nb201NetConfig {
    /// Input channels (3 for RGB; grey images can be repeated to 3).
    pub in_channels: usize,
    /// Width C of the first stage.
    pub width: usize,
    /// Cells per stage N.
    pub cells: usize,
    /// Classes.
    pub classes: usize,
}

/// The NB201 network.
#[derive(Module, Debug)]
pub struct Nb201Net {
    stem: Conv2d,
    stem_bn: BatchNorm,
    cells: Vec<Cell>,
    reductions: Vec<ResBlock>,
    per_stage: usize,
    last_bn: BatchNorm,
    gap: AdaptiveAvgPool2d,
    classifier: Linear,
}

impl Nb201Net {
    /// Builds the network for `arch` (validated sizes: width, cells, classes ≥ 1).
    ///
    /// At the benchmark's scale (C = 16, N = 5) burn counts the benchmark's parameters
    /// ([`Nb201Arch::params`]) plus the BatchNorms' running mean and variance, 2 per channel.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`network`) when width, cells, classes or in_channels is
    /// 0.
    ///
    /// ```
    /// use burn::module::Module;
    /// use sednas::arch::nb201::Nb201Arch;
    /// use sednas::error::Error;
    /// use sednas::nn::cpu;
    /// use sednas::nn::nb201::{Nb201Net, Nb201NetConfig};
    /// let a: Nb201Arch = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|".parse().unwrap();
    /// let cfg = Nb201NetConfig { in_channels: 3, width: 16, cells: 5, classes: 10 };
    /// let net = Nb201Net::new(&a, &cfg, &cpu()).unwrap();
    /// // BatchNorm channels: stem 16, residual blocks 2·32 + 2·64, final 64 (no conv edges)
    /// assert_eq!(net.num_params() as u64, a.params(10) + 2 * (16 + 64 + 128 + 64));
    /// assert_eq!(a.params(10), 73_306);
    /// let bad = Nb201NetConfig { width: 0, ..cfg };
    /// assert!(matches!(Nb201Net::new(&a, &bad, &cpu()), Err(Error::InvalidParameter { name: "network", .. })));
    /// ```
    pub fn new(arch: &Nb201Arch, cfg: &Nb201NetConfig, device: &Device) -> Result<Self> {
        if cfg.width == 0 || cfg.cells == 0 || cfg.classes == 0 || cfg.in_channels == 0 {
            return Err(Error::param(
                "network",
                format!("width, cells, classes and in_channels must be ≥ 1, got {cfg:?}"),
            ));
        }
        let c = cfg.width;
        let mut cells = Vec::new();
        let mut reductions = Vec::new();
        for stage in 0..3 {
            let w = c << stage;
            if stage > 0 {
                reductions.push(ResBlock::new(w / 2, w, device));
            }
            for _ in 0..cfg.cells {
                cells.push(Cell::new(arch, w, device));
            }
        }
        Ok(Nb201Net {
            stem: Conv2dConfig::new([cfg.in_channels, c], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_bias(false)
                .init(device),
            stem_bn: BatchNormConfig::new(c).init(device),
            cells,
            reductions,
            per_stage: cfg.cells,
            last_bn: BatchNormConfig::new(4 * c).init(device),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            classifier: LinearConfig::new(4 * c, cfg.classes).init(device),
        })
    }
}

impl Classifier for Nb201Net {
    /// The stem's input channels, and sides that are multiples of 4: each of the two
    /// reductions halves the side with a stride-2 convolution (⌈s/2⌉) beside a 2×2 average
    /// pool (⌊s/2⌋), which agree only on even sides.
    fn check_input(&self, dims: [usize; 4]) -> Result<()> {
        super::check_nonempty_input(dims)?;
        let [_, c, h, w] = dims;
        let want = self.stem.weight.dims()[1];
        if c != want {
            return Err(Error::Shape(format!(
                "images of {c} channels, but the network's stem takes {want} (grey vs RGB? train and measure with the same images)"
            )));
        }
        if self.reductions.is_empty() {
            return Ok(());
        }
        let k = 1usize << self.reductions.len();
        if h % k != 0 || w % k != 0 {
            return Err(Error::Shape(format!(
                "images of sides {h}×{w}: the network's {} reductions need sides that are multiples of {k}",
                self.reductions.len()
            )));
        }
        Ok(())
    }

    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>) {
        let mut feats = Vec::new();
        let mut h = super::batch_norm(&self.stem_bn, self.stem.forward(x));
        feats.push(("stem".to_string(), h.clone()));
        for (k, cell) in self.cells.iter().enumerate() {
            let stage = k / self.per_stage;
            if k > 0 && k % self.per_stage == 0 {
                h = self.reductions[stage - 1].forward(h);
                feats.push((format!("reduction{stage}"), h.clone()));
            }
            h = cell.forward(h);
            feats.push((
                format!("stage{}_cell{}", stage + 1, k % self.per_stage + 1),
                h.clone(),
            ));
        }
        let h = relu(super::batch_norm(&self.last_bn, h));
        let logits = self
            .classifier
            .forward(self.gap.forward(h).flatten::<2>(1, 3));
        (logits, feats)
    }
}

/// The measured network of this space (`sednas measure`).
impl super::measure::Measured for crate::arch::nb201::Nb201 {
    const REDUCED: Option<(usize, usize)> = Some(super::measure::MeasureConfig::REDUCED);
    const BENCHMARK: Option<(usize, usize)> = Some(super::measure::MeasureConfig::BENCHMARK);

    fn measure(
        a: &crate::arch::nb201::Nb201Arch,
        cfg: &super::measure::MeasureConfig,
        images: ndarray::ArrayView4<'_, f32>,
    ) -> Option<Result<Vec<super::measure::MapMeasure>>> {
        Some(super::measure::measure_nb201(a, cfg, images))
    }
}
