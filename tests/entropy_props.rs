//! Property tests of the entropy core (proptest). Each invariant is stated above its test.

use ndarray::{Array3, Array4};
use proptest::prelude::*;
use sednas::entropy::{
    H1Estimator, H2Options, gaussian_entropy, h1, local_h1, local_h1_naive, local_h2,
    local_h2_naive,
};
use sednas::window::{Border, Kernel, Stride, WindowPlan, WindowSpec, Windows};

fn border() -> impl Strategy<Value = Border> {
    prop_oneof![
        Just(Border::Valid),
        Just(Border::Crop),
        Just(Border::Zero),
        Just(Border::Reflect)
    ]
}

fn odd(max: usize) -> impl Strategy<Value = usize> {
    (0..=max / 2).prop_map(|k| 2 * k + 1)
}

/// A small h×w×c map with few levels (so windows have repeats), a kernel and a stride.
fn map_case() -> impl Strategy<Value = (Array3<f64>, WindowSpec)> {
    (
        1usize..9,
        1usize..9,
        1usize..4,
        odd(5),
        odd(5),
        odd(3),
        1usize..4,
        1usize..4,
        1usize..3,
        border(),
        1u32..6,
    )
        .prop_flat_map(|(h, w, c, kw, kh, kc, sw, sh, sc, b, levels)| {
            let kw = if b == Border::Valid {
                kw.min(2 * ((w - 1) / 2) + 1)
            } else {
                kw
            };
            let kh = if b == Border::Valid {
                kh.min(2 * ((h - 1) / 2) + 1)
            } else {
                kh
            };
            let kc = if b == Border::Valid {
                kc.min(2 * ((c - 1) / 2) + 1)
            } else {
                kc
            };
            let spec = WindowSpec::new(
                Kernel::new(kw, kh, kc).unwrap(),
                Stride::new(sw, sh, sc).unwrap(),
                b,
            );
            (
                prop::collection::vec(0..levels, h * w * c),
                Just((h, w, c)),
                Just(spec),
            )
        })
        .prop_map(|(v, shape, spec)| {
            (
                Array3::from_shape_vec(shape, v.into_iter().map(|x| x as f64 - 1.5).collect())
                    .unwrap(),
                spec,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    // Sliding histogram = naive per-window computation, bit for bit, for every border policy,
    // random shapes, kernels and strides.
    #[test]
    fn sliding_equals_naive((m, spec) in map_case()) {
        let a = local_h1(m.view(), &spec, &H1Estimator::Exact).unwrap();
        let b = local_h1_naive(m.view(), &spec, &H1Estimator::Exact).unwrap();
        prop_assert_eq!(a, b);
    }

    // 0 ≤ H1 ≤ log2(population), and H1 of the window's values equals the map entry exactly.
    #[test]
    fn h1_bounds_and_agreement((m, spec) in map_case()) {
        let out = local_h1(m.view(), &spec, &H1Estimator::Exact).unwrap();
        let w = Windows::new(m.view(), &spec).unwrap();
        for (idx, view) in w.iter() {
            let vals: Vec<f64> = view.iter().copied().collect();
            let h = out[idx];
            prop_assert!(h >= 0.0);
            prop_assert!(h <= (vals.len() as f64).log2() + 1e-12);
            prop_assert_eq!(h, h1(&vals, &H1Estimator::Exact).unwrap());
        }
    }

    // H1 is invariant under any permutation of the values of a window.
    #[test]
    fn h1_permutation_invariant(mut v in prop::collection::vec(-3i32..3, 1..60), seed in any::<u64>()) {
        let a = h1(&v.iter().map(|&x| x as f64).collect::<Vec<_>>(), &H1Estimator::Exact).unwrap();
        let mut s = seed;
        for i in (1..v.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            v.swap(i, (s >> 33) as usize % (i + 1));
        }
        let b = h1(&v.iter().map(|&x| x as f64).collect::<Vec<_>>(), &H1Estimator::Exact).unwrap();
        prop_assert_eq!(a, b);
    }

    // A constant window has H1 = 0 exactly, also through the sliding path.
    #[test]
    fn constant_map_zero_entropy(h in 1usize..8, w in 1usize..8, x in -5.0f64..5.0, b in border()) {
        let m = Array3::from_elem((h, w, 1), x);
        let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), b);
        prop_assert!(local_h1(m.view(), &spec, &H1Estimator::Exact).unwrap().iter().all(|&v| v == 0.0));
        let spec3 = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        prop_assert!(local_h1(m.view(), &spec3, &H1Estimator::Exact).unwrap().iter().all(|&v| v == 0.0));
    }

    // H2 of a diagonal covariance equals the closed form ½·Σ log2(2πe·σ_i²).
    #[test]
    fn h2_diagonal_closed_form(vars in prop::collection::vec(1e-3f64..1e3, 1..12)) {
        let d = vars.len();
        let cov = ndarray::Array2::from_diag(&ndarray::Array1::from(vars.clone()));
        let h = gaussian_entropy(cov.view()).unwrap().bits;
        let expect: f64 = vars.iter().map(|v| 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * v).log2()).sum();
        prop_assert!((h - expect).abs() < 1e-10 * d as f64, "{} vs {}", h, expect);
    }

    // Scaling the data by a shifts local H2 by d·log2|a| (d entries per window).
    #[test]
    fn h2_scaling_shift(seed in any::<u64>(), a in prop_oneof![-8.0f64..-0.125, 0.125f64..8.0]) {
        let mut s = seed | 1;
        let b = Array4::from_shape_fn((30, 4, 5, 2), |_| {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            (s % 10_000) as f64 / 1000.0
        });
        let spec = WindowSpec::new(Kernel::new(3, 1, 1).unwrap(), Stride::unit(), Border::Valid);
        let h0 = local_h2(b.view(), &spec, &H2Options::new()).unwrap();
        let scaled = b.mapv(|x| a * x);
        let h1v = local_h2(scaled.view(), &spec, &H2Options::new()).unwrap();
        for (x, y) in h0.values.iter().zip(h1v.values.iter()) {
            prop_assert!((y - x - 3.0 * a.abs().log2()).abs() < 1e-8, "{} {} {}", x, y, a);
        }
    }

    // Fast H2 (shared products) equals the per-window reference exactly.
    #[test]
    fn h2_fast_equals_naive(seed in any::<u64>(), b in border(), k in odd(3), kc in odd(3), s in 1usize..3) {
        let mut st = seed | 1;
        let batch = Array4::from_shape_fn((12, 5, 4, 3), |_| {
            st ^= st << 13; st ^= st >> 7; st ^= st << 17;
            (st % 1000) as f64 / 100.0
        });
        let spec = WindowSpec::new(Kernel::new(k, k.min(3), kc).unwrap(), Stride::new(s, 1, 1).unwrap(), b);
        let x = local_h2(batch.view(), &spec, &H2Options::new()).unwrap();
        let y = local_h2_naive(batch.view(), &spec, &H2Options::new()).unwrap();
        prop_assert_eq!(x.values, y.values);
        prop_assert_eq!(x.singular, y.singular);
    }

    // One window plan for maps and batches: H2 over an n×h×w×c batch has exactly the
    // windows of H1 over each h×w×c map (same shape, same plan), and a kernel that does not
    // fit under `valid` is refused by both with the same error.
    #[test]
    fn h1_and_h2_share_the_window_plan((m, spec) in map_case(), n in 2usize..4) {
        let (h, w, c) = m.dim();
        let batch = Array4::from_shape_fn((n, h, w, c), |(s, i, j, l)| m[[i, j, l]] + s as f64);
        let plan = WindowPlan::new([h, w, c], &spec);
        let h1 = local_h1(m.view(), &spec, &H1Estimator::Exact);
        let h2 = local_h2(batch.view(), &spec, &H2Options::new());
        match plan {
            Ok(p) => {
                let (h1, h2) = (h1.unwrap(), h2.unwrap());
                prop_assert_eq!(h1.shape(), &p.shape()[..]);
                prop_assert_eq!(h2.values.shape(), &p.shape()[..]);
                let wins = Windows::new(m.view(), &spec).unwrap();
                prop_assert_eq!(wins.plan(), &p);
            }
            Err(e) => {
                prop_assert_eq!(h1.unwrap_err().to_string(), e.to_string());
                prop_assert_eq!(h2.unwrap_err().to_string(), e.to_string());
            }
        }
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn noise(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

// Rows of windows split across threads: the map is bit-identical on 1, 2 and 3 threads, for
// every border, strides, u8 and float maps, exact and binned (maps large enough to take the
// parallel path), and equal to the naive per-window computation.
#[test]
fn h1_parallel_is_bit_identical() {
    let mut r = noise(42);
    let m8 = Array3::from_shape_fn((181, 157, 3), |_| (r() % 23) as u8);
    let mf = m8.mapv(|v| v as f64 * 0.37 - 2.0);
    for border in [Border::Valid, Border::Crop, Border::Zero, Border::Reflect] {
        for (k, st) in [((7, 5, 1), (1, 1, 1)), ((3, 3, 3), (2, 1, 1))] {
            let spec = WindowSpec::new(
                Kernel::new(k.0, k.1, k.2).unwrap(),
                Stride::new(st.0, st.1, st.2).unwrap(),
                border,
            );
            let one = pool(1).install(|| local_h1(m8.view(), &spec, &H1Estimator::Exact).unwrap());
            for t in [2, 3] {
                let many =
                    pool(t).install(|| local_h1(m8.view(), &spec, &H1Estimator::Exact).unwrap());
                assert!(one == many, "u8 {border} {t} threads");
            }
            let est: H1Estimator = "binned:7".parse().unwrap();
            let a = pool(1).install(|| local_h1(mf.view(), &spec, &est).unwrap());
            let b = pool(2).install(|| local_h1(mf.view(), &spec, &est).unwrap());
            assert!(a == b, "f64 binned {border}");
            assert_eq!(
                one,
                local_h1_naive(m8.view(), &spec, &H1Estimator::Exact).unwrap()
            );
        }
    }
}

// The same for local H2 (bands of rows across threads, eight windows per factorisation),
// with and without a ridge, and against the naive per-window covariance.
#[test]
fn h2_parallel_is_bit_identical() {
    let mut r = noise(7);
    let b = Array4::from_shape_fn((40, 19, 17, 4), |_| (r() % 10_000) as f64 / 1e3);
    for border in [Border::Valid, Border::Crop, Border::Reflect] {
        let spec = WindowSpec::new(Kernel::new(3, 3, 3).unwrap(), Stride::unit(), border);
        for opts in [H2Options::new(), H2Options::new().with_ridge(1e-3).unwrap()] {
            let one = pool(1).install(|| local_h2(b.view(), &spec, &opts).unwrap());
            for t in [2, 3] {
                let many = pool(t).install(|| local_h2(b.view(), &spec, &opts).unwrap());
                assert!(one == many, "{border} {t} threads");
            }
            let naive = pool(2).install(|| local_h2_naive(b.view(), &spec, &opts).unwrap());
            assert!(one == naive, "{border} naive");
        }
    }
}
