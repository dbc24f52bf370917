//! End-to-end tests of the languages: short speeches written for these
//! tests in French, Spanish, Russian, Arabic, Chinese and English, counted
//! with `--language` and with a `language` metadata column, against counts
//! and stems worked out by hand (each stem checked against `rust-stemmers`
//! and the Snowball 3 Python package, which agree on every word here).

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{read, run, run_ok, s, write_files};

/// The rows of a CSV table, as maps from column name to value.
fn rows(dir: &Path, name: &str) -> Vec<HashMap<String, String>> {
    common::rows(&read(dir, name))
}

/// Theme hits per (country, theme), zero rows left out.
fn hits(dir: &Path) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = rows(dir, "theme_counts.csv")
        .into_iter()
        .map(|r| {
            (
                r["country_iso3"].clone(),
                r["theme"].clone(),
                r["hits"].parse().expect("hits is a number"),
            )
        })
        .filter(|(_, _, n)| *n > 0)
        .collect();
    out.sort();
    out
}

/// (country, tokens, sentences) of every speech.
fn speeches(dir: &Path) -> Vec<(String, u64, u64)> {
    rows(dir, "speeches.csv")
        .into_iter()
        .map(|r| {
            (
                r["country_iso3"].clone(),
                r["tokens"].parse().expect("tokens"),
                r["sentences"].parse().expect("sentences"),
            )
        })
        .collect()
}

fn h(country: &str, theme: &str, n: u64) -> (String, String, u64) {
    (country.into(), theme.into(), n)
}

// 22 tokens, 3 sentences. l'ONU is one token, `onu` once the article is
// dropped; changements climatiques = chang climat; réfugiés and réfugiées
// = réfugi; climat* takes the last word (climatiques is inside the phrase).
const FR1: &str = "La France salue l'ONU. Les changements climatiques menacent les réfugiés \
                   et les réfugiées. L’Organisation des Nations Unies doit agir face au climat.";
// 21 tokens, 2 sentences: l'ONU, réfugiés, climat, paix.
const FR2: &str = "Le Canada s’engage aux côtés de l'ONU pour les réfugiés d'Afrique. \
                   Qu'il s'agisse du climat ou de la paix, nous agirons.";
// 19 tokens, 3 sentences. mujeres = mujer but mujer = muj (the stemmer's,
// and Snowball 3's), so the dictionary lists both; refugiados, refugiada
// = refugi; cambio climático = cambi climat.
const ES: &str = "Las mujeres y los niños refugiados sufren. La mujer refugiada pide paz. \
                  El cambio climático desplaza a los refugiados.";
// 17 tokens, 3 sentences. Беженцы, беженцев = беженц; изменения климата =
// изменен климат; Объединённых is folded to объединенных = объединен.
const RU: &str = "Беженцы и женщины страдают от изменения климата. Совет Безопасности \
                  обсуждает положение беженцев. Всё решит Организация Объединённых Наций.";
// 14 tokens, 3 sentences. اللاجئون and اللاجـئين (with a tatweel) = لاجء;
// تغير المناخ = تغير مناخ; الأمم المتحدة = امم متحد; السَّلَام (vowelled) = سلام.
// والنساء stays whole (the stemmer does not take off و here), so the term
// النساء (= نساء) does not match it.
const AR: &str = "يعاني اللاجئون والنساء من تغير المناخ. تدعم مصر الأمم المتحدة. \
                  اللاجـئين بحاجة إلى السَّلَام.";
// 24 tokens (one per Han character), 3 sentences (。 and ！ end them).
const ZH: &str = "中国支持联合国。气候变化影响难民和妇女。我们呼吁和平！";
// 14 tokens, 3 sentences.
const EN: &str = "The United Nations must protect refugees and women. Climate change drives \
                  displacement. Peace matters.";

/// One dictionary for every language: each theme lists its terms per
/// language, and `terms` count in all of them (`ONU` is French and Spanish).
const THEMES: &str = r#"
[themes.climate]
en = ["climate change"]
fr = ["changement climatique", "climat*"]
es = ["cambio climático"]
ru = ["изменение климата"]
ar = ["تغير المناخ"]
zh = ["气候变化"]
[themes.peace]
en = ["peace"]
fr = ["paix"]
es = ["paz"]
ar = ["السلام"]
zh = ["和平"]
[themes.refugees]
en = ["refugees"]
fr = ["réfugiés"]
es = ["refugiados"]
ru = ["беженцы"]
ar = ["اللاجئين"]
zh = ["难民"]
[themes.un]
terms = ["ONU"]
en = ["United Nations"]
fr = ["Nations Unies"]
es = ["Naciones Unidas"]
ru = ["Организация Объединенных Наций"]
ar = ["الأمم المتحدة"]
zh = ["联合国"]
[themes.women]
en = ["women"]
fr = ["femmes"]
es = ["mujer", "mujeres"]
ru = ["женщины"]
ar = ["النساء"]
zh = ["妇女"]
"#;

