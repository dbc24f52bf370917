//! Partial results: a run's counts stored on disk, to be added up later.
//!
//! Every table is computed from integer sums (`crate::aggregate`), so the
//! counts of any split of a corpus add up to the counts of the whole, and
//! the tables written from that sum are byte for byte those of one run. This
//! module turns resolved [`Totals`] and their [`Lexicon`] into [`Counts`], a
//! representation without run-specific ids (stems are strings, listed once
//! per file and referred to by their position in that sorted list), and
//! back. It also defines [`PartialFile`], what `agora count` writes and
//! `agora merge` reads: the counts, the `speeches.csv` rows and `errors.csv`
//! rows of the part, and the settings that must be equal for parts to be
//! added (dictionary, stop words, metadata, options, tool version, corpus
//! listing).
//!
//! It does not decide which files a part holds (`crate::shard`), nor add
//! totals (`Totals::merge`), nor write tables (`crate::tables`).
//!
//! The format is JSON (one object, documented in `docs/scaling.md`):
//! readable with any tool, self-describing, and small enough since counts
//! are sums per country and year, not per speech.

use std::collections::BTreeMap;
use std::path::Path;

use agora_stages::cooccurrence::Cooccurrence;
use agora_stages::ingest::segment::Furniture;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::aggregate::StemCounts as StemMap;
use crate::aggregate::{
    Collocates, CoocCounts, Layout, Lexicon, TermCounts, Totals, WordCounts, YearCounts,
};
use crate::problems::{Outcome, Problem};

/// The `format` field of a partial file.
pub const FORMAT: &str = "agora-partial";
/// The version of the format; a reader refuses any other.
pub const FORMAT_VERSION: u32 = 1;

/// A (country, year) key as strings: ISO3 code, name, year.
pub type Key = (String, String, Option<i32>);

/// (stem index, occurrences) pairs, sorted by stem index.
pub type StemCounts = Vec<(u32, u32)>;
/// A (country, year) cell of theme counts: key, tokens, speeches, hits per
/// theme, speeches with each theme.
pub type YearRow = (Key, u64, u64, Vec<u64>, Vec<u64>);
/// A cell of word counts: key, tokens, stems.
pub type WordsRow = (Key, u64, StemCounts);
/// A cell of collocates: key, per theme (window tokens, stems).
pub type CollocatesRow = (Key, Vec<(u64, StemCounts)>);
/// A cell of term counts: key, speeches, tokens, (stem index, occurrences, speeches).
pub type TermsRow = (Key, u64, u64, Vec<(u32, u64, u64)>);

/// Co-occurrence counts of one unit: units, per theme, per pair (dense
/// upper triangle, as `Cooccurrence::parts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooc(pub u64, pub Vec<u64>, pub Vec<u64>);

/// Counts without run-specific ids: what [`Totals`] and [`Lexicon`] hold,
/// with stems as indexes into the sorted `stems`. Every list is sorted, so
/// the same counts always give the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Speeches counted.
    pub speeches: u64,
    /// Their tokens.
    pub tokens: u64,
    /// Every stem seen, sorted.
    pub stems: Vec<String>,
    /// (form, stem index, occurrences), sorted by form.
    pub forms: Vec<(String, u32, u64)>,
    /// Per (country, year): tokens, speeches, hits per theme, speeches with each theme.
    pub by_year: Vec<YearRow>,
    /// Per country (and year with `--by year`): by speech, by sentence.
    pub cooccurrence: Vec<(Key, Cooc, Cooc)>,
    /// Per country: hits per term.
    pub term_hits: Vec<(String, String, Vec<u64>)>,
    /// Per country (and year): tokens, (stem index, occurrences).
    pub words: Vec<WordsRow>,
    /// Per country (and year), per theme: window tokens, (stem index, occurrences).
    pub collocates: Vec<CollocatesRow>,
    /// Per country and year: speeches, tokens, (stem index, occurrences, speeches).
    pub terms: Vec<TermsRow>,
}

