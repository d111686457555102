//! The content review's tools: table-row quotes checked cell by cell, the
//! unsourced background kept apart from the sourced answer, the coverage of
//! the source documents, the chat length of answers, and small talk.

use std::path::{Path, PathBuf};
use std::process::Command;

use faqbot_core::diagnostic::Kind;
use faqbot_core::engine::{Engine, Outcome, ReplyKind};
use faqbot_core::faq::{self, Faq};
use faqbot_core::reply::{self, BACKGROUND};
use faqbot_discord::render;

use crate::shipped_faq::engine as shipped;
use crate::support::*;

fn table_fixture() -> PathBuf {
    repo().join("tests/fixtures/table")
}

/// The table fixture's FAQ with `entries.toml` and `sources.toml` changed by `edit`.
fn edited(edit_entries: impl Fn(&str) -> String, edit_sources: impl Fn(&str) -> String) -> Folder {
    let read = |name: &str| std::fs::read_to_string(table_fixture().join(name)).unwrap();
    Folder::new(&[
        ("entries.toml", &edit_entries(&read("entries.toml"))),
        ("sources.toml", &edit_sources(&read("sources.toml"))),
    ])
}

fn load(dir: &Path) -> Faq {
    faq::load_dir_as_of(dir, TODAY).unwrap_or_else(|e| panic!("{e}")).faq
}

#[test]
fn a_table_row_is_checked_cell_by_cell_and_reads_as_a_row() {
    let faq = load(&table_fixture());
    assert_eq!(faq::check_quotes(&faq, &table_fixture()), Vec::new());
    let cost = &faq.entry("cost").unwrap().citations[0];
    assert_eq!(cost.quote, "Cost: stem cells $5,000-$25,000; exosomes $3,000-$15,000");
    assert_eq!(
        cost.row.as_deref(),
        Some(&["Cost", "$5,000-$25,000", "$3,000-$15,000"].map(String::from)[..])
    );
}

