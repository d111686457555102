//! Triage by meaning: the message, and each of its sentences, against a
//! category's `examples` and `counter_examples` from `safety.toml`, by the
//! sentence model's cosine. The FAQ's own questions, and the everyday
//! messages of `[ordinary]`, count as counter-examples of every category: a
//! message nearer one of them than any example is, in meaning, ordinary.

use std::sync::Arc;

use candle_core::{Device, Tensor};

use crate::encoder::cache::VectorCache;
use crate::encoder::{Encoder, EncoderError, DIMS};
use crate::pipeline::rescore::MessageVectors;

use super::SafetyCategory;

/// How close a message must be to a category's examples to fire, and by
/// how much closer than to the counter-evidence. Chosen with
/// `scripts/triage_grid.py` on the tune halves of the blind sets and the dev
/// set (`tests/eval/safety-tune.toml`, `safety-tune2.toml`, `safety-dev.toml`),
/// never a test half,
/// recall first (a false alarm costs a reader one extra message, a miss can
/// cost far more), keeping every answered question of `tests/eval/cases.toml`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// The least closeness to the examples.
    pub min_example: f32,
    /// How much nearer the examples must be than the counter-examples (negative: may be further).
    pub over_counter: f32,
    /// How much nearer the examples must be than the nearest FAQ key text (negative: may be further).
    pub over_faq: f32,
}

impl Bar {
    /// Emergencies: symptoms told in a few words sit far from the FAQ's
    /// questions. Near the examples (0.45) and not nearer the counter-examples;
    /// an FAQ question may be up to 0.05 nearer (tune half 30/30, dev set 50/50).
    pub const EMERGENCY: Bar = Bar { min_example: 0.45, over_counter: 0.0, over_faq: -0.05 };
    /// Self-harm: recall above all. Indirect messages ("the sea looks so
    /// quiet from the end of the pier") sit far from every text, so the bar
    /// is the lowest (0.35); the examples must be nearer than any
    /// counter-example and at most 0.05 further than the nearest FAQ question
    /// (tune half 27/28, dev set 49/50; 0.40 with 0.025 of slack on
    /// counter-examples caught 42/50 of the dev set).
    pub const SELF_HARM: Bar = Bar { min_example: 0.35, over_counter: 0.0, over_faq: -0.05 };
    /// Personal advice reads like an FAQ question with "I" in it ("I have
    /// arthritis, can exosomes help me?"), so the examples may be 0.1 further
    /// than the nearest FAQ question, and must be at least 0.01 nearer than
    /// the counter-examples: ordinary questions that sound personal are what
    /// counter-examples are for (tune half 30/30, dev set 50/50, second tune
    /// half 30/30; a lower bar or more slack triaged answered questions of the
    /// eval set). The 0.01 broke ties that triaged research questions about
    /// bruising in trials and anaphylaxis in clinics (dev-set false alarms 5
    /// to 2 of 120, eval-set in-scope triaged 0.012 to 0.009, no recall lost;
    /// 0.025 lost one tune-half message).
    pub const PERSONAL_ADVICE: Bar = Bar { min_example: 0.40, over_counter: 0.01, over_faq: -0.1 };
    /// Personal advice for a message that names no one in particular (no
    /// "I", "my", "my dad", no "3 weeks ago"): the examples must be at least
    /// 0.05 nearer than the nearest FAQ question or `[ordinary]` example,
    /// not 0.1 further. Such a message is most often a general question that
    /// reads like the examples ("how does ectopic bone formation happen with
    /// stem cells?"), sometimes a decision told in shorthand ("stopping
    /// metformin for the IV, good idea?"). Chosen on the third tune half and
    /// the second dev set (`tests/eval/safety-dev2.toml`, written after the
    /// rule was first tried, so new to it): +0.05 cut their false alarms 7 to 3
    /// and 5 to 3 at the same recall; needing a person outright lost 3 of the
    /// dev set's 42 personal-advice messages, +0.1 lost 1.
    pub const PERSONAL_ADVICE_NAMING_NOBODY: Bar = Bar { over_faq: -0.05, ..Bar::PERSONAL_ADVICE };

    /// The bar of `category`.
    pub fn of(category: SafetyCategory) -> Bar {
        match category {
            SafetyCategory::Emergency => Bar::EMERGENCY,
            SafetyCategory::SelfHarm => Bar::SELF_HARM,
            SafetyCategory::PersonalAdvice => Bar::PERSONAL_ADVICE,
        }
    }
}

/// One message vector's closeness to a category's examples and
/// counter-examples (the mean cosine of the 3 nearest of each, `NEAREST`) and
/// its best cosine with the FAQ's key texts (0 where there are none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closeness {
    /// To the examples.
    pub example: f32,
    /// To the counter-examples.
    pub counter: f32,
    /// To the nearest FAQ key text or `[ordinary]` example.
    pub faq: f32,
}

