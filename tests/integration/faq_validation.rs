//! One test per validation rule, on literal TOML: the kind of problem and its line.

use faqbot_core::diagnostic::{Kind, Severity};
use faqbot_core::engine::Engine;
use faqbot_core::{faq, lint};

use crate::support::*;

#[test]
fn a_valid_folder_loads_with_texts_from_defaults() {
    let folder = Folder::with_entries(ENTRY);
    let loaded = folder.load().expect("valid FAQ loads");
    assert_eq!(loaded.faq.entries.len(), 1);
    assert_eq!(loaded.faq.entries[0].citations[0].quote, "Exosomes measure 30 to 150 nanometres.");
    assert!(!loaded.faq.texts.disclaimer.is_empty(), "built-in disclaimer used");
    assert!(loaded.warnings.iter().all(|w| w.kind == Kind::DefaultUsed), "{:?}", loaded.warnings);
    assert!(loaded.faq.topic_words.is_empty(), "the shipped FAQ's topic words are not a default");
}

#[test]
fn toml_syntax_error_has_its_line() {
    let diags = Folder::with_entries("[[entry]]\nid = \"a\"\nquestion = \"unclosed\n").errors();
    let d = expect_at(&diags, Kind::Syntax, "entries.toml", 3);
    assert!(d.hint.is_some());
}

#[test]
fn unknown_key_is_an_error_not_ignored() {
    let text = ENTRY.replace("alternates =", "alternate =");
    let diags = Folder::with_entries(&text).errors();
    let d = expect_at(&diags, Kind::UnknownKey, "entries.toml", 4);
    assert!(d.message.contains("alternate"), "{d}");
}

#[test]
fn missing_required_field() {
    let text = ENTRY.replace("answer = \"About 30 to 150 nanometres.\"\n", "");
    let diags = Folder::with_entries(&text).errors();
    let d = diags.iter().find(|d| d.kind == Kind::MissingField).expect("missing field reported");
    assert!(d.message.contains("answer"), "{d}");
    assert_eq!(d.location.line, 1, "points at the entry");
}

#[test]
fn empty_question_answer_and_quote() {
    let text = ENTRY
        .replace("question = \"How big are exosomes?\"", "question = \"  \"")
        .replace("answer = \"About 30 to 150 nanometres.\"", "answer = \"\"")
        .replace("quote = \"Exosomes measure 30 to 150 nanometres.\"", "quote = \"\"");
    let diags = Folder::with_entries(&text).errors();
    expect_at(&diags, Kind::EmptyText, "entries.toml", 3);
    expect_at(&diags, Kind::EmptyText, "entries.toml", 6);
    expect_at(&diags, Kind::EmptyText, "entries.toml", 10);
}

#[test]
fn entry_without_source() {
    let text = ENTRY.split("[[entry.source]]").next().unwrap().to_string();
    let diags = Folder::with_entries(&text).errors();
    expect_at(&diags, Kind::NoSource, "entries.toml", 2);
}

#[test]
fn duplicate_ids_across_files_name_both_places() {
    let folder =
        Folder::new(&[("sources.toml", SOURCES), ("a.toml", ENTRY), ("b.toml", &format!("\n\n{ENTRY}"))]);
    let diags = folder.errors();
    let d = expect_at(&diags, Kind::DuplicateId, "b.toml", 4);
    assert!(d.message.contains("a.toml:2:6"), "names the first place: {d}");
}

#[test]
fn id_must_be_a_lowercase_slug() {
    let diags = Folder::with_entries(&ENTRY.replace("\"exosome-size\"", "\"Exosome Size\"")).errors();
    expect_at(&diags, Kind::BadId, "entries.toml", 2);
}

#[test]
fn doc_must_name_a_source() {
    let diags = Folder::with_entries(&ENTRY.replace("doc = \"doc-a\"", "doc = \"doc-b\"")).errors();
    let d = expect_at(&diags, Kind::UnknownDoc, "entries.toml", 9);
    assert!(d.hint.as_deref().unwrap_or_default().contains("doc-a"), "hint lists the known ids: {d}");
}

