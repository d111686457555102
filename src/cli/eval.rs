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
        "cases:              {} ({} entry, {} none, {} safety)",
        report.cases, report.entry_cases, report.none_cases, report.safety_cases
    );
    println!("top-1 (answered):   {:.3}", report.top1);
    println!("top-1 (ranked):     {:.3}", report.top1_ranked);
    println!("top-5 recall:       {:.3}", report.top5_recall);
    println!("MRR@5:              {:.3}", report.mrr);
    println!("none not answered:  {:.3}", report.none_not_answered);
    println!("safety accuracy:    {:.3}", report.safety_accuracy);
    println!("false safety:       {}", report.false_safety);
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
