//! Checks that need the matcher: entries a matcher would confuse, key texts
//! that say nothing but the FAQ's topic, topic words the FAQ never uses.

use crate::diagnostic::{Diagnostic, Kind, Location};
use crate::engine::Engine;
use crate::faq::BOT_FILE;

/// Every matcher-based warning for a loaded FAQ (what `faqbot check` adds to
/// the loader's own warnings).
pub fn all(engine: &Engine) -> Vec<Diagnostic> {
    let mut out = confusable_entries(engine);
    out.extend(topic_only_key_texts(engine));
    out.extend(unused_topic_words(engine));
    out.extend(counter_examples_near_examples(engine));
    out
}

/// Counter-examples of a safety category nearer its examples than any of
/// its own examples is to the others: messages like it will be triaged
/// whatever the counter-example says; the two lists disagree there.
pub fn counter_examples_near_examples(engine: &Engine) -> Vec<Diagnostic> {
    let rules = &engine.faq().safety.rules;
    let mut out = Vec::new();
    for (category, i, near, own) in engine.safety_counters_inside() {
        let Some(counter) =
            rules.iter().find(|r| r.category == category).and_then(|r| r.counter_examples.get(i))
        else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                Kind::SafetyExample,
                counter.place.clone(),
                format!(
                    "{} counter-example {:?} is nearer the examples ({near:.2}) than any example is to the others ({own:.2})",
                    category.as_str(),
                    counter.text,
                ),
            )
            .with_hint("find the examples it is near and reword them, or remove one of the two"),
        );
    }
    out
}

/// Key texts that, once analysed, are one core topic word and nothing else
/// ("do exosomes really do anything or not" is just "exosome"): such a key
/// text fully matches every message that names the topic, whatever it asks.
/// Two topic words together ("are exosomes the same as stem cells") already
/// say what the entry is about.
pub fn topic_only_key_texts(engine: &Engine) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for entry in &engine.faq().entries {
        for (i, text) in entry.key_texts().enumerate() {
            let mut terms = engine.analyzer().terms(text);
            terms.sort_unstable();
            terms.dedup();
            let [term] = terms.as_slice() else { continue };
            if engine.is_core(term) {
                out.push(
                    Diagnostic::warning(
                        Kind::TopicOnly,
                        entry.places.key_text(i).clone(),
                        format!(
                            "{text:?} (entry {:?}) has no word but a topic word: it matches any message that names it",
                            entry.id
                        ),
                    )
                    .with_hint("add the words that say what this entry answers (\"what are ...\", \"... cost\")"),
                );
            }
        }
    }
    out
}

/// `topic_words` in bot.toml that no entry uses: a typo, or a word that
/// cannot tell on-topic messages from others.
pub fn unused_topic_words(engine: &Engine) -> Vec<Diagnostic> {
    let faq = engine.faq();
    let mut out = Vec::new();
    for word in &faq.topic_words {
        if !engine.analyzer().terms(word).iter().any(|t| engine.is_core(t)) {
            out.push(
                Diagnostic::warning(
                    Kind::UnusedTopicWord,
                    Location::start_of(&faq.dir.join(BOT_FILE)),
                    format!("topic word {word:?} is in no entry (question, alternate, tag or answer)"),
                )
                .with_hint("check its spelling, or remove it from [matching] topic_words"),
            );
        }
    }
    out
}

/// A key text reads as another entry when that entry's confidence for it is at
/// least this, and within the answer margin of its own entry's.
pub const CONFUSABLE_CONFIDENCE: f32 = 0.8;

/// One warning per pair of entries whose questions or alternates the matcher
/// cannot tell apart (it would not answer with confidence, or would pick the other).
pub fn confusable_entries(engine: &Engine) -> Vec<Diagnostic> {
    let faq = engine.faq();
    let margin = faq.thresholds.margin;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (e, entry) in faq.entries.iter().enumerate() {
        for (i, text) in entry.key_texts().enumerate() {
            let ranked = engine.rank(text, 3);
            let own = ranked.iter().find(|s| s.entry == e).map_or(0.0, |s| s.confidence);
            let Some(other) = ranked.iter().find(|s| s.entry != e) else { continue };
            let pair = (e.min(other.entry), e.max(other.entry));
            if other.confidence >= CONFUSABLE_CONFIDENCE
                && other.confidence + margin >= own
                && seen.insert(pair)
            {
                let o = &faq.entries[other.entry];
                out.push(
                    Diagnostic::warning(
                        Kind::Confusable,
                        entry.places.key_text(i).clone(),
                        format!(
                            "{:?} (entry {:?}) is too close to entry {:?} ({:?}, at {}): the matcher scores it {:.2} there and {:.2} here",
                            text, entry.id, o.id, o.question, o.places.question, other.confidence, own
                        ),
                    )
                    .with_hint("reword one of them so each names what makes its entry different, or merge the entries"),
                );
            }
        }
    }
    out
}
