//! Aggregate: per-speech counts added up per country and year.
//!
//! Everything here is a sum of integers, so the totals do not depend on the
//! order speeches arrive in, and partial totals add up exactly. Statistics
//! (rates, pmi, llr, …) are computed from the final sums when the tables are
//! written, never summed themselves. Memory grows with the number of
//! (country, year) cells and the dictionary's size, not with the corpus.
//! Counts for a table that was not asked for are not kept.

use agora_stages::analyze::SpeechCounts;
use agora_stages::cooccurrence::Cooccurrence;
use agora_stages::ingest::SpeechMeta;
use agora_stages::vocabulary::{Interner, Vocabulary};
use rustc_hash::FxHashMap;

use crate::cells::Cells;
use crate::config::Tables;

/// A country as the tables key it: (ISO3 code, name), either possibly empty.
pub type CountryKey = (String, String);

/// Counts of one (country, year) cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCounts {
    /// Word tokens of its speeches.
    pub tokens: u64,
    /// Speeches.
    pub speeches: u64,
    /// Hits per theme.
    pub hits: Vec<u64>,
    /// Speeches with at least one hit, per theme.
    pub speeches_with: Vec<u64>,
}

/// Theme co-occurrence of one country (and year, with `--by year`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoocCounts {
    /// With the speech as unit.
    pub by_speech: Cooccurrence,
    /// With the sentence as unit.
    pub by_sentence: Cooccurrence,
}

/// Word counts of one country (and year, with `--by year`), for keyness.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordCounts {
    /// All tokens of its speeches, stop words included.
    pub tokens: u64,
    /// Occurrences per stem id (the run's, see [`Lexicon`]), stop words left out.
    pub stems: StemCounts,
}

/// Collocates of one theme in one country (and year, with `--by year`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collocates {
    /// Tokens within the windows around the theme's hits, stop words included.
    pub window_tokens: u64,
    /// Occurrences of each stem id in those windows, stop words left out.
    pub stems: StemCounts,
}

/// Occurrences per stem id, the counts that hold most of a run's memory.
///
/// The ids below some bound are counted in a vector indexed by stem id (4
/// bytes an id, 0 when absent), the others in an [`IdCounts`] table (about
/// 11 to 21 bytes a stem). The bound grows, when the table is about to, to
/// the largest one below which a third of the ids are present, so the vector
/// never takes more memory than the table would. Stems are numbered in order
/// of first sight, so the common ones have small ids: on a big corpus the
/// vector soon covers most of the words of every speech, and an increment
/// there is an array access instead of a table lookup. Counts are 32-bit,
/// saturating at 4,294,967,295.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StemCounts {
    /// Count by stem id for the ids below its length (0 when absent).
    dense: Vec<u32>,
    /// Stem id → count (never 0) for the ids at or above `dense.len()`.
    sparse: IdCounts,
}

impl StemCounts {
    /// Tables this small never move to the vector: it is not worth it.
    const DENSE_MIN: usize = 256;

    /// Adds `n` occurrences of `stem`.
    #[inline]
    pub fn add(&mut self, stem: u32, n: u32) {
        // The common case inline: the in-order writer does this for every
        // stem of every speech.
        match self.dense.get_mut(stem as usize) {
            Some(c) => *c = c.saturating_add(n),
            None => self.add_sparse(stem, n),
        }
    }

    /// [`StemCounts::add`] for an id at or above the vector's bound.
    #[inline]
    fn add_sparse(&mut self, stem: u32, n: u32) {
        if n == 0 {
            // Absent and 0 are the same count; the table keeps no 0.
            return;
        }
        if self.sparse.is_full() {
            self.make_room();
            if let Some(c) = self.dense.get_mut(stem as usize) {
                *c = c.saturating_add(n);
                return;
            }
        }
        self.sparse.add(stem, n);
    }

