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
#[derive(Debug, Clone, PartialEq)]
pub struct TopK {
    k: usize,
    /// Best items, sorted by score descending then key ascending; at most `k`.
    items: Vec<(f64, u64)>,
    /// Highest distinct scores (descending) with their counts; at most `k`.
    counts: Vec<(f64, u64)>,
}

fn better(a: &(f64, u64), b: &(f64, u64)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl TopK {
    /// An empty accumulator for the best `k` (k ≥ 1).
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
            return Err(crate::Error::param("top", "K must be at least 1"));
        }
        Ok(TopK {
            k,
            items: Vec::with_capacity(k.min(1 << 16) + 1),
            counts: Vec::with_capacity(k.min(1 << 16) + 1),
        })
    }

    /// Adds one item.
    #[inline]
    pub fn push(&mut self, score: f64, key: u64) {
        if self.counts.len() == self.k
            && score.total_cmp(&self.counts[self.k - 1].0) == Ordering::Less
        {
            return;
        }
        self.count(score, 1);
        self.insert((score, key));
    }

    fn count(&mut self, score: f64, n: u64) {
        match self.counts.binary_search_by(|c| score.total_cmp(&c.0)) {
            Ok(i) => self.counts[i].1 += n,
            Err(i) => {
                if i < self.k {
                    self.counts.insert(i, (score, n));
                    self.counts.truncate(self.k);
                }
            }
        }
    }

    fn insert(&mut self, item: (f64, u64)) {
        if self.items.len() == self.k && better(&item, &self.items[self.k - 1]) != Ordering::Less {
            return;
        }
        let i = self
            .items
            .binary_search_by(|x| better(x, &item))
            .unwrap_or_else(|i| i);
        self.items.insert(i, item);
        self.items.truncate(self.k);
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
        for &(s, n) in &other.counts {
            self.count(s, n);
        }
        for &it in &other.items {
            self.insert(it);
        }
    }

    /// The best items: (score, key), best first.
    pub fn items(&self) -> &[(f64, u64)] {
        &self.items
    }

    /// The K-th (or last, if fewer were pushed) score and how many items share it.
    pub fn kth_tie(&self) -> Option<(f64, u64)> {
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
}
