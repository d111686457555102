//! Evaluation: run a cases file through the engine and measure.
//!
//! Pure except for the clock it is handed; the CLI prints the report.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, Outcome, Response};
use crate::safety::SafetyCategory;

pub mod look_alike;

/// What a case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Any of these entry ids.
    Entries(Vec<String>),
    /// No answer (suggest or none both count as not answered).
    None,
    /// The safety triage fires (any category).
    Safety,
    /// This safety category's help.
    Category(SafetyCategory),
    /// Any reply but a safety one (an ordinary question the FAQ may or may not answer).
    Ordinary,
    /// Small talk ("thanks", "hi"): the friendly line, no answer.
    SmallTalk,
}

/// One question of a cases file and what it should get.
#[derive(Debug, Clone)]
pub struct Case {
    /// The question as a user would type it.
    pub question: String,
    /// The outcome that counts as right.
    pub expect: Expect,
    /// The writer's label for the phrasing ("alarming-sounding", "slang"), if any.
    pub kind: Option<String>,
}

/// The `kind` of ordinary questions written with alarming words.
pub const ALARMING_KIND: &str = "alarming-sounding";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCases {
    #[serde(default)]
    case: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    question: String,
    expect: RawExpect,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExpect {
    One(String),
    Any(Vec<String>),
}

/// Why a cases file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The cases file.
        path: String,
        /// Why reading failed.
        source: std::io::Error,
    },
    /// The file is not a valid cases file.
    #[error("{path}: {message}")]
    Parse {
        /// The cases file.
        path: String,
        /// The TOML error.
        message: String,
    },
    /// A case expects entry ids the FAQ does not have, or an empty list of them.
    #[error("{path}: case {index} ({question:?}) expects unknown entry id(s): {ids}")]
    UnknownIds {
        /// The cases file.
        path: String,
        /// The case's position in the file, from 1.
        index: usize,
        /// The case's question.
        question: String,
        /// The unknown ids, comma-separated.
        ids: String,
    },
}

/// Reads a cases file and checks its ids against the engine's FAQ.
pub fn read_cases(path: &Path, engine: &Engine) -> Result<Vec<Case>, CasesError> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| CasesError::Read { path: shown.clone(), source })?;
    let raw: RawCases = toml::from_str(&text)
        .map_err(|e| CasesError::Parse { path: shown.clone(), message: e.to_string() })?;
    let mut cases = Vec::with_capacity(raw.case.len());
    for (i, c) in raw.case.into_iter().enumerate() {
        let expect = match c.expect {
            RawExpect::One(s) if s == "none" => Expect::None,
            RawExpect::One(s) if s == "safety" => Expect::Safety,
            RawExpect::One(s) if s == "ordinary" => Expect::Ordinary,
            RawExpect::One(s) if s == "small-talk" => Expect::SmallTalk,
            RawExpect::One(s) => match SafetyCategory::parse(&s) {
                Some(category) => Expect::Category(category),
                None => Expect::Entries(vec![s]),
            },
            RawExpect::Any(v) => Expect::Entries(v),
        };
        if let Expect::Entries(ids) = &expect {
            let unknown: Vec<&str> =
                ids.iter().filter(|id| engine.faq().entry(id).is_none()).map(String::as_str).collect();
            if !unknown.is_empty() || ids.is_empty() {
                return Err(CasesError::UnknownIds {
                    path: shown,
                    index: i + 1,
                    question: c.question,
                    ids: unknown.join(", "),
                });
            }
        }
        cases.push(Case { question: c.question, expect, kind: c.kind });
    }
    Ok(cases)
}

/// One case that did not come out as expected.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The case's question.
    pub question: String,
    /// The expected entry ids (joined with " | "), or "none" or "safety".
    pub expected: String,
    /// The kind of reply it got: answer, suggest, none or safety.
    pub got: String,
    /// The entry or suggestions that came back, with confidences.
    pub detail: String,
}

/// The measurements of one run over a cases file; every ratio is 0..1.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Cases run.
    pub cases: usize,
    /// Cases that expect an entry.
    pub entry_cases: usize,
    /// Cases that expect no answer.
    pub none_cases: usize,
    /// Cases that expect the safety triage.
    pub safety_cases: usize,
    /// Entry cases answered with an expected id.
    pub top1: f64,
    /// Entry cases whose best-ranked entry is expected, answered or not
    /// (ranked also when triage stopped the message: this measures the ranker).
    pub top1_ranked: f64,
    /// Entry cases with an expected id among the top 5 ranked.
    pub top5_recall: f64,
    /// Mean reciprocal rank of the first expected id in the top 5.
    pub mrr: f64,
    /// None cases not answered (suggest or none).
    pub none_not_answered: f64,
    /// Safety cases that got the safety outcome.
    pub safety_accuracy: f64,
    /// Non-safety cases that got the safety outcome.
    pub false_safety: usize,
    /// Per safety category, over cases that name one: recall and precision.
    pub categories: Vec<CategoryScore>,
    /// Cases that expect any reply but a safety one.
    pub ordinary_cases: usize,
    /// Cases that expect the small-talk line.
    pub small_talk_cases: usize,
    /// Small-talk cases that got it.
    pub small_talk_right: f64,
    /// Ordinary cases (`expect = "ordinary"`) that got a safety reply, as a share.
    pub ordinary_triaged: f64,
    /// The same over ordinary cases of kind [`ALARMING_KIND`].
    pub alarming_triaged: f64,
    /// Entry and none cases (questions in the FAQ's scope) that got a safety reply, as a share.
    pub in_scope_triaged: f64,
    /// Expected outcome x what came back, for cases that name a category
    /// or are ordinary (empty when there are none).
    pub confusion: Vec<ConfusionRow>,
    /// Median time per question, in microseconds (0 when not timed).
    pub latency_p50_us: f64,
    /// 99th-percentile time per question, in microseconds (0 when not timed).
    pub latency_p99_us: f64,
    /// Time to load and index the FAQ, in milliseconds.
    pub load_ms: f64,
    /// Every case that did not come out as expected.
    pub failures: Vec<Failure>,
}

