//! End-to-end: the real serenity/poise client against the fake Discord.
//! Every test asserts on the JSON bodies the bot sent, `allowed_mentions` included.

use std::time::Duration;

use faqbot_discord::{self as discord, Sharding};
use serde_json::{json, Value};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_answer_has_embed_quote_source_and_disclaimer() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", None);
    let body = bot.callback(after, id).await;
    assert_eq!(body["type"], 4);
    let data = &body["data"];
    assert_no_mentions(data);
    assert_ne!(data["flags"].as_u64().unwrap_or(0) & 64, 64, "public by default");
    let embed = &data["embeds"][0];
    assert_eq!(embed["title"], "How big are exosomes?");
    assert!(embed["description"].as_str().unwrap().contains("nm"));
    let fields = embed["fields"].as_array().unwrap();
    assert!(
        fields.iter().any(|f| f["value"].as_str().unwrap().contains("Longevity Thailand")),
        "{fields:#?}"
    );
    assert!(embed["footer"]["text"].as_str().unwrap().contains("not medical advice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_flag_makes_the_reply_ephemeral() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", Some(true));
    let body = bot.callback(after, id).await;
    assert_eq!(body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64);
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_ranked_questions_within_limits() {
    let bot = Bot::start().await;
    for partial in ["exosome siz", ""] {
        let after = bot.fake.count();
        let id = bot.fake.autocomplete_faq(partial);
        let body = bot.callback(after, id).await;
        assert_eq!(body["type"], 8, "{body}");
        let choices = body["data"]["choices"].as_array().unwrap();
        assert!(!choices.is_empty() && choices.len() <= 25);
        for c in choices {
            assert!(c["name"].as_str().unwrap().chars().count() <= 100);
        }
        if !partial.is_empty() {
            assert_eq!(choices[0]["name"], "How big are exosomes?");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_buttons_then_a_click_shows_the_entry_to_the_clicker() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("exosome evidence", None);
    let body = bot.callback(after, id).await;
    let data = &body["data"];
    assert_no_mentions(data);
    let buttons =
        data["components"][0]["components"].as_array().unwrap_or_else(|| panic!("buttons in {data:#}"));
    assert!(!buttons.is_empty() && buttons.len() <= 3);
    let custom_id = buttons[0]["custom_id"].as_str().unwrap().to_string();
    assert!(custom_id.starts_with("faq:show:") && custom_id.len() <= 100);
    let after = bot.fake.count();
    let click = bot.fake.click(&custom_id);
    let body = bot.callback(after, click).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64, "ephemeral to the clicker");
    assert!(body["data"]["embeds"][0]["title"].as_str().is_some());
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn none_and_safety_replies() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how do I bake sourdough bread", None);
    let body = bot.callback(after, id).await;
    assert!(body["data"]["content"].as_str().unwrap().contains("`/faq`"), "names how to browse: {body}");
    assert!(body["data"]["embeds"].as_array().is_none_or(Vec::is_empty));
    assert_no_mentions(&body["data"]);

    let after = bot.fake.count();
    let id = bot.fake.slash_faq("I can't breathe after my exosome injection", None);
    let body = bot.callback(after, id).await;
    let content = body["data"]["content"].as_str().unwrap();
    assert!(content.contains("emergency"), "{content}");
    assert!(body["data"]["embeds"].as_array().is_none_or(Vec::is_empty), "no FAQ answer");
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_gets_a_reply_and_other_messages_get_silence() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    // Not mentioned, and a bot author that mentions: no reply to either.
    bot.fake.message(user(42, "member", false), "how big are exosomes", false);
    bot.fake.message(user(77, "otherbot", true), &format!("<@{BOT_ID}> how big are exosomes"), true);
    let asked =
        bot.fake.message(user(42, "member", false), &format!("<@{BOT_ID}> how big are exosomes?"), true);
    let sent = bot.fake.wait_for(after, WAIT, |r| r.method == "POST" && r.path.ends_with("/messages")).await;
    assert_eq!(sent.body["message_reference"]["message_id"], asked.to_string(), "a reply to the question");
    assert_eq!(sent.body["embeds"][0]["title"], "How big are exosomes?");
    assert_no_mentions(&sent.body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = bot.fake.requests()[after..].iter().filter(|r| r.path.ends_with("/messages")).count();
    assert_eq!(messages, 1, "only the mention was answered");

    // A reply to one of the bot's messages counts as addressing it.
    let after = bot.fake.count();
    let mut m =
        bot.fake.message_json(bot.fake.next_id(), user(42, "member", false), "and what is cd63?", vec![]);
    m["referenced_message"] =
        bot.fake.message_json(bot.fake.next_id(), user(BOT_ID, "faqbot", true), "earlier answer", vec![]);
    bot.fake.dispatch("MESSAGE_CREATE", m);
    let sent = bot.fake.wait_for(after, WAIT, |r| r.path.ends_with("/messages")).await;
    assert!(sent.body["message_reference"]["message_id"].as_str().is_some());
    assert_no_mentions(&sent.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_and_role_mentions_in_a_question_ping_nobody() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("@everyone <@&123456789> <@42> how big are exosomes", None);
    let body = bot.callback(after, id).await;
    assert_no_mentions(&body["data"]);
    let after = bot.fake.count();
    bot.fake.message(
        user(42, "member", false),
        &format!("<@{BOT_ID}> @everyone @here <@&123456789> what is cd63"),
        true,
    );
    let sent = bot.fake.wait_for(after, WAIT, |r| r.path.ends_with("/messages")).await;
    assert_no_mentions(&sent.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_answer_stays_within_embed_limits() {
    let long_answer = "Exosome size answer. ".repeat(400);
    let long_quote = "Exosomes measure 30 to 150 nanometres. ".repeat(60);
    let entries = ENTRY
        .replace("About 30 to 150 nanometres.", &long_answer)
        .replace("Exosomes measure 30 to 150 nanometres.", &long_quote)
        .replace("How big are exosomes?", &format!("How big are exosomes? {}", "really ".repeat(60)));
    let folder = Folder::with_entries(&entries);
    let bot = Bot::start_with(folder.path()).await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("exosome size", None);
    let body = bot.callback(after, id).await;
    let embed = &body["data"]["embeds"][0];
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    assert!(len(&embed["title"]) <= 256);
    assert!(len(&embed["description"]) <= 4096 && len(&embed["description"]) > 0);
    let fields = embed["fields"].as_array().unwrap();
    assert!(fields.len() <= 25);
    let mut total = len(&embed["title"]) + len(&embed["description"]) + len(&embed["footer"]["text"]);
    for f in fields {
        assert!(len(&f["name"]) <= 256 && len(&f["value"]) <= 1024);
        total += len(&f["name"]) + len(&f["value"]);
    }
    assert!(total <= 6000, "total {total}");
    assert!(embed["footer"]["text"].as_str().unwrap().contains("not medical advice"), "disclaimer kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_gateway_drops_the_bot_reconnects_and_answers() {
    let bot = Bot::start().await;
    bot.fake.close_gateway(4000);
    bot.fake.wait_identified(2).await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", None);
    let body = bot.callback(after, id).await;
    assert_eq!(body["data"]["embeds"][0]["title"], "How big are exosomes?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_serve_binary_answers_and_exits_cleanly_on_sigterm() {
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let serve = spawn_serve(&fake, "test-token-not-logged", "info", data.path()).await;
    let after = fake.count();
    let id = fake.slash_faq("how big are exosomes", None);
    let path = format!("/interactions/{id}/");
    let body = fake.wait_for(after, WAIT, |r| r.path.starts_with(&path)).await.body;
    assert_eq!(body["data"]["embeds"][0]["title"], "How big are exosomes?");
    let (status, log) = serve.stop().await;
    assert!(status.success(), "exit status {status:?}; log:\n{log}");
    assert!(log.contains("question") && log.contains("outcome") && log.contains("exosome-size"), "{log}");
    assert!(!log.contains("test-token-not-logged"), "the token never appears in logs");
    assert!(!log.contains("member"), "no user names in logs");
    let db =
        rusqlite::Connection::open(data.path().join("faqbot.sqlite3")).expect("the database was created");
    let recorded: i64 = db.query_row("SELECT COUNT(*) FROM questions", [], |r| r.get(0)).unwrap();
    assert_eq!(recorded, 1, "the question was recorded before exit");
}

/// Sends `n` slash commands to a `faqbot serve` child process and returns the
/// event-to-reply times (ms, sorted), the number unanswered, and its peak RSS (kB).
async fn slash_load(n: usize) -> (Vec<f64>, usize, u64) {
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut serve = spawn_serve(&fake, "test-token", "warn", data.path()).await;
    let questions = [
        "how big are exosomes",
        "exosome evidence",
        "how do I bake bread",
        "is exosome therapy safe?",
        "cd63?",
    ];
    let mut times = Vec::with_capacity(n);
    let mut unanswered = 0;
    for i in 0..n {
        let after = fake.count();
        let sent = std::time::Instant::now();
        let id = fake.slash_faq(questions[i % questions.len()], None);
        let path = format!("/interactions/{id}/");
        let waited =
            tokio::time::timeout(WAIT, fake.wait_for(after, WAIT, |r| r.path.starts_with(&path))).await;
        match waited {
            Ok(_) => times.push(sent.elapsed().as_secs_f64() * 1000.0),
            Err(_) => unanswered += 1,
        }
    }
    let peak_kb = peak_rss_kb(serve.pid());
    let _ = serve.child.kill().await;
    times.sort_by(f64::total_cmp);
    (times, unanswered, peak_kb)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_slash_commands_each_get_one_reply() {
    let (times, unanswered, _) = slash_load(100).await;
    assert_eq!(unanswered, 0);
    assert_eq!(times.len(), 100);
}

/// The figure for the README: `cargo test --release --test integration -- --ignored thousand --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand (see the README)"]
async fn thousand_slash_commands_latency_and_memory() {
    let (times, unanswered, peak_kb) = slash_load(1000).await;
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "1000 slash commands: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, unanswered {unanswered}, serve peak RSS {:.1} MB",
        at(0.5),
        at(0.99),
        times.last().unwrap(),
        peak_kb as f64 / 1024.0
    );
    assert_eq!(unanswered, 0);
}

/// serenity boots one shard every 5 s (Discord's identify spacing): a shard
/// a configuration should not run would identify within this of the last one.
const SHARD_BOOT_SPACING: Duration = Duration::from_secs(6);

/// Each sharding configuration identifies as exactly its shards, as the fake
/// gateway records them (issue #19: `1-1/3` ran shards 1 and 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sharding_configuration_identifies_as_exactly_its_shards() {
    let range = |first, last, total| Sharding::Range { first, last, total };
    let cases = [
        ("single", Sharding::Single, 1, vec![[0, 1]]),
        ("auto, 2 recommended", Sharding::Auto, 2, vec![[0, 2], [1, 2]]),
        ("0-0/2", range(0, 0, 2), 1, vec![[0, 2]]),
        ("1-1/3", range(1, 1, 3), 1, vec![[1, 3]]),
        ("0-2/3", range(0, 2, 3), 1, vec![[0, 3], [1, 3], [2, 3]]),
    ];
    let runs = cases.into_iter().map(|(name, sharding, recommended, want)| async move {
        let fake = FakeDiscord::start_recommending(recommended).await;
        let (mut client, _database, _temp) = Bot::client(&fake, &shipped_faq(), &[]).await;
        let shards = client.shard_manager.clone();
        let running = tokio::spawn(async move { discord::start(&mut client, &sharding).await });
        fake.wait_identified(want.len() as u64).await;
        tokio::time::sleep(SHARD_BOOT_SPACING).await;
        let got = fake.shards_identified();
        shards.shutdown_all().await;
        running.abort();
        let want: Vec<Value> = want.iter().map(|s| json!(s)).collect();
        assert_eq!(got, want, "{name}");
    });
    futures_util::future::join_all(runs).await;
}
