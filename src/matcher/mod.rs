//! The matcher: from a message to ranked FAQ entries with confidences.
//!
//! Pure: no I/O, no threads, no Discord. Built once per FAQ load.

mod index;
mod score;
mod vocab;

use std::cell::RefCell;

pub use index::{FieldKind, Index, ANSWER_INDEX_CHARS, ANSWER_INDEX_TERMS, CORE_MIN_ENTRIES, CORE_SHARE};
pub use score::{QueryTerm, ANSWER_WEIGHT, BETA_OFF_TOPIC, BETA_ON_TOPIC, GAMMA, TAG_WEIGHT};
pub use vocab::{FUZZY_MIN_LEN, MAX_FUZZY_CANDIDATES, TWO_EDITS_MIN_LEN};

use crate::faq::Entry;
use crate::text::{Analyzer, Token};

/// Only this many distinct content words of a message are scored; a message
/// longer than that is rambling and its first words carry the question.
pub const MAX_QUERY_TERMS: usize = 64;
/// This many entries, picked by a cheap pre-score, get the full confidence.
/// Generous: the pre-score only has to put the right entry somewhere in it.
pub const CANDIDATES: usize = 48;

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
        Settings { answer_threshold: DEFAULT_ANSWER_THRESHOLD, margin: DEFAULT_MARGIN, suggest_threshold: DEFAULT_SUGGEST_THRESHOLD }
    }
}

/// Tuned on `tests/eval/cases.toml` against the shipped FAQ and checked on the
/// out-of-domain bank (see the README's benchmark section).
pub const DEFAULT_ANSWER_THRESHOLD: f32 = 0.5;
pub const DEFAULT_MARGIN: f32 = 0.05;
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
}

impl Matcher {
    pub fn new(entries: &[Entry], analyzer: Analyzer) -> Matcher {
        let index = Index::build(entries, &analyzer);
        Matcher { analyzer, index }
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
                let term = match idx.vocab.id(&token.term) {
                    Some(id) => QueryTerm { weight: idx.idf[id as usize], alternatives: vec![(id, 1.0)] },
                    None => {
                        idx.vocab.fuzzy(&token.term, fuzzy);
                        let weight = fuzzy.first().map_or(idx.unknown_idf, |&(id, _)| idx.idf[id as usize]);
                        QueryTerm { weight, alternatives: fuzzy.clone() }
                    }
                };
                on_topic |= term.alternatives.iter().any(|&(id, sim)| sim >= 0.8 && idx.core[id as usize]);
                terms.push(term);
            }
        });
        (terms, on_topic)
    }

    /// Entries ranked by confidence, best first, at most `limit`.
    pub fn rank(&self, text: &str, limit: usize) -> Vec<Scored> {
        self.rank_tokens(&self.analyzer.tokens(text), limit)
    }

    pub fn rank_tokens(&self, tokens: &[Token], limit: usize) -> Vec<Scored> {
        let (query, on_topic) = self.query_terms(tokens);
        if query.iter().all(|q| q.alternatives.is_empty()) {
            return Vec::new();
        }
        let candidates = self.candidates(&query);
        let beta = if on_topic { score::BETA_ON_TOPIC } else { score::BETA_OFF_TOPIC };
        let mut ranked: Vec<Scored> = candidates
            .into_iter()
            .map(|e| Scored { entry: e as usize, confidence: score::entry_confidence(&self.index, e, &query, beta) })
            .filter(|s| s.confidence > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.entry.cmp(&b.entry)));
        ranked.truncate(limit);
        ranked
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
                let pre = score::field_prescore(field.kind, s.accumulated[f as usize], field.weight, query_weight);
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
