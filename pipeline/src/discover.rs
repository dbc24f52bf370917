//! Discover: list the speeches below the inputs, in a fixed order.
//!
//! Every `.txt` file (any case) below an input folder, links followed, is one
//! speech, and so is a `.txt.gz` or `.txt.zst` file. Its speech id is its path relative to the input with `/`
//! separators; with several inputs, the id starts with the input's folder name
//! so ids stay unique. An input that is a table (`.csv`, `.jsonl`) or an
//! archive (`.tar`, `.tar.gz`, `.zip`), or `-` (JSON Lines on standard
//! input), is one source holding many speeches, read later by
//! [`crate::inputs`]; inside folders only speech files are listed (a `.csv`
//! there is metadata, not a corpus). Sources are sorted by speech id, so the order (and with
//! it `speeches.csv`) never depends on the file system or the thread count.
//!
//! Metadata tables are collected on the way: every `Speakers_by_session.csv`
//! (General Debate speakers) and a `metadata.csv` in an input's top folder.
//! Entries that cannot be listed (permission denied, a link loop, a `.txt`
//! that is a FIFO or device) become problems; a missing input is an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::inputs::{Format, Kind};
use crate::problems::{Outcome, Problem};

/// One speech file to read.
///
/// A corpus has one per file, so it is kept small: 24 bytes, its id in
/// [`Discovery::ids`] (one string for all ids, instead of an allocation
/// each, which would cost more than the id itself), the path derived from
/// the input's folder and the id (kept apart, in [`Discovery`], only for a
/// file name that is not valid UTF-8, which the id cannot hold exactly), the
/// file name derived from the id. [`Discovery::id`] gives its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Where its id starts in [`Discovery::ids`].
    id_start: u32,
    /// Length of its id in bytes (a path is far shorter than 64 KiB).
    id_len: u16,
    /// What the file is: a speech (maybe compressed), a table or an archive.
    pub(crate) kind: Kind,
    /// Index of its input in [`Discovery::inputs`].
    pub(crate) input: u32,
    /// Size in bytes when listed, saturated at 4 GiB (larger files are
    /// refused anyway).
    pub(crate) size: u32,
    /// Modification time when listed, in nanoseconds since 1970 (0 if unknown).
    pub(crate) mtime_ns: i64,
}

impl Source {
    /// Size in bytes when listed.
    pub fn size(&self) -> u64 {
        u64::from(self.size)
    }

    /// Modification time when listed, in nanoseconds since 1970 (0 if unknown).
    pub fn mtime_ns(&self) -> i64 {
        self.mtime_ns
    }

    /// What the file is.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

/// An `--input` as discovery understood it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The folder (or file) as given.
    pub root: PathBuf,
    /// Length of the prefix its speech ids start with.
    pub prefix_len: usize,
    /// Whether the input is a single file.
    pub single_file: bool,
}

/// A metadata table found below an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTable {
    /// Its path.
    pub path: PathBuf,
    /// The prefix that turns its `file` entries into speech ids (empty with one input).
    pub id_prefix: String,
}

/// What the inputs hold.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The inputs, in the order given.
    pub inputs: Vec<Input>,
    /// The speeches, sorted by speech id.
    pub sources: Vec<Source>,
    /// The speech ids of `sources`, one after the other (in listing order,
    /// not sorted).
    ids: String,
    /// `Speakers_by_session.csv` files.
    pub speakers_tables: Vec<PathBuf>,
    /// `metadata.csv` files in an input's top folder.
    pub metadata_tables: Vec<FoundTable>,
    /// Entries that could not be listed.
    pub problems: Vec<Problem>,
    /// The exact paths of the sources whose id could not hold them (names
    /// that are not valid UTF-8), by speech id: rare, so not a field of
    /// every [`Source`].
    pub(crate) exact: HashMap<Box<str>, Box<Path>>,
    /// An open handle on each input that is a folder (by input index; `None`
    /// for a file, standard input, or a folder that could not be opened).
    /// Its files are looked at and opened by their path relative to it: the
    /// kernel then resolves the names below the folder only, not every
    /// folder of the full path again for each file (a few percent of a run
    /// over many small speeches).
    #[cfg(unix)]
    roots: Vec<Option<std::os::fd::OwnedFd>>,
}

