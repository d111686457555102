//! The FAQ being served, and reloading it: validate the folder, build a new
//! engine, then swap it in whole.
//!
//! Readers take an `Arc<Engine>` and keep it for the question they are
//! answering, so no question ever sees a half-loaded FAQ, and questions keep
//! being answered while a reload runs. A reload that fails leaves the FAQ that
//! was working in place. Blocking (file reads, index building): front ends with
//! an async runtime call [`LiveFaq::reload`] off their event loop.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::diagnostic::Diagnostic;
use crate::engine::Engine;
use crate::faq::{self, LoadError};
use crate::lint;

/// Confusable-entry warnings (as `faqbot check` gives them) come from running
/// the matcher on every question and alternate; past this many entries that
/// takes seconds, so a reload skips it and says so in the report.
pub const LINT_MAX_ENTRIES: usize = 2_000;

/// The result of one reload.
#[derive(Debug, Clone)]
pub enum ReloadReport {
    /// The new FAQ is live.
    Reloaded {
        /// How many entries it has.
        entries: usize,
        /// The loader's and the checks' warnings.
        warnings: Vec<Diagnostic>,
        /// The confusable-entry check was skipped ([`LINT_MAX_ENTRIES`]).
        lint_skipped: bool,
    },
    /// The folder did not validate; the previous FAQ is still live.
    Failed {
        /// Every error (and warning) found.
        diagnostics: Vec<Diagnostic>,
        /// How many entries the FAQ still served has.
        kept_entries: usize,
    },
}

impl ReloadReport {
    /// Whether the new FAQ went live.
    pub fn is_ok(&self) -> bool {
        matches!(self, ReloadReport::Reloaded { .. })
    }

    /// The errors (for a failed reload) or warnings (for a good one), in `faqbot check` form.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ReloadReport::Reloaded { warnings, .. } => warnings,
            ReloadReport::Failed { diagnostics, .. } => diagnostics,
        }
    }

    /// One line: what happened, with counts; `trigger` names what caused
    /// the reload, in the front end's words ("/faq-reload", "file change").
    pub fn summary(&self, trigger: &str) -> String {
        match self {
            ReloadReport::Reloaded { entries, warnings, lint_skipped } => {
                let mut line =
                    format!("FAQ reloaded ({trigger}): {entries} entries, {} warning(s)", warnings.len());
                if *lint_skipped {
                    line.push_str(&format!(
                        "; confusable-entry check skipped above {LINT_MAX_ENTRIES} entries"
                    ));
                }
                line
            }
            ReloadReport::Failed { diagnostics, kept_entries } => {
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                format!(
                    "FAQ reload failed ({trigger}): {errors} error(s); still serving the previous FAQ ({kept_entries} entries)"
                )
            }
        }
    }
}

/// The FAQ folder and the engine currently answering from it.
#[derive(Debug)]
pub struct LiveFaq {
    dir: PathBuf,
    current: RwLock<Arc<Engine>>,
    /// Reload requests so far (each call of [`LiveFaq::reload`] takes the next number).
    requested: std::sync::atomic::AtomicU64,
    /// Reloads that read the folder.
    runs: std::sync::atomic::AtomicU64,
    /// One reload at a time, so two quick edits cannot swap in out of order;
    /// it holds the last reload's report and the requests it covered.
    reloading: Mutex<Reloaded>,
}

/// The last reload: every request numbered up to `covers` arrived before it
/// read the folder, so its report answers them all.
#[derive(Debug, Default)]
struct Reloaded {
    covers: u64,
    report: Option<ReloadReport>,
}

impl LiveFaq {
    /// Serves `engine`, reloading from `dir` later.
    pub fn new(dir: impl Into<PathBuf>, engine: Engine) -> LiveFaq {
        LiveFaq {
            dir: dir.into(),
            current: RwLock::new(Arc::new(engine)),
            requested: std::sync::atomic::AtomicU64::new(0),
            runs: std::sync::atomic::AtomicU64::new(0),
            reloading: Mutex::new(Reloaded::default()),
        }
    }

    /// Loads `dir` for the first time; the warnings are returned for logging.
    pub fn load(dir: &Path) -> Result<(LiveFaq, Vec<Diagnostic>), LoadError> {
        let loaded = faq::load_dir(dir)?;
        Ok((LiveFaq::new(dir, Engine::new(loaded.faq)), loaded.warnings))
    }