#[test]
fn bad_dates_in_entries_and_sources() {
    let entries = ENTRY.replace("2026-06-01", "2026-02-30");
    let sources = SOURCES.replace("2024-05-01", "May 2024");
    let diags = Folder::new(&[("sources.toml", &sources), ("entries.toml", &entries)]).errors();
    expect_at(&diags, Kind::BadDate, "entries.toml", 7);
    expect_at(&diags, Kind::BadDate, "sources.toml", 5);
}

#[test]
fn empty_disclaimer() {
    let folder = Folder::new(&[
        ("sources.toml", SOURCES),
        ("entries.toml", ENTRY),
        ("bot.toml", "# texts\ndisclaimer = \"   \"\n"),
    ]);
    expect_at(&folder.errors(), Kind::EmptyDisclaimer, "bot.toml", 2);
}

#[test]
fn bad_threshold_setting() {
    let bot = "disclaimer = \"Not advice.\"\n[matching]\nanswer_threshold = 1.5\n";
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("bot.toml", bot)]);
    expect_at(&folder.errors(), Kind::BadSetting, "bot.toml", 3);
}

#[test]
fn empty_topic_word_is_an_error() {
    let bot = "disclaimer = \"Not advice.\"\n[matching]\ntopic_words = [\"exosome\", \" \"]\n";
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("bot.toml", bot)]);
    let errors = folder.errors();
    let d = expect_at(&errors, Kind::EmptyText, "bot.toml", 3);
    assert!(d.message.contains("topic word"), "{d}");
}

#[test]
fn topic_words_name_the_core_terms_and_unused_ones_are_reported() {
    let bot = "disclaimer = \"Not advice.\"\n[matching]\ntopic_words = [\"exosome\", \"exosme\"]\n";
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("bot.toml", bot)]);
    let loaded = folder.load().expect("loads");
    assert_eq!(loaded.faq.topic_words, ["exosome", "exosme"]);
    let engine = Engine::new(loaded.faq);
    assert_eq!(engine.core_terms(), ["exosom"], "only the named word is a core term");
    let warnings = lint::unused_topic_words(&engine);
    let w = warnings.first().expect("the misspelt topic word is reported");
    assert_eq!((w.kind, warnings.len()), (Kind::UnusedTopicWord, 1));
    assert!(w.message.contains("\"exosme\""), "{w}");
}

#[test]
fn a_key_text_of_one_topic_word_is_reported() {
    let bot = "disclaimer = \"Not advice.\"\n[matching]\ntopic_words = [\"exosome\"]\n";
    let text =
        ENTRY.replace("\"exosome diameter\"]", "\"exosome diameter\", \"do exosomes really do anything\"]");
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", &text), ("bot.toml", bot)]);
    let engine = Engine::new(folder.load().expect("loads").faq);
    let warnings = lint::topic_only_key_texts(&engine);
    let w = expect_at(&warnings, Kind::TopicOnly, "entries.toml", 4);
    assert!(w.message.contains("do exosomes really do anything"), "{w}");
    assert_eq!(warnings.len(), 1, "\"exosome size\" says more than the topic: {warnings:?}");
}

#[test]
fn missing_sources_file_and_empty_folder() {
    let folder = Folder::new(&[("entries.toml", ENTRY)]);
    assert!(folder.errors().iter().any(|d| d.kind == Kind::MissingFile));
    let empty = Folder::new(&[]);
    let diags = empty.errors();
    assert!(diags.iter().any(|d| d.kind == Kind::MissingFile), "{diags:?}");
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let second = ENTRY.replace("exosome-size", "second-entry").replace("alternates =", "alternatez =");
    let third = ENTRY.replace("exosome-size", "Third").replace("doc-a", "nope");
    let folder = Folder::new(&[
        ("sources.toml", SOURCES),
        ("a.toml", &format!("{second}\n{third}")),
        ("b.toml", "this is not toml"),
    ]);
    let diags = folder.errors();
    assert!(diags.iter().any(|d| d.kind == Kind::UnknownKey), "{diags:?}");
    assert!(diags.iter().any(|d| d.kind == Kind::BadId));
    assert!(diags.iter().any(|d| d.kind == Kind::UnknownDoc));
    assert!(diags.iter().any(|d| d.kind == Kind::Syntax && d.location.file.ends_with("b.toml")));
    for d in &diags {
        let shown = d.to_string();
        assert!(shown.contains(&format!(":{}:{}: ", d.location.line, d.location.column)), "{shown}");
    }
}

