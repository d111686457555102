//! How well the top confidence tells a bank's questions from their look-alikes
//! (questions worded like an entry's but asking something else): the area
//! under the ROC curve, 0.5 = chance, 1.0 = every question above every look-alike.

use serde::Serialize;

use crate::engine::Engine;

/// Answer thresholds the trade-off table is read at (the shipped FAQ's is 0.35).
pub const TRADE_OFF_THRESHOLDS: [f32; 8] = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];

/// The two readings of the separation, and what a threshold trades.
#[derive(Debug, Clone, Serialize)]
pub struct LookAlikeAuc {
    /// Questions run on the entries' side.
    pub positives: usize,
    /// Look-alikes run.
    pub negatives: usize,
    /// The top confidence of the ranking as the pipeline ranks every message
    /// (triage aside): the figure that compares with rankers without triage.
    pub ranked: f64,
    /// The top confidence of the served reply: a message triage stops
    /// shows no ranking and counts as 0 on either side.
    pub served: f64,
    /// Per answer threshold (ranked confidences; the margin aside): the
    /// shares of questions and of look-alikes whose top confidence reaches it.
    pub trade_off: Vec<TradeOff>,
}

/// One row of the trade-off table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TradeOff {
    /// The answer threshold.
    pub threshold: f32,
    /// Share of the questions whose top confidence reaches it.
    pub questions: f64,
    /// Share of the look-alikes whose top confidence reaches it.
    pub look_alikes: f64,
}

/// Runs both sides through the engine.
pub fn measure(engine: &Engine, positives: &[String], negatives: &[String]) -> LookAlikeAuc {
    let (pos_ranked, pos_served) = top_confidences(engine, positives);
    let (neg_ranked, neg_served) = top_confidences(engine, negatives);
    let reaching = |scores: &[f32], t: f32| {
        scores.iter().filter(|&&s| s >= t).count() as f64 / scores.len().max(1) as f64
    };
    let trade_off = TRADE_OFF_THRESHOLDS
        .iter()
        .map(|&threshold| TradeOff {
            threshold,
            questions: reaching(&pos_ranked, threshold),
            look_alikes: reaching(&neg_ranked, threshold),
        })
        .collect();
    LookAlikeAuc {
        positives: positives.len(),
        negatives: negatives.len(),
        ranked: auc(&pos_ranked, &neg_ranked),
        served: auc(&pos_served, &neg_served),
        trade_off,
    }
}

/// (ranked, served) top confidence per message. The served reply carries
/// the ranking whenever it has one; only a message it shows none for (triage
/// stopped it, or small talk) is ranked again, from the same reading.
fn top_confidences(engine: &Engine, messages: &[String]) -> (Vec<f32>, Vec<f32>) {
    let top = |ranked: &[crate::pipeline::Scored]| ranked.first().map_or(0.0, |s| s.confidence);
    messages
        .iter()
        .map(|m| {
            let reading = engine.read(m);
            let served = engine.ask_reading(&reading).ranked;
            let ranked = if served.is_empty() { top(&engine.ranked(&reading)) } else { top(&served) };
            (ranked, top(&served))
        })
        .unzip()
}

/// The probability that a positive scores above a negative (ties count a
/// half): the Mann-Whitney form of the ROC area. 0.5 when a side is empty.
pub fn auc(positives: &[f32], negatives: &[f32]) -> f64 {
    if positives.is_empty() || negatives.is_empty() {
        return 0.5;
    }
    let mut sorted = negatives.to_vec();
    sorted.sort_by(f32::total_cmp);
    let wins: f64 = positives
        .iter()
        .map(|&x| {
            let below = sorted.partition_point(|&n| n < x);
            let up_to = sorted.partition_point(|&n| n <= x);
            below as f64 + 0.5 * (up_to - below) as f64
        })
        .sum();
    wins / (positives.len() * negatives.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn the_area_counts_pairs_in_order_and_ties_as_halves() {
        let cases: &[(&[f32], &[f32], f64)] = &[
            (&[0.9, 0.8], &[0.1, 0.2], 1.0),
            (&[0.1, 0.2], &[0.9, 0.8], 0.0),
            (&[0.5], &[0.5], 0.5),
            // 0.6 beats 0.4 and ties 0.6; 0.3 beats nothing: (1.5 + 0) / 4.
            (&[0.6, 0.3], &[0.4, 0.6], 0.375),
            (&[], &[0.4], 0.5),
        ];
        for (pos, neg, want) in cases {
            assert_eq!(auc(pos, neg), *want, "positives {pos:?}, negatives {neg:?}");
        }
    }
}
