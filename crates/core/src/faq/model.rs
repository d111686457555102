//! The validated FAQ: what the rest of the program trusts.

use std::path::PathBuf;

use super::date::Date;
use crate::diagnostic::Location;
use crate::safety::SafetyConfig;
use crate::small_talk::SmallTalk;
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
    /// Chosen with the sentence model (`examples/tune.rs`, see the README's
    /// benchmark section): on `tests/eval/cases.toml` answer 0.35 with no
    /// margin answered the most right (0.953) with none-cases kept
    /// unanswered as before (0.974); 0.4 answered 0.948 and margins of
    /// 0.01-0.04 only turned right answers into suggestions. Suggesting
    /// from 0.3 is unchanged.
    pub const DEFAULT: Thresholds =
        Thresholds { answer_threshold: 0.35, margin: 0.01, suggest_threshold: 0.3 };
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}

/// A complete, validated FAQ folder.
#[derive(Debug, Clone)]
pub struct Faq {
    /// The folder it was loaded from.
    pub dir: PathBuf,
    /// Every entry of every entry file, files in name order.
    pub entries: Vec<Entry>,
    /// The documents entries cite, from `sources.toml`.
    pub sources: Vec<Source>,
    /// The moderator-editable texts from `bot.toml`.
    pub texts: BotTexts,
    /// The domain words that mean the same, from `synonyms.toml`.
    pub synonyms: Vec<Synonym>,
    /// The safety rules, from `safety.toml`.
    pub safety: SafetyConfig,
    /// When to answer, suggest or stay quiet (`[matching]` in bot.toml).
    pub thresholds: Thresholds,
    /// What people say to the bot that is not a question (`[small_talk]` in bot.toml).
    pub small_talk: SmallTalk,
    /// The words that make a message about this FAQ's subject (`[matching]
    /// topic_words` in bot.toml); empty: the matcher works them out.
    pub topic_words: Vec<String>,
}

impl Faq {
    /// The entry with id `id`, if there is one.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The position in [`Faq::entries`] of the entry with id `id`.
    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }
}

/// One question and its sourced answer.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A lowercase slug, unique across the FAQ.
    pub id: String,
    /// The question as the FAQ asks it.
    pub question: String,
    /// Other ways people ask it in chat.
    pub alternates: Vec<String>,
    /// Lowercase slugs naming its topics.
    pub tags: Vec<String>,
    /// The answer, in plain words; every sentence backed by a citation.
    pub answer: String,
    /// General background in the bot's own voice, backed by no source: shown
    /// apart from the answer, so a reader sees which sentences are sourced.
    pub background: Option<String>,
    /// When the entry was last checked against its sources.
    pub reviewed: Option<Date>,
    /// The quotes that support the answer; at least one.
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

/// Where an entry's id, question and alternates are written.
#[derive(Debug, Clone)]
pub struct EntryPlaces {
    /// Where the id is written.
    pub id: Location,
    /// Where the question is written.
    pub question: Location,
    /// Where each alternate is written, in the same order.
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
    /// The source's words, verbatim; for a table row, the row as a reader
    /// sees it ("Cost: stem cells $5,000; exosomes $3,000").
    pub quote: String,
    /// The table row's cells, as the document has them, when the citation is
    /// one row of the document's table.
    pub row: Option<Vec<String>>,
    /// Where the quote is written, for warnings.
    pub place: Location,
}

/// A document entries may cite, from `sources.toml`.
#[derive(Debug, Clone)]
pub struct Source {
    /// A lowercase slug, unique; what a citation's `doc` names.
    pub id: String,
    /// The document's title.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// Who wrote it, when the document says.
    pub author: Option<String>,
    /// When it was published; may be a year, or a year and month, alone.
    pub date: Option<Date>,
    /// Where to read it, when the document gives an address.
    pub url: Option<String>,
    /// The document's text in the sources folder, to check quotes against.
    pub file: Option<String>,
    /// What sort of document it is: peer-reviewed, clinic, health-site, ...
    pub kind: Option<String>,
    /// The column headers of the document's table (empty: it has none to cite).
    pub columns: Vec<String>,
    /// Where its id is written, for warnings.
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
