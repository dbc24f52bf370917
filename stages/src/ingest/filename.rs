//! File-name conventions of the two UN corpora.
//!
//! - Security Council turns: `UNSC_<year>_SPV.<meeting>[ResumptionN]_spch<NNN>.txt`,
//!   e.g. `UNSC_2020_SPV.8706Resumption1_spch003.txt`: year 2020, meeting
//!   `S/PV.8706 (Resumption 1)`, turn 3.
//! - General Debate statements: `<CODE>_<session>_<year>.txt`, e.g.
//!   `KAZ_71_2016.txt`: country code KAZ (two or three upper-case letters, so
//!   the corpus's `EU` too), session 71, year 2016.
//!
//! Any other name is [`FileKind::Other`]: its country and year can only come
//! from a metadata CSV. This stage looks at the name only, never the text.

/// What a file name says about its speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// One turn of a Security Council meeting record.
    SecurityCouncil {
        /// Year of the meeting.
        year: i32,
        /// Meeting number (the `8706` of S/PV.8706).
        meeting: u32,
        /// Resumption number, when the meeting was resumed.
        resumption: Option<u32>,
        /// Position of the turn within the meeting (the `NNN` of `spchNNN`).
        turn: u32,
    },
    /// One country's General Debate statement.
    GeneralDebate {
        /// Country code as written (ISO 3166-1 alpha-3, `EU`, or historical).
        code: String,
        /// General Assembly session.
        session: u32,
        /// Year of the session.
        year: i32,
    },
    /// Any other file name.
    Other,
}

impl FileKind {
    /// The UN document symbol of a Security Council meeting, e.g.
    /// `S/PV.8706 (Resumption 1)`; `None` for other kinds.
    pub fn meeting_symbol(&self) -> Option<String> {
        match self {
            FileKind::SecurityCouncil {
                meeting,
                resumption: None,
                ..
            } => Some(format!("S/PV.{meeting}")),
            FileKind::SecurityCouncil {
                meeting,
                resumption: Some(r),
                ..
            } => Some(format!("S/PV.{meeting} (Resumption {r})")),
            _ => None,
        }
    }
}

/// Classifies a file by its name (the last path component, with extension).
pub fn parse_file_name(name: &str) -> FileKind {
    let Some(stem) = strip_suffix_ignore_case(name, ".txt") else {
        return FileKind::Other;
    };
    parse_unsc(stem)
        .or_else(|| parse_ungdc(stem))
        .unwrap_or(FileKind::Other)
}

/// Whether a file name ends in `.txt`, in any case (and has a stem).
pub fn is_txt(name: &str) -> bool {
    strip_suffix_ignore_case(name, ".txt").is_some_and(|stem| !stem.is_empty())
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

/// Splits a leading run of ASCII digits off `s` and parses it.
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let n = s[..end].parse().ok()?;
    Some((n, &s[end..]))
}

fn parse_unsc(stem: &str) -> Option<FileKind> {
    let rest = stem.strip_prefix("UNSC_")?;
    let (year, rest) = leading_number(rest)?;
    let rest = rest.strip_prefix("_SPV.")?;
    let (meeting, rest) = leading_number(rest)?;
    let (resumption, rest) = match rest.strip_prefix("Resumption") {
        Some(r) => {
            let (n, r) = leading_number(r)?;
            (Some(n), r)
        }
        None => (None, rest),
    };
    let (turn, rest) = leading_number(rest.strip_prefix("_spch")?)?;
    if !rest.is_empty() {
        return None;
    }
    Some(FileKind::SecurityCouncil {
        year: i32::try_from(year).ok()?,
        meeting,
        resumption,
        turn,
    })
}

fn parse_ungdc(stem: &str) -> Option<FileKind> {
    let mut parts = stem.split('_');
    let (code, session, year) = (parts.next()?, parts.next()?, parts.next()?);
    let code_ok = (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !code_ok || !digits(session) || year.len() != 4 || !digits(year) {
        return None;
    }
    Some(FileKind::GeneralDebate {
        code: code.to_owned(),
        session: session.parse().ok()?,
        year: year.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_council_turn() {
        let kind = parse_file_name("UNSC_2020_SPV.8698_spch001.txt");
        assert_eq!(
            kind,
            FileKind::SecurityCouncil {
                year: 2020,
                meeting: 8698,
                resumption: None,
                turn: 1
            }
        );
        assert_eq!(kind.meeting_symbol().as_deref(), Some("S/PV.8698"));
    }

    #[test]
    fn security_council_resumption() {
        let kind = parse_file_name("UNSC_2020_SPV.8706Resumption1_spch023.txt");
        assert_eq!(
            kind,
            FileKind::SecurityCouncil {
                year: 2020,
                meeting: 8706,
                resumption: Some(1),
                turn: 23
            }
        );
        assert_eq!(
            kind.meeting_symbol().as_deref(),
            Some("S/PV.8706 (Resumption 1)")
        );
    }

    #[test]
    fn general_debate() {
        assert_eq!(
            parse_file_name("KAZ_71_2016.txt"),
            FileKind::GeneralDebate {
                code: "KAZ".into(),
                session: 71,
                year: 2016
            }
        );
        assert_eq!(
            parse_file_name("EU_71_2016.TXT"),
            FileKind::GeneralDebate {
                code: "EU".into(),
                session: 71,
                year: 2016
            }
        );
    }

    #[test]
    fn other_names() {
        for name in [
            "s0000001.txt",
            "README.md",
            "KAZ_71_2016.csv",
            "kaz_71_2016.txt",
            "KAZ_71_16.txt",
            "KAZ_71_2016_extra.txt",
            "UNSC_2020_SPV.8698_spch001x.txt",
            "UNSC_2020_SPV.8698.txt",
            "UNSC__SPV.8698_spch001.txt",
            ".txt",
            "é.txt",
        ] {
            assert_eq!(parse_file_name(name), FileKind::Other, "{name}");
        }
    }
}
