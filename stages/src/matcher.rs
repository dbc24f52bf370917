//! Theme matching: counting dictionary terms in a sequence of words.
//!
//! Matching works on *word classes*: everything the matcher needs to know
//! about a word type (its stem, if a dictionary phrase or word uses it, and
//! which terms can start at it). A class is computed once per word type by
//! [`Matcher::classify`] and cached by the caller, so the per-token work is a
//! hash lookup and a short scan, and stemming happens once per word type.
//!
//! The counting rule (per theme, longest match, no overlaps): each theme is
//! scanned on its own, left to right. At word *i*, unless *i* lies inside the
//! theme's previous match, the longest term of the theme that matches starting
//! at *i* wins: it counts one hit for the theme and one for that term, and the
//! theme's scan resumes after the match. When terms of equal length match at
//! the same word (`terrorism` and `terror*`), the term written first wins the
//! term hit. Different themes count independently, so a word can be part of
//! one match in each theme. So `women and peace and security` is one hit, not
//! also `women`; with terms `alpha beta` and `beta gamma`, `alpha beta gamma`
//! is one hit (a left-to-right scan, not a best cover).
//!
//! This stage does not tokenize or lowercase; it takes word classes.

use std::collections::HashMap;

use crate::dictionary::{Dictionary, Pattern};

/// Stem id of a word whose stem no dictionary word or phrase uses.
pub const NO_STEM: u32 = u32::MAX;

/// Flag on a word's class id in [`Matcher::scan`]: some term can start at
/// this word. Most words carry no flag, and the scan passes them without
/// touching their class (a memory access saved per token).
pub const CAN_START: u32 = 1 << 31;

/// A term of the compiled dictionary.
#[derive(Debug, Clone)]
struct CompiledTerm {
    theme: u32,
    /// Stem ids of the words after the first (phrases only).
    rest: Box<[u32]>,
}

/// What the matcher knows about one word type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordClass {
    /// Id of the word's stem among the dictionary's stems, or [`NO_STEM`].
    pub stem: u32,
    /// Terms that can start at this word, ordered by theme, then longest
    /// first, then as written: the first that matches for a theme wins.
    pub starts: Box<[u32]>,
}

/// The dictionary compiled for matching. Immutable and shared by all workers.
#[derive(Debug, Clone)]
pub struct Matcher {
    terms: Vec<CompiledTerm>,
    /// `(theme, first term id)` boundaries, for mapping term ids back.
    theme_count: usize,
    stem_ids: HashMap<String, u32>,
    /// Term ids of words and phrases, by the stem id of their first word.
    by_first_stem: Vec<Vec<u32>>,
    /// Prefix globs and their term ids.
    globs: Vec<(String, u32)>,
}

/// One match found by [`Matcher::scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Theme index (alphabetical order of the dictionary).
    pub theme: u32,
    /// Term index across the dictionary (themes in order, terms as written).
    pub term: u32,
    /// Index of the first word of the match.
    pub start: u32,
    /// Number of words of the match.
    pub len: u32,
}

impl Matcher {
    /// Compiles a checked dictionary for speeches of the language it was
    /// parsed in. Term ids number the terms theme by theme, in the order of
    /// [`Dictionary::themes`] and of each theme's terms, including the terms
    /// of other languages' lists, which never match: the same dictionary
    /// compiled in any language numbers its terms alike.
    pub fn new(dictionary: &Dictionary) -> Matcher {
        let mut stem_ids: HashMap<String, u32> = HashMap::new();
        let mut intern = |stem: &str| -> u32 {
            let next = stem_ids.len() as u32;
            *stem_ids.entry(stem.to_owned()).or_insert(next)
        };
        let mut terms = Vec::new();
        let mut first_stems = Vec::new(); // (term id, first stem id) of words and phrases
        let mut globs = Vec::new();
        for (theme, t) in dictionary.themes.iter().enumerate() {
            for term in &t.terms {
                let id = terms.len() as u32;
                if !term.counts_in(dictionary.language) {
                    // Another language's term: numbered, never matched.
                    terms.push(CompiledTerm {
                        theme: theme as u32,
                        rest: Box::new([]),
                    });
                    continue;
                }
                let rest: Box<[u32]> = match &term.pattern {
                    Pattern::Word(stem) => {
                        first_stems.push((id, intern(stem)));
                        Box::new([])
                    }
                    Pattern::Glob(prefix) => {
                        globs.push((prefix.clone(), id));
                        Box::new([])
                    }
                    Pattern::Phrase(stems) => {
                        first_stems.push((id, intern(&stems[0])));
                        stems[1..].iter().map(|s| intern(s)).collect()
                    }
                };
                terms.push(CompiledTerm {
                    theme: theme as u32,
                    rest,
                });
            }
        }
        let mut by_first_stem = vec![Vec::new(); stem_ids.len()];
        for (id, stem) in first_stems {
            by_first_stem[stem as usize].push(id);
        }
        Matcher {
            terms,
            theme_count: dictionary.themes.len(),
            stem_ids,
            by_first_stem,
            globs,
        }
    }

