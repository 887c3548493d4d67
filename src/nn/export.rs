//! Export of a measured network, for checking it against the benchmarks' own PyTorch code
//! (`sednas nn-export`, `scripts/crosscheck/`).
//!
//! [`export_arch`] builds the network of an architecture exactly as `sednas measure` does
//! (the plain Flex device, `device.seed(seed)`, burn's default initialisers), forwards the
//! batch with batch-statistics BatchNorm (`nn::BatchStats`, as measure does) and writes into
//! one folder, all-or-nothing through [`Staged`] (`manifest.json` last):
//! * `params/NAME.npy`: every parameter and BatchNorm buffer (float64, exact copies of the
//!   float32 values), NAME burn's module path (`cells.0.edges.2.conv.bn.gamma`); burn's
//!   `Linear` weight is stored as burn holds it, *d_in × d_out* (PyTorch's is the transpose);
//! * `input.npy` (n×3×32×32), `logits.npy` (n×classes);
//! * `maps/LAYER.KIND.npy`: every map measure captures, n×c×h×w, KIND `out` (as the layer
//!   emits it) or `relu` (after the next ReLU), in measure's order and with its names;
//! * `measure.json`: the measure row of this network: every map's measurements and the six
//!   summaries ([`super::measure::SUMMARIES`]), computed by `measure_arch` itself;
//! * `manifest.json`: the configuration, the BatchNorm convention, and names, shapes and
//!   files of everything above, parameters in module order.
//!
//! burn initialises a parameter lazily, on its first use, from the seeded device: the weights
//! of a network are drawn in the order its forward first uses them. The export therefore
//! forwards before it reads the parameters, as measure does; reading them first would draw
//! them in module order and give another network for the same seed (test
//! `tests/nn_export.rs` re-measures the exported maps against the measure row).

use std::path::Path;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::Tensor;
use ndarray::{ArrayD, ArrayView4, IxDyn};
use serde_json::json;

use super::measure::{MeasureConfig, SUMMARIES, measure_arch, summaries};
use super::{BatchStats, Classifier, from_nchw};
use crate::arch::{AnyArch, SpaceKind};
use crate::error::{Error, Result};
use crate::io::npy::to_npy_bytes;
use crate::io::staged::Staged;

/// One exported tensor: name, shape and values (row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// burn module path (parameters) or map name (`LAYER.KIND`).
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub values: Vec<f32>,
}

/// What [`export_arch`] wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportSummary {
    /// The output folder.
    pub out: String,
    /// Parameter and buffer tensors written.
    pub tensors: usize,
    /// Scalars in them (burn's `num_params`).
    pub scalars: usize,
    /// Captured maps written (`out` and `relu` of each layer).
    pub maps: usize,
    /// The six summaries of the measure row, in [`SUMMARIES`] order (empty without it).
    pub summaries: Vec<f64>,
}

/// Collects every float tensor of a module with its path (`a.b.0.weight`).
struct Collector {
    path: Vec<String>,
    out: Vec<Exported>,
    err: Option<Error>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val();
        let shape = t.dims().to_vec();
        match t.into_data().try_into_vec::<f32>() {
            Ok(values) => self.out.push(Exported {
                name: self.path.join("."),
                shape,
                values,
            }),
            Err(e) => {
                self.err.get_or_insert(Error::Internal {
                    what: "tensor to f32",
                    reason: format!("{}: {e:?}", self.path.join(".")),
                });
            }
        }
    }
}

/// Every float parameter and buffer of `module`, in module order, named by path.
///
/// # Errors
/// [`Error::Internal`] naming the first tensor whose data does not convert to f32.
///
/// ```
/// use sednas::nn::{cpu, export::parameters};
/// let bn = burn::nn::BatchNormConfig::new(3).init(&cpu());
/// let p = parameters(&bn).unwrap();
/// let names: Vec<_> = p.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names, ["gamma", "beta", "running_mean", "running_var"]);
/// assert_eq!(p[0].shape, [3]);
/// ```
pub fn parameters<M: Module>(module: &M) -> Result<Vec<Exported>> {
    let mut c = Collector {
        path: Vec::new(),
        out: Vec::new(),
        err: None,
    };
    module.visit(&mut c);
    match c.err {
        Some(e) => Err(e),
        None => Ok(c.out),
    }
}

fn tensor_of<const D: usize>(name: String, t: Tensor<D>) -> Result<Exported> {
    let shape = t.dims().to_vec();
    let values = t
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| Error::Internal {
            what: "tensor to f32",
            reason: format!("{name}: {e:?}"),
        })?;
    Ok(Exported {
        name,
        shape,
        values,
    })
}

