//! `faqbot check`

use std::path::Path;
use std::process::ExitCode;

use faqbot_core::engine::Engine;
use faqbot_core::{faq, lint};

pub fn run(dir: &Path, sources: Option<&Path>) -> ExitCode {
    let (diagnostics, counts) = match faq::load_dir(dir) {
        Ok(loaded) => {
            let mut diags = loaded.warnings;
            if let Some(sources) = sources {
                diags.extend(faq::check_quotes(&loaded.faq, sources));
            }
            let counts = (loaded.faq.entries.len(), loaded.faq.sources.len());
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
        Some((entries, sources)) => {
            println!(
                "{status}: {entries} entries, {sources} sources, {errors} error(s), {warnings} warning(s)"
            )
        }
        None => println!("{status}: the FAQ did not load: {errors} error(s), {warnings} warning(s)"),
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
