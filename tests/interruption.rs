//! Interrupted runs: `kill -9` at random moments, SIGINT and SIGTERM, and
//! two runs on one `--out`. After each, `--out` must hold a complete set of
//! tables, the old one or the new one, as `manifest.json`'s checksums say.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A corpus of `copies` copies of `seeds/corpus` below `dir/corpus`: big
/// enough that a run takes a moment (half a second or more in a debug build).
fn corpus(dir: &Path, copies: usize) -> PathBuf {
    let root = dir.join("corpus");
    let seeds = repo().join("seeds/corpus");
    for k in 0..copies {
        copy_tree(&seeds, &root.join(format!("c{k:02}")));
    }
    root
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Starts `agora run` on `corpus` into `out` with `extra` arguments.
fn spawn(corpus: &Path, out: &Path, extra: &[&str]) -> Child {
    agora()
        .args(["run", "-i", s(corpus), "-o", s(out), "-j", "2"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora starts")
}

/// Checks that `out` holds exactly the tables its manifest lists, each with
/// the size and SHA-256 recorded there; returns the manifest's command line.
fn verify(out: &Path) -> Vec<String> {
    let manifest: serde_json::Value = serde_json::from_str(&read(out, "manifest.json"))
        .unwrap_or_else(|e| panic!("manifest.json is not whole: {e}"));
    let tables = manifest["tables"].as_object().expect("tables");
    for (name, info) in tables {
        let bytes = fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            bytes.len() as u64,
            info["bytes"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            agora::manifest::sha256_hex(&bytes),
            info["sha256"].as_str().unwrap(),
            "{name} is not the table the manifest describes"
        );
    }
    let mut present: Vec<String> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    let mut listed: Vec<String> = tables.keys().cloned().collect();
    listed.extend(["manifest.json", "datapackage.json", "report.html"].map(String::from));
    listed.sort();
    assert_eq!(present, listed, "--out mixes tables of two runs");
    manifest["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Entries beside `out` that are temporary folders of Agora.
fn temporary_folders(out: &Path) -> Vec<String> {
    let prefix = format!(".{}.agora-tmp-", out.file_name().unwrap().to_string_lossy());
    fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

/// Waits until a run has started writing (its temporary folder exists).
fn wait_for_staging(out: &Path, child: &mut Child) {
    let start = Instant::now();
    while temporary_folders(out).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was caught writing"
        );
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no staging folder"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A small xorshift generator: the moments of the kills, from a seed printed
/// so that a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn kill_9_at_twenty_random_moments_leaves_old_or_new_tables() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 12);
    let out = dir.path().join("out");
    // The first run, complete; its duration sets the range of the kills.
    let start = Instant::now();
    let first = spawn(&corpus, &out, &["--min-count", "1"])
        .wait_with_output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0));
    let mut full = start.elapsed();
    let mut current = verify(&out);

    let seed = std::env::var("AGORA_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill test: seed {seed} (AGORA_KILL_SEED replays it), a full run takes {full:?}");
    let mut rng = XorShift(seed);
    let (mut killed, mut finished, mut swapped) = (0, 0, 0);
    for i in 0..20 {
        // Each run asks for different tables, so old and new differ.
        let min_count = (2 + i % 3).to_string();
        let started = Instant::now();
        let mut child = spawn(&corpus, &out, &["--min-count", &min_count]);
        let this = child.id();
        // Anywhere from the start to past the end of a run, so that some
        // runs finish (or are killed while moving their tables into place).
        let at = full.mul_f64((rng.next() % 1000) as f64 / 1000.0 * 1.3);
        while started.elapsed() < at && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let now = verify(&out);
        let new = now.ends_with(&["--min-count".to_owned(), min_count.clone()]);
        if status.success() {
            finished += 1;
            assert!(new, "run {i} finished, but its tables are not in --out");
            // Runs get faster once the files are cached, or when other tests
            // end: keep the moments within the run.
            full = full.min(started.elapsed());
        } else {
            killed += 1;
            assert!(
                now == current || new,
                "run {i} (process {this}, killed after {at:?}): --out holds neither the old \
                 nor the new tables"
            );
            if now != current {
                swapped += 1;
            }
        }
        current = now;
    }
    eprintln!(
        "kill test: {killed} runs killed ({} left the previous tables, {swapped} had swapped \
         the new ones in), {finished} finished first",
        killed - swapped
    );
    assert!(
        killed >= 5,
        "too few runs were killed while running ({killed})"
    );
    // The next run removes what the killed ones left.
    let done = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0));
    verify(&out);
    assert_eq!(temporary_folders(&out), Vec::<String>::new());
}

/// Sends `signal` (a name for `kill -s`) to a run caught writing.
#[cfg(unix)]
fn interrupt_and_check(signal: &str, code: i32, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 12);
    let out = dir.path().join("out");
    let first = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    let before = verify(&out);
    let manifest = read(&out, "manifest.json");

    let mut child = spawn(&corpus, &out, &["--min-count", "1"]);
    wait_for_staging(&out, &mut child);
    let sent = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted by {name}"))
            && stderr.contains("the previous tables are as they were"),
        "{stderr}"
    );
    assert_eq!(verify(&out), before);
    assert_eq!(read(&out, "manifest.json"), manifest);
    assert_eq!(
        temporary_folders(&out),
        Vec::<String>::new(),
        "the temporary folder is removed"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_cleanly_with_status_143() {
    interrupt_and_check("TERM", 143, "SIGTERM");
}

#[cfg(unix)]
#[test]
fn sigint_stops_a_run_cleanly_with_status_130() {
    interrupt_and_check("INT", 130, "SIGINT (Ctrl-C)");
}

#[test]
fn a_second_run_on_the_same_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 12);
    let out = dir.path().join("out");
    let mut first = spawn(&corpus, &out, &[]);
    wait_for_staging(&out, &mut first);
    let second = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another agora run (process {}) is writing to --out {}",
            first.id(),
            out.display()
        )),
        "{stderr}"
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    verify(&out);
    // Once the first has ended, the lock is free again.
    let third = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    assert_eq!(third.status.code(), Some(0));
}

/// A second SIGINT while the run stops ends it at once (the default action);
/// `--out` keeps the old tables and the next run removes what it left.
#[cfg(unix)]
#[test]
fn a_second_sigint_kills_at_once_and_the_next_run_tidies_up() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 12);
    let out = dir.path().join("out");
    let first = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    let before = verify(&out);

    let mut child = spawn(&corpus, &out, &["--min-count", "1"]);
    wait_for_staging(&out, &mut child);
    let pid = child.id().to_string();
    for _ in 0..2 {
        // Two separate deliveries (a pending signal is not queued twice).
        assert!(Command::new("kill")
            .args(["-s", "INT", &pid])
            .status()
            .unwrap()
            .success());
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = child.wait().unwrap();
    // Killed by the second signal, or stopped cleanly if the first was
    // quicker than the second's delivery.
    assert!(
        status.signal() == Some(2) || status.code() == Some(130),
        "{status:?}"
    );
    assert_eq!(verify(&out), before);
    let next = spawn(&corpus, &out, &[]).wait_with_output().unwrap();
    assert_eq!(next.status.code(), Some(0));
    assert_eq!(temporary_folders(&out), Vec::<String>::new());
}
