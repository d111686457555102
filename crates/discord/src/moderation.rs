//! Moderator commands' plumbing: who may use them, how a reload result reads,
//! and the optional moderation-log channel.

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, Permissions, RoleId};

use super::{render, retry};
use faqbot_core::live::ReloadReport;

/// What caused a reload, for reports and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A moderator's `/faq-reload`.
    Command,
    /// The FAQ folder changed on disk.
    FileWatch,
}

impl Trigger {
    /// How reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Command => "/faq-reload",
            Trigger::FileWatch => "file change",
        }
    }
}

/// The summary line of a reload, with the hint for a skipped check.
pub fn summary(report: &ReloadReport, trigger: Trigger) -> String {
    let mut line = report.summary(trigger.as_str());
    if matches!(report, ReloadReport::Reloaded { lint_skipped: true, .. }) {
        line.push_str(" (run `faqbot check`)");
    }
    line
}

/// What `default_member_permissions` asks of moderator commands; checked again at run time.
pub const MODERATOR_PERMISSIONS: Permissions = Permissions::MANAGE_GUILD;

/// Whether a member may use moderator commands: Manage Server (or
/// Administrator) in the permissions Discord computed for the interaction, or
/// the configured moderator role. Outside a server (no member), never.
pub fn is_moderator(member: Option<&serenity::Member>, moderator_role: Option<u64>) -> bool {
    let Some(member) = member else { return false };
    let by_permission =
        member.permissions.is_some_and(|p| p.contains(MODERATOR_PERMISSIONS) || p.administrator());
    let by_role = moderator_role.is_some_and(|role| member.roles.contains(&RoleId::new(role)));
    by_permission || by_role
}

/// The refusal shown to members who may not use a moderator command.
pub const REFUSED: &str =
    "Only moderators can do that (Manage Server permission, or the moderator role set in the bot's configuration).";

/// The reply to `/faq-reload`: the summary line, then the errors or warnings in
/// `faqbot check` form, cut to one message with a count of what was left out.
pub fn report_text(report: &ReloadReport, trigger: Trigger) -> String {
    let lines: Vec<String> = report.diagnostics().iter().map(ToString::to_string).collect();
    render::code_block(&summary(report, trigger), &lines, ": run `faqbot check` for the full list.")
}

/// Posts one line to the moderation-log channel, if one is configured; a
/// failure is logged, never passed on (the reload itself is done).
pub async fn log_to_channel(http: &serenity::Http, channel: Option<u64>, line: &str) {
    let Some(channel) = channel else { return };
    let message = render::message(render::text(line));
    if let Err(error) =
        retry::send("moderation log", || ChannelId::new(channel).send_message(http, message.clone())).await
    {
        tracing::warn!(%error, channel, "cannot post to the moderation log channel");
    }
}

/// Logs a reload result and posts its summary to the moderation log.
pub async fn announce(http: &serenity::Http, channel: Option<u64>, report: &ReloadReport, trigger: Trigger) {
    let summary = self::summary(report, trigger);
    let first_error = report.diagnostics().iter().find(|d| d.is_error()).map(ToString::to_string);
    let line = match &first_error {
        None => {
            tracing::info!(trigger = trigger.as_str(), "{summary}");
            summary
        }
        Some(first) => {
            tracing::error!(trigger = trigger.as_str(), first_error = first.as_str(), "{summary}");
            format!("{summary}. First error: {}", first.lines().next().unwrap_or_default())
        }
    };
    log_to_channel(http, channel, &line).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use faqbot_core::diagnostic::{Diagnostic, Kind, Location};

    fn member(permissions: Permissions, roles: &[u64]) -> serenity::Member {
        let mut m: serenity::Member = serde_json::from_value(serde_json::json!({
            "user": {"id": "42", "username": "m", "discriminator": "0", "avatar": null},
            "roles": [], "deaf": false, "mute": false, "flags": 0, "joined_at": null, "guild_id": "1"
        }))
        .unwrap();
        m.permissions = Some(permissions);
        m.roles = roles.iter().map(|r| RoleId::new(*r)).collect();
        m
    }

    #[test]
    fn manage_server_admin_or_the_role() {
        assert!(is_moderator(Some(&member(Permissions::MANAGE_GUILD, &[])), None));
        assert!(is_moderator(Some(&member(Permissions::ADMINISTRATOR, &[])), None));
        assert!(is_moderator(Some(&member(Permissions::empty(), &[5])), Some(5)));
        assert!(!is_moderator(Some(&member(Permissions::SEND_MESSAGES, &[6])), Some(5)));
        assert!(!is_moderator(None, Some(5)), "no member (a DM): refused");
    }

    #[test]
    fn a_long_error_list_is_cut_within_a_message() {
        let diagnostics: Vec<Diagnostic> = (1..200)
            .map(|line| {
                let location = Location { file: "faq/basics.toml".into(), line, column: 3 };
                Diagnostic::error(Kind::Syntax, location, "unknown key `alternate` ```")
                    .with_hint("did you mean `alternates`?")
            })
            .collect();
        let report = ReloadReport::Failed { diagnostics, kept_entries: 56 };
        let text = report_text(&report, Trigger::Command);
        assert!(text.chars().count() <= render::MESSAGE_CONTENT, "{}", text.chars().count());
        assert!(text.contains("faq/basics.toml:1:3: error: unknown key"));
        assert!(text.contains("more: run `faqbot check`"));
        assert_eq!(text.matches("```").count(), 2, "one code block, not broken by the diagnostics");
    }
}
