//! Tables of speeches: CSV (a header row, then one speech a row; fields may
//! be quoted and span lines) and JSON Lines (one JSON object a line).
//!
//! A row's speech id is `<table id>#<id>` when the table has an id column,
//! else `<table id>#row-N`, N counting data rows from 1 (CSV: after the
//! header; JSON Lines: the line number, blank lines counted but skipped).
//! A row that cannot be used (a wrong number of fields, invalid JSON, no
//! text, an id already used, over the size limit) is reported with its line
//! and skipped; the table goes on. A CSV row so long that it passes the limit
//! before it ends stops the table there (the CSV reader cannot skip it
//! safely); a JSON line over twice the limit is skipped unread, alone.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use super::{too_large, Columns, Field, Item, RowMeta, Sink};

/// Where each field is in a CSV header, or why the table cannot be read.
pub(super) fn locate(headers: &[String], columns: &Columns) -> Result<Vec<(Field, usize)>, String> {
    let mut found = Vec::new();
    for (field, name, given) in columns.names() {
        match headers.iter().position(|h| *h == name) {
            Some(i) => found.push((field, i)),
            None if given || field == Field::Text => {
                let how = match (field, given) {
                    (Field::Text, false) => "name the text column with --text-column".to_owned(),
                    _ => format!("check the column given for {}", field.label()),
                };
                return Err(format!(
                    "has no column {name:?} (its columns: {}); {how}; table not read",
                    headers.join(", ")
                ));
            }
            None => {}
        }
    }
    Ok(found)
}

/// A reader that refuses to read more than `limit` bytes past `mark` (the
/// end of the last whole row), so one endless CSV row cannot fill memory.
struct Bounded<R> {
    inner: R,
    read: u64,
    mark: Rc<Cell<u64>>,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The CSV reader buffers 8 KiB ahead; the slack keeps a row just
        // under the limit readable.
        if self.read > self.mark.get() + self.limit + (64 << 10) {
            return Err(io::Error::other("row over the size limit"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads a CSV table.
pub fn read_csv(reader: impl Read, columns: &Columns, sink: &mut Sink<'_>) {
    let mark = Rc::new(Cell::new(0));
    let bounded = Bounded {
        inner: reader,
        read: 0,
        mark: mark.clone(),
        limit: sink.limit,
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bounded);
    let headers: Vec<String> = match csv.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{FEFF}')
                    .to_ascii_lowercase()
            })
            .collect(),
        Err(e) => return sink.fail(Some(1), format!("cannot read the header row: {e}")),
    };
    let at = match locate(&headers, columns) {
        Ok(at) => at,
        Err(why) => return sink.fail(Some(1), why),
    };
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    loop {
        let result = csv.read_byte_record(&mut record);
        n += 1;
        let row_id = format!("{}#row-{n}", sink.id);
        match result {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                if let csv::ErrorKind::Io(_) = e.kind() {
                    let why = format!(
                        "row {n} is larger than {} bytes, the --max-file-mb limit, before it \
                         ends (an unclosed quote?); the rest of the table is not read",
                        sink.limit
                    );
                    return sink.fail(line.or(Some(csv.position().line())), why);
                }
                let why = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "row {n} has {len} fields where the header has {expected_len}; \
                         row skipped"
                    ),
                    _ => format!("row {n} cannot be read: {e}; row skipped"),
                };
                // A bad row ended too: the limit counts from here.
                mark.set(csv.position().byte());
                if !sink.skip(row_id, sink.path.clone(), line, why) {
                    return;
                }
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        mark.set(csv.position().byte());
        let value = |field: Field| {
            at.iter()
                .find(|(f, _)| *f == field)
                .and_then(|&(_, i)| record.get(i))
        };
        let text = value(Field::Text).unwrap_or_default();
        let mut row = RowMeta::default();
        for &(field, i) in &at {
            if !matches!(field, Field::Text | Field::Id) {
                row.set(
                    field,
                    &String::from_utf8_lossy(record.get(i).unwrap_or_default()),
                );
            }
        }
        let id = value(Field::Id).map(|v| String::from_utf8_lossy(v).trim().to_owned());
        let item = row_item(sink, n, line, id, text, row);
        if !sink.speech(item, line, "the row at line") {
            return;
        }
    }
}

