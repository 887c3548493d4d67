//! Python bindings of sednas: conversion and calls only; every number comes from the
//! `sednas` library (built without burn). Long calls release the GIL (`Python::detach`).

use ndarray::{ArrayViewD, Axis};
use numpy::{IntoPyArray, PyArrayDyn, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rayon::prelude::*;

use sednas_core::arch::{AnyArch, Census, SpaceKind, nb101::Nb101Arch};
use sednas_core::entropy::local::{Estimator, local_entropy as core_local_entropy};
use sednas_core::entropy::{H1Estimator, H2Options, LocalH2};
use sednas_core::eval::{competition_ranks_desc, evaluate as evaluate_core};
use sednas_core::propositions::{VerifyOptions, verify_all};
use sednas_core::sed::ledflow::{LedFlow, LedFlowConfig};
use sednas_core::sed::ledp::{Ledp, LedpConfig};
use sednas_core::sed::{Sed, SedConfig};
use sednas_core::window::{Border, Kernel, Stride, WindowSpec};

fn val_err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// serde_json value → Python object (dicts, lists, floats, ints, str, None).
fn to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        serde_json::Value::Null => py.None().into_bound(py),
        serde_json::Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        serde_json::Value::String(s) => s.into_pyobject(py)?.into_any(),
        serde_json::Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(to_py(py, x)?)?;
            }
            l.into_any()
        }
        serde_json::Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Kernel or stride sizes in array axis order (h, w[, c]) → sednas's (w, h, c).
fn sizes(v: &[usize], what: &str, default_c: usize) -> PyResult<(usize, usize, usize)> {
    match v {
        [h, w] => Ok((*w, *h, default_c)),
        [h, w, c] => Ok((*w, *h, *c)),
        _ => Err(PyValueError::new_err(format!(
            "{what} must have 2 or 3 entries (h, w[, c]) in array axis order, got {}",
            v.len()
        ))),
    }
}

fn spec(
    kernel: Option<Vec<usize>>,
    stride: Option<Vec<usize>>,
    border: &str,
) -> PyResult<WindowSpec> {
    let k = kernel.unwrap_or_else(|| vec![3, 3]);
    let s = stride.unwrap_or_else(|| vec![1; k.len()]);
    let (kw, kh, kc) = sizes(&k, "kernel", 1)?;
    let (sw, sh, sc) = sizes(&s, "stride", 1)?;
    let border: Border = border.parse().map_err(val_err)?;
    Ok(WindowSpec::new(
        Kernel::new(kw, kh, kc).map_err(val_err)?,
        Stride::new(sw, sh, sc).map_err(val_err)?,
        border,
    ))
}

/// The library's one entry point, [`sednas_core::entropy::local_entropy`], on a numpy array
/// of any rank (it checks the rank for the estimator), with the GIL released.
fn local_view<T: sednas_core::entropy::MapValue + Sync>(
    py: Python<'_>,
    x: ArrayViewD<'_, T>,
    spec: &WindowSpec,
    est: &Estimator,
) -> PyResult<LocalH2> {
    py.detach(|| core_local_entropy(x, spec, est))
        .map_err(val_err)
}

/// Local one-dimensional entropy H1 (bits) of a 2-D (h×w) or 3-D (h×w×c) map.
#[pyfunction]
#[pyo3(signature = (x, kernel=None, stride=None, border="crop", estimator="exact"))]
fn local_entropy<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    kernel: Option<Vec<usize>>,
    stride: Option<Vec<usize>>,
    border: &str,
    estimator: &str,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let est: H1Estimator = estimator.parse().map_err(val_err)?;
    let est = Estimator::H1(est);
    let spec = spec(kernel, stride, border)?;
    macro_rules! run {
        ($t:ty) => {
            if let Ok(a) = x.extract::<PyReadonlyArrayDyn<'py, $t>>() {
                let v = a.as_array();
                let two_d = v.ndim() == 2;
                let out = local_view(py, v, &spec, &est)?.values;
                // a 2-D map gives a 2-D result (the library returns h×w×1)
                let out = if two_d {
                    out.index_axis_move(Axis(2), 0).into_dyn()
                } else {
                    out.into_dyn()
                };
                return Ok(out.into_pyarray(py));
            }
        };
    }
    run!(u8);
    run!(f32);
    run!(f64);
    Err(dtype_error(x))
}

fn dtype_error(x: &Bound<'_, PyAny>) -> PyErr {
    let dt = x
        .getattr("dtype")
        .map(|d| d.to_string())
        .unwrap_or_else(|_| x.get_type().to_string());
    PyTypeError::new_err(format!(
        "expected a numpy array of uint8, float32 or float64, got {dt}"
    ))
}

