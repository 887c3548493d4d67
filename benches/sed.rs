//! SED scoring throughput.
//!
//! * `sed/parse_and_score_nb201`: parse an NB201 string, take its op census and score it
//!   (printed formula, default reading), over all 15,625 benchmark strings. Target ≤ 100 ns
//!   per architecture on one core. A straightforward Python implementation of the same
//!   formula (`benches/sed_python.py`) is timed in the same run and the ratio printed.
//! * `sed/score_all_15625_from_codes`: the whole space from codes. Target < 5 ms.
//! * `sed/led_flow_parse_and_score_nb201`: the same for LED-flow (`src/sed/ledflow.rs`),
//!   same target (≤ 100 ns per architecture); measured 188 ns (above target).
//! * The 5-node space (9,765,625 cells) is timed once with rayon on all cores (target < 5 s
//!   on 2 cores) and printed before the criterion output.
//!
//! Measured 2026-11-29 on the 2-core project machine: parse + score 112–118 ns per
//! architecture (above the 100 ns target; Python 2.2 µs, ~20×); all 15,625 from codes
//! 1.1–1.3 ms; the 5-node space 0.39 s on 2 threads.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use sednas::arch::nb201::{Nb201Arch, enumerate};
use sednas::arch::{AnyArch, Census, SpaceKind};
use sednas::sed::{Sed, SedConfig};

fn python_seconds_per_arch() -> Option<f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/sed_python.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .output()
        .ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn bench(c: &mut Criterion) {
    let sed = Sed::new(SedConfig::default()).unwrap();
    let strings: Vec<String> = enumerate(4).unwrap().map(|a| a.to_string()).collect();
    let n = strings.len() as u64;

    // one-shot figures printed before criterion's
    let t = Instant::now();
    let mut census = Census::default();
    let mut acc = 0.0;
    for s in &strings {
        acc += sed.score(&AnyArch::parse(SpaceKind::Nb201, s).unwrap(), &mut census);
    }
    let ours = t.elapsed().as_secs_f64() / n as f64;
    black_box(acc);
    match python_seconds_per_arch() {
        Some(py) => println!(
            "parse+score NB201: sednas {:.1} ns/arch, Python {:.1} ns/arch, ratio {:.0}x",
            ours * 1e9,
            py * 1e9,
            py / ours
        ),
        None => println!(
            "parse+score NB201: sednas {:.1} ns/arch (python3 not available: no ratio)",
            ours * 1e9
        ),
    }
    let opts = *sed.census_options();
    let t = Instant::now();
    let total: f64 = (0..9_765_625u64)
        .into_par_iter()
        .map_init(Census::default, |census, code| {
            Nb201Arch::from_code(5, code).unwrap().census(&opts, census);
            sed.score_census(census)
        })
        .sum();
    println!(
        "5-node space: 9,765,625 cells scored in {:.3} s on {} threads (checksum {total:.3})",
        t.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );

    let mut g = c.benchmark_group("sed");
    g.throughput(Throughput::Elements(n));
    g.bench_function("parse_and_score_nb201", |b| {
        let mut census = Census::default();
        b.iter(|| {
            let mut acc = 0.0;
            for s in &strings {
                acc += sed.score(
                    &AnyArch::parse(SpaceKind::Nb201, black_box(s)).unwrap(),
                    &mut census,
                );
            }
            acc
        })
    });
    let led = sednas::sed::ledflow::LedFlow::new(Default::default()).unwrap();
    g.bench_function("led_flow_parse_and_score_nb201", |b| {
        let mut graphs = Vec::new();
        b.iter(|| {
            let mut acc = 0.0;
            for s in &strings {
                acc += led.score(
                    &AnyArch::parse(SpaceKind::Nb201, black_box(s)).unwrap(),
                    &mut graphs,
                );
            }
            acc
        })
    });
    g.bench_function("score_all_15625_from_codes", |b| {
        let mut census = Census::default();
        b.iter(|| {
            let mut acc = 0.0;
            for code in 0..15_625u64 {
                Nb201Arch::from_code(4, code)
                    .unwrap()
                    .census(&opts, &mut census);
                acc += sed.score_census(&census);
            }
            acc
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