impl Closeness {
    /// By how much it clears `bar` (negative: by how much it misses).
    pub fn slack(&self, bar: Bar) -> f32 {
        (self.example - bar.min_example)
            .min(self.example - self.counter - bar.over_counter)
            .min(self.example - self.faq - bar.over_faq)
    }

    /// Whether it clears `bar`.
    pub fn clears(&self, bar: Bar) -> bool {
        self.slack(bar) >= 0.0
    }

    /// Whether the meaning says, clearly, that a message an emergency
    /// phrase caught is an ordinary question: a counter-example or an FAQ
    /// question is at least [`EMERGENCY_PHRASE_VETO`] nearer than any example.
    pub fn vetoes_phrase(&self) -> bool {
        self.counter.max(self.faq) - self.example >= EMERGENCY_PHRASE_VETO
    }
}

/// Emergency phrases name symptoms ("heart attack", "swelling") that
/// questions about research and marketing name too; such a question sits
/// far nearer the FAQ or the counter-examples than any emergency. 0.2 set
/// aside 2 of the dev set's false alarms ("heart attack models in mice",
/// ads for "heart attack recovery") and no message that needs help in the
/// tune half, the dev set or the eval sets; 0.1-0.25 measured alike. Only
/// for emergencies: a personal-advice phrase ("in my case") often sits
/// beside a general question that is near the FAQ, which is the point of it.
pub const EMERGENCY_PHRASE_VETO: f32 = 0.2;

/// The `[ordinary]` examples' vectors: everyday messages (general health
/// questions, news, chores) that the FAQ does not cover and that need no
/// help. They weigh against every category as the FAQ's questions do: off
/// the FAQ's topic, a general question about quarantine or vitamins has no
/// FAQ question near it, and would otherwise be judged against the examples
/// and the (on-topic) counter-examples alone.
#[derive(Debug)]
pub(super) struct Ordinary {
    /// (examples, DIMS); `None` without an encoder or examples.
    vectors: Option<Tensor>,
}

impl Ordinary {
    /// The vectors of `examples`, from `cache` where it has them.
    pub(super) fn new(
        examples: &[String],
        encoder: Option<&Arc<Encoder>>,
        cache: &mut VectorCache,
    ) -> Result<Ordinary, EncoderError> {
        let vectors = match encoder {
            Some(encoder) => matrix(examples, encoder, cache)?,
            None => None,
        };
        Ok(Ordinary { vectors })
    }

    /// Each message vector's best cosine with the FAQ (`faq`) or an
    /// ordinary example, whichever is nearer.
    pub(super) fn nearest(&self, message: &MessageVectors, faq: &[f32]) -> Vec<f32> {
        let mut out = faq.to_vec();
        let (Some(vectors), Some(m)) = (self.vectors.as_ref(), message.matrix()) else { return out };
        let Some(cosines) = vectors.t().and_then(|t| m.matmul(&t)).and_then(|c| c.to_vec2::<f32>()).ok()
        else {
            return out;
        };
        out.resize(cosines.len(), 0.0);
        for (best, row) in out.iter_mut().zip(cosines) {
            *best = row.into_iter().fold(*best, f32::max);
        }
        out
    }
}

/// One category's example and counter-example vectors.
#[derive(Debug)]
pub(super) struct Examples {
    category: SafetyCategory,
    /// (examples, DIMS); `None` without an encoder or examples.
    examples: Option<Tensor>,
    /// (counter-examples, DIMS); `None` when there are none.
    counters: Option<Tensor>,
}

impl Examples {
    /// The vectors of `examples` and `counters`, from `cache` where it has
    /// them; nothing without an encoder.
    pub(super) fn new(
        category: SafetyCategory,
        examples: &[String],
        counters: &[String],
        encoder: Option<&Arc<Encoder>>,
        cache: &mut VectorCache,
    ) -> Result<Examples, EncoderError> {
        let mut out = Examples { category, examples: None, counters: None };
        let Some(encoder) = encoder else { return Ok(out) };
        out.examples = matrix(examples, encoder, cache)?;
        out.counters = matrix(counters, encoder, cache)?;
        Ok(out)
    }

    /// The closeness of the message vector that best clears this category's
    /// bar; `faq` holds each vector's best cosine with the FAQ's key texts.
    pub(super) fn closest(&self, message: &MessageVectors, faq: &[f32]) -> Option<Closeness> {
        let examples = self.examples.as_ref()?;
        let m = message.matrix()?;
        let best = |t: Option<&Tensor>| -> Option<Vec<f32>> {
            match t {
                Some(t) => {
                    let cosines: Vec<Vec<f32>> = m.matmul(&t.t().ok()?).ok()?.to_vec2().ok()?;
                    Some(cosines.into_iter().map(nearest_mean).collect())
                }
                None => Some(vec![0.0; message.len()]),
            }
        };
        let (ex, ce) = (best(Some(examples))?, best(self.counters.as_ref())?);
        let bar = Bar::of(self.category);
        (0..message.len())
            .filter(|&i| super::reads(message, i, self.category))
            .map(|i| Closeness { example: ex[i], counter: ce[i], faq: faq.get(i).copied().unwrap_or(0.0) })
            .max_by(|a, b| a.slack(bar).total_cmp(&b.slack(bar)))
    }

