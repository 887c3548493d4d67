//! Every file reader and every command that reads a file, on special, oversized and
//! truncated inputs: a folder, a FIFO, `/dev/zero` (directly and through a link), a broken
//! link, a 2 GiB + 1 sparse file, a file with one 5 MiB line, and truncated prefixes of
//! valid files. Each must end quickly (no hang on a FIFO, no allocation sized to a claim)
//! with a typed error on one short line that names the path; the time-boxed fuzz loop
//! (`tests/fuzz_stable.rs`) mutates the contents of valid files, this test covers what a
//! path can be.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sednas::arch::{ArchColumns, SpaceKind};
use sednas::error::Error;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("sednas-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// (label, path) of every special input.
fn specials() -> Vec<(&'static str, PathBuf)> {
    // a folder of its own per call: tests run in parallel
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let d = dir().join(format!(
        "set{}",
        CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    let folder = d.join("a-folder.csv");
    std::fs::create_dir_all(&folder).unwrap();
    let fifo = d.join("a-fifo.csv");
    if !fifo.exists() {
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    }
    let zero_link = d.join("zero-link.csv");
    let _ = std::fs::remove_file(&zero_link);
    std::os::unix::fs::symlink("/dev/zero", &zero_link).unwrap();
    let broken = d.join("broken-link.csv");
    let _ = std::fs::remove_file(&broken);
    std::os::unix::fs::symlink(d.join("no-such-target"), &broken).unwrap();
    let sparse = d.join("sparse.csv");
    let f = std::fs::File::create(&sparse).unwrap();
    f.set_len((2u64 << 30) + 1).unwrap();
    let long = d.join("long-line.csv");
    std::fs::write(&long, vec![b'a'; 5 << 20]).unwrap();
    vec![
        ("folder", folder),
        ("fifo", fifo),
        ("/dev/zero", PathBuf::from("/dev/zero")),
        ("link to /dev/zero", zero_link),
        ("broken link", broken),
        ("2 GiB + 1 sparse file", sparse),
        ("5 MiB line", long),
    ]
}

/// A refusal must be quick, one line, short, and name the path.
fn check(label: &str, reader: &str, path: &Path, t0: Instant, r: Result<(), Error>) {
    let e = match r {
        Err(e) => e.to_string(),
        Ok(()) => panic!("{reader} accepted {label} ({})", path.display()),
    };
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(
        e.contains(&*name),
        "{reader} on {label}: error does not name the path: {e}"
    );
    assert!(
        !e.contains('\n') && e.len() < 600,
        "{reader} on {label}: {} chars: {e}",
        e.len()
    );
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "{reader} on {label}: took {:?}",
        t0.elapsed()
    );
}

// Edge cases: every library reader refuses every special path with a typed error.
#[test]
fn library_readers_refuse_special_paths() {
    use sednas::eval::population::{Population, PopulationSpec};
    for (label, p) in specials() {
        let t = Instant::now();
        let spec = PopulationSpec::new(SpaceKind::Nb201, "acc");
        check(
            label,
            "Population::read",
            &p,
            t,
            Population::read(&p, &spec).map(|_| ()),
        );
        let t = Instant::now();
        check(
            label,
            "read_run",
            &p,
            t,
            sednas::io::shard::read_run(&p, "measure").map(|_| ()),
        );
        let t = Instant::now();
        check(
            label,
            "read_config",
            &p,
            t,
            sednas::experiments::read_config::<sednas::experiments::sed_ablation::Config>(&p)
                .map(|_| ()),
        );
        let t = Instant::now();
        check(
            label,
            "read_npy",
            &p,
            t,
            sednas::io::npy::read_npy(&p).map(|_| ()),
        );
        let t = Instant::now();
        check(
            label,
            "read_png",
            &p,
            t,
            sednas::io::png::read_png(&p).map(|_| ()),
        );
        // a long line is no limit for a binary reader: only the special paths apply
        if label != "5 MiB line" {
            let t = Instant::now();
            check(
                label,
                "sha256_file",
                &p,
                t,
                sednas::experiments::sha256_file(&p).map(|_| ()),
            );
        }
    }
}

// Edge case: a join (peer) file that is special is an error, not "missing".
#[test]
fn join_refuses_special_paths() {
    use sednas::eval::population::{Population, PopulationSpec};
    let d = dir();
    let truth = d.join("truth.csv");
    std::fs::write(
        &truth,
        "arch_str,acc\n\"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\",90\n",
    )
    .unwrap();
    for (label, p) in specials() {
        let mut pop =
            Population::read(&truth, &PopulationSpec::new(SpaceKind::Nb201, "acc")).unwrap();
        let t = Instant::now();
        let r = pop.join(
            &p,
            SpaceKind::Nb201,
            &ArchColumns::default_for(SpaceKind::Nb201),
            &["x".into()],
            &[],
        );
        check(label, "Population::join", &p, t, r);
    }
}

// Edge case: truncated prefixes of valid files are refused or read, never a panic.
#[test]
fn truncated_files_are_typed_errors() {
    let d = dir();
    let run = "# sednas measure shard=0/2 config={\"space\":\"nb201\"}\npos,arch,h1\n0,a,1.5\n";
    let p = d.join("trunc.csv");
    for cut in 0..run.len() {
        std::fs::write(&p, &run.as_bytes()[..cut]).unwrap();
        let _ = sednas::io::shard::read_run(&p, "measure");
    }
    let a = ndarray::ArrayD::from_shape_vec(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    let npy = sednas::io::npy::to_npy_bytes(&a);
    for cut in 0..npy.len() {
        std::fs::write(&p, &npy[..cut]).unwrap();
        assert!(
            sednas::io::npy::read_npy(&p).is_err(),
            "truncated .npy at {cut} accepted"
        );
    }
}

fn sednas(args: &[&str]) -> (i32, String, Duration) {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(_s) = child.try_wait().unwrap() {
            break;
        }
        if t.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("sednas {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        t.elapsed(),
    )
}

// Edge cases: the commands that read a file refuse every special path with one line that
// names it and exit 2.
#[test]
fn commands_refuse_special_paths() {
    let merged = dir().join("merged.csv");
    let merged = merged.to_str().unwrap();
    for (label, p) in specials() {
        let ps = p.to_str().unwrap();
        let cases: Vec<Vec<&str>> = vec![
            vec![
                "eval",
                "--space",
                "nb201",
                "--truth",
                ps,
                "--acc-col",
                "acc",
            ],
            vec!["score", "--space", "nb201", "--input", ps],
            vec!["entropy", ps],
            vec!["merge", ps, "--out", merged],
        ];
        for args in cases {
            let (code, err, dt) = sednas(&args);
            assert_eq!(code, 2, "sednas {args:?} on {label}: exit {code}: {err}");
            let line = err.trim_end();
            assert!(
                !line.contains('\n') && line.len() < 600,
                "{args:?} on {label}: {line}"
            );
            let name = p.file_name().unwrap().to_string_lossy();
            assert!(line.contains(&*name), "{args:?} on {label}: {line}");
            assert!(dt < Duration::from_secs(15), "{args:?} on {label}: {dt:?}");
        }
    }
}

// Edge case: a benchmark data folder whose peer file is special is an error naming it,
// not "not found: this task has no peer rows" with exit 0.
#[test]
fn benchmark_peer_file_that_is_special_is_an_error() {
    let Some(shared) = common_data() else { return };
    let d = dir().join("bench-data");
    for (label, special) in specials() {
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for e in std::fs::read_dir(&shared).unwrap() {
            let e = e.unwrap();
            let name = e.file_name();
            if name == "nb201_zc_proxies_cifar10.csv" {
                continue;
            }
            std::os::unix::fs::symlink(e.path(), d.join(&name)).unwrap();
        }
        let peer = d.join("nb201_zc_proxies_cifar10.csv");
        if special.is_dir() && label == "folder" {
            std::fs::create_dir(&peer).unwrap();
        } else {
            std::os::unix::fs::symlink(&special, &peer).unwrap();
        }
        let (code, err, _) = sednas(&[
            "benchmark",
            "--data",
            d.to_str().unwrap(),
            "--split",
            "report",
        ]);
        assert_eq!(code, 2, "{label}: exit {code}: {err}");
        assert!(
            err.contains("nb201_zc_proxies_cifar10.csv"),
            "{label}: {err}"
        );
        assert!(!err.contains("not found"), "{label}: {err}");
    }
}

/// The shared data folder, or None (skipped, said; a failure in CI).
fn common_data() -> Option<PathBuf> {
    common::data_file("nb201_test_acc_200ep.csv").map(|_| common::data_dir())
}
