//! Proposition 3: after max pooling, some output subtensor of size ⌈o_w/s1⌉×⌈o_h/s2⌉ has
//! H1 = 0 "with probability greater than 1 − 2(max{o_w,o_h} − 2)(w+h)/(wh)".
//!
//! Input distribution for the checks: i.i.d. continuous (standard normal) entries, so ties
//! have probability 0 and an output block is constant only when one input entry is the
//! maximum of every window in it. Padding: none (`valid` pooling) or ⌊o/2⌋ on each side
//! with −∞ (max pooling's padding never wins). Output subtensors: every position of the
//! output grid (stride 1), fully inside the output.
//!
//! Mechanism (and a correct bound): if the input's global maximum lies in a ⌈o/s⌉×⌈o/s⌉
//! block of consecutive pooling windows, those outputs all equal it. The fraction of input
//! positions with such a block, [`global_max_bound`], is therefore a lower bound on the
//! probability. The paper's bound is not: on small maps the true probability is far below
//! it, and for o = 2 it claims a probability greater than 1. See `proofs/P3.md`.

use ndarray::{Array2, ArrayView2};

use super::{Check, Report, Verdict, VerifyOptions, normal, wilson95};
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// Pooling geometry: size (o_w, o_h), stride (s1, s2), padding on every side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pool {
    /// o_w
    pub ow: usize,
    /// o_h
    pub oh: usize,
    /// s1
    pub sw: usize,
    /// s2
    pub sh: usize,
    /// padding (entries of −∞) on each side
    pub pad: usize,
}

impl Pool {
    /// Validates sizes (≥ 1) and stride (≥ 1).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a `pool size` of 0 or a `pad` not smaller than the
    /// pool size; [`Error::ZeroStride`] naming the axis of a zero stride.
    ///
    /// ```
    /// use sednas::error::Error;
    /// use sednas::propositions::p3::Pool;
    /// let p = Pool::new(3, 3, 2, 2, 1).unwrap();
    /// assert_eq!(p, Pool { ow: 3, oh: 3, sw: 2, sh: 2, pad: 1 });
    /// assert!(matches!(Pool::new(3, 3, 0, 1, 0), Err(Error::ZeroStride { axis: "w" })));
    /// assert!(matches!(Pool::new(3, 3, 1, 1, 3), Err(Error::InvalidParameter { name: "pad", .. })));
    /// ```
    pub fn new(ow: usize, oh: usize, sw: usize, sh: usize, pad: usize) -> Result<Self> {
        if ow == 0 || oh == 0 {
            return Err(Error::param("pool size", "must be ≥ 1"));
        }
        if sw == 0 || sh == 0 {
            return Err(Error::ZeroStride {
                axis: if sw == 0 { "w" } else { "h" },
            });
        }
        if pad >= ow.max(oh) {
            return Err(Error::param("pad", "must be smaller than the pool size"));
        }
        Ok(Pool {
            ow,
            oh,
            sw,
            sh,
            pad,
        })
    }

    /// Window starts along an axis of length n (in input coordinates, may be negative).
    fn starts(n: usize, o: usize, s: usize, pad: usize) -> Vec<isize> {
        let total = n + 2 * pad;
        if total < o {
            return vec![];
        }
        (0..=(total - o) / s)
            .map(|t| (t * s) as isize - pad as isize)
            .collect()
    }

    /// The output subtensor size of the proposition: (⌈o_w/s1⌉, ⌈o_h/s2⌉).
    ///
    /// ```
    /// use sednas::propositions::p3::Pool;
    /// assert_eq!(Pool::new(3, 3, 2, 2, 1).unwrap().block(), (2, 2));
    /// assert_eq!(Pool::new(5, 3, 1, 2, 0).unwrap().block(), (5, 2));
    /// ```
    pub fn block(&self) -> (usize, usize) {
        (self.ow.div_ceil(self.sw), self.oh.div_ceil(self.sh))
    }
}

/// Max pooling of an h×w map.
///
/// ```
/// use ndarray::array;
/// use sednas::propositions::p3::{max_pool, Pool};
/// let x = array![[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0]];
/// let y = max_pool(x.view(), &Pool::new(2, 2, 1, 1, 0).unwrap());
/// assert_eq!(y, array![[3.0, 2.0], [3.0, 5.0]]);
/// ```
pub fn max_pool(x: ArrayView2<'_, f64>, p: &Pool) -> Array2<f64> {
    let (h, w) = x.dim();
    let rs = Pool::starts(h, p.oh, p.sh, p.pad);
    let cs = Pool::starts(w, p.ow, p.sw, p.pad);
    Array2::from_shape_fn((rs.len(), cs.len()), |(i, j)| {
        let mut m = f64::NEG_INFINITY;
        for a in rs[i].max(0)..(rs[i] + p.oh as isize).min(h as isize) {
            for b in cs[j].max(0)..(cs[j] + p.ow as isize).min(w as isize) {
                m = m.max(x[[a as usize, b as usize]]);
            }
        }
        m
    })
}

