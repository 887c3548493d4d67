//! `sed-measured` and `sed-validated`: SED built from what sednas' evidence supports.
//!
//! The paper's route is propositions → design rules → SED. sednas found rule 1 (large
//! pooling before small kernels lowers H1) contradicted, rule 2 (large kernels raise H2)
//! unsupported and rule 3 (skips raise H2) supported for H2 (`proofs/README.md`, "SED's three
//! rules"). Two scorers follow that chain to its end:
//!
//! * **`sed-validated`** ([`validated_config`]): SED with only the supported rule, i.e. the
//!   skip term kept and the conv and pool terms set to 1 (`use_conv = false`,
//!   `use_pool = false`), everything else as the default SED.
//! * **`sed-measured`** ([`SedMeasured`]): SED's census skeleton (blocks = cells, identical
//!   cells summed with their multiplicity) whose per-operation factors are *measured*: the
//!   mean change of local H1 (binned:16, bits, on the ReLU'd cell outputs) across each
//!   operation at each position (stage = resolution level), measured once on calibration
//!   networks that belong to no evaluation population (`nn::calibrate`), committed as a small
//!   table (`results/sed-measured/calibration.csv`) and embedded here. Scoring stays
//!   topology-only (microseconds per architecture).
//!
//! # Formula
//! With n_{B,c} the census count of operation category c (conv k_w×k_h, pool o_w×o_h/s,
//! skip, none) in block B, m_B its multiplicity, s(B) its stage (0 at the input
//! resolution, +1 per halving) and f(c, s) the calibrated factor (bits per operation):
//!
//! sed-measured(A) = Σ_B m_B·Σ_c n_{B,c}·f(c, s(B)) / Σ_B m_B
//!
//! i.e. the predicted local-H1 change of a block, averaged over blocks; higher = less
//! local-entropy decrease = better, as the paper's premise has it.

use std::fmt;

use crate::arch::{AnyArch, BlockCensus, Census, CensusOptions, SpaceKind};
use crate::error::{Error, Result};
use crate::sed::SedConfig;

/// The SED configuration that keeps only the rule sednas' evidence supports (rule 3, the
/// skip term): the conv and pool terms are 1.
///
/// ```
/// let c = sednas::sed::measured::validated_config();
/// assert!(c.use_skip && !c.use_conv && !c.use_pool);
/// ```
pub fn validated_config() -> SedConfig {
    SedConfig {
        use_conv: false,
        use_pool: false,
        ..SedConfig::default()
    }
}

/// An operation category as the census counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// A convolution with a k_w×k_h kernel.
    Conv {
        /// k_w
        kw: u32,
        /// k_h
        kh: u32,
    },
    /// A pooling o_w×o_h with strides s_w, s_h.
    Pool {
        /// o_w
        ow: u32,
        /// o_h
        oh: u32,
        /// s_w
        sw: u32,
        /// s_h
        sh: u32,
    },
    /// A searched skip connection.
    Skip,
    /// `none`.
    None,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Category::Conv { kw, kh } => write!(f, "conv{kw}x{kh}"),
            Category::Pool { ow, oh, sw, sh } => write!(f, "pool{ow}x{oh}/{sw}x{sh}"),
            Category::Skip => f.write_str("skip"),
            Category::None => f.write_str("none"),
        }
    }
}

impl std::str::FromStr for Category {
    type Err = Error;

    /// ```
    /// use sednas::sed::measured::Category;
    /// for s in ["conv3x3", "pool3x3/2x2", "skip", "none"] {
    ///     assert_eq!(s.parse::<Category>().unwrap().to_string(), s);
    /// }
    /// assert!("conv3".parse::<Category>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::BadSpec {
            what: "operation category",
            text: s.to_string(),
            expected: "convKWxKH, poolOWxOH/SWxSH, skip or none",
        };
        let pair = |t: &str| -> Option<(u32, u32)> {
            let (a, b) = t.split_once('x')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        };
        match s {
            "skip" => Ok(Category::Skip),
            "none" => Ok(Category::None),
            _ => {
                if let Some(k) = s.strip_prefix("conv") {
                    let (kw, kh) = pair(k).ok_or_else(bad)?;
                    Ok(Category::Conv { kw, kh })
                } else if let Some(p) = s.strip_prefix("pool") {
                    let (o, st) = p.split_once('/').ok_or_else(bad)?;
                    let ((ow, oh), (sw, sh)) =
                        (pair(o).ok_or_else(bad)?, pair(st).ok_or_else(bad)?);
                    Ok(Category::Pool { ow, oh, sw, sh })
                } else {
                    Err(bad())
                }
            }
        }
    }
}

