//! Rendering a core [`Reply`] as Discord messages, within Discord's limits.
//!
//! Every builder here carries `allowed_mentions` with nothing allowed, so no
//! text the bot sends can ping anyone.

use poise::serenity_prelude as serenity;
use serenity::{
    CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseMessage, CreateMessage,
};

use crate::custom_id::{Button, CUSTOM_ID_MAX};
use faqbot_core::engine::ReplyKind;
use faqbot_core::reply::{CitationStyle, Reply, SourceQuote, Suggestion, BACKGROUND};
pub use faqbot_core::text::truncate;

/// Citations on Discord: the title in italics, the link in `<>` so it does not unfurl.
const CITATION: CitationStyle = CitationStyle { lead: "— ", title: ("*", "*"), url: ("<", ">") };

/// Discord's embed limits (characters).
pub const EMBED_TITLE: usize = 256;
/// Embed description limit.
pub const EMBED_DESCRIPTION: usize = 4096;
/// Embed field name limit.
pub const EMBED_FIELD_NAME: usize = 256;
/// Embed field value limit.
pub const EMBED_FIELD_VALUE: usize = 1024;
/// Embed footer limit.
pub const EMBED_FOOTER: usize = 2048;
/// Most fields in one embed.
pub const EMBED_FIELDS: usize = 25;
/// Limit on an embed's texts together: title, description, fields and footer.
pub const EMBED_TOTAL: usize = 6000;
/// Message content limit.
pub const MESSAGE_CONTENT: usize = 2000;
/// Button label limit.
pub const BUTTON_LABEL: usize = 80;
/// "Did you mean" offers at most this many buttons.
pub const SUGGESTION_BUTTONS: usize = 3;

/// Nothing may be pinged: no users, roles, @everyone, not even the replied-to author.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new().empty_users().empty_roles().replied_user(false)
}

/// What a reply becomes on Discord, before it is put in a message or interaction response.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The message text; `None` for an answer, which is all embed.
    pub content: Option<String>,
    /// The answer embed, for answers only.
    pub embed: Option<CreateEmbed>,
    /// Buttons: votes under an answer, "did you mean" suggestions, or topic pages.
    pub components: Vec<CreateActionRow>,
}

/// An answer embed whose parts fit every limit, the total included.
pub fn answer_parts(reply: &Reply) -> (String, String, Vec<(String, String)>, String) {
    let title = truncate(reply.entry.as_ref().map_or("", |e| e.question.as_str()), EMBED_TITLE);
    let footer = truncate(&reply.disclaimer, EMBED_FOOTER);
    let background =
        reply.background.iter().map(|b| (BACKGROUND.to_string(), truncate(b, EMBED_FIELD_VALUE)));
    let fields: Vec<(String, String)> =
        background
            .chain(
                reply.sources.iter().flatten().map(|s| {
                    (truncate(&format!("Source: {}", s.publisher), EMBED_FIELD_NAME), source_field(s))
                }),
            )
            .take(EMBED_FIELDS)
            .collect();
    let used = title.chars().count()
        + footer.chars().count()
        + fields.iter().map(|(n, v)| n.chars().count() + v.chars().count()).sum::<usize>();
    let room = EMBED_TOTAL.saturating_sub(used).min(EMBED_DESCRIPTION);
    let description = truncate(reply.answer.as_deref().unwrap_or_default(), room);
    (title, description, fields, footer)
}

/// The quote (a table row without quotation marks, its words being the
/// table's cells), then where it comes from, cut to one field so the
/// citation line survives.
fn source_field(s: &SourceQuote) -> String {
    let cite = truncate(&s.citation(CITATION), EMBED_FIELD_VALUE / 2);
    let room = EMBED_FIELD_VALUE - cite.chars().count() - 3;
    if s.table_row {
        format!("Table: {}\n{cite}", truncate(&s.quote, room.saturating_sub(7)))
    } else {
        format!("\"{}\"\n{cite}", truncate(&s.quote, room.saturating_sub(2)))
    }
}

