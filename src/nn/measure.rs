//! Measured local entropy of NB201, NB101 and DARTS networks at initialisation (`sednas measure`): build the
//! network for a cell with a fixed init seed, forward a fixed batch, capture every cell /
//! stage output both as it leaves the cell (`out`) and after the ReLU that the next
//! ReLU-Conv-BN applies (`relu`, what the convolution actually sees), and measure each map
//! (`entropy::profile`, burn-free and shared with the Python package, does the measuring).
//!
//! Per map (windows 3×3×1 — one channel, so that H2's d = 9 stays below the batch size —
//! border `valid`, so that every window has exactly 9 entries):
//! * `h1x`: mean local H1 with the **exact** estimator (Definition 1: value frequencies);
//! * `distinct`: the fraction of windows whose 9 values are all different (H1 = log2 9). On
//!   pre-activation float maps this is ≈ 1 and exact H1 is *degenerate* (it only counts
//!   distinct values); the binned H1 is the informative one there;
//! * `h1b`: mean local H1 with `binned:N` — N equal-width bins over the range of each
//!   image's map (all channels of one image share the range);
//! * `zero`: the fraction of windows whose exact H1 is 0 (all 9 entries equal);
//! * `h2`: mean local H2 across the batch over the non-singular windows, and `singular`,
//!   the fraction of singular ones.
//!
//! The network runs with batch-statistics BatchNorm (train mode, as zero-cost proxies
//! evaluate at initialisation; on burn's plain Flex device through `nn::BatchStats`, which
//! gives the autodiff device's train-mode values without its per-forward memory); weights are burn 0.22's default
//! initialisers after `device.seed(seed)` (convolutions and the classifier: Kaiming-uniform
//! on fan-in; BatchNorm γ = 1, β = 0).

use burn::tensor::activation::relu;
use ndarray::{Array4, ArrayView4};

use super::nb201::{Nb201Net, Nb201NetConfig};
use super::{Classifier, from_nchw, to_nhwc};
use crate::arch::SpaceKind;
use crate::arch::nb201::Nb201Arch;
use crate::arch::space::SearchSpace;
// The per-map figures and the summaries are burn-free (`entropy::profile`, shared with the
// Python package); re-exported here so that `nn::measure::measure_map` etc. keep working.
pub use crate::entropy::profile::{MapMeasure, SUMMARIES, measure_map, measure_pair, summaries};
use crate::entropy::profile::{ProfileOptions, profile_map};
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// What the network sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum MeasureInput {
    /// Gaussian N(0, 1) images from the seed (data-free).
    Noise,
    /// The 20 real CIFAR-10 test images of `scripts/fetch-data.sh`.
    Cifar,
    /// The 20 real CIFAR-100 test images of `scripts/fetch-data.sh`.
    Cifar100,
    /// The 20 CIFAR-10 and 20 CIFAR-100 images, alternating (C10, C100, C10, …; up to 40).
    #[serde(rename = "cifar-mixed")]
    CifarMixed,
    /// 64 natural-image patches embedded in the binary ([`crate::data::patches`]): no
    /// dataset needed.
    Patches,
    /// Fashion-MNIST test images, zero-padded to 32×32 and repeated to 3 channels.
    Fashion,
    /// MNIST test images, likewise.
    Mnist,
}

impl std::fmt::Display for MeasureInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MeasureInput::Noise => "noise",
            MeasureInput::Cifar => "cifar",
            MeasureInput::Cifar100 => "cifar100",
            MeasureInput::CifarMixed => "cifar-mixed",
            MeasureInput::Patches => "patches",
            MeasureInput::Fashion => "fashion",
            MeasureInput::Mnist => "mnist",
        })
    }
}

