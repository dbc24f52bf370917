//! Tokenize: words and sentences.
//!
//! Words are the segments between Unicode word boundaries (UAX #29, through
//! `unicode-segmentation`) that contain a letter or a digit. So hyphens and
//! slashes separate words (`sea-level` → `sea`, `level`), an apostrophe
//! between letters does not (`women's`, `da'esh`, `country’s`), nor do a
//! period or comma between digits (`2,000`, `1.5`) or a period between
//! letters (`U.N`). Punctuation, blanks, CR, form feeds and NUL bytes are
//! never part of a word.
//!
//! Sentences end at `.`, `!` or `?` (or a blank line) between two words,
//! and at the Chinese `。`, `！` and `？` and the Arabic `؟`, which end a
//! sentence as `!` and `?` do,
//! unless the word before is an abbreviation (`Mr.`, `Ms.`, `No.`, `U.N.`, a
//! single initial), the word after starts with a lowercase letter, or the word
//! before is the number of a numbered paragraph (`33. The Council …`).
//!
//! This stage finds where words and sentences are; it does not lowercase
//! ([`lowercase_into`] does, per word type) and it does not stem.

use unicode_segmentation::UnicodeSegmentation;

/// Words and sentence starts of one text, as byte ranges into it. Reused
/// across speeches so that tokenizing allocates nothing once warm.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// `(start, end)` byte offsets of each word, in order.
    pub words: Vec<(u32, u32)>,
    /// Index into `words` of the first word of each sentence, ascending,
    /// starting with 0 when there is any word.
    pub sentence_starts: Vec<u32>,
}

impl Tokens {
    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there is no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Number of sentences (each has at least one word).
    pub fn sentences(&self) -> usize {
        self.sentence_starts.len()
    }
}

/// Finds the words and sentences of `text`, replacing the contents of `out`.
/// Texts must be shorter than 4 GiB (offsets are `u32`); the pipeline refuses
/// files that could decode to that much.
///
/// Why not just `unicode_word_indices`: it is the main cost of a run, and
/// nearly all of a UN corpus is ASCII. ASCII whitespace is a hard boundary in
/// UAX #29 (no rule joins across it, nor looks through it), so only the
/// whitespace-delimited chunks that hold a non-ASCII byte need
/// `unicode-segmentation`, and not even those whose only non-ASCII
/// characters are dashes, curly double quotes, ellipses or guillemets, which
/// are boundaries as hard (`breaker_len`); the ASCII text between them is
/// segmented by
/// [`ascii_words`], a table-driven implementation of the UAX #29 rules for
/// ASCII that also notes sentence punctuation on the way. The unit test
/// `fast_path_equals_uax29` holds the two to the same words on random text.
pub fn tokenize(text: &str, out: &mut Tokens) {
    let mut w = Writer::new(text, out);
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(k) = find_non_ascii(bytes, pos) else {
            ascii_words(&mut w, pos, bytes.len());
            return;
        };
        // Dashes and curly double quotes, close to half of the non-ASCII
        // characters of a UN text, break words on both sides, and an ASCII
        // byte after one is no mark or joiner that could attach to it (WB4):
        // the text on either side is segmented as if it ended there, without
        // the slow path.
        if let Some(len) = breaker_len(&bytes[k..]) {
            if bytes.get(k + len).is_none_or(u8::is_ascii) {
                ascii_words(&mut w, pos, k);
                pos = k + len;
                continue;
            }
        }
        // The chunk around the non-ASCII byte, between ASCII whitespace.
        let mut chunk_start = bytes[pos..k]
            .iter()
            .rposition(|&b| is_ascii_space(b))
            .map_or(pos, |p| pos + p + 1);
        // UAX #29 (WB4) attaches a combining mark, format character or
        // joiner to the space or tab before it, and WB3d joins runs of
        // spaces: then the segment starts at the whitespace, so the slow
        // path must see it (found by fuzzing the two paths against each
        // other). Newlines are not joined (WB3a), so they stay boundaries.
        if chunk_start == k && chunk_start > pos && joins_preceding_blank(&text[k..]) {
            match bytes[chunk_start - 1] {
                b'\t' => chunk_start -= 1,
                _ => {
                    while chunk_start > pos && bytes[chunk_start - 1] == b' ' {
                        chunk_start -= 1;
                    }
                }
            }
        }
        let chunk_end = bytes[k..]
            .iter()
            .position(|&b| is_ascii_space(b))
            .map_or(bytes.len(), |p| k + p);
        ascii_words(&mut w, pos, chunk_start);
        for (s, word) in text[chunk_start..chunk_end].unicode_word_indices() {
            let start = chunk_start + s;
            let gap = w.take_gap(start);
            w.push(gap, start, start + word.len());
        }
        pos = chunk_end;
    }
}

