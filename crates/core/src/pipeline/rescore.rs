//! Stage 4: meaning. Every key text (question and alternates) of every
//! entry has a sentence vector from the [`Encoder`] (computed at load,
//! through the [`VectorCache`]); the message gets vectors too (the whole,
//! each sentence of a longer one, and the clause that asks; each part read
//! in the context of the whole for ranking, and alone for triage, see
//! [`Meaning::vectors`]). An entry's
//! closeness is its best cosine with the parts that ask (the whole message
//! counts as asking): a sentence that only sets the scene ("I took my last
//! dose of azithromycin this morning") says what the message is about, not
//! what it asks, and an FAQ question that shares the scene but asks
//! something else must not come close through it. (Reading every sentence
//! ranked the `mqp` look-alikes as close as the real questions more often:
//! ROC area 0.836 against 0.851, see the README.) Closeness finds candidates
//! the words missed ([`Meaning::nearest`]) and re-scores every candidate
//! ([`Meaning::rescore`]): a blend of its word score and its closeness.

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::{Device, Tensor};

use super::vector_index::VectorIndex;
use super::{Query, Scored, Weights};
use crate::encoder::cache::{text_key, VectorCache};
use crate::encoder::{Encoder, EncoderError, Pooled, DIMS};
use crate::faq::Entry;
use crate::text::fold_words;

/// Entry vectors for one FAQ load, and the blend.
#[derive(Debug)]
pub struct Meaning {
    encoder: Option<Arc<Encoder>>,
    /// One vector per key text.
    keys: Option<VectorIndex>,
    /// The row of each key text by its text's hash: a message that is a key
    /// text word for word (the FAQ's own checks ask every one) is not encoded again.
    known: HashMap<u64, usize>,
    /// Per row: its entry.
    owner: Vec<u32>,
    entries: usize,
    weights: Weights,
}

/// A message's vectors (empty when meaning is off).
#[derive(Debug, Clone, Default)]
pub struct MessageVectors {
    /// The vectors as one (m, DIMS) matrix, built once; `None` when there are none.
    matrix: Option<Tensor>,
    /// Their stance vectors ([`Pooled::stance`]) as one (m, DIMS) matrix, for
    /// the safety classifier; a row of zeros where there is none.
    stances: Option<Tensor>,
    /// Per vector: whether it has a stance vector (a text read from the
    /// FAQ's own key vectors has none: it is a key text word for word).
    has_stance: Vec<bool>,
    /// Per vector: whether its text asks something (the whole message
    /// counts as asking; a sentence, when it ends in "?" or reads as a question).
    asks: Vec<bool>,
    /// Per vector: whether its text says enough to be read on its own (the
    /// whole message always; a sentence or clause of at least
    /// [`MIN_WORDS_ALONE`] words).
    says_enough: Vec<bool>,
    /// Per vector: which stage reads it.
    read_by: Vec<ReadBy>,
}

/// Which stage reads a message vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBy {
    /// Ranking and triage (the whole message).
    Both,
    /// Ranking only: a part read in the context of the whole message.
    Ranking,
    /// Triage only: a part read alone.
    Triage,
}

/// Message vectors as they are gathered, one flat row at a time.
#[derive(Default)]
struct Rows {
    flat: Vec<f32>,
    stances: Vec<f32>,
    has_stance: Vec<bool>,
    asks: Vec<bool>,
    says_enough: Vec<bool>,
    read_by: Vec<ReadBy>,
}

impl Rows {
    /// Adds `vector` (nothing when there is none), with its stance vector
    /// when it has one.
    fn push(&mut self, vector: Option<Vectors>, asks: bool, says_enough: bool, read_by: ReadBy) {
        let Some((vector, stance)) = vector.map(Vectors::split) else { return };
        if vector.len() == DIMS {
            self.flat.extend(vector);
            let stance = stance.filter(|s| s.len() == DIMS);
            self.has_stance.push(stance.is_some());
            self.stances.extend(stance.unwrap_or_else(|| vec![0.0; DIMS]));
            self.asks.push(asks);
            self.says_enough.push(says_enough);
            self.read_by.push(read_by);
        }
    }

