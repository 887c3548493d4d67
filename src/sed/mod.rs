//! The SED score (Definition 4, formulas 1–5 of the paper) over an op census, with every
//! choice the paper leaves open as an explicit [`SedConfig`] switch.
//!
//! # Formula
//! With sig(x) = 1/(1+e^−x), K_A / O_A the candidate convolution / pooling kernels (larger
//! first), O_1 the largest pooling kernel, K ≥ O ⇔ k_w ≥ ⌈o_w/s1⌉ ∧ k_h ≥ ⌈o_h/s2⌉, and #_B x
//! the count of x in block B:
//!
//! * skip_SED(B) = sig(#skip)·#skip
//! * conv_SED(B) = Σ_i I{K_i ≥ O_1}·sig(#C_out)·#K_i
//! * pool_SED(B) = (Σ_i I{K_i ≥ O_1}·#K_i)² + (Σ_{op∈OPT} #op)² − (Σ_{O∈O_A} #O + Σ_{K∈K_A} I{K < O_1}·#K)²
//! * SED(A) = (1/n)·Σ_i [sig(#C_out(B_i))·#F_in(B_i)/#F_out(B_i)]·pool_SED(B_i)·sig(skip_SED(B_i)·conv_SED(B_i))
//!
//! Spaces without skip connections (or pooling) use `missing_constant` for skip_SED (or
//! pool_SED). Identical blocks are summed with their multiplicity. See
//! `docs/sed-readings.md` for every switch, its default and why.

pub mod ledflow;
pub mod ledm;
pub mod ledp;
pub mod measured;
pub mod top_k;

use std::fmt;

use num_traits::Float;

use crate::arch::{
    AnyArch, BlockCensus, Census, CensusOptions, CensusParams, ConvCount, PoolCount,
};
use crate::error::{Error, Result};

/// K ≥ O_1 as printed, or strictly greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Comparison {
    /// k ≥ ⌈o/s⌉ (as printed).
    Ge,
    /// k > ⌈o/s⌉.
    Gt,
}

/// What #_A K counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum KernelCount {
    /// Number of convolution operations with kernel K.
    Ops,
    /// Number of filters (output channels summed over those operations).
    Filters,
}

/// Where O_1 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum O1Source {
    /// The largest pooling kernel among the space's candidate operations.
    Space,
    /// The largest pooling kernel the block itself uses (none: every kernel counts as ≥).
    Arch,
}

/// Floating-point precision of the whole computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f64 throughout.
    F64,
    /// f32 throughout (sig(16) rounds differently: ties change).
    F32,
}

/// The squashing function (an ablation switch: `identity` removes the sigmoids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Squash {
    /// sig(x) = 1/(1+e^−x), as printed.
    Logistic,
    /// sig(x) = x (ablation: no sigmoids).
    Identity,
}

/// Every open choice of Definition 4. `Default` is the printed formula under the readings
/// argued for in `docs/sed-readings.md`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SedConfig {
    /// K ≥ O_1 or K > O_1.
    pub comparison: Comparison,
    /// Whether `none` counts in Σ_{op∈OPT} #op.
    pub none_in_opt: bool,
    /// Whether #K counts operations or filters.
    pub kernel_count: KernelCount,
    /// Value of skip_SED / pool_SED in spaces without skip connections / pooling.
    pub missing_constant: f64,
    /// Where O_1 comes from.
    pub o1_source: O1Source,
    /// f64 or f32 arithmetic.
    pub precision: Precision,
    /// Logistic sigmoids, or identity (ablation).
    pub squash: Squash,
    /// Ablation: keep skip_SED inside sig(skip_SED·conv_SED).
    pub use_skip: bool,
    /// Ablation: keep conv_SED inside sig(skip_SED·conv_SED).
    pub use_conv: bool,
    /// Ablation: keep the pool_SED factor.
    pub use_pool: bool,
    /// Network and block definitions (unchecked; [`Sed::new`] checks them).
    pub network: CensusParams,
}

impl Default for SedConfig {
    fn default() -> Self {
        SedConfig {
            comparison: Comparison::Ge,
            none_in_opt: false,
            kernel_count: KernelCount::Ops,
            missing_constant: 1.0,
            o1_source: O1Source::Space,
            precision: Precision::F64,
            squash: Squash::Logistic,
            use_skip: true,
            use_conv: true,
            use_pool: true,
            network: CensusParams::default(),
        }
    }
}

