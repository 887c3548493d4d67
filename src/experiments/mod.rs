//! Experiments: each has a TOML config in `experiments/NAME/config.toml`, a fixed seed, a
//! progress bar and an output folder `results/NAME/` with CSV data, PNG+SVG figures and
//! `meta.json` (git revision, config, seeds, data checksums, wall time, machine). Results
//! are written atomically, and `--resume` skips the runs already finished.

// the run helpers below serve the burn experiments only
#![cfg_attr(not(feature = "nn"), allow(dead_code))]

pub mod demo;
#[cfg(feature = "nn")]
pub mod nb201_fashion;
#[cfg(feature = "nn")]
pub mod net_ablation;
pub mod sed_ablation;
#[cfg(feature = "nn")]
pub mod sed_calibrate;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// SHA-256 of a file, hex.
///
/// # Errors
/// [`Error::Io`] or [`Error::NotAFile`] for a file that cannot be read.
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
    let bytes = crate::io::bounded::read(p, crate::io::bounded::BINARY)?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

/// The git revision of the working tree (with `-dirty` when sources differ from it), or "unknown".
///
/// ```
/// let r = sednas::experiments::git_revision();
/// // 40 hex digits, maybe "-dirty"; "unknown" outside a git checkout
/// let hex = r.trim_end_matches("-dirty");
/// assert!(r == "unknown" || (hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit())), "{r}");
/// ```
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

/// Machine facts for meta.json: CPU model, threads, OS and architecture.
///
/// ```
/// let m = sednas::experiments::machine();
/// assert_eq!(m["os"], std::env::consts::OS);
/// assert_eq!(m["arch"], std::env::consts::ARCH);
/// assert!(m["threads"].as_u64().unwrap() >= 1);
/// ```
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

/// Writes `meta.json` for an experiment (atomically): git revision, config, SHA-256 of the
/// data files that exist, wall time, machine, version and `extra`.
///
/// # Errors
/// [`Error::Io`] for a failed write; [`Error::Json`] if the metadata cannot be encoded.
///
/// ```
/// let out = std::env::temp_dir().join(format!("sednas-doc-meta-{}", std::process::id()));
/// std::fs::create_dir_all(&out).unwrap();
/// std::fs::write(out.join("d.txt"), "abc").unwrap();
/// sednas::experiments::write_meta(&out, "demo", &serde_json::json!({"epochs": 1}), &[out.join("d.txt")], 2.5, serde_json::json!({"k": 1})).unwrap();
/// let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("meta.json")).unwrap()).unwrap();
/// assert_eq!((m["experiment"].as_str(), m["wall_seconds"].as_f64(), m["config"]["epochs"].as_u64()), (Some("demo"), Some(2.5), Some(1)));
/// let sum = m["data_sha256"][out.join("d.txt").display().to_string()].as_str().unwrap();
/// assert_eq!(sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// std::fs::remove_dir_all(&out).unwrap();
/// ```
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
    let text = serde_json::to_string_pretty(&meta).map_err(|e| Error::Json {
        what: "meta.json".into(),
        reason: e.to_string(),
    })?;
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
    let text = crate::io::bounded::read_to_string(&p, crate::io::bounded::CONFIG)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Json {
            what: p.display().to_string(),
            reason: e.to_string(),
        })
}

/// A finished run's `result.json` must describe the run its folder was planned for: each
/// `(field, stored, planned)` must agree, and a held-out accuracy must be a fraction in
/// [0, 1] (or NaN: no test images). An edited or misplaced file is an error naming it,
/// before it enters any table.
pub(crate) fn check_cached(
    dir: &Path,
    fields: &[(&str, String, String)],
    test_acc: f64,
) -> Result<()> {
    let p = dir.join("result.json");
    if let Some((f, got, want)) = fields.iter().find(|(_, a, b)| a != b) {
        return Err(Error::param(
            "result.json",
            format!(
                "{}: {f} is {got}, but this folder's run is {want}: the file was edited or moved; delete it to rerun the run",
                p.display()
            ),
        ));
    }
    if !(test_acc.is_nan() || (0.0..=1.0).contains(&test_acc)) {
        return Err(Error::param(
            "result.json",
            format!(
                "{}: test_acc {test_acc} is not a fraction in [0, 1]",
                p.display()
            ),
        ));
    }
    Ok(())
}

