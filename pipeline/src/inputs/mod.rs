//! Inputs other than a plain `.txt` file: compressed speeches, tables of
//! speeches and archives.
//!
//! - A `.txt.gz` or `.txt.zst` file is one speech, like a `.txt` file; the
//!   worker that counts it decompresses it ([`read_compressed`]).
//! - A table (`.csv`, `.jsonl`/`.ndjson`, each optionally `.gz`/`.zst`,
//!   `.parquet` with the default `parquet` feature, or JSON Lines on
//!   standard input with `--input -`) holds one speech a row ([`table`]); an archive (`.tar`, `.tar.gz`/`.tgz`, `.tar.zst`,
//!   `.zip`) one speech per `.txt` member ([`archive`]). These *containers*
//!   are read front to back by one thread ([`read_container`]), which hands
//!   each speech on as an owned [`Item`]; nothing is unpacked to disk, and no
//!   more than one row or member is held here at a time.
//!
//! This module reads and splits; it does not decode text, count words or
//! decide the order of the tables (see [`crate::run`]).

pub mod archive;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod table;

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use agora_stages::ingest::{MetaOverride, Role, SpeechMeta};

/// How a file's bytes are compressed, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`, `.tgz`); several gzip members one after another are read as one stream.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// What a file holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One speech (`.txt`).
    Text,
    /// A CSV table, one speech a row.
    Csv,
    /// JSON Lines, one speech a line.
    Jsonl,
    /// A tar archive, one speech per `.txt` member.
    Tar,
    /// A zip archive, one speech per `.txt` member.
    Zip,
    /// A Parquet table, one speech a row.
    Parquet,
}

/// What a file is: its format and compression (2 bytes, kept in every
/// [`crate::discover::Source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// What it holds.
    pub format: Format,
    /// How it is compressed.
    pub compression: Compression,
}

impl Kind {
    /// A plain `.txt` speech.
    pub const TEXT: Kind = Kind {
        format: Format::Text,
        compression: Compression::None,
    };

    /// JSON Lines on standard input (`--input -`).
    pub const STDIN: Kind = Kind {
        format: Format::Jsonl,
        compression: Compression::None,
    };

    /// The kind a file name says, in any case; `None` for a name Agora does
    /// not read (a `.zip` cannot be compressed again).
    pub fn of(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (rest, compression) = if let Some(stem) = lower.strip_suffix(".tgz") {
            return (!stem.is_empty()).then_some(Kind {
                format: Format::Tar,
                compression: Compression::Gzip,
            });
        } else if let Some(rest) = lower.strip_suffix(".gz") {
            (rest, Compression::Gzip)
        } else if let Some(rest) = lower.strip_suffix(".zst") {
            (rest, Compression::Zstd)
        } else {
            (lower.as_str(), Compression::None)
        };
        let (stem, format) = [
            (".txt", Format::Text),
            (".csv", Format::Csv),
            (".jsonl", Format::Jsonl),
            (".ndjson", Format::Jsonl),
            (".tar", Format::Tar),
            (".zip", Format::Zip),
            (".parquet", Format::Parquet),
        ]
        .into_iter()
        .find_map(|(ext, format)| rest.strip_suffix(ext).map(|stem| (stem, format)))?;
        // A zip or Parquet file compresses inside; compressed again, it cannot be read in place.
        let inside = matches!(format, Format::Zip | Format::Parquet);
        if stem.is_empty() || (inside && compression != Compression::None) {
            return None;
        }
        Some(Kind {
            format,
            compression,
        })
    }

    /// Whether it holds many speeches, read by [`read_container`].
    pub fn is_container(self) -> bool {
        self.format != Format::Text
    }
}

/// The name a speech file is read as for the naming conventions: without
/// its compression suffix (`USA_70_2015.txt.gz` is `USA_70_2015.txt`).
pub fn speech_name(file_name: &str) -> &str {
    let cut = |suffix: &str| {
        let at = file_name.len().checked_sub(suffix.len())?;
        (file_name.is_char_boundary(at) && file_name[at..].eq_ignore_ascii_case(suffix))
            .then(|| &file_name[..at])
    };
    cut(".gz").or_else(|| cut(".zst")).unwrap_or(file_name)
}

