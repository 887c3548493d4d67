//! Python bindings of sednas: conversion and calls only; every number comes from the
//! `sednas` library (built without burn). Long calls release the GIL (`Python::detach`).

use ndarray::{ArrayViewD, Axis, Ix4};
use numpy::{
    IntoPyArray, PyArrayDescrMethods, PyArrayDyn, PyReadonlyArrayDyn, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};
use rayon::prelude::*;

use sednas_core::arch::{AnyArch, CensusParams, SpaceKind, nb101::Nb101Arch};
use sednas_core::entropy::local::{Estimator, local_entropy as core_local_entropy};
use sednas_core::entropy::profile::{
    MapFigures, MapMeasure, ProfileOptions, SUMMARIES, profile_map as core_profile_map,
    summaries as core_summaries,
};
use sednas_core::entropy::{H1Estimator, H2Options, LocalH2};
use sednas_core::error::Error;
use sednas_core::eval::benchmark::{
    expected_hits as benchmark_expected_hits, half_of, top_percent as benchmark_top_percent,
};
use sednas_core::eval::{competition_ranks_desc, evaluate as evaluate_core};
use sednas_core::propositions::{VerifyOptions, verify_all};
use sednas_core::sed::{Sed, SedConfig};
use sednas_core::window::{Border, Kernel, Stride, WindowSpec};

