//! The quote check: every quote must stand verbatim in its source document.

use std::collections::HashMap;
use std::path::Path;

use super::model::Faq;
use crate::diagnostic::{Diagnostic, Kind};

/// How many candidate windows (by shared words) get the exact similarity measure
/// when looking for the passage closest to a missing quote.
const CLOSEST_CANDIDATES: usize = 8;

/// Folds what differs between a copied quote and the captured page without
/// changing the words: whitespace runs, curly quotes, dashes, no-break spaces.
pub fn fold_quote_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Checks every citation against `sources_dir/<file>`; returns the problems.
pub fn check_quotes(faq: &Faq, sources_dir: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut documents: HashMap<usize, Option<Document>> = HashMap::new();
    for (i, source) in faq.sources.iter().enumerate() {
        let text = match &source.file {
            None => None,
            Some(file) => match std::fs::read(sources_dir.join(file)) {
                Ok(bytes) => Some(Document::new(&String::from_utf8_lossy(&bytes))),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            Kind::SourceFileMissing,
                            source.place.clone(),
                            format!(
                                "cannot read {} for source {:?}: {e}",
                                sources_dir.join(file).display(),
                                source.id
                            ),
                        )
                        .with_hint("check `file` in sources.toml and the --sources folder"),
                    );
                    continue;
                }
            },
        };
        if let Some(document) = &text {
            if !source.columns.is_empty() && document.table_rows(&source.columns).is_none() {
                diags.push(
                    Diagnostic::error(
                        Kind::BadTableRow,
                        source.place.clone(),
                        format!(
                            "source {:?}: no line of {} is the table header {:?}",
                            source.id,
                            source.file.as_deref().unwrap_or_default(),
                            source.columns.concat()
                        ),
                    )
                    .with_hint("write `columns` as the document's header row has them, cell by cell"),
                );
            }
        }
        documents.insert(i, text);
    }
    for entry in &faq.entries {
        for citation in &entry.citations {
            let source = &faq.sources[citation.source];
            let Some(document) = documents.get(&citation.source) else { continue };
            let Some(document) = document else {
                diags.push(
                    Diagnostic::error(
                        Kind::SourceFileMissing,
                        citation.place.clone(),
                        format!(
                            "entry {:?} quotes source {:?}, which has no `file` to check against",
                            entry.id, source.id
                        ),
                    )
                    .with_hint("add `file = \"...\"` to the source in sources.toml"),
                );
                continue;
            };
            if let Some(cells) = &citation.row {
                let found = document.table_rows(&source.columns).is_some_and(|rows| {
                    let wanted = fold_quote_text(&cells.concat());
                    rows.contains(&wanted)
                });
                if !found {
                    diags.push(
                        Diagnostic::error(
                            Kind::QuoteNotFound,
                            citation.place.clone(),
                            format!(
                                "entry {:?}: no row of the table in {:?} has these cells",
                                entry.id,
                                source.file.as_deref().unwrap_or_default()
                            ),
                        )
                        .with_hint(format!(
                            "copy each cell as the table has it; the closest row is \"{}\"",
                            document.closest_row(&source.columns, &cells.concat())
                        )),
                    );
                }
                continue;
            }
            let quote = fold_quote_text(&citation.quote);
            if !document.text.contains(&quote) {
                let closest = closest_passage(&document.text, &quote);
                diags.push(
                    Diagnostic::error(
                        Kind::QuoteNotFound,
                        citation.place.clone(),
                        format!(
                            "entry {:?}: quote not found verbatim in {:?}",
                            entry.id,
                            source.file.as_deref().unwrap_or_default()
                        ),
                    )
                    .with_hint(format!("the closest passage of the document is: \"{closest}\"")),
                );
            }
        }
    }
    diags
}

/// One paragraph (a non-blank line of the captured page) that no citation
/// draws on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    /// Index into [`Faq::sources`].
    pub source: usize,
    /// The line, from 1.
    pub line: usize,
    /// The paragraph, folded.
    pub text: String,
}

