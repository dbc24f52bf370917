//! Tables: writing the CSV files. Every table's columns are documented in
//! `docs/output.md`; change both together.
//!
//! All tables are UTF-8 with a header row, `\n` line ends and RFC 4180
//! quoting (a field is quoted only when it holds a comma, a quote or a line
//! break), sorted by their key columns, with an empty field for a missing
//! value and floats with six decimals. Text cells that a spreadsheet would
//! run as a formula get a leading `'` ([`text`]); numbers are written as
//! they are.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use agora_stages::analyze::SpeechCounts;
use agora_stages::dictionary::Dictionary;
use agora_stages::ingest::SpeechMeta;
use agora_stages::keyness::top_by;
use agora_stages::stats::{llr, pair_stats, pmi, rate_per_10k};
use anyhow::{Context, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::aggregate::{CountryKey, Lexicon, Totals};
use crate::manifest::{Checksum, Summing};
use crate::problems::Problem;

/// `speeches.csv`: one row per speech counted.
pub const SPEECHES: &str = "speeches.csv";
/// `theme_counts.csv`: hits per (country, year, theme).
pub const THEME_COUNTS: &str = "theme_counts.csv";
/// `theme_cooccurrence.csv`: theme pairs per country and unit.
pub const COOCCURRENCE: &str = "theme_cooccurrence.csv";
/// `keyword_counts.csv`: hits per (country, theme, term).
pub const KEYWORD_COUNTS: &str = "keyword_counts.csv";
/// `collocates.csv`: the stems around each theme's hits, per country.
pub const COLLOCATES: &str = "collocates.csv";
/// `keyness.csv`: the stems most over-represented per country.
pub const KEYNESS: &str = "keyness.csv";
/// `term_counts.csv`: stem counts per country and year (opt-in).
pub const TERM_COUNTS: &str = "term_counts.csv";
/// `errors.csv`: files skipped or degraded.
pub const ERRORS: &str = "errors.csv";
/// `manifest.json`: what the run did.
pub const MANIFEST: &str = "manifest.json";
/// `datapackage.json`: the tables as a Frictionless Data Package.
pub const DATAPACKAGE: &str = crate::datapackage::FILE;
/// `report.html`: the charts (`--report`).
pub const REPORT: &str = "report.html";
/// Each CSV table and its Parquet copy (`--format parquet`).
pub const PARQUET: &[(&str, &str)] = &[
    (SPEECHES, "speeches.parquet"),
    (THEME_COUNTS, "theme_counts.parquet"),
    (COOCCURRENCE, "theme_cooccurrence.parquet"),
    (KEYWORD_COUNTS, "keyword_counts.parquet"),
    (COLLOCATES, "collocates.parquet"),
    (KEYNESS, "keyness.parquet"),
    (TERM_COUNTS, "term_counts.parquet"),
    (ERRORS, "errors.parquet"),
];
/// Every file a run writes, in the order written (a file named here that a
/// run did not write is removed from `--out`, never carried over).
pub const ALL: &[&str] = &[
    SPEECHES,
    THEME_COUNTS,
    COOCCURRENCE,
    KEYWORD_COUNTS,
    COLLOCATES,
    KEYNESS,
    TERM_COUNTS,
    ERRORS,
    "speeches.parquet",
    "theme_counts.parquet",
    "theme_cooccurrence.parquet",
    "keyword_counts.parquet",
    "collocates.parquet",
    "keyness.parquet",
    "term_counts.parquet",
    "errors.parquet",
    DATAPACKAGE,
    REPORT,
    MANIFEST,
];

/// The Parquet copy's name of a CSV table.
pub fn parquet_of(csv: &str) -> Option<&'static str> {
    PARQUET.iter().find(|(c, _)| *c == csv).map(|(_, p)| *p)
}

/// A table file being written: its header row, then its rows, written
/// through [`Table::rows`] or appended as bytes made elsewhere
/// ([`Table::append`]), then [`Table::finish`].
pub struct Table {
    file: BufWriter<Summing<File>>,
    rows: u64,
}

/// A table written and synced to disk.
#[derive(Debug)]
pub struct Written {
    /// Its rows, the header not counted.
    pub rows: u64,
    /// Its size and checksum, for the manifest.
    pub sum: Checksum,
}