/// A finished run's own `config.json` must be the configuration the experiment plans for
/// that run: a run whose file was edited (a changed `lr`, say) or is missing is refused
/// naming the folder and the keys that differ, before it enters any table (`flag` is the
/// flag that reuses it: `--resume` or `--tabulate`). Both sides are read through `T`, so
/// fields added later with defaults compare equal.
pub(crate) fn check_run_config<T>(dir: &Path, planned: &T, flag: &'static str) -> Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let p = dir.join("config.json");
    let text = crate::io::bounded::read_to_string(&p, crate::io::bounded::CONFIG)?;
    let stored: T = serde_json::from_str(&text).map_err(|e| {
        Error::param(
            "config.json",
            format!("{}: {e}; delete the run folder to rerun it", p.display()),
        )
    })?;
    let to_value = |v: &T| {
        serde_json::to_value(v).map_err(|e| Error::Json {
            what: "config.json".into(),
            reason: e.to_string(),
        })
    };
    let keys = crate::io::json_diff_keys(&to_value(&stored)?, &to_value(planned)?);
    if keys.is_empty() {
        return Ok(());
    }
    Err(Error::ConfigMismatch {
        flag,
        dir: dir.display().to_string(),
        keys,
        hint: "the run's own config.json differs from what the experiment plans for it (edited?); delete the run folder to rerun it",
    })
}

/// Writes a run's `result.json` atomically (the marker `--resume` looks for).
pub(crate) fn save_result(dir: &Path, r: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(r).map_err(|e| Error::Json {
        what: "result.json".into(),
        reason: e.to_string(),
    })?;
    crate::io::write_atomic(&dir.join("result.json"), text.as_bytes())
}

/// Mean (NaN-free input expected; 0 for an empty slice).
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Sample standard deviation; `None` for fewer than two values (undefined, not 0).
///
/// ```
/// use sednas::experiments::sd;
/// assert_eq!(sd(&[1.0, 3.0]), Some(2f64.sqrt()));
/// assert_eq!(sd(&[1.0]), None);
/// ```
pub fn sd(v: &[f64]) -> Option<f64> {
    if v.len() < 2 {
        return None;
    }
    let m = mean(v);
    Some((v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
}

/// One layer's local entropy as a run stores it in `result.json`: the mean local H1 under
/// the experiment's binned estimator, the exact zero-H1 window fraction and the mean local
/// H2 (`None` when undefined). Also reads the `[name, h1, zero, h2]` arrays that earlier
/// versions wrote, so their finished runs still resume and tabulate.
///
/// ```
/// use sednas::experiments::LayerSummary;
/// let old: LayerSummary = serde_json::from_str(r#"["stem", 2.5, 0.25, null]"#).unwrap();
/// let new: LayerSummary = serde_json::from_str(
///     r#"{"layer": "stem", "h1_mean": 2.5, "h1_zero_exact": 0.25, "h2_mean": null}"#,
/// ).unwrap();
/// assert_eq!(old, new);
/// assert_eq!(new.h1_zero_exact, 0.25);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LayerSummary {
    /// Layer name (`stem`, `pool`, `conv`, `cell1`, ...).
    pub layer: String,
    /// Mean local H1 (binned estimator of the experiment's config), bits.
    pub h1_mean: f64,
    /// Fraction of exactly constant windows (exact H1 = 0).
    pub h1_zero_exact: f64,
    /// Mean local Gaussian H2 across the measured images, bits (`None` when undefined).
    pub h2_mean: Option<f64>,
}

#[cfg(feature = "nn")]
impl From<&crate::nn::fmap::LayerEntropy> for LayerSummary {
    fn from(l: &crate::nn::fmap::LayerEntropy) -> Self {
        LayerSummary {
            layer: l.layer.clone(),
            h1_mean: l.h1_mean,
            h1_zero_exact: l.h1_exact_zero_fraction,
            h2_mean: l.h2_mean,
        }
    }
}

/// The progress bar of an experiment's trainings (`pos/len trainings`, elapsed, eta and a
/// message), drawn on stderr.
pub(crate) fn progress(len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} trainings ({elapsed}, eta {eta}) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Writes serializable rows as CSV (header from the field names) atomically.
pub(crate) fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|e| Error::Internal {
            what: "csv encoding",
            reason: format!("{}: {e}", path.display()),
        })?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Internal {
        what: "csv encoding",
        reason: e.to_string(),
    })?;
    crate::io::write_atomic(path, &bytes)
}

