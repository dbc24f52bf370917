//! End-to-end tests: the `agora` binary on small fixtures, on `seeds/`, and
//! on `../shared/corpus` when it is present.

mod common;

use std::fs;

use common::*;

const DICTIONARY: &str = r#"
[themes.women]
terms = ["women", "women and peace and security"]
[themes.climate]
terms = ["climate", "sea-level rise"]
[themes.displacement]
terms = ["refugee*", "internally displaced persons"]
"#;

/// Runs `agora run` on `DIR/corpus` with `DIR/themes.toml` into `DIR/out`,
/// expecting exit status `code`.
fn run_fixture(dir: &std::path::Path, code: i32) {
    run_fixture_with(dir, "out", &[], code);
}

/// The same into `DIR/out_name`, with `extra` arguments.
fn run_fixture_with(dir: &std::path::Path, out_name: &str, extra: &[&str], code: i32) {
    let (corpus, themes, out) = (
        dir.join("corpus"),
        dir.join("themes.toml"),
        dir.join(out_name),
    );
    let mut args = vec!["-i", s(&corpus), "-t", s(&themes), "-o", s(&out)];
    args.extend_from_slice(extra);
    run_ok(&args, code);
}

/// Three speeches whose every count is worked out by hand in the asserts.
fn fixture(root: &std::path::Path) {
    write_files(
        root,
        &[
            ("corpus/unsc/UNSC_2020_SPV.8001_spch001.txt", "Mr. Dupont (France) (spoke in French): Women and peace and security matter. Refugees and women need help.\r\n".as_bytes()),
            // Windows-1252, with an en dash (0x96).
            ("corpus/unsc/UNSC_2020_SPV.8001_spch002.txt", b"The President: Climate change brings sea-level rise and refugees \x96 now.\r\n"),
            ("corpus/ungdc/FRA_75_2020.txt", "\u{FEFF}Climate matters.\nWomen too.\n".as_bytes()),
            ("themes.toml", DICTIONARY.as_bytes()),
        ],
    );
}

