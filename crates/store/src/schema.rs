//! The database schema, as numbered migrations. `PRAGMA user_version` holds
//! the number of migrations applied; each runs once, in its own transaction.

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only:
/// never edit one that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: questions handled, feedback votes, and the salt for voter hashes.
    "CREATE TABLE questions (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,   -- unix seconds
        guild_id    INTEGER,
        channel_id  INTEGER,
        entry_point TEXT NOT NULL,      -- slash, mention, context, auto
        outcome     TEXT NOT NULL,      -- answer, suggest, none, safety
        entry_id    TEXT,               -- the answered entry
        confidence  REAL NOT NULL,
        text        TEXT                -- normalised question, suggest and none only
    );
    CREATE INDEX questions_at ON questions (at);
    CREATE TABLE votes (
        message_id  INTEGER NOT NULL,
        voter_hash  BLOB NOT NULL,      -- sha256(salt || user id): one vote per voter, no id kept
        entry_id    TEXT NOT NULL,
        helpful     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (message_id, voter_hash)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    INSERT INTO meta (key, value) VALUES ('voter_salt', randomblob(16));",
    // 2: the safety category, and an index for per-outcome counts.
    "ALTER TABLE questions ADD COLUMN category TEXT;
    CREATE INDEX questions_outcome_at ON questions (outcome, at);",
];

/// The schema version this build writes.
pub const CURRENT: usize = MIGRATIONS.len();

/// The file's schema version: the number of migrations applied to it.
pub fn version(conn: &Connection) -> Result<usize, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// Applies the migrations the file lacks, up to `target`.
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > CURRENT {
        return Err(StoreError::TooNew { found, known: CURRENT });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
