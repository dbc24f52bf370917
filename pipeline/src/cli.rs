//! Command-line arguments, as parsed: no decision is taken here (see
//! [`crate::config`] for what they mean for a run).

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Agora: theme frequencies and co-occurrence statistics from UN speeches.
#[derive(Debug, Parser)]
#[command(
    name = "agora",
    version,
    about = "Theme frequencies and co-occurrence statistics from large corpora of UN speeches",
    long_about = "Agora reads a corpus of speeches (UN Security Council turns, UN General Assembly \
general-debate statements, or any folder of .txt files with a metadata CSV), counts the terms \
of a theme dictionary, and writes tidy CSV tables of per-country, per-year theme frequencies \
and theme co-occurrence statistics.\n\nRun `agora run` in a checkout to process the default \
corpus in seeds/ and write the tables to output/. The tables are documented in docs/output.md.",
    after_help = "Exit status: 0 all files counted; 1 finished, but some files were skipped \
(see errors.csv); 2 usage, configuration, dictionary or metadata error, or partials that cannot \
be merged (nothing written); 3 input or output could not be read or written, or another run is \
writing to --out (nothing written); 130 or 143 interrupted by SIGINT or SIGTERM (nothing \
written).\n\n\
Options may also come from a configuration file: --config FILE, else ./agora.toml when it \
exists (docs/scaling.md). An option given on the command line wins."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// A configuration file (TOML: the long option names as keys, e.g. `input = ["corpus"]`,
    /// `min-count = 5`). Default: ./agora.toml when it exists. Options on the command line win.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print nothing but errors (no progress, no summary line).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// How to report on stderr: `text` (a progress bar on a terminal, a summary line), or
    /// `json` (one JSON object a line: start, progress every few seconds, summary), for
    /// schedulers that collect logs. Default: text.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// The formats of `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable.
    Text,
    /// JSON lines.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count themes in a corpus and write the tables.
    Run(RunArgs),
    /// Count one shard of a corpus into a partial file, for `agora merge`.
    Count(CountArgs),
    /// Add up partial files written by `agora count` and write the tables.
    Merge(MergeArgs),
    /// Write report.html (charts of the tables) into an existing output folder.
    Report(ReportCommandArgs),
}

/// Arguments of `agora run`.
#[derive(Debug, Args)]
#[command(
    long_about = "Count themes in a corpus and write the tables.\n\nEvery .txt file below each \
--input folder (recursively, links followed) is one speech. File names of the UN Security \
Council corpus (UNSC_<year>_SPV.<meeting>_spch<NNN>.txt) and of the UN General Debate corpus \
(<ISO3>_<session>_<year>.txt) give year, meeting or session and country; a Security Council \
turn's speaker header gives speaker, role, country and language. With --records, each file is \
instead a whole meeting record, split into speaker turns (docs/records.md). A Speakers_by_session.csv \
anywhere below an input, and a metadata.csv in an input's top folder, are read automatically.\n\n\
An --input may also be a compressed speech (.txt.gz, .txt.zst), a table of speeches (.csv, \
.jsonl, .parquet: one speech a row, its text in --text-column and its metadata in the columns country, \
year, session, date, speaker, post, role, or those given with --column), an archive (.tar, \
.tar.gz, .zip: one speech per .txt member, never unpacked to disk), or `-` for JSON Lines on \
standard input (docs/inputs.md).\n\n\
Tables written to --out: speeches.csv, theme_counts.csv, theme_cooccurrence.csv, \
keyword_counts.csv, collocates.csv, keyness.csv (term_counts.csv with --terms), errors.csv, \
a Parquet copy of each (NAME.parquet; --format csv for CSV only), datapackage.json (the tables' \
columns, types and keys as a Frictionless Data Package), report.html (charts; --no-report to \
skip) and manifest.json (docs/output.md). They are written to a \
temporary folder beside --out and moved into place only when all are complete, so a failed run \
leaves the previous tables as they were. Other files in --out are kept.\n\n\
With --cache DIR, the counts of each file are kept in DIR, and the next run counts only the \
files that are new or changed (docs/scaling.md); the tables are the same as without it."
)]
pub struct RunArgs {
    /// What to count.
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Folder for the tables; created if missing, its previous tables replaced whole.
    /// Default: output.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Keep each file's counts in this folder, and reuse them for the files that did not
    /// change since (same path, size and modification time, or same content): a nightly run
    /// then counts only new and changed files. The tables are identical to a run without it.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Formats, Parquet copies and the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `agora count`.
#[derive(Debug, Args)]
#[command(
    long_about = "Count one shard of a corpus and write its counts to a partial file, to be \
added up by `agora merge`.\n\nEach speech belongs to one of N shards, by a fixed hash of its \
speech id (FNV-1a 64 of its path relative to --input, modulo N; with --records, a record's turns \
go whole with its file's id), so shards hold the same files on any machine. Run `agora count --shard I/N` for every I from 0 to N-1 (on one machine or as a \
scheduler's array tasks; `--shard env` reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX), with \
the same inputs and options, then `agora merge`: the tables are byte for byte those of \
`agora run`. The partial file is PARTIAL_DIR/agora-partial-IIII-of-NNNN.json."
)]
pub struct CountArgs {
    /// What to count.
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Which shard: `I/N` (I from 0 to N-1), or `env` to read I from AGORA_SHARD_INDEX,
    /// SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX and N from --shards, AGORA_SHARD_COUNT or
    /// SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N|env")]
    pub shard: Option<String>,

