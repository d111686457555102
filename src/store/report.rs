//! What moderators read from the store: gaps (what the FAQ could not answer,
//! grouped) and stats (outcomes, entries, feedback, safety).

use std::collections::HashMap;

use rusqlite::{params, Connection};
use serde::Serialize;

use super::StoreError;
use crate::text::Analyzer;

const SECONDS_PER_DAY: i64 = 86_400;
/// A question joins a group when the terms it shares with one of the group's
/// wordings carry at least this share of the weight of the shorter of the two
/// (idf-weighted overlap): "can exosomes help with hair loss?" and "do
/// exosome's help hair-loss" share their rare words; "how much does exosome
/// therapy cost" and "does insurance cover exosome therapy" share only common
/// ones.
pub const GROUP_SIMILARITY: f64 = 0.6;
/// Terms at least this long also match one typo apart, as in the matcher.
const TYPO_MIN_LEN: usize = 5;
/// Only the most frequent distinct texts are grouped, so `gaps` stays fast
/// whatever the table holds; the rest are counted as not grouped.
pub const MAX_DISTINCT_TEXTS: usize = 5_000;
/// Entries need this many votes before their helpful ratio is ranked: one
/// unlucky vote says little.
pub const MIN_VOTES_FOR_RATIO: u64 = 3;
/// Lists (entries, groups) show at most this many rows by default.
pub const DEFAULT_ROWS: usize = 10;

/// The unix time `days` days before `now`.
pub fn since(now: i64, days: u32) -> i64 {
    now - i64::from(days) * SECONDS_PER_DAY
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rating {
    pub entry_id: String,
    pub helpful: u64,
    pub votes: u64,
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub days: u32,
    pub questions: u64,
    /// answer, suggest, none, safety.
    pub by_outcome: Vec<Count>,
    pub top_entries: Vec<Count>,
    /// Entries with at least [`MIN_VOTES_FOR_RATIO`] votes, worst ratio first.
    pub worst_rated: Vec<Rating>,
    pub safety_total: u64,
    /// By category: emergency, self-harm, personal-advice.
    pub safety: Vec<Count>,
}

fn counts(conn: &Connection, sql: &str, since: i64, rows: usize) -> Result<Vec<Count>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let found = stmt.query_map(params![since, rows as i64], |r| {
        Ok(Count {
            key: r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "-".into()),
            count: r.get::<_, i64>(1)? as u64,
        })
    })?;
    Ok(found.collect::<Result<_, _>>()?)
}