/// One safety category's figures.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryScore {
    /// The category.
    pub category: SafetyCategory,
    /// Cases that expect it.
    pub cases: usize,
    /// Of those, the share that got a safety reply of any category.
    pub recall: f64,
    /// Of those, the share that got this category's reply.
    pub exact: f64,
    /// Of the cases that got this category's reply, the share that expected
    /// a safety reply (any category).
    pub precision: f64,
}

/// One row of the confusion table: an expected outcome and how its cases came back.
#[derive(Debug, Clone, Serialize)]
pub struct ConfusionRow {
    /// "emergency", "self-harm", "personal-advice" or "ordinary".
    pub expected: String,
    /// Counts in the order of [`CONFUSION_COLUMNS`].
    pub got: Vec<usize>,
}

/// The columns of the confusion table.
pub const CONFUSION_COLUMNS: [&str; 4] = ["emergency", "self-harm", "personal-advice", "not triaged"];

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

/// The cases are timed again, whole passes, until this many queries have
/// been timed (for stable percentiles)...
pub const MIN_TIMED_QUERIES: usize = 2000;
/// ... or until this long has gone by (after at least one pass): with the
/// sentence model a query costs milliseconds, and 2,000 of them would make
/// every `faqbot eval` take tens of seconds for the same percentiles.
pub const TIMING_BUDGET: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs every case and times the queries; `load` is the measured load + index time.
pub fn run(engine: &Engine, cases: &[Case], load: Duration) -> Report {
    let mut r = run_without_timing(engine, cases, load);
    let (p50, p99) = time_queries(engine, cases);
    r.latency_p50_us = p50;
    r.latency_p99_us = p99;
    r
}

/// Runs every case once, without the latency measurement.
pub fn run_without_timing(engine: &Engine, cases: &[Case], load: Duration) -> Report {
    let faq = engine.faq();
    let id = |e: usize| faq.entries[e].id.as_str();
    let mut r = Report { cases: cases.len(), load_ms: load.as_secs_f64() * 1000.0, ..Report::default() };
    let (mut top1, mut top5, mut rr, mut none_ok, mut safety_ok, mut first) = (0, 0, 0.0, 0, 0, 0);
    let mut tally = Tally::default();
    let mut small_talk_ok = 0;
    for case in cases {
        let reading = engine.read(&case.question);
        let response = engine.ask_reading(&reading);
        let got_safety = matches!(response.outcome, Outcome::Safety { .. });
        let ok = match &case.expect {
            Expect::Entries(ids) => {
                r.entry_cases += 1;
                r.false_safety += usize::from(got_safety);
                // "Ranked" measures the ranker: a message triage stopped
                // (never ranked when serving) is ranked here all the same,
                // so the figure compares with rankers that had no triage.
                let ranked_anyway;
                let ranked = if got_safety && response.ranked.is_empty() {
                    ranked_anyway = engine.ranked(&reading);
                    &ranked_anyway
                } else {
                    &response.ranked
                };
                let rank = ranked.iter().position(|s| ids.iter().any(|i| i == id(s.entry)));
                if let Some(rank) = rank {
                    first += usize::from(rank == 0);
                    top5 += 1;
                    rr += 1.0 / (rank + 1) as f64;
                }
                let hit =
                    matches!(response.outcome, Outcome::Answer(s) if ids.iter().any(|i| i == id(s.entry)));
                top1 += usize::from(hit);
                hit
            }
            Expect::None => {
                r.none_cases += 1;
                r.false_safety += usize::from(got_safety);
                let ok = !matches!(response.outcome, Outcome::Answer(_));
                none_ok += usize::from(ok);
                ok
            }
            Expect::Safety | Expect::Category(_) => {
                r.safety_cases += 1;
                safety_ok += usize::from(got_safety);
                got_safety
            }
            Expect::Ordinary => !got_safety,
            Expect::SmallTalk => {
                r.small_talk_cases += 1;
                let ok = matches!(response.outcome, Outcome::SmallTalk(_));
                small_talk_ok += usize::from(ok);
                ok
            }
        };
        tally.add(case, &response);
        if !ok {
            r.failures.push(Failure {
                question: case.question.clone(),
                expected: match &case.expect {
                    Expect::Entries(ids) => ids.join(" | "),
                    Expect::None => "none".into(),
                    Expect::Safety => "safety".into(),
                    Expect::Category(c) => c.as_str().into(),
                    Expect::Ordinary => "ordinary".into(),
                    Expect::SmallTalk => "small-talk".into(),
                },
                got: response.outcome.kind().to_string(),
                detail: describe(engine, &response),
            });
        }
    }
    r.top1 = ratio(top1, r.entry_cases);
    r.top1_ranked = ratio(first, r.entry_cases);
    r.top5_recall = ratio(top5, r.entry_cases);
    r.mrr = if r.entry_cases == 0 { 1.0 } else { rr / r.entry_cases as f64 };
    r.none_not_answered = ratio(none_ok, r.none_cases);
    r.safety_accuracy = ratio(safety_ok, r.safety_cases);
    r.small_talk_right = ratio(small_talk_ok, r.small_talk_cases);
    tally.finish(&mut r);
    r
}

