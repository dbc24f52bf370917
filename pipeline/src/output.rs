//! Atomic output: tables are written to a temporary folder beside `--out`
//! and swapped into place only when every table is complete.
//!
//! A run that fails or is interrupted before the swap leaves `--out` exactly
//! as it was (the temporary folder is removed when the [`Staging`] is
//! dropped). On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so
//! `--out` holds either all the old tables or all the new ones at every
//! moment; elsewhere it is two renames. Files in `--out` that Agora did not
//! write (a README, a notebook) are carried over into the new folder.
//!
//! Only one run writes to an `--out` at a time: [`Staging::create`] takes an
//! advisory lock on `.NAME.agora-lock` beside it (flock on Unix, through
//! `File::try_lock`), held until the [`Staging`] is committed or dropped. The
//! system releases it when a process dies, even by `kill -9`, so a stale lock
//! never blocks. Holding it, a run removes the temporary folders that
//! killed runs left beside `--out` (only Agora's own tables in them, never a
//! file or folder of the user's: what remains is left and reported).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// A temporary output folder that becomes `--out` on [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    committed: bool,
    /// The lock on `--out`, released when the staging is dropped.
    _lock: fs::File,
    /// What could not be tidied from earlier runs, reported by `commit`.
    stale_warnings: Vec<String>,
}

/// Writes the file `path` whole or not at all: `write` fills a temporary
/// file beside it (buffered), which is synced and renamed over `path`; on
/// failure the temporary file is removed. For the files a later command
/// reads back (partials, the cache), which must never be seen half written.
pub fn write_whole(
    path: &Path,
    write: impl FnOnce(&mut dyn io::Write) -> Result<()>,
) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut w = io::BufWriter::with_capacity(1 << 16, fs::File::create(&tmp)?);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// Beginning of the names of the temporary folders of the `--out` named `name`.
fn temporary_prefix(name: &str) -> String {
    format!(".{name}.agora-tmp-")
}

/// Takes the lock on `--out` (the file `lock` beside it), or says which
/// process holds it.
fn lock(lock: &Path, out: &Path) -> Result<fs::File> {
    use std::io::{Read, Seek, Write};
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock)
        .with_context(|| {
            format!(
                "cannot create the lock file {} (is the folder writable?)",
                lock.display()
            )
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = match holder.trim() {
                pid if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => {
                    format!(" (process {pid})")
                }
                _ => String::new(),
            };
            bail!(
                "another agora run{holder} is writing to --out {}; wait for it to finish or \
                 choose another --out (its lock, {}, is released when that run ends)",
                out.display(),
                lock.display()
            );
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", lock.display()))
        }
    }
    // Who holds it, for the message above; the lock itself is what counts.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(file)
}

/// Removes the temporary folders that runs killed before they finished
/// left beside `--out` (the caller holds the lock, so none is in use).
/// Only files Agora writes are deleted, plus, on Unix, second links to
/// files that are in `--out` (a killed run links the user's files into its
/// folder); a folder that still holds something is left, and reported.
fn remove_stale(parent: &Path, name: &str, out: &Path) -> Vec<String> {
    let prefix = temporary_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for entry in entries.flatten() {
        let stale_name = entry.file_name();
        let is_ours = stale_name.to_str().is_some_and(|n| n.starts_with(&prefix));
        if !is_ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let stale = entry.path();
        if let Ok(files) = fs::read_dir(&stale) {
            for file in files.flatten() {
                let file_name = file.file_name();
                let own = crate::tables::ALL.iter().any(|o| file_name == **o);
                if own || same_file(&file.path(), &out.join(&file_name)) {
                    let _ = fs::remove_file(file.path());
                }
            }
        }
        if fs::remove_dir(&stale).is_err() {
            warnings.push(format!(
                "{} was left by an interrupted run and holds files Agora did not write; \
                 look at them, then delete the folder",
                stale.display()
            ));
        }
    }
    warnings
}

/// Whether two paths are links to one file (never true where that cannot be told).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
            (Ok(a), Ok(b)) => a.is_file() && a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

