//! The core's sorts, with one copy of the sort algorithm in the wasm module.
//!
//! Every `sort_by` with its own comparator is its own copy of std's sort (driftsort or
//! ipnsort, 3–6 KB of wasm each): thirty call sites were 142 KB of the browser module
//! (docs/performance.md, wasm, "Session 13"). On wasm these helpers sort a permutation of
//! indices with a single instantiation of std's sort behind a `dyn` comparator, then apply
//! it; on every other target they are std's sorts, unchanged.
//!
//! Hosts must agree on every order, so the two sides may not differ where std's unstable
//! algorithms would: [`sort_by`] is stable on both, and the `unstable` and `select` helpers
//! are for total orders only (no two distinct elements compare equal), where every correct
//! algorithm gives the same result. The wasm side is a stable full sort in all cases, which
//! also satisfies the selection contract (the first `n` are the `n` smallest).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts stably by `compare`.
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl FnMut(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    items.sort_by(compare);
    #[cfg(target_arch = "wasm32")]
    by_permutation(items, compare);
}

/// Sorts values whose equal elements are indistinguishable (std's `sort_unstable`).
pub(crate) fn sort_unstable<T: Ord>(items: &mut [T]) {
    #[cfg(not(target_arch = "wasm32"))]
    items.sort_unstable();
    #[cfg(target_arch = "wasm32")]
    by_permutation(items, T::cmp);
}

/// Sorts by `compare`, which must be a total order (ties only between equal elements).
pub(crate) fn sort_unstable_by<T>(items: &mut [T], compare: impl FnMut(&T, &T) -> Ordering) {
    #[cfg(not(target_arch = "wasm32"))]
    items.sort_unstable_by(compare);
    #[cfg(target_arch = "wasm32")]
    by_permutation(items, compare);
}

/// Sorts by a key that is unique per element (a total order).
pub(crate) fn sort_unstable_by_key<T, K: Ord>(items: &mut [T], key: impl FnMut(&T) -> K) {
    #[cfg(not(target_arch = "wasm32"))]
    items.sort_unstable_by_key(key);
    #[cfg(target_arch = "wasm32")]
    {
        let mut key = key;
        by_permutation(items, |a, b| key(a).cmp(&key(b)));
    }
}

/// Moves the `n + 1` smallest elements by `compare` (a total order) to the front, the
/// `n`-th smallest at index `n` (std's `select_nth_unstable_by`; `n` must be in bounds).
pub(crate) fn select_nth_unstable_by<T>(
    items: &mut [T],
    n: usize,
    compare: impl FnMut(&T, &T) -> Ordering,
) {
    #[cfg(not(target_arch = "wasm32"))]
    if n < items.len() {
        items.select_nth_unstable_by(n, compare);
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = n;
        by_permutation(items, compare);
    }
}

/// [`select_nth_unstable_by`] on values ordered by `Ord`.
pub(crate) fn select_nth_unstable<T: Ord>(items: &mut [T], n: usize) {
    select_nth_unstable_by(items, n, T::cmp);
}

/// [`select_nth_unstable_by`] on a key unique per element.
pub(crate) fn select_nth_unstable_by_key<T, K: Ord>(
    items: &mut [T],
    n: usize,
    mut key: impl FnMut(&T) -> K,
) {
    select_nth_unstable_by(items, n, |a, b| key(a).cmp(&key(b)));
}