    fn into_vectors(self) -> MessageVectors {
        let n = self.asks.len();
        let stances = Tensor::from_vec(self.stances, (n, DIMS), &Device::Cpu).ok();
        match Tensor::from_vec(self.flat, (n, DIMS), &Device::Cpu) {
            Ok(matrix) if n > 0 => MessageVectors {
                matrix: Some(matrix),
                stances,
                has_stance: self.has_stance,
                asks: self.asks,
                says_enough: self.says_enough,
                read_by: self.read_by,
            },
            _ => MessageVectors::default(),
        }
    }
}

/// A message vector as it is gathered: both vectors of a text read by the
/// model, or the meaning alone (a part ranking reads in context, a text
/// that is one of the FAQ's key texts).
enum Vectors {
    Both(Pooled),
    Meaning(Vec<f32>),
}

impl Vectors {
    fn split(self) -> (Vec<f32>, Option<Vec<f32>>) {
        match self {
            Vectors::Both(p) => (p.meaning, Some(p.stance)),
            Vectors::Meaning(v) => (v, None),
        }
    }
}

/// A sentence or clause of fewer words ("hours? weeks?", "lol") is read
/// only as part of the whole message: alone it carries too little to say what
/// it is, and a fragment's vector lands anywhere (two words of a question
/// about how long exosomes last read as 0.38 self-harm, over that bar).
/// Triage reads only vectors that say enough; ranking reads them all.
pub const MIN_WORDS_ALONE: usize = 3;

/// A message against every key text, from one product of the two matrices.
#[derive(Debug, Clone)]
pub struct KeyCosines {
    /// Per entry, its best cosine with any of the message's vectors that ask.
    pub entries: Vec<f32>,
    /// Per message vector, its best cosine with any key text: how much each
    /// reads like one of the FAQ's questions.
    pub vectors: Vec<f32>,
}

impl MessageVectors {
    /// How many vectors: the whole message, its sentences, its asking clauses.
    pub fn len(&self) -> usize {
        self.asks.len()
    }

    /// Whether vector `i`'s text asks something.
    pub fn asks(&self, i: usize) -> bool {
        self.asks.get(i).copied().unwrap_or(false)
    }

    /// Whether vector `i`'s text says enough to be read on its own.
    pub fn says_enough(&self, i: usize) -> bool {
        self.says_enough.get(i).copied().unwrap_or(false)
    }

    /// Whether vector `i` brings entries close: it asks, and ranking reads it.
    pub fn ranks(&self, i: usize) -> bool {
        self.asks(i) && self.read_by.get(i).is_some_and(|&r| r != ReadBy::Triage)
    }

    /// Whether triage reads vector `i`.
    pub fn for_triage(&self, i: usize) -> bool {
        self.read_by.get(i).is_some_and(|&r| r != ReadBy::Ranking)
    }

    /// Whether it has none (meaning off, or an empty message).
    pub fn is_empty(&self) -> bool {
        self.asks.is_empty()
    }

    /// The vectors as an (m, DIMS) matrix (`None` when there are none).
    pub(crate) fn matrix(&self) -> Option<&Tensor> {
        self.matrix.as_ref()
    }

    /// The stance vectors as an (m, DIMS) matrix, zeros where vector `i`
    /// has none ([`MessageVectors::has_stance`]).
    pub(crate) fn stances(&self) -> Option<&Tensor> {
        self.stances.as_ref()
    }

    /// Whether vector `i` has a stance vector.
    pub fn has_stance(&self, i: usize) -> bool {
        self.has_stance.get(i).copied().unwrap_or(false)
    }
}

impl Meaning {
    /// Vectors for every key text of `entries`, from `cache` where it has
    /// them, else computed (and added to `cache`). Without an encoder,
    /// meaning is off and the pipeline ranks by words alone.
    pub fn new(
        entries: &[Entry],
        encoder: Option<Arc<Encoder>>,
        cache: &mut VectorCache,
        weights: Weights,
        progress: impl FnMut(usize, usize),
    ) -> Result<Meaning, EncoderError> {
        let mut meaning = Meaning {
            encoder: None,
            keys: None,
            known: HashMap::new(),
            owner: Vec::new(),
            entries: entries.len(),
            weights,
        };
        let Some(encoder) = encoder else { return Ok(meaning) };
        let texts: Vec<(u32, &str)> = entries
            .iter()
            .enumerate()
            .flat_map(|(e, entry)| entry.key_texts().map(move |t| (e as u32, t)))
            .collect();
        let missing: Vec<&str> = texts.iter().map(|&(_, t)| t).collect();
        cache.fill(&encoder, &missing, progress)?;
        let mut rows = Vec::with_capacity(texts.len() * DIMS);
        for &(e, text) in &texts {
            if let Some(v) = cache.get(text) {
                meaning.known.entry(text_key(text)).or_insert(meaning.owner.len());
                rows.extend_from_slice(v);
                meaning.owner.push(e);
            }
        }
        meaning.keys = Some(VectorIndex::new(&rows));
        meaning.encoder = Some(encoder);
        Ok(meaning)
    }

