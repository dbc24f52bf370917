//! The run: stages wired with bounded channels.
//!
//! ```text
//! discover ─▶ dispatcher ──batches──▶ N workers (rayon pool) ──results──▶ in-order writer
//!             (cuts the files,        read, decode, ingest, metadata,      (this thread: puts batches
//!              in speech-id order,    analyze; add theme counts to the     back in order, appends
//!              into batches)          worker's own totals, format the row) speeches.csv rows, adds
//!                                                                          the stem counts)
//!                  ▲                                                               │
//!                  └──────────────── one credit per batch put in order ◀───────────┘
//! ```
//!
//! Both channels are bounded, and the dispatcher needs a credit per batch,
//! which the writer returns once the batch is in order: at most a few dozen
//! batches are in flight at once, whatever the corpus size and however slow
//! one file is. Workers read their own files and finish out of order; the
//! writer keeps a small reorder buffer so that `speeches.csv` is written in
//! speech-id order as results stream in. Each worker sums its speeches'
//! theme counts into its own [`Totals`], merged at the end (with `--records`,
//! a file is a meeting record: the worker splits it into turns and counts
//! each as a speech, see `process_record`); the stem counts
//! of the keyword tables, which grow with every country's vocabulary, are
//! summed once, by the writer, rather than once per worker. Stems are
//! numbered by one interner all workers share, so those counts need no
//! renumbering. The sums are integers, so every table is byte-identical for
//! any thread count.
//!
//! A table or an archive ([`crate::inputs`]) is read by the dispatcher
//! itself, front to back: it cuts the speeches it reads into batches of
//! owned texts, which flow through the same channels, credits and workers.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use agora_stages::analyze::{Analyzer, SpeechCounts};
use agora_stages::dictionary::{parse_dictionary, Dictionary};
use agora_stages::ingest::segment::{segment, Furniture};
use agora_stages::ingest::{
    damaged_utf8, decode, ingest, ingest_turn, looks_binary, Encoding, SpeechMeta,
};
use agora_stages::language::Language;
use agora_stages::normalize;
use agora_stages::stem::Stemmer;
use agora_stages::vocabulary::{Interner, Vocabulary};
use anyhow::{anyhow, Context};
use crossbeam_channel::{bounded, Receiver, Sender};
use rayon::prelude::*;

use sha2::{Digest, Sha256};

use crate::aggregate::{Layout, Lexicon, Totals};
use crate::cache::{self, Cache, CacheEntry, LastRun, NextCache};
use crate::config::{Outputs, RunConfig, Source, Tables};
use crate::discover::{discover, Discovery};
use crate::inputs::{self, Columns, Compression, Item, RowMeta};
use crate::languages::Languages;
use crate::log::Log;
use crate::manifest::sha256_hex;
use crate::metadata::Metadata;
use crate::output::Staging;
use crate::partial::{
    Counts, Hashed, PartialFile, ProblemEntry, RecordsEntry, Settings, ShardInfo, SpeechEntry,
    FORMAT, FORMAT_VERSION,
};
use crate::problems::{Outcome, Problem};
use crate::progress::Progress;
use crate::shard::Shard;
use crate::tables;

/// Why a run stopped before writing its tables; decides the exit status.
#[derive(Debug)]
pub enum RunError {
    /// The user must fix the command, dictionary or metadata (exit 2).
    Usage(anyhow::Error),
    /// Input or output could not be read or written (exit 3).
    Io(anyhow::Error),
    /// SIGINT or SIGTERM (the number) stopped the run before its tables
    /// were moved into place (exit 128 + the number: 130, 143).
    Interrupted(i32),
}

impl RunError {
    /// The exit status documented in `agora --help`.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Usage(_) => 2,
            RunError::Io(_) => 3,
            RunError::Interrupted(signal) => 128 + signal,
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Usage(e) | RunError::Io(e) => write!(f, "{e:#}"),
            RunError::Interrupted(signal) => write!(
                f,
                "interrupted by {}; nothing was written, the previous tables are as they were",
                crate::interrupt::name(*signal)
            ),
        }
    }
}

fn usage(e: impl Into<anyhow::Error>) -> RunError {
    RunError::Usage(e.into())
}

fn io(e: impl Into<anyhow::Error>) -> RunError {
    RunError::Io(e.into())
}

/// Stops the run when SIGINT or SIGTERM came (see [`crate::interrupt`]).
fn check_interrupt() -> Result<(), RunError> {
    crate::interrupt::requested().map_or(Ok(()), |signal| Err(RunError::Interrupted(signal)))
}

/// What a finished run did, for the summary line and the exit status.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Speeches counted.
    pub speeches: u64,
    /// Files skipped.
    pub skipped: u64,
    /// Problems reported in `errors.csv` (skipped, degraded and ignored).
    pub problems: u64,
    /// Word tokens counted.
    pub tokens: u64,
    /// Bytes of the speech files counted.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Where the tables are.
    pub out: PathBuf,
    /// Problems met after the tables were in place (tidying up `--out`).
    pub warnings: Vec<String>,
    /// Whether `out` is a partial file (`agora count`) rather than a folder of tables.
    pub partial: bool,
    /// Files whose counts came from the cache (`--cache`).
    pub reused: Option<u64>,
}

impl Summary {
    /// The one-line summary printed at the end of a run.
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mb = self.bytes as f64 / 1e6;
        let size = if mb >= 1.0 {
            format!("{mb:.1} MB")
        } else {
            format!("{:.1} kB", self.bytes as f64 / 1e3)
        };
        let reused = match self.reused {
            Some(n) => format!("; {n} reused from the cache"),
            None => String::new(),
        };
        let (errors, place) = match self.partial {
            true => ("problems", "partial counts in"),
            false => ("in errors.csv", "tables in"),
        };
        format!(
            "agora: {} speeches, {size}, {} tokens in {secs:.2} s ({:.1} MB/s){reused}; {} skipped, {} {errors}; {place} {}",
            self.speeches,
            self.tokens,
            mb / secs,
            self.skipped,
            self.problems,
            self.out.display()
        )
    }
}

/// Consecutive speeches handed to one worker as one message: small speeches
/// are the norm, and one channel hand-off (and possibly one thread wake-up)
/// per file cost more than counting a short speech.
struct Batch {
    /// Position of the batch in speech-id order.
    index: usize,
    /// Its speeches.
    work: Work,
}

/// The speeches of a batch.
enum Work {
    /// Files, as positions in the list of files to count (`todo`): the
    /// worker reads them.
    Files(Range<usize>),
    /// Speeches the dispatcher read out of the table or archive at
    /// position `seq` of the listing.
    Speeches {
        /// The container's position in the listing.
        seq: usize,
        /// The speeches, in the container's order.
        items: Vec<Item>,
    },
}

/// A batch, counted.
struct DoneBatch {
    index: usize,
    done: Vec<Done>,
}

/// A batch is closed once its files add up to this many bytes (as listed)…
const BATCH_BYTES: u64 = 256 << 10;
/// …or this many files.
const BATCH_FILES: usize = 64;

/// The largest speech file Agora reads: 1 GiB (`--max-file-mb` lowers it).
/// Token offsets are 32-bit, and a Windows-1252 file can triple in size when
/// decoded, so 4 GiB of text is never reached; a single speech of that size
/// is a mistake anyway.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Reads a whole file (opened by `open`, unless it is refused first) into
/// `bytes`, refusing one over `limit` bytes ([`MAX_FILE_BYTES`]).
///
/// `size_hint` is the size discovery listed. Reading costs a few system calls
/// per file, which on a corpus of small speeches is a visible share of the
/// run, so the buffer is sized from the listing (no `fstat`) one byte larger
/// than the file, and a read that does not fill it ends the file: a regular
/// file only returns fewer bytes than asked at its end. A file that grew
/// since it was listed fills the buffer and is read on to its end.
///
/// The buffer is the worker's, reused from file to file; the file is its
/// first bytes, as many as returned. Its length only grows, so it is
/// zero-filled once, not once per file.
fn read_file(
    open: impl FnOnce() -> std::io::Result<fs::File>,
    size_hint: u64,
    limit: u64,
    bytes: &mut Vec<u8>,
) -> Result<usize, String> {
    use std::io::{ErrorKind, Read};
    let cannot = |e: std::io::Error| {
        format!("cannot be read: {e}; check that it still exists and that Agora may read it")
    };
    let too_large = || inputs::too_large(limit);
    if size_hint > limit {
        return Err(too_large());
    }
    let mut file = open().map_err(cannot)?;
    // The part of the buffer this file may fill so far.
    let mut end = size_hint as usize + 1;
    let mut filled = 0;
    loop {
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        match file.read(&mut bytes[filled..end]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        }
        if filled < end {
            break; // a short read: the end of the file
        }
        if filled as u64 > limit {
            return Err(too_large());
        }
        end *= 2;
    }
    if filled as u64 > limit {
        return Err(too_large());
    }
    Ok(filled)
}

/// A worker's result for one speech: its counts, or why it was skipped.
struct Done {
    /// The position of its file (or container) in the listing.
    seq: usize,
    /// Bytes of the listing it accounts for, for the progress bar.
    listed: u64,
    result: Result<Box<Counted>, Problem>,
}

