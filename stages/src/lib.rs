//! The pure text stages of Agora.
//!
//! Everything here works on text and counts in memory: no threads, no files,
//! no output formats (those belong to the `agora` pipeline crate). The stages,
//! in the order a speech goes through them:
//!
//! 1. [`ingest`]: decode bytes ([`ingest::decode`]), read the file name and the
//!    Security Council speaker header, normalize the country;
//! 2. [`normalize`]: rejoin words broken at line ends, drop invisible characters;
//! 3. [`tokenize`]: words (UAX #29) and sentences;
//! 4. [`stem`]: Snowball, once per word type, in the speech's [`language`];
//! 5. [`matcher`]: count the terms of a [`dictionary`] (longest match per theme);
//! 6. [`cooccurrence`]: count themes and theme pairs per speech and sentence;
//! 7. [`stats`]: pmi, npmi, llr and jaccard of the final counts.
//!
//! [`analyze::Analyzer`] chains stages 2–6 for one speech, with caches and
//! fast paths; [`reference`] does the same plainly, as the yardstick the
//! tests hold the fast path to:
//!
//! ```
//! use agora_stages::{analyze::Analyzer, dictionary::parse_dictionary, matcher::Matcher, stem::Stemmer};
//!
//! let toml = r#"
//! [themes.displacement]
//! terms = ["refugee*", "internally displaced persons"]
//! [themes.women]
//! terms = ["women", "women and peace and security"]
//! "#;
//! let dictionary = parse_dictionary(toml, &Stemmer::english()).unwrap();
//! let matcher = Matcher::new(&dictionary);
//! let mut analyzer = Analyzer::new(&matcher);
//! let counts = analyzer.analyze("Women and peace and security. Refugees and women.");
//! assert_eq!(counts.tokens, 8);
//! assert_eq!(counts.theme_hits, [1, 2]); // displacement, women
//! assert_eq!(counts.sentences, 2);
//! ```

pub mod analyze;
pub mod cooccurrence;
pub mod dictionary;
pub mod ingest;
pub mod keyness;
pub mod language;
pub mod matcher;
pub mod normalize;
pub mod reference;
pub mod stats;
pub mod stem;
pub mod tokenize;
pub mod vocabulary;
mod word_table;