    /// The number of shards, for `--shard env` when the scheduler does not set it
    /// (Kubernetes Indexed Jobs: the Job's completions).
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,

    /// Folder to write the partial file into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub partial: Option<PathBuf>,
}

/// Arguments of `agora merge`.
#[derive(Debug, Args)]
#[command(
    long_about = "Add up the partial files of `agora count` and write the tables, byte for byte \
those `agora run` writes on the whole corpus. Every shard from 0 to N-1 must be given exactly \
once, and all must come from the same agora version, dictionary, stop words, metadata, options \
and corpus listing; otherwise nothing is written and the exit status is 2."
)]
pub struct MergeArgs {
    /// Partial files, or folders holding them (agora-partial-*.json).
    #[arg(value_name = "PARTIAL", required = true)]
    pub partials: Vec<PathBuf>,

    /// Folder for the tables, as for `agora run`. Default: output.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Formats, Parquet copies and the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What `agora run` and `agora merge` write besides the CSV tables.
#[derive(Debug, Args, Default)]
pub struct OutputArgs {
    /// Table formats, comma-separated: `csv` (always written: the report, the cache and the
    /// checks read it) and `parquet` (NAME.parquet beside each NAME.csv: typed columns,
    /// integers and floats with nulls for empty fields, zstd-compressed). Default: csv,parquet.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub format: Vec<FormatName>,

    /// Write report.html: corpus summary, theme trend charts, npmi heatmaps, top collocates
    /// and key terms, in one self-contained page (no network). On by default.
    #[arg(long, overrides_with = "no_report")]
    pub report: bool,

    /// Do not write report.html.
    #[arg(long, overrides_with = "report")]
    pub no_report: bool,

    /// What the report shows.
    #[command(flatten)]
    pub report_options: ReportArgs,
}

/// A table format that `--format` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatName {
    /// CSV (always written).
    Csv,
    /// Parquet copies of the CSV tables.
    Parquet,
}

/// The choices of the report (`--report`, `agora report`).
#[derive(Debug, Args, Default, Clone)]
pub struct ReportArgs {
    /// Countries drawn beside the corpus in the report's trend charts: ISO3 codes (or names
    /// as in country_name), comma-separated. Default: the four with the most tokens.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub countries: Vec<String>,

    /// Country of the report's second npmi heatmap (ISO3 code or name). Default: the first
    /// of --countries.
    #[arg(long, value_name = "COUNTRY")]
    pub heatmap_country: Option<String>,
}

