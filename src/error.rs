//! One typed error for the whole crate.
//!
//! Every variant names the problem and, where there is one, the place (axis, index, line,
//! byte offset, character position). The CLI prints the `Display` form on one line and exits
//! non-zero; nothing in the library panics on user input.

use std::path::PathBuf;

/// Result alias used throughout sednas.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way sednas can refuse an input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A kernel size is even or zero; Definition 3 needs odd sizes to centre a window.
    #[error("kernel size {size} on axis {axis} must be odd and at least 1")]
    BadKernel { axis: &'static str, size: usize },
    /// A kernel whose windows would hold more entries than the library allows.
    #[error(
        "kernel {kw}x{kh}x{kc} (w×h×c) has more than {limit} entries per window; refused before allocating"
    )]
    KernelTooLarge {
        kw: usize,
        kh: usize,
        kc: usize,
        limit: usize,
    },
    /// A stride is zero.
    #[error("stride on axis {axis} must be at least 1 (got 0)")]
    ZeroStride { axis: &'static str },
    /// A textual size such as `3x3` or `1x1x2` could not be read.
    #[error("cannot read {what} {text:?}: {expected}")]
    BadSpec {
        what: &'static str,
        text: String,
        expected: &'static str,
    },
    /// A map (or a batch) has no entries.
    #[error("the {what} is empty (shape {shape:?})")]
    Empty {
        what: &'static str,
        shape: Vec<usize>,
    },
    /// Under the `valid` border policy a window does not fit in the map.
    #[error(
        "window of size {kernel} on axis {axis} does not fit a map of size {len} under the 'valid' border policy"
    )]
    WindowLargerThanMap {
        axis: &'static str,
        kernel: usize,
        len: usize,
    },
    /// NaN or ±inf in an input where entropy is undefined.
    #[error("non-finite value {value:e} at flat index {index} of the {what}")]
    NonFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// A finite value so large that sums of its products overflow f64 (H2's covariances).
    #[error(
        "value {value:e} at flat index {index} of the {what} overflows: covariance sums need |x| ≤ {limit:e}"
    )]
    Overflow {
        what: &'static str,
        index: usize,
        value: f64,
        limit: f64,
    },
    /// A value outside the stated range of a binned estimator.
    #[error("value {} at flat index {index} lies outside the binning range [{}, {}]", short_num(*value), short_num(*lo), short_num(*hi))]
    OutOfRange {
        value: f64,
        index: usize,
        lo: f64,
        hi: f64,
    },
    /// A setting (argument, flag or configuration key) with a value that is refused:
    /// `name` is the name the caller knows (a CLI flag such as `--bins`, a configuration
    /// key, or the argument), `reason` reads after "NAME: ".
    #[error("{name}: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    /// An array has the wrong number of axes, or shapes disagree.
    #[error("shape error: {0}")]
    Shape(String),
    /// A `.npy` file that this crate cannot read.
    #[error("{path}: bad .npy file: {reason}")]
    Npy { path: String, reason: String },
    /// A PNG file that failed to decode.
    #[error("{path}: PNG decode failed: {reason}")]
    Png { path: String, reason: String },
    /// An IDX file (MNIST format) that this crate cannot read.
    #[error("{path}: bad IDX file: {reason}")]
    Idx { path: String, reason: String },
    /// A file-system error, with the path that caused it (the OS error is part of the
    /// message, not a separate `source`, so a printed chain does not repeat it).
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// An architecture string that does not parse.
    #[error("{space} architecture: {message} at position {position}: expected {expected}")]
    Arch {
        space: &'static str,
        position: usize,
        expected: String,
        message: String,
    },
    /// A folder already holds work made under another configuration: resuming (`--resume`)
    /// or tabulating (`--tabulate`) it would reuse that work under settings it was not made
    /// with. `keys` are the settings that differ (dotted paths). A caller can rerun fresh
    /// or choose another folder.
    #[error("{flag}: {dir} was made under another configuration (differs in: {keys}); {hint}", keys = keys.join(", "))]
    ConfigMismatch {
        flag: &'static str,
        dir: String,
        keys: Vec<String>,
        hint: &'static str,
    },
    /// Work whose size is known to be unreasonable, refused before it allocates or runs; a
    /// caller can retry with less.
    #[error("{what}: {requested} is more than the limit of {limit}; refused before allocating")]
    TooLarge {
        what: &'static str,
        requested: u128,
        limit: u128,
    },
    /// A path that is not a regular file (a folder, FIFO, device, socket or broken link)
    /// where a file is read: refused before it is opened, so nothing hangs or streams
    /// without end.
    #[error("{path} is {kind}, not a regular file")]
    NotAFile { path: String, kind: &'static str },
    /// An input file, or one of its lines, past the bounded reader's limit
    /// ([`crate::io::bounded`]); refused before (or while) it is read.
    #[error("{path}: {what} is {}; refused", size_text(size, limit))]
    InputTooLarge {
        path: String,
        what: String,
        size: String,
        limit: String,
    },
    /// A text file that is not valid text (not UTF-8), with the line and byte.
    #[error("{path}: line {line}, byte {byte}: {reason}")]
    BadText {
        path: String,
        line: u64,
        byte: u64,
        reason: String,
    },
    /// The allocator refused memory that the limits allowed (the machine has less free
    /// memory than the work needs); a caller can retry with less.
    #[error("{what}: the allocator refused {bytes} bytes (not enough free memory)")]
    OutOfMemory { what: &'static str, bytes: u128 },
    /// An error of the work on a file's contents, named by the file.
    #[error("{path}: {error}")]
    InFile {
        /// The file.
        path: String,
        /// What went wrong with its contents.
        error: Box<Error>,
    },
    /// A CSV input problem (missing column, unreadable field, ...), with its line.
    #[error("{path}: line {line}: {reason}")]
    Csv {
        path: String,
        line: u64,
        reason: String,
    },
    /// Run files ([`crate::io::shard`]) that do not join into one run: none given, a shard
    /// given twice or missing, shards of different runs, or shards that together hold fewer
    /// rows than the run's population. `files` are the files at fault (none where the
    /// fault is the set, e.g. a missing shard); a caller can drop a file, or run or resume
    /// the shard named.
    #[error("cannot merge shards: {reason}")]
    Merge { files: Vec<PathBuf>, reason: String },
    /// A run file ([`crate::io::shard`]) that does not belong to the run reading it: written
    /// under another shard or configuration, rows of other architectures, other columns, or
    /// a run of another space. A caller can choose another output, or start afresh.
    #[error("{path}: {reason}")]
    Shard { path: String, reason: String },
    /// A training run directory or checkpoint that cannot be used: a folder that already
    /// holds a run (resume it or choose another), or a checkpoint that does not load into
    /// the network its `config.json` describes.
    #[error("{path}: {reason}")]
    Checkpoint { path: String, reason: String },
    /// JSON that does not decode (a file, named by its path, with serde's line and column)
    /// or a value that does not encode (named by what it is).
    #[error("{what}: JSON: {reason}")]
    Json { what: String, reason: String },
    /// A burn backend that this binary was built without, or whose runtime finds no usable
    /// adapter; a caller can fall back to `flex` (the CPU backend, always there).
    #[error("{backend} device unavailable: {reason}")]
    Device {
        backend: &'static str,
        reason: String,
    },
    /// The work on one architecture of a population failed (its network could not be
    /// built, fed or measured). `arch` names it (position and architecture), `error` is
    /// the cause; a caller can leave that architecture out and go on.
    #[error("{arch}: {error}")]
    InArch { arch: String, error: Box<Error> },
    /// A failure inside sednas or a dependency (a tensor that does not convert, a lost
    /// work chunk), not caused by the input; `what` names the step.
    #[error("internal error in {what}: {reason}")]
    Internal { what: &'static str, reason: String },
}

/// A number for a one-line message: plain digits in [1e-4, 1e15), else scientific
/// notation (`1e200`, never 200 digits).
///
/// ```
/// use sednas::error::short_num;
/// assert_eq!(short_num(0.5), "0.5");
/// assert_eq!(short_num(1e200), "1e200");
/// assert_eq!(short_num(-2.5e-300), "-2.5e-300");
/// assert_eq!(short_num(f64::NAN), "NaN");
/// ```
pub fn short_num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() || a == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn size_text(size: &str, limit: &str) -> String {
    if size.is_empty() {
        format!("longer than the limit of {limit}")
    } else {
        format!("{size}, over the limit of {limit}")
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    ///
    /// ```
    /// use sednas::error::Error;
    /// let e = Error::io("data/x.npy", std::io::Error::new(std::io::ErrorKind::NotFound, "not found"));
    /// assert_eq!(e.to_string(), "data/x.npy: not found");
    /// ```
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    ///
    /// ```
    /// use sednas::error::Error;
    /// let e = Error::param("bins", "must be at least 2");
    /// assert!(matches!(e, Error::InvalidParameter { name: "bins", .. }));
    /// assert_eq!(e.to_string(), "bins: must be at least 2");
    /// ```
    pub fn param(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}