/// "2 seeds", or "1–2 seeds" when runs finished different numbers of seeds (for captions).
///
/// ```
/// assert_eq!(sednas::experiments::seeds_text([2, 2].into_iter()), "2 seeds");
/// assert_eq!(sednas::experiments::seeds_text([1, 2].into_iter()), "1–2 seeds");
/// ```
pub fn seeds_text(counts: impl Iterator<Item = usize> + Clone) -> String {
    let lo = counts.clone().min().unwrap_or(0);
    let hi = counts.max().unwrap_or(0);
    match (lo == hi, hi) {
        (true, 1) => "1 seed".into(),
        (true, n) => format!("{n} seeds"),
        (false, _) => format!("{lo}–{hi} seeds"),
    }
}

/// The command that runs experiment `name` with `config` into `out`, as a figure's caption
/// names it: `--config` and `--out` only where they are not the defaults
/// (`experiments/NAME/config.toml`, `results/NAME`), then `flag` (`--tabulate`, ...) if any.
///
/// ```
/// use std::path::Path;
/// use sednas::experiments::command;
/// let c = command("net-ablation", Path::new("experiments/net-ablation/config.toml"), Path::new("results/net-ablation"), "");
/// assert_eq!(c, "sednas experiment net-ablation");
/// let c = command("net-ablation", Path::new("experiments/net-ablation/mnist.toml"), Path::new("results/net-ablation-mnist"), "--tabulate");
/// assert_eq!(c, "sednas experiment net-ablation --config experiments/net-ablation/mnist.toml --out results/net-ablation-mnist --tabulate");
/// ```
pub fn command(name: &str, config: &Path, out: &Path, flag: &str) -> String {
    let mut c = format!("sednas experiment {name}");
    if config != Path::new(&format!("experiments/{name}/config.toml")) {
        c.push_str(&format!(" --config {}", config.display()));
    }
    if out != Path::new(&format!("results/{name}")) {
        c.push_str(&format!(" --out {}", out.display()));
    }
    if !flag.is_empty() {
        c.push(' ');
        c.push_str(flag);
    }
    c
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

/// Reads a TOML config file into `T` (unknown keys are errors, where `T` denies them);
/// errors name the file.
///
/// # Errors
/// [`Error::Io`] for a file that cannot be read; [`Error::BadText`] (file, line) for TOML
/// that does not parse or holds an unknown key.
///
/// ```
/// use sednas::experiments::{net_ablation::Config, read_config};
/// let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/net-ablation/smoke.toml");
/// let c: Config = read_config(&p).unwrap();
/// assert_eq!((c.dataset.as_str(), c.width, c.seeds.clone()), ("digits", 4, vec![0, 1]));
/// let bad = std::env::temp_dir().join(format!("sednas-doc-cfg-{}.toml", std::process::id()));
/// std::fs::write(&bad, std::fs::read_to_string(&p).unwrap() + "bogus = 1\n").unwrap();
/// let e = read_config::<Config>(&bad).unwrap_err().to_string();
/// assert!(e.contains("bogus") && e.contains(&*bad.display().to_string()), "{e}");
/// std::fs::remove_file(&bad).unwrap();
/// ```
pub fn read_config<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = crate::io::bounded::read_to_string(path, crate::io::bounded::CONFIG)?;
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
    ///
    /// ```
    /// let mut f = sednas::experiments::Family::default();
    /// f.corr("R1", "x vs y", "-", &[1.0, 2.0, 3.0, 4.0, f64::NAN], &[2.0, 4.0, 6.0, 9.0, 1.0]);
    /// f.corr("R1", "constant", "-", &[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]); // ρ undefined: no row
    /// assert_eq!(f.rows.len(), 1);
    /// assert!((f.rows[0].est.value - 1.0).abs() < 1e-12);
    /// assert_eq!(f.rows[0].est.n, 4);
    /// ```
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

    /// Adds the partial Spearman ρ(x, y | control) over the triples where all three are
    /// finite (no row if it is undefined); see [`crate::eval::stats::partial_spearman_test`].
    ///
    /// ```
    /// let mut f = sednas::experiments::Family::default();
    /// let z = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    /// let x = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0];
    /// let y = [1.0, 3.0, 2.0, 4.0, 5.0, 7.0, 6.0, 8.0];
    /// f.partial("size", "x vs y given z", "-", &x, &y, &z);
    /// assert_eq!((f.rows.len(), f.rows[0].statistic, f.rows[0].est.n), (1, "partial spearman", 8));
    /// ```
    pub fn partial(
        &mut self,
        rule: &str,
        test: &str,
        estimator: &str,
        x: &[f64],
        y: &[f64],
        control: &[f64],
    ) {
        let mut t = (Vec::new(), Vec::new(), Vec::new());
        for ((a, b), c) in x.iter().zip(y).zip(control) {
            if a.is_finite() && b.is_finite() && c.is_finite() {
                t.0.push(*a);
                t.1.push(*b);
                t.2.push(*c);
            }
        }
        if let Some(est) = crate::eval::stats::partial_spearman_test(&t.0, &t.1, &t.2, 0.95) {
            self.push(rule, test, "partial spearman", estimator, est);
        }
    }

    /// Adds the mean of paired differences with its t-interval (no row for < 2 pairs).
    ///
    /// ```
    /// let mut f = sednas::experiments::Family::default();
    /// f.mean("R3", "with − without", "-", &[1.0, 2.0, 3.0]);
    /// f.mean("R3", "one pair", "-", &[1.0]);
    /// assert_eq!(f.rows.len(), 1);
    /// assert_eq!((f.rows[0].est.value, f.rows[0].statistic), (2.0, "mean difference"));
    /// ```
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
    ///
    /// # Formula
    /// Holm: sort the m p-values ascending, p₍ᵢ₎ ↦ max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).
    ///
    /// ```
    /// let mut f = sednas::experiments::Family::default();
    /// f.mean("a", "first", "-", &[1.0, 1.1, 0.9, 1.0]);
    /// f.mean("b", "second", "-", &[0.1, -0.1, 0.2, -0.2]);
    /// let (p1, p2) = (f.rows[0].est.p, f.rows[1].est.p);
    /// let (text, csv) = f.finish("pairs");
    /// // the smaller p is doubled, the larger kept (and never below the first)
    /// assert!(p1 < p2);
    /// assert_eq!((f.rows[0].p_holm, f.rows[1].p_holm), ((2.0 * p1).min(1.0), p2.max(2.0 * p1).min(1.0)));
    /// assert!(text.contains("n = 4 pairs") && text.contains("Holm over the 2 tests"));
    /// assert_eq!(csv.lines().count(), 3);
    /// ```
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
            "  (95% intervals; Spearman: Fisher z with SE 1.03/√(n−3), p from t_(n−2);{} means: t-interval; \
             Holm over the {} tests above; * = Holm p < 0.05)\n",
            if self.rows.iter().any(|r| r.statistic == "partial spearman") {
                " partial Spearman (one control): SE 1.03/√(n−4), p from t_(n−3);"
            } else {
                ""
            },
            self.rows.len()
        ));
        (text, csv)
    }
}

