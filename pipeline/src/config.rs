//! What a run will do, decided once from the command line: the paths, the
//! dictionary's source, the number of threads. Nothing below this module
//! looks at the raw arguments again.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Deserialize;

use agora_stages::language::Language;

use crate::cli::{
    ByKey, CorpusArgs, FormatName, LanguageName, LogFormat, OutputArgs, ReportArgs, TableName,
};
use crate::inputs::{Columns, Field};

/// The default dictionary, built into the binary so that `agora run --input
/// DIR` works from any folder.
pub const BUILT_IN_THEMES: &str = include_str!("../../seeds/themes.toml");
/// Where the default dictionary lives in a checkout.
pub const DEFAULT_THEMES: &str = "seeds/themes.toml";
/// The default stop words, built into the binary.
pub const BUILT_IN_STOPWORDS: &str = include_str!("../../seeds/stopwords.txt");
/// Where the default stop words live in a checkout.
pub const DEFAULT_STOPWORDS: &str = "seeds/stopwords.txt";
/// The default stop words of every language: where they live in a checkout
/// and their text, built into the binary. English keeps its historical place.
pub const LANGUAGE_STOPWORDS: [(Language, &str, &str); 6] = [
    (Language::English, DEFAULT_STOPWORDS, BUILT_IN_STOPWORDS),
    (
        Language::French,
        "seeds/stopwords/fr.txt",
        include_str!("../../seeds/stopwords/fr.txt"),
    ),
    (
        Language::Spanish,
        "seeds/stopwords/es.txt",
        include_str!("../../seeds/stopwords/es.txt"),
    ),
    (
        Language::Russian,
        "seeds/stopwords/ru.txt",
        include_str!("../../seeds/stopwords/ru.txt"),
    ),
    (
        Language::Arabic,
        "seeds/stopwords/ar.txt",
        include_str!("../../seeds/stopwords/ar.txt"),
    ),
    (
        Language::Chinese,
        "seeds/stopwords/zh.txt",
        include_str!("../../seeds/stopwords/zh.txt"),
    ),
];

/// The stop words of `language`: the file given, else the language's
/// default file if it exists here, else its built-in copy.
pub fn stopwords_source(language: Language, given: Option<PathBuf>) -> Source {
    let (_, default, text) = LANGUAGE_STOPWORDS[language.index()];
    Source::choose(given, default, text)
}

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
            (self.collocates, "collocates"),
            (self.keyness, "keyness"),
            (self.terms, "terms"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    /// The tables of [`Tables::names`]; `None` for an unknown name.
    pub fn from_labels<S: AsRef<str>>(names: &[S]) -> Option<Tables> {
        let mut t = Tables {
            themes: false,
            cooccurrence: false,
            keywords: false,
            collocates: false,
            keyness: false,
            terms: false,
        };
        for name in names {
            let on = match name.as_ref() {
                "themes" => &mut t.themes,
                "cooccurrence" => &mut t.cooccurrence,
                "keywords" => &mut t.keywords,
                "collocates" => &mut t.collocates,
                "keyness" => &mut t.keyness,
                "terms" => &mut t.terms,
                _ => return None,
            };
            *on = true;
        }
        Some(t)
    }
}

