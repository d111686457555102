//! FAQ files exactly as written: serde structs that reject unknown keys.
//!
//! Every string keeps its span so validation can point at the line and column.

use serde::Deserialize;
use toml::Spanned;

pub(super) type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EntriesFile {
    #[serde(default)]
    pub entry: Vec<S<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    pub id: S<String>,
    pub question: S<String>,
    #[serde(default)]
    pub alternates: Vec<S<String>>,
    #[serde(default)]
    pub tags: Vec<S<String>>,
    pub answer: S<String>,
    /// General background in the bot's own voice, with no source behind it.
    pub background: Option<S<String>>,
    pub reviewed: Option<S<String>>,
    #[serde(default)]
    pub source: Vec<S<RawCitation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCitation {
    pub doc: S<String>,
    /// Words of the document, verbatim...
    pub quote: Option<S<String>>,
    /// ...or one row of the document's table, cell by cell.
    pub row: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourcesFile {
    #[serde(default)]
    pub source: Vec<S<RawSource>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub id: S<String>,
    pub title: S<String>,
    pub publisher: S<String>,
    pub author: Option<S<String>>,
    pub date: Option<S<String>>,
    pub url: Option<S<String>>,
    pub file: Option<S<String>>,
    pub kind: Option<S<String>>,
    /// The column headers of the document's table, as the document has them.
    pub columns: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BotFile {
    pub disclaimer: S<String>,
    pub no_answer: Option<S<String>>,
    pub suggest_intro: Option<S<String>>,
    pub matching: Option<S<RawMatching>>,
    pub small_talk: Option<S<RawSmallTalk>>,
}

/// `[small_talk]` in bot.toml: what people say to the bot that is not a question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmallTalk {
    #[serde(default)]
    pub filler: Vec<S<String>>,
    #[serde(default)]
    pub kind: Vec<S<RawSmallTalkKind>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmallTalkKind {
    pub says: Vec<S<String>>,
    pub reply: S<String>,
}

/// `[matching]` in bot.toml: every field optional, defaults in `faq::Thresholds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatching {
    pub answer_threshold: Option<S<f64>>,
    pub suggest_threshold: Option<S<f64>>,
    pub margin: Option<S<f64>>,
    pub topic_words: Option<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SynonymsFile {
    #[serde(default)]
    pub synonym: Vec<S<RawSynonym>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSynonym {
    pub term: S<String>,
    pub variants: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SafetyFile {
    pub emergency: S<RawSafetyCategory>,
    pub self_harm: S<RawSafetyCategory>,
    pub personal_advice: S<RawSafetyCategory>,
    /// Everyday messages that need no help, for every category to weigh against.
    #[serde(default)]
    pub ordinary: Option<S<RawOrdinary>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrdinary {
    /// Ordinary messages, matched by meaning like an FAQ question.
    pub examples: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSafetyCategory {
    pub message: S<String>,
    pub patterns: Vec<S<String>>,
    /// Phrases that cancel the matches of this category they overlap ("what
    /// steps should I take" is not a personal dosing question).
    #[serde(default)]
    pub except: Vec<S<String>>,
    /// Short messages of this kind, matched by meaning.
    #[serde(default)]
    pub examples: Vec<S<String>>,
    /// Ordinary questions that sound like this kind but are not.
    #[serde(default)]
    pub counter_examples: Vec<S<String>>,
}