pub fn stats(conn: &Connection, now: i64, days: u32, rows: usize) -> Result<Stats, StoreError> {
    let from = since(now, days);
    let by_outcome = counts(
        conn,
        "SELECT outcome, COUNT(*) FROM questions WHERE at >= ?1 GROUP BY outcome ORDER BY 2 DESC LIMIT ?2",
        from,
        usize::MAX >> 1,
    )?;
    let top_entries = counts(
        conn,
        "SELECT entry_id, COUNT(*) FROM questions WHERE at >= ?1 AND outcome = 'answer'
         GROUP BY entry_id ORDER BY 2 DESC, 1 LIMIT ?2",
        from,
        rows,
    )?;
    let safety = counts(
        conn,
        "SELECT category, COUNT(*) FROM questions WHERE at >= ?1 AND outcome = 'safety'
         GROUP BY category ORDER BY 2 DESC LIMIT ?2",
        from,
        rows,
    )?;
    let mut stmt = conn.prepare(
        "SELECT entry_id, SUM(helpful), COUNT(*) FROM votes WHERE at >= ?1 GROUP BY entry_id
         HAVING COUNT(*) >= ?2 ORDER BY CAST(SUM(helpful) AS REAL) / COUNT(*), COUNT(*) DESC, entry_id LIMIT ?3",
    )?;
    let worst_rated = stmt
        .query_map(params![from, MIN_VOTES_FOR_RATIO as i64, rows as i64], |r| {
            let (helpful, votes) = (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64);
            Ok(Rating { entry_id: r.get(0)?, helpful, votes, ratio: helpful as f64 / votes as f64 })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Stats {
        days,
        questions: by_outcome.iter().map(|c| c.count).sum(),
        safety_total: safety.iter().map(|c| c.count).sum(),
        by_outcome,
        top_entries,
        worst_rated,
        safety,
    })
}

/// Near-identical questions the FAQ could not answer confidently.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GapGroup {
    /// Times asked in all.
    pub count: u64,
    /// Of which nothing fitted (the rest got "did you mean").
    pub unanswered: u64,
    /// The most asked wording.
    pub example: String,
    /// Distinct wordings in the group.
    pub wordings: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gaps {
    pub days: u32,
    /// Unanswered and low-confidence questions with a stored text in the period.
    pub questions: u64,
    pub groups: Vec<GapGroup>,
    /// Rare distinct wordings past [`MAX_DISTINCT_TEXTS`], not grouped.
    pub not_grouped: usize,
}

struct Group {
    /// The terms of each wording in the group.
    wordings: Vec<Vec<String>>,
    gap: GapGroup,
}

/// Groups the period's unanswered and low-confidence questions, most asked first.
pub fn gaps(
    conn: &Connection,
    analyzer: &Analyzer,
    now: i64,
    days: u32,
    rows: usize,
) -> Result<Gaps, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT text, COUNT(*), SUM(outcome = 'none') FROM questions
         WHERE at >= ?1 AND text IS NOT NULL AND outcome IN ('suggest', 'none')
         GROUP BY text ORDER BY 2 DESC, MAX(at) DESC",
    )?;
    let mut texts: Vec<(String, u64, u64)> = stmt
        .query_map([since(now, days)], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64))
        })?
        .collect::<Result<_, _>>()?;
    let questions = texts.iter().map(|t| t.1).sum();
    let not_grouped = texts.len().saturating_sub(MAX_DISTINCT_TEXTS);
    texts.truncate(MAX_DISTINCT_TEXTS);

    let analysed: Vec<Vec<String>> = texts.iter().map(|(text, ..)| terms_of(analyzer, text)).collect();
    let weight = idf(&analysed);
    let mut groups: Vec<Group> = Vec::new();
    let mut by_term: HashMap<String, Vec<usize>> = HashMap::new();
    for ((text, count, unanswered), terms) in texts.into_iter().zip(analysed) {
        let mut best: Option<(usize, f64)> = None;
        let mut candidates: Vec<usize> =
            terms.iter().flat_map(|t| by_term.get(t).into_iter().flatten().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        for g in candidates {
            let s = groups[g].wordings.iter().map(|w| similarity(&terms, w, &weight)).fold(0.0, f64::max);
            if s >= GROUP_SIMILARITY && best.is_none_or(|(_, b)| s > b) {
                best = Some((g, s));
            }
        }
        match best {
            Some((g, _)) => {
                for t in &terms {
                    let groups_of_term = by_term.entry(t.clone()).or_default();
                    if groups_of_term.last() != Some(&g) {
                        groups_of_term.push(g);
                    }
                }
                groups[g].wordings.push(terms);
                let gap = &mut groups[g].gap;
                gap.count += count;
                gap.unanswered += unanswered;
                gap.wordings += 1;
            }
            None => {
                for t in &terms {
                    by_term.entry(t.clone()).or_default().push(groups.len());
                }
                groups.push(Group {
                    wordings: vec![terms],
                    gap: GapGroup { count, unanswered, example: text, wordings: 1 },
                });
            }
        }
    }
    let mut groups: Vec<GapGroup> = groups.into_iter().map(|g| g.gap).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.example.cmp(&b.example)));
    groups.truncate(rows);
    Ok(Gaps { days, questions, groups, not_grouped })
}

/// The matcher's terms (stems, American spelling, synonyms; no filler), sorted
/// and unique; the plain words when a text has no content word at all.
fn terms_of(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let mut terms = analyzer.terms(text);
    if terms.is_empty() {
        terms = text.split_whitespace().map(str::to_string).collect();
    }
    terms.sort();
    terms.dedup();
    terms
}

