//! Watching the FAQ folder: after a change and a quiet spell, the same
//! validate-then-swap reload as `/faq-reload`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use faqbot_core::live::{LiveFaq, ReloadReport};

/// Whether a change to `path` can change the FAQ: a `.toml` file, or the folder itself.
fn matters(path: &Path, dir: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml") || path == dir
}

/// Starts watching `live`'s folder. Each debounced change reloads (off the
/// event loop) and hands the report to `on_report`. Returns an error when the
/// folder cannot be watched; the bot then runs without watching.
pub fn spawn<F, Fut>(live: Arc<LiveFaq>, debounce: Duration, on_report: F) -> notify::Result<()>
where
    F: Fn(ReloadReport) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let dir = live.dir().to_path_buf();
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
        Ok(event) => {
            if event.kind.is_access() {
                return;
            }
            if event.paths.iter().any(|p| matters(p, &canonical) || matters(p, &dir)) {
                let _ = tx.send(());
            }
        }
        Err(error) => tracing::warn!(%error, "FAQ folder watch error"),
    })?;
    watcher.watch(live.dir(), RecursiveMode::NonRecursive)?;
    tracing::info!(dir = %live.dir().display(), debounce_ms = debounce.as_millis() as u64, "watching the FAQ folder");
    tokio::spawn(async move {
        // The watcher lives as long as this task.
        let _watcher = watcher;
        while rx.recv().await.is_some() {
            // Wait for a quiet spell: every further change restarts the wait.
            loop {
                match tokio::time::timeout(debounce, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }
            let reloading = live.clone();
            match tokio::task::spawn_blocking(move || reloading.reload()).await {
                Ok(report) => on_report(report).await,
                Err(error) => tracing::error!(%error, "the FAQ reload task failed; the previous FAQ is kept"),
            }
        }
    });
    Ok(())
}
