//! Country-name normalizer: maps UN-style country names and their common
//! variants to one ISO 3166-1 alpha-3 code and one canonical name.
//!
//! It is used to turn the parenthetical in Security Council speaker headers
//! (`Mr. Abarry (Niger) (spoke in French):` → `NER` / `Niger`) into a
//! country, and to give General Debate files (named `ISO3_session_year.txt`)
//! a canonical country name from their code.
//!
//! The table is `stages/data/countries.tsv`, embedded at compile time and
//! parsed once on first use. It holds the 193 UN member states, the
//! observers that speak in the General Debate (Holy See, State of Palestine,
//! European Union under the corpus code `EU`), the historical states whose
//! withdrawn codes occur in the corpus (Yugoslavia, Czechoslovakia, ...)
//! and a few other entities. Canonical names are the short names used in UN
//! documents ("Viet Nam", "Türkiye", "Iran (Islamic Republic of)").
//!
//! What it does not do: it does not find country names inside running text
//! (callers pass the exact name, e.g. the header parenthetical), it does no
//! fuzzy matching or spelling correction ("Somoa" is unknown), it does not
//! resolve adjectives or demonyms ("French", "Nigerien"), and it does not
//! track which state held a seat in which year (ISO codes are as the corpus
//! uses them; "Zaire" has its own historical entry `ZAR`, the Democratic
//! Republic of the Congo is `COD`).

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// The embedded table; see the header comment of the file for its format.
const TABLE_TSV: &str = include_str!("../../data/countries.tsv");

/// What kind of entity a [`Country`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// One of the 193 UN member states.
    Member,
    /// A non-member observer that speaks in the General Debate (the Holy
    /// See, the State of Palestine, the European Union).
    Observer,
    /// A former state that held a UN seat (Yugoslavia, the USSR, ...).
    Historical,
    /// Any other entity (Kosovo, Cook Islands, Niue).
    Other,
}

impl Kind {
    /// Parses the fourth column of the table.
    fn parse(text: &str) -> Option<Kind> {
        match text {
            "member" => Some(Kind::Member),
            "observer" => Some(Kind::Observer),
            "historical" => Some(Kind::Historical),
            "other" => Some(Kind::Other),
            _ => None,
        }
    }
}

/// A country or entity as Agora reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code (`"NER"`), or the corpus code `"EU"`, or a
    /// withdrawn ISO code for historical states (`"YUG"`).
    pub iso3: &'static str,
    /// Canonical UN-style short name (`"Niger"`, `"Viet Nam"`).
    pub name: &'static str,
    /// Member state, observer, historical state or other entity.
    pub kind: Kind,
}

/// The parsed table with its lookup maps.
struct Table {
    /// Entities in file order.
    entries: Vec<Country>,
    /// Normalized name, variant or lower-cased code → index into `entries`.
    by_key: HashMap<String, usize>,
    /// Every name and variant exactly as the table writes it → index into
    /// `entries`. Metadata tables and headers nearly always spell a country
    /// as the table does, and normalizing (a few allocations) for every
    /// speech was a visible part of applying metadata; an exact name gives
    /// what its normalized form gives, since the table is checked to map
    /// each normalized form to one entry.
    by_exact: FxHashMap<&'static str, usize>,
    /// Upper-case code → index into `entries`.
    by_code: HashMap<&'static str, usize>,
}

/// Returns the table, parsing it on first use.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(TABLE_TSV))
}

/// Parses the embedded TSV. Panics with the line number on malformed lines
/// or when two entries share a code or a normalized name (our own data,
/// checked by the unit tests).
fn parse_table(text: &'static str) -> Table {
    let mut table = Table {
        entries: Vec::new(),
        by_key: HashMap::new(),
        by_exact: FxHashMap::default(),
        by_code: HashMap::new(),
    };
    for (index, raw) in text.lines().enumerate() {
        let lineno = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&'static str> = line.split('\t').collect();
        let [code, name, variants, kind] = fields[..] else {
            panic!(
                "countries.tsv line {lineno}: expected 4 tab-separated fields, found {}: {line:?}",
                fields.len()
            );
        };
        assert!(
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase()),
            "countries.tsv line {lineno}: bad code {code:?}"
        );
        assert!(
            !name.is_empty() && name.trim() == name,
            "countries.tsv line {lineno}: bad canonical name {name:?}"
        );
        let Some(kind) = Kind::parse(kind) else {
            panic!("countries.tsv line {lineno}: unknown kind {kind:?}");
        };
        let idx = table.entries.len();
        table.entries.push(Country {
            iso3: code,
            name,
            kind,
        });
        assert!(
            table.by_code.insert(code, idx).is_none(),
            "countries.tsv line {lineno}: duplicate code {code}"
        );
        let names = std::iter::once(name).chain(variants.split('|').filter(|v| !v.is_empty()));
        for name in names {
            table.by_exact.insert(name, idx);
            let key = normalize(name);
            assert!(
                !key.is_empty(),
                "countries.tsv line {lineno}: a name normalizes to nothing"
            );
            if let Some(other) = table.by_key.insert(key.clone(), idx) {
                assert!(
                    other == idx,
                    "countries.tsv line {lineno}: {key:?} already names {}",
                    table.entries[other].iso3
                );
            }
        }
    }
    table
}