impl Table {
    /// Creates the table `name` in `dir` and writes its header.
    pub fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Table> {
        let path = dir.join(name);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut table = Table {
            file: BufWriter::with_capacity(1 << 16, Summing::new(file)),
            rows: 0,
        };
        table.rows(|r| {
            header.iter().try_for_each(|h| r.label(h))?;
            r.end()
        })?;
        table.rows = 0; // the header is not a row
        Ok(table)
    }

    /// Writes rows straight into the file with `write`.
    pub fn rows(
        &mut self,
        write: impl FnOnce(&mut Rows<&mut BufWriter<Summing<File>>>) -> Result<()>,
    ) -> Result<()> {
        let mut rows = Rows::on(&mut self.file);
        write(&mut rows)?;
        self.rows += rows.rows;
        Ok(())
    }

    /// Appends `rows` rows already written as CSV ([`Rows::into_bytes`]).
    pub fn append(&mut self, bytes: &[u8], rows: u64) -> Result<()> {
        self.file.write_all(bytes)?;
        self.rows += rows;
        Ok(())
    }

    /// Flushes the table to disk; returns its rows and checksum.
    pub fn finish(self) -> Result<Written> {
        let (file, sum) = self.file.into_inner().map_err(|e| e.into_error())?.finish();
        file.sync_all()?;
        Ok(Written {
            rows: self.rows,
            sum,
        })
    }
}

/// Rows of a table, written field by field with the tables' conventions,
/// into a [`Table`] or into memory. Each row ends with [`Rows::end`], and has
/// two cells or more.
///
/// Why not the csv crate's writer: it looked at every cell for bytes that
/// need quotes and copied it through a buffer of its own, a third of the
/// time spent writing the tables. Here numbers are formatted on the stack
/// and go straight into the buffer below; only text is looked at, and
/// quoted as RFC 4180 says (as the csv crate quotes it).
pub struct Rows<W: Write> {
    w: W,
    /// Whether the next cell starts its row (no comma before it).
    first: bool,
    rows: u64,
}

impl Rows<Vec<u8>> {
    /// Rows made in memory, for a [`Table::append`] later (rows ranked in
    /// parallel, a speech's row made by a worker).
    pub fn in_memory(capacity: usize) -> Rows<Vec<u8>> {
        Rows::on(Vec::with_capacity(capacity))
    }

    /// The rows written, as CSV bytes, and how many there are.
    pub fn into_bytes(self) -> Result<(Vec<u8>, u64)> {
        Ok((self.w, self.rows))
    }
}

impl<W: Write> Rows<W> {
    fn on(w: W) -> Rows<W> {
        Rows {
            w,
            first: true,
            rows: 0,
        }
    }

    /// The comma before a cell, unless it starts its row.
    fn separate(&mut self) -> Result<()> {
        if !std::mem::replace(&mut self.first, false) {
            self.w.write_all(b",")?;
        }
        Ok(())
    }

    /// A cell of text: in quotes, its quotes doubled, when it holds a comma,
    /// a quote or a line break (`\n` or `\r`), else as it is.
    fn quoted(&mut self, value: &[u8]) -> Result<()> {
        self.separate()?;
        if !value
            .iter()
            .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            self.w.write_all(value)?;
            return Ok(());
        }
        self.w.write_all(b"\"")?;
        for (k, part) in value.split(|&b| b == b'"').enumerate() {
            if k > 0 {
                self.w.write_all(b"\"\"")?;
            }
            self.w.write_all(part)?;
        }
        self.w.write_all(b"\"")?;
        Ok(())
    }

    /// A cell that never needs quotes: a number.
    fn number(&mut self, digits: &str) -> Result<()> {
        self.separate()?;
        self.w.write_all(digits.as_bytes())?;
        Ok(())
    }

    /// A text cell from data ([`text`]).
    pub fn text(&mut self, value: &str) -> Result<()> {
        self.quoted(text(value).as_bytes())
    }

    /// A cell written as it is: a name or label Agora chose, never data.
    pub fn label(&mut self, value: &str) -> Result<()> {
        self.quoted(value.as_bytes())
    }

    /// An integer.
    pub fn int(&mut self, n: impl itoa::Integer) -> Result<()> {
        self.number(itoa::Buffer::new().format(n))
    }

    /// An integer, or an empty cell.
    pub fn opt_int(&mut self, n: Option<impl itoa::Integer>) -> Result<()> {
        match n {
            Some(n) => self.int(n),
            None => self.label(""),
        }
    }

    /// A float with six decimals ([`fixed6`]).
    pub fn float(&mut self, x: f64) -> Result<()> {
        let mut buf = [0u8; FIXED6_MAX];
        match fast_fixed6(x, &mut buf) {
            Some(s) => self.number(s),
            None => self.number(&plain_fixed6(x)),
        }
    }

    /// A float with six decimals, or an empty cell.
    pub fn opt_float(&mut self, x: Option<f64>) -> Result<()> {
        match x {
            Some(x) => self.float(x),
            None => self.label(""),
        }
    }

    /// Ends the row.
    pub fn end(&mut self) -> Result<()> {
        debug_assert!(!self.first, "a row without cells");
        self.w.write_all(b"\n")?;
        self.first = true;
        self.rows += 1;
        Ok(())
    }
}

