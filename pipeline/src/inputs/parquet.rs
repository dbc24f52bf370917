//! Parquet tables of speeches, read a small batch of rows at a time with the
//! arrow-rs reader, only the columns a speech needs.
//!
//! Columns are found by name as in a CSV table (without regard to case or
//! blanks). The text column must hold strings (or bytes); metadata columns
//! may hold strings, integers, or dictionary-encoded strings (pandas
//! categories). A row's speech id is `<table>#row-N` (N from 1, in file
//! order) or `<table>#<id>`; in errors.csv, the `line` of a row is N.

use std::fs::File;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::table::row_item;
use super::{Columns, Field, RowMeta, Sink};

/// Rows decoded at once: a few, since texts are long and memory is bounded
/// by the batch.
const BATCH_ROWS: usize = 32;

/// A cell as text; `None` when null or of a type that holds no text.
fn cell(array: &dyn Array, r: usize) -> Option<String> {
    if array.is_null(r) {
        return None;
    }
    if let Some(a) = array.as_string_opt::<i32>() {
        return Some(a.value(r).to_owned());
    }
    if let Some(a) = array.as_string_opt::<i64>() {
        return Some(a.value(r).to_owned());
    }
    if let Some(a) = array.as_string_view_opt() {
        return Some(a.value(r).to_owned());
    }
    macro_rules! numbers {
        ($($t:ty),*) => {$(
            if let Some(a) = array.as_primitive_opt::<$t>() {
                return Some(a.value(r).to_string());
            }
        )*};
    }
    numbers!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    macro_rules! dictionaries {
        ($($t:ty),*) => {$(
            if let Some(a) = array.as_dictionary_opt::<$t>() {
                let key = a.keys().value(r);
                return usize::try_from(key).ok().and_then(|k| cell(a.values().as_ref(), k));
            }
        )*};
    }
    dictionaries!(Int8Type, Int16Type, Int32Type, Int64Type);
    None
}

/// A text cell as bytes: strings, or binary (decoded later like a file).
fn text_cell(array: &dyn Array, r: usize) -> Option<Vec<u8>> {
    if array.is_null(r) {
        return None;
    }
    if let Some(a) = array.as_binary_opt::<i32>() {
        return Some(a.value(r).to_vec());
    }
    if let Some(a) = array.as_binary_opt::<i64>() {
        return Some(a.value(r).to_vec());
    }
    cell(array, r).map(String::into_bytes)
}

/// Reads a Parquet table.
pub fn read_parquet(file: File, columns: &Columns, sink: &mut Sink<'_>) {
    let builder = match ParquetRecordBatchReaderBuilder::try_new(file) {
        Ok(b) => b,
        Err(e) => return sink.fail(None, format!("is not a readable Parquet file: {e}")),
    };
    let names: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let lower: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let at = match super::table::locate(&lower, columns) {
        Ok(at) => at,
        Err(why) => return sink.fail(None, why),
    };
    // Only the top-level columns read; a nested column cannot be one of them.
    let roots: Vec<usize> = at.iter().map(|&(_, i)| i).collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = match builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
    {
        Ok(r) => r,
        Err(e) => return sink.fail(None, format!("cannot be read: {e}")),
    };
    let mut n = 0u64;
    for batch in reader {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                let why = format!("cannot be read past row {n}: {e}; the rest is not read");
                return sink.fail(Some(n + 1), why);
            }
        };
        let column = |field: Field| -> Option<&ArrayRef> {
            let &(_, i) = at.iter().find(|(f, _)| *f == field)?;
            batch.column_by_name(&names[i])
        };
        let text = column(Field::Text);
        for r in 0..batch.num_rows() {
            n += 1;
            let mut row = RowMeta::default();
            for &(field, _) in &at {
                if matches!(field, Field::Text | Field::Id) {
                    continue;
                }
                if let Some(v) = column(field).and_then(|a| cell(a.as_ref(), r)) {
                    row.set(field, &v);
                }
            }
            let id = column(Field::Id).map(|a| cell(a.as_ref(), r).unwrap_or_default());
            let Some(text) = text.and_then(|a| text_cell(a.as_ref(), r)) else {
                let why = format!("row {n} has no text (null, or not a string); row skipped");
                let (row_id, path) = (format!("{}#row-{n}", sink.id), sink.path.clone());
                if !sink.skip(row_id, path, Some(n), why) {
                    return;
                }
                continue;
            };
            let item = row_item(sink, n, n, id.map(|i| i.trim().to_owned()), &text, row);
            if !sink.speech(item, n, "row") {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::items;
    use super::*;
    use std::sync::Arc;

    #[test]
    fn rows_with_strings_numbers_categories_and_nulls() {
        use arrow_array::{DictionaryArray, Int64Array, RecordBatch, StringArray};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let text: ArrayRef = Arc::new(StringArray::from(vec![
            Some("Peace."),
            None,
            Some("Climate."),
        ]));
        let year: ArrayRef = Arc::new(Int64Array::from(vec![Some(2015), Some(2016), None]));
        let country: ArrayRef = Arc::new(
            vec!["FRA", "USA", "FRA"]
                .into_iter()
                .collect::<DictionaryArray<Int8Type>>(),
        );
        let batch =
            RecordBatch::try_from_iter([("Text", text), ("year", year), ("country", country)])
                .unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(
            File::create(&path).unwrap(),
            batch.schema(),
            None,
        )
        .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let got = items(&path, &Columns::default(), 100);
        type Shown<'a> = (&'a str, Option<u64>, Result<&'a [u8], &'a str>);
        let shown: Vec<Shown<'_>> = got
            .iter()
            .map(|i| (&*i.id, i.line, i.text.as_deref().map_err(String::as_str)))
            .collect();
        assert_eq!(
            shown,
            [
                ("t.parquet#row-1", Some(1), Ok(&b"Peace."[..])),
                (
                    "t.parquet#row-2",
                    Some(2),
                    Err("row 2 has no text (null, or not a string); row skipped")
                ),
                ("t.parquet#row-3", Some(3), Ok(&b"Climate."[..])),
            ]
        );
        let row = got[0].row.as_deref().unwrap();
        assert_eq!(
            (row.year.as_deref(), row.country.as_deref()),
            (Some("2015"), Some("FRA"))
        );
        let row = got[2].row.as_deref().unwrap();
        assert_eq!(
            (row.year.as_deref(), row.country.as_deref()),
            (None, Some("FRA"))
        );
        std::fs::write(&path, b"PAR1 not really").unwrap();
        let got = items(&path, &Columns::default(), 100);
        assert_eq!(got.len(), 1);
        assert!(
            got[0]
                .text
                .as_ref()
                .unwrap_err()
                .starts_with("is not a readable Parquet file"),
            "{:?}",
            got[0].text
        );
    }
}
