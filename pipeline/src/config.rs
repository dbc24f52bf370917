//! What a run will do, decided once from the command line: the paths, the
//! dictionary's source, the number of threads. Nothing below this module
//! looks at the raw arguments again.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use crate::cli::{ByKey, RunArgs, TableName};

/// The default dictionary, built into the binary so that `agora run --input
/// DIR` works from any folder.
pub const BUILT_IN_THEMES: &str = include_str!("../../seeds/themes.toml");
/// Where the default dictionary lives in a checkout.
pub const DEFAULT_THEMES: &str = "seeds/themes.toml";
/// The default stop words, built into the binary.
pub const BUILT_IN_STOPWORDS: &str = include_str!("../../seeds/stopwords.txt");
/// Where the default stop words live in a checkout.
pub const DEFAULT_STOPWORDS: &str = "seeds/stopwords.txt";

/// Where a configuration file (the dictionary, the stop words) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file.
    File(PathBuf),
    /// The copy of the default built into the binary.
    BuiltIn {
        /// The default's path in a checkout.
        default: &'static str,
        /// Its text.
        text: &'static str,
    },
}

impl Source {
    /// The file given, else the default if it exists here, else the built-in copy.
    fn choose(given: Option<PathBuf>, default: &'static str, text: &'static str) -> Source {
        match given {
            Some(path) => Source::File(path),
            None if PathBuf::from(default).is_file() => Source::File(default.into()),
            None => Source::BuiltIn { default, text },
        }
    }

    /// How to name it in messages and the manifest.
    pub fn label(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::BuiltIn { default, .. } => format!("built-in {default}"),
        }
    }

    /// Its text.
    pub fn read(&self) -> std::io::Result<String> {
        match self {
            Source::File(p) => std::fs::read_to_string(p).map_err(|e| match e.kind() {
                // The standard message ("stream did not contain valid UTF-8") says
                // nothing of what to do.
                std::io::ErrorKind::InvalidData => {
                    std::io::Error::new(e.kind(), "the file is not UTF-8 text; save it as UTF-8")
                }
                _ => e,
            }),
            Source::BuiltIn { text, .. } => Ok((*text).to_owned()),
        }
    }
}

/// The tables a run computes and writes (besides speeches.csv, errors.csv
/// and manifest.json, which every run writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tables {
    /// theme_counts.csv
    pub themes: bool,
    /// theme_cooccurrence.csv
    pub cooccurrence: bool,
    /// keyword_counts.csv
    pub keywords: bool,
    /// collocates.csv
    pub collocates: bool,
    /// keyness.csv
    pub keyness: bool,
    /// term_counts.csv (opt-in)
    pub terms: bool,
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            themes: true,
            cooccurrence: true,
            keywords: true,
            collocates: true,
            keyness: true,
            terms: false,
        }
    }
}

impl Tables {
    /// The tables named, or all of them when none is.
    pub fn from_names(names: &[TableName]) -> Tables {
        if names.is_empty() {
            return Tables::default();
        }
        Tables {
            themes: names.contains(&TableName::Themes),
            cooccurrence: names.contains(&TableName::Cooccurrence),
            keywords: names.contains(&TableName::Keywords),
            collocates: names.contains(&TableName::Collocates),
            keyness: names.contains(&TableName::Keyness),
            terms: names.contains(&TableName::Terms),
        }
    }

    /// These tables, with `terms` only when asked for by `--terms` or by name.
    fn only_if(self, terms_flag: bool) -> Tables {
        Tables {
            terms: terms_flag || self.terms,
            ..self
        }
    }

    /// The names of the tables selected, for the manifest.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.themes, "themes"),
            (self.cooccurrence, "cooccurrence"),
            (self.keywords, "keywords"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// The decisions of one `agora run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Input folders or files.
    pub inputs: Vec<PathBuf>,
    /// Metadata tables given on the command line.
    pub metadata: Vec<PathBuf>,
    /// The dictionary.
    pub themes: Source,
    /// The stop words.
    pub stopwords: Source,
    /// Collocation window, tokens on each side.
    pub window: usize,
    /// Stems kept per (country, theme) in collocates.csv and per country in keyness.csv.
    pub top: usize,
    /// Fewest occurrences for a stem to be ranked.
    pub min_count: u64,
    /// Output folder.
    pub out: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// Largest speech file read, in bytes (at most [`crate::run::MAX_FILE_BYTES`]).
    pub max_file_bytes: u64,
    /// The tables to compute.
    pub tables: Tables,
    /// Whether co-occurrence is keyed by year too.
    pub by_year: bool,
}

impl RunConfig {
    /// Decides a run from its arguments.
    pub fn from_args(args: RunArgs) -> RunConfig {
        let themes = Source::choose(args.themes, DEFAULT_THEMES, BUILT_IN_THEMES);
        let stopwords = Source::choose(args.stopwords, DEFAULT_STOPWORDS, BUILT_IN_STOPWORDS);
        let threads = args
            .threads
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get);
        RunConfig {
            inputs: args.inputs,
            metadata: args.metadata,
            themes,
            stopwords,
            window: args.window,
            top: args.top,
            min_count: args.min_count,
            out: args.out,
            threads,
            max_file_bytes: (args.max_file_mb << 20).min(crate::run::MAX_FILE_BYTES),
            tables: Tables::from_names(&args.tables).only_if(args.terms),
            by_year: args.by == Some(ByKey::Year),
        }
    }
}
