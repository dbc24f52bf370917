//! `manifest.json`: what a run did, so a notebook can tell which corpus,
//! dictionary and options its tables come from, and check them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agora_stages::dictionary::Dictionary;
use anyhow::{Context, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::config::RunConfig;
use crate::discover::Source;
use crate::run::Summary;

/// Everything the manifest reports.
pub struct ManifestInput<'a> {
    /// The run's decisions.
    pub cfg: &'a RunConfig,
    /// The command line as typed.
    pub command_line: &'a [String],
    /// Where the dictionary came from.
    pub dictionary_label: &'a str,
    /// The dictionary's text (hashed).
    pub dictionary_source: &'a str,
    /// The parsed dictionary.
    pub dictionary: &'a Dictionary,
    /// The speech files.
    pub sources: &'a [Source],
    /// Metadata tables read.
    pub metadata_tables: &'a [PathBuf],
    /// Speeches per encoding.
    pub encodings: &'a BTreeMap<&'static str, u64>,
    /// Rows per table.
    pub rows: &'a BTreeMap<&'static str, u64>,
    /// The run's summary.
    pub summary: &'a Summary,
    /// The folder the tables were written to (for their checksums).
    pub dir: &'a Path,
}

/// Builds the manifest's JSON text (pretty-printed, keys in a fixed order).
pub fn build(m: &ManifestInput<'_>) -> Result<String> {
    let mut tables = serde_json::Map::new();
    for (name, rows) in m.rows {
        let (bytes, sha256) =
            sha256_file(&m.dir.join(name)).with_context(|| format!("cannot read back {name}"))?;
        tables.insert(
            (*name).to_owned(),
            json!({ "rows": rows, "bytes": bytes, "sha256": sha256 }),
        );
    }
    let inputs: Vec<_> = m
        .cfg
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let value = json!({
        "tool": "agora",
        "version": env!("CARGO_PKG_VERSION"),
        "command_line": m.command_line,
        "inputs": {
            "paths": inputs,
            "files": m.sources.len(),
            "bytes": m.summary.bytes,
            "metadata_tables": m.metadata_tables.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        },
        "dictionary": {
            "path": m.dictionary_label,
            "sha256": sha256_hex(m.dictionary_source.as_bytes()),
            "themes": m.dictionary.themes.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "terms": m.dictionary.themes.iter().map(|t| t.terms.len()).sum::<usize>(),
        },
        "options": {
            "threads": m.cfg.threads,
            "out": m.cfg.out.display().to_string(),
            "tables": m.cfg.tables.names(),
            "by": if m.cfg.by_year { vec!["year"] } else { Vec::new() },
            "top": m.cfg.top,
            "min_count": m.cfg.min_count,
            "stopwords": m.cfg.stopwords.label(),
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
