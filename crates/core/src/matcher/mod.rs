//! The matcher: from a message to ranked FAQ entries with confidences.
//!
//! Pure: no I/O, no threads, no Discord. Built once per FAQ load.

mod index;
mod score;
mod vocab;

use std::cell::RefCell;

pub use index::{FieldKind, Index, ANSWER_INDEX_CHARS, ANSWER_INDEX_TERMS, CORE_MIN_ENTRIES, CORE_SHARE};
pub use score::{
    blend, KeyScore, QueryTerm, Weights, ANSWER_WEIGHT, BETA_OFF_TOPIC, BETA_ON_TOPIC, CORE_UNASKED,
    CORE_UNEXPLAINED, GAMMA, QUESTION_CONFLICT, SEMANTIC_FLOOR, SEMANTIC_WEIGHT, TAG_WEIGHT,
};
pub use vocab::{FUZZY_MIN_LEN, MAX_FUZZY_CANDIDATES, TWO_EDITS_MIN_LEN};

use crate::faq::Entry;
use crate::semantic::{prose, SemanticIndex};
use crate::text::{Analyzer, Token, QUESTION_WORDS};

/// Only this many distinct content words of a message are scored; a message
/// longer than that is rambling and its first words carry the question.
pub const MAX_QUERY_TERMS: usize = 64;
/// A word being typed stands for the vocabulary words it begins with, at this similarity.
pub const PREFIX_SIMILARITY: f32 = 0.9;
/// A misspelt word stands for a core topic word only this close to it.
pub const CORE_FUZZY_MIN: f32 = 0.8;
/// A message of several sentences is also scored one sentence at a time, for
/// at most this many sentences: people wrap a question in context ("long post,
/// sorry... what's the actual difference?").
pub const MAX_SEGMENTS: usize = 6;
/// A sentence's score counts for this share of a whole-message score, so the
/// whole message wins ties.
pub const SEGMENT_FACTOR: f32 = 0.95;
/// A sentence may only raise entries the whole message already ranks within
/// this share of its best: it sharpens the confidence of a match the message
/// supports, it does not let a generic sentence ("does it work?") pick a
/// different entry.
pub const SEGMENT_MIN_SHARE: f32 = 0.8;
/// A sentence ending in a question mark is the question the rest of the
/// message wraps ("what actually are exsomes? my clinic keeps mentioning
/// them"), so it may raise entries down to this share of the best. Tried 0.2 to
/// 0.8 on the eval set: anything under 0.8 fixes the same case; 0.5 is the middle.
/// Letting it raise entries the whole message does not rank at all cost 16
/// points of top-1 on the `mqp` bank, whose context sentences matter.
pub const QUESTION_SEGMENT_MIN_SHARE: f32 = 0.5;
/// ... and only entries the whole message already scores at least this: a
/// one-word sentence ("It hurts. Why?") in an unrelated message raises nothing.
pub const SEGMENT_MIN_WHOLE: f32 = 0.3;
/// Entries whose pre-score is under this share of the best one's are not
/// scored fully: they share too little with the question to come first.
pub const PRESCORE_KEEP_SHARE: f32 = 0.45;
/// This many entries, picked by a cheap pre-score, get the full confidence.
/// Generous: the pre-score only has to put the right entry somewhere in it.
pub const CANDIDATES: usize = 24;

/// Decision thresholds, settable in `bot.toml` under `[matching]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Answer only at or above this confidence...
    pub answer_threshold: f32,
    /// ...and only this far ahead of the runner-up entry.
    pub margin: f32,
    /// Below the answer rule but at or above this: "did you mean".
    pub suggest_threshold: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            answer_threshold: DEFAULT_ANSWER_THRESHOLD,
            margin: DEFAULT_MARGIN,
            suggest_threshold: DEFAULT_SUGGEST_THRESHOLD,
        }
    }
}

/// Tuned on `tests/eval/cases.toml` against the shipped FAQ and checked on the
/// out-of-domain bank (see the README's benchmark section). With meaning
/// blended in (see [`SEMANTIC_WEIGHT`]) confidences are less spread out than
/// word scores alone (0.5 and 0.02 before): a sibling entry about the same
/// subject is close in meaning too, so near-ties are closer.
pub const DEFAULT_ANSWER_THRESHOLD: f32 = 0.4;
pub const DEFAULT_MARGIN: f32 = 0.01;
pub const DEFAULT_SUGGEST_THRESHOLD: f32 = 0.3;

/// An entry (by index into the FAQ's entries) with its confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub entry: usize,
    pub confidence: f32,
}

