//! The store on both backends, one table of tests: an SQLite file, and a real
//! PostgreSQL server named by `FAQBOT_TEST_DATABASE_URL` (each test gets a
//! fresh database on it, dropped after). `.ci/run` starts a throwaway server;
//! by hand: `export FAQBOT_TEST_DATABASE_URL=$(scripts/throwaway_postgres.sh start)`.
//! With CI=true a missing or unreachable server fails these tests; outside CI
//! the Postgres half is skipped with one line on stderr.
//!
//! Then two `faqbot serve` processes, one shard each, sharing one Postgres.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use faqbot_core::engine::ReplyKind;
use faqbot_store::{self as store, report, EntryPoint, Location, QuestionRecord, Recorder, RecorderOptions};
use serde_json::json;

use crate::bot::*;
use crate::fake_discord::*;
use crate::store::{faqbot, moderator};
use crate::support::*;

/// The variable naming the test server's URL (its database part is replaced per test).
pub const URL_VAR: &str = "FAQBOT_TEST_DATABASE_URL";

/// A database for one test, removed when dropped.
pub struct TestDb {
    location: Location,
    /// SQLite: the folder holding the file.
    _dir: Option<tempfile::TempDir>,
    /// Postgres: the server's URL and the test database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl TestDb {
    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("faqbot.sqlite3"));
        TestDb { location, _dir: Some(dir), postgres: None }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// "sqlite" or "postgres", for failure messages.
    pub fn name(&self) -> &'static str {
        if matches!(self.location, Location::Postgres(_)) {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// What `--db` takes for it.
    fn arg(&self) -> String {
        match &self.location {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => url.clone(),
        }
    }

    /// Marks the schema as written by a newer faqbot.
    fn set_schema_version(&self, version: i64) {
        match &self.location {
            Location::Sqlite(path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .pragma_update(None, "user_version", version)
                    .unwrap();
            }
            Location::Postgres(url) => {
                let mut client = store::postgres::connect(url).unwrap();
                client.execute("UPDATE faqbot_schema SET version = $1", &[&version]).unwrap();
            }
        }
    }

    /// Makes the database unwritable until the returned outage is ended:
    /// SQLite, another connection holds the write lock; Postgres, the
    /// database refuses connections and the bot's is cut.
    fn outage(&self) -> Outage {
        match (&self.location, &self.postgres) {
            (Location::Sqlite(path), _) => {
                let locker = rusqlite::Connection::open(path).unwrap();
                locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
                Outage::Sqlite(locker)
            }
            (Location::Postgres(_), Some((admin, name))) => {
                let mut client = store::postgres::connect(admin).unwrap();
                client.batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).unwrap();
                client
                    .execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                        &[name],
                    )
                    .unwrap();
                Outage::Postgres(Box::new(client), name.clone())
            }
            _ => unreachable!("a Postgres test database knows its server"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // On a thread of its own: the blocking client cannot run on an async test's runtime.
            let dropped = std::thread::spawn(move || {
                if let Ok(mut client) = store::postgres::connect(&admin) {
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            });
            let _ = dropped.join();
        }
    }
}

enum Outage {
    Sqlite(rusqlite::Connection),
    Postgres(Box<store::postgres::Client>, String),
}

impl Outage {
    fn end(self) {
        match self {
            Outage::Sqlite(locker) => locker.execute_batch("COMMIT").unwrap(),
            Outage::Postgres(mut client, name) => {
                client.batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).unwrap()
            }
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The test server's URL; `None` outside CI when there is none (said once,
/// on stderr, past the test harness's capture). In CI its absence fails.
fn postgres_server() -> Option<String> {
    static SAID: std::sync::Once = std::sync::Once::new();
    let problem = match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => match store::postgres::connect(&url) {
            Ok(_) => return Some(url),
            Err(e) => format!("{URL_VAR} is set but the server cannot be reached: {e}"),
        },
        _ => format!("{URL_VAR} is not set"),
    };
    assert!(
        !in_ci(),
        "CI=true needs a Postgres server for the store tests, and {problem} (.ci/run starts one)"
    );
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "note: the Postgres store tests are skipped: {problem} (export {URL_VAR}=$(scripts/throwaway_postgres.sh start))"
        );
    });
    None
}

/// A fresh, empty database on the test server, or `None` (see [`postgres_server`]).
pub fn fresh_postgres() -> Option<TestDb> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let admin = postgres_server()?;
    let name = format!("faqbot_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    let mut client = store::postgres::connect(&admin).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base =
        admin.split('?').next().unwrap().rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_string();
    let location = Location::Postgres(format!("{base}/{name}"));
    Some(TestDb { location, _dir: None, postgres: Some((admin, name)) })
}

