//! Load with nothing lost: slash commands and mentions from many users in many
//! channels, through the fake Discord to a `faqbot serve` child process, with
//! the FAQ reloaded every second in between (a file edit, then `/faq-reload`,
//! in turn). Every event that should get a reply gets exactly one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

const USERS: u64 = 50;
const CHANNELS: u64 = 20;
const FIRST_CHANNEL: u64 = 900_000_000_000_000_100;
const TOKEN: &str = "load-test-token-never-logged";
/// Questions of every outcome: answer, suggest, none, safety.
const QUESTIONS: &[&str] = &[
    "how big are exosomes",
    "exosome evidence",
    "how do I bake sourdough bread",
    "is exosome therapy safe?",
    "what is cd63?",
    "I can't breathe after my injection",
    "are exosomes the same as stem cells",
];

struct Figures {
    events: usize,
    seconds: f64,
    times_ms: Vec<f64>,
    lost: usize,
    doubled: usize,
    reloads: usize,
    peak_rss_kb: u64,
    /// The serve log's warnings and errors (the first 30), to say why an event was lost.
    warnings: Vec<String>,
}

impl Figures {
    fn at(&self, q: f64) -> f64 {
        self.times_ms[((self.times_ms.len() - 1) as f64 * q).round() as usize]
    }
}

