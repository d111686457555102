//! Raw files -> validated model, collecting every problem on the way.

use std::collections::HashMap;

use super::date::Date;
use super::model::Thresholds;
use super::model::{BotTexts, Citation, Entry, EntryPlaces, Source};
use super::raw::{self, S};
use super::toml_file::TomlFile;
use crate::diagnostic::{Diagnostic, Kind, Location};
use crate::safety::{Example, SafetyCategory, SafetyConfig, SafetyRule};
use crate::small_talk::{SmallTalk, SmallTalkKind};
use crate::text::{fold_words, Synonym};

/// The longest answer every front end shows whole (a chat embed's body: a
/// style rule of the FAQ, checked here so a moderator hears of it at once).
pub const ANSWER_MAX_CHARS: usize = 4096;
/// The longest quote every front end shows whole (one embed field).
pub const QUOTE_MAX_CHARS: usize = 1024;
/// Answers longer than this many words read badly in chat: the bottom line
/// first, the detail in the quotes (the content review's style rule).
pub const ANSWER_WORDS_FOR_CHAT: usize = 90;
/// An entry with fewer alternates than this is hard to match: warn.
pub const MIN_ALTERNATES: usize = 2;

/// Validation state for one file: its text (for positions) and the sink for problems.
pub(super) struct Checker<'a> {
    pub file: &'a TomlFile,
    pub base: usize,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn at<T>(&self, spanned: &S<T>) -> Location {
        self.file.location(self.base + spanned.span().start)
    }

    fn error(&mut self, kind: Kind, place: Location, message: String, hint: &str) {
        self.diags.push(Diagnostic::error(kind, place, message).with_hint(hint));
    }

    fn warn(&mut self, kind: Kind, place: Location, message: String, hint: &str) {
        self.diags.push(Diagnostic::warning(kind, place, message).with_hint(hint));
    }

    /// A required text: trimmed, with CRLF folded; an error when empty.
    pub(super) fn text(&mut self, value: &S<String>, what: &str) -> Option<String> {
        let text = value.get_ref().replace("\r\n", "\n").trim().to_string();
        if text.is_empty() {
            let place = self.at(value);
            self.error(Kind::EmptyText, place, format!("{what} is empty"), "write some text here");
            return None;
        }
        Some(text)
    }

    pub(super) fn optional_text(&mut self, value: &Option<S<String>>, what: &str) -> Option<String> {
        value.as_ref().and_then(|v| self.text(v, what))
    }

    pub(super) fn slug(&mut self, value: &S<String>, what: &str) -> Option<String> {
        let id = value.get_ref();
        if is_slug(id) {
            return Some(id.clone());
        }
        let place = self.at(value);
        self.error(
            Kind::BadId,
            place,
            format!("{what} {id:?} is not a lowercase slug"),
            "use lowercase letters, digits and single hyphens, e.g. \"exosome-size\"",
        );
        None
    }

    pub(super) fn date(&mut self, value: &Option<S<String>>, allow_partial: bool) -> Option<Date> {
        let value = value.as_ref()?;
        let date = Date::parse(value.get_ref().trim(), allow_partial);
        if date.is_none() {
            let place = self.at(value);
            let hint = if allow_partial {
                "write the date as YYYY-MM-DD (or YYYY-MM, or YYYY for a year alone)"
            } else {
                "write the date as YYYY-MM-DD, e.g. 2026-11-22"
            };
            self.error(Kind::BadDate, place, format!("{:?} is not a valid date", value.get_ref()), hint);
        }
        date
    }
}

/// `^[a-z0-9]+(-[a-z0-9]+)*$`
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