/// The corpus, with a metadata table giving each speech its country and,
/// with `languages`, its language.
fn corpus(root: &Path, languages: bool) {
    write_files(
        root,
        &[
            ("fr1.txt", FR1.as_bytes()),
            ("fr2.txt", FR2.as_bytes()),
            ("es.txt", ES.as_bytes()),
            ("ru.txt", RU.as_bytes()),
            ("ar.txt", AR.as_bytes()),
            ("zh.txt", ZH.as_bytes()),
            ("en.txt", EN.as_bytes()),
            ("themes.toml", THEMES.as_bytes()),
        ],
    );
    let meta = match languages {
        true => {
            "file,country,year,language\nfr1.txt,FRA,2023,fr\nfr2.txt,CAN,2023,French\n\
             es.txt,MEX,2023,es\nru.txt,RUS,2023,ru\nar.txt,EGY,2023,ar\nzh.txt,CHN,2023,zh\n\
             en.txt,GBR,2023,\n"
        }
        false => {
            "file,country,year\nfr1.txt,FRA,2023\nfr2.txt,CAN,2023\nes.txt,MEX,2023\n\
             ru.txt,RUS,2023\nar.txt,EGY,2023\nzh.txt,CHN,2023\nen.txt,GBR,2023\n"
        }
    };
    std::fs::write(root.join("meta.csv"), meta).expect("write metadata");
}

#[test]
fn every_language_from_the_metadata_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    corpus(&input, true);
    let (themes, meta) = (input.join("themes.toml"), input.join("meta.csv"));
    // Every table, at one thread and at three: the same bytes.
    let all = dir.path().join("all");
    run_ok(
        &[
            "--input",
            s(&input),
            "--metadata",
            s(&meta),
            "--themes",
            s(&themes),
            "--out",
            s(&all),
            "--terms",
            "--min-count",
            "1",
            "--threads",
            "3",
            "--quiet",
        ],
        0,
    );
    for threads in ["1", "3"] {
        run_ok(
            &[
                "--input",
                s(&input),
                "--metadata",
                s(&meta),
                "--themes",
                s(&themes),
                "--out",
                s(&out),
                "--terms",
                "--min-count",
                "1",
                "--threads",
                threads,
                "--quiet",
            ],
            0,
        );
        for table in [
            "speeches.csv",
            "theme_counts.csv",
            "theme_cooccurrence.csv",
            "keyword_counts.csv",
            "collocates.csv",
            "keyness.csv",
            "term_counts.csv",
        ] {
            assert_eq!(
                read(&out, table),
                read(&all, table),
                "{table}, --threads {threads}"
            );
        }
        assert_eq!(
            hits(&out),
            [
                h("CAN", "climate", 1),
                h("CAN", "peace", 1),
                h("CAN", "refugees", 1),
                h("CAN", "un", 1),
                h("CHN", "climate", 1),
                h("CHN", "peace", 1),
                h("CHN", "refugees", 1),
                h("CHN", "un", 1),
                h("CHN", "women", 1),
                h("EGY", "climate", 1),
                h("EGY", "peace", 1),
                h("EGY", "refugees", 2),
                h("EGY", "un", 1),
                h("FRA", "climate", 2),
                h("FRA", "refugees", 2),
                h("FRA", "un", 2),
                h("GBR", "climate", 1),
                h("GBR", "peace", 1),
                h("GBR", "refugees", 1),
                h("GBR", "un", 1),
                h("GBR", "women", 1),
                h("MEX", "climate", 1),
                h("MEX", "peace", 1),
                h("MEX", "refugees", 3),
                h("MEX", "women", 2),
                h("RUS", "climate", 1),
                h("RUS", "refugees", 2),
                h("RUS", "un", 1),
                h("RUS", "women", 1),
            ],
            "--threads {threads}"
        );
    }
    // Speeches in file-name order: ar, en, es, fr1, fr2, ru, zh.
    assert_eq!(
        speeches(&out),
        [
            ("EGY".into(), 14, 3),
            ("GBR".into(), 14, 3),
            ("MEX".into(), 19, 3),
            ("FRA".into(), 22, 3),
            ("CAN".into(), 21, 2),
            ("RUS".into(), 17, 3),
            ("CHN".into(), 24, 3),
        ]
    );
    // The terms that won, each in its own language.
    let mut keywords: Vec<(String, String, String)> = rows(&out, "keyword_counts.csv")
        .into_iter()
        .filter(|r| ["FRA", "MEX"].contains(&r["country_iso3"].as_str()))
        .map(|r| {
            (
                r["country_iso3"].clone(),
                r["term"].clone(),
                r["hits"].clone(),
            )
        })
        .collect();
    keywords.sort();
    let k = |c: &str, t: &str, n: &str| (c.to_owned(), t.to_owned(), n.to_owned());
    assert_eq!(
        keywords,
        [
            k("FRA", "Nations Unies", "1"),
            k("FRA", "ONU", "1"),
            k("FRA", "changement climatique", "1"),
            k("FRA", "climat*", "1"),
            k("FRA", "réfugiés", "2"),
            k("MEX", "cambio climático", "1"),
            k("MEX", "mujer", "1"),
            k("MEX", "mujeres", "1"),
            k("MEX", "paz", "1"),
            k("MEX", "refugiados", "3"),
        ]
    );
    // Stems, their commonest form and the stop words, in each language.
    let terms: HashMap<(String, String), (String, String)> = rows(&out, "term_counts.csv")
        .into_iter()
        .map(|r| {
            (
                (r["country_iso3"].clone(), r["stem"].clone()),
                (r["term"].clone(), r["count"].clone()),
            )
        })
        .collect();
    let term = |c: &str, stem: &str| {
        terms
            .get(&(c.to_owned(), stem.to_owned()))
            .map(|(t, n)| (t.as_str(), n.as_str()))
    };
    assert_eq!(term("FRA", "onu"), Some(("onu", "1")));
    assert_eq!(term("FRA", "réfugi"), Some(("réfugiés", "2")));
    assert_eq!(term("FRA", "organis"), Some(("organisation", "1")));
    assert_eq!(term("FRA", "les"), None, "a French stop word");
    assert_eq!(term("CAN", "il"), None, "qu'il is il, a stop word");
    assert_eq!(term("CAN", "afriqu"), Some(("afrique", "1")));
    assert_eq!(term("MEX", "refugi"), Some(("refugiados", "3")));
    assert_eq!(term("MEX", "muj"), Some(("mujer", "1")));
    assert_eq!(term("MEX", "los"), None, "a Spanish stop word");
    assert_eq!(term("RUS", "беженц"), Some(("беженцев", "2")));
    assert_eq!(term("RUS", "объединен"), Some(("объединенных", "1")));
    assert_eq!(term("RUS", "от"), None, "a Russian stop word");
    assert_eq!(term("EGY", "لاجء"), Some(("اللاجئون", "2")));
    assert_eq!(term("EGY", "سلام"), Some(("السلام", "1")));
    assert_eq!(term("EGY", "من"), None, "an Arabic stop word");
    assert_eq!(term("CHN", "国"), Some(("国", "2")));
    assert_eq!(term("CHN", "和"), None, "a Chinese stop word");
    assert_eq!(term("GBR", "refuge"), Some(("refugees", "1")));
    assert_eq!(
        read(&out, "errors.csv"),
        "path,line,stage,outcome,message\n"
    );
}

