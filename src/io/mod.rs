//! File formats: `.npy` arrays, PNG images (read, and heatmaps written), atomic writes.

pub mod bounded;
pub mod columns;
pub mod npy;
pub mod png;
pub mod shard;
pub mod staged;
pub mod text;

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename.
///
/// # Errors
/// [`Error::Io`] naming `path` (never the temporary file, which is removed) when it cannot
/// be written or renamed into place.
///
/// ```
/// let dir = std::env::temp_dir().join("sednas-doc-atomic");
/// std::fs::create_dir_all(&dir).unwrap();
/// let p = dir.join("x.txt");
/// sednas::io::write_atomic(&p, b"hello").unwrap();
/// assert_eq!(std::fs::read(&p).unwrap(), b"hello");
/// // a write that fails (the target is a folder) names the user's path and leaves no
/// // temporary file behind
/// let dir = std::env::temp_dir().join(format!("sednas-doc-atomic-dir-{}", std::process::id()));
/// let target = dir.join("out.csv");
/// std::fs::create_dir_all(&target).unwrap();
/// let e = sednas::io::write_atomic(&target, b"x").unwrap_err().to_string();
/// assert!(e.starts_with(&*target.display().to_string()) && !e.contains(".tmp"), "{e}");
/// let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
/// assert_eq!(left, ["out.csv"]);
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    // errors name the user's path; the temporary file never outlives a failure
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// The keys (dotted paths through nested objects) whose values differ between two JSON
/// configurations, sorted: what a refused `--resume` names.
///
/// ```
/// use serde_json::json;
/// let a = json!({"net": {"width": 8, "cells": 1}, "seed": 0});
/// let b = json!({"net": {"width": 16, "cells": 1}, "seed": 0, "lr": 0.1});
/// assert_eq!(sednas::io::json_diff_keys(&a, &b), vec!["lr", "net.width"]);
/// ```
pub fn json_diff_keys(old: &serde_json::Value, new: &serde_json::Value) -> Vec<String> {
    fn walk(p: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
        match (a.as_object(), b.as_object()) {
            (Some(x), Some(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let q = if p.is_empty() {
                        k.clone()
                    } else {
                        format!("{p}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => walk(&q, u, v, out),
                        _ => out.push(q),
                    }
                }
            }
            _ if a != b => out.push(p.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}
