//! One NB201 training run as the CLI and the experiments do it: a run directory with
//! `config.json`, `metrics.csv` and the checkpoint (see [`super::train::train`]).

use std::path::Path;

use super::device::Backend;
use super::nb201::{Nb201Net, Nb201NetConfig};
use super::train::{EpochMetrics, TrainConfig, train};
use crate::arch::nb201::Nb201Arch;
use crate::data::ImageSet;
use crate::error::{Error, Result};

/// What a run directory records about its network and data (config.json).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunConfig {
    /// NB201 architecture string.
    pub arch: String,
    /// Dataset name.
    pub dataset: String,
    /// Network sizes.
    pub net: Nb201NetConfig,
    /// Grey images repeated to 3 channels.
    pub rgb: bool,
    /// Training settings.
    pub train: TrainConfig,
    /// Training images used (first N of the split; 0 = all).
    pub train_limit: usize,
    /// Held-out images used (first N of the split; 0 = all).
    pub test_limit: usize,
    /// The burn backend the run trains on (absent in older run directories: flex).
    #[serde(default)]
    pub device: Backend,
}

/// Pads 28×28 images to 32×32 (the NB201 skeleton's CIFAR size) and optionally repeats grey
/// to RGB; other sizes are kept.
///
/// ```
/// let d = sednas::data::digits().take(2);
/// assert_eq!(sednas::nn::run::prepare(&d, true).images.shape(), &[2, 3, 8, 8]);
/// ```
pub fn prepare(set: &ImageSet, rgb: bool) -> ImageSet {
    let (_, c, h, _) = set.images.dim();
    let side = if h == 28 { 32 } else { h };
    if side != h || (rgb && c == 1) {
        set.to_square_rgb(side, if rgb { 3 } else { c })
    } else {
        set.clone()
    }
}

fn limit(set: &ImageSet, n: usize) -> ImageSet {
    if n == 0 { set.clone() } else { set.take(n) }
}

/// A run directory may be reused only to resume the same run: an existing `config.json`
/// without `resume` is refused (nothing would silently restart over its metrics), and with
/// `resume` it must equal the requested configuration (the error names the keys that
/// differ). Nothing is written here.
fn check_run_dir(out: &Path, json: &str, resume: bool) -> Result<()> {
    let p = out.join("config.json");
    if !p.is_file() {
        return Ok(());
    }
    if !resume {
        return Err(Error::Checkpoint {
            path: out.display().to_string(),
            reason: "already holds a run (config.json): pass --resume to continue it, or choose another --out".into(),
        });
    }
    let text = crate::io::bounded::read_to_string(&p, crate::io::bounded::CONFIG)?;
    let old: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Json {
        what: p.display().to_string(),
        reason: e.to_string(),
    })?;
    let new: serde_json::Value = serde_json::from_str(json).map_err(|e| Error::Json {
        what: "the run's configuration".into(),
        reason: e.to_string(),
    })?;
    let diff = crate::io::json_diff_keys(&old, &new);
    if !diff.is_empty() {
        return Err(Error::ConfigMismatch {
            flag: "--resume",
            dir: out.display().to_string(),
            keys: diff,
            hint: "a resumed run must use the same settings",
        });
    }
    Ok(())
}