#[test]
fn the_language_option_and_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, false);
    for name in ["es.txt", "ru.txt", "ar.txt", "zh.txt", "en.txt"] {
        std::fs::remove_file(input.join(name)).unwrap();
    }
    let meta = input.join("meta.csv");
    std::fs::write(
        &meta,
        "file,country,year\nfr1.txt,FRA,2023\nfr2.txt,CAN,2023\n",
    )
    .unwrap();
    let themes = input.join("themes.toml");
    let out = dir.path().join("out");
    let args = |out: &Path| {
        vec![
            "--input".to_owned(),
            s(&input).to_owned(),
            "--metadata".to_owned(),
            s(&meta).to_owned(),
            "--themes".to_owned(),
            s(&themes).to_owned(),
            "--out".to_owned(),
            s(out).to_owned(),
            "--tables".to_owned(),
            "themes".to_owned(),
            "--quiet".to_owned(),
        ]
    };
    let french = [
        h("CAN", "climate", 1),
        h("CAN", "peace", 1),
        h("CAN", "refugees", 1),
        h("CAN", "un", 1),
        h("FRA", "climate", 2),
        h("FRA", "refugees", 2),
        h("FRA", "un", 2),
    ];
    let mut with_flag = args(&out);
    with_flag.extend(["--language".to_owned(), "fr".to_owned()]);
    let with_flag: Vec<&str> = with_flag.iter().map(String::as_str).collect();
    run_ok(&with_flag, 0);
    assert_eq!(hits(&out), french);
    let manifest = read(&out, "manifest.json");
    assert!(manifest.contains("\"language\": \"fr\""), "{manifest}");

    // Counted as English, the French speeches meet only `terms` and the
    // `en` lists, and `l'onu` keeps its article: nothing matches.
    let out_en = dir.path().join("out-en");
    let plain = args(&out_en);
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    run_ok(&plain, 0);
    assert_eq!(hits(&out_en), []);

    // From a configuration file; the command line wins over it.
    let config = dir.path().join("agora.toml");
    std::fs::write(&config, "language = \"fr\"\n").unwrap();
    let out_cfg = dir.path().join("out-cfg");
    let mut from_file = vec!["--config", s(&config)];
    let rest = args(&out_cfg);
    from_file.extend(rest.iter().map(String::as_str));
    run_ok(&from_file, 0);
    assert_eq!(hits(&out_cfg), french);
    from_file.extend(["--language", "en"]);
    run_ok(&from_file, 0);
    assert_eq!(hits(&out_cfg), hits(&out_en));

    // An unknown language is a usage error.
    let mut bad = vec!["run"];
    bad.extend(plain.iter().copied());
    bad.extend(["--language", "de"]);
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(&config, "language = \"german\"\n").unwrap();
    let out = run(&from_file[..from_file.len() - 2]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unknown_language_in_the_metadata_is_reported_and_the_run_language_used() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, true);
    let meta = input.join("meta.csv");
    std::fs::write(
        &meta,
        "file,country,year,language\nfr1.txt,FRA,2023,fr\nfr2.txt,CAN,2023,klingon\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    run_ok(
        &[
            "--input",
            s(&input),
            "--metadata",
            s(&meta),
            "--themes",
            s(&input.join("themes.toml")),
            "--out",
            s(&out),
            "--tables",
            "themes",
            "--language",
            "es",
            "--quiet",
        ],
        0,
    );
    let errors = rows(&out, "errors.csv");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], "3");
    assert_eq!(errors[0]["outcome"], "ignored");
    assert!(
        errors[0]["message"].contains("language \"klingon\" is not one Agora counts"),
        "{errors:?}"
    );
    // fr2 is counted in Spanish, the run's language: only `terms` and the
    // `es` lists count, and `l'onu` keeps its article in Spanish, so CAN has
    // no hit; fr1 is French as its row says. The speeches without a row are
    // Spanish too, and without a country: es.txt has the hits of MEX above,
    // the others none.
    assert_eq!(
        hits(&out),
        [
            h("", "climate", 1),
            h("", "peace", 1),
            h("", "refugees", 3),
            h("", "women", 2),
            h("FRA", "climate", 2),
            h("FRA", "refugees", 2),
            h("FRA", "un", 2),
        ]
    );
}

