//! Speaker headers of Security Council turns.
//!
//! Each turn of a verbatim record opens with who speaks, up to the first
//! colon: a name of one to ten words, then parentheticals for the country and
//! the language of delivery, in either order:
//!
//! ```text
//! Mr. Abarry (Niger) (spoke in French): Allow me first ...
//! Mr. Michon (spoke in French) (France): ...
//! The President (spoke in French): ...
//! Mr. Chambas: ...
//! Mr. Aghaei (Iran (Islamic Republic of)): ...      one level of nesting
//! ```
//!
//! Layout damage in the source PDFs sometimes moves the speech's first
//! sentence into the language note:
//! `The President (spoke I thank Ms. DiCarlo for her briefing. in French): I now ...`.
//! The parser recovers that sentence as [`Header::spilled`] so it can be
//! counted with the speech instead of thrown away with the header.
//!
//! This stage only finds and splits the header; deciding the role and looking
//! the country up is done by the caller ([`super::ingest`]).

/// A parsed speaker header; all slices borrow from the speech text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The speaker as written, e.g. `Mr. Abarry`, `The President`.
    pub speaker: &'a str,
    /// The first parenthetical that is not a language note, e.g. `Niger`.
    pub country: Option<&'a str>,
    /// The language named in a note such as `spoke in French`, e.g. `French`.
    pub language: Option<&'a str>,
    /// Whether the header has a language note at all (its language may be
    /// unreadable: `spoke in English and French`).
    pub language_note: bool,
    /// Speech text that layout damage moved into the language note.
    pub spilled: Option<&'a str>,
    /// Byte offset where the speech proper starts (after the colon and blanks).
    pub body_start: usize,
}

/// Longest speaker name, in words, that is still taken for a header.
const MAX_SPEAKER_WORDS: usize = 10;
/// Longest parenthetical, in bytes; a longer one is not a header.
const MAX_PAREN_BYTES: usize = 400;

/// Parses the header at the start of `text`, or returns `None` when the text
/// does not start with one.
pub fn parse_header(text: &str) -> Option<Header<'_>> {
    // Blanks and stray byte-order marks before the speaker are skipped.
    let start = text.len()
        - text
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
            .len();
    let mut pos = start;
    let mut words = 0;
    // The speaker: words that start with a letter and hold letters, digits,
    // '.', apostrophes and hyphens, separated by blanks.
    loop {
        let word_len = speaker_word_len(&text[pos..])?;
        pos += word_len;
        words += 1;
        let after_blanks = pos + blank_len(&text[pos..]);
        match text[after_blanks..].chars().next()? {
            '(' | ':' => break,
            c if c.is_alphabetic() && after_blanks > pos && words < MAX_SPEAKER_WORDS => {
                pos = after_blanks;
            }
            _ => return None,
        }
    }
    let speaker = &text[start..pos];
    let mut header = Header {
        speaker,
        country: None,
        language: None,
        language_note: false,
        spilled: None,
        body_start: 0,
    };
    loop {
        pos += blank_len(&text[pos..]);
        match text[pos..].chars().next()? {
            ':' => {
                pos += 1;
                break;
            }
            '(' => {
                let inner_len = paren_inner_len(&text[pos + 1..])?;
                let inner = text[pos + 1..pos + 1 + inner_len].trim();
                pos += inner_len + 2;
                match language_note(inner) {
                    Some((language, spilled)) => {
                        header.language_note = true;
                        header.language = header.language.or(language);
                        header.spilled = header.spilled.or(spilled);
                    }
                    None if header.country.is_none() => header.country = Some(inner),
                    None => {}
                }
            }
            _ => return None,
        }
    }
    header.body_start = pos + blank_len(&text[pos..]);
    Some(header)
}

fn blank_len(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// Length of a speaker word at the start of `s`, if there is one.
fn speaker_word_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_alphabetic() {
        return None;
    }
    let end = chars
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '\'' | '’' | '-')))
        .map_or(s.len(), |(i, _)| i);
    Some(end)
}

/// Length of the inside of a parenthetical whose `(` was just consumed,
/// allowing one level of nesting; `None` when it holds a colon or a line
/// break, or runs too long: then it is speech, not a header.
fn paren_inner_len(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        if i > MAX_PAREN_BYTES {
            return None;
        }
        match c {
            '(' if depth == 0 => depth = 1,
            '(' => return None,
            ')' if depth == 0 => return Some(i),
            ')' => depth = 0,
            ':' | '\n' | '\r' => return None,
            _ => {}
        }
    }
    None
}

