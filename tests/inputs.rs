//! Other corpus shapes, end to end: compressed speech files, archives,
//! tables (CSV, JSON Lines, standard input) made at run time from the seed
//! corpus must give the tables of the same speeches as plain files; bad rows
//! are reported with their line; --cache and agora count refuse what they
//! cannot do.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;

/// The seed corpus's speech files as (speech id, bytes), in speech-id order
/// (the order of speeches.csv).
fn seed_speeches(sub: &str) -> Vec<(String, Vec<u8>)> {
    let root = repo().join("seeds/corpus").join(sub);
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap();
            let id = rel.to_str().unwrap().replace('\\', "/");
            (id, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() > 10, "the seed corpus is there");
    files
}

/// Runs `agora run -j 2` on `inputs` into `out` with `extra` options, expecting `code`.
fn count(inputs: &[&Path], out: &Path, extra: &[&str], code: i32) {
    let mut args: Vec<&str> = vec!["-j", "2", "-o", s(out)];
    for input in inputs {
        args.extend(["-i", s(input)]);
    }
    args.extend_from_slice(extra);
    run_ok(&args, code);
}

/// The CSV tables in `dir`, by name.
fn tables(dir: &Path) -> Vec<(String, String)> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names.iter().map(|n| (n.clone(), read(dir, n))).collect()
}

