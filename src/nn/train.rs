//! Training: seeded shuffle, cross-entropy, Adam or SGD, per-epoch metrics CSV (written
//! atomically), a checkpoint after every epoch and `--resume` from it, held-out accuracy.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, SgdConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use ndarray::Axis;

use super::{Classifier, from_nchw};
use crate::data::ImageSet;
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// Optimiser choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Optim {
    /// Adam (β = 0.9, 0.999).
    Adam,
    /// Plain SGD.
    Sgd,
}

/// Training settings, checked: made only by [`TrainParams::check`] and by deserializing,
/// which checks too (a stored or hand-written config with zero epochs or a bad learning rate
/// is an error where it is read). Read with the getters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "TrainParams")]
pub struct TrainConfig {
    epochs: usize,
    batch: usize,
    lr: f64,
    seed: u64,
    optim: Optim,
    schedule: Schedule,
}

/// [`TrainConfig`] unchecked (linfa's ParamGuard pattern): set the fields, then
/// [`TrainParams::check`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainParams {
    /// Epochs.
    pub epochs: usize,
    /// Batch size.
    pub batch: usize,
    /// Learning rate.
    pub lr: f64,
    /// Seed (initialisation and shuffling).
    pub seed: u64,
    /// Optimiser.
    pub optim: Optim,
    /// Learning-rate schedule over all steps of the run (default constant).
    #[serde(default)]
    pub schedule: Schedule,
}

impl TryFrom<TrainParams> for TrainConfig {
    type Error = Error;
    fn try_from(u: TrainParams) -> Result<Self> {
        u.check()
    }
}

impl TrainConfig {
    /// Epochs.
    pub fn epochs(&self) -> usize {
        self.epochs
    }
    /// Batch size.
    pub fn batch(&self) -> usize {
        self.batch
    }
    /// Learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }
    /// Seed (initialisation and shuffling).
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Optimiser.
    pub fn optim(&self) -> Optim {
        self.optim
    }
    /// Learning-rate schedule.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }
    /// The settings as unchecked parameters (to change one and check again).
    pub fn params(&self) -> TrainParams {
        TrainParams {
            epochs: self.epochs,
            batch: self.batch,
            lr: self.lr,
            seed: self.seed,
            optim: self.optim,
            schedule: self.schedule,
        }
    }
}

/// Learning-rate schedule. The rate of a step depends only on its index in the whole run,
/// so a resumed run uses the same rates as an uninterrupted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// The same rate for every step.
    #[default]
    Constant,
    /// Cosine decay from `lr` at the first step to 0 after the last.
    Cosine,
}

impl Schedule {
    /// The rate of step `t` (0-based) of `total` steps.
    ///
    /// # Formula
    /// constant: lr; cosine: lr·½·(1 + cos(π·t/total))
    ///
    /// ```
    /// use sednas::nn::train::Schedule;
    /// assert_eq!(Schedule::Constant.rate(0.1, 5, 10), 0.1);
    /// assert_eq!(Schedule::Cosine.rate(0.1, 0, 10), 0.1);
    /// assert!((Schedule::Cosine.rate(0.1, 5, 10) - 0.05).abs() < 1e-15);
    /// ```
    pub fn rate(self, lr: f64, t: usize, total: usize) -> f64 {
        match self {
            Schedule::Constant => lr,
            Schedule::Cosine => {
                lr * 0.5 * (1.0 + (std::f64::consts::PI * t as f64 / total.max(1) as f64).cos())
            }
        }
    }
}

/// Metrics of one epoch.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EpochMetrics {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Training accuracy (running, on the batches seen).
    pub train_acc: f64,
    /// Held-out accuracy.
    pub test_acc: f64,
    /// Wall time of the epoch, seconds.
    pub seconds: f64,
    /// Mean time of one training step (forward, backward, update), milliseconds.
    pub step_ms: f64,
}

fn batch(set: &ImageSet, idx: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let x = set.images.select(Axis(0), idx);
    let y: Vec<i64> = idx.iter().map(|&i| set.labels[i] as i64).collect();
    (
        from_nchw(x.view(), device),
        Tensor::<1, Int>::from_data(TensorData::new(y, [idx.len()]), device),
    )
}