pub(super) fn source(c: &mut Checker<'_>, raw: &raw::RawSource) -> Option<Source> {
    let id = c.slug(&raw.id, "source id");
    let title = c.text(&raw.title, "title");
    let publisher = c.text(&raw.publisher, "publisher");
    let author = c.optional_text(&raw.author, "author");
    let date = c.date(&raw.date, true);
    let url = c.optional_text(&raw.url, "url");
    let file = c.optional_text(&raw.file, "file");
    let kind = c.optional_text(&raw.kind, "kind");
    let columns = match &raw.columns {
        None => Vec::new(),
        Some(columns) => {
            let columns: Vec<String> =
                columns.get_ref().iter().filter_map(|h| c.text(h, "column header")).collect();
            if columns.len() < 2 {
                let place = c.at(raw.columns.as_ref().expect("checked above"));
                c.error(
                    Kind::BadTableRow,
                    place,
                    "a table needs at least two columns (the row label's and one more)".into(),
                    "list the table's column headers as the document has them",
                );
            }
            columns
        }
    };
    let place = c.at(&raw.id);
    Some(Source {
        id: id?,
        title: title?,
        publisher: publisher?,
        author,
        date,
        url,
        file,
        kind,
        columns,
        place,
    })
}

/// Validates one entry; `source_ids` maps source ids to their index in `sources`.
pub(super) fn entry(
    c: &mut Checker<'_>,
    raw: &S<raw::RawEntry>,
    sources: &[Source],
    source_ids: &HashMap<String, usize>,
    stale_before: Date,
) -> Option<Entry> {
    let r = raw.get_ref();
    let id = c.slug(&r.id, "entry id");
    let question = c.text(&r.question, "question");
    let answer = c.text(&r.answer, "answer");
    let background = c.optional_text(&r.background, "background");
    let alternates: Vec<String> = r.alternates.iter().filter_map(|a| c.text(a, "alternate")).collect();
    let tags: Vec<String> = r.tags.iter().filter_map(|t| c.slug(t, "tag")).collect();
    let reviewed = c.date(&r.reviewed, false);
    let id_place = c.at(&r.id);
    let name = r.id.get_ref();

    if r.source.is_empty() {
        c.error(
            Kind::NoSource,
            id_place.clone(),
            format!("entry {name:?} cites no source"),
            "add a [[entry.source]] table with `doc` and a verbatim `quote`",
        );
    }
    let mut citations = Vec::new();
    for cite in &r.source {
        if let Some(citation) = citation(c, cite, sources, source_ids) {
            citations.push(citation);
        }
    }

    if r.alternates.len() < MIN_ALTERNATES {
        c.warn(
            Kind::FewAlternates,
            id_place.clone(),
            format!("entry {name:?} has {} alternate(s)", r.alternates.len()),
            "add at least two other ways people ask this, as they would type it in chat",
        );
    }
    if let Some(answer) = &answer {
        if answer.chars().count() > ANSWER_MAX_CHARS {
            let place = c.at(&r.answer);
            c.warn(
                Kind::TooLong,
                place,
                format!(
                    "answer is {} characters; a reply shows {ANSWER_MAX_CHARS} whole",
                    answer.chars().count()
                ),
                "shorten the answer (it will be cut otherwise)",
            );
        }
    }
    if let Some(words) = answer.as_ref().map(|a| a.split_whitespace().count()) {
        if words > ANSWER_WORDS_FOR_CHAT {
            let place = c.at(&r.answer);
            c.warn(
                Kind::WordyAnswer,
                place,
                format!(
                    "answer is {words} words; chat answers read best at {ANSWER_WORDS_FOR_CHAT} or fewer"
                ),
                "lead with a one-line bottom line and move the detail into the quotes",
            );
        }
    }
    if let (Some(date), Some(value)) = (reviewed, &r.reviewed) {
        if date < stale_before {
            let place = c.at(value);
            c.warn(
                Kind::StaleReview,
                place,
                format!("entry {name:?} was last reviewed {date}, over 12 months ago"),
                "re-read the entry against its sources and update `reviewed`",
            );
        }
    }
    let places = EntryPlaces {
        id: id_place,
        question: c.at(&r.question),
        alternates: r.alternates.iter().map(|a| c.at(a)).collect(),
    };
    if citations.len() != r.source.len() {
        return None;
    }
    Some(Entry {
        id: id?,
        question: question?,
        alternates,
        tags,
        answer: answer?,
        background,
        reviewed,
        citations,
        places,
    })
}