/// Maps a lower-case Latin letter with a diacritic to its base letter.
fn fold_diacritic(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => return None,
    })
}

/// Normalizes a name for lookup; see [`by_name`] for the rules.
fn normalize(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            '\u{2019}' | '\u{2018}' | '`' => folded.push('\''),
            // Combining diacritical marks (decomposed input such as "Co\u{302}te").
            '\u{0300}'..='\u{036F}' => {}
            _ => folded.push(fold_diacritic(c).unwrap_or(c)),
        }
    }
    let mut key = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    if key.contains(" & ") {
        key = key.replace(" & ", " and ");
    }
    let key = key.strip_suffix('.').unwrap_or(&key).trim_end();
    let key = key.strip_prefix("the ").unwrap_or(key);
    key.to_string()
}

/// Looks up a country by any of its names or variants after normalization,
/// or by its code when written in capitals (`"NER"`); None when unknown.
/// A lowercase code is not a name: `"and"` and `"per"` are words, not
/// Andorra and Peru.
///
/// Normalization, applied both to the input and to every name in the table:
/// trim and collapse runs of whitespace to one space; `’`, `‘` and `` ` ``
/// become `'`; lower-case (Unicode); strip diacritics from Latin letters
/// (é è ê ë á à â ä ã å ç í ì î ï ñ ó ò ô ö õ ú ù û ü ý ÿ and combining
/// marks); replace `" & "` by `" and "`; drop one trailing `.`; drop one
/// leading `"the "`. Examples, all resolving:
///
/// - `"Côte d’Ivoire"`, `"Cote d'Ivoire"`, `"COTE D'IVOIRE"` → `CIV`
/// - `"Türkiye"`, `"Turkiye"`, `"Turkey"` → `TUR`
/// - `"São Tomé and Príncipe"`, `"Sao Tome & Principe"` → `STP`
/// - `"the Niger"`, `"  Niger. "`, `"NER"` → `NER`
/// - `"  Russian   Federation "` → `RUS`
///
/// Never panics; unknown or empty input gives `None`.
#[must_use]
pub fn by_name(name: &str) -> Option<Country> {
    let trimmed = name.trim();
    if (2..=3).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_uppercase()) {
        if let Some(c) = by_code(trimmed) {
            return Some(c);
        }
    }
    let table = table();
    let idx = match table.by_exact.get(trimmed) {
        Some(&idx) => idx,
        None => *table.by_key.get(&normalize(name))?,
    };
    Some(table.entries[idx])
}

/// Looks up a country by its code (ISO 3166-1 alpha-3, or the corpus codes `EU` and the historical ones), case-insensitive.
///
/// Surrounding whitespace is ignored: `"NER"`, `"ner"` and `" Ner "` all
/// give Niger; `"XYZ"` and `""` give `None`.
#[must_use]
pub fn by_code(code: &str) -> Option<Country> {
    let table = table();
    let code = code.trim().to_ascii_uppercase();
    table
        .by_code
        .get(code.as_str())
        .map(|&idx| table.entries[idx])
}

