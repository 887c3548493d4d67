//! Networks in burn (Flex CPU backend by default; `wgpu`/`cuda` behind cargo features):
//! the NAS-Bench-201 macro skeleton built from any typed NB201 cell, plain CNNs for the
//! operation ablations, a training loop, and feature-map capture into ndarray.

pub mod darts;
pub mod device;
pub mod export;
pub mod fmap;
pub mod ledm;
pub mod measure;
pub mod measure_run;
pub mod nb101;
pub mod nb201;
pub mod plain;
pub mod run;
pub mod timing;
pub mod train;

use burn::tensor::{Device, Tensor, TensorData};
use ndarray::{Array4, ArrayView4};

use crate::error::{Error, Result};

pub use device::Backend;

/// The default device: burn's Flex CPU backend (see [`Backend`] for the others).
///
/// ```
/// assert_eq!(sednas::nn::cpu().is_autodiff(), false);
/// ```
pub fn cpu() -> Device {
    Device::flex()
}

/// The training device: Flex CPU backend with autodiff.
///
/// ```
/// assert_eq!(sednas::nn::train_device().is_autodiff(), true);
/// ```
pub fn train_device() -> Device {
    Device::flex().autodiff()
}

/// A burn tensor (n×c×h×w) as an ndarray, channels last (n×h×w×c) for the entropy core.
///
/// # Errors
/// [`Error::Internal`] for tensor data that does not convert to f32; [`Error::Shape`] for
/// data whose length disagrees with its shape.
///
/// ```
/// use ndarray::Array4;
/// use sednas::nn::{cpu, from_nchw, to_nhwc};
/// // one image, two channels of 1×2 pixels: channel 0 = (1, 2), channel 1 = (3, 4)
/// let a = Array4::from_shape_vec((1, 2, 1, 2), vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
/// let b = to_nhwc(from_nchw(a.view(), &cpu())).unwrap();
/// assert_eq!(b.shape(), &[1, 1, 2, 2]);
/// // pixel by pixel, channels innermost
/// assert_eq!(b.iter().copied().collect::<Vec<_>>(), [1.0, 3.0, 2.0, 4.0]);
/// ```
pub fn to_nhwc(t: Tensor<4>) -> Result<Array4<f32>> {
    let data = t.into_data();
    let dims: [usize; 4] = data.shape().dims();
    let v: Vec<f32> = data.try_into_vec::<f32>().map_err(|e| Error::Internal {
        what: "tensor to f32",
        reason: format!("{e:?}"),
    })?;
    let a = Array4::from_shape_vec(dims, v).map_err(|e| Error::Shape(e.to_string()))?;
    Ok(a.permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned())
}

/// An n×c×h×w ndarray batch as a burn tensor on `device`.
///
/// ```
/// use ndarray::Array4;
/// use sednas::nn::{cpu, from_nchw};
/// let a = Array4::from_shape_vec((1, 2, 1, 2), vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
/// let t = from_nchw(a.view(), &cpu());
/// assert_eq!(t.dims(), [1, 2, 1, 2]);
/// assert_eq!(t.into_data().try_into_vec::<f32>().unwrap(), [1.0, 2.0, 3.0, 4.0]);
/// ```
pub fn from_nchw(a: ArrayView4<'_, f32>, device: &Device) -> Tensor<4> {
    let dims: [usize; 4] = a.dim().into();
    let v: Vec<f32> = a.as_standard_layout().iter().copied().collect();
    Tensor::<4>::from_data(TensorData::new(v, dims), device)
}

