//! One entry point for the local entropy of a map or a batch, whichever estimator: the
//! function the CLI (`sednas entropy`) calls, and the one a binding can call with an array of
//! any rank.

use ndarray::{ArrayViewD, Axis, Ix3, Ix4};

use super::h2::local_h2_bytes;
use super::{Binning, H1Estimator, H2Options, LocalH2, MapValue, local_h1, local_h2};
use crate::error::{Error, Result};
use crate::window::{Border, WindowPlan, WindowSpec};

/// An estimator of local entropy: H1 (exact or binned) of each window of one map, or the
/// Gaussian H2 of each window across a batch of maps.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimator {
    /// H1 (Shannon, by value frequency) of each window of an h×w or h×w×c map.
    H1(H1Estimator),
    /// H2 = ½·log2((2πe)^d·det Σ) of each window across an n×h×w×c batch.
    Gaussian(H2Options),
}

impl std::str::FromStr for Estimator {
    type Err = Error;
    /// `exact`, `binned:N`, `binned:N:LO:HI` or `gaussian` (H2 without a ridge).
    ///
    /// ```
    /// use sednas::entropy::local::Estimator;
    /// use sednas::entropy::{H1Estimator, H2Options};
    /// assert_eq!("exact".parse::<Estimator>().unwrap(), Estimator::H1(H1Estimator::Exact));
    /// assert_eq!("gaussian".parse::<Estimator>().unwrap(), Estimator::Gaussian(H2Options::new()));
    /// assert!("kde".parse::<Estimator>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        if s == "gaussian" {
            return Ok(Estimator::Gaussian(H2Options::new()));
        }
        match s.parse::<H1Estimator>() {
            Ok(e) => Ok(Estimator::H1(e)),
            Err(Error::BadSpec { .. }) => Err(Error::BadSpec {
                what: "estimator",
                text: s.to_string(),
                expected: "exact, binned:N, binned:N:LO:HI or gaussian",
            }),
            Err(e) => Err(e),
        }
    }
}

/// Most bytes [`local_entropy`] allocates, output map and workspace together: 2^32 (4 GiB).
///
/// It admits a 16384×16384 u8 image under H1 (2 GiB of f64 output and 1 GiB of histogram
/// levels) and refuses numpy's `broadcast_to(uint8(1), (30000, 30000))` with 1×1 windows
/// (7.2 GB of output alone), which used to abort the process. The input itself is the
/// caller's and is not counted.
pub const MAX_LOCAL_ENTROPY_BYTES: u64 = 1 << 32;

/// Bytes `local_entropy` would allocate, or `None` where the estimator refuses the shape
/// itself (its own error is then the answer).
///
/// H1: the f64 output (8 per window), a u32 level per source entry (4), the padded copy
/// under `zero`/`reflect` (size of T per entry), for exact H1 of floats the hash table of
/// distinct values (16 per slot, a power of two ≥ 2 per entry) and one histogram of at most
/// one level per entry (4 each), else one histogram of the type's or the binning's levels.
/// H2: see `h2::local_h2_bytes` (centred batch, pair table, covariances, output).
pub(super) fn estimate_bytes<T: MapValue>(
    shape: &[usize],
    spec: &WindowSpec,
    est: &Estimator,
) -> Option<u128> {
    match est {
        Estimator::H1(h1) => {
            let map = match *shape {
                [h, w] => [h, w, 1],
                [h, w, c] => [h, w, c],
                _ => return None,
            };
            let plan = WindowPlan::new(map, spec).ok()?;
            let windows = plan.windows() as u128;
            let src: u128 = plan.padded().iter().map(|&d| d as u128).product();
            let mut bytes = 8 * windows + 4 * src;
            if matches!(spec.border, Border::Zero | Border::Reflect) {
                bytes += std::mem::size_of::<T>() as u128 * src;
            }
            let levels = match (h1, T::LEVELS) {
                (H1Estimator::Exact, Some(levels)) => levels as u128,
                (H1Estimator::Exact, None) => {
                    // the hash table of distinct values; at most one level per entry
                    bytes += 16 * (2 * src).max(16).next_power_of_two();
                    src
                }
                (
                    H1Estimator::Binned(Binning::Range { bins, .. } | Binning::DataRange { bins }),
                    _,
                ) => *bins as u128,
            };
            bytes += 4 * levels;
            Some(bytes)
        }
        Estimator::Gaussian(opts) => {
            let &[n, h, w, c] = shape else {
                return None;
            };
            local_h2_bytes([n, h, w, c], spec, opts)
        }
    }
}