impl Staging {
    /// Creates the temporary folder beside `out` (creating `out`'s parent
    /// folders if needed). When `out` is a link to a folder, the folder it
    /// points to is the one replaced. Fails when `out` exists and is not a
    /// folder, or is the current folder or one of its parents.
    pub fn create(out: &Path) -> Result<Staging> {
        let out = match fs::symlink_metadata(out) {
            Ok(meta) if meta.file_type().is_symlink() => out.canonicalize().with_context(|| {
                format!(
                    "--out {} is a link to nothing; choose another --out",
                    out.display()
                )
            })?,
            _ => out.to_owned(),
        };
        if out.exists() {
            if !out.is_dir() {
                bail!(
                    "--out {} exists and is not a folder; choose another --out",
                    out.display()
                );
            }
            let here = std::env::current_dir().and_then(|d| d.canonicalize());
            if let (Ok(here), Ok(target)) = (here, out.canonicalize()) {
                if here.starts_with(&target) {
                    bail!(
                        "--out {} is the current folder or one of its parents; \
                         Agora replaces --out as a whole, so give it a folder of its own",
                        out.display()
                    );
                }
            }
        }
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_owned());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let lock = lock(&parent.join(format!(".{name}.agora-lock")), &out)?;
        let stale_warnings = remove_stale(&parent, &name, &out);
        // A name no other folder has, in case a leftover could not be removed.
        let base = format!("{}{}", temporary_prefix(&name), std::process::id());
        let mut dir = parent.join(&base);
        let mut n = 1;
        loop {
            match fs::create_dir(&dir) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    dir = parent.join(format!("{base}-{n}"));
                    n += 1;
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot create a temporary folder in {} (is it writable?)",
                            parent.display()
                        )
                    })
                }
            }
        }
        Ok(Staging {
            dir,
            out,
            committed: false,
            _lock: lock,
            stale_warnings,
        })
    }

    /// The temporary folder to write the tables into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves the tables into place. `own` names the files Agora writes;
    /// everything else in the old `--out` is carried over. An error means
    /// `--out` was left as it was. Once the new tables are in place, what
    /// goes wrong while tidying up is returned as warnings instead: the run
    /// succeeded, and nothing of the user's is deleted.
    pub fn commit(mut self, own: &[&str]) -> Result<Vec<String>> {
        // The tables are on disk (each was synced when written); so is the
        // list of them, before they take the place of the previous ones.
        sync_dir(&self.dir)?;
        let mut warnings = std::mem::take(&mut self.stale_warnings);
        if !self.out.is_dir() {
            fs::rename(&self.dir, &self.out)
                .with_context(|| format!("cannot move the tables to {}", self.out.display()))?;
            self.committed = true;
            warnings.extend(self.sync_parent());
            return Ok(warnings);
        }
        // Before the swap: files that are not Agora's are linked (or copied)
        // into the new folder; subfolders are noted, to be moved after.
        let mut foreign_files = Vec::new();
        let mut foreign_dirs = Vec::new();
        for entry in fs::read_dir(&self.out)
            .with_context(|| format!("cannot list {}", self.out.display()))?
        {
            let entry = entry?;
            let name = entry.file_name();
            if own.iter().any(|o| name == **o) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                foreign_dirs.push(name);
            } else {
                let to = self.dir.join(&name);
                fs::hard_link(entry.path(), &to)
                    .or_else(|_| fs::copy(entry.path(), &to).map(|_| ()))
                    .with_context(|| format!("cannot carry {} over", entry.path().display()))?;
                foreign_files.push(name);
            }
        }
        let old = swap(&self.dir, &self.out)?;
        self.committed = true;

        // After the swap: best effort, and never a recursive delete.
        warnings.extend(self.sync_parent());
        for name in &foreign_dirs {
            if let Err(e) = fs::rename(old.join(name), self.out.join(name)) {
                warnings.push(format!(
                    "could not move your folder {} back into {} ({e}); it is in {}",
                    name.to_string_lossy(),
                    self.out.display(),
                    old.display()
                ));
            }
        }
        let copies = own
            .iter()
            .map(std::ffi::OsString::from)
            .chain(foreign_files);
        for name in copies {
            let path = old.join(name);
            if let Err(e) = fs::remove_file(&path) {
                if e.kind() != io::ErrorKind::NotFound {
                    warnings.push(format!("could not remove {} ({e})", path.display()));
                }
            }
        }
        if fs::remove_dir(&old).is_err() {
            warnings.push(format!(
                "the previous contents of {} that could not be put back are in {}",
                self.out.display(),
                old.display()
            ));
        }
        Ok(warnings)
    }
}