/// The categories of one block with their counts (empty categories left out).
///
/// ```
/// use sednas::arch::{AnyArch, Census, CensusOptions, SpaceKind};
/// use sednas::sed::measured::{block_categories, Category};
/// let a = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|").unwrap();
/// let mut c = Census::default();
/// a.census(&CensusOptions::default(), &mut c);
/// let cats = block_categories(&c.blocks[0]);
/// assert!(cats.contains(&(Category::Conv { kw: 3, kh: 3 }, 1)));
/// assert!(cats.contains(&(Category::None, 3)));
/// assert!(cats.contains(&(Category::Skip, 1)));
/// ```
pub fn block_categories(b: &BlockCensus) -> Vec<(Category, u32)> {
    let mut v = Vec::new();
    for c in b.convs() {
        if c.ops > 0 {
            v.push((Category::Conv { kw: c.kw, kh: c.kh }, c.ops));
        }
    }
    for p in b.pools() {
        if p.ops > 0 {
            v.push((
                Category::Pool {
                    ow: p.ow,
                    oh: p.oh,
                    sw: p.sw,
                    sh: p.sh,
                },
                p.ops,
            ));
        }
    }
    if b.skips > 0 {
        v.push((Category::Skip, b.skips));
    }
    if b.nones > 0 {
        v.push((Category::None, b.nones));
    }
    v
}

/// The stage of a block: 0 at the input resolution, +1 per halving of the output side
/// (from #F_out = h·w against `resolution`²).
///
/// # Errors
/// [`Error::Shape`] when #F_out is 0 or larger than `resolution`² (a block the census
/// cannot place).
///
/// ```
/// use sednas::sed::measured::block_stage;
/// assert_eq!(block_stage(32 * 32, 32).unwrap(), 0);
/// assert_eq!(block_stage(8 * 8, 32).unwrap(), 2);
/// assert!(block_stage(0, 32).is_err());
/// ```
pub fn block_stage(f_out: u64, resolution: u32) -> Result<u8> {
    let full = resolution as u64 * resolution as u64;
    if f_out == 0 || f_out > full {
        return Err(Error::Shape(format!(
            "a block with {f_out} entries per channel at input resolution {resolution}: a stage needs 1..={full}"
        )));
    }
    let mut s = 0u8;
    let mut side = full;
    while side > f_out {
        side /= 4;
        s += 1;
    }
    Ok(s)
}

/// Why `f` cannot join the factors `before` (a non-finite factor, n = 0, or a
/// (category, stage) already there), if it cannot.
fn factor_problem(f: &Factor, before: &[Factor]) -> Option<String> {
    if !f.bits.is_finite() || f.n == 0 {
        Some(format!("has factor {} from n = {}", f.bits, f.n))
    } else if before
        .iter()
        .any(|g| g.category == f.category && g.stage == f.stage)
    {
        Some("appears twice".into())
    } else {
        None
    }
}

/// One calibrated factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Factor {
    /// Operation category.
    pub category: Category,
    /// Stage (0 = input resolution).
    pub stage: u8,
    /// Mean change of local H1 per operation (bits).
    pub bits: f64,
    /// Measured cell changes behind it (cells × seeds).
    pub n: u32,
}

/// A calibration table for one space (checked: finite factors, no repeated key).
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationTable {
    space: SpaceKind,
    factors: Vec<Factor>,
}

/// The committed calibration (`results/sed-measured/calibration.csv`, written by
/// `sednas experiment sed-calibrate`).
pub const COMMITTED: &str = include_str!("../../results/sed-measured/calibration.csv");

/// Columns of a calibration CSV.
pub const COLUMNS: [&str; 5] = ["space", "category", "stage", "bits", "n"];

