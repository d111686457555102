//! Faults through the fake Discord: the gateway drops in every way it can,
//! REST answers 429, 500 or slowly, the FAQ folder disappears, the database
//! cannot be opened. In each case the bot keeps answering and pings nobody.

use std::time::{Duration, Instant};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

const TITLE: &str = "How big are exosomes?";

async fn answers(bot: &Bot) {
    let body = bot.ask("how big are exosomes").await;
    assert_eq!(body["data"]["embeds"][0]["title"], TITLE, "{body:#}");
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_closing_resumable_non_resumable_or_without_a_frame_is_survived() {
    let bot = Bot::start().await;
    let mut identified = 1;
    for (name, drop) in [
        (
            "resumable close 4000",
            Box::new(|f: &FakeDiscord| f.close_gateway(4000)) as Box<dyn Fn(&FakeDiscord)>,
        ),
        ("non-resumable close 4009 (session timed out)", Box::new(|f: &FakeDiscord| f.close_gateway(4009))),
        ("no close frame (the TCP connection just ends)", Box::new(|f: &FakeDiscord| f.drop_gateway())),
    ] {
        drop(&bot.fake);
        identified += 1;
        bot.fake.wait_identified(identified).await;
        eprintln!("reconnected after {name}");
        answers(&bot).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_that_are_never_acknowledged_make_the_bot_reconnect() {
    let fake = FakeDiscord::start_with_heartbeat(Duration::from_millis(400)).await;
    let bot = Bot::on(fake, &shipped_faq(), &[]).await;
    answers(&bot).await;
    bot.fake.ack_heartbeats(false);
    let stopped = Instant::now();
    bot.fake.wait_identified(2).await;
    // The README's figure (`-- --nocapture`): two missed intervals, then
    // serenity's fixed 5 s wait for the old connection to close.
    println!(
        "heartbeat ACKs stopped -> identified again: {:.1} s (interval 0.4 s)",
        stopped.elapsed().as_secs_f64()
    );
    bot.fake.ack_heartbeats(true);
    answers(&bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_and_a_lasting_one_is_given_up_cleanly() {
    let bot = Bot::start().await;
    // Two 429s, then success: one reply.
    bot.fake.inject(Fault::status("/interactions/", 429, 2));
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", None);
    assert!(bot.fake.wait_reply(id, WAIT).await, "answered after the 429s");
    assert_eq!(bot.fake.replies_to(id), 1);
    let tries = bot.fake.requests()[after..]
        .iter()
        .filter(|r| r.path.starts_with(&format!("/interactions/{id}/")))
        .count();
    assert_eq!(tries, 3, "two refused, one accepted");

    // 429 every time: the bot gives up after its retries, and the next question is answered.
    bot.fake.inject(Fault::status("/interactions/", 429, 4));
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", None);
    let path = format!("/interactions/{id}/");
    let tries = || bot.fake.requests()[after..].iter().filter(|r| r.path.starts_with(&path)).count();
    let started = Instant::now();
    while tries() < 4 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Time for a fifth try, if there were one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(tries(), 4, "one try and three retries, then it stops");
    assert_eq!(bot.fake.replies_to(id), 0);
    answers(&bot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_not_retried_and_the_bot_serves_the_next_question() {
    let bot = Bot::start().await;
    bot.fake.inject(Fault::status("/messages", 500, 1));
    let after = bot.fake.count();
    bot.fake.message(user(42, "member", false), &format!("<@{BOT_ID}> how big are exosomes?"), true);
    bot.fake.wait_for(after, WAIT, |r| r.path.ends_with("/messages")).await;
    tokio::time::sleep(SILENCE).await;
    let tries = bot.fake.requests()[after..].iter().filter(|r| r.path.ends_with("/messages")).count();
    assert_eq!(tries, 1, "a 500 may have posted the reply: no second try, no double");
    answers(&bot).await;
    let after = bot.fake.count();
    let asked = bot.fake.message(user(42, "member", false), &format!("<@{BOT_ID}> what is cd63"), true);
    assert!(bot.fake.wait_reply(asked, WAIT).await);
    assert_no_mentions(
        &bot.fake.requests()[after..].iter().find(|r| r.path.ends_with("/messages")).unwrap().body,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_takes_5_s_does_not_hold_up_anyone_else() {
    let bot = Bot::start().await;
    bot.fake.inject(Fault::delay("/messages", Duration::from_secs(5), 1));
    let slow =
        bot.fake.message(user(42, "member", false), &format!("<@{BOT_ID}> how big are exosomes?"), true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    answers(&bot).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "served while the slow reply was pending: {:?}",
        started.elapsed()
    );
    assert!(bot.fake.wait_reply(slow, WAIT).await, "the slow reply arrives in the end");
    assert_eq!(bot.fake.replies_to(slow), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_faq_folder_deleted_or_unreadable_keeps_the_old_faq_and_reports_it() {
    for break_it in ["delete the folder", "replace a file with a dangling link"] {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("faq");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("sources.toml"), SOURCES).unwrap();
        std::fs::write(dir.join("entries.toml"), ENTRY).unwrap();
        let log = "900000000000000011";
        let bot = Bot::configured(
            &dir,
            &[("FAQ_WATCH", "on"), ("FAQ_WATCH_DEBOUNCE_MS", "100"), ("MOD_LOG_CHANNEL_ID", log)],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = bot.fake.count();
        match break_it {
            "delete the folder" => std::fs::remove_dir_all(&dir).unwrap(),
            _ => {
                std::fs::remove_file(dir.join("entries.toml")).unwrap();
                std::os::unix::fs::symlink(parent.path().join("nowhere.toml"), dir.join("entries.toml"))
                    .unwrap();
            }
        }
        let line = bot.fake.wait_for(after, WAIT, |r| r.path == format!("/channels/{log}/messages")).await;
        let text = line.body["content"].as_str().unwrap();
        assert!(text.contains("FAQ reload failed (file change)"), "{break_it}: {text}");
        assert!(text.contains("still serving the previous FAQ (1 entries)"), "{break_it}: {text}");
        assert_no_mentions(&line.body);
        answers(&bot).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_be_opened_does_not_stop_the_bot() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("file");
    std::fs::write(&not_a_folder, "x").unwrap();
    let path = not_a_folder.join("faqbot.sqlite3");
    let bot = Bot::configured(&shipped_faq(), &[("DATABASE_PATH", path.to_str().unwrap())]).await;
    answers(&bot).await;
    answers(&bot).await;
    assert!(!path.exists());
}

/// A 500 is logged by the bot itself, naming what was lost, not only by
/// poise's generic error handler (issue #19).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_logged_as_the_bots_own_line_naming_what_was_lost() {
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let serve = spawn_serve(&fake, "test-token", "info", data.path()).await;
    fake.inject(Fault::status("/messages", 500, 1));
    let after = fake.count();
    fake.message(user(42, "member", false), &format!("<@{BOT_ID}> how big are exosomes?"), true);
    fake.wait_for(after, WAIT, |r| r.path.ends_with("/messages")).await;
    let asked = fake.message(user(42, "member", false), &format!("<@{BOT_ID}> what is cd63"), true);
    assert!(fake.wait_reply(asked, WAIT).await, "the next question is answered");
    let (_, log) = serve.stop().await;
    let line = log
        .lines()
        .find(|l| l.contains("Discord answered a server error"))
        .unwrap_or_else(|| panic!("no line of the bot's own for the 500:\n{log}"));
    assert!(line.contains("status=500") && line.contains("message reply"), "{line}");
    assert!(!log.contains("poise::builtins"), "not only poise's generic handler:\n{log}");
}
