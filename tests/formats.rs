//! The formats beside the CSV tables: every Parquet copy holds the CSV's
//! values with the documented types, `datapackage.json` describes the
//! tables as written, and all of it (with the report) is the same for a
//! run, a cached rerun and a merge of shards.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::{read, run, run_ok, s};
use serde_json::Value;

/// Runs the seeds into `out` with `extra` options.
fn seeds(out: &Path, extra: &[&str]) {
    let mut args = vec!["--out", s(out), "--quiet"];
    args.extend_from_slice(extra);
    run_ok(&args, 0);
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&read(dir, name)).unwrap()
}

/// The CSV tables a folder holds, by the manifest.
fn csv_tables(dir: &Path) -> Vec<String> {
    let manifest = json(dir, "manifest.json");
    manifest["tables"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.ends_with(".csv"))
        .cloned()
        .collect()
}

#[cfg(feature = "parquet")]
mod parquet_copies {
    use super::*;
    use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    /// Every row and cell of `dir/name.parquet` against `dir/name.csv`:
    /// text equal, integers and floats written back as the CSV writes them,
    /// null exactly where the CSV field is empty (text is never null).
    fn assert_parquet_is_csv(dir: &Path, csv_name: &str) -> usize {
        let parquet_name = csv_name.replace(".csv", ".parquet");
        let file = fs::File::open(dir.join(&parquet_name)).unwrap();
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        let mut reader = csv::Reader::from_path(dir.join(csv_name)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let mut at = 0;
        for batch in &batches {
            let names: Vec<String> = batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            assert_eq!(names, header, "{parquet_name}");
            for (c, column) in batch.columns().iter().enumerate() {
                for r in 0..batch.num_rows() {
                    let field = &rows[at + r][c];
                    let place = format!("{parquet_name} row {} column {}", at + r, header[c]);
                    match column.data_type() {
                        DataType::Utf8 => {
                            let a = column.as_any().downcast_ref::<StringArray>().unwrap();
                            assert!(!a.is_null(r), "{place}: text is never null");
                            assert_eq!(a.value(r), field, "{place}");
                        }
                        DataType::Int64 => {
                            let a = column.as_any().downcast_ref::<Int64Array>().unwrap();
                            if field.is_empty() {
                                assert!(a.is_null(r), "{place}: empty is null");
                            } else {
                                assert_eq!(a.value(r).to_string(), field, "{place}");
                            }
                        }
                        DataType::Float64 => {
                            let a = column.as_any().downcast_ref::<Float64Array>().unwrap();
                            if field.is_empty() {
                                assert!(a.is_null(r), "{place}: empty is null");
                            } else {
                                let v = format!("{:.6}", a.value(r));
                                let v = if v == "-0.000000" {
                                    "0.000000".into()
                                } else {
                                    v
                                };
                                assert_eq!(v, field, "{place}");
                            }
                        }
                        other => panic!("{place}: unexpected type {other:?}"),
                    }
                }
            }
            at += batch.num_rows();
        }
        assert_eq!(at, rows.len(), "{parquet_name}: rows");
        at
    }

    /// The Arrow type of a column of a Parquet table.
    fn type_of(dir: &Path, parquet_name: &str, column: &str) -> DataType {
        let file = fs::File::open(dir.join(parquet_name)).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        builder
            .schema()
            .field_with_name(column)
            .unwrap()
            .data_type()
            .clone()
    }

    #[test]
    fn every_parquet_table_holds_the_csv_values_with_their_types() {
        let dir = tempfile::tempdir().unwrap();
        for (name, extra) in [
            ("plain", &[][..]),
            ("by-year", &["--by", "year", "--terms"][..]),
        ] {
            let out = dir.path().join(name);
            seeds(&out, extra);
            let tables = csv_tables(&out);
            assert_eq!(
                tables.len(),
                if extra.is_empty() { 7 } else { 8 },
                "{tables:?}"
            );
            let manifest = json(&out, "manifest.json");
            for table in &tables {
                let rows = assert_parquet_is_csv(&out, table);
                let parquet = table.replace(".csv", ".parquet");
                let listed = &manifest["tables"][&parquet];
                assert_eq!(listed["rows"], rows as u64, "{parquet}");
                let bytes = fs::read(out.join(&parquet)).unwrap();
                assert_eq!(listed["bytes"], bytes.len() as u64, "{parquet}");
                assert_eq!(
                    listed["sha256"].as_str().unwrap(),
                    agora::manifest::sha256_hex(&bytes),
                    "{parquet}"
                );
                // zstd, as documented.
                let file = fs::File::open(out.join(&parquet)).unwrap();
                let meta = ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap()
                    .metadata()
                    .clone();
                for group in meta.row_groups() {
                    for column in group.columns() {
                        assert!(
                            matches!(column.compression(), parquet::basic::Compression::ZSTD(_)),
                            "{parquet}"
                        );
                    }
                }
            }
        }
        // Types checked by hand against docs/output.md.
        let out = dir.path().join("by-year");
        for (table, column, expected) in [
            ("theme_counts.parquet", "year", DataType::Int64),
            ("theme_counts.parquet", "rate_per_10k", DataType::Float64),
            ("theme_counts.parquet", "country_iso3", DataType::Utf8),
            ("speeches.parquet", "session", DataType::Int64),
            ("speeches.parquet", "meeting", DataType::Utf8),
            ("theme_cooccurrence.parquet", "year", DataType::Int64),
            ("theme_cooccurrence.parquet", "npmi", DataType::Float64),
            ("keyness.parquet", "g2", DataType::Float64),
            ("term_counts.parquet", "document_frequency", DataType::Int64),
            ("errors.parquet", "line", DataType::Int64),
        ] {
            assert_eq!(type_of(&out, table, column), expected, "{table} {column}");
        }
    }

    #[test]
    fn missing_numbers_are_nulls_and_the_empty_country_is_text() {
        // Namibia's NA stays a code; a General Debate file without a year
        // in metadata is not possible, so the Security Council President
        // (empty country) and speeches.csv's empty session are the cases.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        seeds(&out, &[]);
        let file = fs::File::open(out.join("speeches.parquet")).unwrap();
        let batch = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let iso3 = batch
            .column_by_name("country_iso3")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let session = batch
            .column_by_name("session")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let ids = batch
            .column_by_name("speech_id")
            .unwrap()
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let president = (0..batch.num_rows())
            .find(|&r| ids.value(r) == "unsc/UNSC_2021_SPV.9001_spch001.txt")
            .unwrap();
        assert_eq!(iso3.value(president), "");
        assert!(
            session.is_null(president),
            "a Security Council turn has no session"
        );
        let brazil = (0..batch.num_rows())
            .find(|&r| ids.value(r) == "ungdc/Session 76 - 2021/BRA_76_2021.txt")
            .unwrap();
        assert_eq!((iso3.value(brazil), session.value(brazil)), ("BRA", 76));
    }
}

#[test]
fn the_data_package_describes_every_table_as_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("plain", &[][..]),
        ("by-year", &["--by", "year", "--terms"][..]),
    ] {
        let out = dir.path().join(name);
        seeds(&out, extra);
        let package = json(&out, "datapackage.json");
        let resources = package["resources"].as_array().unwrap();
        let csv: BTreeSet<String> = resources
            .iter()
            .filter(|r| r["format"] == "csv")
            .map(|r| r["path"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            csv,
            csv_tables(&out).into_iter().collect::<BTreeSet<_>>(),
            "one CSV resource per table"
        );
        for resource in resources {
            let path = resource["path"].as_str().unwrap();
            assert!(out.join(path).is_file(), "{path} is listed but absent");
            if resource["format"] != "csv" {
                assert_eq!(resource["format"], "parquet", "{path}");
                let twin = resources
                    .iter()
                    .find(|r| r["path"] == path.replace(".parquet", ".csv"))
                    .unwrap();
                assert_eq!(resource["schema"], twin["schema"], "{path}");
                continue;
            }
            check_csv_against_schema(&out, path, &resource["schema"]);
        }
        // Types and keys checked by hand against docs/output.md.
        let schema_of = |path: &str| {
            resources
                .iter()
                .find(|r| r["path"] == path)
                .unwrap_or_else(|| panic!("{path}"))["schema"]
                .clone()
        };
        let counts = schema_of("theme_counts.csv");
        let types: BTreeMap<&str, &str> = counts["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["name"].as_str().unwrap(), f["type"].as_str().unwrap()))
            .collect();
        assert_eq!(types["country_iso3"], "string");
        assert_eq!(types["year"], "integer");
        assert_eq!(types["rate_per_10k"], "number");
        assert_eq!(
            counts["primaryKey"],
            serde_json::json!(["country_iso3", "country_name", "year", "theme"])
        );
        let keyness_key = if extra.is_empty() {
            serde_json::json!(["country_iso3", "country_name", "rank"])
        } else {
            serde_json::json!(["country_iso3", "country_name", "year", "rank"])
        };
        assert_eq!(schema_of("keyness.csv")["primaryKey"], keyness_key);
    }
}

/// Header names and order as the schema says, every integer and number
/// field parses (or is empty: missing), and the primary key is unique.
fn check_csv_against_schema(dir: &Path, path: &str, schema: &Value) {
    let fields = schema["fields"].as_array().unwrap();
    let mut reader = csv::Reader::from_path(dir.join(path)).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(header, names, "{path}: header");
    for f in fields {
        assert!(
            !f["description"].as_str().unwrap().is_empty(),
            "{path}: {}",
            f["name"]
        );
    }
    let key: Vec<usize> = schema["primaryKey"]
        .as_array()
        .map(|k| {
            k.iter()
                .map(|n| {
                    names
                        .iter()
                        .position(|x| *x == n.as_str().unwrap())
                        .unwrap()
                })
                .collect()
        })
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.unwrap();
        for (value, field) in record.iter().zip(fields) {
            let place = format!("{path} line {} column {}", line + 2, field["name"]);
            match field["type"].as_str().unwrap() {
                "string" => assert_eq!(field["missingValues"], serde_json::json!([]), "{place}"),
                "integer" => assert!(
                    value.is_empty() || value.parse::<i64>().is_ok(),
                    "{place}: {value:?}"
                ),
                "number" => assert!(
                    value.is_empty() || value.parse::<f64>().is_ok_and(f64::is_finite),
                    "{place}: {value:?}"
                ),
                other => panic!("{place}: type {other}"),
            }
        }
        if !key.is_empty() {
            let k: Vec<&str> = key.iter().map(|&i| &record[i]).collect();
            assert!(seen.insert(k.join("\u{1f}")), "{path}: duplicate key {k:?}");
        }
    }
}

