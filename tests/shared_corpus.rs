//! Tests on the real UN speeches in `../shared/corpus`: every file is
//! processed, metadata is complete, decoding is clean, the tables do not
//! depend on the thread count, and theme hits agree with the Python oracle
//! `../shared/bench/reference.py`. Each test skips, with a printed reason,
//! where what it needs is absent.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use agora_stages::ingest::{decode, ingest, Encoding};
use agora_stages::normalize::normalize;
use agora_stages::tokenize::{tokenize, Tokens};
use common::*;

/// One run over the shared corpus with the benchmark dictionary, shared by
/// the tests of this file.
fn shared_run() -> Option<&'static Path> {
    static RUN: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    RUN.get_or_init(|| {
        let shared = shared()?;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        run_ok(
            &[
                "--input",
                s(&shared.join("corpus")),
                "--themes",
                s(&shared.join("bench/themes.toml")),
                "--out",
                s(&out),
                "--threads",
                "2",
            ],
            0,
        );
        Some((dir, out))
    })
    .as_ref()
    .map(|(_, out)| out.as_path())
}

#[test]
fn every_speech_is_processed_with_its_metadata() {
    let Some(out) = shared_run() else { return };
    let speeches = rows(&read(out, "speeches.csv"));
    assert_eq!(speeches.len(), 1128);
    let errors = read(out, "errors.csv");
    assert_eq!(
        errors.lines().count(),
        1,
        "no file skipped or degraded:\n{errors}"
    );

    let unsc: Vec<_> = speeches
        .iter()
        .filter(|r| r["speech_id"].starts_with("unsc2020/"))
        .collect();
    let ungdc: Vec<_> = speeches
        .iter()
        .filter(|r| r["speech_id"].starts_with("ungdc/"))
        .collect();
    assert_eq!((unsc.len(), ungdc.len()), (675, 453));
    let representatives: Vec<_> = unsc
        .iter()
        .filter(|r| r["role"] == "representative")
        .collect();
    assert_eq!(representatives.len(), 422);
    for r in &representatives {
        assert_eq!(r["country_iso3"].len(), 3, "{r:?}");
    }
    for r in &unsc {
        assert_ne!(
            r["role"], "none",
            "every Security Council turn has a header: {r:?}"
        );
        assert_eq!(r["year"], "2020");
    }
    assert_eq!(
        unsc.iter().filter(|r| r["role"] == "president").count(),
        209
    );
    for r in &ungdc {
        assert!(
            !r["country_iso3"].is_empty() && !r["country_name"].is_empty(),
            "{r:?}"
        );
        assert!(
            ["1970", "2001", "2016"].contains(&r["year"].as_str()),
            "{r:?}"
        );
    }
    // The speakers table is joined to all but the speeches it lacks.
    let with_speaker = ungdc.iter().filter(|r| !r["speaker"].is_empty()).count();
    assert!(
        with_speaker >= 445,
        "{with_speaker} of 453 General Debate speeches have a speaker"
    );

    let mut encodings = BTreeMap::new();
    for r in &speeches {
        *encodings.entry(r["encoding"].as_str()).or_insert(0) += 1;
    }
    assert_eq!(
        encodings,
        BTreeMap::from([("utf-8", 917), ("utf-8-bom", 188), ("windows-1252", 23)])
    );
}

