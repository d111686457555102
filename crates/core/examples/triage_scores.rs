//! Triage's evidence for every case of a cases file, one line each, for
//! choosing the meaning bars (`safety::Bar`) offline:
//!
//! `cargo run --release -p faqbot-core --example triage_scores -- faq tests/eval/safety-tune.toml`
//!
//! prints tab-separated: expected, kind, then per category (emergency,
//! self-harm, personal advice) `phrase example counter faq classifier`, then the
//! question.
//! Run it on the tune half only: never choose bars on the test half.

use std::path::Path;

use faqbot_core::engine::Engine;
use faqbot_core::eval::{self, Expect};
use faqbot_core::faq;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(cases)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: triage_scores FAQ_DIR CASES");
        std::process::exit(2);
    };
    let engine = Engine::new(faq::load_dir(Path::new(dir)).expect("FAQ loads").faq);
    let cases = eval::read_cases(Path::new(cases), &engine).expect("cases load");
    for case in cases {
        let expected = match &case.expect {
            Expect::Category(c) => c.as_str().to_string(),
            Expect::Safety => "safety".into(),
            Expect::Ordinary | Expect::None | Expect::SmallTalk => "ordinary".into(),
            Expect::Entries(ids) => ids.join("|"),
        };
        let mut line = format!("{expected}\t{}", case.kind.as_deref().unwrap_or("-"));
        for c in engine.explain(&case.question).triage {
            let m = c.meaning.map_or([0.0; 3], |m| [m.example, m.counter, m.faq]);
            let p = c.probability.unwrap_or(0.0);
            line += &format!("\t{}\t{:.4}\t{:.4}\t{:.4}\t{p:.4}", u8::from(c.phrase), m[0], m[1], m[2]);
        }
        println!("{line}\t{}", case.question.replace(['\t', '\n'], " "));
    }
}
