//! Loading a FAQ folder: all or nothing.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::date::Date;
use super::model::Thresholds;
use super::model::{BotTexts, Entry, Faq, Source};
use super::raw;
use super::toml_file::TomlFile;
use super::validate::{self, Checker};
use crate::diagnostic::{Diagnostic, Kind, Location};
use crate::safety::SafetyConfig;
use crate::small_talk::SmallTalk;
use crate::text::Synonym;

/// The documents entries cite; the one file a FAQ folder must have.
pub const SOURCES_FILE: &str = "sources.toml";
/// The bot's texts, matching thresholds and topic words (optional: built-in otherwise).
pub const BOT_FILE: &str = "bot.toml";
/// Words that mean the same (optional: built-in otherwise).
pub const SYNONYMS_FILE: &str = "synonyms.toml";
/// The safety rules (optional: built-in otherwise).
pub const SAFETY_FILE: &str = "safety.toml";

/// The shipped texts, synonyms and safety rules, used when a folder lacks its own
/// (the benchmark banks do). The same files as in `faq/`, so defaults are tested.
const DEFAULT_BOT: &str = include_str!("../../../../faq/bot.toml");
const DEFAULT_SYNONYMS: &str = include_str!("../../../../faq/synonyms.toml");
const DEFAULT_SAFETY: &str = include_str!("../../../../faq/safety.toml");

/// A FAQ that loaded, and the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The FAQ, validated.
    pub faq: Faq,
    /// Problems that did not stop the load, sorted by file and position.
    pub warnings: Vec<Diagnostic>,
}

/// A FAQ folder that did not load: every problem found, errors and warnings.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// Errors first, then warnings, each sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// The errors alone, without the warnings.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<&Diagnostic> = self.errors().collect();
        write!(f, "the FAQ has {} error(s)", errors.len())?;
        for d in errors {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Loads and validates `dir`, judging review dates against today.
pub fn load_dir(dir: &Path) -> Result<Loaded, LoadError> {
    load_dir_as_of(dir, Date::today())
}

/// Loads and validates `dir`; `today` decides which reviews are stale.
pub fn load_dir_as_of(dir: &Path, today: Date) -> Result<Loaded, LoadError> {
    let mut diags = Vec::new();
    let faq = Loader { dir, today, diags: &mut diags }.run();
    diags.sort_by(|a, b| {
        (a.severity, &a.location.file, a.location.line, a.location.column).cmp(&(
            b.severity,
            &b.location.file,
            b.location.line,
            b.location.column,
        ))
    });
    match faq {
        Some(faq) if !diags.iter().any(Diagnostic::is_error) => Ok(Loaded { faq, warnings: diags }),
        _ => Err(LoadError { diagnostics: diags }),
    }
}

struct Loader<'a> {
    dir: &'a Path,
    today: Date,
    diags: &'a mut Vec<Diagnostic>,
}

