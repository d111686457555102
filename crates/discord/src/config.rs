//! `faqbot serve` configuration, from the environment (and `.env`).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use faqbot_store::Location;

use crate::throttle::Rate;

/// Per-user questions allowed in a burst, across every entry point: enough for
/// a conversation, too few to flood a channel.
pub const DEFAULT_RATE_QUESTIONS: u32 = 5;
/// ... earned back over this window.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);
/// After answering unasked in a channel, wait this long before doing it again
/// there, so a busy channel is not taken over by the bot.
pub const DEFAULT_AUTO_ANSWER_COOLDOWN: Duration = Duration::from_secs(120);
/// Editors save in bursts (write, rename, touch): wait for this much quiet
/// after a change before reloading, so one save is one reload.
pub const DEFAULT_WATCH_DEBOUNCE: Duration = Duration::from_millis(500);

/// How the gateway connection is sharded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharding {
    /// One shard, one process: small bots (under ~1,000 guilds).
    Single,
    /// As many shards as Discord recommends, all in this process.
    Auto,
    /// Shards `first..=last` of `total`, for splitting a big bot across processes.
    Range {
        /// The first shard this process runs.
        first: u32,
        /// The last shard this process runs.
        last: u32,
        /// Shards across all processes.
        total: u32,
    },
}

/// A value that must never be shown, such as the bot token: `Debug` prints
/// `Secret(***)`, and the value is read only through [`Secret::expose`].
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, to hand to what needs it; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything `serve` needs. `Debug` never shows the token.
#[derive(Debug, Clone)]
pub struct Config {
    /// The bot token (`DISCORD_TOKEN`).
    pub token: Secret,
    /// The FAQ folder (`FAQ_DIR`, default `faq`).
    pub faq_dir: PathBuf,
    /// Register the commands in this server at once; `None`: globally.
    pub guild_id: Option<u64>,
    /// How the gateway connection is sharded (`DISCORD_SHARDS`).
    pub sharding: Sharding,
    /// Send REST calls to this base URL instead of discord.com (a rate-limit proxy, or tests).
    pub http_proxy: Option<String>,
    /// Channels where the bot answers confident matches without being asked.
    pub auto_answer_channels: Vec<u64>,
    /// Per-channel pause between unasked answers.
    pub auto_answer_cooldown: Duration,
    /// Per-user question limit across all entry points.
    pub rate_limit: Rate,
    /// Members with this role may use moderator commands (as well as Manage Server).
    pub moderator_role: Option<u64>,
    /// A channel that receives one line per reload result.
    pub mod_log_channel: Option<u64>,
    /// Reload the FAQ when its folder changes.
    pub watch: bool,
    /// Quiet time after a change before the reload.
    pub watch_debounce: Duration,
    /// Where questions and votes are recorded (an SQLite file or a Postgres
    /// server); `None`: recording off.
    pub database: Option<Location>,
    /// Question texts older than this many days are deleted.
    pub retention_days: u32,
}

/// A configuration problem, shown to the person starting the bot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `DISCORD_TOKEN` is unset or blank.
    #[error(
        "DISCORD_TOKEN is not set. Copy .env.example to .env and fill in the bot token \
         (see the README), or try the FAQ without Discord: faqbot ask \"your question\""
    )]
    MissingToken,
    /// A setting has a value that does not parse.
    #[error("{name} = {value:?} is not valid: {expected}")]
    Invalid {
        /// The environment variable.
        name: &'static str,
        /// What it was set to.
        value: String,
        /// What it should look like.
        expected: &'static str,
    },
}