/// The length in bytes of the character at the start of `rest` if it is one
/// of the punctuation marks that no rule of UAX #29 joins to a neighbour
/// (word break class Other, and not pictographic): the en and em dashes,
/// curly double quotes, the ellipsis and guillemets. The unit test
/// `breakers_break_on_both_sides` checks each against `unicode-segmentation`.
fn breaker_len(rest: &[u8]) -> Option<usize> {
    match rest {
        // – — “ ” …
        [0xE2, 0x80, 0x93 | 0x94 | 0x9C | 0x9D | 0xA6, ..] => Some(3),
        // « »
        [0xC2, 0xAB | 0xBB, ..] => Some(2),
        _ => None,
    }
}

/// Whether the first character of `rest` joins a space or tab before it
/// into one segment under UAX #29 (an Extend, Format or ZWJ character), as
/// `unicode-segmentation` decides it.
fn joins_preceding_blank(rest: &str) -> bool {
    let Some(c) = rest.chars().next() else {
        return false;
    };
    let mut buf = [0u8; 5];
    buf[0] = b' ';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    // Both are valid UTF-8: an ASCII space and one encoded character.
    std::str::from_utf8(&buf[..len]).is_ok_and(|pair| pair.split_word_bounds().nth(1).is_none())
}

/// The plain way to do what [`tokenize`] does: every word from
/// `unicode-segmentation`, every gap scanned on its own. Kept as the
/// reference the fast path is tested against (and used by
/// [`crate::reference`]).
pub fn tokenize_plain(text: &str, out: &mut Tokens) {
    let mut w = Writer::new(text, out);
    let mut prev_end = 0;
    for (start, word) in text.unicode_word_indices() {
        let mut gap = Gap::default();
        for &b in &text.as_bytes()[prev_end..start] {
            gap.add(b);
        }
        w.push(gap, start, start + word.len());
        prev_end = start + word.len();
    }
}

/// Index of the first non-ASCII byte at or after `from`, eight bytes at a time.
fn find_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = &bytes[from..];
    let mut skipped = 0;
    for c in rest.chunks_exact(8) {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if w & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        skipped += 8;
    }
    rest[skipped..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|p| from + skipped + p)
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// Word-break classes of ASCII bytes (UAX #29).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ALetter: A–Z, a–z.
    Letter,
    /// Numeric: 0–9.
    Digit,
    /// ExtendNumLet: `_`.
    Connector,
    /// MidLetter: `:` joins letters only.
    MidLetter,
    /// MidNumLet and Single_Quote: `.` and `'` join letters, and digits.
    MidNumLet,
    /// MidNum: `,` and `;` join digits only.
    MidNum,
    /// Everything else breaks.
    Other,
}

/// The class of every byte, looked up once per byte on the hot path.
static CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = class_of(b as u8);
        b += 1;
    }
    table
};

fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Connector,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        _ => Class::Other,
    }
}

