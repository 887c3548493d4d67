//! One entry point for the local entropy of a map or a batch, whichever estimator: the
//! function the CLI (`sednas entropy`) calls, and the one a binding can call with an array of
//! any rank.

use ndarray::{ArrayViewD, Axis, Ix3, Ix4};

use super::{H1Estimator, H2Options, LocalH2, MapValue, local_h1, local_h2};
use crate::error::{Error, Result};
use crate::window::WindowSpec;

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

/// Local entropy of `data` in bits, window by window, as [`LocalH2`] (for H1 the `singular`
/// list is empty, `ridge` is `None` and `samples` is 1).
///
/// # Shapes
/// H1: an h×w map (one channel) or an h×w×c map; H2: an n×h×w×c batch. Any other rank is
/// an error naming the shape, as are the errors of [`local_h1`] and [`local_h2`].
///
/// ```
/// use ndarray::{array, Array4};
/// use sednas::entropy::local::{local_entropy, Estimator};
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
/// ```
pub fn local_entropy<T: MapValue>(
    data: ArrayViewD<'_, T>,
    spec: &WindowSpec,
    est: &Estimator,
) -> Result<LocalH2> {
    let shape = data.shape().to_vec();
    let bad = |need: &str| {
        Error::param(
            "shape",
            format!("{need}, got rank {} {:?}", shape.len(), shape),
        )
    };
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
                .map_err(|e| Error::param("shape", e.to_string()))?;
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
                .map_err(|e| Error::param("shape", e.to_string()))?;
            local_h2(batch, spec, opts)
        }
    }
}