    /// Called when the table is full: moves the vector's bound up if it
    /// should (see [`dense_bound`]), takes the ids below it out of the
    /// table, and leaves room in the table for as many ids again as it
    /// keeps, so that these checks stay rare: the table's size doubles
    /// between two.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self) {
        // One pass over the slots; the rest works on the ids held. (Sized
        // up front: collecting a filtered iterator grows by reallocation.)
        let mut entries = Vec::with_capacity(self.sparse.len());
        entries.extend(self.sparse.iter());
        // Freed before the new table is allocated.
        self.sparse = IdCounts::default();
        if entries.len() >= Self::DENSE_MIN {
            let bound = dense_bound(&self.dense, &entries);
            if bound > self.dense.len() {
                self.dense.resize(bound, 0);
                let dense = &mut self.dense;
                entries.retain(|&(id, n)| match dense.get_mut(id as usize) {
                    Some(c) => {
                        *c = n;
                        false
                    }
                    None => true,
                });
            }
        }
        self.sparse = IdCounts::with_room(2 * entries.len(), entries);
    }

    /// The count of `stem`, if it occurs.
    pub fn get(&self, stem: u32) -> Option<u32> {
        match self.dense.get(stem as usize) {
            Some(&n) => Some(n).filter(|&n| n > 0),
            None => self.sparse.get(stem),
        }
    }

    /// The stems that occur with their counts, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0u32..)
            .zip(self.dense.iter().copied())
            .filter(|&(_, n)| n > 0)
            .chain(self.sparse.iter())
    }

    /// How many stems occur.
    fn len(&self) -> usize {
        self.dense.iter().filter(|&&n| n > 0).count() + self.sparse.len()
    }

    /// Takes `other`'s counts away (the counts of files gone since a cached
    /// run); false, with `self` left partly changed, if `other` holds a stem
    /// `self` has fewer of, or one whose count saturated (the difference is
    /// then unknown). Stems left at 0 are absent, as if never counted.
    pub fn subtract(&mut self, other: &StemCounts) -> bool {
        // The table cannot hold a 0 while it is searched (0 marks an empty
        // slot), so its part is taken away in a sorted copy: this is the
        // rare path of a cached run.
        let mut sparse: Vec<(u32, u32)> = self.sparse.iter().collect();
        sparse.sort_unstable();
        let mut ok = true;
        for (s, n) in other.iter() {
            let left = match self.dense.get_mut(s as usize) {
                Some(c) => Some(c),
                None => sparse
                    .binary_search_by_key(&s, |&(id, _)| id)
                    .ok()
                    .map(|i| &mut sparse[i].1),
            };
            match left {
                Some(c) if *c != u32::MAX && *c >= n => *c -= n,
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        sparse.retain(|&(_, n)| n > 0);
        self.sparse = IdCounts::with_room(2 * sparse.len(), sparse);
        ok
    }

    /// Adds all of `other`'s counts.
    pub fn merge(&mut self, mut other: StemCounts) {
        // Add the smaller into the larger.
        if self.len() < other.len() {
            std::mem::swap(self, &mut other);
        }
        for (s, n) in other.iter() {
            self.add(s, n);
        }
    }
}

/// The bound [`StemCounts`] gives its vector: the largest multiple of 64
/// (or the vector's length, if larger) below which a third of the ids are
/// present, `dense` being the vector and `sparse` the (id, count) pairs of
/// its table. Counting the table's ids per block of 64 finds it without
/// sorting them.
fn dense_bound(dense: &[u32], sparse: &[(u32, u32)]) -> usize {
    const BLOCK: usize = 64;
    let max = sparse.iter().map(|&(id, _)| id).max().unwrap_or(0) as usize;
    let mut per_block = vec![0usize; max / BLOCK + 1];
    for &(id, _) in sparse {
        per_block[id as usize / BLOCK] += 1;
    }
    let mut present = dense.iter().filter(|&&n| n > 0).count();
    let mut bound = dense.len();
    for (block, &ids) in per_block.iter().enumerate() {
        present += ids;
        let end = (block + 1) * BLOCK;
        if end > bound && present * 3 > end {
            bound = end;
        }
    }
    bound
}

/// Stem id → count (never 0): the part of [`StemCounts`] above its vector.
///
/// One array of (id, count) slots, searched by linear probing from a
/// multiplicative hash of the id, a count of 0 marking an empty slot. An
/// increment reads and writes one cache line. A hashbrown map reads two (its
/// control bytes, then the entry), and the in-order writer's collocate
/// counts (one table per country and theme, most of them out of cache) did
/// about a million of its second misses on 200 MB.
#[derive(Debug, Clone, Default)]
struct IdCounts {
    /// Empty, or a power of two of slots, at most 3/4 of them used (so a
    /// search soon meets an empty slot).
    slots: Vec<(u32, u32)>,
    /// Slots used.
    len: usize,
}

impl IdCounts {
    /// A table with room for `room` ids (at least 6) holding `entries`
    /// (distinct ids, counts above 0, at most `room` of them).
    fn with_room(room: usize, entries: Vec<(u32, u32)>) -> IdCounts {
        let slots = (room.max(6) * 4).div_ceil(3).next_power_of_two();
        let mut table = IdCounts {
            slots: vec![(0, 0); slots],
            len: entries.len(),
        };
        for (id, n) in entries {
            let i = table.find(id);
            table.slots[i] = (id, n);
        }
        table
    }

    /// Ids held.
    fn len(&self) -> usize {
        self.len
    }

    /// Whether one more id would need more slots (always, with none).
    fn is_full(&self) -> bool {
        self.len >= self.slots.len() / 4 * 3
    }

    /// The slot holding `id`, or the empty slot where it would go; the table
    /// has slots, and an empty one.
    #[inline]
    fn find(&self, id: u32) -> usize {
        let mask = self.slots.len() - 1;
        // Fibonacci hashing: the top bits of the product, as many as index
        // the slots. Consecutive ids land far apart.
        let shift = self.slots.len().leading_zeros() + 1;
        let mut i = (u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        loop {
            let (key, n) = self.slots[i];
            if n == 0 || key == id {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The count of `id`, if held.
    fn get(&self, id: u32) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let (_, n) = self.slots[self.find(id)];
        (n > 0).then_some(n)
    }

    /// Adds `n` (above 0) to the count of `id`; the table must not be full
    /// if `id` is new (see [`IdCounts::is_full`]).
    #[inline]
    fn add(&mut self, id: u32, n: u32) {
        let i = self.find(id);
        let slot = &mut self.slots[i];
        if slot.1 == 0 {
            *slot = (id, n);
            self.len += 1;
        } else {
            slot.1 = slot.1.saturating_add(n);
        }
    }

    /// The ids held with their counts, in no particular order.
    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.slots.iter().copied().filter(|&(_, n)| n > 0)
    }
}

/// Equal when they hold the same counts, wherever in the slots.
impl PartialEq for IdCounts {
    fn eq(&self, other: &IdCounts) -> bool {
        self.len == other.len && self.iter().all(|(id, n)| other.get(id) == Some(n))
    }
}

impl Eq for IdCounts {}

/// Stem counts of one country and year, for `term_counts.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermCounts {
    /// Speeches of the cell.
    pub speeches: u64,
    /// Their tokens.
    pub tokens: u64,
    /// Per stem id: (occurrences, speeches it occurs in).
    pub stems: FxHashMap<u32, (u64, u64)>,
}

/// The stems and forms of the whole run. The workers number stems with one
/// shared interner from the start (a lock taken once per new word form), so
/// the counts per country are keyed by the same integers in every worker,
/// add up without renumbering, and every string is stored once.
#[derive(Debug, Default)]
pub struct Lexicon {
    stems: Interner,
    /// (Form, stem id) → occurrences. A form is kept once per stem: in a
    /// run of several languages the same form may have a stem in each, and
    /// each stem is named by its own language's forms.
    forms: FxHashMap<(Box<str>, u32), u64>,
}

impl Lexicon {
    /// A lexicon of the stems numbered by `stems`, the numbering the
    /// workers shared; no forms yet.
    pub fn new(stems: Interner) -> Lexicon {
        Lexicon {
            stems,
            forms: FxHashMap::default(),
        }
    }

    /// Adds a worker's form counts (its stem ids are the run's).
    pub fn absorb(&mut self, vocab: &Vocabulary) {
        for (form, stem, n) in vocab.form_counts() {
            self.add_form(form, stem, n);
        }
    }

    /// The stem with this id.
    pub fn stem(&self, id: u32) -> &str {
        self.stems.get(id)
    }

    /// The id of a stem.
    pub fn id(&self, stem: &str) -> Option<u32> {
        self.stems.id(stem)
    }

    /// Number of stems; ids run from 0 to this, exclusive.
    pub fn len(&self) -> usize {
        self.stems.len()
    }

    /// Whether no stem was seen.
    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// The id of a stem, given on first sight: how stored partial counts
    /// (`crate::partial`) put their stems back.
    pub fn intern(&mut self, stem: &str) -> u32 {
        self.stems.intern(stem)
    }

    /// Every form with its stem id and occurrences, in no particular order.
    pub fn forms(&self) -> impl Iterator<Item = (&str, u32, u64)> + '_ {
        self.forms
            .iter()
            .map(|((form, stem), &n)| (&**form, *stem, n))
    }

    /// Adds `n` occurrences of a form of the stem with id `stem` (from
    /// [`Lexicon::intern`]).
    pub fn add_form(&mut self, form: &str, stem: u32, n: u64) {
        *self.forms.entry((form.into(), stem)).or_default() += n;
    }

    /// For each stem id, its commonest form (ties: the first in byte order).
    pub fn terms(&self) -> Vec<&str> {
        let mut best: Vec<(&str, u64)> = vec![("", 0); self.stems.len()];
        for ((form, stem), &n) in &self.forms {
            let stem = *stem;
            let b = &mut best[stem as usize];
            if b.0.is_empty() || n > b.1 || (n == b.1 && &**form < b.0) {
                *b = (form, n);
            }
        }
        best.into_iter().map(|(form, _)| form).collect()
    }
}

/// What the totals keep, decided by the tables asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Themes in the dictionary.
    pub themes: usize,
    /// Terms in the dictionary.
    pub terms: usize,
    /// The tables to compute.
    pub tables: Tables,
    /// Whether co-occurrence is keyed by year too (`--by year`).
    pub by_year: bool,
}

