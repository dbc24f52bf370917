//! Archives of speeches: tar (plain or compressed) and zip, read member by
//! member in the archive's order, never unpacked to disk.
//!
//! Every regular member whose name ends in `.txt` (any case) is one speech,
//! with speech id `<archive id>/<member path>` (the member path without a
//! leading `./` or `/`); other members are passed over, as other files in a
//! folder are. A member over the size limit is skipped unread; a member
//! name given twice is reported and skipped. A damaged archive stops where
//! the damage is, with a row in errors.csv; the members before it count.

use std::io::{Read, Seek};

use agora_stages::ingest::filename::is_txt;

use super::{too_large, Item, Sink};

/// A member's path as part of a speech id: `/`-separated, without empty or `.` parts.
fn member_path(raw: &str) -> String {
    raw.replace('\\', "/")
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The item of a member: its text read, at most `limit` bytes.
fn member_item(sink: &Sink<'_>, name: &str, size: u64, body: impl Read) -> Item {
    let file_name = name.rsplit('/').next().unwrap_or(name).to_owned();
    let text = if size > sink.limit {
        Err(too_large(sink.limit))
    } else {
        let mut bytes = Vec::with_capacity(size as usize);
        match body.take(sink.limit + 1).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 > sink.limit => Err(too_large(sink.limit)),
            Ok(_) => Ok(bytes),
            Err(e) => Err(format!("cannot be read from the archive: {e}")),
        }
    };
    Item {
        id: format!("{}/{name}", sink.id).into(),
        path: format!("{}/{name}", sink.path),
        file_name,
        line: None,
        row: None,
        text,
        listed: 0,
    }
}

/// Reads a tar archive (already decompressed).
pub fn read_tar(reader: impl Read, sink: &mut Sink<'_>) {
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => return sink.fail(None, format!("is not a readable tar archive: {e}")),
    };
    for (k, entry) in entries.enumerate() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                return sink.fail(
                    None,
                    format!(
                        "cannot be read past member {k}: {e}; the archive is damaged or \
                         truncated, the members after it are not read"
                    ),
                )
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = member_path(&String::from_utf8_lossy(&entry.path_bytes()));
        if !is_txt(name.rsplit('/').next().unwrap_or("")) {
            continue;
        }
        let size = entry.size();
        let item = member_item(sink, &name, size, entry);
        if item
            .text
            .as_ref()
            .is_err_and(|e| e.starts_with("cannot be read"))
        {
            // The stream itself broke: nothing after it can be trusted.
            let why = item.text.err().unwrap_or_default();
            return sink.fail(
                None,
                format!("member {name}: {why}; the members after it are not read"),
            );
        }
        if !sink.speech(item, k as u64 + 1, "member") {
            return;
        }
    }
}

/// Reads a zip archive.
pub fn read_zip(reader: impl Read + Seek, sink: &mut Sink<'_>) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => return sink.fail(None, format!("is not a readable zip archive: {e}")),
    };
    for k in 0..archive.len() {
        let file = match archive.by_index(k) {
            Ok(f) => f,
            Err(e) => {
                let (id, path) = (format!("{}#member-{}", sink.id, k + 1), sink.path.clone());
                let why = format!("member {} cannot be read: {e}; skipped", k + 1);
                if !sink.skip(id, path, None, why) {
                    return;
                }
                continue;
            }
        };
        if !file.is_file() {
            continue;
        }
        let name = match file.name() {
            Ok(name) => member_path(&name),
            Err(_) => member_path(&String::from_utf8_lossy(file.name_raw())),
        };
        if !is_txt(name.rsplit('/').next().unwrap_or("")) {
            continue;
        }
        let size = file.size();
        let item = member_item(sink, &name, size, file);
        if !sink.speech(item, k as u64 + 1, "member") {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{items, text_or_why};
    use super::super::Columns;
    use super::*;
    use std::io::Write;

    fn tar_bytes(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, body) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(body.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *body).unwrap();
        }
        builder.into_inner().unwrap()
    }

    /// Each item as (id, file name, text or why).
    fn show(items: &[Item]) -> Vec<(String, String, String)> {
        items
            .iter()
            .map(|i| {
                let text = text_or_why(i);
                (i.id.to_string(), i.file_name.clone(), text)
            })
            .collect()
    }

    #[test]
    fn tar_members_in_order_other_files_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let members: &[(&str, &[u8])] = &[
            ("./b/USA_70_2015.txt", b"Peace."),
            ("notes.md", b"not a speech"),
            ("a.TXT", b"0123456789"),
            ("b/USA_70_2015.txt", b"again"),
        ];
        let plain = tar_bytes(members);
        let path = dir.path().join("c.tar");
        std::fs::write(&path, &plain).unwrap();
        let expected = [
            (
                "c.tar/b/USA_70_2015.txt".into(),
                "USA_70_2015.txt".into(),
                "Peace.".into(),
            ),
            (
                "c.tar/a.TXT".into(),
                "a.TXT".into(),
                format!("ERR {}", too_large(9)),
            ),
            (
                "c.tar/b/USA_70_2015.txt".into(),
                "USA_70_2015.txt".into(),
                "ERR speech id \"c.tar/b/USA_70_2015.txt\" is already taken by member 1; speech \
                 ids in a table or archive must be unique; skipped"
                    .into(),
            ),
        ];
        assert_eq!(show(&items(&path, &Columns::default(), 9)), expected);
        let path = dir.path().join("c.tgz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let got = items(&path, &Columns::default(), 9);
        assert_eq!(got[0].id.as_ref(), "c.tgz/b/USA_70_2015.txt");
        assert_eq!(got[0].path, format!("{}/b/USA_70_2015.txt", path.display()));
        assert_eq!(got.len(), 3);
        // Cut short: what came before the cut is read, then the damage is reported.
        let path = dir.path().join("cut.tar");
        std::fs::write(&path, &plain[..512 + 100]).unwrap();
        let got = show(&items(&path, &Columns::default(), 9));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].2, "Peace.");
        assert_eq!(got[1].0, "cut.tar");
        assert_eq!(
            got[1].2,
            "ERR cannot be read past member 1: unexpected EOF during skip; the archive is \
             damaged or truncated, the members after it are not read"
        );
    }

    #[test]
    fn zip_members_stored_and_deflated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = stored.compression_method(zip::CompressionMethod::Deflated);
        zip.add_directory("d/", stored).unwrap();
        zip.start_file("d/one.txt", stored).unwrap();
        zip.write_all(b"One.").unwrap();
        zip.start_file("two.txt", deflated).unwrap();
        zip.write_all(b"Two two two two.").unwrap();
        zip.start_file("skip.csv", stored).unwrap();
        zip.write_all(b"x").unwrap();
        zip.finish().unwrap();
        assert_eq!(
            show(&items(&path, &Columns::default(), 100)),
            [
                ("c.zip/d/one.txt".into(), "one.txt".into(), "One.".into()),
                (
                    "c.zip/two.txt".into(),
                    "two.txt".into(),
                    "Two two two two.".into()
                ),
            ]
        );
        std::fs::write(&path, b"PK not really").unwrap();
        let got = show(&items(&path, &Columns::default(), 100));
        assert_eq!(got.len(), 1);
        assert!(
            got[0].2.starts_with("ERR is not a readable zip archive"),
            "{got:?}"
        );
    }
}