#[test]
fn fixture_tables_match_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let (corpus, out) = (dir.path().join("corpus"), dir.path().join("out"));
    run_ok(
        &[
            "--input",
            s(&corpus),
            "--themes",
            s(&dir.path().join("themes.toml")),
            "--out",
            s(&out),
        ],
        0,
    );

    let c = s(&corpus);
    assert_eq!(
        read(&out, "speeches.csv"),
        format!(
            "speech_id,path,country_iso3,country_name,speaker,role,post,year,date,session,meeting,turn,language,encoding,tokens,sentences\n\
             ungdc/FRA_75_2020.txt,{c}/ungdc/FRA_75_2020.txt,FRA,France,,representative,,2020,,75,,,,utf-8-bom,4,2\n\
             unsc/UNSC_2020_SPV.8001_spch001.txt,{c}/unsc/UNSC_2020_SPV.8001_spch001.txt,FRA,France,Mr. Dupont,representative,,2020,,,S/PV.8001,1,French,utf-8,11,2\n\
             unsc/UNSC_2020_SPV.8001_spch002.txt,{c}/unsc/UNSC_2020_SPV.8001_spch002.txt,,,The President,president,,2020,,,S/PV.8001,2,English,windows-1252,9,1\n"
        )
    );
    // Empty country: the President (9 tokens: climate + sea-level rise, refugees).
    // France: 11 + 4 tokens; women = 1 phrase + 1 word + 1 word.
    assert_eq!(
        read(&out, "theme_counts.csv"),
        "country_iso3,country_name,year,theme,hits,tokens,rate_per_10k,speeches,speeches_with_theme\n\
         ,,2020,climate,2,9,2222.222222,1,1\n\
         ,,2020,displacement,1,9,1111.111111,1,1\n\
         ,,2020,women,0,9,0.000000,1,0\n\
         FRA,France,2020,climate,1,15,666.666667,2,1\n\
         FRA,France,2020,displacement,1,15,666.666667,2,1\n\
         FRA,France,2020,women,3,15,2000.000000,2,2\n"
    );
    // France by sentence: {women}, {displacement, women}, {climate}, {women}:
    // N = 4, n_displacement = 1, n_women = 3, n_ab = 1 → pmi = log2(4/3).
    // By speech: {displacement, women}, {climate, women}: N = 2.
    assert_eq!(
        read(&out, "theme_cooccurrence.csv"),
        "country_iso3,country_name,unit,theme_a,theme_b,n_units,n_a,n_b,n_ab,pmi,npmi,llr,jaccard\n\
         ,,sentence,climate,displacement,1,1,1,1,0.000000,1.000000,0.000000,1.000000\n\
         ,,speech,climate,displacement,1,1,1,1,0.000000,1.000000,0.000000,1.000000\n\
         FRA,France,sentence,displacement,women,4,1,3,1,0.415037,0.207519,0.679596,0.333333\n\
         FRA,France,speech,climate,women,2,1,2,1,0.000000,0.000000,0.000000,0.500000\n\
         FRA,France,speech,displacement,women,2,1,2,1,0.000000,0.000000,0.000000,0.500000\n"
    );
    assert_eq!(
        read(&out, "keyword_counts.csv"),
        "country_iso3,country_name,theme,term,hits\n\
         ,,climate,climate,1\n\
         ,,climate,sea-level rise,1\n\
         ,,displacement,refugee*,1\n\
         FRA,France,climate,climate,1\n\
         FRA,France,displacement,refugee*,1\n\
         FRA,France,women,women,2\n\
         FRA,France,women,women and peace and security,1\n"
    );
    assert_eq!(
        read(&out, "errors.csv"),
        "path,line,stage,outcome,message\n"
    );

    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["counts"]["speeches"], 3);
    assert_eq!(manifest["counts"]["tokens"], 24);
    assert_eq!(manifest["counts"]["encodings"]["windows-1252"], 1);
    assert_eq!(manifest["tables"]["theme_counts.csv"]["rows"], 6);
    assert_eq!(manifest["dictionary"]["terms"], 6);
    assert_eq!(manifest["dictionary"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn default_run_on_seeds_writes_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run_ok(&["--out", s(&out)], 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("agora: 47 speeches"), "{stderr}");
    for table in TABLES {
        let text = read(&out, table);
        assert!(text.ends_with('\n') && !text.contains('\r'), "{table}");
    }
    let speeches = read(&out, "speeches.csv");
    assert_eq!(speeches.lines().count(), 48);
    // The damaged header: the President, French, the spilled sentence counted.
    let damaged = speeches
        .lines()
        .find(|l| l.starts_with("unsc/UNSC_2021_SPV.9001_spch003.txt"))
        .unwrap();
    assert!(
        damaged.contains(",The President,president,,2021,,,S/PV.9001,3,French,utf-8,"),
        "{damaged}"
    );
    // The General Debate speakers table is joined.
    assert!(
        speeches.contains("ungdc/Session 76 - 2021/BRA_76_2021.txt,"),
        "{speeches}"
    );
    assert_eq!(speeches.matches(",windows-1252,").count(), 2);
    assert_eq!(speeches.matches(",utf-8-bom,").count(), 2);
    // Every theme of the dictionary has hits somewhere.
    let counts = read(&out, "keyword_counts.csv");
    for theme in [
        "children_armed_conflict",
        "climate_security",
        "terrorism",
        "women_peace_security",
    ] {
        assert!(counts.contains(&format!(",{theme},")), "{theme}");
    }
    // The one speaker whose parenthetical is not a country is reported.
    let errors = read(&out, "errors.csv");
    assert_eq!(errors.lines().count(), 2, "{errors}");
    assert!(errors.contains("UNSC_2021_SPV.9001_spch004.txt,,ingest,degraded,"));
}

#[test]
fn term_hits_add_up_to_theme_hits() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&["--out", s(&out)], 0);
    let mut sums: std::collections::BTreeMap<(String, String, String), (i64, i64)> =
        Default::default();
    let mut add = |table: &str, theme_col: usize, hits_col: usize, slot: usize| {
        let text = read(&out, table);
        for r in csv::Reader::from_reader(text.as_bytes()).records() {
            let r = r.unwrap();
            let key = (r[0].to_owned(), r[1].to_owned(), r[theme_col].to_owned());
            let hits: i64 = r[hits_col].parse().unwrap();
            let entry = sums.entry(key).or_default();
            if slot == 0 {
                entry.0 += hits
            } else {
                entry.1 += hits
            }
        }
    };
    add("theme_counts.csv", 3, 4, 0);
    add("keyword_counts.csv", 2, 4, 1);
    assert!(sums.values().any(|&(t, _)| t > 0));
    for (key, (theme, terms)) in sums {
        assert_eq!(theme, terms, "{key:?}");
    }
}