/// What a measurement computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureScope {
    /// Every figure of every captured map, `out` and `relu` (the per-layer columns of a
    /// `sednas measure` row).
    #[default]
    Layers,
    /// Only what [`SUMMARIES`] read: the `relu` maps (exact and binned H1 with the zero
    /// fraction) and H2 of the first and the last of them (NaN elsewhere); no `out` maps.
    /// The summaries are bit for bit those of [`MeasureScope::Layers`].
    Summaries,
}

impl MeasureScope {
    fn is_layers(&self) -> bool {
        *self == MeasureScope::Layers
    }
}

/// Settings of a measurement, checked for one space: made only by [`MeasureParams::check`]
/// (or [`MeasureConfig::at_scale`]). Read with the getters; it serializes as its
/// parameters (the space is not part of the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MeasureConfig {
    width: usize,
    cells: usize,
    batch: usize,
    input: MeasureInput,
    seed: u64,
    bins: usize,
    /// Not one of [`MeasureParams`]: set by [`MeasureConfig::with_scope`]; serialized only
    /// when not `layers`, so a layers run's configuration reads as before the scope existed.
    #[serde(skip_serializing_if = "MeasureScope::is_layers")]
    scope: MeasureScope,
    #[serde(skip)]
    space: SpaceKind,
}

/// [`MeasureConfig`] unchecked (linfa's ParamGuard pattern): set the fields, then
/// [`MeasureParams::check`] for a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MeasureParams {
    /// Width C of the first stage (benchmark: 16).
    pub width: usize,
    /// Cells per stage N (benchmark: 5).
    pub cells: usize,
    /// Images in the batch (> 9 so that H2's 9-entry windows can be non-singular).
    pub batch: usize,
    /// Input images.
    pub input: MeasureInput,
    /// Init seed (and the noise seed).
    pub seed: u64,
    /// Bins of the binned H1 estimator.
    pub bins: usize,
}

impl MeasureConfig {
    /// Width C of the first stage.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Cells per stage (NB201), modules per stack (NB101) or cells (DARTS).
    pub fn cells(&self) -> usize {
        self.cells
    }
    /// Images in the batch.
    pub fn batch(&self) -> usize {
        self.batch
    }
    /// Input images.
    pub fn input(&self) -> MeasureInput {
        self.input
    }
    /// Init seed (and the noise seed).
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Bins of the binned H1 estimator.
    pub fn bins(&self) -> usize {
        self.bins
    }
    /// The space the settings were checked for.
    pub fn space(&self) -> SpaceKind {
        self.space
    }
    /// What is measured ([`MeasureScope::Layers`] unless [`MeasureConfig::with_scope`]).
    pub fn scope(&self) -> MeasureScope {
        self.scope
    }
    /// The same settings measuring `scope`.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::nn::measure::{MeasureConfig, MeasureInput, MeasureScope};
    /// let c = MeasureConfig::at_scale(SpaceKind::Nb201, None, None, 16, MeasureInput::Noise, 0, 16).unwrap();
    /// assert_eq!(c.scope(), MeasureScope::Layers);
    /// assert_eq!(c.with_scope(MeasureScope::Summaries).scope(), MeasureScope::Summaries);
    /// ```
    pub fn with_scope(self, scope: MeasureScope) -> Self {
        MeasureConfig { scope, ..self }
    }
    /// The settings as unchecked parameters (to change one and check again; the scope is
    /// not among them: set it again with [`MeasureConfig::with_scope`]).
    pub fn params(&self) -> MeasureParams {
        MeasureParams {
            width: self.width,
            cells: self.cells,
            batch: self.batch,
            input: self.input,
            seed: self.seed,
            bins: self.bins,
        }
    }

    /// Refuses a network of another space than the one the settings were checked for.
    pub(crate) fn expect_space(&self, space: SpaceKind) -> Result<()> {
        if self.space != space {
            return Err(Error::param(
                "space",
                format!(
                    "settings checked for {} used for a {space} network",
                    self.space
                ),
            ));
        }
        Ok(())
    }
}

