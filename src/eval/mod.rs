//! Agreement between a proxy and ground truth: rank correlations, top-k quality and
//! tie-aware selection.
//!
//! Conventions: higher proxy and higher accuracy are better; no sign is flipped and no
//! `abs()` is taken anywhere. True ranks are competition ranks over the whole truth
//! population: rank 1 is the most accurate, and architectures with equal accuracy share the
//! better rank. NaN policy: a pair with a NaN (or missing) proxy value or accuracy is left
//! out of that proxy's statistics and counted in `n_missing`.

pub mod bench_out;
pub mod benchmark;
pub mod population;
pub mod proxies;
pub mod rank;
pub mod stats;
pub mod truth;

pub use rank::{average_ranks, kendall_tau_b, pearson, spearman};

use serde::Serialize;

/// What happens when a search picks the architecture with the best proxy score and several
/// architectures share it: the tie set, and the best, worst and expected (uniform
/// tie-break) true rank and accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Selection {
    /// Number of architectures sharing the top score.
    pub tied: usize,
    /// Best (smallest) true rank in the tie set.
    pub best_rank: usize,
    /// Worst (largest) true rank in the tie set.
    pub worst_rank: usize,
    /// Mean true rank over the tie set.
    pub expected_rank: f64,
    /// Highest accuracy in the tie set.
    pub best_acc: f64,
    /// Lowest accuracy in the tie set.
    pub worst_acc: f64,
    /// Mean accuracy over the tie set.
    pub expected_acc: f64,
    /// The top score itself.
    pub score: f64,
}

/// Competition ranks, 1 = largest value: 1 + #{values strictly larger}. This is the one
/// place that ranks accuracies: a NaN (missing accuracy) ranks after every number (all NaNs
/// share the last rank), so a blank accuracy can never take rank 1.
///
/// # Formula
/// rank_i = 1 + |{j : v_j > v_i}| for a number v_i; 1 + |{j : v_j not NaN}| for NaN
///
/// ```
/// assert_eq!(sednas::eval::competition_ranks_desc(&[3.0, 5.0, 3.0, 1.0]), vec![2, 1, 2, 4]);
/// assert_eq!(sednas::eval::competition_ranks_desc(&[f64::NAN, 2.0, f64::NAN]), vec![2, 1, 2]);
/// ```
pub fn competition_ranks_desc(v: &[f64]) -> Vec<usize> {
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| {
        // numbers first (descending), NaNs last
        v[a].is_nan()
            .cmp(&v[b].is_nan())
            .then(key(v[b]).total_cmp(&key(v[a])))
    });
    let mut ranks = vec![0; v.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k + 1;
        while e < idx.len()
            && (v[idx[e]] == v[idx[k]] || (v[idx[e]].is_nan() && v[idx[k]].is_nan()))
        {
            e += 1;
        }
        for &i in &idx[k..e] {
            ranks[i] = k + 1;
        }
        k = e;
    }
    ranks
}

