//! Theme dictionary: parsing and checking the TOML file of themes and terms.
//!
//! ```toml
//! [themes.women_peace_security]
//! terms = ["women", "gender*", "sexual violence", "women and peace and security"]
//!
//! [themes.refugees]
//! terms = ["UNHCR"]                 # counted in every language
//! en = ["refugees"]                 # only in English speeches
//! fr = ["réfugiés", "réfugiées"]    # only in French speeches
//! ```
//!
//! `terms` count in speeches of every language; the lists named by a
//! language code (`en`, `fr`, `es`, `ru`, `ar`, `zh`) count only in speeches
//! of that language, so that a multilingual dictionary neither stems a word
//! of one language with another's stemmer nor matches it in another
//! language's text. A theme's terms are numbered in the order written,
//! whatever their list.
//!
//! Each term goes through the same tokenizer, lowercasing and language fold
//! ([`crate::language::Language::fold`]) as speech text and becomes one
//! [`Pattern`]; its words are stemmed with the stemmer given, so a
//! dictionary is parsed once per language it is counted in:
//! - one word (`women`) matches words with the same stem;
//! - one word ending in `*` (`gender*`) matches words whose lowercase,
//!   unstemmed form starts with the prefix;
//! - several words (`sexual violence`, `sea-level rise` = `sea level rise`)
//!   match consecutive words with the same stems.
//!
//! A dictionary that is not valid TOML, has no `[themes]`, an unknown key, a
//! theme without terms, an empty term, a term written twice in one theme, two
//! terms of a theme that match the same words in the language parsed, or a
//! `*` anywhere but at the end of a single word is refused with a
//! [`DictionaryError`] that names the line. Duplicate themes are a TOML error.
//!
//! This stage only reads the dictionary; [`crate::matcher`] counts its terms.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::language::Language;
use crate::stem::Stemmer;
use crate::tokenize::{lowercase_into, tokenize, Tokens};

/// A checked dictionary: themes in alphabetical order of name, each term in
/// the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    /// The themes, sorted by name.
    pub themes: Vec<Theme>,
    /// The language its terms were folded and stemmed in.
    pub language: Language,
}

/// One theme and its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// The theme's name, the key after `themes.` in the TOML.
    pub name: String,
    /// Its terms, in the order written.
    pub terms: Vec<Term>,
}

/// One dictionary term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term exactly as written in the file (reported in `keyword_counts.csv`).
    pub text: String,
    /// What it matches.
    pub pattern: Pattern,
    /// Line of the term in the file (1-based).
    pub line: usize,
    /// The language list it is written in (`fr = [...]`), or `None` for
    /// `terms`, which count in every language.
    pub language: Option<Language>,
}

impl Term {
    /// Whether the term counts in speeches of `language`.
    pub fn counts_in(&self, language: Language) -> bool {
        self.language.is_none_or(|l| l == language)
    }
}

/// What a term matches, after tokenizing, lowercasing and stemming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// One word: words with this stem.
    Word(String),
    /// `prefix*`: words whose lowercase form starts with this prefix.
    Glob(String),
    /// Several words: consecutive words with these stems.
    Phrase(Vec<String>),
}

impl Pattern {
    /// Number of words the pattern covers.
    pub fn len(&self) -> usize {
        match self {
            Pattern::Word(_) | Pattern::Glob(_) => 1,
            Pattern::Phrase(stems) => stems.len(),
        }
    }

    /// Never true: every pattern covers at least one word.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Why a dictionary was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictionaryError {
    /// 1-based line of the problem, when it has one.
    pub line: Option<usize>,
    /// What is wrong, and what to do.
    pub message: String,
}

impl fmt::Display for DictionaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DictionaryError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    themes: BTreeMap<String, toml::Spanned<RawTheme>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    #[serde(default)]
    terms: Vec<toml::Spanned<String>>,
    #[serde(default)]
    en: Vec<toml::Spanned<String>>,
    #[serde(default)]
    fr: Vec<toml::Spanned<String>>,
    #[serde(default)]
    es: Vec<toml::Spanned<String>>,
    #[serde(default)]
    ru: Vec<toml::Spanned<String>>,
    #[serde(default)]
    ar: Vec<toml::Spanned<String>>,
    #[serde(default)]
    zh: Vec<toml::Spanned<String>>,
    /// Free text for people; ignored by the program.
    #[allow(dead_code)]
    description: Option<String>,
}

