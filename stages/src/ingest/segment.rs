//! Meeting records: one verbatim record (`S/PV.8704`, `A/75/PV.3`, …) as
//! text, split into its speaker turns.
//!
//! [`segment`] reads a record turned into text (e.g. by `pdftotext`), one
//! line at a time:
//!
//! - **Page furniture** is removed and counted by kind ([`Furniture`]):
//!   running heads (`16/01/2020 The situation in the Middle East S/PV.8704`,
//!   or symbol first and date last, on a line of their own or glued into a
//!   line), job numbers (`20-00911`, `20-00911 (E)`, the bar code
//!   `*2000911*`), page numbers on a line of their own (`3/34`) or right
//!   after other furniture, the times of the meeting (`The meeting rose at
//!   12.15 p.m.`, `… was called to order / suspended / resumed / adjourned
//!   at …`), and the notice on corrections printed on the first page
//!   (`This record contains the text of speeches …`).
//! - **Turns** start at a line that opens with a speaker header, as parsed
//!   by [`super::header::parse_header`] (so a turn's speaker, country and
//!   language read exactly as in a file-per-speech corpus), when the speaker
//!   looks like one: a title (`Mr.`, `Ms.`, `Monsignor`, …) followed by
//!   capitalized names, `The` + an office (`The President`, `The
//!   Secretary-General`), or capitalized names with a parenthetical
//!   (`Hadiza (spoke in French):`). Vote lists (`In favour:`), cover-page
//!   lines (`President:`, `Members:`) and sentences that merely hold a colon
//!   are not turns. A header broken over two or three lines inside its
//!   parentheticals (`Mr. Petrov (Russian Federation) (spoke` / `in
//!   Russian): …`) or after a line holding only a name (`Mr. Van den Berg` /
//!   `de Lange (Belgium): …`) is joined back onto one line, across page
//!   furniture too.
//! - **The header of the record** gives the meeting symbol (the first
//!   symbol before the first turn, else the first running head's) and the
//!   date (`Thursday, 16 January 2020, 10 a.m.` on the cover page, else a
//!   running head's `16/01/2020`), as an ISO 8601 date.
//!
//! Lines before the first turn (cover page, agenda, "The agenda was
//! adopted.") are not speech and are counted as `preamble_lines`. Text
//! between turns (agenda titles, vote results) stays with the turn before,
//! as in the file-per-speech corpora.
//!
//! What it does not do: read PDFs, undo two-column layouts mixed into one
//! line (`pdftotext -layout` on two-column pages), join a header broken in
//! more than three pieces, or tell a footnote from the speech around it. It
//! reads no files and keeps no state.

use std::fmt;
use std::ops::Range;

use super::header::{parse_header, Header};

/// Page furniture removed from a record, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Furniture {
    /// Running heads: date, title and symbol of the meeting.
    pub running_heads: u64,
    /// Job numbers (`20-00911`, `20-00911 (E)`) and bar codes (`*2000911*`).
    pub job_numbers: u64,
    /// Page numbers (`3/34`).
    pub page_numbers: u64,
    /// `The meeting rose at …` and the other times of the meeting.
    pub meeting_times: u64,
    /// The first page's notice on corrections, `This record contains …`.
    pub notices: u64,
    /// Lines before the first turn: cover page, agenda.
    pub preamble_lines: u64,
}

impl Furniture {
    /// Adds another record's counts.
    pub fn add(&mut self, other: &Furniture) {
        for ((_, mine), (_, theirs)) in self.kinds_mut().into_iter().zip(other.by_kind()) {
            *mine += theirs;
        }
    }

    /// The counts with their labels, in a fixed order (for the manifest).
    pub fn by_kind(&self) -> [(&'static str, u64); 6] {
        [
            ("running_heads", self.running_heads),
            ("job_numbers", self.job_numbers),
            ("page_numbers", self.page_numbers),
            ("meeting_times", self.meeting_times),
            ("notices", self.notices),
            ("preamble_lines", self.preamble_lines),
        ]
    }

    fn kinds_mut(&mut self) -> [(&'static str, &mut u64); 6] {
        [
            ("running_heads", &mut self.running_heads),
            ("job_numbers", &mut self.job_numbers),
            ("page_numbers", &mut self.page_numbers),
            ("meeting_times", &mut self.meeting_times),
            ("notices", &mut self.notices),
            ("preamble_lines", &mut self.preamble_lines),
        ]
    }
}

/// One turn of a record: where its text lies in [`Record::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Position in the meeting, from 1.
    pub number: u32,
    /// Its text (speaker header first) in [`Record::text`].
    pub span: Range<usize>,
    /// Line of the input (from 1) where its speaker header starts.
    pub line: usize,
}

/// A segmented meeting record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The meeting symbol, e.g. `S/PV.8704`, `S/PV.8706 (Resumption 1)`, `A/75/PV.3`.
    pub symbol: Option<String>,
    /// The meeting date, ISO 8601 (`2020-01-16`).
    pub date: Option<String>,
    /// The turns' text, furniture removed, one turn after another.
    pub text: String,
    /// The turns, in order.
    pub turns: Vec<Turn>,
    /// What was removed.
    pub furniture: Furniture,
}