/// A message on one line: control characters (a newline inside an echoed input, say) are
/// written as escapes.
fn one_line(s: &str) -> String {
    if !s.contains(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn value_error(msg: impl AsRef<str>) -> PyErr {
    PyValueError::new_err(one_line(msg.as_ref()))
}

fn type_error(msg: impl AsRef<str>) -> PyErr {
    PyTypeError::new_err(one_line(msg.as_ref()))
}

/// A library error as a Python exception carrying its message: work the library refuses as
/// too large (`TooLarge`, `KernelTooLarge`: refused before allocating) is `MemoryError`,
/// every other refusal `ValueError`.
fn lib_err(e: Error) -> PyErr {
    lib_err_in("", e)
}

/// [`lib_err`] with the message prefixed by what it concerns (`"architecture 3: "`).
fn lib_err_in(prefix: &str, e: Error) -> PyErr {
    let msg = one_line(&format!("{prefix}{e}"));
    match e {
        Error::TooLarge { .. } | Error::KernelTooLarge { .. } | Error::OutOfMemory { .. } => {
            PyMemoryError::new_err(msg)
        }
        _ => PyValueError::new_err(msg),
    }
}

/// The name of an object's type, for messages (`int`, `numpy.ndarray`).
fn type_name(x: &Bound<'_, PyAny>) -> String {
    let t = x.get_type();
    match (t.module(), t.qualname()) {
        (Ok(m), Ok(q)) if m.to_cow().is_ok_and(|m| m != "builtins") => format!("{m}.{q}"),
        (_, Ok(q)) => q.to_string(),
        _ => t.to_string(),
    }
}

/// A Python `str` argument as Rust text. A lone surrogate (which UTF-8 cannot carry) is a
/// `ValueError` naming the argument and the character position; anything but a `str` is a
/// `TypeError`.
fn text(x: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let Ok(s) = x.cast::<PyString>() else {
        return Err(type_error(format!(
            "{what}: expected a string, got {}",
            type_name(x)
        )));
    };
    if let Ok(t) = s.to_cow() {
        return Ok(t.into_owned());
    }
    // UTF-32 with surrogatepass: one 4-byte unit per character, so the index is the
    // position Python's s[i] uses
    let raw = s.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let raw = raw.cast::<PyBytes>()?.as_bytes();
    let found = raw
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .enumerate()
        .find(|(_, c)| (0xD800..=0xDFFF).contains(c));
    Err(value_error(match found {
        Some((i, c)) => format!(
            "{what}: the string is not valid UTF-8: lone surrogate U+{c:04X} at position {i}"
        ),
        None => format!("{what}: the string is not valid UTF-8"),
    }))
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

/// One size of a kernel or stride tuple: a Python int (or numpy integer), not a bool.
fn size_entry(e: &Bound<'_, PyAny>, what: &str, i: usize) -> PyResult<usize> {
    let py = e.py();
    if e.is_instance_of::<PyBool>() || type_name(e).starts_with("numpy.bool") {
        return Err(type_error(format!(
            "{what}[{i}]: expected an int, got a bool"
        )));
    }
    let n = py
        .import("operator")?
        .call_method1("index", (e,))
        .map_err(|_| {
            type_error(format!(
                "{what}[{i}]: expected an int, got {}",
                type_name(e)
            ))
        })?;
    if n.lt(0)? {
        return Err(value_error(format!(
            "{what}[{i}] is negative ({}); sizes are at least 1",
            n.extract::<i64>()
                .map_or("below -2^63".into(), |v| v.to_string())
        )));
    }
    n.extract::<usize>().map_err(|_| {
        let msg = format!("{what}[{i}] is more than 2^64 - 1");
        if what == "kernel" {
            PyMemoryError::new_err(format!(
                "{msg}, past the limit of {} entries per window; refused before allocating",
                sednas_core::window::MAX_KERNEL_ENTRIES
            ))
        } else {
            value_error(msg)
        }
    })
}

/// Kernel or stride sizes in array axis order (h, w[, c]); `None` takes the default.
fn sizes_arg(x: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Vec<usize>>> {
    let Some(x) = x.filter(|x| !x.is_none()) else {
        return Ok(None);
    };
    let need = "2 or 3 ints (h, w[, c]) in array axis order";
    let not_a_tuple = || type_error(format!("{what}: expected {need}, got {}", type_name(x)));
    if x.is_instance_of::<PyString>()
        || x.is_instance_of::<PyBytes>()
        || x.is_instance_of::<PyDict>()
    {
        return Err(not_a_tuple());
    }
    let mut v = Vec::with_capacity(3);
    // at most 4 items are read, so an endless iterator cannot hang the call
    for (i, e) in x.try_iter().map_err(|_| not_a_tuple())?.enumerate() {
        if i == 3 {
            return Err(value_error(format!(
                "{what} must have {need}, got more than 3 entries"
            )));
        }
        v.push(size_entry(&e?, what, i)?);
    }
    if v.len() < 2 {
        return Err(value_error(format!(
            "{what} must have {need}, got {} entries",
            v.len()
        )));
    }
    Ok(Some(v))
}

/// Kernel or stride sizes in array axis order (h, w[, c]) → sednas's (w, h, c).
fn sizes(v: &[usize], default_c: usize) -> (usize, usize, usize) {
    match v {
        [h, w] => (*w, *h, default_c),
        [h, w, c, ..] => (*w, *h, *c),
        // sizes_arg returns 2 or 3 entries
        _ => (1, 1, 1),
    }
}

fn spec(
    kernel: Option<Vec<usize>>,
    stride: Option<Vec<usize>>,
    border: Option<&Bound<'_, PyAny>>,
) -> PyResult<WindowSpec> {
    let k = kernel.unwrap_or_else(|| vec![3, 3]);
    let s = stride.unwrap_or_else(|| vec![1; k.len()]);
    let (kw, kh, kc) = sizes(&k, 1);
    let (sw, sh, sc) = sizes(&s, 1);
    let border: Border = match border {
        Some(b) => text(b, "border")?
            .parse()
            .map_err(|e| lib_err_in("border: ", e))?,
        None => Border::Crop,
    };
    Ok(WindowSpec::new(
        Kernel::new(kw, kh, kc).map_err(|e| lib_err_in("kernel: ", e))?,
        Stride::new(sw, sh, sc).map_err(|e| lib_err_in("stride: ", e))?,
        border,
    ))
}

/// A numpy array as the bindings read it in place: at most 32 axes (rust-numpy's limit), and
/// an array whose strides are not whole elements or whose data is misaligned (views made
/// with `as_strided` or from a byte buffer) is copied first, since reading it in place would
/// read the wrong elements. Anything else passes through unchanged.
fn readable<'py>(x: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    let Ok(a) = x.cast::<PyUntypedArray>() else {
        return Ok(x.clone());
    };
    if a.ndim() > 32 {
        return Err(value_error(format!(
            "{what} has {} axes; at most 32 are read",
            a.ndim()
        )));
    }
    let item = a.dtype().itemsize() as isize;
    let whole = item > 0 && a.strides().iter().all(|s| s % item == 0);
    let aligned: bool = x.getattr("flags")?.getattr("aligned")?.extract()?;
    if whole && aligned {
        return Ok(x.clone());
    }
    x.py()
        .import("numpy")?
        .call_method1("ascontiguousarray", (x,))
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
        .map_err(lib_err)
}

/// Local one-dimensional entropy H1 (bits) of a 2-D (h×w) or 3-D (h×w×c) map.
#[pyfunction]
#[pyo3(signature = (x, kernel=None, stride=None, border=None, estimator=None))]
fn local_entropy<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    kernel: Option<&Bound<'py, PyAny>>,
    stride: Option<&Bound<'py, PyAny>>,
    border: Option<&Bound<'py, PyAny>>,
    estimator: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let est: H1Estimator = match estimator {
        Some(e) => text(e, "estimator")?
            .parse()
            .map_err(|e| lib_err_in("estimator: ", e))?,
        None => H1Estimator::Exact,
    };
    let est = Estimator::H1(est);
    let kernel = sizes_arg(kernel, "kernel")?;
    let stride = sizes_arg(stride, "stride")?;
    let spec = spec(kernel, stride, border)?;
    let x = readable(x, "x")?;
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
    Err(dtype_error(&x, "x"))
}

fn dtype_error(x: &Bound<'_, PyAny>, what: &str) -> PyErr {
    let dt = match x.cast::<PyUntypedArray>() {
        Ok(a) => format!("dtype {}", a.dtype()),
        Err(_) => type_name(x),
    };
    type_error(format!(
        "{what}: expected a numpy array of uint8, float32 or float64 (native byte order), got {dt}"
    ))
}

/// The H2 map and its singular mask.
type H2Pair<'py> = (Bound<'py, PyArrayDyn<f64>>, Bound<'py, PyArrayDyn<bool>>);

/// Local multivariate-Gaussian entropy H2 (bits) over a batch N×H×W×C.
#[pyfunction]
#[pyo3(signature = (batch, kernel=None, stride=None, border=None, ridge=None))]
fn gaussian_local_entropy<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    kernel: Option<&Bound<'py, PyAny>>,
    stride: Option<&Bound<'py, PyAny>>,
    border: Option<&Bound<'py, PyAny>>,
    ridge: Option<f64>,
) -> PyResult<H2Pair<'py>> {
    let kernel = sizes_arg(kernel, "kernel")?.unwrap_or_else(|| vec![3, 3, 1]);
    let stride = sizes_arg(stride, "stride")?;
    let spec = spec(Some(kernel), stride, border)?;
    let opts = match ridge {
        Some(e) => H2Options::new()
            .with_ridge(e)
            .map_err(|e| lib_err_in("ridge: ", e))?,
        None => H2Options::new(),
    };
    let est = Estimator::Gaussian(opts);
    let batch = readable(batch, "batch")?;
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
    Err(dtype_error(&batch, "batch"))
}