/// Parses and checks a dictionary, folding and stemming its terms in the
/// language of `stemmer`.
pub fn parse_dictionary(source: &str, stemmer: &Stemmer) -> Result<Dictionary, DictionaryError> {
    let line_of = |offset: usize| source[..offset.min(source.len())].matches('\n').count() + 1;
    let raw: RawFile = toml::from_str(source).map_err(|e| DictionaryError {
        line: e.span().map(|s| line_of(s.start)),
        message: format!("not a valid theme dictionary: {}", e.message()),
    })?;
    if raw.themes.is_empty() {
        return Err(DictionaryError {
            line: None,
            message: "no themes: add at least one `[themes.NAME]` table with `terms = [...]`"
                .into(),
        });
    }
    let mut tokens = Tokens::default();
    let mut themes = Vec::with_capacity(raw.themes.len());
    for (name, theme) in raw.themes {
        let theme_line = line_of(theme.span().start);
        let theme = theme.into_inner();
        if name.is_empty() || name.trim() != name || name.chars().any(char::is_control) {
            return Err(DictionaryError {
                line: Some(theme_line),
                message: format!(
                    "theme name {name:?} is empty, has blanks around it or a control character; \
                     theme names become a column of the tables"
                ),
            });
        }
        // Every list's terms, in the order written.
        let mut written: Vec<(usize, String, Option<Language>)> = Vec::new();
        let lists = [
            (None, theme.terms),
            (Some(Language::English), theme.en),
            (Some(Language::French), theme.fr),
            (Some(Language::Spanish), theme.es),
            (Some(Language::Russian), theme.ru),
            (Some(Language::Arabic), theme.ar),
            (Some(Language::Chinese), theme.zh),
        ];
        for (language, list) in lists {
            for term in list {
                written.push((term.span().start, term.into_inner(), language));
            }
        }
        written.sort_by_key(|t| t.0);
        if written.is_empty() {
            return Err(DictionaryError {
                line: Some(theme_line),
                message: format!(
                    "theme {name:?} has no terms (give `terms = [...]`, or a list per language \
                     such as `fr = [...]`)"
                ),
            });
        }
        let parsed = stemmer.language();
        let mut terms: Vec<Term> = Vec::with_capacity(written.len());
        for (offset, text, language) in written {
            let line = line_of(offset);
            let error = |message: String| DictionaryError {
                line: Some(line),
                message,
            };
            // A term of another language's list is stemmed in its own.
            let own;
            let stemmer = match language {
                Some(l) if l != parsed => {
                    own = Stemmer::new(l);
                    &own
                }
                _ => stemmer,
            };
            let pattern = parse_term(&text, stemmer, &mut tokens)
                .map_err(|why| error(format!("term {text:?} of theme {name:?}: {why}")))?;
            if let Some(first) = terms.iter().find(|t| t.text == text) {
                return Err(error(format!(
                    "term {text:?} of theme {name:?} is written twice (first at line {}); \
                     list it once, in `terms` to count it in every language",
                    first.line
                )));
            }
            let counts_here = language.is_none_or(|l| l == parsed);
            if let Some(first) = terms
                .iter()
                .filter(|t| counts_here && t.counts_in(parsed))
                .find(|t| t.pattern == pattern)
            {
                return Err(error(format!(
                    "term {text:?} of theme {name:?} matches the same words as {:?} (line {}){}; \
                     remove one of them",
                    first.text,
                    first.line,
                    match parsed {
                        Language::English => String::new(),
                        l => format!(" in {}", l.name()),
                    }
                )));
            }
            terms.push(Term {
                text,
                pattern,
                line,
                language,
            });
        }
        themes.push(Theme { name, terms });
    }
    Ok(Dictionary {
        themes,
        language: stemmer.language(),
    })
}

