//! Stage 4: closeness in meaning re-scores the word candidates. Each entry's
//! vector and the message's (the whole, each sentence of a longer one, and
//! the clause that asks) come from the `semantic` module; an entry's
//! confidence becomes a blend of its word score and its best cosine.

use super::{Query, Scored, Weights};
use crate::faq::Entry;
use crate::semantic::SemanticIndex;

/// Entry vectors for one FAQ load, and the blend.
#[derive(Debug)]
pub struct Meaning {
    index: SemanticIndex,
    weights: Weights,
}

impl Meaning {
    /// One vector per entry, from its key texts.
    pub fn new(entries: &[Entry], weights: Weights) -> Meaning {
        Meaning { index: SemanticIndex::build(entries.iter().map(Entry::key_texts)), weights }
    }

    /// Blends each candidate's confidence with its closeness in meaning.
    /// Leaves them as they are when no word of the message is known.
    pub fn rescore(&self, query: &Query, candidates: &mut [Scored]) {
        if candidates.is_empty() {
            return;
        }
        let vectors = self.vectors(query);
        if vectors.is_empty() {
            return;
        }
        for c in candidates {
            c.confidence = blend(c.confidence, self.closeness(&vectors, c.entry), &self.weights);
        }
    }

    /// The best cosine of the message with entry `entry` (`--explain`), if any word is known.
    pub fn cosine(&self, query: &Query, entry: usize) -> Option<f32> {
        let vectors = self.vectors(query);
        (!vectors.is_empty()).then(|| self.closeness(&vectors, entry))
    }

    /// The whole message's vector, then each sentence's of a longer message
    /// and each asking clause's ("wow the brochures are glossy af, but is it
    /// safe?"), compared on their own as for the word score. Empty when no
    /// word is known.
    fn vectors(&self, query: &Query) -> Vec<Vec<f32>> {
        let Some(whole) = self.index.embed(query.text()) else {
            return Vec::new();
        };
        let mut out = vec![whole];
        if query.is_several() {
            out.extend(query.sentences().iter().filter_map(|s| self.index.embed(&s.text)));
        }
        out.extend(query.asking_clauses().filter_map(|c| self.index.embed(c)));
        out
    }

    fn closeness(&self, vectors: &[Vec<f32>], entry: usize) -> f32 {
        vectors.iter().map(|v| self.index.similarity(v, entry)).fold(f32::MIN, f32::max)
    }
}

/// An entry's confidence from its word confidence and the cosine of the
/// message and entry vectors: cosines at or under [`Weights::semantic_floor`]
/// count as nothing, and the rest is scaled to 0..1 before the blend.
pub fn blend(lexical: f32, cosine: f32, w: &Weights) -> f32 {
    let closeness = ((cosine - w.semantic_floor) / (1.0 - w.semantic_floor)).clamp(0.0, 1.0);
    (1.0 - w.semantic) * lexical + w.semantic * closeness
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeness_under_the_floor_adds_nothing_and_full_closeness_adds_the_weight() {
        let w = Weights::DEFAULT;
        assert_eq!(blend(0.5, w.semantic_floor, &w), (1.0 - w.semantic) * 0.5);
        assert!((blend(0.0, 1.0, &w) - w.semantic).abs() < 1e-6);
    }
}
