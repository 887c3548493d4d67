//! The NAS-Bench-101 network (its `model_builder`): stem conv 3×3 (3 → C) + BN + ReLU →
//! three stacks of M modules (C, 2C, 4C channels; a 2×2 max pool, stride 2, before stacks
//! 2 and 3; the first module of a stack doubles the channels) → global average pooling →
//! linear. Each module is the pruned cell: vertex t sums its interior inputs (truncated to
//! its channel count) and, if the input feeds it, a 1×1 conv-BN-ReLU projection of the input;
//! then applies its op (conv 3×3 / 1×1 + BN + ReLU, or 3×3 max pool, stride 1). The output
//! concatenates the vertices that feed it and adds a projection of the input when the input
//! feeds it too (only a projection when no vertex does). Channel plan: NB101's
//! `compute_vertex_channels` ([`PrunedCell::channels`]). The benchmark's scale is C = 128,
//! M = 3; its parameter count (BatchNorm γ and β only) is [`Nb101Arch::params`].
//!
//! Checked against `nasbench_pytorch.model.Network` (`scripts/crosscheck/`, 100 cells, 16 of
//! them with vertices removed by pruning, C = 8, M = 1, batch-statistics BatchNorm): logits
//! and every captured map agree within 10⁻⁵ of 1 + max|ref|. nasbench_pytorch's BatchNorm
//! momentum (0.997 on the stem and projections) only moves running statistics, which a
//! batch-statistics forward does not read; its `Placeholder.a` and `Cell.dev_param` tensors
//! are never used in a forward and have no counterpart here.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Classifier;
use crate::arch::nb101::{MAX_VERTICES, Nb101Arch, Nb101Op, PrunedCell};
use crate::error::{Error, Result};

/// Conv k×k (no bias) → BN → ReLU.
#[derive(Module, Debug)]
pub struct ConvBnRelu {
    conv: Conv2d,
    bn: BatchNorm,
}

impl ConvBnRelu {
    fn new(cin: usize, cout: usize, k: usize, device: &Device) -> Self {
        let p = k / 2;
        ConvBnRelu {
            conv: Conv2dConfig::new([cin, cout], [k, k])
                .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                .with_bias(false)
                .init(device),
            bn: BatchNormConfig::new(cout).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        relu(super::batch_norm(&self.bn, self.conv.forward(x)))
    }
}

/// One vertex of a module: its op (conv or pool; None for a pool) and the projection of the
/// module input when the input feeds it.
#[derive(Module, Debug)]
pub struct Vertex {
    conv: Option<ConvBnRelu>,
    pool: Option<MaxPool2d>,
    proj: Option<ConvBnRelu>,
}

/// One module (cell instance) of the network.
#[derive(Module, Debug)]
pub struct Nb101Module {
    /// Vertices 1..n−1.
    vertices: Vec<Vertex>,
    /// Projection of the input onto the output (when the input feeds the output).
    out_proj: Option<ConvBnRelu>,
    /// Number of vertices.
    n: usize,
    /// adj[i][j] flattened row-major over MAX_VERTICES.
    adj: Vec<bool>,
    /// Channel plan.
    channels: Vec<usize>,
}

impl Nb101Module {
    fn new(cell: &PrunedCell, c_in: usize, c_out: usize, device: &Device) -> Self {
        let n = cell.n;
        let ch = cell.channels(c_in as u64, c_out as u64);
        let vertices = (1..n - 1)
            .map(|t| {
                let c = ch[t] as usize;
                let (conv, pool) = match cell.ops[t] {
                    Nb101Op::Conv3x3 => (Some(ConvBnRelu::new(c, c, 3, device)), None),
                    Nb101Op::Conv1x1 => (Some(ConvBnRelu::new(c, c, 1, device)), None),
                    _ => (
                        None,
                        Some(
                            MaxPool2dConfig::new([3, 3])
                                .with_strides([1, 1])
                                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                                .init(),
                        ),
                    ),
                };
                Vertex {
                    conv,
                    pool,
                    proj: cell.adj[0][t].then(|| ConvBnRelu::new(c_in, c, 1, device)),
                }
            })
            .collect();
        let feeds_out = (1..n - 1).any(|v| cell.adj[v][n - 1]);
        Nb101Module {
            vertices,
            out_proj: (cell.adj[0][n - 1] || !feeds_out)
                .then(|| ConvBnRelu::new(c_in, c_out, 1, device)),
            n,
            adj: (0..MAX_VERTICES * MAX_VERTICES)
                .map(|k| cell.adj[k / MAX_VERTICES][k % MAX_VERTICES])
                .collect(),
            channels: ch.iter().map(|&c| c as usize).collect(),
        }
    }