impl Record {
    /// The text of a turn, its speaker header first.
    pub fn turn_text(&self, turn: &Turn) -> &str {
        &self.text[turn.span.clone()]
    }

    /// The year of the meeting, from its date.
    pub fn year(&self) -> Option<i32> {
        self.date.as_deref()?.get(..4)?.parse().ok()
    }
}

/// Why a text cannot be read as a meeting record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentError {
    /// No line opens with a speaker header.
    NoTurn {
        /// Lines read.
        lines: usize,
    },
}

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SegmentError::NoTurn { lines } => write!(
                f,
                "no speaker turn (a line opening with `The President:` or `Mr. X (Country):`) \
                 in {lines} lines: not a meeting record; without --records each file is one speech"
            ),
        }
    }
}

impl std::error::Error for SegmentError {}

/// Most lines a broken speaker header is joined from.
const MAX_HEADER_LINES: usize = 3;
/// Longest title of a running head, in bytes, between its date and symbol.
const MAX_TITLE_BYTES: usize = 300;
/// Most lines the notice on corrections takes: the lines after it are kept
/// even when its end (`documents.un.org`) was not seen.
const MAX_NOTICE_LINES: usize = 15;

/// Splits a meeting record into turns; see the module documentation.
pub fn segment(input: &str) -> Result<Record, SegmentError> {
    let lines: Vec<&str> = input.split('\n').collect();
    let mut record = Record {
        symbol: None,
        date: None,
        text: String::with_capacity(input.len()),
        turns: Vec::new(),
        furniture: Furniture::default(),
    };
    // A symbol or date read from a running head, used when the cover page has none.
    let (mut head_symbol, mut head_date) = (None, None);
    let mut notice_lines = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = clean_line(lines[i]);
        i += 1;
        if notice_lines > 0 {
            // Inside the notice on corrections: it ends with the address of the
            // documents system; a speaker line (a notice cut short) ends it too.
            let speaker = parse_header(line).is_some_and(|h| plausible(&h));
            if !speaker {
                let ended = line.contains("documents.un.org") || notice_lines >= MAX_NOTICE_LINES;
                notice_lines = if ended { 0 } else { notice_lines + 1 };
                continue;
            }
            notice_lines = 0;
        }
        if line.starts_with("This record contains the text of speeches") {
            record.furniture.notices += 1;
            notice_lines = usize::from(!line.contains("documents.un.org"));
            continue;
        }
        if !line.is_empty() {
            if let Some((header, used)) = header_at(&lines, i - 1, &mut record.furniture) {
                close_turn(&mut record);
                record.turns.push(Turn {
                    number: record.turns.len() as u32 + 1,
                    span: record.text.len()..0,
                    line: i,
                });
                i += used - 1;
                // Furniture is cut from the speech after the header only, so
                // the turn keeps the header exactly as it was parsed.
                let body_start = parse_header(&header).map_or(0, |h| h.body_start);
                let (head, body) = header.split_at(body_start);
                let kept = strip_inline(body, &mut record.furniture, &mut Found::default());
                record.text.push_str(head.trim_end());
                if !kept.is_empty() {
                    record.text.push(' ');
                    record.text.push_str(&kept);
                }
                record.text.push('\n');
                continue;
            }
        }
        let mut found = Found::default();
        let kept = strip_inline(line, &mut record.furniture, &mut found);
        head_symbol = head_symbol.or(found.symbol.take());
        head_date = head_date.or(found.date.take());
        if record.turns.is_empty() {
            if !kept.trim().is_empty() {
                record.furniture.preamble_lines += 1;
                record.symbol = record.symbol.take().or_else(|| find_symbol(&kept));
                record.date = record.date.take().or_else(|| cover_date(&kept));
            }
        } else if line.is_empty() {
            // Paragraph breaks are kept; a line that was all furniture leaves nothing.
            record.text.push('\n');
        } else if !kept.is_empty() {
            record.text.push_str(&kept);
            record.text.push('\n');
        }
    }
    close_turn(&mut record);
    if record.turns.is_empty() {
        return Err(SegmentError::NoTurn {
            lines: input.lines().count(),
        });
    }
    record.symbol = record.symbol.or(head_symbol);
    record.date = record.date.or(head_date);
    Ok(record)
}