impl Layout {
    /// Whether a keyword table (collocates, keyness, term counts) is asked
    /// for, so that [`Totals::add_words`] has something to count.
    pub fn counts_words(&self) -> bool {
        self.tables.collocates || self.tables.keyness || self.tables.terms
    }
}

/// The totals of a run.
#[derive(Debug, Clone)]
pub struct Totals {
    layout: Layout,
    /// Per (country, year), sorted as `theme_counts.csv` is.
    pub by_year: Cells<(CountryKey, Option<i32>), YearCounts>,
    /// Per country, and per year with `--by year` (else the year is `None`).
    pub cooccurrence: Cells<(CountryKey, Option<i32>), CoocCounts>,
    /// Hits per dictionary term, per country over all years.
    pub term_hits: Cells<CountryKey, Vec<u64>>,
    /// Word counts per country (and year with `--by year`), by stem id.
    pub words: Cells<(CountryKey, Option<i32>), WordCounts>,
    /// Collocates per country (and year), by theme index.
    pub collocates: Cells<(CountryKey, Option<i32>), Vec<Collocates>>,
    /// Stem counts per country and year (always by year).
    pub terms: Cells<(CountryKey, Option<i32>), TermCounts>,
    /// Speeches counted.
    pub speeches: u64,
    /// Their tokens.
    pub tokens: u64,
    /// The key of the speech being added ([`Totals::add_themes`],
    /// [`Totals::add_words`]), kept to reuse its strings: every speech is
    /// added, and building the keys afresh was four allocations and four
    /// frees each time.
    key: (CountryKey, Option<i32>),
}

