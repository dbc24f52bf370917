//! Metadata tables: speaker lists and per-file overrides.
//!
//! Two kinds of CSV are understood, told apart by their header:
//!
//! - **Per-file metadata**: a `file` column holding speech ids (the path
//!   relative to the input folder), with any of `country`, `year`, `date`,
//!   `speaker`, `post`. A non-empty value overrides what the file name and
//!   header said; other columns are ignored. `country` is a name or a code.
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
use anyhow::{bail, Context, Result};

use crate::discover::Discovery;
use crate::problems::{Outcome, Problem};

/// A per-file override and where it came from.
#[derive(Debug, Clone)]
struct Row {
    values: MetaOverride,
    path: PathBuf,
    line: u64,
}

/// All metadata of a run, ready to apply to speeches.
#[derive(Debug, Default)]
pub struct Metadata {
    by_id: HashMap<String, Row>,
    /// (country code, year) → (speaker, post).
    speakers: HashMap<(String, i32), (String, String)>,
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
        for path in &found.speakers_tables {
            m.read(path, "", problems)?;
        }
        for table in &found.metadata_tables {
            m.read(&table.path, &table.id_prefix, problems)?;
        }
        for path in explicit {
            m.read(path, "", problems)?;
        }
        let known: std::collections::HashSet<&str> =
            found.sources.iter().map(|s| s.speech_id.as_str()).collect();
        let mut unknown: Vec<(&String, &Row)> = m
            .by_id
            .iter()
            .filter(|(id, _)| !known.contains(id.as_str()))
            .collect();
        unknown.sort_by_key(|(id, _)| id.as_str());
        for (id, row) in unknown {
            problems.push(
                Problem::new(
                    row.path.display().to_string(),
                    "metadata",
                    Outcome::Ignored,
                    format!("file {id:?} is not a speech of the corpus (speech ids are paths relative to the input folder); row not used"),
                )
                .at_line(Some(row.line)),
            );
        }
        Ok(m)
    }

    fn read(&mut self, path: &Path, id_prefix: &str, problems: &mut Vec<Problem>) -> Result<()> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_path(path)
            .with_context(|| format!("cannot read metadata table {}", path.display()))?;
        let headers: Vec<String> = reader
            .headers()
            .with_context(|| format!("cannot read the header row of {}", path.display()))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{FEFF}').to_ascii_lowercase())
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        self.tables.push(path.to_owned());
        let shown = path.display().to_string();
        let problem = |line: u64, message: String| {
            Problem::new(shown.clone(), "metadata", Outcome::Ignored, message).at_line(Some(line))
        };
        if let (Some(code), Some(year), Some(name)) =
            (col("iso code"), col("year"), col("name of person speaking"))
        {
            let (country_col, post) = (col("country"), col("post"));
            for (k, record) in reader.records().enumerate() {
                let record = match record {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(problem(csv_line(&e, k), format!("{e}; row not used")));
                        continue;
                    }
                };
                let line = record.position().map_or(k as u64 + 2, |p| p.line());
                let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
                let Ok(y) = field(Some(year)).parse::<i32>() else {
                    problems.push(problem(
                        line,
                        format!("Year {:?} is not a number; row not used", field(Some(year))),
                    ));
                    continue;
                };
                let entry = (field(Some(name)).to_owned(), field(post).to_owned());
                // The name decides when it is known: the real table has a few
                // wrong codes (SWE for Swaziland, CHE for Sweden) but no wrong names.
                let key = match country::by_name(field(country_col)) {
                    Some(c) => c.iso3.to_owned(),
                    None => field(Some(code)).to_ascii_uppercase(),
                };
                self.speakers.entry((key, y)).or_insert(entry);
            }
            return Ok(());
        }
        let Some(file) = col("file") else {
            bail!(
                "{}: a metadata table needs a `file` column (speech ids) with any of country, year, \
                 date, speaker, post; or the General Debate columns Year, ISO Code, Name of Person Speaking",
                path.display()
            );
        };
        let (country_col, year, date, speaker, post) = (
            col("country"),
            col("year"),
            col("date"),
            col("speaker"),
            col("post"),
        );
        for (k, record) in reader.records().enumerate() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    problems.push(problem(csv_line(&e, k), format!("{e}; row not used")));
                    continue;
                }
            };
            let line = record.position().map_or(k as u64 + 2, |p| p.line());
            let field = |i: Option<usize>| {
                i.and_then(|i| record.get(i))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let Some(raw_id) = field(Some(file)) else {
                problems.push(problem(line, "empty `file`; row not used".into()));
                continue;
            };
            let id = raw_id.replace('\\', "/");
            let id = id.trim_start_matches("./");
            if id.starts_with('/') || id.split('/').any(|part| part == "..") || id.contains(':') {
                problems.push(problem(
                    line,
                    format!("file {raw_id:?} is not a path inside the input folder (absolute, or climbs out with ..); row not used"),
                ));
                continue;
            }
            let key = format!("{id_prefix}{id}");
            if let Some(first) = self.by_id.get(&key) {
                problems.push(problem(
                    line,
                    format!(
                        "file {id:?} is listed again (first at {}:{}); this row is not used",
                        first.path.display(),
                        first.line
                    ),
                ));
                continue;
            }
            let year_value = match field(year) {
                None => None,
                Some(y) => match y.parse::<i32>() {
                    Ok(y) => Some(y),
                    Err(_) => {
                        problems.push(problem(
                            line,
                            format!("year {y:?} is not a number; the row's year is not used"),
                        ));
                        None
                    }
                },
            };
            let values = MetaOverride {
                country: field(country_col).map(str::to_owned),
                year: year_value,
                date: field(date).map(str::to_owned),
                speaker: field(speaker).map(str::to_owned),
                post: field(post).map(str::to_owned),
            };
            self.by_id.insert(
                key,
                Row {
                    values,
                    path: path.to_owned(),
                    line,
                },
            );
        }
        Ok(())
    }

    /// Applies the metadata to one speech: the General Debate speaker join,
    /// then the per-file overrides.
    pub fn apply(&self, speech_id: &str, meta: &mut SpeechMeta) -> Option<Warning> {
        if let (Some(_), Some(year)) = (meta.session, meta.year) {
            if let Some((speaker, post)) = self.speakers.get(&(meta.country_iso3.clone(), year)) {
                speaker.clone_into(&mut meta.speaker);
                post.clone_into(&mut meta.post);
            }
        }
        self.by_id
            .get(speech_id)
            .and_then(|row| meta.apply(&row.values))
    }
}

