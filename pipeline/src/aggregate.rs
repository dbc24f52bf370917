//! Aggregate: per-speech counts added up per country and year.
//!
//! Everything here is a sum of integers, so the totals do not depend on the
//! order speeches arrive in, and partial totals add up exactly. Statistics
//! (rates, pmi, llr, …) are computed from the final sums when the tables are
//! written, never summed themselves. Memory grows with the number of
//! (country, year) cells and the dictionary's size, not with the corpus.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use agora_stages::analyze::SpeechCounts;
use agora_stages::cooccurrence::Cooccurrence;
use agora_stages::ingest::SpeechMeta;

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

/// Counts of one country over all years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCounts {
    /// Theme co-occurrence with the speech as unit.
    pub by_speech: Cooccurrence,
    /// Theme co-occurrence with the sentence as unit.
    pub by_sentence: Cooccurrence,
    /// Hits per dictionary term.
    pub term_hits: Vec<u64>,
}

/// The totals of a run.
#[derive(Debug, Clone)]
pub struct Totals {
    themes: usize,
    terms: usize,
    /// Per (country, year), sorted as `theme_counts.csv` is.
    pub by_year: BTreeMap<(CountryKey, Option<i32>), YearCounts>,
    /// Per country, sorted as the other tables are.
    pub by_country: BTreeMap<CountryKey, CountryCounts>,
    /// Speeches counted.
    pub speeches: u64,
    /// Their tokens.
    pub tokens: u64,
}

impl Totals {
    /// Empty totals for a dictionary of `themes` themes and `terms` terms.
    pub fn new(themes: usize, terms: usize) -> Self {
        Totals {
            themes,
            terms,
            by_year: BTreeMap::new(),
            by_country: BTreeMap::new(),
            speeches: 0,
            tokens: 0,
        }
    }

    /// Adds another part's totals (same dictionary): the sums of two parts
    /// of a corpus are the sums of the whole.
    pub fn merge(&mut self, other: Totals) {
        self.speeches += other.speeches;
        self.tokens += other.tokens;
        for (key, cell) in other.by_year {
            match self.by_year.entry(key) {
                Entry::Vacant(e) => {
                    e.insert(cell);
                }
                Entry::Occupied(mut e) => {
                    let mine = e.get_mut();
                    mine.tokens += cell.tokens;
                    mine.speeches += cell.speeches;
                    add_all(&mut mine.hits, &cell.hits);
                    add_all(&mut mine.speeches_with, &cell.speeches_with);
                }
            }
        }
        for (key, counts) in other.by_country {
            match self.by_country.entry(key) {
                Entry::Vacant(e) => {
                    e.insert(counts);
                }
                Entry::Occupied(mut e) => {
                    let mine = e.get_mut();
                    mine.by_speech.merge(&counts.by_speech);
                    mine.by_sentence.merge(&counts.by_sentence);
                    add_all(&mut mine.term_hits, &counts.term_hits);
                }
            }
        }
    }

    /// Adds one speech.
    pub fn add(&mut self, meta: &SpeechMeta, counts: &SpeechCounts) {
        self.speeches += 1;
        self.tokens += counts.tokens;
        let country = (meta.country_iso3.clone(), meta.country_name.clone());
        let themes = self.themes;
        let cell = self
            .by_year
            .entry((country.clone(), meta.year))
            .or_insert_with(|| YearCounts {
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
        let terms = self.terms;
        let c = self
            .by_country
            .entry(country)
            .or_insert_with(|| CountryCounts {
                by_speech: Cooccurrence::new(themes),
                by_sentence: Cooccurrence::new(themes),
                term_hits: vec![0; terms],
            });
        c.by_speech.add_unit(&counts.speech_themes);
        for set in counts.sentence_themes.iter() {
            c.by_sentence.add_unit(set);
        }
        c.by_sentence
            .add_empty_units(counts.sentences - counts.sentence_themes.len() as u64);
        for (t, &h) in counts.term_hits.iter().enumerate() {
            c.term_hits[t] += u64::from(h);
        }
    }
}

fn add_all(into: &mut [u64], from: &[u64]) {
    for (x, y) in into.iter_mut().zip(from) {
        *x += y;
    }
}
