//! `sednas entropy FILE`'s work: the local entropy of a map read from a `.npy` or PNG
//! file, its JSON report, and the map encoded as `.npy`, `.csv` or `.json`.

use std::path::Path;

use ndarray::{Array3, Axis};

use super::{Estimator, H2Options, local_entropy, summarize};
use crate::error::{Error, Result};
use crate::io::npy::{NpyArray, read_npy, to_npy_bytes};
use crate::io::png::{AlphaPolicy, read_png_alpha};
use crate::window::WindowSpec;

/// A path's extension, lower-cased ("" without one).
///
/// ```
/// assert_eq!(sednas::entropy::file::lower_ext(std::path::Path::new("a/B.PNG")), "png");
/// ```
pub fn lower_ext(p: &Path) -> String {
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads a map: `.npy` (u8, f32 or f64) or an 8-bit PNG (`alpha`: what to do with an alpha
/// channel; PNG only).
///
/// # Errors
/// [`Error::InvalidParameter`] for `--alpha` with `.npy` input or another extension; the
/// readers' errors (named file).
pub fn load_map(path: &Path, alpha: Option<AlphaPolicy>) -> Result<NpyArray> {
    match lower_ext(path).as_str() {
        "npy" if alpha.is_some() => Err(Error::param("--alpha", "applies to PNG input only")),
        "npy" => read_npy(path),
        "png" => Ok(NpyArray::U8(
            read_png_alpha(path, alpha.unwrap_or_default())?.into_dyn(),
        )),
        _ => Err(Error::param(
            "FILE",
            format!(
                "{}: unknown input format (expected .npy or .png)",
                path.display()
            ),
        )),
    }
}

/// The estimator of `text` (`exact`, `binned:N`, `binned:N:LO:HI`, `gaussian`) with the
/// ridge ε for `gaussian`.
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown estimator or a ridge with an H1 estimator;
/// the ridge's own check.
///
/// ```
/// use sednas::entropy::file::estimator;
/// assert!(estimator("gaussian", Some(1e-6)).is_ok());
/// assert!(estimator("exact", Some(1e-6)).is_err());
/// assert!(estimator("fancy", None).unwrap_err().to_string().contains("unknown estimator"));
/// ```
pub fn estimator(text: &str, ridge: Option<f64>) -> Result<Estimator> {
    let mut est: Estimator = text.parse().map_err(|e| match e {
        Error::BadSpec { .. } => Error::param(
            "--estimator",
            format!(
                "unknown estimator {text:?}: expected exact, binned:N, binned:N:LO:HI or gaussian"
            ),
        ),
        e => e,
    })?;
    match (&mut est, ridge) {
        (Estimator::Gaussian(opts), Some(eps)) => *opts = H2Options::new().with_ridge(eps)?,
        (Estimator::H1(_), Some(_)) => {
            return Err(Error::param(
                "--ridge",
                "applies only to --estimator gaussian",
            ));
        }
        _ => {}
    }
    Ok(est)
}

/// A map's local entropy with its report.
#[derive(Debug, Clone)]
pub struct FileEntropy {
    /// The local-entropy map (h×w×c windows; bits).
    pub values: Array3<f64>,
    /// Whether the input was a 2-D map (its `.npy` output is then 2-D).
    pub two_d: bool,
    /// The JSON report: file, shapes, dtype, estimator, window, units and summary (plus
    /// ridge, samples and singular windows for `gaussian`).
    pub report: serde_json::Value,
}

/// The local entropy of the map in `path` under `spec` and the estimator of `est_text`.
///
/// # Errors
/// As [`load_map`] and [`estimator`]; the estimator's errors, prefixed with the file.
pub fn entropy_of_file(
    path: &Path,
    spec: &WindowSpec,
    est_text: &str,
    ridge: Option<f64>,
    alpha: Option<AlphaPolicy>,
) -> Result<FileEntropy> {
    let est = estimator(est_text, ridge)?;
    let input = load_map(path, alpha)?;
    let in_shape = input.shape().to_vec();
    let r = match &input {
        NpyArray::U8(x) => local_entropy(x.view(), spec, &est),
        NpyArray::F32(x) => local_entropy(x.view(), spec, &est),
        NpyArray::F64(x) => local_entropy(x.view(), spec, &est),
    }
    .map_err(|e| Error::InFile {
        path: path.display().to_string(),
        error: Box::new(e),
    })?;
    let summary = summarize(r.values.view());
    let mut report = serde_json::json!({
        "file": path.display().to_string(),
        "input_shape": in_shape,
        "dtype": input.dtype(),
        "estimator": est_text,
        "kernel": spec.kernel.to_string(),
        "stride": spec.stride.to_string(),
        "border": spec.border.to_string(),
        "units": "bits",
        "output_shape": r.values.shape(),
        "summary": summary,
    });
    if let (Estimator::Gaussian(_), Some(m)) = (&est, report.as_object_mut()) {
        m.insert("ridge".into(), serde_json::json!(r.ridge));
        m.insert("samples".into(), serde_json::json!(r.samples));
        m.insert(
            "singular_windows".into(),
            serde_json::json!(r.singular.len()),
        );
        if let Some((idx, reason)) = r.singular.first() {
            m.insert(
                "first_singular".into(),
                serde_json::json!({"window": idx, "why": reason}),
            );
        }
    }
    Ok(FileEntropy {
        values: r.values,
        two_d: in_shape.len() == 2,
        report,
    })
}

impl FileEntropy {
    /// The bytes of `--out` by its extension: `.npy` (float64 map, 2-D for a 2-D input),
    /// `.csv` (`row,col,chan,entropy_bits`, one row per window) or `.json` (the report).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`--out`) for another extension; [`Error::Json`] naming
    /// `out` for a report that does not encode.
    pub fn encode(&self, out: &Path) -> Result<Vec<u8>> {
        use std::fmt::Write as _;
        Ok(match lower_ext(out).as_str() {
            "npy" => {
                let arr = if self.two_d {
                    self.values.index_axis(Axis(2), 0).to_owned().into_dyn()
                } else {
                    self.values.clone().into_dyn()
                };
                to_npy_bytes(&arr)
            }
            "csv" => {
                let mut s = String::from("row,col,chan,entropy_bits\n");
                for ((i, j, l), v) in self.values.indexed_iter() {
                    let _ = writeln!(s, "{i},{j},{l},{v}");
                }
                s.into_bytes()
            }
            "json" => serde_json::to_vec_pretty(&self.report).map_err(|e| Error::Json {
                what: out.display().to_string(),
                reason: e.to_string(),
            })?,
            _ => return Err(unknown_out(out)),
        })
    }
}

fn unknown_out(out: &Path) -> Error {
    Error::param(
        "--out",
        format!(
            "{}: unknown output format (expected .npy, .csv or .json)",
            out.display()
        ),
    )
}

/// Checks `--out`'s extension before any work.
///
/// # Errors
/// [`Error::InvalidParameter`] (`--out`) unless it ends in `.npy`, `.csv` or `.json`.
pub fn check_out(out: &Path) -> Result<()> {
    match lower_ext(out).as_str() {
        "npy" | "csv" | "json" => Ok(()),
        _ => Err(unknown_out(out)),
    }
}
