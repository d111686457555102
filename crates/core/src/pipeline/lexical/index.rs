//! The inverted index over entries, built once per FAQ load.

use super::vocab::Vocab;
use crate::faq::Entry;
use crate::pipeline::Weights;
use crate::text::{cap_chars, idf as idf_of_df, Analyzer, QUESTION_WORDS};

/// Only the start of an answer is indexed: enough to catch the words an answer
/// adds to its question, and bounded for banks with long answers.
pub(crate) const ANSWER_INDEX_CHARS: usize = 600;
/// At most this many distinct terms of an answer's start are indexed.
pub(crate) const ANSWER_INDEX_TERMS: usize = 40;
/// Without `topic_words` in bot.toml, a term used in the questions/alternates
/// of at least this share of entries (a fifth), and of at least
/// `CORE_MIN_ENTRIES` of them, is a core topic word of the FAQ ("exosome",
/// "stem cell"): a query that uses one is about the FAQ's domain.
pub(crate) const CORE_SHARE: f32 = 0.20;
/// See [`CORE_SHARE`].
pub(crate) const CORE_MIN_ENTRIES: usize = 3;
/// What part of an entry an indexed field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// The question or one alternate: what people type.
    Key,
    /// The entry's tags.
    Tags,
    /// The start of the answer.
    Answer,
}

#[derive(Debug)]
pub(crate) struct Field {
    pub(super) entry: u32,
    pub(super) kind: FieldKind,
    /// Sorted, unique term ids.
    pub(super) terms: Box<[u32]>,
    /// Sum of the terms' weights (idf).
    pub(super) weight: f32,
    /// The part of `weight` that comes from core topic words.
    pub(super) core_weight: f32,
    /// The text uses a question word ("how", "where").
    pub(super) asks: bool,
}

#[derive(Debug)]
pub(crate) struct Index {
    pub(super) vocab: Vocab,
    /// Per term: inverse document frequency over entries.
    pub(super) idf: Vec<f32>,
    /// Per term: a core topic word of this FAQ.
    pub(super) core: Vec<bool>,
    /// bot.toml names topic words and the entries use at least one.
    topic_named: bool,
    /// The weight of a word the FAQ never uses ([`Weights::unknown_word_share`]).
    pub(super) unknown_idf: f32,
    pub(super) fields: Vec<Field>,
    /// Per entry: its fields are `fields[start..end]`.
    pub(super) entry_fields: Vec<(u32, u32)>,
    /// Per term: the fields containing it, `postings[offsets[t]..offsets[t + 1]]`.
    offsets: Vec<u32>,
    postings: Vec<u32>,
}

