//! Checks that need the matcher: entries a matcher would confuse.

use crate::diagnostic::{Diagnostic, Kind};
use crate::engine::Engine;

/// A key text reads as another entry when that entry's confidence for it is at
/// least this, and within the answer margin of its own entry's.
pub const CONFUSABLE_CONFIDENCE: f32 = 0.8;

/// One warning per pair of entries whose questions or alternates the matcher
/// cannot tell apart (it would not answer with confidence, or would pick the other).
pub fn confusable_entries(engine: &Engine) -> Vec<Diagnostic> {
    let faq = engine.faq();
    let margin = faq.settings.margin;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (e, entry) in faq.entries.iter().enumerate() {
        for (i, text) in entry.key_texts().enumerate() {
            let ranked = engine.matcher().rank(text, 3);
            let own = ranked.iter().find(|s| s.entry == e).map_or(0.0, |s| s.confidence);
            let Some(other) = ranked.iter().find(|s| s.entry != e) else { continue };
            let pair = (e.min(other.entry), e.max(other.entry));
            if other.confidence >= CONFUSABLE_CONFIDENCE
                && other.confidence + margin > own
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
