//! The validated FAQ: what the rest of the program trusts.

use std::path::PathBuf;

use super::date::Date;
use crate::diagnostic::Location;
use crate::safety::SafetyConfig;
use crate::text::Synonym;

/// The decision's thresholds, settable in `bot.toml` under `[matching]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Answer only at or above this confidence...
    pub answer_threshold: f32,
    /// ...and only this far ahead of the runner-up entry.
    pub margin: f32,
    /// Below the answer rule but at or above this: "did you mean".
    pub suggest_threshold: f32,
}

impl Thresholds {
    /// Tuned on `tests/eval/cases.toml` against the shipped FAQ and checked on
    /// the out-of-domain bank (see the README's benchmark section). With
    /// meaning blended in (see [`crate::pipeline::Weights::semantic`])
    /// confidences are less spread out than word scores alone (0.5 and 0.02
    /// before): a sibling entry about the same subject is close in meaning
    /// too, so near-ties are closer.
    pub const DEFAULT: Thresholds =
        Thresholds { answer_threshold: 0.4, margin: 0.01, suggest_threshold: 0.3 };
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}

/// A complete, validated FAQ folder.
#[derive(Debug, Clone)]
pub struct Faq {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
    pub sources: Vec<Source>,
    pub texts: BotTexts,
    pub synonyms: Vec<Synonym>,
    pub safety: SafetyConfig,
    /// When to answer, suggest or stay quiet (`[matching]` in bot.toml).
    pub thresholds: Thresholds,
    /// The words that make a message about this FAQ's subject (`[matching]
    /// topic_words` in bot.toml); empty: the matcher works them out.
    pub topic_words: Vec<String>,
}

impl Faq {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub question: String,
    pub alternates: Vec<String>,
    pub tags: Vec<String>,
    pub answer: String,
    pub reviewed: Option<Date>,
    pub citations: Vec<Citation>,
    /// Where the question and each alternate are written, for warnings.
    pub places: EntryPlaces,
}

impl Entry {
    /// The question followed by the alternates: the texts people might type.
    pub fn key_texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str()).chain(self.alternates.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone)]
pub struct EntryPlaces {
    pub id: Location,
    pub question: Location,
    pub alternates: Vec<Location>,
}

impl EntryPlaces {
    /// The place of key text `i` (0 = question, then alternates).
    pub fn key_text(&self, i: usize) -> &Location {
        if i == 0 {
            &self.question
        } else {
            self.alternates.get(i - 1).unwrap_or(&self.question)
        }
    }
}

/// A verbatim quote from a source that supports an entry's answer.
#[derive(Debug, Clone)]
pub struct Citation {
    /// Index into [`Faq::sources`].
    pub source: usize,
    pub quote: String,
    pub place: Location,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub author: Option<String>,
    pub date: Option<Date>,
    pub url: Option<String>,
    pub file: Option<String>,
    pub kind: Option<String>,
    pub place: Location,
}

/// Moderator-editable texts from `bot.toml`.
#[derive(Debug, Clone)]
pub struct BotTexts {
    /// Shown under every answer; never empty.
    pub disclaimer: String,
    /// Shown when nothing in the FAQ fits.
    pub no_answer: String,
    /// Shown above "did you mean" suggestions.
    pub suggest_intro: String,
}
