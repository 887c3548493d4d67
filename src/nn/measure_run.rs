//! A `sednas measure` run over a population: where the architectures come from, the run
//! file's rows (position, index, architecture columns, configuration, summaries, per-layer
//! metrics), resume under the same configuration only, and checkpoints written atomically
//! through [`crate::io::shard`]. The CLI parses flags into a [`MeasureRun`] and calls
//! [`MeasureRun::run`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::arch::nb201::{NB201_SIZE, Nb201Arch};
use crate::arch::{AnyArch, ArchColumns, SpaceKind};
use crate::error::{Error, Result};
use crate::io::shard::{RunFile, Shard, read_run, write_run};
use crate::nn::measure::{
    MeasureConfig, MeasureScope, SUMMARIES, measure_arch, measure_inputs, summaries,
};
use crate::rng::SplitMix64;

/// The tool name in a run file's first line.
pub const TOOL: &str = "measure";
/// The per-layer metrics of a row, in column order.
pub const METRICS: [&str; 6] = ["h1x", "distinct", "h1b", "zero", "h2", "singular"];

/// Where a population's architectures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The whole NB201 space (15,625 cells, index order).
    All,
    /// A uniform sample of `k` NB201 cells (without replacement, index order).
    Sample {
        /// Cells drawn, 1..=15,625.
        k: usize,
        /// Seed of the draw.
        seed: u64,
    },
    /// The architecture column(s) of a CSV file.
    File(PathBuf),
    /// One architecture per line of a text stream (blank lines and `#` comments skipped).
    Lines,
}

/// The population of `source` (`limit`: the first K of a file or stream; `lines`: the
/// stream [`Source::Lines`] reads).
///
/// # Errors
/// [`Error::InvalidParameter`] for `All`/`Sample` outside NB201 (`--all/--sample`), a
/// sample size outside 1..=15,625 (`--sample`) or a `limit` of 0 (`--limit`);
/// [`Error::Csv`] naming the file and line of an unreadable row or architecture, or a file
/// without rows; [`Error::Empty`] for a stream without architectures; the bounded
/// reader's errors for a file or stream that cannot be read ([`Error::Io`],
/// [`Error::InputTooLarge`], [`Error::BadText`]).
///
/// ```
/// use sednas::arch::{ArchColumns, SpaceKind};
/// use sednas::nn::measure_run::{Source, population};
/// let cols = ArchColumns::default_for(SpaceKind::Nb201);
/// let s = Source::Sample { k: 3, seed: 0 };
/// let pop = population(SpaceKind::Nb201, &s, &cols, None, std::io::empty()).unwrap();
/// assert_eq!(pop.len(), 3);
/// assert!(population(SpaceKind::Nb101, &s, &cols, None, std::io::empty()).is_err());
/// ```
pub fn population(
    space: SpaceKind,
    source: &Source,
    cols: &ArchColumns,
    limit: Option<usize>,
    lines: impl BufRead,
) -> Result<Vec<AnyArch>> {
    if matches!(source, Source::All | Source::Sample { .. }) && space != SpaceKind::Nb201 {
        return Err(Error::param(
            "--all/--sample",
            format!(
                "they enumerate NB201 only; give {space} architectures with --from FILE or on stdin"
            ),
        ));
    }
    if limit == Some(0) {
        return Err(Error::param("--limit", "must be at least 1"));
    }
    let nb201 = |i: usize| Ok(AnyArch::Nb201(Nb201Arch::from_index(i)?));
    let limit = limit.unwrap_or(usize::MAX);
    let out = match source {
        Source::All => (0..NB201_SIZE).map(nb201).collect::<Result<Vec<_>>>()?,
        Source::Sample { k, seed } => {
            let k = *k;
            if k == 0 || k > NB201_SIZE {
                return Err(Error::param(
                    "--sample",
                    format!("must be in 1..={NB201_SIZE}, got {k}"),
                ));
            }
            // partial Fisher–Yates over the indices, then index order
            let mut idx: Vec<usize> = (0..NB201_SIZE).collect();
            let mut r = SplitMix64::new(*seed);
            for i in 0..k {
                let j = i + r.below((NB201_SIZE - i) as u64) as usize;
                idx.swap(i, j);
            }
            let mut pick = idx[..k].to_vec();
            pick.sort_unstable();
            pick.into_iter().map(nb201).collect::<Result<Vec<_>>>()?
        }
        Source::File(f) => read_arch_column(f, space, cols, limit)?,
        Source::Lines => read_lines(space, lines, limit)?,
    };
    if out.is_empty() {
        return Err(match source {
            Source::File(f) => Error::Csv {
                path: f.display().to_string(),
                line: 2,
                reason: "no architecture rows after the header: the population is empty".into(),
            },
            _ => Error::Empty {
                what: "population read from stdin",
                shape: vec![0],
            },
        });
    }
    Ok(out)
}

