//! The Discord front end: a thin adapter over the core's engine.
//!
//! - [`state`]: the one [`Data`] built at start-up (the live FAQ, throttles,
//!   votes, the recorder) and how a question goes through the [`policy`];
//! - [`policy`]: the one ask policy every entry point uses (pure, tested without Discord);
//! - [`commands`]: the application commands (poise), one function each;
//! - `events`: mentions, auto-answer channels and button clicks;
//! - [`render`]: a core reply as Discord messages, within Discord's limits;
//! - [`client`](mod@client): the serenity client's lifecycle (token check, shards, shutdown);
//! - [`watch`] and [`moderation`]: reloads and the moderation log.
//!
//! Nothing here matches or decides what an answer is: the core does.

#![warn(missing_docs, unreachable_pub)]

pub mod client;
pub mod commands;
pub mod config;
pub mod custom_id;
mod events;
pub mod feedback;
pub mod moderation;
pub mod policy;
pub mod reload;
pub mod render;
pub mod retry;
pub mod state;
pub mod throttle;
pub mod watch;

pub use client::{check_token, client, framework, http, intents, serve, start, SHUTDOWN_GRACE};
pub use config::{Config, ConfigError, Sharding};
pub use state::{Asked, Asking, Data, InFlight};

/// The error type of commands and event handlers.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// The poise context the commands get.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Autocomplete offers at most this many choices (Discord's limit).
pub const AUTOCOMPLETE_CHOICES: usize = 25;
/// A choice's name and value are at most this long (Discord's limit).
pub const CHOICE_LEN: usize = 100;
