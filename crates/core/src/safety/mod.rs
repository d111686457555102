//! Safety triage: messages that need real help, not an FAQ answer.
//!
//! Runs first in the pipeline. A category fires when one of its phrase
//! rules matches ([`phrases`]: the unmistakable phrasings) or when the
//! message, or one of its sentences, is close in meaning to the category's
//! examples and closer to them than to its counter-examples and to the FAQ's
//! own questions and the everyday messages of `[ordinary]` ([`meaning`]: how
//! people really write).

mod meaning;
mod phrases;

use std::sync::Arc;

use crate::encoder::cache::VectorCache;
use crate::encoder::{Encoder, EncoderError};
use crate::pipeline::rescore::MessageVectors;
use crate::pipeline::Query;
use crate::text::Analyzer;

pub use meaning::{Bar, Closeness, EMERGENCY_PHRASE_VETO};
use meaning::{Examples, Ordinary};
use phrases::Phrases;

/// Which kind of real help a message needs. Serialised as the JSON contract
/// and the store name it: "emergency", "self-harm", "personal-advice".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SafetyCategory {
    /// Call emergency services now.
    Emergency,
    /// Crisis line.
    SelfHarm,
    /// Ask your own clinician; may come with related FAQ suggestions.
    PersonalAdvice,
}

impl SafetyCategory {
    /// Every category, in priority order.
    pub const ALL: [SafetyCategory; 3] =
        [SafetyCategory::Emergency, SafetyCategory::SelfHarm, SafetyCategory::PersonalAdvice];

    /// The name in the JSON contract and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyCategory::Emergency => "emergency",
            SafetyCategory::SelfHarm => "self-harm",
            SafetyCategory::PersonalAdvice => "personal-advice",
        }
    }

    /// The category named `name` ("self-harm" or "self_harm", any case).
    pub fn parse(name: &str) -> Option<SafetyCategory> {
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        SafetyCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A text from `safety.toml` and where it was written.
#[derive(Debug, Clone)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Where it is in `safety.toml`.
    pub place: crate::diagnostic::Location,
}

/// One category's rule as written in safety.toml.
#[derive(Debug, Clone)]
pub struct SafetyRule {
    /// The category it triages to.
    pub category: SafetyCategory,
    /// The text shown instead of an answer.
    pub message: String,
    /// Phrases that trigger it; `*` stands for up to three other words.
    pub patterns: Vec<String>,
    /// Phrases that cancel a trigger they overlap.
    pub except: Vec<String>,
    /// Messages of this kind, matched by meaning.
    pub examples: Vec<Example>,
    /// Ordinary questions that sound like this kind but are not.
    pub counter_examples: Vec<Example>,
}

/// The validated safety.toml: one rule per category, in priority order.
#[derive(Debug, Clone)]
pub struct SafetyConfig {
    /// The rules, the first matching one winning.
    pub rules: Vec<SafetyRule>,
    /// Everyday messages that need no help (`[ordinary] examples`): like
    /// the FAQ's questions, counter-evidence for every category.
    pub ordinary: Vec<Example>,
}

#[derive(Debug)]
struct CompiledRule {
    category: SafetyCategory,
    message: String,
    phrases: Phrases,
    examples: Examples,
}

/// The compiled rules, built once per FAQ load.
#[derive(Debug)]
pub struct Triage {
    rules: Vec<CompiledRule>,
    ordinary: Ordinary,
}

/// What triage saw in one message, category by category (for `--explain`
/// and `faqbot check`).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryCheck {
    /// The category.
    pub category: SafetyCategory,
    /// A phrase rule matched.
    pub phrase: bool,
    /// The closest of the message's vectors to the examples (`None` without
    /// the sentence model or examples).
    pub meaning: Option<Closeness>,
    /// The meaning clears the category's [`Bar`].
    pub by_meaning: bool,
}

