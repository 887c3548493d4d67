//! `led-m` of one architecture: builds and forwards its reduced-scale network on the
//! embedded patches and combines the measured summary with LEDp ([`crate::sed::ledm`]).

use crate::arch::{AnyArch, SpaceKind};
use crate::error::{Error, Result};
use crate::nn::measure::{
    MeasureConfig, MeasureInput, MeasureParams, MeasureScope, measure_arch, measure_inputs,
    summaries,
};
use crate::sed::ledm;
use crate::sed::ledp::{Ledp, LedpConfig};

/// The measure configuration of led-m for `space` (reduced scale, patches, batch 10).
///
/// # Errors
/// [`Error::InvalidParameter`] (`led-m`) for a space without a measured network
/// (NATS-SSS), naming it.
///
/// ```
/// use sednas::arch::SpaceKind;
/// let c = sednas::nn::ledm::config(SpaceKind::Nb201).unwrap();
/// assert_eq!((c.width(), c.cells(), c.batch()), (8, 1, 10));
/// assert!(sednas::nn::ledm::config(SpaceKind::NatsSss).unwrap_err().to_string().contains("nats-sss"));
/// ```
pub fn config(space: SpaceKind) -> Result<MeasureConfig> {
    let (width, cells) = MeasureConfig::reduced(space).ok_or_else(|| {
        Error::param(
            "led-m",
            format!("{space} has no network to measure (led-m needs nb201, nb101 or darts)"),
        )
    })?;
    MeasureParams {
        width,
        cells,
        batch: ledm::BATCH,
        input: MeasureInput::Patches,
        seed: ledm::SEED,
        bins: ledm::BINS,
    }
    .check(space)
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
    /// As [`config`]; as [`LedpConfig::for_space`] and [`Ledp::new`] for LEDp's constants of
    /// the space.
    pub fn new(space: SpaceKind) -> Result<Self> {
        // only the summaries are read (led-m's is bit for bit that of a layers run)
        let cfg = config(space)?.with_scope(MeasureScope::Summaries);
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
    /// [`Error::InvalidParameter`] (`led-m`) for an architecture of another space (named);
    /// [`measure_arch`]'s errors for a network that cannot be built or measured; as
    /// [`ledm::combine`] for a summary out of its range.
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

/// What [`score_lines`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinesReport {
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines refused (reported through `report`).
    pub bad: usize,
    /// Whether scoring stopped at the first bad line.
    pub stopped: bool,
}

/// Longest line taken as an architecture (an architecture is a short text).
const MAX_LINE: u64 = 1 << 20;

/// Scores architectures with led-m: each item of `listed`, or (when `listed` is empty) each
/// line of `input`, read one bounded line at a time. Writes `arch,led_m,neg_zero_mean` rows
/// to `out`; a bad line goes to `report(line, why)` and is skipped, or stops the run when
/// `stop`.
///
/// # Errors
/// [`Error::BadText`] for a line longer than 1 MiB; [`Error::Io`] for a failed read or
/// write. An architecture that cannot be parsed or measured is reported, not an error.
pub fn score_lines(
    scorer: &LedM,
    listed: &[String],
    mut input: impl std::io::BufRead,
    stop: bool,
    out: &mut dyn std::io::Write,
    report: &mut dyn FnMut(usize, &Error),
) -> Result<LinesReport> {
    use std::io::{BufRead as _, Read as _};
    let io = |e| Error::io(std::path::Path::new("<stdout>"), e);
    let mut listed_it = listed.iter();
    let mut next_line = |buf: &mut Vec<u8>, line: usize| -> Result<bool> {
        buf.clear();
        if !listed.is_empty() {
            return Ok(listed_it
                .next()
                .map(|t| buf.extend_from_slice(t.as_bytes()))
                .is_some());
        }
        let got = (&mut input)
            .take(MAX_LINE + 1)
            .read_until(b'\n', buf)
            .map_err(|e| Error::io(std::path::Path::new("<stdin>"), e))?;
        if got as u64 > MAX_LINE && buf.last() != Some(&b'\n') {
            return Err(Error::BadText {
                path: "<stdin>".into(),
                line: line as u64,
                byte: MAX_LINE,
                reason: format!("a line longer than {MAX_LINE} bytes is not an architecture"),
            });
        }
        Ok(got > 0)
    };
    writeln!(out, "arch,led_m,neg_zero_mean").map_err(io)?;
    let mut rep = LinesReport::default();
    let mut buf = Vec::new();
    let mut i = 0;
    while next_line(&mut buf, i + 1)? {
        i += 1;
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        rep.lines += 1;
        let r = AnyArch::parse(scorer.space, text).and_then(|arch| {
            if let AnyArch::Nb201(c) = &arch
                && c.nodes() != 4
            {
                return Err(Error::param(
                    "led-m",
                    format!(
                        "a {}-node cell: led-m measures the 4-node benchmark cell",
                        c.nodes()
                    ),
                ));
            }
            scorer.score(&arch).map(|s| (arch, s))
        });
        match r {
            Ok((arch, (v, s))) => writeln!(out, "\"{arch}\",{v},{s}").map_err(io)?,
            Err(e) => {
                report(i, &e);
                rep.bad += 1;
                if stop {
                    rep.stopped = true;
                    break;
                }
            }
        }
    }
    out.flush().map_err(io)?;
    Ok(rep)
}

/// `--measured SPACE=FILE`: the space, the run file's architecture columns (from its
/// header) and whether its configuration is led-m's. Only the first two lines
/// (configuration, header) are read here; the join reads the rows.
///
/// # Errors
/// [`Error::InvalidParameter`] (`--measured`) for a spec that is not `SPACE=FILE`;
/// [`Error::BadSpec`] for an unknown space; [`Error::Shard`] naming the file when it is a run of another space;
/// [`Error::Csv`] naming line 1 of a file that is not a `sednas measure` run; the file's
/// read errors ([`Error::Io`], [`Error::NotAFile`], [`Error::InputTooLarge`]).
pub fn measured_run(spec: &str) -> Result<crate::eval::benchmark::MeasuredRun> {
    use crate::arch::{ArchColumns, SpaceKind};
    use std::io::BufRead;
    let Some((space, file)) = spec.split_once('=') else {
        return Err(Error::param(
            "--measured",
            format!("{spec:?}: expected SPACE=FILE"),
        ));
    };
    let space: SpaceKind = space.parse()?;
    let path = std::path::PathBuf::from(file);
    let mut r = std::io::BufReader::new(crate::io::bounded::open(&path, crate::io::bounded::CSV)?);
    let (mut first, mut header) = (String::new(), String::new());
    r.read_line(&mut first).map_err(|e| Error::io(&path, e))?;
    r.read_line(&mut header).map_err(|e| Error::io(&path, e))?;
    let (first, header) = (first.trim_end(), header.trim_end());
    let line1 = |reason: &str| Error::Csv {
        path: file.to_string(),
        line: 1,
        reason: reason.to_string(),
    };
    let config = first
        .split_once("config=")
        .map(|(_, c)| c)
        .filter(|_| first.starts_with("# sednas measure"))
        .ok_or_else(|| line1("not a `sednas measure` header"))?;
    let config: serde_json::Value =
        serde_json::from_str(config).map_err(|_| line1("configuration is not JSON"))?;
    if config["space"].as_str() != Some(&space.to_string()) {
        return Err(Error::Shard {
            path: file.to_string(),
            reason: format!(
                "the run measured {} networks, not {space} as --measured {spec} says",
                config["space"]
            ),
        });
    }
    // led-m's settings, compared as parameters: the scope (`--summaries-only`) is not one of
    // them and does not change the summaries
    let want = self::config(space)?.params();
    let led_m =
        serde_json::from_value::<crate::nn::measure::MeasureParams>(config["measure"].clone())
            .is_ok_and(|got| got == want);
    let names: Vec<&str> = header.split(',').collect();
    let arch = match space {
        SpaceKind::Nb101 if names.contains(&"adjacency_rowmajor") => Some("adjacency_rowmajor"),
        _ => None,
    };
    Ok(crate::eval::benchmark::MeasuredRun {
        space,
        path,
        cols: ArchColumns::with(space, arch, None, None),
        led_m,
    })
}