fn key(((iso3, name), year): &((String, String), Option<i32>)) -> Key {
    (iso3.clone(), name.clone(), *year)
}

fn unkey((iso3, name, year): Key) -> ((String, String), Option<i32>) {
    ((iso3, name), year)
}

impl Counts {
    /// The counts of a run's totals (stem ids of `lexicon`).
    pub fn from_totals(totals: &Totals, lexicon: &Lexicon) -> Counts {
        Counts::build(totals, |id| lexicon.stem(id), lexicon.forms().collect())
    }

    /// The counts of totals keyed by any stem ids: `stem` names an id,
    /// `forms` are (form, stem id, occurrences). Only the stems the counts
    /// and forms use are listed, so one file's counts stay small even when
    /// its ids come from a worker's whole vocabulary.
    pub fn build<'a>(
        totals: &Totals,
        stem: impl Fn(u32) -> &'a str,
        forms: Vec<(&'a str, u32, u64)>,
    ) -> Counts {
        let mut used: Vec<u32> = forms.iter().map(|f| f.1).collect();
        for w in totals.words.values() {
            used.extend(w.stems.iter().map(|(s, _)| s));
        }
        for c in totals.collocates.values().flatten() {
            used.extend(c.stems.iter().map(|(s, _)| s));
        }
        for t in totals.terms.values() {
            used.extend(t.stems.keys());
        }
        used.sort_unstable();
        used.dedup();
        // Local stem indexes: the stems in sorted order.
        used.sort_unstable_by(|&a, &b| stem(a).cmp(stem(b)));
        let local: rustc_hash::FxHashMap<u32, u32> = used
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, i as u32))
            .collect();
        let local = |id: u32| local.get(&id).copied().unwrap_or(u32::MAX);
        let stems = used.iter().map(|&id| stem(id).to_owned()).collect();
        let mut forms: Vec<(String, u32, u64)> = forms
            .into_iter()
            .map(|(form, stem, n)| (form.to_owned(), local(stem), n))
            .collect();
        forms.sort_unstable();
        let sorted = |pairs: &mut Vec<(u32, u32)>| pairs.sort_unstable();
        let words_pairs = |stems: &StemMap| {
            let mut v: Vec<(u32, u32)> = stems.iter().map(|(s, n)| (local(s), n)).collect();
            sorted(&mut v);
            v
        };
        let words = totals
            .words
            .iter()
            .map(|(k, w)| (key(k), w.tokens, words_pairs(&w.stems)))
            .collect();
        let collocates = totals
            .collocates
            .iter()
            .map(|(k, themes)| {
                let themes = themes
                    .iter()
                    .map(|c| (c.window_tokens, words_pairs(&c.stems)))
                    .collect();
                (key(k), themes)
            })
            .collect();
        let terms = totals
            .terms
            .iter()
            .map(|(k, cell)| {
                let mut stems: Vec<(u32, u64, u64)> = cell
                    .stems
                    .iter()
                    .map(|(&s, &(n, df))| (local(s), n, df))
                    .collect();
                stems.sort_unstable();
                (key(k), cell.speeches, cell.tokens, stems)
            })
            .collect();
        let cooc = |c: &Cooccurrence| {
            let (n, themes, pairs) = c.parts();
            Cooc(n, themes.to_vec(), pairs.to_vec())
        };
        Counts {
            speeches: totals.speeches,
            tokens: totals.tokens,
            stems,
            forms,
            by_year: totals
                .by_year
                .iter()
                .map(|(k, c)| {
                    (
                        key(k),
                        c.tokens,
                        c.speeches,
                        c.hits.clone(),
                        c.speeches_with.clone(),
                    )
                })
                .collect(),
            cooccurrence: totals
                .cooccurrence
                .iter()
                .map(|(k, c)| (key(k), cooc(&c.by_speech), cooc(&c.by_sentence)))
                .collect(),
            term_hits: totals
                .term_hits
                .iter()
                .map(|((iso3, name), hits)| (iso3.clone(), name.clone(), hits.clone()))
                .collect(),
            words,
            collocates,
            terms,
        }
    }

    /// Totals for `layout` from these counts, their stems interned in
    /// `lexicon` (whose form counts grow by these). Fails, without
    /// panicking, on counts that do not fit the layout (another dictionary,
    /// or a damaged file).
    pub fn to_totals(&self, layout: Layout, lexicon: &mut Lexicon) -> Result<Totals> {
        let mut forms = Vec::new();
        let totals =
            self.to_totals_with(layout, lexicon, |form, stem, n| forms.push((form, stem, n)))?;
        for (form, stem, n) in forms {
            lexicon.add_form(form, stem, n);
        }
        Ok(totals)
    }

    /// As [`Counts::to_totals`], but the form counts go to `on_form`
    /// (form, stem id in `lexicon`, occurrences) instead of the lexicon.
    pub fn to_totals_with<'c>(
        &'c self,
        layout: Layout,
        lexicon: &mut Lexicon,
        mut on_form: impl FnMut(&'c str, u32, u64),
    ) -> Result<Totals> {
        let ids: Vec<u32> = self.stems.iter().map(|s| lexicon.intern(s)).collect();
        let id = |local: u32| -> Result<u32> {
            ids.get(local as usize)
                .copied()
                .with_context(|| format!("stem index {local} out of range"))
        };
        for (form, stem, n) in &self.forms {
            on_form(form, id(*stem)?, *n);
        }
        let themes = layout.themes;
        let fits = |v: &[u64], n: usize, what: &str| -> Result<()> {
            if v.len() != n {
                bail!("{what} has {} entries, the dictionary {n}", v.len());
            }
            Ok(())
        };
        let mut t = Totals::new(layout);
        t.speeches = self.speeches;
        t.tokens = self.tokens;
        for (k, tokens, speeches, hits, speeches_with) in &self.by_year {
            fits(hits, themes, "theme hits")?;
            fits(speeches_with, themes, "speeches with theme")?;
            t.by_year.insert(
                unkey(k.clone()),
                YearCounts {
                    tokens: *tokens,
                    speeches: *speeches,
                    hits: hits.clone(),
                    speeches_with: speeches_with.clone(),
                },
            );
        }
        let cooc = |c: &Cooc| {
            Cooccurrence::from_parts(themes, c.0, c.1.clone(), c.2.clone())
                .context("co-occurrence counts do not fit the dictionary")
        };
        for (k, by_speech, by_sentence) in &self.cooccurrence {
            let counts = CoocCounts {
                by_speech: cooc(by_speech)?,
                by_sentence: cooc(by_sentence)?,
            };
            t.cooccurrence.insert(unkey(k.clone()), counts);
        }
        for (iso3, name, hits) in &self.term_hits {
            fits(hits, layout.terms, "term hits")?;
            t.term_hits
                .insert((iso3.clone(), name.clone()), hits.clone());
        }
        for (k, tokens, pairs) in &self.words {
            let mut w = WordCounts {
                tokens: *tokens,
                ..WordCounts::default()
            };
            for &(s, n) in pairs {
                w.stems.add(id(s)?, n);
            }
            t.words.insert(unkey(k.clone()), w);
        }
        for (k, per_theme) in &self.collocates {
            if per_theme.len() != themes {
                bail!(
                    "collocates of {} themes, the dictionary has {themes}",
                    per_theme.len()
                );
            }
            let mut v = Vec::with_capacity(themes);
            for (window_tokens, pairs) in per_theme {
                let mut c = Collocates {
                    window_tokens: *window_tokens,
                    ..Collocates::default()
                };
                for &(s, n) in pairs {
                    c.stems.add(id(s)?, n);
                }
                v.push(c);
            }
            t.collocates.insert(unkey(k.clone()), v);
        }
        for (k, speeches, tokens, stems) in &self.terms {
            let mut cell = TermCounts {
                speeches: *speeches,
                tokens: *tokens,
                ..TermCounts::default()
            };
            for &(s, n, df) in stems {
                cell.stems.insert(id(s)?, (n, df));
            }
            t.terms.insert(unkey(k.clone()), cell);
        }
        Ok(t)
    }
}

