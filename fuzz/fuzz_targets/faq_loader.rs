//! The FAQ loader on arbitrary bytes as an entries file beside a valid
//! sources.toml: it never panics, and a folder that does not load comes with
//! errors that each carry a file, line and column.
#![no_main]

use std::sync::OnceLock;

use faqbot_core::faq::{self, Date};
use libfuzzer_sys::fuzz_target;

const SOURCES: &str = "[[source]]\nid = \"doc-a\"\ntitle = \"Document A\"\npublisher = \"Publisher A\"\n";

fn folder() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("sources.toml"), SOURCES).expect("write sources");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    std::fs::write(dir.path().join("entries.toml"), data).expect("write entries");
    let today = Date { year: 2026, month: Some(11), day: Some(22) };
    if let Err(e) = faq::load_dir_as_of(dir.path(), today) {
        assert!(e.errors().count() > 0, "a failed load names an error");
        for d in &e.diagnostics {
            assert!(d.location.line >= 1 && d.location.column >= 1, "no place: {d}");
        }
    }
});
