//! Exactness of partial results: on generated corpora, `agora run`, `agora
//! count` on N shards + `agora merge`, and `agora run --cache` after files
//! were added, changed and deleted all write the same tables, byte for byte,
//! for any N and thread count. Runs the library in-process (no child
//! processes), so each case takes milliseconds.

use std::fs;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use agora::cli::{ByKey, CorpusArgs, LogFormat, TableName};
use agora::config::{FileConfig, RunConfig};
use agora::log::Log;
use agora::shard::Shard;
use proptest::prelude::*;

const THEMES: &str = r#"
[themes.women]
terms = ["women", "women and peace and security", "gender*"]
[themes.climate]
terms = ["climate", "sea-level rise"]
[themes.displacement]
terms = ["refugee*", "internally displaced persons"]
"#;

const WORDS: &[&str] = &[
    "women",
    "peace",
    "and",
    "security",
    "climate",
    "sea-level",
    "rise",
    "refugees",
    "refugee",
    "internally",
    "displaced",
    "persons",
    "gender",
    "genders",
    "the",
    "council",
    "Women",
    "CLIMATE",
    "matters",
    "we",
    "need",
    "help",
    "now",
    "the",
    "of",
    "café",
    "naïve",
];

const COUNTRIES: &[&str] = &["France", "Niger", "Norway", "Viet Nam", "Atlantis"];
const ISO3: &[&str] = &["FRA", "NER", "NOR", "KAZ", "XYZ"];

/// A generated speech file: (relative path, bytes).
fn speech() -> impl Strategy<Value = (String, Vec<u8>)> {
    let text = prop::collection::vec((0..WORDS.len(), 0..8u8), 0..60).prop_map(|words| {
        let mut s = String::new();
        for (w, p) in words {
            s.push_str(WORDS[w]);
            s.push_str(match p {
                0 => ". ",
                1 => ", ",
                _ => " ",
            });
        }
        s
    });
    (0..3u8, 0..COUNTRIES.len(), 2018..2022i32, 0..1000u32, text).prop_map(
        |(kind, c, year, n, text)| match kind {
            0 => (
                format!("unsc/UNSC_{year}_SPV.{}_spch{:03}.txt", 8000 + n % 7, n),
                format!("Mr. Smith ({}): {text}", COUNTRIES[c]).into_bytes(),
            ),
            1 => (
                format!("ungdc/{}_{}_{year}.txt", ISO3[c], year - 1945),
                text.into_bytes(),
            ),
            // Another format; sometimes binary or empty.
            _ => match n % 10 {
                0 => (
                    format!("misc/bin{n}.txt"),
                    vec![0u8, 1, 2, 3, 4, 5, 6, 7, 8],
                ),
                1 => (format!("misc/empty{n}.txt"), Vec::new()),
                _ => (format!("misc/note{n}.txt"), text.into_bytes()),
            },
        },
    )
}