#[test]
fn output_is_identical_for_any_thread_count_with_uneven_files() {
    // One large file first, then many small ones: workers finish far out of
    // order, which the reorder buffer must undo.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let mut files = vec![(
        "a000.txt".to_owned(),
        "Women and refugees and climate. ".repeat(20_000),
    )];
    for i in 1..300 {
        let text = match i % 3 {
            0 => "Refugees need help. Women lead.".to_owned(),
            1 => format!("Climate {i}. Sea-level rise and women."),
            _ => String::new(),
        };
        files.push((format!("a{i:03}.txt"), text));
    }
    let owned: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    write_files(&corpus, &owned);
    fs::write(dir.path().join("themes.toml"), DICTIONARY).unwrap();
    let themes = dir.path().join("themes.toml");
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    run_ok(
        &["-i", s(&corpus), "-t", s(&themes), "-j", "1", "-o", s(&one)],
        0,
    );
    run_ok(
        &[
            "-i",
            s(&corpus),
            "-t",
            s(&themes),
            "-j",
            "4",
            "-o",
            s(&four),
        ],
        0,
    );
    for table in TABLES {
        assert_eq!(read(&one, table), read(&four, table), "{table} differs");
    }
    assert_eq!(read(&one, "speeches.csv").lines().count(), 301);
}

#[test]
fn binary_empty_and_bom_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write_files(
        &corpus,
        &[
            ("junk.txt", &junk),
            ("empty.txt", b""),
            // Two byte-order marks before a Security Council header.
            (
                "UNSC_2020_SPV.1_spch001.txt",
                "\u{FEFF}\u{FEFF}Mr. X (France): Women.".as_bytes(),
            ),
        ],
    );
    fs::write(dir.path().join("themes.toml"), DICTIONARY).unwrap();
    let out = dir.path().join("out");
    run_fixture(dir.path(), 1);
    let errors = read(&out, "errors.csv");
    assert!(
        errors.contains("junk.txt,,read,skipped,\"looks like a binary file"),
        "{errors}"
    );
    assert!(
        errors.contains("empty.txt,,analyze,degraded,empty file; counted with 0 tokens"),
        "{errors}"
    );
    assert_eq!(errors.lines().count(), 3, "{errors}");
    let speeches = read(&out, "speeches.csv");
    assert!(
        speeches.contains("UNSC_2020_SPV.1_spch001.txt,")
            && speeches.contains(",FRA,France,Mr. X,representative,"),
        "{speeches}"
    );
    assert!(speeches.contains(",utf-8-bom,1,1\n"), "{speeches}");
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, four) = (dir.path().join("one"), dir.path().join("four"));
    run_ok(&["--threads", "1", "--out", s(&one)], 0);
    run_ok(&["--threads", "4", "--out", s(&four)], 0);
    for table in TABLES {
        assert_eq!(read(&one, table), read(&four, table), "{table} differs");
    }
}

#[test]
fn a_bad_dictionary_is_refused_and_leaves_the_previous_tables() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let (corpus, out, themes) = (
        dir.path().join("corpus"),
        dir.path().join("out"),
        dir.path().join("themes.toml"),
    );
    run_ok(&["-i", s(&corpus), "-t", s(&themes), "-o", s(&out)], 0);
    let before = read(&out, "theme_counts.csv");
    fs::write(
        &themes,
        "[themes.a]\nterms = [\"ok\",\n  \"peace oper*\"]\n",
    )
    .unwrap();
    let output = run_ok(&["-i", s(&corpus), "-t", s(&themes), "-o", s(&out)], 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("themes.toml: line 3:") && stderr.contains("inside a phrase"),
        "{stderr}"
    );
    assert_eq!(read(&out, "theme_counts.csv"), before);
    // corpus, themes.toml, out and the lock beside it.
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        4,
        "no temporary folder is left behind"
    );
}

