//! The engine: one FAQ load and the question pipeline over it
//! ([`crate::pipeline`]): read the message, triage, retrieve by words,
//! re-score by meaning, decide.
//!
//! Built once per FAQ load and shared (read-only) by every front end.

pub use crate::pipeline::decide::{Outcome, ReplyKind, MAX_SUGGESTIONS};
pub use crate::pipeline::query::MAX_QUERY_CHARS;
pub use crate::pipeline::{Scored, Weights};

use crate::encoder::{EncoderError, Model};
use crate::faq::Faq;
use crate::pipeline::decide::{decide, suggestions};
use crate::pipeline::lexical::{KeyScore, Lexical};
use crate::pipeline::rescore::{KeyCosines, Meaning, MessageVectors};
use crate::pipeline::{best_first, Query};
use crate::safety::{CategoryCheck, SafetyCategory, Triage};
use crate::text::Analyzer;

/// `ranked` in the outcome holds this many entries, whatever the decision.
pub const RANKED_LEN: usize = 5;

/// The decision and the ranking it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// What the bot does.
    pub outcome: Outcome,
    /// Top entries by confidence, at most [`RANKED_LEN`]; empty for an
    /// emergency or self-harm message, which is never ranked.
    pub ranked: Vec<Scored>,
}

impl Response {
    /// The answered entry (for an answer) and the confidence to report: the
    /// answer's, else the best-ranked entry's (0 when nothing ranked).
    pub fn top(&self) -> (Option<usize>, f32) {
        match &self.outcome {
            Outcome::Answer(s) => (Some(s.entry), s.confidence),
            _ => (None, self.ranked.first().map_or(0.0, |s| s.confidence)),
        }
    }
}

/// The FAQ and every stage built over it.
#[derive(Debug)]
pub struct Engine {
    faq: Faq,
    analyzer: Analyzer,
    triage: Triage,
    lexical: Lexical,
    meaning: Meaning,
    weights: Weights,
}

impl Engine {
    /// The engine the bot runs: [`Weights::DEFAULT`] and the process's
    /// sentence model ([`Model::shared`]). If the model is missing or fails,
    /// it ranks by words alone (front ends warn: see [`Engine::meaning_is_on`]).
    pub fn new(faq: Faq) -> Engine {
        Engine::with_weights(faq, Weights::DEFAULT)
    }

    /// An engine with other weights (for tuning tools).
    pub fn with_weights(faq: Faq, weights: Weights) -> Engine {
        match Engine::build(faq.clone(), weights, Model::shared(), |_, _| {}) {
            Ok(engine) => engine,
            Err(_) => {
                Engine::build(faq, weights, &Model::none(), |_, _| {}).expect("no model, nothing to fail")
            }
        }
    }

    /// An engine over `faq` with `model`; `progress(done, total)` is told how
    /// the key texts not yet in the model's cache are being encoded.
    pub fn build(
        faq: Faq,
        weights: Weights,
        model: &Model,
        progress: impl FnMut(usize, usize),
    ) -> Result<Engine, EncoderError> {
        let mut analyzer = Analyzer::new(&faq.synonyms);
        analyzer.remember(
            faq.entries.iter().flat_map(|e| e.key_texts().chain(e.tags.iter().map(String::as_str))),
        );
        let lexical = Lexical::new(&faq.entries, &faq.topic_words, &analyzer, weights);
        let mut cache = model.cache();
        let meaning = Meaning::new(&faq.entries, model.encoder.clone(), &mut cache, weights, progress)?;
        let key_texts: Vec<&str> = faq.entries.iter().flat_map(|e| e.key_texts()).collect();
        let triage = Triage::new(&faq.safety, &analyzer, model.encoder.as_ref(), &mut cache, &key_texts)?;
        // A cache that cannot be written costs time at the next start, nothing else.
        let _ = cache.save();
        Ok(Engine { faq, analyzer, triage, lexical, meaning, weights })
    }

    /// Whether the sentence model is in use (else words alone rank).
    pub fn meaning_is_on(&self) -> bool {
        self.meaning.is_on()
    }

    /// The FAQ this engine answers from.
    pub fn faq(&self) -> &Faq {
        &self.faq
    }

    /// The text analyzer built for this FAQ (its synonyms and vocabulary).
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Whether an analysed term is one of the FAQ's core topic words.
    pub fn is_core(&self, term: &str) -> bool {
        self.lexical.is_core(term)
    }

    /// The FAQ's core topic words, as analysed terms.
    pub fn core_terms(&self) -> Vec<&str> {
        self.lexical.core_terms()
    }

    /// Stage 1: the message as every later stage reads it (text only).
    pub fn analyze(&self, message: &str) -> Query {
        Query::analyze(message, &self.analyzer, self.weights.max_sentences)
    }

