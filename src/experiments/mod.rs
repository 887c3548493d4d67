//! Experiments: each has a TOML config in `experiments/NAME/config.toml`, a fixed seed, a
//! progress bar and an output folder `results/NAME/` with CSV data, PNG+SVG figures and
//! `meta.json` (git revision, config, seeds, data checksums, wall time, machine). Results
//! are written atomically, and `--resume` skips the runs already finished.

// the run helpers below serve the burn experiments only
#![cfg_attr(not(feature = "nn"), allow(dead_code))]

#[cfg(feature = "nn")]
pub mod nb201_fashion;
#[cfg(feature = "nn")]
pub mod net_ablation;
pub mod sed_ablation;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// SHA-256 of a file, hex.
///
/// ```
/// use sednas::experiments::sha256_file;
/// let path = std::env::temp_dir().join(format!("sednas-doc-sha-{}.txt", std::process::id()));
/// std::fs::write(&path, "abc").unwrap();
/// assert_eq!(sha256_file(&path).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// std::fs::remove_file(&path).unwrap();
/// assert!(matches!(sha256_file(&path), Err(sednas::error::Error::Io { .. })));
/// ```
pub fn sha256_file(p: &Path) -> Result<String> {
    let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// The git revision of the working tree (with `-dirty` when sources differ from it), or "unknown".
pub fn git_revision() -> String {
    let rev = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output();
    let dirty = std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output();
    match (rev, dirty) {
        (Ok(r), Ok(d)) if r.status.success() => {
            let mut s = String::from_utf8_lossy(&r.stdout).trim().to_string();
            if !d.stdout.is_empty() {
                s.push_str("-dirty");
            }
            s
        }
        _ => "unknown".into(),
    }
}

/// Machine facts for meta.json.
pub fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    serde_json::json!({
        "cpu": cpu,
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}

/// Writes meta.json for an experiment.
pub fn write_meta(
    out: &Path,
    name: &str,
    config: &impl serde::Serialize,
    data_files: &[PathBuf],
    wall_seconds: f64,
    extra: serde_json::Value,
) -> Result<()> {
    let mut sums = serde_json::Map::new();
    for f in data_files {
        if let Ok(h) = sha256_file(f) {
            sums.insert(f.display().to_string(), serde_json::Value::String(h));
        }
    }
    let meta = serde_json::json!({
        "experiment": name,
        "git_revision": git_revision(),
        "config": config,
        "data_sha256": sums,
        "wall_seconds": wall_seconds,
        "machine": machine(),
        "sednas_version": env!("CARGO_PKG_VERSION"),
        "extra": extra,
    });
    let text =
        serde_json::to_string_pretty(&meta).map_err(|e| Error::param("meta", e.to_string()))?;
    crate::io::write_atomic(&out.join("meta.json"), text.as_bytes())
}

/// A dataset's training and test splits, loaded once per experiment and shared by its runs.
pub(crate) struct Splits {
    pub(crate) train: crate::data::ImageSet,
    pub(crate) test: crate::data::ImageSet,
}

impl Splits {
    pub(crate) fn load(dataset: &str, data_dir: &Path) -> Result<Self> {
        use crate::data::{Split, load_named};
        Ok(Splits {
            train: load_named(dataset, data_dir, Split::Train)?,
            test: load_named(dataset, data_dir, Split::Test)?,
        })
    }
}

/// With `resume`, the finished result of a run directory (`result.json`), if there is one.
pub(crate) fn cached_result<T: serde::de::DeserializeOwned>(
    dir: &Path,
    resume: bool,
) -> Result<Option<T>> {
    let p = dir.join("result.json");
    if !(resume && p.is_file()) {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::param("result.json", format!("{}: {e}", p.display())))
}

/// Writes a run's `result.json` atomically (the marker `--resume` looks for).
pub(crate) fn save_result(dir: &Path, r: &impl serde::Serialize) -> Result<()> {
    let text =
        serde_json::to_string_pretty(r).map_err(|e| Error::param("result", e.to_string()))?;
    crate::io::write_atomic(&dir.join("result.json"), text.as_bytes())
}

/// Mean (NaN-free input expected; 0 for an empty slice).
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Sample standard deviation (0 for fewer than two values).
pub(crate) fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// The IDX files a dataset reads (for meta.json checksums); none for embedded data.
pub(crate) fn idx_files(dataset: &str, data_dir: &Path) -> Vec<PathBuf> {
    match dataset {
        "mnist" | "fashion-mnist" => [
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        ]
        .iter()
        .map(|f| data_dir.join(dataset).join(f))
        .collect(),
        _ => vec![],
    }
}

/// Reads a TOML config file into `T` (unknown keys are errors).
pub fn read_config<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    toml::from_str(&text).map_err(|e| {
        Error::param(
            "config",
            format!("{}: {}", path.display(), e.to_string().replace('\n', " ")),
        )
    })
}

/// One test of an experiment's family: what was tested, on which estimator, the estimate
/// with its 95% interval and uncorrected p, and (after [`Family::finish`]) Holm's p.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestRow {
    /// Which rule or claim the test bears on (R1, R2, R3, premise, SED, ...).
    pub rule: String,
    /// What was tested.
    pub test: String,
    /// `spearman` or `mean difference`.
    pub statistic: &'static str,
    /// The entropy estimator behind the numbers (`-` when none is involved).
    pub estimator: String,
    /// Estimate, interval, n (units: configurations or architectures) and p.
    pub est: crate::eval::stats::Estimate,
    /// Holm-adjusted p within the family.
    pub p_holm: f64,
}

