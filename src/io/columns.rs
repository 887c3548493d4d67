//! Which CSV columns hold an architecture, per space, and the one-line text of the
//! architecture in a record (re-exported as `sednas::arch::{ArchColumns, ColumnIndex}`).
//! The layout itself is a fact of each space ([`ColumnLayout`], the `COLUMNS` constant of
//! `arch::space::SearchSpace`), handed in through [`HasColumns`]: this module knows CSV
//! files, not spaces.

use crate::error::{Error, Result};

/// How a space's architectures are spread over CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnLayout {
    /// The default architecture column.
    pub arch: &'static str,
    /// What a second column adds.
    pub extra: ExtraColumn,
}

/// A second column a space's architecture text may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraColumn {
    /// The architecture column holds the whole text.
    None,
    /// A required operations column, joined to the architecture column with `|` (NB101).
    Ops,
    /// An optional reduction-cell column, joined with `|` unless the architecture column
    /// holds a whole genotype (`Genotype(…)` or JSON) (DARTS / NASLib).
    Reduce,
}

/// Anything that names a [`ColumnLayout`] (a space's run-time tag implements it).
pub trait HasColumns: Copy {
    /// The layout.
    fn columns(self) -> ColumnLayout;
}

impl HasColumns for ColumnLayout {
    fn columns(self) -> ColumnLayout {
        self
    }
}

/// Which CSV columns hold an architecture (the defaults match the files in `../shared/data`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchColumns {
    /// The architecture column (NB201 string, SSS channels, NB101 adjacency, DARTS normal cell or genotype).
    pub arch: String,
    /// NB101: the operations column.
    pub ops: String,
    /// DARTS: the reduction-cell column (used when the arch column holds a NASLib cell).
    pub reduce: String,
}

impl ArchColumns {
    /// Defaults per space: `arch_str`; `channels`; `adjacency_7x7_rowmajor` + `ops`;
    /// `normal_cell` + `reduce_cell`.
    ///
    /// ```
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// let c = ArchColumns::default_for(SpaceKind::Nb101);
    /// assert_eq!(
    ///     c,
    ///     ArchColumns {
    ///         arch: "adjacency_7x7_rowmajor".into(),
    ///         ops: "ops".into(),
    ///         reduce: "reduce_cell".into(),
    ///     }
    /// );
    /// assert_eq!(ArchColumns::default_for(SpaceKind::NatsSss).arch, "channels");
    /// ```
    pub fn default_for(space: impl HasColumns) -> Self {
        ArchColumns {
            arch: space.columns().arch.into(),
            ops: "ops".into(),
            reduce: "reduce_cell".into(),
        }
    }

    /// The defaults of `space` with the given overrides (None keeps a default).
    ///
    /// ```
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// let c = ArchColumns::with(SpaceKind::Nb101, Some("adj"), None, None);
    /// assert_eq!((c.arch.as_str(), c.ops.as_str()), ("adj", "ops"));
    /// ```
    pub fn with(
        space: impl HasColumns,
        arch: Option<&str>,
        ops: Option<&str>,
        reduce: Option<&str>,
    ) -> Self {
        let mut c = Self::default_for(space);
        if let Some(a) = arch {
            c.arch = a.to_string();
        }
        if let Some(o) = ops {
            c.ops = o.to_string();
        }
        if let Some(r) = reduce {
            c.reduce = r.to_string();
        }
        c
    }