#[test]
fn a_row_the_table_does_not_have_is_an_error_showing_the_closest_row() {
    for (wrong, why) in [
        (r#"["Cost", "$5,000-$20,000", "$3,000-$15,000"]"#, "a changed cell"),
        (
            r#"["Size", "15-30 micrometers30-150 nanometersCost", "$5,000-$25,000$3,000-$15,000"]"#,
            "two rows joined",
        ),
        (r#"["The Case for", "Exo", "somes"]"#, "a line outside the table"),
    ] {
        let folder =
            edited(|e| e.replace(r#"["Cost", "$5,000-$25,000", "$3,000-$15,000"]"#, wrong), str::to_string);
        let diags = faq::check_quotes(&load(folder.path()), &table_fixture());
        let d = expect_at(&diags, Kind::QuoteNotFound, "entries.toml", 9);
        assert_eq!(diags.len(), 1, "{why}: {diags:?}");
        assert!(d.message.contains("\"cost\""), "{why}: names the entry: {d}");
        assert!(d.hint.as_deref().unwrap_or_default().contains("the closest row is"), "{why}: {d}");
    }
}

#[test]
fn a_row_needs_a_table_one_cell_per_column_and_no_quote_beside_it() {
    let no_columns =
        edited(str::to_string, |s| s.replace("columns = [\"Factor\", \"Stem Cells\", \"Exosomes\"]\n", ""));
    let diags = no_columns.errors();
    let d = expect_at(&diags, Kind::BadTableRow, "entries.toml", 9);
    assert!(d.message.contains("has no table"), "{d}");

    let two_cells = edited(|e| e.replace(r#", "$3,000-$15,000"]"#, "]"), str::to_string);
    let diags = two_cells.errors();
    let d = expect_at(&diags, Kind::BadTableRow, "entries.toml", 9);
    assert!(d.message.contains("2 cell(s)") && d.message.contains("3 columns"), "{d}");

    let both = edited(|e| e.replace("row = [", "quote = \"Cost\"\nrow = ["), str::to_string);
    expect_at(&both.errors(), Kind::BadTableRow, "entries.toml", 8);
}

#[test]
fn columns_the_document_does_not_head_a_table_with_are_an_error() {
    let folder = edited(str::to_string, |s| s.replace("\"Stem Cells\"", "\"Stem cells\""));
    let diags = faq::check_quotes(&load(folder.path()), &table_fixture());
    let d = expect_at(&diags, Kind::BadTableRow, "sources.toml", 2);
    assert!(d.message.contains("table header"), "{d}");
}

#[test]
fn background_and_table_rows_are_shown_apart_from_sourced_words() {
    let engine = Engine::new(load(&table_fixture()));
    let index = engine.faq().entry_index("cost").unwrap();
    let reply = reply::entry_reply(engine.faq(), index);
    assert_eq!(reply.background.as_deref(), Some("Prices vary by country and clinic."));
    let json = serde_json::to_value(&reply).unwrap();
    assert_eq!(json["background"], "Prices vary by country and clinic.");
    assert_eq!(json["sources"][0]["table_row"], true);

    // Discord: the background is its own labelled field, the row has no quotation marks.
    let (_, description, fields, _) = render::answer_parts(&reply);
    assert!(!description.contains("Prices vary"), "{description}");
    assert_eq!(fields[0], (BACKGROUND.to_string(), "Prices vary by country and clinic.".to_string()));
    assert!(fields[1].1.starts_with("Table: Cost: stem cells $5,000-$25,000;"), "{:?}", fields[1]);

    // A quote keeps its quotation marks, and an entry without background has no field for it.
    let plain = reply::entry_reply(engine.faq(), engine.faq().entry_index("replication").unwrap());
    let (_, _, fields, _) = render::answer_parts(&plain);
    assert_eq!(fields.len(), 1);
    assert!(fields[0].1.starts_with("\"Exosomes cannot replicate.\""), "{:?}", fields[0]);
    assert!(serde_json::to_value(&plain).unwrap().get("background").is_none());
}

#[test]
fn the_cli_prints_background_and_rows_as_such_and_check_lists_them() {
    let faqbot = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_faqbot"));
        cmd.current_dir(repo()).env_remove("FAQ_DIR");
        cmd
    };
    let out = faqbot()
        .args(["ask", "--faq"])
        .arg(table_fixture())
        .arg("how much do exosomes cost")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{BACKGROUND}: Prices vary by country and clinic.")), "{stdout}");
    assert!(stdout.contains("> Table: Cost: stem cells $5,000-$25,000; exosomes $3,000-$15,000"), "{stdout}");

    let out = faqbot()
        .args(["check", "--review", "--coverage", "--sources"])
        .arg(table_fixture())
        .arg(table_fixture())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("cost (0 quote(s), 1 table row(s))"), "{stdout}");
    assert!(
        stdout.contains("background: Prices vary by country and clinic.  [NOT FROM THE SOURCES]"),
        "{stdout}"
    );
    assert!(stdout.contains("guide.txt:13: Subscribe to our newsletter."), "{stdout}");
    assert!(stdout.contains("2 entries (1 with background not from the sources)"), "{stdout}");
}

#[test]
fn coverage_lists_every_paragraph_no_quote_or_row_draws_on() {
    let faq = load(&table_fixture());
    let lines: Vec<usize> =
        faq::uncovered_paragraphs(&faq, &table_fixture()).iter().map(|u| u.line).collect();
    // 7 is the cited Cost row, 11 the quoted sentence; the rest no entry uses.
    assert_eq!(lines, [1, 3, 5, 6, 9, 13]);
}

#[test]
fn an_answer_too_long_for_chat_is_a_warning() {
    let long = vec!["word"; faq::ANSWER_WORDS_FOR_CHAT + 1].join(" ");
    let folder = Folder::with_entries(&ENTRY.replace("About 30 to 150 nanometres.", &long));
    let loaded = folder.load().expect("a long answer still loads");
    let w = expect_at(&loaded.warnings, Kind::WordyAnswer, "entries.toml", 6);
    assert!(w.message.contains(&format!("{} words", faq::ANSWER_WORDS_FOR_CHAT + 1)), "{w}");
    let fine = vec!["word"; faq::ANSWER_WORDS_FOR_CHAT].join(" ");
    let loaded = Folder::with_entries(&ENTRY.replace("About 30 to 150 nanometres.", &fine)).load().unwrap();
    assert!(loaded.warnings.iter().all(|w| w.kind != Kind::WordyAnswer));
}

#[test]
fn small_talk_gets_a_friendly_line_and_questions_with_it_do_not() {
    for (message, want) in [
        ("thanks!", ReplyKind::SmallTalk),
        ("Thank you so much for the help, faqbot", ReplyKind::SmallTalk),
        ("hi", ReplyKind::SmallTalk),
        ("good bot", ReplyKind::SmallTalk),
        ("thanks! and are exosomes alive?", ReplyKind::Answer),
        ("hi, how big are exosomes", ReplyKind::Answer),
        ("hi. I took too many of my pills", ReplyKind::Safety),
    ] {
        let response = shipped().ask(message);
        assert_eq!(response.outcome.kind(), want, "{message:?}: {:?}", response.outcome);
        if let Outcome::SmallTalk(line) = &response.outcome {
            let reply = reply::compose(shipped().faq(), message, &response);
            assert_eq!(reply.message.as_deref(), Some(line.as_str()));
            assert!(reply.entry.is_none() && reply.suggestions.is_empty());
        }
    }
}

#[test]
fn small_talk_is_validated_like_every_other_text() {
    let bot = "disclaimer = \"General information.\"\n[small_talk]\nfiller = [\"so\"]\n\
               [[small_talk.kind]]\nsays = [\"thanks\", \"!!\"]\nreply = \"You're welcome.\"\n";
    let folder = Folder::new(&[("sources.toml", SOURCES), ("entries.toml", ENTRY), ("bot.toml", bot)]);
    let diags = folder.errors();
    let d = expect_at(&diags, Kind::EmptyText, "bot.toml", 5);
    assert!(d.message.contains("no words"), "{d}");
}

#[test]
fn small_talk_is_recorded_without_its_text_so_it_is_never_a_gap() {
    let response = shipped().ask("thanks!!");
    let place = faqbot_store::Place {
        entry_point: faqbot_store::EntryPoint::Mention,
        guild_id: Some(1),
        channel_id: Some(2),
    };
    let record = faqbot_store::QuestionRecord::of(shipped().faq(), &response, "thanks!!", place);
    assert_eq!(record.outcome, ReplyKind::SmallTalk);
    assert_eq!(record.text, None, "only suggest and none keep their text for /faq-gaps");
    assert_eq!(ReplyKind::SmallTalk.as_str(), "small-talk");
}
