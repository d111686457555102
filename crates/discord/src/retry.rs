//! Sending through Discord's REST API when it pushes back.
//!
//! With `DISCORD_HTTP_PROXY` serenity's own rate limiter is off, so a 429
//! reaches the bot as an error. A 429 means the request was not carried out,
//! so it is safe to send again: the bot waits and retries a bounded number of
//! times, then gives up with a log line. Other failures (a 500, a timeout) are
//! not retried: the request may have gone through, and a second try could post
//! the same reply twice.

use std::future::Future;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::http::HttpError;

/// Retries after a 429 at most this many times.
pub const RATE_LIMIT_RETRIES: u32 = 3;
/// The first wait after a 429, doubled each time (0.25 + 0.5 + 1 s in all):
/// serenity does not pass on Discord's `retry_after`, and per-route limits
/// reset within about a second. An interaction must be answered within 3 s,
/// so the waits stay under that.
pub const RATE_LIMIT_FIRST_WAIT: Duration = Duration::from_millis(250);

/// The HTTP status Discord answered with, if the request got an answer.
pub fn status(error: &serenity::Error) -> Option<u16> {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code.as_u16()),
        _ => None,
    }
}

/// Whether Discord answered 429 Too Many Requests.
pub fn is_rate_limited(error: &serenity::Error) -> bool {
    status(error) == Some(429)
}

/// Runs `send`, retrying after a 429 with growing waits; any other outcome is returned as it is.
pub async fn send<T, F, Fut>(what: &'static str, mut send: F) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut wait = RATE_LIMIT_FIRST_WAIT;
    let mut attempt = 0;
    loop {
        match send().await {
            Err(error) if is_rate_limited(&error) && attempt < RATE_LIMIT_RETRIES => {
                attempt += 1;
                tracing::warn!(
                    what,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "Discord answered 429; retrying"
                );
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(error) => {
                match status(&error) {
                    Some(429) => tracing::error!(
                        what,
                        attempts = attempt + 1,
                        "Discord kept answering 429; giving up on this reply"
                    ),
                    Some(status) if status >= 500 => tracing::error!(
                        what,
                        status,
                        "Discord answered a server error; this reply is lost (not retried: it may have gone through)"
                    ),
                    _ => {}
                }
                return Err(error);
            }
            ok => return ok,
        }
    }
}
