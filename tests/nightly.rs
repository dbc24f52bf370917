//! End-to-end tests of the nightly-job features: `agora count` shards as
//! separate processes + `agora merge`, refusals, `--shard env`, `run
//! --cache`, the configuration file, `--quiet` and `--log-format json`.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;

/// The tables `agora run` writes by default, every one compared.
const ALL_TABLES: &[&str] = &[
    "speeches.csv",
    "theme_counts.csv",
    "theme_cooccurrence.csv",
    "keyword_counts.csv",
    "collocates.csv",
    "keyness.csv",
    "errors.csv",
];

fn agora_status(args: &[&str]) -> (i32, String) {
    let out = run(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_same_tables(a: &Path, b: &Path) {
    for table in ALL_TABLES {
        assert!(
            fs::read(a.join(table)).unwrap() == fs::read(b.join(table)).unwrap(),
            "{table} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Starts `agora count` for shard `i` of `n` in the background.
fn spawn_count(input: &Path, i: u32, n: u32, partials: &Path, extra: &[&str]) -> Child {
    agora()
        .args(["count", "--input", s(input), "--partial", s(partials)])
        .args(["--shard", &format!("{i}/{n}")])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("agora count starts")
}

/// Three shard processes at once, then the merge; returns the merged folder.
fn three_shards_and_merge(input: &Path, dir: &Path) -> std::path::PathBuf {
    let partials = dir.join("partials");
    let children: Vec<Child> = (0..3)
        .map(|i| spawn_count(input, i, 3, &partials, &["--threads", "1"]))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let merged = dir.join("merged");
    let (code, err) = agora_status(&["merge", s(&partials), "--out", s(&merged)]);
    assert_eq!(code, 0, "{err}");
    merged
}

#[test]
fn three_shard_processes_and_merge_equal_run_on_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo().join("seeds/corpus");
    let whole = dir.path().join("run");
    run_ok(
        &["--input", s(&input), "--out", s(&whole), "--threads", "2"],
        0,
    );
    let merged = three_shards_and_merge(&input, dir.path());
    assert_same_tables(&whole, &merged);
    let (a, b) = (
        read(&whole, "manifest.json"),
        read(&merged, "manifest.json"),
    );
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&a).unwrap(),
        serde_json::from_str(&b).unwrap(),
    );
    // The run-specific fields differ; what describes the tables does not.
    for key in ["inputs", "dictionary", "counts", "tables", "version"] {
        assert_eq!(a[key], b[key], "manifest {key}");
    }
    assert_eq!(b["merged_from"]["shards"], 3);
    assert_eq!(a["inputs"]["fingerprint"].as_str().unwrap().len(), 64);
    // The checksums, taken while the merged tables were written, are those
    // of the files on disk.
    let tables = b["tables"].as_object().unwrap();
    assert!(tables.contains_key("speeches.csv") && tables.contains_key("errors.csv"));
    for (name, listed) in tables {
        let bytes = fs::read(merged.join(name)).unwrap();
        assert_eq!(listed["bytes"], bytes.len() as u64, "{name}");
        assert_eq!(
            listed["sha256"].as_str().unwrap(),
            agora::manifest::sha256_hex(&bytes),
            "{name}"
        );
    }
}

#[test]
fn three_shard_processes_and_merge_equal_run_on_the_shared_corpus() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = shared.join("corpus");
    let whole = dir.path().join("run");
    run_ok(&["--input", s(&input), "--out", s(&whole)], 0);
    let merged = three_shards_and_merge(&input, dir.path());
    assert_same_tables(&whole, &merged);
}

#[test]
fn merge_refuses_partials_that_do_not_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let input = repo().join("seeds/corpus");
    let (p, other) = (root.join("p"), root.join("other"));
    for i in 0..3 {
        let out = spawn_count(&input, i, 3, &p, &[])
            .wait_with_output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let part = |i: u32, n: u32| p.join(format!("agora-partial-{i:04}-of-{n:04}.json"));
    let out = root.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("theme_counts.csv"), "previous").unwrap();
    let refused = |args: &[&str], why: &str| {
        let mut all = vec!["merge"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", s(&out)]);
        let (code, err) = agora_status(&all);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(why), "expected {why:?} in: {err}");
        assert_eq!(read(&out, "theme_counts.csv"), "previous");
    };
    refused(&[s(&part(0, 3)), s(&part(1, 3))], "shard(s) 2 of 3 missing");
    refused(
        &[
            s(&part(0, 3)),
            s(&part(1, 3)),
            s(&part(1, 3)),
            s(&part(2, 3)),
        ],
        "given twice",
    );
    // Another dictionary.
    let themes = root.join("themes.toml");
    fs::write(&themes, "[themes.peace]\nterms = [\"peace\"]\n").unwrap();
    let out2 = spawn_count(&input, 2, 3, &other, &["--themes", s(&themes)])
        .wait_with_output()
        .unwrap();
    assert_eq!(out2.status.code(), Some(0));
    refused(
        &[
            s(&part(0, 3)),
            s(&part(1, 3)),
            s(&other.join("agora-partial-0002-of-0003.json")),
        ],
        "counted differently (dictionary",
    );
    // Another shard count.
    let out4 = spawn_count(&input, 3, 4, &other, &[])
        .wait_with_output()
        .unwrap();
    assert_eq!(out4.status.code(), Some(0));
    refused(
        &[
            s(&part(0, 3)),
            s(&part(1, 3)),
            s(&part(2, 3)),
            s(&other.join("agora-partial-0003-of-0004.json")),
        ],
        "same N",
    );
    // Not a partial file.
    refused(
        &[s(&repo().join("seeds/themes.toml"))],
        "not an Agora partial file",
    );
}

