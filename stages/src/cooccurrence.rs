//! Co-occurrence counts: in how many units (speeches or sentences) each
//! theme, and each pair of themes, occurs.
//!
//! A [`ThemeSets`] holds the theme sets of the units of one speech; a
//! [`Cooccurrence`] adds them up into n_units, n_a per theme and n_ab per
//! pair. Counts are plain sums, so partial counts of any split of the corpus
//! add up to the same totals whatever the order. Pair counts are a dense
//! upper triangle: a dictionary of T themes costs T·(T−1)/2 counters per
//! country and unit, whatever the corpus size.
//!
//! This stage only counts; [`crate::stats`] turns the counts into statistics.

/// The theme sets of several units, flattened: each set sorted and without
/// duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThemeSets {
    themes: Vec<u32>,
    ends: Vec<u32>,
}

impl ThemeSets {
    /// Removes every set.
    pub fn clear(&mut self) {
        self.themes.clear();
        self.ends.clear();
    }

    /// Makes room for `sets` more sets of `themes` themes in all.
    pub fn reserve(&mut self, sets: usize, themes: usize) {
        self.ends.reserve(sets);
        self.themes.reserve(themes);
    }

    /// Adds a unit's themes (any order, duplicates allowed).
    pub fn push(&mut self, themes: &mut Vec<u32>) {
        themes.sort_unstable();
        themes.dedup();
        self.themes.extend_from_slice(themes);
        self.ends.push(self.themes.len() as u32);
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no set.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The sets, in the order pushed.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(s, &e)| &self.themes[s as usize..e as usize])
    }
}

/// Co-occurrence counts of one group of units (e.g. one country's sentences).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cooccurrence {
    themes: usize,
    n_units: u64,
    n_theme: Vec<u64>,
    n_pair: Vec<u64>,
}

/// The counts of one pair of themes a < b.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairCounts {
    /// Theme a (index).
    pub a: u32,
    /// Theme b (index), greater than a.
    pub b: u32,
    /// Units in all.
    pub n_units: u64,
    /// Units with theme a.
    pub n_a: u64,
    /// Units with theme b.
    pub n_b: u64,
    /// Units with both.
    pub n_ab: u64,
}

impl Cooccurrence {
    /// Empty counts for a dictionary of `themes` themes.
    pub fn new(themes: usize) -> Self {
        Cooccurrence {
            themes,
            n_units: 0,
            n_theme: vec![0; themes],
            n_pair: vec![0; themes * themes.saturating_sub(1) / 2],
        }
    }

    fn pair_index(&self, a: usize, b: usize) -> usize {
        debug_assert!(a < b && b < self.themes);
        a * self.themes - a * (a + 1) / 2 + (b - a - 1)
    }

    /// Counts units that contain no theme.
    pub fn add_empty_units(&mut self, count: u64) {
        self.n_units += count;
    }

    /// Counts one unit with the given sorted, duplicate-free themes.
    pub fn add_unit(&mut self, themes: &[u32]) {
        self.n_units += 1;
        for (k, &a) in themes.iter().enumerate() {
            self.n_theme[a as usize] += 1;
            for &b in &themes[k + 1..] {
                let i = self.pair_index(a as usize, b as usize);
                self.n_pair[i] += 1;
            }
        }
    }

    /// Adds another group's counts (same dictionary).
    pub fn merge(&mut self, other: &Cooccurrence) {
        assert_eq!(
            self.themes, other.themes,
            "merging counts of different dictionaries"
        );
        self.n_units += other.n_units;
        for (x, y) in self.n_theme.iter_mut().zip(&other.n_theme) {
            *x += y;
        }
        for (x, y) in self.n_pair.iter_mut().zip(&other.n_pair) {
            *x += y;
        }
    }

    /// The raw counts, to store them: units, units per theme, and units per
    /// pair a < b as a dense upper triangle (row by row).
    pub fn parts(&self) -> (u64, &[u64], &[u64]) {
        (self.n_units, &self.n_theme, &self.n_pair)
    }

