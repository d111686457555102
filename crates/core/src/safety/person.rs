//! Whether a message is about someone in particular: the writer or a person
//! they know. Personal advice is a decision about one person's health ("my
//! mum has MS, is the clinic's offer worth it for her?"); a question that
//! names nobody ("how does ectopic bone formation happen with stem cells?")
//! is a general question, however near the personal-advice examples it reads.

use crate::text::fold_words;

/// Words that put a particular person in a message, as [`fold_words`] spells
/// them ("I'm" is "im"). Left out for what else they spell: "us" ("in the
/// US"), "id" ("I'd", "ID"), "were" ("we're", "were there deaths?").
const PERSON_WORDS: &[&str] = &[
    // The writer.
    "i",
    "im",
    "ive",
    "me",
    "my",
    "mine",
    "myself",
    "we",
    "our",
    "ours",
    // Someone they know.
    "mum",
    "mom",
    "mommy",
    "mother",
    "dad",
    "daddy",
    "father",
    "parent",
    "parents",
    "wife",
    "husband",
    "hubby",
    "son",
    "daughter",
    "kid",
    "kids",
    "child",
    "baby",
    "toddler",
    "brother",
    "sister",
    "bro",
    "sis",
    "partner",
    "friend",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "granny",
    "nan",
    "aunt",
    "uncle",
    "boyfriend",
    "girlfriend",
    "bf",
    "gf",
    "fiance",
    "fiancee",
    "cousin",
    "niece",
    "nephew",
    "spouse",
    "neighbour",
    "neighbor",
    "colleague",
    "coworker",
    "roommate",
];

/// Words that tell of one person's own timeline without naming them:
/// "ACL reconstruction 6 weeks ago", "IV booked for the 14th", "injected yesterday".
const STORY_WORDS: &[&str] = &["ago", "booked", "yesterday", "today", "tonight", "tomorrow"];

/// Whether `message` names or implies a particular person.
pub(super) fn mentions_someone(message: &str) -> bool {
    fold_words(message)
        .iter()
        .any(|w| PERSON_WORDS.contains(&w.as_str()) || STORY_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_or_a_personal_timeline_counts_and_a_general_question_does_not() {
        let table = [
            ("I'm on warfarin, can I get an exosome IV?", true),
            ("my brother has stage 4 cancer, would MSCs help him", true),
            ("ACL reconstruction 6 weeks ago, exosome injection now or wait?", true),
            ("stem cell IV booked for the 14th, stop the mtx beforehand?", true),
            ("how does ectopic bone formation happen with stem cells?", false),
            ("can someone with diabetes get MSCs in trials?", false),
            ("is it legal in the US?", false),
        ];
        for (message, want) in table {
            assert_eq!(mentions_someone(message), want, "{message}");
        }
    }
}
