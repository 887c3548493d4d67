//! The GPU path computes what the CPU path computes: an NB201 network (C = 8, N = 1, fixed
//! seed and batch) on burn's wgpu backend against the same network on Flex, for the forward
//! pass (logits and every captured feature map), a few Adam steps (the losses) and the local
//! entropy of the captured maps.
//!
//! Built only with `--features wgpu`. In CI it runs on Mesa's software Vulkan device
//! (lavapipe, installed by `.ci/run`); `scripts/gpu-check.sh` runs it on a real GPU. Without
//! an adapter the test fails when `CI=true` and says it was skipped otherwise.
//!
//! Tolerances (stated, checked): logits and feature maps |Δ| ≤ 1e-4·(1 + max |x|) (float32
//! kernels summed in a different order); per-step losses |Δ| ≤ 1e-3; local H1 (binned:16 over
//! each map's range) per-layer mean within 0.01 bits and at most 1 % of windows different
//! (a value next to a bin edge may change bins); local H2 (3×3×1 windows across the batch)
//! within 1e-3 bits where both are finite, and the same windows singular.
#![cfg(feature = "wgpu")]

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};
use ndarray::Array4;
use sednas::arch::nb201::Nb201Arch;
use sednas::entropy::{H1Estimator, H2Options, local_h1, local_h2};
use sednas::nn::device::{Backend, describe};
use sednas::nn::nb201::{Nb201Net, Nb201NetConfig};
use sednas::nn::{Classifier, from_nchw, to_nhwc};
use sednas::window::{Border, Kernel, Stride, WindowSpec};

const BEST: &str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

fn wgpu() -> Option<Device> {
    match Backend::Wgpu.device() {
        Ok(d) => {
            eprintln!("wgpu device: {}", describe(Backend::Wgpu, &d));
            Some(d)
        }
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and no wgpu device: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: no wgpu device ({e})");
            None
        }
    }
}

fn cfg() -> Nb201NetConfig {
    Nb201NetConfig {
        in_channels: 3,
        width: 8,
        cells: 1,
        classes: 10,
    }
}

/// A fixed 16×3×32×32 batch (smooth patterns plus xorshift noise) and labels.
fn batch() -> (Array4<f32>, Vec<i64>) {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let x = Array4::from_shape_fn((16, 3, 32, 32), |(n, c, i, j)| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let smooth = ((i as f32 + n as f32) / 5.0).sin() * ((j as f32 + c as f32) / 7.0).cos();
        smooth + (s % 1000) as f32 / 2000.0 - 0.25
    });
    let y = (0..16).map(|n| (n % 10) as i64).collect();
    (x, y)
}

fn max_diff(a: &Array4<f32>, b: &Array4<f32>) -> (f32, f32) {
    let d = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    let m = a.iter().map(|x| x.abs()).fold(0.0f32, f32::max);
    (d, m)
}

fn logits_nhwc(t: Tensor<2>) -> Array4<f32> {
    let [n, k] = t.dims();
    to_nhwc(t.reshape([n, k, 1, 1])).unwrap()
}

#[test]
fn wgpu_matches_flex() {
    let Some(gpu) = wgpu() else { return };
    let arch: Nb201Arch = BEST.parse().unwrap();
    let flex = Device::flex();
    flex.seed(7);
    let net_f = Nb201Net::new(&arch, &cfg(), &flex).unwrap();
    let net_g = net_f.clone().to_device(&gpu);
    let (x, y) = batch();

    // (a) forward: logits and every captured map
    let (lf, ff) = net_f.forward_features(from_nchw(x.view(), &flex));
    let (lg, fg) = net_g.forward_features(from_nchw(x.view(), &gpu));
    let (d, m) = max_diff(&logits_nhwc(lf), &logits_nhwc(lg));
    assert!(d <= 1e-4 * (1.0 + m), "logits differ by {d} (max {m})");
    assert_eq!(ff.len(), fg.len());
    let spec1 = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
    let spec2 = WindowSpec::new(Kernel::new(3, 3, 1).unwrap(), Stride::unit(), Border::Crop);
    let h1 = H1Estimator::Binned(sednas::entropy::Binning::data_range(16).unwrap());
    for ((name, tf), (name_g, tg)) in ff.into_iter().zip(fg) {
        assert_eq!(name, name_g);
        let (af, ag) = (to_nhwc(tf).unwrap(), to_nhwc(tg).unwrap());
        let (d, m) = max_diff(&af, &ag);
        assert!(
            d <= 1e-4 * (1.0 + m),
            "{name}: maps differ by {d} (max {m})"
        );
        eprintln!("{name}: max |Δ| = {d:.2e} (max |x| = {m:.2e})");

        // (c) local entropy of the captured maps: H1 on the first image, H2 across the batch
        let (ef, eg) = (
            local_h1(af.index_axis(ndarray::Axis(0), 0), &spec1, &h1).unwrap(),
            local_h1(ag.index_axis(ndarray::Axis(0), 0), &spec1, &h1).unwrap(),
        );
        let differ = ef.iter().zip(eg.iter()).filter(|(a, b)| a != b).count();
        let (mf, mg) = (ef.mean().unwrap(), eg.mean().unwrap());
        assert!(
            (mf - mg).abs() <= 0.01 && differ * 100 <= ef.len(),
            "{name}: H1 mean {mf} vs {mg}, {differ} of {} windows differ",
            ef.len()
        );
        let (hf, hg) = (
            local_h2(af.view(), &spec2, &H2Options::new()).unwrap(),
            local_h2(ag.view(), &spec2, &H2Options::new()).unwrap(),
        );
        for (a, b) in hf.values.iter().zip(hg.values.iter()) {
            assert_eq!(
                a.is_finite(),
                b.is_finite(),
                "{name}: singular windows differ"
            );
            if a.is_finite() {
                assert!((a - b).abs() <= 1e-3, "{name}: H2 {a} vs {b}");
            }
        }
    }

    // (b) a few Adam steps from the same weights on the same batch: the same losses
    let losses = |dev: &Device| -> Vec<f32> {
        let ad = dev.clone().autodiff();
        let mut model = net_f.clone().fork(&ad).train();
        let mut opt = AdamConfig::new().init();
        let loss_fn = CrossEntropyLossConfig::new().init(&ad);
        let yt = Tensor::<1, Int>::from_data(TensorData::new(y.clone(), [y.len()]), &ad);
        (0..4)
            .map(|_| {
                let (logits, _) = model.forward_features(from_nchw(x.view(), &ad));
                let loss = loss_fn.forward(logits, yt.clone());
                let v = loss.clone().into_scalar::<f32>();
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = opt.step(1e-3, model.clone(), grads);
                v
            })
            .collect()
    };
    let (lf, lg) = (losses(&flex), losses(&gpu));
    eprintln!("losses flex {lf:?}, wgpu {lg:?}");
    for (a, b) in lf.iter().zip(&lg) {
        assert!((a - b).abs() <= 1e-3, "losses {lf:?} vs {lg:?}");
    }
    assert!(lf[3] < lf[0], "the loss fell: {lf:?}");
    let _ = net_g.valid();
}
