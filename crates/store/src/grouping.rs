//! Grouping near-identical questions for `gaps`, with the matcher's own
//! normalisation (stems, American spelling, synonyms, filler dropped) and an
//! idf-weighted overlap that tolerates one typo in longer words.
//!
//! Wordings arrive most asked first; each joins the group it is most similar
//! to, or starts one. Wordings whose terms are identical (case, punctuation,
//! filler) join at once through a hash map; only new term sets are compared,
//! and only with groups that share a less common term.

use std::collections::HashMap;

use super::report::GapGroup;
use faqbot_core::text::Analyzer;

/// A wording joins a group when the terms it shares with one of the group's
/// wordings carry at least this share of the weight of the lighter of the two
/// (idf-weighted overlap): "can exosomes help with hair loss?" and "do
/// exosome's help hair-loss" share their rare words; "how much does exosome
/// therapy cost" and "does insurance cover exosome therapy" share only common
/// ones.
pub const GROUP_SIMILARITY: f64 = 0.6;
/// Terms at least this long also match one typo apart, as in the matcher.
const TYPO_MIN_LEN: usize = 5;
/// Candidate groups are found through a wording's less common terms: a term
/// in more than this share of the wordings ("exosome" in an exosome
/// community) links everything to everything and would make grouping
/// quadratic. Two wordings that pass [`GROUP_SIMILARITY`] share more than such
/// words.
const CANDIDATE_MAX_DF_SHARE: f64 = 0.05;
/// A wording is compared with at most this many term sets of a group (its
/// most asked first): enough to catch a paraphrase, bounded for huge groups.
const MAX_SETS_COMPARED: usize = 8;

/// One distinct stored text and how often it was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Wording {
    /// The normalised question text.
    pub text: String,
    /// Times it was asked.
    pub count: u64,
    /// Of which nothing fitted (the rest got "did you mean").
    pub unanswered: u64,
}

type TermSet = Vec<u32>;

struct Group {
    /// The distinct term sets of its wordings.
    sets: Vec<TermSet>,
    out: GapGroup,
}

/// Groups `wordings` (most asked first); the groups come out in the order they were started.
pub fn group(analyzer: &Analyzer, wordings: Vec<Wording>) -> Vec<GapGroup> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let sets: Vec<TermSet> = wordings
        .iter()
        .map(|w| {
            let mut set: TermSet = terms_of(analyzer, &w.text)
                .into_iter()
                .map(|t| {
                    *ids.entry(t.clone()).or_insert_with(|| {
                        words.push(t);
                        (words.len() - 1) as u32
                    })
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            set
        })
        .collect();
    let mut df = vec![0usize; words.len()];
    for set in &sets {
        for &t in set {
            df[t as usize] += 1;
        }
    }
    let n = sets.len().max(1) as f64;
    let weight: Vec<f64> =
        df.iter().map(|&d| f64::from(faqbot_core::text::idf(n as f32, d as f32))).collect();
    let max_df = ((n * CANDIDATE_MAX_DF_SHARE) as usize).max(2);
    let sim = Similarity { weight: &weight, words: &words };

    let mut groups: Vec<Group> = Vec::new();
    let mut by_term: Vec<Vec<usize>> = vec![Vec::new(); words.len()];
    let mut exact: HashMap<TermSet, usize> = HashMap::new();
    for (wording, set) in wordings.into_iter().zip(sets) {
        let joined = exact.get(&set).copied().or_else(|| {
            let rare: Vec<u32> = set.iter().copied().filter(|&t| df[t as usize] <= max_df).collect();
            let lookup = if rare.is_empty() { &set } else { &rare };
            let mut candidates: Vec<usize> =
                lookup.iter().flat_map(|&t| by_term[t as usize].iter().copied()).collect();
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: Option<(usize, f64)> = None;
            for g in candidates {
                let s = groups[g]
                    .sets
                    .iter()
                    .take(MAX_SETS_COMPARED)
                    .map(|b| sim.of(&set, b))
                    .fold(0.0, f64::max);
                if s >= GROUP_SIMILARITY && best.is_none_or(|(_, b)| s > b) {
                    best = Some((g, s));
                }
            }
            best.map(|(g, _)| g)
        });
        let g = match joined {
            Some(g) => {
                let out = &mut groups[g].out;
                out.count += wording.count;
                out.unanswered += wording.unanswered;
                out.wordings += 1;
                g
            }
            None => {
                let out = GapGroup {
                    example: wording.text,
                    count: wording.count,
                    unanswered: wording.unanswered,
                    wordings: 1,
                };
                groups.push(Group { sets: Vec::new(), out });
                groups.len() - 1
            }
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = exact.entry(set) {
            for &t in slot.key() {
                if by_term[t as usize].last() != Some(&g) {
                    by_term[t as usize].push(g);
                }
            }
            groups[g].sets.push(slot.key().clone());
            slot.insert(g);
        }
    }
    groups.into_iter().map(|g| g.out).collect()
}

/// The matcher's terms (no filler); the plain words when a text has no content word at all.
fn terms_of(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let terms = analyzer.terms(text);
    if terms.is_empty() {
        text.split_whitespace().map(str::to_string).collect()
    } else {
        terms
    }
}

struct Similarity<'a> {
    weight: &'a [f64],
    words: &'a [String],
}

impl Similarity<'_> {
    fn w(&self, t: u32) -> f64 {
        self.weight[t as usize]
    }

    fn same_word(&self, a: u32, b: u32) -> bool {
        let (a, b) = (&self.words[a as usize], &self.words[b as usize]);
        a.len() >= TYPO_MIN_LEN && b.len() >= TYPO_MIN_LEN && faqbot_core::text::within(a, b, 1)
    }

    /// The weight of the terms `a` shares with `b` over the weight of the lighter set.
    fn of(&self, a: &[u32], b: &[u32]) -> f64 {
        let (wa, wb): (f64, f64) = (a.iter().map(|&t| self.w(t)).sum(), b.iter().map(|&t| self.w(t)).sum());
        let lighter = wa.min(wb);
        if lighter == 0.0 {
            return 0.0;
        }
        let (mut shared, mut unmatched) = (0.0, Vec::new());
        for &t in a {
            if b.binary_search(&t).is_ok() {
                shared += self.w(t);
            } else {
                unmatched.push(t);
            }
        }
        // The typo pass only when it could reach the threshold.
        let typo_room: f64 = unmatched
            .iter()
            .filter(|&&t| self.words[t as usize].len() >= TYPO_MIN_LEN)
            .map(|&t| self.w(t))
            .sum();
        if (shared + typo_room) / lighter >= GROUP_SIMILARITY {
            for t in unmatched {
                if b.iter().any(|&u| self.same_word(t, u)) {
                    shared += self.w(t);
                }
            }
        }
        shared / lighter
    }
}