/// Validates one `[[entry.source]]`: a known document, and either a verbatim
/// `quote` or a `row` of the document's table with one cell per column.
fn citation(
    c: &mut Checker<'_>,
    raw: &S<raw::RawCitation>,
    sources: &[Source],
    source_ids: &HashMap<String, usize>,
) -> Option<Citation> {
    let cite = raw.get_ref();
    let doc = cite.doc.get_ref();
    let index = source_ids.get(doc).copied();
    if index.is_none() {
        let place = c.at(&cite.doc);
        let known: Vec<&str> = source_ids.keys().map(String::as_str).collect();
        c.error(
            Kind::UnknownDoc,
            place,
            format!("doc {doc:?} names no source in sources.toml"),
            &format!("use one of the source ids: {}", sorted_list(&known)),
        );
    }
    let (quote, row, place) = match (&cite.quote, &cite.row) {
        (Some(quote), None) => (c.text(quote, "quote"), None, c.at(quote)),
        (None, Some(row)) => {
            let cells: Vec<String> =
                row.get_ref().iter().filter_map(|cell| c.text(cell, "table cell")).collect();
            let place = c.at(row);
            let columns = index.map(|i| sources[i].columns.as_slice()).unwrap_or_default();
            if index.is_some() && columns.is_empty() {
                c.error(
                    Kind::BadTableRow,
                    place.clone(),
                    format!("source {doc:?} has no table: its `columns` are not in sources.toml"),
                    "add `columns = [...]` (the table's headers, as the document has them) to the source",
                );
                return None;
            }
            if index.is_some() && cells.len() != columns.len() {
                c.error(
                    Kind::BadTableRow,
                    place.clone(),
                    format!(
                        "the row has {} cell(s); the table of {doc:?} has {} columns",
                        cells.len(),
                        columns.len()
                    ),
                    &format!("write one cell per column ({}), as the document has them", columns.join(", ")),
                );
                return None;
            }
            (index.map(|_| row_text(columns, &cells)), Some(cells), place)
        }
        (Some(_), Some(_)) | (None, None) => {
            let place = c.at(&cite.doc);
            c.error(
                Kind::BadTableRow,
                place,
                "a source needs either `quote` or `row`, not both and not neither".into(),
                "quote the document's words with `quote = \"...\"`, or cite one table row with `row = [...]`",
            );
            return None;
        }
    };
    let (quote, source) = (quote?, index?);
    if quote.chars().count() > QUOTE_MAX_CHARS {
        c.warn(
            Kind::TooLong,
            place.clone(),
            format!("quote is {} characters; a reply shows {QUOTE_MAX_CHARS} whole", quote.chars().count()),
            "quote a shorter passage (it will be cut otherwise)",
        );
    }
    Some(Citation { source, quote, row, place })
}

/// A table row as a reader sees it: "Cost: stem cells $5,000; exosomes
/// $3,000" (the first column holds the row's label; the other headers are
/// lowercased, as they read mid-sentence).
pub fn row_text(columns: &[String], cells: &[String]) -> String {
    let Some((label, values)) = cells.split_first() else { return String::new() };
    let parts: Vec<String> = columns
        .iter()
        .skip(1)
        .zip(values)
        .map(|(header, value)| format!("{} {value}", header.to_lowercase()))
        .collect();
    format!("{label}: {}", parts.join("; "))
}

pub(super) fn bot_texts(c: &mut Checker<'_>, raw: &raw::BotFile, defaults: &BotTexts) -> Option<BotTexts> {
    let disclaimer = raw.disclaimer.get_ref().trim();
    if disclaimer.is_empty() {
        let place = c.at(&raw.disclaimer);
        c.error(
            Kind::EmptyDisclaimer,
            place,
            "the disclaimer is empty".into(),
            "every answer carries the disclaimer: write it here",
        );
        return None;
    }
    Some(BotTexts {
        disclaimer: disclaimer.to_string(),
        no_answer: c.optional_text(&raw.no_answer, "no_answer").unwrap_or_else(|| defaults.no_answer.clone()),
        suggest_intro: c
            .optional_text(&raw.suggest_intro, "suggest_intro")
            .unwrap_or_else(|| defaults.suggest_intro.clone()),
    })
}

