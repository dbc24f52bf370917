//! Stem: the Snowball stemmers (through `rust-stemmers`): English, French,
//! Spanish, Russian and Arabic; Chinese words are not stemmed.
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
//! The other languages' stemmers are `rust-stemmers`' Snowball algorithms
//! as they are; `docs/languages.md` notes where they differ from Snowball 3.
//!
//! This stage stems one lowercase, folded word ([`Language::fold`]); caching
//! per word type is the analyzer's job, since stemming every token is the
//! main cost of the run.

use std::borrow::Cow;

use crate::language::Language;

/// A stemmer for one language. Cheap to create; one per worker thread and
/// language.
pub struct Stemmer {
    /// `None` for Chinese, which is not stemmed.
    snowball: Option<rust_stemmers::Stemmer>,
    language: Language,
}

impl Stemmer {
    /// The Snowball English stemmer.
    pub fn english() -> Self {
        Stemmer::new(Language::English)
    }

    /// The stemmer of a language: Snowball, or none for Chinese.
    pub fn new(language: Language) -> Self {
        use rust_stemmers::Algorithm;
        let algorithm = match language {
            Language::English => Some(Algorithm::English),
            Language::French => Some(Algorithm::French),
            Language::Spanish => Some(Algorithm::Spanish),
            Language::Russian => Some(Algorithm::Russian),
            Language::Arabic => Some(Algorithm::Arabic),
            Language::Chinese => None,
        };
        Stemmer {
            snowball: algorithm.map(rust_stemmers::Stemmer::create),
            language,
        }
    }

    /// The language it stems.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Stems a lowercase word (see [`crate::tokenize::lowercase_into`]),
    /// already folded by [`Language::fold`].
    pub fn stem<'a>(&self, lowercase_word: &'a str) -> Cow<'a, str> {
        match &self.snowball {
            Some(s) => s.stem(lowercase_word),
            None => Cow::Borrowed(lowercase_word),
        }
    }
}

impl Default for Stemmer {
    fn default() -> Self {
        Stemmer::english()
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stemmer({})", self.language)
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