/// The network of `arch` exactly as `sednas measure` builds it (plain device seeded with
/// `cfg.seed`), its parameters, and its forward of `images` with batch-statistics
/// BatchNorm: (parameters, logits, captured maps as (`LAYER.KIND`, tensor), `out` before
/// `relu` for each layer, in measure's order).
///
/// # Errors
/// [`Error::InvalidParameter`] for a configuration measure refuses for the space
/// (`MeasureConfig::validate_for`) and for NATS-SSS (`space`: no network); the network's
/// errors ([`super::nb201::Nb201Net::new`] and its peers); [`Error::Shape`] or
/// [`Error::Empty`] for images the network cannot take; [`Error::Internal`] for a tensor
/// that does not convert.
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::nn::export::forward_export;
/// use sednas::nn::measure::{measure_inputs, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 2, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb201).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let a = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|").unwrap();
/// let (params, logits, maps) = forward_export(&a, &cfg, x.view()).unwrap();
/// assert_eq!(logits.shape, [10, 10]);
/// assert_eq!(maps[0].name, "stem.out");
/// assert_eq!(maps[1].name, "stem.relu");
/// assert_eq!(maps.len(), 12);
/// assert!(params.iter().any(|p| p.name == "classifier.weight" && p.shape == [8, 10]));
/// ```
pub fn forward_export(
    arch: &AnyArch,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
) -> Result<(Vec<Exported>, Exported, Vec<Exported>)> {
    use super::darts::{DartsNet, DartsNetConfig};
    use super::nb101::{Nb101Net, Nb101NetConfig};
    use super::nb201::{Nb201Net, Nb201NetConfig};
    cfg.expect_space(arch.kind())?;
    let (n, c, h, w) = images.dim();
    let device = super::cpu();
    device.seed(cfg.seed());
    match arch {
        AnyArch::Nb201(a) => {
            let net_cfg = Nb201NetConfig {
                in_channels: c,
                width: cfg.width(),
                cells: cfg.cells(),
                classes: 10,
            };
            run(&Nb201Net::new(a, &net_cfg, &device)?, images, &device)
        }
        AnyArch::Nb101(a) => {
            let net_cfg = Nb101NetConfig {
                in_channels: c,
                width: cfg.width(),
                modules: cfg.cells(),
                classes: 10,
            };
            run(&Nb101Net::new(a, &net_cfg, &device)?, images, &device)
        }
        AnyArch::Darts(g) => {
            let net_cfg = DartsNetConfig {
                in_channels: c,
                width: cfg.width(),
                cells: cfg.cells(),
                classes: 10,
            };
            run(&DartsNet::new(g, &net_cfg, &device)?, images, &device)
        }
        AnyArch::NatsSss(_) => Err(Error::param(
            "space",
            format!(
                "nats-sss has no network to export (nb201, nb101 and darts have one); input {n}×{c}×{h}×{w}"
            ),
        )),
    }
}

fn run<M: Classifier>(
    net: &M,
    images: ArrayView4<'_, f32>,
    device: &burn::tensor::Device,
) -> Result<(Vec<Exported>, Exported, Vec<Exported>)> {
    let d = images.dim();
    net.check_input([d.0, d.1, d.2, d.3])?;
    let _stats = BatchStats::on();
    let (logits, feats) = net.forward_features(from_nchw(images, device));
    // after the forward: burn initialises a parameter lazily, on its first use, so the
    // weights are drawn in the order the forward uses them (as in `sednas measure`), not
    // in the order the module lists them; reading them first would draw them in module
    // order and give a different network (e.g. NB201's residual blocks)
    let params = parameters(net)?;
    let logits = tensor_of("logits".to_string(), logits)?;
    let mut maps = Vec::with_capacity(2 * feats.len());
    for (name, t) in feats {
        let post = burn::tensor::activation::relu(t.clone());
        maps.push(tensor_of(format!("{name}.out"), t)?);
        maps.push(tensor_of(format!("{name}.relu"), post)?);
    }
    Ok((params, logits, maps))
}

fn npy(t: &Exported) -> Result<Vec<u8>> {
    let a = ArrayD::from_shape_vec(
        IxDyn(&t.shape),
        t.values.iter().map(|&v| f64::from(v)).collect(),
    )
    .map_err(|e| Error::Shape(format!("{}: {e}", t.name)))?;
    Ok(to_npy_bytes(&a))
}

/// A name safe as one file name: letters, digits, `_`, `.` and `-` (burn's paths and
/// measure's layer names are already so; anything else becomes `_`).
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn entry(t: &Exported, file: &str) -> serde_json::Value {
    json!({ "name": t.name, "shape": t.shape, "file": file })
}