/// The per-map figures of `sednas measure` (`entropy::profile::profile_map`) of an
/// N×H×W×C batch: windows `kernel` (h, w[, c]; c defaults to 1), border `valid`, stride 1;
/// `estimator` the H1 estimator of `h1b` (default `binned:16`); H2 across the batch when
/// `h2`. Returns a dict h1x, distinct, h1b, zero, h2, singular (NaN for H2 when off). The
/// GIL is released while measuring.
#[pyfunction(name = "_profile_map")]
#[pyo3(signature = (batch, kernel=None, estimator=None, h2=true))]
fn profile_map<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    kernel: Option<&Bound<'py, PyAny>>,
    estimator: Option<&Bound<'py, PyAny>>,
    h2: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (kw, kh, kc) = sizes(
        &sizes_arg(kernel, "kernel")?.unwrap_or_else(|| vec![3, 3]),
        1,
    );
    let estimator: H1Estimator = match estimator {
        Some(e) => text(e, "estimator")?
            .parse()
            .map_err(|e| lib_err_in("estimator: ", e))?,
        None => "binned:16".parse().map_err(lib_err)?,
    };
    let opts = ProfileOptions {
        kernel: Kernel::new(kw, kh, kc).map_err(|e| lib_err_in("kernel: ", e))?,
        estimator,
        h2,
    };
    let batch = readable(batch, "batch")?;
    let four_d = |shape: &[usize]| {
        value_error(format!(
            "batch: expected an n×h×w×c array (4-D), got shape {shape:?}"
        ))
    };
    let mut figures: Option<MapFigures> = None;
    macro_rules! run {
        ($t:ty) => {
            if figures.is_none()
                && let Ok(a) = batch.extract::<PyReadonlyArrayDyn<'py, $t>>()
            {
                let v = a.as_array();
                let v = v
                    .into_dimensionality::<Ix4>()
                    .map_err(|_| four_d(a.shape()))?;
                figures = Some(py.detach(|| core_profile_map(v, &opts)).map_err(lib_err)?);
            }
        };
    }
    run!(u8);
    run!(f32);
    run!(f64);
    let Some(f) = figures else {
        return Err(dtype_error(&batch, "batch"));
    };
    let d = PyDict::new(py);
    d.set_item("h1x", f.h1x)?;
    d.set_item("distinct", f.distinct)?;
    d.set_item("h1b", f.h1b)?;
    d.set_item("zero", f.zero)?;
    d.set_item("h2", f.h2)?;
    d.set_item("singular", f.singular)?;
    Ok(d)
}

