//! The run: stages wired with bounded channels.
//!
//! ```text
//! discover ─▶ dispatcher ──batches──▶ N workers (rayon pool) ──results──▶ in-order writer
//!             (cuts the files,        read, decode, ingest, metadata,      (this thread: puts batches
//!              in speech-id order,    analyze; add to the worker's         back in order, appends
//!              into batches)          own totals, format the row)          speeches.csv rows)
//!                  ▲                                                               │
//!                  └──────────────── one credit per batch put in order ◀───────────┘
//! ```
//!
//! Both channels are bounded, and the dispatcher needs a credit per batch,
//! which the writer returns once the batch is in order: at most a few dozen
//! batches are in flight at once, whatever the corpus size and however slow
//! one file is. Workers read their own files and finish out of order; the
//! writer keeps a small reorder buffer so that `speeches.csv` is written in
//! speech-id order as results stream in. Each worker sums its speeches into
//! its own [`Totals`], merged at the end; the sums are integers, so every
//! table is byte-identical for any thread count.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use agora_stages::analyze::Analyzer;
use agora_stages::dictionary::{parse_dictionary, Dictionary};
use agora_stages::ingest::{damaged_utf8, decode, ingest, looks_binary, Encoding};
use agora_stages::matcher::Matcher;
use agora_stages::stem::Stemmer;
use agora_stages::vocabulary::StopWords;
use anyhow::{anyhow, Context};
use crossbeam_channel::{bounded, Receiver, Sender};

use crate::aggregate::{Layout, Lexicon, Totals};
use crate::config::{RunConfig, Source};
use crate::discover::{discover, Discovery};
use crate::metadata::Metadata;
use crate::output::Staging;
use crate::problems::{Outcome, Problem};
use crate::progress::Progress;
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
        format!(
            "agora: {} speeches, {size}, {} tokens in {secs:.2} s ({:.1} MB/s); {} skipped, {} in errors.csv; tables in {}",
            self.speeches,
            self.tokens,
            mb / secs,
            self.skipped,
            self.problems,
            self.out.display()
        )
    }
}

/// Consecutive files handed to one worker as one message: small speeches
/// are the norm, and one channel hand-off (and possibly one thread wake-up)
/// per file cost more than counting a short speech.
struct Batch {
    /// Position of the batch in speech-id order.
    index: usize,
    /// The files, as positions in [`Discovery::sources`].
    seqs: Range<usize>,
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

/// Reads a whole file into `bytes`, refusing one over `limit` bytes
/// ([`MAX_FILE_BYTES`]).
///
/// `size_hint` is the size discovery listed. Reading costs a few system calls
/// per file, which on a corpus of small speeches is a visible share of the
/// run, so the buffer is sized from the listing (no `fstat`) one byte larger
/// than the file, and a read that does not fill it ends the file: a regular
/// file only returns fewer bytes than asked at its end. A file that grew
/// since it was listed fills the buffer and is read on to its end. The
/// buffer is the worker's, reused from file to file.
fn read_file(
    path: &std::path::Path,
    size_hint: u64,
    limit: u64,
    bytes: &mut Vec<u8>,
) -> Result<(), String> {
    use std::io::{ErrorKind, Read};
    let cannot = |e: std::io::Error| {
        format!("cannot be read: {e}; check that it still exists and that Agora may read it")
    };
    let too_large = || {
        format!(
            "larger than {limit} bytes, the --max-file-mb limit: too large for one speech; \
             split it into speeches, or raise the limit (at most 1024 MiB)"
        )
    };
    bytes.clear();
    if size_hint > limit {
        return Err(too_large());
    }
    let mut file = fs::File::open(path).map_err(cannot)?;
    bytes.resize(size_hint as usize + 1, 0);
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        }
        if filled < bytes.len() {
            break; // a short read: the end of the file
        }
        if filled as u64 > limit {
            return Err(too_large());
        }
        bytes.resize(bytes.len() * 2, 0);
    }
    bytes.truncate(filled);
    if filled as u64 > limit {
        bytes.clear();
        return Err(too_large());
    }
    Ok(())
}

/// A worker's result for one file: its counts, or why it was skipped.
struct Done {
    seq: usize,
    result: Result<Box<Counted>, Problem>,
}

/// A speech that was counted. Its counts went into the worker's own
/// [`Totals`]; what the aggregator still needs is its row of
/// `speeches.csv`, formatted by the worker so that the one in-order thread
/// only copies bytes.
struct Counted {
    /// Bytes of the file.
    bytes: u64,
    /// Its row of `speeches.csv`, `\n`-terminated.
    row: Vec<u8>,
    encoding: &'static str,
    problems: Vec<Problem>,
}