/// Writes a whole file and syncs it to disk.
pub fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A float with six decimals; `-0.000000` is written as `0.000000`.
///
/// The same text as `format!("{x:.6}")` (the exact value rounded half to
/// even), at a fraction of the cost: the tables hold hundreds of thousands
/// of floats, and Rust's exact formatting is most of the time spent writing
/// them.
pub fn fixed6(x: f64) -> String {
    let mut buf = [0u8; FIXED6_MAX];
    fast_fixed6(x, &mut buf).map_or_else(|| plain_fixed6(x), str::to_owned)
}

/// The longest text [`fast_fixed6`] writes: 20 digits, a point and a sign.
const FIXED6_MAX: usize = 22;

/// [`fixed6`] by its definition.
fn plain_fixed6(x: f64) -> String {
    let s = format!("{x:.6}");
    if s == "-0.000000" {
        "0.000000".to_owned()
    } else {
        s
    }
}

/// [`fixed6`] in integers, written at the end of `buf`, for a finite `x`
/// whose millionths fit a `u64` (every value the tables hold); `None` for
/// the others.
///
/// `|x|` is `mantissa / 2^shift`, so `|x|` in millionths is
/// `mantissa * 10^6 / 2^shift`: its integer part and the remainder tell
/// exactly how to round, as the formatter does.
fn fast_fixed6(x: f64, buf: &mut [u8; FIXED6_MAX]) -> Option<&str> {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, shift) = match exponent {
        // Subnormal: far below a millionth.
        0 => return Some("0.000000"),
        // Infinite or NaN.
        0x7ff => return None,
        e => (fraction | 1 << 52, 1075 - e),
    };
    if shift <= 0 {
        return None;
    }
    if shift >= 128 {
        // Below 2^-74: rounds to zero.
        return Some("0.000000");
    }
    // Below 2^53 * 2^20 < 2^73: no overflow.
    let scaled = u128::from(mantissa) * 1_000_000;
    let mut millionths = scaled >> shift;
    let rest = scaled & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rest > half || (rest == half && millionths & 1 == 1) {
        millionths += 1;
    }
    let mut q = u64::try_from(millionths).ok()?;
    let nonzero = q != 0;
    let mut at = buf.len();
    let mut digits = 0;
    while digits < 7 || q > 0 {
        if digits == 6 {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (q % 10) as u8;
        q /= 10;
        digits += 1;
    }
    if negative && nonzero {
        at -= 1;
        buf[at] = b'-';
    }
    // Only ASCII digits, a point and a sign were written.
    std::str::from_utf8(&buf[at..]).ok()
}

/// A text cell as written: a value that starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`, so that a spreadsheet shows
/// it as text instead of running it as a formula (OWASP's advice against CSV
/// injection). Speakers, country names and file names come from files nobody
/// checked, and the tables are opened in Excel. Only text columns go
/// through here: a negative number in a numeric column stays a number.
pub fn text(value: &str) -> Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// Header of `speeches.csv`.
pub const SPEECHES_HEADER: &[&str] = &[
    "speech_id",
    "path",
    "country_iso3",
    "country_name",
    "speaker",
    "role",
    "post",
    "year",
    "date",
    "session",
    "meeting",
    "turn",
    "language",
    "encoding",
    "tokens",
    "sentences",
];