impl MeasureParams {
    /// The checked settings for networks of `space`: every setting is checked before any work: widths and cell counts
    /// NB201 1..=64 × 1..=5, NB101 1..=128 × 1..=3, DARTS even 2..=64 × 3..=20 (the
    /// benchmark scale is the upper end; beyond it one network takes minutes and GBs).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting (`width`, `cells`, `batch`, `bins`) or
    /// the space without a network.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::nn::measure::{MeasureInput, MeasureParams};
    /// let c = MeasureParams { width: 16, cells: 1, batch: 16, input: MeasureInput::Noise, seed: 0, bins: 16 };
    /// assert_eq!(c.check(SpaceKind::Nb101).unwrap().width(), 16);
    /// assert!(c.check(SpaceKind::Darts).is_err()); // DARTS needs ≥ 3 cells
    /// assert!(c.check(SpaceKind::NatsSss).is_err()); // no network
    /// assert!(MeasureParams { batch: 9, ..c }.check(SpaceKind::Nb201).is_err());
    /// assert!(MeasureParams { width: 0, ..c }.check(SpaceKind::Nb201).is_err());
    /// ```
    pub fn check(self, space: SpaceKind) -> Result<MeasureConfig> {
        let (w, c, even): (
            std::ops::RangeInclusive<usize>,
            std::ops::RangeInclusive<usize>,
            bool,
        ) = match space {
            SpaceKind::Nb201 => (1..=64, 1..=5, false),
            SpaceKind::Nb101 => (1..=128, 1..=3, false),
            SpaceKind::Darts => (2..=64, 3..=20, true),
            SpaceKind::NatsSss => {
                return Err(Error::param(
                    "space",
                    "nats-sss: no measured network (NB201, NB101 and DARTS have one)",
                ));
            }
        };
        if !w.contains(&self.width) || (even && !self.width.is_multiple_of(2)) {
            return Err(Error::param(
                "width",
                format!(
                    "{space} width must be {}{}..={}, got {}",
                    if even { "even, " } else { "" },
                    w.start(),
                    w.end(),
                    self.width
                ),
            ));
        }
        if !c.contains(&self.cells) {
            return Err(Error::param(
                "cells",
                format!(
                    "{space} cells must be {}..={}, got {}",
                    c.start(),
                    c.end(),
                    self.cells
                ),
            ));
        }
        self.check_input()?;
        Ok(MeasureConfig {
            width: self.width,
            cells: self.cells,
            batch: self.batch,
            input: self.input,
            seed: self.seed,
            bins: self.bins,
            scope: MeasureScope::Layers,
            space,
        })
    }

    /// The settings every space shares: batch 10..=256 (at most 20 for cifar and cifar100, 40
    /// for cifar-mixed, 64 for patches), bins 2..=65536.
    fn check_input(&self) -> Result<()> {
        if !(10..=256).contains(&self.batch) {
            return Err(Error::param(
                "batch",
                format!(
                    "must be 10..=256 (H2 needs more images than the 9 entries of a window), got {}",
                    self.batch
                ),
            ));
        }
        if !(2..=65_536).contains(&self.bins) {
            return Err(Error::param(
                "bins",
                format!("must be 2..=65536, got {}", self.bins),
            ));
        }
        let available = match self.input {
            MeasureInput::Cifar | MeasureInput::Cifar100 => Some(20),
            MeasureInput::CifarMixed => Some(40),
            MeasureInput::Patches => Some(64),
            MeasureInput::Noise | MeasureInput::Fashion | MeasureInput::Mnist => None,
        };
        if let Some(n) = available.filter(|&n| self.batch > n) {
            return Err(Error::param(
                "batch",
                format!(
                    "--input {} has {n} images, asked for {}",
                    self.input, self.batch
                ),
            ));
        }
        Ok(())
    }
}

impl MeasureConfig {
    /// The benchmark's own scale: C = 16, N = 5.
    pub const BENCHMARK: (usize, usize) = (16, 5);
    /// The documented reduced scale: C = 8, N = 1.
    pub const REDUCED: (usize, usize) = (8, 1);

