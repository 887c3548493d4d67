//! `sednas measure` per network: build the network (burn, init seed fixed), forward the
//! 16-image noise batch, and measure every captured map (exact and binned:16 H1 in one
//! window walk, the zero fraction, H2 across the batch; `nn::measure`). One network per
//! iteration, one thread (run with `RAYON_NUM_THREADS=1`, as the sharded runs do: one
//! process per core).
//!
//! Targets (issue 26, item 5):
//! * `measure/nb201_reduced`: C = 8, N = 1. Target ≤ 60 ms per network, and all 15,625
//!   cells in ≤ 10 min on 2 cores (≤ 77 ms per network per core, whole process).
//! * `measure/nb201_benchmark`: C = 16, N = 5. Target ≤ 0.3 s per network.
//! * `measure/nb201_reduced_forward`: build + forward only, and
//!   `measure/nb201_reduced_maps`: the entropy of the captured maps only, `out` and `relu`
//!   of each layer through `measure_pair` as `measure` runs them.
//! * `measure/nb101_reduced` (C = 16, M = 1) and `measure/darts_reduced` (C = 8, L = 5):
//!   no target; quoted in the README beside the whole-run figures.
//!
//! Last measured 2026-12-03 on the 2-core project machine, shared (load ≈ 5), the bench
//! binary of the commit before the fused H1 walk run back to back with this one (README
//! "Speed"): nb201_reduced 95 → 88 ms (target 60 ms: missed), nb201_benchmark
//! 0.63 → 0.58 s (target 0.3 s: missed), nb101_reduced 157 → 123 ms, darts_reduced
//! 353 → 270 ms; whole space extrapolated 12 min on 2 cores (target 10 min: missed).
//!
//! 2026-12-04, same machine (other engineer's load ≈ 1), before / after the sorting-network
//! H1 kernel (`entropy::sort9`), `--bench nb201` with RAYON_NUM_THREADS=1: nb201_reduced
//! 101.6 → 87.7 ms (target 60 ms: missed), nb201_benchmark 637 → 607 ms (missed),
//! nb201_reduced_maps 54.7 → 46.1 ms, nb201_reduced_forward 30.0 → 32.5 ms (noise);
//! `sednas measure --sample 200` 17.0 → 13.6 s whole process (68 ms per network: the whole
//! space ≈ 8.9 min on 2 cores, one shard per core; target 10 min met by extrapolation).
//!
//! 2026-12-04 later, two alternating sittings of the previous commit's bench binary and this
//! one (load ≈ 1), after the f32 key path (no hash table; bin ids sorted as bytes):
//! nb201_reduced 68.8 / 78.0 → 57.7 / 64.6 ms (target 60 ms: met in one sitting of two),
//! nb201_benchmark 463 / 537 → 407 / 445 ms (missed), nb201_reduced_maps 37.8 / 37.3 →
//! 28.9 / 27.6 ms; `--summaries-only` (`*_summaries`): reduced 34.8 / 38.0 ms and benchmark
//! 263 / 277 ms (both targets met). The whole space, run for real by
//! `scripts/measure-space-timing.sh`: 9.89 min (7.3 min in another sitting) and 5.81 min with
//! `--summaries-only` on 2 cores (target 10 min: met; docs/speed.md).

use std::hint::black_box;

use burn::tensor::activation::relu;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sednas::arch::darts::Genotype;
use sednas::arch::nb101::Nb101Arch;
use sednas::arch::nb201::Nb201Arch;
use sednas::arch::{AnyArch, SpaceKind};
use sednas::nn::measure::{
    MeasureConfig, MeasureInput, MeasureParams, MeasureScope, measure_arch, measure_inputs,
    measure_pair,
};
use sednas::nn::nb201::{Nb201Net, Nb201NetConfig};
use sednas::nn::{BatchStats, Classifier, cpu, from_nchw, to_nhwc};

fn cfg(space: SpaceKind, width: usize, cells: usize) -> MeasureConfig {
    MeasureParams {
        width,
        cells,
        batch: 16,
        input: MeasureInput::Noise,
        seed: 0,
        bins: 16,
    }
    .check(space)
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let images =
        measure_inputs(&cfg(SpaceKind::Nb201, 8, 1), std::path::Path::new("data")).unwrap();
    let nb201 = AnyArch::Nb201(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|"
            .parse::<Nb201Arch>()
            .unwrap(),
    );
    let nb101 = AnyArch::Nb101(
        Nb101Arch::from_parts(
            "0111000010000100000100000",
            &[
                "input",
                "conv3x3-bn-relu",
                "conv1x1-bn-relu",
                "maxpool3x3",
                "output",
            ],
        )
        .unwrap(),
    );
    let darts = AnyArch::Darts(Genotype::from_naslib(
        "max_pool_3x3~0;dil_conv_3x3~1;avg_pool_3x3~1;avg_pool_3x3~0;sep_conv_3x3~1;sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~3",
        "max_pool_3x3~1;skip_connect~0;sep_conv_3x3~1;sep_conv_3x3~0;max_pool_3x3~3;avg_pool_3x3~0;max_pool_3x3~2;dil_conv_5x5~3",
    ).unwrap());
    let mut g = c.benchmark_group("measure");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    for (name, arch, conf) in [
        ("nb201_reduced", &nb201, cfg(SpaceKind::Nb201, 8, 1)),
        ("nb201_benchmark", &nb201, cfg(SpaceKind::Nb201, 16, 5)),
        ("nb101_reduced", &nb101, cfg(SpaceKind::Nb101, 16, 1)),
        ("darts_reduced", &darts, cfg(SpaceKind::Darts, 8, 5)),
        // `measure --summaries-only`: the relu maps, H2 on the first and the last
        (
            "nb201_reduced_summaries",
            &nb201,
            cfg(SpaceKind::Nb201, 8, 1).with_scope(MeasureScope::Summaries),
        ),
        (
            "nb201_benchmark_summaries",
            &nb201,
            cfg(SpaceKind::Nb201, 16, 5).with_scope(MeasureScope::Summaries),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(measure_arch(arch, &conf, images.view()).unwrap()))
        });
    }
    // the two halves of nb201_reduced
    let AnyArch::Nb201(a) = &nb201 else {
        unreachable!()
    };
    let net_cfg = Nb201NetConfig {
        in_channels: 3,
        width: 8,
        cells: 1,
        classes: 10,
    };
    // as `measure` runs it: the plain device with batch-statistics BatchNorm
    let device = cpu();
    let forward = || {
        device.seed(0);
        let net = Nb201Net::new(a, &net_cfg, &device).unwrap();
        let _stats = BatchStats::on();
        net.forward_features(from_nchw(images.view(), &device)).1
    };
    g.bench_function("nb201_reduced_forward", |b| b.iter(|| black_box(forward())));
    let maps: Vec<_> = forward()
        .into_iter()
        .map(|(n, t)| {
            let post = to_nhwc(relu(t.clone())).unwrap();
            (n, to_nhwc(t).unwrap(), post)
        })
        .collect();
    g.bench_function("nb201_reduced_maps", |b| {
        b.iter(|| {
            for (n, pre, post) in &maps {
                black_box(measure_pair(pre.view(), post.view(), n, 16).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
