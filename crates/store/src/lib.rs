//! What the community asks, stored in an embedded SQLite file or, when
//! several processes share one record, a PostgreSQL server: one row per
//! question handled, the normalised text of those the FAQ could not answer
//! confidently, and feedback votes (with a salted hash of the voter, never an
//! id). Moderators read it as gaps and stats.
//!
//! No async runtime: writes go through a bounded channel to one writer thread
//! ([`Recorder`]); reads open their own connection ([`open_read`]). Both go
//! through [`Db`], which hides which backend a [`Location`] names.

#![warn(missing_docs, unreachable_pub)]

mod db;
pub mod grouping;
pub mod postgres;
mod recorder;
pub mod report;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::OpenFlags;
use sha2::{Digest, Sha256};

use faqbot_core::engine::{Outcome, ReplyKind, Response};
use faqbot_core::faq::Faq;
use faqbot_core::safety::SafetyCategory;

pub use db::{insert_many, Db, Row, Value};
pub use recorder::{Counters, Recorder, RecorderOptions};

/// The default database file, relative to the working directory.
pub const DEFAULT_PATH: &str = "data/faqbot.sqlite3";
/// Question texts older than this many days are deleted (counts are kept).
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// A writer waits this long for a lock held by someone else before giving up
/// on a batch: long enough for a moderator's query, short enough that a stuck
/// lock costs only a few dropped records.
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(250);
/// Normalised question texts are cut to this many characters: enough to read
/// the question, and no room for pasted essays.
pub const MAX_TEXT_CHARS: usize = 300;

/// Why the database could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused: locked, corrupt, disk full, ...
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL server refused or could not be reached.
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// No random bytes for a new voter salt.
    #[error("cannot make a voter salt: {0}")]
    Salt(String),
    /// The folder for a new database could not be made.
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why it could not be made.
        source: std::io::Error,
    },
    /// The file was written by a newer faqbot, with migrations this one lacks.
    #[error("the database is at schema version {found}, but this faqbot knows only up to {known}: use a newer faqbot")]
    TooNew {
        /// The file's schema version.
        found: usize,
        /// The newest version this build knows ([`schema::CURRENT`]).
        known: usize,
    },
    /// There is no database file to read, or no faqbot tables in it (it holds the place).
    #[error("no database at {0}: the bot creates it on its first run")]
    Missing(String),
}

/// Where the record lives: an SQLite file, or a PostgreSQL server that
/// several processes can share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (created with its folder when the bot first writes).
    Sqlite(PathBuf),
    /// A `postgres://` (or `postgresql://`) URL.
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL names a server; anything else is a file path.
    pub fn parse(text: &str) -> Location {
        let lower = text.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(text.trim().to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Sqlite(path.to_path_buf())
    }
}

impl std::fmt::Display for Location {
    /// The path, or the URL with its password hidden: safe to log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&postgres::redact(url)),
        }
    }
}

/// One question the bot handled.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionRecord {
    /// Unix seconds.
    pub at: i64,
    /// The server it was asked in; `None` in direct messages.
    pub guild_id: Option<u64>,
    /// The channel it was asked in.
    pub channel_id: Option<u64>,
    /// Where it was asked.
    pub entry_point: EntryPoint,
    /// What the bot did.
    pub outcome: ReplyKind,
    /// For safety: which kind of help.
    pub category: Option<SafetyCategory>,
    /// The answered entry, for answers only.
    pub entry_id: Option<String>,
    /// The answer's confidence, else the best-ranked entry's (0 when nothing ranked).
    pub confidence: f32,
    /// The normalised question, for suggest and none only (see [`normalise`]).
    pub text: Option<String>,
}

/// How a question reached the bot; stored as "slash", "mention", "context" or "auto".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryPoint {
    /// The `/faq` command.
    Slash,
    /// A mention of the bot, or a reply to one of its messages.
    Mention,
    /// The *Answer with FAQ* message command.
    Context,
    /// A message in an auto-answer channel.
    Auto,
}

impl EntryPoint {
    /// The stored (and logged) name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryPoint::Slash => "slash",
            EntryPoint::Mention => "mention",
            EntryPoint::Context => "context",
            EntryPoint::Auto => "auto",
        }
    }
}

impl std::fmt::Display for EntryPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a question came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// How it reached the bot.
    pub entry_point: EntryPoint,
    /// The server; `None` in direct messages.
    pub guild_id: Option<u64>,
    /// The channel.
    pub channel_id: Option<u64>,
}

impl QuestionRecord {
    /// The row for `question`, answered from `faq` with `response`. The text is
    /// kept (normalised) only when the FAQ could not answer confidently.
    pub fn of(faq: &Faq, response: &Response, question: &str, place: Place) -> QuestionRecord {
        let (entry, confidence) = response.top();
        let category = match &response.outcome {
            Outcome::Safety { category, .. } => Some(*category),
            _ => None,
        };
        let keep_text = matches!(response.outcome, Outcome::Suggest(_) | Outcome::None);
        QuestionRecord {
            at: now(),
            guild_id: place.guild_id,
            channel_id: place.channel_id,
            entry_point: place.entry_point,
            outcome: response.outcome.kind(),
            category,
            entry_id: entry.map(|e| faq.entries[e].id.clone()),
            confidence,
            text: keep_text.then(|| normalise(question)),
        }
    }
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The stored form of a question: the analyzer's folding (case, accents,
/// emoji and punctuation gone), words joined by spaces, capped.
pub fn normalise(question: &str) -> String {
    let words = faqbot_core::text::fold_words(question).join(" ");
    faqbot_core::text::cap_chars(&words, MAX_TEXT_CHARS).to_string()
}

/// sha256(salt || voter id): the same voter gives the same hash in this
/// database, and the id cannot be read back.
pub fn voter_hash(salt: &[u8], voter: u64) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(voter.to_le_bytes());
    hasher.finalize().into()
}

