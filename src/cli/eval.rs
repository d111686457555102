//! `faqbot eval`

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use faqbot_core::eval::{self, look_alike};

pub fn run(
    dir: &Path,
    cases: &Path,
    json: bool,
    show_failures: usize,
    look_alikes: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let (engine, load) = super::load_engine(dir)?;
    let cases = eval::read_cases(cases, &engine)?;
    let look_alike = match look_alikes {
        Some(path) => Some(measure_look_alikes(&engine, &cases, path)?),
        None => None,
    };
    let report = eval::run(&engine, &cases, load);
    if json {
        let mut value = serde_json::to_value(&report)?;
        if let (Some(auc), Some(map)) = (&look_alike, value.as_object_mut()) {
            map.insert("look_alike".into(), serde_json::to_value(auc)?);
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "cases:              {} ({} entry, {} none, {} safety, {} ordinary)",
        report.cases, report.entry_cases, report.none_cases, report.safety_cases, report.ordinary_cases
    );
    if report.entry_cases > 0 {
        println!("top-1 (answered):   {:.3}", report.top1);
        println!("top-1 (ranked):     {:.3}", report.top1_ranked);
        println!("top-5 recall:       {:.3}", report.top5_recall);
        println!("MRR@5:              {:.3}", report.mrr);
    }
    if report.none_cases > 0 {
        println!("none not answered:  {:.3}", report.none_not_answered);
    }
    if report.small_talk_cases > 0 {
        println!("small talk:         {:.3} of {}", report.small_talk_right, report.small_talk_cases);
    }
    println!("safety accuracy:    {:.3}", report.safety_accuracy);
    println!("false safety:       {}", report.false_safety);
    print_triage(&report);
    println!("latency p50 / p99:  {:.1} us / {:.1} us", report.latency_p50_us, report.latency_p99_us);
    println!("load + index:       {:.1} ms", report.load_ms);
    if let Some(auc) = &look_alike {
        println!(
            "look-alike AUC:     {:.3} ranked, {:.3} served ({} entry cases, {} look-alikes)",
            auc.ranked, auc.served, auc.positives, auc.negatives
        );
        println!("  threshold  questions reaching it  look-alikes reaching it");
        for row in &auc.trade_off {
            println!("  {:>9.2}  {:>21.3}  {:>23.3}", row.threshold, row.questions, row.look_alikes);
        }
    }
    if !report.failures.is_empty() {
        println!("\nfailing cases ({}):", report.failures.len());
        for f in report.failures.iter().take(show_failures) {
            println!("- {:?}\n    expected {}, got {}: {}", f.question, f.expected, f.got, f.detail);
        }
        if report.failures.len() > show_failures {
            println!(
                "  ... and {} more (--show-failures N, or --json)",
                report.failures.len() - show_failures
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The ROC area of the entry cases against the look-alikes' questions.
fn measure_look_alikes(
    engine: &faqbot_core::engine::Engine,
    cases: &[eval::Case],
    path: &Path,
) -> anyhow::Result<look_alike::LookAlikeAuc> {
    let negatives: Vec<String> = eval::read_cases(path, engine)
        .with_context(|| format!("reading the look-alikes {}", path.display()))?
        .into_iter()
        .filter(|c| c.expect == eval::Expect::None)
        .map(|c| c.question)
        .collect();
    anyhow::ensure!(!negatives.is_empty(), "{} has no `expect = \"none\"` cases", path.display());
    let positives: Vec<String> = cases
        .iter()
        .filter(|c| matches!(c.expect, eval::Expect::Entries(_)))
        .map(|c| c.question.clone())
        .collect();
    anyhow::ensure!(!positives.is_empty(), "--look-alikes needs entry cases to compare with");
    Ok(look_alike::measure(engine, &positives, &negatives))
}

/// Per-category recall and precision, false alarms, and the confusion table.
fn print_triage(report: &eval::Report) {
    for c in &report.categories {
        println!(
            "  {:<16} {:>3} cases: recall {:.3} (right category {:.3}), precision {:.3}",
            c.category.as_str(),
            c.cases,
            c.recall,
            c.exact,
            c.precision
        );
    }
    if report.entry_cases + report.none_cases > 0 {
        println!("in-scope triaged:   {:.3}", report.in_scope_triaged);
    }
    if report.ordinary_cases > 0 {
        println!("ordinary triaged:   {:.3}", report.ordinary_triaged);
        println!("  alarming-sounding {:.3}", report.alarming_triaged);
    }
    if report.confusion.is_empty() {
        return;
    }
    println!("expected \\ got     {}", eval::CONFUSION_COLUMNS.map(|c| format!("{c:>17}")).join(""));
    for row in &report.confusion {
        let cells: String = row.got.iter().map(|n| format!("{n:>17}")).collect();
        println!("  {:<17}{cells}", row.expected);
    }
}