impl SedConfig {
    /// Reads a TOML configuration (unknown keys are an error).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`config`) for text that is not TOML, an unknown key or
    /// a value of the wrong type (the message is the TOML reader's, on one line, with its
    /// line and column); the checks of the values read (e.g. the census sizes).
    ///
    /// ```
    /// let c = sednas::sed::SedConfig::from_toml("comparison = \"gt\"\n[network]\nblock = \"node\"\n").unwrap();
    /// assert_eq!(c.comparison, sednas::sed::Comparison::Gt);
    /// assert!(sednas::sed::SedConfig::from_toml("comparisn = \"gt\"").is_err());
    /// ```
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::param("config", e.to_string().replace('\n', " ")))
    }
}

impl fmt::Display for SedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&toml::to_string(self).unwrap_or_default())
    }
}

/// The terms of one block.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BlockTerms {
    /// skip_SED(B).
    pub skip_sed: f64,
    /// conv_SED(B).
    pub conv_sed: f64,
    /// pool_SED(B).
    pub pool_sed: f64,
    /// The block's summand sig(#C_out)·F_in/F_out·pool_SED·sig(skip_SED·conv_SED).
    pub term: f64,
    /// How many identical blocks it stands for.
    pub multiplicity: u32,
}

/// A validated SED scorer.
#[derive(Debug, Clone, PartialEq)]
pub struct Sed {
    cfg: SedConfig,
    /// `cfg.network`, checked.
    opts: CensusOptions,
    /// sig(n) for integer n < SIG_TABLE (counts, channels), in f64 and f32: computed with the
    /// same expression as the general case, so results are bit-identical, only faster.
    sig64: Vec<f64>,
    sig32: Vec<f32>,
}

const SIG_TABLE: usize = 4096;

/// Float types SED can run in, with their sigmoid tables.
trait SedFloat: Float {
    fn table(sed: &Sed) -> &[Self];
}
impl SedFloat for f64 {
    fn table(sed: &Sed) -> &[f64] {
        &sed.sig64
    }
}
impl SedFloat for f32 {
    fn table(sed: &Sed) -> &[f32] {
        &sed.sig32
    }
}

fn logistic<F: Float>(x: F) -> F {
    F::one() / (F::one() + (-x).exp())
}

impl Sed {
    /// Validates a configuration.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a `missing_constant` that is not finite, and the
    /// census checks of `network` ([`CensusOptions::validate`]).
    ///
    /// ```
    /// use sednas::sed::{Sed, SedConfig};
    /// assert!(Sed::new(SedConfig::default()).is_ok());
    /// let bad = SedConfig { missing_constant: f64::NAN, ..SedConfig::default() };
    /// assert!(Sed::new(bad).is_err());
    /// ```
    pub fn new(cfg: SedConfig) -> Result<Self> {
        if !cfg.missing_constant.is_finite() {
            return Err(Error::param(
                "missing_constant",
                format!("must be finite, got {}", cfg.missing_constant),
            ));
        }
        let opts = cfg.network.check()?;
        let sig64 = (0..SIG_TABLE).map(|n| logistic(n as f64)).collect();
        let sig32 = (0..SIG_TABLE).map(|n| logistic(n as f32)).collect();
        Ok(Sed {
            cfg,
            opts,
            sig64,
            sig32,
        })
    }

    /// The configuration.
    ///
    /// ```
    /// use sednas::sed::{Sed, SedConfig};
    /// let cfg = SedConfig { missing_constant: 2.0, ..SedConfig::default() };
    /// assert_eq!(Sed::new(cfg).unwrap().config(), &cfg);
    /// ```
    pub fn config(&self) -> &SedConfig {
        &self.cfg
    }

    /// The census options (network size, block definition).
    ///
    /// ```
    /// use sednas::arch::CensusOptions;
    /// use sednas::sed::Sed;
    /// let sed = Sed::new(Default::default()).unwrap();
    /// assert_eq!(sed.census_options(), &CensusOptions::default());
    /// assert_eq!(sed.census_options().nb201_channels(), 16);
    /// ```
    pub fn census_options(&self) -> &CensusOptions {
        &self.opts
    }

    /// SED of a census.
    ///
    /// # Formula
    /// SED(A) = Σ_i m_i·term(B_i) / Σ_i m_i (m_i the multiplicity of block i)
    ///
    /// ```
    /// use sednas::arch::{AnyArch, Census, SpaceKind};
    /// use sednas::sed::Sed;
    /// let sed = Sed::new(Default::default()).unwrap();
    /// let a = AnyArch::parse(SpaceKind::Nb201,
    ///     "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|").unwrap();
    /// let mut c = Census::default();
    /// // 5 conv3×3 (≥ O_1), 1 skip: pool_SED = 5² + 6² − 0² = 61; skip_SED = sig(1);
    /// // conv_SED = sig(C)·5; SED ≈ 61·sig(5·sig(1))
    /// let s = sed.score(&a, &mut c);
    /// let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    /// assert!((s - 61.0 * sig(5.0 * sig(1.0))).abs() < 1e-5);
    /// ```
    pub fn score(&self, arch: &AnyArch, scratch: &mut Census) -> f64 {
        arch.census(&self.opts, scratch);
        self.score_census(scratch)
    }