impl CalibrationTable {
    /// A checked table.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`factors`) for a non-finite factor, n = 0 or a repeated
    /// (category, stage).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::sed::measured::{CalibrationTable, Category, Factor};
    /// let f = Factor { category: Category::Skip, stage: 0, bits: 0.5, n: 3 };
    /// assert!(CalibrationTable::new(SpaceKind::Nb201, vec![f]).is_ok());
    /// let e = CalibrationTable::new(SpaceKind::Nb201, vec![f, f]).unwrap_err();
    /// assert_eq!(e.to_string(), "factors: nb201 skip stage 0 appears twice");
    /// ```
    pub fn new(space: SpaceKind, factors: Vec<Factor>) -> Result<Self> {
        for (i, f) in factors.iter().enumerate() {
            if let Some(why) = factor_problem(f, &factors[..i]) {
                return Err(Error::param(
                    "factors",
                    format!("{space} {} stage {} {why}", f.category, f.stage),
                ));
            }
        }
        Ok(CalibrationTable { space, factors })
    }

    /// The rows of `space` in a calibration CSV (header [`COLUMNS`]); `name` names the source
    /// in errors.
    ///
    /// # Errors
    /// [`Error::Csv`] naming the line for a bad header or field, a non-finite factor or
    /// n = 0, or a repeated (category, stage) of `space`; and naming line 1 (the header)
    /// when the file has no row for `space` (a table calibrated for another space).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::sed::measured::CalibrationTable;
    /// let csv = "space,category,stage,bits,n\nnb201,skip,0,0,5\nnb201,conv3x3,0,-0.25,5\n";
    /// let t = CalibrationTable::parse(csv, SpaceKind::Nb201, "mem").unwrap();
    /// assert_eq!(t.factors().len(), 2);
    /// let e = CalibrationTable::parse(csv, SpaceKind::Nb101, "mem").unwrap_err();
    /// assert!(e.to_string().contains("no row for nb101"), "{e}");
    /// assert!(CalibrationTable::parse("space,category\n", SpaceKind::Nb201, "mem").is_err());
    /// ```
    pub fn parse(text: &str, space: SpaceKind, name: &str) -> Result<Self> {
        let csv_err = |line: usize, reason: String| Error::Csv {
            path: name.to_string(),
            line: line as u64,
            reason,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let header = lines.next().map(|(_, l)| l.trim_end_matches('\r'));
        if header != Some(COLUMNS.join(",").as_str()) {
            return Err(csv_err(
                1,
                format!("expected the header {}", COLUMNS.join(",")),
            ));
        }
        let mut factors = Vec::new();
        for (i, l) in lines {
            let f: Vec<&str> = l.trim_end_matches('\r').split(',').collect();
            if f.len() != COLUMNS.len() {
                return Err(csv_err(
                    i + 1,
                    format!("{} fields, expected {}", f.len(), COLUMNS.len()),
                ));
            }
            let sp: SpaceKind = f[0]
                .parse()
                .map_err(|e: Error| csv_err(i + 1, e.to_string()))?;
            if sp != space {
                continue;
            }
            let category = f[1]
                .parse()
                .map_err(|e: Error| csv_err(i + 1, e.to_string()))?;
            let stage = f[2]
                .parse()
                .map_err(|e| csv_err(i + 1, format!("stage {:?}: {e}", f[2])))?;
            let bits = f[3]
                .parse()
                .map_err(|e| csv_err(i + 1, format!("bits {:?}: {e}", f[3])))?;
            let n = f[4]
                .parse()
                .map_err(|e| csv_err(i + 1, format!("n {:?}: {e}", f[4])))?;
            let f = Factor {
                category,
                stage,
                bits,
                n,
            };
            if let Some(why) = factor_problem(&f, &factors) {
                return Err(csv_err(
                    i + 1,
                    format!("{space} {} stage {} {why}", f.category, f.stage),
                ));
            }
            factors.push(f);
        }
        if factors.is_empty() {
            return Err(csv_err(
                1,
                format!("no row for {space}: a table calibrated for another space"),
            ));
        }
        Self::new(space, factors)
    }

    /// The committed table of `space`.
    ///
    /// # Errors
    /// [`Error::Csv`] (line 1 of the committed file) for a space without committed
    /// calibration (NATS-SSS).
    ///
    /// ```
    /// use sednas::arch::SpaceKind;
    /// use sednas::sed::measured::CalibrationTable;
    /// assert!(CalibrationTable::committed(SpaceKind::Nb201).is_ok());
    /// assert!(CalibrationTable::committed(SpaceKind::NatsSss).is_err());
    /// ```
    pub fn committed(space: SpaceKind) -> Result<Self> {
        Self::parse(COMMITTED, space, "results/sed-measured/calibration.csv")
    }

    /// The space.
    pub fn space(&self) -> SpaceKind {
        self.space
    }

    /// The factors.
    pub fn factors(&self) -> &[Factor] {
        &self.factors
    }

    /// f(c, s), if calibrated.
    pub fn get(&self, category: Category, stage: u8) -> Option<f64> {
        self.factors
            .iter()
            .find(|f| f.category == category && f.stage == stage)
            .map(|f| f.bits)
    }

    /// The table as CSV (header [`COLUMNS`]), rows in the table's order.
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        for f in &self.factors {
            s.push_str(&format!(
                "{},{},{},{},{}\n",
                self.space, f.category, f.stage, f.bits, f.n
            ));
        }
        s
    }
}