impl Staging {
    /// Syncs the folder holding `--out`, so the rename itself is on disk;
    /// a failure is only a warning, since the tables are in place.
    fn sync_parent(&self) -> Option<String> {
        let parent = self.dir.parent().unwrap_or(Path::new("."));
        sync_dir(parent)
            .err()
            .map(|e| format!("could not sync {}: {e:#}", parent.display()))
    }
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Puts `new` at `out`; returns where the previous `out` now is.
fn swap(new: &Path, out: &Path) -> Result<PathBuf> {
    match exchange(new, out) {
        Ok(()) => return Ok(new.to_owned()),
        Err(e) if e.kind() != io::ErrorKind::Unsupported => {
            return Err(e).with_context(|| format!("cannot move the tables to {}", out.display()))
        }
        Err(_) => {}
    }
    let old = new.with_extension("old");
    fs::rename(out, &old)
        .with_context(|| format!("cannot move the previous tables out of {}", out.display()))?;
    fs::rename(new, out).with_context(|| format!("cannot move the tables to {}", out.display()))?;
    Ok(old)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        // Old kernels and some file systems do not support the exchange.
        Some(libc::ENOSYS) | Some(libc::EINVAL) => {
            Err(io::Error::new(io::ErrorKind::Unsupported, err))
        }
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange here",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in a folder, sorted.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn first_run_creates_out() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/out");
        let s = Staging::create(&out).unwrap();
        fs::write(s.path().join("a.csv"), "new").unwrap();
        assert!(s.commit(&["a.csv"]).unwrap().is_empty());
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
        assert_eq!(
            entries(&dir.path().join("nested")),
            [".out.agora-lock", "out"]
        );
    }

    #[test]
    fn replaces_own_tables_and_keeps_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("notebooks")).unwrap();
        fs::write(out.join("a.csv"), "old").unwrap();
        fs::write(out.join("b.csv"), "old, not written this time").unwrap();
        fs::write(out.join("README.md"), "mine").unwrap();
        fs::write(out.join("notebooks/n.ipynb"), "{}").unwrap();
        let s = Staging::create(&out).unwrap();
        fs::write(s.path().join("a.csv"), "new").unwrap();
        assert_eq!(s.commit(&["a.csv", "b.csv"]).unwrap(), Vec::<String>::new());
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
        assert!(!out.join("b.csv").exists());
        assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(out.join("notebooks/n.ipynb")).unwrap(),
            "{}"
        );
        assert_eq!(
            entries(dir.path()),
            [".out.agora-lock", "out"],
            "no temporary folder left"
        );
    }

    #[test]
    fn dropping_without_commit_leaves_out_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.csv"), "old").unwrap();
        {
            let s = Staging::create(&out).unwrap();
            fs::write(s.path().join("a.csv"), "half").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "old");
        assert_eq!(entries(dir.path()), [".out.agora-lock", "out"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_folder_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link) = (dir.path().join("real"), dir.path().join("link"));
        fs::create_dir_all(&real).unwrap();
        fs::write(real.join("a.csv"), "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let s = Staging::create(&link).unwrap();
        fs::write(s.path().join("a.csv"), "new").unwrap();
        assert!(s.commit(&["a.csv"]).unwrap().is_empty());
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(real.join("a.csv")).unwrap(), "new");
    }

    #[test]
    fn the_current_folder_is_refused() {
        let err = Staging::create(Path::new(".")).unwrap_err();
        assert!(err.to_string().contains("current folder"), "{err}");
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed_but_not_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        // A run killed while writing: only its tables.
        let killed = dir.path().join(".out.agora-tmp-999999");
        fs::create_dir_all(&killed).unwrap();
        fs::write(killed.join("speeches.csv"), "half").unwrap();
        // A run killed during the swap: a link to the user's file, and a
        // folder of the user's that was not moved back yet.
        let swapping = dir.path().join(".out.agora-tmp-999998");
        fs::create_dir_all(swapping.join("notebooks")).unwrap();
        fs::write(swapping.join("errors.csv"), "old").unwrap();
        fs::hard_link(out.join("notes.md"), swapping.join("notes.md")).unwrap();
        // Not Agora's: another name.
        let other = dir.path().join(".elsewhere.agora-tmp-1");
        fs::create_dir_all(&other).unwrap();

        let s = Staging::create(&out).unwrap();
        assert!(!killed.exists());
        assert!(swapping.join("notebooks").is_dir());
        assert!(!swapping.join("errors.csv").exists());
        if cfg!(unix) {
            assert!(!swapping.join("notes.md").exists());
        }
        assert!(other.exists());
        fs::write(s.path().join("speeches.csv"), "new").unwrap();
        let warnings = s.commit(&["speeches.csv"]).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains(".out.agora-tmp-999998"),
            "{warnings:?}"
        );
        assert_eq!(fs::read_to_string(out.join("notes.md")).unwrap(), "mine");
    }

    #[test]
    fn a_second_run_on_the_same_out_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = Staging::create(&out).unwrap();
        let err = Staging::create(&out).unwrap_err().to_string();
        assert!(
            err.contains("another agora run")
                && err.contains(&format!("(process {})", std::process::id()))
                && err.contains(".out.agora-lock"),
            "{err}"
        );
        // A different --out beside it is not locked.
        drop(Staging::create(&dir.path().join("out2")).unwrap());
        drop(first);
        drop(Staging::create(&out).unwrap());
    }

    #[test]
    fn out_that_is_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::write(&out, "").unwrap();
        let err = Staging::create(&out).unwrap_err();
        assert!(err.to_string().contains("not a folder"));
    }
}