/// Arguments of `agora report`.
#[derive(Debug, Args)]
#[command(
    long_about = "Write report.html into a folder of tables written by `agora run` or `agora merge` (theme_counts.csv is needed; theme_cooccurrence.csv, collocates.csv, keyness.csv, speeches.csv and errors.csv are used when present). The page is self-contained: inline SVG charts and styles, no script, no network; open it from disk in any browser. It replaces an earlier report.html whole."
)]
pub struct ReportCommandArgs {
    /// The folder of tables. Default: output.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// What the report shows.
    #[command(flatten)]
    pub report_options: ReportArgs,
}

/// What to count and how: the options `agora run` and `agora count` share.
#[derive(Debug, Args, Default)]
pub struct CorpusArgs {
    /// A folder of speeches (searched recursively for .txt, .txt.gz and .txt.zst files), a
    /// single speech file, a table of speeches (.csv, .jsonl or .ndjson, each optionally .gz
    /// or .zst; or .parquet: one speech a row), an archive (.tar, .tar.gz, .tgz, .tar.zst, .zip: one speech
    /// per .txt member, read without unpacking), or `-` for JSON Lines on standard input.
    /// Repeat to read several; speech ids are then prefixed with each input's folder name.
    /// Tables, archives and `-` work with `agora run` without --cache (docs/inputs.md).
    /// Default: seeds/corpus.
    #[arg(short, long = "input", value_name = "PATH")]
    pub inputs: Vec<PathBuf>,

    /// The column (CSV, Parquet) or key (JSON Lines) holding a table's speech text. Default: text.
    #[arg(long, value_name = "NAME")]
    pub text_column: Option<String>,

    /// The column holding a table's speech ids (unique; the speech id is then
    /// `<table>#<value>`). Default: `id` when the table has it, else `<table>#row-N`.
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Where a table's metadata comes from, as FIELD=COLUMN (repeatable): FIELD is one of
    /// country (name or ISO3 code), year, session, date, speaker, post, role, text, id.
    /// By default each field is read from the column of its own name when there is one
    /// (so the UN General Debates CSV, `session,year,country,text`, needs no option).
    #[arg(long = "column", value_name = "FIELD=COLUMN", value_parser = parse_column)]
    pub columns: Vec<(crate::inputs::Field, String)>,

    /// A metadata CSV: a `file` column (the speech id: the path relative to the input folder)
    /// with any of `country`, `year`, `date`, `speaker`, `post`, which override what file names
    /// and headers say, and `language` (the language the speech is counted in: en, fr, es, ru,
    /// ar, zh, or English, French, …); or a General Debate Speakers_by_session.csv. Repeatable.
    #[arg(short, long, value_name = "CSV")]
    pub metadata: Vec<PathBuf>,

    /// The theme dictionary (TOML: `[themes.NAME]` with `terms = [...]`).
    /// Default: seeds/themes.toml, or the same dictionary built into agora when that file is absent.
    #[arg(short, long, value_name = "FILE")]
    pub themes: Option<PathBuf>,

    /// Tables to compute and write, comma-separated: `themes` (theme_counts.csv),
    /// `cooccurrence` (theme_cooccurrence.csv), `keywords` (keyword_counts.csv), `collocates`
    /// (collocates.csv), `keyness` (keyness.csv), `terms` (term_counts.csv). Work for a table
    /// not listed is not done, and its file is removed from --out, so --out never mixes runs.
    /// speeches.csv, errors.csv and manifest.json are always written. Default: all but `terms`.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub tables: Vec<TableName>,

    /// Also key theme co-occurrence, collocates and keyness by `year`: their tables get a
    /// `year` column after `country_name`, for charts year by year (keyness then compares a
    /// country's speeches of a year with the other speeches of that year).
    #[arg(long, value_name = "KEY")]
    pub by: Option<ByKey>,