#[test]
fn a_missing_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_ok(
        &[
            "-i",
            "/nonexistent/corpus",
            "-o",
            s(&dir.path().join("out")),
        ],
        2,
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/corpus does not exist"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn out_that_is_a_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::write(&out, "not a folder").unwrap();
    let output = run_ok(&["-o", s(&out)], 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a folder"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "not a folder");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_txt_is_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let corpus = dir.path().join("corpus");
    let fifo = corpus.join("pipe.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = dir.path().join("out");
    run_fixture(dir.path(), 1);
    let errors = read(&out, "errors.csv");
    assert!(
        errors.contains("pipe.txt,,discover,skipped,\"named like a speech but not a regular file"),
        "{errors}"
    );
    assert_eq!(read(&out, "speeches.csv").lines().count(), 4);
}

#[test]
fn metadata_csv_overrides_names() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let corpus = dir.path().join("corpus");
    let meta = dir.path().join("meta.csv");
    fs::write(&meta, "file,country,year,date,speaker\nungdc/FRA_75_2020.txt,Viet Nam,2021,2021-09-21,Mr. Nguyen\nnope.txt,France,,,\n").unwrap();
    let out = dir.path().join("out");
    run_ok(
        &[
            "-i",
            s(&corpus),
            "-t",
            s(&dir.path().join("themes.toml")),
            "-m",
            s(&meta),
            "-o",
            s(&out),
        ],
        0,
    );
    let speeches = read(&out, "speeches.csv");
    assert!(
        speeches.contains(",VNM,Viet Nam,Mr. Nguyen,representative,,2021,2021-09-21,75,"),
        "{speeches}"
    );
    let errors = read(&out, "errors.csv");
    assert!(
        errors.contains(
            "meta.csv,3,metadata,ignored,\"file \"\"nope.txt\"\" is not a speech of the corpus"
        ),
        "{errors}"
    );
}

#[test]
fn help_explains_every_option() {
    let output = run(&["run", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--input",
        "--metadata",
        "--themes",
        "--out",
        "--threads",
        "seeds/corpus",
        "output",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let output = run(&["--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("Exit status") && help.contains("run"),
        "{help}"
    );
}

#[test]
fn by_year_adds_the_year_to_the_cooccurrence_key() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let (plain, yearly) = (dir.path().join("plain"), dir.path().join("yearly"));
    run_fixture_with(dir.path(), "plain", &[], 0);
    run_fixture_with(dir.path(), "yearly", &["--by", "year"], 0);
    // Every speech of the fixture is from 2020: the same rows, with the year.
    let expected: String = read(&plain, "theme_cooccurrence.csv")
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let (country, rest) = line.split_at(line.match_indices(',').nth(1).unwrap().0);
            let year = if i == 0 { ",year" } else { ",2020" };
            format!("{country}{year}{rest}\n")
        })
        .collect();
    assert_eq!(read(&yearly, "theme_cooccurrence.csv"), expected);
    assert_eq!(
        read(&yearly, "theme_counts.csv"),
        read(&plain, "theme_counts.csv")
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&yearly, "manifest.json")).unwrap();
    assert_eq!(manifest["options"]["by"][0], "year");
}

#[test]
fn tables_selects_what_is_computed_and_written() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    run_fixture(dir.path(), 0);
    let out = dir.path().join("out");
    assert!(out.join("keyword_counts.csv").exists());
    run_fixture_with(dir.path(), "out", &["--tables", "themes"], 0);
    let mut files: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // The tables of the earlier run that were not asked for are gone.
    let mut expected = vec![
        "datapackage.json",
        "errors.csv",
        "manifest.json",
        "report.html",
        "speeches.csv",
        "theme_counts.csv",
    ];
    if cfg!(feature = "parquet") {
        expected.extend(["errors.parquet", "speeches.parquet", "theme_counts.parquet"]);
        expected.sort();
    }
    assert_eq!(files, expected);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["options"]["tables"], serde_json::json!(["themes"]));
    let output = run(&["run", "--tables", "themes,nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'nope'"));
}

