//! The `sednas` binary: the documented example and every bad-input case print one error
//! line and exit non-zero, never panic.

use std::path::{Path, PathBuf};
use std::process::Command;

use ndarray::Ix2;
use sednas::io::npy::{read_npy, to_npy_bytes};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sednas"))
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sednas-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Runs and returns (status code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn assert_one_line_error(args: &[&str], needle: &str) {
    let (code, _, err) = run(args);
    assert_eq!(code, 2, "args {args:?}: stderr {err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
}

// The README example: equals skimage.filters.rank.entropy(img, np.ones((3,3))) to 1e-9.
#[test]
fn entropy_example_matches_skimage() {
    let out = tmp("map.npy");
    let img = golden("u8_levels16_23x19.npy");
    let (code, stdout, err) = run(&[
        img.to_str().unwrap(),
        "--kernel",
        "3x3",
        "--border",
        "crop",
        "--estimator",
        "exact",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .copied()
    .fold(vec!["entropy"], |mut v, a| {
        v.push(a);
        v
    }));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("\"units\": \"bits\""));
    let got = read_npy(&out)
        .unwrap()
        .to_f64()
        .into_dimensionality::<Ix2>()
        .unwrap();
    let exp = read_npy(&golden("u8_levels16_23x19_skimage_entropy_3x3.npy"))
        .unwrap()
        .to_f64();
    let exp = exp.into_dimensionality::<Ix2>().unwrap();
    assert_eq!(got.dim(), exp.dim());
    for (a, b) in got.iter().zip(exp.iter()) {
        assert!((a - b).abs() < 1e-9);
    }
}

#[test]
fn gaussian_json_and_heatmap() {
    let batch = ndarray::Array4::from_shape_fn((20, 6, 5, 2), |(n, i, j, k)| {
        ((n * 37 + i * 11 + j * 5 + k) % 17) as f64
    });
    let p = tmp("batch.npy");
    std::fs::write(&p, to_npy_bytes(&batch.into_dyn())).unwrap();
    let js = tmp("h2.json");
    let hm = tmp("h2.png");
    let (code, _, err) = run(&[
        "entropy",
        p.to_str().unwrap(),
        "--estimator",
        "gaussian",
        "--kernel",
        "3x3x1",
        "--out",
        js.to_str().unwrap(),
        "--heatmap",
        hm.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&js).unwrap()).unwrap();
    assert_eq!(v["output_shape"], serde_json::json!([6, 5, 2]));
    assert_eq!(v["samples"], 20);
    assert!(sednas::io::png::read_png(&hm).is_ok());
}

// Edge cases of bad input, one per line: each is one error line, exit 2.
#[test]
fn bad_inputs_are_one_line_errors() {
    let img = golden("u8_levels16_23x19.npy");
    let img = img.to_str().unwrap();
    // even kernel
    assert_one_line_error(&["entropy", img, "--kernel", "4x3"], "must be odd");
    // an odd kernel near usize::MAX: refused before allocating (it used to abort with
    // "capacity overflow" under the crop border)
    assert_one_line_error(
        &["entropy", img, "--kernel", "9223372036854775809x3"],
        "refused before allocating",
    );
    assert_one_line_error(
        &["entropy", img, "--kernel", "4097x4097", "--border", "zero"],
        "entries per window",
    );
    // a bin count written in scientific notation is not a count: refused, naming the forms
    assert_one_line_error(&["entropy", img, "--estimator", "binned:1e10"], "binned:N");
    // a stride near usize::MAX is fine: one window per axis
    let o = bin()
        .args(["entropy", img, "--stride", "18446744073709551615x1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // a bin count near usize::MAX: refused before allocating (it used to panic)
    assert_one_line_error(
        &["entropy", img, "--estimator", "binned:18446744073709551615"],
        "refused before allocating",
    );
    // an OS error is named once, with the user's path
    let o = bin()
        .args(["entropy", "/nonexistent/m.npy"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(e.matches("os error 2").count(), 1, "{e}");
    // zero stride
    assert_one_line_error(&["entropy", img, "--stride", "0x1"], "stride");
    // window larger than the map under valid
    assert_one_line_error(
        &["entropy", img, "--kernel", "31x3", "--border", "valid"],
        "does not fit",
    );
    // unknown estimator
    assert_one_line_error(
        &["entropy", img, "--estimator", "tsallis"],
        "unknown estimator",
    );
    // H2 needs a batch
    assert_one_line_error(&["entropy", img, "--estimator", "gaussian"], "n×h×w×c");
    // missing file
    assert_one_line_error(&["entropy", "/nonexistent/x.npy"], "/nonexistent/x.npy");
    // truncated .npy
    let t = tmp("trunc.npy");
    let bytes = std::fs::read(golden("u8_levels16_23x19.npy")).unwrap();
    std::fs::write(&t, &bytes[..bytes.len() - 7]).unwrap();
    assert_one_line_error(&["entropy", t.to_str().unwrap()], "truncated");
    // unsupported dtype
    let i8f = tmp("int.npy");
    let mut b = bytes.clone();
    let pos = b.windows(3).position(|w| w == b"|u1").unwrap();
    b[pos..pos + 3].copy_from_slice(b"<i1");
    std::fs::write(&i8f, &b).unwrap();
    assert_one_line_error(&["entropy", i8f.to_str().unwrap()], "unsupported dtype");
    // wrong rank
    let r1 = tmp("rank1.npy");
    std::fs::write(&r1, to_npy_bytes(&ndarray::arr1(&[1.0, 2.0]).into_dyn())).unwrap();
    assert_one_line_error(&["entropy", r1.to_str().unwrap()], "rank 1");
    // NaN in the map
    let nan = tmp("nan.npy");
    std::fs::write(
        &nan,
        to_npy_bytes(&ndarray::arr2(&[[1.0, f64::NAN], [0.0, 0.0]]).into_dyn()),
    )
    .unwrap();
    assert_one_line_error(&["entropy", nan.to_str().unwrap()], "non-finite");
    // empty map
    let empty = tmp("empty.npy");
    std::fs::write(
        &empty,
        to_npy_bytes(&ndarray::Array2::<f64>::zeros((0, 3)).into_dyn()),
    )
    .unwrap();
    assert_one_line_error(&["entropy", empty.to_str().unwrap()], "empty");
    // PNG that fails to decode
    let png = tmp("bad.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n garbage").unwrap();
    assert_one_line_error(&["entropy", png.to_str().unwrap()], "PNG decode failed");
    // an RGBA PNG: refused without --alpha (naming it); --alpha keep reads 4 channels,
    // --alpha drop 3; --alpha on a .npy is refused
    let rgba = tmp("rgba.png");
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, 3, 3);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = (0..36).map(|i| (i * 7 % 256) as u8).collect();
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    std::fs::write(&rgba, bytes).unwrap();
    let r = rgba.to_str().unwrap();
    assert_one_line_error(&["entropy", r], "--alpha keep");
    let depth = |policy: &str| {
        let o = tmp(&format!("alpha-{policy}.npy"));
        let args = [
            "entropy", r, "--alpha", policy, "--kernel", "1x1x1", "--out",
        ];
        let (code, _, err) = run(&[&args[..], &[o.to_str().unwrap()]].concat());
        assert_eq!(code, 0, "{err}");
        match sednas::io::npy::read_npy(&o).unwrap() {
            sednas::io::npy::NpyArray::F64(a) => a.shape().to_vec(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(depth("keep"), [3, 3, 4]);
    assert_eq!(depth("drop"), [3, 3, 3]);
    assert_one_line_error(
        &["entropy", nan.to_str().unwrap(), "--alpha", "keep"],
        "PNG input only",
    );
}

// score: a bad line is reported with its line number; skip exits 1, stop exits 2.
#[test]
fn score_bad_lines() {
    let good = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
    let input = format!("{good}\n|bad~0|\n{good}\n");
    let run_with = |mode: &str| {
        let mut child = bin()
            .args(["score", "--space", "nb201", "--on-error", mode])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (code, out, err) = run_with("skip");
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 3, "{out}"); // header + 2 scored
    assert!(
        err.contains("line 2") && err.contains("unknown operation"),
        "{err}"
    );
    assert!(out.contains("9930,"));
    let (code, out, _) = run_with("stop");
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), 2);
}

// enumerate --top reports the tie at the K-th score.
#[test]
fn enumerate_top_reports_ties() {
    let (code, out, err) = run(&["enumerate", "--space", "nb201", "--top", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 4);
    assert!(
        err.contains("6 of 15625 architectures share the K-th score"),
        "{err}"
    );
}

// verify --json: five objects with id and verdict.
#[test]
fn verify_json() {
    let (code, out, err) = run(&["verify", "--json"]);
    assert_eq!(code, 0, "{err}");
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            format!(
                "{}={}",
                v["id"].as_str().unwrap(),
                v["verdict"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ids,
        ["P1=holds", "P2=false", "P3=false", "P4=false", "P5=false"]
    );
}

// enumerate --top K (one pass, per-thread top-K merged, exact tie count) equals sorting the
// full enumeration by (score desc, index order of codes) on 1 and 2 threads.
#[test]
fn enumerate_top_equals_full_sort() {
    let (code, all, err) = run(&["enumerate", "--space", "nb201"]);
    assert_eq!(code, 0, "{err}");
    // code order is the enumeration order: row k has code k
    let mut rows: Vec<(f64, usize, String)> = all
        .lines()
        .skip(1)
        .enumerate()
        .map(|(code, l)| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[2].parse().unwrap(),
                code,
                format!("{},{},{}", f[0], f[1], f[2]),
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for k in [1usize, 7, 100] {
        for t in ["1", "2"] {
            let ks = k.to_string();
            let (code, out, err) = run(&["enumerate", "--top", &ks, "--threads", t]);
            assert_eq!(code, 0, "{err}");
            let got: Vec<String> = out
                .lines()
                .skip(1)
                .map(|l| l.split_once(',').unwrap().1.to_string())
                .collect();
            let want: Vec<String> = rows[..k].iter().map(|r| r.2.clone()).collect();
            assert_eq!(got, want, "k {k}, threads {t}");
            let kth = rows[k - 1].0;
            let tie = rows.iter().filter(|r| r.0 == kth).count();
            assert!(
                err.contains(&format!(
                    "{tie} of 15625 architectures share the K-th score"
                )),
                "{err}"
            );
        }
    }
}

// Work known to be too large is refused before it starts, with the estimate; bad sizes and
// thread counts are one-line errors.
#[test]
fn enumerate_and_threads_limits() {
    let (code, out, err) = run(&["enumerate", "--nodes", "6", "--top", "5"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("add --yes") && err.contains("30517578125"),
        "{err}"
    );
    assert_one_line_error(&["enumerate", "--nodes", "7", "--top", "1"], "more than");
    assert_one_line_error(&["enumerate", "--top", "15626"], "larger than");
    assert_one_line_error(&["enumerate", "--top", "0"], "at least 1");
    assert_one_line_error(
        &["enumerate", "--threads", "0"],
        "--threads must be at least 1",
    );
    assert_one_line_error(
        &["score", "--space", "nb201", "--threads", "0", "x"],
        "--threads must be at least 1",
    );
    assert_one_line_error(
        &["entropy", "nofile.npy", "--threads", "0"],
        "--threads must be at least 1",
    );
    assert_one_line_error(
        &["score", "--space", "nb201", "--input", "x.csv", "arch"],
        "not both",
    );
    // --proxy params counts the benchmark's own network: a size flag is refused, not ignored
    assert_one_line_error(
        &[
            "score",
            "--space",
            "nb201",
            "--proxy",
            "params",
            "--nb201-channels",
            "8",
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        ],
        "--nb201-channels 8",
    );
}

// --device: a backend this binary lacks (or an unknown name) is a one-line error before
// anything is written; nn-bench rejects bad sizes.
#[test]
fn device_errors_write_nothing() {
    let out = tmp("no-such-run");
    let _ = std::fs::remove_dir_all(&out);
    let o = out.to_str().unwrap();
    let base = [
        "train",
        "--arch",
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        "--dataset",
        "digits",
        "--out",
        o,
        "--device",
    ];
    if !cfg!(feature = "cuda") {
        let mut a = base.to_vec();
        a.push("cuda");
        assert_one_line_error(&a, "--features cuda");
    }
    if !cfg!(feature = "wgpu") {
        let mut a = base.to_vec();
        a.push("wgpu");
        assert_one_line_error(&a, "--features wgpu");
        assert_one_line_error(
            &[
                "fmap-entropy",
                "--untrained",
                "--arch",
                "|skip_connect~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|",
                "--device",
                "wgpu",
            ],
            "--features wgpu",
        );
    }
    let mut a = base.to_vec();
    a.push("tpu");
    assert_one_line_error(&a, "invalid value 'tpu'");
    assert!(!out.exists(), "nothing may be written");
    assert_one_line_error(
        &["nn-bench", "--width", "0"],
        "width: must be in 1..=256, got 0",
    );
    // fmap-entropy: a count of 0, a wrong --out extension (checked before any work), and
    // images the network cannot take (odd, 1×1 or 0-sided; channels other than the
    // stem's) are one-line errors, never a panic inside burn
    let cell = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|";
    fn fm<'a>(cell: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec!["fmap-entropy", "--untrained", "--arch", cell];
        v.extend_from_slice(extra);
        v
    }
    assert_one_line_error(&fm(cell, &["--count", "0"]), "--count must be at least 1");
    assert_one_line_error(
        &fm(cell, &["--out", "t.txt"]),
        "--out must end in .json or .csv",
    );
    let dir = tmp("fmap-shapes");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, shape, want) in [
        ("odd", vec![4usize, 9, 9], "multiples of 4"),
        ("one", vec![4, 1, 1], "multiples of 4"),
        ("zero", vec![4, 0, 8], "empty"),
    ] {
        let p = dir.join(format!("{name}.npy"));
        let n: usize = shape.iter().product();
        let a = ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&shape));
        assert_eq!(a.len(), n);
        std::fs::write(&p, to_npy_bytes(&a)).unwrap();
        assert_one_line_error(&fm(cell, &["--images", p.to_str().unwrap()]), want);
    }
    // a non-finite value in the images is named with the file and its own index
    let p = dir.join("inf.npy");
    let mut a = ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&[4, 8, 8]));
    a.as_slice_mut().unwrap()[5] = f64::INFINITY;
    std::fs::write(&p, to_npy_bytes(&a)).unwrap();
    assert_one_line_error(
        &fm(cell, &["--images", p.to_str().unwrap()]),
        "inf.npy: non-finite value inf at flat index 5",
    );
    // a network of grey images (a checkpoint's) given RGB images: the channels differ
    let untrained_grey = sednas::nn::nb201::Nb201Net::new(
        &cell.parse().unwrap(),
        &sednas::nn::nb201::Nb201NetConfig {
            in_channels: 1,
            width: 4,
            cells: 1,
            classes: 2,
        },
        &sednas::nn::device::Backend::Flex.device().unwrap(),
    )
    .unwrap();
    use sednas::nn::Classifier;
    let e = untrained_grey
        .check_input([4, 3, 8, 8])
        .unwrap_err()
        .to_string();
    assert!(e.contains("3 channels") && e.contains("takes 1"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

// train: bad settings are refused before the run directory exists; a run directory is
// reused only by --resume of the same configuration (the error names what differs), and a
// refused resume changes nothing.
#[test]
fn train_refuses_bad_settings_and_mismatched_resume() {
    let out = tmp("train-resume");
    let _ = std::fs::remove_dir_all(&out);
    let o = out.to_str().unwrap();
    let arch = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|";
    let run = |extra: &[&str]| {
        let mut a = vec![
            "train",
            "--arch",
            arch,
            "--dataset",
            "digits",
            "--out",
            o,
            "--width",
            "2",
            "--cells",
            "1",
            "--train-limit",
            "40",
            "--test-limit",
            "20",
            "--batch",
            "20",
        ];
        a.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_sednas"))
            .args(&a)
            .output()
            .unwrap()
    };
    for bad in [["--epochs", "0"], ["--batch", "0"], ["--lr", "nan"]] {
        let r = run(&bad);
        assert!(!r.status.success(), "{bad:?}");
        assert!(!out.exists(), "{bad:?} created {o}");
    }
    let r = run(&["--epochs", "1"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let metrics = std::fs::read(out.join("metrics.csv")).unwrap();
    // the same directory again without --resume: refused, nothing overwritten
    let r = run(&["--epochs", "1"]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("--resume"));
    // --resume under another configuration: refused, naming the key
    let r = run(&["--epochs", "1", "--seed", "5", "--resume"]);
    assert!(!r.status.success());
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(e.contains("train.seed"), "{e}");
    assert_eq!(metrics, std::fs::read(out.join("metrics.csv")).unwrap());
    // --resume of the same, finished run: nothing to do, metrics unchanged
    let r = run(&["--epochs", "1", "--resume"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(metrics, std::fs::read(out.join("metrics.csv")).unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

// search --truth: the truth file and its columns are read before the search runs (a bad
// column fails at once), and the tied picks are summarised by the library's tie-aware
// selection (best, expected and worst rank).
#[test]
fn search_truth_is_checked_first_and_selection_is_tie_aware() {
    let dir = tmp("search-truth");
    std::fs::create_dir_all(&dir).unwrap();
    let truth = dir.join("truth.csv");
    // the five 2-node cells; the top-SED cell (3×3 conv) is given rank 2
    std::fs::write(
        &truth,
        "arch_str,acc\n|nor_conv_3x3~0|,80\n|nor_conv_1x1~0|,90\n|skip_connect~0|,70\n|avg_pool_3x3~0|,60\n|none~0|,10\n",
    )
    .unwrap();
    let t = truth.to_str().unwrap();
    let o = bin()
        .args([
            "search",
            "--space",
            "nb201",
            "--nodes",
            "2",
            "--samples",
            "100",
            "--truth",
            t,
            "--acc-col",
            "acc",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("\"|nor_conv_3x3~0|\""), "{out}");
    assert!(
        out.contains("selection among the 1 tied with truth: rank best 2 / expected 2.0 / worst 2; accuracy best 80.00"),
        "{out}"
    );
    let o = bin()
        .args([
            "search",
            "--space",
            "nb201",
            "--nodes",
            "2",
            "--samples",
            "100",
            "--truth",
            t,
            "--acc-col",
            "nope",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        !out.contains("best SED"),
        "the search ran before the truth was checked: {out}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    let _ = std::fs::remove_dir_all(&dir);
}

// eval: a proxy column named twice in --proxy-cols is refused (it used to be reported twice)
#[test]
fn eval_refuses_a_repeated_proxy_column() {
    let dir = tmp("eval-dup-proxy");
    std::fs::create_dir_all(&dir).unwrap();
    let truth = dir.join("truth.csv");
    std::fs::write(&truth, "channels,acc,zc\n8:8:8:8:8,90,1\n8:8:8:8:16,80,2\n").unwrap();
    let t = truth.to_str().unwrap();
    assert_one_line_error(
        &[
            "eval",
            "--space",
            "nats-sss",
            "--truth",
            t,
            "--acc-col",
            "acc",
            "--proxy-cols",
            "zc,zc",
        ],
        "names \"zc\" twice",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// entropy: an output whose folder does not exist is refused before any work, and a second
// output that cannot be written leaves no first output behind
#[test]
fn failed_outputs_leave_nothing_behind() {
    let img = golden("u8_levels16_23x19.npy");
    let img = img.to_str().unwrap();
    let dir = tmp("outputs-nothing-behind");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("c.npy");
    let hm = dir.join("nodir").join("c.png");
    assert_one_line_error(
        &[
            "entropy",
            img,
            "--out",
            out.to_str().unwrap(),
            "--heatmap",
            hm.to_str().unwrap(),
        ],
        "does not exist",
    );
    assert!(
        !out.exists(),
        "--out was written although --heatmap could not be"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// Edge case: a DARTS node fed twice by one input (e.g. ('none', 0), ('dil_conv_5x5', 0)) is
// a valid genotype (public sets of trained random DARTS cells hold many): every proxy
// scores it, in the repr and NASLib forms, to a finite value.
#[test]
fn darts_node_fed_twice_by_one_input_is_scored() {
    let g = "Genotype(normal=[('none', 0), ('dil_conv_5x5', 0), ('sep_conv_3x3', 1), ('sep_conv_5x5', 1), ('skip_connect', 3), ('avg_pool_3x3', 3), ('max_pool_3x3', 2), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 0), ('max_pool_3x3', 1), ('dil_conv_5x5', 1), ('sep_conv_5x5', 2), ('none', 2), ('skip_connect', 4), ('avg_pool_3x3', 4)], reduce_concat=range(2, 6))";
    let naslib = "none~0;dil_conv_5x5~0;sep_conv_3x3~1;sep_conv_5x5~1;skip_connect~3;avg_pool_3x3~3;max_pool_3x3~2;dil_conv_3x3~2|sep_conv_3x3~0;skip_connect~0;max_pool_3x3~1;dil_conv_5x5~1;sep_conv_5x5~2;none~2;skip_connect~4;avg_pool_3x3~4";
    for proxy in ["sed", "led-flow", "ledp", "params"] {
        let mut values = Vec::new();
        for arch in [g, naslib] {
            let (code, out, err) = run(&["score", "--space", "darts", "--proxy", proxy, arch]);
            assert_eq!(code, 0, "{proxy}: {err}");
            let v: f64 = out
                .lines()
                .nth(1)
                .and_then(|l| l.rsplit(',').next())
                .and_then(|x| x.parse().ok())
                .unwrap_or(f64::NAN);
            assert!(v.is_finite(), "{proxy}: {out}");
            values.push(v);
        }
        assert_eq!(
            values[0], values[1],
            "{proxy}: repr and NASLib forms differ"
        );
    }
}

// Edge case: `--space nb201` is the 4-node benchmark cell; a cell of another size (e.g. a
// truncated copy of an NB201 string) is a bad line that says how to ask for it, and
// `--nodes N` scores the generalised N-node cell.
#[test]
fn nb201_other_node_counts_need_nodes() {
    let three = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|";
    let (code, out, err) = run(&["score", "--space", "nb201", three]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "index,arch,sed\n");
    assert!(
        err.contains("a 3-node cell") && err.contains("--nodes 3"),
        "{err}"
    );
    let (code, out, err) = run(&["score", "--space", "nb201", "--nodes", "3", three]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(three), "{out}");
    let (code, _, err) = run(&["score", "--space", "nb101", "--nodes", "3", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--nodes: applies only to nb201"), "{err}");
}