/// The `sed-measured` scorer (see the module docs).
#[derive(Debug, Clone)]
pub struct SedMeasured {
    table: CalibrationTable,
    opts: CensusOptions,
}

impl SedMeasured {
    /// A scorer over `table` with the census of `opts` (block = cell for the formula as
    /// documented).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`sed-measured`) for a dilated-kernel reading or
    /// resolution other than the default the table was calibrated under (`opts` is checked
    /// by its type).
    pub fn new(table: CalibrationTable, opts: CensusOptions) -> Result<Self> {
        // the factors were measured under the default census: another dilated-kernel
        // reading or resolution makes categories and stages the table does not hold
        let d = CensusOptions::default();
        if opts.dilated_kernel() != d.dilated_kernel() || opts.resolution() != d.resolution() {
            return Err(Error::param(
                "sed-measured",
                "its factors were calibrated under the default census (nominal dilated kernels, resolution 32): --dilated and --resolution do not apply",
            ));
        }
        Ok(SedMeasured { table, opts })
    }

    /// The scorer of the committed calibration for `space`, default census.
    ///
    /// # Errors
    /// As [`CalibrationTable::committed`].
    pub fn committed(space: SpaceKind) -> Result<Self> {
        Self::new(
            CalibrationTable::committed(space)?,
            CensusOptions::default(),
        )
    }

    /// sed-measured(A); `census` is scratch reused between calls.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`sed-measured`) when `arch` is of another space than
    /// the table, or uses an operation category or stage the table has no factor for
    /// (naming both); [`Error::Shape`] from [`block_stage`].
    ///
    /// ```
    /// use sednas::arch::{AnyArch, Census, SpaceKind};
    /// use sednas::sed::measured::SedMeasured;
    /// let s = SedMeasured::committed(SpaceKind::Nb201).unwrap();
    /// let mut c = Census::default();
    /// let a = AnyArch::parse(SpaceKind::Nb201, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|").unwrap();
    /// assert!(s.score(&a, &mut c).unwrap().is_finite());
    /// let d = AnyArch::parse(SpaceKind::Darts, "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])").unwrap();
    /// assert!(s.score(&d, &mut c).unwrap_err().to_string().contains("calibrated for nb201"));
    /// ```
    pub fn score(&self, arch: &AnyArch, census: &mut Census) -> Result<f64> {
        if arch.kind() != self.table.space {
            return Err(Error::param(
                "sed-measured",
                format!(
                    "a {} architecture, but the calibration table is calibrated for {}",
                    arch.kind(),
                    self.table.space
                ),
            ));
        }
        arch.census(&self.opts, census);
        let (mut s, mut m) = (0.0f64, 0.0f64);
        for b in &census.blocks {
            let stage = block_stage(b.f_out, self.opts.resolution())?;
            let mut block = 0.0;
            for (c, n) in block_categories(b) {
                let f = self.table.get(c, stage).ok_or_else(|| {
                    Error::param(
                        "sed-measured",
                        format!(
                            "{arch}: operation {c} at stage {stage} has no calibrated factor for {}",
                            self.table.space
                        ),
                    )
                })?;
                block += n as f64 * f;
            }
            let w = b.multiplicity as f64;
            s += w * block;
            m += w;
        }
        Ok(if m > 0.0 { s / m } else { f64::NEG_INFINITY })
    }
}
