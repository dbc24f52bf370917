//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs`
//! (libFuzzer feeds them generated inputs) and `tests/fuzz_regressions.rs`
//! (`cargo test` feeds them the seeds and every input that once crashed).
//!
//! Each body must never panic on any input: a panic is a bug, either in the
//! code under test or in an invariant asserted here. Invariants checked are
//! ones the rest of the pipeline relies on (token offsets on character
//! boundaries, the fast tokenizer and analyzer equal to the plain reference).

#![allow(dead_code)] // each user calls a subset

use std::path::Path;
use std::sync::OnceLock;

use agora::discover::Discovery;
use agora::metadata::Metadata;
use agora_stages::analyze::Analyzer;
use agora_stages::dictionary::parse_dictionary;
use agora_stages::ingest::segment::segment as segment_record;
use agora_stages::ingest::{
    damaged_utf8, decode, ingest as ingest_text, ingest_turn, looks_binary, parse_file_name,
    parse_header, Encoding, Warning,
};
use agora_stages::language::Language;
use agora_stages::matcher::Matcher;
use agora_stages::normalize::normalize;
use agora_stages::stem::Stemmer;
use agora_stages::tokenize::{lowercase_into, tokenize, tokenize_plain, Tokens};

/// File names of each shape the ingest stage tells apart; the first byte of
/// an ingest input picks one.
const FILE_NAMES: &[&str] = &[
    "UNSC_2020_SPV.8698_spch006.txt",
    "UNSC_2021_SPV.9002Resumption1_spch001.txt",
    "KAZ_71_2016.txt",
    "speech.txt",
];

/// Decoding, the binary check and the ingest stage (file name and speaker
/// header) on raw file bytes.
pub fn ingest(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let _ = looks_binary(bytes);
    let (text, encoding) = decode(bytes);
    match encoding {
        Encoding::Utf8 => assert_eq!(text.as_bytes(), bytes),
        Encoding::Utf8Bom => assert_eq!(text.as_bytes(), &bytes[3..]),
        Encoding::Windows1252 => {
            assert!(std::str::from_utf8(bytes).is_err());
            // One character per byte.
            assert_eq!(text.chars().count(), bytes.len());
        }
    }
    if let Some(damage) = damaged_utf8(bytes) {
        assert_eq!(encoding, Encoding::Windows1252);
        assert!(damage.offset < bytes.len() && damage.line >= 1);
    }
    let name = FILE_NAMES[usize::from(pick) % FILE_NAMES.len()];
    let speech = ingest_text(name, &text);
    let _ = speech.meta.role();
    if let Some(header) = parse_header(&text) {
        assert!(text.is_char_boundary(header.body_start) && header.body_start <= text.len());
    }
    // The file-name parser on names made of the same bytes.
    let _ = parse_file_name(&String::from_utf8_lossy(bytes));
}

/// Segmenting raw bytes as a meeting record (`--records`), then reading each
/// turn: turns are numbered from 1, in order, on character boundaries, and
/// each opens with the speaker header it was found by.
pub fn segment(data: &[u8]) {
    let (text, _) = decode(data);
    let Ok(record) = segment_record(&text) else {
        return;
    };
    let mut end = 0;
    for (k, turn) in record.turns.iter().enumerate() {
        assert_eq!(turn.number as usize, k + 1);
        let span = &turn.span;
        assert!(end <= span.start && span.start <= span.end && span.end <= record.text.len());
        assert!(record.text.is_char_boundary(span.start) && record.text.is_char_boundary(span.end));
        end = span.end;
        let speech = ingest_turn(&record, turn);
        assert!(!speech.warnings.contains(&Warning::NoHeader));
        assert_eq!(speech.meta.turn, Some(turn.number));
    }
}

/// The default dictionary, compiled once: the analyzer must agree with the
/// reference implementation on every text.
fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let themes = include_str!("../../seeds/themes.toml");
        let dictionary = parse_dictionary(themes, &Stemmer::english()).expect("seeds parse");
        Matcher::new(&dictionary)
    })
}