#[test]
fn format_and_report_options_choose_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    seeds(&out, &["--format", "csv", "--no-report"]);
    let mut files: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "collocates.csv",
            "datapackage.json",
            "errors.csv",
            "keyness.csv",
            "keyword_counts.csv",
            "manifest.json",
            "speeches.csv",
            "theme_cooccurrence.csv",
            "theme_counts.csv"
        ]
    );
    let package = json(&out, "datapackage.json");
    assert!(package["resources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["format"] == "csv"));
    // Without csv: refused, nothing written.
    let output = run(&["run", "--out", s(&out), "--format", "parquet"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--format must include csv"), "{stderr}");
    assert!(!out.join("report.html").exists());
}

#[cfg(feature = "parquet")]
#[test]
fn a_cached_rerun_and_a_merge_of_shards_write_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, first, second) = (
        dir.path().join("cache"),
        dir.path().join("first"),
        dir.path().join("second"),
    );
    seeds(&first, &["--cache", s(&cache)]);
    // Nothing changed: the second run copies the CSV tables from the cache
    // and makes the rest again.
    seeds(&second, &["--cache", s(&cache)]);
    let partials = dir.path().join("partials");
    for shard in ["0/2", "1/2"] {
        let output = run(&[
            "count",
            "--shard",
            shard,
            "--partial",
            s(&partials),
            "--quiet",
        ]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    let merged = dir.path().join("merged");
    let output = run(&["merge", s(&partials), "--out", s(&merged), "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let files = |d: &Path| -> BTreeMap<String, Vec<u8>> {
        fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "manifest.json")
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    let reference = files(&first);
    assert!(reference.contains_key("report.html"));
    assert!(reference.contains_key("theme_counts.parquet"));
    assert_eq!(reference.len(), 16, "{:?}", reference.keys());
    for other in [&second, &merged] {
        let theirs = files(other);
        assert_eq!(
            reference.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &reference {
            assert!(
                &theirs[name] == bytes,
                "{name} differs in {}",
                other.display()
            );
        }
    }
}
