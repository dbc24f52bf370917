//! Analyze: the text stages chained for one speech.
//!
//! normalize → tokenize → lowercase → classify (stem, once per word type) →
//! match themes → count per speech and per sentence.
//!
//! An [`Analyzer`] belongs to one worker thread. It caches the class of every
//! word type it has seen (lowercase form → stem and candidate terms), because
//! stemming every token would be the main cost of a run. A short ASCII word
//! (nearly every token) is case folded straight into a 16-byte key that lives
//! inside a hash table made for it ([`crate::word_table`]), so a token costs
//! one hash of two machine words and one 16-byte compare: no allocation, no
//! pointer to follow. Other words go through a second map keyed by their
//! lowercase string. The cache
//! is emptied when it reaches [`MAX_CACHED_WORDS`] word types, so memory stays
//! bounded on any corpus.
//!
//! This stage does not read files or parse headers (see [`crate::ingest`]).

use rustc_hash::FxHashMap;

use crate::cooccurrence::ThemeSets;
use crate::language::Language;
use crate::matcher::{Hit, Matcher, WordClass, CAN_START};
use crate::normalize::normalize;
use crate::stem::Stemmer;
use crate::tokenize::{lowercase_into, tokenize, Tokens};
use crate::vocabulary::{StemIds, StopWords, Vocabulary, STOP};
use crate::word_table::{ShortWord, ShortWords};

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
    /// How often each stem occurs, stop words left out, as (stem id, given
    /// by the analyzer's [`StemIds`], count), in no particular order (they are
    /// summed into maps; sorting them per speech was a visible cost). Empty
    /// unless the analyzer counts the vocabulary (which also counts each form).
    pub stems: Vec<(u32, u32)>,
    /// Collocates: (theme, stem id, occurrences) of the stems within the
    /// window around the theme's hits, in no particular order. Empty unless
    /// asked for.
    pub collocates: Vec<(u32, u32, u32)>,
    /// Per theme, the tokens within the window around its hits (the union
    /// of the windows, the hits' own tokens left out), stop words included.
    pub window_tokens: Vec<u32>,
}

/// The per-worker cache of word classes.
#[derive(Default)]
struct WordClasses {
    stemmer: Stemmer,
    /// Short ASCII word (lowercased) → class id.
    short: ShortWords,
    /// Any other lowercase word → class id.
    long: FxHashMap<Box<str>, u32>,
    /// Class by id.
    classes: Vec<WordClass>,
    /// Form id (in `vocab`) by class id, or [`STOP`].
    form_of_class: Vec<u32>,
    /// The forms and stems seen; never emptied, so form ids stay valid.
    vocab: Vocabulary,
    /// Scratch space for lowercasing.
    lower: String,
}

impl WordClasses {
    /// The class id of the word `text[start..end]`. With `stop`, new classes
    /// also get a form id in the vocabulary.
    fn id(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        matcher: &Matcher,
        stop: Option<WordList<'_>>,
    ) -> u32 {
        if let Some(key) = ShortWord::new(text.as_bytes(), start, end) {
            if let Some(id) = self.short.get(key) {
                return id;
            }
            lowercase_into(&text[start..end], &mut self.lower);
            let lower = std::mem::take(&mut self.lower);
            let id = self.new_class(&lower, matcher, stop);
            self.lower = lower;
            self.short.insert(key, id);
            return id;
        }
        lowercase_into(&text[start..end], &mut self.lower);
        if let Some(&id) = self.long.get(self.lower.as_str()) {
            return id;
        }
        let lower = std::mem::take(&mut self.lower);
        let id = self.new_class(&lower, matcher, stop);
        self.long.insert(lower.as_str().into(), id);
        self.lower = lower;
        id
    }

    /// Classifies a word type seen for the first time; returns its id, with
    /// [`CAN_START`] set when a term can start at it. The word is folded
    /// here, once per type ([`Language::fold`]; nothing for English).
    fn new_class(&mut self, lowercase: &str, matcher: &Matcher, stop: Option<WordList<'_>>) -> u32 {
        let lowercase = &*self.stemmer.language().fold(lowercase);
        let id = self.classes.len() as u32;
        // Stemming is most of the cost of a new word type: once for both uses.
        let stem = self.stemmer.stem(lowercase);
        let form = match stop {
            Some((stop, stem_ids)) => self.vocab.form(lowercase, &stem, stop, stem_ids),
            None => STOP,
        };
        self.form_of_class.push(form);
        let class = matcher.classify(lowercase, &stem);
        let flag = if class.starts.is_empty() {
            0
        } else {
            CAN_START
        };
        self.classes.push(class);
        id | flag
    }

