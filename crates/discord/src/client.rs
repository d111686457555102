//! The serenity client's lifecycle: the framework, the HTTP client, the
//! token check, the shards, and a shutdown that lets replies finish.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::GatewayIntents;

use crate::config::{Config, Sharding};
use crate::moderation::{self, Trigger};
use crate::state::Data;
use crate::{commands, events, render, watch, Error};
use faqbot_core::live::LiveFaq;

/// From the stop signal to the exit: the shards closing, replies still being
/// sent and records still queued get this long, together, to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Every command, the event handler, no mentions in replies, and no prefix.
fn options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: commands::all(),
        allowed_mentions: Some(render::no_mentions()),
        event_handler: |framework, event| Box::pin(events::on_event(framework, event)),
        on_error: |error| Box::pin(on_error(error)),
        // The bot has no prefix commands: a mention is a question (see
        // `events`), not a command prefix poise should warn about ("Recognized
        // prefix `<@…>`, but didn't recognize command name") on every one.
        prefix_options: poise::PrefixFrameworkOptions { mention_as_prefix: false, ..Default::default() },
        ..Default::default()
    }
}

/// The poise framework with every command and the event handler.
pub fn framework(data: Data, guild_id: Option<u64>) -> poise::Framework<Data, Error> {
    poise::Framework::builder()
        .options(options())
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
        poise::FrameworkError::EventHandler { error, event, .. } => {
            // A failed send was logged where it failed (`retry`), with what was lost.
            tracing::warn!(%error, event = event.snake_case_name(), "event handling stopped")
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
    let mut builder = serenity::HttpBuilder::new(config.token.expose())
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
        // serenity 0.12 reads the range's end as the last shard to run
        // (inclusive, whatever `Range` says): `first..last`, not `first..last + 1`.
        Sharding::Range { first, last, total } => client.start_shard_range(first..last, total).await,
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
    // When the stop signal came: the one budget (the shards closing, replies
    // in flight, queued records) runs from then.
    let (signalled, mut signal) = tokio::sync::watch::channel(None::<tokio::time::Instant>);
    let stop = tokio::spawn(async move {
        wait_for_stop_signal().await;
        tracing::info!("shutting down");
        let _ = signalled.send(Some(tokio::time::Instant::now()));
        shards.shutdown_all().await;
    });
    let result = tokio::select! {
        result = start(&mut client, &config.sharding) => result,
        // serenity may wait up to 5 s for each shard to close: past the
        // budget, stop waiting for it.
        () = async {
            let at = match signal.wait_for(Option::is_some).await {
                Ok(at) => *at,
                Err(_) => None,
            };
            match at {
                Some(at) => tokio::time::sleep_until(at + SHUTDOWN_GRACE).await,
                None => std::future::pending().await,
            }
        } => {
            tracing::warn!("the shards did not close within {SHUTDOWN_GRACE:?} of the signal; exiting anyway");
            Ok(())
        }
    };
    stop.abort();
    // Without a signal the connection ended on its own: the budget starts now.
    let deadline = signal.borrow().unwrap_or_else(tokio::time::Instant::now) + SHUTDOWN_GRACE;
    if tokio::time::timeout_at(deadline, in_flight.wait_idle()).await.is_err() {
        tracing::warn!("replies still in flight at the end of the shutdown budget; exiting anyway");
    }
    if let Some(recorder) = recorder {
        let flushed = tokio::task::spawn_blocking(move || recorder.flush());
        if tokio::time::timeout_at(deadline, flushed).await.is_err() {
            tracing::warn!(
                "records still queued for the database at the end of the shutdown budget; exiting anyway"
            );
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

#[cfg(test)]
mod tests {
    #[test]
    fn mentions_are_questions_not_a_command_prefix() {
        let options = super::options();
        assert!(!options.prefix_options.mention_as_prefix);
        assert!(options.prefix_options.prefix.is_none(), "no prefix commands");
        assert!(options.commands.iter().all(|c| c.prefix_action.is_none()), "no prefix commands");
    }
}
