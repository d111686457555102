//! Text normalisation shared by the index, the query side and the safety rules.
//!
//! Everything that compares words goes through [`Analyzer`], so a FAQ entry and a
//! chat message written in different styles (case, accents, emoji, British or
//! American spelling, abbreviations) end up as the same sequence of terms.

mod analyzer;
mod fold;
mod spelling;
mod stopwords;
mod typo;

pub use analyzer::{Analyzer, Synonym, Token};
pub use fold::fold_words;
pub use stopwords::{is_stopword, QUESTION_WORDS};
pub use typo::{edits, within};

/// The first `max` characters of `text` (a prefix, never cut inside a character).
pub fn cap_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}
