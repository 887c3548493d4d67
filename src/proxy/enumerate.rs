//! A topology proxy of the registry (SED by default) over a whole (generalised) NB201
//! space, streamed: every cell as a CSV row in code order, or only the best K with the size
//! of the tie at the K-th score. Work is refused
//! before it starts when the space is too large, and estimated from a calibration chunk
//! before a long run (which needs an explicit `yes`).

use std::io::Write;

use rayon::prelude::*;

use crate::arch::AnyArch;
use crate::arch::nb201::{Nb201Arch, space_size};
use crate::error::{Error, Result};
use crate::proxy::{Proxy, Scratch};
use crate::sed::top_k::TopK;

/// Cells scored in one piece of work (one rayon task, one output buffer).
const CHUNK: u64 = 1 << 16;
/// Largest space enumerated at all.
pub const MAX_CELLS: u64 = 1_000_000_000_000;
/// Cells under `top` that need `yes`.
pub const YES_TOP: u64 = 1_000_000_000;
/// Rows of output that need `yes`.
pub const YES_ROWS: u64 = 100_000_000;
/// Largest K kept.
pub const MAX_TOP: u64 = 10_000_000;

/// A checked enumeration: the cell size, and optionally only the best K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enumeration {
    nodes: usize,
    total: u64,
    top: Option<u64>,
    yes: bool,
}

impl Enumeration {
    /// Checks the plan before any work: a cell of `nodes` nodes (space at most
    /// [`MAX_CELLS`] cells), `top` in 1..=min([`MAX_TOP`], space); `yes` allows more than
    /// [`YES_TOP`] cells under `top` or [`YES_ROWS`] rows without it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `--top` or `--nodes`.
    ///
    /// ```
    /// use sednas::proxy::enumerate::Enumeration;
    /// assert_eq!(Enumeration::new(4, Some(3), false).unwrap().total(), 15_625);
    /// assert!(Enumeration::new(4, Some(0), false).is_err());
    /// assert!(Enumeration::new(4, Some(15_626), false).is_err());
    /// assert!(Enumeration::new(7, Some(1), true).is_err()); // 5^21 cells
    /// ```
    pub fn new(nodes: usize, top: Option<u64>, yes: bool) -> Result<Self> {
        let total = space_size(nodes)?;
        if let Some(k) = top {
            if k == 0 {
                return Err(Error::param("--top", "must be at least 1"));
            }
            if k > MAX_TOP || k > total {
                return Err(Error::param(
                    "--top",
                    format!(
                        "{k} is larger than {} (the space has {total} cells; at most {MAX_TOP} are kept)",
                        total.min(MAX_TOP)
                    ),
                ));
            }
        }
        if total > MAX_CELLS {
            return Err(Error::param(
                "--nodes",
                format!(
                    "{nodes} has {total} cells: more than the {MAX_CELLS} this command enumerates (days of work at ~50 M cells/s)"
                ),
            ));
        }
        Ok(Self {
            nodes,
            total,
            top,
            yes,
        })
    }

