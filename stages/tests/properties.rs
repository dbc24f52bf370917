//! Property tests of the text stages (proptest): for any text, tokenizing
//! never loses or invents a letter, and the analyzer's counts do not depend
//! on the order in which it meets the speeches (its word-class cache).

use agora_stages::analyze::Analyzer;
use agora_stages::dictionary::parse_dictionary;
use agora_stages::matcher::Matcher;
use agora_stages::normalize::normalize;
use agora_stages::reference;
use agora_stages::stem::Stemmer;
use agora_stages::tokenize::{tokenize, Tokens};
use proptest::prelude::*;

/// Pieces of text around every rule: words, marks, joiners, blanks,
/// punctuation of words and sentences, hyphenation across lines.
const PIECES: &[&str] = &[
    "women",
    "Women",
    "refugees",
    "Climate",
    "peace",
    "sea-level",
    "rise",
    "U.N.",
    "Mr.",
    "33.",
    "2,000",
    "1.5",
    "d’Ivoire",
    "women's",
    "Secre-\ntary",
    "co-\noperation",
    "é",
    "e\u{301}",
    "\u{652}",
    "\u{301}",
    "\u{200D}",
    "\u{AD}",
    "\u{FEFF}",
    "\u{A0}",
    "\u{3000}",
    "日本",
    "Россия",
    "٣٤",
    "🇫🇷",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\x0c",
    "\0",
    ".",
    ". ",
    "!",
    "?",
    ",",
    ";",
    "-",
    "—",
    "…",
    "'",
    "’",
    "\"",
    "(",
    ")",
    "_",
    "/",
];

/// Texts: any Unicode, or sequences of the pieces above.
fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat()),
    ]
}

/// The letters of a text, in order.
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphabetic()).collect()
}

/// The letters of the tokens, in order; checks the tokens are in order and
/// do not overlap (so none is counted twice).
fn token_letters(text: &str, tokens: &Tokens) -> String {
    let mut end = 0;
    let mut out = String::new();
    for &(s, e) in &tokens.words {
        assert!(end <= s as usize && s < e, "tokens overlap or are empty");
        end = e as usize;
        out.push_str(&letters(&text[s as usize..e as usize]));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn tokenizing_never_loses_or_invents_letters(text in texts()) {
        let mut tokens = Tokens::default();
        tokenize(&text, &mut tokens);
        prop_assert_eq!(token_letters(&text, &tokens), letters(&text));
        // Normalizing (dehyphenation, invisible characters) keeps them too.
        let normalized = normalize(&text);
        prop_assert_eq!(letters(&normalized), letters(&text));
        tokenize(&normalized, &mut tokens);
        prop_assert_eq!(token_letters(&normalized, &tokens), letters(&text));
    }
}

/// The default dictionary's matcher.
fn matcher() -> Matcher {
    let dictionary = parse_dictionary(include_str!("../../seeds/themes.toml"), &Stemmer::english())
        .expect("the default dictionary parses");
    Matcher::new(&dictionary)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn counts_do_not_depend_on_the_order_speeches_are_met(
        speeches in prop::collection::vec(texts(), 1..8)
            .prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle()))
    ) {
        let (speeches, shuffled) = speeches;
        let matcher = matcher();
        let expected: Vec<_> = speeches.iter().map(|s| reference::analyze(&matcher, s)).collect();
        let mut analyzer = Analyzer::new(&matcher);
        for (speech, want) in speeches.iter().zip(&expected) {
            prop_assert_eq!(&analyzer.analyze(speech), want);
        }
        // A fresh analyzer meeting them in another order, cache cold then warm.
        let mut analyzer = Analyzer::new(&matcher);
        for speech in &shuffled {
            let i = speeches.iter().position(|s| s == speech).unwrap();
            prop_assert_eq!(&analyzer.analyze(speech), &expected[i]);
        }
    }
}

/// Pieces of meeting records: headers, broken headers, furniture, and text.
const RECORD_PIECES: &[&str] = &[
    "The President: ",
    "Mr. Dupont (France)",
    " (spoke",
    "in French): ",
    "Hadiza (spoke in French):",
    "In favour: ",
    "16/01/2020",
    " The situation ",
    "S/PV.8704",
    " (Resumption 1)",
    "A/75/PV.3",
    "20-00911",
    " (E)",
    "*2000911*",
    "3/34",
    "The meeting rose at 12.15 p.m.",
    "This record contains the text of speeches",
    "documents.un.org",
    "Thursday, 16 January 2020",
    "refugees",
    "é",
    "日本",
    "\u{FEFF}",
    "\x0c",
    " ",
    "\n",
    "\r\n",
    "(",
    ")",
    ":",
    ".",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn segmenting_any_text_gives_ordered_turns_that_open_with_a_header(
        text in prop_oneof![
            any::<String>(),
            prop::collection::vec(prop::sample::select(RECORD_PIECES), 0..60)
                .prop_map(|p| p.concat()),
        ]
    ) {
        use agora_stages::ingest::{parse_header, segment::segment};
        let Ok(record) = segment(&text) else {
            return Ok(());
        };
        let mut end = 0;
        let mut line = 0;
        for (k, turn) in record.turns.iter().enumerate() {
            prop_assert_eq!(turn.number as usize, k + 1);
            prop_assert!(end <= turn.span.start && turn.span.start <= turn.span.end);
            prop_assert!(line < turn.line);
            (end, line) = (turn.span.end, turn.line);
            prop_assert!(parse_header(record.turn_text(turn)).is_some());
        }
        prop_assert!(end <= record.text.len());
    }
}