    fn adj(&self, i: usize, j: usize) -> bool {
        self.adj[i * MAX_VERTICES + j]
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let n = self.n;
        let mut states: Vec<Tensor<4>> = vec![x.clone()];
        for t in 1..n - 1 {
            let v = &self.vertices[t - 1];
            let c = self.channels[t];
            let mut acc: Option<Tensor<4>> = None;
            let mut add = |y: Tensor<4>| {
                acc = Some(match acc.take() {
                    Some(a) => a + y,
                    None => y,
                })
            };
            for (src, s) in states.iter().enumerate().skip(1) {
                if self.adj(src, t) {
                    // truncate to this vertex's channels (NB101's `truncate`)
                    add(s.clone().narrow(1, 0, c));
                }
            }
            if let Some(p) = &v.proj {
                add(p.forward(x.clone()));
            }
            // a kept interior vertex always has an input (it lies on an input→output path)
            let inp = acc.expect("pruned vertex has an input");
            let y = match (&v.conv, &v.pool) {
                (Some(cv), _) => cv.forward(inp),
                (None, Some(pl)) => pl.forward(inp),
                (None, None) => inp,
            };
            states.push(y);
        }
        let parts: Vec<Tensor<4>> = (1..n - 1)
            .filter(|&v| self.adj(v, n - 1))
            .map(|v| states[v].clone())
            .collect();
        let proj = self.out_proj.as_ref().map(|p| p.forward(x));
        match (parts.is_empty(), proj) {
            (true, Some(p)) => p,
            (false, p) => {
                let cat = if parts.len() == 1 {
                    parts.into_iter().next().expect("one part")
                } else {
                    Tensor::cat(parts, 1)
                };
                match p {
                    Some(p) => cat + p,
                    None => cat,
                }
            }
            (true, None) => unreachable!("a module without output parts has a projection"),
        }
    }
}

/// Size settings of the NB101 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Nb101NetConfig {
    /// Input channels (3).
    pub in_channels: usize,
    /// Stem channels C (the benchmark's is 128).
    pub width: usize,
    /// Modules per stack M (the benchmark's is 3).
    pub modules: usize,
    /// Classes.
    pub classes: usize,
}

impl Nb101NetConfig {
    /// The benchmark's scale: C = 128, M = 3, 3 input channels, 10 classes.
    ///
    /// ```
    /// use sednas::nn::nb101::Nb101NetConfig;
    /// assert_eq!(
    ///     Nb101NetConfig::benchmark(),
    ///     Nb101NetConfig { in_channels: 3, width: 128, modules: 3, classes: 10 }
    /// );
    /// ```
    pub fn benchmark() -> Self {
        Nb101NetConfig {
            in_channels: 3,
            width: 128,
            modules: 3,
            classes: 10,
        }
    }
}

/// The NB101 network.
#[derive(Module, Debug)]
pub struct Nb101Net {
    stem: ConvBnRelu,
    modules: Vec<Nb101Module>,
    per_stack: usize,
    down: MaxPool2d,
    gap: AdaptiveAvgPool2d,
    classifier: Linear,
}