/// Ends the last turn where the text is now, without trailing blanks.
fn close_turn(record: &mut Record) {
    let end = record.text.trim_end().len();
    if let Some(turn) = record.turns.last_mut() {
        turn.span.end = end.max(turn.span.start);
    }
}

/// A line without its line end, form feeds (page breaks), byte-order marks
/// and outer blanks.
fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}' || c == '\u{000C}')
}

/// The speaker header starting at line `i`, joined onto one line when it is
/// broken inside its parentheticals (across page furniture too, which is
/// added to `furniture`), and how many lines it took.
fn header_at(lines: &[&str], i: usize, furniture: &mut Furniture) -> Option<(String, usize)> {
    let first = clean_line(lines[i]);
    if !first.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    if let Some(h) = parse_header(first) {
        return plausible(&h).then(|| (first.to_owned(), 1));
    }
    let mut joined = first.to_owned();
    let mut skipped = Furniture::default();
    let (mut used, mut parts) = (1, 1);
    while parts < MAX_HEADER_LINES {
        // Only a header cut inside or right after a parenthetical, or after
        // the name (`Mr. Van den Berg de Lange` / `(Belgium): …`), is joined.
        let open = joined.matches('(').count() > joined.matches(')').count();
        if !(open || joined.ends_with(')') || name_only(&joined)) {
            return None;
        }
        let next = clean_line(lines.get(i + used)?);
        used += 1;
        if next.is_empty() {
            return None;
        }
        let mut f = Furniture::default();
        if strip_inline(next, &mut f, &mut Found::default()).is_empty() {
            // A page break inside the header: its footer and running head.
            if used > MAX_HEADER_LINES + 4 {
                return None;
            }
            skipped.add(&f);
            continue;
        }
        parts += 1;
        joined.push(' ');
        joined.push_str(next);
        if let Some(h) = parse_header(&joined) {
            if !plausible(&h) {
                return None;
            }
            furniture.add(&skipped);
            return Some((joined, used));
        }
    }
    None
}

/// Whether a line holds nothing but a speaker's name: a title (or `The`)
/// and capitalized words, as when the line breaks before the parentheticals.
fn name_only(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or_default();
    let rest: Vec<&str> = words.collect();
    // `… give the floor to` / `Mr. Okafor.` ends a sentence, not a name.
    let ends_name = !line.ends_with(['.', ',', ';']);
    (TITLES.contains(&first) || first == "The")
        && ends_name
        && (1..MAX_NAME_WORDS).contains(&rest.len())
        && rest.iter().all(|w| {
            (w.starts_with(|c: char| c.is_uppercase()) || PARTICLES.contains(w))
                && !w.contains([':', '(', ')'])
        })
}

/// Most words of a name alone on a line that is joined with the next.
const MAX_NAME_WORDS: usize = 8;

/// Titles that open a speaker's name.
const TITLES: &[&str] = &[
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx.",
    "Dame",
    "Sir",
    "Lord",
    "Lady",
    "Baroness",
    "Baron",
    "Monsignor",
    "Msgr.",
    "Archbishop",
    "Cardinal",
    "Bishop",
    "Sheikh",
    "Shaikh",
    "Sheikha",
    "Prince",
    "Princess",
    "King",
    "Queen",
    "Emir",
    "Emperor",
    "Grand",
    // Heads of State and Government in the General Assembly: `President Moreno:`.
    "President",
    "Vice-President",
    "Prime",
    "Chancellor",
    "Dr.",
    "Dr",
    "Professor",
    "Prof.",
    "H.E.",
    "His",
    "Her",
    "Rev.",
    "Reverend",
    "Father",
    "Sister",
    "Judge",
    "Ambassador",
];

/// Words of the offices that speak as `The …:` (`The Acting President`,
/// `The Deputy Secretary-General`, `The Chair`).
const OFFICES: &[&str] = &[
    "President",
    "Secretary",
    "Chair",
    "Rapporteur",
    "Commissioner",
    "Prosecutor",
    "Registrar",
    "Representative",
    "Envoy",
    "Director",
    "Coordinator",
    "Administrator",
    "Adviser",
    "Minister",
    "Judge",
    "Observer",
    "Head",
    "Spokesperson",
];