    /// The scale of `space` at the reduced scale `sednas measure` uses by default:
    /// NB201 (C, N) = (8, 1); NB101 (C, M) = (16, 1); DARTS (C, L) = (8, 5).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::nn::measure::MeasureConfig;
    /// assert_eq!(MeasureConfig::reduced(SpaceKind::Nb101), Some((16, 1)));
    /// assert_eq!(MeasureConfig::reduced(SpaceKind::NatsSss), None);
    /// ```
    pub fn reduced(space: SpaceKind) -> Option<(usize, usize)> {
        crate::for_each_space!(space, S => <S as Measured>::REDUCED)
    }

    /// The benchmark's own scale of `space`: NB201 (16, 5); NB101 (128, 3); DARTS (16, 8),
    /// the small evaluation network of issue 11 (DARTS' CIFAR-10 network is C = 36, L = 20).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::nn::measure::MeasureConfig;
    /// assert_eq!(MeasureConfig::benchmark(SpaceKind::Nb101), Some((128, 3)));
    /// ```
    pub fn benchmark(space: SpaceKind) -> Option<(usize, usize)> {
        crate::for_each_space!(space, S => <S as Measured>::BENCHMARK)
    }

    /// The checked settings for networks of `space`, at its reduced scale
    /// ([`MeasureConfig::reduced`]) unless `width` / `cells` say otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a space without a network or a setting outside
    /// [`MeasureParams::check`]'s ranges.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::nn::measure::{MeasureConfig, MeasureInput};
    /// let c = MeasureConfig::at_scale(SpaceKind::Darts, None, None, 16, MeasureInput::Noise, 0, 16).unwrap();
    /// assert_eq!((c.width(), c.cells()), (8, 5));
    /// assert!(MeasureConfig::at_scale(SpaceKind::NatsSss, None, None, 16, MeasureInput::Noise, 0, 16).is_err());
    /// ```
    pub fn at_scale(
        space: SpaceKind,
        width: Option<usize>,
        cells: Option<usize>,
        batch: usize,
        input: MeasureInput,
        seed: u64,
        bins: usize,
    ) -> Result<Self> {
        let Some((w0, c0)) = Self::reduced(space) else {
            return Err(Error::param(
                "--space",
                format!("{space}: no measured network (nb201, nb101 and darts have one)"),
            ));
        };
        MeasureParams {
            width: width.unwrap_or(w0),
            cells: cells.unwrap_or(c0),
            batch,
            input,
            seed,
            bins,
        }
        .check(space)
    }
}