/// Reads a language note (`spoke in French`, `interpretation from Arabic`),
/// returning the language and any spilled speech text; `None` when the
/// parenthetical is not a language note.
fn language_note(inner: &str) -> Option<(Option<&str>, Option<&str>)> {
    let (rest, marker) = if let Some(rest) = strip_prefix_ignore_case(inner, "spoke") {
        (rest, " in ")
    } else {
        (strip_prefix_ignore_case(inner, "interpretation")?, " from ")
    };
    // `rest` is " in French" normally, " I thank ... briefing. in French" when damaged.
    let rest = rest.trim_end();
    let cut = rest.rfind(marker)?;
    let language = rest[cut + marker.len()..].trim();
    let language =
        (!language.is_empty() && language.chars().all(char::is_alphabetic)).then_some(language);
    let spilled = rest[..cut].trim();
    Some((language, (!spilled.is_empty()).then_some(spilled)))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    let rest = &s[prefix.len()..];
    // "spoke" must be a whole word: "spokesperson" is no language note.
    let word_ends = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
    (head.eq_ignore_ascii_case(prefix) && word_ends).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Header<'_> {
        parse_header(text).unwrap_or_else(|| panic!("no header in {text:?}"))
    }

    #[test]
    fn representative_with_language() {
        let text = "Mr. Abarry (Niger) (spoke in French): Allow me";
        let h = parse(text);
        assert_eq!(h.speaker, "Mr. Abarry");
        assert_eq!(h.country, Some("Niger"));
        assert_eq!(h.language, Some("French"));
        assert_eq!(h.spilled, None);
        assert_eq!(&text[h.body_start..], "Allow me");
    }

    #[test]
    fn swapped_order() {
        let h = parse("Mr. Michon (spoke in French) (France): Merci");
        assert_eq!(
            (h.speaker, h.country, h.language),
            ("Mr. Michon", Some("France"), Some("French"))
        );
    }

    #[test]
    fn president_and_officials() {
        let h = parse("The President: I thank");
        assert_eq!(
            (h.speaker, h.country, h.language),
            ("The President", None, None)
        );
        let h = parse("The President (spoke in French): Je");
        assert_eq!(
            (h.speaker, h.country, h.language),
            ("The President", None, Some("French"))
        );
        let h = parse("Mr. Chambas: I am honoured");
        assert_eq!((h.speaker, h.country), ("Mr. Chambas", None));
        let h = parse("The Secretary-General (spoke in French): I");
        assert_eq!(
            (h.speaker, h.country, h.language),
            ("The Secretary-General", None, Some("French"))
        );
        let h = parse("Hadiza (spoke in French): My name");
        assert_eq!(
            (h.speaker, h.country, h.language),
            ("Hadiza", None, Some("French"))
        );
    }

    #[test]
    fn multi_word_names_and_apostrophes() {
        let h = parse("Mrs. Pinto Lopes D'Alva (Guinea-Bissau): Thank you");
        assert_eq!(
            (h.speaker, h.country),
            ("Mrs. Pinto Lopes D'Alva", Some("Guinea-Bissau"))
        );
        let h = parse("Monsignor Hansen (Holy See): The Holy See");
        assert_eq!(
            (h.speaker, h.country),
            ("Monsignor Hansen", Some("Holy See"))
        );
        let h = parse("Ms. Sori-Coulibaly: Thank you");
        assert_eq!(h.speaker, "Ms. Sori-Coulibaly");
    }

    #[test]
    fn nested_parentheses() {
        let h = parse("Mr. Aghaei (Iran (Islamic Republic of)) (spoke in Persian): We");
        assert_eq!(h.country, Some("Iran (Islamic Republic of)"));
        assert_eq!(h.language, Some("Persian"));
    }

    #[test]
    fn damaged_header_keeps_the_spilled_sentence() {
        let text = "The President (spoke I thank Ms. DiCarlo for her briefing. in French): I now give the floor to Ms. Grau.";
        let h = parse(text);
        assert_eq!(h.speaker, "The President");
        assert_eq!(h.country, None);
        assert_eq!(h.language, Some("French"));
        assert_eq!(h.spilled, Some("I thank Ms. DiCarlo for her briefing."));
        assert_eq!(&text[h.body_start..], "I now give the floor to Ms. Grau.");
    }

    #[test]
    fn unreadable_language_note() {
        let h = parse("Mr. X (Canada) (spoke in English and French): We");
        assert_eq!(
            (h.country, h.language, h.language_note),
            (Some("Canada"), None, true)
        );
        assert!(!parse("Mr. X (Canada): We").language_note);
    }

    #[test]
    fn byte_order_marks_before_the_speaker() {
        let text = "\u{FEFF}\u{FEFF} The President: I";
        let h = parse(text);
        assert_eq!(h.speaker, "The President");
        assert_eq!(&text[h.body_start..], "I");
    }

    #[test]
    fn interpretation_note() {
        let h = parse("Mr. Malik (Pakistan) (interpretation from Arabic): We");
        assert_eq!((h.country, h.language), (Some("Pakistan"), Some("Arabic")));
    }

    #[test]
    fn not_a_header() {
        for text in [
            "First, let me join the other speakers in congratulating Mr. Thomson.",
            "In 2019, the Council met: 40 times",
            "1. The situation (as we know: grave)",
            "",
            "   ",
            "(France): no speaker",
            "one two three four five six seven eight nine ten eleven: too long",
            "Mr. X (unclosed: paren",
        ] {
            assert_eq!(parse_header(text), None, "{text:?}");
        }
    }

    #[test]
    fn ten_words_is_still_a_speaker() {
        let h = parse("One Two Three Four Five Six Seven Eight Nine Ten: x");
        assert_eq!(h.speaker.split(' ').count(), 10);
    }

    #[test]
    fn spokesperson_is_a_country_parenthetical_not_a_note() {
        let h = parse("Ms. Ray (Spokesperson): Today");
        assert_eq!((h.country, h.language), (Some("Spokesperson"), None));
    }
}