    /// Whether the caches are full: the next [`WordClasses::bound`] empties them.
    fn is_full(&self) -> bool {
        self.short.len() + self.long.len() >= MAX_CACHED_WORDS
    }

    /// Empties the caches when they are full.
    fn bound(&mut self) {
        if self.is_full() {
            self.short.clear();
            self.long.clear();
            self.classes.clear();
            self.form_of_class.clear();
        }
    }
}

/// What counting the vocabulary needs of a word class, in 16 bytes, so
/// that counting a token touches one cache line: the class's count in the
/// current speech next to its stem. Separate arrays (form by class, count by
/// form, stem by form, count by stem) cost a first-level cache miss each for
/// most words of a speech.
#[derive(Debug, Clone, Copy)]
struct ClassCount {
    /// Occurrences in the current speech (0 between speeches).
    n: u32,
    /// The stem id of the class's form, or [`STOP`] for a stop word.
    stem: u32,
    /// The form id in the vocabulary, or [`STOP`].
    form: u32,
    /// Occurrences in earlier speeches not yet added to the vocabulary's form
    /// counts: they are needed only at the end of a run (to name stems), so
    /// adding them there saves a miss per distinct form of every speech.
    pending: u32,
}

/// What counting the vocabulary needs: the stop words to leave out and the
/// numbering of stems.
type WordList<'a> = (&'a StopWords, &'a dyn StemIds);