pub(super) fn settings(c: &mut Checker<'_>, raw: &Option<S<raw::RawMatching>>) -> Thresholds {
    let mut settings = Thresholds::default();
    let Some(raw) = raw else { return settings };
    let m = raw.get_ref();
    let mut set = |value: &Option<S<f64>>, slot: &mut f32, name: &str| {
        if let Some(v) = value {
            let x = *v.get_ref();
            if (0.0..=1.0).contains(&x) {
                *slot = x as f32;
            } else {
                let place = c.at(v);
                c.error(
                    Kind::BadSetting,
                    place,
                    format!("{name} = {x} is outside 0..1"),
                    "use a number between 0 and 1",
                );
            }
        }
    };
    set(&m.answer_threshold, &mut settings.answer_threshold, "answer_threshold");
    set(&m.suggest_threshold, &mut settings.suggest_threshold, "suggest_threshold");
    set(&m.margin, &mut settings.margin, "margin");
    if settings.suggest_threshold > settings.answer_threshold {
        let place = c.at(raw);
        c.error(
            Kind::BadSetting,
            place,
            "suggest_threshold is above answer_threshold".into(),
            "suggestions are for scores below the answer threshold: lower suggest_threshold",
        );
    }
    settings
}

/// `topic_words` under `[matching]`: the words that make a message about this
/// FAQ's subject at all. Empty (or absent) means the matcher works them out.
pub(super) fn topic_words(c: &mut Checker<'_>, raw: &Option<S<raw::RawMatching>>) -> Vec<String> {
    let Some(raw) = raw else { return Vec::new() };
    raw.get_ref().topic_words.iter().flatten().filter_map(|w| c.text(w, "topic word")).collect()
}

/// `[small_talk]`: each phrase folded to its words, none empty.
pub(super) fn small_talk(c: &mut Checker<'_>, raw: &Option<S<raw::RawSmallTalk>>) -> SmallTalk {
    let Some(raw) = raw else { return SmallTalk::default() };
    let raw = raw.get_ref();
    let filler =
        raw.filler.iter().filter_map(|w| small_talk_words(c, w, "a filler word")).flatten().collect();
    let kinds = raw
        .kind
        .iter()
        .filter_map(|kind| {
            let kind = kind.get_ref();
            let says =
                kind.says.iter().filter_map(|s| small_talk_words(c, s, "a small-talk phrase")).collect();
            let reply = c.text(&kind.reply, "small-talk reply")?;
            Some(SmallTalkKind { says, reply })
        })
        .collect();
    SmallTalk { filler, kinds }
}

fn small_talk_words(c: &mut Checker<'_>, value: &S<String>, what: &str) -> Option<Vec<String>> {
    let folded = fold_words(value.get_ref());
    if folded.is_empty() {
        let place = c.at(value);
        c.error(Kind::EmptyText, place, format!("{what} has no words"), "write the words people say");
        return None;
    }
    Some(folded)
}

pub(super) fn synonym(c: &mut Checker<'_>, raw: &raw::RawSynonym) -> Option<Synonym> {
    let term = c.text(&raw.term, "synonym term");
    let variants: Vec<String> = raw.variants.iter().filter_map(|v| c.text(v, "synonym variant")).collect();
    if variants.len() != raw.variants.len() {
        return None;
    }
    Some(Synonym { term: term?, variants })
}

pub(super) fn safety(c: &mut Checker<'_>, raw: &raw::SafetyFile) -> Option<SafetyConfig> {
    let mut rules = Vec::new();
    let mut ok = true;
    for (category, cat) in [
        (SafetyCategory::Emergency, &raw.emergency),
        (SafetyCategory::SelfHarm, &raw.self_harm),
        (SafetyCategory::PersonalAdvice, &raw.personal_advice),
    ] {
        let r = cat.get_ref();
        let message = c.text(&r.message, "safety message");
        if r.patterns.is_empty() {
            let place = c.at(cat);
            c.error(
                Kind::BadSafetyRule,
                place,
                "no patterns".into(),
                "list the phrases that trigger this rule",
            );
        }
        let patterns = safety_patterns(c, &r.patterns);
        let except = safety_patterns(c, &r.except);
        let examples = safety_examples(c, &r.examples, "safety example");
        let counter_examples = safety_examples(c, &r.counter_examples, "safety counter-example");
        match (message, patterns, except, examples, counter_examples) {
            (Some(message), Some(patterns), Some(except), Some(examples), Some(counter_examples)) => {
                rules.push(SafetyRule { category, message, patterns, except, examples, counter_examples })
            }
            _ => ok = false,
        }
    }
    let ordinary = match &raw.ordinary {
        Some(o) => safety_examples(c, &o.get_ref().examples, "ordinary example")?,
        None => Vec::new(),
    };
    ok &= ordinary_not_category_examples(c, &ordinary, &rules);
    ok.then_some(SafetyConfig { rules, ordinary })
}

