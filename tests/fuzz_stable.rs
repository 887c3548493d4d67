//! A stable, time-boxed fuzz loop over every parser, file reader and CLI entry point: the
//! stable-toolchain counterpart of the cargo-fuzz targets in `fuzz/` (which need nightly).
//!
//! Each target mutates valid seeds (arch strings, `.npy`, PNG, IDX, CSV populations, measure
//! run files, experiment TOML, window/estimator specs, command lines built from clap's own
//! description of every subcommand) and asserts a clean outcome: `Ok` or a typed error, never a
//! panic, an abort, a hang or an unbounded allocation. Inputs that parse must round-trip where
//! the format has a printer. CLI targets run the real binary (stdin closed, 20 s limit per
//! case, exit status 0, 1 or 2 only).
//!
//! Budget per target: `SEDNAS_FUZZ_CASES` cases (default 200) or `SEDNAS_FUZZ_SECONDS`
//! seconds (default 15), whichever ends first; `SEDNAS_FUZZ_SEED` picks the stream (default
//! 0). The long run quoted in the README:
//!
//! ```sh
//! SEDNAS_FUZZ_CASES=1000000 SEDNAS_FUZZ_SECONDS=300 cargo test --release --test fuzz_stable -- --nocapture --test-threads 1
//! ```
//!
//! A failing case prints its target, case number and input (escaped), and the seed that
//! reproduces it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser};
use sednas::arch::{AnyArch, ArchColumns, SpaceKind};
use sednas::rng::SplitMix64;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `case` on mutated inputs until the case count or the time budget is spent; returns
/// the number of cases run.
fn fuzz(target: &str, seeds: &[Vec<u8>], mut case: impl FnMut(&[u8], &mut SplitMix64)) -> u64 {
    let cases = env_or("SEDNAS_FUZZ_CASES", 200);
    let budget = Duration::from_secs(env_or("SEDNAS_FUZZ_SECONDS", 15));
    let seed = env_or("SEDNAS_FUZZ_SEED", 0);
    let mut rng = SplitMix64::new(seed ^ fnv(target.as_bytes()));
    let t0 = Instant::now();
    let mut n = 0;
    while n < cases && t0.elapsed() < budget {
        let input = mutate(seeds, &mut rng);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&input, &mut rng)));
        if r.is_err() {
            panic!(
                "fuzz target {target}: case {n} (SEDNAS_FUZZ_SEED={seed}) panicked on input {:?}",
                String::from_utf8_lossy(&input[..input.len().min(400)])
            );
        }
        n += 1;
    }
    println!(
        "fuzz {target}: {n} cases clean in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    assert!(n > 0, "fuzz target {target} ran no case");
    n
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

const INTERESTING: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "255",
    "256",
    "65535",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "1e10",
    "1e308",
    "-1e308",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "0.5",
    "",
    "\u{feff}",
    "é",
    "\"",
    ",",
    "\n",
    "\r\n",
    "\0",
];

/// One seed with 1-8 random mutations: bit flips, random or interesting bytes, deletions,
/// duplications, splices from another seed, and number tokens replaced by interesting ones.
fn mutate(seeds: &[Vec<u8>], rng: &mut SplitMix64) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len() as u64) as usize].clone();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = v.len();
        let at = |rng: &mut SplitMix64| rng.below(len as u64 + 1) as usize;
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                v[i] = rng.next_u64() as u8;
            }
            2 => {
                let i = at(rng);
                let s = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                v.splice(i..i, s.bytes());
            }
            3 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                let j = (i + 1 + rng.below(16) as usize).min(len);
                v.drain(i..j);
            }
            4 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                let j = (i + 1 + rng.below(32) as usize).min(len);
                let chunk: Vec<u8> = v[i..j].to_vec();
                let k = at(rng);
                v.splice(k..k, chunk);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len() as u64) as usize];
                if !other.is_empty() {
                    let i = rng.below(other.len() as u64) as usize;
                    let j = (i + 1 + rng.below(64) as usize).min(other.len());
                    let k = at(rng);
                    v.splice(k..k, other[i..j].iter().copied());
                }
            }
            6 => {
                // replace the digits run at a random position by an interesting token
                if let Some(i) = (0..len)
                    .map(|d| (rng.below(len.max(1) as u64) as usize + d) % len.max(1))
                    .take(16)
                    .find(|&i| i < len && v[i].is_ascii_digit())
                {
                    let mut j = i;
                    while j < len && v[j].is_ascii_digit() {
                        j += 1;
                    }
                    let s = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                    v.splice(i..j, s.bytes());
                }
            }
            _ if len > 0 && rng.below(4) == 0 => v.truncate(at(rng)),
            _ => {}
        }
    }
    v.truncate(1 << 16);
    v
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sednas-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