fn write_corpus(root: &Path, files: &[(String, Vec<u8>)]) {
    fs::create_dir_all(root).unwrap();
    for (path, bytes) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

fn quiet(command: &'static str) -> Log {
    Log {
        quiet: true,
        format: LogFormat::Text,
        command,
    }
}

/// The options of one generated case.
#[derive(Debug, Clone)]
struct Options {
    threads: usize,
    by_year: bool,
    terms: bool,
    themes_only: bool,
}

fn config(dir: &Path, opts: &Options, out: &Path, cache: Option<PathBuf>) -> RunConfig {
    let args = CorpusArgs {
        inputs: vec![dir.join("corpus")],
        themes: Some(dir.join("themes.toml")),
        threads: NonZeroUsize::new(opts.threads),
        by: opts.by_year.then_some(ByKey::Year),
        terms: opts.terms,
        tables: if opts.themes_only {
            vec![TableName::Themes, TableName::Keywords]
        } else {
            Vec::new()
        },
        min_count: Some(1),
        window: Some(2),
        ..CorpusArgs::default()
    };
    RunConfig::resolve(args, &FileConfig::default(), Some(out.to_owned()), cache)
}

/// Every CSV table of a folder, by name.
fn tables(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn assert_same_tables(a: &Path, b: &Path) {
    let (ta, tb) = (tables(a), tables(b));
    assert_eq!(
        ta.iter().map(|t| &t.0).collect::<Vec<_>>(),
        tb.iter().map(|t| &t.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(
            x == y,
            "{name} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
}

fn options() -> impl Strategy<Value = Options> {
    (
        1..4usize,
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(threads, by_year, terms, themes_only)| Options {
            threads,
            by_year,
            terms,
            themes_only,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn shards_plus_merge_equal_one_run(
        files in prop::collection::vec(speech(), 0..25),
        shards in 1..6u32,
        opts in options(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_corpus(&root.join("corpus"), &files);
        fs::write(root.join("themes.toml"), THEMES).unwrap();
        let out = root.join("run");
        let whole = agora::run::run(&config(root, &opts, &out, None), &[], &quiet("run")).unwrap();
        let partials = root.join("partials");
        for index in 0..shards {
            // Shards with another thread count than the run.
            let shard_opts = Options { threads: 1 + (index as usize % 3), ..opts.clone() };
            let cfg = config(root, &shard_opts, &root.join("unused"), None);
            agora::run::count(&cfg, Shard { index, count: shards }, &partials, &quiet("count")).unwrap();
        }
        let merged_out = root.join("merged");
        let merged = agora::merge::merge(
            &[partials],
            &merged_out,
            &agora::config::Outputs::default(),
            &[],
            &quiet("merge"),
        ).unwrap();
        assert_same_tables(&out, &merged_out);
        prop_assert_eq!(
            (whole.speeches, whole.skipped, whole.problems, whole.tokens, whole.bytes),
            (merged.speeches, merged.skipped, merged.problems, merged.tokens, merged.bytes)
        );
    }

    #[test]
    fn cached_runs_equal_a_fresh_run_after_changes(
        before in prop::collection::vec(speech(), 0..20),
        added in prop::collection::vec(speech(), 0..6),
        changed in prop::collection::vec((0..20usize, speech()), 0..4),
        deleted in prop::collection::vec(0..20usize, 0..4),
        opts in options(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let corpus = root.join("corpus");
        write_corpus(&corpus, &before);
        fs::write(root.join("themes.toml"), THEMES).unwrap();
        let cache = Some(root.join("cache"));
        let first = root.join("first");
        agora::run::run(&config(root, &opts, &first, cache.clone()), &[], &quiet("run")).unwrap();
        // Change the corpus: new files, new contents for old names, deletions.
        write_corpus(&corpus, &added);
        let mut edits = Vec::new();
        for (i, (_, bytes)) in &changed {
            if let Some((path, _)) = before.get(*i) {
                let mut bytes = bytes.clone();
                bytes.extend_from_slice(b" women refugees");
                edits.push((path.clone(), bytes));
            }
        }
        write_corpus(&corpus, &edits);
        // File systems keep times at a coarse tick: give edited files a time
        // of their own, as a later night would.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
        for (path, _) in &edits {
            let file = fs::File::options().write(true).open(corpus.join(path)).unwrap();
            file.set_modified(later).unwrap();
        }
        for i in &deleted {
            if let Some((path, _)) = before.get(*i) {
                let _ = fs::remove_file(corpus.join(path));
            }
        }
        let fresh = root.join("fresh");
        let a = agora::run::run(&config(root, &opts, &fresh, None), &[], &quiet("run")).unwrap();
        let cached = root.join("cached");
        let b = agora::run::run(&config(root, &opts, &cached, cache.clone()), &[], &quiet("run")).unwrap();
        assert_same_tables(&fresh, &cached);
        prop_assert_eq!((a.speeches, a.skipped, a.tokens), (b.speeches, b.skipped, b.tokens));
        // The cache was used, not rebuilt after an inconsistency.
        prop_assert!(b.warnings.is_empty(), "{:?}", b.warnings);
        // And once more, with nothing changed: every counted file is reused.
        let again = root.join("again");
        let c = agora::run::run(&config(root, &opts, &again, cache), &[], &quiet("run")).unwrap();
        assert_same_tables(&fresh, &again);
        prop_assert_eq!(c.reused, Some(c.speeches));
    }
}
