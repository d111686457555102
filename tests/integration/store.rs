//! The question store, end to end: real SQLite files in temporary folders,
//! written by the bot through the fake Discord and read by `/faq-gaps`,
//! `/faq-stats` and the CLI.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

pub(crate) fn moderator() -> Member {
    Member { user: 42, permissions: MANAGE_GUILD, roles: Vec::new() }
}

/// Runs `sql` (a single number) against the database until it gives at least `want`.
async fn wait_count(db: &Path, sql: &str, want: i64) -> i64 {
    let mut last = -1;
    for _ in 0..200 {
        if let Ok(conn) = Connection::open(db) {
            last = conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1);
            if last >= want {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{sql}: wanted {want}, last saw {last}");
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(v) => json!(v),
                rusqlite::types::ValueRef::Real(v) => json!(v),
                rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                rusqlite::types::ValueRef::Blob(b) => json!(b.len()),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_and_votes_from_discord_are_recorded_without_user_ids() {
    let bot = Bot::start().await;
    let asked = [
        ("how big are exosomes", "answer"),
        ("How do I bake SOURDOUGH bread??", "none"),
        ("exosome evidence", "suggest"),
    ];
    for (question, _) in asked {
        let after = bot.fake.count();
        let id = bot.fake.slash_faq_as(&Member::plain(4242), question, None);
        bot.callback(after, id).await;
    }
    let after = bot.fake.count();
    bot.fake.message(user(4243, "member", false), &format!("<@{BOT_ID}> I can't breathe"), true);
    bot.posted(after).await;
    // Three votes on one answer message: the same voter twice, and another.
    for voter in [4242, 4242, 4244] {
        let after = bot.fake.count();
        let click = bot.fake.click_on(&Member::plain(voter), "faq:vote:up:exosome-size", 777);
        bot.callback(after, click).await;
    }
    wait_count(&bot.database, "SELECT COUNT(*) FROM questions", 4).await;
    wait_count(&bot.database, "SELECT COUNT(*) FROM votes", 2).await;

    let questions = rows(
        &bot.database,
        "SELECT entry_point, outcome, entry_id, category, text, guild_id, channel_id FROM questions ORDER BY id",
    );
    let g = json!(GUILD_ID as i64);
    let c = json!(CHANNEL_ID as i64);
    assert_eq!(
        questions,
        vec![
            vec![
                json!("slash"),
                json!("answer"),
                json!("exosome-size"),
                Value::Null,
                Value::Null,
                g.clone(),
                c.clone()
            ],
            vec![
                json!("slash"),
                json!("none"),
                Value::Null,
                Value::Null,
                json!("how do i bake sourdough bread"),
                g.clone(),
                c.clone()
            ],
            vec![
                json!("slash"),
                json!("suggest"),
                Value::Null,
                Value::Null,
                json!("exosome evidence"),
                g.clone(),
                c.clone()
            ],
            vec![json!("mention"), json!("safety"), Value::Null, json!("emergency"), Value::Null, g, c],
        ],
        "texts only for suggest and none, normalised"
    );
    let votes = rows(&bot.database, "SELECT message_id, entry_id, helpful, voter_hash FROM votes");
    assert_eq!(votes.len(), 2, "the double vote counted once: {votes:?}");
    assert!(votes.iter().all(|v| v[0] == json!(777) && v[1] == json!("exosome-size") && v[3] == json!(32)));
    // No user id anywhere in the file.
    let mut dump = std::fs::read(&bot.database).unwrap();
    dump.extend(std::fs::read(bot.database.with_extension("sqlite3-wal")).unwrap_or_default());
    for id in ["4242", "4243", "4244"] {
        assert!(!dump.windows(4).any(|w| w == id.as_bytes()), "user id {id} stored");
    }
    let columns = rows(&bot.database, "SELECT name FROM pragma_table_info('questions') UNION ALL SELECT name FROM pragma_table_info('votes')");
    assert!(!columns.iter().any(|c| c[0].as_str().unwrap().contains("user")), "{columns:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_see_gaps_and_stats_and_others_are_refused() {
    let bot = Bot::start().await;
    for question in [
        "Can exosomes help with hair loss?",
        "Do exosomes help with hair loss",
        "can exosomes help with hair loss",
        "how big are exosomes",
        "how do I bake <@&1> **bread**",
    ] {
        let after = bot.fake.count();
        let id = bot.fake.slash_faq_as(&Member::plain(50), question, None);
        bot.callback(after, id).await;
    }
    wait_count(&bot.database, "SELECT COUNT(*) FROM questions", 5).await;

    let after = bot.fake.count();
    let id = bot.fake.slash(&Member::plain(51), "faq-gaps", vec![]);
    let refused = bot.callback(after, id).await;
    assert!(content(&refused).contains("Only moderators"));
    assert_no_mentions(&refused["data"]);

    let after = bot.fake.count();
    let id = bot.fake.slash(&moderator(), "faq-gaps", vec![json!({"name": "days", "type": 4, "value": 7})]);
    let body = bot.followup(after, id).await;
    assert!(is_ephemeral(&body));
    assert_no_mentions(&body);
    let text = content(&body);
    assert!(text.contains("last 7 day(s)"), "{text}");
    let hair = text.lines().find(|l| l.contains("hair loss")).unwrap_or_else(|| panic!("{text}"));
    assert!(hair.contains("3x"), "the three wordings are one gap: {text}");
    // User text is shown inside a code block, where markdown and mentions do not render.
    let bread = text.lines().find(|l| l.contains("bread")).unwrap_or_else(|| panic!("{text}"));
    let fence = text.find("```").unwrap();
    assert!(text.find(bread).unwrap() > fence, "{text}");

    let after = bot.fake.count();
    let id = bot.fake.slash(&moderator(), "faq-stats", vec![]);
    let body = bot.followup(after, id).await;
    assert_no_mentions(&body);
    let text = content(&body);
    assert!(text.contains("Questions in the last 30 day(s): 5"), "{text}");
    assert!(text.contains("exosome-size"), "most-used entries: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_locked_answers_go_on_and_recording_resumes_after() {
    let bot = Bot::start().await;
    let ask = |q: &'static str| {
        let bot = &bot;
        async move {
            let after = bot.fake.count();
            let id = bot.fake.slash_faq_as(&Member::plain(60), q, None);
            bot.callback(after, id).await
        }
    };
    assert_eq!(ask("how big are exosomes").await["data"]["embeds"][0]["title"], "How big are exosomes?");
    wait_count(&bot.database, "SELECT COUNT(*) FROM questions", 1).await;

    let locker = Connection::open(&bot.database).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    for _ in 0..3 {
        let body = ask("how big are exosomes").await;
        assert_eq!(body["data"]["embeds"][0]["title"], "How big are exosomes?", "answered while locked");
    }
    // Let the writer try (and give up on) those records while the lock is held.
    tokio::time::sleep(Duration::from_millis(800)).await;
    locker.execute_batch("COMMIT").unwrap();
    drop(locker);

    ask("how do I bake bread").await;
    wait_count(&bot.database, "SELECT COUNT(*) FROM questions WHERE outcome = 'none'", 1).await;
    let total = wait_count(&bot.database, "SELECT COUNT(*) FROM questions", 2).await;
    assert!(total < 5, "the records sent while locked were dropped, not queued forever: {total}");
}

/// A database with a few rows, written by the store itself.
fn sample_db(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("faqbot.sqlite3");
    let mut db = faqbot_store::open_write(&faqbot_store::Location::Sqlite(path.clone())).unwrap();
    let conn = db.sqlite().unwrap();
    let now = faqbot_store::now();
    for (outcome, entry, text) in [
        ("answer", Some("exosome-size"), None),
        ("none", None, Some("do exosomes help with hair loss")),
        ("none", None, Some("can exosomes help with hair loss")),
        ("suggest", None, Some("is it legal, in the uk")),
    ] {
        conn.execute(
            "INSERT INTO questions (at, entry_point, outcome, entry_id, confidence, text) VALUES (?1, 'slash', ?2, ?3, 0.4, ?4)",
            rusqlite::params![now, outcome, entry, text],
        )
        .unwrap();
    }
    path
}

/// Runs the CLI with `args`; the database is whatever `--db` says (not the environment's).
pub(crate) fn faqbot(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .args(args)
        .current_dir(repo())
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_PATH")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn the_cli_prints_gaps_and_stats_as_text_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = sample_db(dir.path());
    let db = db.to_str().unwrap();

    let (ok, out, err) = faqbot(&["gaps", "--db", db, "--days", "7"]);
    assert!(ok, "{err}");
    let hair = out.lines().find(|l| l.contains("hair loss")).unwrap_or_else(|| panic!("{out}"));
    assert!(hair.contains("2x") && hair.contains("2 wording(s)"), "{out}");
    let (ok, out, _) = faqbot(&["gaps", "--db", db, "--json"]);
    assert!(ok);
    let gaps: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(gaps["groups"][0]["count"], 2);
    assert_eq!(gaps["questions"], 3);
    let (ok, out, _) = faqbot(&["gaps", "--db", db, "--csv"]);
    assert!(ok);
    assert_eq!(out.lines().next(), Some("count,unanswered,wordings,example"));
    assert!(out.contains("1,0,1,\"is it legal, in the uk\""), "{out}");

    let (ok, out, _) = faqbot(&["stats", "--db", db, "--json"]);
    assert!(ok);
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["questions"], 4);
    assert_eq!(stats["top_entries"][0]["key"], "exosome-size");
    let (ok, out, _) = faqbot(&["stats", "--db", db, "--csv"]);
    assert!(ok && out.contains("outcome,none,2,,"), "{out}");
    let (ok, out, _) = faqbot(&["stats", "--db", db]);
    assert!(ok && out.contains("Questions in the last 30 day(s): 4"), "{out}");

    let missing = dir.path().join("nothing.sqlite3");
    let (ok, _, err) = faqbot(&["stats", "--db", missing.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("first run"), "a clear error: {err}");
}

/// Event-to-reply times (ms, sorted) of `n` slash questions asked one after another.
async fn reply_times(bot: &Bot, n: usize) -> Vec<f64> {
    let questions = ["how big are exosomes", "how do I bake bread", "exosome evidence", "what is cd63?"];
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let after = bot.fake.count();
        let sent = std::time::Instant::now();
        let id = bot.fake.slash_faq_as(&Member::plain(70), questions[i % questions.len()], None);
        bot.callback(after, id).await;
        times.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

/// The figure for the README: `cargo test --release --test integration -- --ignored writer_busy --nocapture`.
/// Reply latency with the store idle, then while another connection writes
/// 100,000 rows into the same file in transactions of 500 (so the bot's writer
/// keeps waiting for the lock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand (see the README)"]
async fn reply_latency_with_the_writer_idle_and_busy() {
    let bot = Bot::start().await;
    let at = |t: &[f64], q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    reply_times(&bot, 100).await; // warm up
    let idle = reply_times(&bot, 1000).await;
    let db = bot.database.clone();
    let flood = std::thread::spawn(move || {
        let mut db = faqbot_store::open_write(&faqbot_store::Location::Sqlite(db)).unwrap();
        let conn = db.sqlite().unwrap();
        let started = std::time::Instant::now();
        for _ in 0..200 {
            let tx = conn.transaction().unwrap();
            for i in 0..500 {
                tx.execute(
                    "INSERT INTO questions (at, entry_point, outcome, confidence, text) VALUES (?1, 'slash', 'none', 0.1, 'flood')",
                    [faqbot_store::now() - i],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        }
        started.elapsed()
    });
    let busy = reply_times(&bot, 1000).await;
    let flood_time = flood.join().unwrap();
    for (name, t) in [("idle", &idle), ("busy", &busy)] {
        println!(
            "writer {name}: 1000 slash replies p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(t, 0.5),
            at(t, 0.99),
            t.last().unwrap()
        );
    }
    println!("flood: 100,000 rows written by another connection in {:.2} s", flood_time.as_secs_f64());
}
