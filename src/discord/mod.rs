//! The Discord front end: a thin adapter over the core [`Engine`].
//!
//! poise handles the slash command and its autocomplete; the raw event
//! handler handles mentions and "did you mean" button clicks. Replies are
//! rendered from the core's outcome; nothing here matches or decides.

pub mod config;
pub mod render;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{
    CreateAutocompleteResponse, CreateInteractionResponse, FullEvent, GatewayIntents, Interaction, Message,
};
use tokio::sync::Notify;

use crate::engine::{Engine, Outcome, Response};
use crate::{faq, reply};

pub use config::{Config, ConfigError, Sharding};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Autocomplete offers at most this many choices (Discord's limit).
pub const AUTOCOMPLETE_CHOICES: usize = 25;
/// A choice's name and value are at most this long (Discord's limit).
pub const CHOICE_LEN: usize = 100;
/// On shutdown, replies still being sent get this long to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Built once at start-up and shared by every handler.
pub struct Data {
    engine: RwLock<Arc<Engine>>,
    in_flight: Arc<InFlight>,
}

impl Data {
    pub fn new(engine: Engine) -> Data {
        Data { engine: RwLock::new(Arc::new(engine)), in_flight: Arc::default() }
    }

    /// The current engine. The lock is held only to clone the `Arc`, never across `.await`.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
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

/// Asks the engine and logs the outcome: never the user's name or id.
fn ask_logged(engine: &Engine, entry_point: &str, question: &str) -> Response {
    let started = Instant::now();
    let response = engine.ask(question);
    let (entry, confidence) = match &response.outcome {
        Outcome::Answer(s) => (engine.faq().entries[s.entry].id.as_str(), s.confidence),
        _ => ("-", response.ranked.first().map_or(0.0, |s| s.confidence)),
    };
    tracing::info!(
        entry_point,
        outcome = response.outcome.kind(),
        entry,
        confidence = format_args!("{confidence:.3}"),
        latency_us = started.elapsed().as_micros() as u64,
        "question"
    );
    response
}

async fn autocomplete_question(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let engine = ctx.data().engine();
    let faq = engine.faq();
    let entries: Vec<usize> = if partial.trim().is_empty() {
        (0..faq.entries.len()).take(AUTOCOMPLETE_CHOICES).collect()
    } else {
        engine.matcher().rank_prefix(partial, AUTOCOMPLETE_CHOICES).into_iter().map(|s| s.entry).collect()
    };
    let choices = entries
        .into_iter()
        .map(|e| {
            let q = render::truncate(&faq.entries[e].question, CHOICE_LEN);
            serenity::AutocompleteChoice::new(q.clone(), q)
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Ask the FAQ about exosomes and mesenchymal stem cells.
#[poise::command(slash_command, rename = "faq")]
pub async fn faq_command(
    ctx: Context<'_>,
    #[description = "Your question"]
    #[autocomplete = "autocomplete_question"]
    #[max_length = 2000]
    question: String,
    #[description = "Show the answer only to you"] private: Option<bool>,
) -> Result<(), Error> {
    let _busy = ctx.data().in_flight.enter();
    let engine = ctx.data().engine();
    let response = ask_logged(&engine, "slash", &question);
    let rendered = render::render(&reply::compose(&engine, &question, &response));
    ctx.send(render::poise_reply(rendered, private.unwrap_or(false))).await?;
    Ok(())
}

/// The poise framework with every command and the event handler.
pub fn framework(data: Data, guild_id: Option<u64>) -> poise::Framework<Data, Error> {
    poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![faq_command()],
            allowed_mentions: Some(render::no_mentions()),
            event_handler: |framework, event| Box::pin(on_event(framework, event)),
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
                Ok(data)
            })
        })
        .build()
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Setup { error, .. } => tracing::error!(%error, "setup failed"),
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(%error, command = %ctx.command().name, "command failed")
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}

async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let (ctx, data) = (framework.serenity_context, framework.user_data().await);
    match event {
        FullEvent::Message { new_message } => on_message(ctx, new_message, data).await,
        FullEvent::InteractionCreate { interaction: Interaction::Component(click) } => {
            let _busy = data.in_flight.enter();
            let engine = data.engine();
            let rendered = match click.data.custom_id.strip_prefix(render::SHOW_ENTRY_PREFIX) {
                Some(id) => match engine.faq().entry_index(id) {
                    Some(e) => render::render(&reply::entry_reply(&engine, e)),
                    None => render::Rendered {
                        content: Some("That FAQ entry is no longer available. Try `/faq` again.".into()),
                        ..Default::default()
                    },
                },
                None => return Ok(()),
            };
            let response = CreateInteractionResponse::Message(render::interaction_message(rendered, true));
            click.create_response(&ctx.http, response).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The bot's own user id: a mention of it, or a reply to one of its messages.
fn addressed_text(message: &Message, bot: serenity::UserId) -> Option<String> {
    let mentioned = message.mentions.iter().any(|u| u.id == bot);
    let replied = message.referenced_message.as_ref().is_some_and(|m| m.author.id == bot);
    if !mentioned && !replied {
        return None;
    }
    let text = message.content.replace(&format!("<@{bot}>"), " ").replace(&format!("<@!{bot}>"), " ");
    Some(text.trim().to_string())
}

async fn on_message(ctx: &serenity::Context, message: &Message, data: &Data) -> Result<(), Error> {
    let bot = ctx.cache.current_user().id;
    if message.author.bot || message.webhook_id.is_some() || message.author.id == bot {
        return Ok(());
    }
    let Some(text) = addressed_text(message, bot) else { return Ok(()) };
    let _busy = data.in_flight.enter();
    let engine = data.engine();
    let rendered = if text.is_empty() {
        render::Rendered {
            content: Some("Ask me a question after the mention, for example: how big are exosomes?".into()),
            ..Default::default()
        }
    } else {
        render::render(&reply::compose(&engine, &text, &ask_logged(&engine, "mention", &text)))
    };
    let reply = render::message(rendered).reference_message(message);
    message.channel_id.send_message(&ctx.http, reply).await?;
    Ok(())
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
    let loaded = faq::load_dir(&config.faq_dir)
        .with_context(|| format!("cannot load the FAQ in {}", config.faq_dir.display()))?;
    for warning in &loaded.warnings {
        tracing::warn!(%warning, "faq");
    }
    tracing::info!(entries = loaded.faq.entries.len(), dir = %config.faq_dir.display(), "FAQ loaded");
    let data = Data::new(Engine::new(loaded.faq));
    let in_flight = data.in_flight.clone();
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