impl Nb101Net {
    /// Builds the network of `arch`; sizes must be ≥ 1 and the width ≤ 1024, and the output
    /// width 4C must give every output-feeding vertex at least one channel.
    ///
    /// burn's count is the benchmark's ([`Nb101Arch::params_at`]) plus each BatchNorm's running
    /// mean and variance (2 per channel).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`nb101 network`) for a width outside 1..=1024, modules
    /// outside 1..=16, 0 classes or in_channels, a cell whose output is not reachable from
    /// its input, or a width below the number of vertices that feed the output.
    ///
    /// ```
    /// use burn::module::Module;
    /// use sednas::arch::nb101::Nb101Arch;
    /// use sednas::nn::cpu;
    /// use sednas::nn::nb101::{Nb101Net, Nb101NetConfig};
    /// // input → conv 3×3 → output
    /// let a = Nb101Arch::from_parts("010001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
    /// let cfg = Nb101NetConfig { in_channels: 3, width: 4, modules: 1, classes: 10 };
    /// let net = Nb101Net::new(&a, &cfg, &cpu()).unwrap();
    /// assert_eq!(a.params_at(4, 1, 10), 3598);
    /// // BatchNorm channels: stem 4; per module the input projection and the conv, c each
    /// let bn = 4 + 2 * (4 + 8 + 16);
    /// assert_eq!(net.num_params(), 3598 + 2 * bn);
    /// ```
    pub fn new(arch: &Nb101Arch, cfg: &Nb101NetConfig, device: &Device) -> Result<Self> {
        if cfg.width == 0
            || cfg.modules == 0
            || cfg.classes == 0
            || cfg.in_channels == 0
            || cfg.width > 1024
            || cfg.modules > 16
        {
            return Err(Error::param(
                "nb101 network",
                format!(
                    "needs width in 1..=1024, modules in 1..=16, classes and in_channels ≥ 1, got {cfg:?}"
                ),
            ));
        }
        let cell = arch.pruned();
        if cell.n < 2 {
            return Err(Error::param(
                "nb101 network",
                format!("{arch}: the output is not reachable from the input"),
            ));
        }
        let deg = (1..cell.n - 1).filter(|&v| cell.adj[v][cell.n - 1]).count();
        if deg > cfg.width {
            return Err(Error::param(
                "nb101 network",
                format!(
                    "width {} is below the {deg} vertices that feed the output",
                    cfg.width
                ),
            ));
        }
        let mut modules = Vec::new();
        let mut c_in = cfg.width;
        for stack in 0..3 {
            let c = cfg.width << stack;
            for _ in 0..cfg.modules {
                modules.push(Nb101Module::new(&cell, c_in, c, device));
                c_in = c;
            }
        }
        Ok(Nb101Net {
            stem: ConvBnRelu::new(cfg.in_channels, cfg.width, 3, device),
            modules,
            per_stack: cfg.modules,
            down: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            classifier: LinearConfig::new(4 * cfg.width, cfg.classes).init(device),
        })
    }
}

impl Classifier for Nb101Net {
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>) {
        let mut feats = Vec::new();
        let mut h = self.stem.forward(x);
        feats.push(("stem".to_string(), h.clone()));
        for (k, m) in self.modules.iter().enumerate() {
            let stack = k / self.per_stack;
            if k > 0 && k % self.per_stack == 0 {
                h = self.down.forward(h);
                feats.push((format!("downsample{stack}"), h.clone()));
            }
            h = m.forward(h);
            feats.push((
                format!("stack{}_module{}", stack + 1, k % self.per_stack + 1),
                h.clone(),
            ));
        }
        let logits = self
            .classifier
            .forward(self.gap.forward(h).flatten::<2>(1, 3));
        (logits, feats)
    }
}

/// The measured network of this space (`sednas measure`).
impl super::measure::Measured for crate::arch::nb101::Nb101 {
    const REDUCED: Option<(usize, usize)> = Some((16, 1));
    const BENCHMARK: Option<(usize, usize)> = Some((128, 3));

    fn measure(
        a: &crate::arch::nb101::Nb101Arch,
        cfg: &super::measure::MeasureConfig,
        images: ndarray::ArrayView4<'_, f32>,
    ) -> Option<Result<Vec<super::measure::MapMeasure>>> {
        Some(super::measure::measure_nb101(a, cfg, images))
    }
}