/// How an experiment treats the runs already in its output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Train every planned run, overwriting what is there.
    Fresh,
    /// Train only the planned runs without a `result.json` (`--resume`).
    Resume,
    /// Train nothing: tabulate the finished runs (`--tabulate`).
    Tabulate,
}

impl Mode {
    /// Whether finished runs are reused (`Resume` and `Tabulate`).
    ///
    /// ```
    /// use sednas::experiments::Mode;
    /// assert!(Mode::Tabulate.reuses() && Mode::Resume.reuses() && !Mode::Fresh.reuses());
    /// ```
    pub fn reuses(self) -> bool {
        self != Mode::Fresh
    }

    /// The command-line flag of the mode (`""` for a fresh run).
    fn flag(self) -> &'static str {
        match self {
            Mode::Fresh => "",
            Mode::Resume => "--resume",
            Mode::Tabulate => "--tabulate",
        }
    }
}

/// The configuration a run directory was started with (`experiment-config.json`, written
/// before any run). When `mode` reuses finished runs, a stored configuration must equal
/// `cfg` — otherwise the cached runs would be reused (or tabulated) under settings they were
/// not made with — and a mismatch is an error that names the flag and the keys that differ,
/// before anything is written. A fresh run (re)writes the file.
///
/// # Errors
/// [`Error::ConfigMismatch`] naming the differing keys when `out` was made under another
/// configuration; [`Error::Io`] / [`Error::Json`] for a stored configuration that cannot be
/// read.
///
/// ```
/// use sednas::experiments::{check_config, Mode};
/// let out = std::env::temp_dir().join(format!("sednas-doc-cc-{}", std::process::id()));
/// check_config(&out, &serde_json::json!({"epochs": 1}), Mode::Fresh).unwrap();
/// check_config(&out, &serde_json::json!({"epochs": 1}), Mode::Tabulate).unwrap();
/// let e = check_config(&out, &serde_json::json!({"epochs": 2}), Mode::Tabulate).unwrap_err();
/// assert!(e.to_string().contains("--tabulate") && e.to_string().contains("epochs"), "{e}");
/// assert!(matches!(e, sednas::error::Error::ConfigMismatch { flag: "--tabulate", .. }));
/// std::fs::remove_dir_all(&out).unwrap();
/// ```
pub fn check_config<T: serde::Serialize>(out: &Path, cfg: &T, mode: Mode) -> Result<()> {
    let now = serde_json::to_value(cfg).map_err(|e| Error::Json {
        what: "the experiment configuration".into(),
        reason: e.to_string(),
    })?;
    let p = out.join("experiment-config.json");
    if mode.reuses() && p.is_file() {
        let old = stored_config(&p)?;
        if old != now {
            return Err(Error::ConfigMismatch {
                flag: mode.flag(),
                dir: out.display().to_string(),
                keys: crate::io::json_diff_keys(&old, &now),
                hint: match mode {
                    Mode::Tabulate => {
                        "its runs cannot be tabulated under this one; pass the config it was started with"
                    }
                    _ => "rerun without --resume or use another --out",
                },
            });
        }
        return Ok(());
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let text = serde_json::to_string_pretty(&now).map_err(|e| Error::Json {
        what: "the experiment configuration".into(),
        reason: e.to_string(),
    })?;
    crate::io::write_atomic(&p, text.as_bytes())
}

/// The experiment configuration stored in `p` (`experiment-config.json`).
fn stored_config(p: &Path) -> Result<serde_json::Value> {
    let text = crate::io::bounded::read_to_string(p, crate::io::bounded::CONFIG)?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        what: p.display().to_string(),
        reason: e.to_string(),
    })
}

