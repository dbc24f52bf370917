//! `manifest.json`: what a run did, so a notebook can tell which corpus,
//! dictionary and options its tables come from, and check them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use agora_stages::dictionary::Dictionary;
use anyhow::{Context, Result};
use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::partial::Settings;
use crate::run::Summary;

/// Size and SHA-256 of a file written: taken while it was written
/// ([`Summing`]), or by reading it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// Bytes.
    pub bytes: u64,
    /// SHA-256, in hex.
    pub sha256: String,
}

/// A writer that passes bytes through to `W` and sums them as they go: the
/// tables are checksummed while they are written, rather than read back at
/// the end of the run, after the last table.
pub struct Summing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Summing<W> {
    /// Sums what is written to `inner` from now on.
    pub fn new(inner: W) -> Summing<W> {
        Summing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The writer back, and the checksum of what went through.
    pub fn finish(self) -> (W, Checksum) {
        let sum = Checksum {
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        };
        (self.inner, sum)
    }
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

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
    /// The folder the tables were written to: those not in `sums` are read
    /// back for their checksums.
    pub dir: &'a Path,
    /// Checksums taken while the tables were written.
    pub sums: &'a BTreeMap<&'static str, Checksum>,
    /// Keys only some runs have: `cache` (`agora run --cache`), `merged_from` (`agora merge`).
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

/// Builds the manifest's JSON text (pretty-printed, keys sorted). The
/// tables without a checksum in `sums` are read back for theirs in
/// parallel, on the current rayon pool.
pub fn build(m: &ManifestInput<'_>) -> Result<String> {
    let sums =
        m.rows
            .par_iter()
            .map(|(name, _)| match m.sums.get(name) {
                Some(sum) => Ok(sum.clone()),
                None => sha256_file(&m.dir.join(name))
                    .with_context(|| format!("cannot read back {name}")),
            })
            .collect::<Result<Vec<_>>>()?;
    let mut tables = serde_json::Map::new();
    for ((name, rows), Checksum { bytes, sha256 }) in m.rows.iter().zip(sums) {
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
fn sha256_file(path: &Path) -> std::io::Result<Checksum> {
    let mut summing = Summing::new(std::io::sink());
    std::io::copy(&mut std::fs::File::open(path)?, &mut summing)?;
    Ok(summing.finish().1)
}

/// A digest in lowercase hex, as every checksum Agora writes.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summing_while_writing_equals_reading_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let text = "a,b\n".repeat(50_000);
        let mut w = std::io::BufWriter::with_capacity(
            1 << 10,
            Summing::new(std::fs::File::create(&path).unwrap()),
        );
        // Written in pieces of every size, some larger than the buffer.
        let mut rest = text.as_bytes();
        for n in (1..).map(|k| k * 37 % 3000) {
            let piece = rest.len().min(n);
            w.write_all(&rest[..piece]).unwrap();
            rest = &rest[piece..];
            if rest.is_empty() {
                break;
            }
        }
        let (file, sum) = w.into_inner().ok().unwrap().finish();
        drop(file);
        assert_eq!(sum.bytes, text.len() as u64);
        assert_eq!(sum.sha256, sha256_hex(text.as_bytes()));
        assert_eq!(sha256_file(&path).unwrap(), sum);
        assert_eq!(
            Summing::new(Vec::new()).finish().1.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
