//! Feedback votes on answers: one vote per voter per message.
//!
//! Remembers who voted on what, in memory and bounded: the oldest votes are
//! forgotten first. A persistent store replaces this later (the SQLite issue);
//! until then a restart forgets who voted, so a voter could vote again on an
//! answer sent before the restart.

use std::collections::{HashSet, VecDeque};

/// Votes remembered at most: 100,000 (message, voter) pairs take about 3 MB,
/// and votes on answers that old are rare.
pub const MAX_REMEMBERED_VOTES: usize = 100_000;

/// Whether a vote counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteResult {
    /// The first vote of this voter on this message.
    Counted,
    /// This voter already voted on this message.
    Duplicate,
}

/// Who voted on which message, the oldest forgotten past the capacity.
#[derive(Debug)]
pub struct VoteBook {
    capacity: usize,
    seen: HashSet<(u64, u64)>,
    order: VecDeque<(u64, u64)>,
}

impl Default for VoteBook {
    fn default() -> Self {
        VoteBook::with_capacity(MAX_REMEMBERED_VOTES)
    }
}

impl VoteBook {
    /// A book remembering at most `capacity` votes (at least 1).
    pub fn with_capacity(capacity: usize) -> VoteBook {
        VoteBook { capacity: capacity.max(1), seen: HashSet::new(), order: VecDeque::new() }
    }

    /// Records `voter`'s vote on `message`, once.
    pub fn record(&mut self, message: u64, voter: u64) -> VoteResult {
        if !self.seen.insert((message, voter)) {
            return VoteResult::Duplicate;
        }
        self.order.push_back((message, voter));
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        VoteResult::Counted
    }

    /// Votes remembered now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no vote is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_vote_per_voter_per_message() {
        let mut book = VoteBook::default();
        assert_eq!(book.record(1, 10), VoteResult::Counted);
        assert_eq!(book.record(1, 10), VoteResult::Duplicate);
        assert_eq!(book.record(1, 11), VoteResult::Counted, "another voter");
        assert_eq!(book.record(2, 10), VoteResult::Counted, "another message");
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let mut book = VoteBook::with_capacity(3);
        for m in 0..10 {
            book.record(m, 1);
        }
        assert_eq!(book.len(), 3);
        assert_eq!(book.record(9, 1), VoteResult::Duplicate, "recent votes are remembered");
        assert_eq!(book.record(0, 1), VoteResult::Counted, "the oldest were forgotten");
    }
}
