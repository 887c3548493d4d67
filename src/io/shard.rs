//! Sharded, resumable CSV runs: a run over a population writes one file whose first line
//! records the run's configuration and shard (`# sednas <tool> shard=I/N config=<json>`),
//! whose rows carry their position `pos` in the population, and which is rewritten
//! atomically at checkpoints. `--resume` continues such a file only under the same
//! configuration and shard; [`merge`] joins the N shards of one run, checking that each is
//! present exactly once, into the file an unsharded run writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// One shard `i/n` of a population: the items at positions p with p mod n = i.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    /// This shard, 0 ≤ i < n.
    pub i: usize,
    /// Number of shards, n ≥ 1.
    pub n: usize,
}

impl Shard {
    /// The whole population.
    pub const ALL: Shard = Shard { i: 0, n: 1 };

    /// Whether position `pos` belongs to this shard.
    ///
    /// ```
    /// let s: sednas::io::shard::Shard = "1/3".parse().unwrap();
    /// assert!(s.contains(4) && !s.contains(3));
    /// ```
    pub fn contains(&self, pos: usize) -> bool {
        pos % self.n == self.i
    }
}

impl FromStr for Shard {
    type Err = Error;
    /// `I/N` with 0 ≤ I < N.
    ///
    /// ```
    /// use sednas::io::shard::Shard;
    /// assert_eq!("0/4".parse::<Shard>().unwrap(), Shard { i: 0, n: 4 });
    /// for bad in ["3/2", "0/0", "2/2", "a/b", "1", "-1/2"] {
    ///     assert!(bad.parse::<Shard>().is_err(), "{bad}");
    /// }
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::BadSpec {
            what: "shard",
            text: s.to_string(),
            expected: "I/N with 0 ≤ I < N (e.g. 0/4 … 3/4)",
        };
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let (i, n): (usize, usize) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || i >= n {
            return Err(bad());
        }
        Ok(Shard { i, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.i, self.n)
    }
}

/// The first line of a run file.
///
/// ```
/// use sednas::io::shard::{header_line, Shard};
/// assert_eq!(
///     header_line("score", Shard { i: 1, n: 4 }, r#"{"population":10}"#),
///     "# sednas score shard=1/4 config={\"population\":10}\n"
/// );
/// ```
pub fn header_line(tool: &str, shard: Shard, config_json: &str) -> String {
    format!("# sednas {tool} shard={shard} config={config_json}\n")
}

/// A run file read back: its shard, configuration, CSV header and rows by position.
#[derive(Debug, Clone)]
pub struct RunFile {
    /// The shard it covers.
    pub shard: Shard,
    /// The configuration JSON.
    pub config: String,
    /// The CSV header line (without newline).
    pub header: String,
    /// Rows (full lines without newline) by their `pos` (first column).
    pub rows: BTreeMap<usize, String>,
}

fn bad_file(path: &Path, line: u64, reason: impl Into<String>) -> Error {
    Error::Csv {
        path: path.display().to_string(),
        line,
        reason: reason.into(),
    }
}

