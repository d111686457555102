//! The one typo rule: two words are the same word typed differently when
//! they are within a few edits (insert, delete, substitute, or swap two
//! neighbours: Damerau-Levenshtein). Every fuzzy comparison in faqbot (the
//! vocabulary's stand-ins, the safety phrases, grouping of unanswered
//! questions) goes through here; each caller names how long a word must be
//! before it may differ at all, since that depends on what a miss costs there.

/// The number of edits between `a` and `b`.
pub fn edits(a: &str, b: &str) -> usize {
    strsim::damerau_levenshtein(a, b)
}

/// Whether `a` and `b` are at most `max_edits` edits apart. Cheap when their
/// lengths alone rule it out.
pub fn within(a: &str, b: &str, max_edits: usize) -> bool {
    a.len().abs_diff(b.len()) <= max_edits && edits(a, b) <= max_edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_and_single_letters_are_one_edit() {
        assert!(within("brethe", "breathe", 1));
        assert!(within("pian", "pain", 1), "a swap of neighbours is one edit");
        assert!(!within("cell", "cells!!", 1), "lengths alone rule it out");
        assert!(within("mesenchymel", "mesenchym", 2));
        assert!(!within("mesenchymel", "mesenchym", 1));
        assert_eq!(edits("same", "same"), 0);
    }
}