/// A speech that was counted. Its theme counts went into the worker's own
/// [`Totals`]; what the aggregator still needs is its row of
/// `speeches.csv`, formatted by the worker so that the one in-order thread
/// only copies bytes, and, when keyword tables are asked for, its stem
/// counts (see [`Totals::add_words`]).
struct Counted {
    /// Bytes of the file.
    bytes: u64,
    /// Its row of `speeches.csv`, `\n`-terminated.
    row: Vec<u8>,
    encoding: &'static str,
    problems: Vec<Problem>,
    /// The file's own counts, when they are kept apart (for the cache).
    file: Option<Box<FileCounts>>,
    /// Whether they come from the cache (the file was not analyzed).
    from_cache: bool,
    /// Its country and year, when its counts are kept apart.
    key: Option<crate::partial::Key>,
    /// The speech's metadata and counts, for the keyword tables.
    words: Option<(SpeechMeta, SpeechCounts)>,
    /// With `--records`: the file's turns and the furniture removed from it.
    record: Option<(u64, Furniture)>,
}

/// One file's counts, kept apart for the cache.
pub(crate) struct FileCounts {
    /// Its counts, as the JSON line stored in the cache.
    pub counts_json: Vec<u8>,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its country and year.
    pub key: crate::partial::Key,
}

impl CacheEntry {
    /// The stored result of a file, as if it had just been counted.
    fn to_counted(&self) -> Result<Box<Counted>, Problem> {
        let problems = self
            .problems
            .iter()
            .filter_map(|p| p.to_problem().ok())
            .collect();
        let encoding = ENCODINGS
            .iter()
            .find(|e| **e == self.encoding)
            .copied()
            .unwrap_or("utf-8");
        Ok(Box::new(Counted {
            bytes: self.bytes,
            row: self.row.clone().into_bytes(),
            encoding,
            problems,
            file: None,
            from_cache: true,
            key: None,
            words: None,
            record: None,
        }))
    }
}

/// What every worker shares.
struct Shared<'a> {
    found: &'a Discovery,
    /// The dictionary compiled and the stop words, per language in use.
    languages: &'a Languages,
    metadata: &'a Metadata,
    /// What the totals keep.
    layout: Layout,
    /// Collocation window.
    window: usize,
    /// Largest file read (`--max-file-mb`).
    max_file_bytes: u64,
    /// Where a table's text, id and metadata are.
    columns: &'a Columns,
    /// Whether each file is a meeting record, split into turns (`--records`).
    records: bool,
    /// The sources to read, by index, in order.
    todo: &'a [u32],
    /// Whether each file's counts are kept apart (for the cache) instead of
    /// summed into the worker's totals.
    per_file: bool,
    /// The cache of the previous run: a file whose content it holds is not counted again.
    previous: Option<&'a Cache>,
    /// The run's numbering of stems, shared by the workers' analyzers.
    stem_ids: &'a Mutex<Interner>,
    /// Each worker's vocabulary (its form counts), handed over when it ends.
    vocabularies: Mutex<Vec<Vocabulary>>,
    /// Each worker's totals, handed over when it ends.
    totals: Mutex<Vec<Totals>>,
}

/// What every command needs before counting: the dictionary, the stop
/// words, the listing of the corpus and its metadata, and the settings a
/// partial file or cache records.
pub struct Prepared {
    /// The parsed dictionary.
    pub dictionary: Dictionary,
    /// The dictionary compiled and the stop words, per language in use.
    languages: Languages,
    /// The corpus, listed.
    pub found: Discovery,
    metadata: Metadata,
    /// Problems met before counting (listing, metadata rows), for errors.csv.
    pub problems: Vec<Problem>,
    /// Files skipped while listing.
    pub skipped: u64,
    /// What decides the counts and tables.
    pub settings: Settings,
    /// What the totals keep.
    pub layout: Layout,
}

impl Prepared {
    /// Reads the dictionary, stop words and metadata, and lists the corpus.
    pub fn load(cfg: &RunConfig) -> Result<Prepared, RunError> {
        // The dictionary is checked before the corpus is listed, in the
        // run's language; the other languages come with the metadata.
        let dict_source = load_dictionary(&cfg.themes, cfg.language)?.0;
        // Looking at each file (size, modification time) is most of the
        // listing's time: it runs on as many threads as the count, beside
        // the building of normalization's word list.
        let pool = worker_pool(cfg.threads).map_err(io)?;
        let found = pool
            .install(|| rayon::join(|| discover(&cfg.inputs), normalize::prepare).0)
            .map_err(usage)?;
        let mut problems = found.problems.clone();
        drop(pool);
        // The metadata is read on this thread, which keeps it for the whole
        // run: the listing's fingerprint and the tables' checksum are taken
        // beside it, on a thread of their own.
        let (metadata, (fingerprint, metadata_sha256)) = std::thread::scope(|scope| {
            let sums = || {
                let tables = Metadata::table_paths(&cfg.metadata, &found);
                (found.fingerprint(), metadata_sha256(tables))
            };
            let beside = std::thread::Builder::new().spawn_scoped(scope, sums).ok();
            let metadata = Metadata::load(&cfg.metadata, &found, &mut problems);
            // Without a second thread, or if it panicked, the sums are taken here.
            let sums = beside.and_then(|t| t.join().ok()).unwrap_or_else(sums);
            (metadata, sums)
        });
        let metadata = metadata.map_err(usage)?;
        let metadata_sha256 = metadata_sha256.map_err(usage)?;
        let loaded = Languages::load(
            cfg.language,
            &metadata.languages(),
            &cfg.themes.label(),
            &dict_source,
            &cfg.stopwords,
        )
        .map_err(usage)?;
        let dictionary = loaded.dictionary;
        let languages = loaded.languages;
        let matcher = &languages.primary().matcher;
        check_interrupt()?;
        let skipped = found
            .problems
            .iter()
            .filter(|p| p.outcome == Outcome::Skipped)
            .count() as u64;
        let settings = Settings {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            dictionary: Hashed {
                label: cfg.themes.label(),
                sha256: sha256_hex(dict_source.as_bytes()),
            },
            dictionary_text: dict_source,
            stopwords: loaded.stopwords,
            language: cfg.language.code().to_owned(),
            other_stopwords: loaded.other_stopwords,
            metadata_tables: metadata
                .tables
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            metadata_sha256,
            inputs: cfg.inputs.iter().map(|p| p.display().to_string()).collect(),
            files: found.sources.len() as u64,
            fingerprint,
            tables: cfg.tables.names().iter().map(|s| (*s).to_owned()).collect(),
            by_year: cfg.by_year,
            window: cfg.window,
            top: cfg.top,
            min_count: cfg.min_count,
            records: cfg.records,
        };
        let layout = Layout {
            themes: matcher.theme_count(),
            terms: matcher.term_count(),
            tables: cfg.tables,
            by_year: cfg.by_year,
        };
        Ok(Prepared {
            dictionary,
            languages,
            found,
            metadata,
            problems,
            skipped,
            settings,
            layout,
        })
    }
}

/// The checksum of the metadata tables, whose contents decide countries and
/// years, so they are part of the settings: SHA-256 (hex) of the
/// concatenated hex SHA-256 of each table.
fn metadata_sha256<'a>(tables: impl Iterator<Item = &'a Path>) -> anyhow::Result<String> {
    let mut all = Sha256::new();
    for path in tables {
        let bytes = fs::read(path)
            .with_context(|| format!("cannot read metadata table {}", path.display()))?;
        all.update(sha256_hex(&bytes).as_bytes());
    }
    Ok(crate::manifest::hex(&all.finalize()))
}

/// What the files counted added up to, besides the totals: for the
/// summary, the manifest and errors.csv.
#[derive(Debug, Default)]
pub struct Tally {
    /// Speeches per encoding.
    pub encodings: BTreeMap<&'static str, u64>,
    /// Bytes of the speeches counted.
    pub bytes: u64,
    /// Files skipped.
    pub skipped: u64,
    /// Rows of errors.csv.
    pub problems: Vec<Problem>,
}

impl Tally {
    /// Counts a speech's encoding.
    pub fn encoding(&mut self, label: &str) {
        let label = ENCODINGS
            .iter()
            .find(|e| **e == label)
            .copied()
            .unwrap_or("other");
        *self.encodings.entry(label).or_default() += 1;
    }
}

/// The encoding labels `speeches.csv` can hold.
const ENCODINGS: &[&str] = &["utf-8", "utf-8-bom", "windows-1252"];

