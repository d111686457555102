//! `faqbot serve`

use std::process::ExitCode;

use faqbot_discord::{self as discord, Config};

/// After `serve` returns, blocking work gets this long before it is abandoned.
const ABANDON_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

/// glibc's malloc gives each thread that allocates at once an arena of its
/// own (up to eight per core), and freed memory stays in its arena: a burst
/// of questions answered on the asking threads, the runtime's workers and
/// serenity's tasks left RSS 17-18 MB over idle after 300 `/faq` at once.
/// Two arenas, measured in the same run: 8.7-9.5 MB, with the burst's
/// response times unchanged (`load::three_hundred_slash_commands_at_once…`).
/// `MALLOC_ARENA_MAX` in the environment still wins.
const MALLOC_ARENAS: i32 = 2;

/// Caps glibc's malloc arenas at [`MALLOC_ARENAS`] unless the environment sets
/// `MALLOC_ARENA_MAX`; call before any thread starts.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a tunable of the allocator; called once,
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
        }
    }
}

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
    cap_malloc_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(discord::serve(config));
    // Replies and records have had their grace inside `serve`; work still on
    // a blocking thread now (a FAQ reload, a question being encoded) is
    // abandoned rather than waited for, so SIGTERM always ends the process.
    runtime.shutdown_timeout(ABANDON_AFTER);
    served?;
    Ok(ExitCode::SUCCESS)
}