/// Turns one term into its pattern, or says why it cannot be one.
fn parse_term(text: &str, stemmer: &Stemmer, tokens: &mut Tokens) -> Result<Pattern, String> {
    let (body, glob) = match text.trim_end().strip_suffix('*') {
        Some(body) => (body, true),
        None => (text, false),
    };
    if body.contains('*') {
        return Err("`*` may only end a single word (a prefix such as `terror*`)".into());
    }
    tokenize(body, tokens);
    let mut lower = String::new();
    let language = stemmer.language();
    let words: Vec<String> = tokens
        .words
        .iter()
        .map(|&(s, e)| {
            lowercase_into(&body[s as usize..e as usize], &mut lower);
            language.fold(&lower).into_owned()
        })
        .collect();
    match (words.as_slice(), glob) {
        ([], _) => Err("the term is empty (it has no letter or digit)".into()),
        ([word], true) => {
            // The prefix must run up to the `*`: `un-*` or `peace *` is no prefix.
            let (_, end) = tokens.words[0];
            if body[end as usize..].is_empty() {
                Ok(Pattern::Glob(word.clone()))
            } else {
                Err("a prefix must end right before its `*`".into())
            }
        }
        (_, true) => Err("`*` inside a phrase: prefixes only work on single words".into()),
        ([word], false) => Ok(Pattern::Word(stemmer.stem(word).into_owned())),
        (words, false) => Ok(Pattern::Phrase(
            words.iter().map(|w| stemmer.stem(w).into_owned()).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Dictionary, DictionaryError> {
        parse_dictionary(src, &Stemmer::english())
    }

    fn err(src: &str) -> (Option<usize>, String) {
        let e = parse(src).expect_err("should be refused");
        (e.line, e.message)
    }

    #[test]
    fn patterns_and_order() {
        let d = parse(
            "[themes.wps]\nterms = [\"women\", \"gender*\", \"sexual violence\", \"sea-level rise\", \"Da’esh\"]\n\
             [themes.alpha]\nterms = [\"refugees\"]\n",
        )
        .unwrap();
        assert_eq!(
            d.themes.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["alpha", "wps"]
        );
        let wps: Vec<&Pattern> = d.themes[1].terms.iter().map(|t| &t.pattern).collect();
        assert_eq!(
            wps,
            [
                &Pattern::Word("women".into()),
                &Pattern::Glob("gender".into()),
                &Pattern::Phrase(vec!["sexual".into(), "violenc".into()]),
                &Pattern::Phrase(vec!["sea".into(), "level".into(), "rise".into()]),
                &Pattern::Word("da'esh".into()),
            ]
        );
        assert_eq!(d.themes[1].terms[4].text, "Da’esh");
        assert_eq!(d.themes[0].terms[0].pattern, Pattern::Word("refuge".into()));
        assert_eq!(d.themes[0].terms[0].line, 4);
    }

    #[test]
    fn multi_line_arrays_report_each_terms_line() {
        let d = parse("[themes.t]\nterms = [\n  \"a\",\n  \"b c\",\n]\n").unwrap();
        assert_eq!(
            d.themes[0].terms.iter().map(|t| t.line).collect::<Vec<_>>(),
            [3, 4]
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(err("[themes.t]\nterms = [\"ok\", \"\"]\n").0, Some(2));
        assert!(err("[themes.t]\nterms = [\"ok\", \"\"]\n")
            .1
            .contains("empty"));
        assert!(err("[themes.t]\nterms = [\"!!\"]\n").1.contains("empty"));
        let (line, msg) = err("[themes.t]\nterms = [\n\"x\",\n\"peace oper*\"]\n");
        assert_eq!(line, Some(4));
        assert!(msg.contains("inside a phrase"), "{msg}");
        assert!(err("[themes.t]\nterms = [\"ter*ism\"]\n")
            .1
            .contains("may only end"));
        assert!(err("[themes.t]\nterms = [\"*\"]\n").1.contains("empty"));
        assert!(err("[themes.t]\nterms = [\"peace *\"]\n")
            .1
            .contains("right before"));
        let (line, msg) = err("[themes.t]\nterms = []\n");
        assert_eq!(line, Some(1));
        assert!(msg.contains("no terms"));
    }

    #[test]
    fn toml_errors() {
        let (line, msg) = err("[themes.t]\nterms = [\"a\"]\n[themes.t]\nterms = [\"b\"]\n");
        assert_eq!(line, Some(3));
        assert!(
            msg.contains("duplicate") || msg.contains("defined"),
            "{msg}"
        );
        let (line, _) = err("[themes.t]\nterms = [\"a\"\n\n");
        assert!(line.is_some());
        assert!(err("").1.contains("themes"));
        assert!(err("[themes]\n").1.contains("no themes"));
        let (line, msg) = err("[themes.t]\nterm = [\"a\"]\n");
        assert_eq!(line, Some(2));
        assert!(msg.contains("term"), "{msg}");
        assert!(err("[themes.t]\nterms = [1]\n").0.is_some());
    }

    #[test]
    fn theme_names_must_be_printable() {
        for src in [
            "[themes.\"\"]\nterms = [\"a\"]\n",
            "[themes.\"a\\nb\"]\nterms = [\"a\"]\n",
            "[themes.\" a\"]\nterms = [\"a\"]\n",
        ] {
            let (line, msg) = err(src);
            assert_eq!(line, Some(1), "{src}");
            assert!(msg.contains("theme name"), "{msg}");
        }
        assert!(parse("[themes.\"peace, security\"]\nterms = [\"a\"]\n").is_ok());
    }

    #[test]
    fn the_same_term_twice_is_refused() {
        let (line, msg) = err("[themes.t]\nterms = [\"refugees\",\n\"refugee\"]\n");
        assert_eq!(line, Some(3));
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn language_lists() {
        let src = "[themes.women]\nterms = [\"UN Women\"]\nes = [\"mujer\", \"mujeres\"]\n\
                   en = [\"women\"]\nfr = [\"l'égalité\", \"femme*\"]\n";
        let en = parse(src).unwrap();
        let es = parse_dictionary(src, &Stemmer::new(Language::Spanish)).unwrap();
        let fr = parse_dictionary(src, &Stemmer::new(Language::French)).unwrap();
        assert_eq!(
            (en.language, es.language),
            (Language::English, Language::Spanish)
        );
        // The order written, whatever the list.
        let terms = |d: &Dictionary| -> Vec<(String, Option<Language>, Pattern)> {
            d.themes[0]
                .terms
                .iter()
                .map(|t| (t.text.clone(), t.language, t.pattern.clone()))
                .collect()
        };
        let phrase = |a: &str, b: &str| Pattern::Phrase(vec![a.into(), b.into()]);
        let word = |w: &str| Pattern::Word(w.into());
        // Terms of a list are stemmed in their own language; `terms` in the
        // language parsed (`women` in English and French, `wom` in Spanish).
        assert_eq!(
            terms(&en),
            [
                ("UN Women".into(), None, phrase("un", "women")),
                ("mujer".into(), Some(Language::Spanish), word("muj")),
                ("mujeres".into(), Some(Language::Spanish), word("mujer")),
                ("women".into(), Some(Language::English), word("women")),
                ("l'égalité".into(), Some(Language::French), word("égal")),
                (
                    "femme*".into(),
                    Some(Language::French),
                    Pattern::Glob("femme".into())
                ),
            ]
        );
        assert_eq!(terms(&es)[0].2, phrase("un", "wom"));
        assert_eq!(terms(&fr)[0].2, phrase("un", "women"));
        let counting = |d: &Dictionary| -> Vec<bool> {
            d.themes[0]
                .terms
                .iter()
                .map(|t| t.counts_in(d.language))
                .collect()
        };
        assert_eq!(counting(&en), [true, false, false, true, false, false]);
        assert_eq!(counting(&es), [true, true, true, false, false, false]);
        assert_eq!(counting(&fr), [true, false, false, false, true, true]);
    }

    #[test]
    fn duplicates_are_checked_in_the_language_parsed() {
        // `mujer` and `mujeres` are one English stem, but only Spanish
        // speeches count them.
        let src = "[themes.w]\nes = [\"mujeres\", \"mujer\"]\nen = [\"woman\"]\n";
        assert!(parse(src).is_ok());
        // In `terms`, they count in English too, where they are one.
        let (line, msg) = err("[themes.w]\nterms = [\"mujeres\", \"mujer\"]\n");
        assert_eq!(line, Some(2));
        assert!(msg.contains("matches the same words"), "{msg}");
        // `niños` and `niñas` are two English stems and one Spanish one.
        let src = "[themes.c]\nes = [\"niños\", \"niñas\"]\n";
        assert!(parse(src).is_ok());
        let e = parse_dictionary(src, &Stemmer::new(Language::Spanish)).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .ends_with("(line 2) in Spanish; remove one of them"),
            "{e}"
        );
        // The same text in two lists would make two rows alike in keyword_counts.csv.
        let (line, msg) = err("[themes.u]\nen = [\"union\"]\nfr = [\"union\"]\n");
        assert_eq!(line, Some(3));
        assert!(msg.contains("written twice (first at line 2)"), "{msg}");
        // A theme needs a term in some list; an unknown language is refused.
        assert!(err("[themes.t]\n").1.contains("no terms"));
        let (line, msg) = err("[themes.t]\nde = [\"Frieden\"]\n");
        assert_eq!(line, Some(2));
        assert!(msg.contains("unknown field"), "{msg}");
    }

    #[test]
    fn description_is_allowed() {
        let d = parse("[themes.t]\ndescription = \"x\"\nterms = [\"a\"]\n").unwrap();
        assert_eq!(d.themes[0].terms.len(), 1);
    }
}
