//! A population of architectures read from a ground-truth CSV, with accuracies and
//! optional proxy columns (from the same file or joined from others by architecture).
//!
//! One place owns the rules: rows whose architecture does not parse are left out and
//! counted; a missing or non-numeric accuracy is NaN (left out of every statistic and
//! ranked after every real accuracy by [`super::competition_ranks_desc`]); a repeated
//! architecture and a repeated join key are counted and reported, never silently merged.

use std::collections::HashMap;
use std::path::Path;

use crate::arch::{AnyArch, ArchColumns, Census, SpaceKind};
use crate::error::{Error, Result};
use crate::sed::Sed;

/// The tail of the note on disconnected NB201 cells kept in a population.
const INCLUDED_DISCONNECTED: &str =
    " architectures with no input→output path are included (chance accuracy)";

/// Rows of a truth file after parsing and filtering.
#[derive(Debug, Clone, Default)]
///
/// The fields are private so that every column keeps one entry per architecture: build one
/// with [`Population::read`] or [`Population::from_parts`], add columns with
/// [`Population::join`] or [`Population::with_col`], filter with [`Population::retain_mask`].
pub struct Population {
    /// Parsed architectures.
    archs: Vec<AnyArch>,
    /// Accuracies (NaN where missing).
    acc: Vec<f64>,
    /// Canonical text of each architecture (join key).
    keys: Vec<String>,
    /// Requested proxy columns (from the truth file or a joined file).
    cols: HashMap<String, Vec<f64>>,
    /// Rows read.
    rows: usize,
    /// What was left out or found, and why (human-readable, one entry per rule).
    excluded: Vec<String>,
}

/// Where a population comes from.
#[derive(Debug, Clone)]
pub struct PopulationSpec<'a> {
    /// Search space of the architecture column.
    pub space: SpaceKind,
    /// Accuracy column (percent; higher is better).
    pub acc_col: &'a str,
    /// Architecture columns.
    pub cols: ArchColumns,
    /// Keep only rows where column == value.
    pub filters: &'a [(String, String)],
    /// Proxy columns to read if the file has them.
    pub proxy_cols: &'a [String],
    /// NB201: leave out cells whose output is cut off from the input.
    pub exclude_disconnected: bool,
}

impl<'a> PopulationSpec<'a> {
    /// Every row of `space`'s default architecture columns, no filters, no proxy columns,
    /// disconnected NB201 cells kept.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// let s = sednas::eval::population::PopulationSpec::new(SpaceKind::Nb201, "cifar10_test");
    /// assert!(s.filters.is_empty() && !s.exclude_disconnected);
    /// ```
    pub fn new(space: SpaceKind, acc_col: &'a str) -> Self {
        PopulationSpec {
            space,
            acc_col,
            cols: ArchColumns::default_for(space),
            filters: &[],
            proxy_cols: &[],
            exclude_disconnected: false,
        }
    }
}

fn num(s: &str) -> f64 {
    s.trim().parse::<f64>().unwrap_or(f64::NAN)
}

/// A header problem as one error: `locate` already names the file and line 1, so its error
/// is passed on as it is rather than wrapped a second time.
fn header_err(path: &str, e: Error) -> Error {
    match e {
        Error::Csv { .. } => e,
        other => csv_err(path, 1, other.to_string()),
    }
}

fn csv_err(path: &str, line: u64, reason: impl Into<String>) -> Error {
    Error::Csv {
        path: path.to_string(),
        line,
        reason: reason.into(),
    }
}

/// A CSV reader over the bounded reader ([`crate::io::bounded::CSV`] limits).
type CsvReader = csv::Reader<crate::io::bounded::Bounded<std::io::BufReader<std::fs::File>>>;

/// A record's error: the bounded reader's own error (a line or a file too large) when it
/// is one, else the CSV error at its line.
fn record_err(path: &str, line: u64, e: csv::Error) -> Error {
    crate::io::bounded::from_csv(&e).unwrap_or_else(|| csv_err(path, line, e.to_string()))
}

