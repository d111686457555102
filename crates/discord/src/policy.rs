//! The one ask policy: whether a question gets a reply, silence, or a "slow
//! down", whatever way it reached the bot (`/faq`, a mention, *Answer with
//! FAQ*, an auto-answer channel). Pure: no Discord, no async; the caller
//! passes the time, so it is tested without a gateway.
//!
//! Order, so a flood costs little and help is never held back:
//! 1. read the message (its sentence vectors, 10-20 ms of CPU: triage by
//!    meaning needs them, and ranking reuses them) and triage it: a message
//!    that needs real help is always answered, never held back by a limit or
//!    a cooldown. So a refused message still costs its reading; a person in
//!    crisis who has used up their allowance writing in their own words must
//!    still get the crisis text, and Discord's own per-user limits bound how
//!    much one person can send;
//! 2. auto-answer only: the channel's cooldown;
//! 3. asked questions: the person's allowance, *before* any ranking;
//! 4. the pipeline; auto-answer speaks only with a confident answer, and only
//!    then spends the author's allowance and the channel's cooldown.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use faqbot_core::engine::{Engine, Outcome, Response};
use faqbot_store::Place;

use crate::state::lock;
use crate::throttle::{Cooldown, RateLimiter, Verdict};

/// How the bot came to read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Someone asked the bot (`/faq`, a mention, *Answer with FAQ*).
    Asked,
    /// A message in an auto-answer channel, not addressed to the bot.
    Unasked,
}

/// One question to decide on.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// Where it came from.
    pub place: Place,
    /// Who asked (only used as a rate-limit key; never logged or stored).
    pub user: u64,
    /// The text, as typed.
    pub text: &'a str,
    /// Asked, or read unasked.
    pub mode: Mode,
}

/// What the bot does with it.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Reply with this response (and record it).
    Reply(Response),
    /// Say nothing: an unasked message that no confident answer fits, or a
    /// channel still in its cooldown.
    Silent,
    /// Over the person's limit: not answered; they may ask again after this long.
    Limited(Duration),
}

/// The mutable state the policy keeps: per-person allowances and per-channel cooldowns.
pub struct Throttles {
    /// Questions per person.
    pub limiter: RateLimiter<u64>,
    /// Unasked answers per channel.
    pub cooldowns: Cooldown<u64>,
}

/// Decides on one question at `now`. The throttles are locked only to check
/// or spend an allowance, never while the engine works, so questions are
/// answered side by side.
pub fn decide(engine: &Engine, throttles: &Mutex<Throttles>, ask: Ask<'_>, now: Instant) -> Decision {
    let reading = engine.read(ask.text);
    if engine.needs_help(&reading) {
        return Decision::Reply(engine.ask_reading(&reading));
    }
    let channel = ask.place.channel_id.unwrap_or_default();
    match ask.mode {
        Mode::Asked => {
            if let Verdict::Limited { retry_after } = lock(throttles).limiter.check(ask.user, now) {
                return Decision::Limited(retry_after);
            }
            Decision::Reply(engine.ask_reading(&reading))
        }
        Mode::Unasked => {
            if !lock(throttles).cooldowns.is_ready(channel, now) {
                return Decision::Silent;
            }
            let response = engine.ask_reading(&reading);
            if !matches!(response.outcome, Outcome::Answer(_)) {
                return Decision::Silent;
            }
            let mut t = lock(throttles);
            if let Verdict::Limited { retry_after } = t.limiter.check(ask.user, now) {
                return Decision::Limited(retry_after);
            }
            t.cooldowns.fire(channel, now);
            Decision::Reply(response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::throttle::Rate;
    use faqbot_store::EntryPoint;
    use std::sync::OnceLock;

    fn engine() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../faq");
            Engine::new(faqbot_core::faq::load_dir(&dir).expect("shipped FAQ").faq)
        })
    }

    fn throttles(per_person: u32) -> Mutex<Throttles> {
        Mutex::new(Throttles {
            limiter: RateLimiter::new(Rate { questions: per_person, window: Duration::from_secs(60) }),
            cooldowns: Cooldown::new(Duration::from_secs(120)),
        })
    }

    fn ask(text: &str, mode: Mode, entry_point: EntryPoint) -> Ask<'_> {
        Ask { place: Place { entry_point, guild_id: Some(1), channel_id: Some(2) }, user: 7, text, mode }
    }

    fn kind(d: &Decision) -> &'static str {
        match d {
            Decision::Reply(r) => r.outcome.kind().as_str(),
            Decision::Silent => "silent",
            Decision::Limited(_) => "limited",
        }
    }

    #[test]
    fn an_asked_question_is_limited_before_it_is_ranked_but_safety_never_is() {
        let t = throttles(2);
        let now = Instant::now();
        for entry_point in [EntryPoint::Slash, EntryPoint::Mention] {
            let d = decide(engine(), &t, ask("how big are exosomes", Mode::Asked, entry_point), now);
            assert_eq!(kind(&d), "answer");
        }
        let third = decide(engine(), &t, ask("how big are exosomes", Mode::Asked, EntryPoint::Context), now);
        assert!(matches!(third, Decision::Limited(wait) if wait > Duration::ZERO), "{third:?}");
        let help = decide(
            engine(),
            &t,
            ask("I can't breathe after my injection", Mode::Asked, EntryPoint::Slash),
            now,
        );
        assert_eq!(kind(&help), "safety", "a limit never holds back the safety text");
        let later = now + Duration::from_secs(60);
        assert_eq!(
            kind(&decide(engine(), &t, ask("how big are exosomes", Mode::Asked, EntryPoint::Slash), later)),
            "answer"
        );
    }

    #[test]
    fn unasked_messages_get_a_confident_answer_once_per_cooldown_or_silence() {
        let t = throttles(10);
        let now = Instant::now();
        let chat = ask("anyone up for lunch later", Mode::Unasked, EntryPoint::Auto);
        assert_eq!(decide(engine(), &t, chat, now), Decision::Silent, "nothing fits: silence");
        let question = ask("how big are exosomes", Mode::Unasked, EntryPoint::Auto);
        assert_eq!(kind(&decide(engine(), &t, question, now)), "answer");
        assert_eq!(decide(engine(), &t, question, now), Decision::Silent, "the channel's cooldown");
        let help = ask("i want to kill myself", Mode::Unasked, EntryPoint::Auto);
        assert_eq!(kind(&decide(engine(), &t, help, now)), "safety", "safety ignores the cooldown");
        let after = now + Duration::from_secs(121);
        assert_eq!(kind(&decide(engine(), &t, question, after)), "answer");
    }

    #[test]
    fn small_talk_is_answered_when_said_to_the_bot_and_ignored_in_passing() {
        let t = throttles(10);
        let now = Instant::now();
        let said = ask("thanks so much!", Mode::Asked, EntryPoint::Mention);
        assert_eq!(kind(&decide(engine(), &t, said, now)), "small-talk");
        let overheard = ask("thanks so much!", Mode::Unasked, EntryPoint::Auto);
        assert_eq!(decide(engine(), &t, overheard, now), Decision::Silent, "a thank-you between people");
    }
}
