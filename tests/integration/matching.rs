//! Matcher and triage behaviour on the shipped FAQ, table-driven.

use faqbot_core::engine::{Outcome, MAX_QUERY_CHARS};
use faqbot_core::safety::SafetyCategory;

use crate::shipped_faq::engine;

fn answered(question: &str) -> Option<String> {
    match engine().ask(question).outcome {
        Outcome::Answer(s) => Some(engine().faq().entries[s.entry].id.clone()),
        _ => None,
    }
}

#[test]
fn chat_style_questions_reach_their_entry() {
    let table = [
        ("exosomes?", "what-are-exosomes"),
        ("how big are exsomes", "exosome-size"),
        ("what are mesenchymel stemcells", "what-are-mscs"),
        ("can exosomes cause tumours", "tumour-risk"),
        ("can exosomes cause tumors", "tumour-risk"),
        ("are lyophilised exosomes ok at room temperature", "storage-shelf-life"),
        ("hey bot quick question... is exosome therapy FDA approved?", "fda-approval-status"),
        ("is exosome therapy safe?", "safety-profile"),
        ("what are the side effects?", "safety-profile"),
        ("how much does it cost?", "cost"),
        ("how are exosomes given?", "how-exosomes-are-given"),
        ("exosomes + PRP?", "combination-prp"),
        ("do exosomes work for knee OA", "evidence-osteoarthritis"),
        ("what does CD63 mean", "exosome-markers"),
        // The sentence with the question mark carries the question; the
        // context before it (storage, freezing) must not pick the entry.
        (
            "My clinic keeps talking about exosome storage and freezing and all that. but are exosomes even alive?",
            "living-or-not",
        ),
        // Words the FAQ never uses ("brochures", "glossy", "af") are chat
        // context and must not bury a plain question.
        ("wow ok so the brochures are glossy af, but is exosome therapy safe?", "safety-profile"),
        // Chat filler is not a topic word ("even" was one of the FAQ's rarer words).
        ("ngl what even are exosomes", "what-are-exosomes"),
    ];
    let mut wrong = Vec::new();
    for (question, expected) in table {
        let got = answered(question);
        if got.as_deref() != Some(expected) {
            wrong.push(format!(
                "  {question:?}: expected {expected}, got {got:?} {:?}",
                engine().ask(question).ranked
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn out_of_scope_questions_are_not_answered() {
    for question in [
        "is it safe to drive in snow",
        "how much protein should I eat",
        "what's the cost of a new phone",
        // Not here: "how do cells divide". The sentence model puts it at
        // cosine 0.8 from "can exosomes divide like cells?", and it is
        // answered with that entry (0.49); lowering meaning's weight for
        // off-topic messages enough to abstain costs three right answers of
        // the eval set (README, "Meaning"). It stays a failing "none" case
        // in tests/eval/cases.toml, counted in its figures.
        // "therapy" is a common word here but not one of bot.toml's topic words
        "is red light therapy legit for back pain",
        "",
        "   ",
        "🤔🤔🤔",
        "?!?!",
    ] {
        let outcome = engine().ask(question).outcome;
        assert!(!matches!(outcome, Outcome::Answer(_)), "{question:?} was answered: {outcome:?}");
    }
}

#[test]
fn safety_triage_fires_before_matching() {
    let table = [
        ("I can't breathe after my exosome injection", SafetyCategory::Emergency),
        ("chest pain since the IV this morning", SafetyCategory::Emergency),
        ("my throat is swelling up", SafetyCategory::Emergency),
        ("her face is drooping and her speech is slurred", SafetyCategory::Emergency),
        ("the bleeding won't stop", SafetyCategory::Emergency),
        ("I fainted after the treatment", SafetyCategory::Emergency),
        ("I want to kill myself", SafetyCategory::SelfHarm),
        ("how much should I inject", SafetyCategory::PersonalAdvice),
        ("should I stop my medication before exosomes", SafetyCategory::PersonalAdvice),
        ("my knee is swollen after my injection", SafetyCategory::PersonalAdvice),
        // The "steps * i take" exception covers only its own words; the
        // symptom after treatment still counts.
        ("my knee is swollen after my injection, what steps should I take?", SafetyCategory::PersonalAdvice),
    ];
    for (question, category) in table {
        match engine().ask(question).outcome {
            Outcome::Safety { category: got, message, .. } => {
                assert_eq!(got, category, "{question:?}");
                assert!(!message.is_empty());
            }
            other => panic!("{question:?} should be {category:?}, got {other:?}"),
        }
    }
}

#[test]
fn ordinary_questions_do_not_trigger_safety() {
    for question in [
        "is exosome therapy safe?",
        "how much does it cost?",
        "how are exosomes given?",
        "what are the side effects?",
        "can exosomes help after a stroke",
        "what safety measures can I take when choosing a clinic?",
        "what steps should I take to check a clinic's claims?",
    ] {
        let outcome = engine().ask(question).outcome;
        assert!(!matches!(outcome, Outcome::Safety { .. }), "{question:?}: {outcome:?}");
    }
}

#[test]
fn personal_advice_may_come_with_suggestions_but_emergencies_do_not() {
    match engine().ask("should I get exosomes for my knee osteoarthritis").outcome {
        Outcome::Safety { category: SafetyCategory::PersonalAdvice, suggestions, .. } => {
            assert!(
                suggestions.iter().any(|s| engine().faq().entries[s.entry].id == "evidence-osteoarthritis"),
                "{suggestions:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    match engine().ask("chest pain after my exosome IV").outcome {
        Outcome::Safety { category: SafetyCategory::Emergency, suggestions, .. } => {
            assert!(suggestions.is_empty())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn huge_and_odd_inputs_are_capped_and_deterministic() {
    let huge = "exosome size ".repeat(20_000);
    let first = engine().ask(&huge);
    assert_eq!(first, engine().ask(&huge), "same input, same outcome");
    let capped: String = huge.chars().take(MAX_QUERY_CHARS).collect();
    assert_eq!(first, engine().ask(&capped), "only the first {MAX_QUERY_CHARS} characters are read");
    for odd in [
        "\u{202E}exosomes\u{202C}",
        "e\u{0301}\u{0302}\u{0303}xosomes",
        "```rust\nfn main() {}\n```",
        "\0\u{7}\u{1b}[31m",
        "ëxösömës",
    ] {
        let _ = engine().ask(odd);
    }
}

#[test]
fn suggest_offers_at_most_three() {
    // With the sentence model most short questions are answered; "exosome
    // evidence" still sits between testimonials and does-it-work.
    for question in ["exosome evidence"] {
        match engine().ask(question).outcome {
            Outcome::Suggest(s) => assert!(!s.is_empty() && s.len() <= 3, "{question:?}: {s:?}"),
            other => panic!("{question:?}: expected suggestions, got {other:?}"),
        }
    }
}

/// An FAQ whose bot.toml names no topic words its entries use (a general
/// FAQ, like the benchmark banks) has no topic to be off: every message is
/// on topic there, while on the shipped FAQ a message without "exosome" or
/// "stem cell" is not.
#[test]
fn a_general_faq_has_no_topic_to_be_off() {
    use crate::support::{Folder, ENTRY};
    use faqbot_core::engine::Engine;
    let entry = |id: &str, question: &str| {
        ENTRY.replacen("id = \"exosome-size\"", &format!("id = \"{id}\""), 1).replacen(
            "question = \"How big are exosomes?\"\nalternates = [\"exosome size\", \"how small are exosomes\", \"exosome diameter\"]",
            &format!("question = \"{question}\"\nalternates = [\"{question} please\", \"tell me: {question}\"]"),
            1,
        )
    };
    let entries = [
        entry("cold-length", "How long does a common cold last?"),
        entry("cold-contagious", "When is a cold contagious?"),
        entry("flu-vaccine", "Who should get the flu vaccine?"),
    ]
    .join("\n");
    let general = Engine::new(Folder::with_entries(&entries).load().expect("loads").faq);
    let message = "which age groups are most at risk?";
    assert!(general.signals(message, 3).on_topic, "a general FAQ: on topic");
    assert!(!engine().signals(message, 3).on_topic, "the shipped FAQ names its topic: off topic");
    assert!(engine().signals("which age groups get exosomes?", 3).on_topic);
}