/// ln(1 + N / df) over the texts being grouped: words every gap shares weigh little.
fn idf(texts: &[Vec<String>]) -> HashMap<String, f64> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for terms in texts {
        for t in terms {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let n = texts.len().max(1) as f64;
    df.into_iter().map(|(t, d)| (t.to_string(), (1.0 + n / d as f64).ln())).collect()
}

/// Whether two terms are the same word, allowing one typo in longer ones.
fn same_term(a: &str, b: &str) -> bool {
    a == b || (a.len() >= TYPO_MIN_LEN && b.len() >= TYPO_MIN_LEN && strsim::damerau_levenshtein(a, b) <= 1)
}

/// The idf weight of the terms two wordings share, over the weight of the lighter wording.
fn similarity(a: &[String], b: &[String], weight: &HashMap<String, f64>) -> f64 {
    let w = |t: &String| weight.get(t).copied().unwrap_or(1.0);
    let (wa, wb): (f64, f64) = (a.iter().map(w).sum(), b.iter().map(w).sum());
    if wa == 0.0 || wb == 0.0 {
        return 0.0;
    }
    let shared: f64 = a.iter().filter(|t| b.iter().any(|u| same_term(t, u))).map(w).sum();
    shared / wa.min(wb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{normalise, open_write};

    fn insert(
        conn: &Connection,
        at: i64,
        outcome: &str,
        entry: Option<&str>,
        category: Option<&str>,
        text: Option<&str>,
    ) {
        conn.execute(
            "INSERT INTO questions (at, entry_point, outcome, category, entry_id, confidence, text)
             VALUES (?1, 'slash', ?2, ?3, ?4, 0.5, ?5)",
            params![at, outcome, category, entry, text.map(normalise)],
        )
        .unwrap();
    }

    #[test]
    fn realistic_paraphrases_group_by_topic_and_common_words_do_not_merge_them() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&dir.path().join("db.sqlite3")).unwrap();
        let now = 10_000_000;
        let asked = [
            "Do exosomes help with hair loss?",
            "do exosomes help with hair loss",
            "Do exosome's help hair-loss??",
            "hey bot, do exosomes really help with hair loss",
            "Can exosomes help with hair loss?",
            "exosomes help hair loss?",
            "Does insurance cover exosome therapy?",
            "does my insurance cover exosome therapy",
            "Is exosome therapy covered by insurence?",
            "can my dog get stem cell therapy",
            "Can dogs get stem cell therapy?",
            "stem cell therapy for my dog",
            "how much does exosome therapy cost",
        ];
        for text in asked {
            insert(&conn, now - 100, "none", None, None, Some(text));
        }
        insert(&conn, now - 100, "suggest", None, None, Some("exosomes help with hair loss"));
        // Outside the period, and answered: not gaps.
        insert(&conn, now - 40 * SECONDS_PER_DAY, "none", None, None, Some("stem cells for dogs"));
        insert(&conn, now - 100, "answer", Some("exosome-size"), None, None);

        let gaps = gaps(&conn, &Analyzer::default(), now, 30, 10).unwrap();
        let summary: Vec<(u64, &str)> = gaps.groups.iter().map(|g| (g.count, g.example.as_str())).collect();
        assert_eq!(gaps.questions, 14);
        assert_eq!(gaps.groups.len(), 4, "hair loss, insurance, dogs, cost: {summary:#?}");
        assert_eq!(gaps.groups[0].count, 7, "the hair-loss group, most asked, first: {summary:#?}");
        assert_eq!(gaps.groups[0].unanswered, 6);
        assert_eq!(gaps.groups[0].example, "do exosomes help with hair loss");
        assert_eq!(
            (gaps.groups[1].count, gaps.groups[2].count, gaps.groups[3].count),
            (3, 3, 1),
            "{summary:#?}"
        );
        assert_eq!(gaps.groups[3].example, "how much does exosome therapy cost", "common words do not merge");
    }

    #[test]
    fn stats_count_outcomes_entries_ratings_and_safety() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&dir.path().join("db.sqlite3")).unwrap();
        let now = 10_000_000;
        for _ in 0..3 {
            insert(&conn, now, "answer", Some("exosome-size"), None, None);
        }
        insert(&conn, now, "answer", Some("msc-basics"), None, None);
        insert(&conn, now, "none", None, None, Some("bread"));
        insert(&conn, now, "safety", None, Some("emergency"), None);
        insert(&conn, now - 40 * SECONDS_PER_DAY, "answer", Some("old"), None, None);
        let vote = |m: i64, voter: u8, entry: &str, helpful: bool| {
            conn.execute(
                "INSERT INTO votes (message_id, voter_hash, entry_id, helpful, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![m, vec![voter], entry, helpful, now],
            )
            .unwrap();
        };
        for v in 0..4 {
            vote(1, v, "exosome-size", v == 0);
            vote(2, v, "msc-basics", true);
        }
        vote(3, 0, "rare", false);
        let stats = stats(&conn, now, 30, 10).unwrap();
        assert_eq!(stats.questions, 6);
        assert_eq!(stats.by_outcome[0], Count { key: "answer".into(), count: 4 });
        assert_eq!(stats.top_entries[0], Count { key: "exosome-size".into(), count: 3 });
        assert_eq!(stats.worst_rated.len(), 2, "an entry with one vote is not ranked");
        assert_eq!(stats.worst_rated[0].entry_id, "exosome-size");
        assert_eq!((stats.worst_rated[0].helpful, stats.worst_rated[0].votes), (1, 4));
        assert_eq!(stats.safety_total, 1);
        assert_eq!(stats.safety[0].key, "emergency");
    }
}
