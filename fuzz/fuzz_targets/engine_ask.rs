//! The engine on arbitrary text: never panics, answers the same twice, and
//! reads only the first 2,000 characters (so time per question is bounded).
#![no_main]

use faqbot_core::engine::MAX_QUERY_CHARS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engine = faqbot_fuzz::shipped_engine();
    let first = engine.ask(&text);
    assert_eq!(first, engine.ask(&text), "deterministic");
    let capped: String = text.chars().take(MAX_QUERY_CHARS).collect();
    assert_eq!(first, engine.ask(&capped), "the input cap");
    for s in &first.ranked {
        assert!((0.0..=1.0).contains(&s.confidence));
    }
});