/// Takes `part` (counts that were added to `totals`, same stem ids) out of
/// `totals`: how a cached run drops the counts of files deleted or changed.
/// Fails when a count would go below zero (the counts were not part of the
/// sum) or a 32-bit stem count saturated (then the sum is not exact).
pub fn subtract(totals: &mut Totals, part: &Totals) -> Result<()> {
    fn sub(x: &mut u64, y: u64) -> Result<()> {
        *x = x.checked_sub(y).context("a count would go below zero")?;
        Ok(())
    }
    fn sub_all(x: &mut [u64], y: &[u64]) -> Result<()> {
        for (a, b) in x.iter_mut().zip(y) {
            sub(a, *b)?;
        }
        Ok(())
    }
    fn stems(into: &mut StemMap, from: &StemMap) -> Result<()> {
        anyhow::ensure!(
            into.subtract(from),
            "a stem count is missing, would go below zero, or saturated"
        );
        Ok(())
    }
    let missing = || anyhow::anyhow!("a cell is missing");
    sub(&mut totals.speeches, part.speeches)?;
    sub(&mut totals.tokens, part.tokens)?;
    for (k, c) in &part.by_year {
        let m = totals.by_year.get_mut(k).ok_or_else(missing)?;
        sub(&mut m.tokens, c.tokens)?;
        sub(&mut m.speeches, c.speeches)?;
        sub_all(&mut m.hits, &c.hits)?;
        sub_all(&mut m.speeches_with, &c.speeches_with)?;
    }
    for (k, c) in &part.cooccurrence {
        let m = totals.cooccurrence.get_mut(k).ok_or_else(missing)?;
        for (mine, theirs) in [
            (&mut m.by_speech, &c.by_speech),
            (&mut m.by_sentence, &c.by_sentence),
        ] {
            let (n, t, p) = mine.parts();
            let (on, ot, op) = theirs.parts();
            let (mut n, mut t, mut p) = (n, t.to_vec(), p.to_vec());
            sub(&mut n, on)?;
            sub_all(&mut t, ot)?;
            sub_all(&mut p, op)?;
            *mine = Cooccurrence::from_parts(t.len(), n, t, p).ok_or_else(missing)?;
        }
    }
    for (k, h) in &part.term_hits {
        sub_all(totals.term_hits.get_mut(k).ok_or_else(missing)?, h)?;
    }
    for (k, w) in &part.words {
        let m = totals.words.get_mut(k).ok_or_else(missing)?;
        sub(&mut m.tokens, w.tokens)?;
        stems(&mut m.stems, &w.stems)?;
    }
    for (k, per_theme) in &part.collocates {
        let m = totals.collocates.get_mut(k).ok_or_else(missing)?;
        for (mine, theirs) in m.iter_mut().zip(per_theme) {
            sub(&mut mine.window_tokens, theirs.window_tokens)?;
            stems(&mut mine.stems, &theirs.stems)?;
        }
    }
    for (k, t) in &part.terms {
        let m = totals.terms.get_mut(k).ok_or_else(missing)?;
        sub(&mut m.speeches, t.speeches)?;
        sub(&mut m.tokens, t.tokens)?;
        for (s, &(n, df)) in &t.stems {
            let e = m.stems.get_mut(s).ok_or_else(missing)?;
            sub(&mut e.0, n)?;
            sub(&mut e.1, df)?;
        }
        m.stems.retain(|_, e| e.1 > 0);
    }
    Ok(())
}