impl Discovery {
    /// The speech id of a source: its path relative to its input,
    /// `/`-separated.
    pub fn id(&self, source: &Source) -> &str {
        id_in(&self.ids, source)
    }

    /// The last component of a source's name, for the naming conventions.
    pub fn file_name(&self, source: &Source) -> &str {
        let id = self.id(source);
        id.rsplit('/').next().unwrap_or(id)
    }

    /// Total size of the sources in bytes.
    pub fn bytes(&self) -> u64 {
        self.sources.iter().map(Source::size).sum()
    }

    /// Where a source is on disk.
    pub fn path(&self, source: &Source) -> PathBuf {
        path_in(&self.inputs, &self.exact, &self.ids, source)
    }

    /// Opens a source's file for reading.
    pub fn open(&self, source: &Source) -> std::io::Result<std::fs::File> {
        #[cfg(unix)]
        if let Some((root, relative)) = self.relative(source) {
            use rustix::fs::{Mode, OFlags};
            let fd = rustix::fs::openat(
                root,
                relative,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            return Ok(std::fs::File::from(fd));
        }
        std::fs::File::open(self.path(source))
    }

    /// The size and modification time of a source's file, links followed.
    fn look(&self, source: &Source) -> Option<(u64, i64)> {
        #[cfg(unix)]
        if let Some((root, relative)) = self.relative(source) {
            let st = rustix::fs::statat(root, relative, rustix::fs::AtFlags::empty()).ok()?;
            let mtime_ns = i128::from(st.st_mtime) * 1_000_000_000 + st.st_mtime_nsec as i128;
            let mtime_ns =
                i64::try_from(mtime_ns).unwrap_or(if mtime_ns < 0 { i64::MIN } else { i64::MAX });
            return Some((u64::try_from(st.st_size).unwrap_or(0), mtime_ns));
        }
        let meta = std::fs::metadata(self.path(source)).ok()?;
        let mtime_ns =
            meta.modified()
                .map_or(0, |t| match t.duration_since(std::time::UNIX_EPOCH) {
                    Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
                    Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
                });
        Some((meta.len(), mtime_ns))
    }

    /// The open input folder of a source and its path relative to it, if it
    /// has both (not a single file, nor a name kept in `exact`).
    #[cfg(unix)]
    fn relative(&self, source: &Source) -> Option<(&std::os::fd::OwnedFd, &str)> {
        let root = self.roots.get(source.input as usize)?.as_ref()?;
        let id = id_in(&self.ids, source);
        if !self.exact.is_empty() && self.exact.contains_key(id) {
            return None;
        }
        let input = &self.inputs[source.input as usize];
        id.get(input.prefix_len..)
            .filter(|r| !r.is_empty())
            .map(|r| (root, r))
    }

    /// A discovery of files with these speech ids (sorted here), of no
    /// input folder and size 0: what metadata is matched against, for tests
    /// and fuzzing that have no corpus on disk.
    pub fn of_ids(ids: &[&str]) -> Discovery {
        let mut found = Discovery::default();
        for id in ids {
            found.add(id, 0, Kind::TEXT);
        }
        let (sources, ids) = (&mut found.sources, &found.ids);
        sources.sort_by(|a, b| id_in(ids, a).cmp(id_in(ids, b)));
        sources.dedup_by(|a, b| id_in(ids, a) == id_in(ids, b));
        found
    }

    /// Adds a source of input `input` with this speech id, size and mtime
    /// unknown (0); `false` if the id cannot be held (longer than 64 KiB,
    /// or the ids of the listing pass 4 GiB).
    fn add(&mut self, id: &str, input: u32, kind: Kind) -> bool {
        let (Ok(id_start), Ok(id_len)) = (u32::try_from(self.ids.len()), u16::try_from(id.len()))
        else {
            return false;
        };
        if u32::try_from(self.ids.len() + id.len()).is_err() {
            return false;
        }
        self.ids.push_str(id);
        self.sources.push(Source {
            id_start,
            id_len,
            kind,
            input,
            size: 0,
            mtime_ns: 0,
        });
        true
    }

    /// The input fingerprint: SHA-256 (hex) over every listed speech, in
    /// speech-id order, of `speech id NUL size NUL mtime NUL`, with size in
    /// bytes and mtime in nanoseconds since 1970, both in decimal. It tells
    /// which state of the corpus tables describe without reading a file's
    /// text; a copy of the corpus with other modification times has another
    /// fingerprint.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Numbers formatted with `itoa`: `write!` was most of the time here.
        let (mut size, mut mtime) = (itoa::Buffer::new(), itoa::Buffer::new());
        for s in &self.sources {
            h.update(self.id(s).as_bytes());
            h.update(b"\0");
            h.update(size.format(s.size()).as_bytes());
            h.update(b"\0");
            h.update(mtime.format(s.mtime_ns).as_bytes());
            h.update(b"\0");
        }
        crate::manifest::hex(&h.finalize())
    }