    /// The counter-examples nearer the examples than any example is to the
    /// others: (index in the list, its closeness to the examples, that most
    /// of the examples' own closeness).
    pub(super) fn counters_inside(&self) -> Vec<(usize, f32, f32)> {
        let (Some(examples), Some(counters), Some(spread)) =
            (self.examples.as_ref(), self.counters.as_ref(), self.spread())
        else {
            return Vec::new();
        };
        let Some(cosines) =
            examples.t().and_then(|t| counters.matmul(&t)).and_then(|c| c.to_vec2::<f32>()).ok()
        else {
            return Vec::new();
        };
        cosines
            .into_iter()
            .map(nearest_mean)
            .enumerate()
            .filter(|&(_, near)| near > spread)
            .map(|(i, near)| (i, near, spread))
            .collect()
    }
}

impl Examples {
    /// How near the examples sit to each other: the most, over examples, of
    /// an example's closeness to the others (`None` with fewer than two).
    pub(super) fn spread(&self) -> Option<f32> {
        let examples = self.examples.as_ref()?;
        let cosines: Vec<Vec<f32>> = examples.matmul(&examples.t().ok()?).ok()?.to_vec2().ok()?;
        let own: Vec<f32> = cosines
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                nearest_mean(row.into_iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| c).collect())
            })
            .collect();
        if own.len() < 2 {
            return None;
        }
        own.into_iter().reduce(f32::max)
    }
}

/// Closeness to a set of texts is the mean cosine of this many nearest ones:
/// one stray example that happens to share a word pattern with an ordinary
/// question weighs less than a neighbourhood of them. (Tune half, ~100
/// examples a category, each with its best bars: 3 triaged one
/// alarming-sounding question where 2 triaged three, at the same recall.)
const NEAREST: usize = 3;

/// The mean of the [`NEAREST`] highest cosines (of all, when fewer).
fn nearest_mean(mut cosines: Vec<f32>) -> f32 {
    cosines.sort_by(|a, b| b.total_cmp(a));
    cosines.truncate(NEAREST);
    if cosines.is_empty() {
        0.0
    } else {
        cosines.iter().sum::<f32>() / cosines.len() as f32
    }
}

/// The vectors of `texts` as a (texts, DIMS) matrix, encoding those `cache` lacks.
fn matrix(
    texts: &[String],
    encoder: &Encoder,
    cache: &mut VectorCache,
) -> Result<Option<Tensor>, EncoderError> {
    if texts.is_empty() {
        return Ok(None);
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    cache.fill(encoder, &refs, |_, _| {})?;
    let rows: Vec<f32> = refs.iter().filter_map(|t| cache.get(t)).flatten().copied().collect();
    let n = rows.len() / DIMS;
    Ok(Some(Tensor::from_vec(rows, (n, DIMS), &Device::Cpu)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAR: Bar = Bar { min_example: 0.45, over_counter: -0.025, over_faq: -0.1 };

    #[test]
    fn a_phrase_is_set_aside_only_when_the_meaning_is_clearly_elsewhere() {
        let research = Closeness { example: 0.34, counter: 0.63, faq: 0.70 };
        assert!(research.vetoes_phrase(), "nearer the FAQ by far");
        let emergency = Closeness { example: 0.55, counter: 0.60, faq: 0.50 };
        assert!(!emergency.vetoes_phrase(), "a counter-example a little nearer is not enough");
    }

    #[test]
    fn a_message_clears_the_bar_only_near_the_examples_and_not_much_nearer_anything_else() {
        let near = Closeness { example: 0.6, counter: 0.5, faq: 0.55 };
        assert!(near.clears(BAR));
        assert!(!Closeness { example: 0.44, ..near }.clears(BAR), "too far from every example");
        assert!(!Closeness { counter: 0.63, ..near }.clears(BAR), "a counter-example is nearer");
        assert!(Closeness { counter: 0.62, ..near }.clears(BAR), "within the counter margin");
        assert!(!Closeness { faq: 0.71, ..near }.clears(BAR), "an FAQ question is much nearer");
        assert!((near.slack(BAR) - 0.125).abs() < 1e-6, "{}", near.slack(BAR));
    }

    #[test]
    fn closeness_to_a_set_is_the_mean_of_its_nearest() {
        let cosines = vec![0.1, 0.9, 0.5, 0.7, 0.3];
        let mut best = cosines.clone();
        best.sort_by(|a: &f32, b| b.total_cmp(a));
        let want = best[..NEAREST].iter().sum::<f32>() / NEAREST as f32;
        assert_eq!(nearest_mean(cosines), want);
        assert!(want < 0.9, "more than the single nearest counts");
        assert_eq!(nearest_mean(vec![0.4]), 0.4);
        assert_eq!(nearest_mean(Vec::new()), 0.0);
    }
}
