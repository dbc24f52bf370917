//! Decoding: raw file bytes to text, recording which encoding was used.
//!
//! Real UN corpora mix encodings: most files are UTF-8, some start with a
//! byte-order mark, and some were saved as Windows-1252 (curly quotes and
//! dashes as single bytes). A file is decoded as UTF-8 when the whole file is
//! valid UTF-8 (a leading BOM is dropped); otherwise the whole file is decoded
//! as Windows-1252, which maps every byte to a character and so never fails.
//! Windows-1252's five undefined bytes become U+0081 … U+009D, as in the WHATWG
//! Encoding Standard that `encoding_rs` implements.
//!
//! This stage does not touch line ends, form feeds or NUL bytes: the tokenizer
//! never makes them part of a token, and the normalize stage reads line ends.

use std::borrow::Cow;

/// The encoding a file was decoded with, as reported in `speeches.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Valid UTF-8 without a byte-order mark.
    Utf8,
    /// Valid UTF-8 starting with the byte-order mark EF BB BF (dropped).
    Utf8Bom,
    /// Not valid UTF-8, decoded as Windows-1252.
    Windows1252,
}

impl Encoding {
    /// The label written in the `encoding` column.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// Decodes a whole file. Borrows when the bytes are valid UTF-8, so the
/// common case copies nothing.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    match std::str::from_utf8(bytes) {
        // In valid UTF-8, a leading U+FEFF is exactly the bytes EF BB BF.
        Ok(text) => match text.strip_prefix('\u{FEFF}') {
            Some(rest) => (Cow::Borrowed(rest), Encoding::Utf8Bom),
            None => (Cow::Borrowed(text), Encoding::Utf8),
        },
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, Encoding::Windows1252)
        }
    }
}

/// Where a file that was decoded as Windows-1252 looks like damaged UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DamagedUtf8 {
    /// 1-based line of the first byte that is not valid UTF-8.
    pub line: usize,
    /// 0-based offset of that byte in the file.
    pub offset: usize,
}

/// When `bytes` are not valid UTF-8 but hold valid multi-byte UTF-8
/// characters too, the file is most likely UTF-8 with a few damaged bytes
/// (a bad copy, a truncated download) rather than Windows-1252: decoding it
/// whole as Windows-1252 (the rule, so that every file has one encoding)
/// turns its other non-ASCII characters into mojibake (`é` → `Ã©`). Returns
/// where the first bad byte is, so the file can be reported; `None` for
/// valid UTF-8 and for text that never uses a multi-byte UTF-8 sequence.
pub fn damaged_utf8(bytes: &[u8]) -> Option<DamagedUtf8> {
    let mut offset = 0;
    let mut first_bad = None;
    let mut multi_byte = false;
    for chunk in bytes.utf8_chunks() {
        multi_byte |= !chunk.valid().is_ascii();
        offset += chunk.valid().len();
        if first_bad.is_none() && !chunk.invalid().is_empty() {
            first_bad = Some(offset);
        }
        offset += chunk.invalid().len();
    }
    let offset = first_bad.filter(|_| multi_byte)?;
    let line = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
    Some(DamagedUtf8 { line, offset })
}

/// Whether `bytes` look like a binary file rather than text: more than 1%
/// of them (and at least 8) are control bytes that text never has (C0 controls
/// other than tab, line feed, carriage return and form feed, and DEL). A few
/// stray NUL bytes in a real speech stay well under that.
pub fn looks_binary(bytes: &[u8]) -> bool {
    // Counted in byte-sized lanes, 255 bytes at a time (a lane cannot
    // overflow), so the compiler turns the loop into vector instructions:
    // this check reads every byte of the corpus.
    let mut controls = 0usize;
    for chunk in bytes.chunks(255) {
        let mut lane: u8 = 0;
        for &b in chunk {
            let c0 = b < 0x20;
            let allowed = (b == b'\t') | (b == b'\n') | (b == b'\r') | (b == 0x0C);
            lane += u8::from((c0 & !allowed) | (b == 0x7F));
        }
        controls += usize::from(lane);
    }
    controls >= 8 && controls * 100 > bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_utf8_is_told_from_windows_1252() {
        // UTF-8 (`Côte`) with one bad byte on line 2, at offset 1 + 2 + 2 + 1 + 2.
        assert_eq!(
            damaged_utf8(b"C\xC3\xB4te\nna\xFFve"),
            Some(DamagedUtf8 { line: 2, offset: 8 })
        );
        // Windows-1252 (an é and a curly quote as single bytes): no multi-byte UTF-8.
        assert_eq!(damaged_utf8(b"caf\xE9 \x93quoted\x94"), None);
        // Valid UTF-8, and plain ASCII.
        assert_eq!(damaged_utf8("Côte".as_bytes()), None);
        assert_eq!(damaged_utf8(b"plain"), None);
        // A truncated character at the very end counts as damage too.
        assert_eq!(
            damaged_utf8(b"\xC3\xA9t\xC3"),
            Some(DamagedUtf8 { line: 1, offset: 3 })
        );
    }

    #[test]
    fn plain_utf8_is_borrowed() {
        let (text, enc) = decode("Côte d’Ivoire".as_bytes());
        assert_eq!(enc, Encoding::Utf8);
        assert_eq!(text, "Côte d’Ivoire");
        assert!(matches!(text, Cow::Borrowed(_)));
    }

    #[test]
    fn bom_is_dropped() {
        let (text, enc) = decode(b"\xEF\xBB\xBFFirst, let me");
        assert_eq!(enc, Encoding::Utf8Bom);
        assert_eq!(text, "First, let me");
        assert_eq!(enc.label(), "utf-8-bom");
    }

    #[test]
    fn windows_1252_curly_quotes_and_dashes() {
        // "Council’s “rules” – 1325" as Windows-1252 bytes.
        let bytes = b"Council\x92s \x93rules\x94 \x96 1325";
        let (text, enc) = decode(bytes);
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(text, "Council\u{2019}s \u{201C}rules\u{201D} \u{2013} 1325");
        assert!(!text.contains('\u{FFFD}'));
    }

    #[test]
    fn windows_1252_undefined_bytes_map_to_c1_controls() {
        let (text, enc) = decode(b"a\x81b\x9Dc\xE9");
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(text, "a\u{81}b\u{9D}c\u{E9}");
    }

    #[test]
    fn invalid_utf8_in_the_middle_decodes_whole_file_as_1252() {
        let (text, enc) = decode(b"caf\xC3\xA9 and \xE9t\xE9");
        assert_eq!(enc, Encoding::Windows1252);
        assert_eq!(text, "caf\u{C3}\u{A9} and \u{E9}t\u{E9}");
    }

    #[test]
    fn binary_or_text() {
        let mut junk = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..10_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            junk.push((x >> 16) as u8);
        }
        assert!(looks_binary(&junk));
        assert!(looks_binary(b"\x00\x01\x02\x03\x04\x05\x06\x07\x08"));
        let mut speech = "Peace and security. ".repeat(100).into_bytes();
        speech.extend_from_slice(b"\x00\x00 tail\r\n\x0c");
        assert!(!looks_binary(&speech));
        assert!(!looks_binary(b""));
        assert!(!looks_binary("Côte d’Ivoire\t\r\n".as_bytes()));
    }

    #[test]
    fn empty_file() {
        let (text, enc) = decode(b"");
        assert_eq!((text.as_ref(), enc), ("", Encoding::Utf8));
    }
}
