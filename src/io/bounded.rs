//! The one bounded reader: every file sednas reads goes through here.
//!
//! A file is opened only when it is a regular file (a folder, a FIFO, a device such as
//! `/dev/zero`, a broken link or a socket is refused with [`Error::NotAFile`], naming the
//! path and what it is); its size is checked against a [`Limits`] before anything is read;
//! and while it is read, no line may be longer than the limit's `max_line` and the total
//! may not pass `max_bytes` (a file that grows while it is read is still bounded). Every
//! refusal is [`Error::InputTooLarge`], which names the file, what was too large, and the
//! limit. Error messages quote at most a short excerpt of what was read ([`excerpt`]).
//!
//! | kind | [`Limits`] | file | line |
//! |---|---|---|---|
//! | CSV tables (truth, joins, tasks, peers, populations, run files) | [`CSV`] | 1 GiB | 4 MiB |
//! | configurations and small JSON / TOML files | [`CONFIG`] | 16 MiB | 1 MiB |
//! | binary arrays and images (`.npy`, PNG, IDX) | [`BINARY`] | 2 GiB | — |

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Upper bounds on one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// What the file is, for messages ("CSV file", "configuration", ...).
    pub what: &'static str,
    /// The largest file, in bytes.
    pub max_bytes: u64,
    /// The longest line, in bytes (without its line end); `None` for binary files.
    pub max_line: Option<u64>,
}

/// CSV tables: 1 GiB, lines up to 4 MiB.
pub const CSV: Limits = Limits {
    what: "CSV file",
    max_bytes: 1 << 30,
    max_line: Some(4 << 20),
};

/// Configurations (TOML, JSON) and other small text files: 16 MiB, lines up to 1 MiB.
pub const CONFIG: Limits = Limits {
    what: "configuration file",
    max_bytes: 16 << 20,
    max_line: Some(1 << 20),
};

/// Binary arrays and images: 2 GiB.
pub const BINARY: Limits = Limits {
    what: "binary file",
    max_bytes: 2 << 30,
    max_line: None,
};

/// A byte count as people read it: `1 GiB`, `4 MiB`, `17 bytes`.
///
/// ```
/// use sednas::io::bounded::human_bytes;
/// assert_eq!(human_bytes(1 << 30), "1 GiB");
/// assert_eq!(human_bytes(3 << 19), "1.5 MiB");
/// assert_eq!(human_bytes(17), "17 bytes");
/// ```
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (u, s) in UNITS {
        if n >= s {
            let v = n as f64 / s as f64;
            return if v.fract() == 0.0 {
                format!("{v} {u}")
            } else {
                format!("{v:.1} {u}")
            };
        }
    }
    format!("{n} bytes")
}

/// At most `max` characters of `s` on one line: control characters become spaces, and a
/// cut is marked with `…` and the full length.
///
/// ```
/// use sednas::io::bounded::excerpt;
/// assert_eq!(excerpt("a,b\nc", 10), "a,b c");
/// assert_eq!(excerpt(&"x".repeat(100), 5), "xxxxx… (100 characters)");
/// ```
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == max {
            let total = s.chars().count();
            out.push_str(&format!("… ({total} characters)"));
            return out;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// What a path is when it is not a regular file, in words; `None` for a regular file.
fn not_regular(path: &Path) -> Result<Option<&'static str>> {
    let link = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => return Ok(Some("a broken symbolic link")),
        Err(e) => return Err(Error::io(path, e)),
    };
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(None);
    }
    if ft.is_dir() {
        return Ok(Some("a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Ok(Some("a FIFO (named pipe)"));
        }
        if ft.is_char_device() {
            return Ok(Some("a character device"));
        }
        if ft.is_block_device() {
            return Ok(Some("a block device"));
        }
        if ft.is_socket() {
            return Ok(Some("a socket"));
        }
    }
    Ok(Some("not a regular file"))
}