impl Triage {
    /// Compiles `config`'s patterns through `analyzer` (the one queries go
    /// through) and, with an encoder, the vectors of its examples (from
    /// `cache` where it has them).
    pub fn new(
        config: &SafetyConfig,
        analyzer: &Analyzer,
        encoder: Option<&Arc<Encoder>>,
        cache: &mut VectorCache,
    ) -> Result<Triage, EncoderError> {
        let texts = |v: &[Example]| v.iter().map(|e| e.text.clone()).collect::<Vec<_>>();
        let ordinary = Ordinary::new(&texts(&config.ordinary), encoder, cache)?;
        let mut rules = Vec::with_capacity(config.rules.len());
        for r in &config.rules {
            rules.push(CompiledRule {
                category: r.category,
                message: r.message.clone(),
                phrases: Phrases::new(&r.patterns, &r.except, analyzer),
                examples: Examples::new(
                    r.category,
                    &texts(&r.examples),
                    &texts(&r.counter_examples),
                    encoder,
                    cache,
                )?,
            });
        }
        Ok(Triage { rules, ordinary })
    }

    /// Stage 2 of the pipeline: the category the message needs, if any.
    /// `message` are its vectors and `faq` each one's best cosine with the
    /// FAQ's key texts (empty without the model).
    pub fn check(&self, query: &Query, message: &MessageVectors, faq: &[f32]) -> Option<SafetyCategory> {
        let faq = &self.ordinary.nearest(message, faq);
        // A phrase rule is the surer signal: the first category (in priority
        // order) with one wins. Else the category whose examples the message
        // clears by most: "I've been hurting myself" is nearer self-harm than
        // emergency even when it clears both.
        // A phrase the meaning clearly contradicts ("heart attack" in a
        // question about mouse studies) is set aside.
        let by_phrase = self.rules.iter().find(|rule| {
            rule.phrases.fire(query.tokens())
                && !(rule.category == SafetyCategory::Emergency
                    && rule.examples.closest(message, faq).is_some_and(|c| c.vetoes_phrase()))
        });
        let rule = by_phrase.or_else(|| {
            self.rules
                .iter()
                .filter_map(|rule| {
                    let slack = rule.examples.closest(message, faq)?.slack(Bar::of(rule.category));
                    (slack >= 0.0).then_some((rule, slack))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(rule, _)| rule)
        })?;
        Some(rule.category)
    }

    /// The text shown instead of an answer for `category`.
    pub fn message(&self, category: SafetyCategory) -> &str {
        self.rules.iter().find(|r| r.category == category).map_or("", |r| r.message.as_str())
    }

    /// Every category's evidence for the message, in priority order (which
    /// one wins is [`Triage::check`]'s rule: a phrase first, else the most slack).
    pub fn explain(&self, query: &Query, message: &MessageVectors, faq: &[f32]) -> Vec<CategoryCheck> {
        let faq = &self.ordinary.nearest(message, faq);
        self.rules
            .iter()
            .map(|rule| {
                let meaning = rule.examples.closest(message, faq);
                CategoryCheck {
                    category: rule.category,
                    phrase: rule.phrases.fire(query.tokens()),
                    by_meaning: meaning.is_some_and(|c| c.clears(Bar::of(rule.category))),
                    meaning,
                }
            })
            .collect()
    }

    /// Per category, the counter-examples nearer its examples than any of
    /// its own examples is to the others: (category, index in its
    /// `counter_examples`, closeness to the examples, the examples' own most).
    pub fn counters_inside(&self) -> Vec<(SafetyCategory, usize, f32, f32)> {
        self.rules
            .iter()
            .flat_map(|r| {
                r.examples.counters_inside().into_iter().map(|(i, near, own)| (r.category, i, near, own))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_by_either_spelling() {
        assert_eq!(SafetyCategory::parse("self_harm"), Some(SafetyCategory::SelfHarm));
        assert_eq!(SafetyCategory::parse("Personal-Advice"), Some(SafetyCategory::PersonalAdvice));
        assert_eq!(SafetyCategory::parse("emergency"), Some(SafetyCategory::Emergency));
        assert_eq!(SafetyCategory::parse("ordinary"), None);
    }
}
