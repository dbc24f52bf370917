//! Ingest: from a decoded file to a speech's metadata and countable text.
//!
//! [`ingest`] reads what the file name says ([`filename`]), finds and removes
//! a Security Council speaker header ([`header`]), normalizes the country to
//! an ISO 3166-1 alpha-3 code and one canonical name ([`country`]), and
//! decides the speaker's role. [`SpeechMeta::apply`] then lets metadata from a
//! CSV override what names and headers said. A whole meeting record is first
//! split into turns by [`segment`]; [`ingest_turn`] reads each turn as
//! [`ingest`] reads a Security Council file.
//!
//! This stage reads no files ([`decode`] turns bytes the pipeline read into
//! text) and does not touch the speech text beyond cutting the header off.

pub mod country;
pub mod decode;
pub mod filename;
pub mod header;
pub mod segment;

use std::borrow::Cow;
use std::fmt;

pub use decode::{damaged_utf8, decode, looks_binary, DamagedUtf8, Encoding};
pub use filename::{parse_file_name, FileKind};
pub use header::{parse_header, Header};

/// Who is speaking, as reported in the `role` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Speaks for a country: a Security Council turn whose header names one,
    /// or a General Debate statement.
    Representative,
    /// The Council's President (`The President`, `The Acting President`);
    /// the country is left empty because the President speaks for the Council.
    President,
    /// A UN office named by its title, e.g. `The Secretary-General`.
    UnOfficial,
    /// A named speaker without a country: a briefer, a UN official or a guest
    /// from civil society (the header alone cannot tell them apart).
    Other,
    /// No speaker is known: a Security Council file without a readable
    /// header, or a file of no known corpus.
    None,
}

impl Role {
    /// The label written in the `role` column.
    pub fn label(self) -> &'static str {
        match self {
            Role::Representative => "representative",
            Role::President => "president",
            Role::UnOfficial => "un_official",
            Role::Other => "other",
            Role::None => "none",
        }
    }
}

/// Everything known about a speech besides its text. Missing values are
/// empty strings or `None`; they are written as empty CSV fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpeechMeta {
    /// ISO 3166-1 alpha-3 code (or `EU`, or a historical code); empty if unknown.
    pub country_iso3: String,
    /// Canonical country name, or the name as written when it is unknown.
    pub country_name: String,
    /// The speaker as written in the header or the metadata.
    pub speaker: String,
    /// The speaker's post (from the General Debate speakers table or metadata).
    pub post: String,
    /// The speaker's role.
    pub role: Option<Role>,
    /// Year of the speech.
    pub year: Option<i32>,
    /// Date of the speech, as given by metadata (ISO 8601 recommended).
    pub date: String,
    /// General Assembly session.
    pub session: Option<u32>,
    /// Security Council meeting symbol, e.g. `S/PV.8698`.
    pub meeting: String,
    /// Position of the turn within its meeting.
    pub turn: Option<u32>,
    /// Language of delivery named in the header (`French`), `English` for a
    /// Security Council header without a note, empty when unknown (also when
    /// a note names no single language: `spoke in English and French`).
    pub language: String,
}

impl SpeechMeta {
    /// The role, `none` when nothing set one.
    pub fn role(&self) -> Role {
        self.role.unwrap_or(Role::None)
    }

    /// Sets the country from a name or code as written somewhere (a header's
    /// parenthetical, a metadata cell). Two or three upper-case letters are
    /// taken as a code; anything else as a name. Returns a warning when the
    /// value is unknown: the value is then kept as `country_name` (a name) or
    /// `country_iso3` (a code) so nothing is lost.
    pub fn set_country(&mut self, value: &str) -> Option<Warning> {
        let value = value.trim();
        let looks_like_code =
            (2..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase());
        let found = if looks_like_code {
            country::by_code(value)
        } else {
            country::by_name(value)
        };
        match found {
            Some(c) => {
                self.country_iso3 = c.iso3.to_owned();
                self.country_name = c.name.to_owned();
                None
            }
            None if looks_like_code => {
                self.country_iso3 = value.to_owned();
                self.country_name.clear();
                Some(Warning::UnknownCountryCode(value.to_owned()))
            }
            None => {
                self.country_iso3.clear();
                self.country_name = value.to_owned();
                Some(Warning::UnknownCountryName(value.to_owned()))
            }
        }
    }

