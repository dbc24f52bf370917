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

/// Where the dictionary comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemesSource {
    /// A file.
    File(PathBuf),
    /// The copy of `seeds/themes.toml` built into the binary.
    BuiltIn,
}

impl ThemesSource {
    /// How to name the dictionary in messages and the manifest.
    pub fn label(&self) -> String {
        match self {
            ThemesSource::File(p) => p.display().to_string(),
            ThemesSource::BuiltIn => format!("built-in {DEFAULT_THEMES}"),
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
}

impl Default for Tables {
    fn default() -> Self {
        Tables {
            themes: true,
            cooccurrence: true,
            keywords: true,
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
    pub themes: ThemesSource,
    /// Output folder.
    pub out: PathBuf,
    /// Worker threads.
    pub threads: usize,
    /// The tables to compute.
    pub tables: Tables,
    /// Whether co-occurrence is keyed by year too.
    pub by_year: bool,
}

impl RunConfig {
    /// Decides a run from its arguments.
    pub fn from_args(args: RunArgs) -> RunConfig {
        let themes = match args.themes {
            Some(path) => ThemesSource::File(path),
            None if PathBuf::from(DEFAULT_THEMES).is_file() => {
                ThemesSource::File(DEFAULT_THEMES.into())
            }
            None => ThemesSource::BuiltIn,
        };
        let threads = args
            .threads
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get);
        RunConfig {
            inputs: args.inputs,
            metadata: args.metadata,
            themes,
            out: args.out,
            threads,
            tables: Tables::from_names(&args.tables),
            by_year: args.by == Some(ByKey::Year),
        }
    }
}