impl Index {
    /// `topic_words` are the FAQ's core topic words as the moderators name
    /// them (`[matching] topic_words`); empty: the terms used by at least
    /// [`CORE_SHARE`] of the entries' key texts.
    pub(crate) fn build(
        entries: &[Entry],
        topic_words: &[String],
        analyzer: &Analyzer,
        w: &Weights,
    ) -> Index {
        let mut vocab = Vocab::default();
        let mut raw_fields: Vec<(u32, FieldKind, Vec<u32>)> = Vec::new();
        let mut entry_fields = Vec::with_capacity(entries.len());
        let intern = |vocab: &mut Vocab, terms: Vec<String>| -> Vec<u32> {
            let mut ids: Vec<u32> = terms.iter().map(|t| vocab.intern(t)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        for (e, entry) in entries.iter().enumerate() {
            let start = raw_fields.len() as u32;
            for text in entry.key_texts() {
                let ids = intern(&mut vocab, analyzer.terms(text));
                if !ids.is_empty() {
                    raw_fields.push((e as u32, FieldKind::Key, ids));
                }
            }
            let tags = intern(&mut vocab, entry.tags.iter().flat_map(|t| analyzer.terms(t)).collect());
            if !tags.is_empty() {
                raw_fields.push((e as u32, FieldKind::Tags, tags));
            }
            let head = cap_chars(&entry.answer, ANSWER_INDEX_CHARS);
            let mut answer_terms = analyzer.terms(head);
            let mut seen = std::collections::HashSet::new();
            answer_terms.retain(|t| seen.insert(t.clone()));
            answer_terms.truncate(ANSWER_INDEX_TERMS);
            let answer = intern(&mut vocab, answer_terms);
            if !answer.is_empty() {
                raw_fields.push((e as u32, FieldKind::Answer, answer));
            }
            entry_fields.push((start, raw_fields.len() as u32));
        }

        let n_terms = vocab.len();
        let mut df = vec![0u32; n_terms];
        let mut key_df = vec![0u32; n_terms];
        let mut mark = vec![u32::MAX; n_terms];
        let mut key_mark = vec![u32::MAX; n_terms];
        for (entry, kind, terms) in &raw_fields {
            for &t in terms {
                let t = t as usize;
                if mark[t] != *entry {
                    mark[t] = *entry;
                    df[t] += 1;
                }
                if *kind == FieldKind::Key && key_mark[t] != *entry {
                    key_mark[t] = *entry;
                    key_df[t] += 1;
                }
            }
        }
        let n = entries.len() as f32;
        let idf_of = |df: f32| idf_of_df(n, df);
        let core_min = (CORE_SHARE * n).max(CORE_MIN_ENTRIES as f32);
        let mut core: Vec<bool> = if topic_words.is_empty() {
            key_df.iter().map(|&d| d as f32 >= core_min).collect()
        } else {
            let mut core = vec![false; n_terms];
            for term in topic_words.iter().flat_map(|w| analyzer.terms(w)) {
                if let Some(id) = vocab.id(&term) {
                    core[id as usize] = true;
                }
            }
            core
        };
        let mut idf: Vec<f32> = df
            .iter()
            .zip(&core)
            .map(
                |(&d, &is_core)| {
                    if is_core {
                        idf_of(d as f32).max(w.core_min_weight)
                    } else {
                        idf_of(d as f32)
                    }
                },
            )
            .collect();
        let mut question = vec![false; n_terms];
        for word in QUESTION_WORDS {
            if let Some(id) = vocab.id(&analyzer.stem_word(word)) {
                question[id as usize] = true;
                core[id as usize] = false;
                idf[id as usize] = idf_of(df[id as usize] as f32) * w.question_word_weight;
            }
        }

        let mut counts = vec![0u32; n_terms + 1];
        for (_, _, terms) in &raw_fields {
            for &t in terms {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts;
        let mut fill = offsets.clone();
        let mut postings = vec![0u32; *offsets.last().unwrap_or(&0) as usize];
        let fields: Vec<Field> = raw_fields
            .into_iter()
            .enumerate()
            .map(|(f, (entry, kind, terms))| {
                for &t in &terms {
                    postings[fill[t as usize] as usize] = f as u32;
                    fill[t as usize] += 1;
                }
                let weight = terms.iter().map(|&t| idf[t as usize]).sum();
                let core_weight = terms.iter().filter(|&&t| core[t as usize]).map(|&t| idf[t as usize]).sum();
                let asks = terms.iter().any(|&t| question[t as usize]);
                Field { entry, kind, terms: terms.into_boxed_slice(), weight, core_weight, asks }
            })
            .collect();
        vocab.build_fuzzy();
        let topic_named = !topic_words.is_empty() && core.iter().any(|&c| c);
        Index {
            vocab,
            idf,
            core,
            topic_named,
            unknown_idf: idf_of(0.0) * w.unknown_word_share,
            fields,
            entry_fields,
            offsets,
            postings,
        }
    }

    pub(super) fn postings(&self, term: u32) -> &[u32] {
        let t = term as usize;
        &self.postings[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }

    pub(super) fn entry_count(&self) -> usize {
        self.entry_fields.len()
    }

    /// Whether no message can be off this FAQ's topic: its bot.toml names no
    /// `topic_words` that its entries use (a general FAQ, such as a bank of
    /// health questions). Words used by many entries still weigh as core
    /// words, but a message without them is not judged off topic: in a
    /// COVID FAQ "what age groups are most at risk?" is about COVID.
    pub(super) fn has_no_topic(&self) -> bool {
        !self.topic_named
    }

    /// Whether an analysed term is one of the FAQ's core topic words.
    pub(super) fn is_core(&self, term: &str) -> bool {
        self.vocab.id(term).is_some_and(|id| self.core[id as usize])
    }

    pub(super) fn fields_of(&self, entry: u32) -> &[Field] {
        let (start, end) = self.entry_fields[entry as usize];
        &self.fields[start as usize..end as usize]
    }
}
