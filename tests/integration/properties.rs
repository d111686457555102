//! Properties, with fixed case counts so `cargo test` stays quick and
//! repeatable: the loader never panics and every error has a place; the engine
//! never panics, is deterministic, and reads only the first 2,000 characters;
//! every reply for every shipped entry fits Discord's limits.

use std::path::Path;
use std::sync::OnceLock;

use faqbot_core::engine::Scored;
use faqbot_core::engine::{Engine, Outcome, Response, MAX_QUERY_CHARS};
use faqbot_core::faq;
use faqbot_core::reply;
use faqbot_core::safety::SafetyCategory;
use faqbot_discord::custom_id::Button;
use faqbot_discord::render::{self, Rendered};
use proptest::prelude::*;

use crate::support::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(faq::load_dir(&shipped_faq()).expect("shipped FAQ").faq))
}

/// A loaded FAQ, or errors that each say where.
fn loads_or_places_every_error(dir: &Path) -> Result<(), TestCaseError> {
    if let Err(e) = faq::load_dir_as_of(dir, TODAY) {
        prop_assert!(!e.diagnostics.is_empty() && e.errors().count() > 0, "an error with no diagnostic");
        for d in &e.diagnostics {
            prop_assert!(d.location.line >= 1 && d.location.column >= 1, "no place: {}", d);
            prop_assert!(!d.location.file.as_os_str().is_empty(), "no file: {}", d);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_loader_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let folder = Folder::new(&[("sources.toml", SOURCES)]);
        std::fs::write(folder.path().join("entries.toml"), &bytes).unwrap();
        loads_or_places_every_error(folder.path())?;
    }

    #[test]
    fn the_loader_on_mutated_shipped_files(
        file in 0usize..12,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8),
    ) {
        let folder = Folder::new(&[]);
        let mut names: Vec<_> = std::fs::read_dir(shipped_faq()).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        for path in &names {
            std::fs::copy(path, folder.path().join(path.file_name().unwrap())).unwrap();
        }
        let target = folder.path().join(names[file % names.len()].file_name().unwrap());
        let mut bytes = std::fs::read(&target).unwrap();
        for (at, op, byte) in edits {
            let i = at.index(bytes.len().max(1)).min(bytes.len());
            match op {
                0 if i < bytes.len() => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
        }
        std::fs::write(&target, &bytes).unwrap();
        loads_or_places_every_error(folder.path())?;
    }
}

/// Messages as chat sends them at their worst.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,400}",
        "[\\x00-\\x1f\\x7f\\u{200b}-\\u{200f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069} a-z]{0,200}",
        // Zalgo: letters buried in combining marks.
        "([a-z][\\u{0300}-\\u{036f}]{1,12}){1,40}",
        "[\\u{1f300}-\\u{1faff}\\u{2600}-\\u{27bf}\\u{fe0f}\\u{200d}]{1,100}",
        "[!-/:-@\\[-`{-~]{1,200}",
        "```[a-z]{0,8}\\n[ -~\\n]{0,300}```",
        // 100 kB and more: one line repeated.
        ("[ -~]{1,80}", 1300usize..1600).prop_map(|(line, n)| line.repeat(n)),
    ]
}

fn check_response(r: &Response) -> Result<(), TestCaseError> {
    prop_assert!(r.ranked.len() <= faqbot_core::engine::RANKED_LEN);
    for s in &r.ranked {
        prop_assert!((0.0..=1.0).contains(&s.confidence), "confidence {}", s.confidence);
    }
    if let Outcome::Suggest(s) = &r.outcome {
        prop_assert!(!s.is_empty() && s.len() <= faqbot_core::engine::MAX_SUGGESTIONS);
    }
    Ok(())
}

proptest! {
    // 64, not 512: every case runs the sentence model three times on up to
    // 2,000 characters (about 0.1 s each in a debug build).
    #![proptest_config(config(64))]

    #[test]
    fn the_engine_on_hostile_text(text in hostile_text()) {
        let _alone = crate::support::HEAVY.blocking_lock();
        let engine = engine();
        let first = engine.ask(&text);
        check_response(&first)?;
        prop_assert_eq!(&first, &engine.ask(&text), "deterministic");
        // Only the first 2,000 characters are read: the time a message takes is bounded.
        let capped: String = text.chars().take(MAX_QUERY_CHARS).collect();
        prop_assert_eq!(&first, &engine.ask(&capped), "the input cap");
        let rendered = render::render(&reply::compose(engine.faq(), &text, &first));
        within_limits(&rendered)?;
    }
}

/// Every Discord limit a rendered reply can break.
fn within_limits(r: &Rendered) -> Result<(), TestCaseError> {
    let broken = render::limit_violations(r);
    prop_assert!(broken.is_empty(), "over Discord's limits: {:?}", broken);
    Ok(())
}

#[test]
fn every_outcome_for_every_shipped_entry_renders_within_discord_limits() {
    let engine = engine();
    let faq = engine.faq();
    let run = |r: &Rendered| within_limits(r).unwrap_or_else(|e| panic!("{e}"));
    let response = |outcome| Response { outcome, ranked: Vec::new() };
    for (i, entry) in faq.entries.iter().enumerate() {
        // The answer, as asked and as a clicked suggestion.
        run(&render::render(&reply::entry_reply(engine.faq(), i)));
        let answered = response(Outcome::Answer(Scored { entry: i, confidence: 0.9 }));
        let rendered = render::render(&reply::compose(engine.faq(), &entry.question, &answered));
        run(&rendered);
        assert!(!rendered.components.is_empty(), "{}: feedback buttons", entry.id);
        // "Did you mean" with this entry and its neighbours.
        let three: Vec<Scored> =
            (0..3).map(|k| Scored { entry: (i + k) % faq.entries.len(), confidence: 0.4 }).collect();
        run(&render::render(&reply::compose(engine.faq(), "?", &response(Outcome::Suggest(three.clone())))));
        for category in [SafetyCategory::Emergency, SafetyCategory::SelfHarm, SafetyCategory::PersonalAdvice]
        {
            let safety =
                Outcome::Safety { category, message: "Please get help.".into(), suggestions: three.clone() };
            run(&render::render(&reply::compose(engine.faq(), "?", &response(safety))));
        }
        // Every button the bot can make for the entry has a valid id.
        for button in [
            Button::Show { entry: entry.id.clone() },
            Button::Vote { entry: entry.id.clone(), helpful: true },
            Button::Vote { entry: entry.id.clone(), helpful: false },
        ] {
            assert!(button.id().is_some_and(|id| id.len() <= 100), "{button:?}");
        }
        // Autocomplete while typing the question: at most 25 choices.
        for end in [3, 10, entry.question.len()] {
            let partial: String = entry.question.chars().take(end).collect();
            assert!(engine.complete(&partial, faqbot_discord::AUTOCOMPLETE_CHOICES).len() <= 25);
        }
    }
    run(&render::render(&reply::compose(engine.faq(), "?", &response(Outcome::None))));
    let pages = faqbot_core::topics::pages(faq, render::TOPICS_PAGE_CHARS);
    for page in 0..pages.len() + 1 {
        run(&render::topics_page(&pages, page));
    }
    // Choice names are cut to 100 characters.
    assert_eq!(render::truncate(&"q".repeat(300), faqbot_discord::CHOICE_LEN).chars().count(), 100);
}