    /// Number of themes.
    pub fn theme_count(&self) -> usize {
        self.theme_count
    }

    /// Number of terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Theme index of a term.
    pub fn theme_of(&self, term: u32) -> u32 {
        self.terms[term as usize].theme
    }

    /// Classifies a lowercase word, folded in the stemmer's language
    /// ([`crate::language::Language::fold`]), given its stem: finds the terms
    /// that can start at it. Callers cache the result per word type, and
    /// stem each word type once for all uses.
    pub fn classify(&self, lowercase_word: &str, stem: &str) -> WordClass {
        let stem = self.stem_ids.get(stem).copied().unwrap_or(NO_STEM);
        let mut starts: Vec<u32> = match self.by_first_stem.get(stem as usize) {
            Some(ids) => ids.clone(),
            None => Vec::new(),
        };
        starts.extend(
            self.globs
                .iter()
                .filter(|(prefix, _)| lowercase_word.starts_with(prefix.as_str()))
                .map(|&(_, id)| id),
        );
        // Per theme: longest first, then as written (term ids grow in
        // writing order within a theme).
        starts.sort_by_key(|&id| {
            let t = &self.terms[id as usize];
            (t.theme, std::cmp::Reverse(t.rest.len()), id)
        });
        WordClass {
            stem,
            starts: starts.into_boxed_slice(),
        }
    }

