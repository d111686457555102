//! Problems found in FAQ files, each with a place and a hint.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem a diagnostic reports; tests and tools match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Io,
    Syntax,
    UnknownKey,
    MissingField,
    WrongType,
    EmptyText,
    NoSource,
    DuplicateId,
    BadId,
    UnknownDoc,
    BadDate,
    EmptyDisclaimer,
    BadSetting,
    BadSafetyRule,
    NoEntries,
    MissingFile,
    QuoteNotFound,
    SourceFileMissing,
    // Warnings
    Confusable,
    TopicOnly,
    UnusedTopicWord,
    FewAlternates,
    TooLong,
    StaleReview,
    DefaultUsed,
}

/// A file position, 1-based, column in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn start_of(file: &Path) -> Self {
        Location { file: file.to_path_buf(), line: 1, column: 1 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    pub location: Location,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(kind: Kind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, kind, location, message: message.into(), hint: None }
    }

    pub fn warning(kind: Kind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, kind, location, message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

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