fn open(path: &Path) -> Result<(CsvReader, csv::StringRecord, String)> {
    let name = path.display().to_string();
    let file = crate::io::bounded::open(path, crate::io::bounded::CSV)?;
    // `#` lines are comments (run files of `sednas measure` start with one)
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(file);
    let headers = rdr.headers().map_err(|e| record_err(&name, 1, e))?.clone();
    Ok((rdr, headers, name))
}

/// Parses `COL=VALUE` filters.
///
/// # Errors
/// [`Error::BadSpec`] (`filter`) for an item without `=`.
///
/// ```
/// let f = sednas::eval::population::parse_filters(&["dataset=cifar10".to_string()]).unwrap();
/// assert_eq!(f, vec![("dataset".to_string(), "cifar10".to_string())]);
/// assert!(sednas::eval::population::parse_filters(&["x".to_string()]).is_err());
/// ```
pub fn parse_filters(f: &[String]) -> Result<Vec<(String, String)>> {
    f.iter()
        .map(|s| {
            s.split_once('=')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| Error::BadSpec {
                    what: "filter",
                    text: s.clone(),
                    expected: "COL=VALUE",
                })
        })
        .collect()
}

impl Population {
    /// Reads a truth file.
    ///
    /// Rows that do not parse are left out, a missing accuracy is NaN, and a repeated
    /// architecture is kept; each is counted in `excluded`.
    ///
    /// # Errors
    /// The bounded reader's errors ([`Error::Io`], [`Error::NotAFile`],
    /// [`Error::InputTooLarge`], [`Error::BadText`]); [`Error::Csv`] naming the file and
    /// line of a missing or repeated column (architecture, accuracy, filter or proxy
    /// column), an unreadable record, an accuracy that is not a number or not finite, or an
    /// accuracy column with no numeric value.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::eval::population::{Population, PopulationSpec};
    /// let dir = std::env::temp_dir().join(format!("sednas-doc-pop-{}-{}", "read", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let truth = dir.join("truth.csv");
    /// std::fs::write(&truth, "channels,acc,proxy\n8:8:8:8:8,90.5,1\n8:8:8:8:16,,2\nbad,80,3\n8:8:8:8:8,70,4\n").unwrap();
    /// let proxy = ["proxy".to_string()];
    /// let spec = PopulationSpec { proxy_cols: &proxy, ..PopulationSpec::new(SpaceKind::NatsSss, "acc") };
    /// let mut pop = Population::read(&truth, &spec).unwrap();
    /// assert_eq!((pop.rows(), pop.len(), pop.keys()[1].as_str()), (4, 3, "8:8:8:8:16"));
    /// assert_eq!(pop.acc()[0], 90.5);
    /// assert!(pop.acc()[1].is_nan());
    /// assert_eq!(pop.cols()["proxy"], [1.0, 2.0, 4.0]);
    /// assert_eq!(pop.excluded().len(), 3);
    /// assert_eq!(pop.excluded()[1], "1 rows with no accuracy (left out of every statistic)");
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn read(path: &Path, spec: &PopulationSpec<'_>) -> Result<Population> {
        let (mut rdr, headers, name) = open(path)?;
        let idx = spec
            .cols
            .locate(spec.space, &headers, &name)
            .map_err(|e| header_err(&name, e))?;
        let find = |c: &str| crate::io::columns::find_unique(&headers, c, &name);
        let acc_i = find(spec.acc_col)?.ok_or_else(|| {
            csv_err(
                &name,
                1,
                format!(
                    "no accuracy column {:?} (columns: {})",
                    spec.acc_col,
                    crate::io::columns::header_list(&headers)
                ),
            )
        })?;
        let fidx: Vec<(usize, String)> = spec
            .filters
            .iter()
            .map(|(c, v)| {
                find(c)?
                    .map(|i| (i, v.clone()))
                    .ok_or_else(|| csv_err(&name, 1, format!("no column {c:?} for a filter")))
            })
            .collect::<Result<_>>()?;
        let mut seen_cols = std::collections::HashSet::new();
        let pidx: Vec<(String, usize)> = spec
            .proxy_cols
            .iter()
            .filter(|c| seen_cols.insert(c.as_str()))
            .filter_map(|c| find(c).map(|o| o.map(|i| (c.clone(), i))).transpose())
            .collect::<Result<_>>()?;
        let mut pop = Population {
            cols: pidx.iter().map(|(c, _)| (c.clone(), vec![])).collect(),
            ..Default::default()
        };
        let (mut bad, mut filtered, mut disconnected, mut no_acc) = (0usize, 0, 0, 0);
        let mut first_bad = None;
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut dup = 0usize;
        for (k, rec) in rdr.records().enumerate() {
            let line = k as u64 + 2;
            let rec = rec.map_err(|e| record_err(&name, line, e))?;
            pop.rows += 1;
            if fidx.iter().any(|(i, v)| rec.get(*i) != Some(v.as_str())) {
                filtered += 1;
                continue;
            }
            let arch = match AnyArch::parse(spec.space, &idx.text(&rec)) {
                Ok(a) => a,
                Err(e) => {
                    if first_bad.is_none() {
                        first_bad = Some(format!("line {line}: {e}"));
                    }
                    bad += 1;
                    continue;
                }
            };
            if let AnyArch::Nb201(a) = &arch
                && !a.is_connected()
            {
                disconnected += 1;
                if spec.exclude_disconnected {
                    continue;
                }
            }
            let raw = rec.get(acc_i).unwrap_or("").trim();
            let acc = num(raw);
            // empty (or an explicit NaN) is "missing"; anything else must be a number
            if acc.is_nan() && !raw.is_empty() && !raw.eq_ignore_ascii_case("nan") {
                return Err(csv_err(
                    &name,
                    line,
                    format!(
                        "accuracy {raw:?} in column {:?} is not a number",
                        spec.acc_col
                    ),
                ));
            }
            if !acc.is_nan() && !acc.is_finite() {
                return Err(csv_err(
                    &name,
                    line,
                    format!("accuracy {acc} in column {:?} is not finite", spec.acc_col),
                ));
            }
            no_acc += acc.is_nan() as usize;
            let key = arch.to_string();
            if seen.insert(key.clone(), pop.keys.len()).is_some() {
                dup += 1;
            }
            pop.keys.push(key);
            pop.archs.push(arch);
            pop.acc.push(acc);
            for (c, i) in &pidx {
                if let Some(v) = pop.cols.get_mut(c) {
                    v.push(num(rec.get(*i).unwrap_or("")));
                }
            }
        }
        if !pop.acc.is_empty() && pop.acc.iter().all(|a| a.is_nan()) {
            return Err(csv_err(
                &name,
                1,
                format!("accuracy column {:?} has no numeric value", spec.acc_col),
            ));
        }
        if filtered > 0 {
            pop.excluded
                .push(format!("{filtered} rows not matching the filters"));
        }
        if bad > 0 {
            pop.excluded.push(format!(
                "{bad} rows whose architecture does not parse (first: {})",
                first_bad.unwrap_or_default()
            ));
        }
        if spec.space == SpaceKind::Nb201 {
            pop.excluded.push(if spec.exclude_disconnected {
                format!("{disconnected} architectures with no input→output path (excluded)")
            } else {
                format!("none; {disconnected}{INCLUDED_DISCONNECTED}")
            });
        }
        if no_acc > 0 {
            pop.excluded.push(format!(
                "{no_acc} rows with no accuracy (left out of every statistic)"
            ));
        }
        if dup > 0 {
            pop.excluded.push(format!(
                "{dup} rows repeat an architecture already read (kept: each row is scored)"
            ));
        }
        Ok(pop)
    }

