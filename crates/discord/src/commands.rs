//! The application commands. Their `///` docs are the descriptions Discord shows.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::CreateAutocompleteResponse;

use crate::moderation::{self, Trigger};
use crate::policy::{Decision, Mode};
use crate::{render, retry, Context, Data, Error, AUTOCOMPLETE_CHOICES, CHOICE_LEN};
use faqbot_core::engine::Outcome;
use faqbot_core::text::truncate;
use faqbot_core::{reply, topics};
use faqbot_store::{self as store, report, EntryPoint, Place};

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![faq(), faq_topics(), answer_with_faq(), faq_reload(), faq_gaps(), faq_stats()]
}

/// Where a command was used.
fn place(ctx: &Context<'_>, entry_point: EntryPoint) -> Place {
    Place { entry_point, guild_id: ctx.guild_id().map(|g| g.get()), channel_id: Some(ctx.channel_id().get()) }
}

/// What someone over the question limit is told.
pub fn limit_notice(retry_after: Duration) -> String {
    format!(
        "You're asking faster than I answer. Please wait about {} s before your next question.",
        retry_after.as_secs().max(1)
    )
}

/// Sends a reply to the command, retrying if Discord answers 429.
async fn respond(ctx: Context<'_>, rendered: render::Rendered, ephemeral: bool) -> Result<(), Error> {
    let reply = render::poise_reply(rendered, ephemeral);
    retry::send("command reply", || ctx.send(reply.clone())).await?;
    Ok(())
}

/// A reply only the person who used the command sees.
pub(super) async fn private(ctx: Context<'_>, text: impl AsRef<str>) -> Result<(), Error> {
    respond(ctx, render::text(text), true).await
}

/// Tells Discord the answer is coming (privately), for commands that read files or the database.
async fn defer_private(ctx: Context<'_>) -> Result<(), Error> {
    retry::send("deferral", || ctx.defer_ephemeral()).await?;
    Ok(())
}

