//! Outputs: a failed write is an error (never a panic, never a silent loss), output
//! locations are checked before any work, and CSV inputs with a repeated column are refused.
#![cfg(unix)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sednas-hostile-out-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Runs with stdout on `/dev/full`; returns (exit code, stderr).
fn to_dev_full(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const CELL: &str = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

fn small_truth() -> PathBuf {
    let p = tmp("truth.csv");
    std::fs::write(
        &p,
        format!("arch_str,acc\n\"{CELL}\",90\n\"|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|\",10\n\"|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|\",20\n"),
    )
    .unwrap();
    p
}

// Edge case: standard output that cannot be written (a full disk) is a one-line error with
// a non-zero exit for every command that prints, never "failed printing to stdout" (a panic,
// exit 101).
#[test]
fn full_stdout_is_an_error_not_a_panic() {
    let truth = small_truth();
    let t = truth.to_str().unwrap();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["eval", "--space", "nb201", "--truth", t, "--acc-col", "acc"],
        vec![
            "eval",
            "--space",
            "nb201",
            "--truth",
            t,
            "--acc-col",
            "acc",
            "--json",
        ],
        vec!["verify"],
        vec!["score", "--space", "nb201", CELL],
        vec!["enumerate", "--space", "nb201", "--top", "3"],
        vec![
            "search",
            "--space",
            "nb201",
            "--samples",
            "50",
            "--seed",
            "1",
        ],
    ];
    let data = common::data_dir();
    let d = data.to_str().unwrap().to_string();
    if common::data_file("nb201_test_acc_200ep.csv").is_some() {
        cases.push(vec!["benchmark", "--data", &d, "--split", "report"]);
        cases.push(vec![
            "benchmark",
            "--data",
            &d,
            "--split",
            "report",
            "--json",
        ]);
    }
    for args in cases {
        let (code, err) = to_dev_full(&args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(code, 0, "{args:?}: exit 0 with stdout on /dev/full: {err}");
        assert_ne!(code, 101, "{args:?}: {err}");
        let last = err.trim_end().lines().last().unwrap_or("");
        assert!(
            last.starts_with("error:")
                && (last.contains("standard output") || last.contains("No space left")),
            "{args:?}: {err}"
        );
    }
}

// Edge case: `benchmark --out` under a file is refused before any work: nothing printed,
// the message names the path.
#[test]
fn benchmark_out_under_a_file_is_refused_first() {
    let data = common::data_dir();
    if common::data_file("nb201_test_acc_200ep.csv").is_none() {
        return;
    }
    let f = tmp("a-file");
    std::fs::write(&f, "x").unwrap();
    let out = f.join("bench");
    let (code, stdout, err) = run(&[
        "benchmark",
        "--data",
        data.to_str().unwrap(),
        "--split",
        "report",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        stdout.is_empty(),
        "work was done before the output check: {stdout}"
    );
    assert!(err.contains("a-file"), "{err}");
}

// Edge case: a complete `benchmark --out` leaves exactly its files and meta.json, and no
// staging folder.
#[test]
fn benchmark_out_is_complete_and_clean() {
    let data = common::data_dir();
    if common::data_file("nb201_test_acc_200ep.csv").is_none() {
        return;
    }
    let out = tmp("bench-out");
    let _ = std::fs::remove_dir_all(&out);
    let (code, _, err) = run(&[
        "benchmark",
        "--data",
        data.to_str().unwrap(),
        "--split",
        "report",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for f in [
        "benchmark.csv",
        "table.md",
        "top_end.csv",
        "top_end.md",
        "meta.json",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing: {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with('.')), "{names:?}");
}

// Edge case: a truth file with two columns of the same name is refused, naming both
// positions (it used to read the first one silently).
#[test]
fn repeated_column_is_refused() {
    let p = tmp("dup.csv");
    std::fs::write(&p, format!("arch_str,acc,acc\n\"{CELL}\",90,10\n")).unwrap();
    let (code, _, err) = run(&[
        "eval",
        "--space",
        "nb201",
        "--truth",
        p.to_str().unwrap(),
        "--acc-col",
        "acc",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"acc\" appears twice (columns 2 and 3)"),
        "{err}"
    );
    std::fs::write(&p, format!("arch_str,arch_str,acc\n\"{CELL}\",x,90\n")).unwrap();
    let (code, _, err) = run(&[
        "eval",
        "--space",
        "nb201",
        "--truth",
        p.to_str().unwrap(),
        "--acc-col",
        "acc",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"arch_str\" appears twice (columns 1 and 2)"),
        "{err}"
    );
}

// Edge case: a header of 3 MiB (under the 4 MiB line limit) naming no wanted column is
// reported with a short excerpt of the header, not echoed whole.
#[test]
fn long_header_is_not_echoed() {
    let p = tmp("wide.csv");
    let header: Vec<String> = (0..300_000).map(|i| format!("c{i}")).collect();
    std::fs::write(&p, header.join(",") + "\n").unwrap();
    let (code, _, err) = run(&[
        "eval",
        "--space",
        "nb201",
        "--truth",
        p.to_str().unwrap(),
        "--acc-col",
        "acc",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.len() < 1000, "{} bytes of error", err.len());
    assert!(err.contains("wide.csv"), "{err}");
}