/// UAX #29 words of the ASCII text `text[from..to]`: runs of letters, digits
/// and `_` (WB5, WB8–WB10, WB13a/b), joined across one `:`, `.` or `'`
/// between letters (WB6/7) and one `,`, `;`, `.` or `'` between digits
/// (WB11/12). Runs of only `_` are not words.
///
/// The text is read 64 bytes at a time: [`Masks::of`] classifies a block into
/// one bit per byte, and words are the runs of set bits, found with shifts
/// and `trailing_zeros` instead of a branch per byte. Every rule above looks
/// at one byte on each side, so a block needs one bit of its neighbours: the
/// last bits of the block before, and the class of the byte after.
///
/// The bytes between words matter only when they hold `.`, `!`, `?` or two
/// line breaks (a sentence may end there); such a gap is scanned byte by
/// byte ([`Writer::take_gap`]), any other gap counts as empty.
fn ascii_words(w: &mut Writer<'_, '_>, from: usize, to: usize) {
    let bytes = &w.text.as_bytes()[..to];
    // Bit 63 of the previous block's letters, digits and word bytes.
    let (mut prev_letter, mut prev_digit, mut prev_word) = (0u64, 0u64, 0u64);
    // Start of the word being read, while inside one.
    let mut word_start = from;
    // Whether the gap being read must be scanned, and whether it holds a line
    // break. The first gap may have begun before `from`, in a non-ASCII
    // chunk, so it is always scanned.
    let mut gap = GapFlags {
        scan: true,
        newline: false,
    };
    let mut pos = from;
    while pos < to {
        // The last block is padded with NUL bytes, which belong to no word
        // and are no punctuation.
        let mut padded = [0u8; 64];
        let block: &[u8; 64] = match bytes.get(pos..pos + 64).and_then(|b| b.try_into().ok()) {
            Some(full) => full,
            None => {
                padded[..to - pos].copy_from_slice(&bytes[pos..]);
                &padded
            }
        };
        let m = Masks::of(block);
        let next = bytes.get(pos + 64).copied().unwrap_or(0);
        let next_letter = u64::from(next.is_ascii_alphabetic()) << 63;
        let next_digit = u64::from(next.is_ascii_digit()) << 63;
        let joined =
            (m.join_letters & (m.letter << 1 | prev_letter) & (m.letter >> 1 | next_letter))
                | (m.join_digits & (m.digit << 1 | prev_digit) & (m.digit >> 1 | next_digit));
        let word = m.word | joined;
        let before = word << 1 | prev_word;
        let starts = word & !before;
        let ends = !word & before;
        // Most blocks hold no sentence punctuation and no line break: their
        // gaps need no look at all.
        let special = (m.punct | m.newline) & !word;
        // Where the current gap began in this block.
        let mut gap_from = 0;
        let mut open = prev_word != 0;
        if open && ends != 0 {
            let e = ends.trailing_zeros();
            word_or_gap(w, word_start, pos + e as usize, &mut gap);
            gap_from = e;
            open = false;
        }
        // One branch per block rather than one per word: a branch that
        // goes both ways from word to word is often mispredicted.
        let block = Block {
            masks: &m,
            pos,
            starts,
            ends,
        };
        let opened = if special != 0 {
            block.words::<true>(w, &mut gap_from, &mut word_start, &mut gap)
        } else {
            block.words::<false>(w, &mut gap_from, &mut word_start, &mut gap)
        };
        open |= opened;
        if !open && special != 0 {
            gap.note(&m, !low_bits(gap_from));
        }
        prev_letter = m.letter >> 63;
        prev_digit = m.digit >> 63;
        prev_word = word >> 63;
        pos += 64;
    }
    if prev_word != 0 {
        word_or_gap(w, word_start, to, &mut gap);
    }
    // What follows the last word is the start of the next gap.
    w.gap = w.take_gap(to);
}

/// The words that start in one block of [`ascii_words`].
struct Block<'m> {
    masks: &'m Masks,
    /// Offset of the block in the text.
    pos: usize,
    /// Bits of the bytes where a word starts, and of the bytes just after one.
    starts: u64,
    ends: u64,
}

impl Block<'_> {
    /// Pushes the words that start and end in the block; returns whether
    /// the last one goes on into the next block (its start is then in
    /// `word_start`). `NOTE`: the block has sentence punctuation or line
    /// breaks between words, so each gap is noted in `gap` (`gap_from` is
    /// where the current gap began).
    #[inline(always)]
    fn words<const NOTE: bool>(
        &self,
        w: &mut Writer<'_, '_>,
        gap_from: &mut u32,
        word_start: &mut usize,
        gap: &mut GapFlags,
    ) -> bool {
        let mut starts = self.starts;
        while starts != 0 {
            let s = starts.trailing_zeros();
            starts &= starts - 1;
            if NOTE {
                gap.note(self.masks, low_bits(s) & !low_bits(*gap_from));
            }
            *word_start = self.pos + s as usize;
            // The first end after `s` (`!1 << s` is every bit above it).
            let later = self.ends & (!1u64 << s);
            if later == 0 {
                return true;
            }
            let e = later.trailing_zeros();
            word_or_gap(w, *word_start, self.pos + e as usize, gap);
            *gap_from = e;
        }
        false
    }
}

/// Bits `0..n` set (`n` < 64).
#[inline(always)]
fn low_bits(n: u32) -> u64 {
    (1u64 << n) - 1
}

/// What [`ascii_words`] knows about the gap it is reading without scanning
/// it: whether it may end a sentence, so must be scanned.
struct GapFlags {
    /// The gap holds `.`, `!`, `?` or two line breaks, or began elsewhere.
    scan: bool,
    /// The gap holds a line break.
    newline: bool,
}

impl GapFlags {
    /// Notes the bytes of `span` (bits of the block `m`), all in the gap.
    #[inline(always)]
    fn note(&mut self, m: &Masks, span: u64) {
        // `&` and `|`, not `&&` and `||`: no branches to mispredict.
        let newlines = m.newline & span;
        let any = newlines != 0;
        let two = newlines & newlines.wrapping_sub(1) != 0;
        self.scan |= (m.punct & span != 0) | (any & (self.newline | two));
        self.newline |= any;
    }
}