#[test]
fn keyness_matches_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("corpus/FRA_75_2020.txt", b"Climate climate CLIMATE peace."),
            ("corpus/NER_75_2020.txt", b"Peace peace security."),
            ("themes.toml", DICTIONARY.as_bytes()),
        ],
    );
    run_fixture_with(dir.path(), "out", &["--min-count", "1"], 0);
    // N = 7 tokens; France 4 (climat 3, peac 1), Niger 3 (peac 2, secur 1).
    // France, climat: O = [[3, 1], [0, 3]], E = [[12/7, 16/7], [9/7, 12/7]]:
    //   G² = 2·(3 ln(7/4) + ln(7/16) + 3 ln(7/4)) = 5.062032, χ² = 3.937500.
    // France, peac: 1/4 in France against 2/3 elsewhere: not over-represented.
    // Niger: secur (G² 1.922543) before peac (G² 1.242947).
    assert_eq!(
        read(&dir.path().join("out"), "keyness.csv"),
        "country_iso3,country_name,rank,stem,term,count,country_tokens,other_count,other_tokens,g2,chi2\n\
         FRA,France,1,climat,climate,3,4,0,3,5.062032,3.937500\n\
         NER,Niger,1,secur,security,1,3,0,4,1.922543,1.555556\n\
         NER,Niger,2,peac,peace,2,3,1,4,1.242947,1.215278\n"
    );
    // A stop word is left out of keyness, and still counted as a token.
    fs::write(dir.path().join("stop.txt"), "# mine\nclimate\n").unwrap();
    let stop = dir.path().join("stop.txt");
    run_fixture_with(
        dir.path(),
        "out2",
        &["--min-count", "1", "--stopwords", s(&stop)],
        0,
    );
    let keyness = read(&dir.path().join("out2"), "keyness.csv");
    assert!(!keyness.contains("climat"), "{keyness}");
    assert!(
        keyness.contains("NER,Niger,1,secur,security,1,3,0,4,"),
        "{keyness}"
    );
    // The default minimum count (3) keeps only France's climat.
    run_fixture_with(dir.path(), "out3", &[], 0);
    assert_eq!(
        read(&dir.path().join("out3"), "keyness.csv")
            .lines()
            .count(),
        2
    );
}

#[test]
fn collocates_match_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            //                         0      1    2    3        4   5       6        7
            (
                "corpus/FRA_75_2020.txt",
                b"Rising seas hurt refugees and climate refugees suffer.",
            ),
            ("themes.toml", DICTIONARY.as_bytes()),
        ],
    );
    run_fixture_with(dir.path(), "out", &["--window", "2", "--min-count", "1"], 0);
    // N = 8 tokens. displacement: hits 3 and 6, windows {1, 2, 4, 5, 7}
    // (W = 5; `and` is a stop word: a window token, not a collocate).
    // climate: hit 5, window {3, 4, 6, 7} (W = 4), refuge twice.
    // climate, refuge: O = 2, f = 2: [[2, 2], [0, 4]] against E = [[1, 3], [1, 3]]:
    //   llr = 2·(2 ln 2 + 2 ln(2/3) + 4 ln(4/3)) = 3.452185, pmi = log2(2·8 / (4·2)) = 1.
    assert_eq!(
        read(&dir.path().join("out"), "collocates.csv"),
        "country_iso3,country_name,theme,rank,stem,term,count,window_tokens,stem_count,country_tokens,llr,pmi\n\
         FRA,France,climate,1,refuge,refugees,2,4,2,8,3.452185,1.000000\n\
         FRA,France,climate,2,suffer,suffer,1,4,1,8,1.529641,1.000000\n\
         FRA,France,displacement,1,climat,climate,1,5,1,8,1.024298,0.678072\n\
         FRA,France,displacement,2,hurt,hurt,1,5,1,8,1.024298,0.678072\n\
         FRA,France,displacement,3,sea,seas,1,5,1,8,1.024298,0.678072\n\
         FRA,France,displacement,4,suffer,suffer,1,5,1,8,1.024298,0.678072\n"
    );
}
