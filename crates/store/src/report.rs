//! What moderators read from the store: gaps (what the FAQ could not answer,
//! grouped) and stats (outcomes, entries, feedback, safety).

use serde::Serialize;

use super::db::{Db, Value};
use super::grouping::{self, Wording};
use super::StoreError;
use faqbot_core::text::Analyzer;

const SECONDS_PER_DAY: i64 = 86_400;
/// Only the most frequent distinct texts are grouped, so `gaps` stays fast
/// whatever the table holds; the rest are counted as not grouped.
pub const MAX_DISTINCT_TEXTS: usize = 5_000;
/// Entries need this many votes before their helpful ratio is ranked: one
/// unlucky vote says little.
pub const MIN_VOTES_FOR_RATIO: u64 = 3;
/// Lists (entries, groups) show at most this many rows by default.
pub const DEFAULT_ROWS: usize = 10;
/// Reports look this many days back unless told (the CLI and `/faq-gaps`, `/faq-stats`).
pub const DEFAULT_DAYS: u32 = 30;

/// The unix time `days` days before `now`.
pub fn since(now: i64, days: u32) -> i64 {
    now - i64::from(days) * SECONDS_PER_DAY
}

/// How many questions had one value of a column (an outcome, entry or category).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    /// The value; "-" when the column was empty.
    pub key: String,
    /// Questions with it.
    pub count: u64,
}

/// An entry's feedback votes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rating {
    /// The entry voted on.
    pub entry_id: String,
    /// Votes saying it helped.
    pub helpful: u64,
    /// All votes.
    pub votes: u64,
    /// `helpful / votes`, 0..1.
    pub ratio: f64,
}

/// What happened to the questions of the last `days` days.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// The period, in days up to now.
    pub days: u32,
    /// Questions handled in the period.
    pub questions: u64,
    /// answer, suggest, none, safety.
    pub by_outcome: Vec<Count>,
    /// The most-used entries (answers only), most first.
    pub top_entries: Vec<Count>,
    /// Entries with at least [`MIN_VOTES_FOR_RATIO`] votes, worst ratio first.
    pub worst_rated: Vec<Rating>,
    /// Questions the safety triage took, in all.
    pub safety_total: u64,
    /// By category: emergency, self-harm, personal-advice.
    pub safety: Vec<Count>,
}

fn counts(db: &mut Db, sql: &str, since: i64, rows: usize) -> Result<Vec<Count>, StoreError> {
    let found = db.query(sql, &[since.into(), (rows as i64).into()])?;
    Ok(found
        .iter()
        .map(|r| Count {
            key: r[0].text().map_or_else(|| "-".into(), str::to_string),
            count: r[1].int() as u64,
        })
        .collect())
}

/// The stats for the `days` days before `now`, lists cut to `rows` rows.
pub fn stats(db: &mut Db, now: i64, days: u32, rows: usize) -> Result<Stats, StoreError> {
    let from = since(now, days);
    let by_outcome = counts(
        db,
        "SELECT outcome, COUNT(*) FROM questions WHERE at >= ?1 GROUP BY outcome ORDER BY 2 DESC, 1 LIMIT ?2",
        from,
        usize::MAX >> 1,
    )?;
    let top_entries = counts(
        db,
        "SELECT entry_id, COUNT(*) FROM questions WHERE at >= ?1 AND outcome = 'answer'
         GROUP BY entry_id ORDER BY 2 DESC, 1 LIMIT ?2",
        from,
        rows,
    )?;
    let safety = counts(
        db,
        "SELECT category, COUNT(*) FROM questions WHERE at >= ?1 AND outcome = 'safety'
         GROUP BY category ORDER BY 2 DESC, 1 LIMIT ?2",
        from,
        rows,
    )?;
    let worst_rated = db
        .query(
            "SELECT entry_id, CAST(SUM(helpful) AS BIGINT), COUNT(*) FROM votes WHERE at >= ?1 GROUP BY entry_id
             HAVING COUNT(*) >= ?2
             ORDER BY CAST(SUM(helpful) AS REAL) / COUNT(*), COUNT(*) DESC, entry_id LIMIT ?3",
            &[from.into(), (MIN_VOTES_FOR_RATIO as i64).into(), (rows as i64).into()],
        )?
        .iter()
        .map(|r| {
            let (helpful, votes) = (r[1].int() as u64, r[2].int() as u64);
            Rating {
                entry_id: r[0].text().unwrap_or_default().to_string(),
                helpful,
                votes,
                ratio: helpful as f64 / votes.max(1) as f64,
            }
        })
        .collect();
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

/// The questions the FAQ could not answer confidently in the last `days` days, grouped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gaps {
    /// The period, in days up to now.
    pub days: u32,
    /// Unanswered and low-confidence questions with a stored text in the period.
    pub questions: u64,
    /// The most asked groups, most asked first.
    pub groups: Vec<GapGroup>,
    /// Rare distinct wordings past [`MAX_DISTINCT_TEXTS`], not grouped.
    pub not_grouped: usize,
}

