//! The engine: safety triage, then matching, then the decision.
//!
//! Built once per FAQ load and shared (read-only) by every front end.

use crate::faq::Faq;
use crate::matcher::{Matcher, Scored, Weights};
use crate::safety::{SafetyCategory, Triage};
use crate::text::{cap_chars, Analyzer};

/// Only the first this-many characters of a message are read, so the time a
/// question takes is bounded whatever arrives. A real question fits easily.
pub const MAX_QUERY_CHARS: usize = 2000;
/// "Did you mean" offers at most this many entries.
pub const MAX_SUGGESTIONS: usize = 3;
/// `ranked` in the outcome holds this many entries, whatever the decision.
pub const RANKED_LEN: usize = 5;
/// A suggestion must score at least this share of the best one, so a weak
/// third candidate is not offered beside a strong first.
pub const SUGGESTION_RELATIVE_FLOOR: f32 = 0.6;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The best entry is confident and clearly ahead.
    Answer(Scored),
    /// Not sure: these entries (1..=3), best first.
    Suggest(Vec<Scored>),
    /// Nothing in the FAQ fits.
    None,
    /// The message needs real help; `suggestions` only for personal advice.
    Safety { category: SafetyCategory, message: String, suggestions: Vec<Scored> },
}

impl Outcome {
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Answer(_) => "answer",
            Outcome::Suggest(_) => "suggest",
            Outcome::None => "none",
            Outcome::Safety { .. } => "safety",
        }
    }
}

/// The decision and the ranking it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub outcome: Outcome,
    /// Top entries by confidence, at most [`RANKED_LEN`].
    pub ranked: Vec<Scored>,
}

impl Response {
    /// The answered entry (for an answer) and the confidence to report: the
    /// answer's, else the best-ranked entry's (0 when nothing ranked).
    pub fn top(&self) -> (Option<usize>, f32) {
        match &self.outcome {
            Outcome::Answer(s) => (Some(s.entry), s.confidence),
            _ => (None, self.ranked.first().map_or(0.0, |s| s.confidence)),
        }
    }
}

#[derive(Debug)]
pub struct Engine {
    faq: Faq,
    matcher: Matcher,
    triage: Triage,
}

impl Engine {
    pub fn new(faq: Faq) -> Engine {
        Engine::with_weights(faq, Weights::DEFAULT)
    }

    /// An engine with other scoring weights (for tuning tools).
    pub fn with_weights(faq: Faq, weights: Weights) -> Engine {
        let mut analyzer = Analyzer::new(&faq.synonyms);
        analyzer.remember(
            faq.entries.iter().flat_map(|e| e.key_texts().chain(e.tags.iter().map(String::as_str))),
        );
        let triage = Triage::new(&faq.safety, &analyzer);
        let matcher = Matcher::with_weights(&faq.entries, &faq.topic_words, analyzer, weights);
        Engine { faq, matcher, triage }
    }

    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Triage, match and decide.
    pub fn ask(&self, message: &str) -> Response {
        let message = cap_chars(message, MAX_QUERY_CHARS);
        let tokens = self.matcher.analyzer().tokens(message);
        let ranked = self.matcher.rank_message(message, &tokens, RANKED_LEN.max(MAX_SUGGESTIONS));
        if let Some(hit) = self.triage.check(&tokens) {
            let suggestions = if hit.category == SafetyCategory::PersonalAdvice {
                self.suggestions(&ranked)
            } else {
                Vec::new()
            };
            return Response {
                outcome: Outcome::Safety {
                    category: hit.category,
                    message: hit.message.to_string(),
                    suggestions,
                },
                ranked,
            };
        }
        let settings = &self.faq.settings;
        let outcome = match ranked.first() {
            Some(best) => {
                let runner_up = ranked.get(1).map_or(0.0, |s| s.confidence);
                if best.confidence >= settings.answer_threshold
                    && best.confidence - runner_up >= settings.margin
                {
                    Outcome::Answer(*best)
                } else if best.confidence >= settings.suggest_threshold {
                    Outcome::Suggest(self.suggestions(&ranked))
                } else {
                    Outcome::None
                }
            }
            None => Outcome::None,
        };
        Response { outcome, ranked }
    }

    fn suggestions(&self, ranked: &[Scored]) -> Vec<Scored> {
        let floor = ranked.first().map_or(0.0, |b| b.confidence * SUGGESTION_RELATIVE_FLOOR);
        ranked
            .iter()
            .filter(|s| s.confidence >= self.faq.settings.suggest_threshold && s.confidence >= floor)
            .take(MAX_SUGGESTIONS)
            .copied()
            .collect()
    }
}
