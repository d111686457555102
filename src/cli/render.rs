//! Plain-text rendering of a reply, showing what the Discord reply shows.

use std::fmt::Write;

use faqbot_core::engine::{Engine, Outcome, ReplyKind};
use faqbot_core::reply::{CitationStyle, Reply, BACKGROUND};

/// What each stage of the pipeline did with the question (for `--explain`).
pub fn explanation(engine: &Engine, question: &str) -> String {
    let x = engine.explain(question);
    let mut out = format!("core topic words: {}\n", x.core_terms.join(" "));
    let _ = writeln!(out, "1 query:   {:?}", x.text.trim());
    for s in &x.sentences {
        let _ = writeln!(out, "           sentence {s:?}");
    }
    let fired = match &x.outcome {
        Outcome::Safety { category, .. } => Some(*category),
        _ => None,
    };
    let triage = fired.map_or("no category fired".to_string(), |c| {
        format!("{} (the message is not answered from the FAQ)", c.as_str())
    });
    let _ = writeln!(out, "2 triage:  {triage}");
    for c in &x.triage {
        let meaning = c.meaning.map_or("-".into(), |m| {
            format!("example {:.3} counter {:.3} faq {:.3}", m.example, m.counter, m.faq)
        });
        let classifier = c.probability.map_or("-".into(), |p| format!("{p:.2}"));
        let _ = writeln!(
            out,
            "           {:<15} phrase {:<3} meaning {:<3} ({meaning}; classifier {classifier})",
            c.category.as_str(),
            if c.phrase { "yes" } else { "no" },
            match (c.by_meaning, c.as_personal_advice) {
                (true, _) => "yes",
                (false, true) => "as personal advice",
                (false, false) => "no",
            },
        );
    }
    let _ = writeln!(out, "3 words:   {}", x.terms);
    let _ = writeln!(out, "3-4 top entries: word score -> meaning cosine -> blend");
    for e in x.entries.iter().take(3) {
        let entry = &engine.faq().entries[e.entry];
        let cosine = e.cosine.map_or("-".into(), |c| format!("{c:.3}"));
        let _ = writeln!(out, "  {}: {:.3} -> {cosine} -> {:.3}", entry.id, e.lexical, e.blended);
        let mut keys = e.key_texts.clone();
        keys.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence));
        for (terms, k) in keys.iter().take(3) {
            let _ = writeln!(
                out,
                "    {:.3}  matched {:.2} extra {:.2} unexplained {:.2} unasked {:.2}  [{terms}]",
                k.confidence, k.matched, k.extra, k.unexplained, k.unasked
            );
        }
    }
    let _ = writeln!(out, "5 outcome: {}", x.outcome.kind());
    out
}

/// Citations in a terminal: plain.
const CITATION: CitationStyle = CitationStyle { lead: "  -- ", title: ("", ""), url: ("", "") };

pub fn text(reply: &Reply) -> String {
    let mut out = String::new();
    match (&reply.entry, &reply.answer) {
        (Some(entry), Some(answer)) => {
            let _ = writeln!(out, "{}\n", entry.question);
            let _ = writeln!(out, "{answer}\n");
            if let Some(background) = &reply.background {
                let _ = writeln!(out, "{BACKGROUND}: {background}\n");
            }
            for s in reply.sources.iter().flatten() {
                if s.table_row {
                    let _ = writeln!(out, "> Table: {}", s.quote);
                } else {
                    let _ = writeln!(out, "> \"{}\"", s.quote);
                }
                let _ = writeln!(out, "{}\n", s.citation(CITATION));
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
    if !matches!(reply.kind, ReplyKind::Safety | ReplyKind::SmallTalk) {
        let _ = writeln!(out, "\n{}", reply.disclaimer);
    }
    out
}