/// Reads a run file of `tool`.
///
/// # Errors
/// As [`crate::io::bounded::read_to_string`] (the file missing, not a regular file, too
/// large, not UTF-8); [`Error::Csv`] naming the line of a first line that is not a
/// `sednas <tool>` run file, a missing CSV header, a row of another width, a row without
/// a numeric `pos`, or a `pos` that overflows, belongs to another shard or appears twice;
/// [`Error::BadSpec`] for a shard that is not `I/N`.
///
/// ```
/// use sednas::error::Error;
/// use sednas::io::shard::{read_run, Shard};
/// let path = std::env::temp_dir().join(format!("sednas-doc-read-run-{}.csv", std::process::id()));
/// std::fs::write(&path, "# sednas score shard=1/2 config={}\npos,sed\n3,1.5\n1,2.5\n").unwrap();
/// let r = read_run(&path, "score").unwrap();
/// assert_eq!((r.shard, r.config.as_str(), r.header.as_str()), (Shard { i: 1, n: 2 }, "{}", "pos,sed"));
/// assert_eq!(r.rows.keys().copied().collect::<Vec<_>>(), [1, 3]);
/// // a row of another shard
/// std::fs::write(&path, "# sednas score shard=1/2 config={}\npos,sed\n2,1.5\n").unwrap();
/// assert!(matches!(read_run(&path, "score"), Err(Error::Csv { line: 3, .. })));
/// // a position past usize::MAX is reported as an overflow
/// std::fs::write(&path, "# sednas score shard=1/2 config={}\npos,sed\n99999999999999999999999,1.5\n").unwrap();
/// assert!(read_run(&path, "score").unwrap_err().to_string().contains("overflows"));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn read_run(path: &Path, tool: &str) -> Result<RunFile> {
    let text = crate::io::bounded::read_to_string(path, crate::io::bounded::CSV)?;
    let mut lines = text.lines();
    let first = lines
        .next()
        .ok_or_else(|| bad_file(path, 1, "empty file"))?;
    let prefix = format!("# sednas {tool} shard=");
    let rest = first.strip_prefix(&prefix).ok_or_else(|| {
        bad_file(
            path,
            1,
            format!("not a `sednas {tool}` run file (first line {first:?})"),
        )
    })?;
    let (shard, config) = rest
        .split_once(" config=")
        .ok_or_else(|| bad_file(path, 1, "no config= on the first line"))?;
    let shard: Shard = shard.parse()?;
    let header = lines
        .next()
        .ok_or_else(|| bad_file(path, 2, "no CSV header"))?
        .to_string();
    let fields = |l: &str| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(l.as_bytes())
            .records()
            .next()
            .and_then(|r| r.ok())
            .map(|r| r.len())
    };
    let width = fields(&header).unwrap_or(0);
    let mut rows = BTreeMap::new();
    for (k, l) in lines.enumerate() {
        let line = k as u64 + 3;
        if l.is_empty() {
            continue;
        }
        if fields(l) != Some(width) {
            return Err(bad_file(
                path,
                line,
                format!("row has {:?} fields, the header {width}", fields(l)),
            ));
        }
        let first = l.split(',').next().unwrap_or("");
        let pos: usize = first.parse().map_err(|e: std::num::ParseIntError| {
            if *e.kind() == std::num::IntErrorKind::PosOverflow {
                bad_file(
                    path,
                    line,
                    format!("pos {first} overflows (more than {})", usize::MAX),
                )
            } else {
                bad_file(path, line, "row without a numeric pos")
            }
        })?;
        if !shard.contains(pos) {
            return Err(bad_file(
                path,
                line,
                format!("pos {pos} does not belong to shard {shard}"),
            ));
        }
        if rows.insert(pos, l.to_string()).is_some() {
            return Err(bad_file(path, line, format!("pos {pos} appears twice")));
        }
    }
    Ok(RunFile {
        shard,
        config: config.to_string(),
        header,
        rows,
    })
}

/// Writes a run file atomically (rows in position order).
///
/// # Errors
/// [`Error::Io`] naming the file when it cannot be written (see [`super::write_atomic`]).
///
/// ```
/// use std::collections::BTreeMap;
/// use sednas::io::shard::{write_run, RunFile, Shard};
/// let path = std::env::temp_dir().join(format!("sednas-doc-write-run-{}.csv", std::process::id()));
/// let run = RunFile {
///     shard: Shard { i: 0, n: 2 },
///     config: "{}".into(),
///     header: "pos,sed".into(),
///     rows: BTreeMap::from([(2, "2,0.5".to_string()), (0, "0,1.5".to_string())]),
/// };
/// write_run(&path, "score", &run).unwrap();
/// assert_eq!(
///     std::fs::read_to_string(&path).unwrap(),
///     "# sednas score shard=0/2 config={}\npos,sed\n0,1.5\n2,0.5\n"
/// );
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write_run(path: &Path, tool: &str, run: &RunFile) -> Result<()> {
    let mut s = header_line(tool, run.shard, &run.config);
    s.push_str(&run.header);
    s.push('\n');
    for r in run.rows.values() {
        s.push_str(r);
        s.push('\n');
    }
    super::write_atomic(path, s.as_bytes())
}