/// For `--replot` (figures redrawn from the tables in `out`, nothing trained or tabulated):
/// `out` must hold the `experiment-config.json` its tables were made under, equal to
/// `cfg`; a mismatch names the keys that differ, a missing file says so. Nothing is written.
///
/// # Errors
/// As [`check_config`]; [`Error::InvalidParameter`] (`--replot`) when `out` holds no stored
/// configuration.
///
/// ```
/// use sednas::experiments::{check_config, check_replot_config, Mode};
/// let out = std::env::temp_dir().join(format!("sednas-doc-crc-{}", std::process::id()));
/// let e = check_replot_config(&out, &serde_json::json!({"epochs": 1})).unwrap_err();
/// assert!(e.to_string().contains("experiment-config.json"), "{e}");
/// check_config(&out, &serde_json::json!({"epochs": 1}), Mode::Fresh).unwrap();
/// check_replot_config(&out, &serde_json::json!({"epochs": 1})).unwrap();
/// let e = check_replot_config(&out, &serde_json::json!({"epochs": 2})).unwrap_err();
/// assert!(matches!(e, sednas::error::Error::ConfigMismatch { flag: "--replot", .. }));
/// std::fs::remove_dir_all(&out).unwrap();
/// ```
pub fn check_replot_config<T: serde::Serialize>(out: &Path, cfg: &T) -> Result<()> {
    let now = serde_json::to_value(cfg).map_err(|e| Error::Json {
        what: "the experiment configuration".into(),
        reason: e.to_string(),
    })?;
    let p = out.join("experiment-config.json");
    if !p.is_file() {
        return Err(Error::param(
            "--replot",
            format!(
                "{} is missing: the settings the tables were made under are unknown",
                p.display()
            ),
        ));
    }
    let old = stored_config(&p)?;
    if old != now {
        return Err(Error::ConfigMismatch {
            flag: "--replot",
            dir: out.display().to_string(),
            keys: crate::io::json_diff_keys(&old, &now),
            hint: "its tables cannot be redrawn under this one; pass the config they were made with",
        });
    }
    Ok(())
}