/// Why a speech over the size limit is skipped.
pub fn too_large(limit: u64) -> String {
    format!(
        "larger than {limit} bytes, the --max-file-mb limit: too large for one speech; \
         split it into speeches, or raise the limit (at most 1024 MiB)"
    )
}

/// `reader`, decompressed as `compression` says.
pub fn decoder<'a>(
    reader: impl Read + 'a,
    compression: Compression,
) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
    })
}

/// Reads a compressed speech file whole into `bytes`, decompressed,
/// refusing one whose text is over `limit` bytes: at most `limit + 1` bytes
/// are ever decompressed, so a small file that expands to gigabytes costs
/// nothing.
pub fn read_compressed(
    path: &Path,
    compression: Compression,
    limit: u64,
    bytes: &mut Vec<u8>,
) -> Result<(), String> {
    bytes.clear();
    let file = std::fs::File::open(path).map_err(|e| {
        format!("cannot be read: {e}; check that it still exists and that Agora may read it")
    })?;
    let damaged = |e: io::Error| {
        format!(
            "cannot be decompressed: {e}; the file is damaged, or not compressed as its name says"
        )
    };
    let reader = decoder(file, compression).map_err(damaged)?;
    reader
        .take(limit.saturating_add(1))
        .read_to_end(bytes)
        .map_err(damaged)?;
    if bytes.len() as u64 > limit {
        bytes.clear();
        return Err(too_large(limit));
    }
    Ok(())
}

/// A column a table speech can take a value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// The speech's text (required).
    Text,
    /// Its id, unique in the table.
    Id,
    /// Country name or code.
    Country,
    /// Year.
    Year,
    /// General Assembly session.
    Session,
    /// Date, as written.
    Date,
    /// Speaker.
    Speaker,
    /// The speaker's post.
    Post,
    /// Role: `representative`, `president`, `un_official`, `other` or `none`.
    Role,
}

impl Field {
    /// Every field, in the order of [`Columns::names`].
    pub const ALL: [Field; 9] = [
        Field::Text,
        Field::Id,
        Field::Country,
        Field::Year,
        Field::Session,
        Field::Date,
        Field::Speaker,
        Field::Post,
        Field::Role,
    ];

    /// Its name, which is also the column read by default.
    pub fn label(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::Id => "id",
            Field::Country => "country",
            Field::Year => "year",
            Field::Session => "session",
            Field::Date => "date",
            Field::Speaker => "speaker",
            Field::Post => "post",
            Field::Role => "role",
        }
    }

    /// The field of a label.
    pub fn parse(label: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.label().eq_ignore_ascii_case(label.trim()))
    }
}

/// Which column of a table each field comes from (`--text-column`,
/// `--id-column`, `--column FIELD=NAME`). Column names are matched without
/// regard to case or surrounding blanks. A column named on the command line
/// must exist; a default one (the field's own name) is used when it does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Columns {
    /// Columns named on the command line, by field; the others default to the field's label.
    pub given: Vec<(Field, String)>,
}

impl Columns {
    /// The column name of each field of [`Field::ALL`], lower-cased, and whether it was given.
    pub fn names(&self) -> Vec<(Field, String, bool)> {
        Field::ALL
            .into_iter()
            .map(|f| match self.given.iter().rev().find(|(g, _)| *g == f) {
                Some((_, name)) => (f, name.trim().to_ascii_lowercase(), true),
                None => (f, f.label().to_owned(), false),
            })
            .collect()
    }

    /// Parses `FIELD=NAME` (`--column`).
    pub fn parse_mapping(text: &str) -> Result<(Field, String), String> {
        let (field, name) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: give FIELD=COLUMN, e.g. country=iso3"))?;
        let field = Field::parse(field).ok_or_else(|| {
            let all: Vec<&str> = Field::ALL.iter().map(|f| f.label()).collect();
            format!("{field:?} is not a field; use one of {}", all.join(", "))
        })?;
        if name.trim().is_empty() {
            return Err(format!("{text:?}: the column name is empty"));
        }
        Ok((field, name.trim().to_owned()))
    }
}

