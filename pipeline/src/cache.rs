//! The cache of `agora run --cache DIR`: what the last run counted, kept
//! so that the next run counts only the files that are new or changed.
//!
//! The cache folder holds:
//!
//! - `agora-cache-index.json`: the settings that decide counts (tool
//!   version, dictionary, stop words, metadata contents, tables, `--by`,
//!   `--window`) and, per speech id, the file's path, size, modification
//!   time (nanoseconds), SHA-256, its `speeches.csv` row and `errors.csv`
//!   rows, its country and year, and where its counts are stored;
//! - `agora-cache-sum.json`: the sum of the counts of every file in the
//!   index (`crate::partial::Counts`), with the speeches per (country, year);
//! - `agora-cache-seg-N.jsonl`: each file's own counts, one JSON line per
//!   file, one segment per run that counted files; a file's line is read
//!   only when the file was deleted or changed, to take its counts out of
//!   the sum;
//! - `agora-cache-tables/` and `agora-cache-last.json`: the last run's tables.
//!
//! A run reuses a file without reading it when its path, size and
//! modification time are those in the index; when only the time changed (a
//! copy, a `touch`), it reads the file and reuses it if its SHA-256 is the
//! stored one. The new sum is the old sum, less the counts of files deleted
//! or changed, plus those of files counted now: integer sums, so the tables
//! are those of a run from scratch (cells and stems no speech is left in are
//! removed, as a fresh run would not have them). Files that were skipped
//! are never stored, so they are tried again. A cache made under other
//! settings, or damaged, is ignored (everything is counted and the cache
//! rebuilt).
//!
//! Trusting size and time is what lets a run over an unchanged corpus read no
//! text. A tool that rewrites a file keeping its size and its time to the
//! nanosecond defeats it; delete the cache to count everything again.
//!
//! The cache is written after the tables are in place: segments first, then
//! the sum and the index (each a temporary file renamed into place), so an
//! interrupted run leaves a cache whose index describes its sum. Segments no
//! entry refers to are removed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::output::write_whole;
use crate::partial::{Counts, Key, ProblemEntry, Settings};

/// The index's file name in `--cache DIR`.
pub const INDEX: &str = "agora-cache-index.json";
/// The sum's file name.
pub const SUM: &str = "agora-cache-sum.json";
/// The `format` field of the index and the sum.
pub const FORMAT: &str = "agora-cache";
/// The cache format's version; another is ignored.
pub const FORMAT_VERSION: u32 = 2;

/// A segment's file name.
pub fn segment_name(n: u64) -> String {
    format!("agora-cache-seg-{n:06}.jsonl")
}

/// One file, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// Its path as opened (the `path` column).
    pub path: String,
    /// Size when listed.
    pub size: u64,
    /// Modification time when listed, nanoseconds since 1970.
    pub mtime_ns: i64,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its row of `speeches.csv`, with the line end.
    pub row: String,
    /// Bytes read.
    pub bytes: u64,
    /// Encoding label.
    pub encoding: String,
    /// Its rows of `errors.csv` (degraded).
    pub problems: Vec<ProblemEntry>,
    /// Its country and year (the cell its counts are in).
    pub key: Key,
    /// The segment holding its counts, and the line's offset and length there.
    pub segment: u64,
    /// Byte offset of its line in the segment.
    pub offset: u64,
    /// Length of its line.
    pub len: u64,
}

/// The index: settings and entries by speech id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cache {
    format: String,
    format_version: u32,
    settings: Settings,
    /// The next segment number.
    next_segment: u64,
    entries: BTreeMap<String, CacheEntry>,
}

/// The sum of every indexed file's counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sum {
    /// The counts.
    pub counts: Counts,
    /// Speeches per (country, year).
    pub speeches: Vec<(Key, u64)>,
}

/// The settings that decide a file's counts and row; the rest (the corpus
/// listing, `--top`, `--min-count`) may change between cached runs.
fn counting_settings(s: &Settings) -> Settings {
    Settings {
        inputs: Vec::new(),
        files: 0,
        fingerprint: String::new(),
        top: 0,
        min_count: 0,
        ..s.clone()
    }
}

impl Cache {
    /// An empty cache for these settings.
    pub fn new(settings: &Settings) -> Cache {
        Cache {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            settings: counting_settings(settings),
            next_segment: 0,
            entries: BTreeMap::new(),
        }
    }

