//! The cache of `agora run --cache DIR`: each file's counts, kept between
//! runs so that a nightly run counts only the files that are new or changed.
//!
//! `DIR/agora-cache.json` holds, per speech id, the file's path, size,
//! modification time (nanoseconds) and SHA-256, its `speeches.csv` row, its
//! `errors.csv` rows and its counts (`crate::partial::Counts`), under the
//! settings that decide counts (tool version, dictionary, stop words,
//! metadata contents, tables, `--by`, `--window`). A file is reused without
//! being read when its path, size and modification time are those stored;
//! when only the time changed (a copy, a `touch`), it is read and reused if
//! its SHA-256 is the one stored. Files no longer listed are dropped, and
//! files that were skipped are never stored, so they are tried again. A cache
//! made under other settings is ignored (and replaced).
//!
//! Trusting size and time is what lets a run over an unchanged corpus read no
//! text. A tool that rewrites a file keeping its size and its time to the
//! nanosecond defeats it; delete the cache to count everything again.
//!
//! The cache is written after the tables are in place, to a temporary file
//! renamed over the old one, so an interrupted run leaves the previous cache.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::partial::{Counts, ProblemEntry, Settings};

/// The cache file's name in `--cache DIR`.
pub const FILE: &str = "agora-cache.json";
/// The `format` field of a cache file.
pub const FORMAT: &str = "agora-cache";
/// The cache format's version; another is ignored.
pub const FORMAT_VERSION: u32 = 1;

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
    /// Its counts.
    pub counts: Counts,
}

/// The cache: settings and entries by speech id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cache {
    format: String,
    format_version: u32,
    settings: Settings,
    entries: BTreeMap<String, CacheEntry>,
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
            entries: BTreeMap::new(),
        }
    }

    /// The cache in `dir` if it was made under the same settings, else an
    /// empty one (a missing, damaged or outdated cache only costs time).
    pub fn open(dir: &Path, settings: &Settings) -> Cache {
        let fresh = Cache::new(settings);
        let Ok(bytes) = std::fs::read(dir.join(FILE)) else {
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

    /// Stores a file's entry.
    pub fn insert(&mut self, speech_id: &str, entry: CacheEntry) {
        self.entries.insert(speech_id.to_owned(), entry);
    }

    /// Writes the cache to `dir` (created if missing), replacing the previous one whole.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the cache folder {}", dir.display()))?;
        let path = dir.join(FILE);
        let tmp = dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
        let result = (|| -> Result<()> {
            let file = std::fs::File::create(&tmp)?;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
            serde_json::to_writer(&mut w, self)?;
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.with_context(|| format!("cannot write the cache {}", path.display()))
    }
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