/// Metadata a table row gave, as written; applied by [`RowMeta::apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowMeta {
    /// Country name or code.
    pub country: Option<String>,
    /// Year.
    pub year: Option<String>,
    /// Session.
    pub session: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Speaker.
    pub speaker: Option<String>,
    /// Post.
    pub post: Option<String>,
    /// Role label.
    pub role: Option<String>,
}

impl RowMeta {
    /// Sets a field's value (blank values are left out).
    fn set(&mut self, field: Field, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let slot = match field {
            Field::Country => &mut self.country,
            Field::Year => &mut self.year,
            Field::Session => &mut self.session,
            Field::Date => &mut self.date,
            Field::Speaker => &mut self.speaker,
            Field::Post => &mut self.post,
            Field::Role => &mut self.role,
            Field::Text | Field::Id => return,
        };
        *slot = Some(value.to_owned());
    }

    /// Applies the row's values to a speech; returns why any was not used.
    /// A row with a session is a General Debate statement, as a
    /// `<ISO3>_<session>_<year>.txt` file is: its role is `representative`
    /// unless a role column says otherwise.
    pub fn apply(&self, meta: &mut SpeechMeta) -> Vec<String> {
        let mut notes = Vec::new();
        let year = self.year.as_deref().and_then(|y| match y.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                notes.push(format!("year {y:?} is not a number; not used"));
                None
            }
        });
        if let Some(s) = &self.session {
            match s.parse::<u32>() {
                Ok(s) => {
                    meta.session = Some(s);
                    meta.role = Some(Role::Representative);
                }
                Err(_) => notes.push(format!("session {s:?} is not a number; not used")),
            }
        }
        if let Some(r) = &self.role {
            let role = [
                Role::Representative,
                Role::President,
                Role::UnOfficial,
                Role::Other,
                Role::None,
            ]
            .into_iter()
            .find(|role| role.label().eq_ignore_ascii_case(r));
            match role {
                Some(role) => meta.role = Some(role),
                None => notes.push(format!(
                    "role {r:?} is not one of representative, president, un_official, other, none; not used"
                )),
            }
        }
        let over = MetaOverride {
            country: self.country.as_deref(),
            year,
            date: self.date.as_deref(),
            speaker: self.speaker.as_deref(),
            post: self.post.as_deref(),
        };
        notes.extend(meta.apply(&over).map(|w| w.to_string()));
        notes
    }
}

/// One speech read out of a container, owned, on its way to a worker; or
/// why a row, member or the rest of the container could not be read.
#[derive(Debug)]
pub struct Item {
    /// Its speech id (see docs/inputs.md).
    pub id: Box<str>,
    /// Where it is, for `speeches.csv` and `errors.csv`: the table's path,
    /// or `<archive path>/<member>`.
    pub path: String,
    /// The name its naming conventions are read from: an archive member's
    /// last path component; empty for a table row.
    pub file_name: String,
    /// The line of a table row (its first line, for a CSV row spanning several).
    pub line: Option<u64>,
    /// A table row's metadata.
    pub row: Option<Box<RowMeta>>,
    /// Its text, or why it is skipped.
    pub text: Result<Vec<u8>, String>,
    /// Bytes of the container file read since the previous item, for the progress bar.
    pub listed: u64,
}

/// A reader that counts the bytes read through it (of the file on disk,
/// before decompression), for the progress bar.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// What a container reader needs besides its bytes: the container's id and
/// path, the limit, and where items go. It keeps speech ids unique within
/// the container.
pub struct Sink<'a> {
    /// The container's speech id; its speeches' ids start with it.
    pub id: &'a str,
    /// The container's path, as shown.
    pub path: String,
    /// Largest speech read, in bytes.
    pub limit: u64,
    emit: &'a mut dyn FnMut(Item) -> bool,
    read: Rc<Cell<u64>>,
    reported: u64,
    /// Speech ids given so far, with the line or member number that gave each.
    seen: HashMap<Box<str>, u64>,
    stopped: bool,
}

