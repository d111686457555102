//! `faqbot serve`

use std::process::ExitCode;

use faqbot_discord::{self as discord, Config};

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
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(discord::serve(config))?;
    Ok(ExitCode::SUCCESS)
}