/// The H2 map and its singular mask.
type H2Pair<'py> = (Bound<'py, PyArrayDyn<f64>>, Bound<'py, PyArrayDyn<bool>>);

/// Local multivariate-Gaussian entropy H2 (bits) over a batch N×H×W×C.
#[pyfunction]
#[pyo3(signature = (batch, kernel=None, stride=None, border="crop", ridge=None))]
fn gaussian_local_entropy<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    kernel: Option<Vec<usize>>,
    stride: Option<Vec<usize>>,
    border: &str,
    ridge: Option<f64>,
) -> PyResult<H2Pair<'py>> {
    let spec = spec(
        Some(kernel.unwrap_or_else(|| vec![3, 3, 1])),
        stride,
        border,
    )?;
    let opts = match ridge {
        Some(e) => H2Options::new().with_ridge(e).map_err(val_err)?,
        None => H2Options::new(),
    };
    let est = Estimator::Gaussian(opts);
    macro_rules! run {
        ($t:ty) => {
            if let Ok(a) = batch.extract::<PyReadonlyArrayDyn<'py, $t>>() {
                let r = local_view(py, a.as_array(), &spec, &est)?;
                let mask = r.values.mapv(|h| h == f64::NEG_INFINITY);
                return Ok((
                    r.values.into_dyn().into_pyarray(py),
                    mask.into_dyn().into_pyarray(py),
                ));
            }
        };
    }
    run!(u8);
    run!(f32);
    run!(f64);
    Err(dtype_error(batch))
}

const SED_KEYS: [&str; 10] = [
    "comparison",
    "none_in_opt",
    "kernel_count",
    "missing_constant",
    "o1_source",
    "precision",
    "squash",
    "use_skip",
    "use_conv",
    "use_pool",
];

/// SED configuration from keyword switches: SedConfig fields at the top level, the
/// network's (CensusOptions) fields such as `block` under `network`.
fn sed_config(py: Python<'_>, switches: Option<&Bound<'_, PyDict>>) -> PyResult<SedConfig> {
    let mut top = serde_json::Map::new();
    let mut net = serde_json::Map::new();
    if let Some(d) = switches {
        let json = py.import("json")?;
        for (k, v) in d.iter() {
            let key: String = k.extract()?;
            let text: String = json.call_method1("dumps", (v,))?.extract()?;
            let value: serde_json::Value = serde_json::from_str(&text).map_err(val_err)?;
            if SED_KEYS.contains(&key.as_str()) {
                top.insert(key, value);
            } else {
                net.insert(key, value);
            }
        }
    }
    if !net.is_empty() {
        top.insert("network".into(), serde_json::Value::Object(net));
    }
    serde_json::from_value(serde_json::Value::Object(top))
        .map_err(|e| PyValueError::new_err(format!("SED switches: {e}")))
}

/// `Sed::new` precomputes its sigmoid tables (about 0.1 ms): keep the last scorer built, so
/// that many small `score` calls with the same switches pay for it once.
fn cached_sed(cfg: SedConfig) -> PyResult<Sed> {
    static LAST: std::sync::Mutex<Option<(SedConfig, Sed)>> = std::sync::Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((c, s)) = last.as_ref()
        && *c == cfg
    {
        return Ok(s.clone());
    }
    let s = Sed::new(cfg).map_err(val_err)?;
    *last = Some((cfg, s.clone()));
    Ok(s)
}

/// One architecture's text from a Python item (a string, or an NB101 (matrix, ops) pair).
fn arch_text(item: &Bound<'_, PyAny>, space: SpaceKind, i: usize) -> PyResult<String> {
    if let Ok(s) = item.extract::<String>() {
        return Ok(s);
    }
    if space == SpaceKind::Nb101
        && let Ok(t) = item.cast::<PyTuple>()
        && t.len() == 2
    {
        let m: String = t.get_item(0)?.extract()?;
        let ops: Vec<String> = match t.get_item(1)?.extract::<Vec<String>>() {
            Ok(v) => v,
            Err(_) => t
                .get_item(1)?
                .extract::<String>()?
                .split(',')
                .map(str::to_string)
                .collect(),
        };
        let refs: Vec<&str> = ops.iter().map(String::as_str).collect();
        return Nb101Arch::from_parts(&m, &refs)
            .map(|a| a.to_string())
            .map_err(|e| PyValueError::new_err(format!("architecture {i}: {e}")));
    }
    Err(PyTypeError::new_err(format!(
        "architecture {i}: expected a string{}, got {}",
        if space == SpaceKind::Nb101 {
            " or an NB101 (matrix, ops) pair"
        } else {
            ""
        },
        item.get_type()
    )))
}