impl Totals {
    /// Empty totals.
    pub fn new(layout: Layout) -> Self {
        Totals {
            layout,
            by_year: Cells::new(),
            cooccurrence: Cells::new(),
            term_hits: Cells::new(),
            words: Cells::new(),
            collocates: Cells::new(),
            terms: Cells::new(),
            speeches: 0,
            tokens: 0,
            key: Default::default(),
        }
    }

    /// What these totals keep.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Adds one speech.
    pub fn add(&mut self, meta: &SpeechMeta, counts: &SpeechCounts) {
        self.add_themes(meta, counts);
        self.add_words(meta, counts);
    }

    /// Adds the part of one speech that the theme tables need: its
    /// speeches, tokens and hits (small, fixed-size counts). Workers do this
    /// in their own totals.
    pub fn add_themes(&mut self, meta: &SpeechMeta, counts: &SpeechCounts) {
        let Layout {
            themes,
            terms,
            tables,
            by_year,
        } = self.layout;
        self.speeches += 1;
        self.tokens += counts.tokens;
        // The key is written into the one kept for the purpose (no
        // allocation once its strings are long enough); maps clone it only
        // to insert.
        let key = &mut self.key;
        key.0 .0.clone_from(&meta.country_iso3);
        key.0 .1.clone_from(&meta.country_name);
        key.1 = meta.year;
        if tables.themes {
            let cell = self.by_year.slot(key, || YearCounts {
                tokens: 0,
                speeches: 0,
                hits: vec![0; themes],
                speeches_with: vec![0; themes],
            });
            cell.tokens += counts.tokens;
            cell.speeches += 1;
            for (t, &h) in counts.theme_hits.iter().enumerate() {
                cell.hits[t] += u64::from(h);
                cell.speeches_with[t] += u64::from(h > 0);
            }
        }
        key.1 = if by_year { meta.year } else { None };
        if tables.cooccurrence {
            let c = self.cooccurrence.slot(key, || CoocCounts {
                by_speech: Cooccurrence::new(themes),
                by_sentence: Cooccurrence::new(themes),
            });
            c.by_speech.add_unit(&counts.speech_themes);
            for set in counts.sentence_themes.iter() {
                c.by_sentence.add_unit(set);
            }
            c.by_sentence
                .add_empty_units(counts.sentences - counts.sentence_themes.len() as u64);
        }
        if tables.keywords {
            let hits = self.term_hits.slot(&key.0, || vec![0; terms]);
            for (t, &h) in counts.term_hits.iter().enumerate() {
                hits[t] += u64::from(h);
            }
        }
    }