/// Counts the sources of `todo` (indexes into the listing, in order) with
/// `threads` workers, handing `sink` each file's result in that order.
/// Returns the workers' totals; with `per_file`, each file's counts also
/// come in its result (for the cache).
fn count_files(
    prep: &Prepared,
    cfg: &RunConfig,
    todo: &[u32],
    per_file: bool,
    previous: Option<&Cache>,
    mut sink: impl FnMut(Done),
) -> Result<(Totals, Lexicon), RunError> {
    let pool = worker_pool(cfg.threads).map_err(io)?;
    let stem_ids = Mutex::new(Interner::default());
    let shared = Shared {
        found: &prep.found,
        languages: &prep.languages,
        metadata: &prep.metadata,
        layout: prep.layout,
        window: cfg.window,
        max_file_bytes: cfg.max_file_bytes,
        columns: &cfg.columns,
        records: cfg.records,
        todo,
        per_file,
        previous,
        stem_ids: &stem_ids,
        vocabularies: Mutex::new(Vec::new()),
        totals: Mutex::new(Vec::new()),
    };
    // The keyword tables' counts, added here in speech order (see
    // `Totals::add_words`); the workers' theme totals are merged into it.
    let mut totals = Totals::new(prep.layout);
    stream(&shared, &pool, cfg.threads, |mut done| {
        if let Ok(counted) = &mut done.result {
            if let Some((meta, counts)) = counted.words.take() {
                totals.add_words(&meta, &counts);
            }
        }
        sink(done)
    })
    .map_err(io)?;
    let parts = shared
        .totals
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let vocabularies = shared
        .vocabularies
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let stem_ids = stem_ids.into_inner().unwrap_or_else(|e| e.into_inner());
    // The workers' sums are merged while the lexicon is built from their
    // vocabularies: the workers are idle by now, and both are on the way to
    // the tables.
    let (totals, lexicon) = pool.join(
        move || {
            // Integer sums: the merge order does not matter.
            for part in parts {
                totals.merge(part);
            }
            totals
        },
        move || {
            let mut lexicon = Lexicon::new(stem_ids);
            for vocab in &vocabularies {
                lexicon.absorb(vocab);
            }
            lexicon
        },
    );
    Ok((totals, lexicon))
}

/// The pool the workers run on, and the tables are ranked on.
fn worker_pool(threads: usize) -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("agora-worker-{i}"))
        .build()
        .context("cannot start the worker threads")
}

/// Runs the whole job: reads the corpus, counts, writes every table. With
/// `--cache`, files whose counts are in the cache are not read again.
pub fn run(cfg: &RunConfig, command_line: &[String], log: &Log) -> Result<Summary, RunError> {
    let started = Instant::now();
    if cfg.records && cfg.cache.is_some() {
        // The cache keeps one country and year per file; a record holds many.
        return Err(usage(anyhow!(
            "--records cannot be combined with --cache yet: run without --cache (docs/records.md)"
        )));
    }
    let prep = Prepared::load(cfg)?;
    if let (Some(_), Some(container)) = (&cfg.cache, prep.found.container()) {
        return Err(usage(anyhow!(
            "--cache works only with folders and files of speeches, not with the table or \
             archive {} (its speeches are known only while it is read); leave out --cache, \
             or unpack the archive into a folder",
            prep.found.path(container).display()
        )));
    }
    let tables_key = cfg
        .cache
        .as_ref()
        .map(|_| cache::tables_key(&prep.settings, &prep.problems));
    if let (Some(dir), Some(key)) = (&cfg.cache, &tables_key) {
        if let Some(last) = cache::last_run(dir, key) {
            return copy_last_tables(cfg, &prep, dir, &last, command_line, log, started);
        }
    }
    let staging = Staging::create(&cfg.out).map_err(io)?;
    let mut speeches = tables::SpeechesFile::create(staging.path()).map_err(io)?;
    let mut tally = Tally {
        skipped: prep.skipped,
        problems: prep.problems.clone(),
        ..Tally::default()
    };
    let found = &prep.found;
    // With a cache: what can be reused without reading, and what must be counted.
    let previous = cfg
        .cache
        .as_deref()
        .map(|dir| Cache::open(dir, &prep.settings));
    let mut reuse: Vec<(usize, &CacheEntry)> = Vec::new();
    // Positions in the listing, which has fewer than 2^32 sources (its ids
    // take at least a byte each, of at most 4 GiB): one per file.
    let mut todo: Vec<u32> = Vec::new();
    for (seq, source) in found.sources.iter().enumerate() {
        let hit = previous.as_ref().and_then(|c| {
            c.unchanged(
                found.id(source),
                &found.path(source),
                source.size(),
                source.mtime_ns(),
            )
        });
        match hit {
            Some(entry) => reuse.push((seq, entry)),
            None => todo.push(seq as u32),
        }
    }
    log.start(found.sources.len() as u64, found.bytes(), todo.len() as u64);
    let mut progress = Progress::new(log, found.bytes(), found.sources.len() as u64);
    let mut next_cache = match (&previous, &cfg.cache) {
        (Some(p), Some(dir)) => Some(NextCache::new(dir, p)),
        _ => None,
    };
    // Speeches per (country, year) of the files counted now, and the ids reused.
    let mut new_cells: BTreeMap<crate::partial::Key, u64> = BTreeMap::new();
    let mut kept: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut write_error = None;
    let mut reused = 0u64;
    let mut records = RecordsEntry::empty();
    let worker_sums = {
        let mut reuse = reuse.into_iter().peekable();
        // One file's results, reused or counted, in speech-id order.
        let mut absorb = |seq: usize, listed: u64, counted: Result<Box<Counted>, Problem>| {
            let src = &found.sources[seq];
            progress.advance(listed);
            match counted {
                Ok(counted) => {
                    tally.bytes += counted.bytes;
                    if let Err(e) = speeches.append(&counted.row) {
                        write_error.get_or_insert(e);
                    }
                    tally.encoding(counted.encoding);
                    if let Some((turns, furniture)) = &counted.record {
                        // Encodings count speeches: each turn has its record's.
                        for _ in 1..*turns {
                            tally.encoding(counted.encoding);
                        }
                        records.add_record(*turns, furniture);
                    }
                    let old = previous
                        .as_ref()
                        .and_then(|p| p.entries().get(found.id(src)));
                    match (next_cache.as_mut(), counted.file, old) {
                        (Some(next), _, Some(old)) if counted.from_cache => {
                            reused += 1;
                            kept.insert(found.id(src));
                            next.keep(found.id(src), old.clone(), src.mtime_ns());
                        }
                        (Some(next), Some(file), _) => {
                            *new_cells.entry(file.key.clone()).or_default() += 1;
                            let entry = CacheEntry {
                                path: found.path(src).display().to_string(),
                                size: src.size(),
                                mtime_ns: src.mtime_ns(),
                                sha256: file.sha256,
                                row: String::from_utf8_lossy(&counted.row).into_owned(),
                                bytes: counted.bytes,
                                encoding: counted.encoding.to_owned(),
                                problems: counted
                                    .problems
                                    .iter()
                                    .map(ProblemEntry::from_problem)
                                    .collect(),
                                key: file.key,
                                segment: 0,
                                offset: 0,
                                len: 0,
                            };
                            next.add(found.id(src), entry, &file.counts_json);
                        }
                        _ => {}
                    }
                    tally.problems.extend(counted.problems);
                }
                Err(problem) => {
                    tally.skipped += 1;
                    tally.problems.push(problem);
                }
            }
        };
        let mut flush_before =
            |seq: usize, absorb: &mut dyn FnMut(usize, u64, Result<Box<Counted>, Problem>)| {
                while let Some(&(s, entry)) = reuse.peek() {
                    if s >= seq {
                        break;
                    }
                    reuse.next();
                    absorb(s, found.sources[s].size(), entry.to_counted());
                }
            };
        let worker_sums = count_files(
            &prep,
            cfg,
            &todo,
            previous.is_some(),
            previous.as_ref(),
            |done| {
                flush_before(done.seq, &mut absorb);
                absorb(done.seq, done.listed, done.result);
            },
        )?;
        flush_before(usize::MAX, &mut absorb);
        worker_sums
    };
    progress.finish();
    check_interrupt()?;
    if let Some(e) = write_error {
        return Err(io(
            anyhow::Error::new(e).context("cannot write speeches.csv")
        ));
    }
    let speeches = speeches.finish().map_err(io)?;
    // With a cache: the previous sum, less the files gone or changed, plus the files counted now.
    let mut cache_sum = None;
    let sums = match (&previous, &cfg.cache) {
        (Some(previous), Some(dir)) => {
            let gone: Vec<&CacheEntry> = previous
                .entries()
                .iter()
                .filter(|(id, _)| !kept.contains(id.as_str()))
                .map(|(_, e)| e)
                .collect();
            match update_sum(prep.layout, dir, previous, &gone, worker_sums, new_cells) {
                Ok((totals, lexicon, sum)) => {
                    cache_sum = Some(sum);
                    (totals, lexicon)
                }
                Err(e) => {
                    // Counted again from scratch, and the cache rebuilt.
                    drop(staging);
                    let _ = fs::remove_file(dir.join(cache::INDEX));
                    let mut summary = run(cfg, command_line, log)?;
                    summary.warnings.insert(
                        0,
                        format!(
                            "the cache in {} could not be used ({e:#}); every file was counted",
                            dir.display()
                        ),
                    );
                    return Ok(summary);
                }
            }
        }
        _ => worker_sums,
    };
    let (totals, lexicon) = sums;
    let encodings = tally.encodings.clone();
    let mut extra = Vec::new();
    if cfg.records {
        extra.push(("records", records.to_json()));
    }
    if let Some(dir) = &cfg.cache {
        extra.push((
            "cache",
            serde_json::json!({ "path": dir.display().to_string(), "reused": reused }),
        ));
    }
    let (mut summary, rows) = finish_tables(
        Finish {
            staging,
            speeches,
            totals,
            lexicon,
            tally,
            dictionary: &prep.dictionary,
            settings: &prep.settings,
            threads: cfg.threads,
            out: &cfg.out,
            command_line,
            extra,
            outputs: &cfg.outputs,
        },
        started,
    )?;
    summary.reused = cfg.cache.as_ref().map(|_| reused);
    if let (Some(cache), Some(dir), Some(key), Some(sum)) =
        (next_cache, &cfg.cache, tables_key, cache_sum)
    {
        let kept = cache.write(&sum).and_then(|()| {
            // A run that skipped files is not kept whole: they are tried again.
            if summary.skipped > 0 {
                return Ok(());
            }
            let last = LastRun {
                key,
                speeches: summary.speeches,
                problems: summary.problems,
                tokens: summary.tokens,
                bytes: summary.bytes,
                encodings: encodings
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), *v))
                    .collect(),
                rows: rows
                    .iter()
                    .filter(|(k, _)| k.ends_with(".csv"))
                    .map(|(k, v)| ((*k).to_owned(), *v))
                    .collect(),
            };
            cache::save_last_run(dir, &cfg.out, &last)
        });
        if let Err(e) = kept {
            summary
                .warnings
                .push(format!("{e:#}; the next run will count every file"));
        }
    }
    Ok(summary)
}