/// Every backend this run can test: SQLite always, Postgres when there is a server.
fn backends() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite()];
    out.extend(fresh_postgres());
    out
}

fn recorder(db: &TestDb) -> Recorder {
    let options = RecorderOptions { location: db.location().clone(), retention_days: 90 };
    let (recorder, error) = Recorder::start(options);
    assert!(error.is_none(), "{}: {error:?}", db.name());
    recorder
}

fn question(at: i64, outcome: ReplyKind, text: Option<&str>) -> QuestionRecord {
    QuestionRecord {
        at,
        guild_id: Some(u64::MAX - 1),
        channel_id: Some(2),
        entry_point: EntryPoint::Slash,
        outcome,
        category: None,
        entry_id: (outcome == ReplyKind::Answer).then(|| "exosome-size".to_string()),
        confidence: 0.25,
        text: text.map(store::normalise),
    }
}

fn number(db: &TestDb, sql: &str) -> i64 {
    let mut conn = store::open_read(db.location()).unwrap();
    conn.query(sql, &[]).unwrap()[0][0].int()
}

#[test]
fn records_are_written_alike_and_a_second_vote_counts_once() {
    for db in backends() {
        let recorder = recorder(&db);
        let now = store::now();
        for i in 0..1200 {
            recorder.question(question(now - i, ReplyKind::None, Some("Do exosomes help hair-loss?")));
        }
        recorder.vote(10, 42, "exosome-size", true);
        recorder.vote(10, 42, "exosome-size", false);
        recorder.vote(10, 43, "exosome-size", false);
        recorder.flush();
        let name = db.name();
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions"), 1200, "{name}");
        assert_eq!(number(&db, "SELECT COUNT(*) FROM votes"), 2, "{name}: one vote per voter per message");
        assert_eq!(
            number(&db, "SELECT CAST(SUM(helpful) AS BIGINT) FROM votes"),
            1,
            "{name}: the first vote counts"
        );
        let mut conn = store::open_read(db.location()).unwrap();
        let row =
            &conn.query("SELECT guild_id, text, voter_hash FROM votes, questions LIMIT 1", &[]).unwrap()[0];
        assert_eq!(row[0], store::Value::Int((u64::MAX - 1) as i64), "{name}: ids past i64 round-trip");
        assert_eq!(row[1].text(), Some("do exosomes help hair loss"), "{name}");
        assert!(matches!(&row[2], store::Value::Bytes(h) if h.len() == 32), "{name}: a hash, not an id");
        assert_eq!(recorder.counters().dropped(), 0, "{name}");
    }
}

#[test]
fn two_writers_on_one_database_hash_a_voter_alike() {
    for db in backends() {
        // Two bot processes: each its own recorder, one database, one salt.
        let (first, second) = (recorder(&db), recorder(&db));
        first.vote(20, 7, "exosome-size", true);
        first.flush();
        second.vote(20, 7, "exosome-size", false);
        second.vote(20, 8, "exosome-size", false);
        first.question(question(store::now(), ReplyKind::Answer, None));
        second.question(question(store::now(), ReplyKind::Answer, None));
        first.flush();
        second.flush();
        let name = db.name();
        assert_eq!(
            number(&db, "SELECT COUNT(*) FROM votes"),
            2,
            "{name}: voter 7 counted once across writers"
        );
        let mut conn = store::open_read(db.location()).unwrap();
        let stats = report::stats(&mut conn, store::now(), 30, 10).unwrap();
        assert_eq!(stats.questions, 2, "{name}");
    }
}

#[test]
fn retention_deletes_old_texts_and_keeps_the_counts() {
    const DAY: i64 = 86_400;
    for db in backends() {
        let recorder = recorder(&db);
        let today = store::now();
        recorder.question(question(today - 91 * DAY, ReplyKind::None, Some("old question")));
        recorder.question(question(today - 89 * DAY, ReplyKind::Suggest, Some("recent question")));
        recorder.question(question(today, ReplyKind::None, Some("new question")));
        let name = db.name();
        assert_eq!(recorder.purge_now(today), 1, "{name}");
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions"), 3, "{name}: counts kept");
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions WHERE text IS NOT NULL"), 2, "{name}");
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions WHERE text = 'old question'"), 0, "{name}");
    }
}