    /// SED of a census already taken.
    ///
    /// With identity squashing every term is an integer. One block (multiplicity 1) with
    /// C_out = 2, F_in/F_out = 16/4, a 3×3 conv (≥ O_1 = 3×3), two 1×1 convs, one 3×3 pool and
    /// one skip: skip_SED = 1·1, conv_SED = 2·1, OPT = 5 ops, pool_SED = 1² + 5² − (1 + 2)² = 17,
    /// term = 2·4·17·(1·2) = 272. An empty block of multiplicity 3 adds 0, so SED = 272/4.
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, Census, PoolCount};
    /// use sednas::sed::{Sed, SedConfig, Squash};
    /// let o1 = Some(PoolCount::kernel(3, 3, 1, 1));
    /// let mut b = BlockCensus::new(2, 2, 16, 4, 1, o1);
    /// b.add_conv(3, 3, 2, 1);
    /// b.add_conv(1, 1, 2, 2);
    /// b.add_pool(3, 3, 1, 1, 1);
    /// b.skips = 1;
    /// let census = Census {
    ///     blocks: vec![b, BlockCensus::new(2, 2, 16, 4, 3, o1)],
    ///     space_has_skip: true,
    ///     space_has_pool: true,
    /// };
    /// let sed = Sed::new(SedConfig { squash: Squash::Identity, ..SedConfig::default() }).unwrap();
    /// assert_eq!(sed.score_census(&census), 68.0);
    /// assert_eq!(sed.score_census(&Census::default()), 0.0); // no blocks
    /// ```
    pub fn score_census(&self, c: &Census) -> f64 {
        match self.cfg.precision {
            Precision::F64 => self.sed_generic::<f64>(c),
            Precision::F32 => self.sed_generic::<f32>(c) as f64,
        }
    }

    fn sed_generic<F: SedFloat>(&self, c: &Census) -> F {
        let mut total = F::zero();
        let mut n = F::zero();
        for b in &c.blocks {
            let m = F::from(b.multiplicity).unwrap_or_else(F::one);
            total = total + m * self.terms::<F>(b, c.space_has_skip, c.space_has_pool).3;
            n = n + m;
        }
        if n > F::zero() { total / n } else { F::zero() }
    }

    /// Per-block terms (skip_SED, conv_SED, pool_SED, summand) in f64.
    ///
    /// The block of [`Sed::score_census`]'s example, with the default (logistic) reading: the
    /// sigmoids apply to skip_SED's and conv_SED's counts (sig(#skip), sig(#C_out)); pool_SED
    /// has none.
    ///
    /// ```
    /// use sednas::arch::{BlockCensus, Census, PoolCount};
    /// use sednas::sed::Sed;
    /// let mut b = BlockCensus::new(2, 2, 16, 4, 1, Some(PoolCount::kernel(3, 3, 1, 1)));
    /// b.add_conv(3, 3, 2, 1);
    /// b.add_conv(1, 1, 2, 2);
    /// b.add_pool(3, 3, 1, 1, 1);
    /// b.skips = 1;
    /// let census = Census { blocks: vec![b], space_has_skip: true, space_has_pool: true };
    /// let t = Sed::new(Default::default()).unwrap().breakdown(&census);
    /// let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    /// assert_eq!(t.len(), 1);
    /// assert_eq!((t[0].skip_sed, t[0].conv_sed, t[0].pool_sed), (sig(1.0), sig(2.0), 17.0));
    /// assert_eq!(t[0].multiplicity, 1);
    /// assert!((t[0].term - sig(2.0) * 4.0 * 17.0 * sig(sig(1.0) * sig(2.0))).abs() < 1e-12);
    /// ```
    pub fn breakdown(&self, c: &Census) -> Vec<BlockTerms> {
        c.blocks
            .iter()
            .map(|b| {
                let (s, k, p, t) = self.terms::<f64>(b, c.space_has_skip, c.space_has_pool);
                BlockTerms {
                    skip_sed: s,
                    conv_sed: k,
                    pool_sed: p,
                    term: t,
                    multiplicity: b.multiplicity,
                }
            })
            .collect()
    }

    #[inline]
    fn terms<F: SedFloat>(&self, b: &BlockCensus, has_skip: bool, has_pool: bool) -> (F, F, F, F) {
        let cfg = &self.cfg;
        let f = |x: f64| F::from(x).unwrap_or_else(F::zero);
        let sig = |x: F| match cfg.squash {
            Squash::Logistic => logistic(x),
            Squash::Identity => x,
        };
        let table = F::table(self);
        // sig of a non-negative integer: a table lookup
        let sig_n = |n: u64| match cfg.squash {
            Squash::Logistic => match table.get(n as usize) {
                Some(&v) => v,
                None => logistic(f(n as f64)),
            },
            Squash::Identity => f(n as f64),
        };
        let o1 = match cfg.o1_source {
            O1Source::Space => b.space_o1,
            O1Source::Arch => largest_pool(b.pools()),
        };
        let (mut big, mut small, mut conv_ops) = (F::zero(), F::zero(), 0u64);
        for k in b.convs() {
            let count = match cfg.kernel_count {
                KernelCount::Ops => f(k.ops as f64),
                KernelCount::Filters => f(k.filters as f64),
            };
            conv_ops += k.ops as u64;
            if at_least(k, o1, cfg.comparison) {
                big = big + count;
            } else {
                small = small + count;
            }
        }
        let pools: u64 = b.pools().iter().map(|p| p.ops as u64).sum();
        let mut opt = conv_ops + pools + b.skips as u64;
        if cfg.none_in_opt {
            opt += b.nones as u64;
        }
        let skips = f(b.skips as f64);
        let sig_cout = sig_n(b.c_out as u64);
        let missing = f(cfg.missing_constant);
        let skip_sed = if has_skip {
            sig_n(b.skips as u64) * skips
        } else {
            missing
        };
        let conv_sed = sig_cout * big;
        let pool_sed = if has_pool {
            let outp = f(pools as f64) + small;
            big * big + f(opt as f64) * f(opt as f64) - outp * outp
        } else {
            missing
        };
        let inner = (if cfg.use_skip { skip_sed } else { F::one() })
            * (if cfg.use_conv { conv_sed } else { F::one() });
        let pool_factor = if cfg.use_pool { pool_sed } else { F::one() };
        let ratio = f(b.f_in as f64) / f(b.f_out as f64);
        let term = sig_cout * ratio * pool_factor * sig(inner);
        (skip_sed, conv_sed, pool_sed, term)
    }
}

