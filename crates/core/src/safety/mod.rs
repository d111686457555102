//! Safety triage: messages that need real help, not an FAQ answer.
//!
//! Runs before matching. The rules are phrases from `faq/safety.toml`, compiled
//! through the same [`Analyzer`] as everything else, so "can't breathe",
//! "cant breath" and "cannot breathe" are one pattern away from each other.

use crate::pipeline::Query;
use crate::text::{within, Analyzer, Token};

/// Most words a `*` in a pattern may stand for.
const MAX_GAP_WORDS: usize = 3;
/// Pattern words at least this long also match a token one edit away
/// with the same first letter ("chest pian"); shorter ones must match exactly.
const FUZZY_MIN_LEN: usize = 5;

/// Which kind of real help a message needs. Serialised as the JSON contract
/// and the store name it: "emergency", "self-harm", "personal-advice".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SafetyCategory {
    /// Call emergency services now.
    Emergency,
    /// Crisis line.
    SelfHarm,
    /// Ask your own clinician; may come with related FAQ suggestions.
    PersonalAdvice,
}

impl SafetyCategory {
    /// The name in `safety.toml`, the JSON contract and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyCategory::Emergency => "emergency",
            SafetyCategory::SelfHarm => "self-harm",
            SafetyCategory::PersonalAdvice => "personal-advice",
        }
    }
}

/// One category's rule as written in safety.toml.
#[derive(Debug, Clone)]
pub struct SafetyRule {
    /// The category it triages to.
    pub category: SafetyCategory,
    /// The text shown instead of an answer.
    pub message: String,
    /// Phrases that trigger it; `*` stands for up to three other words.
    pub patterns: Vec<String>,
    /// Phrases that cancel a trigger they overlap.
    pub except: Vec<String>,
}

/// The validated safety.toml: one rule per category, in priority order.
#[derive(Debug, Clone)]
pub struct SafetyConfig {
    /// The rules, the first matching one winning.
    pub rules: Vec<SafetyRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Word(String),
    Gap,
}

#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<Part>,
}

#[derive(Debug)]
struct CompiledRule {
    category: SafetyCategory,
    message: String,
    patterns: PatternSet,
    except: PatternSet,
}

/// Patterns indexed by their first word's first letter, so a message is only
/// tried against patterns that could start at one of its words.
#[derive(Debug, Default)]
struct PatternSet {
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

/// A triage verdict: which category, and the text to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triaged<'a> {
    /// The first category whose rule matched.
    pub category: SafetyCategory,
    /// That rule's message.
    pub message: &'a str,
}

/// The compiled rules, built once per FAQ load.
#[derive(Debug)]
pub struct Triage {
    rules: Vec<CompiledRule>,
}

impl Triage {
    /// Compiles `config`'s patterns through `analyzer`, the one queries go through.
    pub fn new(config: &SafetyConfig, analyzer: &Analyzer) -> Self {
        let compile = |patterns: &[String]| -> PatternSet {
            PatternSet::new(
                patterns
                    .iter()
                    .map(|p| compile_pattern(p, analyzer))
                    .filter(|p| !p.parts.is_empty())
                    .collect(),
            )
        };
        let rules = config
            .rules
            .iter()
            .map(|r| CompiledRule {
                category: r.category,
                message: r.message.clone(),
                patterns: compile(&r.patterns),
                except: compile(&r.except),
            })
            .collect();
        Triage { rules }
    }

    /// Stage 2 of the pipeline: the first category (in priority order) with
    /// a pattern match in the message that none of its `except` phrases overlaps.
    pub fn check(&self, query: &Query) -> Option<Triaged<'_>> {
        self.check_tokens(query.tokens())
    }

    fn check_tokens(&self, tokens: &[Token]) -> Option<Triaged<'_>> {
        self.rules.iter().find_map(|rule| {
            let hits = rule.patterns.spans(tokens);
            let excused = if hits.is_empty() { Vec::new() } else { rule.except.spans(tokens) };
            let overlaps = |(s, e): (usize, usize), (xs, xe): (usize, usize)| s < xe && xs < e;
            let stands = hits.iter().any(|&hit| !excused.iter().any(|&x| overlaps(hit, x)));
            stands.then_some(Triaged { category: rule.category, message: &rule.message })
        })
    }
}

fn compile_pattern(text: &str, analyzer: &Analyzer) -> Pattern {
    let mut parts = Vec::new();
    for word in text.split_whitespace() {
        if word == "*" {
            if parts.last().is_some_and(|p| *p != Part::Gap) {
                parts.push(Part::Gap);
            }
            continue;
        }
        parts.extend(analyzer.tokens(word).into_iter().map(|t| Part::Word(t.term)));
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

    fn triage(patterns: &[&str], except: &[&str]) -> (Triage, Analyzer) {
        let analyzer = Analyzer::default();
        let config = SafetyConfig {
            rules: vec![SafetyRule {
                category: SafetyCategory::Emergency,
                message: "call".into(),
                patterns: patterns.iter().map(|s| s.to_string()).collect(),
                except: except.iter().map(|s| s.to_string()).collect(),
            }],
        };
        (Triage::new(&config, &analyzer), analyzer)
    }

    #[test]
    fn patterns_match_inflections_typos_and_gaps() {
        let (t, a) = triage(&["can't breathe", "chest * pain"], &[]);
        for hit in ["I CANT BREATH", "i can't breathing", "cant brethe", "my chest is in pain", "chest pain"]
        {
            assert!(t.check_tokens(&a.tokens(hit)).is_some(), "{hit}");
        }
        assert!(
            t.check_tokens(&a.tokens("my chest really is a lot of pain")).is_none(),
            "gap longer than three words"
        );
        assert!(t.check_tokens(&a.tokens("what is a breath test")).is_none());
    }

    #[test]
    fn except_phrases_cancel_a_match() {
        let (t, a) = triage(&["overdose"], &["overdose * exosomes"]);
        assert!(t.check_tokens(&a.tokens("I took an overdose")).is_some());
        assert!(t.check_tokens(&a.tokens("can you overdose on exosomes")).is_none());
    }

    #[test]
    fn except_phrases_cancel_only_the_matches_they_overlap() {
        let (t, a) = triage(&["should i take", "swollen after"], &["steps * i take"]);
        assert!(t.check_tokens(&a.tokens("what steps should I take before a consultation")).is_none());
        assert!(
            t.check_tokens(&a.tokens("my knee is swollen after the shot, what steps should I take"))
                .is_some(),
            "the other match stands"
        );
        assert!(
            t.check_tokens(&a.tokens("what steps can I take? should I take ibuprofen")).is_some(),
            "a second, separate match of the same pattern stands"
        );
    }
}