/// The configuration file: every command-line option, by its long name.
/// Paths in it are relative to the current folder, as on the command line.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// `--input`, repeatable.
    #[serde(default)]
    pub input: Vec<PathBuf>,
    /// `--metadata`, repeatable.
    #[serde(default)]
    pub metadata: Vec<PathBuf>,
    /// `--text-column`.
    pub text_column: Option<String>,
    /// `--id-column`.
    pub id_column: Option<String>,
    /// `--column`, as `FIELD=COLUMN` strings.
    #[serde(default)]
    pub column: Vec<String>,
    /// `--themes`.
    pub themes: Option<PathBuf>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--tables`.
    #[serde(default)]
    pub tables: Vec<TableName>,
    /// `--by`.
    pub by: Option<ByKey>,
    /// `--terms`.
    #[serde(default)]
    pub terms: bool,
    /// `--window`.
    pub window: Option<usize>,
    /// `--top`.
    pub top: Option<usize>,
    /// `--min-count`.
    pub min_count: Option<u64>,
    /// `--stopwords`.
    pub stopwords: Option<PathBuf>,
    /// `--language`.
    pub language: Option<LanguageName>,
    /// `--threads`.
    pub threads: Option<NonZeroUsize>,
    /// `--max-file-mb` (1 to 1024).
    pub max_file_mb: Option<u64>,
    /// `--cache` (`agora run`).
    pub cache: Option<PathBuf>,
    /// `--records`.
    #[serde(default)]
    pub records: bool,
    /// `--shard` (`agora count`).
    pub shard: Option<String>,
    /// `--shards` (`agora count`).
    pub shards: Option<u32>,
    /// `--partial` (`agora count`).
    pub partial: Option<PathBuf>,
    /// `--quiet`.
    #[serde(default)]
    pub quiet: bool,
    /// `--log-format`: `text` or `json`.
    pub log_format: Option<LogFormatName>,
    /// `--format` (`agora run`, `agora merge`).
    #[serde(default)]
    pub format: Vec<FormatName>,
    /// `report = false` is `--no-report`.
    pub report: Option<bool>,
    /// `--countries` (the report's trend charts).
    #[serde(default)]
    pub countries: Vec<String>,
    /// `--heatmap-country` (the report's second heatmap).
    pub heatmap_country: Option<String>,
}

/// `log-format` in the configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormatName {
    /// `text`
    Text,
    /// `json`
    Json,
}

impl From<LogFormatName> for LogFormat {
    fn from(f: LogFormatName) -> LogFormat {
        match f {
            LogFormatName::Text => LogFormat::Text,
            LogFormatName::Json => LogFormat::Json,
        }
    }
}

/// The configuration file Agora looks for when `--config` is not given.
pub const CONFIG_FILE: &str = "agora.toml";

impl FileConfig {
    /// Reads `--config FILE` (which must exist), else `./agora.toml` if it
    /// exists, else no file (every option from the command line or its default).
    pub fn load(given: Option<&std::path::Path>) -> Result<(FileConfig, Option<PathBuf>)> {
        let path = match given {
            Some(p) => p.to_owned(),
            None if PathBuf::from(CONFIG_FILE).is_file() => PathBuf::from(CONFIG_FILE),
            None => return Ok((FileConfig::default(), None)),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        let config = FileConfig::parse(&text)
            .with_context(|| format!("configuration file {}", path.display()))?;
        Ok((config, Some(path)))
    }

    /// Parses a configuration file's text.
    pub fn parse(text: &str) -> Result<FileConfig> {
        let config: FileConfig = toml::from_str(text)?;
        for mapping in &config.column {
            Columns::parse_mapping(mapping).map_err(|e| anyhow::anyhow!("column = {e}"))?;
        }
        // The command line checks the same range (cli.rs).
        if let Some(mb) = config.max_file_mb.filter(|mb| !(1..=1024).contains(mb)) {
            anyhow::bail!("max-file-mb = {mb}: give a size in MiB from 1 to 1024");
        }
        Ok(config)
    }
}

/// The decisions of one `agora run` (or `agora count`).
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Input folders or files.
    pub inputs: Vec<PathBuf>,
    /// Metadata tables given on the command line.
    pub metadata: Vec<PathBuf>,
    /// The dictionary.
    pub themes: Source,
    /// The stop words of the run's language.
    pub stopwords: Source,
    /// The run's language (`--language`), for speeches whose metadata names none.
    pub language: Language,
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
    /// Where per-file counts are kept between runs (`--cache`).
    pub cache: Option<PathBuf>,
    /// Which table columns give a speech's text, id and metadata.
    pub columns: Columns,
    /// Whether each file is a meeting record, split into turns (`--records`).
    pub records: bool,
    /// Parquet copies and the report ([`Outputs::default`] until the
    /// caller sets them from `--format` and `--report`).
    pub outputs: Outputs,
}

/// What the report shows (`--countries`, `--heatmap-country`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Countries of the trend charts (codes or names); empty: the four with the most tokens.
    pub countries: Vec<String>,
    /// Country of the second heatmap; `None`: the first of the trend charts' countries.
    pub heatmap_country: Option<String>,
}

impl ReportOptions {
    /// From the command line, else the configuration file.
    pub fn resolve(args: ReportArgs, file: &FileConfig) -> ReportOptions {
        ReportOptions {
            countries: if args.countries.is_empty() {
                file.countries.clone()
            } else {
                args.countries
            },
            heatmap_country: args
                .heatmap_country
                .or_else(|| file.heatmap_country.clone()),
        }
    }
}

/// What `agora run` and `agora merge` write besides the CSV tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    /// Parquet copies of the tables.
    pub parquet: bool,
    /// report.html, and what it shows.
    pub report: Option<ReportOptions>,
}

impl Default for Outputs {
    /// Parquet (when built in) and the report.
    fn default() -> Self {
        Outputs {
            parquet: cfg!(feature = "parquet"),
            report: Some(ReportOptions::default()),
        }
    }
}

impl Outputs {
    /// From the command line, else the configuration file, else the
    /// default. CSV is always written (the report, `--cache` and the
    /// Parquet copies are made from it), so a `--format` without `csv` is
    /// an error, as is `parquet` in a build without the `parquet` feature.
    pub fn resolve(args: OutputArgs, file: &FileConfig) -> Result<Outputs> {
        let formats = if args.format.is_empty() {
            file.format.clone()
        } else {
            args.format
        };
        let parquet = if formats.is_empty() {
            cfg!(feature = "parquet")
        } else {
            if !formats.contains(&FormatName::Csv) {
                anyhow::bail!(
                    "--format must include csv (the CSV tables are always written; \
                     the Parquet copies are made from them): use --format csv,parquet"
                );
            }
            formats.contains(&FormatName::Parquet)
        };
        if parquet && !cfg!(feature = "parquet") {
            anyhow::bail!(
                "this agora was built without Parquet support (cargo feature `parquet`); \
                 use --format csv, or rebuild with default features"
            );
        }
        let report = if args.no_report {
            false
        } else {
            args.report || file.report.unwrap_or(true)
        };
        Ok(Outputs {
            parquet,
            report: report.then(|| ReportOptions::resolve(args.report_options, file)),
        })
    }
}

/// The default `--input`.
pub const DEFAULT_INPUT: &str = "seeds/corpus";
/// The default `--out`.
pub const DEFAULT_OUT: &str = "output";

impl RunConfig {
    /// Decides a run from its arguments and the configuration file: an
    /// option on the command line wins over the file, the file over the
    /// default. `--terms` is on when either turns it on.
    pub fn resolve(
        args: CorpusArgs,
        file: &FileConfig,
        out: Option<PathBuf>,
        cache: Option<PathBuf>,
    ) -> RunConfig {
        let or_file =
            |cli: Vec<PathBuf>, f: &Vec<PathBuf>| if cli.is_empty() { f.clone() } else { cli };
        let mut inputs = or_file(args.inputs, &file.input);
        if inputs.is_empty() {
            inputs.push(DEFAULT_INPUT.into());
        }
        let metadata = or_file(args.metadata, &file.metadata);
        // The file's mappings first, so that the command line's win (the last one given counts).
        let mut given: Vec<(Field, String)> = file
            .column
            .iter()
            .filter_map(|m| Columns::parse_mapping(m).ok())
            .collect();
        given.extend(file.text_column.iter().map(|c| (Field::Text, c.clone())));
        given.extend(file.id_column.iter().map(|c| (Field::Id, c.clone())));
        given.extend(args.columns);
        given.extend(args.text_column.map(|c| (Field::Text, c)));
        given.extend(args.id_column.map(|c| (Field::Id, c)));
        let themes = Source::choose(
            args.themes.or_else(|| file.themes.clone()),
            DEFAULT_THEMES,
            BUILT_IN_THEMES,
        );
        let language: Language = args
            .language
            .or(file.language)
            .map_or(Language::English, Language::from);
        let stopwords =
            stopwords_source(language, args.stopwords.or_else(|| file.stopwords.clone()));
        let threads = args
            .threads
            .or(file.threads)
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get);
        let names = if args.tables.is_empty() {
            &file.tables
        } else {
            &args.tables
        };
        RunConfig {
            inputs,
            metadata,
            themes,
            stopwords,
            language,
            window: args.window.or(file.window).unwrap_or(5),
            top: args.top.or(file.top).unwrap_or(25),
            min_count: args.min_count.or(file.min_count).unwrap_or(3),
            out: out
                .or_else(|| file.out.clone())
                .unwrap_or_else(|| DEFAULT_OUT.into()),
            threads,
            max_file_bytes: (args.max_file_mb.or(file.max_file_mb).unwrap_or(1024) << 20)
                .min(crate::run::MAX_FILE_BYTES),
            tables: Tables::from_names(names).only_if(args.terms || file.terms),
            by_year: args.by.or(file.by) == Some(ByKey::Year),
            cache: cache.or_else(|| file.cache.clone()),
            columns: Columns { given },
            records: args.records || file.records,
            outputs: Outputs::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_file_mb_from_the_file_is_checked_and_the_command_line_wins() {
        let err = FileConfig::parse("max-file-mb = 0\n").unwrap_err();
        assert!(err.to_string().contains("from 1 to 1024"), "{err}");
        assert!(FileConfig::parse("max-file-mb = 2048\n").is_err());
        let file = FileConfig::parse("max-file-mb = 5\n").unwrap();
        let cfg = RunConfig::resolve(CorpusArgs::default(), &file, None, None);
        assert_eq!(cfg.max_file_bytes, 5 << 20);
        let args = CorpusArgs {
            max_file_mb: Some(2),
            ..CorpusArgs::default()
        };
        let cfg = RunConfig::resolve(args, &file, None, None);
        assert_eq!(cfg.max_file_bytes, 2 << 20);
        let cfg = RunConfig::resolve(CorpusArgs::default(), &FileConfig::default(), None, None);
        assert_eq!(cfg.max_file_bytes, crate::run::MAX_FILE_BYTES);
    }

    #[test]
    fn the_command_line_wins_over_the_file_and_the_file_over_defaults() {
        let file = FileConfig::parse(
            "input = [\"corpus\"]\nmin-count = 7\ntop = 9\ntables = [\"themes\", \"keyness\"]\n\
             by = \"year\"\nout = \"tables\"\nlog-format = \"json\"\n",
        )
        .unwrap();
        let args = CorpusArgs {
            top: Some(2),
            ..CorpusArgs::default()
        };
        let cfg = RunConfig::resolve(args, &file, None, None);
        assert_eq!(cfg.inputs, [PathBuf::from("corpus")]);
        assert_eq!((cfg.top, cfg.min_count, cfg.window), (2, 7, 5));
        assert_eq!(cfg.tables.names(), ["themes", "keyness"]);
        assert!(cfg.by_year);
        assert_eq!(cfg.out, PathBuf::from("tables"));
        assert_eq!(file.log_format, Some(LogFormatName::Json));
        let cfg = RunConfig::resolve(CorpusArgs::default(), &FileConfig::default(), None, None);
        assert_eq!(cfg.inputs, [PathBuf::from(DEFAULT_INPUT)]);
        assert_eq!((cfg.top, cfg.min_count), (25, 3));
        assert_eq!(cfg.tables, Tables::default());
    }

    #[test]
    fn the_language_chooses_the_default_stop_words() {
        let file = FileConfig::parse("language = \"zh\"\n").unwrap();
        let cfg = RunConfig::resolve(CorpusArgs::default(), &file, None, None);
        assert_eq!(cfg.language, Language::Chinese);
        assert!(cfg.stopwords.label().ends_with("seeds/stopwords/zh.txt"));
        assert!(cfg.stopwords.read().unwrap().contains("\n的\n"));
        let args = CorpusArgs {
            language: Some(LanguageName::Fr),
            stopwords: Some("mine.txt".into()),
            ..CorpusArgs::default()
        };
        let cfg = RunConfig::resolve(args, &file, None, None);
        assert_eq!(cfg.language, Language::French);
        assert_eq!(cfg.stopwords, Source::File("mine.txt".into()));
        let cfg = RunConfig::resolve(CorpusArgs::default(), &FileConfig::default(), None, None);
        assert_eq!(cfg.language, Language::English);
        assert!(cfg.stopwords.label().ends_with("seeds/stopwords.txt"));
        assert!(FileConfig::parse("language = \"de\"\n").is_err());
    }

    #[test]
    fn table_columns_from_the_file_and_the_command_line() {
        let err = FileConfig::parse("column = [\"colour=x\"]\n").unwrap_err();
        assert!(format!("{err:#}").contains("is not a field"), "{err:#}");
        let file = FileConfig::parse(
            "text-column = \"body\"\nid-column = \"key\"\ncolumn = [\"country=iso3\"]\n",
        )
        .unwrap();
        let cfg = RunConfig::resolve(CorpusArgs::default(), &file, None, None);
        let names = cfg.columns.names();
        assert_eq!(names[0], (Field::Text, "body".to_owned(), true));
        assert_eq!(names[1], (Field::Id, "key".to_owned(), true));
        assert_eq!(names[2], (Field::Country, "iso3".to_owned(), true));
        let args = CorpusArgs {
            text_column: Some("speech".into()),
            columns: vec![(Field::Country, "nation".into())],
            ..CorpusArgs::default()
        };
        let cfg = RunConfig::resolve(args, &file, None, None);
        let names = cfg.columns.names();
        assert_eq!(names[0].1, "speech");
        assert_eq!(names[1].1, "key");
        assert_eq!(names[2].1, "nation");
        assert_eq!(names[3], (Field::Year, "year".to_owned(), false));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = FileConfig::parse("min_count = 3\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
    }

    #[test]
    fn table_names_round_trip() {
        let t = Tables {
            terms: true,
            ..Tables::default()
        };
        assert_eq!(Tables::from_labels(&t.names()), Some(t));
        assert_eq!(Tables::from_labels(&["nope"]), None);
    }

    #[test]
    fn formats_and_report_from_the_file_and_the_command_line() {
        let default = Outputs::resolve(OutputArgs::default(), &FileConfig::default()).unwrap();
        assert_eq!(default, Outputs::default());
        assert_eq!(default.parquet, cfg!(feature = "parquet"));
        assert_eq!(default.report, Some(ReportOptions::default()));

        let file = FileConfig::parse(
            "format = [\"csv\"]\nreport = false\ncountries = [\"FRA\"]\nheatmap-country = \"NOR\"\n",
        )
        .unwrap();
        let from_file = Outputs::resolve(OutputArgs::default(), &file).unwrap();
        assert_eq!((from_file.parquet, from_file.report), (false, None));
        // The command line wins: --report turns it back on, its countries replace the file's.
        let args = OutputArgs {
            report: true,
            report_options: ReportArgs {
                countries: vec!["USA".into()],
                heatmap_country: None,
            },
            ..OutputArgs::default()
        };
        let outputs = Outputs::resolve(args, &file).unwrap();
        assert_eq!(
            outputs.report,
            Some(ReportOptions {
                countries: vec!["USA".into()],
                heatmap_country: Some("NOR".into()),
            })
        );

        let only_parquet = OutputArgs {
            format: vec![FormatName::Parquet],
            ..OutputArgs::default()
        };
        let err = Outputs::resolve(only_parquet, &FileConfig::default()).unwrap_err();
        assert!(err.to_string().contains("must include csv"), "{err}");
        let no_report = OutputArgs {
            no_report: true,
            ..OutputArgs::default()
        };
        assert_eq!(
            Outputs::resolve(no_report, &FileConfig::default())
                .unwrap()
                .report,
            None
        );
    }
}
