//! Parquet copies of the CSV tables (`--format parquet`, cargo feature
//! `parquet`, on by default): each finished CSV is read back and written as
//! `NAME.parquet` beside it, typed by [`crate::schema`], zstd-compressed.
//!
//! Converting the written CSV (instead of writing both formats from the
//! sums) keeps one writer per table and makes the two formats hold the same
//! values by construction: floats are the six-decimal values of the CSV, and
//! text cells are the CSV's (formula-like text keeps its leading `'`).
//! Integers and floats whose field is empty are nulls; text stays text (the
//! empty country is a value, which a `groupby` must not drop). Rows are read
//! and written a row group at a time, so memory does not grow with the table.
//!
//! The `parquet` crate's column writer is used directly, without its Arrow
//! layer: three flat column types need no Arrow arrays, and leaving Arrow
//! out halves what the feature adds to a clean build.
//!
//! This module neither decides which tables exist nor sorts anything.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::schema::{self, Kind};

/// Rows per row group. A row group's values are held until it is written,
/// each text value in an allocation of its own (about 80 bytes with its
/// overhead), so this bounds the memory of the conversion: 8,192 rows of
/// the widest table (`speeches.csv`) take about 13 MB, where 65,536 took
/// over 100 MB and lifted the run's peak past the bound. Readers
/// handle row groups of this size without cost on tables this small.
const ROW_GROUP: usize = 8_192;

/// One column's values while a row group is filled; `defined` holds the
/// definition level of each row of a nullable column (0: null, 1: a value).
enum Values {
    Text(Vec<ByteArray>),
    Integer(Vec<i64>, Vec<i16>),
    Float(Vec<f64>, Vec<i16>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Kind::Text => Values::Text(Vec::new()),
            Kind::Integer => Values::Integer(Vec::new(), Vec::new()),
            Kind::Float => Values::Float(Vec::new(), Vec::new()),
        }
    }

    /// Appends a CSV field; the error says what the field is not.
    fn push(&mut self, field: &str) -> Result<()> {
        match self {
            Values::Text(v) => v.push(ByteArray::from(field)),
            Values::Integer(_, defined) | Values::Float(_, defined) if field.is_empty() => {
                defined.push(0)
            }
            Values::Integer(v, defined) => {
                v.push(
                    field
                        .parse()
                        .map_err(|_| anyhow!("{field:?} is not an integer"))?,
                );
                defined.push(1);
            }
            Values::Float(v, defined) => {
                v.push(
                    field
                        .parse()
                        .map_err(|_| anyhow!("{field:?} is not a number"))?,
                );
                defined.push(1);
            }
        }
        Ok(())
    }

    fn clear(&mut self) {
        match self {
            Values::Text(v) => v.clear(),
            Values::Integer(v, d) => {
                v.clear();
                d.clear();
            }
            Values::Float(v, d) => {
                v.clear();
                d.clear();
            }
        }
    }
}

/// The Parquet type of a column: text is a required UTF-8 string, numbers
/// are optional (null for an empty field).
fn column_type(name: &str, kind: Kind) -> Result<Type> {
    let (physical, repetition) = match kind {
        Kind::Text => (Physical::BYTE_ARRAY, Repetition::REQUIRED),
        Kind::Integer => (Physical::INT64, Repetition::OPTIONAL),
        Kind::Float => (Physical::DOUBLE, Repetition::OPTIONAL),
    };
    let mut builder = Type::primitive_type_builder(name, physical).with_repetition(repetition);
    if kind == Kind::Text {
        builder = builder.with_logical_type(Some(LogicalType::String));
    }
    Ok(builder.build()?)
}