/// Whether some kh×kw block of consecutive entries of `y` has all entries equal (H1 = 0).
///
/// ```
/// use ndarray::array;
/// use sednas::propositions::p3::has_constant_block;
/// assert!(has_constant_block(array![[1.0, 1.0], [1.0, 1.0]].view(), 2, 2));
/// assert!(!has_constant_block(array![[1.0, 1.0], [1.0, 2.0]].view(), 2, 2));
/// ```
pub fn has_constant_block(y: ArrayView2<'_, f64>, kw: usize, kh: usize) -> bool {
    let (h, w) = y.dim();
    if kh > h || kw > w {
        return false;
    }
    for i in 0..=h - kh {
        'next: for j in 0..=w - kw {
            let v = y[[i, j]];
            for a in 0..kh {
                for b in 0..kw {
                    if y[[i + a, j + b]] != v {
                        continue 'next;
                    }
                }
            }
            return true;
        }
    }
    false
}

/// The paper's bound 1 − 2(max{o_w, o_h} − 2)(w + h)/(wh).
///
/// ```
/// use sednas::propositions::p3::{paper_bound, Pool};
/// // 8×8 map, 3×3 pool: 1 − 2·1·16/64
/// assert_eq!(paper_bound(8, 8, &Pool::new(3, 3, 2, 2, 1).unwrap()), 0.5);
/// // 5×5 pool on the same map: a negative "probability"
/// assert_eq!(paper_bound(8, 8, &Pool::new(5, 5, 1, 1, 0).unwrap()), -0.5);
/// ```
pub fn paper_bound(w: usize, h: usize, p: &Pool) -> f64 {
    let o = p.ow.max(p.oh) as f64;
    1.0 - 2.0 * (o - 2.0) * (w + h) as f64 / (w * h) as f64
}

/// Fraction of input positions x for which some block of ⌈o/s⌉ consecutive windows along
/// each axis all contain x: a rigorous lower bound on the probability (the global maximum,
/// unique a.s., lands there with exactly this probability and makes that output block
/// constant).
///
/// For stride 1 and no padding the positions along an axis are the w − 2(o − 1) central ones.
///
/// ```
/// use sednas::propositions::p3::{global_max_bound, Pool};
/// // 5×5 map, 2×2 pool, stride 1: columns and rows 1..=3 qualify, 9 of 25 positions
/// assert_eq!(global_max_bound(5, 5, &Pool::new(2, 2, 1, 1, 0).unwrap()), 9.0 / 25.0);
/// // 8×8 map, 3×3 pool, stride 2, padding 1 (window starts −1, 1, 3, 5): columns 1, 3, 5
/// assert_eq!(global_max_bound(8, 8, &Pool::new(3, 3, 2, 2, 1).unwrap()), 9.0 / 64.0);
/// ```
pub fn global_max_bound(w: usize, h: usize, p: &Pool) -> f64 {
    let axis = |n: usize, o: usize, s: usize| -> usize {
        let st = Pool::starts(n, o, s, p.pad);
        let k = o.div_ceil(s);
        (0..n as isize)
            .filter(|&x| {
                st.windows(k)
                    .any(|blk| blk.iter().all(|&t| t <= x && x < t + o as isize))
            })
            .count()
    };
    (axis(w, p.ow, p.sw) * axis(h, p.oh, p.sh)) as f64 / (w * h) as f64
}

/// Monte-Carlo estimate of P(∃ constant output block) for i.i.d. N(0, 1) maps.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Map width.
    pub w: usize,
    /// Map height.
    pub h: usize,
    /// Pooling.
    pub pool: Pool,
    /// Trials.
    pub trials: usize,
    /// Estimated probability.
    pub p_hat: f64,
    /// Wilson 95% interval.
    pub ci95: (f64, f64),
    /// The paper's bound.
    pub paper_bound: f64,
    /// Our lower bound (global-maximum argument).
    pub global_max_bound: f64,
}

