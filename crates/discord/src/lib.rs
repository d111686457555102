//! The Discord front end: a thin adapter over the core [`Engine`].
//!
//! poise handles the application commands (`commands`); the raw event handler
//! (`events`) handles mentions, auto-answer channels and button clicks. Replies
//! are rendered from the core's outcome; nothing here matches or decides.
//! Reloads go through the core's [`LiveFaq`], which swaps a whole new engine in.

pub mod commands;
pub mod config;
pub mod custom_id;
mod events;
pub mod feedback;
pub mod moderation;
pub mod render;
pub mod retry;
pub mod throttle;
pub mod watch;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::GatewayIntents;
use tokio::sync::Notify;

use crate::feedback::VoteBook;
use crate::throttle::{Cooldown, RateLimiter, Verdict};
use faqbot_core::engine::{Engine, Outcome, Response};
use faqbot_core::live::{LiveFaq, Trigger};
use faqbot_store::{Place, QuestionRecord, Recorder, RecorderOptions};

pub use config::{Config, ConfigError, Sharding};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Autocomplete offers at most this many choices (Discord's limit).
pub const AUTOCOMPLETE_CHOICES: usize = 25;
/// A choice's name and value are at most this long (Discord's limit).
pub const CHOICE_LEN: usize = 100;
/// On shutdown, replies still being sent get this long to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Built once at start-up and shared by every handler. Every lock in it is
/// held for a few instructions, never across `.await`.
pub struct Data {
    live: Arc<LiveFaq>,
    in_flight: Arc<InFlight>,
    auto_answer_channels: HashSet<u64>,
    moderator_role: Option<u64>,
    mod_log_channel: Option<u64>,
    /// `Some(debounce)` when the FAQ folder is watched.
    watch: Option<Duration>,
    limiter: Mutex<RateLimiter<u64>>,
    cooldowns: Mutex<Cooldown<u64>>,
    votes: Mutex<VoteBook>,
    /// Where questions and votes are recorded; `None` when recording is off.
    database: Option<PathBuf>,
    recorder: Option<Recorder>,
}

/// A question that went through the engine and the per-user limit.
pub struct Asked {
    pub engine: Arc<Engine>,
    pub response: Response,
    /// Over the limit: the question is not answered; try again after this long.
    pub limited: Option<Duration>,
}

/// A poisoned lock only means a panic elsewhere; the data (counters) is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Data {
    pub fn new(live: LiveFaq, config: &Config) -> Data {
        Data {
            live: Arc::new(live),
            in_flight: Arc::default(),
            auto_answer_channels: config.auto_answer_channels.iter().copied().collect(),
            moderator_role: config.moderator_role,
            mod_log_channel: config.mod_log_channel,
            watch: config.watch.then_some(config.watch_debounce),
            limiter: Mutex::new(RateLimiter::new(config.rate_limit)),
            cooldowns: Mutex::new(Cooldown::new(config.auto_answer_cooldown)),
            votes: Mutex::new(VoteBook::default()),
            database: config.database.clone(),
            recorder: config.database.as_ref().map(|path| {
                let options = RecorderOptions { path: path.clone(), retention_days: config.retention_days };
                let (recorder, error) = Recorder::start(options);
                match error {
                    Some(error) => tracing::warn!(%error, path = %path.display(),
                        "cannot open the database now; answering goes on and recording starts when it can"),
                    None => tracing::info!(path = %path.display(), retention_days = config.retention_days,
                        "recording questions and votes"),
                }
                recorder
            }),
        }
    }

    /// The current engine (a reload swaps in a new one; this one stays whole).
    pub fn engine(&self) -> Arc<Engine> {
        self.live.engine()
    }

    /// Asks the engine on behalf of `user`, and takes one question from their
    /// allowance. A safety outcome is never held back by the limit. A question
    /// that is answered (not limited) is recorded.
    pub fn question(&self, place: Place, user: u64, question: &str) -> Asked {
        let engine = self.engine();
        let started = Instant::now();
        let response = engine.ask(question);
        log_question(&engine, place.entry_point, &response, started);
        let limited = match self.take_allowance(user) {
            Verdict::Limited { retry_after } if !matches!(response.outcome, Outcome::Safety { .. }) => {
                tracing::info!(
                    entry_point = place.entry_point,
                    retry_after_s = retry_after.as_secs(),
                    "rate limited"
                );
                Some(retry_after)
            }
            _ => None,
        };
        if limited.is_none() {
            self.record(&engine, &response, question, place);
        }
        Asked { engine, response, limited }
    }

    /// Records a handled question; never blocks, never fails.
    fn record(&self, engine: &Engine, response: &Response, question: &str, place: Place) {
        if let Some(recorder) = &self.recorder {
            recorder.question(QuestionRecord::of(engine, response, question, place));
        }
    }

    fn take_allowance(&self, user: u64) -> Verdict {
        lock(&self.limiter).check(user, Instant::now())
    }
}

/// One log line per question: never the user's name or id.
fn log_question(engine: &Engine, entry_point: &str, response: &Response, started: Instant) {
    let (entry, confidence) = response.top();
    let entry = entry.map_or("-", |e| engine.faq().entries[e].id.as_str());
    tracing::info!(
        entry_point,
        outcome = response.outcome.kind(),
        entry,
        confidence = format_args!("{confidence:.3}"),
        latency_us = started.elapsed().as_micros() as u64,
        "question"
    );
}