#[test]
fn warnings_few_alternates_long_texts_stale_review() {
    let long = "x".repeat(4100);
    let quote = "q".repeat(1100);
    let text = ENTRY
        .replace(
            "alternates = [\"exosome size\", \"how small are exosomes\", \"exosome diameter\"]",
            "alternates = [\"exosome size\"]",
        )
        .replace("About 30 to 150 nanometres.", &long)
        .replace("Exosomes measure 30 to 150 nanometres.", &quote)
        .replace("2026-06-01", "2025-01-01");
    let loaded = Folder::with_entries(&text).load().expect("warnings do not stop loading");
    let w = &loaded.warnings;
    assert!(w.iter().all(|d| d.severity == Severity::Warning));
    expect_at(w, Kind::FewAlternates, "entries.toml", 2);
    expect_at(w, Kind::TooLong, "entries.toml", 6);
    expect_at(w, Kind::TooLong, "entries.toml", 10);
    expect_at(w, Kind::StaleReview, "entries.toml", 7);
}

#[test]
fn confusable_entries_are_named_together() {
    let twin = ENTRY
        .replace("exosome-size", "exosome-diameter")
        .replace("How big are exosomes?", "How wide are exosomes?");
    let folder = Folder::with_entries(&format!("{ENTRY}\n{twin}"));
    let engine = Engine::new(folder.load().expect("loads").faq);
    let warnings = lint::confusable_entries(&engine);
    let w = warnings.first().expect("a confusable pair is reported");
    assert_eq!(w.kind, Kind::Confusable);
    assert!(w.message.contains("exosome-size") && w.message.contains("exosome-diameter"), "{w}");
}

#[test]
fn quotes_must_be_verbatim_in_the_source_document() {
    let folder = Folder::with_entries(&format!(
        "{ENTRY}\n{}",
        ENTRY
            .replace("exosome-size", "second")
            .replace("Exosomes measure 30 to 150 nanometres.", "Exosomes measure 40 to 150 nanometres.")
    ));
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(docs.path().join("a.txt"), "Intro.\nExosomes   measure 30 to 150 nanometres.\nEnd.")
        .unwrap();
    let loaded = folder.load().expect("loads");
    let diags = faq::check_quotes(&loaded.faq, docs.path());
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = expect_at(&diags, Kind::QuoteNotFound, "entries.toml", 21);
    assert!(d.message.contains("second"), "names the entry: {d}");
    assert!(
        d.hint.as_deref().unwrap().contains("Exosomes measure 30 to 150 nanometres."),
        "shows the closest passage: {d}"
    );
}