/// `iter` collected into a `BTreeMap` (a repeated key's last value wins, as with `collect`).
///
/// std's `collect` into a `BTreeMap` or `BTreeSet` sorts a buffer first: its own copy of the
/// sort per key and value type. On wasm the entries are inserted one by one instead, with the
/// map's `insert` the module has anyway.
pub(crate) fn map_from<K: Ord, V>(iter: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    #[cfg(not(target_arch = "wasm32"))]
    return iter.into_iter().collect();
    #[cfg(target_arch = "wasm32")]
    {
        let mut map = BTreeMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

/// `iter` collected into a `BTreeSet` (see [`map_from`]).
pub(crate) fn set_from<T: Ord>(iter: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    #[cfg(not(target_arch = "wasm32"))]
    return iter.into_iter().collect();
    #[cfg(target_arch = "wasm32")]
    {
        let mut set = BTreeSet::new();
        for item in iter {
            set.insert(item);
        }
        set
    }
}

/// A stable sort of `items` by `compare` through [`sorted_indices`] and [`cycles`]: the
/// only code instantiated per element type is the comparator shim and the swaps.
#[cfg(any(test, target_arch = "wasm32"))]
fn by_permutation<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let order = {
        let items = &*items;
        sorted_indices(
            items.len(),
            &mut |a, b| match (items.get(a), items.get(b)) {
                (Some(x), Some(y)) => compare(x, y),
                _ => Ordering::Equal,
            },
        )
    };
    for (a, b) in cycles(order) {
        items.swap(a, b);
    }
}

/// The indices `0..len` stably sorted by `compare`: the one instantiation of std's sort.
#[cfg(any(test, target_arch = "wasm32"))]
#[inline(never)]
fn sorted_indices(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|a, b| compare(*a, *b));
    order
}

/// The swaps that rearrange a slice so that position `k` holds what was at `order[k]`,
/// following each cycle of the permutation once (at most `len - 1` swaps).
#[cfg(any(test, target_arch = "wasm32"))]
#[inline(never)]
fn cycles(mut order: Vec<usize>) -> Vec<(usize, usize)> {
    let mut swaps = Vec::new();
    for start in 0..order.len() {
        let mut at = start;
        // The element that started at `start` travels along the cycle; each step puts the
        // right element at `at` and marks it done (`order[at] == at`).
        while let Some(slot) = order.get_mut(at) {
            let from = std::mem::replace(slot, at);
            if from == start || from == at {
                break;
            }
            swaps.push((at, from));
            at = from;
        }
    }
    swaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The wasm side is exactly std's stable sort, duplicates and all.
        #[test]
        fn permutation_sort_is_std_stable_sort(pairs in prop::collection::vec((0u8..6, any::<u16>()), 0..80)) {
            let mut ours = pairs.clone();
            by_permutation(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = pairs;
            std_sorted.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std_sorted);
        }

        /// On a total order every helper gives std's full sort.
        #[test]
        fn helpers_agree_on_a_total_order(values in prop::collection::btree_set(any::<i32>(), 0..60), n in 0usize..60) {
            let mut sorted: Vec<i32> = values.iter().copied().collect();
            let shuffled: Vec<i32> = sorted.iter().rev().copied().chain(sorted.iter().copied()).step_by(2).collect();
            sorted.sort_unstable();
            let mut a = shuffled.clone();
            sort_unstable(&mut a);
            prop_assert_eq!(&a, &sorted);
            let mut b = shuffled.clone();
            sort_unstable_by_key(&mut b, |x| std::cmp::Reverse(*x));
            prop_assert_eq!(b.iter().rev().copied().collect::<Vec<_>>(), sorted.clone());
            let mut c = shuffled.clone();
            select_nth_unstable(&mut c, n);
            if let Some(nth) = sorted.get(n) {
                prop_assert_eq!(c.get(n), Some(nth));
                let mut front: Vec<i32> = c.iter().take(n).copied().collect();
                front.sort_unstable();
                prop_assert_eq!(front.as_slice(), sorted.get(..n).unwrap_or_default());
            }
        }
    }

    #[test]
    fn cycles_rearrange_every_permutation_of_four() {
        let perms: Vec<Vec<usize>> = (0..256usize)
            .map(|n| vec![n & 3, (n >> 2) & 3, (n >> 4) & 3, n >> 6])
            .filter(|p| (0..4).all(|i| p.contains(&i)))
            .collect();
        assert_eq!(perms.len(), 24);
        for order in perms {
            let mut items: Vec<char> = vec!['a', 'b', 'c', 'd'];
            let want: Vec<char> = order.iter().map(|&i| items[i]).collect();
            for (a, b) in cycles(order.clone()) {
                items.swap(a, b);
            }
            assert_eq!(items, want, "order {order:?}");
        }
    }
}
