//! Oracle tests: our entropies against scikit-image `rank.entropy` and scipy
//! `multivariate_normal(...).entropy()`. The golden values were generated once by
//! `tests/golden/make_golden.py` (versions recorded in `golden.json`); no Python runs here.

use std::path::Path;

use ndarray::{Array2, Ix2};
use sednas::entropy::{H1Estimator, gaussian_entropy, h1::local_h1_2d};
use sednas::io::npy::{NpyArray, read_npy};
use sednas::window::{Border, Kernel, Stride, WindowSpec};

fn golden() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/golden.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn npy(name: &str) -> NpyArray {
    read_npy(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .unwrap()
}

#[test]
fn local_h1_crop_equals_skimage_rank_entropy() {
    let g = golden();
    let cases = g["skimage_rank_entropy"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let NpyArray::U8(img) = npy(case["image"].as_str().unwrap()) else {
            panic!("u8 image")
        };
        let img = img.into_dimensionality::<Ix2>().unwrap();
        let expected: Array2<f64> = npy(case["expected"].as_str().unwrap())
            .to_f64()
            .into_dimensionality()
            .unwrap();
        let kernel: Kernel = case["kernel"].as_str().unwrap().parse().unwrap();
        let spec = WindowSpec::new(kernel, Stride::unit(), Border::Crop);
        let got = local_h1_2d(img.view(), &spec, &H1Estimator::Exact).unwrap();
        assert_eq!(got.dim(), expected.dim());
        let worst = got
            .iter()
            .zip(expected.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-9, "{}: max |diff| = {worst}", case["expected"]);
    }
}

#[test]
fn gaussian_entropy_equals_scipy() {
    let g = golden();
    for case in g["scipy_mvn_entropy"].as_array().unwrap() {
        let rows: Vec<Vec<f64>> = serde_json::from_value(case["cov"].clone()).unwrap();
        let d = rows.len();
        let cov = Array2::from_shape_vec((d, d), rows.concat()).unwrap();
        let h = gaussian_entropy(cov.view()).unwrap();
        let bits = case["bits"].as_f64().unwrap();
        assert!(
            (h.bits - bits).abs() < 1e-9 * bits.abs().max(1.0),
            "d={d}: {} vs {bits}",
            h.bits
        );
    }
}