    /// Applies metadata: every value present in `over` replaces what the
    /// file name or header said.
    pub fn apply(&mut self, over: &MetaOverride<'_>) -> Option<Warning> {
        if let Some(year) = over.year {
            self.year = Some(year);
        }
        for (field, value) in [
            (&mut self.date, &over.date),
            (&mut self.speaker, &over.speaker),
            (&mut self.post, &over.post),
        ] {
            if let Some(v) = value {
                (*v).clone_into(field);
            }
        }
        over.country.and_then(|c| self.set_country(c))
    }
}

/// Values from a metadata row; `None` leaves a field as it was. Borrowed:
/// a row is applied to every speech it names, and copying its values first
/// was most of the cost of applying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaOverride<'a> {
    /// Country name or code.
    pub country: Option<&'a str>,
    /// Year.
    pub year: Option<i32>,
    /// Date.
    pub date: Option<&'a str>,
    /// Speaker.
    pub speaker: Option<&'a str>,
    /// Post.
    pub post: Option<&'a str>,
}

/// Something about a speech that was read but could not be understood. The
/// speech is still counted; the pipeline reports the warning in `errors.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A Security Council file whose text does not start with a speaker header.
    NoHeader,
    /// A country name that is not in the country table.
    UnknownCountryName(String),
    /// A country code that is not in the country table.
    UnknownCountryCode(String),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NoHeader => write!(
                f,
                "no speaker header (`Name (Country):`) at the start of a Security Council turn; \
                 counted with role `none` and no country"
            ),
            Warning::UnknownCountryName(name) => write!(
                f,
                "country name {name:?} is not in the country table; kept as country_name \
                 with an empty country_iso3"
            ),
            Warning::UnknownCountryCode(code) => write!(
                f,
                "country code {code:?} is not in the country table; kept as country_iso3 \
                 with an empty country_name"
            ),
        }
    }
}

/// A speech ready for the text stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested<'a> {
    /// What the name and header said.
    pub meta: SpeechMeta,
    /// The text to count: the file's text without the speaker header (plus
    /// any sentence a damaged header had swallowed). Borrowed unless such a
    /// sentence had to be put back.
    pub body: Cow<'a, str>,
    /// What could not be understood.
    pub warnings: Vec<Warning>,
}

/// Reads a decoded file: `file_name` is the last path component, `text` the
/// whole decoded text.
pub fn ingest<'a>(file_name: &str, text: &'a str) -> Ingested<'a> {
    let kind = parse_file_name(file_name);
    let mut meta = SpeechMeta::default();
    let mut warnings = Vec::new();
    let mut body = Cow::Borrowed(text);
    match &kind {
        FileKind::SecurityCouncil { year, turn, .. } => {
            meta.year = Some(*year);
            meta.turn = Some(*turn);
            meta.meeting = kind.meeting_symbol().unwrap_or_default();
            body = read_header(text, &mut meta, &mut warnings);
        }
        FileKind::GeneralDebate {
            code,
            session,
            year,
        } => {
            meta.year = Some(*year);
            meta.session = Some(*session);
            meta.role = Some(Role::Representative);
            warnings.extend(meta.set_country(code));
        }
        FileKind::Other => {}
    }
    Ingested {
        meta,
        body,
        warnings,
    }
}

