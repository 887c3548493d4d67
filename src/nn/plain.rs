//! Plain CNNs for the operation ablations. One operation varies at a time, inside a network
//! that can classify (three resolutions, widths w, 2w, 4w):
//!
//! ```text
//! stem   conv 3×3 (in → w), BN, ReLU                   full resolution
//!        max pool 2×2, stride 2                        1/2
//! pool   max pool o×o, stride 1, same size (o = 1: none)      ← varied
//! conv   conv k×k (w → w), BN, ReLU (+ skip from its input)   ← varied
//!        max pool 2×2, stride 2                        1/4
//! stage2 conv 3×3 (w → 2w), BN, ReLU
//!        max pool 2×2, stride 2                        1/8
//! stage3 conv 3×3 (2w → 4w), BN, ReLU
//!        global average pool → linear
//! ```
//!
//! The captured feature maps are named as in the left column (each after its ReLU or pool,
//! i.e. what the next operation sees).

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::Classifier;
use crate::error::{Error, Result};

/// What the ablation varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlainConfig {
    /// Input channels.
    pub in_channels: usize,
    /// Channels w of the stem and the varied convolution (stages 2 and 3: 2w, 4w).
    pub width: usize,
    /// Max-pool size o (1 = no pooling), stride 1, padding o/2 (odd o) so the size is kept.
    pub pool: usize,
    /// Kernel of the second convolution (odd).
    pub kernel: usize,
    /// Add a skip connection around the second convolution.
    pub skip: bool,
    /// Classes.
    pub classes: usize,
}

/// The plain CNN.
#[derive(Module, Debug)]
pub struct PlainCnn {
    stem: Conv2d,
    stem_bn: BatchNorm,
    down: MaxPool2d,
    pool: Option<MaxPool2d>,
    conv: Conv2d,
    bn: BatchNorm,
    skip: bool,
    conv2: Conv2d,
    bn2: BatchNorm,
    conv3: Conv2d,
    bn3: BatchNorm,
    gap: AdaptiveAvgPool2d,
    fc: Linear,
}

impl PlainCnn {
    /// Builds the network; even kernels and zero sizes are typed errors.
    ///
    /// # Errors
    /// [`Error::BadKernel`] for an even kernel; [`Error::InvalidParameter`] (`plain cnn`)
    /// when width, pool, classes or in_channels is 0.
    ///
    /// ```
    /// use burn::module::Module;
    /// use burn::tensor::Tensor;
    /// use sednas::error::Error;
    /// use sednas::nn::plain::{PlainCnn, PlainConfig};
    /// use sednas::nn::{cpu, Classifier};
    /// let cfg = PlainConfig { in_channels: 1, width: 2, pool: 3, kernel: 3, skip: true, classes: 10 };
    /// let device = cpu();
    /// let net = PlainCnn::new(&cfg, &device).unwrap();
    /// // convolutions with bias, BatchNorms at 4 per channel, the linear layer
    /// let convs = (9 * 2 + 2) + (9 * 2 * 2 + 2) + (9 * 2 * 4 + 4) + (9 * 4 * 8 + 8);
    /// let bns = 4 * (2 + 2 + 4 + 8);
    /// assert_eq!(net.num_params(), convs + bns + 8 * 10 + 10);
    /// let (logits, feats) = net.forward_features(Tensor::<4>::zeros([1, 1, 8, 8], &device));
    /// assert_eq!(logits.dims(), [1, 10]);
    /// let shapes: Vec<_> = feats.iter().map(|(n, t)| (n.as_str(), t.dims())).collect();
    /// assert_eq!(
    ///     shapes,
    ///     [
    ///         ("stem", [1, 2, 8, 8]),
    ///         ("pool", [1, 2, 4, 4]),
    ///         ("conv", [1, 2, 4, 4]),
    ///         ("stage2", [1, 4, 2, 2]),
    ///         ("stage3", [1, 8, 1, 1]),
    ///     ]
    /// );
    /// let even = PlainConfig { kernel: 2, ..cfg };
    /// assert!(matches!(PlainCnn::new(&even, &device), Err(Error::BadKernel { axis: "w", size: 2 })));
    /// ```
    pub fn new(cfg: &PlainConfig, device: &Device) -> Result<Self> {
        if cfg.kernel.is_multiple_of(2) {
            return Err(Error::BadKernel {
                axis: "w",
                size: cfg.kernel,
            });
        }
        if cfg.width == 0 || cfg.pool == 0 || cfg.classes == 0 || cfg.in_channels == 0 {
            return Err(Error::param(
                "plain cnn",
                format!("width, pool, classes and in_channels must be ≥ 1, got {cfg:?}"),
            ));
        }
        let (w, k) = (cfg.width, cfg.kernel);
        let pool = (cfg.pool > 1).then(|| {
            // "same"-size max pooling, stride 1 (even o pads asymmetrically)
            let (a, b) = ((cfg.pool - 1) / 2, cfg.pool / 2);
            MaxPool2dConfig::new([cfg.pool, cfg.pool])
                .with_strides([1, 1])
                .with_padding(PaddingConfig2d::Explicit(a, a, b, b))
                .init()
        });
        Ok(PlainCnn {
            stem: Conv2dConfig::new([cfg.in_channels, w], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            stem_bn: BatchNormConfig::new(w).init(device),
            down: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            pool,
            conv: Conv2dConfig::new([w, w], [k, k])
                .with_padding(PaddingConfig2d::Explicit(k / 2, k / 2, k / 2, k / 2))
                .init(device),
            bn: BatchNormConfig::new(w).init(device),
            skip: cfg.skip,
            conv2: Conv2dConfig::new([w, 2 * w], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            bn2: BatchNormConfig::new(2 * w).init(device),
            conv3: Conv2dConfig::new([2 * w, 4 * w], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            bn3: BatchNormConfig::new(4 * w).init(device),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(4 * w, cfg.classes).init(device),
        })
    }
}

impl Classifier for PlainCnn {
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>) {
        let mut feats = Vec::new();
        let h = relu(self.stem_bn.forward(self.stem.forward(x)));
        feats.push(("stem".to_string(), h.clone()));
        let h = self.down.forward(h);
        let h = match &self.pool {
            Some(p) => {
                let y = p.forward(h);
                feats.push(("pool".to_string(), y.clone()));
                y
            }
            None => h,
        };
        let y = relu(self.bn.forward(self.conv.forward(h.clone())));
        let y = if self.skip { y + h } else { y };
        feats.push(("conv".to_string(), y.clone()));
        let y = relu(self.bn2.forward(self.conv2.forward(self.down.forward(y))));
        feats.push(("stage2".to_string(), y.clone()));
        let y = relu(self.bn3.forward(self.conv3.forward(self.down.forward(y))));
        feats.push(("stage3".to_string(), y.clone()));
        let logits = self.fc.forward(self.gap.forward(y).flatten::<2>(1, 3));
        (logits, feats)
    }
}
