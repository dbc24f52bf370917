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
    use parquet::basic::{LogicalType, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn reader(path: &Path) -> SerializedFileReader<fs::File> {
        SerializedFileReader::new(fs::File::open(path).unwrap()).unwrap()
    }

    /// Every row and cell of `dir/name.parquet` against `dir/name.csv`:
    /// text equal, integers and floats written back as the CSV writes them,
    /// null exactly where the CSV field is empty (text is never null).
    fn assert_parquet_is_csv(dir: &Path, csv_name: &str) -> usize {
        let parquet_name = csv_name.replace(".csv", ".parquet");
        let file = reader(&dir.join(&parquet_name));
        let mut csv = csv::Reader::from_path(dir.join(csv_name)).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
        let descr = file.metadata().file_metadata().schema_descr_ptr();
        let names: Vec<&str> = descr.columns().iter().map(|c| c.name()).collect();
        assert_eq!(names, header, "{parquet_name}");
        let mut n = 0;
        for (r, row) in file.get_row_iter(None).unwrap().enumerate() {
            let row = row.unwrap();
            for (c, (name, value)) in row.get_column_iter().enumerate() {
                let field = &records[r][c];
                let place = format!("{parquet_name} row {r} column {name}");
                match value {
                    Field::Str(v) => assert_eq!(v, field, "{place}"),
                    Field::Long(v) => assert_eq!(v.to_string(), field, "{place}"),
                    Field::Double(v) => {
                        let v = format!("{v:.6}");
                        let v = if v == "-0.000000" {
                            "0.000000".into()
                        } else {
                            v
                        };
                        assert_eq!(v, field, "{place}");
                    }
                    Field::Null => {
                        assert!(field.is_empty(), "{place}: null for {field:?}");
                        assert_ne!(
                            descr.column(c).physical_type(),
                            Physical::BYTE_ARRAY,
                            "{place}: text is never null"
                        );
                    }
                    other => panic!("{place}: unexpected value {other:?}"),
                }
            }
            n += 1;
        }
        assert_eq!(n, records.len(), "{parquet_name}: rows");
        n
    }

    /// The physical and logical type of a column of a Parquet table.
    fn type_of(dir: &Path, parquet_name: &str, column: &str) -> (Physical, Option<LogicalType>) {
        let file = reader(&dir.join(parquet_name));
        let descr = file.metadata().file_metadata().schema_descr_ptr();
        let c = descr
            .columns()
            .iter()
            .find(|c| c.name() == column)
            .unwrap_or_else(|| panic!("{parquet_name} {column}"))
            .clone();
        (c.physical_type(), c.logical_type_ref().cloned())
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
                for group in reader(&out.join(&parquet)).metadata().row_groups() {
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
        let (int, float) = ((Physical::INT64, None), (Physical::DOUBLE, None));
        let text = (Physical::BYTE_ARRAY, Some(LogicalType::String));
        for (table, column, expected) in [
            ("theme_counts.parquet", "year", &int),
            ("theme_counts.parquet", "rate_per_10k", &float),
            ("theme_counts.parquet", "country_iso3", &text),
            ("speeches.parquet", "session", &int),
            ("speeches.parquet", "meeting", &text),
            ("theme_cooccurrence.parquet", "year", &int),
            ("theme_cooccurrence.parquet", "npmi", &float),
            ("keyness.parquet", "g2", &float),
            ("term_counts.parquet", "document_frequency", &int),
            ("errors.parquet", "line", &int),
        ] {
            assert_eq!(&type_of(&out, table, column), expected, "{table} {column}");
        }
    }

    #[test]
    fn missing_numbers_are_nulls_and_the_empty_country_is_text() {
        // The Security Council President (empty country, no session) and a
        // General Debate statement (Brazil, session 76).
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        seeds(&out, &[]);
        let file = reader(&out.join("speeches.parquet"));
        let rows: Vec<BTreeMap<String, Field>> = file
            .get_row_iter(None)
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .get_column_iter()
                    .map(|(n, f)| (n.clone(), f.clone()))
                    .collect()
            })
            .collect();
        let find = |id: &str| {
            rows.iter()
                .find(|r| r["speech_id"] == Field::Str(id.into()))
                .unwrap()
        };
        let president = find("unsc/UNSC_2021_SPV.9001_spch001.txt");
        assert_eq!(president["country_iso3"], Field::Str(String::new()));
        assert_eq!(president["session"], Field::Null);
        let brazil = find("ungdc/Session 76 - 2021/BRA_76_2021.txt");
        assert_eq!(brazil["country_iso3"], Field::Str("BRA".into()));
        assert_eq!(brazil["session"], Field::Long(76));
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