/// Writes `dir/NAME.parquet` from the table `dir/csv`; returns its name.
/// The file is synced; it is written into the run's temporary folder, so it
/// is swapped into `--out` with the CSVs or not at all.
pub fn write_from_csv(dir: &Path, csv: &str) -> Result<&'static str> {
    let table = schema::table(csv).ok_or_else(|| anyhow!("{csv} has no schema"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(dir.join(csv))
        .with_context(|| format!("cannot read back {csv}"))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let columns = table.columns_of(&header)?;
    let fields = columns
        .iter()
        .map(|c| column_type(c.name, c.kind).map(Arc::new))
        .collect::<Result<Vec<_>>>()?;
    let message = Type::group_type_builder("schema")
        .with_fields(fields)
        .build()?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .build();
    let name =
        crate::tables::parquet_of(csv).ok_or_else(|| anyhow!("{csv} has no Parquet copy"))?;
    let file = File::create(dir.join(name)).with_context(|| format!("cannot create {name}"))?;
    let mut writer = SerializedFileWriter::new(file, Arc::new(message), Arc::new(props))?;
    let mut values: Vec<Values> = columns.iter().map(|c| Values::new(c.kind)).collect();
    let mut filled = 0;
    let mut record = csv::StringRecord::new();
    // Line 1 is the header.
    let mut line = 1u64;
    while reader.read_record(&mut record)? {
        line += 1;
        if record.len() != values.len() {
            bail!(
                "{csv} line {line}: {} fields, the header has {}",
                record.len(),
                values.len()
            );
        }
        for ((column, field), c) in values.iter_mut().zip(&record).zip(&columns) {
            column
                .push(field)
                .with_context(|| format!("{csv} line {line}, column {}", c.name))?;
        }
        filled += 1;
        if filled == ROW_GROUP {
            write_row_group(&mut writer, &mut values)?;
            filled = 0;
        }
    }
    // An empty table has no row group: the file then holds the schema.
    if filled > 0 {
        write_row_group(&mut writer, &mut values)?;
    }
    let file = writer
        .into_inner()
        .with_context(|| format!("cannot write {name}"))?;
    file.sync_all()?;
    Ok(name)
}

fn write_row_group(writer: &mut SerializedFileWriter<File>, values: &mut [Values]) -> Result<()> {
    let mut group = writer.next_row_group()?;
    for column in values.iter_mut() {
        let mut out = group
            .next_column()?
            .ok_or_else(|| anyhow!("the schema has fewer columns than the table"))?;
        match column {
            Values::Text(v) => {
                out.typed::<ByteArrayType>().write_batch(v, None, None)?;
            }
            Values::Integer(v, defined) => {
                out.typed::<Int64Type>()
                    .write_batch(v, Some(defined), None)?;
            }
            Values::Float(v, defined) => {
                out.typed::<DoubleType>()
                    .write_batch(v, Some(defined), None)?;
            }
        }
        out.close()?;
        column.clear();
    }
    group.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    /// Every row of a Parquet file as (column, value) pairs.
    fn rows(path: &Path) -> Vec<Vec<(String, Field)>> {
        let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
        reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .get_column_iter()
                    .map(|(name, field)| (name.clone(), field.clone()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn typed_columns_with_nulls_for_empty_numbers_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("theme_counts.csv"),
            "country_iso3,country_name,year,theme,hits,tokens,rate_per_10k,speeches,speeches_with_theme\n\
             ,,,peace,0,0,,1,0\n\
             NAM,Namibia,2021,peace,2,400,50.000000,1,1\n",
        )
        .unwrap();
        let name = write_from_csv(dir.path(), "theme_counts.csv").unwrap();
        assert_eq!(name, "theme_counts.parquet");
        let rows = rows(&dir.path().join(name));
        assert_eq!(rows.len(), 2);
        let get = |r: usize, c: &str| rows[r].iter().find(|(n, _)| n == c).unwrap().1.clone();
        assert_eq!(get(0, "country_iso3"), Field::Str(String::new()));
        assert_eq!(get(0, "year"), Field::Null);
        assert_eq!(get(0, "rate_per_10k"), Field::Null);
        assert_eq!(get(1, "country_iso3"), Field::Str("NAM".into()));
        assert_eq!(get(1, "year"), Field::Long(2021));
        assert_eq!(get(1, "rate_per_10k"), Field::Double(50.0));
        assert_eq!(get(1, "hits"), Field::Long(2));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_naming_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("keyword_counts.csv"),
            "country_iso3,country_name,theme,term,hits\nFJI,Fiji,climate,sea,x3\n",
        )
        .unwrap();
        let e = write_from_csv(dir.path(), "keyword_counts.csv").unwrap_err();
        let message = format!("{e:#}");
        assert!(message.contains("line 2, column hits"), "{message}");
        assert!(message.contains("\"x3\" is not an integer"), "{message}");
    }
}
