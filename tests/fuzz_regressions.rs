//! Replays the fuzz targets' inputs in a normal `cargo test`: the seeds
//! (`fuzz/seeds/<target>/`) and every input that once made a target fail
//! (`tests/fuzz-regressions/<target>/`), through the same bodies the fuzz
//! targets run (`tests/fuzz/bodies.rs`). Fuzzing itself runs outside CI
//! (`fuzz/README.md`); what it found stays fixed here.

#[path = "fuzz/bodies.rs"]
mod bodies;

mod common;

use std::fs;

/// Feeds every file of the seeds and regressions of `target` to `body`;
/// returns how many there were.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let root = common::repo();
    let mut n = 0;
    for dir in [
        root.join("fuzz/seeds").join(target),
        root.join("tests/fuzz-regressions").join(target),
    ] {
        // A target without regressions has no folder (git keeps no empty
        // ones); the counts asserted below catch missing seeds.
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .map(|e| e.expect("listable").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let data = fs::read(&file).expect("readable");
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{} fails {target}", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn ingest_inputs() {
    assert!(replay("ingest", bodies::ingest) >= 10);
}

#[test]
fn tokenize_inputs() {
    assert!(replay("tokenize", bodies::tokenize_and_analyze) >= 5);
}

#[test]
fn dictionary_inputs() {
    assert!(replay("dictionary", bodies::dictionary) >= 5);
}

#[test]
fn segment_inputs() {
    assert!(replay("segment", bodies::segment) >= 5);
}

#[test]
fn metadata_inputs() {
    assert!(replay("metadata", bodies::metadata) >= 5);
}