/// Builds, forwards and measures the network of `arch` as `sednas measure` does (see the
/// module docs) and writes every parameter, the input, the logits, every captured map and
/// the measure row into `out` (created if needed; files of an earlier export are replaced,
/// `manifest.json` last). With `with_measure` false the measure row (`measure.json`, the
/// summaries) is left out: it is the slow part of an export in a debug build, and the
/// cross-check compares maps, not their entropies.
///
/// # Errors
/// As [`forward_export`] (a configuration measure refuses for the space, NATS-SSS, an
/// input the network cannot take) and `measure_arch`; [`Error::Io`] for an output location
/// that is a file or cannot be written ([`Staged`]); [`Error::Json`] naming a JSON file
/// that does not encode.
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::nn::export::export_arch;
/// use sednas::nn::measure::{measure_inputs, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 2, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb201).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let a = AnyArch::parse(SpaceKind::Nb201, "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|").unwrap();
/// let dir = std::env::temp_dir().join(format!("sednas-export-doc-{}", std::process::id()));
/// let s = export_arch(&a, &cfg, x.view(), &dir, true).unwrap();
/// assert_eq!(s.maps, 12);
/// assert!(dir.join("manifest.json").is_file() && dir.join("maps/stem.relu.npy").is_file());
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn export_arch(
    arch: &AnyArch,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
    out: &Path,
    with_measure: bool,
) -> Result<ExportSummary> {
    cfg.expect_space(arch.kind())?;
    let stage = Staged::new(out)?;
    let (params, logits, maps) = forward_export(arch, cfg, images)?;
    let measured = if with_measure {
        Some(measure_arch(arch, cfg, images)?)
    } else {
        None
    };
    let sums = measured.as_deref().map(summaries).unwrap_or_default();

    let mut param_entries = Vec::with_capacity(params.len());
    for p in &params {
        let file = format!("params/{}.npy", file_stem(&p.name));
        stage.write(&file, &npy(p)?)?;
        let mut e = entry(p, &file);
        let buffer = p.name.ends_with("running_mean") || p.name.ends_with("running_var");
        e["kind"] = json!(if buffer { "buffer" } else { "param" });
        param_entries.push(e);
    }
    let (n, c, h, w) = images.dim();
    let input = Exported {
        name: "input".to_string(),
        shape: vec![n, c, h, w],
        values: images.as_standard_layout().iter().copied().collect(),
    };
    stage.write("input.npy", &npy(&input)?)?;
    stage.write("logits.npy", &npy(&logits)?)?;
    let mut map_entries = Vec::with_capacity(maps.len());
    for m in &maps {
        let file = format!("maps/{}.npy", file_stem(&m.name));
        stage.write(&file, &npy(m)?)?;
        let (layer, kind) = m.name.rsplit_once('.').unwrap_or((&m.name, ""));
        let mut e = entry(m, &file);
        e["layer"] = json!(layer);
        e["kind"] = json!(kind);
        map_entries.push(e);
    }
    let summary_obj: serde_json::Map<String, serde_json::Value> = SUMMARIES
        .iter()
        .zip(&sums)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let json_bytes = |file: &str, v: &serde_json::Value| -> Result<Vec<u8>> {
        let mut b = serde_json::to_vec_pretty(v).map_err(|e| Error::Json {
            what: out.join(file).display().to_string(),
            reason: e.to_string(),
        })?;
        b.push(b'\n');
        Ok(b)
    };
    if let Some(measured) = &measured {
        let row = json!({
            "arch": arch.to_string(),
            "space": arch.kind().to_string(),
            "config": cfg,
            "summaries": summary_obj,
            "maps": measured,
        });
        stage.write("measure.json", &json_bytes("measure.json", &row)?)?;
    }
    let scalars = params.iter().map(|p| p.values.len()).sum();
    let manifest = json!({
        "format": "sednas-nn-export 1",
        "space": arch.kind().to_string(),
        "arch": arch.to_string(),
        "config": cfg,
        "classes": 10,
        "batch_norm": {
            "mode": "batch statistics (train mode): mean and biased variance of the batch; running statistics untouched",
            "epsilon": 1e-5,
            "momentum": 0.1,
            "affine": true,
        },
        "linear_weight_layout": "burn: d_in x d_out (PyTorch: d_out x d_in)",
        "dtype": "float64 files holding float32 values",
        "params": param_entries,
        "input": entry(&input, "input.npy"),
        "logits": entry(&logits, "logits.npy"),
        "maps": map_entries,
        "measure": if with_measure { json!("measure.json") } else { serde_json::Value::Null },
    });
    stage.write("manifest.json", &json_bytes("manifest.json", &manifest)?)?;
    stage.commit(&["manifest.json"])?;
    Ok(ExportSummary {
        out: out.display().to_string(),
        tensors: params.len(),
        scalars,
        maps: maps.len(),
        summaries: sums,
    })
}

/// The space of `arch` has a network to export (NB201, NB101, DARTS).
///
/// ```
/// use sednas::arch::SpaceKind;
/// assert!(sednas::nn::export::exportable(SpaceKind::Darts));
/// assert!(!sednas::nn::export::exportable(SpaceKind::NatsSss));
/// ```
pub fn exportable(space: SpaceKind) -> bool {
    MeasureConfig::reduced(space).is_some()
}
