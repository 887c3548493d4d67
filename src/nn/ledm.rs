//! `led-m` of one architecture: builds and forwards its reduced-scale network on the
//! embedded patches and combines the measured summary with LEDp ([`crate::sed::ledm`]).

use crate::arch::{AnyArch, SpaceKind};
use crate::error::{Error, Result};
use crate::nn::measure::{MeasureConfig, MeasureInput, measure_arch, measure_inputs, summaries};
use crate::sed::ledm;
use crate::sed::ledp::{Ledp, LedpConfig};

/// The measure configuration of led-m for `space` (reduced scale, patches, batch 10).
///
/// # Errors
/// [`Error::Param`] for a space without a measured network (NATS-SSS), naming it.
///
/// ```
/// use sednas::arch::SpaceKind;
/// let c = sednas::nn::ledm::config(SpaceKind::Nb201).unwrap();
/// assert_eq!((c.width, c.cells, c.batch), (8, 1, 10));
/// assert!(sednas::nn::ledm::config(SpaceKind::NatsSss).unwrap_err().to_string().contains("nats-sss"));
/// ```
pub fn config(space: SpaceKind) -> Result<MeasureConfig> {
    let (width, cells) = MeasureConfig::reduced(space).ok_or_else(|| {
        Error::param(
            "led-m",
            format!("{space} has no network to measure (led-m needs nb201, nb101 or darts)"),
        )
    })?;
    Ok(MeasureConfig {
        width,
        cells,
        batch: ledm::BATCH,
        input: MeasureInput::Patches,
        seed: ledm::SEED,
        bins: ledm::BINS,
    })
}

/// A led-m scorer for one space: the input batch is built once.
#[derive(Debug, Clone)]
pub struct LedM {
    space: SpaceKind,
    cfg: MeasureConfig,
    images: ndarray::Array4<f32>,
    ledp: Ledp,
}

impl LedM {
    /// The scorer of `space`.
    ///
    /// # Errors
    /// As [`config`]; LEDp's constants for the space.
    pub fn new(space: SpaceKind) -> Result<Self> {
        let cfg = config(space)?;
        let images = measure_inputs(&cfg, std::path::Path::new("."))?;
        let ledp = Ledp::new(LedpConfig::for_space(space)?)?;
        Ok(LedM {
            space,
            cfg,
            images,
            ledp,
        })
    }

    /// led-m(A) and the measured summary.
    ///
    /// # Errors
    /// An architecture of another space (named), or a measurement error.
    pub fn score(&self, arch: &AnyArch) -> Result<(f64, f64)> {
        if arch.kind() != self.space {
            return Err(Error::param(
                "led-m",
                format!(
                    "a {} architecture given to the {} scorer",
                    arch.kind(),
                    self.space
                ),
            ));
        }
        let maps = measure_arch(arch, &self.cfg, self.images.view())?;
        let idx = crate::entropy::profile::SUMMARIES
            .iter()
            .position(|s| *s == ledm::SUMMARY)
            .unwrap_or(5);
        let s = summaries(&maps)[idx];
        let mut g = Vec::new();
        Ok((ledm::combine(self.ledp.score(arch, &mut g), s)?, s))
    }
}
