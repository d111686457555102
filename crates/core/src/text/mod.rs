//! Text normalisation shared by the index, the query side and the safety rules.
//!
//! Everything that compares words goes through [`Analyzer`], so a FAQ entry and a
//! chat message written in different styles (case, accents, emoji, British or
//! American spelling, abbreviations) end up as the same sequence of terms.

mod analyzer;
mod fold;
mod idf;
mod spelling;
mod stopwords;
mod typo;

pub use analyzer::{Analyzer, Synonym, Token};
pub use fold::fold_words;
pub use idf::{idf, IDF_SMOOTHING};
pub use stopwords::{is_stopword, QUESTION_WORDS};
pub use typo::{edits, within};

/// The first `max` characters of `text`, ending in "…" when cut (so at most
/// `max` characters in all). The one truncation for text people read.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The first `max` characters of `text` (a prefix, never cut inside a
/// character): for bounding work, not for display (see [`truncate`]).
pub fn cap_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_clean() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3).chars().count(), 3);
        assert_eq!(cap_chars("ééé", 2), "éé");
    }
}
