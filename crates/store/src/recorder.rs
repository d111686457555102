//! The writer: records arrive through a bounded channel and one thread writes
//! them in batched transactions. Sending never blocks and never fails a reply:
//! when the channel is full, or the database is unavailable (locked, disk
//! full, deleted, a Postgres server down or its connection lost), records are
//! dropped and counted, the problem is logged at most once per
//! [`ERROR_LOG_EVERY`], and recording resumes by itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use faqbot_core::safety::SafetyCategory;

use super::db::{insert_many, Db, Value};
use super::{now, open_write, voter_hash, voter_salt, Location, QuestionRecord, StoreError};

/// Records waiting for the writer at most. At the bot's few questions a
/// second this is minutes of backlog; past it, records are dropped, not queued.
pub(crate) const CHANNEL_CAPACITY: usize = 10_000;
/// Records written in one transaction at most (and one statement per table:
/// 500 rows of 9 values stay far under both backends' limit on parameters).
pub(crate) const MAX_BATCH: usize = 500;
/// A database problem is logged at most this often.
pub(crate) const ERROR_LOG_EVERY: Duration = Duration::from_secs(60);
/// Old question texts are deleted this often (and at start-up).
pub(crate) const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Where the recorder writes, and how long it keeps question texts.
#[derive(Debug, Clone)]
pub struct RecorderOptions {
    /// The SQLite file (created, with its folder, if missing) or Postgres server.
    pub location: Location,
    /// Question texts older than this many days are deleted; counts are kept.
    pub retention_days: u32,
}

/// What the recorder did, for logs and `/faq-stats`.
#[derive(Debug, Default)]
pub struct Counters {
    /// Records written to the database.
    pub written: AtomicU64,
    /// Dropped because the channel was full.
    pub dropped_full: AtomicU64,
    /// Dropped because the database could not be written.
    pub dropped_unavailable: AtomicU64,
}

impl Counters {
    /// Records dropped, for either reason.
    pub fn dropped(&self) -> u64 {
        self.dropped_full.load(Ordering::Relaxed) + self.dropped_unavailable.load(Ordering::Relaxed)
    }
}

/// A vote on its way to the writer, which hashes the voter with the
/// database's salt before anything is written.
struct Vote {
    at: i64,
    message_id: u64,
    voter: u64,
    entry_id: String,
    helpful: bool,
}

enum Message {
    Question(QuestionRecord),
    Vote(Vote),
    /// Answered once everything sent before it has been handled (tests, shutdown).
    Flush(mpsc::Sender<()>),
    /// Run retention now (tests).
    Purge(i64, mpsc::Sender<usize>),
}

/// The sending side: cheap to clone, never blocks.
#[derive(Clone)]
pub struct Recorder {
    tx: SyncSender<Message>,
    counters: Arc<Counters>,
}

impl Recorder {
    /// Starts the writer thread, which opens the database (creating it). If
    /// it cannot be opened now, the writer keeps trying with each batch, and
    /// the error is returned beside the recorder so the caller can log it.
    /// Waits for that first attempt (a Postgres server that does not answer:
    /// up to its connect timeout).
    pub fn start(options: RecorderOptions) -> (Recorder, Option<StoreError>) {
        let (tx, rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
        let counters = Arc::new(Counters::default());
        let (opened_tx, opened_rx) = mpsc::channel();
        let mut writer = Writer {
            location: options.location,
            retention_days: options.retention_days,
            conn: None,
            counters: counters.clone(),
            failing_since: None,
            last_error_log: None,
        };
        let spawned = std::thread::Builder::new().name("faqbot-store".into()).spawn(move || {
            let first = writer.connection().err();
            if first.is_some() {
                writer.failing_since = Some(Instant::now());
            }
            let _ = opened_tx.send(first);
            writer.run(rx)
        });
        let error = match spawned {
            Ok(_) => opened_rx.recv().unwrap_or(None),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the store writer; nothing will be recorded");
                None
            }
        };
        (Recorder { tx, counters }, error)
    }

    /// Queues a handled question for the writer; never blocks (dropped and counted if it cannot be queued).
    pub fn question(&self, record: QuestionRecord) {
        self.send(Message::Question(record));
    }

    /// Records a vote. The voter's id goes only to the writer thread, which
    /// stores a salted hash of it ([`voter_hash`]), never the id.
    pub fn vote(&self, message_id: u64, voter: u64, entry_id: &str, helpful: bool) {
        self.send(Message::Vote(Vote { at: now(), message_id, voter, entry_id: entry_id.into(), helpful }));
    }