impl Loader<'_> {
    fn run(mut self) -> Option<Faq> {
        let files = self.list_files()?;
        let find = |name: &str| files.iter().find(|p| p.file_name().is_some_and(|n| n == name));

        let sources = match find(SOURCES_FILE) {
            Some(path) => self.read(path).map(|f| self.sources(&f)).unwrap_or_default(),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Kind::MissingFile,
                        Location::start_of(&self.dir.join(SOURCES_FILE)),
                        "the FAQ folder has no sources.toml",
                    )
                    .with_hint("create sources.toml with a [[source]] table for each document entries cite"),
                );
                Vec::new()
            }
        };
        // A broken optional file is reported and loading goes on, so every
        // problem of the folder shows in one run.
        let bot_path = find(BOT_FILE);
        let BotParts { texts, settings, topic_words, small_talk } =
            self.optional(bot_path, BOT_FILE, DEFAULT_BOT, Self::bot).unwrap_or_default();
        // The built-in bot.toml names the shipped FAQ's topic words; a folder
        // without its own bot.toml is about something else, so its topic words
        // are worked out from its entries.
        let topic_words = if bot_path.is_some() { topic_words } else { Vec::new() };
        let synonyms = self
            .optional(find(SYNONYMS_FILE), SYNONYMS_FILE, DEFAULT_SYNONYMS, Self::synonyms)
            .unwrap_or_default();
        let safety = self.optional(find(SAFETY_FILE), SAFETY_FILE, DEFAULT_SAFETY, Self::safety).flatten();

        let source_ids: HashMap<String, usize> =
            sources.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: HashMap<String, Location> = HashMap::new();
        let special = [SOURCES_FILE, BOT_FILE, SYNONYMS_FILE, SAFETY_FILE];
        for path in files.iter().filter(|p| !special.iter().any(|s| p.file_name().is_some_and(|n| n == *s))) {
            let Some(file) = self.read(path) else { continue };
            for (one, base) in file.parse_tables::<raw::EntriesFile>("entry", self.diags) {
                for raw in &one.entry {
                    let mut c = Checker { file: &file, base, diags: self.diags };
                    let place = c.at(&raw.get_ref().id);
                    let id = raw.get_ref().id.get_ref().clone();
                    if let Some(first) = seen.get(&id) {
                        c.diags.push(
                            Diagnostic::error(
                                Kind::DuplicateId,
                                place.clone(),
                                format!("duplicate entry id {id:?}, first used at {first}"),
                            )
                            .with_hint("give one of the two entries another id"),
                        );
                    } else {
                        seen.insert(id, place);
                    }
                    if let Some(entry) =
                        validate::entry(&mut c, raw, &sources, &source_ids, self.today.one_year_before())
                    {
                        entries.push(entry);
                    }
                }
            }
        }
        if let Some(safety) = &safety {
            self.diags.extend(validate::examples_not_key_texts(safety, &entries));
        }
        if entries.is_empty() && !self.diags.iter().any(Diagnostic::is_error) {
            self.diags.push(
                Diagnostic::error(
                    Kind::NoEntries,
                    Location::start_of(self.dir),
                    "the FAQ folder has no entries",
                )
                .with_hint("add a .toml file with [[entry]] tables (see the README)"),
            );
        }
        Some(Faq {
            dir: self.dir.to_path_buf(),
            entries,
            sources,
            texts: texts?,
            synonyms,
            safety: safety?,
            thresholds: settings,
            small_talk,
            topic_words,
        })
    }

    /// The folder's `.toml` files, sorted by name (hidden files and folders skipped).
    fn list_files(&mut self) -> Option<Vec<PathBuf>> {
        let listing = match std::fs::read_dir(self.dir) {
            Ok(listing) => listing,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        Kind::Io,
                        Location::start_of(self.dir),
                        format!("cannot read the FAQ folder: {e}"),
                    )
                    .with_hint("pass the folder that holds sources.toml and the entry files"),
                );
                return None;
            }
        };
        let mut files = Vec::new();
        for item in listing.flatten() {
            let path = item.path();
            let name = item.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || !name.ends_with(".toml") {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => files.push(path),
                Ok(_) => {}
                Err(e) => self.diags.push(
                    Diagnostic::error(Kind::Io, Location::start_of(&path), format!("cannot read file: {e}"))
                        .with_hint("a broken link or a link loop? replace it with the file itself"),
                ),
            }
        }
        files.sort();
        Some(files)
    }

    fn read(&mut self, path: &Path) -> Option<TomlFile> {
        TomlFile::read(path).map_err(|d| self.diags.push(d)).ok()
    }

    /// Reads an optional file, or the built-in default with a warning.
    fn optional<T>(
        &mut self,
        path: Option<&PathBuf>,
        name: &str,
        default: &str,
        parse: fn(&mut Self, &TomlFile) -> Option<T>,
    ) -> Option<T> {
        match path {
            Some(path) => {
                let file = self.read(path)?;
                parse(self, &file)
            }
            None => {
                self.diags.push(
                    Diagnostic::warning(
                        Kind::DefaultUsed,
                        Location::start_of(&self.dir.join(name)),
                        format!("no {name} in the FAQ folder: using the built-in one"),
                    )
                    .with_hint(format!("copy faq/{name} from the repository to edit it")),
                );
                let file = TomlFile::from_text(Path::new(&format!("<built-in {name}>")), default.to_string());
                parse(self, &file)
            }
        }
    }

    fn sources(&mut self, file: &TomlFile) -> Vec<Source> {
        let mut out: Vec<Source> = Vec::new();
        for (one, base) in file.parse_tables::<raw::SourcesFile>("source", self.diags) {
            for raw in &one.source {
                let mut c = Checker { file, base, diags: self.diags };
                let Some(source) = validate::source(&mut c, raw.get_ref()) else { continue };
                if let Some(first) = out.iter().find(|s| s.id == source.id) {
                    self.diags.push(
                        Diagnostic::error(
                            Kind::DuplicateId,
                            source.place.clone(),
                            format!("duplicate source id {:?}, first used at {}", source.id, first.place),
                        )
                        .with_hint("give one of the two sources another id"),
                    );
                    continue;
                }
                out.push(source);
            }
        }
        out
    }

    fn bot(&mut self, file: &TomlFile) -> Option<BotParts> {
        let raw: raw::BotFile = file.parse_whole(self.diags)?;
        let mut c = Checker { file, base: 0, diags: self.diags };
        Some(BotParts {
            texts: validate::bot_texts(&mut c, &raw, &fallback_texts()),
            settings: validate::settings(&mut c, &raw.matching),
            topic_words: validate::topic_words(&mut c, &raw.matching),
            small_talk: validate::small_talk(&mut c, &raw.small_talk),
        })
    }

    fn synonyms(&mut self, file: &TomlFile) -> Option<Vec<Synonym>> {
        let mut out = Vec::new();
        for (one, base) in file.parse_tables::<raw::SynonymsFile>("synonym", self.diags) {
            for raw in &one.synonym {
                let mut c = Checker { file, base, diags: self.diags };
                out.extend(validate::synonym(&mut c, raw.get_ref()));
            }
        }
        Some(out)
    }

    fn safety(&mut self, file: &TomlFile) -> Option<Option<SafetyConfig>> {
        let raw: raw::SafetyFile = file.parse_whole(self.diags)?;
        let mut c = Checker { file, base: 0, diags: self.diags };
        Some(validate::safety(&mut c, &raw))
    }
}

/// Texts for keys that bot.toml leaves out.
/// What bot.toml holds, validated (texts `None` when they were broken).
#[derive(Default)]
struct BotParts {
    texts: Option<BotTexts>,
    settings: Thresholds,
    topic_words: Vec<String>,
    small_talk: SmallTalk,
}

fn fallback_texts() -> BotTexts {
    BotTexts {
        disclaimer: String::new(),
        no_answer: "I don't have an FAQ answer for that.".into(),
        suggest_intro: "I'm not sure which question you mean. Did you mean:".into(),
    }
}