async fn autocomplete_question(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let engine = ctx.data().engine();
    let faq = engine.faq();
    let entries: Vec<usize> = if partial.trim().is_empty() {
        (0..faq.entries.len()).take(AUTOCOMPLETE_CHOICES).collect()
    } else {
        engine.complete(partial, AUTOCOMPLETE_CHOICES).into_iter().map(|s| s.entry).collect()
    };
    let choices = entries
        .into_iter()
        .map(|e| {
            let q = truncate(&faq.entries[e].question, CHOICE_LEN);
            serenity::AutocompleteChoice::new(q.clone(), q)
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Ask the FAQ about exosomes and mesenchymal stem cells.
#[poise::command(slash_command, rename = "faq")]
pub(crate) async fn faq(
    ctx: Context<'_>,
    #[description = "Your question"]
    #[autocomplete = "autocomplete_question"]
    #[max_length = 2000]
    question: String,
    #[description = "Show the answer only to you"] private: Option<bool>,
) -> Result<(), Error> {
    let _busy = ctx.data().in_flight.enter();
    let private_reply = private.unwrap_or(false);
    let work = ctx.data().ask(place(&ctx, EntryPoint::Slash), ctx.author().id.get(), &question, Mode::Asked);
    let asked = within_deadline(ctx, private_reply, work).await?;
    let response = match &asked.decision {
        Decision::Reply(response) => response,
        Decision::Limited(wait) => return self::private(ctx, limit_notice(*wait)).await,
        Decision::Silent => return Ok(()),
    };
    let rendered = render::render(&reply::compose(asked.engine.faq(), &question, response));
    respond(ctx, rendered, private_reply).await
}

/// Discord drops an interaction not answered within 3 s. Answering usually
/// takes milliseconds, but a burst queues for the asking slots: if `work` is
/// not done after [`DEFER_AFTER`], tell Discord the answer is coming (a
/// deferral, shown as "thinking…"), then wait for it.
async fn within_deadline<T>(
    ctx: Context<'_>,
    private: bool,
    work: impl std::future::Future<Output = T>,
) -> Result<T, Error> {
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => Ok(done),
        () = tokio::time::sleep(DEFER_AFTER) => {
            tracing::debug!("deferring: the answer is not ready yet");
            if private {
                defer_private(ctx).await?;
            } else {
                retry::send("deferral", || ctx.defer()).await?;
            }
            Ok(work.await)
        }
    }
}

/// How long an interaction may wait for its answer before it is deferred:
/// well inside Discord's 3 s, with room for the deferral's own round trip.
pub const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Browse every FAQ question, grouped by topic (only you see the list).
#[poise::command(slash_command, rename = "faq-topics")]
pub(crate) async fn faq_topics(ctx: Context<'_>) -> Result<(), Error> {
    let pages = topics::pages(ctx.data().engine().faq(), render::TOPICS_PAGE_CHARS);
    respond(ctx, render::topics_page(&pages, 0), true).await
}

/// Reply to this message with the best FAQ answer (you get a private confirmation).
#[poise::command(context_menu_command = "Answer with FAQ")]
pub(crate) async fn answer_with_faq(
    ctx: Context<'_>,
    #[description = "The message to answer"] message: serenity::Message,
) -> Result<(), Error> {
    let _busy = ctx.data().in_flight.enter();
    let text = message.content.trim();
    if text.is_empty() {
        return private(ctx, "That message has no text I can answer, so I posted nothing.").await;
    }
    let work = ctx.data().ask(place(&ctx, EntryPoint::Context), ctx.author().id.get(), text, Mode::Asked);
    let asked = within_deadline(ctx, true, work).await?;
    let response = match &asked.decision {
        Decision::Reply(response) => response,
        Decision::Limited(wait) => return private(ctx, limit_notice(*wait)).await,
        Decision::Silent => return Ok(()),
    };
    let reply = reply::compose(asked.engine.faq(), text, response);
    let posted_note = match &response.outcome {
        Outcome::Answer(_) => format!(
            "Posted the FAQ answer \"{}\" as a reply.",
            reply.entry.as_ref().map_or("", |e| e.question.as_str())
        ),
        Outcome::Safety { .. } => "That message looks like it needs real help, so I replied with the safety \
                                   text instead of an FAQ answer."
            .to_string(),
        Outcome::Suggest(_) => {
            // Only the helper sees the candidates; the channel sees nothing.
            let mut rendered = render::render(&reply);
            rendered.content = Some(format!(
                "No confident answer, so I posted nothing. The closest FAQ entries (only you see this):\n{}",
                reply.message.as_deref().unwrap_or_default()
            ));
            return respond(ctx, rendered, true).await;
        }
        Outcome::None => return private(ctx, "No FAQ entry fits that message, so I posted nothing.").await,
        Outcome::SmallTalk(_) => {
            return private(ctx, "That message is small talk, so I posted nothing.").await
        }
    };
    let public = render::message(render::render(&reply)).reference_message(&message);
    match retry::send("context answer", || message.channel_id.send_message(ctx.http(), public.clone())).await
    {
        Ok(_) => private(ctx, posted_note).await,
        Err(error) => {
            tracing::warn!(%error, "cannot post the context-menu answer");
            private(
                ctx,
                "I couldn't post in this channel: check that I may send messages and embed links here.",
            )
            .await
        }
    }
}

/// The member who used the command, as the interaction carries it (with the
/// permissions Discord computed for them in this channel).
fn member<'a>(ctx: &Context<'a>) -> Option<&'a serenity::Member> {
    match ctx {
        poise::Context::Application(app) => app.interaction.member.as_deref(),
        // The bot has no prefix commands; a message carries no computed permissions.
        poise::Context::Prefix(_) => None,
    }
}

