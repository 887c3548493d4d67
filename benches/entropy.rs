//! Local-entropy throughput. Every kernel is timed on one thread (`/1t`) and on two
//! (`/2t`, rayon over rows of windows; the values are bit-identical, see
//! `tests/entropy_props.rs`).
//!
//! * `local_h1/u8_512x512_7x7_crop`: sliding-histogram H1 of a 512×512 u8 image, 7×7 windows,
//!   `crop` border (the scikit-image `rank.entropy` setting). Targets: ≥ 30× faster than
//!   scikit-image on the same image on one thread, timed by `benches/skimage_entropy.py` in
//!   the same run (the ratio is printed before the criterion output), and ≥ 1.8× from one
//!   thread to two.
//! * `local_h2/batch64_16x16x8_3x3x3`: Gaussian H2 of 3×3×3 windows (crop, stride 1) over a
//!   batch of 64 maps of 16×16×8 (2,048 windows, d = 27 in the interior). Targets ≥ 2 M
//!   windows/s on one thread and ≥ 1.8× from one thread to two.
//!
//! Figures and the whole-process counterparts: README, "Speed" (scripts/bench-cli.sh).
//! Throughput is declared in windows (one per output entry), so criterion prints windows/s.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array3, Array4};
use sednas::entropy::{H1Estimator, H2Options, local_h1, local_h1_naive, local_h2, local_h2_naive};
use sednas::window::{Border, Kernel, Stride, WindowSpec};

/// Deterministic test image: smooth structure plus xorshift noise, values 0..=255.
fn bench_image(h: usize, w: usize) -> Array3<u8> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    Array3::from_shape_fn((h, w, 1), |(i, j, _)| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let smooth = 128.0 + 60.0 * ((i as f64 / 23.0).sin() + (j as f64 / 17.0).cos());
        (smooth + (s % 32) as f64 - 16.0).clamp(0.0, 255.0) as u8
    })
}

fn skimage_seconds(img: &Array3<u8>, k: usize) -> Option<f64> {
    let dir = std::env::temp_dir().join("sednas-bench");
    std::fs::create_dir_all(&dir).ok()?;
    let p = dir.join("img.npy");
    let (h, w, _) = img.dim();
    let f = img
        .mapv(f64::from)
        .into_shape_with_order((h, w))
        .ok()?
        .into_dyn();
    // skimage needs uint8: write as u8 .npy by hand
    let mut bytes = sednas::io::npy::to_npy_bytes(&f);
    let header_end = bytes.iter().position(|&b| b == b'\n')? + 1;
    let header = String::from_utf8(bytes[10..header_end].to_vec())
        .ok()?
        .replace("<f8", "|u1");
    bytes.truncate(0);
    bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(img.iter().copied());
    std::fs::write(&p, bytes).ok()?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/skimage_entropy.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&p)
        .arg(k.to_string())
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn bench_h1(c: &mut Criterion) {
    let img = bench_image(512, 512);
    let spec = WindowSpec::new(Kernel::square(7).unwrap(), Stride::unit(), Border::Crop);
    let (p1, p2) = (pool(1), pool(2));
    // same-run comparison with scikit-image (one thread)
    let ours = p1.install(|| {
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            black_box(local_h1(img.view(), &spec, &H1Estimator::Exact).unwrap());
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    });
    match skimage_seconds(&img, 7) {
        Some(sk) => println!(
            "local_h1 512x512 7x7 crop: sednas {:.3} ms, scikit-image {:.3} ms, ratio {:.1}x (target >= 30x)",
            ours * 1e3,
            sk * 1e3,
            sk / ours
        ),
        None => println!(
            "local_h1 512x512 7x7 crop: sednas {:.3} ms; scikit-image not available (pip install scikit-image) -- no ratio",
            ours * 1e3
        ),
    }
    let mut g = c.benchmark_group("local_h1");
    g.throughput(Throughput::Elements(512 * 512));
    for (name, p) in [
        ("u8_512x512_7x7_crop/1t", &p1),
        ("u8_512x512_7x7_crop/2t", &p2),
    ] {
        g.bench_function(name, |b| {
            p.install(|| {
                b.iter(|| local_h1(black_box(img.view()), &spec, &H1Estimator::Exact).unwrap())
            })
        });
    }
    let small = bench_image(128, 128);
    g.throughput(Throughput::Elements(128 * 128));
    g.bench_function("naive_u8_128x128_7x7_crop", |b| {
        b.iter(|| local_h1_naive(black_box(small.view()), &spec, &H1Estimator::Exact).unwrap())
    });
    g.finish();
}

fn bench_h2(c: &mut Criterion) {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let batch = Array4::from_shape_fn((64, 16, 16, 8), |_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 100_000) as f64 / 1e4
    });
    let spec = WindowSpec::new(Kernel::new(3, 3, 3).unwrap(), Stride::unit(), Border::Crop);
    let windows = (16 * 16 * 8) as u64;
    let mut g = c.benchmark_group("local_h2");
    g.throughput(Throughput::Elements(windows));
    let (p1, p2) = (pool(1), pool(2));
    for (name, p) in [
        ("batch64_16x16x8_3x3x3/1t", &p1),
        ("batch64_16x16x8_3x3x3/2t", &p2),
    ] {
        g.bench_function(name, |b| {
            p.install(|| {
                b.iter(|| local_h2(black_box(batch.view()), &spec, &H2Options::new()).unwrap())
            })
        });
    }
    g.bench_function("naive_batch64_16x16x8_3x3x3/1t", |b| {
        p1.install(|| {
            b.iter(|| local_h2_naive(black_box(batch.view()), &spec, &H2Options::new()).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_h1, bench_h2);
criterion_main!(benches);