    /// The first source that holds many speeches (a table, an archive or
    /// standard input), if any.
    pub fn container(&self) -> Option<&Source> {
        self.sources.iter().find(|s| s.kind.is_container())
    }

    /// The index of the source with this speech id.
    pub fn find(&self, speech_id: &str) -> Option<usize> {
        self.sources
            .binary_search_by(|s| self.id(s).cmp(speech_id))
            .ok()
    }

    /// The index of the source with this speech id, looking at index
    /// `hint` first: [`Discovery::find`] when the guess is wrong.
    pub fn find_from(&self, speech_id: &str, hint: usize) -> Option<usize> {
        match self.sources.get(hint) {
            Some(s) if self.id(s) == speech_id => Some(hint),
            _ => self.find(speech_id),
        }
    }
}

/// File name of the General Debate speakers table.
pub const SPEAKERS_TABLE: &str = "Speakers_by_session.csv";
/// File name of a metadata table read automatically from an input's top folder.
pub const METADATA_TABLE: &str = "metadata.csv";

/// The speech id of standard input (`--input -`): its rows are `stdin#row-N`.
pub const STDIN_ID: &str = "stdin";

/// The speech id of a source, out of the ids of its listing.
fn id_in<'a>(ids: &'a str, source: &Source) -> &'a str {
    let start = source.id_start as usize;
    &ids[start..start + usize::from(source.id_len)]
}

/// Where a source of these inputs is on disk (`-` for standard input).
fn path_in(
    inputs: &[Input],
    exact: &HashMap<Box<str>, Box<Path>>,
    ids: &str,
    source: &Source,
) -> PathBuf {
    let id = id_in(ids, source);
    if let Some(exact) = exact.get(id) {
        return exact.to_path_buf();
    }
    let input = &inputs[source.input as usize];
    if input.single_file {
        return input.root.clone();
    }
    input.root.join(&id[input.prefix_len..])
}

/// Lists the speeches below `inputs`. The files are looked at (size and
/// modification time) on the current rayon pool.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery> {
    let mut found = Discovery::default();
    for input in inputs {
        if input.as_os_str() == "-" {
            if found.inputs.iter().any(|i| i.root.as_os_str() == "-") {
                bail!("--input - (standard input) is given twice");
            }
            found.inputs.push(Input {
                root: input.clone(),
                prefix_len: 0,
                single_file: true,
            });
            found.add(STDIN_ID, (found.inputs.len() - 1) as u32, Kind::STDIN);
            continue;
        }
        if !input.exists() {
            bail!(
                "input {} does not exist (pass a folder of .txt speeches with --input)",
                input.display()
            );
        }
        if u32::try_from(found.inputs.len()).is_err() {
            bail!("more than 4,294,967,295 inputs");
        }
        // A single file keeps its plain name as id.
        let prefix = if inputs.len() > 1 && !input.is_file() {
            let name = input
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| input.display().to_string());
            format!("{name}/")
        } else {
            String::new()
        };
        found.inputs.push(Input {
            root: input.clone(),
            prefix_len: prefix.len(),
            single_file: input.is_file(),
        });
        walk(input, &prefix, &mut found);
    }
    stat(&mut found);
    // Not a stable sort: it would take a scratch copy of the whole list (3
    // MB for 128,000 files, at the moment memory peaks); ties between inputs
    // are broken by input order instead.
    let (sources, ids) = (&mut found.sources, &found.ids);
    sources.sort_unstable_by(|a, b| id_in(ids, a).cmp(id_in(ids, b)).then(a.input.cmp(&b.input)));
    // Sorted, so a speech id taken twice is taken by neighbours, the earlier
    // input's first: that input keeps it.
    let mut problems = Vec::new();
    let mut previous: Option<&str> = None;
    let (inputs, exact) = (&found.inputs, &found.exact);
    sources.retain(|s| {
        let id = id_in(ids, s);
        let fresh = previous != Some(id);
        if fresh {
            previous = Some(id);
        } else {
            problems.push(Problem::new(
                path_in(inputs, exact, ids, s).display().to_string(),
                "discover",
                Outcome::Skipped,
                format!(
                    "speech id {id:?} is already taken by a file of another input; \
                     give the inputs folders of different names"
                ),
            ));
        }
        fresh
    });
    found.problems.extend(problems);
    Ok(found)
}

