//! `manifest.json`: what a run did, so a notebook can tell which corpus,
//! dictionary and options its tables come from, and check them.

use std::collections::BTreeMap;
use std::path::Path;

use agora_stages::dictionary::Dictionary;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::partial::Settings;
use crate::run::Summary;

/// Everything the manifest reports.
pub struct ManifestInput<'a> {
    /// The command line as typed.
    pub command_line: &'a [String],
    /// Dictionary, stop words, inputs and options (as a partial file records them).
    pub settings: &'a Settings,
    /// The parsed dictionary.
    pub dictionary: &'a Dictionary,
    /// Worker threads.
    pub threads: usize,
    /// `--out`.
    pub out: &'a Path,
    /// Speeches per encoding.
    pub encodings: &'a BTreeMap<&'static str, u64>,
    /// Rows per table.
    pub rows: &'a BTreeMap<&'static str, u64>,
    /// The run's summary.
    pub summary: &'a Summary,
    /// The folder the tables were written to (for their checksums).
    pub dir: &'a Path,
    /// Keys only some runs have: `cache` (`agora run --cache`), `merged_from` (`agora merge`).
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

/// Builds the manifest's JSON text (pretty-printed, keys sorted). The
/// tables are read back for their checksums in parallel, on the current
/// rayon pool.
pub fn build(m: &ManifestInput<'_>) -> Result<String> {
    let sums = m
        .rows
        .par_iter()
        .map(|(name, _)| {
            sha256_file(&m.dir.join(name)).with_context(|| format!("cannot read back {name}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut tables = serde_json::Map::new();
    for ((name, rows), (bytes, sha256)) in m.rows.iter().zip(sums) {
        tables.insert(
            (*name).to_owned(),
            json!({ "rows": rows, "bytes": bytes, "sha256": sha256 }),
        );
    }
    let s = m.settings;
    let mut value = json!({
        "tool": "agora",
        "version": s.tool_version,
        "command_line": m.command_line,
        "inputs": {
            "paths": s.inputs,
            "files": s.files,
            "fingerprint": s.fingerprint,
            "bytes": m.summary.bytes,
            "metadata_tables": s.metadata_tables,
        },
        "dictionary": {
            "path": s.dictionary.label,
            "sha256": s.dictionary.sha256,
            "themes": m.dictionary.themes.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "terms": m.dictionary.themes.iter().map(|t| t.terms.len()).sum::<usize>(),
        },
        "options": {
            "threads": m.threads,
            "out": m.out.display().to_string(),
            "tables": s.tables,
            "by": if s.by_year { vec!["year"] } else { Vec::new() },
            "window": s.window,
            "top": s.top,
            "min_count": s.min_count,
            "stopwords": s.stopwords.label,
            "language": s.language,
        },
        "counts": {
            "speeches": m.summary.speeches,
            "skipped": m.summary.skipped,
            "errors_rows": m.summary.problems,
            "tokens": m.summary.tokens,
            "encodings": m.encodings,
        },
        "tables": tables,
        "elapsed_seconds": (m.summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
    });
    if let Some(map) = value.as_object_mut() {
        for (key, extra) in &m.extra {
            map.insert((*key).to_owned(), extra.clone());
        }
    }
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// SHA-256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Size and SHA-256 (hex) of a file, read in pieces: `speeches.csv` grows
/// with the corpus, and reading it whole would make the run's peak memory
/// grow with it.
fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((bytes, hex(&hasher.finalize())))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
