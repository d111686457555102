//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use faqbot_core::diagnostic::{Diagnostic, Kind};
use faqbot_core::faq::{self, Date, LoadError, Loaded};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shipped_faq() -> PathBuf {
    repo().join("faq")
}

/// The seed documents beside the repository (`../shared/seeds`), as CI has them.
pub fn seeds() -> PathBuf {
    repo().join("../shared/seeds")
}

/// A valid sources.toml for the small FAQ folders the tests write.
pub const SOURCES: &str = r#"[[source]]
id = "doc-a"
title = "Document A"
publisher = "Publisher A"
date = "2024-05-01"
file = "a.txt"
"#;

/// A valid entry citing doc-a.
pub const ENTRY: &str = r#"[[entry]]
id = "exosome-size"
question = "How big are exosomes?"
alternates = ["exosome size", "how small are exosomes", "exosome diameter"]
tags = ["basics"]
answer = "About 30 to 150 nanometres."
reviewed = "2026-06-01"
[[entry.source]]
doc = "doc-a"
quote = "Exosomes measure 30 to 150 nanometres."
"#;

pub const TODAY: Date = Date { year: 2026, month: Some(11), day: Some(22) };

/// A temporary FAQ folder with the given files.
pub struct Folder {
    pub dir: tempfile::TempDir,
}

impl Folder {
    pub fn new(files: &[(&str, &str)]) -> Folder {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write fixture");
        }
        Folder { dir }
    }

    /// sources.toml plus one entries file.
    pub fn with_entries(entries: &str) -> Folder {
        Folder::new(&[("sources.toml", SOURCES), ("entries.toml", entries)])
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn load(&self) -> Result<Loaded, LoadError> {
        faq::load_dir_as_of(self.path(), TODAY)
    }

    /// The diagnostics of a folder expected not to load.
    pub fn errors(&self) -> Vec<Diagnostic> {
        match self.load() {
            Ok(_) => panic!("expected the FAQ in {} not to load", self.path().display()),
            Err(e) => e.diagnostics,
        }
    }
}

/// Asserts one diagnostic of `kind` at `file:line`, and returns it.
pub fn expect_at<'a>(diags: &'a [Diagnostic], kind: Kind, file: &str, line: usize) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.kind == kind && d.location.file.ends_with(file) && d.location.line == line)
        .unwrap_or_else(|| {
            let all: Vec<String> = diags.iter().map(|d| format!("  {:?} {d}", d.kind)).collect();
            panic!("no {kind:?} at {file}:{line}; got:\n{}", all.join("\n"))
        })
}

/// Held by the tests that keep both cores busy for a long time (the load
/// test and the engine property on hostile text), so they do not starve each
/// other: on 2 cores, both at once measured 71-85 of 500 events unanswered
/// within 20 s, each alone none. `blocking_lock` from plain tests,
/// `lock().await` from async ones.
pub static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
