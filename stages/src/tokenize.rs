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
/// Texts are limited to 4 GiB (offsets are `u32`); longer input is cut off
/// there by the caller's size limit long before.
pub fn tokenize(text: &str, out: &mut Tokens) {
    out.words.clear();
    out.sentence_starts.clear();
    let mut prev_end = 0usize;
    let mut sentence_first = 0usize; // index of the current sentence's first word
    for (start, word) in text.unicode_word_indices() {
        let end = start + word.len();
        let index = out.words.len();
        if index == 0 {
            out.sentence_starts.push(0);
        } else if ends_sentence(text, out, sentence_first, prev_end, start) {
            out.sentence_starts.push(index as u32);
            sentence_first = index;
        }
        out.words.push((start as u32, end as u32));
        prev_end = end;
    }
}

/// Whether a sentence ends between the last word pushed (ending at
/// `prev_end`) and the word starting at `next_start`.
fn ends_sentence(
    text: &str,
    t: &Tokens,
    sentence_first: usize,
    prev_end: usize,
    next_start: usize,
) -> bool {
    let gap = &text.as_bytes()[prev_end..next_start];
    let blank_line = has_blank_line(gap);
    let strong = gap.iter().any(|&b| b == b'!' || b == b'?');
    let period = gap.contains(&b'.');
    if !(blank_line || strong || period) {
        return false;
    }
    if blank_line {
        return true;
    }
    // "… etc. and" or "(see para. 3 above) and": a sentence does not start lowercase.
    if text[next_start..]
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
    {
        return false;
    }
    if strong {
        return true;
    }
    let (s, e) = t.words[t.words.len() - 1];
    let prev = &text[s as usize..e as usize];
    let numbered_paragraph =
        t.words.len() - 1 == sentence_first && prev.bytes().all(|b| b.is_ascii_digit());
    !(numbered_paragraph || is_abbreviation(prev))
}

fn has_blank_line(gap: &[u8]) -> bool {
    let mut newlines = 0;
    for &b in gap {
        match b {
            b'\n' => newlines += 1,
            b'\r' | b' ' | b'\t' | b'\x0c' => {}
            _ => newlines = 0,
        }
        if newlines >= 2 {
            return true;
        }
    }
    false
}

/// Words that end with a period without ending a sentence.
fn is_abbreviation(word: &str) -> bool {
    const TITLES: &[&str] = &[
        "mr", "mrs", "ms", "mmes", "mme", "messrs", "dr", "prof", "st", "h.e", "hon", "amb", "gen",
        "sen", "rev", "jr", "sr", "no", "nos", "art", "arts", "para", "paras", "vol", "op", "cf",
        "vs", "fig", "approx", "p", "pp",
    ];
    let mut chars = word.chars();
    let single_letter = chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none();
    // "U.N", "U.S", "e.g", "i.e": the tokenizer keeps letters joined by periods.
    let initialism = word.contains('.') && word.chars().any(char::is_alphabetic);
    single_letter || initialism || TITLES.iter().any(|t| t.eq_ignore_ascii_case(word))
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