/// The paragraphs of every source document that no quote or table row of
/// any entry comes from: how a moderator sees what the FAQ leaves out.
/// Documents that cannot be read are skipped ([`check_quotes`] reports them).
pub fn uncovered_paragraphs(faq: &Faq, sources_dir: &Path) -> Vec<Uncovered> {
    let mut out = Vec::new();
    for (i, source) in faq.sources.iter().enumerate() {
        let Some(file) = &source.file else { continue };
        let Ok(bytes) = std::fs::read(sources_dir.join(file)) else { continue };
        let document = Document::new(&String::from_utf8_lossy(&bytes));
        let ranges = document.line_ranges();
        let joined: Vec<&str> = ranges.iter().map(|(l, _)| document.lines[*l].as_str()).collect();
        let joined = joined.join(" ");
        let mut used = vec![false; document.lines.len()];
        for citation in faq.entries.iter().flat_map(|e| &e.citations).filter(|c| c.source == i) {
            let wanted = match &citation.row {
                Some(cells) => fold_quote_text(&cells.concat()),
                None => fold_quote_text(&citation.quote),
            };
            for (start, _) in joined.match_indices(&wanted) {
                let end = start + wanted.len();
                for (line, range) in &ranges {
                    if range.start < end && start < range.end {
                        used[*line] = true;
                    }
                }
            }
        }
        out.extend(ranges.iter().filter(|(line, _)| !used[*line]).map(|(line, _)| Uncovered {
            source: i,
            line: line + 1,
            text: document.lines[*line].clone(),
        }));
    }
    out
}

/// A source document, folded for comparison: whole, and line by line (a
/// table row is one line of the captured page).
struct Document {
    text: String,
    lines: Vec<String>,
}

impl Document {
    fn new(raw: &str) -> Self {
        Document { text: fold_quote_text(raw), lines: raw.lines().map(fold_quote_text).collect() }
    }

    /// Each non-blank line's byte range in `text` (which is the non-blank
    /// lines joined by one space), with its index in `lines`.
    fn line_ranges(&self) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut at = 0;
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            out.push((i, at..at + line.len()));
            at += line.len() + 1;
        }
        out
    }

    /// The rows of the table headed by `columns`: the lines after the header
    /// line, up to the first blank one. `None` when no line is that header.
    fn table_rows(&self, columns: &[String]) -> Option<&[String]> {
        let header = fold_quote_text(&columns.concat());
        let at = self.lines.iter().position(|line| *line == header)? + 1;
        let len = self.lines[at..].iter().take_while(|line| !line.is_empty()).count();
        Some(&self.lines[at..at + len])
    }

    /// The table row most like `wanted` (the cells joined), for the hint.
    fn closest_row(&self, columns: &[String], wanted: &str) -> String {
        let wanted = fold_quote_text(wanted);
        self.table_rows(columns)
            .unwrap_or_default()
            .iter()
            .max_by(|a, b| {
                strsim::normalized_levenshtein(a, &wanted)
                    .total_cmp(&strsim::normalized_levenshtein(b, &wanted))
            })
            .cloned()
            .unwrap_or_default()
    }
}

/// The run of the document's words most like `quote` (same number of words).
pub fn closest_passage(document: &str, quote: &str) -> String {
    let words: Vec<&str> = document.split(' ').collect();
    let quote_words: Vec<&str> = quote.split(' ').collect();
    let n = quote_words.len().clamp(1, words.len().max(1));
    if words.len() <= n {
        return document.to_string();
    }
    let wanted: std::collections::HashSet<String> = quote_words.iter().map(|w| w.to_lowercase()).collect();
    let mut scored: Vec<(usize, usize)> = (0..=words.len() - n)
        .map(|start| {
            let shared =
                words[start..start + n].iter().filter(|w| wanted.contains(&w.to_lowercase())).count();
            (shared, start)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .iter()
        .take(CLOSEST_CANDIDATES)
        .map(|&(_, start)| words[start..start + n].join(" "))
        .max_by(|a, b| {
            strsim::normalized_levenshtein(a, quote).total_cmp(&strsim::normalized_levenshtein(b, quote))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_typography_not_words() {
        assert_eq!(fold_quote_text("  it’s  30–150\u{a0}nm —\n“small” "), "it's 30-150 nm - \"small\"");
        assert_ne!(fold_quote_text("Tumour"), fold_quote_text("tumour"));
    }

    #[test]
    fn closest_passage_finds_the_near_miss() {
        let doc = fold_quote_text("Exosomes are tiny. They measure 30 to 150 nanometres across. The end.");
        assert_eq!(
            closest_passage(&doc, "They measure 30 to 140 nanometres across."),
            "They measure 30 to 150 nanometres across."
        );
    }
}