/// An answer as an embed with vote buttons; anything else as text, with any
/// suggestion buttons.
pub fn render(reply: &Reply) -> Rendered {
    if reply.kind == ReplyKind::Answer {
        let (title, description, fields, footer) = answer_parts(reply);
        let embed = CreateEmbed::new()
            .title(title)
            .description(description)
            .fields(fields.into_iter().map(|(n, v)| (n, v, false)))
            .footer(CreateEmbedFooter::new(footer));
        let components = reply.entry.as_ref().map(|e| vote_buttons(&e.id)).unwrap_or_default();
        return Rendered { content: None, embed: Some(embed), components };
    }
    let content = truncate(reply.message.as_deref().unwrap_or_default(), MESSAGE_CONTENT);
    Rendered { content: Some(content), embed: None, components: suggestion_buttons(&reply.suggestions) }
}

/// Up to three "did you mean" buttons, each showing its entry when clicked.
pub fn suggestion_buttons(suggestions: &[Suggestion]) -> Vec<CreateActionRow> {
    let buttons = suggestions
        .iter()
        .filter_map(|s| {
            let id = Button::Show { entry: s.id.clone() }.id()?;
            Some(
                CreateButton::new(id)
                    .label(truncate(&s.question, BUTTON_LABEL))
                    .style(serenity::ButtonStyle::Secondary),
            )
        })
        .take(SUGGESTION_BUTTONS)
        .collect();
    row(buttons)
}

/// "Helpful" / "Not helpful" under an answer; the ids carry the entry, so the
/// buttons work after a restart.
pub fn vote_buttons(entry: &str) -> Vec<CreateActionRow> {
    let button = |helpful: bool, label: &str, style| {
        let id = Button::Vote { entry: entry.to_string(), helpful }.id()?;
        Some(CreateButton::new(id).label(label).style(style))
    };
    let buttons = [
        button(true, "Helpful", serenity::ButtonStyle::Success),
        button(false, "Not helpful", serenity::ButtonStyle::Secondary),
    ];
    row(buttons.into_iter().flatten().collect())
}

/// Page `page` of `pages` (the topic list), with previous/next buttons when there is more than one.
pub fn topics_page(pages: &[String], page: usize) -> Rendered {
    let last = pages.len().saturating_sub(1);
    let page = page.min(last);
    let header = format!("**FAQ topics** (page {} of {}): ask with `/faq`\n\n", page + 1, pages.len());
    let content =
        truncate(&format!("{header}{}", pages.get(page).map_or("", String::as_str)), MESSAGE_CONTENT);
    let mut buttons = Vec::new();
    if pages.len() > 1 {
        let nav = |to: usize, label: &str, disabled: bool| {
            Button::Topics { page: to }.id().map(|id| {
                CreateButton::new(id).label(label).style(serenity::ButtonStyle::Secondary).disabled(disabled)
            })
        };
        buttons.extend(nav(page.saturating_sub(1), "◀ Previous", page == 0));
        buttons.extend(nav((page + 1).min(last), "Next ▶", page == last));
    }
    Rendered { content: Some(content), embed: None, components: row(buttons) }
}

/// Room on a topics page for the list itself (the header takes the rest).
pub const TOPICS_PAGE_CHARS: usize = MESSAGE_CONTENT - 100;

fn row(buttons: Vec<CreateButton>) -> Vec<CreateActionRow> {
    if buttons.is_empty() {
        Vec::new()
    } else {
        vec![CreateActionRow::Buttons(buttons)]
    }
}

/// `header`, then `lines` in a code block (inside it nothing renders as
/// markdown, a link or a mention, so user text is shown as typed), as many as
/// fit one message; then how many were left out, and `more_hint`.
pub fn code_block(header: &str, lines: &[String], more_hint: &str) -> String {
    if lines.is_empty() {
        return truncate(header, MESSAGE_CONTENT);
    }
    // Room for the fences and the "more" line.
    let budget = MESSAGE_CONTENT.saturating_sub(header.chars().count() + more_hint.chars().count() + 40);
    let mut body = String::new();
    let mut shown = 0;
    for line in lines {
        // A line holding ``` must not end the block early.
        let line = format!("{line}\n").replace("```", "ˋˋˋ");
        if body.chars().count() + line.chars().count() > budget {
            break;
        }
        body.push_str(&line);
        shown += 1;
    }
    let mut text = format!("{header}\n```\n{body}```");
    if shown < lines.len() {
        text.push_str(&format!("… and {} more{more_hint}", lines.len() - shown));
    }
    truncate(&text, MESSAGE_CONTENT)
}

/// A plain text reply (notices, confirmations, errors), cut to a message's length.
pub fn text(content: impl AsRef<str>) -> Rendered {
    Rendered { content: Some(truncate(content.as_ref(), MESSAGE_CONTENT)), ..Default::default() }
}