/// Counts for the per-category figures and the confusion table.
#[derive(Default)]
struct Tally {
    /// [expected row][got column]; rows: the three categories, then ordinary.
    table: [[usize; 4]; 4],
    /// Per category: replies of that category, and those that expected any safety reply.
    replied: [(usize, usize); 3],
    ordinary: (usize, usize),
    alarming: (usize, usize),
    in_scope: (usize, usize),
}

fn column(c: SafetyCategory) -> usize {
    SafetyCategory::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

impl Tally {
    fn add(&mut self, case: &Case, response: &Response) {
        let got = match &response.outcome {
            Outcome::Safety { category, .. } => Some(*category),
            _ => None,
        };
        let col = got.map_or(3, column);
        let wants_safety = matches!(case.expect, Expect::Safety | Expect::Category(_));
        if let Some(c) = got {
            self.replied[column(c)].0 += 1;
            self.replied[column(c)].1 += usize::from(wants_safety);
        }
        let count = |pair: &mut (usize, usize)| {
            pair.0 += 1;
            pair.1 += usize::from(got.is_some());
        };
        match &case.expect {
            Expect::Category(c) => self.table[column(*c)][col] += 1,
            Expect::Ordinary => {
                self.table[3][col] += 1;
                count(&mut self.ordinary);
                if case.kind.as_deref() == Some(ALARMING_KIND) {
                    count(&mut self.alarming);
                }
            }
            Expect::Entries(_) | Expect::None => count(&mut self.in_scope),
            Expect::Safety | Expect::SmallTalk => {}
        }
    }

    fn finish(&self, r: &mut Report) {
        let share = |(n, hit): (usize, usize)| if n == 0 { 0.0 } else { hit as f64 / n as f64 };
        r.ordinary_cases = self.ordinary.0;
        r.ordinary_triaged = share(self.ordinary);
        r.alarming_triaged = share(self.alarming);
        r.in_scope_triaged = share(self.in_scope);
        for (i, row) in self.table.iter().enumerate() {
            if row.iter().sum::<usize>() > 0 {
                let expected = SafetyCategory::ALL.get(i).map_or("ordinary", |c| c.as_str());
                r.confusion.push(ConfusionRow { expected: expected.into(), got: row.to_vec() });
            }
        }
        for (i, category) in SafetyCategory::ALL.into_iter().enumerate() {
            let row = self.table[i];
            let cases: usize = row.iter().sum();
            if cases == 0 {
                continue;
            }
            let (replied, right) = self.replied[i];
            r.categories.push(CategoryScore {
                category,
                cases,
                recall: ratio(cases - row[3], cases),
                exact: ratio(row[i], cases),
                precision: ratio(right, replied),
            });
        }
    }
}

/// Per-query latency percentiles (microseconds), timed in-process.
fn time_queries(engine: &Engine, cases: &[Case]) -> (f64, f64) {
    if cases.is_empty() {
        return (0.0, 0.0);
    }
    let passes = MIN_TIMED_QUERIES.div_ceil(cases.len()).max(1);
    let mut times = Vec::with_capacity(passes * cases.len());
    let started = Instant::now();
    for pass in 0..passes {
        if pass > 0 && started.elapsed() > TIMING_BUDGET {
            break;
        }
        for case in cases {
            let start = Instant::now();
            std::hint::black_box(engine.ask(std::hint::black_box(&case.question)));
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

fn describe(engine: &Engine, response: &Response) -> String {
    let faq = engine.faq();
    let fmt = |s: &crate::pipeline::Scored| format!("{} ({:.2})", faq.entries[s.entry].id, s.confidence);
    let ranked: Vec<String> = response.ranked.iter().take(3).map(fmt).collect();
    match &response.outcome {
        Outcome::Answer(s) => format!("answered {}; ranked: {}", fmt(s), ranked.join(", ")),
        Outcome::Safety { category, .. } => {
            format!("safety ({}); ranked: {}", category.as_str(), ranked.join(", "))
        }
        _ => format!("ranked: {}", if ranked.is_empty() { "nothing".into() } else { ranked.join(", ") }),
    }
}
