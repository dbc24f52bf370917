//! The types and meanings of the tables' columns, in one place: what the
//! Parquet copies ([`crate::parquet`]) and `datapackage.json`
//! ([`crate::datapackage`]) are built from. `docs/output.md` says the same
//! for people; change both together.
//!
//! This module only describes columns; it writes nothing. A table's actual
//! columns are those of its CSV header (`--by year` adds `year` to three
//! tables), looked up here by name: a header column missing here is an error,
//! so a new column cannot reach the output undescribed.

use anyhow::{anyhow, Result};

use crate::tables;

/// A column's type, as CSV text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text; an empty field is the empty string (the empty country, no speaker).
    Text,
    /// A 64-bit signed integer; an empty field is missing (null).
    Integer,
    /// A 64-bit float written with six decimals; an empty field is missing (null).
    Float,
}

impl Kind {
    /// The Frictionless Table Schema type name.
    pub fn frictionless(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Integer => "integer",
            Kind::Float => "number",
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Name, as in the CSV header.
    pub name: &'static str,
    /// Type.
    pub kind: Kind,
    /// What it holds (one line of `docs/output.md`).
    pub description: &'static str,
}

/// One table: its CSV name, what a row is, its columns and its key.
#[derive(Debug)]
pub struct Table {
    /// The CSV file name (`theme_counts.csv`).
    pub file: &'static str,
    /// What one row is.
    pub description: &'static str,
    /// Every column the table can have, in header order (`year` of the
    /// `--by year` tables included).
    pub columns: &'static [Column],
    /// The key columns, in order (those absent from a header are dropped).
    pub primary_key: &'static [&'static str],
}

const fn text(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        description,
    }
}

const fn int(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Integer,
        description,
    }
}

const fn float(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Float,
        description,
    }
}

const ISO3: Column = text(
    "country_iso3",
    "ISO 3166-1 alpha-3 code (EU, historical codes as written); empty when unknown",
);
const NAME: Column = text(
    "country_name",
    "canonical UN-style country name, or the name as written when not in the country table",
);
const YEAR_BY: Column = int(
    "year",
    "year of the speeches (only with --by year); empty for speeches without a year",
);
const THEME: Column = text("theme", "theme name from the dictionary");
const STEM_TERM: Column = text("term", "the stem's commonest lowercase form in the corpus");