/// The six per-network summaries of `sednas measure` (`entropy::profile::summaries`, names
/// in `_SUMMARIES`) of maps in network order, given each map's binned H1 mean, zero-H1
/// fraction and H2 mean (sequences of equal length; every map counts as a `relu` map).
#[pyfunction(name = "_summaries")]
fn summaries(h1b: Vec<f64>, zero: Vec<f64>, h2: Vec<f64>) -> PyResult<Vec<f64>> {
    if h1b.len() != zero.len() || h1b.len() != h2.len() {
        return Err(value_error(format!(
            "h1b, zero and h2 must have equal lengths, got {}, {} and {}",
            h1b.len(),
            zero.len(),
            h2.len()
        )));
    }
    let maps: Vec<MapMeasure> = h1b
        .iter()
        .zip(&zero)
        .zip(&h2)
        .map(|((&h1b, &zero), &h2)| MapMeasure {
            layer: String::new(),
            kind: "relu",
            h1x: f64::NAN,
            distinct: f64::NAN,
            h1b,
            zero,
            h2,
            singular: f64::NAN,
        })
        .collect();
    Ok(core_summaries(&maps))
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

/// One switch value as JSON. NaN and ±inf (`json.dumps` writes `NaN`, which is not JSON),
/// strings with a lone surrogate, and values JSON has no form for are refused naming the
/// switch; numpy scalars are read as the Python number they hold.
fn switch_value(
    json: &Bound<'_, PyModule>,
    key: &str,
    v: &Bound<'_, PyAny>,
) -> PyResult<serde_json::Value> {
    let py = v.py();
    let what = format!("switch {key}");
    let numpy_generic = py.import("numpy")?.getattr("generic")?;
    let v = if v.is_instance(&numpy_generic)? {
        v.call_method0("item")?
    } else {
        v.clone()
    };
    if v.is_instance_of::<PyString>() {
        text(&v, &what)?;
    }
    if let Ok(f) = v.cast::<PyFloat>()
        && !f.value().is_finite()
    {
        return Err(value_error(format!(
            "{what}: {} is not allowed (expected a finite number)",
            f.value()
        )));
    }
    let kw = PyDict::new(py);
    kw.set_item("allow_nan", false)?;
    let dumped = json.call_method("dumps", (&v,), Some(&kw)).map_err(|e| {
        if e.is_instance_of::<PyValueError>(py) {
            let m = e.value(py).to_string();
            if m.starts_with("Out of range float") {
                value_error(format!(
                    "{what}: NaN and ±inf are not allowed in a switch value"
                ))
            } else {
                value_error(format!("{what}: {m}"))
            }
        } else {
            type_error(format!(
                "{what}: expected a bool, number or string, got {}",
                type_name(&v)
            ))
        }
    })?;
    let dumped: String = dumped.extract()?;
    serde_json::from_str(&dumped).map_err(|e| value_error(format!("{what}: {e}")))
}

/// The census sizes among the network switches, checked by the library's own rule
/// (`CensusParams::check`) so that a size past its limit is the library's `TooLarge`
/// (hence `MemoryError`), named by its switch.
fn check_census_sizes(net: &serde_json::Map<String, serde_json::Value>) -> PyResult<()> {
    for (key, value) in net {
        let Some(n) = value.as_u64() else {
            continue;
        };
        let mut c = CensusParams::default();
        let field = match key.as_str() {
            "nb201_cells_per_stage" => &mut c.nb201_cells_per_stage,
            "nb201_channels" => &mut c.nb201_channels,
            "nb101_cells_per_stack" => &mut c.nb101_cells_per_stack,
            "nb101_channels" => &mut c.nb101_channels,
            "darts_layers" => &mut c.darts_layers,
            "darts_channels" => &mut c.darts_channels,
            "resolution" => &mut c.resolution,
            _ => continue,
        };
        // past u32 the library's own check sees u32::MAX; the message keeps the value given
        *field = u32::try_from(n).unwrap_or(u32::MAX);
        if let Err(e) = c.check() {
            let e = match e {
                Error::TooLarge { what, limit, .. } => Error::TooLarge {
                    what,
                    requested: n as u128,
                    limit,
                },
                e => e,
            };
            return Err(lib_err_in(&format!("switch {key}: "), e));
        }
    }
    Ok(())
}

/// SED configuration from keyword switches: SedConfig fields at the top level, the
/// network's (CensusOptions) fields such as `block` under `network`. A refusal names the
/// switch it concerns.
fn sed_config(py: Python<'_>, switches: Option<&Bound<'_, PyDict>>) -> PyResult<SedConfig> {
    use serde_json::{Map, Value};
    let mut top = Map::new();
    let mut net = Map::new();
    if let Some(d) = switches {
        let json = py.import("json")?;
        for (k, v) in d.iter() {
            let key = text(&k, "switch name")?;
            let value = switch_value(&json, &key, &v)?;
            if SED_KEYS.contains(&key.as_str()) {
                top.insert(key, value);
            } else {
                net.insert(key, value);
            }
        }
    }
    check_census_sizes(&net)?;
    let with_net = |mut top: Map<String, Value>, net: Map<String, Value>| {
        if !net.is_empty() {
            top.insert("network".into(), Value::Object(net));
        }
        Value::Object(top)
    };
    let all = with_net(top.clone(), net.clone());
    let err = match serde_json::from_value::<SedConfig>(all) {
        Ok(c) => return Ok(c),
        Err(e) => e,
    };
    // name the switch: the first one that is refused on its own
    let alone = top
        .iter()
        .map(|(k, v)| {
            (
                k,
                with_net(Map::from_iter([(k.clone(), v.clone())]), Map::new()),
            )
        })
        .chain(net.iter().map(|(k, v)| {
            (
                k,
                with_net(Map::new(), Map::from_iter([(k.clone(), v.clone())])),
            )
        }));
    for (k, v) in alone {
        if let Err(e) = serde_json::from_value::<SedConfig>(v) {
            return Err(value_error(format!("switch {k}: {e}")));
        }
    }
    Err(value_error(format!("SED switches: {err}")))
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
    let s = Sed::new(cfg).map_err(|e| lib_err_in("SED switches: ", e))?;
    *last = Some((cfg, s.clone()));
    Ok(s)
}

/// One architecture's text from a Python item (a string, or an NB101 (matrix, ops) pair).
fn arch_text(item: &Bound<'_, PyAny>, space: SpaceKind, i: usize) -> PyResult<String> {
    if item.is_instance_of::<PyString>() {
        return text(item, &format!("architecture {i}"));
    }
    if space == SpaceKind::Nb101
        && let Ok(t) = item.cast::<PyTuple>()
        && t.len() == 2
    {
        let m = text(&t.get_item(0)?, &format!("architecture {i} matrix"))?;
        let ops_item = t.get_item(1)?;
        let ops: Vec<String> = if ops_item.is_instance_of::<PyString>() {
            text(&ops_item, &format!("architecture {i} ops"))?
                .split(',')
                .map(str::to_string)
                .collect()
        } else {
            let it = ops_item.try_iter().map_err(|_| {
                type_error(format!(
                    "architecture {i} ops: expected a list of strings or a comma-separated string, got {}",
                    type_name(&ops_item)
                ))
            })?;
            it.enumerate()
                .map(|(j, op)| text(&op?, &format!("architecture {i} op {j}")))
                .collect::<PyResult<_>>()?
        };
        let refs: Vec<&str> = ops.iter().map(String::as_str).collect();
        return Nb101Arch::from_parts(&m, &refs)
            .map(|a| a.to_string())
            .map_err(|e| lib_err_in(&format!("architecture {i}: "), e));
    }
    Err(type_error(format!(
        "architecture {i}: expected a string{}, got {}",
        if space == SpaceKind::Nb101 {
            " or an NB101 (matrix, ops) pair"
        } else {
            ""
        },
        type_name(item)
    )))
}

/// The `space` argument (default NB201).
fn space_arg(space: Option<&Bound<'_, PyAny>>) -> PyResult<SpaceKind> {
    match space {
        Some(s) => text(s, "space")?
            .parse()
            .map_err(|e| lib_err_in("space: ", e)),
        None => Ok(SpaceKind::Nb201),
    }
}

/// The one-line texts of an iterable of architectures (see [`arch_text`]); a single string
/// is refused (it would be read as one architecture per character).
fn arch_texts(archs: &Bound<'_, PyAny>, space: SpaceKind) -> PyResult<Vec<String>> {
    if archs.is_instance_of::<PyString>() || archs.is_instance_of::<PyBytes>() {
        return Err(type_error(
            "archs: expected an iterable of architectures, not a single string (wrap it in a list)",
        ));
    }
    archs
        .try_iter()
        .map_err(|_| {
            type_error(format!(
                "archs: expected an iterable of architectures, got {}",
                type_name(archs)
            ))
        })?
        .enumerate()
        .map(|(i, it)| arch_text(&it?, space, i))
        .collect()
}

/// Parses architecture texts with the library's parser (`AnyArch::parse`); an error names
/// the architecture's position.
fn parse_archs(texts: &[String], space: SpaceKind) -> PyResult<Vec<AnyArch>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            AnyArch::parse(space, t.trim())
                .map_err(|e| lib_err_in(&format!("architecture {i}: "), e))
        })
        .collect()
}