/// Removes the cells no speech is left in, after [`subtract`]: a run from
/// scratch would not have them. `speeches` counts the speeches per
/// (country, year) that the totals hold.
pub fn prune(totals: &mut Totals, speeches: &BTreeMap<Key, u64>) {
    let by_year = totals.layout().by_year;
    let mut per_country: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut per_key: BTreeMap<((String, String), Option<i32>), u64> = BTreeMap::new();
    for ((iso3, name, year), &n) in speeches {
        let country = (iso3.clone(), name.clone());
        *per_country.entry(country.clone()).or_default() += n;
        let year = if by_year { *year } else { None };
        *per_key.entry((country, year)).or_default() += n;
    }
    let live = |k: &((String, String), Option<i32>)| per_key.get(k).is_some_and(|&n| n > 0);
    totals.by_year.retain(|_, c| c.speeches > 0);
    totals.terms.retain(|_, c| c.speeches > 0);
    totals.cooccurrence.retain(|_, c| c.by_speech.n_units() > 0);
    totals
        .term_hits
        .retain(|k, _| per_country.get(k).is_some_and(|&n| n > 0));
    totals.words.retain(|k, _| live(k));
    totals.collocates.retain(|k, _| live(k));
}

/// One row of `speeches.csv`, with its key and what the summary needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeechEntry {
    /// The speech id (the sort key of `speeches.csv`).
    pub id: String,
    /// The row as written, with its `\n`.
    pub row: String,
    /// Bytes of the file.
    pub bytes: u64,
    /// Its encoding label.
    pub encoding: String,
    /// With `--records`: the record's turns, whose rows `row` holds one after
    /// another (absent for a file that is one speech).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turns: Option<u64>,
}