/// What every worker shares.
struct Shared<'a> {
    found: &'a Discovery,
    matcher: &'a Matcher,
    metadata: &'a Metadata,
    /// What the totals keep.
    layout: Layout,
    /// Words collocates and keyness leave out.
    stopwords: &'a StopWords,
    /// Collocation window.
    window: usize,
    /// Largest file read (`--max-file-mb`).
    max_file_bytes: u64,
    /// The run's stems, to which each worker maps its own when it ends.
    lexicon: Mutex<Lexicon>,
    /// Each worker's totals, handed over when it ends.
    totals: Mutex<Vec<Totals>>,
}

/// Runs the whole job: reads the corpus, counts, writes every table.
pub fn run(cfg: &RunConfig, command_line: &[String]) -> Result<Summary, RunError> {
    let started = Instant::now();
    let (dict_source, dictionary) = load_dictionary(&cfg.themes)?;
    let stopwords_text = cfg
        .stopwords
        .read()
        .with_context(|| format!("cannot read the stop words {}", cfg.stopwords.label()))
        .map_err(usage)?;
    let stopwords = StopWords::parse(&stopwords_text);
    let matcher = Matcher::new(&dictionary);
    let found = discover(&cfg.inputs).map_err(usage)?;
    let mut problems = found.problems.clone();
    let metadata = Metadata::load(&cfg.metadata, &found, &mut problems).map_err(usage)?;
    check_interrupt()?;
    let staging = Staging::create(&cfg.out).map_err(io)?;

    let mut speeches = tables::SpeechesFile::create(staging.path()).map_err(io)?;
    let mut encodings: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut bytes_read = 0;
    let mut skipped = found
        .problems
        .iter()
        .filter(|p| p.outcome == Outcome::Skipped)
        .count() as u64;
    let mut progress = Progress::new(found.bytes(), found.sources.len() as u64);
    let layout = Layout {
        themes: matcher.theme_count(),
        terms: matcher.term_count(),
        tables: cfg.tables,
        by_year: cfg.by_year,
    };
    let shared = Shared {
        found: &found,
        matcher: &matcher,
        metadata: &metadata,
        layout,
        stopwords: &stopwords,
        window: cfg.window,
        max_file_bytes: cfg.max_file_bytes,
        lexicon: Mutex::new(Lexicon::default()),
        totals: Mutex::new(Vec::new()),
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .thread_name(|i| format!("agora-worker-{i}"))
        .build()
        .context("cannot start the worker threads")
        .map_err(io)?;
    let mut write_error = None;
    stream(&shared, &pool, cfg.threads, |done| {
        let src = &found.sources[done.seq];
        progress.advance(src.size());
        match done.result {
            Ok(counted) => {
                bytes_read += counted.bytes;
                if let Err(e) = speeches.append(&counted.row) {
                    write_error.get_or_insert(e);
                }
                *encodings.entry(counted.encoding).or_default() += 1;
                problems.extend(counted.problems);
            }
            Err(problem) => {
                skipped += 1;
                problems.push(problem);
            }
        }
    })
    .map_err(io)?;
    progress.finish();
    check_interrupt()?;
    if let Some(e) = write_error {
        return Err(io(
            anyhow::Error::new(e).context("cannot write speeches.csv")
        ));
    }
    // Integer sums: the merge order does not matter.
    let mut totals = Totals::new(layout);
    for part in shared
        .totals
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
    {
        totals.merge(part);
    }
    let lexicon = shared
        .lexicon
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());

    let dir = staging.path();
    let mut rows = BTreeMap::new();
    rows.insert(tables::SPEECHES, totals.speeches);
    speeches.finish().map_err(io)?;
    if cfg.tables.themes {
        let n = tables::write_theme_counts(dir, &totals, &dictionary).map_err(io)?;
        rows.insert(tables::THEME_COUNTS, n);
    }
    if cfg.tables.cooccurrence {
        let n = tables::write_cooccurrence(dir, &totals, &dictionary, cfg.by_year).map_err(io)?;
        rows.insert(tables::COOCCURRENCE, n);
    }
    if cfg.tables.keywords {
        let n = tables::write_keyword_counts(dir, &totals, &dictionary).map_err(io)?;
        rows.insert(tables::KEYWORD_COUNTS, n);
    }
    if cfg.tables.collocates {
        // Ranked in parallel on the workers' threads, idle by now.
        let n = pool
            .install(|| {
                tables::write_collocates(
                    dir,
                    &totals,
                    &lexicon,
                    &dictionary,
                    cfg.by_year,
                    cfg.top,
                    cfg.min_count,
                )
            })
            .map_err(io)?;
        rows.insert(tables::COLLOCATES, n);
    }
    if cfg.tables.terms {
        let n = tables::write_term_counts(dir, &totals, &lexicon, cfg.min_count).map_err(io)?;
        rows.insert(tables::TERM_COUNTS, n);
    }
    if cfg.tables.keyness {
        let n = pool
            .install(|| {
                tables::write_keyness(dir, &totals, &lexicon, cfg.by_year, cfg.top, cfg.min_count)
            })
            .map_err(io)?;
        rows.insert(tables::KEYNESS, n);
    }
    rows.insert(
        tables::ERRORS,
        tables::write_errors(dir, &mut problems).map_err(io)?,
    );

    let mut summary = Summary {
        speeches: totals.speeches,
        skipped,
        problems: problems.len() as u64,
        tokens: totals.tokens,
        bytes: bytes_read,
        elapsed: started.elapsed(),
        out: cfg.out.clone(),
        warnings: Vec::new(),
    };
    let manifest = crate::manifest::build(&crate::manifest::ManifestInput {
        cfg,
        command_line,
        dictionary_label: &cfg.themes.label(),
        dictionary_source: &dict_source,
        dictionary: &dictionary,
        sources: &found.sources,
        metadata_tables: &metadata.tables,
        encodings: &encodings,
        rows: &rows,
        summary: &summary,
        dir,
    })
    .map_err(io)?;
    tables::write_synced(&dir.join(tables::MANIFEST), manifest.as_bytes())
        .with_context(|| format!("cannot write {}", tables::MANIFEST))
        .map_err(io)?;
    // The last moment to stop: once the swap begins, the run completes.
    check_interrupt()?;
    summary.warnings = staging.commit(tables::ALL).map_err(io)?;
    Ok(summary)
}