    /// Adds the part of one speech that the keyword tables need: its stem
    /// and collocate counts. These maps grow with every country's vocabulary
    /// and hold most of a run's memory, so a run keeps one set of them (in
    /// the in-order writer) instead of one per worker plus their merge.
    pub fn add_words(&mut self, meta: &SpeechMeta, counts: &SpeechCounts) {
        let Layout {
            themes,
            tables,
            by_year,
            ..
        } = self.layout;
        if !self.layout.counts_words() {
            return;
        }
        let key = &mut self.key;
        key.0 .0.clone_from(&meta.country_iso3);
        key.0 .1.clone_from(&meta.country_name);
        if tables.terms {
            // Always by year.
            key.1 = meta.year;
            let cell = self.terms.slot(key, TermCounts::default);
            cell.speeches += 1;
            cell.tokens += counts.tokens;
            for &(stem, n) in &counts.stems {
                let e = cell.stems.entry(stem).or_default();
                e.0 += u64::from(n);
                e.1 += 1;
            }
        }
        key.1 = if by_year { meta.year } else { None };
        if tables.collocates {
            let per_theme = self
                .collocates
                .slot(key, || vec![Collocates::default(); themes]);
            for (theme, &n) in counts.window_tokens.iter().enumerate() {
                // A speech hits about 5 of 12 themes: the others' counts
                // (a cache line each, mostly out of cache) are not touched.
                if n > 0 {
                    per_theme[theme].window_tokens += u64::from(n);
                }
            }
            for &(theme, stem, n) in &counts.collocates {
                per_theme[theme as usize].stems.add(stem, n);
            }
        }
        // Collocates need the country's stem counts too.
        if tables.keyness || tables.collocates {
            let words = self.words.slot(key, WordCounts::default);
            words.tokens += counts.tokens;
            for &(stem, n) in &counts.stems {
                words.stems.add(stem, n);
            }
        }
    }