/// Estimates the probability with `trials` draws from a fixed seed.
///
/// ```
/// use sednas::propositions::p3::{estimate, Pool};
/// // 1×1 pooling: every output entry is a constant 1×1 block
/// let e = estimate(4, 4, &Pool::new(1, 1, 1, 1, 0).unwrap(), 10, 7);
/// assert_eq!((e.p_hat, e.ci95.1, e.paper_bound, e.global_max_bound), (1.0, 1.0, 2.0, 1.0));
/// // 2×2 pooling of a 2×2 map gives one output entry: no 2×2 block exists
/// let e = estimate(2, 2, &Pool::new(2, 2, 1, 1, 0).unwrap(), 10, 7);
/// assert_eq!((e.p_hat, e.ci95.0, e.trials), (0.0, 0.0, 10));
/// ```
pub fn estimate(w: usize, h: usize, p: &Pool, trials: usize, seed: u64) -> Estimate {
    let mut r = SplitMix64::new(seed);
    let (bw, bh) = p.block();
    let mut hits = 0;
    for _ in 0..trials {
        let x = Array2::from_shape_fn((h, w), |_| normal(&mut r));
        let y = max_pool(x.view(), p);
        hits += has_constant_block(y.view(), bw, bh) as usize;
    }
    Estimate {
        w,
        h,
        pool: *p,
        trials,
        p_hat: hits as f64 / trials as f64,
        ci95: wilson95(hits, trials),
        paper_bound: paper_bound(w, h, p),
        global_max_bound: global_max_bound(w, h, p),
    }
}

/// The grid of (w, h, o, s, padding) the report evaluates.
///
/// ```
/// use sednas::propositions::p3::{grid, Pool};
/// let g = grid(false);
/// // sizes 5, 8, 16 × pools 2, 3, 5 × strides 1, 2 × padding 0, ⌊o/2⌋
/// assert_eq!(g.len(), 36);
/// assert_eq!(g[0], (5, 5, Pool { ow: 2, oh: 2, sw: 1, sh: 1, pad: 0 }));
/// assert_eq!(grid(true).len(), 72);
/// ```
pub fn grid(thorough: bool) -> Vec<(usize, usize, Pool)> {
    let sizes: &[usize] = if thorough {
        &[5, 6, 8, 12, 16, 32]
    } else {
        &[5, 8, 16]
    };
    let mut v = vec![];
    for &n in sizes {
        for o in [2usize, 3, 5] {
            for s in [1usize, 2] {
                for pad in [0, o / 2] {
                    if o <= n
                        && let Ok(p) = Pool::new(o, o, s, s, pad)
                    {
                        v.push((n, n, p));
                    }
                }
            }
        }
    }
    v
}

