//! Grid search over the pipeline's weights and thresholds on a cases file.
//!
//! `cargo run --release -p faqbot-core --example tune -- faq tests/eval/cases.toml`
//! `... -- DIR CASES name=value ...`: one run; `name` is any field of
//! `Weights` (see `pipeline::Weights::set`) or `threshold`, `margin`, `suggest`.
//! Prints the best settings by a score that weighs top-1, abstention and the
//! share of "none" cases answered; used to pick the defaults. Never tune on
//! the held-out file.

use std::path::Path;
use std::time::Duration;

use faqbot_core::engine::Engine;
use faqbot_core::engine::Weights;
use faqbot_core::{eval, faq};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, cases) = (Path::new(&args[1]), Path::new(&args[2]));
    let base = faq::load_dir(dir).expect("FAQ loads").faq;
    if args.len() > 3 {
        // `-- DIR CASES key=value ...`: one run with these weights/thresholds.
        let mut w = Weights::DEFAULT;
        let mut f = base.clone();
        for kv in &args[3..] {
            let (k, v) = kv.split_once('=').expect("key=value");
            let v: f32 = v.parse().expect("a number");
            match k {
                "threshold" => f.thresholds.answer_threshold = v,
                "margin" => f.thresholds.margin = v,
                "suggest" => f.thresholds.suggest_threshold = v,
                name => w.set(name, v).unwrap_or_else(|e| panic!("{e}")),
            }
        }
        let engine = Engine::with_weights(f, w);
        let cases = eval::read_cases(cases, &engine).expect("cases load");
        let r = eval::run_without_timing(&engine, &cases, Duration::ZERO);
        println!(
            "top1 {:.3} ranked {:.3} top5 {:.3} mrr {:.3} none {:.3} safety {:.3} false-safety {}",
            r.top1,
            r.top1_ranked,
            r.top5_recall,
            r.mrr,
            r.none_not_answered,
            r.safety_accuracy,
            r.false_safety
        );
        return;
    }
    let mut results = Vec::new();
    for semantic in [0.4f32, 0.5, 0.6] {
        for semantic_floor in [0.2f32, 0.3, 0.4] {
            let weights = Weights { semantic, semantic_floor, ..Weights::DEFAULT };
            let engine = Engine::with_weights(base.clone(), weights);
            let cases = eval::read_cases(cases, &engine).expect("cases load");
            for threshold in [0.35f32, 0.4, 0.45, 0.5, 0.55] {
                for margin in [0.0f32, 0.01, 0.02, 0.04] {
                    let mut f = base.clone();
                    f.thresholds.answer_threshold = threshold;
                    f.thresholds.margin = margin;
                    f.thresholds.suggest_threshold = f.thresholds.suggest_threshold.min(threshold);
                    let engine = Engine::with_weights(f, weights);
                    let r = eval::run_without_timing(&engine, &cases, Duration::ZERO);
                    let score = r.top1 + r.none_not_answered.min(0.97);
                    results.push((score, r.top1, r.none_not_answered, weights, threshold, margin));
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (score, top1, none, w, t, m) in results.iter().take(15) {
        println!(
            "{score:.3} top1 {top1:.3} none {none:.3} | semantic {:.2} floor {:.2} | threshold {t:.2} margin {m:.2}",
            w.semantic, w.semantic_floor
        );
    }
}