#[test]
fn shard_env_reads_the_schedulers_variables() {
    let dir = tempfile::tempdir().unwrap();
    let input = repo().join("seeds/corpus");
    let p = dir.path().join("p");
    let count = |vars: &[(&str, &str)], extra: &[&str]| {
        let mut cmd: Command = agora();
        cmd.args([
            "count",
            "--input",
            s(&input),
            "--partial",
            s(&p),
            "--shard",
            "env",
        ])
        .args(extra);
        for v in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
        ] {
            cmd.env_remove(v);
        }
        cmd.env_remove("AGORA_SHARD_INDEX")
            .env_remove("AGORA_SHARD_COUNT");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "2"),
    ];
    assert_eq!(count(&slurm, &[]).0, Some(0));
    assert!(p.join("agora-partial-0001-of-0002.json").is_file());
    assert_eq!(
        count(&[("JOB_COMPLETION_INDEX", "0")], &["--shards", "2"]).0,
        Some(0)
    );
    assert!(p.join("agora-partial-0000-of-0002.json").is_file());
    let (code, err) = count(&[("JOB_COMPLETION_INDEX", "0")], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--shards N"), "{err}");
    let (code, err) = count(&[], &[]);
    assert_eq!(code, Some(2), "{err}");
    let merged = dir.path().join("merged");
    assert_eq!(agora_status(&["merge", s(&p), "--out", s(&merged)]).0, 0);
    let whole = dir.path().join("run");
    run_ok(&["--input", s(&input), "--out", s(&whole)], 0);
    assert_same_tables(&whole, &merged);
}

#[test]
fn skipped_files_give_status_1_after_the_merge_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            ("corpus/a.txt", b"Women and climate."),
            ("corpus/b.txt", b"\x00\x01\x02\x03\x04\x05\x06\x07"),
            ("corpus/c.txt", b"Refugees."),
        ],
    );
    let corpus = root.join("corpus");
    let whole = root.join("run");
    run_ok(&["--input", s(&corpus), "--out", s(&whole)], 1);
    let p = root.join("p");
    for i in 0..2 {
        let out = spawn_count(&corpus, i, 2, &p, &[])
            .wait_with_output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)));
    }
    let merged = root.join("merged");
    let (code, err) = agora_status(&["merge", s(&p), "--out", s(&merged)]);
    assert_eq!(code, 1, "{err}");
    assert_same_tables(&whole, &merged);
    assert!(read(&merged, "errors.csv").contains("b.txt,,read,skipped"));
}

