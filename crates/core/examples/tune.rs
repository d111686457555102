//! Grid search over the meaning blend and the decision's thresholds on a cases file.
//!
//! `cargo run --release -p faqbot-core --example tune -- faq tests/eval/cases.toml`
//! runs the model once per case (the signals), then tries every blend offline.
//! `... -- DIR CASES name=value ...`: one full run; `name` is any field of
//! `Weights` (see `pipeline::Weights::set`) or `threshold`, `margin`, `suggest`.
//! `LOOK_ALIKES=FILE ... -- DIR CASES`: instead, the ROC area of the top
//! ranked confidence, the cases' entry questions against FILE's "none" cases,
//! for each meaning weight and floor (the blend's effect on separation).
//! Never tune on the held-out file.

use std::path::Path;
use std::time::Duration;

use faqbot_core::engine::{Engine, Scored, Signals, Weights};
use faqbot_core::eval::{self, Case, Expect};
use faqbot_core::faq::{self, Thresholds};
use faqbot_core::pipeline::rescore::blend;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, cases) = (Path::new(&args[1]), Path::new(&args[2]));
    let base = faq::load_dir(dir).expect("FAQ loads").faq;
    if args.len() > 3 {
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
    let engine = Engine::with_weights(base.clone(), Weights { nearest_floor: 0.0, ..Weights::DEFAULT });
    let cases = eval::read_cases(cases, &engine).expect("cases load");
    const K: usize = 20;
    let signals: Vec<(Case, Signals)> = cases
        .into_iter()
        .map(|c| {
            let s = engine.signals(&c.question, K);
            (c, s)
        })
        .collect();
    if let Some(path) = std::env::var_os("LOOK_ALIKES") {
        let negatives = eval::read_cases(Path::new(&path), &engine).expect("look-alikes load");
        let negatives: Vec<Signals> = negatives
            .iter()
            .filter(|c| c.expect == Expect::None)
            .map(|c| engine.signals(&c.question, K))
            .collect();
        look_alike_grid(&signals, &negatives);
        return;
    }
    let ids: Vec<&str> = base.entries.iter().map(|e| e.id.as_str()).collect();
    let mut results = Vec::new();
    for semantic in [0.4f32, 0.5, 0.6, 0.7, 0.8] {
        for floor in [0.2f32, 0.3, 0.4] {
            for off in [0.0f32, 0.25, 0.5] {
                for nearest in [0usize, 3] {
                    for nearest_floor in [0.4f32, 0.5, 0.6] {
                        if nearest == 0 && nearest_floor != 0.5 {
                            continue;
                        }
                        let w = Weights {
                            semantic,
                            semantic_floor: floor,
                            nearest,
                            nearest_floor,
                            semantic_off_topic: off,
                            ..Weights::DEFAULT
                        };
                        let ranked: Vec<Vec<Scored>> = signals.iter().map(|(_, s)| rank(s, &w)).collect();
                        for threshold in [0.35f32, 0.4, 0.45, 0.5, 0.55, 0.6] {
                            for margin in [0.0f32, 0.01, 0.02, 0.04] {
                                let t = Thresholds {
                                    answer_threshold: threshold,
                                    margin,
                                    suggest_threshold: 0.3f32.min(threshold),
                                };
                                let (top1, ranked1, none) = score(&signals, &ranked, &ids, &t, &w);
                                results.push((top1 + none.min(0.97), top1, ranked1, none, w, t));
                            }
                        }
                    }
                }
            }
        }
    }
    if std::env::var_os("BY_RANKED").is_some() {
        // For banks without "none" cases: the threshold-free figure.
        results.sort_by(|a, b| b.2.total_cmp(&a.2));
    } else {
        results.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    for (s, top1, ranked1, none, w, t) in results.iter().take(5000) {
        println!(
            "{s:.3} top1 {top1:.3} ranked {ranked1:.3} none {none:.3} | semantic {:.2} off-topic {:.2} floor {:.2} nearest {} >= {:.2} | threshold {:.2} margin {:.2}",
            w.semantic, w.semantic_off_topic, w.semantic_floor, w.nearest, w.nearest_floor, t.answer_threshold, t.margin
        );
    }
}

/// The blended ranking for one case under `w` (as the engine would rank it).
fn rank(s: &Signals, w: &Weights) -> Vec<Scored> {
    let Some(closeness) = &s.closeness else { return s.words.clone() };
    let w = &w.for_topic(s.on_topic);
    let mut nearest: Vec<usize> = (0..closeness.len()).filter(|&e| closeness[e] >= w.nearest_floor).collect();
    nearest.sort_by(|&a, &b| closeness[b].total_cmp(&closeness[a]).then(a.cmp(&b)));
    nearest.truncate(if s.on_topic { w.nearest } else { 0 });
    let extra = s.near.iter().filter(|n| nearest.contains(&n.entry));
    let mut out: Vec<Scored> = s
        .words
        .iter()
        .chain(extra)
        .map(|c| Scored { entry: c.entry, confidence: blend(c.confidence, closeness[c.entry], w) })
        .collect();
    if s.words.is_empty() && out.is_empty() {
        return out;
    }
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.entry.cmp(&b.entry)));
    out
}

fn score(
    signals: &[(Case, Signals)],
    ranked: &[Vec<Scored>],
    ids: &[&str],
    t: &Thresholds,
    w: &Weights,
) -> (f64, f64, f64) {
    let (mut entry_cases, mut top1, mut ranked1, mut none_cases, mut none_ok) = (0, 0, 0, 0, 0);
    for ((case, s), r) in signals.iter().zip(ranked) {
        let answered = match r.first() {
            Some(best) if !s.triaged => {
                let runner = r.get(1).map_or(0.0, |x| x.confidence);
                (best.confidence >= t.answer_threshold && best.confidence - runner >= t.margin)
                    .then_some(best.entry)
            }
            _ => None,
        };
        let _ = w;
        match &case.expect {
            Expect::Entries(want) => {
                entry_cases += 1;
                top1 += usize::from(answered.is_some_and(|e| want.iter().any(|x| x == ids[e])));
                ranked1 += usize::from(r.first().is_some_and(|b| want.iter().any(|x| x == ids[b.entry])));
            }
            Expect::None => {
                none_cases += 1;
                none_ok += usize::from(answered.is_none());
            }
            Expect::Safety | Expect::Category(_) | Expect::Ordinary | Expect::SmallTalk => {}
        }
    }
    let f = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    (f(top1, entry_cases), f(ranked1, entry_cases), f(none_ok, none_cases))
}

/// The ROC area of the top ranked confidence, entry cases against the
/// look-alikes, for each meaning weight and floor.
fn look_alike_grid(cases: &[(Case, Signals)], negatives: &[Signals]) {
    let top = |s: &Signals, w: &Weights| rank(s, w).first().map_or(0.0, |b| b.confidence);
    let positives: Vec<&Signals> =
        cases.iter().filter(|(c, _)| matches!(c.expect, Expect::Entries(_))).map(|(_, s)| s).collect();
    for semantic in [0.5f32, 0.6, 0.7, 0.8, 0.9, 1.0] {
        for floor in [0.2f32, 0.3, 0.4] {
            let w = Weights { semantic, semantic_floor: floor, ..Weights::DEFAULT };
            let pos: Vec<f32> = positives.iter().map(|s| top(s, &w)).collect();
            let neg: Vec<f32> = negatives.iter().map(|s| top(s, &w)).collect();
            println!("semantic {semantic:.2} floor {floor:.2}: AUC {:.3}", eval::look_alike::auc(&pos, &neg));
        }
    }
}