#[test]
fn no_token_holds_a_bom_cr_form_feed_nul_or_replacement_character() {
    let Some(shared) = shared() else { return };
    let mut tokens = Tokens::default();
    let (mut files, mut cp1252) = (0, 0);
    for entry in walk(&shared.join("corpus")) {
        let bytes = fs::read(&entry).unwrap();
        let (text, encoding) = decode(&bytes);
        let name = entry.file_name().unwrap().to_string_lossy();
        let speech = ingest(&name, &text);
        let body = normalize(&speech.body);
        tokenize(&body, &mut tokens);
        for &(s, e) in &tokens.words {
            let token = &body[s as usize..e as usize];
            assert!(
                !token.contains(['\u{FEFF}', '\r', '\x0c', '\0', '\u{FFFD}']),
                "{}: token {token:?}",
                entry.display()
            );
        }
        files += 1;
        cp1252 += usize::from(encoding == Encoding::Windows1252);
    }
    assert_eq!((files, cp1252), (1128, 23));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_fast_path_counts_exactly_like_the_reference() {
    let Some(shared) = shared() else { return };
    let source = fs::read_to_string(shared.join("bench/themes.toml")).unwrap();
    let dictionary = agora_stages::dictionary::parse_dictionary(
        &source,
        &agora_stages::stem::Stemmer::english(),
    )
    .unwrap();
    let matcher = agora_stages::matcher::Matcher::new(&dictionary);
    let mut analyzer = agora_stages::analyze::Analyzer::new(&matcher);
    let mut checked = 0;
    for path in walk(&shared.join("corpus")) {
        let bytes = fs::read(&path).unwrap();
        let (text, _) = decode(&bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        let body = ingest(&name, &text).body;
        let fast = analyzer.analyze(&body);
        assert!(
            fast == agora_stages::reference::analyze(&matcher, &body),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 1128);
}

#[test]
fn tables_are_identical_at_one_and_two_threads() {
    let Some(shared) = shared() else { return };
    let Some(two) = shared_run() else { return };
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    run_ok(
        &[
            "-i",
            s(&shared.join("corpus")),
            "-t",
            s(&shared.join("bench/themes.toml")),
            "-o",
            s(&one),
            "-j",
            "1",
        ],
        0,
    );
    for table in TABLES {
        assert!(
            read(&one, table) == read(two, table),
            "{table} differs between --threads 1 and 2"
        );
    }
}

/// A Python that can run the oracle: `AGORA_PYTHON`, else `python3`, if it
/// has the oracle's two packages.
fn oracle_python() -> Option<String> {
    let python = std::env::var("AGORA_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import snowballstemmer, pycountry"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: {python} lacks snowballstemmer and pycountry (.ci/run installs them; set AGORA_PYTHON)");
    }
    ok.then_some(python)
}

#[test]
fn theme_hits_agree_with_the_python_oracle() {
    let Some(shared) = shared() else { return };
    let Some(python) = oracle_python() else {
        return;
    };
    let Some(out) = shared_run() else { return };
    let dir = tempfile::tempdir().unwrap();
    let oracle_out = dir.path().join("oracle");
    let status = Command::new(python)
        .arg(shared.join("bench/reference.py"))
        .arg(shared.join("corpus"))
        .arg("--out")
        .arg(&oracle_out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );

    let hits = |text: &str| {
        let mut m: BTreeMap<(String, String), i64> = BTreeMap::new();
        for r in rows(text) {
            *m.entry((r["country_iso3"].clone(), r["theme"].clone()))
                .or_default() += r["hits"].parse::<i64>().unwrap();
        }
        m
    };
    let ours = hits(&read(out, "theme_counts.csv"));
    let theirs = hits(&read(&oracle_out, "theme_counts.csv"));
    let mut compared = 0;
    let mut off = Vec::new();
    let keys: std::collections::BTreeSet<_> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        let (a, o) = (
            ours.get(key).copied().unwrap_or(0),
            theirs.get(key).copied().unwrap_or(0),
        );
        if a.max(o) >= 50 {
            compared += 1;
            if (a - o).abs() as f64 > 0.01 * o as f64 {
                off.push((key.clone(), a, o));
            }
        }
    }
    assert!(
        compared >= 100,
        "only {compared} cells with 50 or more hits"
    );
    assert!(off.is_empty(), "cells off by more than 1%: {off:?}");
}

/// Collocates recounted from the raw files by a plain loop: one theme with a
/// single prefix term (so every token that starts with it is a hit), windows
/// of five tokens, stop words from seeds/stopwords.txt. The loop shares only
/// decoding, header removal, normalization and the plain tokenizer with
/// Agora; windows, stop words, stemming and sums are its own.
#[test]
fn one_collocate_row_matches_an_independent_count() {
    use agora_stages::normalize::normalize;
    use agora_stages::stem::Stemmer;
    use agora_stages::tokenize::{lowercase_into, tokenize_plain};
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("themes.toml");
    fs::write(&themes, "[themes.displacement]\nterms = [\"refugee*\"]\n").unwrap();
    let out = dir.path().join("out");
    let corpus = shared.join("corpus");
    run_ok(
        &[
            "-i",
            s(&corpus),
            "-t",
            s(&themes),
            "-o",
            s(&out),
            "--min-count",
            "1",
            "--top",
            "100000",
        ],
        0,
    );

    let country_of: HashMap<String, String> = rows(&read(&out, "speeches.csv"))
        .into_iter()
        .map(|r| (r["speech_id"].clone(), r["country_iso3"].clone()))
        .collect();
    let stop: std::collections::HashSet<String> =
        fs::read_to_string(repo().join("seeds/stopwords.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
    let stemmer = Stemmer::english();
    // Per country: (window tokens, occurrences of the stem `camp` in windows).
    let mut counted: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut tokens = Tokens::default();
    let mut lower = String::new();
    for path in walk(&corpus) {
        let bytes = fs::read(&path).unwrap();
        let (text, _) = decode(&bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        let body = normalize(&ingest(&name, &text).body).into_owned();
        tokenize_plain(&body, &mut tokens);
        let words: Vec<String> = tokens
            .words
            .iter()
            .map(|&(s, e)| {
                lowercase_into(&body[s as usize..e as usize], &mut lower);
                lower.clone()
            })
            .collect();
        let hit: Vec<bool> = words.iter().map(|w| w.starts_with("refugee")).collect();
        let in_window: Vec<bool> = (0..words.len())
            .map(|i| !hit[i] && (i.saturating_sub(5)..(i + 6).min(words.len())).any(|j| hit[j]))
            .collect();
        let id = path
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let entry = counted.entry(country_of[&id].clone()).or_default();
        for (i, w) in words.iter().enumerate() {
            if in_window[i] {
                entry.0 += 1;
                if !stop.contains(w) && stemmer.stem(w) == "camp" {
                    entry.1 += 1;
                }
            }
        }
    }
    let table = rows(&read(&out, "collocates.csv"));
    let mut compared = 0;
    for (country, &(window_tokens, camp)) in counted.iter().filter(|(_, &(_, camp))| camp > 0) {
        let row = table
            .iter()
            .find(|r| &r["country_iso3"] == country && r["stem"] == "camp")
            .unwrap_or_else(|| panic!("no collocates row for {country:?}, camp ({camp} counted)"));
        assert_eq!(row["count"].parse::<u64>().unwrap(), camp, "{country}");
        assert_eq!(
            row["window_tokens"].parse::<u64>().unwrap(),
            window_tokens,
            "{country}"
        );
        compared += 1;
    }
    assert!(
        compared >= 5,
        "only {compared} countries say `camp` near a refugee"
    );
}
