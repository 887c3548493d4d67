//! Proposition 1: a convolution over a subtensor with H1 = 0 works as a bias.
//!
//! If every entry of the k_w×k_h receptive field equals c, the convolution output is
//! Σ_ij K_ij·c + b = c·ΣK + b: only the sum of the kernel matters (a bias-like scalar), and
//! the gradient of the output with respect to K is c·1 (all-ones), so training can change
//! only ΣK through this window. See `proofs/P1.md`.

use ndarray::{Array2, ArrayView2};

use super::{Check, Report, Verdict, VerifyOptions, normal};
use crate::entropy::{H1Estimator, h1};
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// Cross-correlation (the deep-learning "convolution") of the kernel with the window whose
/// top-left corner is (i, j), plus bias, then ReLU. Entries outside the map are `pad`.
///
/// # Formula
/// y = ReLU(Σ_{a,b} K[a,b]·X[i+a, j+b] + bias)
///
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 1.0], [1.0, 1.0]];
/// let k = array![[1.0, -2.0], [0.5, 0.25]];
/// assert_eq!(sednas::propositions::p1::conv_relu(x.view(), k.view(), 0.5, 0, 0, 0.0), 0.25);
/// ```
pub fn conv_relu(
    x: ArrayView2<'_, f64>,
    k: ArrayView2<'_, f64>,
    bias: f64,
    i: isize,
    j: isize,
    pad: f64,
) -> f64 {
    let (h, w) = x.dim();
    let (kh, kw) = k.dim();
    let mut s = bias;
    for a in 0..kh {
        for b in 0..kw {
            let (y, z) = (i + a as isize, j + b as isize);
            let v = if y >= 0 && z >= 0 && (y as usize) < h && (z as usize) < w {
                x[[y as usize, z as usize]]
            } else {
                pad
            };
            s += k[[a, b]] * v;
        }
    }
    s.max(0.0)
}

/// Property behind P1, on random kernels, biases and constants: for a receptive field of
/// constant value c, conv = ReLU(c·ΣK + b). Returns the largest deviation seen.
///
/// The two sides agree up to rounding, so the deviation is at the level of f64's epsilon;
/// with no trials it is 0.
///
/// # Errors
/// [`Error::Internal`] if a constructed window is not constant; the entropy core's errors.
///
/// ```
/// use sednas::propositions::p1::constant_window_deviation;
/// assert_eq!(constant_window_deviation(0, 7).unwrap(), 0.0);
/// assert!(constant_window_deviation(200, 7).unwrap() < 1e-12);
/// ```
pub fn constant_window_deviation(trials: usize, seed: u64) -> Result<f64> {
    let mut r = SplitMix64::new(seed);
    let mut worst = 0.0f64;
    for _ in 0..trials {
        let k = 1 + 2 * r.below(3) as usize;
        let (h, w) = (k + r.below(6) as usize, k + r.below(6) as usize);
        let mut x = Array2::from_shape_fn((h, w), |_| normal(&mut r));
        let c = normal(&mut r);
        let (i, j) = (
            r.below((h - k + 1) as u64) as usize,
            r.below((w - k + 1) as u64) as usize,
        );
        for a in 0..k {
            for b in 0..k {
                x[[i + a, j + b]] = c;
            }
        }
        let win: Vec<f64> = (0..k * k).map(|t| x[[i + t / k, j + t % k]]).collect();
        if h1(&win, &H1Estimator::Exact)? != 0.0 {
            return Err(Error::Internal {
                what: "p1",
                reason: "the constructed window is not constant".into(),
            });
        }
        let kern = Array2::from_shape_fn((k, k), |_| normal(&mut r));
        let bias = normal(&mut r);
        let got = conv_relu(x.view(), kern.view(), bias, i as isize, j as isize, 0.0);
        let want = (c * kern.sum() + bias).max(0.0);
        worst = worst.max((got - want).abs() / (1.0 + want.abs()));
    }
    Ok(worst)
}

