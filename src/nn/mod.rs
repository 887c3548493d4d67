//! Networks in burn (Flex CPU backend by default; `wgpu`/`cuda` behind cargo features):
//! the NAS-Bench-201 macro skeleton built from any typed NB201 cell, plain CNNs for the
//! operation ablations, a training loop, and feature-map capture into ndarray.

pub mod darts;
pub mod device;
pub mod fmap;
pub mod measure;
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
pub fn cpu() -> Device {
    Device::flex()
}

/// The training device: Flex CPU backend with autodiff.
pub fn train_device() -> Device {
    Device::flex().autodiff()
}

/// A burn tensor (n×c×h×w) as an ndarray, channels last (n×h×w×c) for the entropy core.
pub fn to_nhwc(t: Tensor<4>) -> Result<Array4<f32>> {
    let data = t.into_data();
    let dims: [usize; 4] = data.shape().dims();
    let v: Vec<f32> = data
        .try_into_vec::<f32>()
        .map_err(|e| Error::param("tensor", format!("{e:?}")))?;
    let a = Array4::from_shape_vec(dims, v).map_err(|e| Error::Shape(e.to_string()))?;
    Ok(a.permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned())
}

/// An n×c×h×w ndarray batch as a burn tensor on `device`.
pub fn from_nchw(a: ArrayView4<'_, f32>, device: &Device) -> Tensor<4> {
    let dims: [usize; 4] = a.dim().into();
    let v: Vec<f32> = a.as_standard_layout().iter().copied().collect();
    Tensor::<4>::from_data(TensorData::new(v, dims), device)
}

/// A model the training loop can drive: logits plus the captured feature maps.
pub trait Classifier: burn::module::Module + Clone + std::fmt::Debug {
    /// Logits (n×classes) and the output of every cell/layer (n×c×h×w each), named.
    fn forward_features(&self, x: Tensor<4>) -> (Tensor<2>, Vec<(String, Tensor<4>)>);
}
