//! Reply composition: what every front end shows for an outcome.
//!
//! The CLI prints it, `--json` serialises it (a stable contract, see the
//! README), and the Discord front end renders it as an embed. The disclaimer is
//! added here, in code, so no FAQ entry can drop it.

use serde::Serialize;

use crate::engine::{Engine, Outcome, Response};
use crate::faq::{Entry, Faq};
use crate::matcher::Scored;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reply {
    pub query: String,
    /// "answer", "suggest", "none" or "safety".
    pub kind: &'static str,
    /// The answered entry's confidence, else the best entry's (0 when none).
    pub confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceQuote>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    pub ranked: Vec<RankedRef>,
    /// The text shown for suggest, none and safety.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For safety: "emergency", "self-harm" or "personal-advice".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    pub disclaimer: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntryRef {
    pub id: String,
    pub question: String,
}

/// One quote with the document it comes from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SourceQuote {
    pub title: String,
    pub publisher: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub quote: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    pub id: String,
    pub question: String,
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankedRef {
    pub id: String,
    pub confidence: f32,
}

/// Rounds for display and JSON: three decimals say all a confidence can.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// The quotes of `entry` with their sources, in the entry's order.
pub fn source_quotes(faq: &Faq, entry: &Entry) -> Vec<SourceQuote> {
    entry
        .citations
        .iter()
        .map(|c| {
            let s = &faq.sources[c.source];
            SourceQuote {
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                author: s.author.clone(),
                date: s.date.map(|d| d.to_string()),
                url: s.url.clone(),
                quote: c.quote.clone(),
            }
        })
        .collect()
}

/// The reply for a question that went through [`Engine::ask`].
pub fn compose(engine: &Engine, query: &str, response: &Response) -> Reply {
    let faq = engine.faq();
    let suggestion = |s: &Scored| Suggestion {
        id: faq.entries[s.entry].id.clone(),
        question: faq.entries[s.entry].question.clone(),
        confidence: round3(s.confidence),
    };
    let mut reply = Reply {
        query: query.to_string(),
        kind: response.outcome.kind(),
        confidence: round3(response.top().1),
        entry: None,
        answer: None,
        sources: None,
        suggestions: Vec::new(),
        ranked: response
            .ranked
            .iter()
            .map(|s| RankedRef { id: faq.entries[s.entry].id.clone(), confidence: round3(s.confidence) })
            .collect(),
        message: None,
        category: None,
        disclaimer: faq.texts.disclaimer.clone(),
    };
    match &response.outcome {
        Outcome::Answer(best) => {
            let entry = &faq.entries[best.entry];
            reply.entry = Some(EntryRef { id: entry.id.clone(), question: entry.question.clone() });
            reply.answer = Some(entry.answer.clone());
            reply.sources = Some(source_quotes(faq, entry));
        }
        Outcome::Suggest(candidates) => {
            reply.message = Some(faq.texts.suggest_intro.clone());
            reply.suggestions = candidates.iter().map(suggestion).collect();
        }
        Outcome::None => reply.message = Some(faq.texts.no_answer.clone()),
        Outcome::Safety { category, message, suggestions } => {
            reply.message = Some(message.clone());
            reply.category = Some(category.as_str());
            reply.suggestions = suggestions.iter().map(suggestion).collect();
        }
    }
    reply
}

/// The reply showing one entry directly (a clicked suggestion, a topic list pick).
pub fn entry_reply(engine: &Engine, entry_index: usize) -> Reply {
    let response = Response {
        outcome: Outcome::Answer(Scored { entry: entry_index, confidence: 1.0 }),
        ranked: vec![Scored { entry: entry_index, confidence: 1.0 }],
    };
    let question = engine.faq().entries[entry_index].question.clone();
    compose(engine, &question, &response)
}