/// One row of `speeches.csv`, with its line end, as bytes: workers format
/// rows, and the in-order writer only copies them.
pub fn speech_row(
    speech_id: &str,
    path: &str,
    meta: &SpeechMeta,
    encoding: &str,
    counts: &SpeechCounts,
) -> Vec<u8> {
    let mut r = Rows::in_memory(256);
    // Writing to memory cannot fail.
    let _ = speech_fields(&mut r, speech_id, path, meta, encoding, counts);
    r.into_bytes().map(|(bytes, _)| bytes).unwrap_or_default()
}

/// The cells of a [`speech_row`].
fn speech_fields(
    r: &mut Rows<Vec<u8>>,
    speech_id: &str,
    path: &str,
    meta: &SpeechMeta,
    encoding: &str,
    counts: &SpeechCounts,
) -> Result<()> {
    r.text(speech_id)?;
    r.text(path)?;
    r.text(&meta.country_iso3)?;
    r.text(&meta.country_name)?;
    r.text(&meta.speaker)?;
    r.label(meta.role().label())?;
    r.text(&meta.post)?;
    r.opt_int(meta.year)?;
    r.text(&meta.date)?;
    r.opt_int(meta.session)?;
    r.text(&meta.meeting)?;
    r.opt_int(meta.turn)?;
    r.text(&meta.language)?;
    r.label(encoding)?;
    r.int(counts.tokens)?;
    r.int(counts.sentences)?;
    r.end()
}

/// `speeches.csv` while rows stream in, in speech-id order.
pub struct SpeechesFile(BufWriter<Summing<File>>);

/// `speeches.csv` written and flushed, but maybe not yet on disk.
pub struct Flushed {
    file: File,
    /// Its size and checksum, for the manifest.
    pub sum: Checksum,
}

/// `speeches.csv` being synced to disk.
pub struct Syncing {
    file: File,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Flushed {
    /// Starts syncing the file on a thread of its own: the last speech was
    /// just counted, and the disk's few milliseconds can pass while the
    /// other tables are written. [`Syncing::wait`] before the output is
    /// committed.
    pub fn sync_in_background(self) -> Syncing {
        // A second handle: if no thread can be started, the file is synced
        // by `wait` through the first.
        let thread = self.file.try_clone().ok().and_then(|handle| {
            std::thread::Builder::new()
                .name("agora-sync".into())
                .spawn(move || handle.sync_all())
                .ok()
        });
        Syncing {
            file: self.file,
            thread,
        }
    }
}

impl Syncing {
    /// Waits until the file is on disk.
    pub fn wait(self) -> Result<()> {
        let synced = match self.thread {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the syncing thread panicked"))),
            None => self.file.sync_all(),
        };
        synced.with_context(|| format!("cannot sync {SPEECHES}"))
    }
}

impl SpeechesFile {
    /// Creates the file with its header row.
    pub fn create(dir: &Path) -> Result<SpeechesFile> {
        let path = dir.join(SPEECHES);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = BufWriter::with_capacity(1 << 16, Summing::new(file));
        w.write_all(SPEECHES_HEADER.join(",").as_bytes())?;
        w.write_all(b"\n")?;
        Ok(SpeechesFile(w))
    }

    /// Appends a row from [`speech_row`].
    pub fn append(&mut self, row: &[u8]) -> std::io::Result<()> {
        self.0.write_all(row)
    }

    /// Flushes the file (to the system, not yet to disk).
    pub fn finish(self) -> Result<Flushed> {
        let (file, sum) = self.0.into_inner().map_err(|e| e.into_error())?.finish();
        Ok(Flushed { file, sum })
    }
}

/// The key columns of a table keyed by country, and by year with `--by year`.
fn key_header(by_year: bool) -> Vec<&'static str> {
    let mut header = vec!["country_iso3", "country_name"];
    if by_year {
        header.push("year");
    }
    header
}

/// The key cells of a row, matching [`key_header`].
fn key_cells<W: Write>(
    r: &mut Rows<W>,
    (iso3, name): &CountryKey,
    year: Option<i32>,
    by_year: bool,
) -> Result<()> {
    r.text(iso3)?;
    r.text(name)?;
    if by_year {
        r.opt_int(year)?;
    }
    Ok(())
}