#[cfg(feature = "nn")]
/// Output and kernel gradient of ReLU(conv(window, K) + b) computed by burn's autodiff
/// (Flex CPU backend), for one k_h×k_w window (valid convolution, one output).
///
/// # Formula
/// y = ReLU(Σ K⊙X + b); with ReLU active, ∂y/∂K = X.
///
/// # Errors
/// [`Error::Shape`] when the window and the kernel differ in shape; [`Error::Internal`]
/// when burn gives no kernel gradient or data that does not convert.
///
/// ```
/// use ndarray::array;
/// use sednas::propositions::p1::burn_kernel_gradient;
/// let x = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let k = array![[0.5f32, -0.25], [1.0, 0.0]];
/// let (y, g) = burn_kernel_gradient(x.view(), k.view(), 0.25).unwrap();
/// assert_eq!(y, 3.25); // 0.5 − 0.5 + 3 + 0 + 0.25
/// assert_eq!(g, x);
/// // the window and the kernel must have the same shape
/// let k3 = ndarray::Array2::<f32>::zeros((3, 3));
/// assert!(matches!(
///     burn_kernel_gradient(x.view(), k3.view(), 0.0),
///     Err(sednas::error::Error::Shape(_))
/// ));
/// ```
pub fn burn_kernel_gradient(
    window: ArrayView2<'_, f32>,
    kernel: ArrayView2<'_, f32>,
    bias: f32,
) -> Result<(f32, Array2<f32>)> {
    use burn::tensor::module::conv2d;
    use burn::tensor::ops::ConvOptions;
    use burn::tensor::{Device, Tensor, TensorData, activation::relu};
    let (kh, kw) = kernel.dim();
    if window.dim() != (kh, kw) {
        return Err(Error::Shape(format!(
            "window {:?} and kernel {:?} differ",
            window.dim(),
            kernel.dim()
        )));
    }
    let device = Device::flex().autodiff();
    let x = Tensor::<4>::from_data(
        TensorData::new(window.iter().copied().collect::<Vec<f32>>(), [1, 1, kh, kw]),
        &device,
    );
    let k = Tensor::<4>::from_data(
        TensorData::new(kernel.iter().copied().collect::<Vec<f32>>(), [1, 1, kh, kw]),
        &device,
    )
    .require_grad();
    let b = Tensor::<1>::from_data(TensorData::new(vec![bias], [1]), &device);
    let y = relu(conv2d(
        x,
        k.clone(),
        Some(b),
        ConvOptions::new([1, 1], [0, 0], [1, 1], 1),
    ));
    let out: f32 = y.clone().sum().into_scalar::<f32>();
    let grads = y.sum().backward();
    let g = k.grad(&grads).ok_or_else(|| Error::Internal {
        what: "p1 burn autodiff",
        reason: "no kernel gradient".into(),
    })?;
    let v: Vec<f32> = g
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| Error::Internal {
            what: "p1 burn autodiff",
            reason: format!("{e:?}"),
        })?;
    let g = Array2::from_shape_vec((kh, kw), v).map_err(|e| Error::Shape(e.to_string()))?;
    Ok((out, g))
}

/// P1's autodiff check on burn (feature `nn`): the kernel gradient for a constant window is
/// c·1. Without the feature the check is absent from the evidence.
#[cfg(feature = "nn")]
fn burn_checks(checks: &mut Vec<Check>) -> Result<()> {
    // burn autodiff: the kernel gradient is c·1 for a constant window
    let c = 0.7f32;
    let win = Array2::from_elem((3, 3), c);
    let kern = Array2::from_shape_fn((3, 3), |(a, b)| {
        0.1 * (a as f32 - 1.0) + 0.05 * b as f32 + 0.2
    });
    let (_, g) = burn_kernel_gradient(win.view(), kern.view(), 0.1)?;
    let spread = relative_spread(g.view());
    checks.push(Check {
        name: "burn autodiff: kernel gradient for a constant window is a multiple of all-ones"
            .into(),
        confirms: spread < 1e-6 && (g[[0, 0]] - c).abs() < 1e-6,
        value: Some(spread),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "window ≡ {c}, 3×3 kernel; gradient entries all {:.6} (= c, ReLU active)",
            g[[0, 0]]
        ),
    });
    Ok(())
}