/// Asserts that two runs wrote the same tables, speeches.csv apart from
/// its first two columns (speech id and path), which `ids` maps: the
/// second run's (id, path) of each of the first run's ids.
fn assert_same_tables(plain: &Path, other: &Path, ids: impl Fn(&str) -> (String, String)) {
    let (a, b) = (tables(plain), tables(other));
    assert_eq!(
        a.iter().map(|t| &t.0).collect::<Vec<_>>(),
        b.iter().map(|t| &t.0).collect::<Vec<_>>()
    );
    assert!(a.len() >= 6, "{a:?}");
    // The paths of the first run's speeches, as the second run names them.
    let rows = |t: &str| {
        let mut r = csv::Reader::from_reader(t.as_bytes());
        r.records().map(|r| r.unwrap()).collect::<Vec<_>>()
    };
    let paths: std::collections::HashMap<String, String> =
        rows(&a.iter().find(|t| t.0 == "speeches.csv").unwrap().1)
            .iter()
            .map(|r| (r[1].to_owned(), ids(&r[0]).1))
            .collect();
    for ((name, a), (_, b)) in a.iter().zip(&b) {
        if name == "errors.csv" {
            let (ea, eb) = (rows(a), rows(b));
            assert_eq!(ea.len(), eb.len(), "{a}\n{b}");
            for (x, y) in ea.iter().zip(&eb) {
                assert_eq!(paths.get(&x[0]).map(String::as_str), Some(&y[0]));
                assert_eq!(
                    x.iter().skip(1).collect::<Vec<_>>(),
                    y.iter().skip(1).collect::<Vec<_>>()
                );
            }
            continue;
        }
        if name != "speeches.csv" {
            assert_eq!(a, b, "{name} differs between {plain:?} and {other:?}");
            continue;
        }
        let (ra, rb) = (rows(a), rows(b));
        assert_eq!(ra.len(), rb.len());
        for (x, y) in ra.iter().zip(&rb) {
            let (id, path) = ids(&x[0]);
            assert_eq!((id.as_str(), path.as_str()), (&y[0], &y[1]));
            assert_eq!(
                x.iter().skip(2).collect::<Vec<_>>(),
                y.iter().skip(2).collect::<Vec<_>>(),
                "row of {}",
                &x[0]
            );
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, &body[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

fn zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(body).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn compressed_files_and_archives_count_like_the_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = seed_speeches("");
    let corpus = repo().join("seeds/corpus");
    let plain = dir.path().join("plain");
    count(&[&corpus], &plain, &[], 0);

    // Every other file gzip-, the rest zstd-compressed, beside the metadata table.
    let packed = dir.path().join("packed");
    for (k, (id, body)) in files.iter().enumerate() {
        let (name, bytes) = match k % 2 {
            0 => (format!("{id}.gz"), gzip(body)),
            _ => (format!("{id}.zst"), zstd::encode_all(&body[..], 3).unwrap()),
        };
        write_files(&packed, &[(&name, &bytes)]);
    }
    let speakers = "ungdc/Speakers_by_session.csv";
    write_files(
        &packed,
        &[(speakers, &fs::read(corpus.join(speakers)).unwrap())],
    );
    let out = dir.path().join("out-packed");
    count(&[&packed], &out, &[], 0);
    let suffix = |id: &str| {
        let k = files.iter().position(|(f, _)| f == id).unwrap();
        if k % 2 == 0 {
            ".gz"
        } else {
            ".zst"
        }
    };
    assert_same_tables(&plain, &out, |id| {
        let path = packed.join(format!("{id}{}", suffix(id)));
        (format!("{id}{}", suffix(id)), path.display().to_string())
    });

    // Archives: the speakers table is not in them, so it is given.
    let meta = corpus.join(speakers);
    let meta = ["--metadata", s(&meta)];
    for name in ["corpus.tar", "corpus.tar.gz", "corpus.zip"] {
        let archive = dir.path().join(name);
        match name {
            "corpus.tar" => fs::write(&archive, tar(&files)).unwrap(),
            "corpus.tar.gz" => fs::write(&archive, gzip(&tar(&files))).unwrap(),
            _ => zip(&archive, &files),
        }
        let out = dir.path().join(format!("out-{name}"));
        count(&[&archive], &out, &meta, 0);
        assert_same_tables(&plain, &out, |id| {
            (
                format!("{name}/{id}"),
                format!("{}/{id}", archive.display()),
            )
        });
    }
}

/// A CSV field, quoted.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[test]
fn the_general_debates_table_shape_needs_no_options() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("seeds/corpus/ungdc");
    let speakers = corpus.join("Speakers_by_session.csv");
    let meta = ["--metadata", s(&speakers)];
    let plain = dir.path().join("plain");
    count(&[&corpus], &plain, &[], 0);
    // `session,year,country,text` with the country as an ISO3 code, one row
    // per speech in speech-id order; texts span lines and hold quotes.
    let files = seed_speeches("ungdc");
    let mut csv = String::from("session,year,country,text\n");
    let mut jsonl = String::new();
    let mut rows = Vec::new();
    // Columns for the Parquet copy: session as a number, the rest strings.
    let mut columns: (Vec<i64>, Vec<String>, Vec<String>, Vec<String>) = Default::default();
    for (id, body) in &files {
        let name = id.rsplit('/').next().unwrap().trim_end_matches(".txt");
        let parts: Vec<&str> = name.split('_').collect();
        let (code, session, year) = (parts[0], parts[1], parts[2]);
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.contains('\n'));
        csv.push_str(&format!("{session},{year},{code},{}\n", quoted(&text)));
        let row = serde_json::json!({"session": session.parse::<u32>().unwrap(), "year": year, "country": code, "text": text});
        jsonl.push_str(&format!("{row}\n"));
        rows.push(id.clone());
        columns.0.push(session.parse().unwrap());
        columns.1.push(year.to_owned());
        columns.2.push(code.to_owned());
        columns.3.push(text);
    }
    let row_of = |id: &str| rows.iter().position(|r| r == id).unwrap() + 1;
    let table = dir.path().join("un-general-debates.csv");
    fs::write(&table, &csv).unwrap();
    let out = dir.path().join("out-csv");
    count(&[&table], &out, &meta, 0);
    assert_same_tables(&plain, &out, |id| {
        (
            format!("un-general-debates.csv#row-{}", row_of(id)),
            table.display().to_string(),
        )
    });
    // The same rows as zstd-compressed JSON Lines, and on standard input.
    let jsonl_path = dir.path().join("debates.jsonl.zst");
    fs::write(&jsonl_path, zstd::encode_all(jsonl.as_bytes(), 3).unwrap()).unwrap();
    let out = dir.path().join("out-jsonl");
    count(&[&jsonl_path], &out, &meta, 0);
    assert_same_tables(&plain, &out, |id| {
        (
            format!("debates.jsonl.zst#row-{}", row_of(id)),
            jsonl_path.display().to_string(),
        )
    });
    #[cfg(feature = "parquet")]
    {
        use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
        use std::sync::Arc;
        let parquet_path = dir.path().join("debates.parquet");
        let (session, year, country, text) = columns;
        let arrays: [(&str, ArrayRef); 4] = [
            ("session", Arc::new(Int64Array::from(session))),
            ("year", Arc::new(StringArray::from(year))),
            ("country", Arc::new(StringArray::from(country))),
            ("text", Arc::new(StringArray::from(text))),
        ];
        let batch = RecordBatch::try_from_iter(arrays).unwrap();
        let file = fs::File::create(&parquet_path).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let out = dir.path().join("out-parquet");
        count(&[&parquet_path], &out, &meta, 0);
        assert_same_tables(&plain, &out, |id| {
            (
                format!("debates.parquet#row-{}", row_of(id)),
                parquet_path.display().to_string(),
            )
        });
    }
    #[cfg(not(feature = "parquet"))]
    drop(columns);
    let out = dir.path().join("out-stdin");
    let mut child = agora()
        .args([
            "run",
            "-j",
            "2",
            "-i",
            "-",
            "-o",
            s(&out),
            "--metadata",
            s(&speakers),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feed = std::thread::spawn(move || stdin.write_all(jsonl.as_bytes()).unwrap());
    let done = child.wait_with_output().unwrap();
    feed.join().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_same_tables(&plain, &out, |id| {
        (format!("stdin#row-{}", row_of(id)), "<stdin>".into())
    });
}

#[test]
fn bad_rows_are_reported_with_their_line_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "t.csv",
                b"Speech,Body,iso3,year\n\
                  a,\"Climate change,\nand refugees.\",FRA,2020\n\
                  b,Women,CHL\n\
                  a,Again women.,CHL,2020\n\
                  c,Peace.,XXQ,soon\n",
            ),
            (
                "t.jsonl",
                b"{\"body\": \"Refugees.\", \"iso3\": \"CHL\", \"year\": 2021}\n\
                  {\"body\": \"Women\n\
                  {\"body\": \"\"}\n",
            ),
        ],
    );
    let (table, jsonl) = (dir.path().join("t.csv"), dir.path().join("t.jsonl"));
    let out = dir.path().join("out");
    let columns = [
        "--id-column",
        "speech",
        "--text-column",
        "BODY",
        "--column",
        "country=iso3",
    ];
    count(&[&table, &jsonl], &out, &columns, 1);
    let (t, j) = (table.display(), jsonl.display());
    assert_eq!(
        read(&out, "errors.csv"),
        format!(
            "path,line,stage,outcome,message\n\
             {t},4,read,skipped,row 2 has 3 fields where the header has 4; row skipped\n\
             {t},5,read,skipped,\"speech id \"\"t.csv#a\"\" is already taken by the row at line 2; speech ids in a table or archive must be unique; skipped\"\n\
             {t},6,ingest,degraded,\"country code \"\"XXQ\"\" is not in the country table; kept as country_iso3 with an empty country_name\"\n\
             {t},6,ingest,degraded,\"year \"\"soon\"\" is not a number; not used\"\n\
             {j},2,read,skipped,row 2 is not valid JSON (EOF while parsing a string at line 1 column 15); row skipped\n\
             {j},3,analyze,degraded,empty text; counted with 0 tokens\n"
        )
        .replace("\n             ", "\n")
    );
    let speeches = read(&out, "speeches.csv");
    let ids: Vec<&str> = speeches
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["t.csv#a", "t.csv#c", "t.jsonl#row-1", "t.jsonl#row-3"]
    );
    assert!(speeches.contains(&format!("t.csv#a,{t},FRA,France,,none,,2020,")));
    assert!(speeches.contains(&format!("t.csv#c,{t},XXQ,,,none,,,")));
    assert!(speeches.contains(&format!("t.jsonl#row-1,{j},CHL,Chile,,none,,2021,")));
}

#[test]
fn cache_and_count_refuse_tables_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("t.csv", b"text\nWomen.\n")]);
    let table: PathBuf = dir.path().join("t.csv");
    let cache = dir.path().join("cache");
    let out = dir.path().join("out");
    let refused = run(&["run", "-i", s(&table), "-o", s(&out), "--cache", s(&cache)]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains(&format!(
            "--cache works only with folders and files of speeches, not with the table or archive {}",
            table.display()
        )),
        "{err}"
    );
    assert!(!out.exists() && !cache.exists());
    let partial = dir.path().join("partial");
    let refused = run(&[
        "count",
        "-i",
        s(&table),
        "--shard",
        "0/2",
        "--partial",
        s(&partial),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("agora count works only with folders and files"),
        "{err}"
    );
    assert!(!partial.exists());
}
