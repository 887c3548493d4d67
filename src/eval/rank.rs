//! Rank statistics: average ranks, Pearson, Spearman ρ and Kendall τ-b (O(n log n)).

use crate::numerics::NeumaierAcc;

/// Ranks 1..n with ties given their average rank (ascending values).
///
/// # Formula
/// rank_i = (first + last)/2 over the positions the tie group of v_i occupies when sorted
///
/// ```
/// assert_eq!(sednas::eval::average_ranks(&[10.0, 20.0, 10.0]), vec![1.5, 3.0, 1.5]);
/// ```
pub fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k + 1;
        while e < idx.len() && v[idx[e]] == v[idx[k]] {
            e += 1;
        }
        let avg = (k + 1 + e) as f64 / 2.0;
        for &i in &idx[k..e] {
            r[i] = avg;
        }
        k = e;
    }
    r
}

/// Pearson correlation (two-pass, compensated sums); `None` if n < 2 or a variance is 0.
///
/// # Formula
/// r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)²·Σ(y−ȳ)²)
///
/// ```
/// assert_eq!(sednas::eval::pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
/// assert_eq!(sednas::eval::pearson(&[1.0, 1.0], &[2.0, 4.0]), None);
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = crate::numerics::neumaier_sum(x[..n].iter().copied()) / n as f64;
    let my = crate::numerics::neumaier_sum(y[..n].iter().copied()) / n as f64;
    let (mut sxy, mut sxx, mut syy) = (
        NeumaierAcc::default(),
        NeumaierAcc::default(),
        NeumaierAcc::default(),
    );
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy.add(dx * dy);
        sxx.add(dx * dx);
        syy.add(dy * dy);
    }
    let den = (sxx.value() * syy.value()).sqrt();
    if den > 0.0 {
        Some((sxy.value() / den).clamp(-1.0, 1.0))
    } else {
        None
    }
}

/// Spearman ρ: Pearson correlation of average ranks.
///
/// ```
/// assert_eq!(sednas::eval::spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]), Some(1.0));
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Kendall τ-b in O(n log n) (Knight's algorithm: sort by (x, y), count ties, count
/// discordant pairs as merge-sort swaps on y). `None` if either variable is constant.
///
/// # Formula
/// τ_b = (n_c − n_d)/√((n_0 − n_1)(n_0 − n_2)), n_0 = n(n−1)/2, n_1 / n_2 tied pairs in x / y
///
/// ```
/// let t = sednas::eval::kendall_tau_b(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
/// assert!((t - 4.0 / 6.0).abs() < 1e-15);
/// ```
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mut p: Vec<(f64, f64)> = (0..n).map(|i| (x[i], y[i])).collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let pairs = |t: u64| t * (t.saturating_sub(1)) / 2;
    let (mut n1, mut n3) = (0u64, 0u64);
    let mut k = 0;
    while k < n {
        let mut e = k + 1;
        while e < n && p[e].0 == p[k].0 {
            e += 1;
        }
        n1 += pairs((e - k) as u64);
        // joint ties inside this x group (sorted by y within it)
        let mut j = k;
        while j < e {
            let mut f = j + 1;
            while f < e && p[f].1 == p[j].1 {
                f += 1;
            }
            n3 += pairs((f - j) as u64);
            j = f;
        }
        k = e;
    }
    let mut ys: Vec<f64> = p.iter().map(|q| q.1).collect();
    let mut buf = vec![0.0; n];
    let swaps = merge_count(&mut ys, &mut buf);
    let mut n2 = 0u64;
    let mut k = 0;
    while k < n {
        let mut e = k + 1;
        while e < n && ys[e] == ys[k] {
            e += 1;
        }
        n2 += pairs((e - k) as u64);
        k = e;
    }
    let n0 = pairs(n as u64);
    let num = n0 as f64 - n1 as f64 - n2 as f64 + n3 as f64 - 2.0 * swaps as f64;
    let den = ((n0 - n1) as f64 * (n0 - n2) as f64).sqrt();
    if den > 0.0 {
        Some((num / den).clamp(-1.0, 1.0))
    } else {
        None
    }
}

/// Sorts `v` ascending, returning the number of inversions (pairs i < j with v_i > v_j).
fn merge_count(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let (l, r) = v.split_at_mut(mid);
    let mut s = merge_count(l, &mut buf[..mid]) + merge_count(r, &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, 0, 0);
    while i < l.len() && j < r.len() {
        if r[j] < l[i] {
            buf[k] = r[j];
            j += 1;
            s += (l.len() - i) as u64;
        } else {
            buf[k] = l[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + l.len() - i].copy_from_slice(&l[i..]);
    k += l.len() - i;
    buf[k..k + r.len() - j].copy_from_slice(&r[j..]);
    v.copy_from_slice(&buf[..n]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// O(n²) τ-b for checking.
    fn tau_b_slow(x: &[f64], y: &[f64]) -> Option<f64> {
        let n = x.len();
        let (mut c, mut d, mut tx, mut ty) = (0f64, 0f64, 0f64, 0f64);
        for i in 0..n {
            for j in i + 1..n {
                let sx = (x[i] - x[j]).signum() * ((x[i] != x[j]) as i32 as f64);
                let sy = (y[i] - y[j]).signum() * ((y[i] != y[j]) as i32 as f64);
                if sx == 0.0 && sy == 0.0 {
                } else if sx == 0.0 {
                    tx += 1.0;
                } else if sy == 0.0 {
                    ty += 1.0;
                } else if sx == sy {
                    c += 1.0;
                } else {
                    d += 1.0;
                }
            }
        }
        let den = ((c + d + tx) * (c + d + ty)).sqrt();
        (den > 0.0).then(|| (c - d) / den)
    }

    // Edge case: heavy ties in both variables (as with SED on NB201).
    #[test]
    fn tau_b_matches_quadratic_with_ties() {
        let mut s: u64 = 7;
        let mut r = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 6) as f64
        };
        for n in [2, 3, 10, 57, 300] {
            let x: Vec<f64> = (0..n).map(|_| r()).collect();
            let y: Vec<f64> = (0..n).map(|_| r()).collect();
            let a = kendall_tau_b(&x, &y);
            let b = tau_b_slow(&x, &y);
            match (a, b) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "n={n}: {a} vs {b}"),
                (a, b) => assert_eq!(a.is_none(), b.is_none()),
            }
        }
    }

    // Edge case: a constant proxy has no correlation (None, not NaN or 0).
    #[test]
    fn constant_input_is_none() {
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn negative_correlation_keeps_its_sign() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(
            kendall_tau_b(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]),
            Some(-1.0)
        );
    }
}
