//! Which entries of a list repeat an earlier entry's key, without a hash set.
//!
//! Validation reports a duplicate at every later occurrence of a key, in list order. Input
//! lists are short (a few promotions, rules, rates or tiers), where comparing with the
//! earlier entries costs less than building a hash set (its random state, hashing and
//! allocation were most of validation's fixed cost); long lists are sorted once instead.

/// Up to this many entries, each one is compared with the entries before it.
const QUADRATIC_UP_TO: usize = 16;

/// Marks the entries whose key (when present) equals the key of an earlier entry.
pub(super) struct Repeats {
    /// `Some` for long lists: the precomputed marks, by index.
    marks: Option<Vec<bool>>,
}

impl Repeats {
    /// Prepares the check over `n` entries with `key(i)`; `None` keys never repeat.
    pub(super) fn new<K: Ord>(n: usize, key: impl Fn(usize) -> Option<K>) -> Repeats {
        if n <= QUADRATIC_UP_TO {
            return Repeats { marks: None };
        }
        let mut keyed: Vec<(K, usize)> = (0..n).filter_map(|i| key(i).map(|k| (k, i))).collect();
        // Equal keys end up adjacent and in index order: all but the first of a run repeat.
        crate::sorting::sort_unstable(&mut keyed);
        let mut marks = vec![false; n];
        for pair in keyed.windows(2) {
            if let [(a, _), (b, j)] = pair {
                if a == b {
                    if let Some(m) = marks.get_mut(*j) {
                        *m = true;
                    }
                }
            }
        }
        Repeats { marks: Some(marks) }
    }

    /// Whether entry `i` repeats an earlier entry's key (`key` as given to [`Repeats::new`]).
    pub(super) fn at<K: Ord>(&self, i: usize, key: impl Fn(usize) -> Option<K>) -> bool {
        match &self.marks {
            Some(marks) => marks.get(i).copied().unwrap_or(false),
            None => match key(i) {
                Some(k) => (0..i).any(|j| key(j).is_some_and(|other| other == k)),
                None => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    proptest! {
        /// The same marks as inserting every present key into a hash set in order.
        #[test]
        fn matches_a_hash_set(keys in prop::collection::vec(prop::option::of(0u8..12), 0..60)) {
            let key = |i: usize| keys.get(i).copied().flatten();
            let r = Repeats::new(keys.len(), key);
            let mut seen = HashSet::new();
            for (i, k) in keys.iter().enumerate() {
                let want = k.is_some_and(|k| !seen.insert(k));
                prop_assert_eq!(r.at(i, key), want, "index {}", i);
            }
        }
    }
}