/// The item of a table row: its id checked, its text within the limit.
pub(super) fn row_item(
    sink: &Sink<'_>,
    n: u64,
    line: u64,
    id: Option<String>,
    text: &[u8],
    row: RowMeta,
) -> Item {
    let mut item = Item {
        id: format!("{}#row-{n}", sink.id).into(),
        path: sink.path.clone(),
        file_name: String::new(),
        line: Some(line),
        row: Some(Box::new(row)),
        text: Ok(Vec::new()),
        listed: 0,
    };
    match id {
        Some(id) if id.is_empty() => {
            item.text = Err(format!("row {n} has an empty id; row skipped"));
            return item;
        }
        Some(id) => item.id = format!("{}#{id}", sink.id).into(),
        None => {}
    }
    item.text = if text.len() as u64 > sink.limit {
        Err(format!("row {n}: {}", too_large(sink.limit)))
    } else {
        Ok(text.to_vec())
    };
    item
}

/// Reads one line of at most `cap` bytes into `buf`, without its line end;
/// the rest of a longer line is read past and not kept. Returns `None` at
/// the end of the input, else whether the line fit.
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, cap: u64) -> io::Result<Option<bool>> {
    buf.clear();
    let mut fits = true;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i, i + 1),
            None => (available.len(), available.len()),
        };
        if fits && (buf.len() + take) as u64 <= cap {
            buf.extend_from_slice(&available[..take]);
        } else {
            fits = false;
            buf.clear();
        }
        let ended = take < done;
        reader.consume(done);
        if ended {
            break;
        }
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(any.then_some(fits))
}

