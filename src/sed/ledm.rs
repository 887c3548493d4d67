//! `led-m`: LEDp plus a measured local-entropy term, one form and one set of constants for
//! every space (issue 26). The measurement itself is `nn::ledm` (it forwards a network);
//! this module holds the pre-registered constants and the combination.
//!
//! # Formula
//! led-m(A) = LEDp(A) + w·neg_zero_mean(A), w = 32
//!
//! neg_zero_mean = −(mean over the network's ReLU'd cell outputs of the fraction of 3×3×1
//! windows with exact local H1 = 0), measured on the space's reduced-scale network (NB201
//! C = 8, N = 1; NB101 16, 1 module per stack; DARTS 8, 5 cells) at initialisation (seed 0,
//! batch-statistics BatchNorm) on the first 10 of the 64 embedded natural-image patches
//! (`--input patches`, [`crate::data::patches`]). An architecture whose maps are all zero
//! (no input→output path) has no summary: its led-m is LEDp's (−∞ for such NB201 cells).
//!
//! How it was chosen (pre-registered on the NB201 design split only, `results/input-study`):
//! 300 design cells, inputs noise / patches / CIFAR-10 / CIFAR-100 / mixed at batches
//! 10–40, six summaries, forms LEDp + w·summary with w ∈ {1, 2, 4, …, 64}; the largest design
//! ρ (0.895 against LEDp's 0.862 on those cells) picked (patches, 10, neg_zero_mean, 32).

use crate::error::{Error, Result};

/// The measured summary led-m uses (a name of `entropy::profile::SUMMARIES`).
pub const SUMMARY: &str = "neg_zero_mean";
/// Its weight w.
pub const WEIGHT: f64 = 32.0;
/// Images in the batch.
pub const BATCH: usize = 10;
/// Init (and input) seed.
pub const SEED: u64 = 0;
/// Bins of the binned H1 estimator (not used by the summary; part of the measure config).
pub const BINS: usize = 16;

/// led-m from LEDp and the measured summary.
///
/// # Formula
/// led-m = LEDp + w·summary (w = [`WEIGHT`]); a NaN summary (maps all zero) leaves LEDp.
///
/// # Errors
/// [`Error::InvalidParameter`] (`neg_zero_mean`) for a summary outside [−1, 0] (a fraction,
/// negated) that is not NaN.
///
/// ```
/// use sednas::sed::ledm::combine;
/// assert_eq!(combine(20.0, -0.25).unwrap(), 12.0);
/// assert_eq!(combine(f64::NEG_INFINITY, f64::NAN).unwrap(), f64::NEG_INFINITY);
/// assert!(combine(20.0, 0.5).is_err());
/// ```
pub fn combine(ledp: f64, neg_zero_mean: f64) -> Result<f64> {
    if neg_zero_mean.is_nan() {
        return Ok(ledp);
    }
    if !(-1.0..=0.0).contains(&neg_zero_mean) {
        return Err(Error::param(
            SUMMARY,
            format!("must be in [-1, 0] (a negated fraction), got {neg_zero_mean}"),
        ));
    }
    Ok(ledp + WEIGHT * neg_zero_mean)
}
