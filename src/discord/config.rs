//! `faqbot serve` configuration, from the environment (and `.env`).

use std::fmt;
use std::path::PathBuf;

/// How the gateway connection is sharded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharding {
    /// One shard, one process: small bots (under ~1,000 guilds).
    Single,
    /// As many shards as Discord recommends, all in this process.
    Auto,
    /// Shards `first..=last` of `total`, for splitting a big bot across processes.
    Range { first: u32, last: u32, total: u32 },
}

/// Everything `serve` needs. `Debug` never shows the token.
#[derive(Clone)]
pub struct Config {
    pub token: String,
    pub faq_dir: PathBuf,
    pub guild_id: Option<u64>,
    pub sharding: Sharding,
    /// Send REST calls to this base URL instead of discord.com (a rate-limit proxy, or tests).
    pub http_proxy: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("faq_dir", &self.faq_dir)
            .field("guild_id", &self.guild_id)
            .field("sharding", &self.sharding)
            .field("http_proxy", &self.http_proxy)
            .finish()
    }
}

/// A configuration problem, shown to the person starting the bot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "DISCORD_TOKEN is not set. Copy .env.example to .env and fill in the bot token \
         (see the README), or try the FAQ without Discord: faqbot ask \"your question\""
    )]
    MissingToken,
    #[error("{name} = {value:?} is not valid: {expected}")]
    Invalid { name: &'static str, value: String, expected: &'static str },
}

impl Config {
    /// Reads the configuration through `get` (the environment in `serve`, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let token = get("DISCORD_TOKEN").map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let token = token.ok_or(ConfigError::MissingToken)?;
        let faq_dir = get("FAQ_DIR").filter(|d| !d.trim().is_empty()).unwrap_or_else(|| "faq".into()).into();
        let guild_id = match get("DISCORD_GUILD_ID").filter(|g| !g.trim().is_empty()) {
            None => None,
            Some(g) => Some(g.trim().parse().map_err(|_| ConfigError::Invalid {
                name: "DISCORD_GUILD_ID",
                value: g.clone(),
                expected: "a numeric guild (server) id",
            })?),
        };
        let sharding = match get("DISCORD_SHARDS") {
            None => Sharding::Single,
            Some(s) => parse_sharding(&s).ok_or(ConfigError::Invalid {
                name: "DISCORD_SHARDS",
                value: s,
                expected: "\"single\", \"auto\", or a range like \"0-3/8\" (shards 0 to 3 of 8)",
            })?,
        };
        let http_proxy = get("DISCORD_HTTP_PROXY").filter(|p| !p.trim().is_empty());
        Ok(Config { token, faq_dir, guild_id, sharding, http_proxy })
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
    fn sharding_and_guild() {
        let c = config(&[("DISCORD_TOKEN", "t"), ("DISCORD_SHARDS", "2-3/8"), ("DISCORD_GUILD_ID", "42")])
            .unwrap();
        assert_eq!(c.sharding, Sharding::Range { first: 2, last: 3, total: 8 });
        assert_eq!(c.guild_id, Some(42));
        assert!(config(&[("DISCORD_TOKEN", "t"), ("DISCORD_SHARDS", "3-2/8")]).is_err());
        assert!(config(&[("DISCORD_TOKEN", "t"), ("DISCORD_GUILD_ID", "abc")]).is_err());
    }
}