/// Runs the text stages over speeches; one per worker thread.
pub struct Analyzer<'m> {
    matcher: &'m Matcher,
    /// Stop words and the numbering of stems, when the vocabulary is counted.
    stop: Option<WordList<'m>>,
    classes: WordClasses,
    /// What counting needs of each word class, by class id (kept in step
    /// with `classes` while the vocabulary is counted).
    class_counts: Vec<ClassCount>,
    /// Occurrences per stem id in the current speech (0 between speeches),
    /// at [`count_index`], after the sink that stop words are counted in so
    /// that leaving them out takes no branch (set back to 0 after use).
    stem_counts: Vec<u32>,
    /// Scratch space: the tokens in a theme's windows.
    touched: Vec<u32>,
    /// Scratch space, written by index (see [`scratch`]): the classes and
    /// the stems of the current speech.
    classes_seen: Vec<u32>,
    stems_seen: Vec<(u32, u32)>,
    /// Scratch space, written by index (see [`scratch`]): the collocates of
    /// the current speech.
    found: Vec<(u32, u32, u32)>,
    /// Collocation window (tokens each side of a hit), when asked for.
    window: Option<usize>,
    /// The hits of the current speech.
    hits: Vec<Hit>,
    /// Per token: the last (speech, theme) stamp that marked it as a hit of
    /// the theme, or as inside the theme's windows.
    hit_mark: Vec<u32>,
    window_mark: Vec<u32>,
    stamp: u32,
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
            stop: None,
            classes: WordClasses::default(),
            class_counts: Vec::new(),
            stem_counts: Vec::new(),
            touched: Vec::new(),
            classes_seen: Vec::new(),
            stems_seen: Vec::new(),
            found: Vec::new(),
            window: None,
            hits: Vec::new(),
            hit_mark: Vec::new(),
            window_mark: Vec::new(),
            stamp: 0,
            tokens: Tokens::default(),
            words: Vec::new(),
            resume: Vec::new(),
            sentence: Vec::new(),
        }
    }

    /// An analyzer that also counts every word form but the stop words (for
    /// keyness), in [`SpeechCounts::stems`], with stems numbered by
    /// `stem_ids` (which other analyzers may share).
    pub fn with_vocabulary(
        matcher: &'m Matcher,
        stop: &'m StopWords,
        stem_ids: &'m dyn StemIds,
    ) -> Self {
        Analyzer {
            stop: Some((stop, stem_ids)),
            ..Analyzer::new(matcher)
        }
    }

    /// Counts text of `language` (default: English): words are folded and
    /// stemmed in it. `matcher` must come from the dictionary parsed in the
    /// same language, and the stop words must be that language's.
    pub fn in_language(mut self, language: Language) -> Self {
        self.classes.stemmer = Stemmer::new(language);
        self
    }

    /// The language it counts.
    pub fn language(&self) -> Language {
        self.classes.stemmer.language()
    }

    /// Also counts collocates: the stems within `window` tokens on each side
    /// of every hit, in [`SpeechCounts::collocates`] (needs the vocabulary).
    pub fn with_collocates(mut self, window: usize) -> Self {
        self.window = Some(window);
        self
    }

    /// The forms counted so far, with their stem ids and counts.
    pub fn vocabulary(&mut self) -> &Vocabulary {
        self.add_pending_form_counts();
        &self.classes.vocab
    }

    /// Ends the analyzer, keeping its vocabulary (the form counts).
    pub fn into_vocabulary(mut self) -> Vocabulary {
        self.add_pending_form_counts();
        self.classes.vocab
    }

    /// Adds the form counts the word classes hold to the vocabulary.
    fn add_pending_form_counts(&mut self) {
        for c in &mut self.class_counts {
            // Stop words have a pending count too (see `count_stems`), never
            // added.
            if c.pending > 0 && c.form != STOP {
                self.classes.vocab.count(c.form, u64::from(c.pending));
            }
            c.pending = 0;
        }
    }

    /// Analyzes the countable text of one speech (header already removed).
    pub fn analyze(&mut self, body: &str) -> SpeechCounts {
        if self.classes.is_full() {
            // Class ids start again: their counts go before they do.
            self.add_pending_form_counts();
            self.class_counts.clear();
        }
        self.classes.bound();
        let text = normalize(body);
        tokenize(&text, &mut self.tokens);
        self.words.clear();
        // `extend` from a slice's map reserves once and writes without a
        // capacity check per token.
        let (classes, matcher, stop) = (&mut self.classes, self.matcher, self.stop);
        self.words.extend(
            self.tokens
                .words
                .iter()
                .map(|&(s, e)| classes.id(&text, s as usize, e as usize, matcher, stop)),
        );
        let stems = if self.stop.is_some() {
            self.count_stems()
        } else {
            Vec::new()
        };
        let mut counts = count(
            self.matcher,
            &self.classes.classes,
            &self.words,
            &self.tokens,
            &mut self.resume,
            &mut self.sentence,
            &mut self.hits,
        );
        counts.stems = stems;
        if let Some(window) = self.window {
            self.count_collocates(window, &mut counts);
        }
        counts
    }

    /// Counts, per theme, the tokens within `window` of its hits (the union
    /// of the windows, any hit of the theme left out) and their stems.
    fn count_collocates(&mut self, window: usize, counts: &mut SpeechCounts) {
        let n = self.words.len();
        // Marks only grow: old marks carry older stamps, and shrinking then
        // growing again would zero-fill them for every speech.
        if self.hit_mark.len() < n {
            self.hit_mark.resize(n, 0);
            self.window_mark.resize(n, 0);
        }
        counts.window_tokens = vec![0; self.matcher.theme_count()];
        // Found in scratch space that keeps its length, then copied out
        // once: grown entry by entry, a speech's list was reallocated about
        // eight times.
        let mut found = std::mem::take(&mut self.found);
        let mut found_len = 0;
        let mut hits = std::mem::take(&mut self.hits);
        // Theme by theme (stable: hits stay in order of start within a theme).
        hits.sort_by_key(|h| h.theme);
        for group in hits.chunk_by(|a, b| a.theme == b.theme) {
            let theme = group[0].theme;
            // A fresh stamp, so the marks need no clearing between themes.
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.hit_mark.iter_mut().for_each(|m| *m = 0);
                self.window_mark.iter_mut().for_each(|m| *m = 0);
                self.stamp = 1;
            }
            let stamp = self.stamp;
            for h in group {
                let (s, e) = (h.start as usize, (h.start + h.len) as usize);
                self.hit_mark[s..e].iter_mut().for_each(|m| *m = stamp);
            }
            // This theme's entries are the ones written from here on.
            let first = found_len;
            self.touched.clear();
            for h in group {
                let (s, e) = (h.start as usize, (h.start + h.len) as usize);
                let before = s.saturating_sub(window)..s;
                let after = e..(e + window).min(n);
                for i in before.chain(after) {
                    let total = &mut counts.window_tokens[theme as usize];
                    if mark(i, stamp, &self.hit_mark, &mut self.window_mark, total) {
                        self.touched.push(i as u32);
                    }
                }
            }
            // Without the vocabulary no stem is counted.
            if self.stem_counts.is_empty() {
                continue;
            }
            // As in `count_stems`: stop words are counted in the sink, and
            // every stem is written past the end of the list, which grows
            // when the stem is new to the theme (no branch to mispredict).
            let room = scratch(&mut found, first + self.touched.len());
            let mut end = first;
            for &i in &self.touched {
                let class = self.words[i as usize] & !CAN_START;
                let stem = self
                    .class_counts
                    .get(class as usize)
                    .map_or(STOP, |c| c.stem);
                let slot = &mut self.stem_counts[count_index(stem)];
                room[end] = (theme, stem, 0);
                end += usize::from((*slot == 0) & (stem != STOP));
                *slot += 1;
            }
            self.stem_counts[SINK] = 0;
            for entry in &mut room[first..end] {
                entry.2 = std::mem::take(&mut self.stem_counts[count_index(entry.1)]);
            }
            found_len = end;
        }
        self.touched.clear();
        self.hits = hits;
        counts.collocates = found[..found_len].to_vec();
        self.found = found;
    }

    /// The stems of the current speech with their counts, in no particular
    /// order; the forms are counted for the vocabulary.
    fn count_stems(&mut self) -> Vec<(u32, u32)> {
        // The classes new in this speech get their stems (once per class).
        let vocab = &self.classes.vocab;
        let new = &self.classes.form_of_class[self.class_counts.len()..];
        self.class_counts.extend(new.iter().map(|&form| ClassCount {
            n: 0,
            stem: if form == STOP {
                STOP
            } else {
                vocab.stem_of(form)
            },
            form,
            pending: 0,
        }));
        self.stem_counts.resize(vocab.stems() + 1, 0);
        // One increment per token, by class, stop words too (skipping them
        // here would cost a branch per token); stems are then added up once
        // per distinct class of the speech. A class is new to the speech for
        // about a third of the tokens, at random, and as a branch that test
        // was mispredicted about as often: instead every class is written
        // past the end of the list, which grows when the class is new.
        let classes = scratch(&mut self.classes_seen, self.words.len());
        let mut distinct = 0;
        for &word in &self.words {
            let class = word & !CAN_START;
            let c = &mut self.class_counts[class as usize];
            // `distinct` is at most the number of words before this one.
            classes[distinct] = class;
            distinct += usize::from(c.n == 0);
            c.n += 1;
        }
        // The same for stems: stop words (a fifth of the classes, at
        // random) are counted in the sink instead of being skipped.
        let stems = scratch(&mut self.stems_seen, distinct);
        let mut len = 0;
        // Newest first: the classes touched last are the likeliest to be
        // still in cache, and reading an evicted one then evicts only older
        // ones, already read (in first-touch order, each miss would evict
        // the next class to read).
        for &class in classes[..distinct].iter().rev() {
            let c = &mut self.class_counts[class as usize];
            let n = std::mem::take(&mut c.n);
            // Stop words add up a pending count too, never used.
            match c.pending.checked_add(n) {
                Some(pending) => c.pending = pending,
                None => {
                    if c.form != STOP {
                        self.classes.vocab.count(c.form, u64::from(c.pending));
                    }
                    c.pending = n;
                }
            }
            let slot = &mut self.stem_counts[count_index(c.stem)];
            stems[len] = (c.stem, 0);
            len += usize::from((*slot == 0) & (c.stem != STOP));
            *slot += n;
        }
        self.stem_counts[SINK] = 0;
        for (stem, n) in &mut stems[..len] {
            *n = std::mem::take(&mut self.stem_counts[count_index(*stem)]);
        }
        stems[..len].to_vec()
    }
}

