//! Plain CNNs for the operation ablations: stem conv → (max pool o×o, stride 1 unless o = 1)
//! → conv k×k (→ + skip) → global average pool → linear. One operation varies at a time.

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
    /// Channels of both convolutions.
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
    pool: Option<MaxPool2d>,
    conv: Conv2d,
    bn: BatchNorm,
    skip: bool,
    gap: AdaptiveAvgPool2d,
    fc: Linear,
}

impl PlainCnn {
    /// Builds the network; even kernels and zero sizes are typed errors.
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
                format!("sizes must be ≥ 1: {cfg:?}"),
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
            pool,
            conv: Conv2dConfig::new([w, w], [k, k])
                .with_padding(PaddingConfig2d::Explicit(k / 2, k / 2, k / 2, k / 2))
                .init(device),
            bn: BatchNormConfig::new(w).init(device),
            skip: cfg.skip,
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: LinearConfig::new(w, cfg.classes).init(device),
        })
    }
}

impl Classifier for PlainCnn {
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>) {
        let mut feats = Vec::new();
        let h = relu(self.stem_bn.forward(self.stem.forward(x)));
        feats.push(("stem".to_string(), h.clone()));
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
        let logits = self.fc.forward(self.gap.forward(y).flatten::<2>(1, 3));
        (logits, feats)
    }
}