/// Checks that `path` is a regular file within `limits` (without reading it): the check
/// every reader runs first.
///
/// # Errors
/// [`Error::Io`] when it does not exist or cannot be read, [`Error::NotAFile`] for a
/// folder, FIFO, device, socket or broken link, [`Error::InputTooLarge`] past
/// `limits.max_bytes`.
///
/// ```
/// use sednas::io::bounded::{check_file, CONFIG};
/// use sednas::error::Error;
/// let e = check_file(&std::env::temp_dir(), CONFIG).unwrap_err();
/// assert!(matches!(e, Error::NotAFile { .. }));
/// assert!(e.to_string().ends_with("is a folder, not a regular file"), "{e}");
/// #[cfg(unix)]
/// assert!(matches!(check_file(std::path::Path::new("/dev/zero"), CONFIG), Err(Error::NotAFile { .. })));
/// ```
pub fn check_file(path: &Path, limits: Limits) -> Result<u64> {
    if let Some(kind) = not_regular(path)? {
        return Err(Error::NotAFile {
            path: path.display().to_string(),
            kind,
        });
    }
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if len > limits.max_bytes {
        return Err(too_large(path, limits, "the file", len, limits.max_bytes));
    }
    Ok(len)
}

fn too_large(path: &Path, limits: Limits, part: &str, size: u64, limit: u64) -> Error {
    Error::InputTooLarge {
        path: path.display().to_string(),
        what: format!("{part} ({})", limits.what),
        size: human_bytes(size),
        limit: human_bytes(limit),
    }
}

/// The marker a [`Bounded`] reader puts inside the `std::io::Error` it returns, so that a
/// caller (or a library such as `csv` that wraps the error) can recover the typed error
/// with [`from_io`].
#[derive(Debug)]
struct Exceeded(Error);

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Exceeded {}

/// A reader that enforces [`Limits`] while it reads: total bytes and line length.
#[derive(Debug)]
pub struct Bounded<R> {
    inner: R,
    path: std::path::PathBuf,
    limits: Limits,
    total: u64,
    line: u64,
    line_no: u64,
}

impl<R: Read> Bounded<R> {
    /// Wraps `inner`, which reads `path`, under `limits`.
    ///
    /// ```
    /// use std::io::Read;
    /// use sednas::io::bounded::{Bounded, Limits};
    /// let lim = Limits { what: "test", max_bytes: 100, max_line: Some(4) };
    /// let mut s = String::new();
    /// Bounded::new(&b"ab\ncd\n"[..], "x.csv", lim).read_to_string(&mut s).unwrap();
    /// assert_eq!(s, "ab\ncd\n");
    /// let e = Bounded::new(&b"ab\ncdefg\n"[..], "x.csv", lim).read_to_string(&mut s).unwrap_err();
    /// let e = sednas::io::bounded::from_io(&e).unwrap();
    /// assert_eq!(e.to_string(), "x.csv: line 2 (test) is longer than the limit of 4 bytes; refused");
    /// ```
    pub fn new(inner: R, path: impl AsRef<Path>, limits: Limits) -> Self {
        Bounded {
            inner,
            path: path.as_ref().to_path_buf(),
            limits,
            total: 0,
            line: 0,
            line_no: 1,
        }
    }

    fn exceeded(&self, e: Error) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, Exceeded(e))
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // never read more than one byte past the file limit
        let room = (self.limits.max_bytes - self.total.min(self.limits.max_bytes)) + 1;
        let cap = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..cap])?;
        self.total += n as u64;
        if self.total > self.limits.max_bytes {
            return Err(self.exceeded(Error::InputTooLarge {
                path: self.path.display().to_string(),
                what: format!("the file ({})", self.limits.what),
                size: format!("more than {}", human_bytes(self.limits.max_bytes)),
                limit: human_bytes(self.limits.max_bytes),
            }));
        }
        if let Some(max_line) = self.limits.max_line {
            let mut rest = &buf[..n];
            loop {
                match memchr::memchr(b'\n', rest) {
                    Some(p) => {
                        if self.line + p as u64 > max_line {
                            break;
                        }
                        self.line = 0;
                        self.line_no += 1;
                        rest = &rest[p + 1..];
                    }
                    None => {
                        self.line += rest.len() as u64;
                        break;
                    }
                }
            }
            let over = self.line > max_line
                || memchr::memchr(b'\n', rest).is_some_and(|p| self.line + p as u64 > max_line);
            if over {
                return Err(self.exceeded(Error::InputTooLarge {
                    path: self.path.display().to_string(),
                    what: format!("line {} ({})", self.line_no, self.limits.what),
                    size: String::new(),
                    limit: human_bytes(max_line),
                }));
            }
        }
        Ok(n)
    }
}