#[test]
fn partials_of_different_languages_are_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, false);
    let partials = dir.path().join("partials");
    for (shard, language) in [("0/2", "en"), ("1/2", "fr")] {
        let out = run(&[
            "count",
            "--input",
            s(&input),
            "--themes",
            s(&input.join("themes.toml")),
            "--shard",
            shard,
            "--partial",
            s(&partials),
            "--language",
            language,
            "--quiet",
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let out = run(&["merge", s(&partials), "--out", s(&dir.path().join("out"))]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("language"), "{stderr}");
}

#[test]
fn a_cache_made_in_another_language_is_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    corpus(&input, false);
    let cache = dir.path().join("cache");
    let meta = input.join("meta.csv");
    let themes = input.join("themes.toml");
    let count = |language: &str, cache: Option<&Path>, out: &Path| {
        let mut args = vec![
            "--input",
            s(&input),
            "--metadata",
            s(&meta),
            "--themes",
            s(&themes),
            "--out",
            s(out),
            "--language",
            language,
            "--quiet",
        ];
        if let Some(cache) = cache {
            args.extend(["--cache", s(cache)]);
        }
        run_ok(&args, 0);
    };
    let (cached, fresh) = (dir.path().join("cached"), dir.path().join("fresh"));
    count("en", Some(&cache), &cached);
    count("fr", Some(&cache), &cached);
    count("fr", None, &fresh);
    for table in [
        "theme_counts.csv",
        "keyword_counts.csv",
        "keyness.csv",
        "collocates.csv",
    ] {
        assert_eq!(read(&cached, table), read(&fresh, table), "{table}");
    }
    // In French, FRA and CAN have their hits, and the English speech
    // counted as French one: `Climate` starts with the French prefix
    // `climat*` (what a language list cannot prevent when the speech's
    // language is wrong).
    assert_eq!(
        hits(&fresh),
        [
            h("CAN", "climate", 1),
            h("CAN", "peace", 1),
            h("CAN", "refugees", 1),
            h("CAN", "un", 1),
            h("FRA", "climate", 2),
            h("FRA", "refugees", 2),
            h("FRA", "un", 2),
            h("GBR", "climate", 1),
        ]
    );
}