    /// The cache in `dir` if it was made under the same settings, else an
    /// empty one (a missing, damaged or outdated cache only costs time).
    pub fn open(dir: &Path, settings: &Settings) -> Cache {
        let fresh = Cache::new(settings);
        let Ok(bytes) = std::fs::read(dir.join(INDEX)) else {
            return fresh;
        };
        match serde_json::from_slice::<Cache>(&bytes) {
            Ok(c)
                if c.format == FORMAT
                    && c.format_version == FORMAT_VERSION
                    && c.settings == fresh.settings =>
            {
                c
            }
            _ => fresh,
        }
    }

    /// Number of files stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no file is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stored files, by speech id.
    pub fn entries(&self) -> &BTreeMap<String, CacheEntry> {
        &self.entries
    }

    /// The entry of a file that did not change: same path, size and time.
    pub fn unchanged(
        &self,
        speech_id: &str,
        path: &Path,
        size: u64,
        mtime_ns: i64,
    ) -> Option<&CacheEntry> {
        self.entries.get(speech_id).filter(|e| {
            e.size == size && e.mtime_ns == mtime_ns && mtime_ns != 0 && Path::new(&e.path) == path
        })
    }

    /// The entry of a file whose bytes have this SHA-256.
    pub fn same_content(&self, speech_id: &str, path: &Path, sha256: &str) -> Option<&CacheEntry> {
        self.entries
            .get(speech_id)
            .filter(|e| e.sha256 == sha256 && Path::new(&e.path) == path)
    }

    /// Reads the sum of the stored files' counts (empty when no file is stored).
    pub fn sum(&self, dir: &Path) -> Result<Sum> {
        if self.entries.is_empty() {
            return Ok(Sum::default());
        }
        let bytes = std::fs::read(dir.join(SUM)).context("cannot read the cache's sum")?;
        serde_json::from_slice(&bytes).context("damaged cache sum")
    }

    /// Reads the counts of stored files, one segment at a time.
    pub fn counts_of<'e>(
        &self,
        dir: &Path,
        entries: impl Iterator<Item = &'e CacheEntry>,
    ) -> Result<Vec<Counts>> {
        let mut by_segment: BTreeMap<u64, Vec<&CacheEntry>> = BTreeMap::new();
        for e in entries {
            by_segment.entry(e.segment).or_default().push(e);
        }
        let mut all = Vec::new();
        for (segment, mut entries) in by_segment {
            let path = dir.join(segment_name(segment));
            let mut file = std::fs::File::open(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            entries.sort_by_key(|e| e.offset);
            for e in entries {
                file.seek(SeekFrom::Start(e.offset))?;
                let mut line = vec![0u8; e.len as usize];
                file.read_exact(&mut line)
                    .with_context(|| format!("{} is truncated", path.display()))?;
                all.push(
                    serde_json::from_slice(&line)
                        .with_context(|| format!("damaged line in {}", path.display()))?,
                );
            }
        }
        Ok(all)
    }
}

/// The next state of the cache, built while a run goes.
pub struct NextCache {
    dir: PathBuf,
    index: Cache,
    segment: u64,
    writer: Option<std::io::BufWriter<std::fs::File>>,
    offset: u64,
    error: Option<anyhow::Error>,
}

impl NextCache {
    /// The next state of `previous` in `dir`: no entry yet.
    pub fn new(dir: &Path, previous: &Cache) -> NextCache {
        let mut index = previous.clone();
        index.entries.clear();
        let segment = index.next_segment;
        index.next_segment += 1;
        NextCache {
            dir: dir.to_owned(),
            index,
            segment,
            writer: None,
            offset: 0,
            error: None,
        }
    }

    /// Keeps an entry of the previous cache (the file was reused).
    pub fn keep(&mut self, speech_id: &str, entry: CacheEntry, mtime_ns: i64) {
        let entry = CacheEntry { mtime_ns, ..entry };
        self.index.entries.insert(speech_id.to_owned(), entry);
    }