/// Opens the database for writing, creating it if needed: an SQLite file
/// (and its folder) in WAL mode, or the tables on a Postgres server; migrations run.
pub fn open_write(location: &Location) -> Result<Db, StoreError> {
    match location {
        Location::Sqlite(path) => open_write_sqlite(path).map(Db::Sqlite),
        Location::Postgres(url) => {
            let mut client = postgres::connect(url)?;
            postgres::migrate_to(&mut client, postgres::CURRENT)?;
            Ok(Db::Postgres(Box::new(client)))
        }
    }
}

fn open_write_sqlite(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|source| StoreError::Folder { path: folder.display().to_string(), source })?;
    }
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    schema::migrate_to(&mut conn, schema::CURRENT)?;
    Ok(conn)
}

/// Opens an existing database for reading (moderators' gaps and stats).
pub fn open_read(location: &Location) -> Result<Db, StoreError> {
    match location {
        Location::Sqlite(path) => {
            if !path.exists() {
                return Err(StoreError::Missing(path.display().to_string()));
            }
            let conn = rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            let found = schema::version(&conn)?;
            if found > schema::CURRENT {
                return Err(StoreError::TooNew { found, known: schema::CURRENT });
            }
            Ok(Db::Sqlite(conn))
        }
        Location::Postgres(url) => {
            let mut client = postgres::connect(url)?;
            match postgres::version(&mut client)? {
                None => Err(StoreError::Missing(location.to_string())),
                Some(found) if found > postgres::CURRENT => {
                    Err(StoreError::TooNew { found, known: postgres::CURRENT })
                }
                Some(_) => Ok(Db::Postgres(Box::new(client))),
            }
        }
    }
}

/// The salt for voter hashes (made with the schema; one per database, so
/// every process writing to it hashes a voter alike).
pub fn voter_salt(db: &mut Db) -> Result<Vec<u8>, StoreError> {
    let rows = db.query("SELECT value FROM meta WHERE key = 'voter_salt'", &[])?;
    match rows.into_iter().next().and_then(|r| r.into_iter().next()) {
        Some(Value::Bytes(salt)) if !salt.is_empty() => Ok(salt),
        _ => Err(StoreError::Salt("the database has no voter salt".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_created_in_wal_mode_at_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/faqbot.sqlite3");
        let mut db = open_write(&Location::Sqlite(path.clone())).unwrap();
        assert!(path.exists());
        assert_eq!(voter_salt(&mut db).unwrap().len(), 16);
        let conn = db.sqlite().unwrap();
        assert_eq!(schema::version(conn).unwrap(), schema::CURRENT);
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn an_old_version_file_is_migrated_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, 1).unwrap();
            conn.execute(
                "INSERT INTO questions (at, entry_point, outcome, confidence, text) VALUES (1, 'slash', 'none', 0.1, 'hello')",
                [],
            )
            .unwrap();
        }
        let mut db = open_write(&Location::Sqlite(path)).unwrap();
        let conn = db.sqlite().unwrap();
        assert_eq!(schema::version(conn).unwrap(), schema::CURRENT);
        let (text, category): (String, Option<String>) = conn
            .query_row("SELECT text, category FROM questions", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((text.as_str(), category), ("hello", None));
    }

    #[test]
    fn a_newer_file_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let error = open_write(&Location::Sqlite(path)).err().unwrap();
        assert!(error.to_string().contains("version 99"), "{error}");
        let absent = Location::Sqlite(dir.path().join("absent.sqlite3"));
        assert!(open_read(&absent).err().unwrap().to_string().contains("first run"));
    }

    #[test]
    fn locations_are_files_unless_they_are_postgres_urls() {
        assert_eq!(Location::parse("data/x.sqlite3"), Location::Sqlite("data/x.sqlite3".into()));
        assert_eq!(Location::parse("postgres://h/db"), Location::Postgres("postgres://h/db".into()));
        assert_eq!(Location::parse("PostgreSQL://h/db"), Location::Postgres("PostgreSQL://h/db".into()));
        assert_eq!(Location::parse("postgres://u:pw@h/db").to_string(), "postgres://u:***@h/db");
    }

    #[test]
    fn voters_hash_apart_and_texts_are_normalised() {
        assert_ne!(voter_hash(b"salt", 1), voter_hash(b"salt", 2));
        assert_ne!(voter_hash(b"salt", 1), voter_hash(b"pepper", 1));
        assert_eq!(normalise("  Do EXOSOMES  help hair-loss?? 🙏"), "do exosomes help hair loss");
        assert_eq!(normalise(&"word ".repeat(500)).chars().count(), MAX_TEXT_CHARS);
    }
}
