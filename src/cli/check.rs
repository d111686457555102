//! `faqbot check`

use std::path::Path;
use std::process::ExitCode;

use std::fmt::Write;

use faqbot_core::engine::Engine;
use faqbot_core::faq::Faq;
use faqbot_core::{faq, lint};

/// What `check` prints besides the problems.
#[derive(Debug, Clone, Copy)]
pub struct Show {
    /// Every entry's sourced answer and unsourced background, apart.
    pub review: bool,
    /// The source paragraphs no entry quotes.
    pub coverage: bool,
}

pub fn run(dir: &Path, sources: Option<&Path>, show: Show) -> ExitCode {
    let (diagnostics, counts) = match faq::load_dir(dir) {
        Ok(loaded) => {
            let mut diags = loaded.warnings;
            if let Some(sources) = sources {
                diags.extend(faq::check_quotes(&loaded.faq, sources));
            }
            if show.review {
                print!("{}", review(&loaded.faq));
            }
            if let (true, Some(sources)) = (show.coverage, sources) {
                print!("{}", coverage(&loaded.faq, sources));
            }
            let background = loaded.faq.entries.iter().filter(|e| e.background.is_some()).count();
            let counts = (loaded.faq.entries.len(), background, loaded.faq.sources.len());
            let engine = Engine::new(loaded.faq);
            diags.extend(lint::all(&engine));
            (diags, Some(counts))
        }
        Err(error) => (error.diagnostics, None),
    };
    for d in &diagnostics {
        println!("{d}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let status = if errors > 0 { "FAILED" } else { "ok" };
    match counts {
        Some((entries, background, sources)) => println!(
            "{status}: {entries} entries ({background} with background not from the sources), {sources} \
             sources, {errors} error(s), {warnings} warning(s)"
        ),
        None => println!("{status}: the FAQ did not load: {errors} error(s), {warnings} warning(s)"),
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Each entry's answer (every sentence backed by its citations) apart from
/// its background (backed by none), for a reviewer.
fn review(faq: &Faq) -> String {
    let mut out = String::new();
    for e in &faq.entries {
        let rows = e.citations.iter().filter(|c| c.row.is_some()).count();
        let quotes = e.citations.len() - rows;
        let _ = writeln!(out, "{} {} ({quotes} quote(s), {rows} table row(s))", e.places.id, e.id);
        let _ = writeln!(out, "  sourced:    {}", e.answer);
        if let Some(background) = &e.background {
            let _ = writeln!(out, "  background: {background}  [NOT FROM THE SOURCES]");
        }
    }
    out
}

/// The source paragraphs that no entry quotes, by document.
fn coverage(faq: &Faq, sources: &Path) -> String {
    let uncovered = faq::uncovered_paragraphs(faq, sources);
    let mut out = format!("paragraphs of the sources that no entry quotes: {}\n", uncovered.len());
    for u in &uncovered {
        let file = faq.sources[u.source].file.as_deref().unwrap_or_default();
        let _ = writeln!(out, "{file}:{}: {}", u.line, faqbot_core::text::truncate(&u.text, 100));
    }
    out
}
