//! Helpers shared by the end-to-end tests: paths, running the binary,
//! temporary corpora.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("pipeline/ has a parent")
        .to_owned()
}

/// `../shared` beside the checkout, or `None` (with a printed reason) when
/// it is absent, so tests that need it skip instead of failing.
pub fn shared() -> Option<PathBuf> {
    let dir = repo().join("../shared");
    if dir.join("corpus").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared UN corpus is not on this machine)",
            dir.display()
        );
        None
    }
}

/// A command running the `agora` binary in the repository root.
pub fn agora() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agora"));
    cmd.current_dir(repo());
    cmd
}

/// Runs `agora` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    agora().args(args).output().expect("agora runs")
}

/// Runs `agora run` with `args`, panicking with its stderr unless it exits with `code`.
pub fn run_ok(args: &[&str], code: i32) -> Output {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(
        out.status.code(),
        Some(code),
        "agora {all:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Reads a table as text.
pub fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// The CSV tables every run writes.
pub const TABLES: &[&str] = &[
    "speeches.csv",
    "theme_counts.csv",
    "theme_cooccurrence.csv",
    "keyword_counts.csv",
    "errors.csv",
];

/// Writes `files` (path, bytes) below `root`.
pub fn write_files(root: &Path, files: &[(&str, &[u8])]) {
    for (path, bytes) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create folder");
        fs::write(&path, bytes).expect("write file");
    }
}

/// A string path.
pub fn s(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Rows of a CSV table as maps from column to value.
pub fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}