/// Normalizing, tokenizing and the whole text analysis on any text.
pub fn tokenize_and_analyze(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fast = Tokens::default();
    let mut plain = Tokens::default();
    tokenize(&text, &mut fast);
    tokenize_plain(&text, &mut plain);
    assert_eq!(fast.words, plain.words, "fast path differs from UAX #29");
    assert_eq!(fast.sentence_starts, plain.sentence_starts);
    check_tokens(&text, &fast);
    let normalized = normalize(&text);
    let mut tokens = Tokens::default();
    tokenize(&normalized, &mut tokens);
    check_tokens(&normalized, &tokens);
    let mut lower = String::new();
    for &(s, e) in &tokens.words {
        lowercase_into(&normalized[s as usize..e as usize], &mut lower);
    }
    let matcher = matcher();
    let mut analyzer = Analyzer::new(matcher);
    let counts = analyzer.analyze(&text);
    assert_eq!(counts, agora_stages::reference::analyze(matcher, &text));
    // A warm cache gives the same counts.
    assert_eq!(analyzer.analyze(&text), counts);
}

/// Words are non-empty, in order, without overlap, on character boundaries;
/// sentences start at words, in order, the first at word 0.
fn check_tokens(text: &str, tokens: &Tokens) {
    let mut end = 0;
    for &(s, e) in &tokens.words {
        let (s, e) = (s as usize, e as usize);
        assert!(end <= s && s < e && e <= text.len(), "word {s}..{e}");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        end = e;
    }
    if !tokens.words.is_empty() {
        assert_eq!(tokens.sentence_starts.first(), Some(&0));
    }
    assert!(tokens.sentence_starts.windows(2).all(|w| w[0] < w[1]));
    assert!(tokens
        .sentence_starts
        .iter()
        .all(|&i| (i as usize) < tokens.words.len()));
}

/// The dictionary parser on any text, in every language; a dictionary it
/// accepts must compile and match as the reference does.
pub fn dictionary(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for language in Language::ALL {
        match parse_dictionary(source, &Stemmer::new(language)) {
            Ok(dictionary) => {
                assert!(!dictionary.themes.is_empty());
                let matcher = Matcher::new(&dictionary);
                let text = "Women and peace and security; climate-related refugees. \
                            Sea-level rise, terrorism and peace operations. L'ONU, les réfugiés \
                            et la paix; Беженцы всё; السَّلَام؟ 联合国和平。";
                let counts = Analyzer::new(&matcher).in_language(language).analyze(text);
                let plain = agora_stages::reference::analyze_in(&matcher, text, language);
                assert_eq!(counts, plain, "{language}");
            }
            Err(e) => {
                let lines = source.matches('\n').count() + 1;
                assert!(e.line.is_none_or(|l| l >= 1 && l <= lines), "{e}");
                assert!(!e.message.is_empty());
            }
        }
    }
}

/// Speech ids the metadata fuzz input is matched against.
const IDS: &[&str] = &[
    "KAZ_71_2016.txt",
    "a.txt",
    "sub/b.txt",
    "unsc/UNSC_2020_SPV.8698_spch006.txt",
];

/// The metadata reader on any bytes, then applied to every speech.
pub fn metadata(data: &[u8]) {
    let found = Discovery::of_ids(IDS);
    let mut problems = Vec::new();
    let Ok(metadata) = Metadata::from_reader(data, Path::new("fuzz.csv"), &found, &mut problems)
    else {
        return;
    };
    for problem in &problems {
        assert!(problem.line.is_some_and(|l| l >= 1), "{problem}");
    }
    for (index, source) in found.sources.iter().enumerate() {
        let mut meta = ingest_text(found.file_name(source), "").meta;
        let _ = metadata.apply(index, &mut meta);
        let _ = meta.role();
    }
}