    /// A population of `archs` with accuracies `acc` (NaN where missing), as if read from a
    /// file of `archs.len()` rows; the join keys are the architectures' canonical text.
    /// Lengths that differ are an error.
    ///
    /// # Errors
    /// [`Error::Shape`] when there is not one accuracy per architecture.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::eval::population::Population;
    /// let archs: Vec<AnyArch> = ["8:8:8:8:8", "8:8:8:8:16"]
    ///     .iter()
    ///     .map(|s| AnyArch::parse(SpaceKind::NatsSss, s).unwrap())
    ///     .collect();
    /// let p = Population::from_parts(archs.clone(), vec![90.0, f64::NAN]).unwrap();
    /// assert_eq!((p.len(), p.rows(), p.keys()[1].as_str()), (2, 2, "8:8:8:8:16"));
    /// assert!(Population::from_parts(archs, vec![90.0]).is_err());
    /// ```
    pub fn from_parts(archs: Vec<AnyArch>, acc: Vec<f64>) -> Result<Population> {
        if archs.len() != acc.len() {
            return Err(Error::Shape(format!(
                "{} architectures but {} accuracies",
                archs.len(),
                acc.len()
            )));
        }
        Ok(Population {
            keys: archs.iter().map(|a| a.to_string()).collect(),
            rows: archs.len(),
            archs,
            acc,
            ..Default::default()
        })
    }

