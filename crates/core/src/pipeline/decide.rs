//! Stage 5: the decision, from the ranked entries and the FAQ's thresholds.

use super::{Scored, Weights};
use crate::faq::Thresholds;
use crate::safety::SafetyCategory;

/// "Did you mean" offers at most this many entries (three buttons fit one
/// line of a chat reply and are a real choice, not a list).
pub const MAX_SUGGESTIONS: usize = 3;

/// What the bot does with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The best entry is confident and clearly ahead.
    Answer(Scored),
    /// Not sure: these entries (1..=3), best first.
    Suggest(Vec<Scored>),
    /// Nothing in the FAQ fits.
    None,
    /// Small talk ("thanks", "hi"): this friendly line from bot.toml.
    SmallTalk(String),
    /// The message needs real help; `suggestions` only for personal advice.
    Safety {
        /// Which kind of help.
        category: SafetyCategory,
        /// The text to show (from `safety.toml`).
        message: String,
        /// Related entries to read (personal advice only).
        suggestions: Vec<Scored>,
    },
}

impl Outcome {
    /// The kind of reply this outcome makes.
    pub fn kind(&self) -> ReplyKind {
        match self {
            Outcome::Answer(_) => ReplyKind::Answer,
            Outcome::Suggest(_) => ReplyKind::Suggest,
            Outcome::None => ReplyKind::None,
            Outcome::SmallTalk(_) => ReplyKind::SmallTalk,
            Outcome::Safety { .. } => ReplyKind::Safety,
        }
    }
}

/// The kind of a reply, as the JSON contract, the logs and the store name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    /// An FAQ entry's answer.
    Answer,
    /// "Did you mean" with up to three entries.
    Suggest,
    /// Nothing fits.
    None,
    /// The safety text instead of an answer.
    Safety,
    /// A friendly line for small talk; not an unanswered question.
    #[serde(rename = "small-talk")]
    SmallTalk,
}

impl ReplyKind {
    /// "answer", "suggest", "none", "safety" or "small-talk".
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Answer => "answer",
            ReplyKind::Suggest => "suggest",
            ReplyKind::None => "none",
            ReplyKind::Safety => "safety",
            ReplyKind::SmallTalk => "small-talk",
        }
    }
}

impl std::fmt::Display for ReplyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Answer when the best entry is confident and clearly ahead of the
/// runner-up; suggest when it is at least plausible; else nothing.
pub fn decide(thresholds: &Thresholds, weights: &Weights, ranked: &[Scored]) -> Outcome {
    let Some(best) = ranked.first() else { return Outcome::None };
    let runner_up = ranked.get(1).map_or(0.0, |s| s.confidence);
    if best.confidence >= thresholds.answer_threshold && best.confidence - runner_up >= thresholds.margin {
        Outcome::Answer(*best)
    } else if best.confidence >= thresholds.suggest_threshold {
        Outcome::Suggest(suggestions(thresholds, weights, ranked))
    } else {
        Outcome::None
    }
}

/// The entries worth offering: over the suggest threshold and not far below
/// the best ([`Weights::suggestion_relative_floor`]), at most [`MAX_SUGGESTIONS`].
pub fn suggestions(thresholds: &Thresholds, weights: &Weights, ranked: &[Scored]) -> Vec<Scored> {
    let floor = ranked.first().map_or(0.0, |b| b.confidence * weights.suggestion_relative_floor);
    ranked
        .iter()
        .filter(|s| s.confidence >= thresholds.suggest_threshold && s.confidence >= floor)
        .take(MAX_SUGGESTIONS)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(confidences: &[f32]) -> Vec<Scored> {
        confidences.iter().enumerate().map(|(entry, &confidence)| Scored { entry, confidence }).collect()
    }

    #[test]
    fn answers_suggests_or_abstains_by_the_thresholds() {
        let t = Thresholds { answer_threshold: 0.5, margin: 0.05, suggest_threshold: 0.3 };
        let w = Weights::DEFAULT;
        assert_eq!(
            decide(&t, &w, &ranked(&[0.7, 0.4])),
            Outcome::Answer(Scored { entry: 0, confidence: 0.7 })
        );
        assert!(
            matches!(decide(&t, &w, &ranked(&[0.7, 0.68])), Outcome::Suggest(s) if s.len() == 2),
            "too close"
        );
        assert!(matches!(decide(&t, &w, &ranked(&[0.45])), Outcome::Suggest(_)));
        assert_eq!(decide(&t, &w, &ranked(&[0.2])), Outcome::None);
        assert_eq!(decide(&t, &w, &[]), Outcome::None);
        let offered = suggestions(&t, &w, &ranked(&[0.48, 0.46, 0.31, 0.30, 0.29]));
        assert_eq!(offered.len(), MAX_SUGGESTIONS);
        assert_eq!(suggestions(&t, &w, &ranked(&[0.9, 0.5])).len(), 1, "0.5 is under 0.6 of 0.9");
    }

    #[test]
    fn reply_kinds_serialise_as_the_json_contract_names_them() {
        for kind in
            [ReplyKind::Answer, ReplyKind::Suggest, ReplyKind::None, ReplyKind::Safety, ReplyKind::SmallTalk]
        {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
    }
}