impl Sink<'_> {
    /// Hands an item on; `false` once the run stops (an interrupt, or the
    /// workers are gone), when the reader should stop too.
    fn send(&mut self, mut item: Item) -> bool {
        let read = self.read.get();
        item.listed = read - self.reported;
        self.reported = read;
        self.stopped = self.stopped || !(self.emit)(item);
        !self.stopped
    }

    /// Hands on a speech, or skips it when its id was given before (`at`
    /// says where: a line or member number, named by `unit`).
    fn speech(&mut self, mut item: Item, at: u64, unit: &str) -> bool {
        if let Some(first) = self.seen.get(&item.id) {
            item.text = Err(format!(
                "speech id {:?} is already taken by {unit} {first}; speech ids in a table or \
                 archive must be unique; skipped",
                &*item.id
            ));
        } else if !item.id.is_empty() {
            self.seen.insert(item.id.clone(), at);
        }
        self.send(item)
    }

    /// Reports a row or member that cannot be read, and goes on.
    fn skip(&mut self, id: String, path: String, line: Option<u64>, why: String) -> bool {
        self.send(Item {
            id: id.into(),
            path,
            file_name: String::new(),
            line,
            row: None,
            text: Err(why),
            listed: 0,
        })
    }

    /// Reports why the rest of the container cannot be read.
    fn fail(&mut self, line: Option<u64>, why: String) {
        let (id, path) = (self.id.to_owned(), self.path.clone());
        self.skip(id, path, line, why);
    }
}

/// The path column of speeches read from standard input.
pub const STDIN_PATH: &str = "<stdin>";

