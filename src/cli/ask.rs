//! `faqbot ask`

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use faqbot_core::reply;

pub fn run(dir: &Path, json: bool, explain: bool, words: &[String]) -> anyhow::Result<ExitCode> {
    let (engine, _) = super::load_engine(dir)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let answer = |question: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        let response = engine.ask(question);
        let reply = reply::compose(engine.faq(), question, &response);
        if explain {
            writeln!(out, "{}", super::render::explanation(&engine, question))?;
        }
        if json {
            writeln!(out, "{}", serde_json::to_string(&reply)?)?;
        } else {
            writeln!(out, "{}", super::render::text(&reply))?;
        }
        Ok(())
    };
    if words.len() == 1 && words[0] == "-" {
        for line in std::io::stdin().lock().lines() {
            let line = line.context("cannot read a question from stdin")?;
            if !line.trim().is_empty() {
                answer(&line, &mut out)?;
            }
        }
    } else {
        answer(&words.join(" "), &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