/// Groups the period's unanswered and low-confidence questions, most asked first.
pub fn gaps(db: &mut Db, analyzer: &Analyzer, now: i64, days: u32, rows: usize) -> Result<Gaps, StoreError> {
    let mut wordings: Vec<Wording> = db
        .query(
            "SELECT text, COUNT(*), CAST(SUM(CASE WHEN outcome = 'none' THEN 1 ELSE 0 END) AS BIGINT)
             FROM questions
             WHERE at >= ?1 AND text IS NOT NULL AND outcome IN ('suggest', 'none')
             GROUP BY text ORDER BY 2 DESC, MAX(at) DESC, text",
            &[Value::Int(since(now, days))],
        )?
        .into_iter()
        .map(|r| Wording {
            text: r[0].text().unwrap_or_default().to_string(),
            count: r[1].int() as u64,
            unanswered: r[2].int() as u64,
        })
        .collect();
    let questions = wordings.iter().map(|w| w.count).sum();
    let not_grouped = wordings.len().saturating_sub(MAX_DISTINCT_TEXTS);
    wordings.truncate(MAX_DISTINCT_TEXTS);
    let mut groups = grouping::group(analyzer, wordings);
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.example.cmp(&b.example)));
    groups.truncate(rows);
    Ok(Gaps { days, questions, groups, not_grouped })
}

/// The stats as plain lines (the CLI prints them; Discord puts them in a code block).
pub fn stats_lines(stats: &Stats) -> Vec<String> {
    let mut lines = vec![format!("Questions in the last {} day(s): {}", stats.days, stats.questions)];
    for c in &stats.by_outcome {
        lines.push(format!("  {:<8} {:>7}", c.key, c.count));
    }
    lines.push(format!("Safety triage: {}", stats.safety_total));
    for c in &stats.safety {
        lines.push(format!("  {:<16} {:>7}", c.key, c.count));
    }
    lines.push("Most-used entries:".to_string());
    if stats.top_entries.is_empty() {
        lines.push("  (none)".to_string());
    }
    for c in &stats.top_entries {
        lines.push(format!("  {:>7}  {}", c.count, c.key));
    }
    lines.push(format!("Worst helpful ratio (entries with {MIN_VOTES_FOR_RATIO}+ votes):"));
    if stats.worst_rated.is_empty() {
        lines.push("  (none)".to_string());
    }
    for r in &stats.worst_rated {
        lines.push(format!(
            "  {:>4.0}% helpful ({} of {})  {}",
            r.ratio * 100.0,
            r.helpful,
            r.votes,
            r.entry_id
        ));
    }
    lines
}

/// The gaps as plain lines, most asked first.
pub fn gaps_lines(gaps: &Gaps) -> Vec<String> {
    let mut lines = vec![format!(
        "Unanswered or low-confidence questions in the last {} day(s): {} in {} group(s) shown",
        gaps.days,
        gaps.questions,
        gaps.groups.len()
    )];
    if gaps.groups.is_empty() {
        lines.push("  (none)".to_string());
    }
    for g in &gaps.groups {
        lines.push(format!(
            "{:>6}x  {}  ({} unanswered, {} wording(s))",
            g.count, g.example, g.unanswered, g.wordings
        ));
    }
    if gaps.not_grouped > 0 {
        lines.push(format!("({} rarer wordings not grouped)", gaps.not_grouped));
    }
    lines
}

