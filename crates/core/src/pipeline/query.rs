//! Stage 1: the message, read once. Every later stage (triage, word
//! retrieval, meaning) sees the same cleaned text, its tokens and its sentences.

use crate::text::{cap_chars, Analyzer, Token};

/// Only the first this-many characters of a message are read, so the time a
/// question takes is bounded whatever arrives. A real question fits easily.
pub const MAX_QUERY_CHARS: usize = 2000;

/// A message as the pipeline reads it.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
}

/// One sentence of a longer message.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// The sentence without its closing marks.
    pub text: String,
    /// It ends in a question mark: it asks what the rest of the message wraps.
    pub asks: bool,
    /// Its tokens, as the analyzer reads them.
    pub tokens: Vec<Token>,
}

impl Query {
    /// Caps the message at [`MAX_QUERY_CHARS`], keeps its prose ([`prose`]),
    /// and analyses it: tokens of the whole, and the first `max_sentences`
    /// sentences when there are several (one sentence is the whole message).
    pub fn analyze(raw: &str, analyzer: &Analyzer, max_sentences: usize) -> Query {
        let text = prose(cap_chars(raw, MAX_QUERY_CHARS));
        let tokens = analyzer.tokens(&text);
        let split = split_sentences(&text);
        let several = split.len() > 1;
        // One sentence that asks is kept too, so the clause after its last
        // comma can be read on its own ([`Query::asking_clauses`]).
        let sentences = split
            .into_iter()
            .take(max_sentences)
            .filter(|&(_, asks)| several || asks)
            .map(|(s, asks)| Sentence {
                text: s.to_string(),
                asks,
                tokens: if several { analyzer.tokens(s) } else { Vec::new() },
            })
            .collect();
        Query { text, tokens, sentences }
    }

    /// The cleaned text every stage reads.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The whole message's tokens.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The sentences of a message of several (empty for one sentence, except
    /// one that asks; see [`Query::is_several`]).
    pub fn sentences(&self) -> &[Sentence] {
        &self.sentences
    }

    /// Whether the message has more than one sentence.
    pub fn is_several(&self) -> bool {
        self.sentences.len() > 1
    }

    /// The clause after the last comma of each sentence that asks ("wow the
    /// brochures are glossy af, but is it safe?"): the question, without the
    /// chat around it.
    pub fn asking_clauses(&self) -> impl Iterator<Item = &str> {
        self.sentences.iter().filter(|s| s.asks).filter_map(|s| s.text.rsplit_once(',').map(|(_, c)| c))
    }
}

/// The text without code (fenced or inline), links and angle-bracket markup
/// (`<@42>` mentions, `<#1>` channels, `<:name:1>` emoji, `<http://…>`): a
/// pasted URL, snippet or mention says nothing about what is asked
/// ("[click here](http://x) ```js alert(1)``` **how big are exosomes**").
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks: the last one opens nothing, what follows is prose.
    let unclosed = if parts.len() % 2 == 0 { parts.len() - 1 } else { usize::MAX };
    for (i, part) in parts.into_iter().enumerate() {
        // Even parts are outside backticks; a run of ``` gives empty parts
        // between, so fenced blocks and inline code are both odd parts.
        if i % 2 == 1 && i != unclosed {
            out.push(' ');
            continue;
        }
        for word in part.split_inclusive(char::is_whitespace) {
            let link = word.contains("://") || word.contains("www.") || word.contains("discord.gg/");
            out.push_str(if link || is_markup(word.trim_end()) { " " } else { word });
        }
    }
    out
}

/// `<@42>`, `<@!42>`, `<@&42>`, `<#42>`, `<:name:42>`, `<a:name:42>`, `<t:1700000000:R>`.
fn is_markup(word: &str) -> bool {
    let Some(inner) = word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) else { return false };
    let body = inner.trim_start_matches(['@', '!', '&', '#']);
    (body.len() < inner.len() && !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()))
        || (inner.starts_with(':') || inner.starts_with("a:") || inner.starts_with("t:"))
            && inner.matches(':').count() >= 2
}

/// The sentences of a message, split at . ? ! ; and line breaks, each with
/// whether it ends in a question mark (it asks the question).
pub(crate) fn split_sentences(text: &str) -> Vec<(&str, bool)> {
    text.split_inclusive(['.', '?', '!', ';', '\n'])
        .map(|s| (s.trim_end_matches(['.', '?', '!', ';', '\n']).trim(), s.ends_with('?')))
        .filter(|(s, _)| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_know_whether_they_ask() {
        assert_eq!(
            split_sentences("Long post, sorry. What's the difference?! thanks\nbye"),
            vec![
                ("Long post, sorry", false),
                ("What's the difference", true),
                ("thanks", false),
                ("bye", false)
            ]
        );
        assert_eq!(split_sentences("are exosomes alive?"), vec![("are exosomes alive", true)]);
        assert!(split_sentences(" ?! ..").is_empty());
    }

    #[test]
    fn links_code_and_markup_are_not_prose() {
        let text =
            "[click here](http://evil.example/x) <http://a.b> ```js\nalert(1)``` see `x()` <@42> <#7> \
                    <:wave:123> **how big**";
        let kept: Vec<String> = prose(text).split_whitespace().map(String::from).collect();
        assert_eq!(kept, ["[click", "see", "**how", "big**"]);
        assert_eq!(prose("no code here"), "no code here");
        assert_eq!(
            prose("what's the `size").split_whitespace().collect::<Vec<_>>(),
            ["what's", "the", "size"]
        );
        assert_eq!(prose("is 3 < 4 and <b> bold?"), "is 3 < 4 and <b> bold?", "only real markup goes");
    }

    #[test]
    fn every_stage_reads_the_same_cleaned_text() {
        let analyzer = Analyzer::default();
        let q =
            Query::analyze("how big are exosomes <@123456> https://evil.example/exosome-cure", &analyzer, 6);
        let terms: Vec<&str> = q.tokens().iter().map(|t| t.term.as_str()).collect();
        assert!(
            !terms.iter().any(|t| t.contains("evil") || t.contains("123456") || t.contains("cure")),
            "{terms:?}"
        );
        let long = Query::analyze("Long post, sorry. What's the difference, really?", &analyzer, 6);
        assert!(long.is_several());
        assert_eq!(long.asking_clauses().collect::<Vec<_>>(), [" really"]);
        let one = Query::analyze("wow glossy af, but is it safe?", &analyzer, 6);
        assert!(!one.is_several());
        assert_eq!(one.asking_clauses().collect::<Vec<_>>(), [" but is it safe"]);
    }
}