    /// Scans a speech, given as the class id of each word (an index into
    /// `classes`, with [`CAN_START`] set where the class's `starts` is not
    /// empty), and calls `hit` for every match, in order of start.
    /// `resume_at` is scratch space (one slot per theme) that the caller may
    /// reuse across speeches.
    pub fn scan(
        &self,
        classes: &[WordClass],
        words: &[u32],
        resume_at: &mut Vec<usize>,
        mut hit: impl FnMut(Hit),
    ) {
        resume_at.clear();
        resume_at.resize(self.theme_count, 0);
        let class_of = |w: u32| &classes[(w & !CAN_START) as usize];
        for (i, &word) in words.iter().enumerate() {
            if word & CAN_START == 0 {
                continue;
            }
            let class = class_of(word);
            let mut decided_theme = u32::MAX;
            for &id in class.starts.iter() {
                let term = &self.terms[id as usize];
                if term.theme == decided_theme || resume_at[term.theme as usize] > i {
                    continue;
                }
                let end = i + 1 + term.rest.len();
                let matches = end <= words.len()
                    && term
                        .rest
                        .iter()
                        .zip(&words[i + 1..end])
                        .all(|(&s, &w)| class_of(w).stem == s);
                if matches {
                    decided_theme = term.theme;
                    resume_at[term.theme as usize] = end;
                    hit(Hit {
                        theme: term.theme,
                        term: id,
                        start: i as u32,
                        len: (end - i) as u32,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::parse_dictionary;
    use crate::tokenize::{lowercase_into, tokenize, Tokens};

    /// Runs the matcher over `text` and returns (theme name, term text, start) per hit.
    fn hits(dict: &str, text: &str) -> Vec<(String, String, u32)> {
        let stemmer = crate::stem::Stemmer::english();
        let d = parse_dictionary(dict, &stemmer).unwrap();
        let m = Matcher::new(&d);
        let mut t = Tokens::default();
        tokenize(text, &mut t);
        let mut lower = String::new();
        let classes: Vec<WordClass> = t
            .words
            .iter()
            .map(|&(s, e)| {
                lowercase_into(&text[s as usize..e as usize], &mut lower);
                m.classify(&lower, &stemmer.stem(&lower))
            })
            .collect();
        let ids: Vec<u32> = (0..classes.len() as u32)
            .map(|i| {
                if classes[i as usize].starts.is_empty() {
                    i
                } else {
                    i | CAN_START
                }
            })
            .collect();
        let terms: Vec<(&str, &str)> = d
            .themes
            .iter()
            .flat_map(|th| {
                th.terms
                    .iter()
                    .map(move |t| (th.name.as_str(), t.text.as_str()))
            })
            .collect();
        let mut out = Vec::new();
        m.scan(&classes, &ids, &mut Vec::new(), |h| {
            let (theme, term) = terms[h.term as usize];
            assert_eq!(d.themes[h.theme as usize].name, theme);
            out.push((theme.to_owned(), term.to_owned(), h.start));
        });
        out
    }

    fn h(theme: &str, term: &str, start: u32) -> (String, String, u32) {
        (theme.into(), term.into(), start)
    }

    #[test]
    fn longest_match_uses_up_its_words() {
        let dict =
            "[themes.wps]\nterms = [\"women\", \"women and peace and security\", \"security\"]\n";
        assert_eq!(
            hits(dict, "Women and peace and security matter to women."),
            [
                h("wps", "women and peace and security", 0),
                h("wps", "women", 7)
            ]
        );
    }

    #[test]
    fn themes_count_independently() {
        let dict = "[themes.a]\nterms = [\"human rights council\", \"human rights\"]\n[themes.b]\nterms = [\"rights\"]\n";
        assert_eq!(
            hits(dict, "The Human Rights Council and human rights."),
            [
                h("a", "human rights council", 1),
                h("b", "rights", 2),
                h("a", "human rights", 5),
                h("b", "rights", 6)
            ]
        );
    }

    #[test]
    fn left_to_right_not_best_cover() {
        let dict = "[themes.t]\nterms = [\"alpha beta\", \"beta gamma\"]\n";
        assert_eq!(hits(dict, "alpha beta gamma"), [h("t", "alpha beta", 0)]);
        assert_eq!(hits(dict, "beta gamma"), [h("t", "beta gamma", 0)]);
    }

    #[test]
    fn stems_globs_and_ties() {
        let dict = "[themes.t]\nterms = [\"terrorism\", \"terror*\", \"refugees\"]\n";
        assert_eq!(
            hits(dict, "Terrorism, terrorists and a refugee."),
            [
                h("t", "terrorism", 0),
                h("t", "terror*", 1),
                h("t", "refugees", 4)
            ]
        );
        let dict = "[themes.t]\nterms = [\"terror*\", \"terrorism\"]\n";
        assert_eq!(hits(dict, "terrorism"), [h("t", "terror*", 0)]);
    }

    #[test]
    fn punctuation_between_phrase_words_is_not_seen() {
        let dict = "[themes.c]\nterms = [\"sea-level rise\"]\n";
        assert_eq!(
            hits(dict, "sea level rise; sea-level rise. Sea, level... rise"),
            [
                h("c", "sea-level rise", 0),
                h("c", "sea-level rise", 3),
                h("c", "sea-level rise", 6)
            ]
        );
    }

    #[test]
    fn phrase_cut_off_at_the_end() {
        let dict = "[themes.t]\nterms = [\"sexual violence\"]\n";
        assert_eq!(hits(dict, "against sexual"), []);
    }

    #[test]
    fn glob_is_on_the_unstemmed_lowercase_word() {
        let dict = "[themes.t]\nterms = [\"peacekeep*\"]\n";
        assert_eq!(
            hits(dict, "Peacekeepers and PEACEKEEPING, not peace keeping"),
            [h("t", "peacekeep*", 0), h("t", "peacekeep*", 2)]
        );
    }
}