/// The P3 report.
///
/// # Errors
/// As [`Pool::new`] for the fixed pools it checks (none expected).
///
/// ```
/// use sednas::propositions::{p3, Verdict, VerifyOptions};
/// let r = p3::report(&VerifyOptions::default()).unwrap();
/// assert_eq!((r.id, r.verdict), ("P3", Verdict::False));
/// assert!(r.consistent());
/// ```
pub fn report(opts: &VerifyOptions) -> Result<Report> {
    let trials = if opts.thorough { 20_000 } else { 1_000 };
    let ests: Vec<Estimate> = grid(opts.thorough)
        .iter()
        .map(|(w, h, p)| estimate(*w, *h, p, trials, opts.seed))
        .collect();
    // the paper's bound fails where the whole CI lies below it (and where it exceeds 1)
    let below: Vec<&Estimate> = ests.iter().filter(|e| e.ci95.1 < e.paper_bound).collect();
    let ours_ok = ests.iter().all(|e| e.ci95.1 >= e.global_max_bound);
    let mut checks = vec![];
    // first, strided and padded pooling (3×3, stride 2, padding 1: the ResNet stem's and
    // DARTS reductions' shape) on a small map; on ≥ 12×12 maps it meets the printed bound
    let net = Pool::new(3, 3, 2, 2, 1)?;
    let n = estimate(8, 8, &net, trials.max(4000), opts.seed);
    checks.push(Check {
        name: "counterexample, strided padded pooling: 8×8 map, 3×3 max pool, stride 2, padding 1"
            .into(),
        confirms: n.ci95.1 < n.paper_bound,
        value: Some(n.p_hat),
        claim: Some(n.paper_bound),
        ci95: Some(n.ci95),
        detail: format!(
            "{} trials: P(some 2×2 output block constant) ≈ {:.3}, below the claimed > {:.2}",
            n.trials, n.p_hat, n.paper_bound
        ),
    });
    // where the printed bound does hold: stride 1, same padding, odd o ≥ 3 (G ≥ printed,
    // proved in P3.md; checked exactly here on every map side 3..=40)
    let mut worst = f64::INFINITY;
    for o in [3usize, 5, 7] {
        let p = Pool::new(o, o, 1, 1, o / 2)?;
        for w in o..=40 {
            for h in o..=40 {
                worst = worst.min(global_max_bound(w, h, &p) - paper_bound(w, h, &p));
            }
        }
    }
    checks.push(Check {
        name: "the printed bound holds for stride 1, same padding, odd o ≥ 3 (G ≥ printed bound)"
            .into(),
        confirms: worst >= -1e-12,
        value: Some(worst),
        claim: Some(0.0),
        ci95: None,
        detail: "min over o ∈ {3, 5, 7}, o ≤ w, h ≤ 40 of G − printed bound (exact); G − printed = ((o − 3)(w + h) + (o − 1)²)/(wh) ≥ 0".into(),
    });
    let key = Pool::new(3, 3, 1, 1, 0)?;
    let k = estimate(5, 5, &key, trials.max(4000), opts.seed);
    checks.push(Check {
        name: "secondary counterexample (assumes no padding): 5×5 map, 3×3 max pool, stride 1".into(),
        confirms: k.ci95.1 < k.paper_bound,
        value: Some(k.p_hat),
        claim: Some(k.paper_bound),
        ci95: Some(k.ci95),
        detail: format!(
            "{} trials: P(some 3×3 output block constant) ≈ {:.4}, far below the claimed > {:.2}; exact value 1/25 = 0.04 (the centre must be the maximum of all 25 entries)",
            k.trials, k.p_hat, k.paper_bound
        ),
    });
    let two = Pool::new(2, 2, 1, 1, 0)?;
    let t = estimate(8, 8, &two, trials, opts.seed);
    checks.push(Check {
        name: "o = 2 makes the claimed bound 1: 'probability greater than 1' cannot hold".into(),
        confirms: t.paper_bound >= 1.0 && t.p_hat <= 1.0,
        value: Some(t.p_hat),
        claim: Some(t.paper_bound),
        ci95: Some(t.ci95),
        detail: format!(
            "8×8 map, 2×2 pool, stride 1: estimate {:.4}, claimed > {:.1}",
            t.p_hat, t.paper_bound
        ),
    });
    checks.push(Check {
        name: "grid: cells where the 95% CI lies entirely below the paper's bound".into(),
        confirms: !below.is_empty(),
        value: Some(below.len() as f64),
        claim: Some(0.0),
        ci95: None,
        detail: format!(
            "{} of {} (w, h, o, s, pad) cells, {trials} trials each: {}",
            below.len(),
            ests.len(),
            below
                .iter()
                .take(8)
                .map(|e| format!(
                    "{}×{} o={} s={} pad={}: {:.3} vs {:.3}",
                    e.w, e.h, e.pool.ow, e.pool.sw, e.pool.pad, e.p_hat, e.paper_bound
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    });
    let tightest = ests
        .iter()
        .min_by(|a, b| (a.ci95.1 - a.global_max_bound).total_cmp(&(b.ci95.1 - b.global_max_bound)));
    checks.push(Check {
        name: "corrected lower bound (global-maximum argument) is never contradicted on the grid"
            .into(),
        confirms: ours_ok,
        value: tightest.map(|e| e.ci95.1 - e.global_max_bound),
        claim: None,
        ci95: None,
        detail: format!(
            "min over the grid of (upper CI − our bound), must be ≥ 0; tightest cell: {}",
            tightest
                .map(|e| format!(
                    "{}×{} o={} s={} pad={}: estimate {:.4}, bound {:.4}",
                    e.w, e.h, e.pool.ow, e.pool.sw, e.pool.pad, e.p_hat, e.global_max_bound
                ))
                .unwrap_or_default()
        ),
    });
    Ok(Report {
        id: "P3",
        verdict: Verdict::False,
        paper: "Max pooling o_w×o_h with stride (s1, s2) on X ∈ R^{w×h×1}: with probability > 1 − 2(max{o_w,o_h} − 2)(w+h)/(wh) some output subtensor of size ⌈o_w/s1⌉×⌈o_h/s2⌉ has H1 = 0.",
        corrected: "The printed bound holds for stride-1, same-padded pooling with odd o ≥ 3 (then G below is ≥ it) and fails for strided, padded pooling on small maps (8×8, o = 3, s = 2, padding 1: ≈ 0.38 < 0.5; it holds there from 12×12 on) and without padding. For i.i.d. continuous inputs, P(some ⌈o_w/s1⌉×⌈o_h/s2⌉ output block is constant) ≥ G(w, h, o, s, pad) = |I_w|·|I_h|/(wh), where I_w is the set of columns x for which ⌈o_w/s1⌉ consecutive pooling windows all contain x (for stride 1 and no padding: |I_w| = w − 2(o_w − 1)). The bound is tight for maps with a single such region (e.g. 5×5, o = 3) and the probability tends to 1 on large maps (many local maxima qualify).",
        proof: "proofs/P3.md",
        checks,
    })
}