impl Config {
    /// Reads the configuration through `get` (the environment in `serve`, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let token = get("DISCORD_TOKEN").map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let token = Secret::new(token.ok_or(ConfigError::MissingToken)?);
        let faq_dir = get("FAQ_DIR").filter(|d| !d.trim().is_empty()).unwrap_or_else(|| "faq".into()).into();
        let guild_id = parse_opt(&get, "DISCORD_GUILD_ID", "a numeric guild (server) id")?;
        let sharding = match get("DISCORD_SHARDS") {
            None => Sharding::Single,
            Some(s) => parse_sharding(&s).ok_or(ConfigError::Invalid {
                name: "DISCORD_SHARDS",
                value: s,
                expected: "\"single\", \"auto\", or a range like \"0-3/8\" (shards 0 to 3 of 8)",
            })?,
        };
        let http_proxy = get("DISCORD_HTTP_PROXY").filter(|p| !p.trim().is_empty());
        let auto_answer_channels = match get("AUTO_ANSWER_CHANNELS") {
            None => Vec::new(),
            Some(list) => list
                .split([',', ' '])
                .filter(|id| !id.trim().is_empty())
                .map(|id| id.trim().parse::<u64>())
                .collect::<Result<_, _>>()
                .map_err(|_| ConfigError::Invalid {
                    name: "AUTO_ANSWER_CHANNELS",
                    value: list.clone(),
                    expected: "numeric channel ids separated by commas",
                })?,
        };
        let secs = |name, default: Duration| -> Result<Duration, ConfigError> {
            Ok(parse_opt::<u64>(&get, name, "a whole number of seconds")?
                .map_or(default, Duration::from_secs))
        };
        let auto_answer_cooldown = secs("AUTO_ANSWER_COOLDOWN_SECS", DEFAULT_AUTO_ANSWER_COOLDOWN)?;
        let rate_limit = Rate {
            questions: parse_opt(&get, "RATE_LIMIT_QUESTIONS", "a whole number (0 turns the limit off)")?
                .unwrap_or(DEFAULT_RATE_QUESTIONS),
            window: secs("RATE_LIMIT_WINDOW_SECS", DEFAULT_RATE_WINDOW)?,
        };
        let moderator_role = parse_opt(&get, "MODERATOR_ROLE_ID", "a numeric role id")?;
        let mod_log_channel = parse_opt(&get, "MOD_LOG_CHANNEL_ID", "a numeric channel id")?;
        let watch = match get("FAQ_WATCH").map(|w| w.trim().to_ascii_lowercase()) {
            None => true,
            Some(w) => match w.as_str() {
                "" | "on" | "true" | "yes" | "1" => true,
                "off" | "false" | "no" | "0" => false,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "FAQ_WATCH",
                        value: w,
                        expected: "\"on\" or \"off\"",
                    })
                }
            },
        };
        let watch_debounce = parse_opt(&get, "FAQ_WATCH_DEBOUNCE_MS", "a whole number of milliseconds")?
            .map_or(DEFAULT_WATCH_DEBOUNCE, Duration::from_millis);
        let database = database(&get)?;
        let retention_days = parse_opt(&get, "RETENTION_DAYS", "a whole number of days")?
            .unwrap_or(faqbot_store::DEFAULT_RETENTION_DAYS);
        Ok(Config {
            token,
            faq_dir,
            guild_id,
            sharding,
            http_proxy,
            auto_answer_channels,
            auto_answer_cooldown,
            rate_limit,
            moderator_role,
            mod_log_channel,
            watch,
            watch_debounce,
            database,
            retention_days,
        })
    }
}

/// `DATABASE_URL` (a Postgres server) or `DATABASE_PATH` (an SQLite file,
/// `off`, or a Postgres URL too); setting both to different places is an
/// error rather than a guess about which one wins.
fn database(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Location>, ConfigError> {
    let path = get("DATABASE_PATH").map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let url = get("DATABASE_URL").map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    let Some(url) = url else {
        return Ok(match path {
            None => Some(Location::Sqlite(PathBuf::from(faqbot_store::DEFAULT_PATH))),
            Some(p) if p.eq_ignore_ascii_case("off") => None,
            Some(p) => Some(Location::parse(&p)),
        });
    };
    let location = Location::parse(&url);
    if !matches!(location, Location::Postgres(_)) {
        return Err(ConfigError::Invalid {
            name: "DATABASE_URL",
            value: location.to_string(),
            expected: "a postgres:// URL (for an SQLite file use DATABASE_PATH)",
        });
    }
    if path.is_some_and(|p| Location::parse(&p) != location) {
        return Err(ConfigError::Invalid {
            name: "DATABASE_PATH",
            value: "(set, as well as DATABASE_URL)".into(),
            expected:
                "unset (or commented out in .env) when DATABASE_URL is set: the bot records in one place",
        });
    }
    Ok(Some(location))
}

/// An optional number setting: unset or blank is `None`, anything else must parse.
fn parse_opt<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, ConfigError> {
    match get(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| ConfigError::Invalid { name, value: v, expected }),
    }
}