fn largest_pool(pools: &[PoolCount]) -> Option<PoolCount> {
    pools.iter().copied().max_by_key(|p| {
        let (w, h) = p.effective();
        (w * h, w, h)
    })
}

#[inline]
fn at_least(k: &ConvCount, o1: Option<PoolCount>, cmp: Comparison) -> bool {
    match o1 {
        None => true,
        Some(o) => {
            let (ew, eh) = o.effective();
            match cmp {
                Comparison::Ge => k.kw >= ew && k.kh >= eh,
                Comparison::Gt => k.kw > ew && k.kh > eh,
            }
        }
    }
}

/// The printed formula and each alternative reading (one switch changed at a time), with
/// the short names used in tables: `sed`, `sed[K>O1]`, `sed[none∈OPT]`, `sed[#K=filters]`,
/// `sed[O1=arch]`, `sed[f32]`, `sed[block=node]`, `sed[block=stage]`, `sed[dil=effective]`.
///
/// ```
/// let r = sednas::sed::readings(&Default::default());
/// assert_eq!(r[0].0, "sed");
/// assert_eq!(r.len(), 9);
/// ```
pub fn readings(base: &SedConfig) -> Vec<(String, SedConfig)> {
    use crate::arch::{BlockKind, DilatedKernel};
    let mut v = vec![("sed".to_string(), *base)];
    let mut push = |name: &str, f: &dyn Fn(&mut SedConfig)| {
        let mut c = *base;
        f(&mut c);
        v.push((name.to_string(), c));
    };
    push("sed[K>O1]", &|c| c.comparison = Comparison::Gt);
    push("sed[none∈OPT]", &|c| c.none_in_opt = true);
    push("sed[#K=filters]", &|c| {
        c.kernel_count = KernelCount::Filters
    });
    push("sed[O1=arch]", &|c| c.o1_source = O1Source::Arch);
    push("sed[f32]", &|c| c.precision = Precision::F32);
    push("sed[block=node]", &|c| c.network.block = BlockKind::Node);
    push("sed[block=stage]", &|c| c.network.block = BlockKind::Stage);
    push("sed[dil=effective]", &|c| {
        c.network.dilated_kernel = DilatedKernel::Effective
    });
    v
}

