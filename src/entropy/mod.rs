//! Local entropy of feature maps, in bits.
//!
//! * [`h1`]: one-dimensional (Shannon) entropy by value frequency, exact or binned, of a
//!   value set or of every window of a map (sliding-histogram fast path).
//! * [`h2`]: multivariate-Gaussian entropy ½·log2((2πe)^d·det Σ) of a covariance, or of every
//!   window across a batch of maps (Σ is the sample covariance of the window's entries).
//! * [`summary`]: mean / min / max and the fraction of zero- or −∞-entropy windows.
//! * [`profile`]: the per-map figures and per-network summaries of `sednas measure`.
//!
//! Float policy: −0.0 and +0.0 are the same value; NaN and ±inf are an error
//! ([`crate::Error::NonFinite`]) that names the flat index in the input.

pub mod file;
mod fused;
pub mod h1;
pub mod h2;
pub mod local;
pub mod profile;
mod sort9;
pub mod summary;

pub use h1::{Binning, H1Estimator, h1, local_h1, local_h1_naive};
pub use h2::{
    GaussianEntropy, H2Options, LocalH2, Singular, gaussian_entropy, local_h2, local_h2_naive,
};
pub use local::{Estimator, local_entropy};
pub use summary::{Summary, summarize};

use crate::error::{Error, Result};

/// Element types a map can hold: u8 images, f32 and f64 feature maps.
pub trait MapValue: Copy + Default + Send + Sync + 'static {
    /// The value as f64 (exact for every implementing type).
    fn to_f64(self) -> f64;
    /// For types with few levels (u8), the value as a histogram bin id.
    #[inline]
    fn small_level(self) -> Option<u32> {
        None
    }
    /// Number of levels of [`MapValue::small_level`], if the type has them.
    const LEVELS: Option<usize> = None;
    /// For types of at most 32 bits, a u32 key with key(a) = key(b) ⇔ a = b for finite
    /// values (−0 and +0 share one key): what the sorting H1 kernel compares in place of
    /// dense value ids. `None` for wider types.
    #[inline]
    fn key32(self) -> Option<u32> {
        None
    }
}

impl MapValue for u8 {
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline]
    fn small_level(self) -> Option<u32> {
        Some(self as u32)
    }
    const LEVELS: Option<usize> = Some(256);
    #[inline]
    fn key32(self) -> Option<u32> {
        Some(self as u32)
    }
}

impl MapValue for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline]
    fn key32(self) -> Option<u32> {
        // −0 + 0 = +0 (round to nearest): both zeros share the bits of +0
        Some((self + 0.0).to_bits())
    }
}

impl MapValue for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

/// A vector of `len` copies of `value`, or [`Error::OutOfMemory`] naming `what` (in bytes)
/// where the allocator refuses the memory, instead of
/// aborting the process.
pub(crate) fn try_filled<T: Clone>(len: usize, value: T, what: &'static str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        return Err(Error::OutOfMemory {
            what,
            bytes: len as u128 * std::mem::size_of::<T>() as u128,
        });
    }
    v.resize(len, value);
    Ok(v)
}

/// Fails on the first NaN or ±inf, naming its flat (row-major) index.
pub(crate) fn check_finite<'a, T: MapValue>(
    values: impl IntoIterator<Item = &'a T>,
    what: &'static str,
) -> Result<()> {
    for (index, v) in values.into_iter().enumerate() {
        let x = v.to_f64();
        if !x.is_finite() {
            return Err(Error::NonFinite {
                what,
                index,
                value: x,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Edge case: a value in an error message is printed in short scientific form, on one
    // line (Display of 1e200 as a plain decimal has 201 digits).
    #[test]
    fn error_values_print_short() {
        let e = Error::Overflow {
            what: "batch",
            index: 3,
            value: 1e200,
            limit: 1.5e153,
        };
        let msg = e.to_string();
        assert!(
            msg.starts_with("value 1e200 at flat index 3 of the batch"),
            "{msg}"
        );
        assert!(msg.len() < 120, "{msg}");
        let e = check_finite([1.0f64, f64::NEG_INFINITY].iter(), "map").unwrap_err();
        assert_eq!(
            e.to_string(),
            "non-finite value -inf at flat index 1 of the map"
        );
        let e = Error::NonFinite {
            what: "map",
            index: 0,
            value: f64::NAN,
        };
        assert_eq!(
            e.to_string(),
            "non-finite value NaN at flat index 0 of the map"
        );
    }
}