/// Counts replies being made, so shutdown can wait for them.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    fn enter(&self) -> InFlightGuard<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self)
    }

    pub async fn wait_idle(&self) {
        while self.count.load(Ordering::SeqCst) > 0 {
            let notified = self.idle.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// The poise framework with every command and the event handler.
pub fn framework(data: Data, guild_id: Option<u64>) -> poise::Framework<Data, Error> {
    poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            allowed_mentions: Some(render::no_mentions()),
            event_handler: |framework, event| Box::pin(events::on_event(framework, event)),
            on_error: |error| Box::pin(on_error(error)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(shard = ctx.shard_id.0, guilds = ready.guilds.len(), "connected");
                match guild_id {
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, &framework.options().commands, g.into())
                            .await?
                    }
                    None => poise::builtins::register_globally(ctx, &framework.options().commands).await?,
                }
                start_watching(&data, ctx.http.clone());
                Ok(data)
            })
        })
        .build()
}

/// Watches the FAQ folder when configured; a folder that cannot be watched is logged, not fatal.
fn start_watching(data: &Data, http: Arc<serenity::Http>) {
    let Some(debounce) = data.watch else { return };
    let channel = data.mod_log_channel;
    let announce = move |report| {
        let http = http.clone();
        async move { moderation::announce(&http, channel, &report, Trigger::FileWatch).await }
    };
    if let Err(error) = watch::spawn(data.live.clone(), debounce, announce) {
        tracing::warn!(%error, dir = %data.live.dir().display(), "cannot watch the FAQ folder; use /faq-reload");
    }
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Setup { error, .. } => tracing::error!(%error, "setup failed"),
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(%error, command = %ctx.command().name, "command failed")
        }
        poise::FrameworkError::CommandStructureMismatch { description, ctx, .. } => {
            // The command arrived without an option its schema requires (an old
            // client, a stale registration): say so rather than leave it unanswered.
            tracing::warn!(command = %ctx.command().name, description, "malformed command");
            let text = "I couldn't read that command (an option was missing or of the wrong type). Please try again.";
            if let Err(error) = commands::private(poise::Context::Application(ctx), text).await {
                tracing::warn!(%error, "cannot answer a malformed command");
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}

/// The gateway intents: guild messages with content, for mentions.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

/// The HTTP client: through `DISCORD_HTTP_PROXY` when set (then serenity's own
/// rate limiter is off, as the proxy limits), never through an `HTTP_PROXY`
/// from the environment.
pub fn http(config: &Config) -> anyhow::Result<serenity::Http> {
    let client = reqwest::Client::builder().no_proxy().build().context("cannot build the HTTP client")?;
    let mut builder = serenity::HttpBuilder::new(&config.token)
        .client(client)
        .default_allowed_mentions(render::no_mentions());
    if let Some(proxy) = &config.http_proxy {
        builder = builder.proxy(proxy.clone()).ratelimiter_disabled(true);
    }
    Ok(builder.build())
}

/// The serenity client with the framework, ready to start.
pub async fn client(config: &Config, data: Data) -> anyhow::Result<serenity::Client> {
    let framework = framework(data, config.guild_id);
    serenity::ClientBuilder::new_with_http(http(config)?, intents())
        .framework(framework)
        .await
        .context("cannot create the Discord client")
}

/// Asks Discord who the bot is, so a wrong token stops `serve` at once with a
/// clear message (never the token itself) instead of a reconnect loop.
pub async fn check_token(config: &Config) -> anyhow::Result<()> {
    match http(config)?.get_current_user().await {
        Ok(user) => {
            tracing::info!(bot = %user.name, "token accepted");
            Ok(())
        }
        Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)))
            if r.status_code.as_u16() == 401 =>
        {
            anyhow::bail!(
                "Discord refused DISCORD_TOKEN (401 Unauthorized): reset the token on the developer portal's Bot page \
                 and put the new one in .env"
            )
        }
        Err(error) => Err(anyhow::Error::new(error).context("cannot reach Discord to check the token")),
    }
}

/// Starts the configured shards; returns when they stop.
pub async fn start(client: &mut serenity::Client, sharding: &Sharding) -> serenity::Result<()> {
    match *sharding {
        Sharding::Single => client.start().await,
        Sharding::Auto => client.start_autosharded().await,
        Sharding::Range { first, last, total } => client.start_shard_range(first..last + 1, total).await,
    }
}

/// Runs the bot until Ctrl-C or SIGTERM, then shuts the shards down and lets
/// replies in flight finish.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let (live, warnings) = LiveFaq::load(&config.faq_dir)
        .with_context(|| format!("cannot load the FAQ in {}", config.faq_dir.display()))?;
    for warning in &warnings {
        tracing::warn!(%warning, "faq");
    }
    tracing::info!(entries = live.engine().faq().entries.len(), dir = %config.faq_dir.display(), "FAQ loaded");
    check_token(&config).await?;
    let data = Data::new(live, &config);
    let in_flight = data.in_flight.clone();
    let recorder = data.recorder.clone();
    let mut client = client(&config, data).await?;
    let shards = client.shard_manager.clone();
    let stop = tokio::spawn(async move {
        wait_for_stop_signal().await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    let result = start(&mut client, &config.sharding).await;
    stop.abort();
    if tokio::time::timeout(SHUTDOWN_GRACE, in_flight.wait_idle()).await.is_err() {
        tracing::warn!("replies still in flight after {SHUTDOWN_GRACE:?}; exiting anyway");
    }
    if let Some(recorder) = recorder {
        let flushed = tokio::task::spawn_blocking(move || recorder.flush());
        if tokio::time::timeout(SHUTDOWN_GRACE, flushed).await.is_err() {
            tracing::warn!("records still queued for the database after {SHUTDOWN_GRACE:?}; exiting anyway");
        }
    }
    result.context("the Discord connection failed")?;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