/// Reads one turn of a meeting record split by [`segment::segment`]: the
/// same speaker header rules as a Security Council file, with meeting,
/// turn, date and year from the record instead of a file name.
pub fn ingest_turn<'a>(record: &'a segment::Record, turn: &segment::Turn) -> Ingested<'a> {
    let mut meta = SpeechMeta {
        year: record.year(),
        date: record.date.clone().unwrap_or_default(),
        meeting: record.symbol.clone().unwrap_or_default(),
        turn: Some(turn.number),
        ..SpeechMeta::default()
    };
    let mut warnings = Vec::new();
    let body = read_header(record.turn_text(turn), &mut meta, &mut warnings);
    Ingested {
        meta,
        body,
        warnings,
    }
}

/// Cuts the speaker header off a turn's text into `meta` (speaker, role,
/// country, language); returns the countable text.
fn read_header<'a>(
    text: &'a str,
    meta: &mut SpeechMeta,
    warnings: &mut Vec<Warning>,
) -> Cow<'a, str> {
    let Some(h) = parse_header(text) else {
        warnings.push(Warning::NoHeader);
        return Cow::Borrowed(text);
    };
    meta.speaker = h.speaker.to_owned();
    // Verbatim records note only speeches not delivered in English.
    meta.language = match (h.language, h.language_note) {
        (Some(language), _) => language,
        (None, true) => "",
        (None, false) => "English",
    }
    .to_owned();
    meta.role = Some(role_of(&h));
    if let Some(c) = h.country {
        warnings.extend(meta.set_country(c));
    }
    match h.spilled {
        Some(spilled) => Cow::Owned(format!("{spilled} {}", &text[h.body_start..])),
        None => Cow::Borrowed(&text[h.body_start..]),
    }
}