/// Small words inside a name or an office (`Van den Berg de Lange`, `The
/// President of the General Assembly`).
const PARTICLES: &[&str] = &[
    "de", "da", "das", "do", "dos", "del", "della", "der", "den", "di", "du", "van", "von", "zu",
    "al", "el", "bin", "binti", "ibn", "ben", "bint", "abu", "la", "le", "y", "e", "ter", "of",
    "the", "for", "and", "on", "to",
];

/// Whether a parsed header names a speaker rather than, say, `In favour:`.
fn plausible(h: &Header<'_>) -> bool {
    let mut words = h.speaker.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let rest: Vec<&str> = words.collect();
    let capitalized = |w: &&str| w.starts_with(|c: char| c.is_uppercase()) || PARTICLES.contains(w);
    if !rest.iter().all(capitalized) {
        return false;
    }
    let starts_upper = |w: &str| w.starts_with(|c: char| c.is_uppercase());
    if TITLES.contains(&first) {
        // `General of the Agency:` at the start of a wrapped line is no speaker.
        return rest
            .first()
            .is_some_and(|w| !["of", "the", "for", "and", "on", "to"].contains(w));
    }
    if first == "The" {
        // `The President`, `The Acting President`, `The Secretary-General`;
        // not `The Arms Trade Treaty:` at the start of a wrapped line.
        return rest.first().is_some_and(|w| starts_upper(w))
            && rest.iter().any(|w| OFFICES.iter().any(|o| w.contains(o)));
    }
    // A bare name needs a country or a language note: `Hadiza (spoke in French):`.
    starts_upper(first) && (h.country.is_some() || h.language_note)
}

/// What the furniture of a line said about the meeting.
#[derive(Debug, Default)]
struct Found {
    symbol: Option<String>,
    date: Option<String>,
}

/// A line without its furniture, counting what was removed.
fn strip_inline<'a>(
    line: &'a str,
    furniture: &mut Furniture,
    found: &mut Found,
) -> std::borrow::Cow<'a, str> {
    let mut cuts: Vec<Range<usize>> = Vec::new();
    let b = line.as_bytes();
    // Running heads: a date and a symbol with a title between, in either order.
    let dates = all_matches(line, date_at);
    let symbols = all_matches(line, symbol_at);
    for d in &dates {
        for s in &symbols {
            let (a, z) = if d.0.start < s.0.start {
                (&d.0, &s.0)
            } else {
                (&s.0, &d.0)
            };
            if a.end < z.start
                && z.start - a.end <= MAX_TITLE_BYTES
                && is_title(&line[a.end..z.start])
                && !cuts.iter().any(|c| c.start < z.end && a.start < c.end)
            {
                cuts.push(a.start..z.end);
                furniture.running_heads += 1;
                found.symbol.get_or_insert_with(|| s.1.clone());
                found.date.get_or_insert_with(|| d.1.clone());
            }
        }
    }
    // The times of the meeting.
    for phrase in MEETING_TIMES {
        let mut from = 0;
        while let Some(at) = line[from..].find(phrase).map(|p| p + from) {
            let end = time_end(line, at + phrase.len()).unwrap_or(line.len());
            cuts.push(at..end);
            furniture.meeting_times += 1;
            from = end;
        }
    }
    // Job numbers and bar codes.
    let mut k = 0;
    while k < b.len() {
        if let Some(end) = job_number_at(b, k) {
            cuts.push(k..end);
            furniture.job_numbers += 1;
            k = end;
        } else {
            k += 1;
        }
    }
    // Page numbers: alone on a line, or beside other furniture (`2/4 26-01234`,
    // `… rose at 1.30 p.m. 37/37`), never inside a sentence (`3/4 of the budget`).
    let starts = std::iter::once(0).chain(cuts.iter().map(|c| c.end));
    let mut pages = Vec::new();
    for after in starts {
        let start = after + b[after..].iter().take_while(|c| **c == b' ').count();
        let Some(end) = page_number_at(b, start) else {
            continue;
        };
        let rest = end + b[end..].iter().take_while(|c| **c == b' ').count();
        let alone_before = after > 0 || start == 0;
        let alone_after = rest == b.len() || cuts.iter().any(|c| c.start == rest);
        if alone_before && alone_after {
            pages.push(start..end);
        }
    }
    for p in pages {
        if !cuts.iter().any(|c| c.start < p.end && p.start < c.end) {
            cuts.push(p);
            furniture.page_numbers += 1;
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(line);
    }
    cuts.sort_by_key(|c| c.start);
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for c in cuts {
        if c.start > at {
            push_joined(&mut out, &line[at..c.start]);
        }
        at = at.max(c.end);
    }
    push_joined(&mut out, &line[at..]);
    std::borrow::Cow::Owned(out.trim().to_owned())
}