/// One row of `errors.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemEntry {
    /// The file concerned.
    pub path: String,
    /// 1-based line, where there is one.
    pub line: Option<u64>,
    /// The stage that found it.
    pub stage: String,
    /// `skipped`, `degraded` or `ignored`.
    pub outcome: String,
    /// What is wrong.
    pub message: String,
}

/// The stage labels a problem can carry (`Problem::stage` is static).
const STAGES: &[&str] = &["discover", "read", "ingest", "metadata", "analyze"];

impl ProblemEntry {
    /// A problem, for storing.
    pub fn from_problem(p: &Problem) -> ProblemEntry {
        ProblemEntry {
            path: p.path.clone(),
            line: p.line,
            stage: p.stage.to_owned(),
            outcome: p.outcome.label().to_owned(),
            message: p.message.clone(),
        }
    }

    /// The problem back; fails on a stage or outcome Agora does not write.
    pub fn to_problem(&self) -> Result<Problem> {
        let stage = STAGES
            .iter()
            .find(|s| **s == self.stage)
            .with_context(|| format!("unknown stage {:?}", self.stage))?;
        let outcome = match self.outcome.as_str() {
            "skipped" => Outcome::Skipped,
            "degraded" => Outcome::Degraded,
            "ignored" => Outcome::Ignored,
            other => bail!("unknown outcome {other:?}"),
        };
        Ok(
            Problem::new(self.path.clone(), stage, outcome, self.message.clone())
                .at_line(self.line),
        )
    }
}

/// Which part of a corpus a partial file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// This part, from 0.
    pub index: u32,
    /// Number of parts.
    pub count: u32,
}

/// A file's label and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hashed {
    /// Path, or `built-in …`.
    pub label: String,
    /// SHA-256 of the text, hex.
    pub sha256: String,
}

