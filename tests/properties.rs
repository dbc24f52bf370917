//! Property tests of the whole run (proptest): the tables are the same
//! whatever order the speeches are read in and however many threads count
//! them. The corpus is generated; two runs are compared table by table.
//!
//! (That merging shards equals one run is the shard feature's to test.)

mod common;

use std::fs;
use std::path::Path;

use agora::cli::LogFormat;
use agora::cli::{Cli, Command};
use agora::config::{FileConfig, RunConfig};
use agora::log::Log;
use clap::Parser;
use proptest::prelude::*;

/// Words of the default dictionary's themes and fillers around them.
const WORDS: &[&str] = &[
    "women",
    "peace",
    "security",
    "climate",
    "change",
    "refugees",
    "refugee",
    "displaced",
    "terrorism",
    "terrorist",
    "sexual",
    "violence",
    "children",
    "armed",
    "conflict",
    "sanctions",
    "humanitarian",
    "the",
    "and",
    "of",
    "Council",
    "we",
    "must",
    "act",
    "now",
    "sea",
    "level",
    "rise",
    "Mr.",
    "2021",
    ".",
    ".",
    ",",
    "!",
    "-",
    "\n\n",
];

/// Country codes the speeches' file names carry.
const CODES: &[&str] = &["FRA", "NER", "CHL", "KAZ", "NOR"];

/// One speech: (country, year offset, text).
fn speeches() -> impl Strategy<Value = Vec<(usize, usize, String)>> {
    prop::collection::vec(
        (
            0..CODES.len(),
            0..2usize,
            prop::collection::vec(prop::sample::select(WORDS), 0..60).prop_map(|w| w.join(" ")),
        ),
        1..10,
    )
}

/// Writes the speeches below `root`, speech `i` in folder `order[i]`, so that
/// the folder names decide the order the run reads them in.
fn write_corpus(root: &Path, speeches: &[(usize, usize, String)], order: &[usize]) {
    for (i, (code, y, text)) in speeches.iter().enumerate() {
        let dir = root.join(format!("{:02}", order[i]));
        fs::create_dir_all(&dir).unwrap();
        let name = format!("{}_{}_{}.txt", CODES[*code], 75 + y, 2020 + y);
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Runs Agora in this process, as the command line `args` would.
fn run(args: &[&str]) {
    let cli = Cli::parse_from(["agora", "run"].iter().chain(args));
    #[allow(unreachable_patterns)] // more subcommands may come
    let args = match cli.command {
        Command::Run(args) => args,
        _ => unreachable!(),
    };
    let cfg = RunConfig::resolve(args.corpus, &FileConfig::default(), args.out, args.cache);
    let log = Log {
        quiet: true,
        format: LogFormat::Text,
        command: "run",
    };
    agora::run::run(&cfg, &[], &log).expect("the run succeeds");
}

/// The tables that do not name files (speech ids and paths differ between
/// the two corpora; everything counted must not).
const COMPARED: &[&str] = &[
    "theme_counts.csv",
    "theme_cooccurrence.csv",
    "keyword_counts.csv",
    "collocates.csv",
    "keyness.csv",
    "term_counts.csv",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn tables_do_not_depend_on_speech_order_or_thread_count(
        (speeches, order) in speeches().prop_flat_map(|s| {
            let n = s.len();
            (Just(s), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        }),
        threads in 2..=4usize,
        by_year in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let identity: Vec<usize> = (0..speeches.len()).collect();
        write_corpus(&a, &speeches, &identity);
        write_corpus(&b, &speeches, &order);
        let (out_a, out_b) = (dir.path().join("out_a"), dir.path().join("out_b"));
        let threads = threads.to_string();
        let mut common_args = vec!["--terms", "--min-count", "1"];
        if by_year {
            common_args.extend(["--by", "year"]);
        }
        let args = |input: &Path, out: &Path, j: &str| -> Vec<String> {
            let mut v: Vec<String> = ["-i", common::s(input), "-o", common::s(out), "-j", j]
                .iter()
                .map(|s| s.to_string())
                .collect();
            v.extend(common_args.iter().map(|s| s.to_string()));
            v
        };
        let run_a = args(&a, &out_a, "1");
        run(&run_a.iter().map(String::as_str).collect::<Vec<_>>());
        let run_b = args(&b, &out_b, &threads);
        run(&run_b.iter().map(String::as_str).collect::<Vec<_>>());
        for table in COMPARED {
            prop_assert_eq!(
                common::read(&out_a, table),
                common::read(&out_b, table),
                "{} differs", table
            );
        }
        // The same speeches were counted, in their own order each time.
        let rows = |out: &Path| common::read(out, "speeches.csv").lines().count();
        prop_assert_eq!(rows(&out_a), speeches.len() + 1);
        prop_assert_eq!(rows(&out_b), speeches.len() + 1);
    }
}
