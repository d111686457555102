//! Watching the FAQ folder: after a change and a quiet spell, the same
//! validate-then-swap reload as `/faq-reload`.
//!
//! Two watches: the folder itself (its `.toml` files), and its parent (the
//! folder's own entry), so the watch survives the folder being removed and
//! created again (`rm -rf faq && git checkout faq`), renamed away and back,
//! or swapped as a symlink (`ln -sfn release-2 faq`, the usual atomic
//! deploy). After such a change the folder watch is armed again on whatever
//! the path now names. A plain debounce is used rather than
//! `notify-debouncer-full`: its rename tracking follows files it already
//! watches, but it does not re-arm a watch whose folder went away, which is
//! the case to handle here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use faqbot_core::live::{LiveFaq, ReloadReport};

/// What a change means for the watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// A file in the folder changed.
    File,
    /// The folder's own entry changed (removed, created, renamed, re-linked):
    /// the folder watch must be armed again.
    Folder,
}

/// What a change to `path` means, for the folder `dir` (absolute); `None`
/// when it cannot change the FAQ.
fn classify(path: &Path, dir: &Path) -> Option<Change> {
    if path == dir {
        Some(Change::Folder)
    } else if path.parent() == Some(dir) && path.extension().is_some_and(|e| e == "toml") {
        Some(Change::File)
    } else {
        None
    }
}

/// The folder watch, armed or not, and whether that was said in the log.
struct FolderWatch {
    watcher: RecommendedWatcher,
    dir: PathBuf,
    armed: bool,
}

impl FolderWatch {
    /// Arms the watch on whatever `dir` names now (a new folder, a symlink's
    /// new target). Logs once when watching stops and once when it resumes.
    fn rearm(&mut self) {
        if self.armed {
            // The old folder may be gone with its watch; that is expected.
            let _ = self.watcher.unwatch(&self.dir);
        }
        match self.watcher.watch(&self.dir, RecursiveMode::NonRecursive) {
            Ok(()) if !self.armed => {
                tracing::info!(dir = %self.dir.display(), "the FAQ folder is back: watching it again");
                self.armed = true;
            }
            Ok(()) => {}
            Err(error) if self.armed => {
                tracing::warn!(%error, dir = %self.dir.display(),
                    "the FAQ folder is gone: watching suspended until it is back (the FAQ in memory keeps serving)");
                self.armed = false;
            }
            Err(_) => {}
        }
    }
}

/// Starts watching `live`'s folder. Each debounced change reloads (off the
/// event loop) and hands the report to `on_report`. Returns an error when the
/// folder cannot be watched; the bot then runs without watching.
pub fn spawn<F, Fut>(live: Arc<LiveFaq>, debounce: Duration, on_report: F) -> notify::Result<()>
where
    F: Fn(ReloadReport) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Change>();
    let dir = std::path::absolute(live.dir()).unwrap_or_else(|_| live.dir().to_path_buf());
    let parent = dir.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let for_events = dir.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
        Ok(event) if event.kind.is_access() => {}
        Ok(event) => {
            let change = event.paths.iter().filter_map(|p| classify(p, &for_events)).max_by_key(|c| *c as u8);
            if let Some(change) = change {
                let _ = tx.send(change);
            }
        }
        Err(error) => tracing::warn!(%error, "FAQ folder watch error"),
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    watcher.watch(&parent, RecursiveMode::NonRecursive)?;
    tracing::info!(dir = %dir.display(), debounce_ms = debounce.as_millis() as u64, "watching the FAQ folder");
    let mut folder = FolderWatch { watcher, dir, armed: true };
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            // Wait for a quiet spell: every further change restarts the wait.
            let mut rearm = first == Change::Folder;
            loop {
                match tokio::time::timeout(debounce, rx.recv()).await {
                    Ok(Some(change)) => rearm |= change == Change::Folder,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }
            if rearm || !folder.armed {
                folder.rearm();
            }
            let reloading = live.clone();
            match crate::reload::in_background(reloading).await {
                Ok(report) => on_report(report).await,
                Err(error) => tracing::error!(%error, "the FAQ reload task failed; the previous FAQ is kept"),
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_told_apart() {
        let dir = Path::new("/srv/bot/faq");
        assert_eq!(classify(Path::new("/srv/bot/faq"), dir), Some(Change::Folder));
        assert_eq!(classify(Path::new("/srv/bot/faq/basics.toml"), dir), Some(Change::File));
        assert_eq!(classify(Path::new("/srv/bot/faq/notes.md"), dir), None);
        assert_eq!(classify(Path::new("/srv/bot/faq.new"), dir), None, "a sibling");
        assert_eq!(classify(Path::new("/srv/bot/other/x.toml"), dir), None);
    }
}