/// The input batch (n×3×32×32) for `cfg`; image files come from `data_dir`.
///
/// # Errors
/// [`Error::Io`] / [`Error::Idx`] / [`Error::Png`] when the images of `cfg.input()` cannot
/// be loaded from `data_dir` (run `scripts/fetch-data.sh`), or fewer images than the batch.
///
/// ```
/// use sednas::nn::measure::{measure_inputs, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 8, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb201).unwrap();
/// // noise needs no files
/// let x = measure_inputs(&cfg, std::path::Path::new("no-such-dir")).unwrap();
/// assert_eq!(x.shape(), &[10, 3, 32, 32]);
/// assert_eq!(x[[0, 0, 0, 0]], -0.466_271_28);
/// assert!(MeasureParams { batch: 5, ..cfg.params() }.check(sednas::arch::SpaceKind::Nb201).is_err());
/// ```
pub fn measure_inputs(cfg: &MeasureConfig, data_dir: &std::path::Path) -> Result<Array4<f32>> {
    use crate::data::{Split, load_named};
    Ok(match cfg.input {
        MeasureInput::Noise => {
            let mut r = SplitMix64::new(cfg.seed ^ 0x006e_6f69_7365);
            Array4::from_shape_simple_fn((cfg.batch, 3, 32, 32), || {
                let u1 = r.unit().max(f64::MIN_POSITIVE);
                let u2 = r.unit();
                ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
            })
        }
        MeasureInput::Cifar | MeasureInput::Cifar100 => {
            let name = if cfg.input == MeasureInput::Cifar {
                "cifar10-test20"
            } else {
                "cifar100-test20"
            };
            let set = load_named(name, data_dir, Split::Test)?;
            if set.len() < cfg.batch {
                return Err(too_few_images(name, data_dir, set.len(), cfg.batch));
            }
            set.take(cfg.batch).to_square_rgb(32, 3).images
        }
        MeasureInput::CifarMixed => {
            let a = load_named("cifar10-test20", data_dir, Split::Test)?;
            let b = load_named("cifar100-test20", data_dir, Split::Test)?;
            let (na, nb) = (cfg.batch.div_ceil(2), cfg.batch / 2);
            if a.len() < na || b.len() < nb {
                return Err(too_few_images(
                    "cifar10-test20 + cifar100-test20",
                    data_dir,
                    a.len() + b.len(),
                    cfg.batch,
                ));
            }
            let mut x = Array4::<f32>::zeros((cfg.batch, 3, 32, 32));
            for i in 0..cfg.batch {
                let src = if i % 2 == 0 {
                    a.images.index_axis(ndarray::Axis(0), i / 2)
                } else {
                    b.images.index_axis(ndarray::Axis(0), i / 2)
                };
                x.index_axis_mut(ndarray::Axis(0), i).assign(&src);
            }
            x
        }
        MeasureInput::Patches => crate::data::patches()?.take(cfg.batch).images,
        MeasureInput::Fashion | MeasureInput::Mnist => {
            let name = if cfg.input == MeasureInput::Fashion {
                "fashion-mnist"
            } else {
                "mnist"
            };
            load_named(name, data_dir, Split::Test)?
                .take(cfg.batch)
                .to_square_rgb(32, 3)
                .images
        }
    })
}

fn too_few_images(name: &str, data_dir: &std::path::Path, have: usize, want: usize) -> Error {
    Error::param(
        "batch",
        format!(
            "{name} in {} has {have} images, the batch asks for {want} (scripts/fetch-data.sh cifar)",
            data_dir.display()
        ),
    )
}

/// Builds the NB201 network of `arch` at `cfg`'s scale (init seed `cfg.seed`), forwards
/// `images` (n×3×32×32) and measures every captured map, `out` and `relu`.
///
/// An all-`none` cell outputs zeros: every window of its maps has H1 = 0.
///
/// # Errors
/// [`Error::InvalidParameter`] (`space`) for settings checked for another space;
/// [`Error::Shape`] for images the network cannot take.
///
/// ```
/// use sednas::arch::nb201::Nb201Arch;
/// use sednas::nn::measure::{measure_inputs, measure_nb201, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 1, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb201).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let a: Nb201Arch = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|".parse().unwrap();
/// let m = measure_nb201(&a, &cfg, x.view()).unwrap();
/// let names: Vec<_> = m.iter().filter(|m| m.kind == "out").map(|m| m.layer.as_str()).collect();
/// assert_eq!(
///     names,
///     ["stem", "stage1_cell1", "reduction1", "stage2_cell1", "reduction2", "stage3_cell1"]
/// );
/// assert_eq!((m[2].layer.as_str(), m[2].kind, m[2].zero, m[2].h1x), ("stage1_cell1", "out", 1.0, 0.0));
/// ```
pub fn measure_nb201(
    arch: &Nb201Arch,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
) -> Result<Vec<MapMeasure>> {
    cfg.expect_space(SpaceKind::Nb201)?;
    let net_cfg = Nb201NetConfig {
        in_channels: images.dim().1,
        width: cfg.width,
        cells: cfg.cells,
        classes: 10,
    };
    build_and_measure(cfg, images, |d| Nb201Net::new(arch, &net_cfg, d))
}

