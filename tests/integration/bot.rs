//! The bot under test: the real serenity/poise client (in process, or the
//! `faqbot serve` binary) connected to the fake Discord.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use faqbot_core::live::LiveFaq;
use faqbot_discord::{self as discord, Config, Data, Sharding};
use serde_json::Value;

use crate::fake_discord::*;
use crate::support::*;

pub const WAIT: Duration = Duration::from_secs(20);
/// How long a test waits to be sure the bot said nothing.
pub const SILENCE: Duration = Duration::from_millis(600);

pub struct Bot {
    pub fake: FakeDiscord,
    shards: std::sync::Arc<poise::serenity_prelude::ShardManager>,
    /// The bot's question database (in a temporary folder unless configured).
    pub database: std::path::PathBuf,
    _temp: tempfile::TempDir,
}

impl Bot {
    /// The shipped FAQ, no rate limit, no file watching.
    pub async fn start() -> Bot {
        Bot::start_with(&shipped_faq()).await
    }

    pub async fn start_with(dir: &Path) -> Bot {
        Bot::configured(dir, &[]).await
    }

    /// A bot configured as `faqbot serve` would be by these environment
    /// variables. Unless set here, the rate limit and file watching are off, so
    /// tests of other things are not affected by them, and the database is a
    /// new file in a temporary folder.
    pub async fn configured(dir: &Path, settings: &[(&str, &str)]) -> Bot {
        Bot::on(FakeDiscord::start().await, dir, settings).await
    }

    /// As [`Bot::configured`], against a fake the test set up.
    pub async fn on(fake: FakeDiscord, dir: &Path, settings: &[(&str, &str)]) -> Bot {
        if std::env::var_os("FAQBOT_TEST_LOG").is_some() {
            // The debug switch: `FAQBOT_TEST_LOG=1 cargo test discord -- --nocapture` shows
            // serenity's view, e.g. events it could not parse (they become Event::Unknown).
            let _ =
                tracing_subscriber::fmt().with_env_filter("debug,hyper=info,h2=info,rustls=info").try_init();
        }
        let (mut client, database, temp) = Bot::client(&fake, dir, settings).await;
        let shards = client.shard_manager.clone();
        tokio::spawn(async move { discord::start(&mut client, &Sharding::Single).await });
        fake.wait_identified(1).await;
        // Commands are registered once setup has run: then the bot is ready.
        fake.wait_for(0, WAIT, |r| r.method == "PUT" && r.path.contains("/commands")).await;
        Bot { fake, shards, database, _temp: temp }
    }

