//! Metadata tables: speaker lists and per-file overrides.
//!
//! Two kinds of CSV are understood, told apart by their header:
//!
//! - **Per-file metadata**: a `file` column holding speech ids (the path
//!   relative to the input folder), with any of `country`, `year`, `date`,
//!   `speaker`, `post`, `language`. A non-empty value overrides what the file
//!   name and header said; other columns are ignored. `country` is a name or
//!   a code. `language` (a code such as `fr`, or a name such as `French`) is
//!   the language the speech is counted in, instead of the run's
//!   `--language`; it does not change the `language` column of
//!   `speeches.csv`, the language of delivery a header names.
//! - **General Debate speakers** (`Speakers_by_session.csv`): columns `Year`,
//!   `Session`, `ISO Code`, `Country`, `Name of Person Speaking`, `Post`,
//!   joined to General Debate speeches by country and year. The country is
//!   the code its `Country` name resolves to, else its `ISO Code`: the real
//!   table has a few wrong codes (`POR` for Portugal, `SWE` for Swaziland and
//!   `CHE` for Sweden) but no wrong names.
//!
//! Header names are matched without regard to case or surrounding blanks. A
//! row that cannot be used (wrong number of fields, an unreadable year, a
//! `file` that is absolute or climbs out of the input with `..`, a file listed
//! twice, a file that is not in the corpus) is reported with its line and
//! skipped; a table without the columns it needs is an error.

use std::collections::HashMap;

use std::path::{Path, PathBuf};

use agora_stages::ingest::{country, MetaOverride, SpeechMeta, Warning};
use agora_stages::language::Language;
use agora_stages::vocabulary::Interner;
use anyhow::{bail, Context, Result};

use crate::discover::Discovery;
use crate::problems::{Outcome, Problem};

/// A per-file override and where it came from.
///
/// There is one per speech of a corpus that comes with a metadata table, so
/// its size is most of what memory grows with: repeated values (countries,
/// speakers, posts) are interned, and the table is an index.
/// Text values are ids in [`Metadata::strings`] ([`NONE`] when empty); 24
/// bytes a row (where it was read is kept apart, and only while reading).
#[derive(Debug, Clone)]
struct Row {
    country: u32,
    date: u32,
    speaker: u32,
    post: u32,
    /// The year, if `has_year` (an `Option<i32>` would take 4 bytes more).
    year: i32,
    has_year: bool,
    /// [`Language::index`] of the speech's language, or [`NO_LANGUAGE`].
    language: u8,
}

impl Row {
    fn year(&self) -> Option<i32> {
        self.has_year.then_some(self.year)
    }
}

/// Where a row was read: an index into [`Metadata::tables`] and a line.
#[derive(Debug, Clone, Copy)]
struct Origin {
    table: u16,
    line: u32,
}

/// No value, or no row.
const NONE: u32 = u32::MAX;
/// No language given.
const NO_LANGUAGE: u8 = u8::MAX;

/// A row of a General Debate speakers table.
#[derive(Debug, Clone)]
struct Speaker {
    speaker: String,
    post: String,
    line: u64,
}

/// The two kinds of table, with the index of each column.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Speakers {
        code: usize,
        year: usize,
        name: usize,
        country: Option<usize>,
        post: Option<usize>,
    },
    PerFile {
        file: usize,
        country: Option<usize>,
        year: Option<usize>,
        date: Option<usize>,
        speaker: Option<usize>,
        post: Option<usize>,
        language: Option<usize>,
    },
}

/// The non-empty, trimmed fields of one row, by meaning.
#[derive(Debug, Default)]
struct Fields<'a> {
    file: Option<&'a str>,
    country: Option<&'a str>,
    code: Option<&'a str>,
    year: Option<&'a str>,
    date: Option<&'a str>,
    speaker: Option<&'a str>,
    post: Option<&'a str>,
    language: Option<&'a str>,
}