/// Builds the NB101 network of `arch` (stem width `cfg.width`, `cfg.cells` modules per
/// stack; init seed `cfg.seed`), forwards `images` (n×3×32×32) and measures every captured
/// map (stem, each module, each downsampling), `out` and `relu`. NB101's modules end in
/// ReLU already (conv-BN-ReLU vertices, concatenated), so the two kinds differ only where a
/// max-pool vertex or a sum carries negative values. The benchmark's scale is C = 128,
/// M = 3.
///
/// # Errors
/// As [`measure_nb201`].
///
/// ```
/// use sednas::arch::nb101::Nb101Arch;
/// use sednas::nn::measure::{measure_inputs, measure_nb101, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 2, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb101).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let a = Nb101Arch::from_parts("010001000", &["input", "conv3x3-bn-relu", "output"]).unwrap();
/// let m = measure_nb101(&a, &cfg, x.view()).unwrap();
/// let names: Vec<_> = m.iter().filter(|m| m.kind == "relu").map(|m| m.layer.as_str()).collect();
/// assert_eq!(
///     names,
///     ["stem", "stack1_module1", "downsample1", "stack2_module1", "downsample2", "stack3_module1"]
/// );
/// ```
pub fn measure_nb101(
    arch: &crate::arch::nb101::Nb101Arch,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
) -> Result<Vec<MapMeasure>> {
    use crate::nn::nb101::{Nb101Net, Nb101NetConfig};
    cfg.expect_space(SpaceKind::Nb101)?;
    let net_cfg = Nb101NetConfig {
        in_channels: images.dim().1,
        width: cfg.width,
        modules: cfg.cells,
        classes: 10,
    };
    build_and_measure(cfg, images, |d| Nb101Net::new(arch, &net_cfg, d))
}

/// Builds the DARTS evaluation network of `g` (C = `cfg.width`, L = `cfg.cells` cells;
/// init seed `cfg.seed`), forwards `images` and measures the stem and every cell output,
/// `out` and `relu` (each cell's preprocessing begins with a ReLU, so `relu` is what the next
/// cells' convolutions see).
///
/// # Errors
/// As [`measure_nb201`].
///
/// ```
/// use sednas::arch::darts::Genotype;
/// use sednas::nn::measure::{measure_darts, measure_inputs, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 2, cells: 3, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Darts).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let cell = "skip_connect~0;skip_connect~1;none~0;none~1;none~0;none~1;none~0;none~1";
/// let g = Genotype::from_naslib(cell, cell).unwrap();
/// let m = measure_darts(&g, &cfg, x.view()).unwrap();
/// let names: Vec<_> = m.iter().map(|m| (m.layer.as_str(), m.kind)).collect();
/// assert_eq!(names.len(), 8);
/// assert_eq!(&names[..4], [("stem", "out"), ("stem", "relu"), ("cell1", "out"), ("cell1", "relu")]);
/// assert_eq!(names[7], ("cell3_reduce", "relu"));
/// ```
pub fn measure_darts(
    g: &crate::arch::darts::Genotype,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
) -> Result<Vec<MapMeasure>> {
    use crate::nn::darts::{DartsNet, DartsNetConfig};
    cfg.expect_space(SpaceKind::Darts)?;
    let net_cfg = DartsNetConfig {
        in_channels: images.dim().1,
        width: cfg.width,
        cells: cfg.cells,
        classes: 10,
    };
    build_and_measure(cfg, images, |d| DartsNet::new(g, &net_cfg, d))
}

/// A search space whose networks `sednas measure` builds and measures: implemented in
/// `nn/` for the spaces of `arch/` (the network knows its topology; the topology knows
/// nothing of networks), once per space, next to the network: [`super::nb201`],
/// [`super::nb101`], [`super::darts`]; NATS-SSS here (no network).
pub trait Measured: SearchSpace {
    /// (width, cells) of the reduced scale `sednas measure` uses by default (`None`: no
    /// network).
    const REDUCED: Option<(usize, usize)>;
    /// (width, cells) of the benchmark's own network.
    const BENCHMARK: Option<(usize, usize)>;

