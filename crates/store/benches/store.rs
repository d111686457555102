//! The moderators' reports on a realistic database of 100,000 recorded
//! questions: `cargo bench --bench store`.
//!
//! The database is made once per run in a temporary folder: questions from
//! the project's eval sets, varied as chat varies them (case, filler, a typo,
//! punctuation), spread over 90 days; 55% answered, 20% "did you mean", 20%
//! unanswered, 5% safety; 5,000 feedback votes.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use faqbot_core::engine::Engine;
use faqbot_core::faq;
use faqbot_store::{self as store, report};
use rusqlite::params;

const QUESTIONS: usize = 100_000;
const VOTES: usize = 5_000;
const DAY: i64 = 86_400;

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn eval_questions(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for file in ["tests/eval/cases.toml", "tests/eval/holdout.toml"] {
        let text = std::fs::read_to_string(root.join(file)).expect("eval cases");
        let value: toml::Value = toml::from_str(&text).expect("eval cases parse");
        for case in value["case"].as_array().into_iter().flatten() {
            out.push(case["question"].as_str().unwrap_or_default().to_string());
        }
    }
    out
}

/// One of the ways the same question comes in differently.
fn vary(question: &str, rng: &mut Lcg) -> String {
    const FILLER: &[&str] = &["", "", "hey bot ", "quick question: ", "hi all, ", "sorry if dumb but "];
    let mut q = format!("{}{}", FILLER[rng.below(FILLER.len())], question);
    match rng.below(5) {
        0 => q = q.to_uppercase(),
        1 => q.push_str("??"),
        2 => {
            // A typo: drop one letter of a longer word.
            let words: Vec<&str> = q.split(' ').collect();
            if let Some(i) = words.iter().position(|w| w.len() > 6) {
                let mut w = words[i].to_string();
                w.remove(3);
                q = words
                    .iter()
                    .enumerate()
                    .map(|(j, x)| if j == i { w.as_str() } else { x })
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        _ => {}
    }
    q
}

fn build(path: &Path, engine: &Engine, root: &Path) {
    let mut conn = store::open_write(path).expect("database");
    let questions = eval_questions(root);
    let entries: Vec<&str> = engine.faq().entries.iter().map(|e| e.id.as_str()).collect();
    let mut rng = Lcg(7);
    let now = store::now();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO questions (at, guild_id, channel_id, entry_point, outcome, category, entry_id, confidence, text)
                 VALUES (?1, 1, ?2, 'slash', ?3, ?4, ?5, ?6, ?7)",
            )
            .unwrap();
        for _ in 0..QUESTIONS {
            let at = now - rng.below(90 * DAY as usize) as i64;
            let roll = rng.below(100);
            let (outcome, category, entry, text) = match roll {
                0..=54 => (
                    "answer",
                    None,
                    Some(entries[rng.below(entries.len()).min(rng.below(entries.len()))]),
                    None,
                ),
                55..=94 => {
                    let q = vary(&questions[rng.below(questions.len())], &mut rng);
                    (if roll < 75 { "suggest" } else { "none" }, None, None, Some(store::normalise(&q)))
                }
                _ => {
                    ("safety", Some(["emergency", "self-harm", "personal-advice"][rng.below(3)]), None, None)
                }
            };
            insert.execute(params![at, rng.below(20) as i64, outcome, category, entry, 0.5, text]).unwrap();
        }
        let mut vote = tx
            .prepare("INSERT OR IGNORE INTO votes (message_id, voter_hash, entry_id, helpful, at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        for _ in 0..VOTES {
            let voter = store::voter_hash(b"bench", rng.below(2_000) as u64);
            let entry = entries[rng.below(entries.len())];
            vote.execute(params![
                rng.below(20_000) as i64,
                &voter[..],
                entry,
                rng.below(4) > 0,
                now - rng.below(30 * DAY as usize) as i64
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn reports(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::new(faq::load_dir(&root.join("../../faq")).expect("shipped FAQ").faq);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("faqbot.sqlite3");
    build(&path, &engine, &root);
    let conn = store::open_read(&path).unwrap();
    let distinct: i64 = conn
        .query_row("SELECT COUNT(DISTINCT text) FROM questions WHERE text IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    eprintln!("database: {QUESTIONS} questions, {distinct} distinct unanswered/low-confidence wordings, {VOTES} votes");

    let mut group = c.benchmark_group("store (100,000 questions)");
    group.sample_size(20);
    for days in [30, 90] {
        group.bench_function(format!("gaps, {days} days"), |b| {
            b.iter(|| {
                black_box(
                    report::gaps(&conn, engine.analyzer(), store::now(), days, report::DEFAULT_ROWS).unwrap(),
                )
            })
        });
        group.bench_function(format!("stats, {days} days"), |b| {
            b.iter(|| black_box(report::stats(&conn, store::now(), days, report::DEFAULT_ROWS).unwrap()))
        });
    }
    // What `/faq-gaps` does per call: open the file, then group.
    group.bench_function("gaps, 30 days, with open", |b| {
        b.iter(|| {
            let conn = store::open_read(&path).unwrap();
            black_box(report::gaps(&conn, engine.analyzer(), store::now(), 30, report::DEFAULT_ROWS).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, reports);
criterion_main!(benches);