    /// The real client, configured by these environment variables (see
    /// [`Bot::configured`]), not started; its database is in the returned folder.
    pub async fn client(
        fake: &FakeDiscord,
        dir: &Path,
        settings: &[(&str, &str)],
    ) -> (poise::serenity_prelude::Client, std::path::PathBuf, tempfile::TempDir) {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut env: HashMap<String, String> = [
            ("DATABASE_PATH", temp.path().join("faqbot.sqlite3").display().to_string()),
            ("DISCORD_TOKEN", "test-token".to_string()),
            ("DISCORD_GUILD_ID", GUILD_ID.to_string()),
            ("DISCORD_HTTP_PROXY", fake.rest_url.clone()),
            ("FAQ_DIR", dir.display().to_string()),
            ("RATE_LIMIT_QUESTIONS", "0".to_string()),
            ("FAQ_WATCH", "off".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config: Config = Config::from_lookup(|k| env.get(k).cloned()).expect("valid test configuration");
        let database = match config.database.clone() {
            Some(faqbot_store::Location::Sqlite(path)) => path,
            _ => std::path::PathBuf::new(),
        };
        let (live, _warnings) = LiveFaq::load(dir).expect("FAQ loads");
        let client = discord::client(&config, Data::new(live, &config)).await.expect("client");
        (client, database, temp)
    }

    /// The interaction response (callback) to `interaction`.
    pub async fn callback(&self, after: usize, interaction: u64) -> Value {
        let path = format!("/interactions/{interaction}/");
        self.fake.wait_for(after, WAIT, |r| r.method == "POST" && r.path.starts_with(&path)).await.body
    }

    /// A follow-up message to `interaction` (after a deferred response).
    pub async fn followup(&self, after: usize, interaction: u64) -> Value {
        let path = format!("/webhooks/{APP_ID}/token-{interaction}");
        self.fake.wait_for(after, WAIT, |r| r.method == "POST" && r.path.starts_with(&path)).await.body
    }

    /// Asks `/faq` as member 42 and returns the reply (the interaction response body).
    pub async fn ask(&self, question: &str) -> Value {
        let after = self.fake.count();
        let id = self.fake.slash_faq(question, None);
        self.callback(after, id).await
    }

    /// The next channel message the bot posts.
    pub async fn posted(&self, after: usize) -> Request {
        self.fake
            .wait_for(after, WAIT, |r| {
                r.method == "POST" && r.path.starts_with("/channels/") && r.path.ends_with("/messages")
            })
            .await
    }

    /// Channel messages posted since `after`, after waiting [`SILENCE`] for stragglers.
    pub async fn posted_since(&self, after: usize) -> Vec<Request> {
        tokio::time::sleep(SILENCE).await;
        self.fake.requests()[after..]
            .iter()
            .filter(|r| {
                r.method == "POST" && r.path.starts_with("/channels/") && r.path.ends_with("/messages")
            })
            .cloned()
            .collect()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let shards = self.shards.clone();
        tokio::spawn(async move { shards.shutdown_all().await });
    }
}

/// Nothing may be pinged.
pub fn assert_no_mentions(body: &Value) {
    let m = body.get("allowed_mentions").or_else(|| body["data"].get("allowed_mentions"));
    let m = m.unwrap_or_else(|| panic!("allowed_mentions missing in {body:#}"));
    assert_eq!(m["parse"], serde_json::json!([]), "{m}");
    for key in ["users", "roles"] {
        assert!(m.get(key).is_none_or(|v| v.as_array().is_some_and(Vec::is_empty)), "{m}");
    }
    assert_ne!(m.get("replied_user"), Some(&Value::Bool(true)), "{m}");
}

/// The message content of an interaction response or message body.
pub fn content(body: &Value) -> &str {
    body["data"]["content"].as_str().or_else(|| body["content"].as_str()).unwrap_or("")
}

/// Whether an interaction response or follow-up is ephemeral.
pub fn is_ephemeral(body: &Value) -> bool {
    let flags = body["data"]["flags"].as_u64().or_else(|| body["flags"].as_u64()).unwrap_or(0);
    flags & 64 == 64
}

/// A `faqbot serve` child process. Its log (stderr) is read as it is written,
/// so a chatty bot never blocks on a full pipe.
pub struct Serve {
    pub child: tokio::process::Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Serve {
    /// Sends SIGTERM and waits for the exit; returns the status and the whole log.
    pub async fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.pid().to_string();
        let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(killed.success());
        let status = match tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await {
            Ok(status) => status.unwrap(),
            Err(_) => {
                let _ = self.child.kill().await;
                let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.reader).await;
                let log = self.log.lock().unwrap().clone();
                let tail: String =
                    log.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
                panic!("serve did not exit within 20 s of SIGTERM; the end of its log:\n{tail}");
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.reader).await;
        let log = self.log.lock().unwrap().clone();
        (status, log)
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }
}

/// Starts `faqbot serve` against `fake` and waits until its commands are registered.
/// The rate limit is off (load tests ask as one user); file watching is on, as by default;
/// the database is in `data_dir`.
pub async fn spawn_serve(fake: &FakeDiscord, token: &str, rust_log: &str, data_dir: &Path) -> Serve {
    spawn_serve_with(fake, token, rust_log, data_dir, &shipped_faq(), &[]).await
}

/// As [`spawn_serve`], with another FAQ folder and more settings.
pub async fn spawn_serve_with(
    fake: &FakeDiscord,
    token: &str,
    rust_log: &str,
    data_dir: &Path,
    faq: &Path,
    settings: &[(&str, &str)],
) -> Serve {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_faqbot"))
        .arg("serve")
        .current_dir(repo())
        .env("DISCORD_TOKEN", token)
        .env("DISCORD_HTTP_PROXY", &fake.rest_url)
        .env("DISCORD_GUILD_ID", GUILD_ID.to_string())
        .env("FAQ_DIR", faq)
        .env("RUST_LOG", rust_log)
        .env("RATE_LIMIT_QUESTIONS", "0")
        .env("DATABASE_PATH", data_dir.join("faqbot.sqlite3"))
        .env_remove("DISCORD_SHARDS")
        .env_remove("DATABASE_URL")
        .envs(settings.iter().copied())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("faqbot serve starts");
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = {
        let log = log.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                log.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    fake.wait_identified(1).await;
    fake.wait_for(0, WAIT, |r| r.method == "PUT" && r.path.contains("/commands")).await;
    Serve { child, log, reader }
}

/// The peak resident memory of a running process, in kB (0 if unknown).
pub fn peak_rss_kb(pid: u32) -> u64 {
    proc_status_kb(pid, "VmHWM:")
}

/// The resident memory of a running process now, in kB (0 if unknown).
pub fn rss_kb(pid: u32) -> u64 {
    proc_status_kb(pid, "VmRSS:")
}

fn proc_status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