/// Term ablations of the printed formula: without skip_SED, conv_SED, pool_SED, sigmoids.
///
/// ```
/// assert_eq!(sednas::sed::ablations(&Default::default()).len(), 4);
/// ```
pub fn ablations(base: &SedConfig) -> Vec<(String, SedConfig)> {
    vec![
        (
            "sed[-skip]".to_string(),
            SedConfig {
                use_skip: false,
                ..*base
            },
        ),
        (
            "sed[-conv]".to_string(),
            SedConfig {
                use_conv: false,
                ..*base
            },
        ),
        (
            "sed[-pool]".to_string(),
            SedConfig {
                use_pool: false,
                ..*base
            },
        ),
        (
            "sed[-sigmoid]".to_string(),
            SedConfig {
                squash: Squash::Identity,
                ..*base
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::SpaceKind;

    fn score(space: SpaceKind, s: &str, cfg: SedConfig) -> f64 {
        let sed = Sed::new(cfg).unwrap();
        sed.score(&AnyArch::parse(space, s).unwrap(), &mut Census::default())
    }

    fn sig(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    // Hand computation of the printed formula on one NB201 cell:
    // ops: conv3 ×2, conv1 ×1, pool ×1, skip ×1, none ×1.
    #[test]
    fn nb201_hand_computed() {
        let s = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|";
        let got = score(SpaceKind::Nb201, s, SedConfig::default());
        // big = 2, small = 1, pools = 1, OPT = 2 + 1 + 1 + 1 = 5 (none excluded)
        let pool = 4.0 + 25.0 - (1.0f64 + 1.0).powi(2);
        let skip = sig(1.0);
        let per_stage = |c: f64| sig(c) * pool * sig(skip * sig(c) * 2.0);
        let expect = (per_stage(16.0) + per_stage(32.0) + per_stage(64.0)) / 3.0;
        assert!((got - expect).abs() < 1e-12, "{got} vs {expect}");
        // none ∈ OPT: OPT = 6
        let got2 = score(
            SpaceKind::Nb201,
            s,
            SedConfig {
                none_in_opt: true,
                ..Default::default()
            },
        );
        let pool2 = 4.0 + 36.0 - 4.0;
        assert!((got2 - expect * pool2 / pool).abs() < 1e-9);
        // K > O1: conv3 no longer counts as ≥ O1: big = 0, small = 3
        let got3 = score(
            SpaceKind::Nb201,
            s,
            SedConfig {
                comparison: Comparison::Gt,
                ..Default::default()
            },
        );
        let pool3 = 0.0 + 25.0 - 16.0;
        let expect3 = (sig(16.0) + sig(32.0) + sig(64.0)) / 3.0 * pool3 * sig(0.0);
        assert!((got3 - expect3).abs() < 1e-12);
    }

    // NAS-Bench-101 has no skip op: skip_SED takes the missing constant.
    #[test]
    fn nb101_uses_missing_constant() {
        let a = "011001000|input,conv3x3-bn-relu,output";
        let c1 = score(SpaceKind::Nb101, a, SedConfig::default());
        let c2 = score(
            SpaceKind::Nb101,
            a,
            SedConfig {
                missing_constant: 2.0,
                ..Default::default()
            },
        );
        assert!(c2 > c1);
    }

    #[test]
    fn f32_differs_only_in_rounding() {
        let s = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
        let a = score(SpaceKind::Nb201, s, SedConfig::default());
        let b = score(
            SpaceKind::Nb201,
            s,
            SedConfig {
                precision: Precision::F32,
                ..Default::default()
            },
        );
        assert!((a - b).abs() < 1e-4 && a != b);
    }

    #[test]
    fn darts_reduction_cells_weigh_four() {
        let g = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~2;dil_conv_3x3~2;skip_connect~0|max_pool_3x3~0;max_pool_3x3~1;skip_connect~2;max_pool_3x3~1;max_pool_3x3~0;skip_connect~2;skip_connect~2;max_pool_3x3~1";
        let sed = Sed::new(SedConfig::default()).unwrap();
        let a = AnyArch::parse(SpaceKind::Darts, g).unwrap();
        let mut c = Census::default();
        a.census(sed.census_options(), &mut c);
        let mults: u32 = c.blocks.iter().map(|b| b.multiplicity).sum();
        assert_eq!(mults, 20);
        let reds: Vec<_> = c.blocks.iter().filter(|b| b.f_in == 4 * b.f_out).collect();
        assert_eq!(reds.len(), 2);
        assert!(sed.score_census(&c).is_finite());
    }
}
