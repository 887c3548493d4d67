//! The experiments on their seconds-long smoke configurations (embedded digits): every
//! output is written, and two runs with the same seed give bit-identical results.

mod common;

use std::path::{Path, PathBuf};

/// burn's seeded initialisation uses a process-wide generator: trainings in parallel test
/// threads would interleave its draws, so the tests that train take this lock.
static BURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sednas-exp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn cfg(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn net_ablation_smoke_is_reproducible() {
    let _g = BURN.lock().unwrap_or_else(|e| e.into_inner());
    let (a, b) = (tmp("na1"), tmp("na2"));
    let s1 = sednas::experiments::net_ablation::run(
        &cfg("experiments/net-ablation/smoke.toml"),
        &a,
        false,
    )
    .unwrap();
    let _ = sednas::experiments::net_ablation::run(
        &cfg("experiments/net-ablation/smoke.toml"),
        &b,
        false,
    )
    .unwrap();
    assert!(s1.contains("[R1]") && s1.contains("[R2]") && s1.contains("[R3]"));
    // configuration means are the unit, corrected with Holm, estimators named
    assert!(s1.contains("n = 8 configurations") && s1.contains("Holm p"));
    assert!(s1.contains("estimator: exact H1") && s1.contains("binned:8"));
    for f in ["runs.csv", "configs.csv", "rules.csv", "summary.txt"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // the figures too, but for their captions, which name the output folder
    for f in ["accuracy.svg", "zero_h1_by_pool.svg"] {
        let read = |d: &Path| {
            std::fs::read_to_string(d.join(f))
                .unwrap()
                .replace(&*d.display().to_string(), "OUT")
        };
        assert_eq!(read(&a), read(&b), "{f} differs");
        assert!(a.join(f).with_extension("png").is_file());
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("meta.json")).unwrap()).unwrap();
    for k in [
        "git_revision",
        "config",
        "data_sha256",
        "wall_seconds",
        "machine",
    ] {
        assert!(meta.get(k).is_some(), "meta.json lacks {k}");
    }
    // --resume reuses every finished run
    let s3 = sednas::experiments::net_ablation::run(
        &cfg("experiments/net-ablation/smoke.toml"),
        &a,
        true,
    )
    .unwrap();
    assert_eq!(s1.lines().next(), s3.lines().next());
    assert_eq!(
        std::fs::read(a.join("runs.csv")).unwrap(),
        std::fs::read(b.join("runs.csv")).unwrap()
    );
    // --resume under another configuration is refused before anything is written (the
    // cached runs were made with the old settings)
    let changed = a.join("changed.toml");
    std::fs::write(
        &changed,
        std::fs::read_to_string(cfg("experiments/net-ablation/smoke.toml"))
            .unwrap()
            .replace("epochs = 1", "epochs = 2"),
    )
    .unwrap();
    let before = std::fs::read(a.join("summary.txt")).unwrap();
    let e = sednas::experiments::net_ablation::run(&changed, &a, true)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("another configuration") && e.contains("epochs"),
        "{e}"
    );
    assert_eq!(std::fs::read(a.join("summary.txt")).unwrap(), before);
    // --tabulate under another configuration names --tabulate (not --resume) and writes nothing
    let e = sednas::experiments::net_ablation::tabulate(&changed, &a)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--tabulate") && e.contains("epochs"), "{e}");
    assert_eq!(std::fs::read(a.join("summary.txt")).unwrap(), before);
    // tabulating the finished runs reproduces every table byte for byte
    let tables: Vec<Vec<u8>> = [
        "runs.csv",
        "configs.csv",
        "rules.csv",
        "nb201_skips.csv",
        "summary.txt",
    ]
    .iter()
    .map(|f| std::fs::read(a.join(f)).unwrap())
    .collect();
    let t = sednas::experiments::net_ablation::tabulate(
        &cfg("experiments/net-ablation/smoke.toml"),
        &a,
    )
    .unwrap();
    assert!(!t.contains("PARTIAL"), "{t}");
    for (f, want) in [
        "runs.csv",
        "configs.csv",
        "rules.csv",
        "nb201_skips.csv",
        "summary.txt",
    ]
    .iter()
    .zip(&tables)
    {
        assert_eq!(&std::fs::read(a.join(f)).unwrap(), want, "{f} differs");
    }
    // one seed of one configuration missing (killed before it finished): the tables cover
    // the other runs, the summary says so first, and that configuration's sd is undefined
    // (empty), not 0
    std::fs::remove_file(a.join("runs/pool3_k3_skip1_s1/result.json")).unwrap();
    let t = sednas::experiments::net_ablation::tabulate(
        &cfg("experiments/net-ablation/smoke.toml"),
        &a,
    )
    .unwrap();
    assert!(
        t.starts_with("PARTIAL: 19 of 20 planned runs finished"),
        "{t}"
    );
    let configs = std::fs::read_to_string(a.join("configs.csv")).unwrap();
    let row = configs
        .lines()
        .find(|l| l.starts_with("3,3,true,"))
        .unwrap();
    let cols: Vec<&str> = row.split(',').collect();
    assert_eq!((cols[5], cols[7]), ("1", ""), "{row}");
    assert_eq!(
        std::fs::read_to_string(a.join("runs.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 15
    );
    // an edited result.json (another seed; an accuracy that is not a fraction) is refused,
    // naming the file, and changes no table
    let smoke = cfg("experiments/net-ablation/smoke.toml");
    let rj = a.join("runs/pool1_k1_skip0_s0/result.json");
    let orig = std::fs::read_to_string(&rj).unwrap();
    let before = std::fs::read(a.join("configs.csv")).unwrap();
    for (key, value) in [
        ("seed", serde_json::json!(7)),
        ("test_acc", serde_json::json!(57.3)),
    ] {
        let mut v: serde_json::Value = serde_json::from_str(&orig).unwrap();
        v[key] = value;
        std::fs::write(&rj, v.to_string()).unwrap();
        let e = sednas::experiments::net_ablation::tabulate(&smoke, &a)
            .unwrap_err()
            .to_string();
        assert!(e.contains(key) && e.contains("result.json"), "{e}");
        assert_eq!(std::fs::read(a.join("configs.csv")).unwrap(), before);
    }
    std::fs::write(&rj, &orig).unwrap();
    // a finished run whose own config.json was edited (another learning rate) is refused,
    // naming --tabulate and the key, and changes no table
    let rc = a.join("runs/pool1_k1_skip0_s0/config.json");
    let orig = std::fs::read_to_string(&rc).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&orig).unwrap();
    v["train"]["lr"] = serde_json::json!(0.5);
    std::fs::write(&rc, v.to_string()).unwrap();
    let e = sednas::experiments::net_ablation::tabulate(&smoke, &a)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--tabulate") && e.contains("train.lr"), "{e}");
    assert_eq!(std::fs::read(a.join("configs.csv")).unwrap(), before);
    std::fs::write(&rc, &orig).unwrap();
    // runs without the configuration that made them are neither tabulated nor resumed
    std::fs::remove_file(a.join("experiment-config.json")).unwrap();
    let e = sednas::experiments::net_ablation::tabulate(&smoke, &a)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no experiment-config.json"), "{e}");
}

// Bad configs: unknown fields, wrong types, zero or negative sizes, an empty or repeated
// seed list, an even kernel: each a typed error before any training starts (the output
// folder is not even created).
#[test]
fn bad_experiment_configs_fail_before_training() {
    let base = std::fs::read_to_string(cfg("experiments/net-ablation/smoke.toml")).unwrap();
    let dir = tmp("badcfg");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (from, to, want)) in [
        ("width = 4", "width = 0", "width"),
        ("width = 4", "width = -4", "width"),
        ("width = 4", "width = \"four\"", "width"),
        ("seeds = [0, 1]", "seeds = []", "seeds"),
        ("seeds = [0, 1]", "seeds = [1, 1]", "seeds"),
        ("kernels = [1, 3]", "kernels = [1, 4]", "kernels"),
        ("lr = 0.005", "lr = -1.0", "lr"),
        ("epochs = 1", "epochs = 0", "epochs"),
        ("fmap_count = 16", "fmap_count = 1", "fmap_count"),
        ("h1_bins = 8", "h1_bins = 8\nbogus = 1", "bogus"),
        ("width = 4", "width = 100000", "width"),
        ("pools = [1, 3]", "pools = [1, 1]", "pools"),
        ("skips = [false, true]", "skips = [true, true]", "skips"),
        ("dataset = \"digits\"", "dataset = \"bogus\"", "bogus"),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(base.contains(from), "{from}");
        let c = dir.join(format!("c{i}.toml"));
        std::fs::write(&c, base.replace(from, to)).unwrap();
        let out = dir.join(format!("out{i}"));
        let e = sednas::experiments::net_ablation::run(&c, &out, false)
            .expect_err(to)
            .to_string();
        assert!(e.contains(want), "{to}: {e}");
        assert!(!out.exists(), "{to}: output folder created");
    }
    let nb = std::fs::read_to_string(cfg("experiments/nb201-fashion/smoke.toml")).unwrap();
    for (from, to) in [
        ("n_archs = 7", "n_archs = 0"),
        ("seeds = [0]", "seeds = []"),
    ] {
        let c = dir.join("nb.toml");
        std::fs::write(&c, nb.replace(from, to)).unwrap();
        let out = dir.join("nbout");
        assert!(
            sednas::experiments::nb201_fashion::run(&c, &out, false).is_err(),
            "{to}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn nb201_fashion_smoke_writes_everything() {
    let _g = BURN.lock().unwrap_or_else(|e| e.into_inner());
    let a = tmp("nf");
    let s = sednas::experiments::nb201_fashion::run(
        &cfg("experiments/nb201-fashion/smoke.toml"),
        &a,
        false,
    )
    .unwrap();
    assert!(s.contains("SED") && s.contains("LED-flow"));
    for f in [
        "runs.csv",
        "archs.csv",
        "correlations.csv",
        "correlations_given_params.csv",
        "timings.csv",
        "acc_vs_sed.png",
        "acc_vs_sed.svg",
        "acc_vs_ledflow.png",
        "meta.json",
    ] {
        assert!(a.join(f).is_file(), "missing {f}");
    }
    // the selection holds the whole top-SED tie set (6 cells) plus the lowest-SED cell
    let archs = std::fs::read_to_string(a.join("archs.csv")).unwrap();
    assert_eq!(archs.lines().count(), 1 + 7);
    // tabulating the finished runs reproduces the run's tables byte for byte
    let runs = std::fs::read(a.join("runs.csv")).unwrap();
    let summary = std::fs::read(a.join("summary.txt")).unwrap();
    let t = sednas::experiments::nb201_fashion::tabulate(
        &cfg("experiments/nb201-fashion/smoke.toml"),
        &a,
    )
    .unwrap();
    assert!(!t.contains("PARTIAL"), "{t}");
    assert_eq!(std::fs::read(a.join("runs.csv")).unwrap(), runs);
    assert_eq!(std::fs::read(a.join("summary.txt")).unwrap(), summary);
    // with two runs missing (killed before they finished), the tables cover the other five
    // and the summary says so on its first line
    let mut dirs: Vec<_> = std::fs::read_dir(a.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for d in &dirs[..2] {
        std::fs::remove_file(d.join("result.json")).unwrap();
    }
    let t = sednas::experiments::nb201_fashion::tabulate(
        &cfg("experiments/nb201-fashion/smoke.toml"),
        &a,
    )
    .unwrap();
    assert!(
        t.starts_with("PARTIAL: 5 of 7 planned runs finished"),
        "{t}"
    );
    let runs = std::fs::read_to_string(a.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 5);
    // a finished run whose own config.json was edited (another learning rate) is refused,
    // naming --tabulate, the folder and the key; no table changes and nothing is left behind
    let tables = |d: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| {
                (
                    e.file_name().into_string().unwrap(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = tables(&a);
    let rc = dirs[3].join("config.json");
    let orig = std::fs::read_to_string(&rc).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&orig).unwrap();
    v["train"]["lr"] = serde_json::json!(0.5);
    std::fs::write(&rc, v.to_string()).unwrap();
    let e = sednas::experiments::nb201_fashion::tabulate(
        &cfg("experiments/nb201-fashion/smoke.toml"),
        &a,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--tabulate") && e.contains("train.lr"), "{e}");
    assert!(e.contains(&*dirs[3].display().to_string()), "{e}");
    assert_eq!(tables(&a), before);
    let stray: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".staging") || n.contains(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    std::fs::write(&rc, &orig).unwrap();
    // a folder that holds no runs, or another configuration, is refused
    assert!(
        sednas::experiments::nb201_fashion::tabulate(
            &cfg("experiments/nb201-fashion/smoke.toml"),
            &tmp("nf-none")
        )
        .is_err()
    );
    assert!(
        sednas::experiments::nb201_fashion::tabulate(
            &cfg("experiments/nb201-fashion/config.toml"),
            &a
        )
        .is_err()
    );
}

/// The files directly in `d` (name, bytes), sorted.
fn files(d: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn is_figure(name: &str) -> bool {
    name.ends_with(".png") || name.ends_with(".svg")
}

// --replot redraws the figures from the tables alone (the committed results keep tables,
// not run folders): every table stays byte for byte, every figure is back, nothing is left
// behind; nb201-fashion trains again only the two runs whose heatmaps it draws and checks
// them against runs.csv, refusing (and writing nothing) when they differ.
#[test]
fn replot_redraws_figures_from_the_tables() {
    let _g = BURN.lock().unwrap_or_else(|e| e.into_inner());
    // net-ablation
    let a = tmp("na-replot");
    let c = cfg("experiments/net-ablation/smoke.toml");
    sednas::experiments::net_ablation::run(&c, &a, false).unwrap();
    std::fs::remove_dir_all(a.join("runs")).unwrap();
    let tables: Vec<_> = files(&a).into_iter().filter(|f| !is_figure(&f.0)).collect();
    let figures: Vec<String> = files(&a)
        .into_iter()
        .map(|f| f.0)
        .filter(|n| is_figure(n))
        .collect();
    assert!(figures.contains(&"zero_h1_by_pool.png".to_string()));
    for f in &figures {
        std::fs::remove_file(a.join(f)).unwrap();
    }
    let r = sednas::experiments::net_ablation::replot(&c, &a).unwrap();
    assert!(r.contains("zero_h1_by_pool.png"), "{r}");
    let after = files(&a);
    let names: Vec<&str> = after.iter().map(|f| f.0.as_str()).collect();
    for f in &figures {
        assert!(names.contains(&f.as_str()), "{f} not redrawn");
    }
    let after_tables: Vec<_> = after.into_iter().filter(|f| !is_figure(&f.0)).collect();
    assert_eq!(after_tables, tables, "a table changed");
    let svg = std::fs::read_to_string(a.join("zero_h1_by_pool.svg")).unwrap();
    assert!(svg.contains("--replot") && svg.contains("min–max over 2 seeds"));
    // another configuration is refused, naming --replot
    let changed = a.join("changed.toml");
    std::fs::write(
        &changed,
        std::fs::read_to_string(&c)
            .unwrap()
            .replace("epochs = 1", "epochs = 2"),
    )
    .unwrap();
    let e = sednas::experiments::net_ablation::replot(&changed, &a)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--replot") && e.contains("epochs"), "{e}");

    // nb201-fashion: with the run folders, the heatmaps come from their checkpoints
    let b = tmp("nf-replot");
    let c = cfg("experiments/nb201-fashion/smoke.toml");
    sednas::experiments::nb201_fashion::run(&c, &b, false).unwrap();
    let heatmaps: Vec<String> = files(&b)
        .into_iter()
        .map(|f| f.0)
        .filter(|n| n.starts_with("heatmap_"))
        .collect();
    assert!(
        heatmaps.iter().any(|n| n.starts_with("heatmap_best_"))
            && heatmaps.iter().any(|n| n.starts_with("heatmap_worst_")),
        "{heatmaps:?}"
    );
    let tables: Vec<_> = files(&b).into_iter().filter(|f| !is_figure(&f.0)).collect();
    let r = sednas::experiments::nb201_fashion::replot(&c, &b).unwrap();
    assert!(r.contains("heatmaps of the best architecture from"), "{r}");
    // without them (as committed), the two runs are trained again and checked
    std::fs::remove_dir_all(b.join("runs")).unwrap();
    for f in files(&b).into_iter().filter(|f| is_figure(&f.0)) {
        std::fs::remove_file(b.join(&f.0)).unwrap();
    }
    let r = sednas::experiments::nb201_fashion::replot(&c, &b).unwrap();
    assert!(
        r.contains("trained again, its runs.csv row identical"),
        "{r}"
    );
    let after = files(&b);
    for h in &heatmaps {
        assert!(after.iter().any(|f| &f.0 == h), "{h} not redrawn");
    }
    for f in ["acc_vs_sed.png", "acc_vs_ledflow.svg"] {
        assert!(after.iter().any(|x| x.0 == f), "{f} not redrawn");
    }
    let after_tables: Vec<_> = after.into_iter().filter(|f| !is_figure(&f.0)).collect();
    assert_eq!(after_tables, tables, "a table changed");
    let left: Vec<String> = std::fs::read_dir(&b)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.') || n == "runs")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // a table the retrained runs do not reproduce (made by an earlier revision): their
    // heatmaps are drawn from the retrained networks and the report says so, with both
    // rows; no table changes and nothing is left behind
    let runs = std::fs::read_to_string(b.join("runs.csv")).unwrap();
    let edited: String = runs
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<&str> = l.split(',').collect();
            if i > 0 {
                f[7] = "0.5"; // train_loss
            }
            f.join(",") + "\n"
        })
        .collect();
    std::fs::write(b.join("runs.csv"), &edited).unwrap();
    let tables: Vec<_> = files(&b).into_iter().filter(|f| !is_figure(&f.0)).collect();
    for h in &heatmaps {
        std::fs::remove_file(b.join(h)).unwrap();
    }
    let r = sednas::experiments::nb201_fashion::replot(&c, &b).unwrap();
    assert!(
        r.contains("best architecture: index") && r.contains("does NOT reproduce"),
        "{r}"
    );
    assert!(r.contains("drawn from the retrained network"), "{r}");
    let after = files(&b);
    for h in &heatmaps {
        assert!(after.iter().any(|f| &f.0 == h), "{h} not drawn");
    }
    let after_tables: Vec<_> = after.iter().filter(|f| !is_figure(&f.0)).cloned().collect();
    assert_eq!(after_tables, tables, "a table changed");
    assert_eq!(
        std::fs::read_dir(&b).unwrap().count(),
        after.len(),
        "a folder was left behind"
    );
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

// The spread order is a permutation whose every prefix of length 2^k is evenly spaced.
#[test]
fn spread_order_is_a_permutation() {
    use sednas::experiments::nb201_fashion::spread_order;
    for n in [0usize, 1, 2, 3, 7, 32, 33] {
        let mut v = spread_order(n);
        assert_eq!(v.len(), n);
        if n == 32 {
            let mut head = v[..4].to_vec();
            head.sort();
            assert_eq!(head, vec![0, 8, 16, 24]);
        }
        v.sort();
        assert_eq!(v, (0..n).collect::<Vec<_>>());
    }
}

#[test]
fn sed_ablation_on_shared_data() {
    if common::data_file("nb201_test_acc_200ep.csv").is_none() {
        return;
    }
    let a = tmp("sa");
    // the committed config with data_dir pointed at the data folder the tests use
    std::fs::create_dir_all(&a).unwrap();
    let text = std::fs::read_to_string(cfg("experiments/sed-ablation/config.toml")).unwrap();
    let text = text.replace(
        "data_dir = \"../shared/data\"",
        &format!("data_dir = {:?}", common::data_dir()),
    );
    let c = a.join("config.toml");
    std::fs::write(&c, text).unwrap();
    let s = sednas::experiments::sed_ablation::run(&c, &a).unwrap();
    assert!(s.contains("sed[-skip]") && s.contains("led-flow"));
    let csv = std::fs::read_to_string(a.join("ablation.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 5 * 14);
    assert!(a.join("nb201_sed_vs_params.png").is_file() && a.join("nb201_sed_ties.csv").is_file());
}