    /// Stores a file just counted: its counts (already JSON) go to this
    /// run's segment.
    pub fn add(&mut self, speech_id: &str, mut entry: CacheEntry, counts_json: &[u8]) {
        if self.error.is_some() {
            return;
        }
        let result = (|| -> Result<()> {
            if self.writer.is_none() {
                std::fs::create_dir_all(&self.dir)?;
                let file = std::fs::File::create(self.dir.join(segment_name(self.segment)))?;
                self.writer = Some(std::io::BufWriter::with_capacity(1 << 16, file));
            }
            if let Some(w) = self.writer.as_mut() {
                w.write_all(counts_json)?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.error = Some(e.context("cannot write the cache's segment"));
            return;
        }
        entry.segment = self.segment;
        entry.offset = self.offset;
        entry.len = counts_json.len() as u64;
        self.offset += counts_json.len() as u64 + 1;
        self.index.entries.insert(speech_id.to_owned(), entry);
    }

    /// Writes the segment, the sum and the index; removes segments no entry refers to.
    pub fn write(mut self, sum: &Sum) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the cache folder {}", self.dir.display()))?;
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        write_whole(&self.dir.join(SUM), |w| Ok(serde_json::to_writer(w, sum)?))?;
        write_whole(&self.dir.join(INDEX), |w| {
            Ok(serde_json::to_writer(w, &self.index)?)
        })?;
        let live: BTreeSet<String> = self
            .index
            .entries
            .values()
            .map(|e| segment_name(e.segment))
            .collect();
        if let Ok(list) = std::fs::read_dir(&self.dir) {
            for entry in list.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("agora-cache-seg-") && !live.contains(&name) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }
}

/// Fails unless a count of speeches per cell can be taken down by `n`.
pub fn take_speeches(speeches: &mut BTreeMap<Key, u64>, key: &Key, n: u64) -> Result<()> {
    let Some(c) = speeches.get_mut(key) else {
        bail!("the cache's sum has no speech of {key:?}");
    };
    *c = c
        .checked_sub(n)
        .context("the cache's sum has too few speeches")?;
    Ok(())
}

/// The tables of the last cached run, kept in `DIR/agora-cache-tables/`.
pub const TABLES_DIR: &str = "agora-cache-tables";
/// What the last cached run wrote, and under which key: `DIR/agora-cache-last.json`.
pub const LAST_RUN: &str = "agora-cache-last.json";

/// The last cached run: when a run has the same key (same settings, same
/// corpus listing to the nanosecond, same listing problems), its sums are
/// the same, so its tables are too, and they are copied instead of being
/// computed again from every file's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    /// [`tables_key`] of the run.
    pub key: String,
    /// Speeches counted.
    pub speeches: u64,
    /// Problems in errors.csv.
    pub problems: u64,
    /// Tokens.
    pub tokens: u64,
    /// Bytes of the speeches.
    pub bytes: u64,
    /// Speeches per encoding.
    pub encodings: BTreeMap<String, u64>,
    /// Rows per table written.
    pub rows: BTreeMap<String, u64>,
}

/// The key of a run's tables: a SHA-256 over every setting (options,
/// dictionary, stop words, metadata, inputs, and the input fingerprint over
/// each file's path, size and time) and the problems found while listing.
pub fn tables_key(settings: &Settings, listing_problems: &[crate::problems::Problem]) -> String {
    let mut text = serde_json::to_string(settings).unwrap_or_default();
    for p in listing_problems {
        text.push('\n');
        text.push_str(&p.to_string());
    }
    crate::manifest::sha256_hex(text.as_bytes())
}

/// The last run of the cache in `dir`, if it has this key and its tables are all there.
pub fn last_run(dir: &Path, key: &str) -> Option<LastRun> {
    let bytes = std::fs::read(dir.join(LAST_RUN)).ok()?;
    let last: LastRun = serde_json::from_slice(&bytes).ok()?;
    let complete = last
        .rows
        .keys()
        .all(|name| dir.join(TABLES_DIR).join(name).is_file());
    (last.key == key && complete).then_some(last)
}

/// Keeps a copy of the tables just written to `out` for the next run with
/// the same key; the previous copy is replaced (the record first removed,
/// so a half-written copy is never taken for a whole one).
pub fn save_last_run(dir: &Path, out: &Path, last: &LastRun) -> Result<()> {
    let record = dir.join(LAST_RUN);
    let tables = dir.join(TABLES_DIR);
    let _ = std::fs::remove_file(&record);
    let _ = std::fs::remove_dir_all(&tables);
    std::fs::create_dir_all(&tables)
        .with_context(|| format!("cannot create {}", tables.display()))?;
    for name in last.rows.keys() {
        std::fs::copy(out.join(name), tables.join(name))
            .with_context(|| format!("cannot keep a copy of {name} in {}", tables.display()))?;
    }
    let tmp = dir.join(format!(".{LAST_RUN}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(last)?)
        .and_then(|()| std::fs::rename(&tmp, &record))
        .with_context(|| format!("cannot write {}", record.display()))?;
    Ok(())
}
