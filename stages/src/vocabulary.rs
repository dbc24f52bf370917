//! Vocabulary: the word forms and stems of a corpus interned to integer ids,
//! and the stop words that keyword statistics leave out.
//!
//! The keyword statistics (keyness) count every word of every speech, so a
//! token must cost an array increment, not a string. Each word form
//! (lowercase) gets an id once, with the id of its stem; ids never change
//! while an analyzer lives, so counts keyed by them stay valid. Memory grows
//! with the number of distinct word forms, not with the corpus.
//!
//! This stage does not count: the analyzer counts forms per speech, the
//! pipeline adds the counts up and resolves ids to strings.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::stem::Stemmer;

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

/// The forms and stems seen by one analyzer, and how often each form
/// occurred (to name a stem by its commonest form).
#[derive(Debug, Default)]
pub struct Vocabulary {
    forms: Interner,
    stems: Interner,
    stem_of_form: Vec<u32>,
    form_count: Vec<u64>,
}

impl Vocabulary {
    /// The id of a lowercase word form, or [`STOP`] for a stop word.
    pub fn form(&mut self, lowercase_word: &str, stemmer: &Stemmer, stop: &StopWords) -> u32 {
        if stop.contains(lowercase_word) {
            return STOP;
        }
        let before = self.forms.strings.len();
        let id = self.forms.intern(lowercase_word);
        if self.forms.strings.len() > before {
            let stem = self.stems.intern(&stemmer.stem(lowercase_word));
            self.stem_of_form.push(stem);
            self.form_count.push(0);
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

    /// Number of stems.
    pub fn stems(&self) -> usize {
        self.stems.strings.len()
    }

    /// The stem with this stem id.
    pub fn stem(&self, stem: u32) -> &str {
        &self.stems.strings[stem as usize]
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

    /// The stem of the form with this id.
    pub fn stem_str(&self, form: u32) -> &str {
        self.stem(self.stem_of(form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_stems_and_stop_words() {
        let stop = StopWords::parse("# common words\nThe\n\n  of \n");
        assert_eq!(stop.len(), 2);
        let stemmer = Stemmer::english();
        let mut v = Vocabulary::default();
        assert_eq!(v.form("the", &stemmer, &stop), STOP);
        let women = v.form("women", &stemmer, &stop);
        let refugees = v.form("refugees", &stemmer, &stop);
        let refugee = v.form("refugee", &stemmer, &stop);
        assert_eq!(v.form("women", &stemmer, &stop), women);
        assert_eq!((women, refugees, refugee), (0, 1, 2));
        assert_eq!(v.form_str(refugees), "refugees");
        assert_eq!(v.stem_str(refugees), "refuge");
        assert_eq!(v.stem_str(refugee), "refuge");
        assert_eq!(v.forms(), 3);
    }
}