/// Scores of architectures under a proxy (sed, led-flow, ledp, params).
#[pyfunction]
#[pyo3(signature = (archs, space="nb201", proxy="sed", led_skip_gain=0.75, **switches))]
fn score<'py>(
    py: Python<'py>,
    archs: &Bound<'py, PyAny>,
    space: &str,
    proxy: &str,
    led_skip_gain: f64,
    switches: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let space: SpaceKind = space.parse().map_err(val_err)?;
    let cfg = sed_config(py, switches)?;
    let sed = cached_sed(cfg)?;
    let texts: Vec<String> = archs
        .try_iter()?
        .enumerate()
        .map(|(i, it)| arch_text(&it?, space, i))
        .collect::<PyResult<_>>()?;
    enum P {
        Sed,
        Led(LedFlow),
        Ledp(Ledp),
        Params,
    }
    let led_cfg = LedFlowConfig {
        skip_gain: led_skip_gain,
        network: *sed.census_options(),
    };
    let p = match proxy {
        "sed" => P::Sed,
        "led-flow" | "led_flow" => P::Led(LedFlow::new(led_cfg).map_err(val_err)?),
        "ledp" => {
            let mut c = LedpConfig::for_space(space).map_err(val_err)?;
            c.led = led_cfg;
            P::Ledp(Ledp::new(c).map_err(val_err)?)
        }
        "params" => {
            if space == SpaceKind::NatsSss {
                return Err(PyValueError::new_err(
                    "proxy 'params': no parameter count is implemented for nats-sss",
                ));
            }
            P::Params
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown proxy {other:?}: expected sed, led-flow, ledp or params"
            )));
        }
    };
    let one = |(census, graphs): &mut (Census, Vec<_>), (i, t): (usize, &String)| {
        let a = AnyArch::parse(space, t.trim()).map_err(|e| format!("architecture {i}: {e}"))?;
        Ok(match &p {
            P::Sed => sed.score(&a, census),
            P::Led(l) => l.score(&a, graphs),
            P::Ledp(l) => l.score(&a, graphs),
            P::Params => a.params().map_or(f64::NAN, |x| x as f64),
        })
    };
    let out: Result<Vec<f64>, String> = py.detach(|| {
        // a thread pool costs more than it saves below a few thousand cells
        if texts.len() < 4096 {
            let mut scratch = (Census::default(), Vec::new());
            texts
                .iter()
                .enumerate()
                .map(|x| one(&mut scratch, x))
                .collect()
        } else {
            texts
                .par_iter()
                .enumerate()
                .with_min_len(1024)
                .map_init(|| (Census::default(), Vec::new()), one)
                .collect()
        }
    });
    let v = out.map_err(PyValueError::new_err)?;
    Ok(ndarray::Array1::from(v).into_dyn().into_pyarray(py))
}

/// Spearman, Kendall τ-b and tie-aware selection of a proxy against accuracies.
#[pyfunction]
#[pyo3(signature = (proxy_values, accuracies, name="proxy"))]
fn evaluate<'py>(
    py: Python<'py>,
    proxy_values: PyReadonlyArrayDyn<'py, f64>,
    accuracies: PyReadonlyArrayDyn<'py, f64>,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let p = proxy_values.as_array();
    let a = accuracies.as_array();
    if p.ndim() != 1 || a.ndim() != 1 || p.len() != a.len() {
        return Err(PyValueError::new_err(format!(
            "proxy_values and accuracies must be 1-D of equal length, got shapes {:?} and {:?}",
            proxy_values.shape(),
            accuracies.shape()
        )));
    }
    if let Some((i, x)) = a.iter().enumerate().find(|(_, x)| x.is_infinite()) {
        return Err(PyValueError::new_err(format!(
            "accuracy {x} at index {i} is infinite (NaN marks a missing value)"
        )));
    }
    let p: Vec<f64> = p.iter().copied().collect();
    let a: Vec<f64> = a.iter().copied().collect();
    let r = py.detach(|| {
        let ranks = competition_ranks_desc(&a);
        evaluate_core(name, &p, &a, &ranks)
    });
    let v = serde_json::to_value(&r).map_err(val_err)?;
    to_py(py, &v)
}

/// The five propositions' verdicts with their evidence.
#[pyfunction]
#[pyo3(signature = (thorough=false, seed=20241109))]
fn verify<'py>(py: Python<'py>, thorough: bool, seed: u64) -> PyResult<Bound<'py, PyAny>> {
    let reports = py
        .detach(|| verify_all(&VerifyOptions { thorough, seed }))
        .map_err(val_err)?;
    let v = serde_json::to_value(&reports).map_err(val_err)?;
    to_py(py, &v)
}

#[pymodule]
fn _sednas(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(local_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_local_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
