//! The index's vocabulary, with typo-tolerant lookup.
//!
//! Fuzzy lookup uses symmetric deletes (SymSpell): every term is stored under
//! itself and each string made by deleting one of its characters; a query word
//! looks up itself and its one- and two-character deletions. Two strings within
//! two edits share such a key, so candidates come from a few hash look-ups, not
//! a scan of the vocabulary; strsim's Damerau-Levenshtein then confirms them.

use std::collections::HashMap;

/// Words shorter than this are matched exactly: "iv", "oa", "cd9" have too many
/// neighbours one edit away.
pub(super) const FUZZY_MIN_LEN: usize = 4;
/// Words at least this long may be two edits away ("mesenchymel" -> "mesenchym");
/// shorter ones one edit.
pub(super) const TWO_EDITS_MIN_LEN: usize = 7;
/// At most this many vocabulary terms stand in for one misspelt query word.
pub(super) const MAX_FUZZY_CANDIDATES: usize = 3;
#[derive(Debug, Default)]
pub(super) struct Vocab {
    ids: HashMap<String, u32>,
    terms: Vec<String>,
    deletes: HashMap<u64, Vec<u32>>,
    /// Term ids in byte order of their terms, for prefix look-ups.
    sorted: Vec<u32>,
}

impl Vocab {
    pub(super) fn len(&self) -> usize {
        self.terms.len()
    }

    pub(super) fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    pub(super) fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    pub(super) fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.push(term.to_string());
        self.ids.insert(term.to_string(), id);
        id
    }

    /// Builds the delete table; call once after every term is interned.
    pub(super) fn build_fuzzy(&mut self) {
        let mut deletes: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut buf = Vec::new();
        for (id, term) in self.terms.iter().enumerate() {
            if term.chars().count() < FUZZY_MIN_LEN || !term.is_ascii() {
                continue;
            }
            buf.clear();
            buf.push(hash(term.as_bytes()));
            one_deletes(term.as_bytes(), |key| buf.push(hash(key)));
            buf.sort_unstable();
            buf.dedup();
            for &key in &buf {
                deletes.entry(key).or_default().push(id as u32);
            }
        }
        self.deletes = deletes;
        let mut sorted: Vec<u32> = (0..self.terms.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| self.terms[a as usize].cmp(&self.terms[b as usize]));
        self.sorted = sorted;
    }

    /// Terms that begin with `prefix` (other than `prefix` itself), shortest
    /// first, at most `limit` of them.
    pub(super) fn completions(&self, prefix: &str, limit: usize, out: &mut Vec<u32>) {
        out.clear();
        let start = self.sorted.partition_point(|&t| self.terms[t as usize].as_str() < prefix);
        let matching = self.sorted[start..]
            .iter()
            .take_while(|&&t| self.terms[t as usize].starts_with(prefix))
            .filter(|&&t| self.terms[t as usize].len() > prefix.len());
        out.extend(matching);
        out.sort_by_key(|&t| (self.terms[t as usize].len(), t));
        out.truncate(limit);
    }

    /// Vocabulary terms within the edit budget of `word`, most similar first,
    /// as `(term id, similarity in 0..1)`.
    pub(super) fn fuzzy(&self, word: &str, out: &mut Vec<(u32, f32)>) {
        out.clear();
        let len = word.len();
        if len < FUZZY_MIN_LEN || !word.is_ascii() {
            return;
        }
        let max_edits = if len >= TWO_EDITS_MIN_LEN { 2 } else { 1 };
        let bytes = word.as_bytes();
        let consider = |key: &[u8], out: &mut Vec<(u32, f32)>| {
            let Some(ids) = self.deletes.get(&hash(key)) else { return };
            for &id in ids {
                if out.iter().any(|&(seen, _)| seen == id) {
                    continue;
                }
                let term = &self.terms[id as usize];
                if term.len().abs_diff(len) > max_edits {
                    continue;
                }
                let distance = crate::text::edits(word, term);
                if distance > 0 && distance <= max_edits {
                    let similarity = 1.0 - distance as f32 / len.max(term.len()) as f32;
                    out.push((id, similarity));
                }
            }
        };
        consider(bytes, out);
        let mut firsts = Vec::with_capacity(len);
        one_deletes(bytes, |key| firsts.push(key.to_vec()));
        for first in &firsts {
            consider(first, out);
            if max_edits == 2 {
                one_deletes(first, |key| consider(key, out));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(MAX_FUZZY_CANDIDATES);
    }
}

fn one_deletes(word: &[u8], mut f: impl FnMut(&[u8])) {
    let mut buf = Vec::with_capacity(word.len());
    for i in 0..word.len() {
        buf.clear();
        buf.extend_from_slice(&word[..i]);
        buf.extend_from_slice(&word[i + 1..]);
        f(&buf);
    }
}

/// FNV-1a: small, fast, deterministic; collisions only cost a strsim check.
fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(words: &[&str]) -> Vocab {
        let mut v = Vocab::default();
        for w in words {
            v.intern(w);
        }
        v.build_fuzzy();
        v
    }

    fn best(v: &Vocab, word: &str) -> Option<String> {
        let mut out = Vec::new();
        v.fuzzy(word, &mut out);
        out.first().map(|&(id, _)| v.term(id).to_string())
    }

    #[test]
    fn finds_typos_within_budget() {
        let v = vocab(&["exosom", "mesenchym", "stem", "cell", "tumor"]);
        assert_eq!(best(&v, "exsom").as_deref(), Some("exosom"));
        assert_eq!(best(&v, "exoosom").as_deref(), Some("exosom"));
        assert_eq!(best(&v, "mesenchymel").as_deref(), Some("mesenchym"));
        assert_eq!(best(&v, "tumr").as_deref(), Some("tumor"));
        assert_eq!(best(&v, "stam").as_deref(), Some("stem"));
    }

    #[test]
    fn completions_are_longer_terms_shortest_first() {
        let v = vocab(&["exosom", "exo", "exosomal", "exosomes", "exterior", "ex"]);
        let mut out = Vec::new();
        v.completions("exo", 3, &mut out);
        let words: Vec<&str> = out.iter().map(|&t| v.term(t)).collect();
        assert_eq!(words, ["exosom", "exosomal", "exosomes"]);
        v.completions("exosomes", 3, &mut out);
        assert!(out.is_empty(), "a term is not its own completion");
        v.completions("zzz", 3, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn stays_exact_for_short_or_distant_words() {
        let v = vocab(&["exosom", "cell"]);
        assert_eq!(best(&v, "cel"), None, "too short for fuzzy matching");
        assert_eq!(best(&v, "axiom"), None);
        assert_eq!(best(&v, "exosom"), None, "exact words are not fuzzy candidates");
    }
}