/// Joins the shards `files` of one run into `out`: the same configuration and header in
/// every file, every shard 0..n present exactly once; the result is what an unsharded run
/// writes (shard 0/1, rows in position order).
///
/// # Errors
/// [`Error::Merge`] when no file is given, a shard is missing or given twice, two files
/// are shards of different runs (another shard count or configuration), or the shards
/// hold fewer rows than the population their configuration states; as [`read_run`] for a
/// file that does not read (and [`Error::Csv`] for a header that differs from the first
/// file's under the same configuration: a damaged file); as [`write_run`] for `out`.
///
/// ```
/// use sednas::io::shard::merge;
/// let dir = std::env::temp_dir().join(format!("sednas-doc-merge-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let (a, b, out) = (dir.join("0.csv"), dir.join("1.csv"), dir.join("all.csv"));
/// std::fs::write(&a, "# sednas score shard=0/2 config={\"population\":3}\npos,sed\n0,1\n2,3\n").unwrap();
/// std::fs::write(&b, "# sednas score shard=1/2 config={\"population\":3}\npos,sed\n1,2\n").unwrap();
/// assert_eq!(merge(&[b.clone(), a.clone()], "score", &out).unwrap(), 3);
/// assert_eq!(
///     std::fs::read_to_string(&out).unwrap(),
///     "# sednas score shard=0/1 config={\"population\":3}\npos,sed\n0,1\n1,2\n2,3\n"
/// );
/// // a missing shard, or one given twice, is an error naming the shard (and the files)
/// let e = merge(&[a.clone()], "score", &out).unwrap_err();
/// assert_eq!(e.to_string(), "cannot merge shards: missing shard(s): 1/2");
/// let e = merge(&[a.clone(), a.clone()], "score", &out).unwrap_err();
/// assert!(matches!(&e, sednas::Error::Merge { files, .. } if files == &[a.clone(), a.clone()]), "{e}");
/// assert!(e.to_string().contains("shard 0/2 appears twice"), "{e}");
/// // a shard whose header line was cut is named as damaged, with its line
/// std::fs::write(&b, "# sednas score shard=1/2 config={\"population\":3}\npos,se\n1,2\n").unwrap();
/// let e = merge(&[a, b], "score", &out).unwrap_err().to_string();
/// assert!(e.contains("1.csv: line 2: the CSV header \"pos,se\" differs") && e.contains("damaged"), "{e}");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn merge(files: &[PathBuf], tool: &str, out: &Path) -> Result<usize> {
    if files.is_empty() {
        return Err(Error::Merge {
            files: Vec::new(),
            reason: "no shard files given".into(),
        });
    }
    let runs: Vec<RunFile> = files
        .iter()
        .map(|f| read_run(f, tool))
        .collect::<Result<_>>()?;
    let n = runs[0].shard.n;
    let mut seen = vec![None::<&Path>; n];
    for (r, f) in runs.iter().zip(files) {
        if r.shard.n != n {
            return Err(Error::Merge {
                files: vec![files[0].clone(), f.clone()],
                reason: format!(
                    "{} is shard {} but {} is shard {}: shards of runs split {} and {n} ways",
                    f.display(),
                    r.shard,
                    files[0].display(),
                    runs[0].shard,
                    r.shard.n
                ),
            });
        }
        if r.config == runs[0].config && r.header != runs[0].header {
            // same configuration, another header: a damaged file (e.g. a cut line), not
            // another run
            return Err(Error::Csv {
                path: f.display().to_string(),
                line: 2,
                reason: format!(
                    "the CSV header {:?} differs from line 2 of {} ({:?}) under the same configuration: the file is damaged (a cut or edited line?)",
                    crate::io::bounded::excerpt(&r.header, 120),
                    files[0].display(),
                    crate::io::bounded::excerpt(&runs[0].header, 120)
                ),
            });
        }
        if r.config != runs[0].config {
            return Err(Error::Merge {
                files: vec![files[0].clone(), f.clone()],
                reason: format!(
                    "{} was run under another configuration than {}",
                    f.display(),
                    files[0].display()
                ),
            });
        }
        if let Some(prev) = seen[r.shard.i] {
            return Err(Error::Merge {
                files: vec![prev.to_path_buf(), f.clone()],
                reason: format!(
                    "shard {} appears twice: {} and {}",
                    r.shard,
                    prev.display(),
                    f.display()
                ),
            });
        }
        seen[r.shard.i] = Some(f);
    }
    let missing: Vec<String> = (0..n)
        .filter(|&i| seen[i].is_none())
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Merge {
            files: Vec::new(),
            reason: format!("missing shard(s): {}", missing.join(", ")),
        });
    }
    let mut all = RunFile {
        shard: Shard::ALL,
        config: runs[0].config.clone(),
        header: runs[0].header.clone(),
        rows: BTreeMap::new(),
    };
    for r in runs {
        all.rows.extend(r.rows);
    }
    let count = all.rows.len();
    // the configuration may state the population size: then every position must be there
    if let Some(n) = serde_json::from_str::<serde_json::Value>(&all.config)
        .ok()
        .and_then(|v| v.get("population").and_then(|p| p.as_u64()))
        && count as u64 != n
    {
        return Err(Error::Merge {
            files: Vec::new(),
            reason: format!(
                "the shards hold {count} rows but the run's population has {n}: some shard is incomplete (resume it first)"
            ),
        });
    }
    write_run(out, tool, &all)?;
    Ok(count)
}