/// Pushes the run `start..end` as a word, scanning its gap if `gap` says so,
/// unless the run is only `_`: such a run is part of the gap, which is then
/// scanned from the last word.
#[inline(always)]
fn word_or_gap(w: &mut Writer<'_, '_>, start: usize, end: usize, gap: &mut GapFlags) {
    let bytes = w.text.as_bytes();
    if bytes[start] == b'_' && !bytes[start..end].iter().any(u8::is_ascii_alphanumeric) {
        gap.scan = true;
        return;
    }
    if gap.scan {
        let scanned = w.take_gap(start);
        w.push(scanned, start, end);
    } else {
        w.push_after_plain_gap(start, end);
    }
    *gap = GapFlags {
        scan: false,
        newline: false,
    };
}

/// One bit per byte of a 64-byte ASCII block (bit `i` for byte `i`) for each
/// class the word and sentence rules look at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Masks {
    /// ALetter: `A`–`Z`, `a`–`z`.
    letter: u64,
    /// Numeric: `0`–`9`.
    digit: u64,
    /// Letters, digits and `_`: always inside a word.
    word: u64,
    /// `:`, `.` and `'`: join two letters.
    join_letters: u64,
    /// `,`, `;`, `.` and `'`: join two digits.
    join_digits: u64,
    /// `.`, `!` and `?`: may end a sentence.
    punct: u64,
    /// `\n`: two of them in a gap make a blank line.
    newline: u64,
}

impl Masks {
    /// Classifies a block: with SSE2 (part of every x86-64 CPU) sixteen bytes
    /// per instruction, elsewhere a byte at a time. The two are held to the
    /// same masks by a unit test.
    #[inline(always)]
    fn of(block: &[u8; 64]) -> Masks {
        #[cfg(target_arch = "x86_64")]
        {
            Masks::sse2(block)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Masks::scalar(block)
        }
    }

    /// The definition of the masks, one byte at a time.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn scalar(block: &[u8; 64]) -> Masks {
        let mut m = Masks::default();
        for (i, &b) in block.iter().enumerate() {
            let bit = 1u64 << i;
            let set = |mask: &mut u64, yes: bool| *mask |= if yes { bit } else { 0 };
            set(&mut m.letter, class(b) == Class::Letter);
            set(&mut m.digit, class(b) == Class::Digit);
            set(&mut m.word, is_word_char(b));
            set(
                &mut m.join_letters,
                matches!(class(b), Class::MidLetter | Class::MidNumLet),
            );
            set(
                &mut m.join_digits,
                matches!(class(b), Class::MidNum | Class::MidNumLet),
            );
            set(&mut m.punct, matches!(b, b'.' | b'!' | b'?'));
            set(&mut m.newline, b == b'\n');
        }
        m
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn sse2(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::*;
        let mut m = Masks::default();
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics
        // are always available; the loads read 16 bytes inside `block`.
        unsafe {
            let eq = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            // `v` in `lo..lo + n`: shift the range to start at -128, where a
            // signed comparison with -128 + n tells.
            let within = |v: __m128i, lo: u8, n: u8| {
                let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
                _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8.wrapping_add(n)) as i8))
            };
            let bits = |v: __m128i| u64::from(_mm_movemask_epi8(v) as u16);
            for k in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
                let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
                let digit = within(v, b'0', 10);
                let period = eq(v, b'.');
                let apostrophe_or_period = _mm_or_si128(period, eq(v, b'\''));
                let shift = 16 * k;
                m.letter |= bits(letter) << shift;
                m.digit |= bits(digit) << shift;
                m.word |= bits(_mm_or_si128(_mm_or_si128(letter, digit), eq(v, b'_'))) << shift;
                m.join_letters |= bits(_mm_or_si128(apostrophe_or_period, eq(v, b':'))) << shift;
                m.join_digits |= bits(_mm_or_si128(
                    apostrophe_or_period,
                    _mm_or_si128(eq(v, b','), eq(v, b';')),
                )) << shift;
                m.punct |=
                    bits(_mm_or_si128(period, _mm_or_si128(eq(v, b'!'), eq(v, b'?')))) << shift;
                m.newline |= bits(eq(v, b'\n')) << shift;
            }
        }
        m
    }
}

fn is_word_char(b: u8) -> bool {
    matches!(class(b), Class::Letter | Class::Digit | Class::Connector)
}

/// What the bytes between two words hold, as far as sentences go.
#[derive(Clone, Copy, Default)]
struct Gap {
    period: bool,
    /// `!` or `?`.
    strong: bool,
    /// Line breaks since the last byte that is not a blank.
    newlines: u8,
    blank_line: bool,
    /// The last non-ASCII bytes of the gap, most recent lowest.
    tail: u32,
}

impl Gap {
    fn add(&mut self, b: u8) {
        match b {
            b'\n' => {
                self.newlines = self.newlines.saturating_add(1);
                self.blank_line |= self.newlines >= 2;
                return;
            }
            b'\r' | b' ' | b'\t' | 0x0C => return,
            b'.' => self.period = true,
            b'!' | b'?' => self.strong = true,
            0x80.. => self.non_ascii(b),
            _ => {}
        }
        self.newlines = 0;
    }

