//! Meaning as well as shared words: each entry and each message becomes one
//! vector, the idf-weighted mean of static word-piece vectors distilled from
//! the sentence model all-MiniLM-L6-v2, and their cosine says how close they
//! are in meaning ("took my last dose of azithromycin" is near "after an
//! antibiotic" though they share no word).
//!
//! Pure and cheap: no model runs at query time, only table look-ups (a few
//! microseconds a message). Built once per FAQ load, like the word index.

mod vectors;
mod wordpiece;

pub(crate) use vectors::Vectors;

/// Entry vectors for one FAQ load.
#[derive(Debug)]
pub(crate) struct SemanticIndex {
    vectors: &'static Vectors,
    idf: Vec<f32>,
    /// `entries x dims`, each row unit length (zero for an entry with no known piece).
    entries: Vec<f32>,
}

impl SemanticIndex {
    /// An entry's vector is the mean of its key texts' unit vectors (question
    /// and alternates), so an entry with many alternates is not one long text.
    pub(crate) fn build<'a, E, K>(entries: E) -> SemanticIndex
    where
        E: IntoIterator<Item = K>,
        K: IntoIterator<Item = &'a str>,
    {
        let vectors = Vectors::shipped();
        let dims = vectors.dims();
        let mut pieces = Vec::new();
        let mut texts: Vec<Vec<u32>> = Vec::new();
        let mut owner = Vec::new();
        let mut df = vec![0u32; vectors.rows()];
        let mut count = 0;
        for (e, key_texts) in entries.into_iter().enumerate() {
            count = e + 1;
            for text in key_texts {
                vectors.pieces.pieces(text, &mut pieces);
                pieces.sort_unstable();
                for run in pieces.chunk_by(|a, b| a == b) {
                    df[run[0] as usize] += 1;
                }
                texts.push(std::mem::take(&mut pieces));
                owner.push(e);
            }
        }
        let n = texts.len() as f32;
        let idf_of = |d: u32| crate::text::idf(n, d as f32);
        // A mark no key text uses ("*", "[" of chat markdown) weighs nothing;
        // an unknown word keeps the top weight: it is what an off-topic
        // question is made of.
        let idf = (0..df.len() as u32)
            .map(|p| match df[p as usize] {
                0 if vectors.pieces.is_mark(p) => 0.0,
                d => idf_of(d),
            })
            .collect();
        let mut index = SemanticIndex { vectors, idf, entries: vec![0.0; count * dims] };
        let mut one = vec![0.0; dims];
        for (text, &e) in texts.iter().zip(&owner) {
            if index.mean_of(text, &mut one) {
                for (s, v) in index.entries[e * dims..(e + 1) * dims].iter_mut().zip(&one) {
                    *s += v;
                }
            }
        }
        for row in index.entries.chunks_mut(dims) {
            normalise(row);
        }
        index
    }

    /// The text's unit vector, or `None` when no word of it is known.
    pub(crate) fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut pieces = Vec::new();
        self.vectors.pieces.pieces(text, &mut pieces);
        pieces.sort_unstable();
        let mut v = vec![0.0; self.vectors.dims()];
        self.mean_of(&pieces, &mut v).then_some(v)
    }

    /// Cosine of a message vector from [`SemanticIndex::embed`] and entry `entry`'s.
    pub(crate) fn similarity(&self, message: &[f32], entry: usize) -> f32 {
        let dims = self.vectors.dims();
        self.entries[entry * dims..(entry + 1) * dims].iter().zip(message).map(|(a, b)| a * b).sum()
    }

    /// idf-weighted sum of the pieces' vectors, made unit length; false if
    /// there is nothing. `pieces` must be sorted: a piece said n times weighs
    /// 1 + ln(n) times, so a phrase pasted 200 times does not drown the question.
    fn mean_of(&self, pieces: &[u32], out: &mut [f32]) -> bool {
        out.fill(0.0);
        for run in pieces.chunk_by(|a, b| a == b) {
            let p = run[0];
            let repeats = 1.0 + (run.len() as f32).ln();
            self.vectors.add_to(p, self.idf[p as usize] * repeats, out);
        }
        normalise(out)
    }
}

/// Scales `v` to unit length; false (and `v` untouched) when it is zero.
fn normalise(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        v.iter_mut().for_each(|x| *x /= norm);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAQ: [&[&str]; 4] = [
        &["After how many hours from drinking an antibiotic can I drink alcohol?"],
        &["How big are exosomes?", "exosome size"],
        &["Is exosome therapy safe?", "what are the side effects"],
        &[],
    ];

    fn closest(index: &SemanticIndex, text: &str) -> usize {
        let v = index.embed(text).expect("known words");
        (0..FAQ.len()).max_by(|&a, &b| index.similarity(&v, a).total_cmp(&index.similarity(&v, b))).unwrap()
    }

    #[test]
    fn a_paraphrase_in_other_words_is_closest_to_its_entry() {
        let index = SemanticIndex::build(FAQ.map(|texts| texts.iter().copied()));
        // No content word in common with entry 0 ("azithromycin" is not "antibiotic").
        assert_eq!(
            closest(&index, "I took my last dose of azithromycin this morning, can I have a few beers?"),
            0
        );
        assert_eq!(closest(&index, "what diameter do these vesicles have"), 1);
        assert_eq!(closest(&index, "any dangers or adverse reactions?"), 2);
    }

    #[test]
    fn an_entry_without_text_is_never_close_and_unknown_text_has_no_vector() {
        let index = SemanticIndex::build(FAQ.map(|texts| texts.iter().copied()));
        let v = index.embed("how big are exosomes").unwrap();
        assert_eq!(index.similarity(&v, 3), 0.0);
        assert!(index.embed("").is_none());
        assert!(index.embed("<@42> 123 🙂").is_none(), "markup, numbers and emoji carry no meaning");
        assert!(index.embed("[** **]").is_none(), "marks no key text uses carry no meaning");
        assert!(index.embed("?").is_some(), "a mark the key texts use does");
    }
}
