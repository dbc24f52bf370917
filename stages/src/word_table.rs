//! The hot half of [`crate::analyze`]'s word-class cache: short ASCII words,
//! lowercased, to class ids.
//!
//! Nearly every token of an English speech is an ASCII word of at most 16
//! bytes (99.99% of them in the generated benchmark corpus, 85% at most 8),
//! and looking its class up is done once per token, so this is one of the
//! few places where a general-purpose map costs more than it must. Here a
//! word is lowercased straight into a 16-byte key of two machine words; the
//! key is hashed with two multiplications and found by linear probing in one
//! array whose slots hold the key and the id side by side, so a lookup reads
//! one slot (one cache line) in the common case and compares two words.
//!
//! This module does not classify or stem words, and it does not take longer
//! or non-ASCII words: [`ShortWord::new`] turns those down, and the analyzer
//! keeps them in an ordinary map.

/// An ASCII word of 1 to [`ShortWord::MAX`] bytes, case folded, as two
/// little-endian machine words, zero-padded. A word never holds a NUL byte,
/// so the padding marks its end and the all-zero key marks an empty slot.
///
/// The fold sets bit 5 of every byte that has bit 6 set: that lowercases
/// `A`–`Z`, and also turns `_` into DEL, `@` into a backquote and `[\]^` into
/// `{|}~`. None of those can be in a word (UAX #29 words of ASCII bytes are
/// made of letters, digits, `_` and the joiners `.'`:,;`), so two words get
/// the same key exactly when they are equal ignoring case. The key is for
/// finding a word, not for reading it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShortWord([u64; 2]);

impl ShortWord {
    /// The longest word kept here, in bytes.
    pub(crate) const MAX: usize = 16;

    /// The key of the word `text[start..end]`, if it has 1 to 16 bytes and
    /// all are ASCII. Whole machine words are loaded and folded eight bytes
    /// at a time: building the key byte by byte and reading it back as words
    /// stalls the processor on every token.
    pub(crate) fn new(text: &[u8], start: usize, end: usize) -> Option<ShortWord> {
        let len = end.checked_sub(start)?;
        if len == 0 || len > Self::MAX {
            return None;
        }
        let word = |chunk: &[u8]| {
            u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ])
        };
        let (mut a, mut b) = match text.get(start..start + Self::MAX) {
            Some(window) => (word(&window[..8]), word(&window[8..])),
            // Near the end of the text: copy what there is.
            None => {
                let mut bytes = [0u8; Self::MAX];
                bytes[..len].copy_from_slice(text.get(start..end)?);
                (word(&bytes[..8]), word(&bytes[8..]))
            }
        };
        let [keep_a, keep_b] = KEEP[len];
        a &= keep_a;
        b &= keep_b;
        if (a | b) & 0x8080_8080_8080_8080 != 0 {
            return None; // not ASCII
        }
        Some(ShortWord([fold(a), fold(b)]))
    }

    /// Bits of the slot index, from the top bits of a multiplicative hash
    /// (those depend on every bit of the key).
    fn hash(self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15; // 2^64 / golden ratio, odd
        (self.0[0] ^ self.0[1].wrapping_mul(K).rotate_left(32)).wrapping_mul(K)
    }

    /// A key from its two words, for tests that fill a table.
    #[cfg(test)]
    pub(crate) fn from_words(words: [u64; 2]) -> ShortWord {
        ShortWord(words)
    }

    fn is_empty(self) -> bool {
        self.0 == [0, 0]
    }
}

/// For each word length up to 16, the masks that keep its bytes of the two
/// machine words of a [`ShortWord`] and clear the rest.
static KEEP: [[u64; 2]; ShortWord::MAX + 1] = {
    let mut masks = [[0u64; 2]; ShortWord::MAX + 1];
    let mut len = 0;
    while len <= ShortWord::MAX {
        let mut i = 0;
        while i < 2 {
            let keep = len.saturating_sub(8 * i);
            masks[len][i] = if keep >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * keep)) - 1
            };
            i += 1;
        }
        len += 1;
    }
    masks
};

/// Folds the case of eight ASCII bytes at once (see [`ShortWord`]): bit 6 of
/// each byte, shifted down, becomes its bit 5.
fn fold(w: u64) -> u64 {
    w | (w >> 1) & 0x2020_2020_2020_2020
}

/// One slot: a key (all zero when empty) and its id, 24 bytes.
#[derive(Clone, Copy)]
struct Slot {
    key: ShortWord,
    id: u32,
}