/// Reusable per-thread buffers, so a query allocates little.
#[derive(Default)]
struct Scratch {
    accumulated: Vec<f32>,
    last_term: Vec<u32>,
    touched_fields: Vec<u32>,
    entry_best: Vec<f32>,
    touched_entries: Vec<u32>,
    fuzzy: Vec<(u32, f32)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Debug)]
pub struct Matcher {
    analyzer: Analyzer,
    index: Index,
    semantic: SemanticIndex,
    /// Question words as analysed terms.
    question_terms: Vec<String>,
    weights: Weights,
}

impl Matcher {
    /// A matcher over `entries`; `topic_words` name the FAQ's core topic
    /// words (empty: worked out from the entries, see [`CORE_SHARE`]).
    pub fn new(entries: &[Entry], topic_words: &[String], analyzer: Analyzer) -> Matcher {
        Matcher::with_weights(entries, topic_words, analyzer, Weights::DEFAULT)
    }

    pub fn with_weights(
        entries: &[Entry],
        topic_words: &[String],
        analyzer: Analyzer,
        weights: Weights,
    ) -> Matcher {
        let index = Index::build(entries, topic_words, &analyzer);
        let semantic = SemanticIndex::build(entries.iter().map(Entry::key_texts));
        let question_terms = QUESTION_WORDS.iter().map(|w| analyzer.stem_word(w)).collect();
        Matcher { analyzer, index, semantic, question_terms, weights }
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The query's words as weighted vocabulary alternatives, and whether it
    /// uses a core topic word of the FAQ.
    pub fn query_terms(&self, tokens: &[Token]) -> (Vec<QueryTerm>, bool) {
        let mut seen: Vec<&str> = Vec::new();
        let mut terms = Vec::new();
        let mut on_topic = false;
        SCRATCH.with(|s| {
            let fuzzy = &mut s.borrow_mut().fuzzy;
            for token in tokens.iter().filter(|t| !t.stop) {
                if terms.len() >= MAX_QUERY_TERMS {
                    break;
                }
                if seen.contains(&token.term.as_str()) {
                    continue;
                }
                seen.push(&token.term);
                let idx = &self.index;
                let topic = !self.question_terms.contains(&token.term);
                let mut term = match idx.vocab.id(&token.term) {
                    Some(id) => QueryTerm {
                        weight: idx.idf[id as usize],
                        alternatives: vec![(id, 1.0)],
                        topic,
                        core: false,
                    },
                    None => {
                        idx.vocab.fuzzy(&token.term, fuzzy);
                        let weight = fuzzy.first().map_or(idx.unknown_idf, |&(id, _)| idx.idf[id as usize]);
                        QueryTerm { weight, alternatives: fuzzy.clone(), topic, core: false }
                    }
                };
                term.core =
                    term.alternatives.iter().any(|&(id, sim)| sim >= CORE_FUZZY_MIN && idx.core[id as usize]);
                on_topic |= term.core;
                terms.push(term);
            }
        });
        (terms, on_topic)
    }

    /// Entries ranked by confidence, best first, at most `limit`.
    pub fn rank(&self, text: &str, limit: usize) -> Vec<Scored> {
        self.rank_message(text, &self.analyzer.tokens(text), limit)
    }

    /// Like [`Matcher::rank`] when the caller already has the message's tokens.
    pub fn rank_message(&self, text: &str, tokens: &[Token], limit: usize) -> Vec<Scored> {
        let (query, on_topic) = self.query_terms(tokens);
        let mut ranked = self.score(&query, on_topic);
        let segments = split_sentences(text);
        let best = ranked.iter().map(|s| s.confidence).fold(0.0, f32::max);
        if segments.len() > 1 && best > 0.0 {
            for &(segment, asks) in segments.iter().take(MAX_SEGMENTS) {
                let (part, _) = self.query_terms(&self.analyzer.tokens(segment));
                if part.is_empty() || part.len() == query.len() {
                    continue;
                }
                let min_share = if asks { QUESTION_SEGMENT_MIN_SHARE } else { SEGMENT_MIN_SHARE };
                let floor = (best * min_share).max(SEGMENT_MIN_WHOLE);
                for s in self.score(&part, on_topic) {
                    let confidence = s.confidence * self.weights.segment_factor;
                    match ranked.iter_mut().find(|r| r.entry == s.entry) {
                        Some(r) if r.confidence >= floor => r.confidence = r.confidence.max(confidence),
                        _ => {}
                    }
                }
            }
        }
        if !ranked.is_empty() {
            let messages = self.message_vectors(text);
            if !messages.is_empty() {
                for r in &mut ranked {
                    r.confidence = blend(r.confidence, self.closeness(&messages, r.entry), &self.weights);
                }
            }
        }
        best_first(ranked, limit)
    }

    /// The message's meaning vectors, links and code left out
    /// ([`crate::semantic::prose`]): the whole message, then each sentence of
    /// a longer one and the clause after the last comma of a sentence that
    /// asks ("wow the brochures are glossy af, but is it safe?"), compared on
    /// their own as for the word score. Empty when no word is known.
    fn message_vectors(&self, text: &str) -> Vec<Vec<f32>> {
        let text = prose(text);
        let Some(whole) = self.semantic.embed(&text) else {
            return Vec::new();
        };
        let mut out = vec![whole];
        let segments = split_sentences(&text);
        for &(segment, asks) in segments.iter().take(MAX_SEGMENTS) {
            if segments.len() > 1 {
                out.extend(self.semantic.embed(segment));
            }
            if let Some((_, clause)) = segment.rsplit_once(',').filter(|_| asks) {
                out.extend(self.semantic.embed(clause));
            }
        }
        out
    }

    /// The best cosine of any of the message's vectors with entry `entry`.
    fn closeness(&self, messages: &[Vec<f32>], entry: usize) -> f32 {
        messages.iter().map(|m| self.semantic.similarity(m, entry)).fold(f32::MIN, f32::max)
    }

    /// The cosine in meaning of `text` and entry `entry` (`--explain`), if any word is known.
    pub fn meaning(&self, text: &str, entry: usize) -> Option<f32> {
        let messages = self.message_vectors(text);
        (!messages.is_empty()).then(|| self.closeness(&messages, entry))
    }

    /// How `entry` scored against `text`, key text by key text: for people
    /// tuning the FAQ (`faqbot ask --explain`).
    pub fn explain(&self, text: &str, entry: usize) -> Vec<(String, KeyScore)> {
        let (query, on_topic) = self.query_terms(&self.analyzer.tokens(text));
        score::key_scores(&self.index, entry as u32, &query, &self.weights, on_topic)
            .into_iter()
            .map(|k| {
                let terms = self.index.fields[k.field]
                    .terms
                    .iter()
                    .map(|&t| self.index.vocab.term(t))
                    .collect::<Vec<_>>();
                (terms.join(" "), k)
            })
            .collect()
    }

    /// Ranks entries for text being typed (autocomplete): the last word, when
    /// the text does not end in a space, may be the start of a longer word.
    pub fn rank_prefix(&self, text: &str, limit: usize) -> Vec<Scored> {
        let tokens = self.analyzer.tokens(text);
        let (mut query, on_topic) = self.query_terms(&tokens);
        let typing = !text.ends_with(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
        if let (true, Some(last_word)) = (typing, crate::text::fold_words(text).last()) {
            if let Some(last) = query.last_mut().filter(|_| tokens.last().is_some_and(|t| !t.stop)) {
                let idx = &self.index;
                let mut longer = Vec::new();
                idx.vocab.completions(last_word, MAX_FUZZY_CANDIDATES, &mut longer);
                for t in longer {
                    if !last.alternatives.iter().any(|a| a.0 == t) {
                        last.alternatives.push((t, PREFIX_SIMILARITY));
                    }
                }
                last.alternatives.sort_by(|a, b| b.1.total_cmp(&a.1));
                if let Some(&(best, _)) = last.alternatives.first() {
                    last.weight = idx.idf[best as usize];
                }
            }
        }
        let ranked = self.score(&query, on_topic);
        best_first(ranked, limit)
    }

    /// The FAQ's core topic words (see [`CORE_SHARE`]), as analysed terms.
    pub fn core_terms(&self) -> Vec<&str> {
        let idx = &self.index;
        (0..idx.vocab.len() as u32).filter(|&t| idx.core[t as usize]).map(|t| idx.vocab.term(t)).collect()
    }

    /// The analysed query as `term(weight)` words, with `~` for fuzzy stand-ins.
    pub fn explain_query(&self, text: &str) -> String {
        let (query, on_topic) = self.query_terms(&self.analyzer.tokens(text));
        let words: Vec<String> = query
            .iter()
            .map(|q| {
                let alts: Vec<String> = q
                    .alternatives
                    .iter()
                    .map(|&(t, s)| {
                        if s < 1.0 {
                            format!("~{}:{s:.2}", self.index.vocab.term(t))
                        } else {
                            self.index.vocab.term(t).to_string()
                        }
                    })
                    .collect();
                format!("{}({:.2})", if alts.is_empty() { "?".into() } else { alts.join("|") }, q.weight)
            })
            .collect();
        format!("{} [{}]", words.join(" "), if on_topic { "on topic" } else { "off topic" })
    }

    /// Full confidences for the candidate entries of one query (unsorted).
    fn score(&self, query: &[QueryTerm], on_topic: bool) -> Vec<Scored> {
        if !query.iter().any(|q| q.topic && !q.alternatives.is_empty()) {
            return Vec::new();
        }
        self.candidates(query)
            .into_iter()
            .map(|e| Scored {
                entry: e as usize,
                confidence: score::entry_confidence(&self.index, e, query, &self.weights, on_topic),
            })
            .filter(|s| s.confidence > 0.0)
            .collect()
    }

    /// The entries worth scoring fully: best pre-score first, at most [`CANDIDATES`].
    fn candidates(&self, query: &[QueryTerm]) -> Vec<u32> {
        let idx = &self.index;
        let query_weight: f32 = query.iter().map(|q| q.weight).sum();
        SCRATCH.with(|s| {
            let s = &mut *s.borrow_mut();
            if s.accumulated.len() < idx.fields.len() {
                s.accumulated.resize(idx.fields.len(), 0.0);
                s.last_term.resize(idx.fields.len(), u32::MAX);
            }
            if s.entry_best.len() < idx.entry_count() {
                s.entry_best.resize(idx.entry_count(), 0.0);
            }
            for (qi, q) in query.iter().enumerate() {
                // Alternatives are most similar first, so a field's first hit is its best.
                for &(term, sim) in &q.alternatives {
                    for &f in idx.postings(term) {
                        let fu = f as usize;
                        if s.last_term[fu] == qi as u32 {
                            continue;
                        }
                        if s.last_term[fu] == u32::MAX {
                            s.touched_fields.push(f);
                        }
                        s.last_term[fu] = qi as u32;
                        s.accumulated[fu] += q.weight * sim;
                    }
                }
            }
            for &f in &s.touched_fields {
                let field = &idx.fields[f as usize];
                let pre = score::field_prescore(
                    field.kind,
                    s.accumulated[f as usize],
                    field.weight,
                    query_weight,
                    &self.weights,
                );
                let e = field.entry as usize;
                if s.entry_best[e] == 0.0 {
                    s.touched_entries.push(field.entry);
                }
                s.entry_best[e] = s.entry_best[e].max(pre);
                s.accumulated[f as usize] = 0.0;
                s.last_term[f as usize] = u32::MAX;
            }
            s.touched_fields.clear();
            let mut entries = std::mem::take(&mut s.touched_entries);
            let best = entries.iter().map(|&e| s.entry_best[e as usize]).fold(0.0, f32::max);
            entries.retain(|&e| {
                let keep = s.entry_best[e as usize] >= best * PRESCORE_KEEP_SHARE;
                if !keep {
                    s.entry_best[e as usize] = 0.0;
                }
                keep
            });
            let by_prescore = |a: &u32, b: &u32| {
                s.entry_best[*b as usize].total_cmp(&s.entry_best[*a as usize]).then(a.cmp(b))
            };
            if entries.len() > CANDIDATES {
                entries.select_nth_unstable_by(CANDIDATES - 1, by_prescore);
                for &e in &entries[CANDIDATES..] {
                    s.entry_best[e as usize] = 0.0;
                }
                entries.truncate(CANDIDATES);
            }
            for &e in &entries {
                s.entry_best[e as usize] = 0.0;
            }
            entries
        })
    }
}

/// Highest confidence first (ties by entry order, so results are deterministic), at most `limit`.
fn best_first(mut ranked: Vec<Scored>, limit: usize) -> Vec<Scored> {
    ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.entry.cmp(&b.entry)));
    ranked.truncate(limit);
    ranked
}

/// The sentences of a message, split at . ? ! ; and line breaks, each with
/// whether it ends in a question mark (it asks the question).
fn split_sentences(text: &str) -> Vec<(&str, bool)> {
    text.split_inclusive(['.', '?', '!', ';', '\n'])
        .map(|s| (s.trim_end_matches(['.', '?', '!', ';', '\n']).trim(), s.ends_with('?')))
        .filter(|(s, _)| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_sentences;

    #[test]
    fn sentences_know_whether_they_ask() {
        assert_eq!(
            split_sentences("Long post, sorry. What's the difference?! thanks\nbye"),
            vec![
                ("Long post, sorry", false),
                ("What's the difference", true),
                ("thanks", false),
                ("bye", false)
            ]
        );
        assert_eq!(split_sentences("are exosomes alive?"), vec![("are exosomes alive", true)]);
        assert!(split_sentences(" ?! ..").is_empty());
    }
}
