//! The state built once at start-up and shared by every handler, and how a
//! question goes through it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::feedback::VoteBook;
use crate::policy::{self, Ask, Decision, Mode, Throttles};
use crate::throttle::{Cooldown, RateLimiter};
use faqbot_core::engine::{Engine, Response};
use faqbot_core::live::LiveFaq;
use faqbot_store::{EntryPoint, Location, Place, QuestionRecord, Recorder, RecorderOptions};

/// Built once at start-up and shared by every handler. Every lock in it is
/// held for a few instructions, never across `.await`.
pub struct Data {
    pub(crate) live: Arc<LiveFaq>,
    pub(crate) in_flight: Arc<InFlight>,
    pub(crate) auto_answer_channels: HashSet<u64>,
    pub(crate) moderator_role: Option<u64>,
    pub(crate) mod_log_channel: Option<u64>,
    /// `Some(debounce)` when the FAQ folder is watched.
    pub(crate) watch: Option<Duration>,
    pub(crate) asking: Asking,
    pub(crate) votes: Mutex<VoteBook>,
    /// Where questions and votes are recorded; `None` when recording is off.
    pub(crate) database: Option<Location>,
    pub(crate) recorder: Option<Recorder>,
}

/// What answering a question needs, cheap to clone into a blocking task:
/// the engine's work (about 10-20 ms of CPU with the sentence model) never
/// runs on the async executor, and at most [`asking_slots`] questions are
/// worked on at once; the rest wait their turn without holding a thread.
#[derive(Clone)]
pub struct Asking {
    live: Arc<LiveFaq>,
    throttles: Arc<Mutex<Throttles>>,
    recorder: Option<Recorder>,
    slots: Arc<Semaphore>,
}

/// Questions worked on at once: one per core (the model's work is CPU-bound;
/// more at once only makes each slower).
pub fn asking_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A question that went through the [`policy`].
pub struct Asked {
    /// The engine it was decided with (keep it to render: a reload may swap another in).
    pub engine: Arc<Engine>,
    /// What the bot does.
    pub decision: Decision,
}

/// A poisoned lock only means a panic elsewhere; the data (counters) is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Data {
    /// The state for serving `live` as `config` says (opens the recorder).
    pub fn new(live: LiveFaq, config: &Config) -> Data {
        let live = Arc::new(live);
        let recorder = config.database.as_ref().map(|location| {
            let options =
                RecorderOptions { location: location.clone(), retention_days: config.retention_days };
            let (recorder, error) = Recorder::start(options);
            match error {
                Some(error) => tracing::warn!(%error, database = %location,
                    "cannot open the database now; answering goes on and recording starts when it can"),
                None => tracing::info!(database = %location, retention_days = config.retention_days,
                    "recording questions and votes"),
            }
            recorder
        });
        Data {
            live: live.clone(),
            in_flight: Arc::default(),
            auto_answer_channels: config.auto_answer_channels.iter().copied().collect(),
            moderator_role: config.moderator_role,
            mod_log_channel: config.mod_log_channel,
            watch: config.watch.then_some(config.watch_debounce),
            asking: Asking {
                live: live.clone(),
                throttles: Arc::new(Mutex::new(Throttles {
                    limiter: RateLimiter::new(config.rate_limit),
                    cooldowns: Cooldown::new(config.auto_answer_cooldown),
                })),
                recorder: recorder.clone(),
                slots: Arc::new(Semaphore::new(asking_slots())),
            },
            votes: Mutex::new(VoteBook::default()),
            database: config.database.clone(),
            recorder,
        }
    }

    /// The current engine (a reload swaps in a new one; this one stays whole).
    pub fn engine(&self) -> Arc<Engine> {
        self.live.engine()
    }

    /// Decides on a question by the one ask policy ([`policy::decide`]) on
    /// a blocking thread, when one of the asking slots is free: see [`Asking::ask`].
    pub async fn ask(&self, place: Place, user: u64, text: &str, mode: Mode) -> Asked {
        self.asking.ask(place, user, text.to_string(), mode).await
    }
}

impl Asking {
    /// Decides on a question by the one ask policy ([`policy::decide`]) off
    /// the async executor, logs what the person actually got, and records a
    /// question that was replied to.
    pub async fn ask(&self, place: Place, user: u64, text: String, mode: Mode) -> Asked {
        let this = self.clone();
        // The semaphore is never closed; without a permit the work still runs.
        let permit = self.slots.clone().acquire_owned().await.ok();
        let asked = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            this.ask_now(Ask { place, user, text: &text, mode })
        })
        .await;
        match asked {
            Ok(asked) => asked,
            // The work panicked (a bug): say nothing rather than fail the event loop.
            Err(error) => {
                tracing::error!(%error, entry_point = place.entry_point.as_str(), "answering failed");
                Asked { engine: self.live.engine(), decision: Decision::Silent }
            }
        }
    }

    /// The same, on the calling thread.
    fn ask_now(&self, ask: Ask<'_>) -> Asked {
        let engine = self.live.engine();
        let started = Instant::now();
        let decision = policy::decide(&engine, &self.throttles, ask, started);
        match &decision {
            Decision::Reply(response) => {
                log_question(&engine, ask.place.entry_point, response, started);
                if let Some(recorder) = &self.recorder {
                    recorder.question(QuestionRecord::of(engine.faq(), response, ask.text, ask.place));
                }
            }
            Decision::Limited(wait) => tracing::info!(
                entry_point = ask.place.entry_point.as_str(),
                retry_after_s = wait.as_secs(),
                "rate limited"
            ),
            Decision::Silent => tracing::debug!(entry_point = ask.place.entry_point.as_str(), "not answered"),
        }
        Asked { engine, decision }
    }
}

/// One log line per question: never the user's name or id.
fn log_question(engine: &Engine, entry_point: EntryPoint, response: &Response, started: Instant) {
    let (entry, confidence) = response.top();
    let entry = entry.map_or("-", |e| engine.faq().entries[e].id.as_str());
    tracing::info!(
        entry_point = entry_point.as_str(),
        outcome = response.outcome.kind().as_str(),
        entry,
        confidence = format_args!("{confidence:.3}"),
        latency_us = started.elapsed().as_micros() as u64,
        "question"
    );
}

/// Counts replies being made, so shutdown can wait for them.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while a reply is being made.
pub(crate) struct InFlightGuard<'a>(&'a InFlight);

impl InFlight {
    pub(crate) fn enter(&self) -> InFlightGuard<'_> {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self)
    }

    /// Returns once no reply is being made.
    pub async fn wait_idle(&self) {
        while self.count.load(Ordering::SeqCst) > 0 {
            let notified = self.idle.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
    }
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
