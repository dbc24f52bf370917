//! Language: which rules turn a lowercase word into the form that is
//! stemmed, matched and checked against the stop words.
//!
//! Agora counts English, French, Spanish, Russian, Arabic and Chinese text.
//! The language decides three things, all per word type (never per token):
//!
//! 1. the **fold** ([`Language::fold`]) of a lowercase word:
//!    - French: a leading elided article or pronoun is dropped, as French
//!      analysts expect (`l'onu` → `onu`, `d'abord` → `abord`,
//!      `qu'il` → `il`, `jusqu'ici` → `ici`); the word stays one token;
//!    - Arabic: short-vowel marks and other harakat (U+064B–U+065F, the
//!      superscript alef U+0670) and the tatweel (U+0640) are removed, so
//!      `السَّلَام` and `السلـام` are `السلام`; letters are left as written
//!      (the stemmer unifies hamza forms where it needs to);
//!    - Russian: `ё` is written `е`, as Snowball 2 and later do (the
//!      stemmer Agora uses predates that rule);
//!    - English, Spanish, Chinese: nothing (Spanish keeps its accents; the
//!      stemmer knows them);
//! 2. the **stemmer** ([`crate::stem::Stemmer::new`]): Snowball for every
//!    language but Chinese, which is not stemmed;
//! 3. the **stop words**, which the pipeline reads per language.
//!
//! Tokenizing is the same for every language (UAX #29 words, see
//! [`crate::tokenize`]): it already splits Chinese into one word per Han
//! character, and keeps Cyrillic and Arabic words whole.
//!
//! This module does not tokenize, stem or read stop-word files.

use std::borrow::Cow;
use std::fmt;

/// A language Agora can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Language {
    /// English (`en`), the default.
    #[default]
    English,
    /// French (`fr`).
    French,
    /// Spanish (`es`).
    Spanish,
    /// Russian (`ru`).
    Russian,
    /// Arabic (`ar`).
    Arabic,
    /// Chinese (`zh`): one word per Han character, no stemming.
    Chinese,
}

impl Language {
    /// Every language, in the order of their index ([`Language::index`]).
    pub const ALL: [Language; 6] = [
        Language::English,
        Language::French,
        Language::Spanish,
        Language::Russian,
        Language::Arabic,
        Language::Chinese,
    ];

    /// The ISO 639-1 code: `en`, `fr`, `es`, `ru`, `ar`, `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Russian => "ru",
            Language::Arabic => "ar",
            Language::Chinese => "zh",
        }
    }

    /// The English name, as UN documents write it (`French`).
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "French",
            Language::Spanish => "Spanish",
            Language::Russian => "Russian",
            Language::Arabic => "Arabic",
            Language::Chinese => "Chinese",
        }
    }

    /// Position in [`Language::ALL`], for arrays indexed by language.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The language of a code (`fr`) or English name (`French`), without
    /// regard to case or surrounding blanks; `None` for anything else.
    pub fn parse(value: &str) -> Option<Language> {
        let value = value.trim();
        Language::ALL
            .into_iter()
            .find(|l| value.eq_ignore_ascii_case(l.code()) || value.eq_ignore_ascii_case(l.name()))
    }

    /// The codes of every language, for messages: `en, fr, es, ru, ar, zh`.
    pub fn codes() -> String {
        Language::ALL.map(Language::code).join(", ")
    }

    /// The form of a lowercase word that is stemmed, matched against
    /// prefixes and checked against the stop words (see the module
    /// comment). Borrowed, at no cost, when the rule changes nothing.
    pub fn fold(self, lowercase_word: &str) -> Cow<'_, str> {
        match self {
            Language::French => Cow::Borrowed(strip_elision(lowercase_word)),
            Language::Arabic if lowercase_word.chars().any(is_arabic_mark) => Cow::Owned(
                lowercase_word
                    .chars()
                    .filter(|&c| !is_arabic_mark(c))
                    .collect(),
            ),
            Language::Russian if lowercase_word.contains('ё') => {
                Cow::Owned(lowercase_word.replace('ё', "е"))
            }
            _ => Cow::Borrowed(lowercase_word),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// French elided words that an apostrophe joins to the next word (the
/// tokenizer keeps `l'onu` whole, and [`crate::tokenize::lowercase_into`]
/// writes `’` as `'`). The same list as Lucene's French elision filter.
const ELISIONS: &[&str] = &[
    "jusqu'", "lorsqu'", "puisqu'", "quoiqu'", "qu'", "l'", "d'", "j'", "m'", "n'", "s'", "t'",
    "c'",
];

/// `word` without its leading French elision, when something with a letter
/// or digit follows it.
fn strip_elision(word: &str) -> &str {
    // Every elision is at most 8 bytes and ends with `'`: a cheap test first.
    if !word.as_bytes().iter().take(8).any(|&b| b == b'\'') {
        return word;
    }
    for e in ELISIONS {
        if let Some(rest) = word.strip_prefix(e) {
            if rest.chars().any(char::is_alphanumeric) {
                return rest;
            }
        }
    }
    word
}

/// Arabic harakat (short vowels, tanwin, shadda, sukun and the other marks
/// of U+064B–U+065F), the superscript alef (U+0670) and the tatweel (U+0640).
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.code()), Some(l));
            assert_eq!(Language::parse(l.name()), Some(l));
            assert_eq!(Language::ALL[l.index()], l);
        }
        assert_eq!(Language::parse(" FR "), Some(Language::French));
        assert_eq!(Language::parse("french"), Some(Language::French));
        assert_eq!(Language::parse("de"), None);
        assert_eq!(Language::parse(""), None);
        assert_eq!(Language::codes(), "en, fr, es, ru, ar, zh");
        assert_eq!(Language::default(), Language::English);
    }

    #[test]
    fn french_elisions() {
        let f = |w| Language::French.fold(w).into_owned();
        assert_eq!(f("l'onu"), "onu");
        assert_eq!(f("d'abord"), "abord");
        assert_eq!(f("qu'il"), "il");
        assert_eq!(f("jusqu'ici"), "ici");
        assert_eq!(f("lorsqu'elle"), "elle");
        assert_eq!(f("s'engager"), "engager");
        assert_eq!(f("aujourd'hui"), "aujourd'hui");
        assert_eq!(f("l'"), "l'");
        assert_eq!(f("paix"), "paix");
        assert_eq!(f("presqu'île"), "presqu'île");
        // Only French strips them.
        assert_eq!(Language::English.fold("l'onu"), "l'onu");
        assert!(matches!(Language::French.fold("l'onu"), Cow::Borrowed(_)));
    }

    #[test]
    fn arabic_marks_and_tatweel() {
        let f = |w| Language::Arabic.fold(w).into_owned();
        assert_eq!(f("السَّلَامُ"), "السلام");
        assert_eq!(f("السلـــام"), "السلام");
        assert_eq!(f("هٰذا"), "هذا");
        assert_eq!(f("سلام"), "سلام");
        assert!(matches!(Language::Arabic.fold("سلام"), Cow::Borrowed(_)));
    }

    #[test]
    fn russian_yo() {
        assert_eq!(Language::Russian.fold("всё"), "все");
        assert_eq!(Language::Russian.fold("мир"), "мир");
        assert_eq!(Language::Spanish.fold("señoría"), "señoría");
    }
}