/// Trains the NB201 network of `rc` on the (already loaded) training and test splits, in
/// the run directory `out`; returns the trained network and the per-epoch metrics.
///
/// # Errors
/// [`Error::Arch`] for an architecture string that does not parse; the training settings'
/// errors ([`TrainConfig::validate`]); [`Error::Checkpoint`] when `out` already holds a run
/// and `resume` is not set; [`Error::ConfigMismatch`] (`--resume`) when its `config.json`
/// differs, naming the keys; [`Error::Json`] for a stored `config.json` that is not JSON;
/// [`Error::Device`] for a backend that is not there; the network's errors
/// ([`Nb201Net::new`]); [`Error::Io`] for a file that cannot be read or written; and
/// [`train`]'s errors (images the network cannot take, a checkpoint that cannot resume).
///
/// ```
/// use sednas::nn::device::Backend;
/// use sednas::nn::nb201::Nb201NetConfig;
/// use sednas::nn::run::{train_nb201, RunConfig};
/// use sednas::nn::train::{Optim, Schedule, TrainParams};
/// let mut digits = sednas::data::digits().take(4);
/// digits.labels = vec![0; 4]; // one class: the loss is exactly 0
/// digits.classes = 1;
/// let rc = RunConfig {
///     arch: "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|".into(),
///     dataset: "digits".into(),
///     net: Nb201NetConfig { in_channels: 3, width: 1, cells: 1, classes: 1 },
///     rgb: true,
///     train: TrainParams { epochs: 1, batch: 2, lr: 0.01, seed: 0, optim: Optim::Adam, schedule: Schedule::Constant }.check().unwrap(),
///     train_limit: 0,
///     test_limit: 2,
///     device: Backend::Flex,
/// };
/// let dir = std::env::temp_dir().join(format!("sednas-doc-train-nb201-{}", std::process::id()));
/// let (_, m) = train_nb201(&rc, &digits, &digits, &dir, false, false).unwrap();
/// assert_eq!((m.len(), m[0].train_loss, m[0].test_acc), (1, 0.0, 1.0));
/// assert!(dir.join("config.json").is_file() && dir.join("metrics.csv").is_file());
/// // the directory now holds a run: training again without `resume` is refused
/// let e = train_nb201(&rc, &digits, &digits, &dir, false, false).unwrap_err();
/// assert!(matches!(e, sednas::Error::Checkpoint { .. }) && e.to_string().contains("pass --resume"), "{e}");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn train_nb201(
    rc: &RunConfig,
    train_split: &ImageSet,
    test_split: &ImageSet,
    out: &Path,
    resume: bool,
    show_progress: bool,
) -> Result<(Nb201Net, Vec<EpochMetrics>)> {
    let arch: Nb201Arch = rc.arch.parse()?;
    let json = serde_json::to_string_pretty(rc).map_err(|e| Error::Json {
        what: "the run's configuration".into(),
        reason: e.to_string(),
    })?;
    check_run_dir(out, &json, resume)?;
    let tr = prepare(&limit(train_split, rc.train_limit), rc.rgb);
    let te = prepare(&limit(test_split, rc.test_limit), rc.rgb);
    let device = rc.device.train_device()?;
    device.seed(rc.train.seed());
    let net = Nb201Net::new(&arch, &rc.net, &device)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    crate::io::write_atomic(&out.join("config.json"), json.as_bytes())?;
    let batches = tr.len().div_ceil(rc.train.batch().max(1));
    let bar = indicatif::ProgressBar::new((rc.train.epochs() * batches) as u64);
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} steps, epoch {msg} (eta {eta})",
        )
        .expect("template"),
    );
    let r = train(
        net,
        &tr,
        &te,
        &rc.train,
        Some(out),
        resume,
        &device,
        |e, b, _| {
            bar.set_message(e.to_string());
            bar.set_position(((e - 1) * batches + b) as u64);
        },
    );
    bar.finish_and_clear();
    r
}

/// Loads a finished (or checkpointed) run from its folder: the run's `config.json` and the
/// network rebuilt from it with the weights of `model.bpk`, on `device`. Errors name the file.
///
/// # Errors
/// As [`crate::io::bounded::read_to_string`] for `config.json` (missing, too large, not
/// UTF-8); [`Error::Json`] naming it when it does not decode into a [`RunConfig`];
/// [`Error::Arch`] for its architecture; the network's errors ([`Nb201Net::new`]);
/// [`Error::Checkpoint`] naming `model.bpk` when it is missing or does not load into that
/// network.
///
/// ```
/// use sednas::nn::run::load_run;
/// let dir = std::env::temp_dir().join(format!("sednas-doc-load-{}", std::process::id()));
/// // a folder without config.json: an I/O error naming it
/// let e = load_run(&dir, &sednas::nn::cpu()).unwrap_err().to_string();
/// assert!(e.contains("config.json"), "{e}");
/// ```
pub fn load_run(dir: &Path, device: &burn::tensor::Device) -> Result<(RunConfig, Nb201Net)> {
    use burn::module::Module;
    let p = dir.join("config.json");
    let text = crate::io::bounded::read_to_string(&p, crate::io::bounded::CONFIG)?;
    let rc: RunConfig = serde_json::from_str(&text).map_err(|e| Error::Json {
        what: p.display().to_string(),
        reason: e.to_string(),
    })?;
    let arch: Nb201Arch = rc.arch.parse()?;
    let ck = super::train::checkpoint_path(dir);
    let net = Nb201Net::new(&arch, &rc.net, device)?
        .try_load_file(&ck)
        .map_err(|e| Error::Checkpoint {
            path: ck.display().to_string(),
            reason: format!("does not load into the network of config.json: {e:?}"),
        })?;
    Ok((rc, net))
}
