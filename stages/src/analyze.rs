//! Analyze: the text stages chained for one speech.
//!
//! normalize → tokenize → lowercase → classify (stem, once per word type) →
//! match themes → count per speech and per sentence.
//!
//! An [`Analyzer`] belongs to one worker thread. It caches the class of every
//! word type it has seen (lowercase form → stem and candidate terms), because
//! stemming every token would be the main cost of a run; a token then costs
//! one hash lookup. The cache is emptied when it reaches [`MAX_CACHED_WORDS`]
//! word types, so memory stays bounded on any corpus.
//!
//! This stage does not read files or parse headers (see [`crate::ingest`]).

use rustc_hash::FxHashMap;

use crate::cooccurrence::ThemeSets;
use crate::matcher::{Matcher, WordClass};
use crate::normalize::normalize;
use crate::stem::Stemmer;
use crate::tokenize::{lowercase_into, tokenize, Tokens};

/// Word types cached per worker before the cache is emptied (about 100 MB at most).
pub const MAX_CACHED_WORDS: usize = 1 << 20;

/// What one speech contributes to the tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeechCounts {
    /// Word tokens (the denominator of rates).
    pub tokens: u64,
    /// Sentences with at least one word.
    pub sentences: u64,
    /// Hits per theme (dictionary order).
    pub theme_hits: Vec<u32>,
    /// Hits per term (term ids of [`Matcher`]).
    pub term_hits: Vec<u32>,
    /// The themes with at least one hit in the speech, sorted.
    pub speech_themes: Vec<u32>,
    /// The theme sets of the speech's sentences that have at least one hit
    /// (the others count as empty units). A hit belongs to the sentence of
    /// its first word.
    pub sentence_themes: ThemeSets,
}

/// The per-worker cache of word classes.
#[derive(Default)]
struct WordClasses {
    stemmer: Stemmer,
    /// Word as written → class id.
    by_form: FxHashMap<Box<str>, u32>,
    /// Lowercase word → class id.
    by_lowercase: FxHashMap<Box<str>, u32>,
    /// Class by id.
    classes: Vec<WordClass>,
    /// Scratch space for lowercasing.
    lower: String,
}

impl WordClasses {
    /// The class id of a word as written in the text.
    fn id(&mut self, form: &str, matcher: &Matcher) -> u32 {
        match self.by_form.get(form) {
            Some(&id) => id,
            None => self.new_form(form, matcher),
        }
    }

    /// The slow path, once per form: lowercase, then reuse or make a class.
    fn new_form(&mut self, form: &str, matcher: &Matcher) -> u32 {
        lowercase_into(form, &mut self.lower);
        let id = match self.by_lowercase.get(self.lower.as_str()) {
            Some(&id) => id,
            None => {
                let id = self.classes.len() as u32;
                self.classes
                    .push(matcher.classify(&self.lower, &self.stemmer));
                self.by_lowercase.insert(self.lower.as_str().into(), id);
                id
            }
        };
        self.by_form.insert(form.into(), id);
        id
    }

    /// Empties the caches when they are full.
    fn bound(&mut self) {
        if self.by_form.len() >= MAX_CACHED_WORDS {
            self.by_form.clear();
            self.by_lowercase.clear();
            self.classes.clear();
        }
    }
}

/// Runs the text stages over speeches; one per worker thread.
pub struct Analyzer<'m> {
    matcher: &'m Matcher,
    classes: WordClasses,
    tokens: Tokens,
    words: Vec<u32>,
    resume: Vec<usize>,
    sentence: Vec<u32>,
}

impl<'m> Analyzer<'m> {
    /// An analyzer for the given dictionary.
    pub fn new(matcher: &'m Matcher) -> Self {
        Analyzer {
            matcher,
            classes: WordClasses::default(),
            tokens: Tokens::default(),
            words: Vec::new(),
            resume: Vec::new(),
            sentence: Vec::new(),
        }
    }