/// A JSON value as a metadata string: strings as they are, numbers written out.
fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads JSON Lines.
pub fn read_jsonl(mut reader: impl BufRead, columns: &Columns, sink: &mut Sink<'_>) {
    let names = columns.names();
    // Escapes and other keys make a line longer than its text, which the
    // limit is about; a line over twice the limit is passed over unread.
    let cap = sink.limit.saturating_mul(2) + (64 << 10);
    let mut line = Vec::new();
    let mut n = 0u64;
    loop {
        let fits = match read_line(&mut reader, &mut line, cap) {
            Ok(Some(fits)) => fits,
            Ok(None) => return,
            Err(e) => {
                return sink.fail(
                    Some(n + 1),
                    format!("cannot be read past line {n}: {e}; the rest is not read"),
                )
            }
        };
        n += 1;
        let row_id = format!("{}#row-{n}", sink.id);
        let path = sink.path.clone();
        if !fits {
            let why = format!("row {n}: {}", too_large(sink.limit));
            if !sink.skip(row_id, path, Some(n), why) {
                return;
            }
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let object = match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                let why = format!("row {n} is not a JSON object; row skipped");
                if !sink.skip(row_id, path, Some(n), why) {
                    return;
                }
                continue;
            }
            Err(e) => {
                let why = format!("row {n} is not valid JSON ({e}); row skipped");
                if !sink.skip(row_id, path, Some(n), why) {
                    return;
                }
                continue;
            }
        };
        let get = |name: &str| {
            object
                .iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        let mut row = RowMeta::default();
        let (mut text, mut id, mut missing) = (None, None, None);
        for (field, name, _) in &names {
            let value = get(name);
            match field {
                Field::Text => match value {
                    Some(serde_json::Value::String(s)) => text = Some(s.as_str()),
                    _ => missing = Some(format!("has no text (a string in {name:?})")),
                },
                Field::Id => id = value.and_then(scalar),
                // A key left out of an object is a value left blank.
                _ => {
                    if let Some(v) = value.and_then(scalar) {
                        row.set(*field, &v);
                    }
                }
            }
        }
        if let Some(missing) = missing {
            let why = format!("row {n} {missing}; row skipped");
            if !sink.skip(row_id, path, Some(n), why) {
                return;
            }
            continue;
        }
        let text = text.unwrap_or_default().as_bytes();
        let item = row_item(sink, n, n, id, text, row);
        if !sink.speech(item, n, "line") {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{items, text_or_why};
    use super::*;

    /// Each item as (id, line, text or why).
    fn show(items: &[Item]) -> Vec<(String, Option<u64>, String)> {
        items
            .iter()
            .map(|i| (i.id.to_string(), i.line, text_or_why(i)))
            .collect()
    }

    #[test]
    fn csv_rows_with_quoted_lines_bad_rows_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            "\u{FEFF}Session,year,country,text\n\
             70,2015,FRA,\"Peace, and\nmore \"\"peace\"\".\"\n\
             70,2015,USA\n\
             71,2016,CHN,Development.\n",
        )
        .unwrap();
        let got = items(&path, &Columns::default(), 1 << 20);
        assert_eq!(
            show(&got),
            [
                (
                    "t.csv#row-1".into(),
                    Some(2),
                    "Peace, and\nmore \"peace\".".into()
                ),
                (
                    "t.csv#row-2".into(),
                    Some(4),
                    "ERR row 2 has 3 fields where the header has 4; row skipped".into()
                ),
                ("t.csv#row-3".into(), Some(5), "Development.".into()),
            ]
        );
        let row = got[2].row.as_deref().unwrap();
        assert_eq!(
            (
                row.country.as_deref(),
                row.year.as_deref(),
                row.session.as_deref()
            ),
            (Some("CHN"), Some("2016"), Some("71"))
        );
        assert_eq!(got[0].path, path.display().to_string());
        assert_eq!(got[0].file_name, "");
    }

    #[test]
    fn csv_id_column_duplicates_and_missing_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "ID,body\na,one\nb,two\na,three\n,four\n").unwrap();
        let columns = Columns {
            given: vec![(Field::Text, "body".into())],
        };
        assert_eq!(
            show(&items(&path, &columns, 1 << 20)),
            [
                ("t.csv#a".into(), Some(2), "one".into()),
                ("t.csv#b".into(), Some(3), "two".into()),
                (
                    "t.csv#a".into(),
                    Some(4),
                    "ERR speech id \"t.csv#a\" is already taken by the row at line 2; speech ids \
                     in a table or archive must be unique; skipped"
                        .into()
                ),
                (
                    "t.csv#row-4".into(),
                    Some(5),
                    "ERR row 4 has an empty id; row skipped".into()
                ),
            ]
        );
        let got = items(&path, &Columns::default(), 1 << 20);
        assert_eq!(
            show(&got),
            [(
                "t.csv".into(),
                Some(1),
                "ERR has no column \"text\" (its columns: id, body); name the text column with \
                 --text-column; table not read"
                    .into()
            )]
        );
    }

    #[test]
    fn csv_rows_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "text\nshort\n0123456789\nok\n").unwrap();
        assert_eq!(
            show(&items(&path, &Columns::default(), 9)),
            [
                ("t.csv#row-1".into(), Some(2), "short".into()),
                (
                    "t.csv#row-2".into(),
                    Some(3),
                    format!("ERR row 2: {}", too_large(9))
                ),
                ("t.csv#row-3".into(), Some(4), "ok".into()),
            ]
        );
        // A quote never closed: the reader stops after the limit, not at the end.
        let mut endless = b"text\nfine\n\"".to_vec();
        endless.resize(endless.len() + (200 << 10), b'x');
        std::fs::write(&path, &endless).unwrap();
        let got = show(&items(&path, &Columns::default(), 10));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].2, "fine");
        assert_eq!(got[1].0, "t.csv");
        assert!(
            got[1].2.starts_with("ERR row 2 is larger than 10 bytes"),
            "{:?}",
            got[1]
        );
        // Many short bad rows are not one long row.
        let mut bad = b"text\n".to_vec();
        for _ in 0..20_000 {
            bad.extend_from_slice(b"a,b\n");
        }
        bad.extend_from_slice(b"last\n");
        std::fs::write(&path, &bad).unwrap();
        let got = show(&items(&path, &Columns::default(), 10));
        assert_eq!(got.len(), 20_001);
        assert_eq!(got[20_000].2, "last");
    }

    #[test]
    fn jsonl_rows_bad_lines_and_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(
            &path,
            "{\"text\": \"Climate.\", \"year\": 2019, \"country\": \"Chile\"}\r\n\
             \n\
             {\"text\": \"broken\n\
             [1, 2]\n\
             {\"year\": 2019}\n\
             {\"Text\": \"caf\\u00e9\", \"id\": 7}\n\
             {\"text\": \"0123456789 is too long\"}\n",
        )
        .unwrap();
        let got = items(&path, &Columns::default(), 20);
        assert_eq!(
            show(&got),
            [
                ("t.jsonl#row-1".into(), Some(1), "Climate.".into()),
                (
                    "t.jsonl#row-3".into(),
                    Some(3),
                    "ERR row 3 is not valid JSON (EOF while parsing a string at line 1 column \
                     16); row skipped"
                        .into()
                ),
                (
                    "t.jsonl#row-4".into(),
                    Some(4),
                    "ERR row 4 is not a JSON object; row skipped".into()
                ),
                (
                    "t.jsonl#row-5".into(),
                    Some(5),
                    "ERR row 5 has no text (a string in \"text\"); row skipped".into()
                ),
                ("t.jsonl#7".into(), Some(6), "café".into()),
                (
                    "t.jsonl#row-7".into(),
                    Some(7),
                    format!("ERR row 7: {}", too_large(20))
                ),
            ]
        );
        let row = got[0].row.as_deref().unwrap();
        assert_eq!(
            (row.year.as_deref(), row.country.as_deref()),
            (Some("2019"), Some("Chile"))
        );
    }
}