/// Accuracy of `model` (evaluation mode) on `set`, in batches.
///
/// With one class every prediction is right.
///
/// # Errors
/// [`Error::Shape`] for images the model cannot take.
///
/// ```
/// use ndarray::Array4;
/// use sednas::data::ImageSet;
/// use sednas::error::Error;
/// use sednas::nn::plain::{PlainCnn, PlainConfig};
/// use sednas::nn::{cpu, train::accuracy};
/// let device = cpu();
/// let cfg = PlainConfig { in_channels: 1, width: 2, pool: 1, kernel: 1, skip: false, classes: 1 };
/// let net = PlainCnn::new(&cfg, &device).unwrap();
/// let set = ImageSet { name: "ones".into(), images: Array4::ones((3, 1, 8, 8)), labels: vec![0; 3], classes: 1 };
/// assert_eq!(accuracy(&net, &set, 2, &device).unwrap(), 1.0);
/// let empty = set.take(0);
/// assert!(matches!(accuracy(&net, &empty, 2, &device), Err(Error::Empty { what: "evaluation set", .. })));
/// ```
pub fn accuracy<M: Classifier>(
    model: &M,
    set: &ImageSet,
    batch_size: usize,
    device: &Device,
) -> Result<f64> {
    if set.len() == 0 {
        return Err(Error::Empty {
            what: "evaluation set",
            shape: vec![0],
        });
    }
    let m = model.valid();
    let mut correct = 0usize;
    for start in (0..set.len()).step_by(batch_size.max(1)) {
        let idx: Vec<usize> = (start..(start + batch_size).min(set.len())).collect();
        let (x, y) = batch(set, &idx, device);
        let (logits, _) = m.forward_features(x);
        let pred = logits.argmax(1).flatten::<1>(0, 1);
        let eq: Vec<bool> = pred
            .equal(y)
            .into_data()
            .try_into_vec::<bool>()
            .map_err(|e| Error::Internal {
                what: "tensor data",
                reason: format!("{e:?}"),
            })?;
        correct += eq.iter().filter(|&&b| b).count();
    }
    Ok(correct as f64 / set.len() as f64)
}

/// Files of a training run in `dir`.
///
/// ```
/// use std::path::{Path, PathBuf};
/// assert_eq!(sednas::nn::train::checkpoint_path(Path::new("runs/a")), PathBuf::from("runs/a/model.bpk"));
/// ```
pub fn checkpoint_path(dir: &Path) -> PathBuf {
    dir.join("model.bpk")
}

/// Optimizer state of a run (Adam's moments and step counts), saved beside the checkpoint
/// after every epoch so that `--resume` continues exactly where the run stopped.
///
/// ```
/// use std::path::{Path, PathBuf};
/// assert_eq!(sednas::nn::train::optimizer_path(Path::new("runs/a")), PathBuf::from("runs/a/optim.bpk"));
/// ```
pub fn optimizer_path(dir: &Path) -> PathBuf {
    dir.join("optim.bpk")
}

/// A staged file of epoch `epoch`: `model.bpk` → `model.bpk.e3.next`.
fn staged(path: &Path, epoch: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".e{epoch}.next"));
    PathBuf::from(s)
}

/// Finishes or discards an epoch's commit after a kill. An epoch is saved as
/// (1) `model.bpk.eK.next` and `optim.bpk.eK.next` written in full, (2) `metrics.csv` with row
/// K written atomically (the commit point), (3) the staged files renamed over `model.bpk` and
/// `optim.bpk`. A kill before (2) leaves staged files of an epoch the metrics do not list:
/// they are removed and the epoch runs again from the previous state. A kill after (2) leaves
/// staged files of the last listed epoch: they are renamed into place. Either way no epoch is
/// lost or trained twice.
fn recover_staged(dir: &Path, epochs_done: usize) -> Result<()> {
    for final_path in [checkpoint_path(dir), optimizer_path(dir)] {
        let name = final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(epoch) = file
                .strip_prefix(&format!("{name}.e"))
                .and_then(|r| r.strip_suffix(".next"))
                .and_then(|k| k.parse::<usize>().ok())
            else {
                continue;
            };
            if epoch == epochs_done {
                std::fs::rename(entry.path(), &final_path)
                    .map_err(|e| Error::io(&final_path, e))?;
            } else {
                std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            }
        }
    }
    Ok(())
}

/// Metrics CSV of a run.
///
/// ```
/// use std::path::{Path, PathBuf};
/// assert_eq!(sednas::nn::train::metrics_path(Path::new("runs/a")), PathBuf::from("runs/a/metrics.csv"));
/// ```
pub fn metrics_path(dir: &Path) -> PathBuf {
    dir.join("metrics.csv")
}

fn write_metrics(dir: &Path, rows: &[EpochMetrics]) -> Result<()> {
    let mut s = String::from("epoch,train_loss,train_acc,test_acc,seconds,step_ms\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.epoch, r.train_loss, r.train_acc, r.test_acc, r.seconds, r.step_ms
        ));
    }
    crate::io::write_atomic(&metrics_path(dir), s.as_bytes())
}

