//! Timing of the burn networks on a backend: training steps of an NB201 network and the
//! measured-entropy pipeline (build, forward a batch, capture every cell output, local H1
//! and H2) per network. Used by `sednas nn-bench` and `scripts/gpu-check.sh`.

use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Int, Tensor, TensorData};
use ndarray::Array4;

use super::device::{Backend, describe};
use super::fmap::fmap_entropy;
use super::nb201::{Nb201Net, Nb201NetConfig};
use super::{Classifier, from_nchw};
use crate::arch::nb201::Nb201Arch;
use crate::data::ImageSet;
use crate::entropy::{Binning, H1Estimator, H2Options};
use crate::error::{Error, Result};
use crate::window::{Border, Kernel, Stride, WindowSpec};

/// What [`time_nb201`] measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NnTiming {
    /// Backend and adapter.
    pub device: String,
    /// Architecture.
    pub arch: String,
    /// Width C, cells per stage N, batch.
    pub width: usize,
    /// Cells per stage.
    pub cells: usize,
    /// Batch size (32×32×3 inputs).
    pub batch: usize,
    /// Trainable parameters.
    pub params: usize,
    /// Milliseconds of each timed Adam step (forward, backward, update, loss read back),
    /// after one untimed warm-up step.
    pub train_step_ms: Vec<f64>,
    /// Median of `train_step_ms`.
    pub train_step_median_ms: f64,
    /// Seconds to measure one network: build it, forward the batch, capture every cell
    /// output, local H1 (binned:16, 3×3, crop) per image and local H2 across the batch
    /// (median of 3 after a warm-up).
    pub measure_s: f64,
}

/// A fixed synthetic batch of `n` 3×32×32 images (smooth patterns plus noise) with labels.
fn synthetic(n: usize) -> ImageSet {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let images = Array4::from_shape_fn((n, 3, 32, 32), |(k, c, i, j)| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ((i as f32 + k as f32) / 5.0).sin() * ((j as f32 + c as f32) / 7.0).cos()
            + (s % 1000) as f32 / 2000.0
            - 0.25
    });
    ImageSet {
        name: "synthetic".into(),
        images,
        labels: (0..n).map(|k| k % 10).collect(),
        classes: 10,
    }
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        f64::NAN
    } else {
        s[s.len() / 2]
    }
}

/// Milliseconds of `steps` Adam steps (lr 1e-3; forward, cross-entropy, backward, update,
/// loss read back) of `model` on one fixed batch, after one untimed warm-up step.
fn step_times<M: Classifier>(
    mut model: M,
    images: &Array4<f32>,
    labels: &[usize],
    steps: usize,
    ad: &burn::tensor::Device,
) -> Result<Vec<f64>> {
    let y: Vec<i64> = labels.iter().map(|&l| l as i64).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(y, [labels.len()]), ad);
    let loss_fn = CrossEntropyLossConfig::new().init(ad);
    let mut opt = AdamConfig::new().init();
    let mut times = Vec::with_capacity(steps);
    for k in 0..=steps {
        let t = Instant::now();
        let (logits, _) = model.forward_features(from_nchw(images.view(), ad));
        let loss = loss_fn.forward(logits, y.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = opt.step(1e-3, model, grads);
        let v = loss.into_scalar::<f32>();
        if !v.is_finite() {
            // the step (0 = warm-up) is the index
            return Err(Error::NonFinite {
                what: "nn-bench training loss (by step)",
                index: k,
                value: v as f64,
            });
        }
        if k > 0 {
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(times)
}

/// `value` of the setting `name` in lo..=hi.
fn in_range(name: &'static str, value: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(Error::param(
            name,
            format!("must be in {lo}..={hi}, got {value}"),
        ))
    }
}