/// A per-file year: a number, or reported and left out.
fn parse_year(value: Option<&str>, say: &mut impl FnMut(String)) -> Option<i32> {
    let value = value?;
    match value.parse() {
        Ok(year) => Some(year),
        Err(_) => {
            say(format!(
                "year {value:?} is not a number; the row's year is not used"
            ));
            None
        }
    }
}

/// A per-file language: a known one, or reported and left out.
fn parse_language(value: Option<&str>, say: &mut impl FnMut(String)) -> u8 {
    let Some(value) = value else {
        return NO_LANGUAGE;
    };
    match Language::parse(value) {
        Some(language) => language.index() as u8,
        None => {
            say(format!(
                "language {value:?} is not one Agora counts ({}, or their English names); \
                 the speech is counted in the run's --language",
                Language::codes()
            ));
            NO_LANGUAGE
        }
    }
}

/// The tables of a run, each with the prefix of its speech ids: the
/// General Debate speakers tables, the per-file tables found below the
/// inputs, then those given with `--metadata`.
fn tables<'a>(
    explicit: &'a [PathBuf],
    found: &'a Discovery,
) -> impl Iterator<Item = (&'a Path, &'a str)> {
    let speakers = found.speakers_tables.iter().map(|p| (p.as_path(), ""));
    let per_file = found
        .metadata_tables
        .iter()
        .map(|t| (t.path.as_path(), t.id_prefix.as_str()));
    let given = explicit.iter().map(|p| (p.as_path(), ""));
    speakers.chain(per_file).chain(given)
}

/// All metadata of a run, ready to apply to speeches.
#[derive(Debug, Default)]
pub struct Metadata {
    /// For each source of the discovery (by index), its row in `rows`, or
    /// [`NONE`]; empty without per-file rows. Rows are matched to speeches
    /// while they are read, so no speech id is stored twice.
    row_of: Vec<u32>,
    rows: Vec<Row>,
    /// Where each row of `rows` was read, for the message about a file
    /// listed twice: only while the tables are read, then emptied, as
    /// nothing else needs it.
    origins: Vec<Origin>,
    /// Interned values of `rows`.
    strings: Interner,
    /// (country code, year) → speaker.
    speakers: HashMap<(String, i32), Speaker>,
    /// Paths of the tables read, for the manifest.
    pub tables: Vec<PathBuf>,
}

impl Metadata {
    /// Reads the tables given with `--metadata` and those found below the
    /// inputs. Rows that cannot be used go to `problems`; a table that cannot
    /// be read or lacks its key columns is an error.
    pub fn load(
        explicit: &[PathBuf],
        found: &Discovery,
        problems: &mut Vec<Problem>,
    ) -> Result<Metadata> {
        let mut m = Metadata::default();
        for (path, id_prefix) in tables(explicit, found) {
            m.read(path, id_prefix, found, problems)?;
        }
        m.origins = Vec::new();
        Ok(m)
    }