    /// Whether meaning is on (an encoder was loaded).
    pub fn is_on(&self) -> bool {
        self.encoder.is_some()
    }

    /// The message's vectors, read two ways. Ranking reads the whole message
    /// and the parts that ask (a sentence of a longer one, an asking clause:
    /// "wow the brochures are glossy af, but is it safe?") in the context of
    /// the whole, from the one pass that reads it; triage reads each part that
    /// says enough alone too, so a disclosure is not blurred by the FAQ question beside
    /// it ("been giving my stuff away, wont need it. btw are exosomes freeze
    /// dried?"). Read in context, the parts ranked the eval set, the holdout
    /// and `mqp` better (see the README); read in context only, triage lost
    /// such mixed messages. The whole message is read by both.
    pub fn vectors(&self, query: &Query) -> MessageVectors {
        let Some(encoder) = &self.encoder else { return MessageVectors::default() };
        if query.text().trim().is_empty() {
            return MessageVectors::default();
        }
        // (text, whether it asks, whether it says enough to be read alone)
        fn part(text: &str, asks: bool) -> (&str, bool, bool) {
            (text, asks, fold_words(text).len() >= MIN_WORDS_ALONE)
        }
        let mut parts = Vec::new();
        if query.is_several() {
            parts.extend(query.sentences().iter().map(|s| part(s.text.as_str(), s.asks)));
        }
        parts.extend(query.asking_clauses().filter(|c| !c.trim().is_empty()).map(|c| part(c, true)));
        // A message that is a key text word for word (the FAQ's own checks ask
        // every one) is not read again; its parts are read alone for both.
        let whole_row = self.known.get(&text_key(query.text())).copied();
        let in_context = whole_row.is_none();
        // Read alone for triage only, a part too short to say anything alone
        // is not read at all ([`MIN_WORDS_ALONE`]).
        let known = |t: &str| self.known.get(&text_key(t)).copied();
        let alone_parts: Vec<(&str, bool, bool)> =
            parts.iter().copied().filter(|&(_, _, enough)| enough || !in_context).collect();
        let unknown: Vec<&str> =
            alone_parts.iter().map(|&(t, ..)| t).filter(|t| known(t).is_none()).collect();
        let mut out = Rows::default();
        // One pass of the model reads the whole message and the parts alone.
        // A failure here (it has not been seen) leaves the words to decide.
        let mut alone = match whole_row {
            Some(row) => {
                out.push(self.row(row).map(Vectors::Meaning), true, true, ReadBy::Both);
                let Ok(alone) = encoder.encode_side_by_side(&unknown) else { return out.into_vectors() };
                alone
            }
            None => {
                let texts: Vec<&str> = parts.iter().map(|&(t, ..)| t).collect();
                let Ok(reading) = encoder.encode_in_context(query.text(), &texts, &unknown) else {
                    return MessageVectors::default();
                };
                out.push(Some(Vectors::Both(reading.whole)), true, true, ReadBy::Both);
                // Ranking reads only the parts that ask ([`Meaning::compare`]):
                // the others would only make the product over the key texts longer.
                for (&(_, asks, enough), span) in parts.iter().zip(reading.in_context).filter(|(p, _)| p.1) {
                    out.push(span.map(Vectors::Meaning), asks, enough, ReadBy::Ranking);
                }
                reading.alone
            }
        };
        alone.reverse();
        let by = if in_context { ReadBy::Triage } else { ReadBy::Both };
        for &(text, asks, enough) in &alone_parts {
            let vector = match known(text) {
                Some(row) => self.row(row).map(Vectors::Meaning),
                None => alone.pop().map(Vectors::Both),
            };
            out.push(vector, asks, enough, by);
        }
        out.into_vectors()
    }

    fn row(&self, row: usize) -> Option<Vec<f32>> {
        self.keys.as_ref()?.row(row)
    }