    /// Column positions in a header row, or an error naming the missing column.
    ///
    /// # Errors
    /// [`Error::Csv`] (line 1 of `path`) naming a missing architecture column (with the
    /// header's columns) or one that appears twice.
    ///
    /// ```
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// use sednas::error::Error;
    /// let headers = csv::StringRecord::from(vec!["id", "adjacency_7x7_rowmajor", "ops"]);
    /// let cols = ArchColumns::default_for(SpaceKind::Nb101);
    /// let idx = cols.locate(SpaceKind::Nb101, &headers, "nb101.csv").unwrap();
    /// let row = csv::StringRecord::from(vec!["7", "010001000", "input,conv3x3-bn-relu,output"]);
    /// assert_eq!(idx.text(&row), "010001000|input,conv3x3-bn-relu,output");
    /// let err = cols.locate(SpaceKind::Nb101, &csv::StringRecord::from(vec!["ops"]), "nb101.csv");
    /// assert!(matches!(err, Err(Error::Csv { line: 1, .. })));
    /// ```
    pub fn locate(
        &self,
        space: impl HasColumns,
        headers: &csv::StringRecord,
        path: &str,
    ) -> Result<ColumnIndex> {
        let find = |name: &str| find_unique(headers, name, path);
        let missing = |name: &str| Error::Csv {
            path: path.to_string(),
            line: 1,
            reason: format!("no column {name:?} (columns: {})", header_list(headers)),
        };
        let arch = find(&self.arch)?.ok_or_else(|| missing(&self.arch))?;
        let extra = space.columns().extra;
        let ops = match extra {
            ExtraColumn::Ops => Some(find(&self.ops)?.ok_or_else(|| missing(&self.ops))?),
            _ => None,
        };
        let reduce = match extra {
            ExtraColumn::Reduce => find(&self.reduce)?,
            _ => None,
        };
        Ok(ColumnIndex {
            extra,
            arch,
            ops,
            reduce,
        })
    }
}

/// Located architecture columns of one CSV file.
#[derive(Debug, Clone, Copy)]
pub struct ColumnIndex {
    extra: ExtraColumn,
    arch: usize,
    ops: Option<usize>,
    reduce: Option<usize>,
}

impl ColumnIndex {
    /// The one-line text form of the architecture in `record`.
    ///
    /// A DARTS NASLib normal cell is joined to its reduction cell with `|`; other spaces give
    /// the architecture field as is (trimmed).
    ///
    /// ```
    /// use sednas::arch::{ArchColumns, SpaceKind};
    /// let headers = csv::StringRecord::from(vec!["normal_cell", "reduce_cell"]);
    /// let idx = ArchColumns::default_for(SpaceKind::Darts)
    ///     .locate(SpaceKind::Darts, &headers, "nb301.csv")
    ///     .unwrap();
    /// let row = csv::StringRecord::from(vec![" none~0;none~1 ", "skip_connect~0"]);
    /// assert_eq!(idx.text(&row), "none~0;none~1|skip_connect~0");
    /// ```
    pub fn text(&self, record: &csv::StringRecord) -> String {
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let a = get(self.arch);
        match (self.extra, self.ops, self.reduce) {
            (ExtraColumn::Ops, Some(o), _) => format!("{a}|{}", get(o)),
            (ExtraColumn::Reduce, _, Some(r))
                if !a.starts_with("Genotype") && !a.starts_with('{') =>
            {
                format!("{a}|{}", get(r))
            }
            _ => a.to_string(),
        }
    }
}

/// The position of column `name` in a header row: `None` when absent, an error naming
/// both positions when the name appears more than once (which one a reader used would
/// otherwise be a silent guess).
///
/// # Errors
/// [`Error::Csv`] (line 1 of `path`) when `name` appears more than once, naming both
/// positions.
///
/// ```
/// use sednas::io::columns::find_unique;
/// let h = csv::StringRecord::from(vec!["arch", "acc", "acc"]);
/// assert_eq!(find_unique(&h, "arch", "t.csv").unwrap(), Some(0));
/// assert_eq!(find_unique(&h, "x", "t.csv").unwrap(), None);
/// let e = find_unique(&h, "acc", "t.csv").unwrap_err().to_string();
/// assert_eq!(e, "t.csv: line 1: column \"acc\" appears twice (columns 2 and 3); rename one");
/// ```
pub fn find_unique(headers: &csv::StringRecord, name: &str, path: &str) -> Result<Option<usize>> {
    let mut it = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| *h == name)
        .map(|(i, _)| i);
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => Err(Error::Csv {
            path: path.to_string(),
            line: 1,
            reason: format!(
                "column {:?} appears twice (columns {} and {}); rename one",
                crate::io::bounded::excerpt(name, 80),
                a + 1,
                b + 1
            ),
        }),
        (a, _) => Ok(a),
    }
}

/// A header row as a short list for messages (at most 400 characters).
///
/// ```
/// let h = csv::StringRecord::from(vec!["a", "b"]);
/// assert_eq!(sednas::io::columns::header_list(&h), "a, b");
/// ```
pub fn header_list(headers: &csv::StringRecord) -> String {
    crate::io::bounded::excerpt(&headers.iter().collect::<Vec<_>>().join(", "), 400)
}
