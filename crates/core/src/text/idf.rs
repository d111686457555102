//! The one idf: how much a word (or word piece) tells, from how many texts use it.

/// Added to the count of texts using a word: a word no text uses weighs the
/// most, not infinitely. 0.5 as in BM25.
pub const IDF_SMOOTHING: f32 = 0.5;

/// Inverse document frequency of a word that `df` of `n` texts use:
/// `ln((n + 1) / (df + 0.5))`, which is BM25's `ln(1 + (n - df + 0.5) / (df + 0.5))`
/// written shorter. Positive for every `df <= n`; the word index, the
/// meaning vectors and the grouping of unanswered questions all weigh by it.
pub fn idf(n: f32, df: f32) -> f32 {
    ((n + 1.0) / (df + IDF_SMOOTHING)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_words_weigh_more_and_none_is_negative() {
        let n = 100.0;
        assert!(idf(n, 0.0) > idf(n, 1.0) && idf(n, 1.0) > idf(n, 50.0));
        assert!(idf(n, n) > 0.0, "a word in every text still weighs a little");
        let bm25 = (1.0f32 + (n - 3.0 + 0.5) / (3.0 + 0.5)).ln();
        assert!((idf(n, 3.0) - bm25).abs() < 1e-6);
    }
}
