//! The languages of a run: the run's own (`--language`, default English),
//! and those a metadata table's `language` column gives single speeches.
//! For each language in use, the dictionary compiled in it (its terms folded
//! and stemmed as that language's text is) and its stop words.
//!
//! A dictionary term is stemmed with the language of the speech it is
//! counted in: the dictionary is parsed once per language in use, and a
//! speech is matched against the compilation of its own language. Term and
//! theme ids are the same in every compilation (the same file, in the same
//! order), so counts of speeches in different languages add up.
//!
//! This module does not choose a speech's language (the worker does, from
//! [`crate::metadata::Metadata::language`]) and does not count.

use std::collections::BTreeMap;

use agora_stages::dictionary::{parse_dictionary, Dictionary};
use agora_stages::language::Language;
use agora_stages::matcher::Matcher;
use agora_stages::stem::Stemmer;
use agora_stages::vocabulary::StopWords;
use anyhow::{anyhow, Context, Result};

use crate::config::Source;
use crate::manifest::sha256_hex;
use crate::partial::Hashed;

/// What counting text of one language needs.
#[derive(Debug)]
pub struct InLanguage {
    /// The dictionary compiled in this language.
    pub matcher: Matcher,
    /// Its stop words (for collocates and keyness).
    pub stopwords: StopWords,
}

/// The languages in use and what each needs.
#[derive(Debug)]
pub struct Languages {
    /// The run's language: speeches whose metadata names none are counted in it.
    pub default: Language,
    /// By [`Language::index`]: `Some` for the languages in use.
    by_index: Vec<Option<InLanguage>>,
}

/// What [`Languages::load`] read, for the settings of partials and caches.
#[derive(Debug)]
pub struct Loaded {
    /// The languages.
    pub languages: Languages,
    /// The dictionary parsed in the run's language (names themes and terms in the tables).
    pub dictionary: Dictionary,
    /// The run's stop words, hashed.
    pub stopwords: Hashed,
    /// The stop words of the other languages in use, by code.
    pub other_stopwords: BTreeMap<String, Hashed>,
}

impl Languages {
    /// Parses the dictionary `text` in every language of `used` (the run's
    /// `default` is always in use) and reads their stop words: `stopwords`
    /// for the run's language, [`crate::config::stopwords_source`] for the
    /// others. A dictionary that is refused in one language (two terms of a
    /// theme with the same stem in it) names that language.
    pub fn load(
        default: Language,
        used: &[Language],
        dictionary_label: &str,
        text: &str,
        stopwords: &Source,
    ) -> Result<Loaded> {
        let mut by_index: Vec<Option<InLanguage>> = Language::ALL.iter().map(|_| None).collect();
        let mut primary = None;
        let mut run_stopwords = None;
        let mut other_stopwords = BTreeMap::new();
        let mut all = vec![default];
        all.extend(used.iter().copied().filter(|&l| l != default));
        for language in all {
            let dictionary = parse_dictionary(text, &Stemmer::new(language)).map_err(|e| {
                match language == default {
                    true => anyhow!("theme dictionary {dictionary_label}: {e}"),
                    false => anyhow!(
                        "theme dictionary {dictionary_label}, with its terms stemmed in {} \
                         (the language of some speeches in the metadata): {e}",
                        language.name()
                    ),
                }
            })?;
            let source = match language == default {
                true => stopwords.clone(),
                false => crate::config::stopwords_source(language, None),
            };
            let words = source
                .read()
                .with_context(|| format!("cannot read the stop words {}", source.label()))?;
            let hashed = Hashed {
                label: source.label(),
                sha256: sha256_hex(words.as_bytes()),
            };
            match language == default {
                true => run_stopwords = Some(hashed),
                false => {
                    other_stopwords.insert(language.code().to_owned(), hashed);
                }
            }
            by_index[language.index()] = Some(InLanguage {
                matcher: Matcher::new(&dictionary),
                stopwords: StopWords::parse(&words),
            });
            if language == default {
                primary = Some(dictionary);
            }
        }
        // The run's language is always loaded first, above.
        let (Some(dictionary), Some(stopwords)) = (primary, run_stopwords) else {
            return Err(anyhow!("internal error: the run's language was not loaded"));
        };
        Ok(Loaded {
            languages: Languages { default, by_index },
            dictionary,
            stopwords,
            other_stopwords,
        })
    }

    /// What counting `language` needs. Every language a speech can be given
    /// (the run's, and those of the metadata) is loaded; for any other, the
    /// run's language's, so that a mistake there can never panic a worker.
    pub fn get(&self, language: Language) -> &InLanguage {
        match &self.by_index[language.index()] {
            Some(l) => l,
            None => self.primary(),
        }
    }

    /// What counting the run's language needs.
    pub fn primary(&self) -> &InLanguage {
        match &self.by_index[self.default.index()] {
            Some(l) => l,
            // `load` always fills the default's slot.
            None => unreachable!("the run's language is always loaded"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DICT: &str = "[themes.refugees]\nterms = [\"réfugiés\", \"refugees\"]\n";

    #[test]
    fn one_compilation_per_language_in_use() {
        let stop = Source::BuiltIn {
            default: "x",
            text: "les\n",
        };
        let loaded = Languages::load(
            Language::French,
            &[Language::English, Language::French],
            "d.toml",
            DICT,
            &stop,
        )
        .unwrap();
        let l = &loaded.languages;
        assert_eq!(l.default, Language::French);
        assert!(l.get(Language::French).stopwords.contains("les"));
        assert!(l.get(Language::English).stopwords.contains("the"));
        // Not in use: the run's language.
        assert!(l.get(Language::Russian).stopwords.contains("les"));
        assert_eq!(loaded.stopwords.label, "built-in x");
        assert_eq!(
            loaded.other_stopwords.keys().collect::<Vec<_>>(),
            ["en"],
            "the run's own list is not repeated"
        );
        // The run's dictionary is the one parsed in its language.
        assert_eq!(
            loaded.dictionary.themes[0].terms[0].pattern,
            agora_stages::dictionary::Pattern::Word("réfugi".into())
        );
        assert_eq!(l.get(Language::English).matcher.term_count(), 2);
    }

    #[test]
    fn a_dictionary_refused_in_another_language_names_it() {
        // `niños` and `niñas` are `niño` and `niña` in English, `niñ` in Spanish.
        let dict = "[themes.children]\nterms = [\"niños\", \"niñas\"]\n";
        let stop = Source::BuiltIn {
            default: "x",
            text: "",
        };
        assert!(Languages::load(Language::English, &[], "d.toml", dict, &stop).is_ok());
        let err = Languages::load(
            Language::English,
            &[Language::Spanish],
            "d.toml",
            dict,
            &stop,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("stemmed in Spanish"), "{msg}");
        assert!(msg.contains("matches the same words"), "{msg}");
    }
}