    /// Adds another part's totals (same layout): the sums of two parts of a
    /// corpus are the sums of the whole.
    pub fn merge(&mut self, other: Totals) {
        self.speeches += other.speeches;
        self.tokens += other.tokens;
        self.by_year.merge(other.by_year, |mine, cell| {
            mine.tokens += cell.tokens;
            mine.speeches += cell.speeches;
            add_all(&mut mine.hits, &cell.hits);
            add_all(&mut mine.speeches_with, &cell.speeches_with);
        });
        self.cooccurrence.merge(other.cooccurrence, |mine, counts| {
            mine.by_speech.merge(&counts.by_speech);
            mine.by_sentence.merge(&counts.by_sentence);
        });
        self.term_hits
            .merge(other.term_hits, |mine, hits| add_all(mine, &hits));
        self.words.merge(other.words, |mine, words| {
            mine.tokens += words.tokens;
            mine.stems.merge(words.stems);
        });
        self.terms.merge(other.terms, |mine, cell| {
            mine.speeches += cell.speeches;
            mine.tokens += cell.tokens;
            for (stem, (n, df)) in cell.stems {
                let e = mine.stems.entry(stem).or_default();
                e.0 += n;
                e.1 += df;
            }
        });
        self.collocates.merge(other.collocates, |mine, theirs| {
            for (m, c) in mine.iter_mut().zip(theirs) {
                m.window_tokens += c.window_tokens;
                m.stems.merge(c.stems);
            }
        });
    }
}

