//! Small talk: "thanks", "good bot", "hi". Said to the bot, it gets a short
//! friendly line from `bot.toml` instead of an FAQ answer, and it is not an
//! unanswered question.
//!
//! A message is small talk when its words are all taken by one or more of the
//! phrases moderators list (`says`) and the `filler` words that may come with
//! them ("thanks so much faqbot!!"). Anything else in the message ("thanks, and
//! are exosomes alive?") makes it a question like any other.

use crate::text::fold_words;

/// The longest message (in words) still read as small talk: a greeting with
/// a question after it is longer, and checking a long message phrase by
/// phrase would be wasted work.
pub const MAX_WORDS: usize = 12;

/// What moderators wrote under `[small_talk]` in bot.toml, folded for matching.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SmallTalk {
    /// Words that may come with small talk without changing it.
    pub filler: Vec<String>,
    /// Each kind of small talk and its reply, in file order.
    pub kinds: Vec<SmallTalkKind>,
}

/// One kind of small talk (thanks, greetings, praise, ...) and its reply.
#[derive(Debug, Clone, PartialEq)]
pub struct SmallTalkKind {
    /// The phrases, each as its folded words.
    pub says: Vec<Vec<String>>,
    /// The line the bot replies with.
    pub reply: String,
}

impl SmallTalk {
    /// The reply when `message` is small talk: the kind of its first phrase.
    pub fn reply_for(&self, message: &str) -> Option<&str> {
        let words = fold_words(message);
        if words.is_empty() || words.len() > MAX_WORDS {
            return None;
        }
        let mut first: Option<usize> = None; // the kind of the first phrase
        let mut at = 0;
        while at < words.len() {
            if let Some((kind, len)) = self.phrase_at(&words[at..]) {
                first.get_or_insert(kind);
                at += len;
            } else if self.filler.contains(&words[at]) {
                at += 1;
            } else {
                return None;
            }
        }
        first.map(|kind| self.kinds[kind].reply.as_str())
    }

    /// The longest phrase starting `words`: (kind, its length in words).
    fn phrase_at(&self, words: &[String]) -> Option<(usize, usize)> {
        self.kinds
            .iter()
            .enumerate()
            .flat_map(|(k, kind)| kind.says.iter().map(move |say| (k, say)))
            .filter(|(_, say)| !say.is_empty() && words.starts_with(say))
            .map(|(k, say)| (k, say.len()))
            .max_by_key(|&(_, len)| len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk() -> SmallTalk {
        let kind = |says: &[&str], reply: &str| SmallTalkKind {
            says: says.iter().map(|s| fold_words(s)).collect(),
            reply: reply.into(),
        };
        SmallTalk {
            filler: ["so", "much", "bot", "faqbot"].map(String::from).to_vec(),
            kinds: vec![
                kind(&["thanks", "thank you", "ty"], "You're welcome."),
                kind(&["hi", "hello"], "Hello!"),
                kind(&["good bot"], "Glad to help."),
            ],
        }
    }

    #[test]
    fn phrases_and_filler_alone_are_small_talk() {
        let t = talk();
        for (message, reply) in [
            ("thanks", Some("You're welcome.")),
            ("Thank you so much, FAQBot!!", Some("You're welcome.")),
            ("ty bot", Some("You're welcome.")),
            ("hello! thanks", Some("Hello!")),
            ("good bot", Some("Glad to help.")),
            ("thanks, are exosomes alive?", None),
            ("bot", None),
            ("", None),
            ("so much", None),
            ("thank you thank you thank you thank you thank you thank you thank you", None),
        ] {
            assert_eq!(t.reply_for(message), reply, "{message:?}");
        }
    }

    #[test]
    fn no_small_talk_configured_means_none_is() {
        assert_eq!(SmallTalk::default().reply_for("thanks"), None);
    }
}
