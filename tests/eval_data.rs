//! `sednas eval` on the NB201 ground truth in `../shared/data`, against an independent
//! Python/scipy computation committed as golden values (tests/golden/make_eval_golden.py).

mod common;

use std::path::Path;

use sednas::arch::SpaceKind;
use sednas::eval::population::{Population, PopulationSpec, score_all};
use sednas::eval::{competition_ranks_desc, evaluate};
use sednas::sed::{Sed, SedConfig};

fn golden() -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/eval_golden.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}");
}

#[test]
fn sed_on_nb201_matches_independent_python() {
    let Some(truth) = common::data_file("nb201_test_acc_200ep.csv") else {
        return;
    };
    let Some(cost) = common::data_file("nb201_arch_cost.csv") else {
        return;
    };
    let sed = Sed::new(SedConfig::default()).unwrap();
    for case in golden()["cases"].as_array().unwrap() {
        let col = case["acc_col"].as_str().unwrap();
        let pop = Population::read(&truth, &PopulationSpec::new(SpaceKind::Nb201, col)).unwrap();
        assert_eq!(pop.archs().len(), case["n"].as_u64().unwrap() as usize);
        let (scores, _) = score_all(&sed, pop.archs());
        let ranks = competition_ranks_desc(pop.acc());
        let r = evaluate("sed", &scores, pop.acc(), &ranks);
        close(
            r.spearman.unwrap(),
            case["spearman"].as_f64().unwrap(),
            "spearman",
        );
        close(
            r.kendall_tau_b.unwrap(),
            case["kendall_tau_b"].as_f64().unwrap(),
            "kendall",
        );
        close(
            r.min_acc_spearman.unwrap(),
            case["min_acc_spearman"].as_f64().unwrap(),
            "min-acc rho",
        );
        assert_eq!(
            r.min_acc_groups as u64,
            case["min_acc_groups"].as_u64().unwrap()
        );
        assert_eq!(r.distinct_values as u64, case["distinct"].as_u64().unwrap());
        let s = r.selection.unwrap();
        let g = &case["selection"];
        assert_eq!(s.tied as u64, g["tied"].as_u64().unwrap());
        assert_eq!(s.best_rank as u64, g["best_rank"].as_u64().unwrap());
        assert_eq!(s.worst_rank as u64, g["worst_rank"].as_u64().unwrap());
        close(
            s.expected_rank,
            g["expected_rank"].as_f64().unwrap(),
            "expected rank",
        );
        close(s.best_acc, g["best_acc"].as_f64().unwrap(), "best acc");
        close(s.worst_acc, g["worst_acc"].as_f64().unwrap(), "worst acc");
        close(
            s.expected_acc,
            g["expected_acc"].as_f64().unwrap(),
            "expected acc",
        );
        // the tied architectures themselves
        let mut idx: Vec<u64> = (0..scores.len())
            .filter(|&i| scores[i] == s.score)
            .map(|i| pop.archs()[i].index().unwrap() as u64)
            .collect();
        idx.sort();
        let want: Vec<u64> = g["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(idx, want);
        // a peer column joined from another file: #params
        let pp = Population::read(
            &cost,
            &PopulationSpec::new(SpaceKind::Nb201, "params_mb_cifar10"),
        )
        .unwrap();
        assert_eq!(pp.keys(), pop.keys());
        let rp = evaluate("params", pp.acc(), pop.acc(), &ranks);
        close(
            rp.spearman.unwrap(),
            case["params_spearman"].as_f64().unwrap(),
            "params spearman",
        );
        close(
            rp.kendall_tau_b.unwrap(),
            case["params_kendall_tau_b"].as_f64().unwrap(),
            "params kendall",
        );
    }
}

// The CLI's --json output has the documented keys and ranks are 1 = most accurate.
#[test]
fn eval_json_keys() {
    let Some(truth) = common::data_file("nb201_test_acc_200ep.csv") else {
        return;
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sednas"))
        .args([
            "eval",
            "--space",
            "nb201",
            "--acc-col",
            "cifar100_test",
            "--no-readings",
            "--json",
            "--truth",
        ])
        .arg(&truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    for k in [
        "proxy",
        "n",
        "spearman",
        "kendall_tau_b",
        "selection",
        "truth",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    for k in [
        "tied",
        "best_rank",
        "worst_rank",
        "expected_rank",
        "best_acc",
        "worst_acc",
        "expected_acc",
    ] {
        assert!(v["selection"].get(k).is_some(), "missing selection.{k}");
    }
    assert_eq!(v["selection"]["best_rank"], 1);
}

// LED-flow against the independent Python implementation, and its one free parameter:
// the skip gain is the argmax of ρ on CIFAR-10 *validation* accuracy over {0.25, 0.5, 0.75, 1}.
#[test]
fn led_flow_matches_python_and_skip_gain_is_chosen_on_validation() {
    use sednas::sed::ledflow::{LedFlow, LedFlowConfig};
    let Some(truth) = common::data_file("nb201_test_acc_200ep.csv") else {
        return;
    };
    let Some(valid) = common::data_file("nb201_cifar10_valid_acc_nb201v1_0.csv") else {
        return;
    };
    let g = golden();
    let led = LedFlow::new(LedFlowConfig::default()).unwrap();
    let mut scratch = Vec::new();
    for case in g["cases"].as_array().unwrap() {
        let col = case["acc_col"].as_str().unwrap();
        let pop = Population::read(&truth, &PopulationSpec::new(SpaceKind::Nb201, col)).unwrap();
        let scores: Vec<f64> = pop
            .archs()
            .iter()
            .map(|a| led.score(a, &mut scratch))
            .collect();
        let r = evaluate(
            "led-flow",
            &scores,
            pop.acc(),
            &competition_ranks_desc(pop.acc()),
        );
        close(
            r.spearman.unwrap(),
            case["led_flow_spearman"].as_f64().unwrap(),
            "led-flow spearman",
        );
        close(
            r.kendall_tau_b.unwrap(),
            case["led_flow_kendall_tau_b"].as_f64().unwrap(),
            "led-flow kendall",
        );
    }
    let pop = Population::read(
        &valid,
        &PopulationSpec::new(SpaceKind::Nb201, "cifar10_valid_val"),
    )
    .unwrap();
    let ranks = competition_ranks_desc(pop.acc());
    let mut best = (f64::NEG_INFINITY, 0.0);
    for gain in [0.25, 0.5, 0.75, 1.0] {
        let l = LedFlow::new(LedFlowConfig {
            skip_gain: gain,
            ..Default::default()
        })
        .unwrap();
        let s: Vec<f64> = pop
            .archs()
            .iter()
            .map(|a| l.score(a, &mut scratch))
            .collect();
        let rho = evaluate("x", &s, pop.acc(), &ranks).spearman.unwrap();
        let want = g["led_flow_skip_gain_selection"][format!("{gain:?}")]
            .as_f64()
            .unwrap();
        close(rho, want, "validation rho");
        if rho > best.0 {
            best = (rho, gain);
        }
    }
    assert_eq!(best.1, LedFlowConfig::default().skip_gain);
}
