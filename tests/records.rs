//! `agora run --records`: meeting records split into turns.
//!
//! On the synthetic record in `tests/fixtures/records` every row, count and
//! furniture tally is checked by hand; files that are not records, and
//! options `--records` does not combine with, are refused as documented.
//! On the real Security Council turns in `../shared` (skipped, with a printed
//! reason, when absent or when `python3` is missing), `scripts/build-records.py`
//! joins each meeting's turn files into one record with page furniture, and
//! segmenting the records must give back the turns: precision and recall of
//! turn boundaries, and the share of turns whose speaker, role and country
//! match the file-per-speech reading, at least 99% each.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;

use agora_stages::ingest::segment::segment;
use agora_stages::ingest::{decode, ingest, ingest_turn, SpeechMeta};
use common::*;

fn fixture_dir() -> std::path::PathBuf {
    repo().join("tests/fixtures/records")
}

#[test]
fn fixture_record_is_split_into_hand_checked_turns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(
        &[
            "--records",
            "-i",
            "tests/fixtures/records",
            "-o",
            s(&out),
            "-j",
            "2",
        ],
        0,
    );
    let path = "tests/fixtures/records/S_PV.9990.txt";
    let id = "S_PV.9990.txt";
    let meeting = "2026,2026-03-03,,S/PV.9990";
    // Tokens and sentences counted by hand; the furniture between and
    // inside the turns is not counted (turn 6 ends before `The meeting rose`).
    let expected = [
        "speech_id,path,country_iso3,country_name,speaker,role,post,year,date,session,meeting,turn,language,encoding,tokens,sentences".to_owned(),
        format!("{id}#001,{path},,,The President,president,,{meeting},1,English,utf-8,11,2"),
        format!("{id}#002,{path},,,Ms. Rivera,other,,{meeting},2,English,utf-8,11,2"),
        format!("{id}#003,{path},FRA,France,Mr. Dubois,representative,,{meeting},3,French,utf-8,7,1"),
        format!("{id}#004,{path},RUS,Russian Federation,Mr. Petrov,representative,,{meeting},4,Russian,utf-8,4,1"),
        format!("{id}#005,{path},,,Hadiza,other,,{meeting},5,French,utf-8,7,2"),
        format!("{id}#006,{path},,,The President,president,,{meeting},6,English,utf-8,11,1"),
    ];
    assert_eq!(
        read(&out, "speeches.csv"),
        expected.join("\n") + "\n",
        "speeches.csv"
    );
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(
        manifest["records"],
        serde_json::json!({
            "files": 1,
            "turns": 6,
            "furniture": {
                "running_heads": 2,
                // 26-01234 (E), the bar code *2601234*, and two beside page numbers.
                "job_numbers": 4,
                "page_numbers": 2,
                "meeting_times": 2,
                "notices": 1,
                // Cover page to the agenda title, less `The meeting was called to order …`.
                "preamble_lines": 12
            }
        })
    );
    assert_eq!(manifest["counts"]["speeches"], 6);
    assert_eq!(manifest["counts"]["encodings"]["utf-8"], 6);
    // Theme hits per country, by hand: `children` twice, and `displaced` and
    // `refugees` once each, without a country (President, Ms. Rivera, Hadiza:
    // 11+11+7+11 tokens),
    // `climate change` for France, `refugees` for the Russian Federation.
    let themes = rows(&read(&out, "theme_counts.csv"));
    let hits = |iso3: &str, theme: &str| {
        themes
            .iter()
            .find(|r| r["country_iso3"] == iso3 && r["theme"] == theme)
            .map(|r| {
                (
                    r["hits"].clone(),
                    r["tokens"].clone(),
                    r["speeches"].clone(),
                )
            })
    };
    assert_eq!(
        hits("", "children_armed_conflict"),
        Some(("2".into(), "40".into(), "4".into()))
    );
    assert_eq!(
        hits("", "displacement"),
        Some(("2".into(), "40".into(), "4".into()))
    );
    assert_eq!(
        hits("FRA", "climate_security"),
        Some(("1".into(), "7".into(), "1".into()))
    );
    assert_eq!(
        hits("RUS", "displacement"),
        Some(("1".into(), "4".into(), "1".into()))
    );
    assert_eq!(
        read(&out, "errors.csv"),
        "path,line,stage,outcome,message\n"
    );
}

