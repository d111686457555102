//! Problems found in FAQ files, each with a place and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is; errors sort before warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The FAQ does not load until it is fixed.
    Error,
    /// Reported, but the FAQ still loads.
    Warning,
}

/// What kind of problem a diagnostic reports; tests and tools match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file or the folder could not be read, or is too big or not UTF-8.
    Io,
    /// The TOML itself is malformed.
    Syntax,
    /// A key the FAQ format does not have (often a misspelling).
    UnknownKey,
    /// A table lacks a required key.
    MissingField,
    /// A value of the wrong type, e.g. a number where text is expected.
    WrongType,
    /// A text that must say something is empty.
    EmptyText,
    /// An entry cites no source.
    NoSource,
    /// Two entries, or two sources, share an id.
    DuplicateId,
    /// An id that is not a lowercase slug.
    BadId,
    /// A citation's `doc` names no source in `sources.toml`.
    UnknownDoc,
    /// A date that does not parse.
    BadDate,
    /// The disclaimer every answer carries is empty.
    EmptyDisclaimer,
    /// A matching setting outside 0..1, or the suggest threshold above the answer one.
    BadSetting,
    /// A safety rule with no patterns, or a pattern with no words.
    BadSafetyRule,
    /// The folder has no entries at all.
    NoEntries,
    /// The folder has no `sources.toml`.
    MissingFile,
    /// A quote is not found verbatim in its source's file.
    QuoteNotFound,
    /// A source's file cannot be read, or a quoted source has no file to check against.
    SourceFileMissing,
    /// A table-row citation that does not fit its document's table, or a
    /// citation with neither or both of `quote` and `row`.
    BadTableRow,
    // Warnings
    /// An entry's question or alternate scores too close to another entry.
    Confusable,
    /// A question or alternate with no word but topic words, so it matches any message naming them.
    TopicOnly,
    /// A topic word that appears in no entry.
    UnusedTopicWord,
    /// An entry with fewer alternates than `MIN_ALTERNATES`.
    FewAlternates,
    /// An answer or quote too long for its place in a Discord embed.
    TooLong,
    /// An entry last reviewed over 12 months ago.
    StaleReview,
    /// An answer longer than reads well in chat (`ANSWER_WORDS_FOR_CHAT`).
    WordyAnswer,
    /// An optional file is missing, so the built-in one is used.
    DefaultUsed,
    /// A safety counter-example nearer its category's examples than its other
    /// counter-examples, or a safety text listed twice in one list.
    SafetyExample,
}

/// A file position, 1-based, column in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file the problem is in.
    pub file: PathBuf,
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl Location {
    /// Line 1, column 1 of `file`: for problems with a whole file or folder.
    pub fn start_of(file: &Path) -> Self {
        Location { file: file.to_path_buf(), line: 1, column: 1 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem found in a FAQ file: how bad, what kind, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops the FAQ loading.
    pub severity: Severity,
    /// What kind of problem it is.
    pub kind: Kind,
    /// Where in which file.
    pub location: Location,
    /// What is wrong, for the person editing the FAQ.
    pub message: String,
    /// What to do about it, when there is advice to give.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error, without a hint.
    pub fn error(kind: Kind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, kind, location, message: message.into(), hint: None }
    }

    /// A warning, without a hint.
    pub fn warning(kind: Kind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, kind, location, message: message.into(), hint: None }
    }

    /// The same diagnostic with `hint` as its advice.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it is an error (and so stops the FAQ loading).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {severity}: {}", self.location, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one file's text into line:column locations.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes where each line of `text` starts.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The location of byte `offset` of `text` (the text this index was built on).
    pub fn location(&self, path: &Path, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Location { file: path.to_path_buf(), line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        let index = LineIndex::new(text);
        let at = |offset| index.location(Path::new("f.toml"), text, offset);
        assert_eq!(at(0).to_string(), "f.toml:1:1");
        assert_eq!(at(6).to_string(), "f.toml:2:1");
        assert_eq!(at(9).to_string(), "f.toml:2:3");
        assert_eq!(at(999).line, 3);
    }

    #[test]
    fn display_has_position_severity_and_hint() {
        let d = Diagnostic::error(Kind::BadId, Location::start_of(Path::new("x.toml")), "bad id")
            .with_hint("use lowercase");
        assert_eq!(d.to_string(), "x.toml:1:1: error: bad id\n  = hint: use lowercase");
    }
}