#[cfg(not(feature = "nn"))]
fn burn_checks(_checks: &mut Vec<Check>) -> Result<()> {
    // burn is not built in: the autodiff cross-check is simply absent from the evidence
    Ok(())
}

/// Spread max − min of a gradient's entries relative to its largest magnitude (0 for a
/// constant multiple of the all-ones tensor).
///
/// # Formula
/// (max g − min g) / max |g|
///
/// ```
/// use ndarray::array;
/// use sednas::propositions::p1::relative_spread;
/// assert_eq!(relative_spread(array![[1.0f32, 2.0], [3.0, 4.0]].view()), 0.75);
/// assert_eq!(relative_spread(array![[0.7f32, 0.7], [0.7, 0.7]].view()), 0.0);
/// ```
pub fn relative_spread(g: ArrayView2<'_, f32>) -> f64 {
    let max = g.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    let min = g.iter().fold(f32::INFINITY, |a, &b| a.min(b)) as f64;
    let scale = g.iter().fold(0.0f32, |a, &b| a.max(b.abs())) as f64;
    if scale == 0.0 {
        0.0
    } else {
        (max - min) / scale
    }
}

/// The P1 report.
///
/// # Errors
/// The errors of [`constant_window_deviation`] and (feature `nn`) [`burn_kernel_gradient`].
///
/// ```
/// use sednas::propositions::{p1, Verdict, VerifyOptions};
/// let r = p1::report(&VerifyOptions::default()).unwrap();
/// assert_eq!((r.id, r.verdict, r.proof), ("P1", Verdict::Holds, "proofs/P1.md"));
/// assert!(r.consistent());
/// ```
pub fn report(opts: &VerifyOptions) -> Result<Report> {
    let trials = if opts.thorough { 20_000 } else { 2_000 };
    let dev = constant_window_deviation(trials, opts.seed)?;
    let mut checks = vec![Check {
        name: "conv over a constant receptive field equals ReLU(c·ΣK + b)".into(),
        confirms: dev < 1e-12,
        value: Some(dev),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "{trials} random maps, kernels 1×1..5×5, constants and biases ~ N(0,1); max relative deviation"
        ),
    }];
    burn_checks(&mut checks)?;
    // Border precision: H1 must be taken over the whole receptive field, padding included.
    let x = Array2::from_elem((4, 4), 1.0);
    let k = Array2::from_shape_fn((3, 3), |(a, b)| (a * 3 + b) as f64 - 3.0);
    let corner = conv_relu(x.view(), k.view(), 0.0, -1, -1, 0.0);
    let full = (k.sum()).max(0.0);
    checks.push(Check {
        name: "at a zero-padded border the receptive field includes the padding (a cropped window misleads)".into(),
        confirms: (corner - full).abs() > 1e-9,
        value: Some(corner),
        claim: Some(full),
        ci95: None,
        detail: "map ≡ 1, corner window: the in-map entries are constant (H1 = 0 under `crop`), but the zero-padded receptive field is not, and conv = Σ of the in-map kernel entries ≠ ΣK; under the `zero` border policy H1 > 0 there, consistent with P1".into(),
    });
    Ok(Report {
        id: "P1",
        verdict: Verdict::Holds,
        paper: "If the subtensor X[α_{i,kw}; β_{j,kh}] has H1 = 0, the convolution of that subtensor with K works as a bias of K (under ReLU).",
        corrected: "If every entry of the receptive field of output (i, j) equals c (H1 = 0 over the full window, padding entries included), then y_ij = ReLU(c·ΣK + b) and ∂y_ij/∂K = 1{c·ΣK + b > 0}·c·1: the output depends on K only through ΣK.",
        proof: "proofs/P1.md",
        checks,
    })
}
