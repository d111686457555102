//! The batched writer's speed and the moderators' reports on a realistic
//! database of 100,000 recorded questions, on SQLite and (when
//! `FAQBOT_BENCH_DATABASE_URL` is set) Postgres: `cargo bench --bench store`.
//!
//! The database is made once per run in a temporary folder: questions from
//! the project's eval sets, varied as chat varies them (case, filler, a typo,
//! punctuation), spread over 90 days; 55% answered, 20% "did you mean", 20%
//! unanswered, 5% safety; 5,000 feedback votes.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use faqbot_core::engine::{Engine, ReplyKind};
use faqbot_core::faq;
use faqbot_core::safety::SafetyCategory;
use faqbot_store::{self as store, report};

const QUESTIONS: usize = 100_000;
const VOTES: usize = 5_000;
const DAY: i64 = 86_400;
/// Records sent before each flush: under the writer's channel capacity (10,000).
const BLOCK: usize = 5_000;

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

/// Writes the database through the batched writer, as the bot does: the
/// records are sent in blocks of [`BLOCK`] (under the channel's capacity, so
/// none is dropped), each block flushed. Returns the rows written per second.
fn build(location: &store::Location, engine: &Engine, root: &Path) -> f64 {
    let options = store::RecorderOptions { location: location.clone(), retention_days: 90 };
    let (recorder, error) = store::Recorder::start(options);
    assert!(error.is_none(), "{error:?}");
    let questions = eval_questions(root);
    let entries: Vec<&str> = engine.faq().entries.iter().map(|e| e.id.as_str()).collect();
    let mut rng = Lcg(7);
    let now = store::now();
    let started = Instant::now();
    for i in 0..QUESTIONS {
        let at = now - rng.below(90 * DAY as usize) as i64;
        let roll = rng.below(100);
        let (outcome, category, entry, text) = match roll {
            0..=54 => (
                ReplyKind::Answer,
                None,
                Some(entries[rng.below(entries.len()).min(rng.below(entries.len()))]),
                None,
            ),
            55..=94 => {
                let q = vary(&questions[rng.below(questions.len())], &mut rng);
                let kind = if roll < 75 { ReplyKind::Suggest } else { ReplyKind::None };
                (kind, None, None, Some(store::normalise(&q)))
            }
            _ => (ReplyKind::Safety, Some(SafetyCategory::ALL[rng.below(3)]), None, None),
        };
        recorder.question(store::QuestionRecord {
            at,
            guild_id: Some(1),
            channel_id: Some(rng.below(20) as u64),
            entry_point: store::EntryPoint::Slash,
            outcome,
            category,
            entry_id: entry.map(str::to_string),
            confidence: 0.5,
            text,
        });
        if i % BLOCK == BLOCK - 1 {
            recorder.flush();
        }
    }
    recorder.flush();
    let rate = QUESTIONS as f64 / started.elapsed().as_secs_f64();
    for _ in 0..VOTES {
        let entry = entries[rng.below(entries.len())];
        recorder.vote(rng.below(20_000) as u64, rng.below(2_000) as u64, entry, rng.below(4) > 0);
    }
    recorder.flush();
    assert_eq!(recorder.counters().dropped(), 0, "nothing dropped");
    rate
}

/// The backends to measure: SQLite in a temporary folder, and Postgres when
/// `FAQBOT_BENCH_DATABASE_URL` names a server (an empty database: the bench
/// writes its tables; `scripts/throwaway_postgres.sh start` makes one).
fn backends(dir: &Path) -> Vec<(&'static str, store::Location)> {
    let mut out = vec![("sqlite", store::Location::Sqlite(dir.join("faqbot.sqlite3")))];
    match std::env::var("FAQBOT_BENCH_DATABASE_URL") {
        Ok(url) if !url.is_empty() => out.push(("postgres", store::Location::parse(&url))),
        _ => eprintln!("Postgres not measured: set FAQBOT_BENCH_DATABASE_URL to an empty database's URL"),
    }
    out
}

fn reports(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::new(faq::load_dir(&root.join("../../faq")).expect("shipped FAQ").faq);
    let dir = tempfile::tempdir().unwrap();
    for (name, location) in backends(dir.path()) {
        let rate = build(&location, &engine, &root.join("../.."));
        let mut db = store::open_read(&location).unwrap();
        let distinct =
            db.query("SELECT COUNT(DISTINCT text) FROM questions WHERE text IS NOT NULL", &[]).unwrap()[0][0]
                .int();
        eprintln!(
            "{name}: {QUESTIONS} questions written through the batched writer at {rate:.0} rows/s; \
             {distinct} distinct unanswered/low-confidence wordings, {VOTES} votes"
        );

        let mut group = c.benchmark_group(format!("store {name} (100,000 questions)"));
        group.sample_size(20);
        for days in [30, 90] {
            group.bench_function(format!("gaps, {days} days"), |b| {
                b.iter(|| {
                    black_box(
                        report::gaps(&mut db, engine.analyzer(), store::now(), days, report::DEFAULT_ROWS)
                            .unwrap(),
                    )
                })
            });
            group.bench_function(format!("stats, {days} days"), |b| {
                b.iter(|| {
                    black_box(report::stats(&mut db, store::now(), days, report::DEFAULT_ROWS).unwrap())
                })
            });
        }
        // What `/faq-gaps` does per call: open the database, then group.
        group.bench_function("gaps, 30 days, with open", |b| {
            b.iter(|| {
                let mut db = store::open_read(&location).unwrap();
                black_box(
                    report::gaps(&mut db, engine.analyzer(), store::now(), 30, report::DEFAULT_ROWS).unwrap(),
                )
            })
        });
        group.finish();
    }
}

criterion_group!(benches, reports);
criterion_main!(benches);