/// A text as its words, case and punctuation aside: two examples or an
/// example and an FAQ question are the same when these are.
fn same_words(text: &str) -> String {
    crate::text::fold_words(text).join(" ")
}

/// An ordinary example that is word for word an example of a category
/// would argue against itself: an error.
fn ordinary_not_category_examples(c: &mut Checker<'_>, ordinary: &[Example], rules: &[SafetyRule]) -> bool {
    let mut ok = true;
    for example in ordinary {
        let text = same_words(&example.text);
        if let Some(rule) = rules.iter().find(|r| r.examples.iter().any(|e| same_words(&e.text) == text)) {
            c.error(
                Kind::BadSafetyRule,
                example.place.clone(),
                format!(
                    "ordinary example {:?} is also one of the {} examples",
                    example.text,
                    rule.category.as_str()
                ),
                "keep it in one list: the one that says what the message needs",
            );
            ok = false;
        }
    }
    ok
}

fn safety_patterns(c: &mut Checker<'_>, raw: &[S<String>]) -> Option<Vec<String>> {
    let mut ok = true;
    let mut out = Vec::with_capacity(raw.len());
    for p in raw {
        let text = p.get_ref().trim();
        if text.split_whitespace().all(|w| w == "*") {
            let place = c.at(p);
            c.error(
                Kind::BadSafetyRule,
                place,
                format!("pattern {text:?} has no words"),
                "write the words to look for, with * for up to three other words",
            );
            ok = false;
        } else {
            out.push(text.to_string());
        }
    }
    ok.then_some(out)
}

/// A safety example that is word for word an FAQ question or alternate
/// would send that question to triage instead of its answer: an error.
pub(super) fn examples_not_key_texts(safety: &SafetyConfig, entries: &[Entry]) -> Vec<Diagnostic> {
    let keys: HashMap<String, &str> =
        entries.iter().flat_map(|e| e.key_texts().map(move |t| (same_words(t), e.id.as_str()))).collect();
    let mut out = Vec::new();
    for rule in &safety.rules {
        for example in &rule.examples {
            if let Some(id) = keys.get(&same_words(&example.text)) {
                out.push(
                    Diagnostic::error(
                        Kind::BadSafetyRule,
                        example.place.clone(),
                        format!(
                            "{} example {:?} is a question of FAQ entry {id:?}",
                            rule.category.as_str(),
                            example.text
                        ),
                    )
                    .with_hint("an FAQ question is ordinary: remove it here, or reword the example"),
                );
            }
        }
    }
    out
}

fn safety_examples(c: &mut Checker<'_>, raw: &[S<String>], what: &str) -> Option<Vec<Example>> {
    let out: Vec<Example> =
        raw.iter().filter_map(|e| Some(Example { text: c.text(e, what)?, place: c.at(e) })).collect();
    let mut seen: HashMap<String, &Example> = HashMap::new();
    for example in &out {
        if let Some(first) = seen.insert(same_words(&example.text), example) {
            c.warn(
                Kind::SafetyExample,
                example.place.clone(),
                format!("{what} {:?} is listed already (line {})", example.text, first.place.line),
                "remove one: a text listed twice counts twice among the 3 nearest",
            );
        }
    }
    (out.len() == raw.len()).then_some(out)
}

fn sorted_list(items: &[&str]) -> String {
    let mut v = items.to_vec();
    v.sort_unstable();
    v.join(", ")
}

#[cfg(test)]
mod tests {
    use super::is_slug;

    #[test]
    fn slugs() {
        for ok in ["exosome-size", "a", "cd63-markers", "x1"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "Exosome", "a--b", "-a", "a-", "a_b", "a b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
