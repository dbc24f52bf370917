//! The reference implementation of the text stages: no caches, no fast
//! paths. Every token is segmented by `unicode-segmentation`, lowercased,
//! stemmed and classified on its own.
//!
//! It exists to be compared with: the optimized [`crate::analyze::Analyzer`]
//! must give exactly the same [`SpeechCounts`] on every speech (unit tests on
//! fixtures here, and `tests/shared_corpus.rs` on the real UN corpus), so
//! speed work can never change a table. It is far too slow for real runs.

use crate::analyze::{count, SpeechCounts};
use crate::language::Language;
use crate::matcher::{Matcher, WordClass, CAN_START};
use crate::normalize::normalize;
use crate::stem::Stemmer;
use crate::tokenize::{lowercase_into, tokenize_plain, Tokens};

/// Analyzes one English speech the plain way.
pub fn analyze(matcher: &Matcher, body: &str) -> SpeechCounts {
    analyze_in(matcher, body, Language::English)
}

/// Analyzes one speech of `language` the plain way (`matcher` parsed in it).
pub fn analyze_in(matcher: &Matcher, body: &str, language: Language) -> SpeechCounts {
    let stemmer = Stemmer::new(language);
    let text = normalize(body);
    let mut tokens = Tokens::default();
    tokenize_plain(&text, &mut tokens);
    let mut lower = String::new();
    // One class per token, in order.
    let classes: Vec<WordClass> = tokens
        .words
        .iter()
        .map(|&(s, e)| {
            lowercase_into(&text[s as usize..e as usize], &mut lower);
            matcher.classify(&language.fold(&lower), &stemmer)
        })
        .collect();
    let words: Vec<u32> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if c.starts.is_empty() {
                i as u32
            } else {
                i as u32 | CAN_START
            }
        })
        .collect();
    count(
        matcher,
        &classes,
        &words,
        &tokens,
        &mut Vec::new(),
        &mut Vec::new(),
        &mut Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::dictionary::parse_dictionary;

    #[test]
    fn the_analyzer_gives_the_reference_counts() {
        let dictionary = parse_dictionary(
            "[themes.climate]\nterms = [\"climate\", \"sea-level rise\", \"drought*\"]\n\
             [themes.displacement]\nterms = [\"refugee*\", \"internally displaced persons\"]\n\
             [themes.women]\nterms = [\"women\", \"women and peace and security\", \"gender*\"]\n",
            &Stemmer::english(),
        )
        .unwrap();
        let matcher = Matcher::new(&dictionary);
        let mut analyzer = Analyzer::new(&matcher);
        let speeches = [
            "Women and peace and security. WOMEN, women’s rights; Côte d’Ivoire’s refugees.",
            "The Secre-\ntary-General spoke of sea-level rise… and droughts! Internally displaced persons?",
            "33. The Council met at 10.30 a.m. No. 5 was adopted.\n\nGender equality matters.",
            "",
            "Ünïcödé wörds, 日本, Россия and CLIMATE-related drought—refugees",
            "A_b __ x.y U.N. 1,000 refugees\r\n\x0cwomen\0women",
        ];
        // Twice, so the second round runs on a warm cache.
        for _ in 0..2 {
            for speech in speeches {
                assert_eq!(
                    analyzer.analyze(speech),
                    analyze(&matcher, speech),
                    "{speech:?}"
                );
            }
        }
    }
}