    /// Also write term_counts.csv (stem counts and document frequencies per country and
    /// year), on top of the tables selected.
    #[arg(long)]
    pub terms: bool,

    /// Collocation window: the tokens on each side of a theme's hits whose stems count as its
    /// collocates. Default: 5.
    #[arg(long, value_name = "K")]
    pub window: Option<usize>,

    /// Stems kept per (country, theme) in collocates.csv and per country in keyness.csv.
    /// Default: 25.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Fewest occurrences for a stem to be ranked in collocates.csv (in a theme's windows) and
    /// keyness.csv, or listed in term_counts.csv (in a country's speeches). Default: 3.
    #[arg(long, value_name = "N")]
    pub min_count: Option<u64>,

    /// Stop words left out of collocates and keyness (one word a line, `#` comments), for the
    /// run's --language. Default: that language's list, seeds/stopwords.txt for English and
    /// seeds/stopwords/CODE.txt for the others, or the same list built into agora when the file
    /// is absent.
    #[arg(long, value_name = "FILE")]
    pub stopwords: Option<PathBuf>,

    /// The language of the speeches: en (English), fr (French), es (Spanish), ru (Russian),
    /// ar (Arabic) or zh (Chinese). It selects the Snowball stemmer (none for Chinese, counted
    /// one Han character a word), the default stop words, the language the dictionary's
    /// terms are stemmed in, and which of its per-language term lists (`fr = [...]`) count. A
    /// `language` column in a metadata CSV overrides it speech by speech (docs/languages.md).
    /// Default: en.
    #[arg(long, value_name = "CODE")]
    pub language: Option<LanguageName>,

    /// Largest speech file read, in MiB (1 to 1024). A larger file is skipped and listed in
    /// errors.csv. Each file is read whole, so peak memory grows with the largest file
    /// (docs/reliability.md); lower this to bound it on a machine with little memory.
    /// Default: 1024.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_file_mb: Option<u64>,

    /// Worker threads for the text stages (a reading thread comes on top).
    /// Default: the number of CPUs. The tables are identical for any value.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Read each file as a whole meeting record (S/PV.…, A/…/PV.… turned into text, e.g. by
    /// pdftotext), split into speaker turns: each turn is a speech with the id
    /// `<file id>#<turn>` (`#001`, `#002`, …), the record's symbol in `meeting`, its date in
    /// `date`, and its number in `turn`. Page furniture (running heads, job and page numbers,
    /// `The meeting rose at …`) is removed and counted in manifest.json; a file without any
    /// speaker turn is skipped and listed in errors.csv. With `agora count`, a record belongs
    /// whole to the shard of its file. Not with --cache (docs/records.md).
    #[arg(long)]
    pub records: bool,
}

/// `--column FIELD=COLUMN`.
fn parse_column(text: &str) -> Result<(crate::inputs::Field, String), String> {
    crate::inputs::Columns::parse_mapping(text)
}

/// A table that `--tables` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableName {
    /// theme_counts.csv
    Themes,
    /// theme_cooccurrence.csv
    Cooccurrence,
    /// keyword_counts.csv
    Keywords,
    /// collocates.csv
    Collocates,
    /// keyness.csv
    Keyness,
    /// term_counts.csv
    Terms,
}

/// The languages of `--language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageName {
    /// English
    En,
    /// French
    Fr,
    /// Spanish
    Es,
    /// Russian
    Ru,
    /// Arabic
    Ar,
    /// Chinese
    Zh,
}

impl From<LanguageName> for agora_stages::language::Language {
    fn from(name: LanguageName) -> Self {
        use agora_stages::language::Language;
        match name {
            LanguageName::En => Language::English,
            LanguageName::Fr => Language::French,
            LanguageName::Es => Language::Spanish,
            LanguageName::Ru => Language::Russian,
            LanguageName::Ar => Language::Arabic,
            LanguageName::Zh => Language::Chinese,
        }
    }
}

/// What `--by` can add to the co-occurrence key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ByKey {
    /// The year of the speech.
    Year,
}