/// Writes `theme_counts.csv`; returns its rows and checksum.
pub fn write_theme_counts(dir: &Path, totals: &Totals, dict: &Dictionary) -> Result<Written> {
    let mut table = Table::create(
        dir,
        THEME_COUNTS,
        &[
            "country_iso3",
            "country_name",
            "year",
            "theme",
            "hits",
            "tokens",
            "rate_per_10k",
            "speeches",
            "speeches_with_theme",
        ],
    )?;
    table.rows(|r| {
        for ((country, year), cell) in &totals.by_year {
            for (t, theme) in dict.themes.iter().enumerate() {
                key_cells(r, country, *year, true)?;
                r.text(&theme.name)?;
                r.int(cell.hits[t])?;
                r.int(cell.tokens)?;
                r.opt_float(rate_per_10k(cell.hits[t], cell.tokens))?;
                r.int(cell.speeches)?;
                r.int(cell.speeches_with[t])?;
                r.end()?;
            }
        }
        Ok(())
    })?;
    table.finish()
}

/// Writes `theme_cooccurrence.csv`; returns its rows and checksum. With
/// `by_year`, a `year` column follows `country_name` and is part of the key.
pub fn write_cooccurrence(
    dir: &Path,
    totals: &Totals,
    dict: &Dictionary,
    by_year: bool,
) -> Result<Written> {
    let mut header = key_header(by_year);
    header.extend([
        "unit", "theme_a", "theme_b", "n_units", "n_a", "n_b", "n_ab", "pmi", "npmi", "llr",
        "jaccard",
    ]);
    let mut table = Table::create(dir, COOCCURRENCE, &header)?;
    table.rows(|r| {
        for ((country, year), c) in &totals.cooccurrence {
            // Units in alphabetical order, as the key sorts.
            for (unit, counts) in [("sentence", &c.by_sentence), ("speech", &c.by_speech)] {
                for p in counts.pairs() {
                    let s = pair_stats(p.n_units, p.n_a, p.n_b, p.n_ab);
                    key_cells(r, country, *year, by_year)?;
                    r.label(unit)?;
                    r.text(&dict.themes[p.a as usize].name)?;
                    r.text(&dict.themes[p.b as usize].name)?;
                    r.int(p.n_units)?;
                    r.int(p.n_a)?;
                    r.int(p.n_b)?;
                    r.int(p.n_ab)?;
                    r.float(s.pmi)?;
                    r.float(s.npmi)?;
                    r.float(s.llr)?;
                    r.float(s.jaccard)?;
                    r.end()?;
                }
            }
        }
        Ok(())
    })?;
    table.finish()
}

/// Writes `keyword_counts.csv`; returns its rows and checksum.
pub fn write_keyword_counts(dir: &Path, totals: &Totals, dict: &Dictionary) -> Result<Written> {
    let mut table = Table::create(
        dir,
        KEYWORD_COUNTS,
        &["country_iso3", "country_name", "theme", "term", "hits"],
    )?;
    // Term ids number the terms theme by theme; sort each theme's terms by text.
    let mut terms: Vec<(usize, &str, &str)> = Vec::new(); // (term id, theme, term)
    let mut id = 0;
    for theme in &dict.themes {
        let first = terms.len();
        for term in &theme.terms {
            terms.push((id, &theme.name, &term.text));
            id += 1;
        }
        terms[first..].sort_by(|a, b| a.2.cmp(b.2));
    }
    table.rows(|r| {
        for (country, hits) in &totals.term_hits {
            for &(id, theme, term) in &terms {
                if hits[id] > 0 {
                    key_cells(r, country, None, false)?;
                    r.text(theme)?;
                    r.text(term)?;
                    r.int(hits[id])?;
                    r.end()?;
                }
            }
        }
        Ok(())
    })?;
    table.finish()
}

