//! [`Cells`]: the map the run's totals keep their cells in, found by hash
//! while counting and read in key order when the tables are written.
//!
//! Every speech looks up a few cells by (country, year): the workers three
//! (theme counts, co-occurrence, keyword hits), the in-order writer two or
//! three more. In a `BTreeMap` each lookup compared the key's strings a
//! dozen or two times on the way down (a call to `memcmp` each, and the
//! strings out of cache): a few percent of the themes job's time. Here a
//! lookup hashes the key once and compares it once. Order is only needed
//! when the cells are read, a few times a run, and is made then by sorting.
//! The price is memory: each key is kept twice, in the index and beside its
//! value (a few thousand keys in a run).

use std::collections::hash_map::Entry;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A map from `K` to `V`: lookups by hash, iteration in key order.
#[derive(Clone)]
pub struct Cells<K, V> {
    /// Key → position in `entries`.
    index: FxHashMap<K, usize>,
    /// The entries in order of insertion.
    entries: Vec<(K, V)>,
}

impl<K, V> Default for Cells<K, V> {
    fn default() -> Self {
        Cells {
            index: FxHashMap::default(),
            entries: Vec::new(),
        }
    }
}

impl<K: Hash + Ord + Clone, V> Cells<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Cells::default()
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value at `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    /// The value at `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.index.get(key).map(|&i| &mut self.entries[i].1)
    }

    /// Sets the value at `key`; returns the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.index.entry(key) {
            Entry::Occupied(e) => Some(std::mem::replace(&mut self.entries[*e.get()].1, value)),
            Entry::Vacant(e) => {
                let key = e.key().clone();
                e.insert(self.entries.len());
                self.entries.push((key, value));
                None
            }
        }
    }

    /// The value at `key`, inserted with `init` (cloning the key) if missing.
    /// The key is cloned only then: counting looks up with a key it reuses.
    pub fn slot(&mut self, key: &K, init: impl FnOnce() -> V) -> &mut V {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key.clone(), init()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            self.index.insert(k.clone(), i);
        }
    }

    /// The entries in key order.
    pub fn iter(&self) -> std::vec::IntoIter<(&K, &V)> {
        let mut sorted: Vec<(&K, &V)> = self.entries.iter().map(|(k, v)| (k, v)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted.into_iter()
    }

    /// The values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Moves every entry of `other` in, combining the values of keys in both
    /// with `combine`.
    pub fn merge(&mut self, other: Cells<K, V>, combine: impl Fn(&mut V, V)) {
        for (key, value) in other.entries {
            match self.index.get(&key) {
                Some(&i) => combine(&mut self.entries[i].1, value),
                None => {
                    self.index.insert(key.clone(), self.entries.len());
                    self.entries.push((key, value));
                }
            }
        }
    }
}

impl<'a, K: Hash + Ord + Clone, V> IntoIterator for &'a Cells<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::vec::IntoIter<(&'a K, &'a V)>;

    /// In key order.
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: Hash + Ord + Clone, V> IntoIterator for Cells<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// In key order.
    fn into_iter(mut self) -> Self::IntoIter {
        self.entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.entries.into_iter()
    }
}

impl<K: Hash + Ord + Clone, V> std::ops::Index<&K> for Cells<K, V> {
    type Output = V;

    /// The value at `key`; panics if there is none, as a map's index does.
    fn index(&self, key: &K) -> &V {
        self.get(key).expect("no entry for the key")
    }
}

impl<K: Hash + Ord + Clone, V> FromIterator<(K, V)> for Cells<K, V> {
    /// A later value of a key replaces an earlier one, as in a map.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut cells = Cells::new();
        for (k, v) in iter {
            cells.insert(k, v);
        }
        cells
    }
}

/// Equal when they hold the same entries, whatever their insertion order.
impl<K: Hash + Ord + Clone, V: PartialEq> PartialEq for Cells<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Hash + Ord + Clone, V: Eq> Eq for Cells<K, V> {}

/// As a map, in key order.
impl<K: Hash + Ord + Clone + std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Cells<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_as_a_sorted_map() {
        let mut cells: Cells<(String, Option<i32>), u64> = Cells::new();
        let mut plain: BTreeMap<(String, Option<i32>), u64> = BTreeMap::new();
        let keys = [
            ("USA", Some(2001)),
            ("FRA", None),
            ("USA", None),
            ("AFG", Some(1970)),
        ];
        for round in 0..3u64 {
            for (i, (c, y)) in keys.iter().enumerate() {
                let key = ((*c).to_owned(), *y);
                *cells.slot(&key, || 0) += round + i as u64;
                *plain.entry(key).or_default() += round + i as u64;
            }
        }
        assert_eq!(cells.len(), plain.len());
        let got: Vec<_> = cells.iter().map(|(k, &v)| (k.clone(), v)).collect();
        let want: Vec<_> = plain.iter().map(|(k, &v)| (k.clone(), v)).collect();
        assert_eq!(got, want);
        assert_eq!(cells.get(&("FRA".into(), None)), Some(&6));
        assert_eq!(cells.get(&("FRA".into(), Some(1))), None);
        assert_eq!(cells.insert(("FRA".into(), None), 1), Some(6));
        // Merging adds the shared keys and keeps order by key.
        let other: Cells<(String, Option<i32>), u64> =
            [(("BRA".to_owned(), None), 5), (("FRA".to_owned(), None), 2)]
                .into_iter()
                .collect();
        cells.merge(other, |mine, theirs| *mine += theirs);
        let firsts: Vec<&str> = cells.iter().map(|(k, _)| k.0.as_str()).collect();
        assert_eq!(firsts, ["AFG", "BRA", "FRA", "USA", "USA"]);
        assert_eq!(cells.get(&("FRA".into(), None)), Some(&3));
        let owned: Vec<u64> = cells.clone().into_iter().map(|(_, v)| v).collect();
        assert_eq!(owned, [12, 5, 3, 9, 3]);
        // Equality ignores the order of insertion.
        let reversed: Cells<_, _> = cells.iter().rev().map(|(k, &v)| (k.clone(), v)).collect();
        assert_eq!(reversed, cells);
        cells.retain(|k, v| k.0 != "USA" && *v > 3);
        let kept: Vec<_> = cells.iter().map(|(k, &v)| (k.0.as_str(), v)).collect();
        assert_eq!(kept, [("AFG", 12), ("BRA", 5)]);
        assert_eq!(cells.get(&("BRA".into(), None)), Some(&5));
    }
}