/// Reads and checks the dictionary; returns its text too (for the hash).
fn load_dictionary(source: &Source) -> Result<(String, Dictionary), RunError> {
    let text = source
        .read()
        .with_context(|| format!("cannot read the theme dictionary {}", source.label()))
        .map_err(usage)?;
    let dictionary = parse_dictionary(&text, &Stemmer::english())
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
        let found = shared.found;
        scope.spawn(move || dispatch(found, job_tx, credit_rx));
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

/// The dispatcher thread: cuts the sources, in order, into batches by their
/// listed sizes, taking one credit per batch; the aggregator returns a credit
/// for every batch it has put in order. It reads nothing: each worker reads
/// its own files, so the bytes are still in that core's cache when they are
/// counted, and `--threads 1` means one thread doing the work.
fn dispatch(found: &Discovery, batches: Sender<Batch>, credits: Receiver<()>) {
    let sources = &found.sources;
    let (mut index, mut start, mut bytes) = (0, 0, 0);
    for (seq, source) in sources.iter().enumerate() {
        // On SIGINT/SIGTERM, stop handing out files: the workers finish
        // what is in flight and the channels close.
        if crate::interrupt::requested().is_some() {
            return;
        }
        bytes += source.size();
        let end = seq + 1;
        if bytes >= BATCH_BYTES || end - start >= BATCH_FILES || end == sources.len() {
            let batch = Batch {
                index,
                seqs: start..end,
            };
            // The aggregator or the workers are gone only when the run is failing anyway.
            if credits.recv().is_err() || batches.send(batch).is_err() {
                return;
            }
            (index, start, bytes) = (index + 1, end, 0);
        }
    }
}

/// Moves a worker's totals, keyed by its analyzer's stem ids, into
/// `resolved`, keyed by the run's lexicon.
fn resolve(
    shared: &Shared<'_>,
    analyzer: &Analyzer<'_>,
    totals: &mut Totals,
    resolved: &mut Totals,
) {
    let global = shared
        .lexicon
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .absorb(analyzer.vocabulary());
    // Outside the lock: the other workers resolve at the same time.
    totals.resolve(&global, resolved);
}

/// An analyzer for a worker: it counts the vocabulary and collocates only
/// when their tables are asked for, since that costs time on every token.
fn new_analyzer<'a>(shared: &Shared<'a>) -> Analyzer<'a> {
    let tables = shared.layout.tables;
    if !(tables.keyness || tables.collocates || tables.terms) {
        return Analyzer::new(shared.matcher);
    }
    let analyzer = Analyzer::with_vocabulary(shared.matcher, shared.stopwords);
    match tables.collocates {
        true => analyzer.with_collocates(shared.window),
        false => analyzer,
    }
}