/// Architectures, one per line (stdin goes through the bounded reader: lines up to 4 MiB,
/// 1 GiB in all).
fn read_lines(space: SpaceKind, lines: impl BufRead, limit: usize) -> Result<Vec<AnyArch>> {
    let stdin = std::io::BufReader::new(crate::io::bounded::Bounded::new(
        lines,
        "<stdin>",
        crate::io::bounded::CSV,
    ));
    let mut out = Vec::new();
    for (k, line) in stdin.lines().enumerate() {
        let line = line.map_err(|e| {
            crate::io::bounded::from_io(&e).unwrap_or_else(|| Error::io(Path::new("<stdin>"), e))
        })?;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if out.len() == limit {
            break;
        }
        out.push(AnyArch::parse(space, t).map_err(|e| Error::Csv {
            path: "stdin".into(),
            line: k as u64 + 1,
            reason: format!("{:?}: {e}", crate::io::bounded::excerpt(t, 200)),
        })?);
    }
    Ok(out)
}

/// Every architecture of the columns `cols` of CSV file `f` (an unparsable one is an
/// error naming its line).
fn read_arch_column(
    f: &Path,
    space: SpaceKind,
    cols: &ArchColumns,
    limit: usize,
) -> Result<Vec<AnyArch>> {
    let csv_err = |line: u64, reason: String| Error::Csv {
        path: f.display().to_string(),
        line,
        reason,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(crate::io::bounded::open(f, crate::io::bounded::CSV)?);
    let headers = rdr
        .headers()
        .map_err(|e| crate::io::bounded::from_csv(&e).unwrap_or_else(|| csv_err(1, e.to_string())))?
        .clone();
    let idx = cols.locate(space, &headers, &f.display().to_string())?;
    let mut out = Vec::new();
    for (k, rec) in rdr.records().enumerate() {
        if out.len() == limit {
            break;
        }
        let rec = rec.map_err(|e| {
            crate::io::bounded::from_csv(&e).unwrap_or_else(|| csv_err(k as u64 + 2, e.to_string()))
        })?;
        let a = AnyArch::parse(space, &idx.text(&rec))
            .map_err(|e| csv_err(k as u64 + 2, e.to_string()))?;
        out.push(a);
    }
    Ok(out)
}

/// The output's architecture columns and their values for `arch` (NB101: matrix and
/// operations; DARTS: NASLib normal and reduction cells; NB201: the cell string).
fn arch_fields(arch: &AnyArch) -> Vec<String> {
    match arch {
        AnyArch::Nb101(_) | AnyArch::Darts(_) => {
            let text = match arch {
                // NASLib's form has no concat list: only for DARTS' own range(2, 6)
                AnyArch::Darts(g)
                    if [&g.normal, &g.reduce]
                        .iter()
                        .all(|c| c.concat == [2, 3, 4, 5]) =>
                {
                    g.to_naslib()
                }
                _ => arch.to_string(),
            };
            match text.split_once('|') {
                Some((x, y)) => vec![x.to_string(), y.to_string()],
                None => vec![text, String::new()],
            }
        }
        _ => vec![arch.to_string()],
    }
}

/// The architecture columns of the header for `space`.
///
/// ```
/// use sednas::arch::{ArchColumns, SpaceKind};
/// let c = ArchColumns::default_for(SpaceKind::Nb101);
/// assert_eq!(sednas::nn::measure_run::arch_header(SpaceKind::Nb101, &c), "adjacency_7x7_rowmajor,ops");
/// ```
pub fn arch_header(space: SpaceKind, cols: &ArchColumns) -> String {
    match space {
        SpaceKind::Nb101 => format!("{},{}", csv_field(&cols.arch), csv_field(&cols.ops)),
        SpaceKind::Darts => format!("{},{}", csv_field(&cols.arch), csv_field(&cols.reduce)),
        _ => csv_field(&cols.arch),
    }
}

/// One CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The first fields of the row of `arch` at `p` (resume checks that a stored row starts so).
///
/// ```
/// use sednas::arch::{AnyArch, SpaceKind};
/// let a = AnyArch::parse(SpaceKind::Nb201, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|").unwrap();
/// let index = a.index().unwrap();
/// assert_eq!(
///     sednas::nn::measure_run::row_prefix(7, &a),
///     format!("7,{index},|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
/// );
/// ```
pub fn row_prefix(p: usize, arch: &AnyArch) -> String {
    let index = match arch {
        AnyArch::Nb201(a) => a
            .official_index()
            .map(|i| i.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut s = format!("{p},{index}");
    for f in arch_fields(arch) {
        s.push(',');
        s.push_str(&csv_field(&f));
    }
    s
}

fn header(arch_cols: &str, layers: &[(String, &'static str)]) -> String {
    let mut h = format!("pos,index,{arch_cols},width,cells,input,seed,batch,bins");
    for s in SUMMARIES {
        h.push(',');
        h.push_str(s);
    }
    for (l, k) in layers {
        for m in METRICS {
            let _ = write!(h, ",{l}.{k}.{m}");
        }
    }
    h
}

/// The population's identity (FNV-1a-64 of its canonical texts, one per line): part of the
/// configuration, so that resume and merge refuse files of another sample, seed or source.
fn population_hash(pop: &[AnyArch]) -> String {
    let mut text = String::new();
    for x in pop {
        text.push_str(&x.to_string());
        text.push('\n');
    }
    format!("{:016x}", crate::numerics::fnv1a64(text.as_bytes()))
}

/// A checked measure run: population, network settings and output file.
#[derive(Debug, Clone)]
pub struct MeasureRun {
    cfg: MeasureConfig,
    pop: Vec<AnyArch>,
    cols: ArchColumns,
    out: PathBuf,
    resume: bool,
    shard: Shard,
    checkpoint: usize,
}

/// What a finished run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunReport {
    /// Rows in the output file.
    pub rows: usize,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
}

impl MeasureRun {
    /// Checks the output settings before any work: `out` a `.csv` in an existing folder, not
    /// already there unless `resume`; `checkpoint` ≥ 1.
    ///
    /// The space is the one `cfg` was checked for.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting: an architecture of another space than
    /// `cfg`'s (`population`), `--checkpoint` 0, `--out` not a
    /// `.csv` or (without `resume`) already there; [`Error::Io`] (`NotFound`) naming the
    /// folder of `out` when it does not exist.
    pub fn new(
        cfg: MeasureConfig,
        pop: Vec<AnyArch>,
        cols: ArchColumns,
        out: PathBuf,
        resume: bool,
        shard: Shard,
        checkpoint: usize,
    ) -> Result<Self> {
        if let Some((p, a)) = pop
            .iter()
            .enumerate()
            .find(|(_, a)| a.kind() != cfg.space())
        {
            return Err(Error::param(
                "population",
                format!(
                    "position {p} is a {} architecture; the settings were checked for {}",
                    a.kind(),
                    cfg.space()
                ),
            ));
        }
        if checkpoint == 0 {
            return Err(Error::param("--checkpoint", "must be at least 1"));
        }
        check_csv_out(&out)?;
        if out.exists() && !resume {
            return Err(Error::param(
                "--out",
                format!(
                    "{} exists: pass --resume to continue it, or remove it",
                    out.display()
                ),
            ));
        }
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(Error::io(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("the folder of --out {} does not exist", out.display()),
                ),
            ));
        }
        Ok(Self {
            cfg,
            pop,
            cols,
            out,
            resume,
            shard,
            checkpoint,
        })
    }

    /// The run's configuration line (JSON), as stored in the file's first line.
    fn config_json(&self) -> Result<String> {
        serde_json::to_string(&serde_json::json!({
            "space": self.cfg.space().to_string(), "measure": self.cfg, "population": self.pop.len(),
            "population_fnv1a": population_hash(&self.pop),
            "window": "3x3x1 valid", "bn": "batch statistics", "init": "burn 0.22 defaults after device.seed(seed)",
        }))
        .map_err(|e| Error::Json {
            what: "the run's configuration".into(),
            reason: e.to_string(),
        })
    }

    /// The stored run to continue (checked: same configuration, shard, population and
    /// columns), or a fresh one.
    fn start(&self, config: &str, arch_cols: &str) -> Result<RunFile> {
        if !(self.resume && self.out.exists()) {
            return Ok(RunFile {
                shard: self.shard,
                config: config.to_string(),
                header: String::new(),
                rows: BTreeMap::new(),
            });
        }
        let r = read_run(&self.out, TOOL)?;
        let path = self.out.display().to_string();
        if r.config != config || r.shard != self.shard {
            return Err(Error::Shard {
                path,
                reason: format!(
                    "written under shard {} and config {}, not shard {} and config {config}: --resume continues only the same run (choose another --out, or remove the file)",
                    r.shard, r.config, self.shard
                ),
            });
        }
        for (&p, row) in &r.rows {
            let ok = self
                .pop
                .get(p)
                .is_some_and(|x| row.starts_with(&format!("{},", row_prefix(p, x))));
            if !ok {
                return Err(Error::Shard {
                    path,
                    reason: format!(
                        "the row at pos {p} ({:?}…) does not hold the population's architecture there: --resume continues only the same run",
                        row.chars().take(80).collect::<String>()
                    ),
                });
            }
        }
        if !r.header.is_empty() && !r.header.starts_with(&format!("pos,index,{arch_cols},")) {
            return Err(Error::Shard {
                path,
                reason: format!(
                    "architecture columns other than {arch_cols}: --resume continues only the same run"
                ),
            });
        }
        Ok(r)
    }

    /// Measures every network of the shard not yet in the file, writing the file atomically
    /// every `checkpoint` networks and at the end; `log` receives one progress line at the
    /// start and at each checkpoint. A resumed run ends with the file an uninterrupted one
    /// writes.
    ///
    /// # Errors
    /// [`Error::Shard`] for a stored file (`resume`) of another configuration, shard,
    /// population or columns; [`Error::Csv`] for a damaged one (see
    /// [`crate::io::shard::read_run`]); the image loaders' errors for inputs that cannot be
    /// loaded; [`Error::InArch`] naming the position and architecture whose network cannot
    /// be built or measured (the cause inside); [`Error::Io`] for a failed write.
    pub fn run(&self, data_dir: &Path, log: &mut dyn FnMut(String)) -> Result<RunReport> {
        let cfg = &self.cfg;
        let images = measure_inputs(cfg, data_dir)?;
        let config = self.config_json()?;
        let arch_cols = arch_header(self.cfg.space(), &self.cols);
        let mut run = self.start(&config, &arch_cols)?;
        let todo: Vec<usize> = (0..self.pop.len())
            .filter(|&p| self.shard.contains(p) && !run.rows.contains_key(&p))
            .collect();
        log(format!(
            "measure: {} {} networks in shard {} ({} already done), width {}, cells {}, {} × {} images, seed {}",
            todo.len(),
            self.cfg.space(),
            self.shard,
            run.rows.len(),
            cfg.width(),
            cfg.cells(),
            cfg.batch(),
            cfg.input(),
            cfg.seed()
        ));
        // per-layer columns only when every figure of every map was measured
        let layers = cfg.scope() == MeasureScope::Layers;
        let t0 = std::time::Instant::now();
        let mut since = 0;
        for (k, &p) in todo.iter().enumerate() {
            let arch = &self.pop[p];
            let maps = measure_arch(arch, cfg, images.view()).map_err(|e| Error::InArch {
                arch: format!("position {p}: {}", row_prefix(p, arch)),
                error: Box::new(e),
            })?;
            if run.header.is_empty() {
                let named: Vec<(String, &'static str)> = if layers {
                    maps.iter().map(|m| (m.layer.clone(), m.kind)).collect()
                } else {
                    Vec::new()
                };
                run.header = header(&arch_cols, &named);
            }
            let mut row = format!(
                "{},{},{},{},{},{},{}",
                row_prefix(p, arch),
                cfg.width(),
                cfg.cells(),
                cfg.input(),
                cfg.seed(),
                cfg.batch(),
                cfg.bins()
            );
            for v in summaries(&maps) {
                let _ = write!(row, ",{v}");
            }
            if layers {
                for m in &maps {
                    let _ = write!(
                        row,
                        ",{},{},{},{},{},{}",
                        m.h1x, m.distinct, m.h1b, m.zero, m.h2, m.singular
                    );
                }
            }
            run.rows.insert(p, row);
            since += 1;
            if since >= self.checkpoint || k + 1 == todo.len() {
                write_run(&self.out, TOOL, &run)?;
                since = 0;
                let el = t0.elapsed().as_secs_f64();
                log(format!(
                    "  {}/{} networks, {:.2} s per network, about {:.0} s left",
                    k + 1,
                    todo.len(),
                    el / (k + 1) as f64,
                    el / (k + 1) as f64 * (todo.len() - k - 1) as f64
                ));
            }
        }
        if todo.is_empty() {
            write_run(&self.out, TOOL, &run)?;
        }
        Ok(RunReport {
            rows: run.rows.len(),
            seconds: t0.elapsed().as_secs_f64(),
        })
    }
}

/// An output that must be a `.csv` file.
///
/// # Errors
/// [`Error::InvalidParameter`] for `--out` when the extension is not `csv`.
pub fn check_csv_out(out: &Path) -> Result<()> {
    if out.extension().and_then(|e| e.to_str()) != Some("csv") {
        return Err(Error::param(
            "--out",
            format!("{}: expected a .csv file", out.display()),
        ));
    }
    Ok(())
}