#[test]
fn records_tables_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    twelve_records(&corpus);
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_ok(
        &["--records", "-i", s(&corpus), "-o", s(&one), "-j", "1"],
        0,
    );
    run_ok(
        &["--records", "-i", s(&corpus), "-o", s(&two), "-j", "2"],
        0,
    );
    for table in TABLES {
        assert_eq!(read(&one, table), read(&two, table), "{table}");
    }
}

#[test]
fn a_file_without_turns_is_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_files(
        &corpus,
        &[
            (
                "a.txt",
                b"The President: We begin.\nMr. Dupont (France): Refugees.\n",
            ),
            (
                "b.txt",
                b"Just a speech, without any speaker.\nOn two lines.\n",
            ),
        ],
    );
    let out = dir.path().join("out");
    run_ok(&["--records", "-i", s(&corpus), "-o", s(&out)], 1);
    let errors = rows(&read(&out, "errors.csv"));
    let messages: Vec<(String, String, String)> = errors
        .iter()
        .map(|r| (r["path"].clone(), r["stage"].clone(), r["outcome"].clone()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                s(&corpus.join("a.txt")).to_owned(),
                "segment".into(),
                "degraded".into()
            ),
            (
                s(&corpus.join("b.txt")).to_owned(),
                "segment".into(),
                "skipped".into()
            ),
        ]
    );
    assert!(errors[0]["message"].contains("no meeting symbol"));
    assert!(errors[1]["message"].contains("no speaker turn"));
    assert!(errors[1]["message"].contains("in 2 lines"));
    let speeches = rows(&read(&out, "speeches.csv"));
    let ids: Vec<&str> = speeches.iter().map(|r| r["speech_id"].as_str()).collect();
    assert_eq!(ids, ["a.txt#001", "a.txt#002"]);
    assert_eq!(speeches[1]["country_iso3"], "FRA");
    assert_eq!(speeches[1]["meeting"], "");
}

#[test]
fn warnings_about_a_turn_name_it_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_files(
        &corpus,
        &[(
            "c.txt",
            b"S/PV.1\nThe President:\n3/9\nMs. Ray (Atlantis): Hello.\n",
        )],
    );
    let out = dir.path().join("out");
    run_ok(&["--records", "-i", s(&corpus), "-o", s(&out)], 0);
    let errors: Vec<(String, String, String, String)> = rows(&read(&out, "errors.csv"))
        .into_iter()
        .map(|r| {
            (
                r["line"].clone(),
                r["stage"].clone(),
                r["outcome"].clone(),
                r["message"].clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (
                "2".into(),
                "analyze".into(),
                "degraded".into(),
                "turn 1: no words after the speaker header; counted with 0 tokens".into()
            ),
            (
                "4".into(),
                "ingest".into(),
                "degraded".into(),
                "turn 2: country name \"Atlantis\" is not in the country table; kept as \
                 country_name with an empty country_iso3"
                    .into()
            ),
        ]
    );
    let speeches = rows(&read(&out, "speeches.csv"));
    assert_eq!(speeches[1]["meeting"], "S/PV.1");
    assert_eq!(speeches[1]["country_name"], "Atlantis");
    assert_eq!(speeches[1]["tokens"], "1");
}

/// A corpus of twelve records: the fixture's lines rotated, so that each
/// holds other turns.
fn twelve_records(corpus: &Path) {
    fs::create_dir_all(corpus).unwrap();
    let record = fs::read_to_string(fixture_dir().join("S_PV.9990.txt")).unwrap();
    for k in 0..12 {
        let mut lines: Vec<&str> = record.lines().collect();
        lines.rotate_left(12 + k % 5);
        fs::write(corpus.join(format!("r{k:02}.txt")), lines.join("\n")).unwrap();
    }
}

