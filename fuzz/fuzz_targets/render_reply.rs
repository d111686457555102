//! Whatever is asked, the reply the bot would send fits Discord's limits.
#![no_main]

use faqbot::discord::render;
use faqbot::reply;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engine = faqbot_fuzz::shipped_engine();
    let rendered = render::render(&reply::compose(engine, &text, &engine.ask(&text)));
    let broken = render::limit_violations(&rendered);
    assert!(broken.is_empty(), "over Discord's limits: {broken:?}");
});