/// Writes `keyness.csv`; returns its rows and checksum. Each country (and
/// year, with `by_year`) is compared with all other speeches (of that year).
pub fn write_keyness(
    dir: &Path,
    totals: &Totals,
    lexicon: &Lexicon,
    by_year: bool,
    top: usize,
    min_count: u64,
) -> Result<Written> {
    let mut header = key_header(by_year);
    header.extend([
        "rank",
        "stem",
        "term",
        "count",
        "country_tokens",
        "other_count",
        "other_tokens",
        "g2",
        "chi2",
    ]);
    let table = Table::create(dir, KEYNESS, &header)?;
    // The reference: every speech (of the same year, with `by_year`).
    // Stem ids are dense (numbered from 0 as stems are first seen), so the
    // corpus counts are a vector by id: a hash map here cost a lookup for
    // every (country, stem) pair of the run.
    let mut corpus: FxHashMap<Option<i32>, (u64, Vec<u64>)> = FxHashMap::default();
    for ((_, year), words) in &totals.words {
        let (tokens, stems) = corpus.entry(*year).or_default();
        *tokens += words.tokens;
        for (stem, n) in words.stems.iter() {
            let stem = stem as usize;
            if stem >= stems.len() {
                stems.resize(stem + 1, 0);
            }
            stems[stem] += u64::from(n);
        }
    }
    let terms = lexicon.terms();
    // Each country's ranking is independent of the others': they are
    // computed in parallel (on the run's worker threads) and written in order.
    let parts: Vec<_> = totals.words.iter().collect();
    write_ranked(table, &parts, |&((country, year), words), r| {
        let (corpus_tokens, corpus_stems) = &corpus[year];
        let key_terms = agora_stages::keyness::key_terms(
            words.stems.iter().map(|(stem, n)| (stem, u64::from(n))),
            |stem| lexicon.stem(stem),
            |stem| corpus_stems.get(stem as usize).copied().unwrap_or(0),
            words.tokens,
            *corpus_tokens,
            min_count,
            top,
        );
        for (rank, t) in key_terms.iter().enumerate() {
            key_cells(r, country, *year, by_year)?;
            r.int(rank + 1)?;
            r.text(t.stem)?;
            r.text(terms[t.id as usize])?;
            r.int(t.count)?;
            r.int(words.tokens)?;
            r.int(t.other_count)?;
            r.int(corpus_tokens - words.tokens)?;
            r.float(t.g2)?;
            r.float(t.chi2)?;
            r.end()?;
        }
        Ok(())
    })
}

/// Ranks `parts` in parallel (on the current rayon pool) with `rank`, which
/// writes each part's rows, and appends the rows to `table` in the order of
/// `parts`; finishes the table. Parts are taken a chunk at a time, so the
/// rows waiting to be written stay few.
fn write_ranked<T: Sync>(
    mut table: Table,
    parts: &[T],
    rank: impl Fn(&T, &mut Rows<Vec<u8>>) -> Result<()> + Sync,
) -> Result<Written> {
    const CHUNK: usize = 256;
    for chunk in parts.chunks(CHUNK) {
        let ranked: Vec<(Vec<u8>, u64)> = chunk
            .par_iter()
            .map(|part| {
                let mut rows = Rows::in_memory(1 << 12);
                rank(part, &mut rows)?;
                rows.into_bytes()
            })
            .collect::<Result<_>>()?;
        for (bytes, rows) in &ranked {
            table.append(bytes, *rows)?;
        }
    }
    table.finish()
}

