//! Stems words read from standard input, one per line, with Agora's stemmer,
//! writing one stem per line: the input `docs/stemming.md` compares with
//! Snowball 3 (`../shared/bench/stem_compare.py CORPUS stems.txt`).
//!
//! ```sh
//! cargo run -q -p agora-stages --example stem < vocab.txt > stems.txt
//! ```

use std::io::{self, BufRead, BufWriter, Write};

use agora_stages::stem::Stemmer;

fn main() -> io::Result<()> {
    let stemmer = Stemmer::english();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in io::stdin().lock().lines() {
        writeln!(out, "{}", stemmer.stem(&line?))?;
    }
    out.flush()
}
