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
    opens_with_age_and_sex(message)
        || fold_words(message)
            .iter()
            .any(|w| PERSON_WORDS.contains(&w.as_str()) || STORY_WORDS.contains(&w.as_str()))
}

/// A case told in shorthand opens with age and sex: "62M, KL grade 3 both
/// knees", "F34 with lupus", "34f on methotrexate". Only as the message's
/// first word, and "62m" only with a comma, colon, semicolon or slash after
/// it: "30m after the infusion" is thirty minutes, "300m cells" a count.
fn opens_with_age_and_sex(message: &str) -> bool {
    let Some(first) = message.split_whitespace().next() else { return false };
    let first = first.to_ascii_lowercase();
    let (word, marked) = match first.strip_suffix([',', ':', ';', '/']) {
        Some(word) => (word, true),
        None => (first.as_str(), false),
    };
    let is_age = |s: &str| {
        (1..=3).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u16>().is_ok_and(|a| (1..=120).contains(&a))
    };
    word.strip_prefix(['m', 'f']).is_some_and(is_age)
        || word.strip_suffix('f').is_some_and(is_age)
        || (marked && word.strip_suffix('m').is_some_and(is_age))
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
            ("62M, KL grade 3 both knees, quote is 9k for MSCs. thoughts?", true),
            ("F34 with lupus, worth trying exosomes?", true),
            ("34f on methotrexate, exosomes ok?", true),
            ("30m after the infusion is when reactions show up in trials?", false),
            ("is 300m cells a normal dose in studies?", false),
        ];
        for (message, want) in table {
            assert_eq!(mentions_someone(message), want, "{message}");
        }
    }
}