#[test]
fn shards_of_records_merge_into_the_run_tables() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    twelve_records(&corpus);
    let whole = dir.path().join("whole");
    run_ok(&["--records", "-i", s(&corpus), "-o", s(&whole)], 0);
    let partials = dir.path().join("partials");
    for i in 0..3 {
        let shard = format!("{i}/3");
        let out = run(&[
            "count",
            "--records",
            "-i",
            s(&corpus),
            "--shard",
            &shard,
            "--partial",
            s(&partials),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let merged = dir.path().join("merged");
    let out = run(&["merge", s(&partials), "-o", s(&merged)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for table in TABLES {
        assert_eq!(read(&whole, table), read(&merged, table), "{table}");
    }
    let manifest = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&read(dir, "manifest.json")).unwrap()
    };
    let (a, b) = (manifest(&whole), manifest(&merged));
    assert_eq!(a["records"], b["records"]);
    assert_eq!(a["counts"], b["counts"]);
    assert_eq!(a["records"]["files"], 12);
    assert_eq!(a["counts"]["encodings"]["utf-8"], a["counts"]["speeches"]);
    // A shard counted without --records does not add up with the others.
    fs::remove_file(partials.join("agora-partial-0002-of-0003.json")).unwrap();
    let out = run(&[
        "count",
        "-i",
        s(&corpus),
        "--shard",
        "2/3",
        "--partial",
        s(&partials),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["merge", s(&partials), "-o", s(&dir.path().join("mixed"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("records"));
}

#[test]
fn records_refuse_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let fixtures = fixture_dir();
    let refused = run(&[
        "run",
        "--records",
        "-i",
        s(&fixtures),
        "-o",
        s(&out),
        "--cache",
        s(&cache),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("--records cannot be combined with --cache"));
    assert!(!out.exists() && !cache.exists());
    // The same from the configuration file.
    let config = dir.path().join("agora.toml");
    fs::write(&config, "records = true\n").unwrap();
    let refused = run(&[
        "run",
        "--config",
        s(&config),
        "-i",
        s(&fixtures),
        "-o",
        s(&out),
        "--cache",
        s(&cache),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!out.exists());
}

/// The speaker, role and country of a speech, as compared.
fn who(meta: &SpeechMeta) -> (String, &'static str, String, String) {
    (
        meta.speaker.clone(),
        meta.role().label(),
        meta.country_iso3.clone(),
        meta.country_name.clone(),
    )
}

/// Builds the records of `../shared/corpus/unsc2020` into `out` with
/// `scripts/build-records.py`; `None`, with the reason printed, when it
/// cannot.
fn build_records(out: &Path, width: u32) -> Option<std::path::PathBuf> {
    let shared = shared()?;
    let corpus = shared.join("corpus/unsc2020/speeches_txt_2020");
    let built = Command::new("python3")
        .arg(repo().join("scripts/build-records.py"))
        .args(["--corpus", s(&corpus), "--out", s(out)])
        .args(["--width", &width.to_string()])
        .output();
    match built {
        Ok(o) if o.status.success() => Some(corpus),
        Ok(o) => panic!(
            "build-records.py failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => {
            eprintln!("skipped: python3 cannot be run ({e})");
            None
        }
    }
}

/// Segments the records in `records` and compares them with the turn files
/// of `corpus`: (boundary precision, boundary recall, share of turns whose
/// speaker, role and country match, turns).
fn accuracy(records: &Path, corpus: &Path) -> (f64, f64, f64, usize) {
    let truth = fs::read_to_string(records.join("truth.tsv")).unwrap();
    // Per record: the line of each turn's header and its source file.
    let mut expected: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        expected
            .entry(f[0].to_owned())
            .or_default()
            .push((f[2].parse().unwrap(), f[3].to_owned()));
    }
    let (mut found, mut right, mut same_who, mut turns) = (0usize, 0usize, 0usize, 0usize);
    for (name, truth) in &expected {
        let bytes = fs::read(records.join(name)).unwrap();
        let (text, _) = decode(&bytes);
        let record = segment(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        // `S_PV.8706_Resumption1.txt` is the record of `S/PV.8706 (Resumption 1)`.
        let stem = name.trim_end_matches(".txt").replacen("S_PV", "S/PV", 1);
        let symbol = match stem.split_once("_Resumption") {
            Some((meeting, n)) => format!("{meeting} (Resumption {n})"),
            None => stem,
        };
        assert_eq!(record.symbol.as_deref(), Some(&*symbol), "{name}");
        found += record.turns.len();
        turns += truth.len();
        let at: HashMap<usize, &agora_stages::ingest::segment::Turn> =
            record.turns.iter().map(|t| (t.line, t)).collect();
        for (line, source) in truth {
            let Some(turn) = at.get(line) else {
                eprintln!("{name}: missed the turn of {source} at line {line}");
                continue;
            };
            right += 1;
            let bytes = fs::read(corpus.join(source)).unwrap();
            let (file_text, _) = decode(&bytes);
            let file = ingest(source, &file_text);
            let turn = ingest_turn(&record, turn);
            if who(&turn.meta) == who(&file.meta) {
                same_who += 1;
            } else {
                eprintln!(
                    "{name} line {line}: {:?} from the record, {:?} from {source}",
                    who(&turn.meta),
                    who(&file.meta)
                );
            }
        }
        let lines: std::collections::HashSet<usize> = truth.iter().map(|t| t.0).collect();
        for t in record.turns.iter().filter(|t| !lines.contains(&t.line)) {
            eprintln!(
                "{name}: a turn at line {} that is none: {:?}",
                t.line,
                record.turn_text(t).lines().next()
            );
        }
    }
    (
        right as f64 / found as f64,
        right as f64 / turns as f64,
        same_who as f64 / turns as f64,
        turns,
    )
}

#[test]
fn shared_corpus_records_give_back_their_turns() {
    for width in [80, 50, 40, 35] {
        let dir = tempfile::tempdir().unwrap();
        let records = dir.path().join("records");
        let Some(corpus) = build_records(&records, width) else {
            return;
        };
        let (precision, recall, who, turns) = accuracy(&records, &corpus);
        println!(
            "records of ../shared/corpus/unsc2020 at width {width}: {turns} turns, boundary \
             precision {precision:.4}, recall {recall:.4}, speaker+role+country {who:.4}"
        );
        assert!(precision >= 0.99, "precision {precision} at width {width}");
        assert!(recall >= 0.99, "recall {recall} at width {width}");
        assert!(
            who >= 0.99,
            "speaker, role and country {who} at width {width}"
        );
    }
}

#[test]
fn shared_corpus_records_run_like_the_turn_files() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records");
    let Some(corpus) = build_records(&records, 80) else {
        return;
    };
    let (by_file, by_record) = (dir.path().join("files"), dir.path().join("records-out"));
    run_ok(&["-i", s(&corpus), "-o", s(&by_file), "-j", "2"], 0);
    run_ok(
        &[
            "--records",
            "-i",
            s(&records),
            "-o",
            s(&by_record),
            "-j",
            "2",
        ],
        0,
    );
    // Speaker, role and country by (meeting, position of the turn).
    let key = |rows: Vec<HashMap<String, String>>| -> BTreeMap<(String, usize), (String, String, String)> {
        let mut position: HashMap<String, usize> = HashMap::new();
        rows.into_iter()
            .map(|r| {
                let n = position.entry(r["meeting"].clone()).or_default();
                *n += 1;
                (
                    (r["meeting"].clone(), *n),
                    (r["speaker"].clone(), r["role"].clone(), r["country_iso3"].clone()),
                )
            })
            .collect()
    };
    let files = key(rows(&read(&by_file, "speeches.csv")));
    let recs = key(rows(&read(&by_record, "speeches.csv")));
    let same = files
        .iter()
        .filter(|(k, v)| recs.get(*k) == Some(*v))
        .count();
    let share = same as f64 / files.len() as f64;
    println!(
        "agora run --records: {} turns from the records, {} files; speaker+role+country agree on {share:.4}",
        recs.len(),
        files.len()
    );
    assert!(share >= 0.99, "{share}");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&by_record, "manifest.json")).unwrap();
    assert_eq!(manifest["records"]["files"], 41);
}
