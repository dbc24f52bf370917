//! Atomic output: tables are written to a temporary folder beside `--out`
//! and swapped into place only when every table is complete.
//!
//! A run that fails or is interrupted before the swap leaves `--out` exactly
//! as it was (the temporary folder is removed when the [`Staging`] is
//! dropped). On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so
//! `--out` holds either all the old tables or all the new ones at every
//! moment; elsewhere it is two renames. Files in `--out` that Agora did not
//! write (a README, a notebook) are carried over into the new folder.

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
}

impl Staging {
    /// Creates the temporary folder beside `out` (creating `out`'s parent
    /// folders if needed). Fails when `out` exists and is not a folder.
    pub fn create(out: &Path) -> Result<Staging> {
        if out.exists() && !out.is_dir() {
            bail!(
                "--out {} exists and is not a folder; choose another --out",
                out.display()
            );
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
        let dir = parent.join(format!(".{name}.agora-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove stale {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| {
            format!(
                "cannot create a temporary folder in {} (is it writable?)",
                parent.display()
            )
        })?;
        Ok(Staging {
            dir,
            out: out.to_owned(),
            committed: false,
        })
    }

    /// The temporary folder to write the tables into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves the tables into place. `own` names the files Agora writes;
    /// everything else in the old `--out` is carried over.
    pub fn commit(mut self, own: &[&str]) -> Result<()> {
        let mut foreign_dirs = Vec::new();
        if self.out.is_dir() {
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
                }
            }
            let old = swap(&self.dir, &self.out)?;
            // The old folder's own subfolders are moved, not copied.
            for name in foreign_dirs {
                fs::rename(old.join(&name), self.out.join(&name)).with_context(|| {
                    format!(
                        "cannot move {} back into {}",
                        name.to_string_lossy(),
                        self.out.display()
                    )
                })?;
            }
            self.committed = true;
            fs::remove_dir_all(&old).with_context(|| {
                format!("cannot remove the previous tables in {}", old.display())
            })?;
        } else {
            fs::rename(&self.dir, &self.out)
                .with_context(|| format!("cannot move the tables to {}", self.out.display()))?;
            self.committed = true;
        }
        Ok(())
    }
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

    #[test]
    fn first_run_creates_out() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/out");
        let s = Staging::create(&out).unwrap();
        fs::write(s.path().join("a.csv"), "new").unwrap();
        s.commit(&["a.csv"]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path().join("nested")).unwrap().count(), 1);
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
        s.commit(&["a.csv", "b.csv"]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
        assert!(!out.join("b.csv").exists());
        assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(out.join("notebooks/n.ipynb")).unwrap(),
            "{}"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
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
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
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