/// The sums of a cached run: the cache's sum, less the counts of `gone`
/// (files deleted or changed), plus `counted` (the workers' sums of the
/// files counted now, speeches per cell in `new_cells`); also the new sum to
/// store. Cells and stems no speech is left in are removed, as a run from
/// scratch would not have them.
fn update_sum(
    layout: Layout,
    dir: &Path,
    previous: &Cache,
    gone: &[&CacheEntry],
    counted: (Totals, Lexicon),
    new_cells: BTreeMap<crate::partial::Key, u64>,
) -> anyhow::Result<(Totals, Lexicon, cache::Sum)> {
    let stored = previous.sum(dir)?;
    let mut lexicon = Lexicon::default();
    // Form counts by (form, stem), signed while files are taken out.
    let mut forms: HashMap<(String, u32), i128> = HashMap::new();
    let mut totals = stored
        .counts
        .to_totals_with(layout, &mut lexicon, |form, stem, n| {
            *forms.entry((form.to_owned(), stem)).or_default() += i128::from(n);
        })?;
    let mut cells: BTreeMap<crate::partial::Key, u64> = stored.speeches.into_iter().collect();
    for (entry, counts) in gone
        .iter()
        .zip(previous.counts_of(dir, gone.iter().copied())?)
    {
        let part = counts.to_totals_with(layout, &mut lexicon, |form, stem, n| {
            *forms.entry((form.to_owned(), stem)).or_default() -= i128::from(n);
        })?;
        crate::partial::subtract(&mut totals, &part)?;
        cache::take_speeches(&mut cells, &entry.key, 1)?;
    }
    let (new_totals, new_lexicon) = counted;
    let new = Counts::from_totals(&new_totals, &new_lexicon);
    drop(new_totals);
    let part = new.to_totals_with(layout, &mut lexicon, |form, stem, n| {
        *forms.entry((form.to_owned(), stem)).or_default() += i128::from(n);
    })?;
    totals.merge(part);
    for (key, n) in new_cells {
        *cells.entry(key).or_default() += n;
    }
    cells.retain(|_, n| *n > 0);
    crate::partial::prune(&mut totals, &cells);
    let mut forms: Vec<((String, u32), i128)> = forms.into_iter().collect();
    forms.sort_unstable();
    for ((form, stem), n) in forms {
        match u64::try_from(n) {
            Ok(0) => {}
            Ok(n) => lexicon.add_form(&form, stem, n),
            Err(_) => anyhow::bail!("form counts would go below zero"),
        }
    }
    let sum = cache::Sum {
        counts: Counts::from_totals(&totals, &lexicon),
        speeches: cells.into_iter().collect(),
    };
    Ok((totals, lexicon, sum))
}

/// The run with `--cache` when nothing changed since the last one (same
/// key): its tables are copied from the cache, and no file is read.
fn copy_last_tables(
    cfg: &RunConfig,
    prep: &Prepared,
    dir: &Path,
    last: &LastRun,
    command_line: &[String],
    log: &Log,
    started: Instant,
) -> Result<Summary, RunError> {
    let files = prep.found.sources.len() as u64;
    log.start(files, prep.found.bytes(), 0);
    log.stage("tables");
    let staging = Staging::create(&cfg.out).map_err(io)?;
    let mut rows = BTreeMap::new();
    // Only the CSV tables: what is made from them is made again below,
    // with this run's --format and --report.
    for (name, n) in last.rows.iter().filter(|(name, _)| name.ends_with(".csv")) {
        let name = tables::ALL
            .iter()
            .find(|t| **t == name)
            .ok_or_else(|| io(anyhow!("the cache names an unknown table {name}")))?;
        fs::copy(
            dir.join(cache::TABLES_DIR).join(name),
            staging.path().join(name),
        )
        .with_context(|| format!("cannot copy {name} from the cache"))
        .map_err(io)?;
        rows.insert(*name, *n);
    }
    let mut tally = Tally::default();
    for (label, n) in &last.encodings {
        let label = ENCODINGS
            .iter()
            .find(|e| **e == label)
            .copied()
            .unwrap_or("other");
        tally.encodings.insert(label, *n);
    }
    let mut summary = Summary {
        speeches: last.speeches,
        skipped: 0,
        problems: last.problems,
        tokens: last.tokens,
        bytes: last.bytes,
        elapsed: started.elapsed(),
        out: cfg.out.clone(),
        warnings: Vec::new(),
        partial: false,
        reused: Some(last.speeches),
    };
    let pool = worker_pool(cfg.threads).map_err(io)?;
    write_extras(
        staging.path(),
        &mut rows,
        &cfg.outputs,
        &pool,
        &prep.settings.tool_version,
    )?;
    let extra = vec![(
        "cache",
        serde_json::json!({ "path": dir.display().to_string(), "reused": last.speeches }),
    )];
    // The tables are read back for their checksums in parallel.
    let manifest = pool
        .install(|| {
            crate::manifest::build(&crate::manifest::ManifestInput {
                command_line,
                settings: &prep.settings,
                dictionary: &prep.dictionary,
                threads: cfg.threads,
                out: &cfg.out,
                encodings: &tally.encodings,
                rows: &rows,
                summary: &summary,
                dir: staging.path(),
                sums: &BTreeMap::new(),
                extra,
            })
        })
        .map_err(io)?;
    tables::write_synced(&staging.path().join(tables::MANIFEST), manifest.as_bytes())
        .with_context(|| format!("cannot write {}", tables::MANIFEST))
        .map_err(io)?;
    // The last moment to stop: once the swap begins, the run completes.
    check_interrupt()?;
    summary.warnings = staging.commit(tables::ALL).map_err(io)?;
    Ok(summary)
}

/// Counts one shard of the corpus and writes its partial file into
/// `partial_dir`. Problems met while listing go to shard 0 only, so that
/// the merge reports each once.
pub fn count(
    cfg: &RunConfig,
    shard: Shard,
    partial_dir: &Path,
    log: &Log,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let prep = Prepared::load(cfg)?;
    if let Some(container) = prep.found.container() {
        return Err(usage(anyhow!(
            "agora count works only with folders and files of speeches, not with the table or \
             archive {} (speeches.csv of a merge is in speech-id order, a table's in row \
             order); count it with agora run, or unpack the archive into a folder",
            prep.found.path(container).display()
        )));
    }
    let found = &prep.found;
    let todo: Vec<u32> = (0..found.sources.len())
        .filter(|&seq| shard.holds(found.id(&found.sources[seq])))
        .map(|seq| seq as u32)
        .collect();
    let bytes: u64 = todo.iter().map(|&s| found.sources[s as usize].size()).sum();
    log.start(todo.len() as u64, bytes, todo.len() as u64);
    let mut progress = Progress::new(log, bytes, todo.len() as u64);
    let mut tally = Tally::default();
    if shard.index == 0 {
        tally.skipped = prep.skipped;
        tally.problems = prep.problems.clone();
    }
    let mut rows = Vec::new();
    // With --records, a record is in the shard of its file's id, whole.
    let mut records = cfg.records.then(RecordsEntry::empty);
    let (totals, lexicon) = count_files(&prep, cfg, &todo, false, None, |done| {
        let src = &found.sources[done.seq];
        progress.advance(done.listed);
        match done.result {
            Ok(counted) => {
                tally.bytes += counted.bytes;
                tally.encoding(counted.encoding);
                if let (Some(records), Some((turns, furniture))) = (&mut records, &counted.record) {
                    records.add_record(*turns, furniture);
                }
                rows.push(SpeechEntry {
                    id: found.id(src).to_owned(),
                    row: String::from_utf8_lossy(&counted.row).into_owned(),
                    bytes: counted.bytes,
                    encoding: counted.encoding.to_owned(),
                    turns: counted.record.map(|(turns, _)| turns),
                });
                tally.problems.extend(counted.problems);
            }
            Err(problem) => {
                tally.skipped += 1;
                tally.problems.push(problem);
            }
        }
    })?;
    progress.finish();
    check_interrupt()?;
    tally.problems.sort();
    fs::create_dir_all(partial_dir)
        .with_context(|| format!("cannot create {}", partial_dir.display()))
        .map_err(io)?;
    let info = ShardInfo {
        index: shard.index,
        count: shard.count,
    };
    let path = partial_dir.join(PartialFile::file_name(info));
    let summary = Summary {
        speeches: totals.speeches,
        skipped: tally.skipped,
        problems: tally.problems.len() as u64,
        tokens: totals.tokens,
        bytes: tally.bytes,
        elapsed: started.elapsed(),
        out: path.clone(),
        warnings: Vec::new(),
        partial: true,
        reused: None,
    };
    let partial = PartialFile {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        shard: info,
        settings: prep.settings.clone(),
        threads: cfg.threads,
        elapsed_seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        files: todo.len() as u64,
        skipped: tally.skipped,
        speeches: rows,
        problems: tally
            .problems
            .iter()
            .map(ProblemEntry::from_problem)
            .collect(),
        counts: Counts::from_totals(&totals, &lexicon),
        records,
    };
    partial.write(&path).map_err(io)?;
    Ok(summary)
}

