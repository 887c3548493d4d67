//! # sednas
//!
//! Local entropy of neural-network feature maps, empirical checks of the theory behind the
//! SED zero-cost NAS proxy ("Zero-Shot NAS via the Suppression of Local Entropy Decrease",
//! Wu, Huang, Xu, Hao; arXiv 2411.06236), and the SED scorer over public search spaces.
//!
//! * [`window`]: the subtensors of Definition 3 (kernel, stride, border policy).
//! * [`entropy`]: H1 (Shannon, by value frequency) and H2 (Gaussian) local entropy, in bits.
//! * [`numerics`]: compensated sums, Cholesky log-det, exact fixed-point histogram sums.
//! * [`io`]: `.npy` and PNG input, heatmaps, atomic writes.
//!
//! All entropies are in bits.

// Index loops over several parallel arrays read better than zipped iterators in numeric code.
#![allow(clippy::needless_range_loop)]

pub mod arch;
#[cfg(feature = "cli")]
pub mod cli;
pub mod data;
pub mod entropy;
pub mod error;
pub mod eval;
pub mod experiments;
pub mod io;
#[cfg(feature = "nn")]
pub mod nn;
pub mod numerics;
pub mod plot;
pub mod propositions;
pub mod proxy;
pub mod rng;
pub mod search;
pub mod sed;
pub mod window;

pub use error::{Error, Result};
