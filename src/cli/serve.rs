//! `faqbot serve`

use std::process::ExitCode;

use faqbot_discord::{self as discord, Config};

/// After `serve` returns, blocking work gets this long before it is abandoned.
const ABANDON_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

pub fn run() -> anyhow::Result<ExitCode> {
    // A missing .env is fine: the environment alone may configure the bot.
    let _ = dotenvy::dotenv();
    let config = match Config::from_lookup(|k| std::env::var(k).ok()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log file or journal gets plain `key=value` text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // Questions are answered side by side, one per core (the asking slots),
    // so each one's model arithmetic runs on one thread: two threads per
    // question on 2 cores only oversubscribe them. Set before any thread starts.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(discord::serve(config));
    // Replies and records have had their grace inside `serve`; work still on
    // a blocking thread now (a FAQ reload, a question being encoded) is
    // abandoned rather than waited for, so SIGTERM always ends the process.
    runtime.shutdown_timeout(ABANDON_AFTER);
    served?;
    Ok(ExitCode::SUCCESS)
}
