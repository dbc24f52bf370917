//! `agora merge`: adds up the partial files of `agora count` and writes the
//! tables, with the same writers as `agora run`, so the tables are byte for
//! byte those of one run over the whole corpus.
//!
//! Before anything is written, the partials are checked: one of each shard
//! from 0 to N−1, the same N, and equal settings (tool version, dictionary,
//! stop words, metadata, options, corpus listing). Any mismatch is a usage
//! error (exit 2) naming the files and the setting that differs.
//!
//! This module does not count text; it reads partial files only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use agora_stages::dictionary::parse_dictionary;
use agora_stages::language::Language;
use agora_stages::matcher::Matcher;
use agora_stages::stem::Stemmer;
use anyhow::{anyhow, Context};

use crate::aggregate::{Layout, Lexicon, Totals};
use crate::config::{Outputs, Tables};
use crate::log::Log;
use crate::manifest::sha256_hex;
use crate::output::Staging;
use crate::partial::{PartialFile, RecordsEntry, SpeechEntry};
use crate::run::{finish_tables, Finish, RunError, Summary, Tally};
use crate::tables;

/// The partial files named on the command line: files as given, folders
/// as the `agora-partial-*.json` files in them (sorted).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, RunError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))
                .map_err(RunError::Io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        let n = n.to_string_lossy();
                        n.starts_with("agora-partial-") && n.ends_with(".json")
                    })
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(RunError::Usage(anyhow!(
                    "{} holds no agora-partial-*.json file",
                    path.display()
                )));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Reads, checks and adds up the partials, and writes the tables to `out`
/// (with the Parquet copies and report of `outputs`).
pub fn merge(
    paths: &[PathBuf],
    out: &Path,
    outputs: &Outputs,
    command_line: &[String],
    log: &Log,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let files = expand(paths)?;
    log.start(files.len() as u64, 0, files.len() as u64);
    log.stage("merge");
    let mut partials = Vec::with_capacity(files.len());
    for path in &files {
        if !path.exists() {
            return Err(RunError::Usage(anyhow!(
                "partial file {} does not exist",
                path.display()
            )));
        }
        let partial = PartialFile::read(path)
            .with_context(|| format!("partial file {}", path.display()))
            .map_err(RunError::Usage)?;
        partials.push((path, partial));
    }
    check(&partials).map_err(RunError::Usage)?;
    let first = &partials[0].1;
    let settings = first.settings.clone();
    // Stemmed as the counts were (only the themes and terms matter here).
    let language = Language::parse(&settings.language).ok_or_else(|| {
        RunError::Usage(anyhow!(
            "unknown language {:?} in the partials",
            settings.language
        ))
    })?;
    let dictionary = parse_dictionary(&settings.dictionary_text, &Stemmer::new(language))
        .map_err(|e| RunError::Usage(anyhow!("the partials' dictionary: {e}")))?;
    if sha256_hex(settings.dictionary_text.as_bytes()) != settings.dictionary.sha256 {
        return Err(RunError::Usage(anyhow!(
            "the partials' dictionary does not match its SHA-256: damaged partial files"
        )));
    }
    let tables_on = Tables::from_labels(&settings.tables).ok_or_else(|| {
        RunError::Usage(anyhow!(
            "unknown table in the partials: {:?}",
            settings.tables
        ))
    })?;
    let matcher = Matcher::new(&dictionary);
    let layout = Layout {
        themes: matcher.theme_count(),
        terms: matcher.term_count(),
        tables: tables_on,
        by_year: settings.by_year,
    };
    let threads = partials.iter().map(|(_, p)| p.threads).max().unwrap_or(1);
    let names: Vec<String> = files
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let shard_count = first.shard.count;

    let mut totals = Totals::new(layout);
    let mut lexicon = Lexicon::default();
    let mut tally = Tally::default();
    let mut rows: Vec<SpeechEntry> = Vec::new();
    let mut records = RecordsEntry::empty();
    for (path, partial) in partials {
        let part = partial
            .counts
            .to_totals(layout, &mut lexicon)
            .with_context(|| format!("partial file {}", path.display()))
            .map_err(RunError::Usage)?;
        totals.merge(part);
        tally.skipped += partial.skipped;
        for p in &partial.problems {
            let problem = p
                .to_problem()
                .with_context(|| format!("partial file {}", path.display()))
                .map_err(RunError::Usage)?;
            tally.problems.push(problem);
        }
        for e in &partial.speeches {
            tally.bytes += e.bytes;
            // Encodings count speeches: each turn of a record has its record's.
            for _ in 0..e.turns.unwrap_or(1) {
                tally.encoding(&e.encoding);
            }
        }
        if let Some(part) = &partial.records {
            records.add(part);
        }
        rows.extend(partial.speeches);
    }
    rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    if let Some(w) = rows.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(RunError::Usage(anyhow!(
            "speech {:?} is in two partials: were they counted with different shard counts?",
            w[0].id
        )));
    }
    let staging = Staging::create(out).map_err(RunError::Io)?;
    let mut speeches = tables::SpeechesFile::create(staging.path()).map_err(RunError::Io)?;
    for e in &rows {
        speeches
            .append(e.row.as_bytes())
            .context("cannot write speeches.csv")
            .map_err(RunError::Io)?;
    }
    let speeches = speeches.finish().map_err(RunError::Io)?;
    drop(rows);
    let mut extra = vec![(
        "merged_from",
        serde_json::json!({ "shards": shard_count, "partials": names }),
    )];
    if settings.records {
        extra.push(("records", records.to_json()));
    }
    finish_tables(
        Finish {
            staging,
            speeches,
            totals,
            lexicon,
            tally,
            dictionary: &dictionary,
            settings: &settings,
            threads,
            out,
            command_line,
            extra,
            outputs,
        },
        started,
    )
    .map(|(summary, _)| summary)
}

/// Refuses partials that cannot be added: other settings, another shard
/// count, a shard twice or missing.
fn check(partials: &[(&PathBuf, PartialFile)]) -> anyhow::Result<()> {
    let Some((first_path, first)) = partials.first() else {
        anyhow::bail!("no partial file given");
    };
    let n = first.shard.count;
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (path, p) in partials {
        if let Some(diff) = first.settings.difference(&p.settings) {
            anyhow::bail!(
                "{} and {} were counted differently ({diff}); count every shard again with the \
                 same agora, dictionary, stop words, metadata, options and corpus",
                first_path.display(),
                path.display()
            );
        }
        if p.shard.count != n {
            anyhow::bail!(
                "{} is shard {} of {}, {} of {}: every shard must be counted with the same N",
                path.display(),
                p.shard.index,
                p.shard.count,
                first_path.display(),
                n
            );
        }
        if let Some(other) = seen.insert(p.shard.index, path) {
            anyhow::bail!(
                "shard {} of {n} is given twice: {} and {}",
                p.shard.index,
                other.display(),
                path.display()
            );
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|i| !seen.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "shard(s) {} of {n} missing: run `agora count --shard I/{n}` for them, then merge all",
            missing.join(", ")
        );
    }
    Ok(())
}
