//! Vocabulary: the word forms and stems of a corpus interned to integer ids,
//! and the stop words that keyword statistics leave out.
//!
//! The keyword statistics (keyness) count every word of every speech, so a
//! token must cost an array increment, not a string. Each word form
//! (lowercase) gets an id once, with the id of its stem; ids never change
//! while an analyzer lives, so counts keyed by them stay valid. Memory grows
//! with the number of distinct word forms, not with the corpus.
//!
//! Stems are numbered by a [`StemIds`] that several analyzers may share (one
//! per worker thread of a run): their counts are then keyed alike and add up
//! without renumbering.
//!
//! This stage does not count: the analyzer counts forms per speech, the
//! pipeline adds the counts up and resolves ids to strings.

use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHashSet};

/// The id of a stop word: it has none, and is not counted.
pub const STOP: u32 = u32::MAX;

/// A list of stop words, lowercase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StopWords(FxHashSet<Box<str>>);

impl StopWords {
    /// Parses a list: one word a line, blank lines and lines starting with
    /// `#` ignored, words lowercased and trimmed.
    pub fn parse(text: &str) -> StopWords {
        StopWords(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| l.to_lowercase().into_boxed_str())
                .collect(),
        )
    }

    /// Whether a lowercase word is a stop word.
    pub fn contains(&self, lowercase_word: &str) -> bool {
        self.0.contains(lowercase_word)
    }

    /// Number of stop words.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Strings to dense ids and back: each distinct string stored once (twice,
/// counting the map's copy of the key).
#[derive(Debug, Default)]
pub struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
    /// The id of `s`, given on first sight (0, 1, 2, …).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    /// The id of `s`, if it was interned.
    pub fn id(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The string with this id.
    pub fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Numbers stems: the id of a stem, given on first sight (0, 1, 2, …).
///
/// Asked once per new word form, so a lock around a shared numbering costs
/// nothing that shows.
pub trait StemIds: Sync {
    /// The id of `stem`.
    fn id_of(&self, stem: &str) -> u32;
}

impl StemIds for Mutex<Interner> {
    fn id_of(&self, stem: &str) -> u32 {
        // A poisoned lock only means another thread panicked; the interner
        // is never left half-updated by `intern`.
        self.lock().unwrap_or_else(|e| e.into_inner()).intern(stem)
    }
}

/// The forms seen by one analyzer with their stems' ids, and how often each
/// form occurred (to name a stem by its commonest form).
#[derive(Debug, Default)]
pub struct Vocabulary {
    forms: Interner,
    stem_of_form: Vec<u32>,
    form_count: Vec<u64>,
    /// One more than the largest stem id of a form seen.
    stem_bound: usize,
}

impl Vocabulary {
    /// The id of a lowercase word form with the given stem, or [`STOP`] for
    /// a stop word; a new form's stem is numbered by `stem_ids`.
    pub fn form(
        &mut self,
        lowercase_word: &str,
        stem: &str,
        stop: &StopWords,
        stem_ids: &dyn StemIds,
    ) -> u32 {
        if stop.contains(lowercase_word) {
            return STOP;
        }
        let before = self.forms.strings.len();
        let id = self.forms.intern(lowercase_word);
        if self.forms.strings.len() > before {
            let stem = stem_ids.id_of(stem);
            self.stem_of_form.push(stem);
            self.form_count.push(0);
            self.stem_bound = self.stem_bound.max(stem as usize + 1);
        }
        id
    }

    /// Counts occurrences of a form (in any speech).
    pub fn count(&mut self, form: u32, n: u64) {
        self.form_count[form as usize] += n;
    }

    /// The stem id of a form.
    pub fn stem_of(&self, form: u32) -> u32 {
        self.stem_of_form[form as usize]
    }

    /// One more than the largest stem id of the forms seen: the size of a
    /// vector indexed by their stem ids.
    pub fn stems(&self) -> usize {
        self.stem_bound
    }

    /// Every form with its stem id and how often it occurred.
    pub fn form_counts(&self) -> impl Iterator<Item = (&str, u32, u64)> + '_ {
        self.forms
            .strings
            .iter()
            .zip(&self.stem_of_form)
            .zip(&self.form_count)
            .map(|((form, &stem), &n)| (&**form, stem, n))
    }

    /// Number of forms.
    pub fn forms(&self) -> usize {
        self.forms.strings.len()
    }

    /// The form with this id.
    pub fn form_str(&self, form: u32) -> &str {
        &self.forms.strings[form as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_stems_and_stop_words() {
        let stop = StopWords::parse("# common words\nThe\n\n  of \n");
        assert_eq!(stop.len(), 2);
        let stemmer = crate::stem::Stemmer::english();
        let ids = Mutex::new(Interner::default());
        ids.id_of("peac"); // numbered by someone else first
        let mut v = Vocabulary::default();
        assert_eq!(v.form("the", &stemmer.stem("the"), &stop, &ids), STOP);
        let women = v.form("women", &stemmer.stem("women"), &stop, &ids);
        let refugees = v.form("refugees", &stemmer.stem("refugees"), &stop, &ids);
        let refugee = v.form("refugee", &stemmer.stem("refugee"), &stop, &ids);
        assert_eq!(v.form("women", &stemmer.stem("women"), &stop, &ids), women);
        assert_eq!((women, refugees, refugee), (0, 1, 2));
        assert_eq!(v.form_str(refugees), "refugees");
        let stems = ids.lock().unwrap();
        assert_eq!(stems.get(v.stem_of(refugees)), "refuge");
        assert_eq!(v.stem_of(refugee), v.stem_of(refugees));
        assert_eq!((v.stem_of(women), v.stem_of(refugee)), (1, 2));
        assert_eq!((v.forms(), v.stems()), (3, 3));
    }
}