    fn send(&self, message: Message) {
        match self.tx.try_send(message) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.counters.dropped_full.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.counters.dropped_unavailable.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// What has been written and dropped so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Waits (blocking) until everything sent so far has been written or dropped.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// Deletes question texts older than `days` as of `now` (unix seconds);
    /// returns how many were deleted. Blocking; the schedule does this by itself.
    pub fn purge_now(&self, at: i64) -> usize {
        let (done, wait) = mpsc::channel();
        if self.tx.send(Message::Purge(at, done)).is_ok() {
            return wait.recv().unwrap_or(0);
        }
        0
    }
}

struct Writer {
    location: Location,
    retention_days: u32,
    /// The open database, with its voter salt.
    conn: Option<(Db, Vec<u8>)>,
    counters: Arc<Counters>,
    failing_since: Option<Instant>,
    last_error_log: Option<Instant>,
}

impl Writer {
    fn run(mut self, rx: Receiver<Message>) {
        let mut last_purge: Option<Instant> = None;
        loop {
            if last_purge.is_none_or(|t| t.elapsed() >= RETENTION_EVERY) {
                self.purge(now());
                last_purge = Some(Instant::now());
            }
            let first = match rx.recv_timeout(RETENTION_EVERY) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
            let mut records = Vec::with_capacity(batch.len());
            let mut flushes = Vec::new();
            for m in batch {
                match m {
                    Message::Flush(done) => flushes.push(done),
                    Message::Purge(at, done) => {
                        self.write(std::mem::take(&mut records));
                        let _ = done.send(self.purge(at));
                    }
                    record => records.push(record),
                }
            }
            self.write(records);
            for done in flushes {
                let _ = done.send(());
            }
        }
    }

    /// The connection, reopened when there is none, the SQLite file was
    /// deleted, or the Postgres server closed it.
    fn connection(&mut self) -> Result<&mut (Db, Vec<u8>), StoreError> {
        let gone = match (&self.conn, &self.location) {
            (Some(_), Location::Sqlite(path)) => !path.exists(),
            (Some((db, _)), Location::Postgres(_)) => db.is_closed(),
            (None, _) => false,
        };
        if gone {
            self.conn = None;
        }
        if self.conn.is_none() {
            let mut db = open_write(&self.location)?;
            let salt = voter_salt(&mut db)?;
            self.conn = Some((db, salt));
        }
        Ok(self.conn.as_mut().expect("opened above"))
    }

    fn write(&mut self, records: Vec<Message>) {
        if records.is_empty() {
            return;
        }
        let n = records.len() as u64;
        let result = self.connection().and_then(|(db, salt)| db.in_transaction(&statements(&records, salt)));
        match result {
            Ok(()) => {
                self.counters.written.fetch_add(n, Ordering::Relaxed);
                if let Some(since) = self.failing_since.take() {
                    tracing::info!(
                        after_s = since.elapsed().as_secs(),
                        dropped = self.counters.dropped(),
                        "the database is back; recording again"
                    );
                }
            }
            Err(error) => {
                self.counters.dropped_unavailable.fetch_add(n, Ordering::Relaxed);
                // Reopen next time: the file may have been replaced or fixed, the server restarted.
                self.conn = None;
                self.failing_since.get_or_insert_with(Instant::now);
                if self.last_error_log.is_none_or(|t| t.elapsed() >= ERROR_LOG_EVERY) {
                    self.last_error_log = Some(Instant::now());
                    tracing::warn!(
                        %error,
                        database = %self.location,
                        dropped = self.counters.dropped(),
                        "cannot record to the database; answering goes on, records are dropped"
                    );
                }
            }
        }
    }

    fn purge(&mut self, at: i64) -> usize {
        let cutoff = super::report::since(at, self.retention_days);
        let result = self.connection().and_then(|(db, _)| {
            db.execute(
                "UPDATE questions SET text = NULL WHERE text IS NOT NULL AND at < ?1",
                &[cutoff.into()],
            )
        });
        match result {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(deleted = n, days = self.retention_days, "old question texts deleted");
                }
                n as usize
            }
            Err(error) => {
                tracing::warn!(%error, "cannot delete old question texts; will try again");
                0
            }
        }
    }
}

const QUESTION_COLUMNS: &str =
    "questions (at, guild_id, channel_id, entry_point, outcome, category, entry_id, confidence, text)";
const VOTE_COLUMNS: &str = "votes (message_id, voter_hash, entry_id, helpful, at)";