#[test]
fn gaps_and_stats_read_alike_from_the_library_and_the_cli() {
    for db in backends() {
        let recorder = recorder(&db);
        let now = store::now();
        for text in
            ["Can exosomes help with hair loss?", "do exosomes help with hair loss", "is it legal, in the UK"]
        {
            recorder.question(question(now - 5, ReplyKind::None, Some(text)));
        }
        recorder.question(question(now - 5, ReplyKind::Suggest, Some("exosomes for hair loss?")));
        recorder.question(question(now - 5, ReplyKind::Answer, None));
        for voter in 0..4 {
            recorder.vote(1, voter, "exosome-size", voter == 0);
        }
        recorder.flush();
        let name = db.name();
        let mut conn = store::open_read(db.location()).unwrap();
        let analyzer = faqbot_core::text::Analyzer::default();
        let gaps = report::gaps(&mut conn, &analyzer, now, 30, 10).unwrap();
        let summary: Vec<(u64, u64, &str)> =
            gaps.groups.iter().map(|g| (g.count, g.unanswered, g.example.as_str())).collect();
        assert_eq!(gaps.questions, 4, "{name}");
        assert_eq!(summary[0].0, 3, "{name}: the hair-loss group: {summary:?}");
        assert_eq!(summary[0].1, 2, "{name}: {summary:?}");
        let stats = report::stats(&mut conn, now, 30, 10).unwrap();
        assert_eq!(stats.questions, 5, "{name}");
        assert_eq!(stats.top_entries[0].key, "exosome-size", "{name}");
        assert_eq!((stats.worst_rated[0].helpful, stats.worst_rated[0].votes), (1, 4), "{name}");

        let (ok, out, err) = faqbot(&["stats", "--db", &db.arg(), "--json"]);
        assert!(ok, "{name}: {err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["questions"], 5, "{name}");
        let (ok, out, err) = faqbot(&["gaps", "--db", &db.arg()]);
        assert!(ok && out.contains("3x"), "{name}: {out}{err}");
    }
}

#[test]
fn a_newer_schema_is_refused_and_an_empty_database_is_explained() {
    for db in backends() {
        let name = db.name();
        let missing = store::open_read(db.location()).err().expect("nothing recorded yet");
        assert!(missing.to_string().contains("first run"), "{name}: {missing}");
        drop(store::open_write(db.location()).unwrap());
        db.set_schema_version(99);
        let error = store::open_write(db.location()).err().expect("refused");
        assert!(error.to_string().contains("version 99"), "{name}: {error}");
        let error = store::open_read(db.location()).err().expect("refused");
        assert!(error.to_string().contains("version 99"), "{name}: {error}");
    }
}

#[test]
fn an_outage_drops_and_counts_then_recording_resumes() {
    for db in backends() {
        let name = db.name();
        let recorder = recorder(&db);
        recorder.question(question(store::now(), ReplyKind::None, Some("before")));
        recorder.flush();
        let outage = db.outage();
        let sent = Instant::now();
        for _ in 0..3 {
            recorder.question(question(store::now(), ReplyKind::None, Some("during")));
        }
        assert!(sent.elapsed() < Duration::from_millis(100), "{name}: sending never waits on the database");
        recorder.flush();
        assert_eq!(recorder.counters().dropped(), 3, "{name}: dropped and counted, not queued");
        outage.end();
        recorder.question(question(store::now(), ReplyKind::None, Some("after")));
        recorder.flush();
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions WHERE text = 'after'"), 1, "{name}: resumed");
        assert_eq!(number(&db, "SELECT COUNT(*) FROM questions"), 2, "{name}");
    }
}

#[test]
fn a_postgres_server_that_is_not_there_is_an_outage_not_a_crash() {
    // Port 1 on loopback: refused at once.
    let location = Location::parse("postgres://faqbot:secret@127.0.0.1:1/faqbot");
    let options = RecorderOptions { location: location.clone(), retention_days: 90 };
    let (recorder, error) = Recorder::start(options);
    let error = error.expect("the failure is reported").to_string();
    assert!(error.contains("postgres"), "{error}");
    assert!(!error.contains("secret"), "no password in errors: {error}");
    recorder.question(question(store::now(), ReplyKind::None, Some("lost")));
    recorder.flush();
    assert_eq!(recorder.counters().dropped(), 1);
    let (ok, _, err) = faqbot(&["stats", "--db", "postgres://faqbot:secret@127.0.0.1:1/faqbot"]);
    assert!(!ok && err.contains("postgres://faqbot:***@127.0.0.1:1/faqbot"), "{err}");
}

/// A count from the store, waited for (the writers batch, so rows arrive a
/// moment after the replies).
async fn wait_number(location: &Location, sql: &'static str, want: i64) -> i64 {
    let deadline = Instant::now() + WAIT;
    loop {
        let location = location.clone();
        let got = tokio::task::spawn_blocking(move || {
            store::open_read(&location).and_then(|mut db| db.query(sql, &[])).map_or(-1, |r| r[0][0].int())
        })
        .await
        .unwrap();
        if got >= want || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Guilds Discord routes to shard 0 and shard 1 of 2 (`(guild >> 22) % 2`).
const GUILD_ON: [u64; 2] = [10 << 22, 11 << 22];
/// Questions asked in the two-process test, per shard.
const PER_SHARD: usize = 60;

/// Two `faqbot serve` processes, shards 0 and 1 of 2, one Postgres store:
/// the figure for the README is printed (`cargo test --release --test
/// integration -- two_processes --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_two_shards_share_one_postgres_store() {
    let Some(db) = tokio::task::spawn_blocking(fresh_postgres).await.unwrap() else { return };
    let url = db.arg();
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let faq = shipped_faq();
    let settings = |shards| [("DISCORD_SHARDS", shards), ("DATABASE_PATH", url.as_str())];
    let first = spawn_serve_with(&fake, "test-token", "info", data.path(), &faq, &settings("0-0/2")).await;
    let before = fake.count();
    let second = spawn_serve_with(&fake, "test-token", "info", data.path(), &faq, &settings("1-1/2")).await;
    fake.wait_identified(2).await;
    fake.wait_for(before, WAIT, |r| r.method == "PUT" && r.path.contains("/commands")).await;
    let mut shards = fake.shards_identified();
    shards.sort_by_key(|s| s[0].as_u64());
    assert_eq!(shards, vec![json!([0, 2]), json!([1, 2])]);

    // Questions on both shards at once: the same unanswerable one in two
    // wordings (a gap), and answerable ones.
    let asked = ["how do I bake sourdough bread", "How do I bake SOURDOUGH bread??", "how big are exosomes"];
    let started = Instant::now();
    let mut sent = Vec::new();
    for i in 0..PER_SHARD {
        for shard in [0, 1] {
            let question =
                json!({"name": "question", "type": 3, "value": asked[(i + shard as usize) % asked.len()]});
            sent.push(fake.slash_on(
                shard,
                GUILD_ON[shard as usize],
                &Member::plain(60),
                "faq",
                vec![question],
            ));
        }
    }
    let mut lost = 0;
    for id in &sent {
        if !fake.wait_reply(*id, WAIT).await {
            lost += 1;
        }
    }
    let took = started.elapsed();
    let total = sent.len() as i64;
    println!(
        "two processes, one Postgres: {total} questions on 2 shards answered in {:.2} s ({:.0} events/s), replies lost {lost}",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    );
    assert_eq!(lost, 0, "every question answered");

    // One person votes on the same answer through both processes.
    for shard in [0, 1] {
        let click = fake.click_on_shard(
            shard,
            GUILD_ON[shard as usize],
            &Member::plain(61),
            "faq:vote:up:exosome-size",
            777,
        );
        assert!(fake.wait_reply(click, WAIT).await);
    }
    let location = db.location().clone();
    assert_eq!(wait_number(&location, "SELECT COUNT(*) FROM questions", total).await, total);
    assert_eq!(wait_number(&location, "SELECT COUNT(*) FROM votes WHERE message_id = 777", 1).await, 1);

    // Each process's reports see both shards' questions.
    let bread = 2 * PER_SHARD as i64 * 2 / 3;
    let after = fake.count();
    let gaps = fake.slash_on(0, GUILD_ON[0], &moderator(), "faq-gaps", vec![]);
    let path = format!("/webhooks/{APP_ID}/token-{gaps}");
    let body = fake.wait_for(after, WAIT, |r| r.method == "POST" && r.path.starts_with(&path)).await.body;
    let text = content(&body);
    let line = text.lines().find(|l| l.contains("bread")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("{bread}x")), "both processes' wordings in one gap: {text}");
    let after = fake.count();
    let stats = fake.slash_on(1, GUILD_ON[1], &moderator(), "faq-stats", vec![]);
    let path = format!("/webhooks/{APP_ID}/token-{stats}");
    let body = fake.wait_for(after, WAIT, |r| r.method == "POST" && r.path.starts_with(&path)).await.body;
    assert!(
        content(&body).contains(&format!("Questions in the last 30 day(s): {total}")),
        "{}",
        content(&body)
    );

    // Stopping one process loses nothing, and the other goes on recording.
    let (status, log) = first.stop().await;
    assert!(status.success(), "{log}");
    assert!(!log.contains("test-token"), "the token never appears in logs");
    let more = fake.slash_on(
        1,
        GUILD_ON[1],
        &Member::plain(62),
        "faq",
        vec![json!({"name": "question", "type": 3, "value": "cd63?"})],
    );
    assert!(fake.wait_reply(more, WAIT).await);
    assert_eq!(wait_number(&location, "SELECT COUNT(*) FROM questions", total + 1).await, total + 1);
    let (status, log) = second.stop().await;
    assert!(status.success(), "{log}");
}