    /// Adds (or replaces) the column `name`; a length other than [`Population::len`] is an
    /// error.
    ///
    /// # Errors
    /// [`Error::Shape`] when there is not one value per architecture.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::eval::population::Population;
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
    /// let p = Population::from_parts(vec![a], vec![90.0]).unwrap().with_col("zc", vec![0.5]).unwrap();
    /// assert_eq!(p.col("zc"), Some(&[0.5][..]));
    /// assert!(p.with_col("zc", vec![]).is_err());
    /// ```
    pub fn with_col(mut self, name: &str, values: Vec<f64>) -> Result<Population> {
        if values.len() != self.len() {
            return Err(Error::Shape(format!(
                "column {name:?} has {} values for {} architectures",
                values.len(),
                self.len()
            )));
        }
        self.cols.insert(name.to_string(), values);
        Ok(self)
    }

    /// The architectures.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::eval::population::Population;
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
    /// assert_eq!(Population::from_parts(vec![a.clone()], vec![1.0]).unwrap().archs(), [a]);
    /// ```
    pub fn archs(&self) -> &[AnyArch] {
        &self.archs
    }

    /// Accuracies, one per architecture (NaN where missing).
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::eval::population::Population;
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
    /// assert_eq!(Population::from_parts(vec![a], vec![71.5]).unwrap().acc(), [71.5]);
    /// ```
    pub fn acc(&self) -> &[f64] {
        &self.acc
    }

    /// Join keys: each architecture's canonical text.
    ///
    /// ```
    /// use sednas::arch::{AnyArch, SpaceKind};
    /// use sednas::eval::population::Population;
    /// let a = AnyArch::parse(SpaceKind::NatsSss, "8:8:8:8:8").unwrap();
    /// assert_eq!(Population::from_parts(vec![a], vec![1.0]).unwrap().keys(), ["8:8:8:8:8"]);
    /// ```
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Every proxy column by name.
    ///
    /// ```
    /// let p = sednas::eval::population::Population::default();
    /// assert!(p.cols().is_empty());
    /// ```
    pub fn cols(&self) -> &HashMap<String, Vec<f64>> {
        &self.cols
    }

    /// One proxy column, if present.
    ///
    /// ```
    /// let p = sednas::eval::population::Population::default();
    /// assert_eq!(p.col("synflow"), None);
    /// ```
    pub fn col(&self, name: &str) -> Option<&[f64]> {
        self.cols.get(name).map(|v| v.as_slice())
    }