    /// Counts from [`Cooccurrence::parts`] of a dictionary of `themes`
    /// themes; `None` when the lengths do not fit that dictionary.
    pub fn from_parts(
        themes: usize,
        n_units: u64,
        n_theme: Vec<u64>,
        n_pair: Vec<u64>,
    ) -> Option<Self> {
        let fresh = Cooccurrence::new(themes);
        (n_theme.len() == fresh.n_theme.len() && n_pair.len() == fresh.n_pair.len()).then_some(
            Cooccurrence {
                themes,
                n_units,
                n_theme,
                n_pair,
            },
        )
    }

    /// Number of units counted.
    pub fn n_units(&self) -> u64 {
        self.n_units
    }

    /// Units with theme `a`.
    pub fn n_theme(&self, a: u32) -> u64 {
        self.n_theme[a as usize]
    }

    /// The pairs a < b that co-occur in at least one unit, in order of (a, b).
    pub fn pairs(&self) -> impl Iterator<Item = PairCounts> + '_ {
        (0..self.themes).flat_map(move |a| {
            (a + 1..self.themes).filter_map(move |b| {
                let n_ab = self.n_pair[self.pair_index(a, b)];
                (n_ab > 0).then(|| PairCounts {
                    a: a as u32,
                    b: b as u32,
                    n_units: self.n_units,
                    n_a: self.n_theme[a],
                    n_b: self.n_theme[b],
                    n_ab,
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_units_themes_and_pairs() {
        let mut c = Cooccurrence::new(4);
        c.add_unit(&[0, 1, 3]);
        c.add_unit(&[1, 3]);
        c.add_unit(&[2]);
        c.add_empty_units(2);
        assert_eq!(c.n_units(), 5);
        assert_eq!(
            (0..4).map(|t| c.n_theme(t)).collect::<Vec<_>>(),
            [1, 2, 1, 2]
        );
        let pairs: Vec<(u32, u32, u64, u64, u64)> = c
            .pairs()
            .map(|p| (p.a, p.b, p.n_a, p.n_b, p.n_ab))
            .collect();
        assert_eq!(pairs, [(0, 1, 1, 2, 1), (0, 3, 1, 2, 1), (1, 3, 2, 2, 2)]);
    }

    #[test]
    fn merge_equals_counting_together() {
        let units: [&[u32]; 4] = [&[0, 2], &[1], &[0, 1, 2], &[]];
        let mut all = Cooccurrence::new(3);
        units.iter().for_each(|u| all.add_unit(u));
        let (mut x, mut y) = (Cooccurrence::new(3), Cooccurrence::new(3));
        units[..1].iter().for_each(|u| x.add_unit(u));
        units[1..].iter().for_each(|u| y.add_unit(u));
        y.merge(&x);
        assert_eq!(y, all);
    }

    #[test]
    fn theme_sets_sort_and_dedup() {
        let mut s = ThemeSets::default();
        s.push(&mut vec![3, 1, 3]);
        s.push(&mut vec![]);
        s.push(&mut vec![2]);
        assert_eq!(s.iter().collect::<Vec<_>>(), [&[1, 3][..], &[], &[2]]);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn parts_round_trip() {
        let mut c = Cooccurrence::new(3);
        c.add_unit(&[0, 2]);
        c.add_empty_units(4);
        let (n, themes, pairs) = c.parts();
        assert_eq!((n, themes, pairs), (5, &[1, 0, 1][..], &[0, 1, 0][..]));
        let back = Cooccurrence::from_parts(3, n, themes.to_vec(), pairs.to_vec());
        assert_eq!(back, Some(c));
        assert_eq!(
            Cooccurrence::from_parts(4, 5, vec![1, 0, 1], vec![0, 1, 0]),
            None
        );
    }

    #[test]
    fn one_theme_has_no_pairs() {
        let mut c = Cooccurrence::new(1);
        c.add_unit(&[0]);
        assert_eq!(c.pairs().count(), 0);
    }
}
