//! Community and moderator features through the fake Discord: topics, the
//! "Answer with FAQ" context menu, auto-answer channels, feedback votes, the
//! rate limit, and reloading (command and file watch). Every body the bot sends
//! is checked for empty `allowed_mentions`.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

const AUTO_CHANNEL: u64 = 900_000_000_000_000_010;
const MOD_LOG: u64 = 900_000_000_000_000_011;
const MOD_ROLE: u64 = 900_000_000_000_000_012;

fn moderator(user: u64) -> Member {
    Member { user, permissions: MANAGE_GUILD, roles: Vec::new() }
}

/// An entry like [`ENTRY`] with another id, question and answer.
fn entry(id: &str, question: &str, answer: &str) -> String {
    ENTRY
        .replace("exosome-size", id)
        .replace("How big are exosomes?", question)
        .replace("About 30 to 150 nanometres.", answer)
        .replace(
            "alternates = [\"exosome size\", \"how small are exosomes\", \"exosome diameter\"]",
            "alternates = []",
        )
}

fn write_entries(dir: &Path, entries: &str) {
    std::fs::write(dir.join("entries.toml"), entries).expect("write entries");
}

/// Buttons of the first action row.
fn buttons(data: &Value) -> Vec<Value> {
    data["components"][0]["components"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_are_private_and_page_through_every_entry_with_buttons() {
    let bot = Bot::start().await;
    let faq = faqbot_core::faq::load_dir(&shipped_faq()).unwrap().faq;
    let after = bot.fake.count();
    let id = bot.fake.slash(&Member::plain(42), "faq-topics", vec![]);
    let mut body = bot.callback(after, id).await;
    assert_eq!(body["type"], 4);
    assert!(is_ephemeral(&body));
    let pages: usize = content(&body)
        .split(" of ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("page count in {}", content(&body)));
    assert!(pages >= 2, "the shipped FAQ does not fit one message");
    let mut seen = String::new();
    for page in 0..pages {
        assert_no_mentions(&body["data"]);
        let text = content(&body).to_string();
        assert!(text.contains(&format!("page {} of {pages}", page + 1)), "{text}");
        assert!(text.chars().count() <= 2000);
        let nav = buttons(&body["data"]);
        assert_eq!(nav.len(), 2, "previous and next");
        assert_eq!(nav[0]["disabled"], page == 0, "previous disabled on the first page");
        assert_eq!(nav[1]["disabled"], page + 1 == pages, "next disabled on the last page");
        seen.push_str(&text);
        if page + 1 < pages {
            let next = nav[1]["custom_id"].as_str().unwrap().to_string();
            let after = bot.fake.count();
            let click = bot.fake.click(&next);
            body = bot.callback(after, click).await;
            assert_eq!(body["type"], 7, "a page click updates the list in place");
        }
    }
    for e in &faq.entries {
        assert!(seen.contains(&e.question), "{} is listed", e.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_with_faq_replies_publicly_and_confirms_to_the_helper_only() {
    let bot = Bot::start().await;
    let question =
        bot.fake.message_json(bot.fake.next_id(), user(55, "asker", false), "how big are exosomes?", vec![]);
    let after = bot.fake.count();
    let id = bot.fake.context_menu(&Member::plain(42), "Answer with FAQ", &question);
    let posted = bot.posted(after).await;
    assert_eq!(
        posted.body["message_reference"]["message_id"], question["id"],
        "a reply to the asker's message"
    );
    assert_eq!(posted.body["embeds"][0]["title"], "How big are exosomes?");
    assert!(!is_ephemeral(&posted.body), "visible to all");
    assert_no_mentions(&posted.body);
    let confirmation = bot.callback(after, id).await;
    assert!(is_ephemeral(&confirmation));
    assert!(content(&confirmation).contains("Posted the FAQ answer"), "{confirmation}");
    assert_no_mentions(&confirmation["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_with_faq_without_a_confident_answer_tells_only_the_helper() {
    let bot = Bot::start().await;
    for (text, expect) in
        [("how do I bake sourdough bread", "posted nothing"), ("exosome evidence", "closest FAQ entries")]
    {
        let question = bot.fake.message_json(bot.fake.next_id(), user(55, "asker", false), text, vec![]);
        let after = bot.fake.count();
        let id = bot.fake.context_menu(&Member::plain(42), "Answer with FAQ", &question);
        let body = bot.callback(after, id).await;
        assert!(is_ephemeral(&body), "{body}");
        assert!(content(&body).contains(expect), "{text}: {body}");
        assert_no_mentions(&body["data"]);
        assert!(bot.posted_since(after).await.is_empty(), "{text}: the channel sees nothing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_answer_channels_answer_only_confident_matches_with_a_cooldown() {
    let channel = AUTO_CHANNEL.to_string();
    let bot = Bot::configured(
        &shipped_faq(),
        &[("AUTO_ANSWER_CHANNELS", &channel), ("AUTO_ANSWER_COOLDOWN_SECS", "3600")],
    )
    .await;
    let member = || user(42, "member", false);

    // Not configured, a bot author, no match, and not sure: silence.
    let after = bot.fake.count();
    bot.fake.message_in(CHANNEL_ID, member(), "how big are exosomes?", false);
    bot.fake.message_in(AUTO_CHANNEL, user(77, "otherbot", true), "how big are exosomes?", false);
    bot.fake.message_in(AUTO_CHANNEL, member(), "anyone watching the game tonight?", false);
    bot.fake.message_in(AUTO_CHANNEL, member(), "exosome evidence", false);
    assert!(bot.posted_since(after).await.is_empty(), "no unasked reply but to a confident answer");

    // A confident answer in the configured channel: a reply.
    let after = bot.fake.count();
    let asked = bot.fake.message_in(AUTO_CHANNEL, member(), "how big are exosomes?", false);
    let posted = bot.posted(after).await;
    assert!(posted.path.contains(&channel));
    assert_eq!(posted.body["message_reference"]["message_id"], asked.to_string());
    assert_eq!(posted.body["embeds"][0]["title"], "How big are exosomes?");
    assert_no_mentions(&posted.body);

    // The cooldown holds the next answer back...
    let after = bot.fake.count();
    bot.fake.message_in(AUTO_CHANNEL, member(), "how big are exosomes in nanometres?", false);
    assert!(bot.posted_since(after).await.is_empty(), "channel cooldown");

    // ...but never the safety text.
    let after = bot.fake.count();
    bot.fake.message_in(AUTO_CHANNEL, member(), "I can't breathe after my exosome injection", false);
    let posted = bot.posted(after).await;
    assert!(posted.body["content"].as_str().unwrap().contains("emergency"), "{:#}", posted.body);
    assert_no_mentions(&posted.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_buttons_count_one_vote_per_user_per_message_and_survive_a_restart() {
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let id = bot.fake.slash_faq("how big are exosomes", None);
    let body = bot.callback(after, id).await;
    let votes = buttons(&body["data"]);
    let labels: Vec<&str> = votes.iter().filter_map(|b| b["label"].as_str()).collect();
    assert_eq!(labels, ["Helpful", "Not helpful"]);
    let helpful = votes[0]["custom_id"].as_str().unwrap().to_string();
    assert!(helpful.contains("exosome-size") && helpful.len() <= 100, "{helpful}");

    let answer_message = bot.fake.next_id();
    let mut replies = Vec::new();
    for voter in [42, 42, 43] {
        let after = bot.fake.count();
        let click = bot.fake.click_on(&Member::plain(voter), &helpful, answer_message);
        let body = bot.callback(after, click).await;
        assert!(is_ephemeral(&body));
        assert_no_mentions(&body["data"]);
        replies.push(content(&body).to_string());
    }
    assert!(replies[0].contains("recorded"), "{replies:?}");
    assert!(replies[1].contains("already voted"), "a double vote: {replies:?}");
    assert!(replies[2].contains("recorded"), "another user: {replies:?}");

    // A new process knows nothing of the old one: the id alone is enough.
    drop(bot);
    let bot = Bot::start().await;
    let after = bot.fake.count();
    let click = bot.fake.click_on(&Member::plain(44), &helpful, answer_message);
    let body = bot.callback(after, click).await;
    assert!(content(&body).contains("recorded"));
    assert_no_mentions(&body["data"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_gives_slash_commands_a_notice_and_mentions_silence() {
    let bot =
        Bot::configured(&shipped_faq(), &[("RATE_LIMIT_QUESTIONS", "2"), ("RATE_LIMIT_WINDOW_SECS", "3600")])
            .await;
    let asker = Member::plain(42);
    for i in 0..3 {
        let after = bot.fake.count();
        let id = bot.fake.slash_faq_as(&asker, "how big are exosomes", None);
        let body = bot.callback(after, id).await;
        assert_no_mentions(&body["data"]);
        if i < 2 {
            assert_eq!(body["data"]["embeds"][0]["title"], "How big are exosomes?");
        } else {
            assert!(is_ephemeral(&body));
            assert!(content(&body).contains("wait about"), "{body}");
        }
    }
    // Other users have their own allowance.
    let after = bot.fake.count();
    let id = bot.fake.slash_faq_as(&Member::plain(43), "how big are exosomes", None);
    assert_eq!(bot.callback(after, id).await["data"]["embeds"][0]["title"], "How big are exosomes?");

    // Mentions: two replies, then silence; a safety message still gets its text.
    let mention =
        |text: &str| bot.fake.message(user(44, "member", false), &format!("<@{BOT_ID}> {text}"), true);
    let after = bot.fake.count();
    // Handled concurrently: which one is over the limit depends on the order they are handled in.
    let asked: Vec<u64> = (0..3).map(|_| mention("how big are exosomes?")).collect();
    let answered = || asked.iter().filter(|id| bot.fake.replies_to(**id) > 0).count();
    let started = std::time::Instant::now();
    while answered() < 2 && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let posted = bot.posted_since(after).await;
    assert_eq!(posted.len(), 2, "one of the three mentions gets no reply");
    assert_eq!(answered(), 2);
    posted.iter().for_each(|r| assert_no_mentions(&r.body));
    let after = bot.fake.count();
    mention("I think I'm having a heart attack, chest pain");
    let safety = bot.posted(after).await;
    assert!(safety.body["content"].as_str().unwrap().contains("emergency"));
    assert_no_mentions(&safety.body);
}

/// The next line the bot posts to the moderation-log channel, checked for mentions.
async fn mod_log_line(bot: &Bot, after: usize) -> String {
    let logged = bot.fake.wait_for(after, WAIT, |r| r.path == format!("/channels/{MOD_LOG}/messages")).await;
    assert_no_mentions(&logged.body);
    logged.body["content"].as_str().unwrap_or_default().to_string()
}

/// A small FAQ folder: [`ENTRY`] (exosome-size) only.
fn small_faq() -> Folder {
    Folder::with_entries(ENTRY)
}

/// The second entry a reload brings in.
fn with_cd63() -> String {
    format!("{ENTRY}\n{}", entry("cd63", "What is the CD63 marker?", "A protein on exosome surfaces."))
}

async fn ask_title(bot: &Bot, question: &str) -> Value {
    let after = bot.fake.count();
    let id = bot.fake.slash_faq_as(&Member::plain(42), question, None);
    bot.callback(after, id).await["data"]["embeds"][0]["title"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_registered_for_managers_and_refused_at_run_time_to_others() {
    let folder = small_faq();
    let role = MOD_ROLE.to_string();
    let bot = Bot::configured(folder.path(), &[("MODERATOR_ROLE_ID", &role)]).await;
    let registered =
        bot.fake.requests().into_iter().find(|r| r.method == "PUT" && r.path.contains("/commands")).unwrap();
    let commands = registered.body.as_array().unwrap();
    let reload = commands.iter().find(|c| c["name"] == "faq-reload").expect("faq-reload registered");
    assert_eq!(reload["default_member_permissions"], "32", "Manage Server");
    let menu = commands.iter().find(|c| c["name"] == "Answer with FAQ").expect("context menu registered");
    assert_eq!(menu["type"], 3, "a message command");
    assert!(commands.iter().any(|c| c["name"] == "faq-topics"));

    write_entries(folder.path(), &with_cd63());
    // Whatever the client shows, members without the permission or role are refused.
    for member in [Member::plain(42), Member { user: 43, permissions: 1 << 11, roles: vec![7] }] {
        let after = bot.fake.count();
        let id = bot.fake.slash(&member, "faq-reload", vec![]);
        let body = bot.callback(after, id).await;
        assert!(is_ephemeral(&body));
        assert!(content(&body).contains("Only moderators"), "{body}");
        assert_no_mentions(&body["data"]);
    }
    assert_ne!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?", "not reloaded");

    // The configured role is enough.
    let after = bot.fake.count();
    let id =
        bot.fake.slash(&Member { user: 45, permissions: 0, roles: vec![MOD_ROLE] }, "faq-reload", vec![]);
    let body = bot.followup(after, id).await;
    assert!(content(&body).contains("FAQ reloaded"), "{body}");
    assert_no_mentions(&body);
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_reload_swaps_the_faq_in_and_a_broken_one_keeps_it_with_errors() {
    let folder = small_faq();
    let log = MOD_LOG.to_string();
    let bot = Bot::configured(folder.path(), &[("MOD_LOG_CHANNEL_ID", &log)]).await;

    write_entries(folder.path(), &with_cd63());
    let after = bot.fake.count();
    let id = bot.fake.slash(&moderator(42), "faq-reload", vec![]);
    let deferred = bot.callback(after, id).await;
    assert_eq!(deferred["type"], 5, "deferred while the folder is read");
    assert!(is_ephemeral(&deferred));
    let body = bot.followup(after, id).await;
    assert!(is_ephemeral(&body));
    assert!(content(&body).contains("FAQ reloaded (/faq-reload): 2 entries"), "{body}");
    assert_no_mentions(&body);
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded"));
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?");

    // A broken file: the errors, as `faqbot check` gives them, and the old FAQ stays.
    std::fs::write(folder.path().join("broken.toml"), "[[entry]]\nid = \"x\"\nquestion = 3\n").unwrap();
    let after = bot.fake.count();
    let id = bot.fake.slash(&moderator(42), "faq-reload", vec![]);
    let body = bot.followup(after, id).await;
    assert_no_mentions(&body);
    let text = content(&body);
    assert!(text.contains("still serving the previous FAQ (2 entries)"), "{text}");
    assert!(text.contains("broken.toml:3:"), "file:line:col of the error: {text}");
    assert!(text.contains("error:"), "{text}");
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reload failed"));
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?", "old FAQ kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_in_the_watched_folder_is_reloaded_and_logged() {
    let folder = small_faq();
    let log = MOD_LOG.to_string();
    let bot = Bot::configured(
        folder.path(),
        &[("FAQ_WATCH", "on"), ("FAQ_WATCH_DEBOUNCE_MS", "100"), ("MOD_LOG_CHANNEL_ID", &log)],
    )
    .await;
    // The watch starts in setup; give it a moment before editing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = bot.fake.count();
    write_entries(folder.path(), &with_cd63());
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 2 entries"), "{line}");
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?");

    let after = bot.fake.count();
    write_entries(folder.path(), "[[entry]\n");
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reload failed (file change)"));
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?", "old FAQ kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_answered_whole_while_the_faq_reloads_again_and_again() {
    let folder = small_faq();
    let version = |v: &str| {
        format!(
            "{}\n{}",
            entry("exosome-size", "How big are exosomes?", &format!("Size answer, version {v}.")),
            entry("cd63", "What is the CD63 marker?", &format!("CD63 answer, version {v}."))
        )
    };
    write_entries(folder.path(), &version("A"));
    let bot = Bot::configured(folder.path(), &[("FAQ_WATCH", "on"), ("FAQ_WATCH_DEBOUNCE_MS", "20")]).await;
    let path = folder.path().to_path_buf();
    // 31 rewrites, the last one version B: however slowly reloads keep up on
    // a busy machine, the FAQ the bot ends on differs from the one it began with.
    let rewrites = tokio::spawn(async move {
        for i in 0..31 {
            let text = match i % 3 {
                0 => version("B"),
                1 => "[[entry]]\nid = \"broken".to_string(),
                _ => version("A"),
            };
            write_entries(&path, &text);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut answered = 0;
    let mut reloads = 0;
    let mut versions = std::collections::BTreeSet::new();
    // Until the rewrites are done, 20 questions are answered and one answer
    // came from version B (the event waited for; the guard only stops a bot
    // that never reloads).
    let guard = std::time::Instant::now() + Duration::from_secs(120);
    while !rewrites.is_finished() || answered < 20 || !versions.contains("B.") {
        assert!(std::time::Instant::now() < guard, "no answer from version B: {versions:?}");
        if answered % 5 == 0 {
            // A moderator's reload on top of the watcher's; its reply is not awaited.
            bot.fake.slash(&moderator(42), "faq-reload", vec![]);
            reloads += 1;
        }
        let after = bot.fake.count();
        let id = bot.fake.slash_faq_as(&Member::plain(43), "how big are exosomes", None);
        let body = bot.callback(after, id).await;
        assert_no_mentions(&body["data"]);
        let embed = body["data"]["embeds"][0].clone();
        assert_eq!(embed["title"], "How big are exosomes?");
        let description = embed["description"].as_str().unwrap();
        let version = description.strip_prefix("Size answer, version ");
        versions.insert(version.unwrap_or_else(|| panic!("a whole FAQ answered: {description}")).to_string());
        answered += 1;
    }
    assert!(answered >= 20 && reloads >= 4);
    assert_eq!(versions.len(), 2, "the FAQ changed while questions flowed: {versions:?}");
}

/// A folder of [`SOURCES`] and these entries, at `path` (created).
fn faq_at(path: &Path, entries: &str) {
    std::fs::create_dir_all(path).expect("create folder");
    std::fs::write(path.join("sources.toml"), SOURCES).expect("write sources");
    write_entries(path, entries);
}

/// The file watch survives the FAQ folder being replaced, the ways deploys
/// and git do it: removed and created again, renamed away with another moved
/// in, and swapped as a symlink. Each time the new folder is reloaded and
/// answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_survives_the_folder_being_replaced() {
    let root = tempfile::tempdir().expect("temp dir");
    let releases = root.path().join("releases");
    faq_at(&releases.join("1"), ENTRY);
    let faq = root.path().join("faq");
    std::os::unix::fs::symlink(releases.join("1"), &faq).expect("symlink");
    let log = MOD_LOG.to_string();
    let bot = Bot::configured(
        &faq,
        &[("FAQ_WATCH", "on"), ("FAQ_WATCH_DEBOUNCE_MS", "100"), ("MOD_LOG_CHANNEL_ID", &log)],
    )
    .await;
    // The watch starts in setup; give it a moment before changing anything.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // 1. An atomic symlink swap to a release with a second entry.
    faq_at(&releases.join("2"), &with_cd63());
    let swap = root.path().join("faq.swap");
    std::os::unix::fs::symlink(releases.join("2"), &swap).expect("symlink");
    let after = bot.fake.count();
    std::fs::rename(&swap, &faq).expect("swap the link");
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 2 entries"), "{line}");
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?");
    // ... and the watch now follows the new target.
    let after = bot.fake.count();
    write_entries(&releases.join("2"), ENTRY);
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 1 entries"), "{line}");

    // 2. Removed, then created again (as `rm -rf faq && git checkout faq` does).
    std::fs::remove_file(&faq).expect("remove the link");
    let after = bot.fake.count();
    faq_at(&faq, &with_cd63());
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 2 entries"), "{line}");
    let after = bot.fake.count();
    std::fs::remove_dir_all(&faq).expect("remove the folder");
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reload failed (file change)"), "{line}");
    assert_eq!(ask_title(&bot, "what is the cd63 marker").await, "What is the CD63 marker?", "old FAQ kept");
    let after = bot.fake.count();
    faq_at(&faq, ENTRY);
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 1 entries"), "{line}");
    let after = bot.fake.count();
    write_entries(&faq, &with_cd63());
    let line = mod_log_line(&bot, after).await;
    assert!(
        line.contains("FAQ reloaded (file change): 2 entries"),
        "an edit after the folder came back: {line}"
    );

    // 3. Renamed away, another folder moved in its place.
    let staged = root.path().join("staged");
    faq_at(&staged, ENTRY);
    let after = bot.fake.count();
    std::fs::rename(&faq, root.path().join("faq.old")).expect("move away");
    std::fs::rename(&staged, &faq).expect("move in");
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 1 entries"), "{line}");
    let after = bot.fake.count();
    write_entries(&faq, &with_cd63());
    let line = mod_log_line(&bot, after).await;
    assert!(line.contains("FAQ reloaded (file change): 2 entries"), "an edit in the moved-in folder: {line}");
}