const NB201: &str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
const NB101: &str = "[[0,1,1,0,0,0,1],[0,0,0,1,0,0,0],[0,0,0,0,1,0,0],[0,0,0,0,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]|input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,output";
const DARTS: &str = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('dil_conv_3x3', 2), ('max_pool_3x3', 0), ('skip_connect', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

fn arch_seeds() -> Vec<Vec<u8>> {
    [
        NB201,
        "64:32:48:16:8",
        NB101,
        DARTS,
        "|none~0|+|avg_pool_3x3~0|none~1|+|none~0|none~1|none~2|",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

// Every space's parser: Ok (and then a round trip through Display) or a typed error.
#[test]
fn fuzz_arch_parsers() {
    fuzz("arch", &arch_seeds(), |b, _| {
        let s = text(b);
        for space in [
            SpaceKind::Nb201,
            SpaceKind::NatsSss,
            SpaceKind::Nb101,
            SpaceKind::Darts,
        ] {
            if let Ok(a) = AnyArch::parse(space, &s) {
                assert_eq!(AnyArch::parse(space, &a.to_string()).unwrap(), a);
            }
        }
    });
}

// Window, stride, border, estimator, shard, space and backend specs.
#[test]
fn fuzz_specs() {
    let seeds: Vec<Vec<u8>> = [
        "3x3",
        "3x3x2",
        "1x1",
        "5x3x1",
        "2x2x1",
        "crop",
        "valid",
        "zero",
        "reflect",
        "exact",
        "binned:16",
        "binned:4:0:1",
        "binned:256:-1.5:2.5",
        "0/3",
        "2/3",
        "nb201",
        "darts",
        "flex",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    fuzz("specs", &seeds, |b, _| {
        let s = text(b);
        let _ = s.parse::<sednas::window::Kernel>();
        let _ = s.parse::<sednas::window::Stride>();
        let _ = s.parse::<sednas::window::Border>();
        let _ = s.parse::<sednas::entropy::H1Estimator>();
        let _ = s.parse::<sednas::io::shard::Shard>();
        let _ = s.parse::<SpaceKind>();
        let _ = s.parse::<sednas::nn::device::Backend>();
    });
}

fn npy_seeds() -> Vec<Vec<u8>> {
    vec![
        include_bytes!("golden/u8_levels16_23x19.npy").to_vec(),
        include_bytes!("golden/u8_levels16_23x19_skimage_entropy_3x3.npy").to_vec(),
        sednas::io::npy::to_npy_bytes(&ndarray::Array3::<f64>::zeros((2, 3, 2)).into_dyn()),
    ]
}

fn png_seeds() -> Vec<Vec<u8>> {
    let rgb: Vec<u8> = (0..4 * 3 * 3).map(|i| (i * 37) as u8).collect();
    let map = ndarray::Array3::<f64>::from_shape_fn((3, 4, 1), |(i, j, _)| (i * 4 + j) as f64);
    vec![
        sednas::io::png::encode_rgb(4, 3, &rgb).unwrap(),
        sednas::io::png::heatmap_png(map.view(), 1).unwrap(),
    ]
}

// The .npy, PNG and IDX decoders on bytes (a header may claim any size: refused before the
// allocation, not by running out of memory).
#[test]
fn fuzz_binary_readers() {
    fuzz("npy", &npy_seeds(), |b, _| {
        let _ = sednas::io::npy::parse_npy(b, "fuzz");
    });
    fuzz("png", &png_seeds(), |b, _| {
        let _ = sednas::io::png::decode_png(b, "fuzz");
    });
    let mut idx = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3];
    idx.extend((0..18).map(|i| i as u8 * 13));
    let labels = vec![0, 0, 8, 1, 0, 0, 0, 3, 1, 7, 9];
    fuzz("idx", &[idx, labels], |b, _| {
        let _ = sednas::data::parse_idx(b, Path::new("fuzz"));
    });
}

fn population_seeds() -> Vec<Vec<u8>> {
    vec![
        format!("index,arch_str,cifar10_test,nwot\n0,{NB201},93.5,1.0\n1,\"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\",10.0,-2\n").into_bytes(),
        "index,channels,acc\n3,64:32:48:16:8,90.1\n4,8:8:8:8:8,80\n".as_bytes().to_vec(),
        format!(
            "adjacency_7x7_rowmajor,ops,acc\n\"{}\",\"{}\",91.2\n",
            NB101.split('|').next().unwrap(),
            NB101.split('|').nth(1).unwrap()
        )
        .into_bytes(),
        format!("normal_cell,acc\n\"{DARTS}\",94.0\n").into_bytes(),
    ]
}

// CSV populations (every space), read from a file as `eval` and `benchmark` read them.
#[test]
fn fuzz_population_reader() {
    let path = tmp("pop.csv");
    let proxies = ["nwot".to_string(), "nwot".to_string()];
    fuzz("population", &population_seeds(), |b, rng| {
        std::fs::write(&path, b).unwrap();
        let space = [
            SpaceKind::Nb201,
            SpaceKind::NatsSss,
            SpaceKind::Nb101,
            SpaceKind::Darts,
        ][rng.below(4) as usize];
        let acc = ["cifar10_test", "acc"][rng.below(2) as usize];
        let spec = sednas::eval::population::PopulationSpec {
            space,
            acc_col: acc,
            cols: ArchColumns::default_for(space),
            filters: &[],
            proxy_cols: &proxies[..rng.below(3) as usize],
            exclude_disconnected: rng.below(2) == 0,
        };
        let _ = sednas::eval::population::Population::read(&path, &spec);
    });
}

// Measure run files (`merge`, `--resume`) and experiment / SED configuration files.
#[test]
fn fuzz_run_and_config_files() {
    let path = tmp("run.csv");
    let run = "# sednas measure shard=0/2 config={\"space\":\"nb201\",\"width\":4}\npos,arch,h1\n0,\"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\",1.5\n2,x,2.5\n";
    fuzz("run-file", &[run.as_bytes().to_vec()], |b, _| {
        std::fs::write(&path, b).unwrap();
        let _ = sednas::io::shard::read_run(&path, "measure");
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds: Vec<Vec<u8>> = [
        "experiments/nb201-fashion/smoke.toml",
        "experiments/nb201-fashion/full.toml",
        "experiments/net-ablation/smoke.toml",
        "experiments/sed-ablation/config.toml",
    ]
    .iter()
    .map(|p| std::fs::read(root.join(p)).unwrap())
    .collect();
    let cfg = tmp("config.toml");
    fuzz("config", &seeds, |b, _| {
        std::fs::write(&cfg, b).unwrap();
        use sednas::experiments::read_config;
        if let Ok(c) = read_config::<sednas::experiments::nb201_fashion::Config>(&cfg) {
            let _ = c.validate();
        }
        if let Ok(c) = read_config::<sednas::experiments::net_ablation::Config>(&cfg) {
            let _ = c.validate();
        }
        let _ = read_config::<sednas::experiments::sed_ablation::Config>(&cfg);
        let _ = sednas::sed::SedConfig::from_toml(&text(b));
    });
}

/// (subcommand, long flags with "takes a value" and possible values, positionals) from clap.
type Flag = (String, bool, Vec<String>);
fn cli_shape() -> Vec<(String, Vec<Flag>, usize)> {
    let cmd = sednas::cli::Cli::command();
    cmd.get_subcommands()
        .map(|sc| {
            let mut flags = Vec::new();
            let mut positionals = 0;
            for a in sc.get_arguments() {
                let values: Vec<String> = a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                let takes = a.get_action().takes_values();
                match a.get_long() {
                    Some(l) => flags.push((format!("--{l}"), takes, values)),
                    None if a.is_positional() => positionals += 1,
                    None => {}
                }
            }
            (sc.get_name().to_string(), flags, positionals)
        })
        .collect()
}

/// A command line for `sub`: flags of the subcommand (now and then an unknown one) with values
/// from the interesting pool, the fuzzed files, arch strings and the flag's possible values.
fn argv(
    sub: &(String, Vec<Flag>, usize),
    files: &[PathBuf],
    rng: &mut SplitMix64,
    fuzzed: &str,
) -> Vec<String> {
    let mut v = vec!["sednas".to_string(), sub.0.clone()];
    let value = |rng: &mut SplitMix64, possible: &[String]| -> String {
        match rng.below(7) {
            0 if !possible.is_empty() => {
                possible[rng.below(possible.len() as u64) as usize].clone()
            }
            1 | 2 => files[rng.below(files.len() as u64) as usize]
                .display()
                .to_string(),
            3 => [
                NB201,
                "64:32:48:16:8",
                NB101,
                DARTS,
                "3x3",
                "binned:1e10",
                "1/0",
                "7x7x99",
            ][rng.below(8) as usize]
                .to_string(),
            4 => fuzzed.to_string(),
            _ => INTERESTING[rng.below(INTERESTING.len() as u64) as usize].to_string(),
        }
    };
    for _ in 0..sub.2.min(1) + rng.below(3) as usize {
        v.push(value(rng, &[]));
    }
    for _ in 0..rng.below(7) {
        if sub.1.is_empty() || rng.below(12) == 0 {
            v.push("--no-such-flag".into());
            continue;
        }
        let (name, takes, possible) = &sub.1[rng.below(sub.1.len() as u64) as usize];
        v.push(name.clone());
        if *takes {
            v.push(value(rng, possible));
        }
    }
    v
}

// Every subcommand's argument parser on random command lines (in process: clap must answer
// with Ok or an error, never a panic).
#[test]
fn fuzz_cli_parsers() {
    let shape = cli_shape();
    let files = vec![tmp("a.npy"), tmp("missing.csv")];
    fuzz("cli-parse", &arch_seeds(), |b, rng| {
        let sub = &shape[rng.below(shape.len() as u64) as usize];
        let args = argv(sub, &files, rng, &text(b));
        let _ = sednas::cli::Cli::try_parse_from(&args);
    });
}

// The subcommands that read user files and finish in well under a second on valid input run
// for real, as the binary: a valid command line (one of the templates below) with its input
// file fuzzed, and half the time its values, flags and tokens mutated too. Exit 0, 1 or 2
// (ran, typed error, usage error), never a panic (101), a signal, or a run past 20 s. The
// long-running subcommands (train, experiment, measure, nn-bench, benchmark, search, verify,
// demo, fmap-entropy) are covered by the parser target above and by their own bad-input tests.
#[test]
fn fuzz_cli_runs() {
    let shape: Vec<_> = cli_shape()
        .into_iter()
        .filter(|s| ["entropy", "score", "enumerate", "eval", "merge"].contains(&s.0.as_str()))
        .collect();
    assert_eq!(shape.len(), 5, "a subcommand was renamed");
    let f = |n: &str| tmp(n).display().to_string();
    let (npy, png, csv, run, out_csv, out_npy) = (
        f("in.npy"),
        f("in.png"),
        f("in.csv"),
        f("run.csv"),
        f("out.csv"),
        f("out.npy"),
    );
    let out_png = f("out.png");
    let files: Vec<PathBuf> = [&npy, &png, &csv, &run, &out_csv, &out_npy, &out_png]
        .iter()
        .map(PathBuf::from)
        .collect();
    let run_seed =
        "# sednas measure shard=0/1 config={\"space\":\"nb201\"}\npos,arch,h1\n0,a,1.5\n1,b,2\n";
    // (input file, its seeds, command line)
    type Template<'a> = (&'a str, Vec<Vec<u8>>, Vec<&'a str>);
    let templates: Vec<Template> = vec![
        (
            &npy,
            npy_seeds(),
            vec!["entropy", &npy, "--kernel", "3x3", "--out", &out_npy],
        ),
        (
            &npy,
            npy_seeds(),
            vec![
                "entropy",
                &npy,
                "--estimator",
                "binned:8",
                "--out",
                &out_csv,
            ],
        ),
        (
            &npy,
            npy_seeds(),
            vec![
                "entropy",
                &npy,
                "--kernel",
                "3x3x1",
                "--estimator",
                "gaussian",
                "--ridge",
                "1e-6",
            ],
        ),
        (
            &png,
            png_seeds(),
            vec![
                "entropy",
                &png,
                "--kernel",
                "3x3x3",
                "--border",
                "reflect",
                "--heatmap",
                &out_png,
            ],
        ),
        (
            &csv,
            population_seeds(),
            vec![
                "score",
                "--space",
                "nb201",
                "--input",
                &csv,
                "--arch-col",
                "arch_str",
            ],
        ),
        (
            &csv,
            population_seeds(),
            vec![
                "score",
                "--space",
                "nb101",
                "--input",
                &csv,
                "--on-error",
                "stop",
            ],
        ),
        (
            &csv,
            arch_seeds(),
            vec!["score", "--space", "darts", DARTS, "--explain"],
        ),
        (
            &csv,
            arch_seeds(),
            vec!["enumerate", "--top", "5", "--nodes", "4"],
        ),
        (
            &csv,
            population_seeds(),
            vec![
                "eval",
                "--space",
                "nb201",
                "--truth",
                &csv,
                "--acc-col",
                "cifar10_test",
                "--proxy-cols",
                "nwot",
            ],
        ),
        (
            &csv,
            population_seeds(),
            vec![
                "eval",
                "--space",
                "nats-sss",
                "--truth",
                &csv,
                "--acc-col",
                "acc",
                "--arch-col",
                "channels",
                "--json",
            ],
        ),
        (
            &run,
            vec![run_seed.as_bytes().to_vec()],
            vec!["merge", &run, "--out", &out_csv],
        ),
    ];
    let bin = env!("CARGO_BIN_EXE_sednas");
    let mut exits = [0u64; 4];
    let unused = vec![Vec::new()];
    fuzz("cli-run", &unused, |_, rng| {
        let (file, seeds, line) = &templates[rng.below(templates.len() as u64) as usize];
        std::fs::write(file, mutate(seeds, rng)).unwrap();
        let mut args: Vec<String> = line.iter().map(|a| a.to_string()).collect();
        if rng.below(2) == 0 {
            let sub = shape.iter().find(|s| s.0 == args[0]).unwrap();
            for _ in 0..1 + rng.below(3) {
                match rng.below(4) {
                    // a value replaced
                    0 | 1 => {
                        let i = 1 + rng.below(args.len() as u64 - 1) as usize;
                        let extra = argv(sub, &files, rng, "");
                        args[i] = extra.last().cloned().unwrap_or_default();
                    }
                    // a flag of the subcommand added, with a value where it takes one
                    2 => args.extend(argv(sub, &files, rng, "").into_iter().skip(2)),
                    // a token dropped
                    _ if args.len() > 1 => {
                        args.remove(1 + rng.below(args.len() as u64 - 1) as usize);
                    }
                    _ => {}
                }
            }
        }
        let args: Vec<String> = args
            .into_iter()
            .map(|a| a.replace('\0', "")) // an OS argument cannot hold NUL
            .collect();
        let mut child = Command::new(bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if t0.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("ran past 20 s: {args:?}");
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let mut err = String::new();
        use std::io::Read;
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        assert!(
            matches!(status.code(), Some(0..=2)),
            "{args:?}: exit {status:?}: {err}"
        );
        let code = status.code().unwrap_or(2) as usize;
        exits[if code == 2 && err.contains("(see --help)") {
            3
        } else {
            code
        }] += 1;
        let _ = std::io::stdout().flush();
    });
    // how deep the cases reached
    println!(
        "fuzz cli-run outcomes: ran ×{}, ran and reported skipped input (exit 1) ×{}, \
         error from the command (exit 2) ×{}, usage error from the parser (exit 2) ×{}",
        exits[0], exits[1], exits[2], exits[3]
    );
}

// Every file reader on what a path can be, time-boxed like the other targets: each case
// picks a reader and an input among a mutated valid file, a truncated prefix of one, a
// sparse file past the reader's size limit, a folder, a FIFO, /dev/zero (directly and
// through a link) and a broken link. Special and oversized inputs must be refused quickly
// with a typed error (never a hang on the FIFO, never an allocation sized to the claim).
#[cfg(unix)]
#[test]
fn fuzz_readers_on_special_and_oversized_paths() {
    let d = tmp("special");
    std::fs::create_dir_all(&d).unwrap();
    let fifo = d.join("fifo");
    if !fifo.exists() {
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }
    let zero_link = d.join("zero-link");
    let _ = std::fs::remove_file(&zero_link);
    std::os::unix::fs::symlink("/dev/zero", &zero_link).unwrap();
    let broken = d.join("broken");
    let _ = std::fs::remove_file(&broken);
    std::os::unix::fs::symlink(d.join("nowhere"), &broken).unwrap();
    let sparse = d.join("sparse");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len((2u64 << 30) + 7)
        .unwrap();
    let specials = [
        d.clone(),
        fifo,
        PathBuf::from("/dev/zero"),
        zero_link,
        broken,
        sparse,
    ];
    let file = d.join("input");
    let mut seeds = population_seeds();
    seeds.extend(npy_seeds());
    seeds.extend(png_seeds());
    let spec = sednas::eval::population::PopulationSpec::new(SpaceKind::Nb201, "acc");
    fuzz("special-paths", &seeds, |b, rng| {
        let special = rng.below(3) == 0;
        let path = if special {
            specials[rng.below(specials.len() as u64) as usize].clone()
        } else {
            // a mutated file, or a truncated prefix of it
            let cut = if rng.below(2) == 0 {
                b.len()
            } else {
                rng.below(b.len() as u64 + 1) as usize
            };
            std::fs::write(&file, &b[..cut]).unwrap();
            file.clone()
        };
        let t0 = Instant::now();
        let e: Option<String> = match rng.below(6) {
            0 => sednas::eval::population::Population::read(&path, &spec)
                .err()
                .map(|e| e.to_string()),
            1 => sednas::io::shard::read_run(&path, "measure")
                .err()
                .map(|e| e.to_string()),
            2 => sednas::io::npy::read_npy(&path)
                .err()
                .map(|e| e.to_string()),
            3 => sednas::io::png::read_png(&path)
                .err()
                .map(|e| e.to_string()),
            4 => {
                sednas::experiments::read_config::<sednas::experiments::sed_ablation::Config>(&path)
                    .err()
                    .map(|e| e.to_string())
            }
            _ => sednas::experiments::sha256_file(&path)
                .err()
                .map(|e| e.to_string()),
        };
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "{path:?} took {:?}",
            t0.elapsed()
        );
        if special {
            let e = e.unwrap_or_else(|| panic!("{path:?} was read"));
            assert!(!e.contains('\n') && e.len() < 600, "{e}");
        }
    });
}