/// What the tables are written from, and where.
pub(crate) struct Finish<'a> {
    /// The temporary output folder, speeches.csv already in it.
    pub staging: Staging,
    /// speeches.csv, written but not yet synced.
    pub speeches: tables::Flushed,
    /// The sums.
    pub totals: Totals,
    /// Their stems.
    pub lexicon: Lexicon,
    /// Encodings, bytes, skipped files and problems.
    pub tally: Tally,
    /// The dictionary.
    pub dictionary: &'a Dictionary,
    /// Options and inputs, for the manifest.
    pub settings: &'a Settings,
    /// Worker threads, for the manifest.
    pub threads: usize,
    /// `--out`.
    pub out: &'a Path,
    /// The command line, for the manifest.
    pub command_line: &'a [String],
    /// Keys of the manifest only some commands write.
    pub extra: Vec<(&'static str, serde_json::Value)>,
    /// Parquet copies and the report.
    pub outputs: &'a Outputs,
}

/// Writes every table but speeches.csv (already written) from the sums,
/// then errors.csv and manifest.json, and swaps the folder into place:
/// what `agora run` and `agora merge` share, so their tables are the same.
/// Returns the summary and the rows of each table.
pub(crate) fn finish_tables(
    f: Finish<'_>,
    started: Instant,
) -> Result<(Summary, BTreeMap<&'static str, u64>), RunError> {
    let Finish {
        staging,
        speeches: speeches_file,
        totals,
        lexicon,
        mut tally,
        dictionary,
        settings,
        threads,
        out,
        command_line,
        extra,
        outputs,
    } = f;
    let tables_on = Tables::from_labels(&settings.tables)
        .ok_or_else(|| usage(anyhow!("unknown table in {:?}", settings.tables)))?;
    let (by_year, top, min_count) = (settings.by_year, settings.top, settings.min_count);
    let dir = staging.path();
    let mut rows = BTreeMap::new();
    rows.insert(tables::SPEECHES, totals.speeches);
    // Checksums, taken as the tables are written, for the manifest.
    let mut sums = BTreeMap::new();
    sums.insert(tables::SPEECHES, speeches_file.sum.clone());
    let speeches_synced = speeches_file.sync_in_background();
    // The tables below are written at the same time, on as many threads as
    // the run counted with: each is a file of its own, and writing them one
    // after the other was most of the time after the last file was counted.
    // Collocates and keyness are also ranked in parallel inside, so a
    // thread done with a small table helps with the big ones.
    let pool = worker_pool(threads).map_err(io)?;
    let (totals_ref, lexicon_ref) = (&totals, &lexicon);
    // Which tables to write, and how.
    type Writer<'w> = &'w (dyn Fn() -> anyhow::Result<tables::Written> + Sync);
    let writers: [(bool, &'static str, Writer<'_>); 6] = [
        (tables_on.collocates, tables::COLLOCATES, &|| {
            tables::write_collocates(
                dir,
                totals_ref,
                lexicon_ref,
                dictionary,
                by_year,
                top,
                min_count,
            )
        }),
        (tables_on.keyness, tables::KEYNESS, &|| {
            tables::write_keyness(dir, totals_ref, lexicon_ref, by_year, top, min_count)
        }),
        (tables_on.themes, tables::THEME_COUNTS, &|| {
            tables::write_theme_counts(dir, totals_ref, dictionary)
        }),
        (tables_on.cooccurrence, tables::COOCCURRENCE, &|| {
            tables::write_cooccurrence(dir, totals_ref, dictionary, by_year)
        }),
        (tables_on.keywords, tables::KEYWORD_COUNTS, &|| {
            tables::write_keyword_counts(dir, totals_ref, dictionary)
        }),
        (tables_on.terms, tables::TERM_COUNTS, &|| {
            tables::write_term_counts(dir, totals_ref, lexicon_ref, min_count)
        }),
    ];
    let written = pool
        .install(|| {
            writers
                .par_iter()
                .filter(|(on, _, _)| *on)
                .map(|&(_, name, write)| write().map(|table| (name, table)))
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .map_err(io)?;
    for (name, table) in written {
        rows.insert(name, table.rows);
        sums.insert(name, table.sum);
    }
    // The sums are not needed any more. Freeing them (thousands of maps and
    // vectors) took a visible moment at the end of a run, so it is done
    // beside what is left to write.
    let (speeches, tokens) = (totals.speeches, totals.tokens);
    // `spawn` would panic if no thread can be started; the builder hands
    // the closure back dropped instead, which frees the sums right here.
    let freeing = std::thread::Builder::new()
        .name("agora-free".into())
        .spawn(move || drop((totals, lexicon)))
        .ok();
    let errors = tables::write_errors(dir, &mut tally.problems).map_err(io)?;
    rows.insert(tables::ERRORS, errors.rows);
    sums.insert(tables::ERRORS, errors.sum);
    write_extras(dir, &mut rows, outputs, &pool, &settings.tool_version)?;
    let mut summary = Summary {
        speeches,
        skipped: tally.skipped,
        problems: tally.problems.len() as u64,
        tokens,
        bytes: tally.bytes,
        elapsed: started.elapsed(),
        out: out.to_owned(),
        warnings: Vec::new(),
        partial: false,
        reused: None,
    };
    // The Parquet copies, not checksummed while written, are read back in
    // parallel.
    let manifest = pool
        .install(|| {
            crate::manifest::build(&crate::manifest::ManifestInput {
                command_line,
                settings,
                dictionary,
                threads,
                out,
                encodings: &tally.encodings,
                rows: &rows,
                summary: &summary,
                dir,
                sums: &sums,
                extra,
            })
        })
        .map_err(io)?;
    tables::write_synced(&dir.join(tables::MANIFEST), manifest.as_bytes())
        .with_context(|| format!("cannot write {}", tables::MANIFEST))
        .map_err(io)?;
    speeches_synced.wait().map_err(io)?;
    // The last moment to stop: once the swap begins, the run completes.
    check_interrupt()?;
    // Joined so that the memory is back before the caller goes on (dropping
    // cannot fail, so neither can the join).
    if let Some(freeing) = freeing {
        let _ = freeing.join();
    }
    summary.warnings = staging.commit(tables::ALL).map_err(io)?;
    Ok((summary, rows))
}

/// Writes what is made from the finished CSV tables in `dir`: the Parquet
/// copies (in parallel on `pool`, one table per task; each is added to
/// `rows`, for the manifest), `datapackage.json` and `report.html`.
fn write_extras(
    dir: &Path,
    rows: &mut BTreeMap<&'static str, u64>,
    outputs: &Outputs,
    pool: &rayon::ThreadPool,
    version: &str,
) -> Result<(), RunError> {
    if outputs.parquet {
        let csv: Vec<(&'static str, u64)> = rows.iter().map(|(k, v)| (*k, *v)).collect();
        let written = pool.install(|| {
            csv.par_iter()
                .map(|&(name, n)| write_parquet(dir, name).map(|p| (p, n)))
                .collect::<anyhow::Result<Vec<_>>>()
        });
        rows.extend(written.map_err(io)?);
    }
    let files: Vec<&str> = rows.keys().copied().collect();
    let package = crate::datapackage::build(dir, &files, version).map_err(io)?;
    tables::write_synced(&dir.join(tables::DATAPACKAGE), package.as_bytes())
        .with_context(|| format!("cannot write {}", tables::DATAPACKAGE))
        .map_err(io)?;
    if let Some(options) = &outputs.report {
        let html = crate::report::build(dir, options).map_err(io)?;
        tables::write_synced(&dir.join(tables::REPORT), html.as_bytes())
            .with_context(|| format!("cannot write {}", tables::REPORT))
            .map_err(io)?;
    }
    Ok(())
}

/// The Parquet copy of one CSV table.
#[cfg(feature = "parquet")]
fn write_parquet(dir: &Path, csv: &str) -> anyhow::Result<&'static str> {
    crate::parquet::write_from_csv(dir, csv)
}

/// Never called: [`Outputs::resolve`] refuses `parquet` in this build.
#[cfg(not(feature = "parquet"))]
fn write_parquet(_dir: &Path, csv: &str) -> anyhow::Result<&'static str> {
    Err(anyhow!(
        "cannot write a Parquet copy of {csv}: built without the `parquet` feature"
    ))
}

/// Reads and checks the dictionary, its terms stemmed in `language`;
/// returns its text too (for the hash).
fn load_dictionary(source: &Source, language: Language) -> Result<(String, Dictionary), RunError> {
    let text = source
        .read()
        .with_context(|| format!("cannot read the theme dictionary {}", source.label()))
        .map_err(usage)?;
    let dictionary = parse_dictionary(&text, &Stemmer::new(language))
        .map_err(|e| usage(anyhow!("theme dictionary {}: {e}", source.label())))?;
    Ok((text, dictionary))
}

/// Runs dispatcher, `threads` workers on `pool` and the caller's `sink` (on
/// this thread), handing `sink` every file's result in source order.
fn stream(
    shared: &Shared<'_>,
    pool: &rayon::ThreadPool,
    threads: usize,
    mut sink: impl FnMut(Done),
) -> anyhow::Result<()> {
    // Enough batches queued that no worker waits for the next one.
    let depth = 2 * threads;
    let (job_tx, job_rx) = bounded::<Batch>(depth);
    let (done_tx, done_rx) = bounded::<DoneBatch>(depth);
    // Credits bound the batches between the dispatcher and the in-order sink,
    // so one slow file cannot make the reorder buffer grow: the dispatcher
    // waits until the sink has caught up.
    let window = 4 * depth;
    let (credit_tx, credit_rx) = bounded::<()>(window);
    for _ in 0..window {
        let _ = credit_tx.send(());
    }
    std::thread::scope(|scope| {
        scope.spawn(move || dispatch(shared, job_tx, credit_rx));
        // The workers own the only senders of results, so the results
        // channel closes when the last worker ends.
        scope.spawn(move || {
            pool.scope(|pool_scope| {
                for _ in 0..threads {
                    let (jobs, done) = (job_rx.clone(), done_tx.clone());
                    pool_scope.spawn(move |_| work(shared, jobs, done));
                }
                drop(done_tx);
            });
        });
        let mut pending: HashMap<usize, DoneBatch> = HashMap::new();
        let mut next = 0;
        for batch in done_rx.iter() {
            pending.insert(batch.index, batch);
            while let Some(batch) = pending.remove(&next) {
                batch.done.into_iter().for_each(&mut sink);
                next += 1;
                let _ = credit_tx.send(());
            }
        }
    });
    Ok(())
}

/// The dispatcher thread: cuts the files to count (`todo`, positions in the
/// listing, in order) into batches by their listed sizes, taking one credit
/// per batch; the aggregator returns a credit for every batch it has put in
/// order. It reads no file: each worker reads its own, so the bytes are
/// still in that core's cache when they are counted, and `--threads 1`
/// means one thread doing the work. A table or archive is the exception: it
/// can only be read in order, so the dispatcher reads it ([`send_container`]).
fn dispatch(shared: &Shared<'_>, batches: Sender<Batch>, credits: Receiver<()>) {
    let (found, todo) = (shared.found, shared.todo);
    let (mut index, mut start, mut bytes) = (0, 0, 0);
    // Hands one batch on; `false` when the run is stopping.
    let mut send = |work: Work| {
        let batch = Batch { index, work };
        index += 1;
        // The aggregator or the workers are gone only when the run is failing anyway.
        credits.recv().is_ok() && batches.send(batch).is_ok()
    };
    for (k, seq) in todo.iter().map(|&seq| seq as usize).enumerate() {
        // On SIGINT/SIGTERM, stop handing out files: the workers finish
        // what is in flight and the channels close.
        if crate::interrupt::requested().is_some() {
            return;
        }
        let source = &found.sources[seq];
        if source.kind().is_container() {
            if (start < k && !send(Work::Files(start..k)))
                || !send_container(shared, seq, &mut send)
            {
                return;
            }
            (start, bytes) = (k + 1, 0);
            continue;
        }
        bytes += source.size();
        let end = k + 1;
        if bytes >= BATCH_BYTES || end - start >= BATCH_FILES || end == todo.len() {
            if !send(Work::Files(start..end)) {
                return;
            }
            (start, bytes) = (end, 0);
        }
    }
}

/// Reads the table or archive at position `seq` of the listing and sends its
/// speeches in batches, cut as files are; `false` when the run is stopping.
fn send_container(shared: &Shared<'_>, seq: usize, send: &mut dyn FnMut(Work) -> bool) -> bool {
    let source = &shared.found.sources[seq];
    let (mut items, mut bytes, mut going) = (Vec::new(), 0u64, true);
    inputs::read_container(
        &shared.found.path(source),
        source.kind(),
        shared.found.id(source),
        shared.columns,
        shared.max_file_bytes,
        &mut |item| {
            if crate::interrupt::requested().is_some() {
                going = false;
                return false;
            }
            bytes += item.text.as_ref().map_or(0, |t| t.len() as u64);
            items.push(item);
            if bytes >= BATCH_BYTES || items.len() >= BATCH_FILES {
                bytes = 0;
                let items = std::mem::take(&mut items);
                going = send(Work::Speeches { seq, items });
            }
            going
        },
    );
    if going && !items.is_empty() {
        going = send(Work::Speeches { seq, items });
    }
    going
}

/// Hands a worker's analyzers' form counts over to the run, as they end.
fn hand_over(shared: &Shared<'_>, analyzers: Analyzers<'_>) {
    let mut vocabularies = shared
        .vocabularies
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for analyzer in analyzers.by_language.into_iter().flatten() {
        vocabularies.push(analyzer.into_vocabulary());
    }
}

/// An analyzer for a worker, in one language: it counts the vocabulary and
/// collocates only when their tables are asked for, since that costs time
/// on every token.
fn new_analyzer<'a>(shared: &Shared<'a>, language: Language) -> Analyzer<'a> {
    let counting = shared.languages.get(language);
    if !shared.layout.counts_words() {
        return Analyzer::new(&counting.matcher).in_language(language);
    }
    let analyzer =
        Analyzer::with_vocabulary(&counting.matcher, &counting.stopwords, shared.stem_ids)
            .in_language(language);
    match shared.layout.tables.collocates {
        true => analyzer.with_collocates(shared.window),
        false => analyzer,
    }
}