/// Writes `collocates.csv`; returns its rows and checksum. For each country
/// (and year) and theme, the stems within the windows around the theme's
/// hits that occur there more than their country-wide frequency predicts,
/// at least `min_count` times, ranked by G² (ties by stem), the first `top`.
pub fn write_collocates(
    dir: &Path,
    totals: &Totals,
    lexicon: &Lexicon,
    dict: &Dictionary,
    by_year: bool,
    top: usize,
    min_count: u64,
) -> Result<Written> {
    let mut header = key_header(by_year);
    header.extend([
        "theme",
        "rank",
        "stem",
        "term",
        "count",
        "window_tokens",
        "stem_count",
        "country_tokens",
        "llr",
        "pmi",
    ]);
    let table = Table::create(dir, COLLOCATES, &header)?;
    let terms = lexicon.terms();
    // Each (country, theme) is ranked on its own: in parallel, written in order.
    let per_theme: Vec<_> = totals
        .collocates
        .iter()
        .flat_map(|(key, themes)| {
            themes
                .iter()
                .enumerate()
                .map(move |(theme, c)| (key, theme, c))
        })
        .collect();
    write_ranked(table, &per_theme, |&(key, theme, c), r| {
        let Some(words) = totals.words.get(key) else {
            return Ok(());
        };
        let n = words.tokens;
        // (stem id, O, stem count, llr) of the over-represented stems; pmi
        // is computed for the few kept.
        let mut ranked: Vec<(u32, u64, u64, f64)> = c
            .stems
            .iter()
            .map(|(stem, o)| (stem, u64::from(o)))
            .filter(|&(_, o)| o >= min_count.max(1))
            .filter_map(|(stem, o)| {
                let f = words.stems.get(stem).map_or(o, u64::from).max(o);
                // More often in the windows than elsewhere: O / W > (f − O) / (N − W).
                let over = u128::from(o) * u128::from(n - c.window_tokens)
                    > u128::from(f - o) * u128::from(c.window_tokens);
                over.then(|| (stem, o, f, llr(n, c.window_tokens, f, o)))
            })
            .collect();
        // Stems are unique: a total order, so only the top are sorted.
        top_by(&mut ranked, top, |x, y| {
            y.3.total_cmp(&x.3)
                .then_with(|| lexicon.stem(x.0).cmp(lexicon.stem(y.0)))
        });
        let (country, year) = key;
        for (rank, &(stem, o, f, g2)) in ranked.iter().enumerate() {
            key_cells(r, country, *year, by_year)?;
            r.text(&dict.themes[theme].name)?;
            r.int(rank + 1)?;
            r.text(lexicon.stem(stem))?;
            r.text(terms[stem as usize])?;
            r.int(o)?;
            r.int(c.window_tokens)?;
            r.int(f)?;
            r.int(n)?;
            r.float(g2)?;
            r.float(pmi(n, c.window_tokens, f, o))?;
            r.end()?;
        }
        Ok(())
    })
}

/// Writes `term_counts.csv`: per country and year, every stem that occurs at
/// least `min_count` times, with its commonest form and the number of
/// speeches it occurs in; returns its rows and checksum.
pub fn write_term_counts(
    dir: &Path,
    totals: &Totals,
    lexicon: &Lexicon,
    min_count: u64,
) -> Result<Written> {
    let mut table = Table::create(
        dir,
        TERM_COUNTS,
        &[
            "country_iso3",
            "country_name",
            "year",
            "stem",
            "term",
            "count",
            "document_frequency",
            "speeches",
            "tokens",
        ],
    )?;
    let terms = lexicon.terms();
    table.rows(|r| {
        for ((country, year), cell) in &totals.terms {
            let mut stems: Vec<(&str, u32, u64, u64)> = cell
                .stems
                .iter()
                .filter(|&(_, &(n, _))| n >= min_count)
                .map(|(&id, &(n, df))| (lexicon.stem(id), id, n, df))
                .collect();
            stems.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (stem, id, n, df) in stems {
                key_cells(r, country, *year, true)?;
                r.text(stem)?;
                r.text(terms[id as usize])?;
                r.int(n)?;
                r.int(df)?;
                r.int(cell.speeches)?;
                r.int(cell.tokens)?;
                r.end()?;
            }
        }
        Ok(())
    })?;
    table.finish()
}