/// The tests of one experiment, corrected together with Holm's method.
#[derive(Debug, Default)]
pub struct Family {
    /// The tests, in the order they were added.
    pub rows: Vec<TestRow>,
}

impl Family {
    /// Adds Spearman ρ(x, y) over the pairs where both are finite (no row if ρ is undefined).
    pub fn corr(&mut self, rule: &str, test: &str, estimator: &str, x: &[f64], y: &[f64]) {
        let (x, y): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(y)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (*a, *b))
            .unzip();
        if let Some(est) = crate::eval::stats::spearman_test(&x, &y, 0.95) {
            self.push(rule, test, "spearman", estimator, est);
        }
    }

    /// Adds the mean of paired differences with its t-interval (no row for < 2 pairs).
    pub fn mean(&mut self, rule: &str, test: &str, estimator: &str, d: &[f64]) {
        if let Some(est) = crate::eval::stats::mean_ci(d, 0.95) {
            self.push(rule, test, "mean difference", estimator, est);
        }
    }

    fn push(
        &mut self,
        rule: &str,
        test: &str,
        statistic: &'static str,
        estimator: &str,
        est: crate::eval::stats::Estimate,
    ) {
        self.rows.push(TestRow {
            rule: rule.into(),
            test: test.into(),
            statistic,
            estimator: estimator.into(),
            est,
            p_holm: f64::NAN,
        });
    }

    /// Applies Holm's correction over the family; returns the printed lines and the CSV
    /// (`rule,test,statistic,estimator,value,ci_low,ci_high,n,p,p_holm`).
    pub fn finish(&mut self, unit: &str) -> (String, String) {
        let adj = crate::eval::stats::holm(&self.rows.iter().map(|r| r.est.p).collect::<Vec<_>>());
        let mut text = String::new();
        let mut csv =
            String::from("rule,test,statistic,estimator,value,ci_low,ci_high,n,p,p_holm\n");
        for (r, a) in self.rows.iter_mut().zip(adj) {
            r.p_holm = a;
            let e = &r.est;
            text.push_str(&format!(
                "  [{}] {}: {} = {:+.3} [{:+.3}, {:+.3}], n = {} {unit}, p = {:.2e}, Holm p = {:.2e}{} (estimator: {})\n",
                r.rule,
                r.test,
                r.statistic,
                e.value,
                e.lo,
                e.hi,
                e.n,
                e.p,
                a,
                if a < 0.05 { " *" } else { "" },
                r.estimator
            ));
            csv.push_str(&format!(
                "\"{}\",\"{}\",{},\"{}\",{},{},{},{},{},{}\n",
                r.rule, r.test, r.statistic, r.estimator, e.value, e.lo, e.hi, e.n, e.p, a
            ));
        }
        text.push_str(&format!(
            "  (95% intervals; Spearman: Fisher z with SE 1.03/√(n−3), p from t_(n−2); means: t-interval; \
             Holm over the {} tests above; * = Holm p < 0.05)\n",
            self.rows.len()
        ));
        (text, csv)
    }
}

/// The configuration a run directory was started with (`experiment-config.json`, written
/// before any run). With `resume`, a stored configuration must equal `cfg` — otherwise the
/// cached runs would be reused under settings they were not made with — and a mismatch is
/// an error naming the keys that differ, before anything is written. Without `resume` the
/// file is (re)written.
pub fn check_config<T: serde::Serialize>(out: &Path, cfg: &T, resume: bool) -> Result<()> {
    let now = serde_json::to_value(cfg).map_err(|e| Error::param("config", e.to_string()))?;
    let p = out.join("experiment-config.json");
    if resume && p.is_file() {
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        let old: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::param("config", format!("{}: {e}", p.display())))?;
        if old != now {
            let diff = crate::io::json_diff_keys(&old, &now);
            return Err(Error::param(
                "--resume",
                format!(
                    "{} was started with another configuration (differs in: {}); rerun without --resume or use another --out",
                    out.display(),
                    diff.join(", ")
                ),
            ));
        }
        return Ok(());
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let text =
        serde_json::to_string_pretty(&now).map_err(|e| Error::param("config", e.to_string()))?;
    crate::io::write_atomic(&p, text.as_bytes())
}

/// The error for a bad setting `what` of `experiment`'s config.
pub(crate) fn config_error(experiment: &str, what: &str, why: String) -> Error {
    Error::param("config", format!("{experiment}: {what}: {why}"))
}

/// The settings every training experiment shares, checked before any work: each named size
/// ≥ 1, `fmap_count` ≥ 2 (H2 needs a batch), a finite learning rate > 0 and a non-empty
/// list of distinct seeds; the error names the experiment and the setting.
pub(crate) fn check_common(
    experiment: &str,
    sizes: &[(&str, usize)],
    fmap_count: usize,
    lr: f64,
    seeds: &[u64],
) -> Result<()> {
    let bad = |what: &str, why: String| Err(config_error(experiment, what, why));
    if let Some((what, _)) = sizes.iter().find(|(_, v)| *v == 0) {
        return bad(what, "must be ≥ 1".into());
    }
    if fmap_count < 2 {
        return bad(
            "fmap_count",
            format!("must be ≥ 2 (H2 needs a batch), got {fmap_count}"),
        );
    }
    if !(lr.is_finite() && lr > 0.0) {
        return bad("lr", format!("must be a finite number > 0, got {lr}"));
    }
    if seeds.is_empty() {
        return bad("seeds", "must not be empty".into());
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(s) = seeds.iter().find(|s| !seen.insert(**s)) {
        return bad("seeds", format!("seed {s} is listed twice"));
    }
    Ok(())
}
