//! `datapackage.json`: the tables as a Frictionless Data Package, so that
//! tools (frictionless-py, the R `frictionless` package, pandas through a
//! few lines in `docs/notebooks.md`) load them with the right types.
//!
//! Each CSV written is a resource with its dialect and Table Schema (fields
//! with type and description, primary key); each Parquet copy is a resource
//! of its own with the same schema. Fields come from the table's CSV header
//! and their types from [`crate::schema`]. Missing values: an empty field is
//! missing in integer and number columns, and a value (the empty string) in
//! text columns, where it means "unknown country", "no speaker": text fields
//! say so with `"missingValues": []` (Table Schema v2).
//!
//! `manifest.json` stays what it was (checksums, counts, options); this file
//! only describes the tables. It holds nothing run-specific, so two runs
//! with the same tables write the same bytes.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use serde_json::{json, Value};

use crate::schema::{self, Kind};

/// The file name.
pub const FILE: &str = "datapackage.json";

/// Builds `datapackage.json` for the tables `files` (CSV and Parquet names,
/// as the manifest lists them) written in `dir`.
pub fn build(dir: &Path, files: &[&str], version: &str) -> Result<String> {
    let mut resources = Vec::new();
    for table in schema::TABLES {
        if !files.contains(&table.file) {
            continue;
        }
        let mut reader = csv::Reader::from_path(dir.join(table.file))
            .with_context(|| format!("cannot read back {}", table.file))?;
        let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let fields: Vec<Value> = table
            .columns_of(&header)?
            .iter()
            .map(|c| {
                let mut field = json!({
                    "name": c.name,
                    "type": c.kind.frictionless(),
                    "description": c.description,
                });
                if c.kind == Kind::Text {
                    field["missingValues"] = json!([]);
                }
                field
            })
            .collect();
        let mut table_schema = json!({ "fields": fields, "missingValues": [""] });
        let key = table.key_of(&header);
        if !key.is_empty() {
            table_schema["primaryKey"] = json!(key);
        }
        resources.push(json!({
            "name": table.stem(),
            "path": table.file,
            "profile": "tabular-data-resource",
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": { "delimiter": ",", "quoteChar": "\"", "doubleQuote": true,
                         "lineTerminator": "\n", "header": true },
            "schema": table_schema,
        }));
        if let Some(parquet) = crate::tables::parquet_of(table.file).filter(|p| files.contains(p)) {
            resources.push(json!({
                "name": format!("{}_parquet", table.stem()),
                "path": parquet,
                "profile": "tabular-data-resource",
                "description": format!("{} (Parquet copy of {})", table.description, table.file),
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "schema": table_schema,
            }));
        }
    }
    if resources.is_empty() {
        return Err(anyhow!("no table to describe"));
    }
    let package = json!({
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "profile": "tabular-data-package",
        "name": "agora-tables",
        "title": "Agora: theme frequencies and co-occurrence statistics of UN speeches",
        "description": "Tables written by agora; every column is documented in docs/output.md. \
            Text cells that start with = + - @ (or a tab or carriage return) have a leading ' \
            in both formats, against spreadsheet formula injection.",
        "version": version,
        "resources": resources,
    });
    Ok(serde_json::to_string_pretty(&package)? + "\n")
}
