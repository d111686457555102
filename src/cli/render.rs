//! Plain-text rendering of a reply, showing what the Discord reply shows.

use std::fmt::Write;

use faqbot_core::engine::{Engine, Response};
use faqbot_core::reply::Reply;

/// How the question was read and how the top entries scored (for `--explain`).
pub fn explanation(engine: &Engine, question: &str, response: &Response) -> String {
    let matcher = engine.matcher();
    let mut out = format!(
        "core topic words: {}\nquery: {}\n",
        matcher.core_terms().join(" "),
        matcher.explain_query(question)
    );
    for scored in response.ranked.iter().take(3) {
        let entry = &engine.faq().entries[scored.entry];
        let meaning = matcher.meaning(question, scored.entry).map_or("-".into(), |c| format!("{c:.3}"));
        let _ = writeln!(out, "{} ({:.3}; meaning cosine {meaning}):", entry.id, scored.confidence);
        let mut keys = matcher.explain(question, scored.entry);
        keys.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence));
        for (terms, k) in keys.iter().take(3) {
            let _ = writeln!(
                out,
                "  {:.3}  matched {:.2} extra {:.2} unexplained {:.2} unasked {:.2}  [{terms}]",
                k.confidence, k.matched, k.extra, k.unexplained, k.unasked
            );
        }
    }
    out
}

pub fn text(reply: &Reply) -> String {
    let mut out = String::new();
    match (&reply.entry, &reply.answer) {
        (Some(entry), Some(answer)) => {
            let _ = writeln!(out, "{}\n", entry.question);
            let _ = writeln!(out, "{answer}\n");
            for s in reply.sources.iter().flatten() {
                let _ = writeln!(out, "> \"{}\"", s.quote);
                let mut cite = format!("  -- {}, {}", s.title, s.publisher);
                if let Some(author) = &s.author {
                    let _ = write!(cite, " ({author})");
                }
                if let Some(date) = &s.date {
                    let _ = write!(cite, ", {date}");
                }
                if let Some(url) = &s.url {
                    let _ = write!(cite, ", {url}");
                }
                let _ = writeln!(out, "{cite}\n");
            }
            let _ = writeln!(out, "[{} | confidence {:.2}]", entry.id, reply.confidence);
        }
        _ => {
            if let Some(message) = &reply.message {
                let _ = writeln!(out, "{message}");
            }
            for (i, s) in reply.suggestions.iter().enumerate() {
                let _ = writeln!(out, "  {}. {} [{} | {:.2}]", i + 1, s.question, s.id, s.confidence);
            }
        }
    }
    if reply.kind != "safety" {
        let _ = writeln!(out, "\n{}", reply.disclaimer);
    }
    out
}