    /// Stages 1 and 2: the message's text, its vectors (the costly part, a
    /// few milliseconds), their cosines with the key texts, and the triage
    /// verdict, each computed once for everything after.
    pub fn read(&self, message: &str) -> Reading {
        let query = self.analyze(message);
        let vectors = self.meaning.vectors(&query);
        let cosines = self.meaning.compare(&vectors);
        let per_vector = cosines.as_ref().map_or(&[][..], |c| c.vectors.as_slice());
        let small_talk = self.faq.small_talk.reply_for(query.text()).map(str::to_string);
        let triaged = self.triage.check(&query, &vectors, per_vector, small_talk.is_some());
        Reading { query, vectors, cosines, triaged, small_talk }
    }

    /// The whole pipeline: triage first (an emergency or self-harm message
    /// is never ranked; personal advice is ranked only for related reading),
    /// then small talk ("thanks": a friendly line, not ranked), then retrieval, re-scoring and the decision.
    pub fn ask(&self, message: &str) -> Response {
        self.ask_reading(&self.read(message))
    }

    /// Whether the message needs real help (a front end asks this before
    /// spending a rate-limited person's allowance).
    pub fn needs_help(&self, reading: &Reading) -> bool {
        reading.triaged.is_some()
    }

    /// [`Engine::ask`] for a message already read by [`Engine::read`].
    pub fn ask_reading(&self, reading: &Reading) -> Response {
        if let Some(category) = reading.triaged {
            let (ranked, suggestions) = match category {
                SafetyCategory::PersonalAdvice => {
                    let ranked = self.ranked(reading);
                    let offered = suggestions(&self.faq.thresholds, &self.weights, &ranked);
                    (ranked, offered)
                }
                SafetyCategory::Emergency | SafetyCategory::SelfHarm => (Vec::new(), Vec::new()),
            };
            let message = self.triage.message(category).to_string();
            let outcome = Outcome::Safety { category, message, suggestions };
            return Response { outcome, ranked };
        }
        if let Some(line) = &reading.small_talk {
            return Response { outcome: Outcome::SmallTalk(line.clone()), ranked: Vec::new() };
        }
        let ranked = self.ranked(reading);
        Response { outcome: decide(&self.faq.thresholds, &self.weights, &ranked), ranked }
    }

    /// Safety counter-examples nearer their category's examples than any
    /// example is to the others (see [`Triage::counters_inside`]).
    pub fn safety_counters_inside(&self) -> Vec<(SafetyCategory, usize, f32, f32)> {
        self.triage.counters_inside()
    }

    /// Entries for `text` by retrieval and re-scoring alone (no triage, no
    /// decision), best first, at most `limit`: for checks on the FAQ itself.
    pub fn rank(&self, text: &str, limit: usize) -> Vec<Scored> {
        let mut ranked = self.ranked(&self.read(text));
        ranked.truncate(limit);
        ranked
    }

    /// Autocomplete: entries for text being typed, by words only (fast: it
    /// runs on every keystroke).
    pub fn complete(&self, partial: &str, limit: usize) -> Vec<Scored> {
        self.lexical.complete(&self.analyzer, partial, limit)
    }

    /// Stages 3 and 4, best first.
    pub(crate) fn ranked(&self, reading: &Reading) -> Vec<Scored> {
        let (candidates, _) = self.stages(reading);
        best_first(candidates, RANKED_LEN.max(MAX_SUGGESTIONS))
    }

    /// Stage 3 (word candidates, and the entries nearest in meaning scored
    /// by words), then stage 4 (the blend): (blended, word scores).
    fn stages(&self, reading: &Reading) -> (Vec<Scored>, Vec<Scored>) {
        let query = &reading.query;
        let (mut candidates, on_topic) = self.lexical.retrieve(query);
        let closeness = reading.closeness();
        // Only a message about the FAQ's subject gets candidates by meaning alone.
        if let Some(closeness) = closeness.filter(|_| on_topic) {
            let extra = self.nearest_by_meaning(query, closeness, self.weights.nearest, &candidates);
            candidates.extend(extra);
        }
        let lexical = candidates.clone();
        if let Some(closeness) = closeness {
            if !candidates.is_empty() {
                self.meaning.rescore(closeness, &mut candidates, on_topic);
            }
        }
        (candidates, lexical)
    }

    /// The `k` entries nearest in meaning that are not among `words`, with their word scores.
    fn nearest_by_meaning(
        &self,
        query: &Query,
        closeness: &[f32],
        k: usize,
        words: &[Scored],
    ) -> Vec<Scored> {
        let extra: Vec<usize> = self
            .meaning
            .nearest(closeness, k)
            .into_iter()
            .filter(|e| !words.iter().any(|c| c.entry == *e))
            .collect();
        self.lexical.score_entries(query, &extra)
    }