    /// Builds the space's network from `a` at initialisation and measures the local entropy
    /// of its feature maps on `images`; `None` where the space has no network here.
    fn measure(
        _a: &Self::Arch,
        _cfg: &MeasureConfig,
        _images: ArrayView4<'_, f32>,
    ) -> Option<Result<Vec<MapMeasure>>> {
        None
    }
}

impl Measured for crate::arch::nats_sss::NatsSss {
    const REDUCED: Option<(usize, usize)> = None;
    const BENCHMARK: Option<(usize, usize)> = None;
}

/// The shared steps: the plain device seeded with `cfg.seed`, the network `build` makes on
/// it, then [`measure_features`].
fn build_and_measure<M: Classifier>(
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
    build: impl FnOnce(&burn::tensor::Device) -> Result<M>,
) -> Result<Vec<MapMeasure>> {
    let device = super::cpu();
    device.seed(cfg.seed);
    let net = build(&device)?;
    measure_features(&net, images, &device, cfg.bins, cfg.scope)
}

/// [`measure_nb201`], [`measure_nb101`] or [`measure_darts`], by the architecture's space
/// (the entry point the CLI and the Python package share). NATS-SSS has no network here.
///
/// # Errors
/// As [`measure_nb201`]; [`Error::InvalidParameter`] for an architecture of a space without
/// a network (NATS-SSS).
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// use sednas::error::Error;
/// use sednas::nn::measure::{measure_arch, measure_inputs, MeasureParams, MeasureInput};
/// let cfg = sednas::nn::measure::MeasureParams { width: 1, cells: 1, batch: 10, input: MeasureInput::Noise, seed: 0, bins: 16 }.check(sednas::arch::SpaceKind::Nb201).unwrap();
/// let x = measure_inputs(&cfg, std::path::Path::new(".")).unwrap();
/// let a = AnyArch::parse(SpaceKind::Nb201, "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|").unwrap();
/// // stem, 3 cells, 2 reductions; `out` and `relu` of each
/// assert_eq!(measure_arch(&a, &cfg, x.view()).unwrap().len(), 12);
/// let sss = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
/// assert!(matches!(measure_arch(&sss, &cfg, x.view()), Err(Error::InvalidParameter { name: "space", .. })));
/// ```
pub fn measure_arch(
    arch: &crate::arch::AnyArch,
    cfg: &MeasureConfig,
    images: ArrayView4<'_, f32>,
) -> Result<Vec<MapMeasure>> {
    crate::for_each_space!(arch, S, a => <S as Measured>::measure(a, cfg, images)).unwrap_or_else(
        || {
            Err(Error::param(
                "space",
                format!(
                    "{}: no measured network (NB201, NB101 and DARTS have one)",
                    arch.kind()
                ),
            ))
        },
    )
}