/// Appends a piece of a line, with one blank between pieces.
fn push_joined(out: &mut String, piece: &str) {
    let piece = piece.trim();
    if piece.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(piece);
}

/// How the times of the meeting are given.
const MEETING_TIMES: &[&str] = &[
    "The meeting rose at ",
    "The meeting was called to order at ",
    "The meeting was suspended at ",
    "The meeting was resumed at ",
    "The meeting was adjourned at ",
];

/// The end of a time (`12.15 p.m.`, `noon`) starting near `from`, with its full stop.
fn time_end(line: &str, from: usize) -> Option<usize> {
    let rest = line.get(from..)?;
    let mut cut = rest.len().min(24);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let window = &rest[..cut];
    let (at, len) = ["a.m.", "p.m.", "noon", "midnight"]
        .iter()
        .filter_map(|m| window.find(m).map(|p| (p, m.len())))
        .min()?;
    let mut end = from + at + len;
    if line[end..].starts_with('.') {
        end += 1;
    }
    Some(end)
}

/// Every match of `at` in `line`, left to right, without overlaps.
fn all_matches(
    line: &str,
    at: fn(&str, usize) -> Option<(usize, String)>,
) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    let mut k = 0;
    while k < line.len() {
        match at(line, k) {
            Some((end, value)) => {
                found.push((k..end, value));
                k = end;
            }
            None => k += line[k..].chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// Whether the text between a running head's date and symbol can be a
/// meeting title: not a sentence (no `: ` or sentence break), not empty.
fn is_title(between: &str) -> bool {
    between.starts_with(' ')
        && between.ends_with(' ')
        && between.trim().len() >= 3
        && !between.contains(". ")
        && !between.contains(": ")
}

/// Length of the run of ASCII digits at `b[k..]`.
fn digits(b: &[u8], k: usize) -> usize {
    b.get(k..)
        .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// Whether a number could start at `k` (not in the middle of a word or number).
fn starts_token(b: &[u8], k: usize) -> bool {
    k == 0 || !(b[k - 1].is_ascii_alphanumeric() || matches!(b[k - 1], b'/' | b'-' | b'.'))
}

/// Whether a number ends at `k`.
fn ends_token(b: &[u8], k: usize) -> bool {
    k == b.len() || !(b[k].is_ascii_alphanumeric() || matches!(b[k], b'/' | b'-'))
}

/// A date `dd/mm/yyyy` at `k`: its end and ISO form.
fn date_at(line: &str, k: usize) -> Option<(usize, String)> {
    let b = line.as_bytes();
    // Running heads are glued to a full stop in damaged text (`step.04/02/2026`).
    if (k > 0 && (b[k - 1].is_ascii_digit() || b[k - 1] == b'/'))
        || digits(b, k) != 2
        || b.get(k + 2) != Some(&b'/')
        || digits(b, k + 3) != 2
        || b.get(k + 5) != Some(&b'/')
        || digits(b, k + 6) != 4
        || !ends_token(b, k + 10)
    {
        return None;
    }
    let (d, m, y) = (&line[k..k + 2], &line[k + 3..k + 5], &line[k + 6..k + 10]);
    iso_date(y, m.parse().ok()?, d.parse().ok()?).map(|iso| (k + 10, iso))
}

/// `yyyy-mm-dd` when month and day are in range.
fn iso_date(year: &str, month: u32, day: u32) -> Option<String> {
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year}-{month:02}-{day:02}"))
}

/// A meeting symbol at `k` (`S/PV.8704`, `S/PV.8706 (Resumption 1)`,
/// `A/75/PV.3`, `A/ES-10/PV.41`): its end and the symbol.
fn symbol_at(line: &str, k: usize) -> Option<(usize, String)> {
    let b = line.as_bytes();
    if !starts_token(b, k) || !matches!(b.get(k), Some(b'S' | b'A')) || b.get(k + 1) != Some(&b'/')
    {
        return None;
    }
    let mut p = k + 2;
    if b[k] == b'A' {
        // The session: `75/`, `ES-10/`.
        let len = b[p..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if len == 0 || b.get(p + len) != Some(&b'/') {
            return None;
        }
        p += len + 1;
    }
    if !line[p..].starts_with("PV.") {
        return None;
    }
    p += 3;
    let n = digits(b, p);
    if n == 0 {
        return None;
    }
    p += n;
    let mut symbol = line[k..p].to_owned();
    if let Some(rest) = line[p..].strip_prefix(" (Resumption ") {
        let n = digits(rest.as_bytes(), 0);
        if n > 0 && rest[n..].starts_with(')') {
            symbol.push_str(&line[p..p + 13 + n + 1]);
            p += 13 + n + 1;
        }
    }
    ends_token(b, p).then_some((p, symbol))
}

/// The first meeting symbol in a line.
fn find_symbol(line: &str) -> Option<String> {
    all_matches(line, symbol_at).into_iter().next().map(|m| m.1)
}

/// A job number at `k` (`20-00911`, with ` (E)` after it) or a bar code
/// (`*2000911*`): its end.
fn job_number_at(b: &[u8], k: usize) -> Option<usize> {
    if b[k] == b'*' {
        let n = digits(b, k + 1);
        return ((7..=8).contains(&n) && b.get(k + 1 + n) == Some(&b'*')).then_some(k + n + 2);
    }
    if !starts_token(b, k) || digits(b, k) != 2 || b.get(k + 2) != Some(&b'-') {
        return None;
    }
    if digits(b, k + 3) != 5 || !ends_token(b, k + 8) {
        return None;
    }
    let mut end = k + 8;
    // The language letter of the job number: `20-00911 (E)`.
    if let [b' ', b'(', letter, b')', ..] = b[end..] {
        if letter.is_ascii_uppercase() {
            end += 4;
        }
    }
    Some(end)
}

/// A page number `n/m` (n ≤ m) at `k`: its end.
fn page_number_at(b: &[u8], k: usize) -> Option<usize> {
    let n = digits(b, k);
    if n == 0 || n > 4 || !starts_token(b, k) || b.get(k + n) != Some(&b'/') {
        return None;
    }
    let m = digits(b, k + n + 1);
    let end = k + n + 1 + m;
    if m == 0 || m > 4 || !ends_token(b, end) {
        return None;
    }
    let page: u32 = std::str::from_utf8(&b[k..k + n]).ok()?.parse().ok()?;
    let pages: u32 = std::str::from_utf8(&b[k + n + 1..end]).ok()?.parse().ok()?;
    (page >= 1 && page <= pages).then_some(end)
}

/// The date of a cover page line such as `Thursday, 16 January 2020, 10 a.m.`.
fn cover_date(line: &str) -> Option<String> {
    const WEEKDAYS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let rest = WEEKDAYS
        .iter()
        .find_map(|d| line.strip_prefix(d))?
        .strip_prefix(',')?;
    let mut words = rest.split([' ', ',']).filter(|w| !w.is_empty());
    let day: u32 = words.next()?.parse().ok()?;
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year = words.next()?;
    (year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()))
        .then(|| iso_date(year, month, day))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short record in the shape `pdftotext` gives a Security Council
    /// record: cover page, notice, turns, page furniture between them.
    const RECORD: &str = "\
United Nations S/PV.9990
Security Council
Eightieth year
9990th meeting
Tuesday, 3 March 2026, 10 a.m.
New York
President: Mr. Okafor . . . . . . . . . (Nigeria)
Members: Brazil . . . . . . Mr. Lima
The meeting was called to order at 10.05 a.m.
Adoption of the agenda
The agenda was adopted.
The President: I welcome the Minister. I give the floor
to Ms. Rivera.
This record contains the text of speeches delivered in English and of the
translation of speeches delivered in other languages. Corrections should be
submitted (http://documents.un.org).
26-01234 (E)
*2601234*
Ms. Rivera: Thank you, Mr. President. The river rose
in March.
\x0c2/4 26-01234
03/03/2026 Floods and security S/PV.9990
Mr. Dubois (France) (spoke in French): The floods are a
threat. In favour: Brazil, France.
Against:
None
Mr. Petrov (Russian Federation) (spoke
in Russian): We agree.
S/PV.9990 Floods and security 03/03/2026
Hadiza (spoke in French): My name is Hadiza.
Monsignor Hansen (Holy See): Peace.
The meeting rose at 11.40 a.m.
4/4 26-01234
";

    #[test]
    fn turns_speakers_and_text() {
        let r = segment(RECORD).unwrap();
        let turns: Vec<(u32, usize, &str)> = r
            .turns
            .iter()
            .map(|t| (t.number, t.line, r.turn_text(t)))
            .collect();
        assert_eq!(
            turns,
            vec![
                (
                    1,
                    12,
                    "The President: I welcome the Minister. I give the floor\nto Ms. Rivera."
                ),
                (2, 19, "Ms. Rivera: Thank you, Mr. President. The river rose\nin March."),
                (
                    3,
                    23,
                    "Mr. Dubois (France) (spoke in French): The floods are a\nthreat. In favour: Brazil, France.\nAgainst:\nNone"
                ),
                (
                    4,
                    27,
                    "Mr. Petrov (Russian Federation) (spoke in Russian): We agree."
                ),
                (5, 30, "Hadiza (spoke in French): My name is Hadiza."),
                (6, 31, "Monsignor Hansen (Holy See): Peace."),
            ]
        );
    }

    #[test]
    fn symbol_date_and_furniture() {
        let r = segment(RECORD).unwrap();
        assert_eq!(r.symbol.as_deref(), Some("S/PV.9990"));
        assert_eq!(r.date.as_deref(), Some("2026-03-03"));
        assert_eq!(
            r.furniture,
            Furniture {
                running_heads: 2,
                // 26-01234 (E), the bar code, and twice beside page numbers.
                job_numbers: 4,
                page_numbers: 2,
                meeting_times: 2,
                notices: 1,
                // United Nations … The agenda was adopted., less the meeting time.
                preamble_lines: 10,
            }
        );
    }

    #[test]
    fn glued_running_heads_are_cut_out_of_a_line() {
        let mut f = Furniture::default();
        let mut found = Found::default();
        let line = "a welcome step.04/02/2026 Floods and security S/PV.9990 We know";
        // `sign.16/…`: the date is glued to the full stop, as in real files.
        assert_eq!(
            strip_inline(line, &mut f, &mut found),
            "a welcome step. We know"
        );
        let line = "the farmers. S/PV.9991 Floods and security 05/02/2026 Finally";
        assert_eq!(
            strip_inline(line, &mut f, &mut found),
            "the farmers. Finally"
        );
        assert_eq!(f.running_heads, 2);
        assert_eq!(
            (found.symbol.as_deref(), found.date.as_deref()),
            (Some("S/PV.9990"), Some("2026-02-04"))
        );
        let line = "Thank you. The meeting rose at 12.15 p.m. 20-00911";
        assert_eq!(strip_inline(line, &mut f, &mut found), "Thank you.");
        let line = "Thank you. The meeting rose at 1.30 p.m. 37/37";
        assert_eq!(strip_inline(line, &mut f, &mut found), "Thank you.");
        assert_eq!((f.meeting_times, f.job_numbers, f.page_numbers), (2, 1, 1));
    }

    #[test]
    fn speech_that_looks_like_furniture_is_kept() {
        let mut f = Furniture::default();
        let mut found = Found::default();
        for line in [
            "Resolution 2532 (2020) was adopted on 01/07/2020 by the Council.",
            "In 2019-2020, 3/4 of the budget went to S/PV.8000 follow-up.",
            "See the report S/2020/123 and 1/2 of the total: 120-00911x.",
        ] {
            assert_eq!(strip_inline(line, &mut f, &mut found), line);
        }
        assert_eq!(f, Furniture::default());
    }

    #[test]
    fn symbols() {
        let sym = |s: &str| symbol_at(s, 0).map(|m| m.1);
        assert_eq!(sym("S/PV.8704 x").as_deref(), Some("S/PV.8704"));
        assert_eq!(
            sym("S/PV.8706 (Resumption 1)").as_deref(),
            Some("S/PV.8706 (Resumption 1)")
        );
        assert_eq!(sym("A/75/PV.3").as_deref(), Some("A/75/PV.3"));
        assert_eq!(sym("A/ES-10/PV.41").as_deref(), Some("A/ES-10/PV.41"));
        assert_eq!(sym("S/2020/123"), None);
        assert_eq!(sym("S/PV.x"), None);
    }

    #[test]
    fn general_assembly_record() {
        let text = "General Assembly\nSeventy-fifth session\n3rd plenary meeting\n\
                    Tuesday, 22 September 2020, 9 a.m.\nA/75/PV.3\n\
                    The Acting President: I now call on the President.\n\
                    Mr. Lima (Brazil) (spoke in Portuguese): We meet.\n";
        let r = segment(text).unwrap();
        assert_eq!(r.symbol.as_deref(), Some("A/75/PV.3"));
        assert_eq!(r.date.as_deref(), Some("2020-09-22"));
        assert_eq!(r.year(), Some(2020));
        assert_eq!(r.turns.len(), 2);
        assert_eq!(r.furniture.preamble_lines, 5);
    }

    #[test]
    fn what_is_not_a_turn() {
        for line in [
            "In favour: Belgium, China",
            "Against:",
            "President: Mr. Okafor (Nigeria)",
            "Members: Brazil",
            "Mr. Okafor said: we must act",
            "The result of the voting is as follows:",
            "Mr.: nothing",
        ] {
            assert_eq!(
                header_at(&[line], 0, &mut Furniture::default()),
                None,
                "{line:?}"
            );
        }
        let mut f = Furniture::default();
        assert!(header_at(&["The Secretary-General: I"], 0, &mut f).is_some());
        assert!(header_at(&["Mr. Van den Berg de Lange (Belgium): I"], 0, &mut f).is_some());
        // A broken header is joined only across its parentheticals.
        assert_eq!(
            header_at(
                &["Mr. Petrov (Russian Federation)", "(spoke in Russian): We"],
                0,
                &mut f
            ),
            Some((
                "Mr. Petrov (Russian Federation) (spoke in Russian): We".to_owned(),
                2
            ))
        );
        assert_eq!(
            header_at(&["Mr. Smith spoke", "today: yes"], 0, &mut f),
            None
        );
        assert_eq!(header_at(&["General of the Agency: the"], 0, &mut f), None);
        assert!(header_at(&["President Moreno: It is"], 0, &mut f).is_some());
        assert!(header_at(&["The Deputy Secretary-General: I"], 0, &mut f).is_some());
        assert_eq!(header_at(&["The Arms Trade Treaty: A"], 0, &mut f), None);
        // The line breaks after the name, before its parentheticals.
        assert_eq!(
            header_at(
                &["Mr. Van den Berg de Lange", "(Belgium): At the"],
                0,
                &mut f
            ),
            Some(("Mr. Van den Berg de Lange (Belgium): At the".to_owned(), 2))
        );
        assert_eq!(
            header_at(&["Mr. Van den Berg de Lange", "said: no"], 0, &mut f),
            None
        );
        assert!(header_at(&["Prime Minister Ardern: We"], 0, &mut f).is_some());
        // A page break inside a broken header: joined across its furniture.
        let lines = [
            "Mr. Reyes (Dominican Republic) (spoke",
            "7/33 20-11138",
            "03/01/2020 Peace and security S/PV.8702",
            "in Spanish): Thank you.",
        ];
        assert_eq!(
            header_at(&lines, 0, &mut f),
            Some((
                "Mr. Reyes (Dominican Republic) (spoke in Spanish): Thank you.".to_owned(),
                4
            ))
        );
        assert_eq!((f.page_numbers, f.job_numbers, f.running_heads), (1, 1, 1));
    }

    #[test]
    fn damaged_president_header_is_a_turn() {
        let text = "The President (spoke I thank Ms. Ito for her briefing. in French): I now give the floor to Ms. Ho.\nMs. Ho: Thank you.\n";
        let r = segment(text).unwrap();
        assert_eq!(r.turns.len(), 2);
        assert!(r
            .turn_text(&r.turns[0])
            .starts_with("The President (spoke I thank"));
    }

    #[test]
    fn a_notice_cut_short_ends_at_a_speaker() {
        let text = "The President: One.\nThis record contains the text of speeches delivered\n\
                    in English.\nMr. Li (China): Two.\n";
        let r = segment(text).unwrap();
        assert_eq!(r.turns.len(), 2);
        assert_eq!(r.turn_text(&r.turns[1]), "Mr. Li (China): Two.");
        assert_eq!(r.furniture.notices, 1);
    }

    #[test]
    fn no_turn_is_an_error() {
        assert_eq!(
            segment("Just a speech.\nWith two lines.\n"),
            Err(SegmentError::NoTurn { lines: 2 })
        );
        assert_eq!(segment(""), Err(SegmentError::NoTurn { lines: 0 }));
    }

    #[test]
    fn crlf_and_furniture_only_lines_leave_no_blank_lines() {
        let text = "The President: One\r\n3/34\r\n20-00911\r\ntwo.\r\n\r\nThree.\r\n";
        let r = segment(text).unwrap();
        assert_eq!(
            r.turn_text(&r.turns[0]),
            "The President: One\ntwo.\n\nThree."
        );
        assert_eq!((r.furniture.page_numbers, r.furniture.job_numbers), (1, 1));
    }

    #[test]
    fn furniture_adds_up() {
        let mut a = Furniture {
            running_heads: 1,
            notices: 2,
            ..Furniture::default()
        };
        a.add(&Furniture {
            running_heads: 3,
            preamble_lines: 4,
            ..Furniture::default()
        });
        assert_eq!(
            a.by_kind(),
            [
                ("running_heads", 4),
                ("job_numbers", 0),
                ("page_numbers", 0),
                ("meeting_times", 0),
                ("notices", 2),
                ("preamble_lines", 4)
            ]
        );
    }
}