/// The canonical one-line text of each architecture (`AnyArch`'s `Display`): the key on
/// which `sednas eval --join` and `sednas benchmark` join files and hash-split a space.
#[pyfunction]
#[pyo3(signature = (archs, space=None))]
fn canonical_text(
    archs: &Bound<'_, PyAny>,
    space: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    canonical(archs, space)
}

/// The canonical texts of `archs` (of `space`, default nb201).
fn canonical(archs: &Bound<'_, PyAny>, space: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let space = space_arg(space)?;
    let texts = arch_texts(archs, space)?;
    Ok(parse_archs(&texts, space)?
        .iter()
        .map(|a| a.to_string())
        .collect())
}

/// The half of the selection protocol each architecture falls in, `"design"` or `"report"`
/// (`eval::benchmark::half_of` of its canonical text: the top bit of its 64-bit FNV-1a).
#[pyfunction]
#[pyo3(signature = (archs, space=None))]
fn protocol_half(
    archs: &Bound<'_, PyAny>,
    space: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    Ok(canonical(archs, space)?
        .iter()
        .map(|t| half_of(t).to_string())
        .collect())
}

/// The edge operations of NB201 cells, each cell's in string order (edge j ← i at position
/// j(j − 1)/2 + i), as the library parses them (`Nb201Arch::ops`).
#[pyfunction]
fn nb201_ops(archs: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<&'static str>>> {
    let texts = arch_texts(archs, SpaceKind::Nb201)?;
    Ok(parse_archs(&texts, SpaceKind::Nb201)?
        .iter()
        .map(|a| match a {
            AnyArch::Nb201(c) => c.ops().iter().map(|op| op.name()).collect(),
            // parse_archs with SpaceKind::Nb201 gives NB201 cells only
            _ => Vec::new(),
        })
        .collect())
}