/// Every table Agora writes, in the order written.
pub static TABLES: &[Table] = &[
    Table {
        file: tables::SPEECHES,
        description: "one row per speech counted",
        columns: &[
            text(
                "speech_id",
                "path of the file relative to its --input folder",
            ),
            text("path", "the file's path as Agora opened it"),
            ISO3,
            NAME,
            text("speaker", "speaker as written in the header or metadata"),
            text(
                "role",
                "representative, president, un_official, other or none",
            ),
            text(
                "post",
                "the speaker's post, from Speakers_by_session.csv or metadata",
            ),
            int("year", "year, from the file name or metadata"),
            text("date", "date from metadata, as written there"),
            int("session", "General Assembly session"),
            text("meeting", "Security Council meeting symbol (S/PV.8698)"),
            int("turn", "position of the turn in its meeting"),
            text(
                "language",
                "language of delivery of a Security Council turn",
            ),
            text("encoding", "utf-8, utf-8-bom or windows-1252"),
            int(
                "tokens",
                "word tokens of the speech text: the denominator of every rate",
            ),
            int("sentences", "sentences with at least one token"),
        ],
        primary_key: &["speech_id"],
    },
    Table {
        file: tables::THEME_COUNTS,
        description: "hits per country, year and theme, with the rate per 10,000 tokens",
        columns: &[
            ISO3,
            NAME,
            int("year", "year; empty for speeches without a year"),
            THEME,
            int("hits", "matches of the theme's terms"),
            int("tokens", "tokens of all speeches of the (country, year)"),
            float(
                "rate_per_10k",
                "hits × 10000 / tokens; empty when tokens is 0",
            ),
            int("speeches", "speeches of the (country, year)"),
            int(
                "speeches_with_theme",
                "speeches with at least one hit of the theme",
            ),
        ],
        primary_key: &["country_iso3", "country_name", "year", "theme"],
    },
    Table {
        file: tables::COOCCURRENCE,
        description: "per country (and year), pairs of themes found together in a unit",
        columns: &[
            ISO3,
            NAME,
            YEAR_BY,
            text("unit", "sentence or speech"),
            text("theme_a", "first theme of the pair (alphabetically)"),
            text("theme_b", "second theme of the pair"),
            int("n_units", "N: units of the country"),
            int("n_a", "units with a hit of theme a"),
            int("n_b", "units with a hit of theme b"),
            int("n_ab", "units with hits of both"),
            float("pmi", "log2(n_ab·N / (n_a·n_b))"),
            float("npmi", "pmi / −log2(n_ab / N), from −1 to 1"),
            float("llr", "Dunning's log-likelihood ratio G²"),
            float("jaccard", "n_ab / (n_a + n_b − n_ab)"),
        ],
        primary_key: &[
            "country_iso3",
            "country_name",
            "year",
            "unit",
            "theme_a",
            "theme_b",
        ],
    },
    Table {
        file: tables::KEYWORD_COUNTS,
        description: "hits credited to each dictionary term, per country",
        columns: &[
            ISO3,
            NAME,
            THEME,
            text("term", "the term exactly as written in the dictionary"),
            int("hits", "matches won by this term"),
        ],
        primary_key: &["country_iso3", "country_name", "theme", "term"],
    },
    Table {
        file: tables::COLLOCATES,
        description: "per country (and year) and theme, the stems around the theme's hits",
        columns: &[
            ISO3,
            NAME,
            YEAR_BY,
            THEME,
            int("rank", "1 for the highest llr"),
            text("stem", "the collocate's stem"),
            STEM_TERM,
            int("count", "occurrences in the theme's windows (O)"),
            int("window_tokens", "tokens in the theme's windows (W)"),
            int(
                "stem_count",
                "occurrences of the stem in the country's speeches (f)",
            ),
            int("country_tokens", "tokens of the country's speeches (N)"),
            float("llr", "G² of the 2×2 table"),
            float("pmi", "log2(O·N / (W·f))"),
        ],
        primary_key: &["country_iso3", "country_name", "year", "theme", "rank"],
    },
    Table {
        file: tables::KEYNESS,
        description: "per country (and year), the stems most over-represented in its speeches",
        columns: &[
            ISO3,
            NAME,
            YEAR_BY,
            int("rank", "1 for the highest G²"),
            text("stem", "the stem (Snowball English)"),
            STEM_TERM,
            int("count", "occurrences in the country's speeches (a)"),
            int("country_tokens", "tokens of the country's speeches (N_C)"),
            int("other_count", "occurrences in all other speeches"),
            int("other_tokens", "tokens of all other speeches"),
            float("g2", "log-likelihood ratio G², positive"),
            float("chi2", "Pearson's χ², positive"),
        ],
        primary_key: &["country_iso3", "country_name", "year", "rank"],
    },
    Table {
        file: tables::TERM_COUNTS,
        description: "per country and year, every stem occurring at least --min-count times",
        columns: &[
            ISO3,
            NAME,
            int("year", "year; empty for speeches without a year"),
            text("stem", "the stem"),
            STEM_TERM,
            int("count", "occurrences in the cell's speeches"),
            int("document_frequency", "speeches of the cell it occurs in"),
            int("speeches", "speeches of the cell"),
            int("tokens", "tokens of the cell"),
        ],
        primary_key: &["country_iso3", "country_name", "year", "stem"],
    },
    Table {
        file: tables::ERRORS,
        description: "every file skipped or degraded, and every metadata row not used",
        columns: &[
            text("path", "the file concerned"),
            int("line", "1-based line in that file, where there is one"),
            text("stage", "discover, read, ingest, metadata or analyze"),
            text("outcome", "skipped, degraded or ignored"),
            text("message", "what is wrong and what to do"),
        ],
        // Sorted by all columns; two identical rows are not ruled out.
        primary_key: &[],
    },
];

/// The description of a CSV table, by file name.
pub fn table(file: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.file == file)
}

impl Table {
    /// The columns of a table with this header, in header order; an error
    /// names a column this table does not describe.
    pub fn columns_of(&self, header: &[&str]) -> Result<Vec<Column>> {
        header
            .iter()
            .map(|name| {
                self.columns
                    .iter()
                    .find(|c| c.name == *name)
                    .copied()
                    .ok_or_else(|| anyhow!("{}: column {name} is not described", self.file))
            })
            .collect()
    }

    /// The key columns present in `header`.
    pub fn key_of(&self, header: &[&str]) -> Vec<&'static str> {
        self.primary_key
            .iter()
            .copied()
            .filter(|k| header.contains(k))
            .collect()
    }

    /// The resource name of the table (`theme_counts`).
    pub fn stem(&self) -> &'static str {
        self.file.strip_suffix(".csv").unwrap_or(self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_table_is_described_once() {
        let csv: Vec<&str> = tables::ALL
            .iter()
            .copied()
            .filter(|f| f.ends_with(".csv"))
            .collect();
        let described: Vec<&str> = TABLES.iter().map(|t| t.file).collect();
        assert_eq!(csv, described);
    }

    #[test]
    fn keys_are_columns_and_year_drops_out_of_a_header_without_it() {
        for t in TABLES {
            for k in t.primary_key {
                assert!(t.columns.iter().any(|c| c.name == *k), "{} {k}", t.file);
            }
        }
        let keyness = table("keyness.csv").unwrap();
        assert_eq!(
            keyness.key_of(&["country_iso3", "country_name", "rank", "stem"]),
            ["country_iso3", "country_name", "rank"]
        );
        assert!(keyness.columns_of(&["country_iso3", "bogus"]).is_err());
    }
}
