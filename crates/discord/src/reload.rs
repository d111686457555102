//! Running a FAQ reload in the background: on a thread of its own, at a lower
//! CPU priority, so questions keep their share of the cores while the new FAQ
//! is validated and its engine built (about a second of CPU with the checks a
//! reload runs). A reload only has to finish; answers have deadlines.

use std::sync::Arc;

use faqbot_core::live::{LiveFaq, ReloadReport};

/// The niceness a reload thread runs at (0 is normal, 19 the lowest): at 10 a
/// busy reload gets about a tenth of the CPU a question thread gets when both
/// want a core.
pub const RELOAD_NICENESS: i32 = 10;

/// Reloads `live` on a background thread and waits for its report.
pub async fn in_background(live: Arc<LiveFaq>) -> std::io::Result<ReloadReport> {
    let (done, report) = tokio::sync::oneshot::channel();
    std::thread::Builder::new().name("faq-reload".into()).spawn(move || {
        lower_priority();
        let _ = done.send(live.reload());
    })?;
    report.await.map_err(|_| std::io::Error::other("the reload thread stopped without a report"))
}

/// Lowers this thread's priority (Linux: niceness is per thread). Best effort:
/// where it cannot, the reload runs at normal priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id; no memory is shared.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, RELOAD_NICENESS);
    }
}