    /// Analyzes the countable text of one speech (header already removed).
    pub fn analyze(&mut self, body: &str) -> SpeechCounts {
        self.classes.bound();
        let text = normalize(body);
        tokenize(&text, &mut self.tokens);
        self.words.clear();
        for &(s, e) in &self.tokens.words {
            let id = self.classes.id(&text[s as usize..e as usize], self.matcher);
            self.words.push(id);
        }

        let mut counts = SpeechCounts {
            tokens: self.tokens.len() as u64,
            sentences: self.tokens.sentences() as u64,
            theme_hits: vec![0; self.matcher.theme_count()],
            term_hits: vec![0; self.matcher.term_count()],
            ..SpeechCounts::default()
        };
        let starts = &self.tokens.sentence_starts;
        let mut current = 0usize; // sentence of the last hit
        let sentence = &mut self.sentence;
        sentence.clear();
        self.matcher.scan(
            &self.classes.classes,
            &self.words,
            &mut self.resume,
            |hit| {
                counts.theme_hits[hit.theme as usize] += 1;
                counts.term_hits[hit.term as usize] += 1;
                // Hits come in order of start, so the sentence only moves forward.
                let mut s = current;
                while s + 1 < starts.len() && starts[s + 1] <= hit.start {
                    s += 1;
                }
                if s != current && !sentence.is_empty() {
                    counts.sentence_themes.push(sentence);
                    sentence.clear();
                }
                current = s;
                sentence.push(hit.theme);
            },
        );
        if !sentence.is_empty() {
            counts.sentence_themes.push(sentence);
        }
        counts.speech_themes = (0..counts.theme_hits.len() as u32)
            .filter(|&t| counts.theme_hits[t as usize] > 0)
            .collect();
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::parse_dictionary;

    fn matcher() -> Matcher {
        let d = parse_dictionary(
            "[themes.climate]\nterms = [\"climate\", \"sea-level rise\"]\n\
             [themes.refugees]\nterms = [\"refugee*\", \"displaced persons\"]\n\
             [themes.women]\nterms = [\"women\", \"women and peace and security\"]\n",
            &Stemmer::english(),
        )
        .unwrap();
        Matcher::new(&d)
    }

    #[test]
    fn counts_one_speech() {
        let m = matcher();
        let mut a = Analyzer::new(&m);
        let c = a.analyze(
            "Climate change drives sea-level rise. Refugees, women and displaced persons suffer.\n\
             We support women and peace and security. Mr. Smith agrees.",
        );
        assert_eq!(c.tokens, 22);
        assert_eq!(c.sentences, 4);
        assert_eq!(c.theme_hits, [2, 2, 2]);
        assert_eq!(c.term_hits, [1, 1, 1, 1, 1, 1]);
        assert_eq!(c.speech_themes, [0, 1, 2]);
        assert_eq!(
            c.sentence_themes.iter().collect::<Vec<_>>(),
            [&[0][..], &[1, 2], &[2]]
        );
    }

    #[test]
    fn dehyphenation_happens_before_counting() {
        let m = matcher();
        let mut a = Analyzer::new(&m);
        let c = a.analyze("the refu-\ngees and the cli- mate");
        assert_eq!(c.tokens, 5);
        assert_eq!(c.theme_hits, [1, 1, 0]);
    }

    #[test]
    fn cache_gives_the_same_counts() {
        let m = matcher();
        let mut a = Analyzer::new(&m);
        let text = "Women, WOMEN and women’s rights; refugees.";
        let first = a.analyze(text);
        let second = a.analyze(text);
        assert_eq!(first, second);
        assert_eq!(first.theme_hits, [0, 1, 3]);
    }

    #[test]
    fn empty_speech() {
        let m = matcher();
        let c = Analyzer::new(&m).analyze("");
        assert_eq!((c.tokens, c.sentences), (0, 0));
        assert!(c.sentence_themes.is_empty());
        assert_eq!(c.theme_hits, [0, 0, 0]);
    }
}