/// Everything that decides the counts or the tables written from them:
/// parts are added only when these are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Agora's version (counts may change between versions).
    pub tool_version: String,
    /// The dictionary, with its text (the tables name themes and terms).
    pub dictionary: Hashed,
    /// The dictionary's text.
    pub dictionary_text: String,
    /// The stop words of the run's language.
    pub stopwords: Hashed,
    /// The run's language (`--language`), as a code. Absent in files of
    /// earlier versions, which counted English only.
    #[serde(default = "english")]
    pub language: String,
    /// The stop words of the other languages a metadata table gives
    /// speeches, by code (the languages themselves are in the metadata,
    /// whose contents are hashed). Empty, and not written, when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_stopwords: BTreeMap<String, Hashed>,
    /// Metadata tables read (paths), and a SHA-256 over their contents.
    pub metadata_tables: Vec<String>,
    /// SHA-256 over the metadata tables' contents, in order.
    pub metadata_sha256: String,
    /// The `--input` values.
    pub inputs: Vec<String>,
    /// Files listed in the whole corpus (every part lists all of them).
    pub files: u64,
    /// The input fingerprint (`crate::fingerprint`): every part must have seen the same corpus.
    pub fingerprint: String,
    /// Tables computed.
    pub tables: Vec<String>,
    /// `--by year`.
    pub by_year: bool,
    /// `--window`.
    pub window: usize,
    /// `--top`.
    pub top: usize,
    /// `--min-count`.
    pub min_count: u64,
    /// `--records`: each file a meeting record (absent when off, so other
    /// runs' partials and caches read as before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub records: bool,
}

/// The language of settings written before there was a choice.
fn english() -> String {
    "en".to_owned()
}

impl Settings {
    /// Why two parts cannot be added: the first setting that differs.
    pub fn difference(&self, other: &Settings) -> Option<String> {
        let (a, b) = (
            serde_json::to_value(self).ok()?,
            serde_json::to_value(other).ok()?,
        );
        let (a, b) = (a.as_object()?, b.as_object()?);
        // A setting left out when off (`records`) is in one side only.
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        let first = keys.into_iter().find_map(|k| {
            let (va, vb) = (a.get(k), b.get(k));
            (va != vb).then(|| {
                let show = |v: Option<&serde_json::Value>| {
                    let Some(v) = v else {
                        return "(not set)".to_owned();
                    };
                    let s = v.to_string();
                    match s.char_indices().nth(80) {
                        Some((i, _)) => format!("{}…", &s[..i]),
                        None => s,
                    }
                };
                format!("{k}: {} vs {}", show(va), show(vb))
            })
        });
        first
    }
}

/// What one `agora count` wrote: one part of a corpus, counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Which part.
    pub shard: ShardInfo,
    /// What must match to add parts.
    pub settings: Settings,
    /// Worker threads of the run that counted it (informational).
    pub threads: usize,
    /// Its wall time (informational).
    pub elapsed_seconds: f64,
    /// Files of the corpus in this part (listed, before any was skipped).
    pub files: u64,
    /// Files skipped (discovery problems are in part 0 only).
    pub skipped: u64,
    /// Its `speeches.csv` rows, in speech-id order.
    pub speeches: Vec<SpeechEntry>,
    /// Its `errors.csv` rows.
    pub problems: Vec<ProblemEntry>,
    /// Its counts.
    pub counts: Counts,
    /// With `--records`: the records, turns and furniture of this part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<RecordsEntry>,
}

/// What `--records` did in one part: records split, turns found, furniture
/// removed by kind (the manifest's `records`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsEntry {
    /// Records split into turns.
    pub files: u64,
    /// Turns found.
    pub turns: u64,
    /// Furniture removed, by kind (`running_heads`, …).
    pub furniture: BTreeMap<String, u64>,
}

impl RecordsEntry {
    /// Nothing yet, with every kind of furniture at 0 (so the manifest
    /// always names them all).
    pub fn empty() -> RecordsEntry {
        let mut entry = RecordsEntry::default();
        for (kind, _) in Furniture::default().by_kind() {
            entry.furniture.insert(kind.to_owned(), 0);
        }
        entry
    }

    /// Adds one record: its turns and the furniture removed from it.
    pub fn add_record(&mut self, turns: u64, furniture: &Furniture) {
        self.files += 1;
        self.turns += turns;
        for (kind, n) in furniture.by_kind() {
            *self.furniture.entry(kind.to_owned()).or_default() += n;
        }
    }

    /// Adds another part's.
    pub fn add(&mut self, other: &RecordsEntry) {
        self.files += other.files;
        self.turns += other.turns;
        for (kind, n) in &other.furniture {
            *self.furniture.entry(kind.clone()).or_default() += n;
        }
    }