fn read_metrics(dir: &Path) -> Result<Vec<EpochMetrics>> {
    let p = metrics_path(dir);
    let text = crate::io::bounded::read_to_string(&p, crate::io::bounded::CSV)?;
    let mut v = Vec::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        let f: Vec<Option<f64>> = line.split(',').map(|x| x.parse().ok()).collect();
        // test_acc (column 4) is NaN for a run without held-out images; every other field is
        // a finite number
        let ok = f.len() == 6
            && f.iter()
                .enumerate()
                .all(|(i, x)| x.is_some_and(|v| v.is_finite() || (i == 3 && v.is_nan())));
        if !ok {
            return Err(Error::Csv {
                path: p.display().to_string(),
                line: k as u64 + 1,
                reason: "bad metrics row".into(),
            });
        }
        let f: Vec<f64> = f.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        v.push(EpochMetrics {
            epoch: f[0] as usize,
            train_loss: f[1],
            train_acc: f[2],
            test_acc: f[3],
            seconds: f[4],
            step_ms: f[5],
        });
    }
    Ok(v)
}

impl TrainParams {
    /// Checks the settings before any work (or any file) is written: epochs ≥ 1, batch ≥ 1,
    /// a finite learning rate > 0.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero epochs or batch, or a learning rate that is not
    /// finite and > 0.
    ///
    /// ```
    /// use sednas::nn::train::{Optim, Schedule, TrainConfig, TrainParams};
    /// let c = TrainParams { epochs: 1, batch: 64, lr: 0.01, seed: 0, optim: Optim::Adam, schedule: Schedule::Constant };
    /// assert_eq!(c.check().unwrap().epochs(), 1);
    /// assert!(TrainParams { epochs: 0, ..c }.check().is_err());
    /// assert!(TrainParams { lr: f64::NAN, ..c }.check().is_err());
    /// // deserializing checks too
    /// let j = r#"{"epochs": 0, "batch": 64, "lr": 0.01, "seed": 0, "optim": "adam"}"#;
    /// assert!(serde_json::from_str::<TrainConfig>(j).unwrap_err().to_string().contains("epochs"));
    /// ```
    pub fn check(self) -> Result<TrainConfig> {
        if self.epochs == 0 || self.batch == 0 {
            return Err(Error::param(
                "training",
                format!(
                    "epochs and batch must be ≥ 1, got epochs {} and batch {}",
                    self.epochs, self.batch
                ),
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::param(
                "lr",
                format!("must be finite and > 0, got {}", self.lr),
            ));
        }
        Ok(TrainConfig {
            epochs: self.epochs,
            batch: self.batch,
            lr: self.lr,
            seed: self.seed,
            optim: self.optim,
            schedule: self.schedule,
        })
    }
}

/// Trains `model` on `train` and evaluates on `test` after every epoch. With `out`, writes
/// `metrics.csv` and a checkpoint each epoch; with `resume`, continues from them (the epoch
/// count includes the epochs already done; shuffles depend on (seed, epoch) only, so a resumed
/// run sees the same batches as an uninterrupted one). `progress` gets (epoch, batch, batches).
///
/// With one class the cross-entropy is exactly 0 and every prediction is right.
///
/// # Errors
/// [`Error::InvalidParameter`] for no training images or a device without autodiff;
/// [`Error::Shape`] for images the model cannot take; [`Error::Checkpoint`] / [`Error::Io`]
/// for a run folder that cannot be resumed or written; [`Error::NonFinite`] for a diverging
/// loss.
///
/// ```
/// use ndarray::Array4;
/// use sednas::data::ImageSet;
/// use sednas::error::Error;
/// use sednas::nn::plain::{PlainCnn, PlainConfig};
/// use sednas::nn::train::{train, Optim, Schedule, TrainParams};
/// use sednas::nn::{cpu, train_device};
/// let device = train_device();
/// let cfg = PlainConfig { in_channels: 1, width: 2, pool: 1, kernel: 1, skip: false, classes: 1 };
/// let set = ImageSet { name: "ones".into(), images: Array4::ones((4, 1, 8, 8)), labels: vec![0; 4], classes: 1 };
/// let tc = TrainParams { epochs: 1, batch: 2, lr: 0.01, seed: 0, optim: Optim::Sgd, schedule: Schedule::Constant }.check().unwrap();
/// let net = PlainCnn::new(&cfg, &device).unwrap();
/// let (_, m) = train(net, &set, &set, &tc, None, false, &device, |_, _, _| {}).unwrap();
/// assert_eq!(m.len(), 1);
/// assert_eq!((m[0].epoch, m[0].train_loss, m[0].train_acc, m[0].test_acc), (1, 0.0, 1.0, 1.0));
/// // a device without autodiff cannot train
/// let net = PlainCnn::new(&cfg, &cpu()).unwrap();
/// let r = train(net, &set, &set, &tc, None, false, &cpu(), |_, _, _| {});
/// assert!(matches!(r, Err(Error::InvalidParameter { name: "device", .. })));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn train<M: Classifier>(
    mut model: M,
    train: &ImageSet,
    test: &ImageSet,
    cfg: &TrainConfig,
    out: Option<&Path>,
    resume: bool,
    device: &Device,
    mut progress: impl FnMut(usize, usize, usize),
) -> Result<(M, Vec<EpochMetrics>)> {
    if train.len() == 0 {
        return Err(Error::param(
            "training",
            "needs at least one training image",
        ));
    }
    // shapes the network cannot take are refused before any file is written
    let (n, c, h, w) = train.images.dim();
    model.check_input([n, c, h, w])?;
    if test.len() > 0 {
        let (n, c, h, w) = test.images.dim();
        model.check_input([n, c, h, w])?;
    }
    if !device.is_autodiff() {
        return Err(Error::param(
            "device",
            "training needs an autodiff device (use sednas::nn::train_device())",
        ));
    }
    let mut history = Vec::new();
    let mut opt = match cfg.optim {
        Optim::Adam => AdamConfig::new().init(),
        Optim::Sgd => SgdConfig::new().init(),
    };
    if let (Some(dir), true) = (out, resume)
        && metrics_path(dir).is_file()
    {
        history = read_metrics(dir)?;
        recover_staged(dir, history.len())?;
        let bad = |what: &Path, why: String| Error::Checkpoint {
            path: what.display().to_string(),
            reason: why.to_string(),
        };
        if !history.is_empty() {
            let (mp, op) = (checkpoint_path(dir), optimizer_path(dir));
            if !op.is_file() {
                return Err(bad(
                    &op,
                    "missing: without the optimizer state a resumed run would not equal an \
                     uninterrupted one (runs saved before sednas kept it cannot be resumed)"
                        .into(),
                ));
            }
            model = model
                .try_load_file(&mp)
                .map_err(|e| bad(&mp, format!("{e:?}")))?;
            let rec =
                burn::optim::OptimizerRecord::load(&op).map_err(|e| bad(&op, format!("{e:?}")))?;
            opt = opt.load_record(rec);
        }
    }
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let n = train.len();
    let batches = n.div_ceil(cfg.batch);
    for epoch in history.len() + 1..=cfg.epochs {
        let t0 = Instant::now();
        let mut order: Vec<usize> = (0..n).collect();
        let mut r = SplitMix64::new(cfg.seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for i in (1..n).rev() {
            order.swap(i, r.below(i as u64 + 1) as usize);
        }
        let (mut loss_sum, mut correct, mut step_time) = (0.0, 0usize, 0.0);
        for (b, idx) in order.chunks(cfg.batch).enumerate() {
            let ts = Instant::now();
            let (x, y) = batch(train, idx, device);
            let (logits, _) = model.forward_features(x);
            let pred = logits.clone().argmax(1).flatten::<1>(0, 1);
            let loss = loss_fn.forward(logits, y.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            let lr = cfg
                .schedule
                .rate(cfg.lr, (epoch - 1) * batches + b, cfg.epochs * batches);
            model = opt.step(lr, model, grads);
            step_time += ts.elapsed().as_secs_f64();
            let l: f32 = loss.into_scalar::<f32>();
            if !l.is_finite() {
                return Err(Error::param(
                    "training",
                    format!("loss became {l} at epoch {epoch}, batch {b}"),
                ));
            }
            loss_sum += l as f64 * idx.len() as f64;
            let eq: Vec<bool> = pred
                .equal(y)
                .into_data()
                .try_into_vec::<bool>()
                .map_err(|e| Error::Internal {
                    what: "tensor data",
                    reason: format!("{e:?}"),
                })?;
            correct += eq.iter().filter(|&&v| v).count();
            progress(epoch, b + 1, batches);
        }
        let test_acc = if test.len() > 0 {
            accuracy(&model, test, 256, device)?
        } else {
            f64::NAN
        };
        history.push(EpochMetrics {
            epoch,
            train_loss: loss_sum / n as f64,
            train_acc: correct as f64 / n as f64,
            test_acc,
            seconds: t0.elapsed().as_secs_f64(),
            step_ms: 1e3 * step_time / batches as f64,
        });
        if let Some(dir) = out {
            // stage, commit (metrics), move into place: see `recover_staged`
            let (mp, op) = (checkpoint_path(dir), optimizer_path(dir));
            let (ms, os) = (staged(&mp, epoch), staged(&op, epoch));
            let fail = |e| Error::Checkpoint {
                path: dir.display().to_string(),
                reason: format!("{e:?}"),
            };
            model.clone().save_file(&ms).map_err(fail)?;
            opt.to_record().save(&os).map_err(fail)?;
            write_metrics(dir, &history)?;
            std::fs::rename(&ms, &mp).map_err(|e| Error::io(&mp, e))?;
            std::fs::rename(&os, &op).map_err(|e| Error::io(&op, e))?;
        }
    }
    Ok((model, history))
}