/// Whether the member may use moderator commands; if not, they are told so.
/// `default_member_permissions` hides these commands from others, but a server
/// can change that, so every moderator command checks again here.
async fn allowed_moderator(ctx: Context<'_>, command: &'static str) -> Result<bool, Error> {
    if moderation::is_moderator(member(&ctx), ctx.data().moderator_role) {
        return Ok(true);
    }
    tracing::warn!(command, "refused: not a moderator");
    private(ctx, moderation::REFUSED).await?;
    Ok(false)
}

/// Reload the FAQ files (moderators only). If they have errors, the current FAQ stays.
#[poise::command(slash_command, rename = "faq-reload", default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn faq_reload(ctx: Context<'_>) -> Result<(), Error> {
    if !allowed_moderator(ctx, "faq-reload").await? {
        return Ok(());
    }
    let data = ctx.data();
    defer_private(ctx).await?;
    let live = data.live.clone();
    let report = crate::reload::in_background(live).await?;
    moderation::announce(ctx.http(), data.mod_log_channel, &report, Trigger::Command).await;
    private(ctx, moderation::report_text(&report, Trigger::Command)).await
}

/// A moderator report: checks the member, then runs `read` over `days` (or
/// the default) off the event loop and replies with its lines, or why it could not.
async fn report_reply<F>(
    ctx: Context<'_>,
    command: &'static str,
    days: Option<u32>,
    read: F,
) -> Result<(), Error>
where
    F: FnOnce(&mut store::Db, u32) -> Result<(String, Vec<String>), store::StoreError> + Send + 'static,
{
    if !allowed_moderator(ctx, command).await? {
        return Ok(());
    }
    let days = days.unwrap_or(report::DEFAULT_DAYS);
    let Some(location) = ctx.data().database.clone() else {
        return private(ctx, "Recording is off (DATABASE_PATH=off), so there is nothing to show.").await;
    };
    defer_private(ctx).await?;
    let result = tokio::task::spawn_blocking(move || {
        store::open_read(&location).and_then(|mut db| read(&mut db, days))
    })
    .await?;
    let text = match result {
        Ok((header, lines)) => render::code_block(&header, &lines, "."),
        Err(error) => {
            tracing::warn!(%error, "cannot read the database for a report");
            format!("I couldn't read the question database: {error}")
        }
    };
    private(ctx, text).await
}

/// What people asked that the FAQ could not answer, grouped (moderators only).
#[poise::command(slash_command, rename = "faq-gaps", default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn faq_gaps(
    ctx: Context<'_>,
    #[description = "How many days to look back (default 30)"]
    #[min = 1]
    #[max = 3650]
    days: Option<u32>,
) -> Result<(), Error> {
    let engine = ctx.data().engine();
    report_reply(ctx, "faq-gaps", days, move |conn, days| {
        let gaps = report::gaps(conn, engine.analyzer(), store::now(), days, report::DEFAULT_ROWS)?;
        let mut lines = report::gaps_lines(&gaps);
        let header = lines.remove(0);
        Ok((format!("**{header}**: the entries to write next"), lines))
    })
    .await
}

/// Questions per outcome, most-used entries, least helpful entries, safety count (moderators only).
#[poise::command(slash_command, rename = "faq-stats", default_member_permissions = "MANAGE_GUILD")]
pub(crate) async fn faq_stats(
    ctx: Context<'_>,
    #[description = "How many days to look back (default 30)"]
    #[min = 1]
    #[max = 3650]
    days: Option<u32>,
) -> Result<(), Error> {
    let dropped = ctx.data().recorder.as_ref().map_or(0, |r| r.counters().dropped());
    report_reply(ctx, "faq-stats", days, move |conn, days| {
        let stats = report::stats(conn, store::now(), days, report::DEFAULT_ROWS)?;
        let mut lines = report::stats_lines(&stats);
        if dropped > 0 {
            lines.push(format!("Not recorded since start (database busy or unavailable): {dropped}"));
        }
        let header = lines.remove(0);
        Ok((format!("**{header}**"), lines))
    })
    .await
}