    /// The manifest's `records` key.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "files": self.files, "turns": self.turns, "furniture": self.furniture })
    }
}

impl PartialFile {
    /// The file name of part `index` of `count` in a `--partial` folder.
    pub fn file_name(shard: ShardInfo) -> String {
        format!(
            "agora-partial-{:04}-of-{:04}.json",
            shard.index, shard.count
        )
    }

    /// Writes the file at `path`, whole or not at all (a temporary file
    /// renamed into place).
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::output::write_whole(path, |w| {
            serde_json::to_writer(&mut *w, self)?;
            w.write_all(b"\n")?;
            Ok(())
        })
    }

    /// Reads and checks a partial file.
    pub fn read(path: &Path) -> Result<PartialFile> {
        let bytes = std::fs::read(path)?;
        // The format fields first, so that another file or version gets a clear message.
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let head: Head = serde_json::from_slice(&bytes)
            .context("not an Agora partial file (not JSON, or truncated)")?;
        if head.format.as_deref() != Some(FORMAT) {
            bail!("not an Agora partial file (no \"format\": \"{FORMAT}\")");
        }
        if head.format_version != Some(FORMAT_VERSION) {
            bail!(
                "partial format version {:?}; this agora reads version {FORMAT_VERSION} \
                 (count the shards again with this version)",
                head.format_version
            );
        }
        serde_json::from_slice(&bytes).context("damaged partial file")
    }
}

