//! Keyness: the stems most over-represented in one part of a corpus (a
//! country's speeches) against all the rest.
//!
//! For a stem w and a part P, with N tokens in the corpus, N_P in P, f the
//! count of w in the corpus and a its count in P, the 2×2 table is
//!
//! |            | w        | not w                |
//! | ---        | ---      | ---                  |
//! | **P**      | a        | N_P − a              |
//! | **rest**   | f − a    | N − N_P − f + a      |
//!
//! and G² ([`crate::stats::llr`]) and χ² ([`crate::stats::chi2`]) are
//! computed over it. A stem is over-represented when a / N_P > (f − a) /
//! (N − N_P); both statistics are then reported positive, and negative
//! otherwise. Only over-represented stems with a ≥ the minimum count are
//! ranked, by G² (ties by stem), and the first `top` kept.
//!
//! This stage ranks given counts; counting, stop words and surface forms are
//! the pipeline's.

use crate::stats::{chi2, llr};

/// One ranked stem of a part.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTerm<'a> {
    /// The stem's id (whatever the caller numbers stems by).
    pub id: u32,
    /// The stem.
    pub stem: &'a str,
    /// Its count in the part (a).
    pub count: u64,
    /// Its count in the rest of the corpus (f − a).
    pub other_count: u64,
    /// Signed log-likelihood ratio G².
    pub g2: f64,
    /// Signed χ².
    pub chi2: f64,
}

/// The `top` stems most over-represented in a part.
///
/// `part` yields (stem id, count in the part); `stem` names an id and
/// `corpus_count` gives its count in the whole corpus (part included), both
/// asked only of stems with at least `min_count` occurrences in the part;
/// `part_tokens` and `corpus_tokens` are the token totals.
pub fn key_terms<'a>(
    part: impl Iterator<Item = (u32, u64)>,
    stem: impl Fn(u32) -> &'a str,
    corpus_count: impl Fn(u32) -> u64,
    part_tokens: u64,
    corpus_tokens: u64,
    min_count: u64,
    top: usize,
) -> Vec<KeyTerm<'a>> {
    let other_tokens = corpus_tokens - part_tokens;
    // (id, a, f, G²) of the over-represented stems. Only G² is needed to
    // rank them; the stem (for ties) is looked up when compared, and χ² is
    // computed for the few kept.
    let mut ranked: Vec<(u32, u64, u64, f64)> = part
        .filter(|&(_, a)| a >= min_count && a > 0)
        .filter_map(|(id, a)| {
            let f = corpus_count(id).max(a);
            // Over-represented: a / N_P > (f − a) / (N − N_P), in integers.
            let over = u128::from(a) * u128::from(other_tokens)
                > u128::from(f - a) * u128::from(part_tokens);
            over.then(|| (id, a, f, llr(corpus_tokens, part_tokens, f, a)))
        })
        .collect();
    // Stems are unique, so this order is total and the top `top` are the
    // same whichever way they are found: selected first, only they sorted.
    top_by(&mut ranked, top, |x, y| {
        y.3.total_cmp(&x.3).then_with(|| stem(x.0).cmp(stem(y.0)))
    });
    ranked
        .into_iter()
        .map(|(id, a, f, g2)| KeyTerm {
            id,
            stem: stem(id),
            count: a,
            other_count: f - a,
            g2,
            chi2: chi2(corpus_tokens, part_tokens, f, a),
        })
        .collect()
}

/// Keeps the first `top` items of `items` in the order `cmp`, sorted. With
/// a total order, the same as sorting all and truncating, but the items
/// past `top` (most of them: a country has thousands of candidate stems and
/// the tables keep 25) are only partitioned, never sorted.
pub fn top_by<T>(items: &mut Vec<T>, top: usize, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if top == 0 {
        items.clear();
        return;
    }
    if items.len() > top {
        items.select_nth_unstable_by(top - 1, &cmp);
        items.truncate(top);
    }
    items.sort_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_by_equals_sorting_all() {
        let mut seed = 0x853C_49E6_748F_EA9Bu64;
        for len in [0usize, 1, 5, 30, 200] {
            let items: Vec<(u8, u32)> = (0..len as u32)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 7) as u8, i) // many ties in the first field
                })
                .collect();
            let cmp = |x: &(u8, u32), y: &(u8, u32)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
            for top in [0, 1, 3, 25, 500] {
                let mut sorted = items.clone();
                sorted.sort_by(cmp);
                sorted.truncate(top);
                let mut got = items.clone();
                top_by(&mut got, top, cmp);
                assert_eq!(got, sorted, "len {len} top {top}");
            }
        }
    }

    #[test]
    fn ranks_over_represented_stems() {
        // Corpus: 1000 tokens, the part 100 of them.
        let stems = ["climat", "peac", "rare"];
        let corpus = |id: u32| [20, 100, 2][id as usize];
        let part = [(0, 10), (1, 10), (2, 2)];
        let terms = key_terms(
            part.into_iter(),
            |id| stems[id as usize],
            corpus,
            100,
            1000,
            3,
            10,
        );
        // peac: 10 of 100 in the part, 90 of 900 elsewhere: not over-represented.
        // rare: under the minimum count.
        assert_eq!(terms.len(), 1);
        let t = &terms[0];
        assert_eq!(
            (t.id, t.stem, t.count, t.other_count),
            (0, "climat", 10, 10)
        );
        // O = [[10, 90], [10, 890]], E = [[2, 98], [18, 882]]:
        // G² = 2·(10 ln 5 + 90 ln(90/98) + 10 ln(10/18) + 890 ln(890/882)) = 21.176963
        // χ² = 64/2 + 64/98 + 64/18 + 64/882 = 36.281179
        assert_eq!(format!("{:.6}", t.g2), "21.176963");
        assert_eq!(format!("{:.6}", t.chi2), "36.281179");
    }

    #[test]
    fn top_and_ties() {
        let stems = ["b", "a", "c"];
        let part = [(0, 5), (1, 5), (2, 5)];
        let terms = key_terms(
            part.into_iter(),
            |id| stems[id as usize],
            |_| 5,
            10,
            1000,
            1,
            2,
        );
        assert_eq!(terms.iter().map(|t| t.stem).collect::<Vec<_>>(), ["a", "b"]);
    }
}