/// Where [`Analyzer`] counts a stem in a speech: one past its id, so that
/// [`STOP`] (`u32::MAX`) wraps around to [`SINK`] without a branch.
#[inline]
fn count_index(stem: u32) -> usize {
    stem.wrapping_add(1) as usize
}

/// The count that stop words go to (see [`count_index`]), never read.
const SINK: usize = 0;

/// The first `len` entries of a scratch list that is written by index, past
/// its logical end (see [`Analyzer::count_stems`]), made that long if it is
/// shorter. It only grows: zeroing it for every speech cost more than the
/// writes.
fn scratch<T: Copy + Default>(list: &mut Vec<T>, len: usize) -> &mut [T] {
    if list.len() < len {
        list.resize(len, T::default());
    }
    &mut list[..len]
}

/// Marks token `i` as inside a theme's windows (unless it is one of the
/// theme's hits, or already marked); returns whether it was newly marked.
fn mark(i: usize, stamp: u32, hit_mark: &[u32], window_mark: &mut [u32], total: &mut u32) -> bool {
    if hit_mark[i] == stamp || window_mark[i] == stamp {
        return false;
    }
    window_mark[i] = stamp;
    *total += 1;
    true
}

/// Counts the matches of a speech given its words' classes: hits per theme
/// and term, and the theme sets of the speech and of its sentences. Shared by
/// [`Analyzer`] and [`crate::reference`]; `resume` and `sentence` are
/// scratch space.
/// The hits found are left in `hits`.
pub(crate) fn count(
    matcher: &Matcher,
    classes: &[WordClass],
    words: &[u32],
    tokens: &Tokens,
    resume: &mut Vec<usize>,
    sentence: &mut Vec<u32>,
    hits: &mut Vec<Hit>,
) -> SpeechCounts {
    hits.clear();
    let mut counts = SpeechCounts {
        tokens: tokens.len() as u64,
        sentences: tokens.sentences() as u64,
        theme_hits: vec![0; matcher.theme_count()],
        term_hits: vec![0; matcher.term_count()],
        ..SpeechCounts::default()
    };
    matcher.scan(classes, words, resume, |hit| {
        hits.push(hit);
        counts.theme_hits[hit.theme as usize] += 1;
        counts.term_hits[hit.term as usize] += 1;
    });
    // The sentences' theme sets, once the hits are known: at most a set and
    // a theme per hit, so their room is taken once (grown set by set, the
    // lists were reallocated several times per speech).
    let starts = &tokens.sentence_starts;
    counts
        .sentence_themes
        .reserve(hits.len().min(starts.len()), hits.len());
    let mut current = 0usize; // sentence of the last hit
    sentence.clear();
    for hit in hits.iter() {
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
    }
    if !sentence.is_empty() {
        counts.sentence_themes.push(sentence);
    }
    counts.speech_themes = (0..counts.theme_hits.len() as u32)
        .filter(|&t| counts.theme_hits[t as usize] > 0)
        .collect();
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::parse_dictionary;
    use crate::vocabulary::Interner;
    use std::sync::Mutex;

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

    /// A speech's stems with their counts, sorted.
    type Stems = Vec<(String, u32)>;

    /// The stems of each speech and the form counts, counted the plain way:
    /// every token lowercased, stop words left out, stemmed.
    fn plain_counts(speeches: &[&str], stop: &StopWords) -> (Vec<Stems>, Vec<(String, u64)>) {
        let stemmer = Stemmer::english();
        let mut forms: FxHashMap<String, u64> = FxHashMap::default();
        let per_speech = speeches
            .iter()
            .map(|speech| {
                let text = normalize(speech);
                let mut tokens = Tokens::default();
                tokenize(&text, &mut tokens);
                let mut stems: FxHashMap<String, u32> = FxHashMap::default();
                for &(s, e) in &tokens.words {
                    let word = text[s as usize..e as usize].to_lowercase();
                    if !stop.contains(&word) {
                        *stems.entry(stemmer.stem(&word).into_owned()).or_default() += 1;
                        *forms.entry(word).or_default() += 1;
                    }
                }
                let mut stems: Vec<(String, u32)> = stems.into_iter().collect();
                stems.sort_unstable();
                stems
            })
            .collect();
        let mut forms: Vec<(String, u64)> = forms.into_iter().collect();
        forms.sort_unstable();
        (per_speech, forms)
    }

    #[test]
    fn counting_by_class_equals_plain_counting() {
        let m = matcher();
        let stop = StopWords::parse("the\nand\nof\n");
        let ids = Mutex::new(Interner::default());
        let mut a = Analyzer::with_vocabulary(&m, &stop, &ids);
        let speeches = [
            "The refugees and the Refugees, refugee and women. Women of the world!",
            "Climate, CLIMATE and climates; the women and refugees of Côte d'Ivoire.",
            "Côte d'Ivoire and the côte; peace-keeping, peacekeeping and women.",
        ];
        let mut got = Vec::new();
        for (i, speech) in speeches.iter().enumerate() {
            if i == 2 {
                // Fill the word cache so that it is emptied before the last
                // speech: the form counts of the classes it held must stay.
                for k in 0..MAX_CACHED_WORDS as u64 {
                    a.classes.short.insert(ShortWord::from_words([k, 1]), 0);
                }
            }
            let c = a.analyze(speech);
            let names = ids.lock().unwrap();
            let mut stems: Vec<(String, u32)> = c
                .stems
                .iter()
                .map(|&(t, n)| (names.get(t).to_owned(), n))
                .collect();
            stems.sort_unstable();
            got.push(stems);
        }
        assert!(a.classes.short.len() < 100, "the cache was emptied");
        let mut forms: Vec<(String, u64)> = a
            .vocabulary()
            .form_counts()
            .map(|(form, _, n)| (form.to_owned(), n))
            .collect();
        forms.sort_unstable();
        let (plain_stems, plain_forms) = plain_counts(&speeches, &stop);
        assert_eq!(got, plain_stems);
        assert_eq!(forms, plain_forms);
        assert!(forms.contains(&("women".to_owned(), 4)));
    }

    #[test]
    fn form_counts_past_u32_are_kept() {
        let m = matcher();
        let stop = StopWords::parse("");
        let ids = Mutex::new(Interner::default());
        let mut a = Analyzer::with_vocabulary(&m, &stop, &ids);
        a.analyze("women women");
        assert_eq!(a.vocabulary().form_counts().count(), 1);
        // As if the class had been counted nearly 2^32 times since.
        let class = a.words[0] & !CAN_START;
        a.class_counts[class as usize].pending = u32::MAX - 1;
        a.analyze("women women women");
        let forms: Vec<(&str, u32, u64)> = a.vocabulary().form_counts().collect();
        assert_eq!(forms, [("women", 0, 2 + u64::from(u32::MAX - 1) + 3)]);
    }

    #[test]
    fn counts_stems_without_stop_words() {
        let m = matcher();
        let stop = crate::vocabulary::StopWords::parse("the\nand\n");
        let ids = Mutex::new(Interner::default());
        let mut a = Analyzer::with_vocabulary(&m, &stop, &ids);
        let c = a.analyze("The refugees and the Refugees, refugee and women.");
        let stem = |id: u32| ids.lock().unwrap().get(id).to_owned();
        let mut named: Vec<(String, u32)> = c.stems.iter().map(|&(t, n)| (stem(t), n)).collect();
        named.sort_unstable();
        assert_eq!(named, [("refuge".into(), 3), ("women".into(), 1)]);
        assert_eq!(c.tokens, 8);
        // Stems keep their ids across speeches (and the counts start again).
        let c = a.analyze("women WOMEN");
        assert_eq!(c.stems, [(1, 2)]);
        let forms: Vec<(&str, u32, u64)> = a.vocabulary().form_counts().collect();
        assert_eq!(
            forms,
            [("refugees", 0, 2), ("refugee", 0, 1), ("women", 1, 3)]
        );
        // Without the vocabulary, nothing is counted.
        assert!(Analyzer::new(&m).analyze("women").stems.is_empty());
    }

    #[test]
    fn counts_collocates_in_the_union_of_windows() {
        let m = matcher();
        let stop = crate::vocabulary::StopWords::parse("and");
        let ids = Mutex::new(Interner::default());
        let mut a = Analyzer::with_vocabulary(&m, &stop, &ids).with_collocates(2);
        //          0      1    2    3        4   5       6        7
        let c = a.analyze("Rising seas hurt refugees and climate refugees suffer.");
        // refugees (theme 1): hits at 3 and 6; windows {1, 2, 4, 5} ∪ {4, 5, 7}.
        // climate (theme 0): hit at 5; window {3, 4, 6, 7}.
        assert_eq!(c.window_tokens, [4, 5, 0]);
        let stems = ids.lock().unwrap();
        let mut named: Vec<(u32, &str, u32)> = c
            .collocates
            .iter()
            .map(|&(t, s, n)| (t, stems.get(s), n))
            .collect();
        named.sort_unstable();
        assert_eq!(
            named,
            [
                (0, "refuge", 2),
                (0, "suffer", 1),
                (1, "climat", 1),
                (1, "hurt", 1),
                (1, "sea", 1),
                (1, "suffer", 1)
            ]
        );
        drop(stems);
        // The next speech starts afresh.
        let c = a.analyze("women");
        assert!(c.collocates.is_empty());
        assert_eq!(c.window_tokens, [0, 0, 0]);
        // A shorter speech than the first keeps nothing of its entries (the
        // scratch lists are written by index past their end).
        let c = a.analyze("Seas and climate.");
        assert_eq!(c.window_tokens, [2, 0, 0]);
        let sea = ids.lock().unwrap().id("sea").expect("sea is a stem");
        assert_eq!(c.collocates, [(0, sea, 1)]);
        assert_eq!(c.stems.len(), 2, "sea and climat, not \"and\"");
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
