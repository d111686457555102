//! Reading one TOML file and turning its parse errors into diagnostics.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Kind, LineIndex, Location};

/// Larger files are refused before parsing, so a stray dump cannot exhaust memory.
/// 256 MiB leaves room for benchmark banks of ~50,000 entries with long answers.
pub(super) const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One file's text, with the helpers to point into it.
pub(super) struct TomlFile {
    pub path: PathBuf,
    pub text: String,
    lines: LineIndex,
}

impl TomlFile {
    /// Reads `path`: refuses files that are too big or not UTF-8, and blanks a
    /// leading byte-order mark (keeping offsets) so editors that add one are fine.
    pub(super) fn read(path: &Path) -> Result<TomlFile, Diagnostic> {
        let here = Location::start_of(path);
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(Diagnostic::error(
                Kind::Io,
                here,
                format!("file is {} bytes, over the {} byte limit", meta.len(), MAX_FILE_BYTES),
            )
            .with_hint("FAQ files are small; is this the right file?"));
        }
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                let location = LineIndex::new(valid).location(path, valid, valid.len());
                return Err(Diagnostic::error(Kind::Io, location, "file is not valid UTF-8")
                    .with_hint("save the file as UTF-8"));
            }
        };
        Ok(TomlFile::from_text(path, text))
    }

    pub(super) fn from_text(path: &Path, mut text: String) -> TomlFile {
        if text.starts_with('\u{FEFF}') {
            text.replace_range(0..3, "   ");
        }
        let lines = LineIndex::new(&text);
        TomlFile { path: path.to_path_buf(), text, lines }
    }

    pub(super) fn location(&self, offset: usize) -> Location {
        self.lines.location(&self.path, &self.text, offset)
    }

    /// Turns a parse or deserialize error (at `base` within the file) into a diagnostic.
    fn diagnostic(&self, error: &toml::de::Error, base: usize) -> Diagnostic {
        let offset = base + error.span().map_or(0, |s| s.start);
        let message = error.message().trim().to_string();
        let (kind, hint) = if message.starts_with("unknown field") {
            (Kind::UnknownKey, "check the key's spelling against the FAQ format in the README")
        } else if message.starts_with("missing field") {
            (Kind::MissingField, "add the missing key to this table")
        } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
            (Kind::WrongType, "check the value's type: text in quotes, lists in [ ]")
        } else {
            (Kind::Syntax, "fix the TOML syntax here (quotes, brackets, commas)")
        };
        Diagnostic::error(kind, self.location(offset), message).with_hint(hint)
    }

    /// Parses the whole file as `T`; on failure records one diagnostic.
    pub(super) fn parse_whole<T: DeserializeOwned>(&self, diags: &mut Vec<Diagnostic>) -> Option<T> {
        match toml::from_str::<T>(&self.text) {
            Ok(value) => Some(value),
            Err(e) => {
                diags.push(self.diagnostic(&e, 0));
                None
            }
        }
    }

    /// Parses a file made of `[[header]]` tables one table at a time, so that a
    /// bad key in one table does not hide the problems of the others.
    ///
    /// Returns each table's parse as a one-table `W`, with the byte offset of
    /// the table in the file (spans inside `W` are relative to it). Each byte
    /// is parsed once; only when a table has a syntax error is the whole file
    /// parsed again, to tell a real error from a header-looking line inside a
    /// multi-line string.
    pub(super) fn parse_tables<W: DeserializeOwned>(
        &self,
        header: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(W, usize)> {
        let marker = format!("[[{header}]]");
        let mut starts: Vec<usize> = Vec::new();
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            if let Some(rest) = line.trim().strip_prefix(&marker) {
                let rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('#') {
                    starts.push(offset);
                }
            }
            offset += line.len();
        }
        let first = starts.first().copied().unwrap_or(self.text.len());
        let mut chunks: Vec<(usize, usize)> = Vec::with_capacity(starts.len() + 1);
        if self.text[..first].lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
            chunks.push((0, first));
        }
        for (i, &start) in starts.iter().enumerate() {
            chunks.push((start, starts.get(i + 1).copied().unwrap_or(self.text.len())));
        }
        let mut out = Vec::with_capacity(chunks.len());
        let mut problems = Vec::new();
        let mut syntax_error = false;
        for (start, end) in chunks {
            match toml::from_str::<W>(&self.text[start..end]) {
                Ok(w) => out.push((w, start)),
                Err(e) => {
                    let d = self.diagnostic(&e, start);
                    syntax_error |= d.kind == Kind::Syntax;
                    problems.push(d);
                }
            }
        }
        if syntax_error {
            // Either a real syntax error, best reported from a parse of the
            // whole file, or a split inside a multi-line string: parse whole.
            return self.parse_whole::<W>(diags).map(|w| vec![(w, 0)]).unwrap_or_default();
        }
        diags.extend(problems);
        out
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Kind::Io, Location::start_of(path), format!("cannot read file: {e}"))
        .with_hint("check that the file exists and is readable")
}
