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
            let folded = language.fold(&lower);
            matcher.classify(&folded, &stemmer.stem(&folded))
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
    fn the_analyzer_gives_the_reference_counts_in_every_language() {
        let source = "[themes.peace]\nterms = [\"ONU\"]\nfr = [\"paix\", \"l'environ*\"]\n\
                      es = [\"paz\"]\nru = [\"мир\"]\nar = [\"السلام\"]\nzh = [\"和平\"]\n\
                      [themes.refugees]\nfr = [\"réfugiés\"]\nes = [\"refugiados\"]\n\
                      ru = [\"беженцы\"]\nar = [\"اللاجئين\"]\nzh = [\"难民\"]\n";
        let speeches = [
            (
                Language::French,
                "La paix de l’ONU. L'environnement et les réfugiées, qu'il dit.",
            ),
            (
                Language::Spanish,
                "La paz y la ONU. Los refugiados, refugiada; PAZ.",
            ),
            (
                Language::Russian,
                "Мир и беженцы. Беженцев всё больше; МИРА нет.",
            ),
            (Language::Arabic, "السَّلَام و اللاجـئين؟ اللاجئون والسلام."),
            (Language::Chinese, "和平与难民。联合国支持和平！"),
        ];
        for (language, speech) in speeches {
            let dictionary = parse_dictionary(source, &Stemmer::new(language)).unwrap();
            let matcher = Matcher::new(&dictionary);
            let mut analyzer = Analyzer::new(&matcher).in_language(language);
            assert_eq!(analyzer.language(), language);
            let plain = analyze_in(&matcher, speech, language);
            assert_eq!(analyzer.analyze(speech), plain, "{language}");
            assert_eq!(analyzer.analyze(speech), plain, "{language}, warm cache");
        }
        // Hand-checked: in French, `l’onu` is `onu` and `l'environnement`
        // starts with `environ`; réfugiées = réfugiés = réfugi.
        let dictionary = parse_dictionary(source, &Stemmer::new(Language::French)).unwrap();
        let matcher = Matcher::new(&dictionary);
        let c = analyze_in(&matcher, speeches[0].1, Language::French);
        assert_eq!((c.tokens, c.sentences), (10, 2));
        assert_eq!(c.theme_hits, [3, 1]);
        // In Arabic, marks and tatweel go: السَّلَام = السلام, اللاجـئين = اللاجئين
        // (والسلام keeps its و: the stemmer leaves it).
        let dictionary = parse_dictionary(source, &Stemmer::new(Language::Arabic)).unwrap();
        let matcher = Matcher::new(&dictionary);
        let c = analyze_in(&matcher, speeches[3].1, Language::Arabic);
        assert_eq!((c.tokens, c.sentences), (5, 2));
        assert_eq!(c.theme_hits, [1, 2]);
        // In Chinese, one word per character and terms as character sequences.
        let dictionary = parse_dictionary(source, &Stemmer::new(Language::Chinese)).unwrap();
        let matcher = Matcher::new(&dictionary);
        let c = analyze_in(&matcher, speeches[4].1, Language::Chinese);
        assert_eq!((c.tokens, c.sentences), (12, 2));
        assert_eq!(c.theme_hits, [2, 1]);
    }

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
