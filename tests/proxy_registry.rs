//! Every proxy of the registry (`sednas::proxy::REGISTRY`) is reachable under its name (and
//! its aliases) from `sednas score`, `sednas enumerate --proxy`, `sednas eval --json
//! --proxies` and the benchmark's proxy list, with the same values everywhere (Python: python/tests/test_proxy_registry.py).

use std::process::Command;

use sednas::arch::nb201::enumerate;
use sednas::arch::{AnyArch, SpaceKind};
use sednas::eval::{competition_ranks_desc, evaluate};
use sednas::proxy::{Needs, REGISTRY, Settings, topology};

fn sednas(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cells() -> Vec<String> {
    // every 97th cell: all op kinds, a few disconnected ones
    enumerate(4)
        .unwrap()
        .step_by(97)
        .map(|a| a.to_string())
        .collect()
}

/// `sednas score` values (last column) by arch, under `name`, and the column header.
fn score_cli(name: &str, archs: &[String]) -> (String, Vec<f64>) {
    let mut args = vec!["score", "--space", "nb201", "--proxy", name];
    args.extend(archs.iter().map(|s| s.as_str()));
    let text = sednas(&args);
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .to_string();
    let v = lines
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .collect();
    (header, v)
}

/// `sednas eval --json` of one proxy on `truth` (column `acc`), with optional `--join` and
/// extra flags: the first report, without its `truth` field.
fn eval_json(
    truth: &std::path::Path,
    join: Option<&std::path::Path>,
    extra: &[&str],
    proxy: &str,
) -> serde_json::Value {
    let t = truth.to_str().unwrap();
    let mut args = vec![
        "eval",
        "--json",
        "--space",
        "nb201",
        "--truth",
        t,
        "--acc-col",
        "acc",
    ];
    let j;
    if let Some(f) = join {
        j = f.to_str().unwrap().to_string();
        args.extend(["--join", j.as_str()]);
    }
    args.extend(extra);
    args.extend(["--proxies", proxy]);
    let line = sednas(&args);
    let mut got: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    got.as_object_mut().unwrap().remove("truth");
    got
}

#[test]
fn every_topology_proxy_has_one_name_and_one_value_everywhere() {
    let archs = cells();
    let typed: Vec<AnyArch> = archs
        .iter()
        .map(|s| AnyArch::parse(SpaceKind::Nb201, s).unwrap())
        .collect();
    // a truth file: accuracy from a fixed pseudo-random function of the row
    let acc: Vec<f64> = (0..archs.len())
        .map(|i| 50.0 + ((i * 7919) % 101) as f64 / 3.0)
        .collect();
    let dir = std::env::temp_dir().join(format!("sednas-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truth = dir.join("truth.csv");
    let mut t = String::from("arch_str,acc\n");
    for (a, x) in archs.iter().zip(&acc) {
        t.push_str(&format!("{a},{x}\n"));
    }
    std::fs::write(&truth, t).unwrap();
    let ranks = competition_ranks_desc(&acc);
    let bench = sednas::eval::benchmark::standard_proxies().unwrap();
    let mut seen = 0;
    for e in topology() {
        assert!(e.supports(SpaceKind::Nb201), "{}", e.name);
        // the library
        let lib = e
            .build(&Settings::default(), SpaceKind::Nb201)
            .unwrap()
            .score_batch(&typed);
        // score, under the name and every alias: same column, same values
        for n in std::iter::once(&e.name).chain(e.aliases) {
            let (col, v) = score_cli(n, &archs);
            assert_eq!(col, e.column, "{n}");
            let same = v.iter().zip(&lib).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same && v.len() == lib.len(), "score --proxy {n}");
        }
        // enumerate --proxy NAME: the same column and, for the listed cells, the same values
        let all = sednas(&["enumerate", "--proxy", e.name, "--threads", "2"]);
        let mut rows = all.lines();
        assert_eq!(
            rows.next().unwrap(),
            format!("index,arch,{}", e.column),
            "{}",
            e.name
        );
        let by_arch: std::collections::HashMap<&str, f64> = rows
            .map(|l| {
                let mut f = l.split(',');
                let (_, a, v) = (f.next(), f.next().unwrap(), f.next().unwrap());
                (a, v.parse().unwrap())
            })
            .collect();
        assert_eq!(by_arch.len(), 15_625, "enumerate --proxy {}", e.name);
        for (a, want) in archs.iter().zip(&lib) {
            assert_eq!(
                by_arch[a.as_str()].to_bits(),
                want.to_bits(),
                "enumerate --proxy {} {a}",
                e.name
            );
        }
        // eval --json --proxies NAME: the report of exactly these values
        let got = eval_json(&truth, None, &["--no-readings"], e.name);
        let want = serde_json::to_value(evaluate(e.name, &lib, &acc, &ranks)).unwrap();
        assert_eq!(got, want, "eval --proxies {}", e.name);
        // benchmark: a row under its label, with the same scores
        let b = bench
            .iter()
            .find(|c| c.entry.name == e.name)
            .unwrap_or_else(|| panic!("{} is not in the benchmark", e.name));
        assert_eq!(b.name, e.label);
        let bv = (b.score)(&typed);
        assert!(bv.iter().zip(&lib).all(|(a, b)| a.to_bits() == b.to_bits()));
        seen += 1;
    }
    assert_eq!(seen, 6);
    // the measured proxies: read as columns by eval under their names
    let measured: Vec<_> = REGISTRY
        .iter()
        .filter(|e| e.needs == Needs::Network && e.name != "led-m")
        .collect();
    assert!(!measured.is_empty());
    let m = dir.join("measured.csv");
    let mut t = String::from("arch_str");
    for e in &measured {
        t.push_str(&format!(",{}", e.column));
    }
    t.push('\n');
    for (i, a) in archs.iter().enumerate() {
        t.push_str(a);
        for (k, _) in measured.iter().enumerate() {
            t.push_str(&format!(",{}", (i * (k + 3)) % 17));
        }
        t.push('\n');
    }
    std::fs::write(&m, t).unwrap();
    for (k, e) in measured.iter().enumerate() {
        let got = eval_json(&truth, Some(&m), &[], e.name);
        let col: Vec<f64> = (0..archs.len())
            .map(|i| ((i * (k + 3)) % 17) as f64)
            .collect();
        let want = serde_json::to_value(evaluate(e.name, &col, &acc, &ranks)).unwrap();
        assert_eq!(got, want, "eval --proxies {}", e.name);
    }
    // led-m: eval combines LEDp with the joined run's neg_zero_mean (a negated fraction)
    let lm = dir.join("led_m.csv");
    let mut t = String::from("arch_str,neg_zero_mean\n");
    let nzm: Vec<f64> = (0..archs.len())
        .map(|i| -(((i * 5) % 17) as f64) / 17.0)
        .collect();
    for (a, v) in archs.iter().zip(&nzm) {
        t.push_str(&format!("{a},{v}\n"));
    }
    std::fs::write(&lm, t).unwrap();
    let got = eval_json(&truth, Some(&lm), &[], "led-m");
    let ledp = sednas::proxy::find("ledp")
        .unwrap()
        .build(&Settings::default(), SpaceKind::Nb201)
        .unwrap()
        .score_batch(&typed);
    let want_scores: Vec<f64> = ledp.iter().zip(&nzm).map(|(l, v)| l + 32.0 * v).collect();
    let want = serde_json::to_value(evaluate("led-m", &want_scores, &acc, &ranks)).unwrap();
    assert_eq!(got, want, "eval --proxies led-m");
    // an unknown name is refused with the registry's list
    let out = Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args(["score", "--space", "nb201", "--proxy", "nope", &archs[0]])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("expected sed, led-flow, ledp, params, sed-validated or sed-measured")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
