//! Shared helpers for tests that read `../shared/data` (or `$SEDNAS_DATA`).
#![allow(dead_code)]

use std::path::PathBuf;

/// The data folder: `$SEDNAS_DATA`, else `../shared/data` beside the repository.
pub fn data_dir() -> PathBuf {
    std::env::var_os("SEDNAS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")))
}

/// Path of a data file, or `None` (test skipped, with a message) when it is missing.
/// In CI (`CI=true`) a missing file fails the test loudly instead.
pub fn data_file(name: &str) -> Option<PathBuf> {
    let p = data_dir().join(name);
    if p.is_file() {
        return Some(p);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "CI=true but the benchmark data file {} is missing (set SEDNAS_DATA or provide ../shared/data)",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: {} not found (set SEDNAS_DATA to the folder with the NAS benchmark CSVs); this test did not run",
        p.display()
    );
    None
}
