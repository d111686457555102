//! The `faqbot` binary: check, ask and eval as a moderator or script runs them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::*;

fn faqbot() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faqbot"));
    cmd.current_dir(repo()).env_remove("FAQ_DIR");
    cmd
}

#[test]
fn check_passes_on_the_shipped_faq_with_sources() {
    let out = faqbot().args(["check", "faq", "--sources"]).arg(seeds()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("ok: ") && last.contains(" 0 error(s), 0 warning(s)"), "{last}");
}

#[test]
fn check_fails_with_positions_on_a_broken_folder() {
    let folder = Folder::with_entries(&ENTRY.replace("alternates =", "alternate ="));
    let out = faqbot().arg("check").arg(folder.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("entries.toml:4:1: error: unknown field `alternate`"), "{stdout}");
    assert!(stdout.lines().last().unwrap().starts_with("FAILED: "), "{stdout}");
}

#[test]
fn ask_prints_answer_quote_source_and_disclaimer() {
    let out = faqbot().args(["ask", "how", "big", "are", "exosomes?"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.starts_with("How big are exosomes?"), "{stdout}");
    assert!(stdout.contains("> \"") && stdout.contains("-- "), "quote and source: {stdout}");
    assert!(stdout.contains("not medical advice"), "disclaimer: {stdout}");
}

#[test]
fn ask_json_batch_reads_stdin_one_object_per_line() {
    let mut child =
        faqbot().args(["ask", "--json", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"how big are exosomes\n\nhow much protein should I eat\nI can't breathe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3, "blank lines are skipped");
    let a = &lines[0];
    assert_eq!(a["kind"], "answer");
    assert_eq!(a["entry"]["id"], "exosome-size");
    assert!(a["answer"].as_str().is_some() && a["sources"][0]["quote"].as_str().is_some());
    assert!(a["ranked"].as_array().unwrap().len() <= 5);
    for line in &lines {
        assert!(line["disclaimer"].as_str().is_some_and(|d| !d.is_empty()), "disclaimer always present");
        assert!(line["confidence"].as_f64().is_some());
    }
    assert!(lines[1]["kind"] != "answer" && lines[1]["message"].as_str().is_some());
    assert_eq!(lines[2]["kind"], "safety");
    assert!(lines[2].get("answer").is_none());
}

#[test]
fn eval_reports_metrics_and_failures() {
    let cases = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        cases.path(),
        "[[case]]\nquestion = \"how big are exosomes\"\nexpect = \"exosome-size\"\n[[case]]\nquestion = \"how do I bake bread\"\nexpect = \"none\"\n[[case]]\nquestion = \"I want to end my life\"\nexpect = \"safety\"\n[[case]]\nquestion = \"how big are exosomes\"\nexpect = \"cost\"\n",
    )
    .unwrap();
    let out = faqbot().args(["eval", "--json"]).arg(cases.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cases"], 4);
    assert_eq!(report["top1"], 0.5);
    assert_eq!(report["none_not_answered"], 1.0);
    assert_eq!(report["safety_accuracy"], 1.0);
    assert_eq!(report["failures"].as_array().unwrap().len(), 1);
    assert!(report["latency_p50_us"].as_f64().unwrap() > 0.0);
}

#[test]
fn eval_measures_how_well_questions_stand_apart_from_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let (cases, look_alikes) = (dir.path().join("cases.toml"), dir.path().join("look-alikes.toml"));
    let case = |q: &str, expect: &str| format!("[[case]]\nquestion = \"{q}\"\nexpect = \"{expect}\"\n");
    std::fs::write(
        &cases,
        case("how big are exosomes", "exosome-size") + &case("how do I bake bread", "none"),
    )
    .unwrap();
    std::fs::write(
        &look_alikes,
        case("how do I bake bread", "none") + &case("how tall is a giraffe", "none"),
    )
    .unwrap();
    let out =
        faqbot().args(["eval", "--json", "--look-alikes"]).arg(&look_alikes).arg(&cases).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let auc = &report["look_alike"];
    // One entry question against two unrelated look-alikes: every pair in order.
    assert_eq!((auc["positives"].as_u64(), auc["negatives"].as_u64()), (Some(1), Some(2)));
    assert_eq!(auc["ranked"], 1.0, "{auc}");
    let first = &auc["trade_off"][0];
    assert_eq!((first["questions"].as_f64(), first["look_alikes"].as_f64()), (Some(1.0), Some(0.0)), "{auc}");

    // A file without look-alikes is refused with a reason, not measured as chance.
    std::fs::write(&look_alikes, case("how big are exosomes", "exosome-size")).unwrap();
    let out = faqbot().args(["eval", "--look-alikes"]).arg(&look_alikes).arg(&cases).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `expect = \"none\"` cases"));
}

#[test]
fn eval_refuses_unknown_entry_ids() {
    let cases = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(cases.path(), "[[case]]\nquestion = \"x\"\nexpect = \"no-such-entry\"\n").unwrap();
    let out = faqbot().arg("eval").arg(cases.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-entry"));
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    // `faqbot eval ... | head -1`: the reader is gone before the report is printed.
    let cases = tempfile::tempdir().unwrap();
    let file = cases.path().join("cases.toml");
    std::fs::write(&file, "[[case]]\nquestion = \"how big are exosomes\"\nexpect = \"exosome-size\"\n")
        .unwrap();
    let mut child =
        faqbot().arg("eval").arg(&file).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
