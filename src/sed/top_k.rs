//! The K best scores of a stream, in bounded memory, with the exact size of the tie at the
//! K-th score, in one pass and mergeable across threads.
//!
//! Order: score descending ([`f64::total_cmp`]), then key ascending, so the result does not
//! depend on how the stream was split. Beside the K best items the accumulator keeps the K
//! highest *distinct* scores with their counts. The K-th best score t has at most K − 1 items
//! above it, hence at most K − 1 distinct scores above it in any part of the stream, so every
//! part that holds t tracks its count: the merged count of t is exact.

use std::cmp::Ordering;

/// Top-K accumulator over (score, key) pairs.
///
/// Accepted items wait in a buffer that is sorted and merged (linearly) into the kept lists
/// when it reaches max(K, 4096) items, so pushing n items costs O(n log K) whatever K is.
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    /// Best items, sorted by score descending then key ascending; at most `k`.
    items: Vec<(f64, u64)>,
    /// Highest distinct scores (descending) with their counts; at most `k`.
    counts: Vec<(f64, u64)>,
    /// Accepted items not yet merged.
    pending: Vec<(f64, u64)>,
}

impl PartialEq for TopK {
    fn eq(&self, other: &Self) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.compact();
        b.compact();
        a.k == b.k && a.items == b.items && a.counts == b.counts
    }
}