fn parse_sharding(s: &str) -> Option<Sharding> {
    match s.trim() {
        "" | "single" => Some(Sharding::Single),
        "auto" => Some(Sharding::Auto),
        range => {
            let (span, total) = range.split_once('/')?;
            let (first, last) = span.split_once('-')?;
            let (first, last, total) =
                (first.trim().parse().ok()?, last.trim().parse().ok()?, total.trim().parse().ok()?);
            (first <= last && last < total).then_some(Sharding::Range { first, last, total })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn token_is_required_and_never_shown() {
        assert_eq!(config(&[]).unwrap_err(), ConfigError::MissingToken);
        assert!(ConfigError::MissingToken.to_string().contains(".env.example"));
        let c = config(&[("DISCORD_TOKEN", "secret-token-value")]).unwrap();
        assert!(!format!("{c:?}").contains("secret-token-value"));
        assert_eq!(c.faq_dir, PathBuf::from("faq"));
        assert_eq!(c.sharding, Sharding::Single);
    }

    #[test]
    fn debug_shows_the_secret_type_but_never_the_token() {
        let c = config(&[("DISCORD_TOKEN", "MTIz.secret-token-value.abc")]).unwrap();
        for shown in [format!("{c:?}"), format!("{c:#?}")] {
            assert!(!shown.contains("secret-token-value"), "{shown}");
            assert!(shown.contains("Secret(***)"), "{shown}");
        }
        assert_eq!(c.token.expose(), "MTIz.secret-token-value.abc");
    }

    #[test]
    fn sharding_and_guild() {
        let c = config(&[("DISCORD_TOKEN", "t"), ("DISCORD_SHARDS", "2-3/8"), ("DISCORD_GUILD_ID", "42")])
            .unwrap();
        assert_eq!(c.sharding, Sharding::Range { first: 2, last: 3, total: 8 });
        assert_eq!(c.guild_id, Some(42));
        assert!(config(&[("DISCORD_TOKEN", "t"), ("DISCORD_SHARDS", "3-2/8")]).is_err());
        assert!(config(&[("DISCORD_TOKEN", "t"), ("DISCORD_GUILD_ID", "abc")]).is_err());
    }

    #[test]
    fn community_and_moderator_settings() {
        let c = config(&[("DISCORD_TOKEN", "t")]).unwrap();
        assert!(c.auto_answer_channels.is_empty(), "auto-answer is opt-in");
        assert_eq!(c.rate_limit, Rate { questions: DEFAULT_RATE_QUESTIONS, window: DEFAULT_RATE_WINDOW });
        assert!(c.watch && c.moderator_role.is_none() && c.mod_log_channel.is_none());
        assert_eq!(c.database, Some(Location::Sqlite(PathBuf::from("data/faqbot.sqlite3"))));
        assert_eq!(c.retention_days, 90);
        assert_eq!(config(&[("DISCORD_TOKEN", "t"), ("DATABASE_PATH", "off")]).unwrap().database, None);
        let url = "postgres://bot:pw@db.internal/faqbot";
        let postgres = Some(Location::Postgres(url.into()));
        assert_eq!(config(&[("DISCORD_TOKEN", "t"), ("DATABASE_URL", url)]).unwrap().database, postgres);
        assert_eq!(config(&[("DISCORD_TOKEN", "t"), ("DATABASE_PATH", url)]).unwrap().database, postgres);
        let both = config(&[("DISCORD_TOKEN", "t"), ("DATABASE_URL", url), ("DATABASE_PATH", "x.sqlite3")]);
        assert!(both.unwrap_err().to_string().contains("DATABASE_URL"));
        let not_a_url = config(&[("DISCORD_TOKEN", "t"), ("DATABASE_URL", "data/x.sqlite3")]).unwrap_err();
        assert!(not_a_url.to_string().contains("postgres://"), "{not_a_url}");
        let c = config(&[
            ("DISCORD_TOKEN", "t"),
            ("AUTO_ANSWER_CHANNELS", "11, 12"),
            ("AUTO_ANSWER_COOLDOWN_SECS", "30"),
            ("RATE_LIMIT_QUESTIONS", "0"),
            ("MODERATOR_ROLE_ID", "99"),
            ("MOD_LOG_CHANNEL_ID", "98"),
            ("FAQ_WATCH", "off"),
            ("FAQ_WATCH_DEBOUNCE_MS", "50"),
        ])
        .unwrap();
        assert_eq!(c.auto_answer_channels, vec![11, 12]);
        assert_eq!(c.auto_answer_cooldown, Duration::from_secs(30));
        assert!(c.rate_limit.is_off());
        assert_eq!((c.moderator_role, c.mod_log_channel), (Some(99), Some(98)));
        assert!(!c.watch);
        assert_eq!(c.watch_debounce, Duration::from_millis(50));
        for (name, bad) in
            [("AUTO_ANSWER_CHANNELS", "general"), ("FAQ_WATCH", "maybe"), ("RATE_LIMIT_QUESTIONS", "-1")]
        {
            let e = config(&[("DISCORD_TOKEN", "t"), (name, bad)]).unwrap_err();
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }
}
