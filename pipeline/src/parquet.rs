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
//! and written a batch at a time, so memory does not grow with the table.
//!
//! This module neither decides which tables exist nor sorts anything.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::schema::{self, Kind};

/// Rows per record batch (and per row group, at most 8 batches).
const BATCH: usize = 16_384;

/// One column's values while a batch is filled.
enum Builder {
    Text(StringBuilder),
    Integer(Int64Builder),
    Float(Float64Builder),
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::Integer => Builder::Integer(Int64Builder::with_capacity(BATCH)),
            Kind::Float => Builder::Float(Float64Builder::with_capacity(BATCH)),
        }
    }

    /// Appends a CSV field; the error says what the field is not.
    fn push(&mut self, field: &str) -> Result<()> {
        match self {
            Builder::Text(b) => b.append_value(field),
            Builder::Integer(b) if field.is_empty() => b.append_null(),
            Builder::Integer(b) => b.append_value(
                field
                    .parse()
                    .map_err(|_| anyhow!("{field:?} is not an integer"))?,
            ),
            Builder::Float(b) if field.is_empty() => b.append_null(),
            Builder::Float(b) => b.append_value(
                field
                    .parse()
                    .map_err(|_| anyhow!("{field:?} is not a number"))?,
            ),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Integer(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
        }
    }
}

/// The Arrow type of a column kind.
fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Integer => DataType::Int64,
        Kind::Float => DataType::Float64,
    }
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
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| {
            let mut metadata = std::collections::HashMap::new();
            metadata.insert("description".to_owned(), c.description.to_owned());
            Field::new(c.name, data_type(c.kind), c.kind != Kind::Text).with_metadata(metadata)
        })
        .collect();
    let arrow_schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .set_max_row_group_row_count(Some(8 * BATCH))
        .build();
    let name =
        crate::tables::parquet_of(csv).ok_or_else(|| anyhow!("{csv} has no Parquet copy"))?;
    let file = File::create(dir.join(name)).with_context(|| format!("cannot create {name}"))?;
    let mut writer = ArrowWriter::try_new(file, arrow_schema.clone(), Some(props))?;
    let mut builders: Vec<Builder> = columns.iter().map(|c| Builder::new(c.kind)).collect();
    let mut filled = 0;
    let mut record = csv::StringRecord::new();
    // Line 1 is the header.
    let mut line = 1u64;
    while reader.read_record(&mut record)? {
        line += 1;
        if record.len() != builders.len() {
            bail!(
                "{csv} line {line}: {} fields, the header has {}",
                record.len(),
                builders.len()
            );
        }
        for ((builder, field), column) in builders.iter_mut().zip(&record).zip(&columns) {
            builder
                .push(field)
                .with_context(|| format!("{csv} line {line}, column {}", column.name))?;
        }
        filled += 1;
        if filled == BATCH {
            write_batch(&mut writer, &arrow_schema, &mut builders)?;
            filled = 0;
        }
    }
    // Also an empty table: the file then holds the schema.
    if filled > 0 {
        write_batch(&mut writer, &arrow_schema, &mut builders)?;
    }
    let file = writer
        .into_inner()
        .with_context(|| format!("cannot write {name}"))?;
    file.sync_all()?;
    Ok(name)
}

fn write_batch(
    writer: &mut ArrowWriter<File>,
    schema: &Arc<Schema>,
    builders: &mut [Builder],
) -> Result<()> {
    let arrays: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
    writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Float64Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

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
        let file = File::open(dir.path().join(name)).unwrap();
        let batches: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        assert_eq!(b.num_rows(), 2);
        let iso3 = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(
            (iso3.is_null(0), iso3.value(0), iso3.value(1)),
            (false, "", "NAM")
        );
        let year = b.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
        assert!(year.is_null(0));
        assert_eq!(year.value(1), 2021);
        let rate = b.column(6).as_any().downcast_ref::<Float64Array>().unwrap();
        assert!(rate.is_null(0));
        assert_eq!(rate.value(1), 50.0);
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
