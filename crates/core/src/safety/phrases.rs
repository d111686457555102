//! The phrase rules: `patterns` and `except` of `safety.toml`, compiled
//! through the same [`Analyzer`] as everything else, so "can't breathe",
//! "cant breath" and "cannot breathe" are one pattern away from each other.

use crate::text::{within, Analyzer, Token};

/// Most words a `*` in a pattern may stand for.
const MAX_GAP_WORDS: usize = 3;
/// Pattern words at least this long also match a token one edit away
/// with the same first letter ("chest pian"); shorter ones must match exactly.
const FUZZY_MIN_LEN: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Word(String),
    Gap,
}

#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<Part>,
}

/// Patterns indexed by their first word's first letter, so a message is only
/// tried against patterns that could start at one of its words.
#[derive(Debug, Default)]
pub(super) struct PatternSet {
    by_first_letter: std::collections::HashMap<u8, Vec<Pattern>>,
}

impl PatternSet {
    fn new(patterns: Vec<Pattern>) -> PatternSet {
        let mut set = PatternSet::default();
        for p in patterns {
            if let Some(Part::Word(w)) = p.parts.first() {
                set.by_first_letter.entry(w.as_bytes()[0]).or_default().push(p);
            }
        }
        set
    }

    /// Every place a pattern matches, as token spans `start..end`.
    fn spans(&self, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (start, token) in tokens.iter().enumerate() {
            let Some(&letter) = token.term.as_bytes().first() else { continue };
            let Some(patterns) = self.by_first_letter.get(&letter) else { continue };
            out.extend(
                patterns.iter().filter_map(|p| match_end(&p.parts, tokens, start)).map(|end| (start, end)),
            );
        }
        out
    }
}

/// One category's phrases, compiled.
#[derive(Debug)]
pub(super) struct Phrases {
    patterns: PatternSet,
    except: PatternSet,
}

impl Phrases {
    /// Compiles `patterns` and `except` through `analyzer`.
    pub(super) fn new(patterns: &[String], except: &[String], analyzer: &Analyzer) -> Phrases {
        let compile = |patterns: &[String]| -> PatternSet {
            PatternSet::new(
                patterns
                    .iter()
                    .map(|p| compile_pattern(p, analyzer))
                    .filter(|p| !p.parts.is_empty())
                    .collect(),
            )
        };
        Phrases { patterns: compile(patterns), except: compile(except) }
    }

    /// Whether a pattern matches `tokens` where none of the `except` phrases overlaps it.
    pub(super) fn fire(&self, tokens: &[Token]) -> bool {
        let hits = self.patterns.spans(tokens);
        let excused = if hits.is_empty() { Vec::new() } else { self.except.spans(tokens) };
        let overlaps = |(s, e): (usize, usize), (xs, xe): (usize, usize)| s < xe && xs < e;
        hits.iter().any(|&hit| !excused.iter().any(|&x| overlaps(hit, x)))
    }
}

fn compile_pattern(text: &str, analyzer: &Analyzer) -> Pattern {
    // Each run of words between `*`s goes through the analyzer whole, as a
    // message does: "stem cells" is one term to it (a synonym phrase), which
    // word by word it would not be.
    let mut parts = Vec::new();
    for (i, run) in text.split('*').enumerate() {
        if i > 0 && parts.last().is_some_and(|p| *p != Part::Gap) {
            parts.push(Part::Gap);
        }
        parts.extend(analyzer.tokens(run).into_iter().map(|t| Part::Word(t.term)));
    }
    while parts.last() == Some(&Part::Gap) {
        parts.pop();
    }
    Pattern { parts }
}

/// Where `parts` matched from token `at` ends (the shortest match), if they do.
fn match_end(parts: &[Part], tokens: &[Token], at: usize) -> Option<usize> {
    match parts.split_first() {
        None => Some(at),
        Some((Part::Gap, rest)) => (0..=MAX_GAP_WORDS)
            .filter(|skip| at + skip <= tokens.len())
            .find_map(|skip| match_end(rest, tokens, at + skip)),
        Some((Part::Word(w), rest)) => {
            if at < tokens.len() && word_matches(w, &tokens[at].term) {
                match_end(rest, tokens, at + 1)
            } else {
                None
            }
        }
    }
}

fn word_matches(pattern: &str, token: &str) -> bool {
    pattern == token
        || (pattern.len() >= FUZZY_MIN_LEN
            && pattern.as_bytes()[0] == token.as_bytes()[0]
            && within(pattern, token, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(patterns: &[&str], except: &[&str]) -> (Phrases, Analyzer) {
        let analyzer = Analyzer::default();
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        (Phrases::new(&own(patterns), &own(except), &analyzer), analyzer)
    }
    #[test]
    fn patterns_match_inflections_typos_and_gaps() {
        let (t, a) = phrases(&["can't breathe", "chest * pain"], &[]);
        for hit in ["I CANT BREATH", "i can't breathing", "cant brethe", "my chest is in pain", "chest pain"]
        {
            assert!(t.fire(&a.tokens(hit)), "{hit}");
        }
        assert!(!t.fire(&a.tokens("my chest really is a lot of pain")), "gap longer than three words");
        assert!(!t.fire(&a.tokens("what is a breath test")));
    }

    #[test]
    fn except_phrases_cancel_a_match() {
        let (t, a) = phrases(&["overdose"], &["overdose * exosomes"]);
        assert!(t.fire(&a.tokens("I took an overdose")));
        assert!(!t.fire(&a.tokens("can you overdose on exosomes")));
    }

    #[test]
    fn a_pattern_reads_a_synonym_phrase_as_a_message_does() {
        // As faq/synonyms.toml has it: "stem cell" is one term.
        let synonym = crate::text::Synonym { term: "stemcell".into(), variants: vec!["stem cell".into()] };
        let a = Analyzer::new(&[synonym]);
        let t = Phrases::new(&["suicide".into()], &["stem cells * suicide".into()], &a);
        assert!(!t.fire(&a.tokens("do injected stem cells basically commit suicide?")));
        assert!(t.fire(&a.tokens("thinking about suicide since the stem cells failed")));
    }

    #[test]
    fn except_phrases_cancel_only_the_matches_they_overlap() {
        let (t, a) = phrases(&["should i take", "swollen after"], &["steps * i take"]);
        assert!(!t.fire(&a.tokens("what steps should I take before a consultation")));
        assert!(
            t.fire(&a.tokens("my knee is swollen after the shot, what steps should I take")),
            "the other match stands"
        );
        assert!(
            t.fire(&a.tokens("what steps can I take? should I take ibuprofen")),
            "a second, separate match of the same pattern stands"
        );
    }
}