    /// The tables [`Metadata::load`] reads, in the order it reads them.
    pub fn table_paths<'a>(
        explicit: &'a [PathBuf],
        found: &'a Discovery,
    ) -> impl Iterator<Item = &'a Path> {
        tables(explicit, found).map(|(path, _)| path)
    }

    /// Reads one table from `bytes` as if it were the file `path` (which
    /// only names it in messages), against the speeches of `found`: the same
    /// checks and messages as [`Metadata::load`]. For tests and fuzzing, which
    /// have no file.
    pub fn from_reader(
        bytes: impl std::io::Read,
        path: &Path,
        found: &Discovery,
        problems: &mut Vec<Problem>,
    ) -> Result<Metadata> {
        let mut m = Metadata::default();
        m.read_from(bytes, path, "", found, problems)?;
        m.origins = Vec::new();
        Ok(m)
    }

    fn read(
        &mut self,
        path: &Path,
        id_prefix: &str,
        found: &Discovery,
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot read metadata table {}", path.display()))?;
        self.read_from(
            std::io::BufReader::new(file),
            path,
            id_prefix,
            found,
            problems,
        )
    }

    fn read_from(
        &mut self,
        bytes: impl std::io::Read,
        path: &Path,
        id_prefix: &str,
        found: &Discovery,
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let headers: Vec<String> = reader
            .headers()
            .with_context(|| {
                format!(
                    "cannot read the header row of {} (a metadata table is a CSV file in UTF-8)",
                    path.display()
                )
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{FEFF}').to_ascii_lowercase())
            .collect();
        if let Some((i, h)) = headers
            .iter()
            .enumerate()
            .find(|(i, h)| headers[..*i].contains(h))
        {
            bail!(
                "{}: column {h:?} appears twice (columns {} and {})",
                path.display(),
                headers.iter().position(|x| x == h).map_or(0, |p| p + 1),
                i + 1
            );
        }
        let col = |name: &str| headers.iter().position(|h| h == name);
        let kind = match (col("iso code"), col("year"), col("name of person speaking"), col("file")) {
            (Some(code), Some(year), Some(name), _) => Kind::Speakers {
                code,
                year,
                name,
                country: col("country"),
                post: col("post"),
            },
            (_, _, _, Some(file)) => Kind::PerFile {
                file,
                country: col("country"),
                year: col("year"),
                date: col("date"),
                speaker: col("speaker"),
                post: col("post"),
                language: col("language"),
            },
            _ => bail!(
                "{}: a metadata table needs a `file` column (speech ids) with any of country, year, \
                 date, speaker, post, language; or the General Debate columns Year, ISO Code, Name of Person Speaking",
                path.display()
            ),
        };
        self.tables.push(path.to_owned());
        let mut messages = Vec::new();
        // One record, refilled row after row: a table has a row per speech,
        // and a record allocated for each was a good part of reading it.
        let mut record = csv::StringRecord::new();
        for k in 0u64.. {
            let line = match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => record.position().map_or(k + 2, |p| p.line()),
                Err(e) => {
                    let line = e.position().map_or(k + 2, |p| p.line());
                    let why = match e.kind() {
                        csv::ErrorKind::Utf8 { err, .. } => format!(
                            "field {} is not UTF-8 text; save the table as UTF-8 (CSV UTF-8 \
                             in a spreadsheet); row not used",
                            err.field() + 1
                        ),
                        _ => format!("{e}; row not used"),
                    };
                    messages.push((line, why));
                    continue;
                }
            };
            let field = |i: Option<usize>| {
                i.and_then(|i| record.get(i))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let mut say = |message: String| messages.push((line, message));
            let row = match kind {
                Kind::Speakers {
                    code,
                    year,
                    name,
                    country,
                    post,
                } => Fields {
                    country: field(country),
                    code: field(Some(code)),
                    year: field(Some(year)),
                    speaker: field(Some(name)),
                    post: field(post),
                    ..Fields::default()
                },
                Kind::PerFile {
                    file,
                    country,
                    year,
                    date,
                    speaker,
                    post,
                    language,
                } => Fields {
                    file: field(Some(file)),
                    country: field(country),
                    year: field(year),
                    date: field(date),
                    speaker: field(speaker),
                    post: field(post),
                    language: field(language),
                    ..Fields::default()
                },
            };
            match kind {
                Kind::Speakers { .. } => self.add_speaker(&row, line, &mut say),
                Kind::PerFile { .. } => self.add_row(&row, id_prefix, found, line, &mut say),
            }
        }
        let shown = path.display().to_string();
        problems.extend(messages.into_iter().map(|(line, message)| {
            Problem::new(shown.clone(), "metadata", Outcome::Ignored, message).at_line(Some(line))
        }));
        Ok(())
    }

    /// One row of a General Debate speakers table.
    fn add_speaker(&mut self, row: &Fields<'_>, line: u64, say: &mut impl FnMut(String)) {
        let Some(y) = row.year.and_then(|y| y.parse::<i32>().ok()) else {
            let year = row.year.unwrap_or("");
            return say(format!("Year {year:?} is not a number; row not used"));
        };
        // The name decides when it is known: the real table has a few
        // wrong codes (SWE for Swaziland, CHE for Sweden) but no wrong names.
        let key = match row.country.and_then(country::by_name) {
            Some(c) => c.iso3.to_owned(),
            None => row.code.unwrap_or("").to_ascii_uppercase(),
        };
        if let Some(first) = self.speakers.get(&(key.clone(), y)) {
            return say(format!(
                "a second speaker for {key} in {y} (the first, {:?}, is at line {}); row not used",
                first.speaker, first.line
            ));
        }
        let entry = Speaker {
            speaker: row.speaker.unwrap_or("").to_owned(),
            post: row.post.unwrap_or("").to_owned(),
            line,
        };
        self.speakers.insert((key, y), entry);
    }

    /// One row of a per-file metadata table.
    fn add_row(
        &mut self,
        row: &Fields<'_>,
        id_prefix: &str,
        found: &Discovery,
        line: u64,
        say: &mut impl FnMut(String),
    ) {
        let Some(raw_id) = row.file else {
            return say("empty `file`; row not used".into());
        };
        // `\\` separates too.
        let separators = ['/', '\\'];
        if raw_id.starts_with(separators)
            || raw_id.contains(':')
            || raw_id.split(separators).any(|part| part == "..")
        {
            return say(format!(
                "file {raw_id:?} is not a path inside the input folder (absolute, or climbs out with ..); row not used"
            ));
        }
        // `./a//b.txt` names the speech `a/b.txt`.
        let mut key = String::with_capacity(id_prefix.len() + raw_id.len());
        key.push_str(id_prefix);
        for part in raw_id
            .split(separators)
            .filter(|p| !p.is_empty() && *p != ".")
        {
            if key.len() > id_prefix.len() {
                key.push('/');
            }
            key.push_str(part);
        }
        // A table that lists every file in the corpus's order (as a script
        // writes it) has its k-th row for the k-th speech: tried first.
        let Some(source) = found.find_from(&key, self.rows.len()) else {
            return say(format!(
                "file {raw_id:?} is not a speech of the corpus (speech ids are paths relative \
                 to the input folder); row not used"
            ));
        };
        if self.row_of.is_empty() {
            self.row_of = vec![NONE; found.sources.len()];
        }
        if self.row_of[source] != NONE {
            let first = self.origins[self.row_of[source] as usize];
            return say(format!(
                "file {raw_id:?} is listed again (first at {}:{}); this row is not used",
                self.tables[usize::from(first.table)].display(),
                first.line
            ));
        }
        let mut intern = |v: Option<&str>| v.map_or(NONE, |v| self.strings.intern(v));
        let year = parse_year(row.year, say);
        let compact = Row {
            country: intern(row.country),
            date: intern(row.date),
            speaker: intern(row.speaker),
            post: intern(row.post),
            year: year.unwrap_or(0),
            has_year: year.is_some(),
            language: parse_language(row.language, say),
        };
        self.row_of[source] = self.rows.len() as u32;
        self.rows.push(compact);
        self.origins.push(Origin {
            // `read` pushed this row's table before reading its rows.
            table: u16::try_from(self.tables.len() - 1).unwrap_or(u16::MAX),
            line: u32::try_from(line).unwrap_or(u32::MAX),
        });
    }

    /// The language a metadata row gives the speech with this index in the
    /// discovery, if any.
    pub fn language(&self, source: usize) -> Option<Language> {
        match self.row_of.get(source) {
            Some(&row) if row != NONE => Language::ALL
                .get(usize::from(self.rows[row as usize].language))
                .copied(),
            _ => None,
        }
    }

    /// Every language the metadata gives some speech, sorted.
    pub fn languages(&self) -> Vec<Language> {
        let mut seen = [false; Language::ALL.len()];
        for row in &self.rows {
            if let Some(s) = seen.get_mut(usize::from(row.language)) {
                *s = true;
            }
        }
        Language::ALL
            .into_iter()
            .filter(|l| seen[l.index()])
            .collect()
    }

    /// Applies the metadata to one speech: the General Debate speaker join,
    /// then the per-file overrides.
    /// `source` is the speech's index in the discovery.
    pub fn apply(&self, source: usize, meta: &mut SpeechMeta) -> Option<Warning> {
        if let (Some(_), Some(year)) = (meta.session, meta.year) {
            if let Some(s) = self.speakers.get(&(meta.country_iso3.clone(), year)) {
                s.speaker.clone_into(&mut meta.speaker);
                s.post.clone_into(&mut meta.post);
            }
        }
        let row = match self.row_of.get(source) {
            Some(&row) if row != NONE => &self.rows[row as usize],
            _ => return None,
        };
        let value = |v: u32| (v != NONE).then(|| self.strings.get(v));
        let over = MetaOverride {
            country: value(row.country),
            year: row.year(),
            date: value(row.date),
            speaker: value(row.speaker),
            post: value(row.post),
        };
        meta.apply(&over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agora_stages::ingest::ingest;
    use std::fs;

    /// Applies the metadata to the speech with this id (a speech outside the
    /// discovery gets the speakers join only).
    fn apply(m: &Metadata, found: &Discovery, id: &str, meta: &mut SpeechMeta) -> Option<Warning> {
        m.apply(found.find(id).unwrap_or(usize::MAX), meta)
    }

    #[test]
    fn per_file_overrides_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.csv");
        fs::write(
            &path,
            "File, Country ,year,date,extra\n\
             s1.txt,Viet Nam,2019,2019-09-24,x\n\
             s2.txt,FRA,,,\n\
             s3.txt,France\n\
             ../../etc/passwd,France,2000,,\n\
             s1.txt,Chad,2001,,\n\
             s2.txt,,nineteen,,\n\
             gone.txt,Chad,2001,,\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let found = Discovery::of_ids(&["s1.txt", "s2.txt"]);
        let m = Metadata::load(&[path], &found, &mut problems).unwrap();
        let lines: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.line.unwrap(), p.message.as_str()))
            .collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0].0, 4);
        assert!(
            lines[0].1.contains("found record with 2 fields"),
            "{}",
            lines[0].1
        );
        assert_eq!(lines[1].0, 5);
        assert!(lines[1].1.contains("climbs out"));
        assert_eq!(lines[2].0, 6);
        assert!(lines[2].1.contains("listed again"));
        assert_eq!(lines[3].0, 7);
        assert!(lines[3].1.contains("listed again"));
        assert_eq!(lines[4].0, 8);
        assert!(lines[4].1.contains("not a speech of the corpus"));

        let mut meta = ingest("s1.txt", "").meta;
        assert_eq!(apply(&m, &found, "s1.txt", &mut meta), None);
        assert_eq!(
            (meta.country_iso3.as_str(), meta.year, meta.date.as_str()),
            ("VNM", Some(2019), "2019-09-24")
        );
        let mut meta = ingest("s2.txt", "").meta;
        apply(&m, &found, "s2.txt", &mut meta);
        assert_eq!((meta.country_iso3.as_str(), meta.year), ("FRA", None));
    }

    #[test]
    fn speakers_table_joins_by_code_and_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Speakers_by_session.csv");
        fs::write(
            &path,
            "Year,Session,ISO Code,Country,Name of Person Speaking,Post\n\
             2016,71,BRA,Brazil,Mr. Michel Temer,President\n\
             2016,71,POR,Portugal ,Mr. Costa,\n\
             2016,71,SWE,Swaziland,King Mswati III,King\n\
             2016,71,CHE,Sweden,Mr. Lofven,Prime Minister\n\
             2016,71,WSM,Somoa,Mr. Tuilaepa,Prime Minister\n\
             2016,71,BRA,Brazil,Mr. Someone Else,\n",
        )
        .unwrap();
        let mut found = Discovery::of_ids(&[]);
        found.speakers_tables = vec![path];
        let mut problems = Vec::new();
        let m = Metadata::load(&[], &found, &mut problems).unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(7));
        assert!(
            problems[0]
                .message
                .contains("a second speaker for BRA in 2016"),
            "{:?}",
            problems[0]
        );
        let mut meta = ingest("BRA_71_2016.txt", "").meta;
        apply(&m, &found, "BRA_71_2016.txt", &mut meta);
        assert_eq!(
            (meta.speaker.as_str(), meta.post.as_str()),
            ("Mr. Michel Temer", "President")
        );
        let mut meta = ingest("PRT_71_2016.txt", "").meta;
        apply(&m, &found, "PRT_71_2016.txt", &mut meta);
        assert_eq!(meta.speaker, "Mr. Costa");
        for (file, speaker) in [
            ("SWE_71_2016.txt", "Mr. Lofven"),
            ("SWZ_71_2016.txt", "King Mswati III"),
            ("WSM_71_2016.txt", "Mr. Tuilaepa"),
        ] {
            let mut meta = ingest(file, "").meta;
            apply(&m, &found, file, &mut meta);
            assert_eq!(meta.speaker, speaker, "{file}");
        }
        let mut meta = ingest("BRA_70_2015.txt", "").meta;
        apply(&m, &found, "BRA_70_2015.txt", &mut meta);
        assert_eq!(meta.speaker, "");
    }

    #[test]
    fn a_language_per_speech() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(
            &path,
            "file,Language\na.txt,fr\nb.txt, Arabic \nc.txt,\nd.txt,german\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let found = Discovery::of_ids(&["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]);
        let m = Metadata::load(&[path], &found, &mut problems).unwrap();
        let language = |id: &str| m.language(found.find(id).unwrap());
        assert_eq!(language("a.txt"), Some(Language::French));
        assert_eq!(language("b.txt"), Some(Language::Arabic));
        assert_eq!(language("c.txt"), None, "empty: the run's language");
        assert_eq!(language("d.txt"), None, "unknown: reported");
        assert_eq!(language("e.txt"), None, "no row");
        assert_eq!(m.languages(), [Language::French, Language::Arabic]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(5));
        assert!(
            problems[0]
                .message
                .starts_with("language \"german\" is not one Agora counts"),
            "{}",
            problems[0].message
        );
        // The language of the text is not the language of delivery.
        let mut meta = ingest("a.txt", "").meta;
        apply(&m, &found, "a.txt", &mut meta);
        assert_eq!(meta.language, "");
    }

    #[test]
    fn a_row_is_small() {
        // One per speech of a corpus with a metadata table.
        assert_eq!(std::mem::size_of::<Row>(), 24);
    }

    #[test]
    fn a_column_twice_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(&path, "file,year, Year \na.txt,1,2\n").unwrap();
        let err = Metadata::load(&[path], &Discovery::of_ids(&[]), &mut Vec::new()).unwrap_err();
        assert!(
            err.to_string().contains("column \"year\" appears twice"),
            "{err}"
        );
    }

    #[test]
    fn ids_are_normalized() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(
            &path,
            "file,year\n.\\c\\d.txt,2000\n./a//b.txt,1999\n\\e.txt,1\nc/../x.txt,1\n",
        )
        .unwrap();
        let mut problems = Vec::new();
        let found = Discovery::of_ids(&["a/b.txt", "c/d.txt", "e.txt"]);
        let m = Metadata::load(&[path], &found, &mut problems).unwrap();
        let lines: Vec<Option<u64>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(4), Some(5)], "{problems:?}");
        assert!(problems.iter().all(|p| p.message.contains("climbs out")));
        let mut meta = ingest("b.txt", "").meta;
        apply(&m, &found, "a/b.txt", &mut meta);
        assert_eq!(meta.year, Some(1999));
        let mut meta = ingest("d.txt", "").meta;
        apply(&m, &found, "c/d.txt", &mut meta);
        assert_eq!(meta.year, Some(2000));
    }

    #[test]
    fn a_table_without_key_columns_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(&path, "name,country\na,b\n").unwrap();
        let err = Metadata::load(&[path], &Discovery::of_ids(&[]), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("needs a `file` column"), "{err}");
    }
}