/// Sets a file's modification time.
fn touch(path: &Path, time: std::time::SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

#[test]
fn cached_runs_count_only_new_and_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_files(
        root,
        &[
            (
                "corpus/unsc/UNSC_2020_SPV.8001_spch001.txt",
                "Mr. Dupont (France): Women and peace and security. Climate.".as_bytes(),
            ),
            (
                "corpus/unsc/UNSC_2020_SPV.8001_spch002.txt",
                b"Mr. Abarry (Niger): Refugees and climate refugees.",
            ),
            ("corpus/ungdc/NOR_75_2020.txt", b"Sea-level rise. Women."),
        ],
    );
    let corpus = root.join("corpus");
    let cache = root.join("cache");
    let cached_run = |out: &str| {
        let out = root.join(out);
        let o = run_ok(
            &[
                "--input",
                s(&corpus),
                "--out",
                s(&out),
                "--cache",
                s(&cache),
            ],
            0,
        );
        (out, String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let fresh_run = |out: &str| {
        let out = root.join(out);
        run_ok(&["--input", s(&corpus), "--out", s(&out)], 0);
        out
    };
    let (_, err) = cached_run("c1");
    assert!(err.contains("; 0 reused from the cache"), "{err}");
    let (c2, err) = cached_run("c2");
    assert!(err.contains("; 3 reused from the cache"), "{err}");
    assert_same_tables(&fresh_run("f2"), &c2);

    // Add one file, change one, delete one.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    write_files(
        root,
        &[(
            "corpus/ungdc/FRA_75_2020.txt",
            b"Climate matters. Refugees too.",
        )],
    );
    let changed = corpus.join("unsc/UNSC_2020_SPV.8001_spch002.txt");
    fs::write(
        &changed,
        "Mr. Abarry (Niger): Women, women and internally displaced persons.",
    )
    .unwrap();
    touch(&changed, later);
    fs::remove_file(corpus.join("ungdc/NOR_75_2020.txt")).unwrap();
    let (c3, err) = cached_run("c3");
    assert!(err.contains("; 1 reused from the cache"), "{err}");
    assert_same_tables(&fresh_run("f3"), &c3);
    assert!(!read(&c3, "speeches.csv").contains("NOR_75"));

    // Only the time changed: the file is read, found the same, and reused.
    let same = corpus.join("ungdc/FRA_75_2020.txt");
    touch(&same, later + std::time::Duration::from_secs(60));
    let (_, err) = cached_run("c4");
    assert!(err.contains("; 3 reused from the cache"), "{err}");

    // Same size and time: the text is not read at all (the documented trust),
    // so a same-size rewrite that keeps the time is not seen.
    let mtime = fs::metadata(&same).unwrap().modified().unwrap();
    fs::write(&same, "Climate matters. Women too!!!!").unwrap();
    assert_eq!(fs::metadata(&same).unwrap().len(), 30);
    touch(&same, mtime);
    let (c5, err) = cached_run("c5");
    assert!(err.contains("; 3 reused from the cache"), "{err}");
    // The old text's "Refugees" is still counted: no other French speech has it.
    let keywords = read(&c5, "keyword_counts.csv");
    assert!(
        keywords.contains("FRA,France,displacement,refugee*,1"),
        "{keywords}"
    );
}

#[test]
fn configuration_file_supplies_options_and_the_command_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let input = repo().join("seeds/corpus");
    let out_cfg = root.join("from_config");
    let config = root.join("nightly.toml");
    fs::write(
        &config,
        format!(
            "input = [{:?}]\nout = {:?}\ntables = [\"themes\"]\nquiet = true\n",
            s(&input),
            s(&out_cfg)
        ),
    )
    .unwrap();
    let o = run(&["run", "--config", s(&config)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "quiet: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out_cfg.join("theme_counts.csv").is_file());
    assert!(!out_cfg.join("keyness.csv").exists());
    // The command line wins.
    let out_cli = root.join("from_cli");
    let o = run(&[
        "run",
        "--config",
        s(&config),
        "--out",
        s(&out_cli),
        "--tables",
        "keyness",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out_cli.join("keyness.csv").is_file());
    assert!(!out_cli.join("theme_counts.csv").exists());
    // A misspelt option is a configuration error.
    fs::write(&config, "min_count = 3\n").unwrap();
    let (code, err) = agora_status(&["run", "--config", s(&config)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field"), "{err}");
    // ./agora.toml is read when there is no --config.
    let cwd = root.join("cwd");
    fs::create_dir_all(&cwd).unwrap();
    let out_cwd = root.join("from_cwd");
    fs::write(
        cwd.join("agora.toml"),
        format!("input = [{:?}]\nout = {:?}\n", s(&input), s(&out_cwd)),
    )
    .unwrap();
    let o = agora()
        .current_dir(&cwd)
        .args(["run", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out_cwd.join("speeches.csv").is_file());
}

#[test]
fn json_logs_are_one_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", "--out", s(&out), "--log-format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"start"));
    assert_eq!(names.last(), Some(&"summary"));
    assert!(names.contains(&"stage"));
    let summary = events.last().unwrap();
    assert_eq!(summary["speeches"], 47);
    assert_eq!(summary["exit_code"], 0);
    assert_eq!(events[0]["files"], 47);
    // Errors too.
    let o = run(&[
        "run",
        "--input",
        "/nonexistent/agora",
        "--log-format",
        "json",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stderr).trim()).unwrap();
    assert_eq!(line["event"], "error");
    assert_eq!(line["exit_code"], 2);
}

#[test]
fn a_second_cached_run_over_the_unchanged_shared_corpus_reads_no_file() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = shared.join("corpus");
    let cache = dir.path().join("cache");
    let cached = |out: &str| {
        let out = dir.path().join(out);
        let o = run(&[
            "run",
            "--input",
            s(&input),
            "--out",
            s(&out),
            "--cache",
            s(&cache),
            "--log-format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0));
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stderr)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out, events)
    };
    let (first, events) = cached("first");
    let files = events[0]["files"].as_u64().unwrap();
    assert_eq!(events[0]["to_read"], files);
    let (second, events) = cached("second");
    // Nothing to read, everything reused.
    assert_eq!(events[0]["to_read"], 0);
    assert_eq!(events.last().unwrap()["reused"], files);
    assert_same_tables(&first, &second);
    let fresh = dir.path().join("fresh");
    run_ok(&["--input", s(&input), "--out", s(&fresh)], 0);
    assert_same_tables(&fresh, &second);
}