    /// Rows read from the file (before anything was left out).
    ///
    /// ```
    /// assert_eq!(sednas::eval::population::Population::default().rows(), 0);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// What was left out or found, and why (one entry per rule).
    ///
    /// ```
    /// let mut p = sednas::eval::population::Population::default();
    /// p.note("2 rows filtered".to_string());
    /// assert_eq!(p.excluded(), ["2 rows filtered"]);
    /// ```
    pub fn excluded(&self) -> &[String] {
        &self.excluded
    }

    /// Records what a later step left out, and why.
    ///
    /// ```
    /// let mut p = sednas::eval::population::Population::default();
    /// p.note("1 cell below the accuracy floor".to_string());
    /// assert_eq!(p.excluded().len(), 1);
    /// ```
    pub fn note(&mut self, what: String) {
        self.excluded.push(what);
    }

    /// Number of architectures.
    ///
    /// ```
    /// let p = sednas::eval::population::Population::default();
    /// assert_eq!(p.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.archs.len()
    }

    /// Whether the population is empty.
    ///
    /// ```
    /// let p = sednas::eval::population::Population::default();
    /// assert_eq!(p.is_empty(), true);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.archs.is_empty()
    }

    /// Looks up `wanted` columns (those not already present) in another CSV, by
    /// architecture. Rows of `path` that fail `filters` on columns it has are ignored; a
    /// join key seen twice keeps its first row and the repeat is reported.
    ///
    /// # Errors
    /// As [`Population::read`] for `path` ([`Error::Csv`] naming its line for a missing
    /// architecture column, a repeated column or an unreadable record).
    ///
    /// ```
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// use sednas::eval::population::{Population, PopulationSpec};
    /// let dir = std::env::temp_dir().join(format!("sednas-doc-pop-{}-{}", "join", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let truth = dir.join("truth.csv");
    /// std::fs::write(&truth, "channels,acc,proxy\n8:8:8:8:8,90.5,1\n8:8:8:8:16,,2\nbad,80,3\n8:8:8:8:8,70,4\n").unwrap();
    /// let proxy = ["proxy".to_string()];
    /// let spec = PopulationSpec { proxy_cols: &proxy, ..PopulationSpec::new(SpaceKind::NatsSss, "acc") };
    /// let mut pop = Population::read(&truth, &spec).unwrap();
    /// let other = dir.join("zc.csv");
    /// std::fs::write(&other, "channels,zc\n8:8:8:8:16,0.5\n8:8:8:8:8,0.25\n").unwrap();
    /// let cols = ArchColumns::default_for(SpaceKind::NatsSss);
    /// pop.join(&other, SpaceKind::NatsSss, &cols, &["zc".to_string()], &[]).unwrap();
    /// assert_eq!(pop.col("zc").unwrap(), [0.25, 0.5, 0.25]);
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn join(
        &mut self,
        path: &Path,
        space: SpaceKind,
        cols: &ArchColumns,
        wanted: &[String],
        filters: &[(String, String)],
    ) -> Result<()> {
        let (mut rdr, headers, name) = open(path)?;
        let idx = cols
            .locate(space, &headers, &name)
            .map_err(|e| header_err(&name, e))?;
        let mut seen_cols = std::collections::HashSet::new();
        let want: Vec<(String, usize)> = wanted
            .iter()
            .filter(|c| !self.cols.contains_key(*c) && seen_cols.insert(c.as_str()))
            .filter_map(|c| {
                crate::io::columns::find_unique(&headers, c, &name)
                    .map(|o| o.map(|i| (c.clone(), i)))
                    .transpose()
            })
            .collect::<Result<_>>()?;
        if want.is_empty() {
            return Ok(());
        }
        let fidx: Vec<(usize, String)> = filters
            .iter()
            .filter_map(|(c, v)| {
                crate::io::columns::find_unique(&headers, c, &name)
                    .map(|o| o.map(|i| (i, v.clone())))
                    .transpose()
            })
            .collect::<Result<_>>()?;
        let mut map: HashMap<String, Vec<f64>> = HashMap::new();
        let mut dup = 0usize;
        for (k, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| record_err(&name, k as u64 + 2, e))?;
            if fidx.iter().any(|(i, v)| rec.get(*i) != Some(v.as_str())) {
                continue;
            }
            if let Ok(a) = AnyArch::parse(space, &idx.text(&rec)) {
                let key = a.to_string();
                if map.contains_key(&key) {
                    dup += 1;
                    continue;
                }
                map.insert(
                    key,
                    want.iter()
                        .map(|(_, i)| num(rec.get(*i).unwrap_or("")))
                        .collect(),
                );
            }
        }
        if dup > 0 {
            self.excluded.push(format!(
                "{name}: {dup} rows repeat a join key (first row kept)"
            ));
        }
        for (k, (c, _)) in want.iter().enumerate() {
            let v = self
                .keys
                .iter()
                .map(|key| map.get(key).map(|r| r[k]).unwrap_or(f64::NAN))
                .collect();
            self.cols.insert(c.clone(), v);
        }
        Ok(())
    }

    /// Keeps the architectures where `keep` is true (every column filtered alike); a mask
    /// of another length is an error and changes nothing.
    ///
    /// # Errors
    /// [`Error::Shape`] when the mask has not one entry per architecture.
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::eval::population::{Population, PopulationSpec};
    /// let dir = std::env::temp_dir().join(format!("sednas-doc-pop-{}-{}", "retain", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let truth = dir.join("truth.csv");
    /// std::fs::write(&truth, "channels,acc,proxy\n8:8:8:8:8,90.5,1\n8:8:8:8:16,,2\nbad,80,3\n8:8:8:8:8,70,4\n").unwrap();
    /// let proxy = ["proxy".to_string()];
    /// let spec = PopulationSpec { proxy_cols: &proxy, ..PopulationSpec::new(SpaceKind::NatsSss, "acc") };
    /// let mut pop = Population::read(&truth, &spec).unwrap();
    /// assert!(pop.retain_mask(&[true]).is_err());
    /// pop.retain_mask(&[true, false, true]).unwrap();
    /// assert_eq!((pop.acc(), pop.col("proxy").unwrap()), (&[90.5, 70.0][..], &[1.0, 4.0][..]));
    /// assert_eq!(pop.len(), 2);
    /// std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn retain_mask(&mut self, keep: &[bool]) -> Result<()> {
        if keep.len() != self.len() {
            return Err(Error::Shape(format!(
                "a mask of {} entries for {} architectures",
                keep.len(),
                self.len()
            )));
        }
        fn apply<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut it = keep.iter();
            v.retain(|_| *it.next().unwrap_or(&false));
        }
        apply(&mut self.archs, keep);
        apply(&mut self.acc, keep);
        apply(&mut self.keys, keep);
        for v in self.cols.values_mut() {
            apply(v, keep);
        }
        // the note on disconnected NB201 cells counts the cells that are left
        let left = self
            .archs
            .iter()
            .filter(|a| matches!(a, AnyArch::Nb201(c) if !c.is_connected()))
            .count();
        for e in &mut self.excluded {
            if e.starts_with("none; ") && e.ends_with(INCLUDED_DISCONNECTED) {
                *e = format!("none; {left}{INCLUDED_DISCONNECTED}");
            }
        }
        Ok(())
    }
}