    /// The message against every key text (`None` when meaning is off or
    /// the message has no vector): one (rows, DIMS) x (DIMS, m) product,
    /// read both ways.
    pub fn compare(&self, message: &MessageVectors) -> Option<KeyCosines> {
        let (keys, m) = (self.keys.as_ref()?, message.matrix()?);
        if self.owner.is_empty() {
            return None;
        }
        let cosines = keys.products(&m.flatten_all().and_then(|m| m.to_vec1::<f32>()).ok()?);
        let mut entries = vec![f32::MIN; self.entries];
        let mut vectors = vec![f32::MIN; message.len()];
        for (row, &e) in cosines.chunks_exact(message.len().max(1)).zip(&self.owner) {
            for (i, &c) in row.iter().enumerate() {
                if message.ranks(i) {
                    entries[e as usize] = entries[e as usize].max(c);
                }
                vectors[i] = vectors[i].max(c);
            }
        }
        Some(KeyCosines { entries, vectors })
    }

    /// The `k` entries closest in meaning, best first, over
    /// [`Weights::nearest_floor`]: candidates the words may have missed.
    pub fn nearest(&self, closeness: &[f32], k: usize) -> Vec<usize> {
        let mut order: Vec<usize> =
            (0..closeness.len()).filter(|&e| closeness[e] >= self.weights.nearest_floor).collect();
        let best_first = |&a: &usize, &b: &usize| closeness[b].total_cmp(&closeness[a]).then(a.cmp(&b));
        if k < order.len() {
            // Only the k best need sorting: a large bank has thousands over the floor.
            order.select_nth_unstable_by(k, best_first);
            order.truncate(k);
        }
        order.sort_by(best_first);
        order
    }

    /// Blends each candidate's word confidence with its closeness; for a
    /// message that is not about the FAQ's subject, closeness counts for
    /// [`Weights::semantic_off_topic`] only.
    pub fn rescore(&self, closeness: &[f32], candidates: &mut [Scored], on_topic: bool) {
        let w = self.weights.for_topic(on_topic);
        for c in candidates {
            c.confidence = blend(c.confidence, closeness[c.entry], &w);
        }
    }
}

/// An entry's confidence from its word confidence and its best cosine with
/// the message: cosines at or under [`Weights::semantic_floor`] count as
/// nothing, and the rest is scaled to 0..1 before the blend.
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

    /// Unit vectors along axes 0..DIMS, as a (n, DIMS) matrix.
    fn axes(of: &[usize]) -> Tensor {
        let mut flat = vec![0.0f32; of.len() * DIMS];
        for (row, &axis) in of.iter().enumerate() {
            flat[row * DIMS + axis] = 1.0;
        }
        Tensor::from_vec(flat, (of.len(), DIMS), &Device::Cpu).unwrap()
    }

    #[test]
    fn only_the_parts_that_ask_read_in_context_bring_an_entry_close() {
        // Entry 0's key text is the scene sentence word for word (axis 1),
        // entry 1's the question asked (axis 2).
        let meaning = Meaning {
            encoder: None,
            keys: Some(VectorIndex::new(&axes(&[1, 2]).flatten_all().unwrap().to_vec1::<f32>().unwrap())),
            known: HashMap::new(),
            owner: vec![0, 1],
            entries: 2,
            weights: Weights::DEFAULT,
        };
        // The whole message (axis 0), a scene sentence (axis 1) and the
        // question (axis 2) read in context, and the question read alone
        // (made to land on axis 1: only triage reads it, so it brings nothing close).
        let message = MessageVectors {
            matrix: Some(axes(&[0, 1, 2, 1])),
            asks: vec![true, false, true, true],
            says_enough: vec![true; 4],
            read_by: vec![ReadBy::Both, ReadBy::Ranking, ReadBy::Ranking, ReadBy::Triage],
            stances: None,
            has_stance: vec![false; 4],
        };
        let cosines = meaning.compare(&message).unwrap();
        assert_eq!(cosines.entries, vec![0.0, 1.0], "the scene does not bring entry 0 close");
        // Triage still reads every part: each part's best cosine with any key text.
        assert_eq!(cosines.vectors, vec![0.0, 1.0, 1.0, 1.0]);
        let triage: Vec<bool> = (0..4).map(|i| message.for_triage(i)).collect();
        assert_eq!(triage, [true, false, false, true]);
    }
}
