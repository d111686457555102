//! Unicode folding: from any string to lowercase ASCII-ish words.

use unicode_normalization::UnicodeNormalization;

/// Splits `text` into lowercase words with accents removed.
///
/// Letters and digits of any script are kept; apostrophes inside a word are
/// dropped ("can't" -> "cant"); everything else (punctuation, emoji, control
/// and bidi characters, hyphens) separates words.
pub fn fold_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            // "tb500" and "tb-500", "cd63" and "cd 63" read alike: letters and
            // digits are separate words.
            if current.chars().last().is_some_and(|last| last.is_ascii_digit() != c.is_ascii_digit()) {
                words.push(std::mem::take(&mut current));
            }
            current.extend(c.to_lowercase());
        } else if is_apostrophe(c) && !current.is_empty() {
            // "can't", "exosome's": keep the word whole.
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`')
}

/// Combining marks left behind by NFKD decomposition (accents, zalgo stacks).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_punctuation_and_emoji() {
        assert_eq!(fold_words("Exosomes?! 🤔 Café-au-lait"), ["exosomes", "cafe", "au", "lait"]);
    }

    #[test]
    fn keeps_contractions_whole() {
        assert_eq!(fold_words("I can’t breathe"), ["i", "cant", "breathe"]);
    }

    #[test]
    fn strips_zalgo_and_bidi_controls() {
        assert_eq!(fold_words("e\u{0301}\u{0302}\u{0303}xo\u{202E}some"), ["exo", "some"]);
    }

    #[test]
    fn keeps_digits_and_marker_names() {
        assert_eq!(fold_words("CD63, miR-146a"), ["cd", "63", "mir", "146", "a"]);
        assert_eq!(fold_words("TB500"), fold_words("tb-500"));
    }
}