/// Times `steps` training steps and the measuring pipeline of the NB201 network of `arch`
/// (width, cells, batch) on `backend`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the first setting outside its range (`width`
/// 1..=256, `cells` 1..=16, `batch` 2..=1024, `steps` 1..=1000); [`Error::Device`] for a
/// backend that is not there; the network's errors; [`Error::NonFinite`] for a training
/// loss that is not finite.
///
/// ```
/// use sednas::arch::nb201::Nb201Arch;
/// use sednas::nn::device::Backend;
/// use sednas::nn::timing::time_nb201;
/// let a: Nb201Arch = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|".parse().unwrap();
/// let t = time_nb201(Backend::Flex, &a, 1, 1, 2, 1).unwrap();
/// assert_eq!((t.device.as_str(), t.width, t.cells, t.batch), ("flex", 1, 1, 2));
/// // C = 1: stem 27 + BN 4; residual blocks 72 and 256; final BN 16; linear 4·10 + 10
/// assert_eq!(t.params, 27 + 4 + 72 + 256 + 16 + 50);
/// assert_eq!(t.train_step_ms.len(), 1);
/// let e = time_nb201(Backend::Flex, &a, 0, 1, 2, 1).unwrap_err();
/// assert_eq!(e.to_string(), "width: must be in 1..=256, got 0");
/// ```
pub fn time_nb201(
    backend: Backend,
    arch: &Nb201Arch,
    width: usize,
    cells: usize,
    batch: usize,
    steps: usize,
) -> Result<NnTiming> {
    in_range("width", width, 1, 256)?;
    in_range("cells", cells, 1, 16)?;
    in_range("batch", batch, 2, 1024)?;
    in_range("steps", steps, 1, 1000)?;
    let ad = backend.train_device()?;
    let cfg = Nb201NetConfig {
        in_channels: 3,
        width,
        cells,
        classes: 10,
    };
    ad.seed(0);
    let model = Nb201Net::new(arch, &cfg, &ad)?;
    let params = model.num_params();
    let data = synthetic(batch);
    let times = step_times(model, &data.images, &data.labels, steps, &ad)?;
    let dev = backend.device()?;
    let spec = WindowSpec::new(Kernel::square(3)?, Stride::unit(), Border::Crop);
    let h1 = H1Estimator::Binned(Binning::data_range(16)?);
    let mut measure = Vec::new();
    for k in 0..4 {
        let t = Instant::now();
        dev.seed(k);
        let net = Nb201Net::new(arch, &cfg, &dev)?;
        let layers = fmap_entropy(&net, &data, &spec, &h1, Some(&H2Options::new()), &dev)?;
        std::hint::black_box(layers);
        if k > 0 {
            measure.push(t.elapsed().as_secs_f64());
        }
    }
    Ok(NnTiming {
        device: describe(backend, &dev),
        arch: arch.to_string(),
        width,
        cells,
        batch,
        params,
        train_step_median_ms: median(&times),
        train_step_ms: times,
        measure_s: median(&measure),
    })
}

/// What [`time_plain`] measured: training steps of the operation-ablation CNN
/// (`nn::plain`) on 1×28×28 inputs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlainTiming {
    /// Backend and adapter.
    pub device: String,
    /// The network's settings.
    pub net: crate::nn::plain::PlainConfig,
    /// Batch size.
    pub batch: usize,
    /// Trainable parameters as burn counts them (BatchNorm running statistics included).
    pub params: usize,
    /// Milliseconds of each timed Adam step after one untimed warm-up step.
    pub train_step_ms: Vec<f64>,
    /// Median of `train_step_ms`.
    pub train_step_median_ms: f64,
}

/// Times `steps` Adam steps of the plain CNN `net` (1×28×28 synthetic inputs, 10 classes)
/// on `backend`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the first setting outside its range (`width`
/// 1..=256, `batch` 2..=1024, `steps` 1..=1000); [`Error::Device`] for a backend that is
/// not there; the network's errors ([`crate::nn::plain::PlainCnn::new`]);
/// [`Error::NonFinite`] for a training loss that is not finite.
///
/// ```
/// use sednas::nn::device::Backend;
/// use sednas::nn::plain::PlainConfig;
/// use sednas::nn::timing::time_plain;
/// let net = PlainConfig { in_channels: 1, width: 2, pool: 3, kernel: 3, skip: true, classes: 10 };
/// let t = time_plain(Backend::Flex, &net, 2, 2).unwrap();
/// assert_eq!((t.device.as_str(), t.batch, t.params), ("flex", 2, 584));
/// assert_eq!(t.train_step_ms.len(), 2);
/// assert!(time_plain(Backend::Flex, &net, 1, 2).is_err()); // batch ≥ 2
/// ```
pub fn time_plain(
    backend: Backend,
    net: &crate::nn::plain::PlainConfig,
    batch: usize,
    steps: usize,
) -> Result<PlainTiming> {
    in_range("width", net.width, 1, 256)?;
    in_range("batch", batch, 2, 1024)?;
    in_range("steps", steps, 1, 1000)?;
    let ad = backend.train_device()?;
    ad.seed(0);
    let model = crate::nn::plain::PlainCnn::new(net, &ad)?;
    let params = model.num_params();
    let full = synthetic(batch);
    // one channel, 28×28 (the MNIST shape)
    let images = full
        .images
        .slice(ndarray::s![.., 0..1, 2..30, 2..30])
        .to_owned();
    let times = step_times(model, &images, &full.labels, steps, &ad)?;
    Ok(PlainTiming {
        device: describe(backend, &backend.device()?),
        net: *net,
        batch,
        params,
        train_step_median_ms: median(&times),
        train_step_ms: times,
    })
}