/// A worker's analyzers, one per language it has met (made on first use, so
/// a run in one language has one), with, for the cache, each one's form
/// counts before the current file.
struct Analyzers<'a> {
    by_language: Vec<Option<Analyzer<'a>>>,
    seen: Vec<Vec<u64>>,
}

impl<'a> Analyzers<'a> {
    fn new() -> Self {
        Analyzers {
            by_language: Language::ALL.iter().map(|_| None).collect(),
            seen: Language::ALL.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// The analyzer of `language`, made if it is the first speech in it.
    fn get(&mut self, shared: &Shared<'a>, language: Language) -> &mut Analyzer<'a> {
        self.by_language[language.index()].get_or_insert_with(|| new_analyzer(shared, language))
    }
}

/// The language a speech is counted in: its metadata's, else the run's.
fn language_of(shared: &Shared<'_>, seq: usize) -> Language {
    shared
        .metadata
        .language(seq)
        .unwrap_or(shared.languages.default)
}

/// A worker: reads and runs the text stages on each file of each batch it
/// receives.
fn work(shared: &Shared<'_>, batches: Receiver<Batch>, done: Sender<DoneBatch>) {
    let mut analyzers = Analyzers::new();
    let mut totals = Totals::new(shared.layout);
    work_batches(shared, &batches, &done, &mut analyzers, &mut totals);
    hand_over(shared, analyzers);
    // Handed over whether the channels closed normally or not; a poisoned
    // lock only means another worker panicked, and sums stay valid.
    shared
        .totals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(totals);
}

fn work_batches<'a>(
    shared: &Shared<'a>,
    batches: &Receiver<Batch>,
    done: &Sender<DoneBatch>,
    analyzers: &mut Analyzers<'a>,
    totals: &mut Totals,
) {
    let mut bytes = Vec::new();
    for batch in batches.iter() {
        let mut results = Vec::new();
        match batch.work {
            Work::Files(ks) => {
                results.reserve(ks.len());
                for k in ks {
                    let seq = shared.todo[k] as usize;
                    let source = &shared.found.sources[seq];
                    let path = shared.found.path(source);
                    let read = match source.kind().compression {
                        Compression::None => {
                            let open = || shared.found.open(source);
                            read_file(open, source.size(), shared.max_file_bytes, &mut bytes)
                        }
                        compression => inputs::read_compressed(
                            &path,
                            compression,
                            shared.max_file_bytes,
                            &mut bytes,
                        )
                        .map(|()| bytes.len()),
                    };
                    let speech = Speech::file(shared.found, seq, path.display().to_string());
                    let read = read.map(|n| &bytes[..n]);
                    results.push(count_one(shared, analyzers, totals, &speech, read));
                }
            }
            Work::Speeches { seq, items } => {
                results.reserve(items.len());
                for item in items {
                    let speech = Speech {
                        seq,
                        listed: item.listed,
                        id: &item.id,
                        path: item.path.clone(),
                        file_name: &item.file_name,
                        line: item.line,
                        row: item.row.as_deref(),
                        file: false,
                    };
                    let read = item.text.as_deref().map_err(Clone::clone);
                    results.push(count_one(shared, analyzers, totals, &speech, read));
                }
            }
        }
        if done
            .send(DoneBatch {
                index: batch.index,
                done: results,
            })
            .is_err()
        {
            return;
        }
    }
}

/// The speech a worker counts: a file of the listing, or a row or member
/// the dispatcher read out of a table or archive.
struct Speech<'s> {
    /// The position of its file (or container) in the listing.
    seq: usize,
    /// Bytes of the listing it accounts for, for the progress bar.
    listed: u64,
    /// Its speech id.
    id: &'s str,
    /// Where it is, for speeches.csv and errors.csv.
    path: String,
    /// The name its naming conventions are read from.
    file_name: &'s str,
    /// A table row's line, for errors.csv.
    line: Option<u64>,
    /// A table row's metadata.
    row: Option<&'s RowMeta>,
    /// Whether it is a file of the listing (not a row or member of a container).
    file: bool,
}

impl<'s> Speech<'s> {
    /// The speech of the file at position `seq` of the listing, at `path`.
    fn file(found: &'s Discovery, seq: usize, path: String) -> Speech<'s> {
        let source = &found.sources[seq];
        Speech {
            seq,
            listed: source.size(),
            id: found.id(source),
            path,
            file_name: inputs::speech_name(found.file_name(source)),
            line: None,
            row: None,
            file: true,
        }
    }

    /// Its position in the listing for the per-file metadata, which a row
    /// or member of a container has none of (`usize::MAX`).
    fn listed_as(&self) -> usize {
        if self.file {
            self.seq
        } else {
            usize::MAX
        }
    }

    /// A problem with this speech, at its row's line.
    fn problem(&self, stage: &'static str, outcome: Outcome, why: String) -> Problem {
        Problem::new(self.path.clone(), stage, outcome, why).at_line(self.line)
    }
}

/// Counts one speech (its bytes, or why they could not be read), keeping
/// its counts apart with a cache; a panic is reported as a problem of the
/// speech and the worker goes on.
fn count_one<'a>(
    shared: &Shared<'a>,
    analyzers: &mut Analyzers<'a>,
    totals: &mut Totals,
    speech: &Speech<'_>,
    read: Result<&[u8], String>,
) -> Done {
    let result = catch_unwind(AssertUnwindSafe(|| match shared.per_file {
        true => process_apart(shared, analyzers, totals, speech, read),
        false => process(shared, analyzers, totals, speech, read),
    }));
    result.unwrap_or_else(|panic| {
        // A bug, not bad input; the file is reported and the run goes on
        // with fresh analyzers, since the old ones may be inconsistent.
        hand_over(shared, std::mem::replace(analyzers, Analyzers::new()));
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Done {
            seq: speech.seq,
            listed: speech.listed,
            result: Err(speech.problem(
                "analyze",
                Outcome::Skipped,
                format!("internal error, please report it with this file: {why}"),
            )),
        }
    })
}

/// Counts one file with totals of its own and keeps its counts apart (for
/// the cache); a file whose content the previous cache holds is not
/// analyzed again. The worker's analyzer is kept across files (its word
/// cache is what makes counting fast); the file's form counts are what the
/// vocabulary of its language's analyzer grew by, against that analyzer's
/// `seen`, the counts before it.
fn process_apart<'a>(
    shared: &Shared<'a>,
    analyzers: &mut Analyzers<'a>,
    totals: &mut Totals,
    speech: &Speech<'_>,
    bytes: Result<&[u8], String>,
) -> Done {
    let sha256 = match &bytes {
        Ok(bytes) => sha256_hex(bytes),
        Err(_) => String::new(),
    };
    if let Some(entry) = shared
        .previous
        .and_then(|c| c.same_content(speech.id, Path::new(&speech.path), &sha256))
    {
        return Done {
            seq: speech.seq,
            listed: speech.listed,
            result: entry.to_counted(),
        };
    }
    let mut own = Totals::new(shared.layout);
    let mut done = process(shared, analyzers, &mut own, speech, bytes);
    let language = language_of(shared, speech.seq).index();
    if let Ok(counted) = &mut done.result {
        // The file's stem counts stay with its own totals (and go into the
        // worker's below), not to the writer.
        if let Some((meta, counts)) = counted.words.take() {
            own.add_words(&meta, &counts);
        }
        // A file counted was analyzed, so its language's analyzer exists.
        let Some(analyzer) = &mut analyzers.by_language[language] else {
            unreachable!("a counted file has an analyzer")
        };
        let seen = &mut analyzers.seen[language];
        let vocab = analyzer.vocabulary();
        seen.resize(vocab.forms(), 0);
        let mut forms = Vec::new();
        for (i, (form, stem, n)) in vocab.form_counts().enumerate() {
            if n != seen[i] {
                forms.push((form, stem, n - seen[i]));
                seen[i] = n;
            }
        }
        let stems = shared.stem_ids.lock().unwrap_or_else(|e| e.into_inner());
        let counts = Counts::build(&own, |id| stems.get(id), forms);
        drop(stems);
        counted.file = Some(Box::new(FileCounts {
            counts_json: serde_json::to_vec(&counts).unwrap_or_default(),
            sha256,
            key: counted.key.take().unwrap_or_default(),
        }));
    }
    // The worker's own sums hold every file counted, as without a cache.
    totals.merge(own);
    done
}