    /// The folder reloads read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The engine to answer one question with. The lock is held only to clone the `Arc`.
    pub fn engine(&self) -> Arc<Engine> {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Reads and validates the folder again; swaps the new FAQ in only if it is
    /// complete and valid. Blocking. Requests that arrive while a reload runs
    /// wait for it and are then answered by one more reload together (it reads
    /// the folder after they all arrived), not one reload each: a burst of
    /// edits and `/faq-reload`s costs two reloads, not one per request.
    pub fn reload(&self) -> ReloadReport {
        let ticket = self.requested.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let mut last = self.reloading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(report) = last.report.as_ref().filter(|_| last.covers >= ticket) {
            return report.clone();
        }
        // Every request numbered so far arrived before this reload reads the folder.
        let covers = self.requested.load(std::sync::atomic::Ordering::SeqCst);
        let report = self.reload_now();
        *last = Reloaded { covers, report: Some(report.clone()) };
        report
    }

    /// How many reloads have read the folder (requests answered together count once).
    pub fn reloads_run(&self) -> u64 {
        self.runs.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn reload_now(&self) -> ReloadReport {
        self.runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        match faq::load_dir(&self.dir) {
            Ok(loaded) => {
                let entries = loaded.faq.entries.len();
                let engine = Engine::new(loaded.faq);
                let mut warnings = loaded.warnings;
                let lint_skipped = entries > LINT_MAX_ENTRIES;
                if !lint_skipped {
                    warnings.extend(lint::all(&engine));
                }
                *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(engine);
                ReloadReport::Reloaded { entries, warnings, lint_skipped }
            }
            Err(error) => ReloadReport::Failed {
                diagnostics: error.diagnostics,
                kept_entries: self.engine().faq().entries.len(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &str = "[[source]]\nid = \"doc\"\ntitle = \"Doc\"\npublisher = \"Pub\"\n";

    fn entry(id: &str, answer: &str) -> String {
        format!(
            "[[entry]]\nid = \"{id}\"\nquestion = \"What is {id}?\"\nalternates = [\"{id} meaning\", \"explain {id}\"]\n\
             tags = [\"basics\"]\nanswer = \"{answer}\"\n[[entry.source]]\ndoc = \"doc\"\nquote = \"q\"\n"
        )
    }

    fn write(dir: &Path, entries: &str) {
        std::fs::write(dir.join("sources.toml"), SOURCES).unwrap();
        std::fs::write(dir.join("entries.toml"), entries).unwrap();
    }

    #[test]
    fn requests_during_a_reload_share_the_next_one_and_later_ones_read_again() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &entry("exosome", "First."));
        let (live, _) = LiveFaq::load(dir.path()).unwrap();
        let live = Arc::new(live);
        let start = Arc::new(std::sync::Barrier::new(16));
        let callers: Vec<_> = (0..16)
            .map(|_| {
                let (live, start) = (live.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    live.reload()
                })
            })
            .collect();
        for caller in callers {
            assert!(matches!(caller.join().unwrap(), ReloadReport::Reloaded { entries: 1, .. }));
        }
        assert!((1..=2).contains(&live.reloads_run()), "16 requests at once: {} reloads", live.reloads_run());
        let before = live.reloads_run();
        write(dir.path(), &format!("{}\n{}", entry("exosome", "First."), entry("vesicle", "Second.")));
        assert!(
            matches!(live.reload(), ReloadReport::Reloaded { entries: 2, .. }),
            "a later request reads again"
        );
        assert_eq!(live.reloads_run(), before + 1);
    }

    #[test]
    fn a_broken_folder_keeps_the_old_faq_and_a_good_one_is_swapped_in() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &entry("exosome", "First."));
        let (live, _) = LiveFaq::load(dir.path()).unwrap();
        let before = live.engine();

        std::fs::write(dir.path().join("entries.toml"), "[[entry]]\nid = \"broken").unwrap();
        let report = live.reload();
        assert!(!report.is_ok());
        assert!(report.summary("/faq-reload").contains("still serving the previous FAQ (1 entries)"));
        let first = report.diagnostics().iter().find(|d| d.is_error()).expect("an error");
        assert!(first.to_string().contains("entries.toml:"), "{first}");
        assert!(Arc::ptr_eq(&before, &live.engine()), "the old engine is still served");

        write(dir.path(), &format!("{}\n{}", entry("exosome", "Second."), entry("secretome", "Third.")));
        let report = live.reload();
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(live.engine().faq().entries.len(), 2);
        assert_eq!(before.faq().entries[0].answer, "First.", "a reader's engine never changes under it");
    }

    #[test]
    fn a_deleted_folder_keeps_the_old_faq() {
        let dir = tempfile::tempdir().unwrap();
        let faq_dir = dir.path().join("faq");
        std::fs::create_dir(&faq_dir).unwrap();
        write(&faq_dir, &entry("exosome", "First."));
        let (live, _) = LiveFaq::load(&faq_dir).unwrap();
        std::fs::remove_dir_all(&faq_dir).unwrap();
        let report = live.reload();
        assert!(!report.is_ok());
        assert!(report.diagnostics().iter().any(|d| d.is_error()));
        assert_eq!(live.engine().faq().entries[0].answer, "First.");
    }

    #[test]
    fn readers_never_see_a_mix_of_two_faqs() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &entry("exosome", "Version A."));
        let (live, _) = LiveFaq::load(dir.path()).unwrap();
        let live = Arc::new(live);
        let reloader = {
            let live = live.clone();
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let v = if i % 2 == 0 { "B" } else { "A" };
                    let both =
                        format!("{}\n{}", entry("exosome", &format!("Version {v}.")), entry("secretome", v));
                    write(&path, &both);
                    live.reload();
                }
            })
        };
        while !reloader.is_finished() {
            let engine = live.engine();
            let faq = engine.faq();
            // Within one FAQ every answer comes from the same version.
            if faq.entries.len() == 2 {
                let version = faq.entries[1].answer.clone();
                assert_eq!(faq.entries[0].answer, format!("Version {version}."));
            }
            let response = engine.ask("what is exosome");
            assert!(!response.ranked.is_empty());
        }
        reloader.join().unwrap();
    }
}
