//! led-m end to end: `score --proxy led-m` (which builds and forwards the network itself)
//! equals LEDp + 32·neg_zero_mean of `sednas measure --input patches --batch 10` on the same
//! architecture; `benchmark --measured` reads that run; bad input is refused before any
//! output.

mod common;

use std::process::Command;

fn sednas(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(args)
        .output()
        .unwrap()
}

const ARCH: &str =
    "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

#[test]
fn score_led_m_equals_ledp_plus_measured_term() {
    let dir = std::env::temp_dir().join(format!("sednas-ledm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = dir.join("run.csv");
    let pop = dir.join("pop.csv");
    std::fs::write(&pop, format!("arch_str\n{ARCH}\n")).unwrap();
    // led-m's measurement of the population (`extra`: more flags), into `out`
    let measure = |out: &std::path::Path, extra: &[&str]| {
        let (p, o) = (pop.to_str().unwrap(), out.to_str().unwrap());
        let mut args = vec!["measure", "--space", "nb201", "--from", p];
        args.extend(["--input", "patches", "--batch", "10", "--out", o]);
        args.extend(extra);
        let m = sednas(&args);
        assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
        std::fs::read_to_string(out).unwrap()
    };
    let text = measure(&run, &[]);
    let mut lines = text.lines().skip(1);
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = head.iter().position(|h| *h == "neg_zero_mean").unwrap();
    let nzm: f64 = row[col].parse().unwrap();

    let s = sednas(&["score", "--space", "nb201", "--proxy", "led-m", ARCH]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let out = String::from_utf8(s.stdout).unwrap();
    let last: Vec<&str> = out.lines().nth(1).unwrap().rsplitn(3, ',').collect();
    let (led_m, got_nzm): (f64, f64) = (last[1].parse().unwrap(), last[0].parse().unwrap());
    assert_eq!(
        got_nzm.to_bits(),
        nzm.to_bits(),
        "score's measurement is measure's"
    );

    let l = sednas(&["score", "--space", "nb201", "--proxy", "ledp", ARCH]);
    let ledp: f64 = String::from_utf8(l.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(led_m.to_bits(), (ledp + 32.0 * nzm).to_bits());

    // the same run with --summaries-only: the same measured term, and still led-m's
    // configuration (the scope is not part of it)
    let fast = dir.join("fast.csv");
    let text = measure(&fast, &["--summaries-only"]);
    let row: Vec<&str> = text.lines().nth(2).unwrap().split(',').collect();
    assert_eq!(row[col], nzm.to_string());
    for f in [&run, &fast] {
        let r = sednas::nn::ledm::measured_run(&format!("nb201={}", f.display())).unwrap();
        assert!(r.led_m, "{} is led-m's configuration", f.display());
    }

    // a run of one space given for another: refused, naming both, nothing printed
    if common::data_file("nb201_test_acc_200ep.csv").is_some() {
        let b = sednas(&[
            "benchmark",
            "--data",
            common::data_dir().to_str().unwrap(),
            "--measured",
            &format!("darts={}", run.display()),
        ]);
        assert!(!b.status.success());
        assert!(b.stdout.is_empty());
        let e = String::from_utf8_lossy(&b.stderr);
        assert!(e.contains("nb201") && e.contains("not darts"), "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// Edge cases: a space without a network, a 3-node cell, a file population: each refused
// with a message that names the problem, nothing on stdout.
#[test]
fn led_m_refuses_what_it_cannot_measure() {
    for (args, want) in [
        (
            vec!["--space", "nats-sss", "8:8:8:8:8"],
            "nats-sss has no network",
        ),
        (
            vec!["--space", "nb201", "--input", "x.csv"],
            "sednas measure --input patches",
        ),
        (
            vec![
                "--space",
                "nb201",
                "--nodes",
                "3",
                "|none~0|+|none~0|none~1|",
            ],
            "--nodes does not apply",
        ),
    ] {
        let mut a = vec!["score", "--proxy", "led-m"];
        a.extend(args);
        let o = sednas(&a);
        assert!(!o.status.success(), "{a:?}");
        assert!(o.stdout.is_empty(), "{a:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(want), "{a:?}: {e}");
    }
    let o = sednas(&[
        "score",
        "--space",
        "nb201",
        "--proxy",
        "led-m",
        "|none~0|+|none~0|none~1|",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("4-node benchmark cell"));
}

// Edge cases: a stdin line of 2 MiB is refused (bounded read, nothing scored); sed-measured
// under a census its factors were not calibrated for is refused at build time.
#[test]
fn oversized_stdin_line_and_foreign_census_are_refused() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(["score", "--space", "nb201", "--proxy", "led-m"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&vec![b'a'; 2 << 20]);
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("longer than 1048576 bytes"));
    let o = sednas(&[
        "score",
        "--space",
        "darts",
        "--proxy",
        "sed-measured",
        "--dilated",
        "effective",
        "x",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("calibrated under the default census"));
}