/// The part of a speech that [`Totals::add_words`] reads, for the in-order
/// writer: the rest is dropped here. Memory is cheaper to free in the thread
/// that allocated it, and the writer's thread is the one the workers wait for.
fn words_only(meta: SpeechMeta, counts: SpeechCounts) -> (SpeechMeta, SpeechCounts) {
    let meta = SpeechMeta {
        country_iso3: meta.country_iso3,
        country_name: meta.country_name,
        year: meta.year,
        ..SpeechMeta::default()
    };
    let counts = SpeechCounts {
        tokens: counts.tokens,
        stems: counts.stems,
        collocates: counts.collocates,
        window_tokens: counts.window_tokens,
        ..SpeechCounts::default()
    };
    (meta, counts)
}

/// Decodes, ingests and analyzes one speech: its bytes, or why they could
/// not be read.
fn process<'a>(
    shared: &Shared<'a>,
    analyzers: &mut Analyzers<'a>,
    totals: &mut Totals,
    speech: &Speech<'_>,
    bytes: Result<&[u8], String>,
) -> Done {
    let (seq, listed) = (speech.seq, speech.listed);
    let skip = |stage, why: String| Done {
        seq,
        listed,
        result: Err(speech.problem(stage, Outcome::Skipped, why)),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(why) => return skip("read", why),
    };
    if looks_binary(bytes) {
        return skip(
            "read",
            "looks like a binary file, not text (many control bytes); skipped".into(),
        );
    }
    let (text, encoding) = decode(bytes);
    if shared.records {
        return process_record(shared, analyzers, totals, speech, bytes, &text, encoding);
    }
    let mut ingested = ingest(speech.file_name, &text);
    let mut warnings: Vec<String> = ingested.warnings.drain(..).map(|w| w.to_string()).collect();
    warnings.extend(apply_metadata(shared, speech, &mut ingested.meta));
    // Chosen per speech, not per token: a run in one language always gets
    // the same analyzer. A container's rows are in the run's language.
    let counts = analyzers
        .get(shared, language_of(shared, speech.listed_as()))
        .analyze(&ingested.body);
    let mut problems: Vec<Problem> = warnings
        .into_iter()
        .map(|w| speech.problem("ingest", Outcome::Degraded, w))
        .collect();
    problems.extend(damage_problem(&speech.path, bytes, encoding, speech.line));
    if counts.tokens == 0 {
        let why = match (bytes.is_empty(), speech.row.is_some()) {
            (true, false) => "empty file",
            (true, true) => "empty text",
            (false, _) => "no words in the text",
        };
        let why = format!("{why}; counted with 0 tokens");
        problems.push(speech.problem("analyze", Outcome::Degraded, why));
    }
    let meta = ingested.meta;
    totals.add_themes(&meta, &counts);
    let row = tables::speech_row(speech.id, &speech.path, &meta, encoding.label(), &counts);
    let counted = Counted {
        bytes: bytes.len() as u64,
        row,
        encoding: encoding.label(),
        problems,
        file: None,
        from_cache: false,
        key: shared.per_file.then(|| {
            (
                meta.country_iso3.clone(),
                meta.country_name.clone(),
                meta.year,
            )
        }),
        words: shared
            .layout
            .counts_words()
            .then(|| words_only(meta, counts)),
        record: None,
    };
    Done {
        seq,
        listed,
        result: Ok(Box::new(counted)),
    }
}

