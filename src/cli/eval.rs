//! `faqbot eval`

use std::path::Path;
use std::process::ExitCode;

use faqbot_core::eval;

pub fn run(dir: &Path, cases: &Path, json: bool, show_failures: usize) -> anyhow::Result<ExitCode> {
    let (engine, load) = super::load_engine(dir)?;
    let cases = eval::read_cases(cases, &engine)?;
    let report = eval::run(&engine, &cases, load);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
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
