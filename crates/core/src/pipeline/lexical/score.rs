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
use super::MAX_QUERY_TERMS as MAX_TERMS;
use crate::pipeline::Weights;

/// One query word after analysis: its weight and the vocabulary terms that
/// stand for it (itself, or fuzzy candidates) with their similarity.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    /// The word's weight (its idf, or its best stand-in's).
    pub weight: f32,
    /// Vocabulary term ids that stand for it, most similar first, with their similarity.
    pub alternatives: Vec<(u32, f32)>,
    /// False for question words ("how", "what"): they refine a match but a key
    /// text that shares only them with the query does not match at all.
    pub topic: bool,
    /// A core topic word of the FAQ ("exosome", "stem cell").
    pub core: bool,
}

impl QueryTerm {
    /// Best similarity of this word to any term of `field`, and that term.
    fn similarity_in(&self, terms: &[u32]) -> (f32, u32) {
        self.alternatives
            .iter()
            .filter(|(t, _)| terms.binary_search(t).is_ok())
            .map(|&(t, s)| (s, t))
            .fold((0.0, 0), |best, cur| if cur.0 > best.0 { cur } else { best })
    }
}

/// The parts of one key text's confidence, for the entry confidence and explanations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyScore {
    /// Index into the index's fields.
    pub field: usize,
    /// M: weight of the query words this key text has.
    pub matched: f32,
    /// E: extra weight explained by the entry's tags, answer or other key texts.
    pub extra: f32,
    /// U: weight of the query words nothing in the entry has.
    pub unexplained: f32,
    /// F: weight of the key text's words the query lacks.
    pub unasked: f32,
    /// The key text's confidence.
    pub confidence: f32,
}

thread_local! {
    /// Per (field, query word) best similarity and term, reused across calls.
    static SIMILARITIES: std::cell::RefCell<Vec<(f32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Scores every key text of `entry` against the query.
pub(crate) fn key_scores(
    index: &Index,
    entry: u32,
    query: &[QueryTerm],
    w: &Weights,
    on_topic: bool,
) -> Vec<KeyScore> {
    let mut out = Vec::new();
    for_each_key_score(index, entry, query, w, on_topic, |k| out.push(k));
    out
}

/// The confidence that entry `entry` answers the query: its best key text's.
pub(crate) fn entry_confidence(
    index: &Index,
    entry: u32,
    query: &[QueryTerm],
    w: &Weights,
    on_topic: bool,
) -> f32 {
    let mut best = 0f32;
    for_each_key_score(index, entry, query, w, on_topic, |k| best = best.max(k.confidence));
    best
}

fn for_each_key_score(
    index: &Index,
    entry: u32,
    query: &[QueryTerm],
    w: &Weights,
    on_topic: bool,
    mut emit: impl FnMut(KeyScore),
) {
    let beta = w.beta(on_topic);
    let (start, _) = index.entry_fields[entry as usize];
    let fields = index.fields_of(entry);
    let n = query.len().min(MAX_TERMS);
    let query = &query[..n];
    SIMILARITIES.with(|cell| {
        let sims = &mut *cell.borrow_mut();
        sims.clear();
        // Per query word: the best weaker evidence for it elsewhere in this
        // entry (its other key texts, tags, answer).
        let mut weak = [0f32; MAX_TERMS];
        for field in fields {
            let factor = match field.kind {
                FieldKind::Key => w.other_keys,
                FieldKind::Tags => w.tag,
                FieldKind::Answer => w.answer,
            };
            for (i, q) in query.iter().enumerate() {
                let found = q.similarity_in(&field.terms);
                weak[i] = weak[i].max(factor * found.0);
                sims.push(found);
            }
        }
        for (offset, field) in fields.iter().enumerate().filter(|(_, f)| f.kind == FieldKind::Key) {
            let (mut matched, mut extra, mut topical) = (0f32, 0f32, false);
            let (mut unexplained, mut penalty) = (0f32, 0f32);
            let (mut matched_core, mut matched_other) = (0f32, 0f32);
            let (mut query_asks, mut shared_asks) = (false, 0usize);
            for (i, q) in query.iter().enumerate() {
                let (sim, term) = sims[offset * n + i];
                let weak_extra = (weak[i] - sim).max(0.0);
                matched += q.weight * sim;
                extra += q.weight * weak_extra;
                let miss = (q.weight * (1.0 - sim - weak_extra)).max(0.0);
                unexplained += miss;
                penalty += miss * if q.core { w.core_unexplained.max(beta) } else { beta };
                if sim > 0.0 {
                    let share = index.idf[term as usize] * sim;
                    if index.core[term as usize] {
                        matched_core += share;
                    } else {
                        matched_other += share;
                    }
                    topical |= q.topic;
                }
                if !q.topic {
                    query_asks = true;
                    shared_asks += usize::from(sim > 0.0);
                }
            }
            let conflict =
                if query_asks && shared_asks == 0 && field.asks { w.question_conflict } else { 0.0 };
            let explained = matched + extra;
            let unasked_core = (field.core_weight - matched_core).max(0.0);
            let unasked_other = (field.weight - field.core_weight - matched_other).max(0.0);
            let core_unasked = if on_topic { w.core_unasked } else { w.core_unasked_off_topic };
            let denominator =
                explained + penalty + core_unasked * unasked_core + w.gamma * unasked_other + conflict;
            let confidence = if topical && denominator > 0.0 { explained / denominator } else { 0.0 };
            emit(KeyScore {
                field: start as usize + offset,
                matched,
                extra,
                unexplained,
                unasked: unasked_core + unasked_other,
                confidence,
            });
        }
    });
}

/// A cheap upper-bound-ish score from accumulated matches, used to pick the
/// candidates that get the full [`entry_confidence`].
pub(crate) fn field_prescore(
    kind: FieldKind,
    accumulated: f32,
    field_weight: f32,
    query_weight: f32,
    w: &Weights,
) -> f32 {
    match kind {
        FieldKind::Key => 2.0 * accumulated / (query_weight + field_weight).max(f32::EPSILON),
        FieldKind::Tags => w.tag * accumulated / query_weight.max(f32::EPSILON),
        FieldKind::Answer => w.answer * accumulated / query_weight.max(f32::EPSILON),
    }
}