/// Encodings of stored speech rows, counted (for the manifest).
pub fn encodings<'a>(
    entries: impl Iterator<Item = &'a SpeechEntry>,
) -> BTreeMap<&'static str, u64> {
    let mut map = BTreeMap::new();
    for e in entries {
        let label = match e.encoding.as_str() {
            "utf-8" => "utf-8",
            "utf-8-bom" => "utf-8-bom",
            "windows-1252" => "windows-1252",
            _ => "other",
        };
        *map.entry(label).or_default() += 1;
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Tables;
    use agora_stages::analyze::SpeechCounts;
    use agora_stages::ingest::SpeechMeta;

    fn layout() -> Layout {
        Layout {
            themes: 2,
            terms: 3,
            tables: Tables {
                terms: true,
                ..Tables::default()
            },
            by_year: false,
        }
    }

    /// Totals of one speech whose stems are `stems` (interned in `lexicon`).
    fn one(country: &str, stems: &[(&str, u32)], lexicon: &mut Lexicon) -> Totals {
        let meta = SpeechMeta {
            country_iso3: country.into(),
            year: Some(2020),
            ..SpeechMeta::default()
        };
        let ids: Vec<(u32, u32)> = stems
            .iter()
            .map(|&(s, n)| {
                let id = lexicon.intern(s);
                lexicon.add_form(&format!("{s}s"), id, u64::from(n));
                (id, n)
            })
            .collect();
        let counts = SpeechCounts {
            tokens: 10,
            sentences: 2,
            theme_hits: vec![1, 0],
            term_hits: vec![1, 0, 0],
            speech_themes: vec![0],
            stems: ids.clone(),
            collocates: ids.iter().map(|&(s, n)| (0, s, n)).collect(),
            window_tokens: vec![4, 0],
            ..SpeechCounts::default()
        };
        let mut t = Totals::new(layout());
        t.add(&meta, &counts);
        t
    }

    #[test]
    fn counts_round_trip_through_json_whatever_the_ids() {
        let mut lex_a = Lexicon::default();
        let a = one("FRA", &[("peac", 2), ("climat", 1)], &mut lex_a);
        let counts = Counts::from_totals(&a, &lex_a);
        assert_eq!(counts.stems, ["climat", "peac"]);
        assert_eq!(counts.words[0].2, [(0, 1), (1, 2)]);
        let json = serde_json::to_string(&counts).unwrap();
        let back: Counts = serde_json::from_str(&json).unwrap();
        // Into a lexicon that already numbers stems differently.
        let mut lex_b = Lexicon::default();
        lex_b.intern("zzz");
        let t = back.to_totals(layout(), &mut lex_b).unwrap();
        assert_eq!(Counts::from_totals(&t, &lex_b).words, counts.words);
        let peac = lex_b.id("peac").unwrap();
        assert_eq!(peac, 2);
        assert_eq!(
            t.words[&(("FRA".into(), String::new()), None)]
                .stems
                .get(peac),
            Some(2)
        );
        assert_eq!(t.by_year, a.by_year);
        assert_eq!(t.cooccurrence, a.cooccurrence);
        assert_eq!(t.term_hits, a.term_hits);
        assert_eq!((t.speeches, t.tokens), (1, 10));
    }

    #[test]
    fn adding_stored_counts_equals_adding_totals() {
        let mut lex = Lexicon::default();
        let mut whole = one("FRA", &[("peac", 2)], &mut lex);
        whole.merge(one("NER", &[("peac", 1), ("war", 3)], &mut lex));
        let mut lex1 = Lexicon::default();
        let p1 = Counts::from_totals(&one("FRA", &[("peac", 2)], &mut lex1), &lex1);
        let mut lex2 = Lexicon::default();
        let p2 = Counts::from_totals(&one("NER", &[("peac", 1), ("war", 3)], &mut lex2), &lex2);
        let mut merged_lex = Lexicon::default();
        let mut merged = p2.to_totals(layout(), &mut merged_lex).unwrap();
        merged.merge(p1.to_totals(layout(), &mut merged_lex).unwrap());
        assert_eq!(
            Counts::from_totals(&merged, &merged_lex),
            Counts::from_totals(&whole, &lex)
        );
        assert_eq!(merged_lex.terms().len(), 2);
    }

    #[test]
    fn counts_of_another_dictionary_are_refused() {
        let mut lex = Lexicon::default();
        let counts = Counts::from_totals(&one("FRA", &[("peac", 2)], &mut lex), &lex);
        let other = Layout {
            themes: 3,
            ..layout()
        };
        let err = counts
            .to_totals(other, &mut Lexicon::default())
            .unwrap_err();
        assert!(err.to_string().contains("entries"), "{err}");
        let mut bad = Counts::from_totals(&one("FRA", &[("peac", 2)], &mut lex), &lex);
        bad.words[0].2[0].0 = 99;
        let err = bad
            .to_totals(layout(), &mut Lexicon::default())
            .unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn subtracting_a_part_and_pruning_leaves_the_rest() {
        let mut lex = Lexicon::default();
        let fra = one("FRA", &[("peac", 2)], &mut lex);
        let ner = one("NER", &[("peac", 1), ("war", 3)], &mut lex);
        let mut both = fra.clone();
        both.merge(ner.clone());
        subtract(&mut both, &ner).unwrap();
        // NER's cells are still there, empty, until pruned.
        assert_eq!(both.by_year.len(), 2);
        let cells = BTreeMap::from([(("FRA".to_owned(), String::new(), Some(2020)), 1)]);
        prune(&mut both, &cells);
        assert_eq!(both.by_year, fra.by_year);
        assert_eq!(both.cooccurrence, fra.cooccurrence);
        assert_eq!(both.term_hits, fra.term_hits);
        assert_eq!(both.words, fra.words);
        assert_eq!(both.collocates, fra.collocates);
        assert_eq!(both.terms, fra.terms);
        assert_eq!((both.speeches, both.tokens), (1, 10));
        // Taking out what is not in the sum fails instead of wrapping around.
        let err = subtract(&mut both, &ner).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err:#}");
    }

    #[test]
    fn problems_round_trip() {
        let p = Problem::new("a.txt", "read", Outcome::Skipped, "gone").at_line(Some(3));
        assert_eq!(ProblemEntry::from_problem(&p).to_problem().unwrap(), p);
        let mut e = ProblemEntry::from_problem(&p);
        e.stage = "nope".into();
        assert!(e.to_problem().is_err());
    }
}