    /// A byte of a non-ASCII character between words: notes the full-width
    /// `。`, `！`, `？` (UTF-8 E3 80 82, EF BC 81, EF BC 9F) and the Arabic
    /// `؟` (D8 9F) as sentence ends. In valid UTF-8 these byte sequences are
    /// only ever these characters.
    #[cold]
    fn non_ascii(&mut self, b: u8) {
        self.tail = (self.tail << 8) | u32::from(b);
        if matches!(self.tail & 0xFF_FFFF, 0xE3_8082 | 0xEF_BC81 | 0xEF_BC9F)
            || self.tail & 0xFFFF == 0xD89F
        {
            self.strong = true;
        }
    }
}

/// Appends words and sentence starts to [`Tokens`].
struct Writer<'t, 'o> {
    text: &'t str,
    out: &'o mut Tokens,
    /// Index of the current sentence's first word.
    sentence_first: usize,
    /// The gap since the last word, as far as it has been scanned.
    gap: Gap,
    /// Where scanning stopped: every byte is scanned once.
    scanned_to: usize,
}

impl<'t, 'o> Writer<'t, 'o> {
    /// A writer that replaces the contents of `out`.
    fn new(text: &'t str, out: &'o mut Tokens) -> Self {
        out.words.clear();
        out.sentence_starts.clear();
        Writer {
            text,
            out,
            sentence_first: 0,
            gap: Gap::default(),
            scanned_to: 0,
        }
    }

    /// The gap since the last word up to `pos`, scanning what is left.
    fn take_gap(&mut self, pos: usize) -> Gap {
        let mut gap = std::mem::take(&mut self.gap);
        for &b in &self.text.as_bytes()[self.scanned_to..pos] {
            gap.add(b);
        }
        self.scanned_to = pos;
        gap
    }

    // Inlined into the tokenizer loops: called once per token, and the
    // common case (no sentence punctuation in the gap) is a few instructions.
    #[inline(always)]
    fn push(&mut self, gap: Gap, start: usize, end: usize) {
        let index = self.out.words.len();
        if index == 0 {
            self.out.sentence_starts.push(0);
        } else if self.ends_sentence(gap, start) {
            self.out.sentence_starts.push(index as u32);
            self.sentence_first = index;
        }
        self.out.words.push((start as u32, end as u32));
        self.scanned_to = end;
    }

    /// [`Writer::push`] for a word whose gap cannot end a sentence, after
    /// an earlier word (in [`ascii_words`], the first gap is always scanned).
    #[inline(always)]
    fn push_after_plain_gap(&mut self, start: usize, end: usize) {
        debug_assert!(!self.out.words.is_empty());
        self.out.words.push((start as u32, end as u32));
        self.scanned_to = end;
    }

    /// Whether a sentence ends before the word starting at `next_start`,
    /// given what the gap before it holds.
    #[inline(always)]
    fn ends_sentence(&self, gap: Gap, next_start: usize) -> bool {
        if gap.blank_line {
            return true;
        }
        if !(gap.strong || gap.period) {
            return false;
        }
        self.ends_at_punctuation(gap, next_start)
    }

    /// The rare case: a period, `!` or `?` in the gap.
    #[inline(never)]
    fn ends_at_punctuation(&self, gap: Gap, next_start: usize) -> bool {
        let next = self.text[next_start..].chars().next();
        // "… etc. and" or "(see para. 3 above) and": a sentence does not start lowercase.
        if next.is_some_and(char::is_lowercase) {
            return false;
        }
        if gap.strong {
            return true;
        }
        let words = &self.out.words;
        let (s, e) = words[words.len() - 1];
        let prev = &self.text[s as usize..e as usize];
        let numbered_paragraph =
            words.len() - 1 == self.sentence_first && prev.bytes().all(|b| b.is_ascii_digit());
        !(numbered_paragraph || is_abbreviation(prev, next))
    }
}