#[test]
fn bom_and_crlf_files_load() {
    let text = format!("\u{FEFF}{}", ENTRY.replace('\n', "\r\n"));
    let loaded = Folder::with_entries(&text).load().expect("BOM + CRLF load");
    assert_eq!(loaded.faq.entries[0].id, "exosome-size");
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_with_a_place() {
    let folder = Folder::with_entries(ENTRY);
    std::fs::write(folder.path().join("bad.toml"), b"[[entry]]\nid = \"\xff\xfe\"\n").unwrap();
    expect_at(&folder.errors(), Kind::Io, "bad.toml", 2);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_not_a_hang() {
    let folder = Folder::with_entries(ENTRY);
    let link = folder.path().join("loop.toml");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    assert!(folder.errors().iter().any(|d| d.kind == Kind::Io && d.location.file.ends_with("loop.toml")));
}

#[test]
fn a_header_line_inside_a_multiline_answer_is_text() {
    let text = ENTRY.replace(
        "answer = \"About 30 to 150 nanometres.\"",
        "answer = \"\"\"About 30 to 150 nm.\n[[entry]]\nstill the answer\"\"\"",
    );
    let loaded = Folder::with_entries(&text).load().expect("loads");
    assert_eq!(loaded.faq.entries.len(), 1);
    assert!(loaded.faq.entries[0].answer.contains("[[entry]]\nstill the answer"));
}

/// A safety.toml whose `[emergency]` table has `emergency_lists` after its
/// message and pattern (from line 4), and minimal other categories.
fn safety_file(emergency_lists: &str) -> String {
    format!(
        "[emergency]\nmessage = \"Call now.\"\npatterns = [\"can't breathe\"]\n{emergency_lists}\n\n\
         [self_harm]\nmessage = \"Call a line.\"\npatterns = [\"kill myself\"]\n\n\
         [personal_advice]\nmessage = \"Ask your doctor.\"\npatterns = [\"my dose\"]\n"
    )
}

#[test]
fn a_safety_example_that_is_an_faq_question_is_an_error_at_its_line() {
    let safety = safety_file(
        "examples = [\n  \"chest tight since the infusion\",\n  \"How small are exosomes?\",\n]\n\
         counter_examples = [\"what are the risks of an infusion?\"]",
    );
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &safety)]);
    let errors = folder.errors();
    let d = expect_at(&errors, Kind::BadSafetyRule, "safety.toml", 6);
    assert!(d.to_string().contains("exosome-size"), "{d}");

    let empty = safety.replace("patterns = [\"my dose\"]", "patterns = [\"my dose\"]\nexamples = [\"  \"]");
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &empty)]);
    expect_at(&folder.errors(), Kind::EmptyText, "safety.toml", 17);
}

#[test]
fn an_ordinary_example_that_is_also_a_category_example_is_an_error_at_its_line() {
    let safety = safety_file("examples = [\"chest tight since the infusion\"]")
        + "\n[ordinary]\nexamples = [\n  \"what is herd immunity?\",\n  \"Chest tight since the infusion!\",\n]\n";
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &safety)]);
    let errors = folder.errors();
    let d = expect_at(&errors, Kind::BadSafetyRule, "safety.toml", 17);
    assert!(d.to_string().contains("emergency examples"), "{d}");

    let unknown = safety.replace("[ordinary]\nexamples", "[ordinary]\nexample");
    let folder =
        Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &unknown)]);
    assert!(!folder.errors().is_empty(), "a misspelt key in [ordinary] is an error");

    let fine = safety.replace("  \"Chest tight since the infusion!\",\n", "");
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &fine)]);
    let loaded = folder.load().expect("loads");
    let texts: Vec<&str> = loaded.faq.safety.ordinary.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["what is herd immunity?"]);
}

#[test]
fn a_counter_example_inside_the_examples_is_a_warning_at_its_line() {
    let safety = safety_file(
        "examples = [\"my chest is tight since the infusion\", \"chest pressure right after the drip\", \
         \"tight chest and short of breath after the IV\"]\ncounter_examples = [\n  \
         \"what are the risks of an infusion?\",\n  \"my chest feels tight since the infusion\",\n]",
    );
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &safety)]);
    let engine = Engine::new(folder.load().expect("loads").faq);
    let warnings = lint::counter_examples_near_examples(&engine);
    expect_at(&warnings, Kind::SafetyExample, "safety.toml", 7);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn a_safety_text_listed_twice_is_a_warning_at_its_second_line() {
    let safety = safety_file(
        "examples = [\"chest tight since the infusion\"]\ncounter_examples = [\n  \
         \"what are the risks of an infusion?\",\n  \"What are the RISKS of an infusion\",\n]",
    );
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("safety.toml", &safety)]);
    let loaded = folder.load().expect("a repeat is a warning, not an error");
    let repeats: Vec<_> = loaded.warnings.iter().filter(|w| w.kind == Kind::SafetyExample).collect();
    assert_eq!(repeats.len(), 1, "{:?}", loaded.warnings);
    assert_eq!(repeats[0].location.line, 7, "{}", repeats[0]);
    assert!(repeats[0].to_string().contains("line 6"), "{}", repeats[0]);
}
