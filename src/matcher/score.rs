//! Scoring: how well one entry explains a query, as a confidence in 0..1.
//!
//! For each key text (question or alternate) of a candidate entry:
//!
//! ```text
//!   M = weight of query words the key text has           (matched)
//!   E = extra weight explained by the entry's tags/answer (weaker evidence)
//!   U = weight of query words nothing in the entry has    (unexplained)
//!   F = weight of the key text's words the query lacks    (not asked)
//!   confidence = (M + E) / (M + E + beta * U + GAMMA * F)
//! ```
//!
//! Weights are idf, so rare words count most. `beta` is small when the query
//! uses a core topic word of the FAQ (people ramble around real questions) and
//! 1 otherwise (an off-topic question sharing one word, "is it safe to drive in
//! snow", stays unexplained). The entry's confidence is its best key text's.

use super::index::{FieldKind, Index};

/// Tags are curated topic words, but say less than a question: a query word
/// found only in the tags counts for this much of a key-text match.
pub const TAG_WEIGHT: f32 = 0.5;
/// A query word found only in the answer's start counts for this much.
pub const ANSWER_WEIGHT: f32 = 0.35;
/// beta for queries that use a core topic word: their other words are mostly
/// context ("my aunt in Mexico had ...") and cost little.
pub const BETA_ON_TOPIC: f32 = 0.3;
/// beta for queries with no core topic word: every unexplained word counts fully.
pub const BETA_OFF_TOPIC: f32 = 1.0;
/// How much a key text's unasked words cost. Below 1: a short query ("exosome
/// size") should still match a longer key text fully about it.
pub const GAMMA: f32 = 0.5;

/// One query word after analysis: its weight and the vocabulary terms that
/// stand for it (itself, or fuzzy candidates) with their similarity.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub weight: f32,
    pub alternatives: Vec<(u32, f32)>,
}

impl QueryTerm {
    /// Best similarity of this word to any term of `field`.
    fn similarity_in(&self, terms: &[u32]) -> (f32, u32) {
        self.alternatives
            .iter()
            .filter(|(t, _)| terms.binary_search(t).is_ok())
            .map(|&(t, s)| (s, t))
            .fold((0.0, 0), |best, cur| if cur.0 > best.0 { cur } else { best })
    }
}

/// The confidence that entry `entry` answers the query.
pub fn entry_confidence(index: &Index, entry: u32, query: &[QueryTerm], beta: f32) -> f32 {
    let fields = index.fields_of(entry);
    // Per query word: the best weaker evidence (tags/answer) for it in this entry.
    let mut weak = [0f32; 64];
    let n = query.len().min(weak.len());
    for field in fields.iter().filter(|f| f.kind != FieldKind::Key) {
        let factor = if field.kind == FieldKind::Tags { TAG_WEIGHT } else { ANSWER_WEIGHT };
        for (i, q) in query.iter().take(n).enumerate() {
            weak[i] = weak[i].max(factor * q.similarity_in(&field.terms).0);
        }
    }
    let total: f32 = query.iter().take(n).map(|q| q.weight).sum();
    let mut best = 0f32;
    for field in fields.iter().filter(|f| f.kind == FieldKind::Key) {
        let (mut matched, mut extra, mut field_matched) = (0f32, 0f32, 0f32);
        for (i, q) in query.iter().take(n).enumerate() {
            let (sim, term) = q.similarity_in(&field.terms);
            matched += q.weight * sim;
            extra += q.weight * (weak[i] - sim).max(0.0);
            if sim > 0.0 {
                field_matched += index.idf[term as usize] * sim;
            }
        }
        let explained = matched + extra;
        let unexplained = (total - explained).max(0.0);
        let unasked = (field.weight - field_matched).max(0.0);
        let denominator = explained + beta * unexplained + GAMMA * unasked;
        if denominator > 0.0 {
            best = best.max(explained / denominator);
        }
    }
    best
}

/// A cheap upper-bound-ish score from accumulated matches, used to pick the
/// candidates that get the full [`entry_confidence`].
pub fn field_prescore(kind: FieldKind, accumulated: f32, field_weight: f32, query_weight: f32) -> f32 {
    match kind {
        FieldKind::Key => 2.0 * accumulated / (query_weight + field_weight).max(f32::EPSILON),
        FieldKind::Tags => TAG_WEIGHT * accumulated / query_weight.max(f32::EPSILON),
        FieldKind::Answer => ANSWER_WEIGHT * accumulated / query_weight.max(f32::EPSILON),
    }
}