/// A 1-D float64 array argument as a vector, or `ValueError` naming it.
fn vector(x: &PyReadonlyArrayDyn<'_, f64>, what: &str) -> PyResult<Vec<f64>> {
    let v = x.as_array();
    if v.ndim() != 1 {
        return Err(value_error(format!(
            "{what}: expected a 1-D array, got shape {:?}",
            x.shape()
        )));
    }
    Ok(v.iter().copied().collect())
}

/// Competition ranks, 1 = largest (`eval::competition_ranks_desc`): 1 + the number of
/// strictly larger values; NaN ranks after every number.
#[pyfunction]
fn competition_ranks<'py>(
    py: Python<'py>,
    values: PyReadonlyArrayDyn<'py, f64>,
) -> PyResult<Bound<'py, PyArrayDyn<i64>>> {
    let v = vector(&values, "values")?;
    let r: Vec<i64> = competition_ranks_desc(&v)
        .into_iter()
        .map(|r| r as i64)
        .collect();
    Ok(ndarray::Array1::from(r).into_dyn().into_pyarray(py))
}

/// The top `percent` % of accuracies (`eval::benchmark::top_percent`): the cells whose
/// accuracy is at least the ⌈n·percent/100⌉-th largest (NaN never).
#[pyfunction]
fn top_percent<'py>(
    py: Python<'py>,
    accuracies: PyReadonlyArrayDyn<'py, f64>,
    percent: f64,
) -> PyResult<Bound<'py, PyArrayDyn<bool>>> {
    if !(percent > 0.0 && percent <= 100.0) {
        return Err(value_error(format!(
            "percent must be in (0, 100], got {percent}"
        )));
    }
    let a = vector(&accuracies, "accuracies")?;
    Ok(ndarray::Array1::from(benchmark_top_percent(&a, percent))
        .into_dyn()
        .into_pyarray(py))
}

