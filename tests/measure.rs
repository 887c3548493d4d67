//! `sednas measure` / `sednas merge`: the burn NB201 network's parameter count against the
//! benchmark's, the shard/merge round trip, resume, and bad input.
#![cfg(feature = "nn")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use burn::module::Module;
use sednas::arch::nb201::{Nb201Arch, Nb201Op, enumerate};
use sednas::nn::nb201::{Nb201Net, Nb201NetConfig};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sednas"))
}

struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
fn tmp(name: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("sednas-measure-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

// The burn network at the benchmark's scale (C = 16, N = 5) has exactly the benchmark's
// parameter count. Each edge's parameters depend only on its op, so the count is a function
// of (#conv3x3, #conv1x1); one cell per such class (28 classes) is built with burn, and
// `Nb201Arch::params` — equal to `params_mb_cifar10` on all 15,625 cells (tests/params.rs) —
// is checked against burn on each, so burn = benchmark on every cell. burn's `num_params`
// also counts each BatchNorm's running mean and variance (2 per channel; the benchmark
// counts only γ and β): that is asserted on a lone BatchNorm and subtracted.
#[test]
fn burn_nb201_params_equal_the_benchmark_count() {
    let device = sednas::nn::cpu();
    let bn = burn::nn::BatchNormConfig::new(7).init(&device);
    assert_eq!(
        bn.num_params(),
        4 * 7,
        "burn counts γ, β, running mean and variance"
    );
    let mut classes: BTreeMap<(usize, usize), Nb201Arch> = BTreeMap::new();
    for a in enumerate(4).unwrap() {
        let c = |o| a.ops().iter().filter(|&&x| x == o).count();
        classes
            .entry((c(Nb201Op::Conv3x3), c(Nb201Op::Conv1x1)))
            .or_insert(a);
    }
    assert_eq!(classes.len(), 28);
    for a in classes.values() {
        let net = Nb201Net::new(
            a,
            &Nb201NetConfig {
                in_channels: 3,
                width: 16,
                cells: 5,
                classes: 10,
            },
            &device,
        )
        .unwrap();
        // BatchNorm channels: stem 16, two residual blocks (2 × 32, 2 × 64), final 64, and
        // one per ReLU-Conv-BN edge in each of the 5 cells of the 3 stages
        let convs = a
            .ops()
            .iter()
            .filter(|&&o| matches!(o, Nb201Op::Conv1x1 | Nb201Op::Conv3x3))
            .count() as u64;
        let bn_channels = 16 + 2 * 32 + 2 * 64 + 64 + 5 * (16 + 32 + 64) * convs;
        assert_eq!(
            net.num_params() as u64 - 2 * bn_channels,
            a.params(10),
            "{a}"
        );
    }
}

fn measure(args: &[&str], out: &Path) -> std::process::Output {
    bin()
        .args([
            "measure", "--width", "2", "--cells", "1", "--batch", "10", "--out",
        ])
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

/// `sednas merge SHARDS… --out OUT`.
fn merge<P: AsRef<std::ffi::OsStr>>(shards: &[P], out: &Path) -> std::process::Output {
    bin()
        .arg("merge")
        .args(shards)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Runs `c` with `input` on its stdin (stdout and stderr captured).
fn with_stdin(c: &mut Command, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = c
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // a child that exits before reading (a refused setting) closes the pipe: not an error here
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

// Three shards merged equal the unsharded run byte for byte; a resumed run equals an
// uninterrupted one.
#[test]
fn shards_merge_to_the_unsharded_run_and_resume_is_exact() {
    let d = tmp("roundtrip");
    let all = d.0.join("all.csv");
    let o = measure(&["--sample", "5", "--sample-seed", "3"], &all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut shards = vec![];
    for i in 0..3 {
        let p = d.0.join(format!("s{i}.csv"));
        let o = measure(
            &[
                "--sample",
                "5",
                "--sample-seed",
                "3",
                "--shard",
                &format!("{i}/3"),
            ],
            &p,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        shards.push(p);
    }
    let merged = d.0.join("merged.csv");
    let o = merge(&shards, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(&all).unwrap(),
        std::fs::read(&merged).unwrap()
    );
    // missing and duplicated shards are refused, and leave no output
    let bad = d.0.join("bad.csv");
    let o = merge(&shards[..2], &bad);
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("missing shard(s): 2/3")
    );
    let o = merge(&[&shards[0], &shards[1], &shards[2], &shards[1]], &bad);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("appears twice"));
    assert!(!bad.exists());
    // resume: keep the first 2 rows of the full run, resume, compare
    let text = std::fs::read_to_string(&all).unwrap();
    let partial: Vec<&str> = text.lines().take(4).collect(); // comment, header, 2 rows
    let part = d.0.join("part.csv");
    std::fs::write(&part, partial.join("\n") + "\n").unwrap();
    let o = measure(&["--sample", "5", "--sample-seed", "3", "--resume"], &part);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&all).unwrap(), std::fs::read(&part).unwrap());
    // resume under another configuration is refused and changes nothing
    let before = std::fs::read(&part).unwrap();
    let o = measure(
        &[
            "--sample",
            "5",
            "--sample-seed",
            "3",
            "--resume",
            "--seed",
            "7",
        ],
        &part,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    assert_eq!(before, std::fs::read(&part).unwrap());
    // ... and so is a resume of another sample (same size, other cells)
    let o = measure(&["--sample", "5", "--sample-seed", "4", "--resume"], &part);
    assert!(!o.status.success());
    assert_eq!(before, std::fs::read(&part).unwrap());
    // shards of two different samples do not merge
    let other = d.0.join("other.csv");
    let o = measure(
        &["--sample", "5", "--sample-seed", "4", "--shard", "2/3"],
        &other,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = merge(&[&shards[0], &shards[1], &other], &bad);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("configuration"));
    // an incomplete shard (a row removed) and a truncated row are refused
    let text = std::fs::read_to_string(&shards[0]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let short = d.0.join("short.csv");
    std::fs::write(&short, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let o = merge(&[&short, &shards[1], &shards[2]], &bad);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("incomplete"));
    let cut = lines[lines.len() - 1];
    let cut = &cut[..cut.len() / 2];
    let ragged = d.0.join("ragged.csv");
    std::fs::write(
        &ragged,
        lines[..lines.len() - 1].join("\n") + "\n" + cut + "\n",
    )
    .unwrap();
    let o = merge(&[&ragged, &shards[1], &shards[2]], &bad);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("fields"));
    assert!(!bad.exists());
}

// `--summaries-only` measures the relu maps alone (H2 on the first and the last): the six
// summary columns are those of a full (layers) run byte for byte, on every space with a
// network; the row has no per-layer columns; resuming a layers file under it is refused (its
// configuration says "summaries").
#[test]
fn summaries_only_gives_the_layers_runs_summaries() {
    let d = tmp("summaries-only");
    let pop = d.0.join("nb101.csv");
    std::fs::write(
        &pop,
        "adjacency_rowmajor,ops\n\
         0111000010000100000100000,\"input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output\"\n\
         001000000,\"input,conv3x3-bn-relu,output\"\n",
    )
    .unwrap();
    let pop = pop.to_str().unwrap().to_string();
    let darts = format!("{DARTS_V2}\n");
    let cases: [(&str, Vec<&str>, Option<&str>); 4] = [
        (
            "nb201",
            vec!["--width", "2", "--sample", "4", "--sample-seed", "5"],
            None,
        ),
        (
            "nb201",
            vec![
                "--width", "2", "--cells", "2", "--sample", "2", "--input", "patches",
            ],
            None,
        ),
        (
            "nb101",
            vec![
                "--width",
                "4",
                "--arch-col",
                "adjacency_rowmajor",
                "--from",
                &pop,
            ],
            None,
        ),
        ("darts", vec!["--width", "4", "--cells", "3"], Some(&darts)),
    ];
    for (space, extra, stdin) in cases {
        let run = |summaries: bool, out: &Path| {
            let mut c = bin();
            c.args(["measure", "--space", space, "--batch", "10", "--out"])
                .arg(out)
                .args(&extra);
            if summaries {
                c.arg("--summaries-only");
            }
            let o = with_stdin(&mut c, stdin.unwrap_or(""));
            assert!(
                o.status.success(),
                "{space}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            std::fs::read_to_string(out).unwrap()
        };
        let tag = format!("{space}-{}", extra.len());
        let full = run(false, &d.0.join(format!("{tag}-layers.csv")));
        let fast = run(true, &d.0.join(format!("{tag}-summaries.csv")));
        let table = |t: &str| -> Vec<Vec<String>> { t.lines().skip(1).map(csv_fields).collect() };
        let (a, b) = (table(&full), table(&fast));
        let (ha, hb) = (&a[0], &b[0]);
        assert!(hb.len() < ha.len(), "{space}: no per-layer columns");
        assert!(
            !hb.iter()
                .any(|h| h.contains(".relu.") || h.contains(".out."))
        );
        assert_eq!(a.len(), b.len());
        for name in sednas::entropy::profile::SUMMARIES {
            let ia = ha.iter().position(|h| h == name).unwrap();
            let ib = hb.iter().position(|h| h == name).unwrap();
            for (ra, rb) in a[1..].iter().zip(&b[1..]) {
                assert_eq!(ra[ia], rb[ib], "{space} {name}");
                // the architecture columns too
                assert_eq!(ra[..ib.min(3)], rb[..ib.min(3)]);
            }
        }
        assert!(
            fast.lines()
                .next()
                .unwrap()
                .contains("\"scope\":\"summaries\"")
        );
        assert!(!full.lines().next().unwrap().contains("scope"));
    }
    // a layers file is not resumed under --summaries-only
    let part = d.0.join("nb201-6-layers.csv");
    let before = std::fs::read(&part).unwrap();
    let o = bin()
        .args(["measure", "--width", "2", "--batch", "10", "--out"])
        .arg(&part)
        .args([
            "--sample",
            "4",
            "--sample-seed",
            "5",
            "--resume",
            "--summaries-only",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(before, std::fs::read(&part).unwrap());
}

/// The fields of one CSV line (quoted fields may hold commas).
fn csv_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

// Edge cases: each a one-line error naming the problem, and no output file left behind.
#[test]
fn bad_inputs_are_refused_before_any_output() {
    let d = tmp("bad");
    let out = d.0.join("o.csv");
    for (args, needle) in [
        (vec!["--all", "--shard", "3/2"], "shard"),
        (vec!["--all", "--shard", "0/0"], "shard"),
        (vec!["--sample", "0"], "--sample"),
        (vec!["--sample", "5", "--batch", "9"], "batch"),
        (vec!["--sample", "5", "--bins", "1"], "bins"),
        (
            vec![
                "--sample",
                "5",
                "--input",
                "cifar",
                "--data-dir",
                "/nonexistent/x",
            ],
            "/nonexistent/x",
        ),
        (vec!["--sample", "5", "--space", "nb101"], "NB201 only"),
        (vec!["--all", "--sample", "3"], "one of"),
    ] {
        let o = measure(&args, &out);
        assert!(!o.status.success(), "{args:?} succeeded");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    // a truncated image file (a valid PNG signature, then nothing) is named in the error
    let imgs = d.0.join("imgs");
    std::fs::create_dir_all(imgs.join("cifar")).unwrap();
    std::fs::write(
        imgs.join("cifar/cifar10_00_3.png"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
    )
    .unwrap();
    let o = measure(
        &[
            "--sample",
            "2",
            "--input",
            "cifar",
            "--data-dir",
            imgs.to_str().unwrap(),
        ],
        &out,
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("cifar10_00_3.png"), "{e}");
    assert!(!out.exists());
    // --out in a missing folder: refused before any network is measured
    let o = measure(&["--sample", "2"], &d.0.join("no/such/dir/o.csv"));
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    // an empty stdin population
    let o = bin()
        .args(["measure", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("empty"));
    // an existing output without --resume is not overwritten
    std::fs::write(&out, "keep").unwrap();
    let o = measure(&["--sample", "2"], &out);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("exists"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
}

/// BatchNorm channels of the burn NB101 network (stem, every conv vertex, every input
/// projection, the output projection), from NB101's channel plan.
fn nb101_bn_channels(a: &sednas::arch::nb101::Nb101Arch, width: u64, modules: u32) -> u64 {
    use sednas::arch::nb101::Nb101Op;
    let cell = a.pruned();
    let n = cell.n;
    let mut total = width;
    let mut c_in = width;
    for stack in 0..3 {
        let c = width << stack;
        for _ in 0..modules {
            let ch = cell.channels(c_in, c);
            for (t, &c) in ch.iter().enumerate().take(n - 1).skip(1) {
                if matches!(cell.ops[t], Nb101Op::Conv3x3 | Nb101Op::Conv1x1) {
                    total += c;
                }
                if cell.adj[0][t] {
                    total += c;
                }
            }
            let feeds = (1..n - 1).any(|v| cell.adj[v][n - 1]);
            if cell.adj[0][n - 1] || !feeds {
                total += c;
            }
            c_in = c;
        }
    }
    total
}

fn nb101_burn_matches(a: &sednas::arch::nb101::Nb101Arch, width: usize, modules: usize) {
    use sednas::nn::nb101::{Nb101Net, Nb101NetConfig};
    let device = sednas::nn::cpu();
    let cfg = Nb101NetConfig {
        in_channels: 3,
        width,
        modules,
        classes: 10,
    };
    let net = Nb101Net::new(a, &cfg, &device).unwrap();
    assert_eq!(
        net.num_params() as u64 - 2 * nb101_bn_channels(a, width as u64, modules as u32),
        a.params_at(width as u64, modules as u32, 10),
        "{a}"
    );
}

// The burn NB101 network has exactly the parameters NB101's counting rule gives
// (`Nb101Arch::params_at`; at the benchmark's scale `params()` equals
// `trainable_parameters` on all 10,000 uniform cells, tests/params.rs). Fixture cells always
// (direct input→output, pooling, truncation between interior vertices, 7 vertices, the
// benchmark's own scale once); with the shared data, every one of the 10,000 cells at width 8
// and one module per stack (the count's structure does not depend on the scale; the
// channel split does, which widths 8 and 128 both exercise).
#[test]
fn burn_nb101_params_follow_the_benchmark_rule() {
    use sednas::arch::nb101::Nb101Arch;
    use sednas::nn::Classifier;
    let fixtures = [
        (
            "0100001000010000",
            "input,conv3x3-bn-relu,maxpool3x3,output",
        ),
        (
            "0111000010000100000100000",
            "input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output",
        ),
        // three vertices feed the output: an uneven channel split
        (
            "0111000001000010000100000",
            "input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output",
        ),
        ("001000000", "input,conv3x3-bn-relu,output"),
        (
            "0110000000110000010100000001000000100000010000000",
            "input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,output",
        ),
    ];
    let mut built = 0;
    for (m, ops) in fixtures {
        let ops: Vec<&str> = ops.split(',').collect();
        let Ok(a) = Nb101Arch::from_parts(m, &ops) else {
            continue;
        };
        nb101_burn_matches(&a, 8, 1);
        nb101_burn_matches(&a, 12, 2);
        // a forward pass: logits and every module's output shape
        let device = sednas::nn::cpu();
        let cfg = sednas::nn::nb101::Nb101NetConfig {
            in_channels: 3,
            width: 8,
            modules: 1,
            classes: 10,
        };
        let net = sednas::nn::nb101::Nb101Net::new(&a, &cfg, &device).unwrap();
        let x = ndarray::Array4::<f32>::from_shape_fn((2, 3, 8, 8), |(i, c, y, z)| {
            (i + c + y * z) as f32 / 10.0
        });
        let (logits, feats) = net.forward_features(sednas::nn::from_nchw(x.view(), &device));
        assert_eq!(logits.dims(), [2, 10]);
        let dims: Vec<[usize; 4]> = feats.iter().map(|f| f.1.dims()).collect();
        assert_eq!(
            dims,
            [
                [2, 8, 8, 8],
                [2, 8, 8, 8],
                [2, 8, 4, 4],
                [2, 16, 4, 4],
                [2, 16, 2, 2],
                [2, 32, 2, 2]
            ],
            "{a}"
        );
        built += 1;
    }
    assert_eq!(built, 5, "fixtures failed to parse");
    // the measuring pipeline on one NB101 network: 6 captured maps, `out` and `relu` each
    {
        use sednas::nn::measure::{MeasureInput, MeasureParams, measure_nb101, summaries};
        let a = Nb101Arch::from_parts(
            "0100001000010000",
            &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
        )
        .unwrap();
        let cfg = MeasureParams {
            width: 8,
            cells: 1,
            batch: 10,
            input: MeasureInput::Noise,
            seed: 0,
            bins: 16,
        }
        .check(sednas::arch::SpaceKind::Nb101)
        .unwrap();
        let x = ndarray::Array4::<f32>::from_shape_fn((10, 3, 16, 16), |(i, c, y, z)| {
            ((i * 7 + c * 3 + y * 5 + z) % 11) as f32 / 5.0 - 1.0
        });
        let maps = measure_nb101(&a, &cfg, x.view()).unwrap();
        assert_eq!(maps.len(), 12);
        assert_eq!(maps[0].layer, "stem");
        assert!(summaries(&maps).iter().all(|v| v.is_finite()), "{maps:?}");
    }
    // the benchmark's scale once (about 3M parameters for this cell)
    let a = Nb101Arch::from_parts(
        "0100001000010000",
        &["input", "conv3x3-bn-relu", "maxpool3x3", "output"],
    )
    .unwrap();
    nb101_burn_matches(&a, 128, 3);
    let Some(p) = common::data_file("nb101_nasbenchvis_10k.csv") else {
        return;
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (m, o) = (col("adjacency_rowmajor"), col("ops"));
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let ops: Vec<&str> = rec[o].split(',').collect();
        nb101_burn_matches(&Nb101Arch::from_parts(&rec[m], &ops).unwrap(), 8, 1);
        n += 1;
    }
    assert_eq!(n, 10_000);
}

const DARTS_V2: &str = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))";

/// burn's count of the DARTS network of `g` at (width, cells), running statistics removed,
/// and the same without the searched operations' BN affines.
fn darts_burn(g: &sednas::arch::darts::Genotype, width: usize, cells: usize) -> (u64, u64) {
    use sednas::nn::darts::{DartsNet, DartsNetConfig};
    let net = DartsNet::new(
        g,
        &DartsNetConfig {
            in_channels: 3,
            width,
            cells,
            classes: 10,
        },
        &sednas::nn::cpu(),
    )
    .unwrap();
    let p = net.num_params() as u64 - 2 * net.bn_channels() as u64;
    (p, p - net.op_bn_affine_params() as u64)
}

// The burn DARTS network has exactly the parameters of the independent count
// `Genotype::params` (with the operations' BN affines: the evaluation network), and without
// those affines the count of NAS-Bench-Suite-Zero's `params` column (NASLib's non-affine
// network, C = 32, 8 cells; equal to `Genotype::params(NB301_ZC)` on all 725 rows,
// tests/params.rs). Fixtures always (DARTS-V2; `none` edges; stride-2 skips into both
// inputs of a reduction cell; a short concat list); with the shared data, all 725 NB301
// genotypes at C = 4, 5 cells against the formula and the first 20 at NASLib's own scale
// against the column itself.
#[test]
fn burn_darts_params_follow_the_independent_count() {
    use sednas::arch::darts::{DartsNetwork, Genotype};
    let net = |channels: u64, layers: u32, affine_ops: bool| DartsNetwork {
        channels,
        layers,
        stem_multiplier: 3,
        classes: 10,
        affine_ops,
    };
    let fixtures = [
        DARTS_V2.to_string(),
        DARTS_V2.replace("('dil_conv_3x3', 2)", "('none', 2)"),
        DARTS_V2
            .replace("reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)", "reduce=[('skip_connect', 0), ('skip_connect', 1)")
            .replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[4, 5]"),
        "Genotype(normal=[('sep_conv_5x5', 1), ('dil_conv_5x5', 0), ('avg_pool_3x3', 2), ('none', 0), ('sep_conv_3x3', 3), ('skip_connect', 1), ('dil_conv_3x3', 4), ('max_pool_3x3', 0)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 0), ('dil_conv_5x5', 1), ('avg_pool_3x3', 0), ('none', 2), ('sep_conv_3x3', 1), ('skip_connect', 3), ('dil_conv_3x3', 4), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))".to_string(),
        // nodes fed twice by one input (two parallel edges, summed), in both cells and with
        // a stride-2 pair into a reduction node
        "Genotype(normal=[('none', 0), ('dil_conv_5x5', 0), ('sep_conv_3x3', 1), ('sep_conv_5x5', 1), ('skip_connect', 3), ('avg_pool_3x3', 3), ('max_pool_3x3', 2), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 1), ('sep_conv_5x5', 2), ('none', 2), ('skip_connect', 4), ('avg_pool_3x3', 4)], reduce_concat=range(2, 6))".to_string(),
    ];
    for f in &fixtures {
        let g: Genotype = f.parse().unwrap();
        for (w, l) in [(4, 3), (6, 5), (16, 8)] {
            let (aff, non) = darts_burn(&g, w, l);
            assert_eq!(
                aff,
                g.params(&net(w as u64, l as u32, true)),
                "{f} at {w}, {l}"
            );
            assert_eq!(
                non,
                g.params(&net(w as u64, l as u32, false)),
                "{f} at {w}, {l}"
            );
        }
    }
    let Some(p) = common::data_file("nb301_zc_proxies_naslib_sample.csv") else {
        return;
    };
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (nc, rc, pc) = (col("normal_cell"), col("reduce_cell"), col("params"));
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let g = Genotype::from_naslib(&rec[nc], &rec[rc]).unwrap();
        let (aff, non) = darts_burn(&g, 4, 5);
        assert_eq!(aff, g.params(&net(4, 5, true)), "row {n}");
        assert_eq!(non, g.params(&net(4, 5, false)), "row {n}");
        if n < 20 {
            let (_, non) = darts_burn(&g, 32, 8);
            let want: f64 = rec[pc].parse().unwrap();
            assert!(
                (non as f64 / 1e6 - want).abs() < 5e-7,
                "row {n}: {non} vs {want} M"
            );
        }
        n += 1;
    }
    assert_eq!(n, 725);
}

// NB101 and DARTS populations: read from a CSV (NB101's matrix and ops columns, which hold
// commas and come back quoted) or stdin; two shards merge to the unsharded run; a resumed
// run equals an uninterrupted one; the output joins back by `sednas eval`'s columns.
#[test]
fn nb101_and_darts_measure_shard_resume_and_columns() {
    let d = tmp("spaces");
    let pop = d.0.join("nb101.csv");
    std::fs::write(
        &pop,
        "adjacency_rowmajor,ops,acc\n\
         0100001000010000,\"input,conv3x3-bn-relu,maxpool3x3,output\",90\n\
         0111000010000100000100000,\"input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output\",91\n\
         001000000,\"input,conv3x3-bn-relu,output\",80\n",
    )
    .unwrap();
    let run = |extra: &[&str], out: &Path| {
        bin()
            .args([
                "measure",
                "--space",
                "nb101",
                "--arch-col",
                "adjacency_rowmajor",
            ])
            .args(["--width", "4", "--batch", "10", "--from"])
            .arg(&pop)
            .arg("--out")
            .arg(out)
            .args(extra)
            .output()
            .unwrap()
    };
    let all = d.0.join("all.csv");
    let o = run(&[], &all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&all).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().clone();
    assert_eq!(&h[2], "adjacency_rowmajor");
    assert_eq!(&h[3], "ops");
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[2][3], "input,conv3x3-bn-relu,output");
    assert!(
        rows.iter()
            .all(|r| r[10].parse::<f64>().unwrap().is_finite())
    );
    let shards: Vec<PathBuf> = (0..2).map(|i| d.0.join(format!("s{i}.csv"))).collect();
    for (i, s) in shards.iter().enumerate() {
        let o = run(&["--shard", &format!("{i}/2")], s);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = d.0.join("merged.csv");
    let o = merge(&shards, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(text, std::fs::read_to_string(&merged).unwrap());
    let part = d.0.join("part.csv");
    std::fs::write(
        &part,
        text.lines().take(3).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let o = run(&["--resume"], &part);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(text, std::fs::read_to_string(&part).unwrap());
    // the output joins back onto the population by NB101's columns
    let o = bin()
        .args([
            "eval",
            "--space",
            "nb101",
            "--arch-col",
            "adjacency_rowmajor",
        ])
        .args(["--acc-col", "acc", "--no-readings", "--truth"])
        .arg(&pop)
        .arg("--join")
        .arg(&all)
        .args(["--proxy-cols", "h1_min"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!e.contains("no column") && !e.contains("not joined"), "{e}");
    // DARTS on stdin (a genotype in the DARTS code's own form), the smallest network
    let out = d.0.join("darts.csv");
    let o = with_stdin(
        bin()
            .args([
                "measure", "--space", "darts", "--width", "2", "--cells", "3",
            ])
            .args(["--batch", "10", "--out"])
            .arg(&out),
        &format!("{DARTS_V2}\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = std::fs::read_to_string(&out).unwrap();
    let header = t.lines().nth(1).unwrap();
    assert!(
        header.starts_with("pos,index,normal_cell,reduce_cell,"),
        "{header}"
    );
    assert!(header.contains("cell2_reduce.relu.h1b"), "{header}");
    assert!(t.contains("sep_conv_3x3~0;sep_conv_3x3~1;"));
}

// Edge cases of the other spaces: a space without a network, sizes outside a space's
// limits, a malformed architecture (named by its line), a missing file. Each a one-line
// error and no output file.
#[test]
fn nb101_and_darts_bad_inputs() {
    let d = tmp("spacebad");
    let out = d.0.join("o.csv");
    let run = |args: &[&str], stdin: &str| {
        with_stdin(
            bin().arg("measure").args(args).arg("--out").arg(&out),
            stdin,
        )
    };
    for (args, stdin, needle) in [
        (
            vec!["--space", "nats-sss"],
            "8:16:24:32:40",
            "no measured network",
        ),
        (vec!["--space", "darts", "--cells", "2"], DARTS_V2, "cells"),
        (vec!["--space", "darts", "--width", "3"], DARTS_V2, "even"),
        (
            vec!["--space", "nb101", "--width", "129"],
            "001000000|input,conv3x3-bn-relu,output",
            "width",
        ),
        (
            vec!["--space", "nb101"],
            "0010|input,output",
            "stdin: line 1",
        ),
        (
            vec!["--space", "darts"],
            "Genotype(normal=[",
            "stdin: line 1",
        ),
        (
            vec!["--space", "nb101", "--from", "/nonexistent/p.csv"],
            "",
            "/nonexistent/p.csv",
        ),
        (vec!["--space", "nb101", "--limit", "0"], "", "--limit"),
    ] {
        let o = run(&args, stdin);
        assert!(!o.status.success(), "{args:?} succeeded");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
}