/// Whether `word`, followed by a period and then by a word starting with
/// `next`, is an abbreviation rather than the end of a sentence.
fn is_abbreviation(word: &str, next: Option<char>) -> bool {
    let mut chars = word.chars();
    let first = chars.next();
    // An initial: `John F. Kennedy`.
    let single_letter = first.is_some_and(char::is_uppercase) && chars.next().is_none();
    // Titles and reference words are ASCII of at most six bytes: a word is
    // lowercased once and matched, rather than compared with each in turn
    // (which was most of the time spent on sentence ends).
    let listed = word.len() <= 6 && {
        let mut lower = [0u8; 6];
        let lower = &mut lower[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        is_title(lower) || (next.is_some_and(|c| c.is_ascii_digit()) && is_reference_word(lower))
    };
    // `U.N.`, `U.S.`: the tokenizer keeps letters joined by periods. Only
    // capitals: `a.m.` and `p.m.` do end sentences. Most words before a
    // period start lowercase, so are no initialism without a scan.
    let initialism = || {
        !first.is_some_and(char::is_lowercase)
            && word.contains('.')
            && word.chars().any(char::is_alphabetic)
            && !word.chars().any(char::is_lowercase)
    };
    single_letter || listed || initialism()
}

/// Titles before a name (lowercased): always abbreviations.
fn is_title(lower: &[u8]) -> bool {
    matches!(
        lower,
        b"mr"
            | b"mrs"
            | b"ms"
            | b"mmes"
            | b"mme"
            | b"messrs"
            | b"dr"
            | b"prof"
            | b"st"
            | b"h.e"
            | b"hon"
            | b"amb"
            | b"gen"
            | b"sen"
            | b"rev"
            | b"jr"
            | b"sr"
            | b"cf"
            | b"vs"
            | b"approx"
    )
}

/// Reference words (lowercased): abbreviations before a number (`No. 5`,
/// `para. 3`), ordinary words otherwise (`We say no. We go.`).
fn is_reference_word(lower: &[u8]) -> bool {
    matches!(
        lower,
        b"no"
            | b"nos"
            | b"art"
            | b"arts"
            | b"para"
            | b"paras"
            | b"vol"
            | b"op"
            | b"fig"
            | b"p"
            | b"pp"
    )
}

/// Writes the lowercase form of a word into `buf` (cleared first), with the
/// typographic apostrophe `’` written as `'`, so that `Country’s`,
/// `country's` and `COUNTRY'S` are one word type.
pub fn lowercase_into(word: &str, buf: &mut String) {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        match c {
            '’' => buf.push('\''),
            c => buf.extend(c.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut t = Tokens::default();
        tokenize(text, &mut t);
        t.words
            .iter()
            .map(|&(s, e)| &text[s as usize..e as usize])
            .collect()
    }

    fn sentences(text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        tokenize(text, &mut t);
        let mut out = Vec::new();
        for (k, &first) in t.sentence_starts.iter().enumerate() {
            let last = t
                .sentence_starts
                .get(k + 1)
                .map_or(t.words.len(), |&n| n as usize);
            let ws: Vec<&str> = t.words[first as usize..last]
                .iter()
                .map(|&(s, e)| &text[s as usize..e as usize])
                .collect();
            out.push(ws.join(" "));
        }
        out
    }

    #[test]
    fn other_scripts_and_their_sentence_ends() {
        // Han: one word per character; Cyrillic and Arabic words whole, with
        // their marks and tatweel; French elisions stay in the word.
        assert_eq!(words("联合国。和平"), ["联", "合", "国", "和", "平"]);
        assert_eq!(
            words("Объединённых Наций, السَّلَام اللاجـئين l’ONU"),
            ["Объединённых", "Наций", "السَّلَام", "اللاجـئين", "l’ONU"]
        );
        assert_eq!(
            sentences("中国支持联合国。我们呼吁和平！气候？变化"),
            [
                "中 国 支 持 联 合 国",
                "我 们 呼 吁 和 平",
                "气 候",
                "变 化"
            ]
        );
        assert_eq!(sentences("هل هذا؟ نعم"), ["هل هذا", "نعم"]);
        // Other full-width punctuation is no sentence end.
        assert_eq!(sentences("中国，联合国；和平"), ["中 国 联 合 国 和 平"]);
        assert_eq!(sentences("¿Qué? Sí. ¡Paz!"), ["Qué", "Sí", "Paz"]);
    }

    #[test]
    fn hyphens_and_slashes_separate() {
        assert_eq!(
            words("sea-level rise and/or troop-contributing"),
            ["sea", "level", "rise", "and", "or", "troop", "contributing"]
        );
    }

    #[test]
    fn inner_apostrophes_stay() {
        assert_eq!(
            words("women's rights, Da'esh and the country’s 'quoted'"),
            [
                "women's",
                "rights",
                "Da'esh",
                "and",
                "the",
                "country’s",
                "quoted"
            ]
        );
    }

    #[test]
    fn numbers_and_initialisms() {
        assert_eq!(
            words("2,000 troops, 1.5 degrees, the U.N. and resolution 1325 (2000)"),
            [
                "2,000",
                "troops",
                "1.5",
                "degrees",
                "the",
                "U.N",
                "and",
                "resolution",
                "1325",
                "2000"
            ]
        );
    }

    #[test]
    fn control_characters_never_enter_words() {
        let text = "\u{FEFF}peace\r\nand\x0csecurity\0now\ttoday";
        let ws = words(text);
        assert_eq!(ws, ["peace", "and", "security", "now", "today"]);
    }

    #[test]
    fn tokens_need_a_letter_or_digit() {
        assert_eq!(words("__ -- ... ! ©"), Vec::<&str>::new());
        assert_eq!(words("a_b x2"), ["a_b", "x2"]);
    }

    #[test]
    fn non_latin_scripts() {
        assert_eq!(
            words("Türkiye, Côte d’Ivoire; Россия"),
            ["Türkiye", "Côte", "d’Ivoire", "Россия"]
        );
    }

    #[test]
    fn sentence_splitting() {
        assert_eq!(
            sentences(
                "We thank Mr. Guterres and Ms. Bachelet. The U.N. Charter is clear! Is it? Yes."
            ),
            [
                "We thank Mr Guterres and Ms Bachelet",
                "The U.N Charter is clear",
                "Is it",
                "Yes"
            ]
        );
    }

    #[test]
    fn numbered_paragraphs_do_not_end_sentences() {
        assert_eq!(
            sentences("33. The Council met.\n34.\tIt decided. See resolution No. 5 of 1970."),
            [
                "33 The Council met",
                "34 It decided",
                "See resolution No 5 of 1970"
            ]
        );
    }

    #[test]
    fn reference_words_are_abbreviations_only_before_numbers() {
        assert_eq!(sentences("We say no. We go."), ["We say no", "We go"]);
        assert_eq!(
            sentences("See para. 3 and Art. 51. Then"),
            ["See para 3 and Art 51", "Then"]
        );
        assert_eq!(
            sentences("at 10.30 a.m. The Council"),
            ["at 10.30 a.m", "The Council"]
        );
        assert_eq!(sentences("John F. Kennedy spoke"), ["John F Kennedy spoke"]);
    }

    #[test]
    fn lowercase_after_period_continues() {
        assert_eq!(
            sentences("peace, security, etc. and development."),
            ["peace security etc and development"]
        );
    }

    #[test]
    fn blank_lines_end_sentences() {
        assert_eq!(
            sentences("A heading\n\nThe text\nwraps here"),
            ["A heading", "The text wraps here"]
        );
        assert_eq!(
            sentences("A heading\r\n\r\nThe text"),
            ["A heading", "The text"]
        );
    }

    #[test]
    fn page_furniture_ends_a_sentence() {
        assert_eq!(
            sentences("a positive sign.16/01/2020 The situation"),
            ["a positive sign", "16 01 2020 The situation"]
        );
    }

    #[test]
    fn empty_text() {
        let mut t = Tokens::default();
        tokenize("  \r\n ", &mut t);
        assert!(t.is_empty());
        assert_eq!(t.sentences(), 0);
    }

    /// A small deterministic generator, so the test needs no extra crate.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn a_mark_after_blanks_joins_them_as_in_uax29() {
        // Found by fuzzing: U+0652 (a combining mark that is a letter)
        // after blanks; and a mark that is not a letter, which makes no word.
        for text in [
            "e\u{301} \u{652}\u{663}",
            "a  \u{652}b",
            "a\t\u{652}b",
            "a \t\u{652}b",
            "a\n\u{652}b",
            " \u{301} x",
        ] {
            let (mut fast, mut plain) = (Tokens::default(), Tokens::default());
            tokenize(text, &mut fast);
            tokenize_plain(text, &mut plain);
            assert_eq!(fast.words, plain.words, "{text:?}");
            assert_eq!(fast.sentence_starts, plain.sentence_starts, "{text:?}");
        }
    }

    #[test]
    fn fast_path_equals_uax29() {
        // Characters around every rule of the ASCII path, plus non-ASCII
        // letters, marks, joiners and spaces that send a chunk to the slow path.
        const PIECES: &[&str] = &[
            "a", "Z", "q", "0", "7", "_", ".", ",", ";", ":", "'", "-", "/", "(", "\"", " ", "  ",
            "\t", "\n", "\r\n", "\x0b", "\x0c", "\0", "\x7f", "!", "?", "Mr", "no", "é", "’",
            "\u{301}", "\u{200D}", "\u{FEFF}", "\u{A0}", "\u{85}", "\u{2028}", "Ω", "日本", "٣",
            "🇫🇷", "\u{AD}", "…", "–", "—", "“", "”", "«", "»",
        ];
        const ASCII_PIECES: usize = 28; // the first pieces are ASCII only
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..40_000 {
            let pieces = if round % 2 == 0 {
                &PIECES[..ASCII_PIECES]
            } else {
                PIECES
            };
            // Some texts longer than a 64-byte block, so that words, joiners
            // and gaps cross block boundaries.
            let len = (rng.next() % if round % 4 == 3 { 160 } else { 24 }) as usize;
            let text: String = (0..len)
                .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
                .collect();
            let mut fast = Tokens::default();
            tokenize(&text, &mut fast);
            let mut slow = Tokens::default();
            tokenize_plain(&text, &mut slow);
            assert_eq!(fast.words, slow.words, "{text:?}");
            assert_eq!(fast.sentence_starts, slow.sentence_starts, "{text:?}");
        }
    }

    #[test]
    fn abbreviations() {
        for (word, next, expected) in [
            ("Mr", Some('K'), true),
            ("MESSRS", Some('A'), true),
            ("approx", Some('5'), true),
            ("H.E", Some('M'), true),
            ("Mrs", None, true),
            ("No", Some('5'), true),
            ("para", Some('3'), true),
            ("No", Some('W'), false),
            ("pp", Some('1'), true),
            ("F", Some('K'), true),
            ("É", Some('K'), true),
            ("U.N", Some('T'), true),
            ("U.N.D.P", Some('T'), true),
            ("a.m", Some('T'), false),
            ("peace", Some('T'), false),
            ("Mister", Some('K'), false),
            ("Mrs2", Some('K'), false),
            ("approxi", Some('5'), false),
            ("mr", Some('K'), true),
            ("Mŕ", Some('K'), false),
            ("", Some('K'), false),
        ] {
            assert_eq!(is_abbreviation(word, next), expected, "{word:?} {next:?}");
        }
    }

    #[test]
    fn breakers_break_on_both_sides() {
        const BREAKERS: &[char] = &['–', '—', '“', '”', '…', '«', '»'];
        let detected: Vec<char> = BREAKERS
            .iter()
            .copied()
            .filter(|c| breaker_len(c.to_string().as_bytes()) == Some(c.len_utf8()))
            .collect();
        assert_eq!(detected, BREAKERS);
        for c in ['’', '‘', 'é', '\u{301}', '\u{200D}', '\u{A0}', '日'] {
            assert_eq!(breaker_len(c.to_string().as_bytes()), None, "{c:?}");
        }
        // Around a breaker, the words of UAX #29 are those of each side
        // alone, whatever ASCII the sides end and start with.
        const SIDES: &[&str] = &[
            "", "a", "ab", "7", "a.", ".", "a'", "'", ":", "a:", "7,", ",", "_", "a_", " ", "\n",
            "U.N", "1.5", "x1", "!",
        ];
        let words = |text: &str| -> Vec<(usize, String)> {
            text.unicode_word_indices()
                .map(|(i, w)| (i, w.to_owned()))
                .collect()
        };
        for &c in BREAKERS {
            for left in SIDES {
                for right in SIDES {
                    let right: String = right.chars().rev().collect();
                    let text = format!("{left}{c}{right}");
                    let right_at = left.len() + c.len_utf8();
                    let mut apart = words(left);
                    apart.extend(words(&right).into_iter().map(|(i, w)| (right_at + i, w)));
                    assert_eq!(words(&text), apart, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn vector_masks_equal_the_byte_by_byte_definition() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        let mut blocks: Vec<[u8; 64]> = (0u8..128).map(|b| [b; 64]).collect();
        blocks.extend((0..2_000).map(|_| std::array::from_fn(|_| (rng.next() % 128) as u8)));
        for block in &blocks {
            assert_eq!(Masks::of(block), Masks::scalar(block), "{block:?}");
        }
        let text = b"Mr. X_1, 2;3:a'b!?\n@[`{/90Zz";
        let mut block = [0u8; 64];
        block[..text.len()].copy_from_slice(text);
        let bits = |at: &[u32]| at.iter().fold(0u64, |m, i| m | 1 << i);
        let m = Masks::scalar(&block);
        assert_eq!(m.letter, bits(&[0, 1, 4, 13, 15, 26, 27]));
        assert_eq!(m.digit, bits(&[6, 9, 11, 24, 25]));
        assert_eq!(m.word, m.letter | m.digit | bits(&[5]));
        assert_eq!(m.join_letters, bits(&[2, 12, 14]));
        assert_eq!(m.join_digits, bits(&[2, 7, 10, 14]));
        assert_eq!(m.punct, bits(&[2, 16, 17]));
        assert_eq!(m.newline, bits(&[18]));
    }

    #[test]
    fn lowercase_forms() {
        let mut buf = String::new();
        lowercase_into("Country’s", &mut buf);
        assert_eq!(buf, "country's");
        lowercase_into("WOMEN", &mut buf);
        assert_eq!(buf, "women");
        lowercase_into("TÜRKIYE", &mut buf);
        assert_eq!(buf, "türkiye");
    }
}