    /// Cells in the space.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Scores every cell with `proxy` on `pool` and writes the CSV to `out`
    /// (`rank,index,arch,COLUMN` under `top`, else `index,arch,COLUMN` in code order, bounded
    /// memory; COLUMN is the proxy's registry column, `sed` for SED); `log` receives the
    /// calibrated estimate, the note on a tie at the K-th score and the time taken.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `--yes` when the estimate is past the limits and
    /// `yes` was not given (before any row is written); [`Error::Io`] for a failed write.
    pub fn run(
        &self,
        proxy: &dyn Proxy,
        pool: &rayon::ThreadPool,
        out: &mut dyn Write,
        log: &mut dyn FnMut(String),
    ) -> Result<()> {
        let (nodes, total) = (self.nodes, self.total);
        let threads = pool.current_num_threads();
        let column = proxy.entry().column;
        let score_code = |scratch: &mut Scratch, code: u64| -> f64 {
            let arch = Nb201Arch::from_code(nodes, code).expect("code in range");
            proxy.score(&AnyArch::Nb201(arch), scratch)
        };
        // calibrate on one chunk to estimate the whole run before starting it
        let t_cal = std::time::Instant::now();
        let cal = CHUNK.min(total);
        let mut scratch = Scratch::default();
        let mut sink = 0.0;
        for code in 0..cal {
            sink += score_code(&mut scratch, code);
        }
        std::hint::black_box(sink);
        let rate = cal as f64 / t_cal.elapsed().as_secs_f64().max(1e-9) * threads as f64;
        let est = total as f64 / rate;
        log(format!(
            "enumerating {total} cells on {threads} thread(s) at ~{:.1} M cells/s (calibrated): ~{}",
            rate / 1e6,
            fmt_secs(est)
        ));
        let limit = if self.top.is_some() {
            YES_TOP
        } else {
            YES_ROWS
        };
        if total > limit && !self.yes {
            let what = if self.top.is_some() {
                ""
            } else {
                " rows of output"
            };
            return Err(Error::param(
                "--yes",
                format!(
                    "{total} cells (~{}) is more than {limit}{what}: add --yes to run it",
                    fmt_secs(est)
                ),
            ));
        }
        let io = |e| Error::io(std::path::Path::new("<stdout>"), e);
        let t0 = std::time::Instant::now();
        let chunks = total.div_ceil(CHUNK);
        match self.top {
            Some(k) => {
                let best = pool.install(|| {
                    (0..chunks)
                        .into_par_iter()
                        .map(|ci| {
                            let (s, e) = (ci * CHUNK, ((ci + 1) * CHUNK).min(total));
                            let mut scratch = Scratch::default();
                            let mut t = TopK::new(k as usize).expect("k >= 1");
                            for code in s..e {
                                t.push(score_code(&mut scratch, code), code);
                            }
                            t
                        })
                        .reduce_with(|mut a, b| {
                            a.merge(&b);
                            a
                        })
                });
                let mut best = best.expect("a space has at least one chunk");
                writeln!(out, "rank,index,arch,{column}").map_err(io)?;
                for (r, (s, code)) in best.items().iter().enumerate() {
                    let arch = Nb201Arch::from_code(nodes, *code)?;
                    let idx = arch
                        .official_index()
                        .map(|i| i.to_string())
                        .unwrap_or_default();
                    writeln!(out, "{},{},{},{}", r + 1, idx, arch, s).map_err(io)?;
                }
                out.flush().map_err(io)?;
                if let Some((t, n)) = best.kth_tie() {
                    log(format!(
                        "note: {n} of {total} architectures share the K-th score {t}; the order among ties is by code (arbitrary)"
                    ));
                }
            }
            None => {
                writeln!(out, "index,arch,{column}").map_err(io)?;
                // a window of chunks at a time: bounded memory, rows in code order
                let window = 4 * threads as u64;
                let mut ci = 0;
                while ci < chunks {
                    let hi = (ci + window).min(chunks);
                    let bufs: Vec<Vec<u8>> = pool.install(|| {
                        (ci..hi)
                            .into_par_iter()
                            .map(|c| {
                                rows_of_chunk(proxy, nodes, c * CHUNK, ((c + 1) * CHUNK).min(total))
                            })
                            .collect()
                    });
                    for b in &bufs {
                        out.write_all(b).map_err(io)?;
                    }
                    ci = hi;
                }
                out.flush().map_err(io)?;
            }
        }
        log(format!(
            "scored {total} architectures in {:.3} s",
            t0.elapsed().as_secs_f64()
        ));
        Ok(())
    }
}

/// The rows `index,arch,score` of cells `s..e`.
fn rows_of_chunk(proxy: &dyn Proxy, nodes: usize, s: u64, e: u64) -> Vec<u8> {
    let mut scratch = Scratch::default();
    let mut buf = Vec::with_capacity(((e - s) * 96) as usize);
    for code in s..e {
        let arch = Nb201Arch::from_code(nodes, code).expect("in range");
        let v = proxy.score(&AnyArch::Nb201(arch), &mut scratch);
        if let Some(i) = arch.official_index() {
            let _ = write!(buf, "{i}");
        }
        let _ = writeln!(buf, ",{arch},{v}");
    }
    buf
}

/// Seconds as a short human duration.
///
/// ```
/// assert_eq!(sednas::proxy::enumerate::fmt_secs(90.0), "90.0 s");
/// assert_eq!(sednas::proxy::enumerate::fmt_secs(7200.0), "2.0 h");
/// ```
pub fn fmt_secs(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86400.0)
    }
}