/// Forwards `images` through `net` and measures every captured map, as it leaves its layer
/// (`out`) and after the ReLU the next convolution applies (`relu`); under
/// [`MeasureScope::Summaries`] only the `relu` maps, H2 only on the first and the last.
fn measure_features<M: Classifier>(
    net: &M,
    images: ArrayView4<'_, f32>,
    device: &burn::tensor::Device,
    bins: usize,
    scope: MeasureScope,
) -> Result<Vec<MapMeasure>> {
    // The plain device with batch-statistics BatchNorm (see `BatchStats`): the values of the
    // autodiff device's train-mode forward, without its memory. On the autodiff device burn
    // keeps the graph of a forward whose backward never runs (11 MB per NB201 network at the
    // reduced scale; a whole-space run was OOM-killed at 12 GB) and, even with untracked
    // parameters, state of every reduction (≈ 0.25 MB per network).
    let _stats = super::BatchStats::on();
    let (_, feats) = net.forward_features(from_nchw(images, device));
    let mut out = Vec::with_capacity(2 * feats.len());
    let last = feats.len().saturating_sub(1);
    let summaries_opts = ProfileOptions::measure(bins)?;
    for (k, (name, t)) in feats.into_iter().enumerate() {
        match scope {
            MeasureScope::Layers => {
                let post = to_nhwc(relu(t.clone()))?;
                let pre = to_nhwc(t)?;
                // one pass for both: the `relu` map's exact-H1 ids come from the `out` map's
                out.extend(measure_pair(pre.view(), post.view(), &name, bins)?);
            }
            MeasureScope::Summaries => {
                let post = to_nhwc(relu(t))?;
                let opts = ProfileOptions {
                    h2: k == 0 || k == last,
                    ..summaries_opts
                };
                let f = profile_map(post.view(), &opts)?;
                out.push(MapMeasure::new(&name, "relu", f));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod input_tests {
    use super::*;

    // Edge cases: each finite input refuses one image more than it has, naming the input;
    // patches need no data folder; cifar-mixed alternates the two sets.
    #[test]
    fn finite_inputs_refuse_larger_batches() {
        let base = MeasureParams {
            width: 1,
            cells: 1,
            batch: 10,
            input: MeasureInput::Noise,
            seed: 0,
            bins: 16,
        };
        for (input, n) in [
            (MeasureInput::Cifar, 20),
            (MeasureInput::Cifar100, 20),
            (MeasureInput::CifarMixed, 40),
            (MeasureInput::Patches, 64),
        ] {
            let e = MeasureParams {
                batch: n + 1,
                input,
                ..base
            }
            .check(SpaceKind::Nb201)
            .unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("--input {input} has {n} images")),
                "{e}"
            );
            assert!(
                MeasureParams {
                    batch: n,
                    input,
                    ..base
                }
                .check(SpaceKind::Nb201)
                .is_ok()
            );
        }
        let none = std::path::Path::new("no-such-dir");
        let p = measure_inputs(
            &MeasureParams {
                batch: 64,
                input: MeasureInput::Patches,
                ..base
            }
            .check(SpaceKind::Nb201)
            .unwrap(),
            none,
        )
        .unwrap();
        assert_eq!(p.shape(), &[64, 3, 32, 32]);
        assert!(
            measure_inputs(
                &MeasureParams {
                    input: MeasureInput::CifarMixed,
                    ..base
                }
                .check(SpaceKind::Nb201)
                .unwrap(),
                none
            )
            .is_err()
        );
    }

    #[test]
    fn cifar_mixed_alternates_the_two_sets() {
        let dir = std::path::Path::new("data");
        let (Ok(a), Ok(b)) = (
            crate::data::load_named("cifar10-test20", dir, crate::data::Split::Test),
            crate::data::load_named("cifar100-test20", dir, crate::data::Split::Test),
        ) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "data/cifar missing in CI (scripts/fetch-data.sh cifar)"
            );
            eprintln!("skipped: data/cifar missing (scripts/fetch-data.sh cifar)");
            return;
        };
        let cfg = MeasureParams {
            width: 1,
            cells: 1,
            batch: 11,
            input: MeasureInput::CifarMixed,
            seed: 0,
            bins: 16,
        }
        .check(SpaceKind::Nb201)
        .unwrap();
        let x = measure_inputs(&cfg, dir).unwrap();
        assert_eq!(
            x.index_axis(ndarray::Axis(0), 4),
            a.images.index_axis(ndarray::Axis(0), 2)
        );
        assert_eq!(
            x.index_axis(ndarray::Axis(0), 5),
            b.images.index_axis(ndarray::Axis(0), 2)
        );
        assert_eq!(
            x.index_axis(ndarray::Axis(0), 10),
            a.images.index_axis(ndarray::Axis(0), 5)
        );
    }
}