/// Reads the container `path` (standard input for `-`) of this kind with
/// speech id `id`, handing each speech, bad row or member, in the
/// container's order, to `emit` until it returns `false`. A container that
/// cannot be read, or breaks off, ends with an item saying why (the speeches
/// before the break were handed on). Table columns follow `columns`.
pub fn read_container(
    path: &Path,
    kind: Kind,
    id: &str,
    columns: &Columns,
    limit: u64,
    emit: &mut dyn FnMut(Item) -> bool,
) {
    let read = Rc::new(Cell::new(0));
    let stdin = path.as_os_str() == "-";
    let mut sink = Sink {
        id,
        // `-` would read as a formula in a spreadsheet (and be written `'-`).
        path: match stdin {
            true => STDIN_PATH.to_owned(),
            false => path.display().to_string(),
        },
        limit,
        emit,
        read: read.clone(),
        reported: 0,
        seen: HashMap::new(),
        stopped: false,
    };
    if stdin {
        let reader = Counting {
            inner: io::stdin().lock(),
            count: read,
        };
        return table::read_jsonl(BufReader::new(reader), columns, &mut sink);
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return sink.fail(
                None,
                format!(
                    "cannot be read: {e}; check that it still exists and that Agora may read it"
                ),
            )
        }
    };
    let counting = Counting {
        inner: BufReader::with_capacity(256 << 10, file),
        count: read,
    };
    if kind.format == Format::Zip {
        return archive::read_zip(counting, &mut sink);
    }
    if kind.format == Format::Parquet {
        #[cfg(feature = "parquet")]
        return parquet::read_parquet(counting.inner.into_inner(), columns, &mut sink);
        #[cfg(not(feature = "parquet"))]
        return sink.fail(
            None,
            "this agora was built without Parquet support (cargo feature `parquet`); \
             rebuild with it, or convert the table to CSV or JSON Lines"
                .to_owned(),
        );
    }
    let reader = match decoder(counting, kind.compression) {
        Ok(r) => r,
        Err(e) => return sink.fail(None, format!("cannot be decompressed: {e}")),
    };
    match kind.format {
        Format::Csv => table::read_csv(reader, columns, &mut sink),
        Format::Jsonl => table::read_jsonl(BufReader::new(reader), columns, &mut sink),
        Format::Tar => archive::read_tar(reader, &mut sink),
        Format::Text | Format::Zip | Format::Parquet => {}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An item's text, or `ERR ` and why it is skipped.
    pub(crate) fn text_or_why(item: &Item) -> String {
        match &item.text {
            Ok(t) => String::from_utf8_lossy(t).into_owned(),
            Err(why) => format!("ERR {why}"),
        }
    }

    /// Reads a container into its items.
    pub(crate) fn items(path: &Path, columns: &Columns, limit: u64) -> Vec<Item> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let kind = Kind::of(&name).unwrap();
        let mut out = Vec::new();
        read_container(path, kind, &name, columns, limit, &mut |item| {
            out.push(item);
            true
        });
        out
    }

    #[test]
    fn kinds_from_names() {
        let k = |n| Kind::of(n).map(|k| (k.format, k.compression));
        use Compression as C;
        use Format as F;
        assert_eq!(k("a.txt"), Some((F::Text, C::None)));
        assert_eq!(k("a.TXT.GZ"), Some((F::Text, C::Gzip)));
        assert_eq!(k("a.txt.zst"), Some((F::Text, C::Zstd)));
        assert_eq!(k("t.csv"), Some((F::Csv, C::None)));
        assert_eq!(k("t.csv.gz"), Some((F::Csv, C::Gzip)));
        assert_eq!(k("t.ndjson"), Some((F::Jsonl, C::None)));
        assert_eq!(k("t.jsonl.zst"), Some((F::Jsonl, C::Zstd)));
        assert_eq!(k("c.tgz"), Some((F::Tar, C::Gzip)));
        assert_eq!(k("c.tar.gz"), Some((F::Tar, C::Gzip)));
        assert_eq!(k("c.tar"), Some((F::Tar, C::None)));
        assert_eq!(k("c.zip"), Some((F::Zip, C::None)));
        assert_eq!(k("c.zip.gz"), None);
        assert_eq!(k("t.parquet"), Some((F::Parquet, C::None)));
        assert_eq!(k("t.parquet.zst"), None);
        assert_eq!(k("notes.md"), None);
        assert_eq!(k(".txt"), None);
        assert_eq!(k("a.gz"), None);
        assert!(!Kind::TEXT.is_container());
        assert!(Kind::STDIN.is_container());
        assert_eq!(speech_name("USA_70_2015.txt.GZ"), "USA_70_2015.txt");
        assert_eq!(speech_name("a.txt.zst"), "a.txt");
        assert_eq!(speech_name("a.txt"), "a.txt");
    }

    #[test]
    fn compressed_speeches_are_read_within_the_limit() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("s.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"0123456789").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let zst = dir.path().join("s.txt.zst");
        std::fs::write(&zst, zstd::encode_all(&b"0123456789"[..], 3).unwrap()).unwrap();
        for (path, c) in [(&gz, Compression::Gzip), (&zst, Compression::Zstd)] {
            let mut bytes = b"left over".to_vec();
            read_compressed(path, c, 10, &mut bytes).unwrap();
            assert_eq!(bytes, b"0123456789");
            let err = read_compressed(path, c, 9, &mut bytes).unwrap_err();
            assert!(err.starts_with("larger than 9 bytes"), "{err}");
        }
        std::fs::write(&gz, b"not gzip at all").unwrap();
        let err = read_compressed(&gz, Compression::Gzip, 10, &mut Vec::new()).unwrap_err();
        assert!(err.starts_with("cannot be decompressed:"), "{err}");
    }

    #[test]
    fn column_mappings() {
        assert_eq!(
            Columns::parse_mapping("Country = iso3"),
            Ok((Field::Country, "iso3".to_owned()))
        );
        assert!(Columns::parse_mapping("colour=x")
            .unwrap_err()
            .contains("is not a field"));
        assert!(Columns::parse_mapping("country").is_err());
        let columns = Columns {
            given: vec![(Field::Text, "Body".into())],
        };
        let names = columns.names();
        assert_eq!(names[0], (Field::Text, "body".to_owned(), true));
        assert_eq!(names[2], (Field::Country, "country".to_owned(), false));
    }

    #[test]
    fn row_metadata_applies_like_a_general_debate_file() {
        let row = RowMeta {
            country: Some("FRA".into()),
            year: Some("2015".into()),
            session: Some("70".into()),
            ..RowMeta::default()
        };
        let mut meta = SpeechMeta::default();
        assert!(row.apply(&mut meta).is_empty());
        let file = agora_stages::ingest::ingest("FRA_70_2015.txt", "").meta;
        assert_eq!(meta, file);
        let row = RowMeta {
            year: Some("later".into()),
            role: Some("king".into()),
            ..RowMeta::default()
        };
        let notes = row.apply(&mut SpeechMeta::default());
        assert_eq!(
            notes,
            [
                "year \"later\" is not a number; not used",
                "role \"king\" is not one of representative, president, un_official, other, none; not used"
            ]
        );
    }
}