fn role_of(h: &Header<'_>) -> Role {
    let speaker = h.speaker;
    if speaker.eq_ignore_ascii_case("The President")
        || speaker.eq_ignore_ascii_case("The Acting President")
    {
        Role::President
    } else if h.country.is_some() {
        Role::Representative
    } else if speaker.starts_with("The ") {
        Role::UnOfficial
    } else {
        Role::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_council_representative() {
        let s = ingest(
            "UNSC_2020_SPV.8698_spch006.txt",
            "Mr. Abarry (Niger) (spoke in French): Allow me first\r\n",
        );
        assert_eq!(s.meta.country_iso3, "NER");
        assert_eq!(s.meta.country_name, "Niger");
        assert_eq!(s.meta.speaker, "Mr. Abarry");
        assert_eq!(s.meta.role(), Role::Representative);
        assert_eq!(s.meta.language, "French");
        assert_eq!(s.meta.year, Some(2020));
        assert_eq!(s.meta.meeting, "S/PV.8698");
        assert_eq!(s.meta.turn, Some(6));
        assert_eq!(s.body, "Allow me first\r\n");
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn roles() {
        let role = |text| ingest("UNSC_2020_SPV.1_spch001.txt", text).meta.role();
        assert_eq!(role("The President: I"), Role::President);
        assert_eq!(
            role("The Acting President (spoke in Arabic): I"),
            Role::President
        );
        assert_eq!(
            role("The Secretary-General (spoke in French): I"),
            Role::UnOfficial
        );
        assert_eq!(role("Mr. Chambas: I"), Role::Other);
        assert_eq!(role("Monsignor Hansen (Holy See): I"), Role::Representative);
        assert_eq!(role("Nothing: like a header 1. here"), Role::Other);
    }

    #[test]
    fn president_has_no_country_and_english_by_default() {
        let s = ingest("UNSC_2020_SPV.1_spch001.txt", "The President: I thank");
        assert_eq!(
            (s.meta.country_iso3.as_str(), s.meta.language.as_str()),
            ("", "English")
        );
    }

    #[test]
    fn damaged_header_puts_the_sentence_back() {
        let s = ingest(
            "UNSC_2020_SPV.1_spch002.txt",
            "The President (spoke I thank Ms. DiCarlo for her briefing. in French): I now give the floor.",
        );
        assert_eq!(
            s.body,
            "I thank Ms. DiCarlo for her briefing. I now give the floor."
        );
        assert_eq!(s.meta.language, "French");
    }

    #[test]
    fn unknown_country_is_kept_with_a_warning() {
        let s = ingest(
            "UNSC_2021_SPV.9_spch003.txt",
            "Ms. Reyes (NGO Working Group): We",
        );
        assert_eq!(s.meta.country_iso3, "");
        assert_eq!(s.meta.country_name, "NGO Working Group");
        assert_eq!(
            s.warnings,
            vec![Warning::UnknownCountryName("NGO Working Group".into())]
        );
    }

    #[test]
    fn security_council_without_header() {
        let s = ingest("UNSC_2020_SPV.1_spch003.txt", "  ");
        assert_eq!(s.meta.role(), Role::None);
        assert_eq!(s.warnings, vec![Warning::NoHeader]);
    }

    #[test]
    fn a_record_turn_reads_like_a_security_council_file() {
        let text = "United Nations S/PV.8999\nFriday, 6 March 2026, 3 p.m.\n\
                    The President: We begin.\n\
                    Mr. Abarry (Niger) (spoke in French): Allow me first\n";
        let record = segment::segment(text).unwrap();
        let turn = ingest_turn(&record, &record.turns[1]);
        let file = ingest(
            "UNSC_2026_SPV.8999_spch002.txt",
            "Mr. Abarry (Niger) (spoke in French): Allow me first",
        );
        assert_eq!(turn.body, file.body);
        assert_eq!(
            SpeechMeta {
                date: String::new(),
                ..turn.meta.clone()
            },
            file.meta
        );
        assert_eq!(turn.meta.date, "2026-03-06");
        assert_eq!(turn.meta.turn, Some(2));
        let president = ingest_turn(&record, &record.turns[0]);
        assert_eq!(
            (president.meta.role(), president.meta.speaker.as_str()),
            (Role::President, "The President")
        );
        assert_eq!(president.body, "We begin.");
    }

    #[test]
    fn general_debate() {
        let s = ingest("TUR_71_2016.txt", "First, let me");
        assert_eq!(s.meta.country_iso3, "TUR");
        assert_eq!(s.meta.country_name, "Türkiye");
        assert_eq!((s.meta.session, s.meta.year), (Some(71), Some(2016)));
        assert_eq!(s.meta.role(), Role::Representative);
        assert_eq!(s.body, "First, let me");
        let s = ingest("YUG_25_1970.txt", "");
        assert_eq!(s.meta.country_iso3, "YUG");
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn unknown_general_debate_code_is_kept() {
        let s = ingest("ZZZ_71_2016.txt", "x");
        assert_eq!(
            (s.meta.country_iso3.as_str(), s.meta.country_name.as_str()),
            ("ZZZ", "")
        );
        assert_eq!(s.warnings, vec![Warning::UnknownCountryCode("ZZZ".into())]);
    }

    #[test]
    fn other_files_have_no_metadata() {
        let s = ingest("s0000001.txt", "Mr. X (France): text");
        assert_eq!(s.meta, SpeechMeta::default());
        assert_eq!(s.body, "Mr. X (France): text");
    }

    #[test]
    fn metadata_overrides() {
        let mut meta = ingest("s1.txt", "").meta;
        let over = MetaOverride {
            country: Some("Viet Nam"),
            year: Some(2019),
            date: Some("2019-09-24"),
            speaker: Some("Mr. Nguyen"),
            post: None,
        };
        assert_eq!(meta.apply(&over), None);
        assert_eq!(meta.country_iso3, "VNM");
        assert_eq!(meta.year, Some(2019));
        assert_eq!(meta.date, "2019-09-24");
        assert_eq!(meta.speaker, "Mr. Nguyen");
        assert_eq!(meta.post, "");
        let over = MetaOverride {
            country: Some("FRA"),
            ..Default::default()
        };
        assert_eq!(meta.apply(&over), None);
        assert_eq!(
            (meta.country_iso3.as_str(), meta.country_name.as_str()),
            ("FRA", "France")
        );
    }
}