/// A CSV field, quoted when it needs to be.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// `section,key,count,helpful,votes`: one row per figure.
pub fn stats_csv(stats: &Stats) -> String {
    let mut out = String::from("section,key,count,helpful,votes\n");
    out.push_str(&format!("total,questions,{},,\n", stats.questions));
    let rows = [("outcome", &stats.by_outcome), ("safety", &stats.safety), ("entry", &stats.top_entries)];
    for (section, counts) in rows {
        for c in counts {
            out.push_str(&format!("{section},{},{},,\n", csv_field(&c.key), c.count));
        }
    }
    for r in &stats.worst_rated {
        out.push_str(&format!("rating,{},,{},{}\n", csv_field(&r.entry_id), r.helpful, r.votes));
    }
    out
}

/// `count,unanswered,wordings,example`: one row per group.
pub fn gaps_csv(gaps: &Gaps) -> String {
    let mut out = String::from("count,unanswered,wordings,example\n");
    for g in &gaps.groups {
        out.push_str(&format!("{},{},{},{}\n", g.count, g.unanswered, g.wordings, csv_field(&g.example)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{normalise, open_write, Location};

    fn open(dir: &std::path::Path) -> Db {
        open_write(&Location::Sqlite(dir.join("db.sqlite3"))).unwrap()
    }

    fn insert(
        conn: &mut Db,
        at: i64,
        outcome: &str,
        entry: Option<&str>,
        category: Option<&str>,
        text: Option<&str>,
    ) {
        conn.execute(
            "INSERT INTO questions (at, entry_point, outcome, category, entry_id, confidence, text)
             VALUES (?1, 'slash', ?2, ?3, ?4, 0.5, ?5)",
            &[at.into(), outcome.into(), category.into(), entry.into(), text.map(normalise).into()],
        )
        .unwrap();
    }

    #[test]
    fn realistic_paraphrases_group_by_topic_and_common_words_do_not_merge_them() {
        let dir = tempfile::tempdir().unwrap();
        let conn = &mut open(dir.path());
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
            insert(conn, now - 100, "none", None, None, Some(text));
        }
        insert(conn, now - 100, "suggest", None, None, Some("exosomes help with hair loss"));
        // Outside the period, and answered: not gaps.
        insert(conn, now - 40 * SECONDS_PER_DAY, "none", None, None, Some("stem cells for dogs"));
        insert(conn, now - 100, "answer", Some("exosome-size"), None, None);

        let gaps = gaps(conn, &Analyzer::default(), now, 30, 10).unwrap();
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
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        let gaps = Gaps {
            days: 7,
            questions: 2,
            groups: vec![GapGroup { count: 2, unanswered: 1, example: "cost, roughly?".into(), wordings: 2 }],
            not_grouped: 0,
        };
        assert_eq!(gaps_csv(&gaps), "count,unanswered,wordings,example\n2,1,2,\"cost, roughly?\"\n");
        assert!(gaps_lines(&gaps)[1].contains("2x  cost, roughly?"));
    }

    #[test]
    fn stats_count_outcomes_entries_ratings_and_safety() {
        let dir = tempfile::tempdir().unwrap();
        let conn = &mut open(dir.path());
        let now = 10_000_000;
        for _ in 0..3 {
            insert(conn, now, "answer", Some("exosome-size"), None, None);
        }
        insert(conn, now, "answer", Some("msc-basics"), None, None);
        insert(conn, now, "none", None, None, Some("bread"));
        insert(conn, now, "safety", None, Some("emergency"), None);
        insert(conn, now - 40 * SECONDS_PER_DAY, "answer", Some("old"), None, None);
        let mut vote = |m: i64, voter: u8, entry: &str, helpful: bool| {
            conn.execute(
                "INSERT INTO votes (message_id, voter_hash, entry_id, helpful, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                &[m.into(), Value::Bytes(vec![voter]), entry.into(), i64::from(helpful).into(), now.into()],
            )
            .unwrap();
        };
        for v in 0..4 {
            vote(1, v, "exosome-size", v == 0);
            vote(2, v, "msc-basics", true);
        }
        vote(3, 0, "rare", false);
        let stats = stats(conn, now, 30, 10).unwrap();
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
