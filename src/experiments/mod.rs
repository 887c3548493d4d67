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

/// Spearman ρ with a 95% interval from the Fisher transform (SE = 1.03/√(n−3), the
/// Fieller–Hartley–Pearson correction for rank correlations).
///
/// ```
/// let (r, lo, hi) = sednas::experiments::spearman_ci(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 3.0, 2.0, 5.0, 4.0]).unwrap();
/// assert!(lo < r && r < hi);
/// ```
pub fn spearman_ci(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let r = crate::eval::spearman(x, y)?;
    let n = x.len() as f64;
    if n < 4.0 {
        return Some((r, -1.0, 1.0));
    }
    let z = r.clamp(-0.999_999, 0.999_999).atanh();
    let se = 1.03 / (n - 3.0).sqrt();
    Some((r, (z - 1.96 * se).tanh(), (z + 1.96 * se).tanh()))
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
