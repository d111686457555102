//! Plain-text rendering of a reply, showing what the Discord reply shows.

use std::fmt::Write;

use faqbot::reply::Reply;

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