/// Applies to a speech's metadata what its table row's columns say (as a
/// file's name would) and then the metadata tables; returns their warnings.
/// Per-file metadata rows name files of the listing, so a row or member of
/// a container gets the General Debate speakers join only.
fn apply_metadata(shared: &Shared<'_>, speech: &Speech<'_>, meta: &mut SpeechMeta) -> Vec<String> {
    let mut warnings = speech.row.map(|row| row.apply(meta)).unwrap_or_default();
    let joined = shared.metadata.apply(speech.listed_as(), meta);
    warnings.extend(joined.map(|w| w.to_string()));
    warnings
}

/// The row of errors.csv for a file decoded as Windows-1252 that looks like
/// damaged UTF-8. Only a file that was not valid UTF-8 can be damaged UTF-8:
/// the check reads every byte, so valid files (nearly all) skip it.
fn damage_problem(
    path: &str,
    bytes: &[u8],
    encoding: Encoding,
    row_line: Option<u64>,
) -> Option<Problem> {
    let damage = (encoding == Encoding::Windows1252)
        .then(|| damaged_utf8(bytes))
        .flatten()?;
    Some(
        Problem::new(
            path,
            "read",
            Outcome::Degraded,
            format!(
                "byte {} is not valid UTF-8 though other characters are: the file was \
                 decoded as Windows-1252 as a whole, so its non-ASCII characters may read \
                 wrong (é as Ã©); repair the bytes or save the file again as UTF-8",
                damage.offset
            ),
        )
        // A table row's problems are at the row's line.
        .at_line(row_line.or(Some(damage.line as u64))),
    )
}

/// Counts one meeting record (`--records`): splits the decoded text into
/// turns ([`segment`]), and counts each turn as a speech of its own, with
/// the speech id `<file's speech id>#<turn, 3 digits or more>` and the file's
/// metadata row, if any, applied to every turn. The turns' rows go out
/// together, in turn order, as the file's result; their stem counts go into
/// the worker's own totals (summed like theme counts, so the tables do not
/// depend on which worker counted a record). A record without any turn is
/// skipped with a row in errors.csv.
fn process_record<'a>(
    shared: &Shared<'a>,
    analyzers: &mut Analyzers<'a>,
    totals: &mut Totals,
    speech: &Speech<'_>,
    bytes: &[u8],
    text: &str,
    encoding: Encoding,
) -> Done {
    let (seq, listed, path) = (speech.seq, speech.listed, &speech.path);
    let record = match segment(text) {
        Ok(record) => record,
        Err(e) => {
            return Done {
                seq,
                listed,
                result: Err(speech.problem("segment", Outcome::Skipped, e.to_string())),
            }
        }
    };
    let mut problems: Vec<Problem> = damage_problem(path, bytes, encoding, speech.line)
        .into_iter()
        .collect();
    if record.symbol.is_none() {
        problems.push(
            speech.problem(
                "segment",
                Outcome::Degraded,
                "no meeting symbol (S/PV.…, A/…/PV.…) in the record's header or running heads; \
             the meeting column is empty"
                    .into(),
            ),
        );
    }
    let language = language_of(shared, speech.listed_as());
    let mut rows = Vec::new();
    for turn in &record.turns {
        let mut ingested = ingest_turn(&record, turn);
        let mut warnings: Vec<String> =
            ingested.warnings.drain(..).map(|w| w.to_string()).collect();
        warnings.extend(apply_metadata(shared, speech, &mut ingested.meta));
        let counts = analyzers.get(shared, language).analyze(&ingested.body);
        let line = Some(turn.line as u64);
        problems.extend(warnings.into_iter().map(|w| {
            Problem::new(
                path,
                "ingest",
                Outcome::Degraded,
                format!("turn {}: {w}", turn.number),
            )
            .at_line(line)
        }));
        if counts.tokens == 0 {
            problems.push(
                Problem::new(
                    path,
                    "analyze",
                    Outcome::Degraded,
                    format!(
                        "turn {}: no words after the speaker header; counted with 0 tokens",
                        turn.number
                    ),
                )
                .at_line(line),
            );
        }
        totals.add_themes(&ingested.meta, &counts);
        if shared.layout.counts_words() {
            totals.add_words(&ingested.meta, &counts);
        }
        let id = format!("{}#{:03}", speech.id, turn.number);
        rows.extend(tables::speech_row(
            &id,
            path,
            &ingested.meta,
            encoding.label(),
            &counts,
        ));
    }
    Done {
        seq,
        listed,
        result: Ok(Box::new(Counted {
            bytes: bytes.len() as u64,
            row: rows,
            encoding: encoding.label(),
            problems,
            file: None,
            from_cache: false,
            key: None,
            words: None,
            record: Some((record.turns.len() as u64, record.furniture)),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.txt");
        fs::write(&path, "0123456789").unwrap();
        let read = |path: &std::path::Path, hint, limit| {
            let mut bytes = b"left over".to_vec();
            read_file(|| fs::File::open(path), hint, limit, &mut bytes).map(|n| bytes[..n].to_vec())
        };
        assert_eq!(read(&path, 10, 10).unwrap(), b"0123456789");
        // A file that grew (or shrank) since it was listed is read whole.
        assert_eq!(read(&path, 3, 10).unwrap(), b"0123456789");
        assert_eq!(read(&path, 0, 10).unwrap(), b"0123456789");
        assert_eq!(read(&path, 20, 30).unwrap(), b"0123456789");
        let err = read(&path, 10, 9).unwrap_err();
        assert!(err.contains("larger than 9 bytes"), "{err}");
        let err = read(&path, 2, 9).unwrap_err();
        assert!(err.contains("larger than 9 bytes"), "{err}");
        let err = read(&dir.path().join("gone.txt"), 1, 9).unwrap_err();
        assert!(err.starts_with("cannot be read:"), "{err}");
    }

    #[test]
    fn a_file_removed_after_listing_is_skipped_and_the_run_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.txt", "b.txt", "c.txt"] {
            fs::write(dir.path().join(name), "Women and refugees.").unwrap();
        }
        let found = discover(&[dir.path().to_owned()]).unwrap();
        // Gone between the listing and the reading.
        fs::remove_file(dir.path().join("b.txt")).unwrap();
        let stopwords = Source::BuiltIn {
            default: "none",
            text: "",
        };
        let languages = Languages::load(
            Language::English,
            &[],
            "built-in",
            crate::config::BUILT_IN_THEMES,
            &stopwords,
        )
        .unwrap()
        .languages;
        let matcher = &languages.primary().matcher;
        let metadata = Metadata::load(&[], &found, &mut Vec::new()).unwrap();
        let stem_ids = Mutex::new(Interner::default());
        let shared = Shared {
            found: &found,
            languages: &languages,
            metadata: &metadata,
            layout: Layout {
                themes: matcher.theme_count(),
                terms: matcher.term_count(),
                tables: crate::config::Tables::default(),
                by_year: false,
            },
            window: 5,
            max_file_bytes: MAX_FILE_BYTES,
            columns: &Columns::default(),
            records: false,
            todo: &[0, 1, 2],
            per_file: false,
            previous: None,
            stem_ids: &stem_ids,
            vocabularies: Mutex::new(Vec::new()),
            totals: Mutex::new(Vec::new()),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut results = Vec::new();
        stream(&shared, &pool, 2, |done: Done| {
            results.push((done.seq, done.result.map(|c| c.bytes)));
        })
        .unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!((results[0].0, results[2].0), (0, 2));
        assert_eq!(results[0].1, Ok(19));
        assert_eq!(results[2].1, Ok(19));
        let problem = results[1].1.clone().unwrap_err();
        assert_eq!(
            (problem.stage, problem.outcome, problem.line),
            ("read", Outcome::Skipped, None)
        );
        assert!(
            problem.path.ends_with("b.txt")
                && problem
                    .message
                    .starts_with("cannot be read: No such file or directory"),
            "{problem}"
        );
    }

    #[test]
    fn summary_line() {
        let summary = Summary {
            speeches: 3,
            skipped: 1,
            problems: 2,
            tokens: 1234,
            bytes: 2_500_000,
            elapsed: Duration::from_millis(500),
            out: PathBuf::from("output"),
            warnings: Vec::new(),
            partial: false,
            reused: None,
        };
        assert_eq!(
            summary.line(),
            "agora: 3 speeches, 2.5 MB, 1234 tokens in 0.50 s (5.0 MB/s); 1 skipped, 2 in errors.csv; tables in output"
        );
        let summary = Summary {
            reused: Some(2),
            ..summary
        };
        assert!(summary
            .line()
            .contains("(5.0 MB/s); 2 reused from the cache; 1 skipped"));
    }
}
