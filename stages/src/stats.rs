//! Statistics of a 2×2 co-occurrence table.
//!
//! With N units (speeches or sentences), n_a and n_b units that contain theme
//! a and theme b, and n_ab units that contain both:
//!
//! |            | b            | not b                    |
//! | ---        | ---          | ---                      |
//! | **a**      | n_ab         | n_a − n_ab               |
//! | **not a**  | n_b − n_ab   | N − n_a − n_b + n_ab     |
//!
//! - `pmi = log2(n_ab·N / (n_a·n_b))`, the products taken exactly in integers;
//! - `npmi = pmi / −log2(n_ab / N)`, and 1 when n_ab = N;
//! - `llr` = Dunning's G² = 2·Σ O·ln(O/E) over the four cells, with
//!   E = row total × column total / N and 0·ln 0 = 0; a tiny negative result
//!   of rounding is reported as 0;
//! - `jaccard = n_ab / (n_a + n_b − n_ab)`.
//!
//! Worked example: N = 10, n_a = 4, n_b = 5, n_ab = 3 gives pmi = log2 1.5 =
//! 0.584963, npmi = 0.336773, llr = 1.726092, jaccard = 0.5.
//!
//! The functions expect a consistent table (n_ab ≥ 1, n_ab ≤ n_a, n_b ≤ N),
//! which is the only kind the pipeline reports; they do not aggregate counts.

/// The four statistics of one theme pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStats {
    /// Pointwise mutual information, in bits.
    pub pmi: f64,
    /// Normalized PMI, in [−1, 1].
    pub npmi: f64,
    /// Log-likelihood ratio G².
    pub llr: f64,
    /// Jaccard index of the two unit sets.
    pub jaccard: f64,
}

/// Computes the statistics of a pair from its 2×2 marginals.
pub fn pair_stats(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> PairStats {
    PairStats {
        pmi: pmi(n, n_a, n_b, n_ab),
        npmi: npmi(n, n_a, n_b, n_ab),
        llr: llr(n, n_a, n_b, n_ab),
        jaccard: jaccard(n_a, n_b, n_ab),
    }
}

/// `log2(n_ab·N / (n_a·n_b))`.
pub fn pmi(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> f64 {
    // u128: the products of two u64 counts cannot overflow.
    let num = n_ab as u128 * n as u128;
    let den = n_a as u128 * n_b as u128;
    (num as f64 / den as f64).log2()
}

/// `pmi / −log2(n_ab / N)`, and 1 when n_ab = N.
pub fn npmi(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> f64 {
    if n_ab == n {
        return 1.0;
    }
    pmi(n, n_a, n_b, n_ab) / -(n_ab as f64 / n as f64).log2()
}

/// The four cells of the 2×2 table as (observed, row total, column total),
/// and N.
fn cells(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> ([(f64, f64, f64); 4], f64) {
    let (n, a, b, ab) = (n as f64, n_a as f64, n_b as f64, n_ab as f64);
    let cells = [
        (ab, a, b),
        (a - ab, a, n - b),
        (b - ab, n - a, b),
        (n - a - b + ab, n - a, n - b),
    ];
    (cells, n)
}

/// Dunning's log-likelihood ratio G² over the 2×2 table.
pub fn llr(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> f64 {
    let (cells, n) = cells(n, n_a, n_b, n_ab);
    let g2: f64 = cells
        .iter()
        .filter(|(o, _, _)| *o > 0.0)
        .map(|&(o, row, col)| o * (o * n / (row * col)).ln())
        .sum::<f64>()
        * 2.0;
    g2.max(0.0)
}

/// Pearson's χ² = Σ (O − E)² / E over the same 2×2 table as [`llr`] (cells
/// with E = 0 add 0).
pub fn chi2(n: u64, n_a: u64, n_b: u64, n_ab: u64) -> f64 {
    let (cells, n) = cells(n, n_a, n_b, n_ab);
    cells
        .iter()
        .map(|&(o, row, col)| {
            let e = row * col / n;
            if e > 0.0 {
                (o - e) * (o - e) / e
            } else {
                0.0
            }
        })
        .sum()
}

/// `n_ab / (n_a + n_b − n_ab)`.
pub fn jaccard(n_a: u64, n_b: u64, n_ab: u64) -> f64 {
    n_ab as f64 / (n_a + n_b - n_ab) as f64
}

/// Hits per 10,000 tokens; `None` when there are no tokens.
pub fn rate_per_10k(hits: u64, tokens: u64) -> Option<f64> {
    (tokens > 0).then(|| hits as f64 * 10_000.0 / tokens as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn six(x: f64) -> String {
        format!("{x:.6}")
    }

    #[test]
    fn worked_example() {
        let s = pair_stats(10, 4, 5, 3);
        assert_eq!(six(s.pmi), "0.584963");
        assert_eq!(six(s.npmi), "0.336773");
        assert_eq!(six(s.llr), "1.726092");
        assert_eq!(six(s.jaccard), "0.500000");
    }

    #[test]
    fn independent_themes() {
        // n_ab = n_a·n_b / N exactly: pmi 0, llr 0.
        let s = pair_stats(100, 20, 50, 10);
        assert_eq!(s.pmi, 0.0);
        assert_eq!(s.npmi, 0.0);
        assert_eq!(six(s.llr), "0.000000");
        assert_eq!(six(s.jaccard), "0.166667");
    }

    #[test]
    fn always_together() {
        let s = pair_stats(4, 4, 4, 4);
        assert_eq!((s.pmi, s.npmi, s.llr, s.jaccard), (0.0, 1.0, 0.0, 1.0));
        // Perfect association, not everywhere: n = 4, a = b = ab = 2.
        // pmi = log2(2·4/4) = 1; npmi = 1 / −log2(0.5) = 1;
        // llr = 2·(2 ln 2 + 2 ln 2) = 8 ln 2 = 5.545177.
        let s = pair_stats(4, 2, 2, 2);
        assert_eq!((s.pmi, s.npmi), (1.0, 1.0));
        assert_eq!(six(s.llr), "5.545177");
    }

    #[test]
    fn negative_association() {
        // n = 10, a = 5, b = 5, ab = 1: pmi = log2(10/25) = −1.321928;
        // npmi = −1.321928 / log2(10) = −0.397940.
        let s = pair_stats(10, 5, 5, 1);
        assert_eq!(six(s.pmi), "-1.321928");
        assert_eq!(six(s.npmi), "-0.397940");
        // Cells O = [1,4,4,1], E = 2.5 each: G² = 2·(2·ln 0.4 + 8·ln 1.6) = 3.854895.
        assert_eq!(six(s.llr), "3.854895");
        assert_eq!(six(s.jaccard), "0.111111");
    }

    #[test]
    fn chi_square() {
        // O = [[3, 1], [2, 4]], E = [[2, 2], [3, 3]]:
        // 1/2 + 1/2 + 1/3 + 1/3 = 1.666667.
        assert_eq!(six(chi2(10, 4, 5, 3)), "1.666667");
        assert_eq!(six(chi2(100, 20, 50, 10)), "0.000000");
    }

    #[test]
    fn rates() {
        assert_eq!(rate_per_10k(3, 20_000), Some(1.5));
        assert_eq!(rate_per_10k(0, 0), None);
    }
}