/// Opens the input folders ([`Discovery::open`] and the look at each file
/// go through them) and fills in the size and modification time of every
/// source but standard input. One `stat` per file is most of the listing's
/// time, spent in the kernel, so the files are looked at in parallel.
fn stat(found: &mut Discovery) {
    #[cfg(unix)]
    {
        found.roots = found
            .inputs
            .iter()
            .map(|input| {
                use rustix::fs::{Mode, OFlags};
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                (!input.single_file)
                    .then(|| rustix::fs::open(&input.root, flags, Mode::empty()).ok())
                    .flatten()
            })
            .collect();
    }
    let mut sources = std::mem::take(&mut found.sources);
    let found_ref = &*found;
    sources
        .par_iter_mut()
        .with_min_len(1024)
        .filter(|s| s.kind != Kind::STDIN)
        .for_each(|s| {
            if let Some((size, mtime_ns)) = found_ref.look(s) {
                s.size = u32::try_from(size).unwrap_or(u32::MAX);
                s.mtime_ns = mtime_ns;
            }
        });
    found.sources = sources;
}

fn walk(input: &Path, prefix: &str, found: &mut Discovery) {
    let single_file = input.is_file();
    let input_index = (found.inputs.len() - 1) as u32;
    let mut id = String::new();
    for entry in WalkDir::new(input).follow_links(true) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(input).display().to_string();
                let dangling = err.path().is_some_and(|p| {
                    p.symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink())
                        && !p.exists()
                });
                let why = if err.loop_ancestor().is_some() {
                    "a link loop: this folder links back to one of its parents; skipped".to_owned()
                } else if dangling {
                    "a link to nothing (its target does not exist); skipped".to_owned()
                } else {
                    format!(
                        "cannot be listed: {}",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    )
                };
                found
                    .problems
                    .push(Problem::new(path, "discover", Outcome::Skipped, why));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let path = entry.path();
        if entry.depth() > 0 && name == SPEAKERS_TABLE && entry.file_type().is_file() {
            found.speakers_tables.push(path.to_owned());
            continue;
        }
        if entry.depth() == 1 && name == METADATA_TABLE && entry.file_type().is_file() {
            found.metadata_tables.push(FoundTable {
                path: path.to_owned(),
                id_prefix: prefix.to_owned(),
            });
            continue;
        }
        // Tables and archives are read only when given as an input; in a
        // folder, a `.csv` is metadata and an archive may be a backup.
        let kind = match Kind::of(&name) {
            Some(kind) if single_file || kind.format == Format::Text => kind,
            _ => continue,
        };
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            found.problems.push(Problem::new(
                path.display().to_string(),
                "discover",
                Outcome::Skipped,
                "named like a speech but not a regular file (a FIFO, socket or device); skipped",
            ));
            continue;
        }
        // The path below the input: walkdir joins each name found onto the
        // input's path, so it is the last `depth` components (cheaper than
        // `strip_prefix`, which compares every component of the input).
        let mut parts: Vec<&std::ffi::OsStr> = if single_file {
            vec![entry.file_name()]
        } else {
            path.components()
                .rev()
                .take(entry.depth())
                .map(|c| c.as_os_str())
                .collect()
        };
        parts.reverse();
        let exact = parts.iter().any(|p| p.to_str().is_none());
        id.clear();
        id.push_str(prefix);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                id.push('/');
            }
            id.push_str(&part.to_string_lossy());
        }
        if !found.add(&id, input_index, kind) {
            found.problems.push(Problem::new(
                path.display().to_string(),
                "discover",
                Outcome::Skipped,
                "a path too long to be a speech id (64 KiB), or too many files (4 GiB of \
                 paths); skipped",
            ));
            continue;
        }
        if exact {
            // An id taken twice is kept by the earlier input: so is its path.
            found
                .exact
                .entry(id.as_str().into())
                .or_insert_with(|| path.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn lists_sorted_by_speech_id_with_tables() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::create_dir_all(root.join("dir.txt")).unwrap();
        fs::write(root.join("a/b/x.txt"), "x").unwrap();
        fs::write(root.join("a-c.TXT"), "yy").unwrap();
        fs::write(root.join("notes.md"), "").unwrap();
        fs::write(root.join("a/Speakers_by_session.csv"), "").unwrap();
        fs::write(root.join("metadata.csv"), "").unwrap();
        fs::write(root.join("a/metadata.csv"), "").unwrap();
        let d = discover(&[root.to_owned()]).unwrap();
        let ids: Vec<&str> = d.sources.iter().map(|s| d.id(s)).collect();
        assert_eq!(ids, ["a-c.TXT", "a/b/x.txt"]);
        assert_eq!(d.path(&d.sources[1]), root.join("a/b/x.txt"));
        assert_eq!(d.find("a/b/x.txt"), Some(1));
        assert_eq!(d.find("a/b"), None);
        assert_eq!(d.bytes(), 3);
        assert_eq!(d.speakers_tables, [root.join("a/Speakers_by_session.csv")]);
        assert_eq!(d.metadata_tables.len(), 1);
        assert!(d.problems.is_empty());
        // The fingerprint follows sizes and times, not the listing order.
        let before = d.fingerprint();
        assert_eq!(before.len(), 64);
        assert_eq!(discover(&[root.to_owned()]).unwrap().fingerprint(), before);
        fs::write(root.join("a-c.TXT"), "yyy").unwrap();
        assert_ne!(discover(&[root.to_owned()]).unwrap().fingerprint(), before);
    }

    #[test]
    fn files_are_looked_at_and_opened_as_by_their_full_path() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        fs::create_dir_all(one.join("a/b")).unwrap();
        fs::create_dir_all(&two).unwrap();
        fs::write(one.join("a/b/x.txt"), "nested").unwrap();
        fs::write(two.join("s.txt"), "second input").unwrap();
        fs::write(dir.path().join("single.txt"), "a file").unwrap();
        let inputs = [one, two, dir.path().join("single.txt")];
        let d = discover(&inputs).unwrap();
        assert_eq!(d.sources.len(), 3);
        for s in &d.sources {
            let path = d.path(s);
            let meta = fs::metadata(&path).unwrap();
            assert_eq!(u64::from(s.size), meta.len(), "{}", path.display());
            let since = meta
                .modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH);
            assert_eq!(s.mtime_ns, since.unwrap().as_nanos() as i64);
            let mut text = String::new();
            d.open(s).unwrap().read_to_string(&mut text).unwrap();
            assert_eq!(text, fs::read_to_string(&path).unwrap());
        }
        // A file gone since the listing is an error, as by its path.
        fs::remove_file(dir.path().join("two/s.txt")).unwrap();
        let gone = d.sources.iter().find(|s| d.id(s) == "two/s.txt").unwrap();
        assert_eq!(
            d.open(gone).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
    }

    #[test]
    fn several_inputs_prefix_ids_and_single_files_work() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        fs::create_dir_all(&one).unwrap();
        fs::create_dir_all(&two).unwrap();
        fs::write(one.join("s.txt"), "").unwrap();
        fs::write(two.join("s.txt"), "").unwrap();
        let d = discover(&[one.clone(), two]).unwrap();
        let ids: Vec<&str> = d.sources.iter().map(|s| d.id(s)).collect();
        assert_eq!(ids, ["one/s.txt", "two/s.txt"]);
        assert_eq!(d.path(&d.sources[0]), one.join("s.txt"));
        assert_eq!(d.path(&d.sources[1]), dir.path().join("two/s.txt"));
        let d = discover(&[one.join("s.txt")]).unwrap();
        assert_eq!(d.path(&d.sources[0]), one.join("s.txt"));
        assert_eq!(d.id(&d.sources[0]), "s.txt");
        assert_eq!(d.file_name(&d.sources[0]), "s.txt");
    }

    #[test]
    fn compressed_speeches_in_folders_tables_and_archives_only_as_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "a.txt.gz",
            "b.TXT.zst",
            "t.csv",
            "c.tar.gz",
            "x.gz",
            "s.txt",
        ] {
            fs::write(root.join(name), "").unwrap();
        }
        // Each source's id, and whether it holds many speeches.
        let listed = |d: &Discovery| -> Vec<(String, bool)> {
            d.sources
                .iter()
                .map(|s| (d.id(s).to_owned(), s.kind().is_container()))
                .collect()
        };
        let d = discover(&[root.to_owned()]).unwrap();
        assert_eq!(
            listed(&d),
            [
                ("a.txt.gz".into(), false),
                ("b.TXT.zst".into(), false),
                ("s.txt".into(), false)
            ]
        );
        assert!(d.container().is_none());
        let d = discover(&[
            root.join("t.csv"),
            PathBuf::from("-"),
            root.join("c.tar.gz"),
        ])
        .unwrap();
        assert_eq!(
            listed(&d),
            [
                ("c.tar.gz".into(), true),
                ("stdin".into(), true),
                ("t.csv".into(), true)
            ]
        );
        assert_eq!(d.path(&d.sources[1]), PathBuf::from("-"));
        assert_eq!(d.container().map(|s| d.id(s)), Some("c.tar.gz"));
        let err = discover(&[PathBuf::from("-"), PathBuf::from("-")]).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
    }

    #[test]
    fn a_source_is_small_and_its_id_is_in_the_listing() {
        // One per file: memory grows with it.
        assert_eq!(std::mem::size_of::<Source>(), 24);
        let d = Discovery::of_ids(&["b/y.txt", "a.txt", "b/y.txt", "c.TXT"]);
        let ids: Vec<&str> = d.sources.iter().map(|s| d.id(s)).collect();
        assert_eq!(ids, ["a.txt", "b/y.txt", "c.TXT"]);
        assert_eq!(d.file_name(&d.sources[1]), "y.txt");
        assert_eq!(d.find("c.TXT"), Some(2));
        assert_eq!(d.find("b"), None);
        assert_eq!(d.find_from("c.TXT", 2), Some(2));
        assert_eq!(d.find_from("c.TXT", 0), Some(2));
        assert_eq!(d.find_from("c.TXT", 9), Some(2));
        assert_eq!(d.find_from("b", 1), None);
    }

    #[test]
    fn missing_input_is_an_error() {
        let err = discover(&[PathBuf::from("/nonexistent/agora")]).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_keep_their_exact_path() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        fs::write(dir.path().join(name), "x").unwrap();
        let d = discover(&[dir.path().to_owned()]).unwrap();
        assert_eq!(d.id(&d.sources[0]), "caf\u{FFFD}.txt");
        assert_eq!(d.path(&d.sources[0]), dir.path().join(name));
        assert_eq!(fs::read(d.path(&d.sources[0])).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn link_loops_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
        fs::write(dir.path().join("sub/s.txt"), "").unwrap();
        let d = discover(&[dir.path().to_owned()]).unwrap();
        assert_eq!(d.sources.len(), 1);
        assert_eq!(d.problems.len(), 1);
        assert!(
            d.problems[0].message.contains("link loop"),
            "{:?}",
            d.problems
        );
    }
}
