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
    let controls = count_controls(bytes);
    controls >= 8 && controls * 100 > bytes.len()
}

/// Whether `b` is a control byte that text never has.
fn is_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F
}

/// How many bytes are [`is_control`]: this reads every byte of the corpus,
/// so 64 at a time.
fn count_controls(bytes: &[u8]) -> usize {
    let blocks = bytes.chunks_exact(64);
    let tail = blocks.remainder();
    let in_blocks: usize = blocks.map(block_controls).sum();
    in_blocks + tail.iter().filter(|&&b| is_control(b)).count()
}

/// The [`is_control`] bytes of a 64-byte block: with SSE2 (part of every
/// x86-64 CPU) sixteen bytes per instruction, elsewhere a byte at a time.
fn block_controls(block: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        controls_sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block.iter().filter(|&&b| is_control(b)).count()
    }
}

#[cfg(target_arch = "x86_64")]
fn controls_sse2(block: &[u8]) -> usize {
    use std::arch::x86_64::*;
    assert!(block.len() >= 64);
    let mut mask = 0u64;
    // SAFETY: SSE2 is part of the x86-64 baseline; the loads read 16 bytes
    // at offsets 0, 16, 32 and 48, inside the 64 asserted.
    unsafe {
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        let eq = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, splat(b));
        let load = |k: usize| _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
        // v <= 0x1F, unsigned: the smaller of the two is v.
        let c0 = |v: __m128i| _mm_cmpeq_epi8(_mm_min_epu8(v, splat(0x1F)), v);
        // First one test for the whole block, allowing only line breaks
        // below 0x20: nearly every block of text passes it, at about half
        // the instructions of the exact count below.
        let mut suspect = _mm_setzero_si128();
        for k in 0..4 {
            let v = load(k);
            let breaks = _mm_or_si128(eq(v, b'\n'), eq(v, b'\r'));
            let odd = _mm_or_si128(_mm_andnot_si128(breaks, c0(v)), eq(v, 0x7F));
            suspect = _mm_or_si128(suspect, odd);
        }
        if _mm_movemask_epi8(suspect) == 0 {
            return 0;
        }
        for k in 0..4 {
            let v = load(k);
            let c0 = c0(v);
            let allowed = _mm_or_si128(
                _mm_or_si128(eq(v, b'\t'), eq(v, b'\n')),
                _mm_or_si128(eq(v, b'\r'), eq(v, 0x0C)),
            );
            let bad = _mm_or_si128(_mm_andnot_si128(allowed, c0), eq(v, 0x7F));
            mask |= u64::from(_mm_movemask_epi8(bad) as u16) << (16 * k);
        }
    }
    // Nearly always zero; counting bits is a dozen instructions without
    // the POPCNT extension, so only done when needed.
    if mask == 0 {
        0
    } else {
        mask.count_ones() as usize
    }
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
    fn controls_are_counted_as_byte_by_byte() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for len in [0, 1, 63, 64, 65, 200, 1000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly the bytes near the edges of the rule.
                    [
                        0, 8, 9, 10, 11, 12, 13, 14, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF, b'a',
                    ][(seed % 15) as usize]
                })
                .collect();
            let expected = bytes.iter().filter(|&&b| is_control(b)).count();
            assert_eq!(count_controls(&bytes), expected, "{bytes:?}");
        }
        let every: Vec<u8> = (0..=255).collect();
        assert_eq!(count_controls(&every), 32 - 4 + 1);
        // Text with one byte near the rule here and there, so that most
        // blocks pass the first test and some do not.
        for special in [0, 8, 9, 10, 11, 12, 13, 14, 0x1F, 0x7F, 0x80] {
            for at in [0, 1, 15, 16, 31, 47, 63, 64, 100, 130] {
                let mut bytes = b"The Security Council, recalling its resolutions. ".repeat(4);
                bytes.truncate(192);
                bytes[at] = special;
                let expected = bytes.iter().filter(|&&b| is_control(b)).count();
                assert_eq!(count_controls(&bytes), expected, "{special} at {at}");
            }
        }
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
