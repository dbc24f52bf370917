//! Stem: the Snowball English stemmer (through `rust-stemmers`).
//!
//! `rust-stemmers` implements the English ("Porter2") algorithm as it stood
//! before Snowball 3. The two versions disagree on a few dozen word types of
//! a UN corpus, nearly all of them words ending in `-al`, `-ization` or
//! `-ency` that the older algorithm cuts shorter:
//!
//! | word | this stemmer | Snowball 3 |
//! | --- | --- | --- |
//! | international | intern | internat |
//! | organization | organ | organiz |
//! | emergency | emerg | emergenc |
//! | universal | univers | universal |
//!
//! Agora stems dictionary terms with the same stemmer as the text, so a term
//! always matches its own word; the difference only shows where two words
//! that Snowball 3 keeps apart share a stem here (`internally` and
//! `international` both become `intern`). `docs/stemming.md` lists them.
//!
//! This stage stems one lowercase word; caching per word type is the
//! analyzer's job, since stemming every token is the main cost of the run.

use std::borrow::Cow;

/// An English stemmer. Cheap to create; one per worker thread.
pub struct Stemmer(rust_stemmers::Stemmer);

impl Stemmer {
    /// The Snowball English stemmer.
    pub fn english() -> Self {
        Stemmer(rust_stemmers::Stemmer::create(
            rust_stemmers::Algorithm::English,
        ))
    }

    /// Stems a lowercase word (see [`crate::tokenize::lowercase_into`]).
    pub fn stem<'a>(&self, lowercase_word: &'a str) -> Cow<'a, str> {
        self.0.stem(lowercase_word)
    }
}

impl Default for Stemmer {
    fn default() -> Self {
        Stemmer::english()
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(english)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_stems() {
        let s = Stemmer::english();
        for (word, stem) in [
            ("women", "women"),
            ("woman", "woman"),
            ("refugees", "refuge"),
            ("peacekeeping", "peacekeep"),
            ("violations", "violat"),
            ("children", "children"),
            ("sanctions", "sanction"),
            ("women's", "women"),
            ("da'esh", "da'esh"),
            ("1325", "1325"),
            ("international", "intern"),
            ("organization", "organ"),
        ] {
            assert_eq!(s.stem(word), stem, "{word}");
        }
    }
}
