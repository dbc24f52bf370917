//! Stems words read from standard input, one per line, with Agora's stemmer,
//! writing one stem per line: the input `docs/stemming.md` compares with
//! Snowball 3 (`../shared/bench/stem_compare.py CORPUS stems.txt`). An
//! optional argument names the language (`fr`, …; default `en`); the words
//! are lowercased and folded as the analyzer does (`docs/languages.md`).
//!
//! ```sh
//! cargo run -q -p agora-stages --example stem < vocab.txt > stems.txt
//! cargo run -q -p agora-stages --example stem -- fr < mots.txt
//! ```

use std::io::{self, BufRead, BufWriter, Write};

use agora_stages::language::Language;
use agora_stages::stem::Stemmer;
use agora_stages::tokenize::lowercase_into;

fn main() -> io::Result<()> {
    let code = std::env::args().nth(1).unwrap_or_else(|| "en".into());
    let Some(language) = Language::parse(&code) else {
        eprintln!("unknown language {code:?}: one of {}", Language::codes());
        std::process::exit(2);
    };
    let stemmer = Stemmer::new(language);
    let mut out = BufWriter::new(io::stdout().lock());
    let mut lower = String::new();
    for line in io::stdin().lock().lines() {
        lowercase_into(&line?, &mut lower);
        writeln!(out, "{}", stemmer.stem(&language.fold(&lower)))?;
    }
    out.flush()
}