/// Expected number of `hit` items among a proxy's top k, uniform tie-break at the k-th
/// score, NaN scores never picked (`eval::benchmark::expected_hits`).
#[pyfunction]
fn expected_hits(
    scores: PyReadonlyArrayDyn<'_, f64>,
    hit: PyReadonlyArrayDyn<'_, bool>,
    k: usize,
) -> PyResult<f64> {
    let s = vector(&scores, "scores")?;
    let h = hit.as_array();
    if h.ndim() != 1 || h.len() != s.len() {
        return Err(value_error(format!(
            "hit must be 1-D with the length of scores ({}), got shape {:?}",
            s.len(),
            hit.shape()
        )));
    }
    let h: Vec<bool> = h.iter().copied().collect();
    Ok(benchmark_expected_hits(&s, &h, k))
}

/// Scores of architectures under a proxy of the registry (sed, led-flow, ledp, params).
#[pyfunction]
#[pyo3(signature = (archs, space=None, proxy=None, led_skip_gain=0.75, **switches))]
fn score<'py>(
    py: Python<'py>,
    archs: &Bound<'py, PyAny>,
    space: Option<&Bound<'py, PyAny>>,
    proxy: Option<&Bound<'py, PyAny>>,
    led_skip_gain: f64,
    switches: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let space = space_arg(space)?;
    let proxy = match proxy {
        Some(p) => text(p, "proxy")?,
        None => "sed".to_string(),
    };
    let cfg = sed_config(py, switches)?;
    // checked (and cached) here, so that a bad switch reads as before
    cached_sed(cfg)?;
    let texts = arch_texts(archs, space)?;
    // the proxy registry: the same names and scorers as `sednas score`
    let entry = sednas_core::proxy::find(&proxy).map_err(|_| {
        value_error(format!(
            "proxy: unknown proxy {proxy:?}: expected {}",
            sednas_core::proxy::topology_names()
        ))
    })?;
    if !entry.supports(space) {
        return Err(value_error(format!(
            "proxy {:?}: {}",
            entry.name, entry.unsupported
        )));
    }
    let settings = sednas_core::proxy::Settings {
        sed: cfg,
        led_skip_gain,
    };
    if entry.needs == sednas_core::proxy::Needs::Network {
        return Err(value_error(format!(
            "proxy {:?} needs a network forward: it is a column of `sednas measure` output, not scored from the topology",
            entry.name
        )));
    }
    let p = entry
        .build(&settings, space)
        .map_err(|e| lib_err_in("led_skip_gain: ", e))?;
    let one = |scratch: &mut sednas_core::proxy::Scratch, (i, t): (usize, &String)| {
        let a = AnyArch::parse(space, t.trim()).map_err(|e| (i, e))?;
        Ok(p.score(&a, scratch))
    };
    let out: Result<Vec<f64>, (usize, Error)> = py.detach(|| {
        // a thread pool costs more than it saves below a few thousand cells
        if texts.len() < 4096 {
            let mut scratch = sednas_core::proxy::Scratch::default();
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
                .map_init(sednas_core::proxy::Scratch::default, one)
                .collect()
        }
    });
    let v = out.map_err(|(i, e)| lib_err_in(&format!("architecture {i}: "), e))?;
    Ok(ndarray::Array1::from(v).into_dyn().into_pyarray(py))
}

/// The proxy registry (`sednas::proxy::REGISTRY`): one dict per proxy, in registry order.
#[pyfunction]
fn proxies<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let v: Vec<serde_json::Value> = sednas_core::proxy::REGISTRY
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "aliases": e.aliases,
                "column": e.column,
                "label": e.label,
                "direction": e.direction,
                "needs": e.needs,
                "spaces": e.spaces.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "about": e.about,
            })
        })
        .collect();
    let list = PyList::empty(py);
    for x in &v {
        list.append(to_py(py, x)?)?;
    }
    Ok(list)
}

/// A float of a report as Python gives it back: a number or ±inf as itself, NaN (a statistic
/// that is undefined, e.g. with no pairs) as `None`, as in `sednas eval --json`.
fn report_float<'py>(py: Python<'py>, x: f64) -> PyResult<Bound<'py, PyAny>> {
    Ok(if x.is_nan() {
        py.None().into_bound(py)
    } else {
        x.into_pyobject(py)?.into_any()
    })
}

