//! Stage 3: retrieval by shared words. Candidates come from an inverted
//! index over every entry's key texts (question, alternates), tags and the
//! start of its answer; each is scored by how well its best key text explains
//! the message (`score`), and each sentence of a longer message may sharpen
//! that ([`Lexical::retrieve`]). Also the fast path for autocomplete
//! ([`Lexical::complete`]), which runs on every keystroke.
//!
//! Pure: no I/O, no threads. Built once per FAQ load.

mod index;
pub(crate) mod score;
mod vocab;

use std::cell::RefCell;

pub use index::FieldKind;
pub use score::{KeyScore, QueryTerm};

use super::{best_first, Query, Scored, Weights};
use crate::faq::Entry;
use crate::text::{Analyzer, Token, QUESTION_WORDS};
use index::Index;
use vocab::MAX_FUZZY_CANDIDATES;

/// Only this many distinct content words of a message are scored; a message
/// longer than that is rambling and its first words carry the question.
pub const MAX_QUERY_TERMS: usize = 64;

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

/// The word index of one FAQ load, and how messages are scored against it.
#[derive(Debug)]
pub struct Lexical {
    index: Index,
    /// Question words as analysed terms.
    question_terms: Vec<String>,
    weights: Weights,
}

impl Lexical {
    /// The index over `entries`; `topic_words` name the FAQ's core topic
    /// words (empty: worked out from the entries, see `index::CORE_SHARE`).
    pub fn new(entries: &[Entry], topic_words: &[String], analyzer: &Analyzer, weights: Weights) -> Lexical {
        let index = Index::build(entries, topic_words, analyzer, &weights);
        let question_terms = QUESTION_WORDS.iter().map(|w| analyzer.stem_word(w)).collect();
        Lexical { index, question_terms, weights }
    }

    /// Whether an analysed term is one of the FAQ's core topic words.
    pub fn is_core(&self, term: &str) -> bool {
        self.index.is_core(term)
    }

    /// The query's words as weighted vocabulary alternatives, and whether it
    /// uses a core topic word of the FAQ (always, for an FAQ without one:
    /// a general FAQ has no topic to be off).
    pub(crate) fn query_terms(&self, tokens: &[Token]) -> (Vec<QueryTerm>, bool) {
        let mut seen: Vec<&str> = Vec::new();
        let mut terms = Vec::new();
        let mut on_topic = self.index.has_no_topic();
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
                term.core = term
                    .alternatives
                    .iter()
                    .any(|&(id, sim)| sim >= self.weights.core_fuzzy_min && idx.core[id as usize]);
                on_topic |= term.core;
                terms.push(term);
            }
        });
        (terms, on_topic)
    }

    /// Every entry the message's words support, with its word confidence
    /// (unsorted), and whether the message uses a core topic word of the FAQ
    /// (is about its subject). A sentence of a longer message may raise an
    /// entry the whole message already ranks near the top
    /// ([`Weights::sentence_min_share`]).
    pub fn retrieve(&self, query: &Query) -> (Vec<Scored>, bool) {
        let (terms, on_topic) = self.query_terms(query.tokens());
        let mut ranked = self.score(&terms, on_topic);
        let best = ranked.iter().map(|s| s.confidence).fold(0.0, f32::max);
        if query.is_several() && best > 0.0 {
            let w = &self.weights;
            for sentence in query.sentences() {
                let (part, _) = self.query_terms(&sentence.tokens);
                if part.is_empty() || part.len() == terms.len() {
                    continue;
                }
                let min_share =
                    if sentence.asks { w.question_sentence_min_share } else { w.sentence_min_share };
                let floor = (best * min_share).max(w.sentence_min_whole);
                for s in self.score(&part, on_topic) {
                    let confidence = s.confidence * w.sentence_factor;
                    match ranked.iter_mut().find(|r| r.entry == s.entry) {
                        Some(r) if r.confidence >= floor => r.confidence = r.confidence.max(confidence),
                        _ => {}
                    }
                }
            }
        }
        (ranked, on_topic)
    }

    /// The word confidence of each of `entries` (found another way, by
    /// meaning), whether or not the words would have picked them.
    pub fn score_entries(&self, query: &Query, entries: &[usize]) -> Vec<Scored> {
        let (terms, on_topic) = self.query_terms(query.tokens());
        entries
            .iter()
            .map(|&e| Scored {
                entry: e,
                confidence: if terms.is_empty() {
                    0.0
                } else {
                    score::entry_confidence(&self.index, e as u32, &terms, &self.weights, on_topic)
                },
            })
            .collect()
    }

    /// How `entry` scored against `text`, key text by key text: for people
    /// tuning the FAQ (`faqbot ask --explain`).
    pub fn explain(&self, query: &Query, entry: usize) -> Vec<(String, KeyScore)> {
        let (query, on_topic) = self.query_terms(query.tokens());
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
    /// Words only, no meaning: this runs on every keystroke.
    pub fn complete(&self, analyzer: &Analyzer, text: &str, limit: usize) -> Vec<Scored> {
        let tokens = analyzer.tokens(text);
        let (mut query, on_topic) = self.query_terms(&tokens);
        let typing = !text.ends_with(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
        if let (true, Some(last_word)) = (typing, crate::text::fold_words(text).last()) {
            if let Some(last) = query.last_mut().filter(|_| tokens.last().is_some_and(|t| !t.stop)) {
                let idx = &self.index;
                let mut longer = Vec::new();
                idx.vocab.completions(last_word, MAX_FUZZY_CANDIDATES, &mut longer);
                for t in longer {
                    if !last.alternatives.iter().any(|a| a.0 == t) {
                        last.alternatives.push((t, self.weights.prefix_similarity));
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

    /// The FAQ's core topic words, as analysed terms.
    pub fn core_terms(&self) -> Vec<&str> {
        let idx = &self.index;
        (0..idx.vocab.len() as u32).filter(|&t| idx.core[t as usize]).map(|t| idx.vocab.term(t)).collect()
    }

    /// The analysed query as `term(weight)` words, with `~` for fuzzy stand-ins.
    pub fn explain_query(&self, query: &Query) -> String {
        let (query, on_topic) = self.query_terms(query.tokens());
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

    /// The entries worth scoring fully: best pre-score first, at most [`Weights::candidates`].
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
                let keep = s.entry_best[e as usize] >= best * self.weights.prescore_keep_share;
                if !keep {
                    s.entry_best[e as usize] = 0.0;
                }
                keep
            });
            let by_prescore = |a: &u32, b: &u32| {
                s.entry_best[*b as usize].total_cmp(&s.entry_best[*a as usize]).then(a.cmp(b))
            };
            let keep = self.weights.candidates.max(1);
            if entries.len() > keep {
                entries.select_nth_unstable_by(keep - 1, by_prescore);
                for &e in &entries[keep..] {
                    s.entry_best[e as usize] = 0.0;
                }
                entries.truncate(keep);
            }
            for &e in &entries {
                s.entry_best[e as usize] = 0.0;
            }
            entries
        })
    }
}
