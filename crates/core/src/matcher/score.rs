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

/// Tags are curated topic words, but say less than a question: a query word
/// found only in the tags counts for this much of a key-text match.
pub const TAG_WEIGHT: f32 = 0.5;
/// A query word found in another key text of the same entry (not the one
/// being scored) counts for this much: people combine the words of several
/// alternates in one question.
pub const OTHER_KEYS_WEIGHT: f32 = 0.6;
/// A query word found only in the answer's start counts for this much.
pub const ANSWER_WEIGHT: f32 = 0.45;
/// beta for queries that use a core topic word: their other words are mostly
/// context ("my aunt in Mexico had ...") and cost little.
pub const BETA_ON_TOPIC: f32 = 0.3;
/// beta for queries with no core topic word: an unexplained word counts triple,
/// so one FAQ word inside an unrelated question ("what foods are
/// anti-inflammatory") does not make an answer.
pub const BETA_OFF_TOPIC: f32 = 3.0;
/// How much a key text's unasked words cost. Below 1: a short query ("exosome
/// size") should still match a longer key text fully about it.
pub const GAMMA: f32 = 0.3;

/// Added to the denominator when the query asks with one question word and
/// the key text with another ("where do MSCs come from" vs "what is an MSC"):
/// about one ordinary word's worth of disagreement.
pub const QUESTION_CONFLICT: f32 = 1.5;

/// The scoring weights together, so tools can try other values
/// (`examples/tune.rs`); the matcher uses [`Weights::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub tag: f32,
    pub answer: f32,
    pub beta_on_topic: f32,
    pub beta_off_topic: f32,
    pub gamma: f32,
    pub question_conflict: f32,
    pub segment_factor: f32,
    pub core_unexplained: f32,
    pub core_unasked: f32,
    pub core_unasked_off_topic: f32,
    pub other_keys: f32,
    pub semantic: f32,
    pub semantic_floor: f32,
}

impl Weights {
    pub const DEFAULT: Weights = Weights {
        tag: TAG_WEIGHT,
        answer: ANSWER_WEIGHT,
        beta_on_topic: BETA_ON_TOPIC,
        beta_off_topic: BETA_OFF_TOPIC,
        gamma: GAMMA,
        question_conflict: QUESTION_CONFLICT,
        segment_factor: super::SEGMENT_FACTOR,
        core_unexplained: CORE_UNEXPLAINED,
        core_unasked: CORE_UNASKED,
        core_unasked_off_topic: CORE_UNASKED_OFF_TOPIC,
        other_keys: OTHER_KEYS_WEIGHT,
        semantic: SEMANTIC_WEIGHT,
        semantic_floor: SEMANTIC_FLOOR,
    };

    pub fn beta(&self, on_topic: bool) -> f32 {
        if on_topic {
            self.beta_on_topic
        } else {
            self.beta_off_topic
        }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights::DEFAULT
    }
}

/// beta for a core topic word of the query that the key text lacks, however
/// on-topic the query: "msc exosomes" is not answered by "what is an MSC".
pub const CORE_UNEXPLAINED: f32 = 0.6;
/// gamma for a core topic word of the key text that the query lacks: "how do
/// cells divide" is not "can exosomes divide like cells".
pub const CORE_UNASKED: f32 = 0.6;
/// The same when the query uses no core topic word at all: then the key
/// text's topic word is the whole difference between "how do cells divide"
/// and "can exosomes divide like cells". 2.5: with the shipped FAQ's named
/// topic words, 2.0 still answered "how do cells divide" (0.51); 2.5 and 3.0
/// both abstain there, and 3.0 cost a held-out case.
pub const CORE_UNASKED_OFF_TOPIC: f32 = 2.5;

/// How much closeness in meaning (see [`crate::semantic`]) counts in an
/// entry's confidence; the rest is the word-overlap score above. Searched
/// 0.3-0.6 on the eval set (`examples/tune.rs`): ranked top-1 0.953-0.964
/// against 0.922 with words alone; 0.6 answered the most at the thresholds
/// that keep "none" cases unanswered. The static vectors alone rank worse
/// than words (0.81 against 0.88 on `mqp`), so meaning does not lead alone.
pub const SEMANTIC_WEIGHT: f32 = 0.6;
/// A cosine at or under this counts as no closeness at all: unrelated
/// messages still land around 0.1-0.3 with static word vectors. 0.2-0.4
/// tried: 0.3 kept the most "none" cases unanswered at the same top-1.
pub const SEMANTIC_FLOOR: f32 = 0.3;

/// An entry's confidence from its word-overlap confidence and the cosine of
/// the message and entry vectors.
pub fn blend(lexical: f32, cosine: f32, w: &Weights) -> f32 {
    let closeness = ((cosine - w.semantic_floor) / (1.0 - w.semantic_floor)).clamp(0.0, 1.0);
    (1.0 - w.semantic) * lexical + w.semantic * closeness
}

/// One query word after analysis: its weight and the vocabulary terms that
/// stand for it (itself, or fuzzy candidates) with their similarity.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub weight: f32,
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

/// The parts of one key text's confidence, for [`entry_confidence`] and explanations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyScore {
    /// Index into `Index::fields`.
    pub field: usize,
    pub matched: f32,
    pub extra: f32,
    pub unexplained: f32,
    pub unasked: f32,
    pub confidence: f32,
}

thread_local! {
    /// Per (field, query word) best similarity and term, reused across calls.
    static SIMILARITIES: std::cell::RefCell<Vec<(f32, u32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Scores every key text of `entry` against the query.
pub fn key_scores(
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
pub fn entry_confidence(index: &Index, entry: u32, query: &[QueryTerm], w: &Weights, on_topic: bool) -> f32 {
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
pub fn field_prescore(
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