/// Spearman, Kendall τ-b and tie-aware selection of a proxy against accuracies.
#[pyfunction]
#[pyo3(signature = (proxy_values, accuracies, name=None))]
fn evaluate<'py>(
    py: Python<'py>,
    proxy_values: PyReadonlyArrayDyn<'py, f64>,
    accuracies: PyReadonlyArrayDyn<'py, f64>,
    name: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let name = match name {
        Some(n) => text(n, "name")?,
        None => "proxy".to_string(),
    };
    let p = proxy_values.as_array();
    let a = accuracies.as_array();
    if p.ndim() != 1 || a.ndim() != 1 {
        return Err(value_error(format!(
            "proxy_values and accuracies must be 1-D, got shapes {:?} and {:?}",
            proxy_values.shape(),
            accuracies.shape()
        )));
    }
    if p.len() != a.len() {
        return Err(value_error(format!(
            "proxy_values has length {} but accuracies has length {}; they must be equal",
            p.len(),
            a.len()
        )));
    }
    if let Some((i, x)) = a.iter().enumerate().find(|(_, x)| x.is_infinite()) {
        return Err(value_error(format!(
            "accuracies: {x} at position {i} is infinite (NaN marks a missing value)"
        )));
    }
    let p: Vec<f64> = p.iter().copied().collect();
    let a: Vec<f64> = a.iter().copied().collect();
    let r = py.detach(|| {
        let ranks = competition_ranks_desc(&a);
        evaluate_core(&name, &p, &a, &ranks)
    });
    let v = serde_json::to_value(&r).map_err(|e| value_error(e.to_string()))?;
    let d = to_py(py, &v)?;
    // JSON has no ±inf (serde_json writes null): put the report's floats back from the
    // typed report, so that a proxy value of ±inf comes back as that value
    let d = d.cast::<PyDict>()?;
    d.set_item("top10_precision", report_float(py, r.top10_precision)?)?;
    d.set_item("top100_precision", report_float(py, r.top100_precision)?)?;
    if let Some(s) = r.selection {
        let sel = d.get_item("selection")?;
        if let Some(sel) = sel {
            let sel = sel.cast::<PyDict>()?;
            sel.set_item("score", report_float(py, s.score)?)?;
            sel.set_item("expected_rank", report_float(py, s.expected_rank)?)?;
            sel.set_item("best_acc", report_float(py, s.best_acc)?)?;
            sel.set_item("worst_acc", report_float(py, s.worst_acc)?)?;
            sel.set_item("expected_acc", report_float(py, s.expected_acc)?)?;
        }
    }
    Ok(d.clone().into_any())
}

/// The five propositions' verdicts with their evidence.
#[pyfunction]
#[pyo3(signature = (thorough=None, seed=None))]
fn verify<'py>(
    py: Python<'py>,
    thorough: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let thorough = match thorough {
        None => false,
        Some(t) if t.is_instance_of::<PyBool>() || type_name(t).starts_with("numpy.bool") => {
            t.is_truthy()?
        }
        Some(t) => {
            return Err(type_error(format!(
                "thorough: expected a bool, got {}",
                type_name(t)
            )));
        }
    };
    let seed = match seed {
        None => 20241109,
        Some(s) => {
            if s.is_instance_of::<PyBool>() {
                return Err(type_error("seed: expected an int, got a bool"));
            }
            let n = py
                .import("operator")?
                .call_method1("index", (s,))
                .map_err(|_| type_error(format!("seed: expected an int, got {}", type_name(s))))?;
            n.extract::<u64>()
                .map_err(|_| value_error("seed must be in 0..=2^64 - 1"))?
        }
    };
    let reports = py
        .detach(|| verify_all(&VerifyOptions { thorough, seed }))
        .map_err(lib_err)?;
    let v = serde_json::to_value(&reports).map_err(|e| value_error(e.to_string()))?;
    to_py(py, &v)
}

#[pymodule]
fn _sednas(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(local_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_local_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(proxies, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(profile_map, m)?)?;
    m.add_function(wrap_pyfunction!(summaries, m)?)?;
    m.add_function(wrap_pyfunction!(canonical_text, m)?)?;
    m.add_function(wrap_pyfunction!(protocol_half, m)?)?;
    m.add_function(wrap_pyfunction!(nb201_ops, m)?)?;
    m.add_function(wrap_pyfunction!(competition_ranks, m)?)?;
    m.add_function(wrap_pyfunction!(top_percent, m)?)?;
    m.add_function(wrap_pyfunction!(expected_hits, m)?)?;
    m.add("_SUMMARIES", PyTuple::new(m.py(), SUMMARIES)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