/// Local entropy of `data` in bits, window by window, as [`LocalH2`] (for H1 the `singular`
/// list is empty, `ridge` is `None` and `samples` is 1).
///
/// # Shapes
/// H1: an h×w map (one channel) or an h×w×c map; H2: an n×h×w×c batch.
///
/// # Memory
/// What the call would allocate (the output map of one f64 per window plus the estimator's
/// workspace) is estimated from the shape first, and more than
/// [`MAX_LOCAL_ENTROPY_BYTES`] (4 GiB) is refused before anything is allocated or read.
///
/// # Errors
/// * [`Error::TooLarge`] (`what` = "bytes of output map and workspace", with the estimate
///   and the limit) for an input over [`MAX_LOCAL_ENTROPY_BYTES`]; H2 also refuses a
///   buffer the allocator cannot provide (limit 0) instead of aborting.
/// * [`Error::Shape`] naming the shape for any other rank.
/// * The errors of [`local_h1`] and [`local_h2`] (empty axes, NaN or ±∞ with its index,
///   a `valid` kernel larger than the map, fewer than 2 maps, …).
///
/// ```
/// use ndarray::{array, Array4, ArrayView, IxDyn, ShapeBuilder};
/// use sednas::entropy::local::{local_entropy, Estimator};
/// use sednas::error::Error;
/// use sednas::window::{Border, Kernel, Stride, WindowSpec};
/// let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), Border::Valid);
/// // H1 of 1×1 windows is 0 everywhere
/// let m = array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
/// let h = local_entropy(m.view(), &spec, &"exact".parse().unwrap()).unwrap();
/// assert_eq!(h.values.shape(), [2, 2, 1]);
/// assert!(h.values.iter().all(|&v| v == 0.0));
/// // H2 needs a batch: a 2-D map is refused, naming its shape
/// assert!(local_entropy(m.view(), &spec, &Estimator::Gaussian(Default::default())).is_err());
/// let b = Array4::from_shape_fn((4, 1, 1, 1), |(n, ..)| n as f64).into_dyn();
/// let g = local_entropy(b.view(), &spec, &"gaussian".parse().unwrap()).unwrap();
/// assert_eq!((g.samples, g.values.shape()), (4, &[1, 1, 1][..]));
/// // a 30000×30000 map (one value broadcast) needs 8·9e8 bytes of output and 4·9e8 of levels
/// let x = ArrayView::from_shape(IxDyn(&[30000, 30000]).strides(IxDyn(&[0, 0])), &[1u8][..]).unwrap();
/// match local_entropy(x, &spec, &"exact".parse().unwrap()) {
///     Err(Error::TooLarge { requested, limit, .. }) => assert_eq!((requested, limit), (10_800_001_024, 1 << 32)),
///     o => panic!("{o:?}"),
/// }
/// ```
pub fn local_entropy<T: MapValue>(
    data: ArrayViewD<'_, T>,
    spec: &WindowSpec,
    est: &Estimator,
) -> Result<LocalH2> {
    let shape = data.shape().to_vec();
    if let Some(requested) = estimate_bytes::<T>(&shape, spec, est)
        && requested > MAX_LOCAL_ENTROPY_BYTES as u128
    {
        return Err(Error::TooLarge {
            what: "bytes of output map and workspace",
            requested,
            limit: MAX_LOCAL_ENTROPY_BYTES as u128,
        });
    }
    let bad = |need: &str| Error::Shape(format!("{need}, got rank {} {:?}", shape.len(), shape));
    match est {
        Estimator::H1(h1) => {
            let map = match data.ndim() {
                2 => data.insert_axis(Axis(2)),
                3 => data,
                _ => {
                    return Err(bad(
                        "H1 needs a map of shape h×w or h×w×c (use gaussian for n×h×w×c batches)",
                    ));
                }
            };
            let map = map
                .into_dimensionality::<Ix3>()
                .map_err(|e| Error::Shape(e.to_string()))?;
            Ok(LocalH2 {
                values: local_h1(map, spec, h1)?,
                singular: Vec::new(),
                ridge: None,
                samples: 1,
            })
        }
        Estimator::Gaussian(opts) => {
            if data.ndim() != 4 {
                return Err(bad("gaussian (H2) needs a batch of shape n×h×w×c"));
            }
            let batch = data
                .into_dimensionality::<Ix4>()
                .map_err(|e| Error::Shape(e.to_string()))?;
            local_h2(batch, spec, opts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::{Border, Kernel, Stride};
    use ndarray::{ArrayView, IxDyn, ShapeBuilder};

    /// A view of `shape` whose every entry is the one value `v` (zero strides): a large
    /// input that costs nothing to make, like numpy's `broadcast_to`.
    fn broadcast<'a, T>(v: &'a [T; 1], shape: &[usize]) -> ArrayViewD<'a, T> {
        let strides = vec![0; shape.len()];
        ArrayView::from_shape(IxDyn(shape).strides(IxDyn(&strides)), v).unwrap()
    }

    // Edge case: numpy's broadcast_to(uint8(1), (30000, 30000)) with 1×1 windows asks for a
    // 7.2 GB output map (it used to abort the process): refused with TooLarge naming bytes
    // and the limit, before anything is allocated.
    #[test]
    fn huge_output_is_refused_before_allocating() {
        let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), Border::Crop);
        let x = broadcast(&[1u8], &[30000, 30000]);
        match local_entropy(x, &spec, &"exact".parse().unwrap()) {
            Err(e @ Error::TooLarge { .. }) => {
                let Error::TooLarge {
                    what,
                    requested,
                    limit,
                } = e
                else {
                    unreachable!()
                };
                assert!(what.contains("bytes"), "{what}");
                assert_eq!(limit, MAX_LOCAL_ENTROPY_BYTES as u128);
                // at least the f64 output map
                assert!(requested >= 8 * 30000 * 30000);
            }
            o => panic!("{o:?}"),
        }
        // H2 of a 2×20000×20000×1 batch: 3.2 GB of output and 6.4 GB of centred values
        let b = broadcast(&[1.5f64], &[2, 20000, 20000, 1]);
        let est = Estimator::Gaussian(H2Options::new());
        assert!(matches!(
            local_entropy(b, &spec, &est),
            Err(Error::TooLarge { .. })
        ));
    }

    // Edge case: just under the limit an input is computed as before (a broadcast map has
    // one value, so every 1×1 window is 0 bits).
    #[test]
    fn large_but_allowed_input_runs() {
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        let x = broadcast(&[7u8], &[1000, 1500]);
        let h = local_entropy(x, &spec, &"exact".parse().unwrap()).unwrap();
        assert_eq!(h.values.shape(), [1000, 1500, 1]);
        assert!(h.values.iter().all(|&v| v == 0.0));
    }
}