const EMPTY: Slot = Slot {
    key: ShortWord([0, 0]),
    id: 0,
};

/// [`ShortWord`] → id, open addressing with linear probing, at most three
/// quarters full.
pub(crate) struct ShortWords {
    slots: Vec<Slot>,
    len: usize,
    /// 64 − log2(slots), to take the top bits of the hash.
    shift: u32,
}

impl Default for ShortWords {
    fn default() -> ShortWords {
        ShortWords::with_slots(1 << 12)
    }
}

impl ShortWords {
    fn with_slots(slots: usize) -> ShortWords {
        debug_assert!(slots.is_power_of_two());
        ShortWords {
            slots: vec![EMPTY; slots],
            len: 0,
            shift: 64 - slots.trailing_zeros(),
        }
    }

    /// Words stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The id of `key`, if stored.
    #[inline]
    pub(crate) fn get(&self, key: ShortWord) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = (key.hash() >> self.shift) as usize;
        loop {
            let slot = &self.slots[i];
            if slot.key == key {
                return Some(slot.id);
            }
            if slot.key.is_empty() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Stores `key` with `id` (the caller has checked it is absent).
    pub(crate) fn insert(&mut self, key: ShortWord, id: u32) {
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            let mut bigger = ShortWords::with_slots(2 * self.slots.len());
            for slot in self.slots.iter().filter(|s| !s.key.is_empty()) {
                bigger.put(*slot);
            }
            *self = bigger;
        }
        self.put(Slot { key, id });
    }

    fn put(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = (slot.key.hash() >> self.shift) as usize;
        while !self.slots[i].key.is_empty() {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
        self.len += 1;
    }

    /// Forgets every word (the table keeps its size).
    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_ascii_words_ignoring_case() {
        let text = b"The UNITED Nations, peacekeeping-operations x";
        let key = |s: usize, e: usize| ShortWord::new(text, s, e);
        let word = |w: &str| ShortWord::new(w.as_bytes(), 0, w.len());
        assert_eq!(key(0, 3), word("the"));
        assert_eq!(key(4, 10), word("united"));
        let p = 20; // "peacekeeping-operations"
        assert_eq!(key(p, p + 12), word("PeaceKeeping"));
        // 16 bytes is the most; 17 is turned down.
        assert_eq!(key(p, p + 16), word("peacekeeping-ope"));
        assert_eq!(key(p, p + 17), None);
        // The last word: fewer than 16 bytes are left to load.
        assert_eq!(key(text.len() - 1, text.len()), word("X"));
        assert_eq!(key(3, 3), None);
        assert_ne!(word("united"), word("unite"));
        assert_eq!(word("Côte"), None);
    }

    #[test]
    fn the_fold_tells_apart_every_pair_of_word_bytes() {
        // Bytes that can be in a word: fold(a) == fold(b) exactly when they
        // are equal ignoring case.
        let word_bytes: Vec<u8> = (b'a'..=b'z')
            .chain(b'A'..=b'Z')
            .chain(b'0'..=b'9')
            .chain(*b"_.':,;")
            .collect();
        for &a in &word_bytes {
            for &b in &word_bytes {
                let same = fold(u64::from(a)) == fold(u64::from(b));
                assert_eq!(
                    same,
                    a.eq_ignore_ascii_case(&b),
                    "{} {}",
                    a as char,
                    b as char
                );
            }
        }
    }

    #[test]
    fn stores_and_finds_every_word_across_growth() {
        let mut table = ShortWords::default();
        let words: Vec<String> = (0..20_000).map(|i| format!("w{i}x")).collect();
        for (id, w) in words.iter().enumerate() {
            let key = ShortWord::new(w.as_bytes(), 0, w.len()).expect("short ASCII");
            assert_eq!(table.get(key), None);
            table.insert(key, id as u32);
        }
        assert_eq!(table.len(), 20_000);
        assert!(table.slots.len() >= 20_000 * 4 / 3);
        for (id, w) in words.iter().enumerate() {
            let upper = w.to_ascii_uppercase();
            let key = ShortWord::new(upper.as_bytes(), 0, w.len()).expect("short ASCII");
            assert_eq!(table.get(key), Some(id as u32), "{w}");
        }
        let absent = ShortWord::new(b"w20000x", 0, 7).expect("short ASCII");
        assert_eq!(table.get(absent), None);
        table.clear();
        assert_eq!(table.len(), 0);
        assert_eq!(
            table.get(ShortWord::new(b"w1x", 0, 3).expect("short")),
            None
        );
    }
}