/// SED of every architecture under one configuration, with the time per architecture.
///
/// ```
/// use sednas::arch::{AnyArch, Census, SpaceKind};
/// use sednas::eval::population::score_all;
/// use sednas::sed::Sed;
/// let sed = Sed::new(Default::default()).unwrap();
/// let archs: Vec<AnyArch> = ["8:8:8:8:8", "64:64:64:64:64"]
///     .iter()
///     .map(|s| AnyArch::parse(SpaceKind::NatsSss, s).unwrap())
///     .collect();
/// let (v, _seconds) = score_all(&sed, &archs);
/// let mut c = Census::default();
/// assert_eq!(v, [sed.score(&archs[0], &mut c), sed.score(&archs[1], &mut c)]);
/// ```
pub fn score_all(sed: &Sed, archs: &[AnyArch]) -> (Vec<f64>, f64) {
    let t = std::time::Instant::now();
    let mut census = Census::default();
    let v: Vec<f64> = archs.iter().map(|a| sed.score(a, &mut census)).collect();
    (v, t.elapsed().as_secs_f64() / archs.len().max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("sednas-pop-{}-{name}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    // Edge case: an infinite accuracy in a truth file is an error naming the line and the
    // column; an accuracy column with no number at all is an error, not an empty ranking.
    #[test]
    fn infinite_or_all_nan_accuracy_is_an_error() {
        let spec = PopulationSpec::new(SpaceKind::NatsSss, "acc");
        let p = write("inf.csv", "channels,acc\n8:8:8:8:8,90\n8:8:8:8:16,inf\n");
        let e = Population::read(&p, &spec).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("not finite"), "{e}");
        let p = write("nan.csv", "channels,acc\n8:8:8:8:8,\n8:8:8:8:16,\n");
        let e = Population::read(&p, &spec).unwrap_err().to_string();
        assert!(e.contains("no numeric value"), "{e}");
    }

    // Edge case: a missing column is reported once, by name, with the file and line 1 named
    // once; a UTF-8 BOM before the header is not part of the first column's name.
    #[test]
    fn missing_column_once_and_bom_accepted() {
        let spec = PopulationSpec::new(SpaceKind::NatsSss, "acc");
        let p = write("nocol.csv", "chans,acc\n8:8:8:8:8,90\n");
        let e = Population::read(&p, &spec).unwrap_err().to_string();
        assert_eq!(e.matches("line 1").count(), 1, "{e}");
        assert_eq!(e.matches(&*p.display().to_string()).count(), 1, "{e}");
        assert!(e.contains("\"channels\""), "{e}");
        let p = write("bom.csv", "\u{feff}channels,acc\n8:8:8:8:8,90\n");
        assert_eq!(Population::read(&p, &spec).unwrap().len(), 1);
    }

    // Edge case: a join file that repeats an architecture keeps its first row and reports
    // the repeat with a count; a repeated architecture in the truth file is kept and counted.
    #[test]
    fn repeated_keys_are_counted() {
        let spec = PopulationSpec::new(SpaceKind::NatsSss, "acc");
        let truth = write(
            "dup.csv",
            "channels,acc\n8:8:8:8:8,90\n8:8:8:8:16,80\n8:8:8:8:8,70\n",
        );
        let mut pop = Population::read(&truth, &spec).unwrap();
        assert_eq!(pop.len(), 3);
        assert!(
            pop.excluded()
                .iter()
                .any(|e| e.starts_with("1 ") && e.contains("repeat")),
            "{:?}",
            pop.excluded()
        );
        let zc = write(
            "zc.csv",
            "channels,zc\n8:8:8:8:16,0.5\n8:8:8:8:16,0.9\n8:8:8:8:16,0.7\n8:8:8:8:8,0.25\n",
        );
        let cols = ArchColumns::default_for(SpaceKind::NatsSss);
        pop.join(&zc, SpaceKind::NatsSss, &cols, &["zc".to_string()], &[])
            .unwrap();
        assert_eq!(pop.col("zc").unwrap(), [0.25, 0.5, 0.25]);
        assert!(
            pop.excluded()
                .iter()
                .any(|e| e.contains("2 rows repeat a join key (first row kept)")),
            "{:?}",
            pop.excluded()
        );
    }
}