/// One multi-row insert per table for a batch of records; a voter's second
/// vote on a message is ignored (the first one counts).
fn statements(records: &[Message], salt: &[u8]) -> Vec<(String, Vec<Value>)> {
    let mut questions: Vec<Value> = Vec::new();
    let mut votes: Vec<Value> = Vec::new();
    for record in records {
        match record {
            Message::Question(q) => questions.extend([
                q.at.into(),
                q.guild_id.map(|g| g as i64).into(),
                q.channel_id.map(|c| c as i64).into(),
                q.entry_point.as_str().into(),
                q.outcome.as_str().into(),
                q.category.map(SafetyCategory::as_str).into(),
                q.entry_id.clone().into(),
                f64::from(q.confidence).into(),
                q.text.clone().into(),
            ]),
            Message::Vote(v) => votes.extend([
                (v.message_id as i64).into(),
                Value::Bytes(voter_hash(salt, v.voter).to_vec()),
                v.entry_id.as_str().into(),
                i64::from(v.helpful).into(),
                v.at.into(),
            ]),
            Message::Flush(_) | Message::Purge(..) => {}
        }
    }
    let mut out = Vec::new();
    if !questions.is_empty() {
        out.push((insert_many(QUESTION_COLUMNS, 9, questions.len() / 9, ""), questions));
    }
    if !votes.is_empty() {
        out.push((insert_many(VOTE_COLUMNS, 5, votes.len() / 5, "ON CONFLICT DO NOTHING"), votes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntryPoint, Location};
    use faqbot_core::engine::ReplyKind;
    use rusqlite::Connection;
    use std::path::Path;

    const SECONDS_PER_DAY: i64 = 86_400;

    fn question(at: i64, outcome: ReplyKind, text: Option<&str>) -> QuestionRecord {
        QuestionRecord {
            at,
            guild_id: Some(1),
            channel_id: Some(2),
            entry_point: EntryPoint::Slash,
            outcome,
            category: None,
            entry_id: None,
            confidence: 0.2,
            text: text.map(str::to_string),
        }
    }

    fn count(path: &Path, sql: &str) -> i64 {
        Connection::open(path).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn records_are_written_and_duplicate_votes_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let (recorder, error) =
            Recorder::start(RecorderOptions { location: Location::Sqlite(path.clone()), retention_days: 90 });
        assert!(error.is_none());
        for i in 0..1200 {
            recorder.question(question(now() - i, ReplyKind::None, Some("do exosomes help hair loss")));
        }
        recorder.vote(10, 42, "exosome-size", true);
        recorder.vote(10, 42, "exosome-size", false);
        recorder.vote(10, 43, "exosome-size", false);
        recorder.flush();
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions"), 1200);
        assert_eq!(count(&path, "SELECT COUNT(*) FROM votes"), 2, "one vote per voter per message");
        assert_eq!(count(&path, "SELECT COUNT(*) FROM votes WHERE voter_hash = X'2a'"), 0);
        assert_eq!(recorder.counters().dropped(), 0);
    }

    #[test]
    fn retention_deletes_old_texts_and_keeps_the_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let (recorder, _) =
            Recorder::start(RecorderOptions { location: Location::Sqlite(path.clone()), retention_days: 90 });
        let today = now();
        recorder.question(question(today - 91 * SECONDS_PER_DAY, ReplyKind::None, Some("old question")));
        recorder.question(question(
            today - 89 * SECONDS_PER_DAY,
            ReplyKind::Suggest,
            Some("recent question"),
        ));
        recorder.question(question(today, ReplyKind::None, Some("new question")));
        assert_eq!(recorder.purge_now(today), 1);
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions"), 3, "counts kept");
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions WHERE text IS NOT NULL"), 2);
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions WHERE text = 'old question'"), 0);
    }

    #[test]
    fn a_locked_or_deleted_database_drops_and_counts_then_recording_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let (recorder, _) =
            Recorder::start(RecorderOptions { location: Location::Sqlite(path.clone()), retention_days: 90 });
        recorder.question(question(now(), ReplyKind::None, Some("first")));
        recorder.flush();

        // Someone holds the write lock: records are dropped, counted, and sending never blocks.
        let locker = Connection::open(&path).unwrap();
        locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let sent = Instant::now();
        for _ in 0..5 {
            recorder.question(question(now(), ReplyKind::None, Some("while locked")));
        }
        assert!(sent.elapsed() < Duration::from_millis(100), "sending does not wait for the database");
        recorder.flush();
        assert_eq!(recorder.counters().dropped_unavailable.load(Ordering::Relaxed), 5);
        locker.execute_batch("COMMIT").unwrap();
        drop(locker);

        recorder.question(question(now(), ReplyKind::None, Some("after unlock")));
        recorder.flush();
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions WHERE text = 'after unlock'"), 1);

        // The file deleted: a new one is made and recording goes on.
        std::fs::remove_file(&path).unwrap();
        let _ = std::fs::remove_file(path.with_extension("sqlite3-wal"));
        let _ = std::fs::remove_file(path.with_extension("sqlite3-shm"));
        recorder.question(question(now(), ReplyKind::None, Some("after delete")));
        recorder.flush();
        assert!(path.exists());
        assert_eq!(count(&path, "SELECT COUNT(*) FROM questions WHERE text = 'after delete'"), 1);
    }
}