/// `rendered` as a channel message, pinging no one.
pub fn message(rendered: Rendered) -> CreateMessage {
    let mut m = CreateMessage::new().allowed_mentions(no_mentions()).components(rendered.components);
    if let Some(content) = rendered.content {
        m = m.content(content);
    }
    if let Some(embed) = rendered.embed {
        m = m.embed(embed);
    }
    m
}

/// `rendered` as an interaction response, pinging no one; `ephemeral`: seen by the user alone.
pub fn interaction_message(rendered: Rendered, ephemeral: bool) -> CreateInteractionResponseMessage {
    let mut m = CreateInteractionResponseMessage::new()
        .allowed_mentions(no_mentions())
        .ephemeral(ephemeral)
        .components(rendered.components);
    if let Some(content) = rendered.content {
        m = m.content(content);
    }
    if let Some(embed) = rendered.embed {
        m = m.embed(embed);
    }
    m
}

/// `rendered` as a command reply, pinging no one; `ephemeral`: seen by the user alone.
pub fn poise_reply(rendered: Rendered, ephemeral: bool) -> poise::CreateReply {
    let mut r = poise::CreateReply::default()
        .allowed_mentions(no_mentions())
        .ephemeral(ephemeral)
        .components(rendered.components);
    if let Some(content) = rendered.content {
        r = r.content(content);
    }
    if let Some(embed) = rendered.embed {
        r = r.embed(embed);
    }
    r
}

/// Every Discord limit `rendered` breaks, described; empty when it fits.
/// Tests and fuzz targets check replies with this.
pub fn limit_violations(rendered: &Rendered) -> Vec<String> {
    let mut broken = Vec::new();
    let chars = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
    let mut check = |ok: bool, what: String| {
        if !ok {
            broken.push(what);
        }
    };
    if let Some(content) = &rendered.content {
        let n = content.chars().count();
        check(n <= MESSAGE_CONTENT, format!("content of {n} characters"));
    }
    if let Some(embed) = &rendered.embed {
        let e = serde_json::to_value(embed).unwrap_or_default();
        let (title, description, footer) =
            (chars(&e["title"]), chars(&e["description"]), chars(&e["footer"]["text"]));
        check(title <= EMBED_TITLE, format!("embed title of {title}"));
        check(description <= EMBED_DESCRIPTION, format!("embed description of {description}"));
        check(footer <= EMBED_FOOTER, format!("embed footer of {footer}"));
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        check(fields.len() <= EMBED_FIELDS, format!("{} embed fields", fields.len()));
        let mut total = title + description + footer;
        for f in &fields {
            let (name, value) = (chars(&f["name"]), chars(&f["value"]));
            check(
                name <= EMBED_FIELD_NAME && value <= EMBED_FIELD_VALUE,
                format!("a field of {name}/{value}"),
            );
            total += name + value;
        }
        check(total <= EMBED_TOTAL, format!("embed total of {total}"));
    }
    check(rendered.components.len() <= MAX_ACTION_ROWS, format!("{} action rows", rendered.components.len()));
    for row in &rendered.components {
        let row = serde_json::to_value(row).unwrap_or_default();
        let buttons = row["components"].as_array().cloned().unwrap_or_default();
        check(buttons.len() <= MAX_ROW_BUTTONS, format!("{} buttons in a row", buttons.len()));
        for b in buttons {
            let id = b["custom_id"].as_str().unwrap_or_default();
            check(!id.is_empty() && id.len() <= CUSTOM_ID_MAX, format!("custom id {id:?}"));
            check(chars(&b["label"]) <= BUTTON_LABEL, format!("button label {}", b["label"]));
        }
    }
    broken
}

/// A message has at most this many action rows, each of at most this many buttons.
pub const MAX_ACTION_ROWS: usize = 5;
/// Most buttons in one action row.
pub const MAX_ROW_BUTTONS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_violations_names_what_is_broken() {
        let mut r = text("short");
        assert!(limit_violations(&r).is_empty());
        r.content = Some("x".repeat(MESSAGE_CONTENT + 1));
        r.embed = Some(CreateEmbed::new().title("t".repeat(EMBED_TITLE + 1)));
        let broken = limit_violations(&r);
        assert_eq!(broken.len(), 2, "{broken:?}");
    }
}