/// Reads a table an experiment wrote ([`write_csv`]) back into rows; errors name the file
/// and the line.
pub(crate) fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let name = path.display().to_string();
    let mut rd = csv::Reader::from_reader(crate::io::bounded::open(path, crate::io::bounded::CSV)?);
    rd.deserialize()
        .enumerate()
        .map(|(i, r)| {
            r.map_err(|e| {
                crate::io::bounded::from_csv(&e).unwrap_or_else(|| Error::Csv {
                    path: name.clone(),
                    line: i as u64 + 2,
                    reason: e.to_string(),
                })
            })
        })
        .collect()
}

/// Opens a training experiment's output folder for `mode`: under [`Mode::Tabulate`] it must
/// already hold `runs/`; the stored configuration is checked ([`check_config`]); then
/// `runs/` is made. Nothing is written when a check fails.
pub(crate) fn open_run_folder<T: serde::Serialize>(out: &Path, cfg: &T, mode: Mode) -> Result<()> {
    let runs = out.join("runs");
    if mode == Mode::Tabulate && !runs.is_dir() {
        return Err(Error::param(
            "tabulate",
            format!(
                "{} holds no runs to tabulate (no runs/ folder of finished runs)",
                out.display()
            ),
        ));
    }
    // finished runs without the configuration that made them cannot be reused or tabulated
    let has_runs = std::fs::read_dir(&runs).is_ok_and(|mut d| d.next().is_some());
    if mode.reuses() && has_runs && !out.join("experiment-config.json").is_file() {
        return Err(Error::param(
            mode.flag(),
            format!(
                "{} holds runs but no experiment-config.json: the settings that made them are unknown; rerun without {} or use another --out",
                out.display(),
                mode.flag()
            ),
        ));
    }
    check_config(out, cfg, mode)?;
    std::fs::create_dir_all(out.join("runs")).map_err(|e| Error::io(out, e))
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
