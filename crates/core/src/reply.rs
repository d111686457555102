//! Reply composition: what every front end shows for an outcome.
//!
//! The CLI prints it, `--json` serialises it (a stable contract, see the
//! README), and the Discord front end renders it as an embed. The disclaimer is
//! added here, in code, so no FAQ entry can drop it.

use serde::Serialize;

use crate::engine::{Outcome, ReplyKind, Response};
use crate::faq::{Entry, Faq};
use crate::pipeline::Scored;
use crate::safety::SafetyCategory;

/// How every front end labels an entry's background, so a reader sees that
/// those sentences are not from the cited sources.
pub const BACKGROUND: &str = "Background (general, not from the cited sources)";

/// What every front end shows for one question (the `--json` contract).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reply {
    /// The question as asked.
    pub query: String,
    /// "answer", "suggest", "none", "safety" or "small-talk".
    pub kind: ReplyKind,
    /// The answered entry's confidence, else the best entry's (0 when none).
    pub confidence: f32,
    /// The answered entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryRef>,
    /// The answered entry's answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The answered entry's general background, backed by no source (shown
    /// apart from the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// The answer's quotes, with their documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceQuote>>,
    /// "Did you mean" entries (suggest), or related reading (personal advice).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// The top entries as the pipeline ranked them.
    pub ranked: Vec<RankedRef>,
    /// The text shown for suggest, none and safety.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For safety: "emergency", "self-harm" or "personal-advice".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<SafetyCategory>,
    /// The standard disclaimer (added here, so no entry can drop it).
    pub disclaimer: String,
}

/// An entry by id, with its question.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntryRef {
    /// The entry's id.
    pub id: String,
    /// The entry's question.
    pub question: String,
}

/// One quote with the document it comes from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SourceQuote {
    /// The document's title.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// Who wrote it, when the document says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When, as YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where to read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The words quoted, verbatim; for a table row, the row as a reader
    /// sees it ("Cost: stem cells ...; exosomes ...").
    pub quote: String,
    /// Whether the quote is one row of the document's table (shown without
    /// quotation marks: its words are the cells', not a sentence).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub table_row: bool,
}

/// How a front end marks up the parts of a citation line.
#[derive(Debug, Clone, Copy)]
pub struct CitationStyle {
    /// Put before the line ("— " on Discord, "-- " in a terminal).
    pub lead: &'static str,
    /// Put around the title (`*` for italics on Discord).
    pub title: (&'static str, &'static str),
    /// Put around the URL (`<` `>` on Discord, so it does not unfurl).
    pub url: (&'static str, &'static str),
}

impl SourceQuote {
    /// The one citation line: "Title, Publisher (Author), 2020-02-12, URL",
    /// each part that the document has, marked up as `style` says.
    pub fn citation(&self, style: CitationStyle) -> String {
        let (t0, t1) = style.title;
        let mut line = format!("{}{t0}{}{t1}, {}", style.lead, self.title, self.publisher);
        if let Some(author) = &self.author {
            line.push_str(&format!(" ({author})"));
        }
        if let Some(date) = &self.date {
            line.push_str(&format!(", {date}"));
        }
        if let Some(url) = &self.url {
            line.push_str(&format!(", {}{url}{}", style.url.0, style.url.1));
        }
        line
    }
}

/// One "did you mean" entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// The entry's id.
    pub id: String,
    /// The entry's question (the button's label).
    pub question: String,
    /// Its confidence, to three decimals.
    pub confidence: f32,
}

/// One ranked entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankedRef {
    /// The entry's id.
    pub id: String,
    /// Its confidence, to three decimals.
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
                table_row: c.row.is_some(),
            }
        })
        .collect()
}

/// The reply for a question that went through [`crate::engine::Engine::ask`].
pub fn compose(faq: &Faq, query: &str, response: &Response) -> Reply {
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
        background: None,
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
            reply.background = entry.background.clone();
            reply.sources = Some(source_quotes(faq, entry));
        }
        Outcome::Suggest(candidates) => {
            reply.message = Some(faq.texts.suggest_intro.clone());
            reply.suggestions = candidates.iter().map(suggestion).collect();
        }
        Outcome::None => reply.message = Some(faq.texts.no_answer.clone()),
        Outcome::SmallTalk(line) => reply.message = Some(line.clone()),
        Outcome::Safety { category, message, suggestions } => {
            reply.message = Some(message.clone());
            reply.category = Some(*category);
            reply.suggestions = suggestions.iter().map(suggestion).collect();
        }
    }
    reply
}

/// The reply showing one entry directly (a clicked suggestion, a topic list pick).
pub fn entry_reply(faq: &Faq, entry_index: usize) -> Reply {
    let response = Response {
        outcome: Outcome::Answer(Scored { entry: entry_index, confidence: 1.0 }),
        ranked: vec![Scored { entry: entry_index, confidence: 1.0 }],
    };
    let question = faq.entries[entry_index].question.clone();
    compose(faq, &question, &response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_citation_names_what_the_document_has() {
        let mut quote = SourceQuote {
            title: "What are Exosomes?".into(),
            publisher: "DVC Stem".into(),
            author: Some("Louis A. Cona, MD".into()),
            date: Some("2020-02-12".into()),
            url: Some("https://example.org/x".into()),
            quote: "q".into(),
            table_row: false,
        };
        let plain = CitationStyle { lead: "-- ", title: ("", ""), url: ("", "") };
        assert_eq!(
            quote.citation(plain),
            "-- What are Exosomes?, DVC Stem (Louis A. Cona, MD), 2020-02-12, https://example.org/x"
        );
        quote.author = None;
        quote.url = None;
        let marked = CitationStyle { lead: "— ", title: ("*", "*"), url: ("<", ">") };
        assert_eq!(quote.citation(marked), "— *What are Exosomes?*, DVC Stem, 2020-02-12");
    }
}