/// Writes `errors.csv` (problems sorted); returns its rows and checksum.
pub fn write_errors(dir: &Path, problems: &mut [Problem]) -> Result<Written> {
    problems.sort();
    let mut table = Table::create(
        dir,
        ERRORS,
        &["path", "line", "stage", "outcome", "message"],
    )?;
    table.rows(|r| {
        for p in problems.iter() {
            r.text(&p.path)?;
            r.opt_int(p.line)?;
            r.label(p.stage)?;
            r.label(p.outcome.label())?;
            r.text(&p.message)?;
            r.end()?;
        }
        Ok(())
    })?;
    table.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parquet_copy_is_a_file_agora_owns() {
        for (csv, parquet) in PARQUET {
            assert!(ALL.contains(csv) && ALL.contains(parquet), "{csv}");
            assert_eq!(parquet_of(csv), Some(*parquet));
        }
        assert_eq!(parquet_of(MANIFEST), None);
    }

    #[test]
    fn six_decimals_fast_path_matches_the_formatter() {
        let specials = [
            0.0,
            -0.0,
            0.25,
            0.35,
            2.5,
            -2.5,
            1.5,
            0.5,
            5e-7,
            -5e-7,
            1.5e-6,
            2.5e-6,
            1.0000005,
            123456.0000005,
            -0.0000015,
            f64::MIN_POSITIVE,
            5e-324,
            4503599627370495.5,
            4503599627370496.0,
            9007199254740992.0,
            1.8e13,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for x in specials {
            assert_eq!(fixed6(x), plain_fixed6(x), "{x:e}");
        }
        // xorshift: the same values every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..300_000u64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let r = state;
            let x = match i % 4 {
                0 => f64::from_bits(r),
                // Halfway between two millionths, in decimal.
                1 => ((r % 20_000_001) as f64 + 0.5) / 1e6,
                // Exact binary fractions, ties included.
                2 => ((r % 2_000_000) as f64 - 1e6) * 2f64.powi(-(((r >> 40) % 70) as i32)),
                _ => (r >> 11) as f64 / (1u64 << 53) as f64 * 1000.0,
            };
            assert_eq!(fixed6(x), plain_fixed6(x), "{x:e}");
        }
    }

    #[test]
    fn six_decimals_without_negative_zero() {
        assert_eq!(fixed6(0.5849625007211562), "0.584963");
        assert_eq!(fixed6(-1e-12), "0.000000");
        assert_eq!(fixed6(-0.25), "-0.250000");
        assert_eq!(fixed6(1.0), "1.000000");
    }

    #[test]
    fn formula_like_text_gets_a_quote_and_nothing_else_does() {
        for (value, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Mr. = Smith", "Mr. = Smith"),
            ("'=already", "'=already"),
            ("", ""),
            ("Côte d'Ivoire", "Côte d'Ivoire"),
        ] {
            assert_eq!(text(value), written, "{value:?}");
        }
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn rows_are_quoted_as_the_csv_crate_quotes_them() {
        const PIECES: &[&str] = &[
            "a", "Côte", ",", "\"", "\n", "\r", "\r\n", " ", "'", ";", "\t", "=", "0.5", "",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ours = Rows::in_memory(64);
        let mut theirs = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_writer(Vec::new());
        for _ in 0..2_000 {
            let cells: Vec<String> = (0..2 + next() % 4)
                .map(|_| {
                    (0..next() % 5)
                        .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                        .collect()
                })
                .collect();
            for cell in &cells {
                ours.label(cell).unwrap();
            }
            ours.int(-42i64).unwrap();
            ours.float(1.0 / 3.0).unwrap();
            ours.end().unwrap();
            theirs
                .write_record(cells.iter().map(String::as_str).chain(["-42", "0.333333"]))
                .unwrap();
        }
        let (ours, rows) = ours.into_bytes().unwrap();
        assert_eq!(rows, 2_000);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs.into_inner().unwrap()).unwrap()
        );
    }

    #[test]
    fn csv_conventions() {
        let dir = tempfile::tempdir().unwrap();
        let mut table = Table::create(dir.path(), "t.csv", &["a", "b", "c"]).unwrap();
        table
            .rows(|r| {
                r.text("x, y")?;
                r.text("say \"hi\"")?;
                r.int(-7i32)?;
                r.end()?;
                r.text("line\nbreak")?;
                r.opt_int(None::<u64>)?;
                r.opt_float(Some(-0.25))?;
                r.end()
            })
            .unwrap();
        // Rows made in memory (as by parallel ranking) append the same bytes.
        let mut ranked = Rows::in_memory(16);
        ranked.label("=1").unwrap();
        ranked.text("=1").unwrap();
        ranked.float(2.0 / 3.0).unwrap();
        ranked.end().unwrap();
        let (bytes, rows) = ranked.into_bytes().unwrap();
        table.append(&bytes, rows).unwrap();
        let written = table.finish().unwrap();
        assert_eq!(written.rows, 3);
        let text = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
        assert_eq!(
            text,
            "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",-7\n\"line\nbreak\",,-0.250000\n=1,'=1,0.666667\n"
        );
    }
}