fn add_all(into: &mut [u64], from: &[u64]) {
    for (x, y) in into.iter_mut().zip(from) {
        *x += y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agora_stages::cooccurrence::ThemeSets;
    use std::collections::BTreeMap;

    fn speech(
        country: &str,
        year: i32,
        hits: [u32; 2],
        sentences: u64,
    ) -> (SpeechMeta, SpeechCounts) {
        let meta = SpeechMeta {
            country_iso3: country.into(),
            year: Some(year),
            ..SpeechMeta::default()
        };
        let speech_themes: Vec<u32> = (0..2).filter(|&t| hits[t as usize] > 0).collect();
        let mut sentence_themes = ThemeSets::default();
        sentence_themes.push(&mut speech_themes.clone());
        let counts = SpeechCounts {
            tokens: 10,
            sentences,
            theme_hits: hits.to_vec(),
            term_hits: hits.to_vec(),
            speech_themes,
            sentence_themes,
            ..SpeechCounts::default()
        };
        (meta, counts)
    }

    fn layout(by_year: bool) -> Layout {
        Layout {
            themes: 2,
            terms: 2,
            tables: Tables::default(),
            by_year,
        }
    }

    #[test]
    fn by_year_splits_cooccurrence_only() {
        let speeches = [
            speech("FRA", 2020, [1, 2], 3),
            speech("FRA", 2021, [1, 0], 1),
            speech("FRA", 2021, [3, 1], 2),
        ];
        let mut all = Totals::new(layout(false));
        let mut yearly = Totals::new(layout(true));
        for (meta, counts) in &speeches {
            all.add(meta, counts);
            yearly.add(meta, counts);
        }
        let fra = || ("FRA".to_owned(), String::new());
        assert_eq!(all.cooccurrence.len(), 1);
        assert_eq!(all.cooccurrence[&(fra(), None)].by_speech.n_units(), 3);
        assert_eq!(all.cooccurrence[&(fra(), None)].by_sentence.n_units(), 6);
        assert_eq!(yearly.cooccurrence.len(), 2);
        assert_eq!(
            yearly.cooccurrence[&(fra(), Some(2021))]
                .by_speech
                .n_units(),
            2
        );
        assert_eq!(
            yearly.cooccurrence[&(fra(), Some(2021))]
                .by_sentence
                .n_units(),
            3
        );
        // Theme counts and keyword counts are the same either way.
        assert_eq!(all.by_year, yearly.by_year);
        assert_eq!(all.term_hits, yearly.term_hits);
        assert_eq!(all.term_hits[&fra()], [5, 3]);
    }

    #[test]
    fn tables_not_asked_for_are_not_counted() {
        let tables = Tables {
            themes: true,
            cooccurrence: false,
            keywords: false,
            collocates: false,
            keyness: false,
            terms: false,
        };
        let mut t = Totals::new(Layout {
            tables,
            ..layout(false)
        });
        let (meta, counts) = speech("FRA", 2020, [1, 2], 3);
        t.add(&meta, &counts);
        assert_eq!(t.by_year.len(), 1);
        assert!(t.cooccurrence.is_empty() && t.term_hits.is_empty());
        assert_eq!((t.speeches, t.tokens), (1, 10));
    }

    #[test]
    fn stem_counts_turn_dense_and_keep_every_count() {
        let sorted = |c: &StemCounts| {
            let mut v: Vec<(u32, u32)> = c.iter().collect();
            v.sort_unstable();
            v
        };
        // Every other id up to 6,000: in the map at first, then, each time
        // the map is full (from 256 ids on), the ids up to there in the vector.
        let mut dense = StemCounts::default();
        let mut expected = Vec::new();
        for stem in (0..6000).step_by(2) {
            dense.add(stem, stem + 1);
            expected.push((stem, stem + 1));
        }
        dense.add(4, u32::MAX); // saturates
        expected[2].1 = u32::MAX;
        dense.add(4, 1); // stays saturated
        dense.add(6500, 7); // past the vector's end: in the map
        expected.push((6500, 7));
        // Ids 0 to 5,375 in the vector, the 312 others and 6,500 in the map.
        assert_eq!((dense.dense.len(), dense.sparse.len()), (5376, 313));
        assert_eq!(sorted(&dense), expected);
        assert_eq!(
            (dense.get(10), dense.get(11), dense.get(99_999)),
            (Some(11), None, None)
        );
        // Far apart ids stay sparse.
        let mut sparse = StemCounts::default();
        for stem in 0..3000 {
            sparse.add(stem * 1000, 1);
        }
        assert!(sparse.dense.is_empty());
        assert_eq!(sparse.get(7000), Some(1));
        // Merging either way gives the sums.
        let mut a = sparse.clone();
        a.merge(dense.clone());
        let mut b = dense.clone();
        b.merge(sparse.clone());
        assert_eq!(sorted(&a), sorted(&b));
        assert_eq!(a.get(0), Some(2)); // 1 + 1
        assert_eq!(a.get(2000), Some(2002)); // 2001 + 1
        assert_eq!(a.get(7000), Some(1));
        assert_eq!(a.get(4), Some(u32::MAX));
    }

    #[test]
    fn stem_counts_split_between_vector_and_map_equal_plain_sums() {
        // Common stems (small ids) in every speech, rare ones far apart.
        let mut counts = StemCounts::default();
        let mut plain: BTreeMap<u32, u32> = BTreeMap::new();
        for speech in 0..50u32 {
            let common = (0..100).map(|i| (i, 1 + i % 3));
            let rare = (0..40).map(|i| (1000 + 997 * (speech * 40 + i), 1));
            for (stem, n) in common.chain(rare) {
                counts.add(stem, n);
                *plain.entry(stem).or_default() += n;
            }
        }
        assert!(
            counts.dense.len() >= 100,
            "the common stems are in the vector"
        );
        assert!(counts.sparse.len() >= 1900, "the rare ones in the map");
        let mut got: Vec<(u32, u32)> = counts.iter().collect();
        got.sort_unstable();
        assert_eq!(got, plain.iter().map(|(&s, &n)| (s, n)).collect::<Vec<_>>());
        assert_eq!(counts.get(5), Some(150)); // 50 × (1 + 5 % 3)
        assert_eq!(counts.get(1000), Some(1));
        assert_eq!(counts.get(1001), None);
        // Taking a part away leaves the rest; too much is refused.
        let mut part = StemCounts::default();
        part.add(5, 100);
        part.add(1000, 1);
        assert!(counts.subtract(&part));
        assert_eq!((counts.get(5), counts.get(1000)), (Some(50), None));
        assert!(!counts.subtract(&part));
    }

    #[test]
    fn id_counts_equal_a_plain_map() {
        // Ids that collide in a small table (multiples of a power of two,
        // consecutive runs) and grow it many times, counts summed and
        // saturating as `u32::saturating_add` does.
        let mut table = IdCounts::default();
        let mut plain: BTreeMap<u32, u32> = BTreeMap::new();
        let ids = (0..2000u32)
            .map(|i| i * 1024)
            .chain(0..3000)
            .chain((0..500).map(|i| u32::MAX - i));
        for (k, id) in ids.enumerate() {
            let n = if k % 7 == 0 {
                u32::MAX / 2
            } else {
                1 + k as u32 % 5
            };
            for _ in 0..(1 + k % 3) {
                if table.is_full() {
                    let entries: Vec<(u32, u32)> = table.iter().collect();
                    table = IdCounts::with_room(2 * entries.len(), entries);
                }
                table.add(id, n);
                let e = plain.entry(id).or_default();
                *e = e.saturating_add(n);
            }
        }
        assert_eq!(table.len(), plain.len());
        let mut got: Vec<(u32, u32)> = table.iter().collect();
        got.sort_unstable();
        assert_eq!(got, plain.iter().map(|(&s, &n)| (s, n)).collect::<Vec<_>>());
        for (&id, &n) in &plain {
            assert_eq!(table.get(id), Some(n));
        }
        assert_eq!(
            (table.get(1), table.get(3001), table.get(5000)),
            (Some(2), None, None)
        );
        assert_eq!(table.get(0), plain.get(&0).copied());
        // At most 3/4 of the slots used, a power of two of them.
        assert!(table.slots.len().is_power_of_two() && table.len() * 4 <= table.slots.len() * 3);
        // Equal to the same counts added in another order.
        let mut reversed = IdCounts::default();
        for (&id, &n) in plain.iter().rev() {
            if reversed.is_full() {
                let entries: Vec<(u32, u32)> = reversed.iter().collect();
                reversed = IdCounts::with_room(2 * entries.len(), entries);
            }
            reversed.add(id, n);
        }
        assert_eq!(reversed, table);
        reversed.add(7 * 1024, 1);
        assert_ne!(reversed, table);
        assert_eq!(IdCounts::default().get(5), None);
    }

    #[test]
    fn stem_counts_ignore_adding_zero() {
        let mut counts = StemCounts::default();
        counts.add(70_000, 0);
        counts.add(3, 0);
        assert_eq!(counts.iter().count(), 0);
        assert_eq!(counts, StemCounts::default());
        counts.add(70_000, 2);
        assert_eq!(counts.get(70_000), Some(2));
    }

    #[test]
    fn merge_equals_adding_together() {
        let speeches = [
            speech("FRA", 2020, [1, 2], 3),
            speech("NER", 2021, [1, 0], 1),
            speech("FRA", 2021, [3, 1], 2),
        ];
        let mut all = Totals::new(layout(true));
        let (mut a, mut b) = (Totals::new(layout(true)), Totals::new(layout(true)));
        for (i, (meta, counts)) in speeches.iter().enumerate() {
            all.add(meta, counts);
            if i == 1 {
                a.add(meta, counts)
            } else {
                b.add(meta, counts)
            }
        }
        a.merge(b);
        assert_eq!(a.by_year, all.by_year);
        assert_eq!(a.cooccurrence, all.cooccurrence);
        assert_eq!(a.term_hits, all.term_hits);
    }
}