/// Every entity of the table, in the file's order (for docs and tests).
#[must_use]
pub fn all() -> &'static [Country] {
    &table().entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_parses_with_expected_kinds() {
        let count = |kind| all().iter().filter(|c| c.kind == kind).count();
        assert_eq!(count(Kind::Member), 193);
        assert_eq!(count(Kind::Observer), 3);
        assert_eq!(count(Kind::Historical), 7);
        assert_eq!(all().len(), 193 + 3 + 7 + count(Kind::Other));
    }

    #[test]
    fn codes_are_distinct_and_well_formed() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.iso3), "duplicate code {}", c.iso3);
            if c.iso3 != "EU" {
                assert_eq!(c.iso3.len(), 3, "{}", c.iso3);
                assert!(c.iso3.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.iso3);
            }
            assert_eq!(by_code(c.iso3), Some(*c));
            assert_eq!(by_name(c.name), Some(*c), "canonical name {}", c.name);
        }
    }

    #[test]
    fn no_two_entries_share_a_normalized_name() {
        // Recomputed independently of the map built by `parse_table`.
        let mut owner: HashMap<String, &str> = HashMap::new();
        let mut rows = 0;
        for line in TABLE_TSV.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            rows += 1;
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "{line:?}");
            let code = fields[0];
            let names = std::iter::once(fields[1])
                .chain(fields[2].split('|').filter(|v| !v.is_empty()))
                .map(normalize)
                .chain(std::iter::once(code.to_ascii_lowercase()));
            for key in names {
                assert!(!key.is_empty(), "{code}: empty key");
                if let Some(prev) = owner.insert(key.clone(), code) {
                    assert_eq!(prev, code, "{key:?} names both {prev} and {code}");
                }
            }
        }
        assert_eq!(rows, all().len());
    }

    #[test]
    fn an_exact_name_resolves_as_its_normalized_form() {
        let table = table();
        assert!(table.by_exact.len() > table.entries.len());
        for (&name, &idx) in &table.by_exact {
            assert_eq!(table.by_key.get(&normalize(name)), Some(&idx), "{name:?}");
            // By name, padded or in capitals (which only normalization
            // resolves), the same entry, unless it is written as a code.
            let written_as_code =
                (2..=3).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_uppercase());
            if !written_as_code {
                let entry = Some(table.entries[idx]);
                assert_eq!(by_name(name), entry, "{name:?}");
                assert_eq!(by_name(&format!("  {name} ")), entry, "{name:?}");
                assert_eq!(by_name(&name.to_uppercase()), entry, "{name:?}");
            }
        }
    }

    #[test]
    fn header_parentheticals_resolve() {
        let cases = [
            ("Russian Federation", "RUS"),
            ("United Kingdom", "GBR"),
            ("Germany", "DEU"),
            ("China", "CHN"),
            ("United States of America", "USA"),
            ("France", "FRA"),
            ("Indonesia", "IDN"),
            ("Dominican Republic", "DOM"),
            ("Estonia", "EST"),
            ("Niger", "NER"),
            ("Tunisia", "TUN"),
            ("South Africa", "ZAF"),
            ("Saint Vincent and the Grenadines", "VCT"),
            ("Belgium", "BEL"),
            ("Viet Nam", "VNM"),
            ("Syrian Arab Republic", "SYR"),
            ("Turkey", "TUR"),
            ("Türkiye", "TUR"),
            ("Yemen", "YEM"),
            ("Sudan", "SDN"),
            ("Ukraine", "UKR"),
            ("Libya", "LBY"),
            ("Israel", "ISR"),
            ("Islamic Republic of Iran", "IRN"),
            ("Iran (Islamic Republic of)", "IRN"),
            ("Guinea-Bissau", "GNB"),
            ("United Arab Emirates", "ARE"),
            ("Sri Lanka", "LKA"),
            ("Saudi Arabia", "SAU"),
            ("Qatar", "QAT"),
            ("Portugal", "PRT"),
            ("Peru", "PER"),
            ("Palestine", "PSE"),
            ("Pakistan", "PAK"),
            ("Norway", "NOR"),
            ("Nigeria", "NGA"),
            ("Morocco", "MAR"),
            ("Maldives", "MDV"),
            ("Malaysia", "MYS"),
            ("Liechtenstein", "LIE"),
            ("Lebanon", "LBN"),
            ("Kuwait", "KWT"),
            ("Jordan", "JOR"),
            ("Japan", "JPN"),
            ("Ireland", "IRL"),
            ("Holy See", "VAT"),
            ("Egypt", "EGY"),
            ("Ecuador", "ECU"),
            ("Democratic Republic of the Congo", "COD"),
            ("Congo", "COG"),
            ("Cuba", "CUB"),
            ("Costa Rica", "CRI"),
            ("Colombia", "COL"),
            ("Central African Republic", "CAF"),
            ("Canada", "CAN"),
            ("Brazil", "BRA"),
            ("Bangladesh", "BGD"),
            ("Bahrain", "BHR"),
            ("Azerbaijan", "AZE"),
            ("Côte d\u{2019}Ivoire", "CIV"),
            ("Cote d'Ivoire", "CIV"),
            ("Bolivia (Plurinational State of)", "BOL"),
            ("Venezuela (Bolivarian Republic of)", "VEN"),
            ("the Niger", "NER"),
            ("European Union", "EU"),
            ("Democratic People's Republic of Korea", "PRK"),
            ("Republic of Korea", "KOR"),
            ("Lao People's Democratic Republic", "LAO"),
            ("Micronesia (Federated States of)", "FSM"),
            ("United Republic of Tanzania", "TZA"),
            ("Republic of Moldova", "MDA"),
            ("Eswatini", "SWZ"),
            ("Swaziland", "SWZ"),
            ("North Macedonia", "MKD"),
            ("Czech Republic", "CZE"),
            ("Kingdom of the Netherlands", "NLD"),
            ("Netherlands", "NLD"),
            ("  Russian   Federation ", "RUS"),
        ];
        for (name, code) in cases {
            let found = by_name(name).unwrap_or_else(|| panic!("{name:?} did not resolve"));
            assert_eq!(found.iso3, code, "{name:?}");
        }
    }

    #[test]
    fn normalization_handles_variants_of_spelling() {
        let cases = [
            ("São Tomé and Príncipe", "STP"),
            ("Sao Tome & Principe", "STP"),
            ("Turkiye", "TUR"),
            ("COTE D'IVOIRE", "CIV"),
            ("Co\u{302}te d\u{2018}Ivoire", "CIV"),
            ("Côte d`Ivoire", "CIV"),
            ("  Niger. ", "NER"),
            ("The Gambia", "GMB"),
            ("the Sudan", "SDN"),
            ("the Philippines", "PHL"),
            ("the former Yugoslav Republic of Macedonia", "MKD"),
            ("Russian\u{a0}Federation", "RUS"),
            ("Democratic People\u{2019}s Republic", "PRK"),
            ("Bolivia, Plurinational State of", "BOL"),
            ("U.S.", "USA"),
            ("NER", "NER"),
            ("EU", "EU"),
            ("Yugoslavia ", "YUG"),
            ("Serbia and Montenegro", "SCG"),
            ("Zaire", "ZAR"),
            ("Soviet Union", "SUN"),
            ("Marshall islands", "MHL"),
        ];
        for (name, code) in cases {
            assert_eq!(by_name(name).map(|c| c.iso3), Some(code), "{name:?}");
        }
    }

    #[test]
    fn lookup_by_code() {
        let niger = by_code("NER").expect("NER");
        assert_eq!(niger.name, "Niger");
        assert_eq!(niger.kind, Kind::Member);
        assert_eq!(by_code("ner").map(|c| c.iso3), Some("NER"));
        let yug = by_code("YUG").expect("YUG");
        assert_eq!(yug.name, "Yugoslavia");
        assert_eq!(yug.kind, Kind::Historical);
        for code in ["CSK", "DDR", "YMD", "SUN", "EU", "VAT", "PSE"] {
            assert_eq!(by_code(code).map(|c| c.iso3), Some(code));
        }
        assert_eq!(by_code("eu").map(|c| c.name), Some("European Union"));
        assert_eq!(by_code("VAT").map(|c| c.kind), Some(Kind::Observer));
        assert_eq!(by_code("XYZ"), None);
        assert_eq!(by_code(""), None);
        assert_eq!(by_code("NIGER"), None);
        assert_eq!(by_code("ÑER"), None);
    }

    #[test]
    fn unknown_names_do_not_resolve() {
        for name in [
            "Atlantis",
            "",
            "   ",
            "spoke in French",
            "the",
            ".",
            "Somoa",
            "\u{0}",
            "Korea",
            "and",
            "per",
            "ner",
        ] {
            assert_eq!(by_name(name), None, "{name:?}");
        }
    }

    #[test]
    #[should_panic(expected = "expected 4 tab-separated fields")]
    fn malformed_line_panics() {
        parse_table("NER\tNiger\tmember\n");
    }

    #[test]
    #[should_panic(expected = "already names NER")]
    fn colliding_names_panic() {
        parse_table("NER\tNiger\t\tmember\nNGA\tNigeria\tthe Niger\tmember\n");
    }

    #[test]
    fn canonical_names() {
        let name = |code| by_code(code).map(|c| c.name);
        assert_eq!(name("VNM"), Some("Viet Nam"));
        assert_eq!(name("TUR"), Some("Türkiye"));
        assert_eq!(name("CIV"), Some("Côte d'Ivoire"));
        assert_eq!(name("USA"), Some("United States of America"));
        assert_eq!(name("RUS"), Some("Russian Federation"));
        assert_eq!(
            name("GBR"),
            Some("United Kingdom of Great Britain and Northern Ireland")
        );
        assert_eq!(name("NLD"), Some("Netherlands (Kingdom of the)"));
        assert_eq!(name("PSE"), Some("State of Palestine"));
    }
}
