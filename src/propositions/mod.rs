//! Propositions 1–5 of the SED paper as executable claims.
//!
//! Each module exposes the claim as functions that return evidence (values, Monte-Carlo
//! estimates with confidence intervals, the paper's bound), so the tests, `sednas verify` and
//! the experiments call the same code. [`verify_all`] runs every check and returns one
//! [`Report`] per proposition with its verdict. The written statements, proofs and
//! counterexamples are in `proofs/P1.md` … `proofs/P5.md`.

pub mod p1;
pub mod p2;
pub mod p3;
pub mod p4;
pub mod p5;

use serde::Serialize;

use crate::error::Result;
use crate::rng::SplitMix64;

/// Our verdict on a proposition as the paper states it. One rule decides it: **false** when
/// a counterexample meets every assumption the paper prints (`corrected` then adds the
/// assumption under which it holds, so "false" and "true under an added assumption" go
/// together); **holds-with-conditions** only when the printed statement is incomplete (it
/// leaves a term undefined, so it is neither true nor false as printed) and holds once that
/// term is made explicit; **holds** when it is true as printed. P2–P5 are false by this rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// True as printed.
    #[serde(rename = "holds")]
    Holds,
    /// The printed statement leaves a term undefined (neither true nor false as printed);
    /// true once it is made explicit (`corrected`). No current verdict.
    #[serde(rename = "holds-with-conditions")]
    HoldsWithConditions,
    /// False as printed: a counterexample meets every printed assumption; `corrected` adds
    /// the assumption under which it holds.
    #[serde(rename = "false")]
    False,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Holds => "holds",
            Verdict::HoldsWithConditions => "holds-with-conditions",
            Verdict::False => "false",
        })
    }
}

/// One piece of evidence. `confirms` says whether the computed evidence agrees with our
/// verdict (a supporting check passed, or a counterexample was indeed exhibited).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether the evidence agrees with the verdict.
    pub confirms: bool,
    /// The measured value, if a single number.
    pub value: Option<f64>,
    /// What the paper's statement says that value should be (bound or exact), if any.
    pub claim: Option<f64>,
    /// A 95% confidence interval for `value` (Monte-Carlo checks).
    pub ci95: Option<(f64, f64)>,
    /// Free-text detail (inputs, the counterexample).
    pub detail: String,
}

/// A proposition's verdict and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// "P1".."P5".
    pub id: &'static str,
    /// The verdict on the paper's statement.
    pub verdict: Verdict,
    /// The paper's statement (condensed).
    pub paper: &'static str,
    /// Our precise (corrected where needed) statement.
    pub corrected: &'static str,
    /// The written proof / counterexample.
    pub proof: &'static str,
    /// The evidence.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check agrees with the verdict.
    ///
    /// ```
    /// use sednas::propositions::{Check, Report, Verdict};
    /// let check = |confirms| Check {
    ///     name: "a check".into(),
    ///     confirms,
    ///     value: Some(0.0),
    ///     claim: None,
    ///     ci95: None,
    ///     detail: String::new(),
    /// };
    /// let mut r = Report {
    ///     id: "P1",
    ///     verdict: Verdict::Holds,
    ///     paper: "",
    ///     corrected: "",
    ///     proof: "proofs/P1.md",
    ///     checks: vec![check(true), check(true)],
    /// };
    /// assert_eq!(r.consistent(), true);
    /// r.checks.push(check(false));
    /// assert_eq!(r.consistent(), false);
    /// ```
    pub fn consistent(&self) -> bool {
        self.checks.iter().all(|c| c.confirms)
    }
}

/// How much work the checks do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerifyOptions {
    /// Larger Monte-Carlo runs and grids.
    pub thorough: bool,
    /// Seed of every random draw.
    pub seed: u64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            thorough: false,
            seed: 20241109,
        }
    }
}

/// Runs the checks of all five propositions (each [`Report`] is what its `pN::report`
/// returns; about 15 s in a debug build, under a second in release).
///
/// # Errors
/// The first error of a proposition's `report` (none expected: they check fixed
/// constructions and the entropy core on them; an [`crate::Error::Internal`] means a
/// construction failed).
///
/// ```
/// use sednas::propositions::{verify_all, Verdict, VerifyOptions};
/// let r = verify_all(&VerifyOptions::default()).unwrap();
/// let v: Vec<(&str, Verdict)> = r.iter().map(|r| (r.id, r.verdict)).collect();
/// assert_eq!(v, [("P1", Verdict::Holds), ("P2", Verdict::False), ("P3", Verdict::False),
///                ("P4", Verdict::False), ("P5", Verdict::False)]);
/// // every verdict is consistent with its own checks
/// assert!(r.iter().all(|r| r.consistent()));
/// ```
pub fn verify_all(opts: &VerifyOptions) -> Result<Vec<Report>> {
    Ok(vec![
        p1::report(opts)?,
        p2::report(opts)?,
        p3::report(opts)?,
        p4::report(opts)?,
        p5::report(opts)?,
    ])
}

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(r: &mut SplitMix64) -> f64 {
    let u1 = r.unit().max(f64::MIN_POSITIVE);
    let u2 = r.unit();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Wilson 95% interval for a binomial proportion.
///
/// # Formula
/// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96
///
/// ```
/// let (lo, hi) = sednas::propositions::wilson95(50, 100);
/// assert!(lo < 0.5 && hi > 0.5 && (hi - lo) < 0.2);
/// ```
pub fn wilson95(successes: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054;
    let nf = n as f64;
    let p = successes as f64 / nf;
    let den = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / den;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / den;
    // exact ends when every (or no) trial succeeded (the formula is off by rounding there)
    let lo = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// A random symmetric positive-definite d×d matrix A·Aᵀ/m + δ·I (row-major).
pub(crate) fn random_spd(d: usize, r: &mut SplitMix64, delta: f64) -> ndarray::Array2<f64> {
    let m = d + 2;
    let a = ndarray::Array2::from_shape_fn((d, m), |_| normal(r));
    let mut s = a.dot(&a.t()) / m as f64;
    for i in 0..d {
        s[[i, i]] += delta;
    }
    s
}