/// Tie-aware selection of the top-scoring architectures (see [`Selection`]).
/// `ranks` are the true competition ranks of the same items; NaN scores are ignored.
///
/// ```
/// use sednas::eval::{competition_ranks_desc, tie_aware_selection};
/// let acc = [90.0, 95.0, 80.0, 85.0];
/// let score = [2.0, 1.0, 2.0, 0.0];
/// let s = tie_aware_selection(&score, &acc, &competition_ranks_desc(&acc)).unwrap();
/// assert_eq!((s.tied, s.best_rank, s.worst_rank, s.expected_rank), (2, 2, 4, 3.0));
/// assert_eq!((s.best_acc, s.worst_acc, s.expected_acc), (90.0, 80.0, 85.0));
/// ```
pub fn tie_aware_selection(score: &[f64], acc: &[f64], ranks: &[usize]) -> Option<Selection> {
    let top = score
        .iter()
        .copied()
        .filter(|s| !s.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let set: Vec<usize> = (0..score.len()).filter(|&i| score[i] == top).collect();
    if set.is_empty() {
        return None;
    }
    let n = set.len() as f64;
    Some(Selection {
        tied: set.len(),
        best_rank: set.iter().map(|&i| ranks[i]).min()?,
        worst_rank: set.iter().map(|&i| ranks[i]).max()?,
        expected_rank: set.iter().map(|&i| ranks[i] as f64).sum::<f64>() / n,
        best_acc: set
            .iter()
            .map(|&i| acc[i])
            .fold(f64::NEG_INFINITY, f64::max),
        worst_acc: set.iter().map(|&i| acc[i]).fold(f64::INFINITY, f64::min),
        expected_acc: set.iter().map(|&i| acc[i]).sum::<f64>() / n,
        score: top,
    })
}

/// Expected top-k precision under uniform tie-breaking of the proxy: the expected fraction
/// of the proxy's k picks that are among the k most accurate (accuracy ties at the k-th
/// value all count as "among the k most accurate").
///
/// # Formula
/// With A = items scoring above the k-th score, G = items tied at it, m = k − |A|:
/// P@k = (|A ∩ T| + m·|G ∩ T|/|G|)/k, T = {i : acc_i ≥ k-th largest accuracy}
///
/// ```
/// let p = sednas::eval::top_k_precision(&[3.0, 2.0, 2.0, 1.0], &[4.0, 3.0, 1.0, 2.0], 2);
/// assert_eq!(p, 0.75); // item 0 sure (in T); one of {1, 2} picked, half the time item 1 (in T)
/// ```
pub fn top_k_precision(score: &[f64], acc: &[f64], k: usize) -> f64 {
    let n = score.len();
    if n == 0 || k == 0 {
        return f64::NAN;
    }
    let k = k.min(n);
    let mut a_sorted: Vec<f64> = acc.to_vec();
    a_sorted.sort_by(|x, y| y.total_cmp(x));
    let acc_k = a_sorted[k - 1];
    let mut s_sorted: Vec<f64> = score.to_vec();
    s_sorted.sort_by(|x, y| y.total_cmp(x));
    let s_k = s_sorted[k - 1];
    let (mut above, mut above_t, mut tied, mut tied_t) = (0usize, 0usize, 0usize, 0usize);
    for i in 0..n {
        let in_t = acc[i] >= acc_k;
        if score[i] > s_k {
            above += 1;
            above_t += in_t as usize;
        } else if score[i] == s_k {
            tied += 1;
            tied_t += in_t as usize;
        }
    }
    let m = (k - above) as f64;
    (above_t as f64 + m * tied_t as f64 / tied as f64) / k as f64
}

/// The best true rank among the proxy's top k (all items tied with the k-th score
/// included), and how many items that set holds.
///
/// ```
/// let (best, size) = sednas::eval::best_rank_in_top_k(&[3.0, 2.0, 2.0], &[3, 1, 2], 2);
/// assert_eq!((best, size), (1, 3));
/// ```
pub fn best_rank_in_top_k(score: &[f64], ranks: &[usize], k: usize) -> (usize, usize) {
    if score.is_empty() || k == 0 {
        return (0, 0);
    }
    let mut s_sorted: Vec<f64> = score.to_vec();
    s_sorted.sort_by(|x, y| y.total_cmp(x));
    let s_k = s_sorted[k.min(score.len()) - 1];
    let set: Vec<usize> = (0..score.len()).filter(|&i| score[i] >= s_k).collect();
    (set.iter().map(|&i| ranks[i]).min().unwrap_or(0), set.len())
}

/// The paper's "minimum-accuracy correlation": architectures are grouped by equal proxy
/// value, and Spearman ρ is taken between the distinct values and the minimum accuracy of
/// each group. Returns (number of groups, ρ).
///
/// ```
/// let (g, rho) = sednas::eval::min_accuracy_correlation(&[1.0, 1.0, 2.0, 3.0], &[5.0, 7.0, 6.0, 9.0]);
/// assert_eq!((g, rho), (3, Some(1.0)));
/// ```
pub fn min_accuracy_correlation(score: &[f64], acc: &[f64]) -> (usize, Option<f64>) {
    let mut pairs: Vec<(f64, f64)> = score.iter().copied().zip(acc.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut k = 0;
    while k < pairs.len() {
        let mut e = k + 1;
        let mut m = pairs[k].1;
        while e < pairs.len() && pairs[e].0 == pairs[k].0 {
            m = m.min(pairs[e].1);
            e += 1;
        }
        xs.push(pairs[k].0);
        ys.push(m);
        k = e;
    }
    (xs.len(), spearman(&xs, &ys))
}

/// Everything `sednas eval` reports for one proxy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProxyReport {
    /// Proxy name.
    pub proxy: String,
    /// Pairs used (proxy and accuracy both present).
    pub n: usize,
    /// Pairs left out for a missing or NaN proxy value.
    pub n_missing: usize,
    /// Spearman ρ (average ranks for ties).
    pub spearman: Option<f64>,
    /// Kendall τ-b.
    pub kendall_tau_b: Option<f64>,
    /// Expected top-10 precision.
    pub top10_precision: f64,
    /// Expected top-100 precision.
    pub top100_precision: f64,
    /// Best true rank among the proxy's top 10 (ties at the boundary included).
    pub best_rank_in_top10: usize,
    /// Distinct proxy values among the n architectures.
    pub distinct_values: usize,
    /// Tie-aware selection of the top score.
    pub selection: Option<Selection>,
    /// (groups, ρ) of the minimum-accuracy correlation.
    pub min_acc_groups: usize,
    /// ρ of the minimum-accuracy correlation.
    pub min_acc_spearman: Option<f64>,
}

/// Evaluates one proxy against accuracies; `ranks` are the true competition ranks over the
/// whole truth population (same indexing as `acc`).
///
/// ```
/// use sednas::eval::evaluate;
/// // the proxy orders the three architectures it scores exactly as their accuracies
/// let r = evaluate("p", &[1.0, 2.0, 3.0, f64::NAN], &[70.0, 80.0, 90.0, 95.0], &[4, 3, 2, 1]);
/// assert_eq!((r.proxy.as_str(), r.n, r.n_missing, r.distinct_values), ("p", 3, 1, 3));
/// assert_eq!((r.spearman, r.kendall_tau_b, r.min_acc_spearman), (Some(1.0), Some(1.0), Some(1.0)));
/// assert_eq!((r.best_rank_in_top10, r.min_acc_groups), (2, 3));
/// assert_eq!(r.selection.unwrap().best_rank, 2);
/// ```
pub fn evaluate(name: &str, proxy: &[f64], acc: &[f64], ranks: &[usize]) -> ProxyReport {
    let keep: Vec<usize> = (0..proxy.len())
        .filter(|&i| !proxy[i].is_nan() && !acc[i].is_nan())
        .collect();
    let p: Vec<f64> = keep.iter().map(|&i| proxy[i]).collect();
    let a: Vec<f64> = keep.iter().map(|&i| acc[i]).collect();
    let r: Vec<usize> = keep.iter().map(|&i| ranks[i]).collect();
    let mut distinct = p.clone();
    distinct.sort_by(|x, y| x.total_cmp(y));
    distinct.dedup();
    let (g, mrho) = min_accuracy_correlation(&p, &a);
    ProxyReport {
        proxy: name.to_string(),
        n: keep.len(),
        n_missing: proxy.len() - keep.len(),
        spearman: spearman(&p, &a),
        kendall_tau_b: kendall_tau_b(&p, &a),
        top10_precision: top_k_precision(&p, &a, 10),
        top100_precision: top_k_precision(&p, &a, 100),
        best_rank_in_top10: best_rank_in_top_k(&p, &r, 10).0,
        distinct_values: distinct.len(),
        selection: tie_aware_selection(&p, &a, &r),
        min_acc_groups: g,
        min_acc_spearman: mrho,
    }
}