thread_local! {
    static BATCH_STATS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While alive (on this thread), the BatchNorms of the NB201, NB101 and DARTS networks (the
/// ones `measure` builds; they call [`batch_norm`]) normalise with the batch's own
/// statistics on a device *without* autodiff, as they do in train mode on the autodiff
/// device: burn's `batch_norm_train`, the kernel that train-mode forward runs, with the
/// running statistics left untouched. `sednas measure` forwards on the plain device this
/// way because burn 0.22's autodiff device retains state of every reduction it runs even
/// for untracked tensors (≈ 0.25 MB per NB201 forward, never freed without a backward).
pub struct BatchStats(());

impl BatchStats {
    /// Turns batch-statistics BatchNorm on for this thread until the guard drops.
    ///
    /// ```
    /// let g = sednas::nn::BatchStats::on();
    /// drop(g); // off again
    /// ```
    pub fn on() -> Self {
        BATCH_STATS.with(|f| f.set(true));
        BatchStats(())
    }
}

impl Drop for BatchStats {
    fn drop(&mut self) {
        BATCH_STATS.with(|f| f.set(false));
    }
}

/// `bn.forward(x)`, or batch-statistics normalisation under [`BatchStats`] on a device
/// without autodiff.
///
/// # Formula
/// y = γ·(x − μ)/√(σ² + ε) + β, with a fresh BatchNorm's γ = 1, β = 0, ε = 10⁻⁵; μ, σ² the
/// running statistics (0, 1 when fresh), or under [`BatchStats`] the batch's own mean and
/// (biased) variance.
///
/// ```
/// use burn::nn::BatchNormConfig;
/// use burn::tensor::{Tensor, TensorData};
/// use sednas::nn::{batch_norm, cpu, BatchStats};
/// let device = cpu();
/// let bn = BatchNormConfig::new(1).init(&device);
/// // one channel holding 1 and 3 over a batch of two: mean 2, variance 1
/// let x = Tensor::<4>::from_data(TensorData::new(vec![1.0f32, 3.0], [2, 1, 1, 1]), &device);
/// let s = 1.0 / (1.0f32 + 1e-5).sqrt();
/// let y: Vec<f32> = batch_norm(&bn, x.clone()).into_data().try_into_vec().unwrap();
/// assert!((y[0] - s).abs() < 1e-6 && (y[1] - 3.0 * s).abs() < 1e-6);
/// let _stats = BatchStats::on();
/// let y: Vec<f32> = batch_norm(&bn, x).into_data().try_into_vec().unwrap();
/// assert!((y[0] + s).abs() < 1e-6 && (y[1] - s).abs() < 1e-6);
/// ```
pub fn batch_norm(bn: &burn::nn::BatchNorm, x: Tensor<4>) -> Tensor<4> {
    if BATCH_STATS.with(|f| f.get()) && !x.device().is_autodiff() {
        burn::tensor::module::batch_norm_train(x, bn.gamma.val(), bn.beta.val(), bn.epsilon).output
    } else {
        bn.forward(x)
    }
}

/// A model the training loop can drive: logits plus the captured feature maps.
pub trait Classifier: burn::module::Module + Clone + std::fmt::Debug {
    /// Logits (n×classes) and the output of every cell/layer (n×c×h×w each), named.
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>);

    /// Checks an n×c×h×w input before it reaches the network, so that a shape the network
    /// cannot take is a typed error, not a panic inside burn. The default refuses an empty
    /// batch and empty sides; networks add their channel count and side rule.
    fn check_input(&self, dims: [usize; 4]) -> crate::error::Result<()> {
        check_nonempty_input(dims)
    }
}

/// The check every network shares: at least one image, sides ≥ 1, channels ≥ 1.
///
/// # Errors
/// [`Error::Empty`] with the n×c×h×w shape when any of them is 0 (no images: an empty
/// image file or a count of 0).
///
/// ```
/// use sednas::nn::check_nonempty_input;
/// assert!(check_nonempty_input([2, 1, 8, 8]).is_ok());
/// let e = check_nonempty_input([0, 1, 8, 8]).unwrap_err().to_string();
/// assert_eq!(e, "the image batch (n×c×h×w) is empty (shape [0, 1, 8, 8])");
/// assert!(check_nonempty_input([2, 1, 0, 8]).is_err());
/// ```
pub fn check_nonempty_input(dims: [usize; 4]) -> crate::error::Result<()> {
    let [n, c, h, w] = dims;
    if n == 0 || c == 0 || h == 0 || w == 0 {
        return Err(crate::error::Error::Empty {
            what: "image batch (n×c×h×w)",
            shape: dims.to_vec(),
        });
    }
    Ok(())
}
