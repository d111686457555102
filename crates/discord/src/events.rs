//! Gateway events poise does not turn into commands: messages (mentions,
//! replies to the bot, auto-answer channels) and button clicks.

use poise::serenity_prelude as serenity;
use serenity::{ComponentInteraction, CreateInteractionResponse, FullEvent, Interaction, Message};

use crate::custom_id::Button;
use crate::feedback::VoteResult;
use crate::policy::{Decision, Mode};
use crate::state::lock;
use crate::{render, retry, Data, Error};
use faqbot_core::{reply, topics};
use faqbot_store::{EntryPoint, Place};

pub(crate) async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let (ctx, data) = (framework.serenity_context, framework.user_data().await);
    match event {
        FullEvent::Message { new_message } => on_message(ctx, new_message, data).await,
        FullEvent::InteractionCreate { interaction: Interaction::Component(click) } => {
            on_click(ctx, click, data).await
        }
        _ => Ok(()),
    }
}

/// The text addressed to the bot: a mention of it, or a reply to one of its messages.
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
    if let Some(text) = addressed_text(message, bot) {
        return on_mention(ctx, message, &text, data).await;
    }
    if message.guild_id.is_some() && data.auto_answer_channels.contains(&message.channel_id.get()) {
        return auto_answer(ctx, message, data).await;
    }
    Ok(())
}

async fn on_mention(
    ctx: &serenity::Context,
    message: &Message,
    text: &str,
    data: &Data,
) -> Result<(), Error> {
    let _busy = data.in_flight.enter();
    let rendered = if text.is_empty() {
        render::text("Ask me a question after the mention, for example: how big are exosomes?")
    } else {
        let asked =
            data.ask(place(EntryPoint::Mention, message), message.author.id.get(), text, Mode::Asked).await;
        match &asked.decision {
            Decision::Reply(response) => render::render(&reply::compose(asked.engine.faq(), text, response)),
            // Over the limit: no reply in the channel (a notice would be more noise).
            Decision::Limited(_) | Decision::Silent => return Ok(()),
        }
    };
    send_reply(ctx, message, rendered).await
}

/// In an auto-answer channel: reply unasked only with a confident answer
/// (once per channel cooldown, within the author's limit), or with the safety
/// text whenever triage fires. Everything else gets silence.
async fn auto_answer(ctx: &serenity::Context, message: &Message, data: &Data) -> Result<(), Error> {
    let text = message.content.trim();
    if text.is_empty() {
        return Ok(());
    }
    let asked =
        data.ask(place(EntryPoint::Auto, message), message.author.id.get(), text, Mode::Unasked).await;
    let Decision::Reply(response) = &asked.decision else { return Ok(()) };
    let _busy = data.in_flight.enter();
    send_reply(ctx, message, render::render(&reply::compose(asked.engine.faq(), text, response))).await
}

/// Where a message was sent.
fn place(entry_point: EntryPoint, message: &Message) -> Place {
    Place {
        entry_point,
        guild_id: message.guild_id.map(|g| g.get()),
        channel_id: Some(message.channel_id.get()),
    }
}

async fn send_reply(
    ctx: &serenity::Context,
    message: &Message,
    rendered: render::Rendered,
) -> Result<(), Error> {
    let reply = render::message(rendered).reference_message(message);
    retry::send("message reply", || message.channel_id.send_message(&ctx.http, reply.clone())).await?;
    Ok(())
}

async fn on_click(ctx: &serenity::Context, click: &ComponentInteraction, data: &Data) -> Result<(), Error> {
    let _busy = data.in_flight.enter();
    let engine = data.engine();
    let response = match Button::parse(&click.data.custom_id) {
        Some(Button::Show { entry }) => {
            let rendered = match engine.faq().entry_index(&entry) {
                Some(e) => render::render(&reply::entry_reply(engine.faq(), e)),
                None => render::text("That FAQ entry is no longer available. Try `/faq` again."),
            };
            CreateInteractionResponse::Message(render::interaction_message(rendered, true))
        }
        Some(Button::Vote { entry, helpful }) => {
            let counted = lock(&data.votes).record(click.message.id.get(), click.user.id.get());
            if let Some(recorder) = &data.recorder {
                // The store counts one vote per voter per message, across restarts too.
                recorder.vote(click.message.id.get(), click.user.id.get(), &entry, helpful);
            }
            tracing::info!(
                entry = entry.as_str(),
                helpful,
                message = click.message.id.get(),
                counted = counted == VoteResult::Counted,
                "vote"
            );
            let text = match (counted, helpful) {
                (VoteResult::Duplicate, _) => "You already voted on this answer; thanks!",
                (VoteResult::Counted, true) => "Thanks! Your vote (helpful) was recorded.",
                (VoteResult::Counted, false) => {
                    "Thanks! Your vote (not helpful) was recorded; moderators use it to improve the FAQ."
                }
            };
            CreateInteractionResponse::Message(render::interaction_message(render::text(text), true))
        }
        Some(Button::Topics { page }) => {
            let pages = topics::pages(engine.faq(), render::TOPICS_PAGE_CHARS);
            CreateInteractionResponse::UpdateMessage(render::interaction_message(
                render::topics_page(&pages, page),
                true,
            ))
        }
        None => {
            let text = "That button is no longer in use. Try `/faq` again.";
            CreateInteractionResponse::Message(render::interaction_message(render::text(text), true))
        }
    };
    retry::send("button response", || click.create_response(&ctx.http, response.clone())).await?;
    Ok(())
}