    /// The raw signals behind a ranking, for tuning tools that try other
    /// blends without running the model again: whether triage fired, the
    /// word candidates (with the `k` nearest in meaning added, scored by
    /// words) and each entry's closeness.
    pub fn signals(&self, message: &str, k: usize) -> Signals {
        let reading = self.read(message);
        let query = &reading.query;
        let (words, on_topic) = self.lexical.retrieve(query);
        let near = match reading.closeness() {
            Some(closeness) => self.nearest_by_meaning(query, closeness, k, &words),
            None => Vec::new(),
        };
        let closeness = reading.closeness().map(<[f32]>::to_vec);
        Signals { triaged: self.needs_help(&reading), on_topic, words, near, closeness }
    }

    /// What each stage did with `message` (`faqbot ask --explain`).
    pub fn explain(&self, message: &str) -> Explanation {
        let reading = self.read(message);
        let query = &reading.query;
        let per_vector = reading.cosines.as_ref().map_or(&[][..], |c| c.vectors.as_slice());
        let triage = self.triage.explain(query, &reading.vectors, per_vector);
        let (rescored, lexical) = self.stages(&reading);
        let closeness = reading.closeness();
        let rescored = best_first(rescored, RANKED_LEN);
        let entries = rescored
            .iter()
            .map(|s| ExplainedEntry {
                entry: s.entry,
                lexical: lexical.iter().find(|l| l.entry == s.entry).map_or(0.0, |l| l.confidence),
                cosine: closeness.map(|c| c[s.entry]),
                blended: s.confidence,
                key_texts: self.lexical.explain(query, s.entry),
            })
            .collect();
        Explanation {
            text: query.text().to_string(),
            sentences: query.sentences().iter().map(|s| s.text.clone()).collect(),
            terms: self.lexical.explain_query(query),
            core_terms: self.core_terms().into_iter().map(String::from).collect(),
            triage,
            entries,
            outcome: self.ask_reading(&reading).outcome,
        }
    }
}

/// A message read once ([`Engine::read`]): its text (stage 1), its
/// sentence vectors and their cosines with the key texts, and the triage
/// verdict (stage 2).
#[derive(Debug, Clone)]
pub struct Reading {
    query: Query,
    vectors: MessageVectors,
    /// `None` when meaning is off or the message has no vector.
    cosines: Option<KeyCosines>,
    triaged: Option<SafetyCategory>,
    /// The small-talk line when the whole message is small talk.
    small_talk: Option<String>,
}

impl Reading {
    /// The message as the stages read it.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Per entry, its best cosine with the message (`None` without vectors).
    fn closeness(&self) -> Option<&[f32]> {
        self.cosines.as_ref().map(|c| c.entries.as_slice())
    }
}

/// What each stage of the pipeline did with one message.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// Stage 1: the cleaned text every stage read.
    pub text: String,
    /// Stage 1: its sentences, when read one at a time.
    pub sentences: Vec<String>,
    /// Stage 3: the words as weighted terms, `~` for typo stand-ins, and
    /// whether the message is on topic.
    pub terms: String,
    /// The FAQ's core topic words, as terms.
    pub core_terms: Vec<String>,
    /// Stage 2: each safety category's evidence, in priority order (the
    /// outcome names the one that won, if any).
    pub triage: Vec<CategoryCheck>,
    /// Stages 3 and 4 for the top entries (whether or not triage stopped the message).
    pub entries: Vec<ExplainedEntry>,
    /// Stage 5 (or triage): what the bot does.
    pub outcome: Outcome,
}

/// One entry's scores, stage by stage.
#[derive(Debug, Clone)]
pub struct ExplainedEntry {
    /// Index into the FAQ's entries.
    pub entry: usize,
    /// Stage 3: the word confidence.
    pub lexical: f32,
    /// Stage 4: the best cosine in meaning (`None` when no word is known).
    pub cosine: Option<f32>,
    /// Stage 4: the blend, the confidence the decision sees.
    pub blended: f32,
    /// Stage 3 in detail: each key text's terms and score parts.
    pub key_texts: Vec<(String, KeyScore)>,
}

/// See [`Engine::signals`].
#[derive(Debug, Clone)]
pub struct Signals {
    /// The safety triage fired.
    pub triaged: bool,
    /// The message uses a core topic word.
    pub on_topic: bool,
    /// Word candidates and their word confidence.
    pub words: Vec<Scored>,
    /// The `k` entries nearest in meaning that are not word candidates, with
    /// their word confidence, nearest first.
    pub near: Vec<Scored>,
    /// Per entry, its best cosine with the message (`None` without a model).
    pub closeness: Option<Vec<f32>>,
}