/// A worker: runs the text stages on each file of each batch it receives.
fn work(shared: &Shared<'_>, batches: Receiver<Batch>, done: Sender<DoneBatch>) {
    let mut analyzer = new_analyzer(shared);
    let mut totals = Totals::new(shared.layout);
    let mut resolved = Totals::new(shared.layout);
    work_batches(
        shared,
        &batches,
        &done,
        &mut analyzer,
        &mut totals,
        &mut resolved,
    );
    resolve(shared, &analyzer, &mut totals, &mut resolved);
    let totals = resolved;
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
    analyzer: &mut Analyzer<'a>,
    totals: &mut Totals,
    resolved: &mut Totals,
) {
    let mut bytes = Vec::new();
    for batch in batches.iter() {
        let mut results = Vec::with_capacity(batch.seqs.len());
        for seq in batch.seqs {
            let source = &shared.found.sources[seq];
            let read = read_file(
                &shared.found.path(source),
                source.size(),
                shared.max_file_bytes,
                &mut bytes,
            );
            let result = catch_unwind(AssertUnwindSafe(|| {
                process(shared, analyzer, totals, seq, read.map(|()| &bytes[..]))
            }));
            results.push(result.unwrap_or_else(|panic| {
                // A bug, not bad input; the file is reported and the run goes on
                // with a fresh analyzer, since the old one may be inconsistent.
                resolve(shared, analyzer, totals, resolved);
                *analyzer = new_analyzer(shared);
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Done {
                    seq,
                    result: Err(Problem::new(
                        shared.found.path(source).display().to_string(),
                        "analyze",
                        Outcome::Skipped,
                        format!("internal error, please report it with this file: {why}"),
                    )),
                }
            }));
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

/// Decodes, ingests and analyzes one file: its bytes, or why they could not
/// be read.
fn process<'a>(
    shared: &Shared<'a>,
    analyzer: &mut Analyzer<'a>,
    totals: &mut Totals,
    seq: usize,
    bytes: Result<&[u8], String>,
) -> Done {
    let source = &shared.found.sources[seq];
    let path = || shared.found.path(source).display().to_string();
    let skip = |stage, why: String| Done {
        seq,
        result: Err(Problem::new(path(), stage, Outcome::Skipped, why)),
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
    let mut speech = ingest(source.file_name(), &text);
    let mut warnings = std::mem::take(&mut speech.warnings);
    warnings.extend(shared.metadata.apply(seq, &mut speech.meta));
    let counts = analyzer.analyze(&speech.body);
    let mut problems: Vec<Problem> = warnings
        .into_iter()
        .map(|w| Problem::new(path(), "ingest", Outcome::Degraded, w.to_string()))
        .collect();
    if let Some(damage) = damaged_utf8(bytes).filter(|_| encoding == Encoding::Windows1252) {
        problems.push(
            Problem::new(
                path(),
                "read",
                Outcome::Degraded,
                format!(
                    "byte {} is not valid UTF-8 though other characters are: the file was \
                     decoded as Windows-1252 as a whole, so its non-ASCII characters may read \
                     wrong (é as Ã©); repair the bytes or save the file again as UTF-8",
                    damage.offset
                ),
            )
            .at_line(Some(damage.line as u64)),
        );
    }
    if counts.tokens == 0 {
        let why = if bytes.is_empty() {
            "empty file"
        } else {
            "no words in the text"
        };
        problems.push(Problem::new(
            path(),
            "analyze",
            Outcome::Degraded,
            format!("{why}; counted with 0 tokens"),
        ));
    }
    totals.add(&speech.meta, &counts);
    let row = tables::speech_row(
        &source.speech_id,
        &path(),
        &speech.meta,
        encoding.label(),
        &counts,
    );
    let counted = Counted {
        bytes: bytes.len() as u64,
        row,
        encoding: encoding.label(),
        problems,
    };
    Done {
        seq,
        result: Ok(Box::new(counted)),
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
            read_file(path, hint, limit, &mut bytes).map(|()| bytes)
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
        let dictionary =
            parse_dictionary(crate::config::BUILT_IN_THEMES, &Stemmer::english()).unwrap();
        let matcher = Matcher::new(&dictionary);
        let metadata = Metadata::load(&[], &found, &mut Vec::new()).unwrap();
        let stopwords = StopWords::parse("");
        let shared = Shared {
            found: &found,
            matcher: &matcher,
            metadata: &metadata,
            layout: Layout {
                themes: matcher.theme_count(),
                terms: matcher.term_count(),
                tables: crate::config::Tables::default(),
                by_year: false,
            },
            stopwords: &stopwords,
            window: 5,
            max_file_bytes: MAX_FILE_BYTES,
            lexicon: Mutex::new(Lexicon::default()),
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
        };
        assert_eq!(
            summary.line(),
            "agora: 3 speeches, 2.5 MB, 1234 tokens in 0.50 s (5.0 MB/s); 1 skipped, 2 in errors.csv; tables in output"
        );
    }
}