fn better(a: &(f64, u64), b: &(f64, u64)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// The first `k` of two lists sorted by `cmp` (ties: `a` first), merged in linear time;
/// `combine` merges two entries that compare equal into one (None: keep both).
fn merge_sorted(
    a: &[(f64, u64)],
    b: &[(f64, u64)],
    k: usize,
    cmp: impl Fn(&(f64, u64), &(f64, u64)) -> Ordering,
    combine: impl Fn(&(f64, u64), &(f64, u64)) -> Option<(f64, u64)>,
) -> Vec<(f64, u64)> {
    let mut out = Vec::with_capacity(k.min(a.len() + b.len()));
    let (mut i, mut j) = (0, 0);
    while out.len() < k && (i < a.len() || j < b.len()) {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match cmp(x, y) {
                Ordering::Less => {
                    i += 1;
                    *x
                }
                Ordering::Greater => {
                    j += 1;
                    *y
                }
                Ordering::Equal => match combine(x, y) {
                    Some(z) => {
                        i += 1;
                        j += 1;
                        z
                    }
                    None => {
                        i += 1;
                        *x
                    }
                },
            },
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

fn by_score(a: &(f64, u64), b: &(f64, u64)) -> Ordering {
    b.0.total_cmp(&a.0)
}

impl TopK {
    /// An empty accumulator for the best `k` (k ≥ 1).
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] (`k`) for 0.
    ///
    /// ```
    /// use sednas::sed::top_k::TopK;
    /// let mut t = TopK::new(2).unwrap();
    /// for (s, key) in [(1.0, 0), (3.0, 1), (2.0, 2), (2.0, 3), (2.0, 4)] {
    ///     t.push(s, key);
    /// }
    /// assert_eq!(t.items(), &[(3.0, 1), (2.0, 2)]);
    /// assert_eq!(t.kth_tie(), Some((2.0, 3))); // three items share the 2nd score
    /// assert!(TopK::new(0).is_err());
    /// ```
    pub fn new(k: usize) -> crate::Result<Self> {
        if k == 0 {
            return Err(crate::Error::param("k", "must be at least 1, got 0"));
        }
        Ok(TopK {
            k,
            items: Vec::new(),
            counts: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// Adds one item.
    ///
    /// ```
    /// use sednas::sed::top_k::TopK;
    /// let mut t = TopK::new(2).unwrap();
    /// t.push(1.0, 7);
    /// t.push(5.0, 3);
    /// t.push(5.0, 1);
    /// // ties on the score: the smaller key first
    /// assert_eq!(t.items(), &[(5.0, 1), (5.0, 3)]);
    /// ```
    #[inline]
    pub fn push(&mut self, score: f64, key: u64) {
        // below the K-th distinct score already kept: can be neither kept nor counted
        if self.counts.len() == self.k
            && score.total_cmp(&self.counts[self.k - 1].0) == Ordering::Less
        {
            return;
        }
        self.pending.push((score, key));
        if self.pending.len() >= self.k.max(4096) {
            self.compact();
        }
    }

    /// Merges the waiting items into the kept lists.
    fn compact(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut p = std::mem::take(&mut self.pending);
        p.sort_unstable_by(better);
        // counts of the pending scores (p is sorted by score descending)
        let mut pc: Vec<(f64, u64)> = Vec::new();
        for &(s, _) in &p {
            match pc.last_mut() {
                Some(last) if last.0.total_cmp(&s) == Ordering::Equal => last.1 += 1,
                _ => pc.push((s, 1)),
            }
        }
        self.counts = merge_sorted(&self.counts, &pc, self.k, by_score, |x, y| {
            Some((x.0, x.1 + y.1))
        });
        self.items = merge_sorted(&self.items, &p, self.k, better, |_, _| None);
        p.clear();
        self.pending = p;
    }

    /// Merges another accumulator (same K) into this one.
    ///
    /// ```
    /// use sednas::sed::top_k::TopK;
    /// let (mut a, mut b, mut all) = (TopK::new(2).unwrap(), TopK::new(2).unwrap(), TopK::new(2).unwrap());
    /// for (i, s) in [5.0, 1.0, 4.0, 4.0, 2.0, 4.0].into_iter().enumerate() {
    ///     if i % 2 == 0 { a.push(s, i as u64) } else { b.push(s, i as u64) }
    ///     all.push(s, i as u64);
    /// }
    /// a.merge(&b);
    /// assert_eq!(a, all);
    /// assert_eq!(a.kth_tie(), Some((4.0, 3)));
    /// ```
    pub fn merge(&mut self, other: &TopK) {
        let mut o = other.clone();
        o.compact();
        self.compact();
        self.counts = merge_sorted(&self.counts, &o.counts, self.k, by_score, |x, y| {
            Some((x.0, x.1 + y.1))
        });
        self.items = merge_sorted(&self.items, &o.items, self.k, better, |_, _| None);
    }

    /// The best items: (score, key), best first.
    ///
    /// ```
    /// use sednas::sed::top_k::TopK;
    /// let mut t = TopK::new(3).unwrap();
    /// for (k, s) in [0.5, 2.0, -1.0, 2.5].into_iter().enumerate() {
    ///     t.push(s, k as u64);
    /// }
    /// assert_eq!(t.items(), &[(2.5, 3), (2.0, 1), (0.5, 0)]);
    /// ```
    pub fn items(&mut self) -> &[(f64, u64)] {
        self.compact();
        &self.items
    }

    /// The K-th (or last, if fewer were pushed) score and how many items share it.
    ///
    /// ```
    /// use sednas::sed::top_k::TopK;
    /// let mut t = TopK::new(3).unwrap();
    /// assert_eq!(t.kth_tie(), None);
    /// t.push(4.0, 0);
    /// assert_eq!(t.kth_tie(), Some((4.0, 1))); // fewer than K: the last score
    /// for k in 1..5 {
    ///     t.push(1.0, k);
    /// }
    /// assert_eq!(t.kth_tie(), Some((1.0, 4)));
    /// ```
    pub fn kth_tie(&mut self) -> Option<(f64, u64)> {
        self.compact();
        let t = self.items.last()?.0;
        self.counts
            .iter()
            .find(|c| c.0.total_cmp(&t) == Ordering::Equal)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Against sorting everything: same items, same tie count, for any split into parts.
        #[test]
        fn equals_full_sort(scores in proptest::collection::vec(0u8..6, 1..200), k in 1usize..12, parts in 1usize..5) {
            let mut all: Vec<(f64, u64)> = scores.iter().enumerate().map(|(i, &s)| (s as f64, i as u64)).collect();
            let mut accs: Vec<TopK> = (0..parts).map(|_| TopK::new(k).unwrap()).collect();
            for &(s, i) in &all {
                accs[(i as usize * 7919) % parts].push(s, i);
            }
            let mut t = accs[0].clone();
            for a in &accs[1..] {
                t.merge(a);
            }
            all.sort_by(better);
            let want: Vec<_> = all.iter().take(k).copied().collect();
            prop_assert_eq!(t.items(), &want[..]);
            let kth = want.last().unwrap().0;
            let n = all.iter().filter(|x| x.0 == kth).count() as u64;
            prop_assert_eq!(t.kth_tie(), Some((kth, n)));
        }
    }

    // Past the buffer size (4096 or K) the waiting items are compacted several times, and
    // large K stays linear: the same result as sorting everything, split in three parts.
    #[test]
    fn many_items_and_large_k_equal_full_sort() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let all: Vec<(f64, u64)> = (0..30_000u64)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s % 97) as f64, i)
            })
            .collect();
        let mut sorted = all.clone();
        sorted.sort_by(better);
        for k in [1usize, 7, 5000, 29_999, 30_000] {
            let mut parts: Vec<TopK> = (0..3).map(|_| TopK::new(k).unwrap()).collect();
            for &(v, i) in &all {
                parts[(i % 3) as usize].push(v, i);
            }
            let mut t = parts[0].clone();
            t.merge(&parts[1]);
            t.merge(&parts[2]);
            assert_eq!(t.items(), &sorted[..k], "k {k}");
            let kth = sorted[k - 1].0;
            let n = sorted.iter().filter(|x| x.0 == kth).count() as u64;
            assert_eq!(t.kth_tie(), Some((kth, n)), "k {k}");
        }
    }
}