/// The 1-based line of a CSV error, or the best guess from the record index.
fn csv_line(e: &csv::Error, index: usize) -> u64 {
    e.position().map_or(index as u64 + 2, |p| p.line())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Source;
    use agora_stages::ingest::ingest;
    use std::fs;

    fn discovery(ids: &[&str]) -> Discovery {
        Discovery {
            sources: ids
                .iter()
                .map(|id| Source {
                    path: id.into(),
                    speech_id: id.to_string(),
                    file_name: id.to_string(),
                    size: 0,
                })
                .collect(),
            ..Discovery::default()
        }
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
        let m = Metadata::load(&[path], &discovery(&["s1.txt", "s2.txt"]), &mut problems).unwrap();
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
        assert_eq!(m.apply("s1.txt", &mut meta), None);
        assert_eq!(
            (meta.country_iso3.as_str(), meta.year, meta.date.as_str()),
            ("VNM", Some(2019), "2019-09-24")
        );
        let mut meta = ingest("s2.txt", "").meta;
        m.apply("s2.txt", &mut meta);
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
             2016,71,WSM,Somoa,Mr. Tuilaepa,Prime Minister\n",
        )
        .unwrap();
        let found = Discovery {
            speakers_tables: vec![path],
            ..discovery(&[])
        };
        let mut problems = Vec::new();
        let m = Metadata::load(&[], &found, &mut problems).unwrap();
        assert!(problems.is_empty());
        let mut meta = ingest("BRA_71_2016.txt", "").meta;
        m.apply("BRA_71_2016.txt", &mut meta);
        assert_eq!(
            (meta.speaker.as_str(), meta.post.as_str()),
            ("Mr. Michel Temer", "President")
        );
        let mut meta = ingest("PRT_71_2016.txt", "").meta;
        m.apply("PRT_71_2016.txt", &mut meta);
        assert_eq!(meta.speaker, "Mr. Costa");
        for (file, speaker) in [
            ("SWE_71_2016.txt", "Mr. Lofven"),
            ("SWZ_71_2016.txt", "King Mswati III"),
            ("WSM_71_2016.txt", "Mr. Tuilaepa"),
        ] {
            let mut meta = ingest(file, "").meta;
            m.apply(file, &mut meta);
            assert_eq!(meta.speaker, speaker, "{file}");
        }
        let mut meta = ingest("BRA_70_2015.txt", "").meta;
        m.apply("BRA_70_2015.txt", &mut meta);
        assert_eq!(meta.speaker, "");
    }

    #[test]
    fn a_table_without_key_columns_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        fs::write(&path, "name,country\na,b\n").unwrap();
        let err = Metadata::load(&[path], &discovery(&[]), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("needs a `file` column"), "{err}");
    }
}