/// Sends `per_user` events from each of [`USERS`] users (slash and mention in
/// turn, each user in one of [`CHANNELS`] channels, each waiting for its reply
/// before the next), reloading the FAQ every `reload_every` meanwhile.
async fn run(per_user: usize, reload_every: Duration) -> Figures {
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let faq = tempfile::tempdir().unwrap();
    for file in std::fs::read_dir(shipped_faq()).unwrap() {
        let path = file.unwrap().path();
        std::fs::copy(&path, faq.path().join(path.file_name().unwrap())).unwrap();
    }
    let serve =
        spawn_serve_with(&fake, TOKEN, "warn", data.path(), faq.path(), &[("FAQ_WATCH_DEBOUNCE_MS", "100")])
            .await;
    let fake = Arc::new(fake);

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reloader = {
        let (fake, done, dir) = (fake.clone(), done.clone(), faq.path().to_path_buf());
        tokio::spawn(async move {
            let mut keys = Vec::new();
            let mut i = 0usize;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(reload_every).await;
                if i % 2 == 0 {
                    // An edit the watcher picks up: a comment line appended.
                    let file = dir.join("about.toml");
                    let mut text = std::fs::read_to_string(&file).unwrap();
                    text.push_str(&format!("\n# load test edit {i}\n"));
                    std::fs::write(&file, text).unwrap();
                } else {
                    let moderator = Member { user: 1, permissions: MANAGE_GUILD, roles: Vec::new() };
                    keys.push(fake.slash(&moderator, "faq-reload", vec![]));
                }
                i += 1;
            }
            (keys, i)
        })
    };

    let started = Instant::now();
    let users: Vec<_> = (0..USERS)
        .map(|u| {
            let fake = fake.clone();
            tokio::spawn(async move {
                let member = Member::plain(10_000 + u);
                let channel = FIRST_CHANNEL + u % CHANNELS;
                let mut sent = Vec::with_capacity(per_user);
                for k in 0..per_user {
                    let question = QUESTIONS[(u as usize + k) % QUESTIONS.len()];
                    let t = Instant::now();
                    let key = if k % 2 == 0 {
                        fake.slash_faq_as(&member, question, None)
                    } else {
                        let author = user(10_000 + u, "member", false);
                        fake.message_in(channel, author, &format!("<@{BOT_ID}> {question}"), true)
                    };
                    let answered = fake.wait_reply(key, WAIT).await;
                    sent.push((key, answered.then(|| t.elapsed().as_secs_f64() * 1000.0)));
                }
                sent
            })
        })
        .collect();
    let mut keys = Vec::new();
    let mut times_ms = Vec::new();
    for user in users {
        for (key, time) in user.await.unwrap() {
            keys.push(key);
            times_ms.extend(time);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (reload_keys, reloads) = reloader.await.unwrap();
    for key in &reload_keys {
        fake.wait_reply(*key, WAIT).await;
    }
    // Late doubles would show up here.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = fake.reply_counts();
    let lost = keys.iter().chain(&reload_keys).filter(|k| counts.get(k).copied().unwrap_or(0) == 0).count();
    let doubled = counts.values().filter(|&&n| n > 1).count();
    let peak_rss_kb = peak_rss_kb(serve.pid());
    let (status, log) = serve.stop().await;
    assert!(status.success(), "exit {status:?}: {log}");
    assert!(!log.contains(TOKEN), "the token never appears in the log");
    assert!(!log.contains("panicked"), "{log}");
    // Every moderator reload reply went through the same path as any other, pinging nobody.
    for r in fake.requests().iter().filter(|r| r.method == "POST" && r.path.contains("/messages")) {
        assert_no_mentions(&r.body);
    }
    times_ms.sort_by(f64::total_cmp);
    let warnings = log
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .take(30)
        .map(String::from)
        .collect();
    Figures { events: keys.len(), seconds, times_ms, lost, doubled, reloads, peak_rss_kb, warnings }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_events_with_reloads_each_get_exactly_one_reply() {
    let _alone = crate::support::HEAVY.lock().await;
    let figures = run(10, Duration::from_millis(10)).await;
    assert_eq!(figures.events, 500);
    assert!(figures.reloads >= 3, "reloads while the questions flowed: {}", figures.reloads);
    let log = figures.warnings.join("\n");
    assert_eq!(figures.lost, 0, "no event lost; the bot's warnings:\n{log}");
    assert_eq!(figures.doubled, 0, "no event answered twice; the bot's warnings:\n{log}");
}

/// The figures for the README:
/// `cargo test --release --test integration -- --ignored twenty_thousand --nocapture`.
/// Twice: reloads every second as asked, then every 100 ms (the first run is
/// over in about a second and a half, so it sees few reloads).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand (see the README)"]
async fn twenty_thousand_events_with_reloads_every_second() {
    for every in [Duration::from_secs(1), Duration::from_millis(100)] {
        let f = run(400, every).await;
        println!(
            "reloads every {every:?}: {} events ({} slash, {} mentions) from {USERS} users in {CHANNELS} channels, \
             {} reloads: {:.0} events/s, event-to-reply p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; lost {}, \
             doubled {}; serve peak RSS {:.1} MB",
            f.events,
            f.events / 2,
            f.events / 2,
            f.reloads,
            f.events as f64 / f.seconds,
            f.at(0.5),
            f.at(0.99),
            f.times_ms.last().unwrap(),
            f.lost,
            f.doubled,
            f.peak_rss_kb as f64 / 1024.0
        );
        assert_eq!((f.lost, f.doubled), (0, 0));
    }
}

/// How many `/faq` arrive at once in the burst test (issue #16).
const BURST: usize = 300;
/// Discord's deadline for an interaction's first response.
const DISCORD_DEADLINE: Duration = Duration::from_secs(3);

/// 300 `/faq` at once, from 50 people: every one gets its first response
/// (the answer, or "thinking…" when the answer is not ready in time) within
/// Discord's 3 s, and a deferred one then gets its answer as a follow-up.
/// Prints the figures for the README (`-- --nocapture`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_slash_commands_at_once_all_answered_within_discords_deadline() {
    let _alone = crate::support::HEAVY.lock().await;
    let fake = FakeDiscord::start().await;
    let data = tempfile::tempdir().unwrap();
    let serve = spawn_serve(&fake, TOKEN, "warn", data.path()).await;
    // Resident memory now, not the peak: loading the model peaks higher than
    // anything after, so the peak cannot show what a burst adds.
    let idle_kb = rss_kb(serve.pid());
    let after = fake.count();
    let sent: Vec<(u64, Instant)> = (0..BURST)
        .map(|i| {
            let member = Member::plain(1_000 + i as u64 % USERS);
            let at = Instant::now();
            (fake.slash_faq_as(&member, QUESTIONS[i % QUESTIONS.len()], None), at)
        })
        .collect();
    // Wait for the event (every reply in), with a bound only against a hang.
    let complete = |requests: &[Request]| {
        sent.iter().all(|(id, _)| {
            let callback = requests.iter().find(|r| r.path.starts_with(&format!("/interactions/{id}/")));
            match callback {
                Some(c) if c.body["type"] == 5 => {
                    let followup = format!("/webhooks/{APP_ID}/token-{id}");
                    requests.iter().any(|r| r.method == "POST" && r.path.starts_with(&followup))
                }
                Some(_) => true,
                None => false,
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut burst_kb = rss_kb(serve.pid());
    while !complete(&fake.requests()[after..]) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        burst_kb = burst_kb.max(rss_kb(serve.pid()));
    }
    let requests = fake.requests()[after..].to_vec();
    let peak_kb = peak_rss_kb(serve.pid());
    let (status, log) = serve.stop().await;
    assert!(status.success(), "{log}");
    let mut first_ms = Vec::with_capacity(BURST);
    let (mut deferred, mut unanswered, mut late) = (0, 0, Vec::new());
    for (id, at) in &sent {
        let Some(c) = requests.iter().find(|r| r.path.starts_with(&format!("/interactions/{id}/"))) else {
            unanswered += 1;
            continue;
        };
        let took = c.at.duration_since(*at);
        first_ms.push(took.as_secs_f64() * 1000.0);
        if took > DISCORD_DEADLINE {
            late.push(took);
        }
        if c.body["type"] == 5 {
            deferred += 1;
            let followup = format!("/webhooks/{APP_ID}/token-{id}");
            if !requests.iter().any(|r| r.method == "POST" && r.path.starts_with(&followup)) {
                unanswered += 1;
            }
        }
    }
    first_ms.sort_by(f64::total_cmp);
    let at = |q: f64| first_ms.get(((first_ms.len().max(1) - 1) as f64 * q).round() as usize).copied();
    println!(
        "burst of {BURST} /faq: first response p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; {deferred} deferred; \
         {unanswered} unanswered; RSS idle {idle_kb} kB, most during the burst {burst_kb} kB (sampled every \
         50 ms), peak since start {peak_kb} kB",
        at(0.5).unwrap_or(0.0),
        at(0.99).unwrap_or(0.0),
        at(1.0).unwrap_or(0.0),
    );
    assert_eq!(unanswered, 0, "every /faq answered (deferred ones by a follow-up)");
    assert!(late.is_empty(), "{} first responses past Discord's 3 s: {late:?}", late.len());
}
