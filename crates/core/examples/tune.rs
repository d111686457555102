//! Grid search over the matcher's weights and thresholds on a cases file.
//!
//! `cargo run --release --example tune -- faq tests/eval/cases.toml`
//! Prints the best settings by a score that weighs top-1, abstention and the
//! share of "none" cases answered; used to pick the defaults. Never tune on
//! the held-out file.

use std::path::Path;
use std::time::Duration;

use faqbot_core::engine::Engine;
use faqbot_core::matcher::Weights;
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
                "beta_on" => w.beta_on_topic = v,
                "beta_off" => w.beta_off_topic = v,
                "gamma" => w.gamma = v,
                "tag" => w.tag = v,
                "answer" => w.answer = v,
                "conflict" => w.question_conflict = v,
                "segment" => w.segment_factor = v,
                "core_unexplained" => w.core_unexplained = v,
                "core_unasked" => w.core_unasked = v,
                "other_keys" => w.other_keys = v,
                "semantic" => w.semantic = v,
                "sem_floor" => w.semantic_floor = v,
                "core_unasked_off" => w.core_unasked_off_topic = v,
                "threshold" => f.settings.answer_threshold = v,
                "margin" => f.settings.margin = v,
                "suggest" => f.settings.suggest_threshold = v,
                _ => panic!("unknown key {k}"),
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
                    f.settings.answer_threshold = threshold;
                    f.settings.margin = margin;
                    f.settings.suggest_threshold = f.settings.suggest_threshold.min(threshold);
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
