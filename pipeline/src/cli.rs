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
(see errors.csv); 2 usage, dictionary or metadata error (nothing written); 3 input or output \
could not be read or written, or another run is writing to --out (nothing written); 130 or \
143 interrupted by SIGINT or SIGTERM (nothing written)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count themes in a corpus and write the tables.
    Run(RunArgs),
}

/// Arguments of `agora run`.
#[derive(Debug, Args)]
#[command(
    long_about = "Count themes in a corpus and write the tables.\n\nEvery .txt file below each \
--input folder (recursively, links followed) is one speech. File names of the UN Security \
Council corpus (UNSC_<year>_SPV.<meeting>_spch<NNN>.txt) and of the UN General Debate corpus \
(<ISO3>_<session>_<year>.txt) give year, meeting or session and country; a Security Council \
turn's speaker header gives speaker, role, country and language. A Speakers_by_session.csv \
anywhere below an input, and a metadata.csv in an input's top folder, are read automatically.\n\n\
Tables written to --out: speeches.csv, theme_counts.csv, theme_cooccurrence.csv, \
keyword_counts.csv, collocates.csv, keyness.csv (term_counts.csv with --terms), errors.csv and \
manifest.json (docs/output.md). They are written to a \
temporary folder beside --out and moved into place only when all are complete, so a failed run \
leaves the previous tables as they were. Other files in --out are kept."
)]
pub struct RunArgs {
    /// A folder of speeches (searched recursively for .txt files) or a single .txt file.
    /// Repeat to read several; speech ids are then prefixed with each input's folder name.
    #[arg(
        short,
        long = "input",
        value_name = "PATH",
        default_value = "seeds/corpus"
    )]
    pub inputs: Vec<PathBuf>,

    /// A metadata CSV: a `file` column (the speech id: the path relative to the input folder)
    /// with any of `country`, `year`, `date`, `speaker`, `post`, which override what file names
    /// and headers say; or a General Debate Speakers_by_session.csv. Repeatable.
    #[arg(short, long, value_name = "CSV")]
    pub metadata: Vec<PathBuf>,

    /// The theme dictionary (TOML: `[themes.NAME]` with `terms = [...]`).
    /// Default: seeds/themes.toml, or the same dictionary built into agora when that file is absent.
    #[arg(short, long, value_name = "FILE")]
    pub themes: Option<PathBuf>,

    /// Folder for the tables; created if missing, its previous tables replaced whole.
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,

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
    /// collocates.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub window: usize,

    /// Stems kept per (country, theme) in collocates.csv and per country in keyness.csv.
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub top: usize,

    /// Fewest occurrences for a stem to be ranked in collocates.csv (in a theme's windows) and
    /// keyness.csv, or listed in term_counts.csv (in a country's speeches).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_count: u64,

    /// Stop words left out of collocates and keyness (one word a line, `#` comments).
    /// Default: seeds/stopwords.txt, or the same list built into agora when that file is absent.
    #[arg(long, value_name = "FILE")]
    pub stopwords: Option<PathBuf>,

    /// Largest speech file read, in MiB (1 to 1024). A larger file is skipped and listed in
    /// errors.csv. Each file is read whole, so peak memory grows with the largest file
    /// (docs/reliability.md); lower this to bound it on a machine with little memory.
    #[arg(long, value_name = "MIB", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_file_mb: u64,

    /// Worker threads for the text stages (a reading thread comes on top).
    /// Default: the number of CPUs. The tables are identical for any value.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
}

/// A table that `--tables` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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

/// What `--by` can add to the co-occurrence key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByKey {
    /// The year of the speech.
    Year,
}