/// The typed error inside an `std::io::Error` from a [`Bounded`] reader (also when a
/// library wrapped it), if it is one.
pub fn from_io(e: &std::io::Error) -> Option<Error> {
    let inner = e.get_ref()?.downcast_ref::<Exceeded>()?;
    Some(match &inner.0 {
        Error::InputTooLarge {
            path,
            what,
            size,
            limit,
        } => Error::InputTooLarge {
            path: path.clone(),
            what: what.clone(),
            size: size.clone(),
            limit: limit.clone(),
        },
        // the reader wraps only its own limit errors
        other => Error::Internal {
            what: "bounded reader",
            reason: other.to_string(),
        },
    })
}

/// The typed error inside a `csv::Error` from a [`Bounded`] reader, if it is one.
pub fn from_csv(e: &csv::Error) -> Option<Error> {
    match e.kind() {
        csv::ErrorKind::Io(io) => from_io(io),
        _ => None,
    }
}

/// Opens `path` for streaming under `limits` (checked with [`check_file`] first).
///
/// # Errors
/// As [`check_file`]; reading past a limit later gives an `std::io::Error` that
/// [`from_io`] (or [`from_csv`]) turns back into [`Error::InputTooLarge`].
///
/// ```
/// use std::io::Read;
/// let p = std::env::temp_dir().join(format!("sednas-doc-bounded-{}.csv", std::process::id()));
/// std::fs::write(&p, "a,b\n1,2\n").unwrap();
/// let mut s = String::new();
/// sednas::io::bounded::open(&p, sednas::io::bounded::CSV).unwrap().read_to_string(&mut s).unwrap();
/// assert_eq!(s, "a,b\n1,2\n");
/// std::fs::remove_file(&p).unwrap();
/// ```
pub fn open(path: &Path, limits: Limits) -> Result<Bounded<std::io::BufReader<std::fs::File>>> {
    check_file(path, limits)?;
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(Bounded::new(std::io::BufReader::new(f), path, limits))
}

/// Reads all of `path` under `limits`.
///
/// # Errors
/// As [`open`], and [`Error::InputTooLarge`] for a line or a total past the limits.
///
/// ```
/// use sednas::io::bounded::{read, CONFIG};
/// let p = std::env::temp_dir().join(format!("sednas-doc-bounded-read-{}", std::process::id()));
/// std::fs::write(&p, b"x = 1\n").unwrap();
/// assert_eq!(read(&p, CONFIG).unwrap(), b"x = 1\n");
/// std::fs::remove_file(&p).unwrap();
/// ```
pub fn read(path: &Path, limits: Limits) -> Result<Vec<u8>> {
    let len = check_file(path, limits)?;
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    out.try_reserve_exact(len as usize)
        .map_err(|_| Error::OutOfMemory {
            what: "reading an input file",
            bytes: len as u128,
        })?;
    Bounded::new(f, path, limits)
        .read_to_end(&mut out)
        .map_err(|e| from_io(&e).unwrap_or_else(|| Error::io(path, e)))?;
    Ok(out)
}

/// Reads all of `path` under `limits` as UTF-8 text.
///
/// # Errors
/// As [`read`], and [`Error::BadText`] when it is not UTF-8 (naming the
/// line and byte).
///
/// ```
/// use sednas::io::bounded::{read_to_string, CONFIG};
/// let p = std::env::temp_dir().join(format!("sednas-doc-bounded-rts-{}", std::process::id()));
/// std::fs::write(&p, b"ok\n\xff\n").unwrap();
/// let e = read_to_string(&p, CONFIG).unwrap_err().to_string();
/// assert!(e.ends_with("line 2, byte 4: not UTF-8"), "{e}");
/// std::fs::remove_file(&p).unwrap();
/// ```
pub fn read_to_string(path: &Path, limits: Limits) -> Result<String> {
    let bytes = read(path, limits)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::BadText {
            path: path.display().to_string(),
            line: line as u64,
            byte: at as u64 + 1,
            reason: "not UTF-8".into(),
        }
    })
}
