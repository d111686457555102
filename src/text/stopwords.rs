//! Words that carry no topic: English function words and chat filler.
//!
//! Matching ignores them; the safety rules do not (they need "I", "my", "should").

/// Function words, chat filler and greetings. Kept sorted for binary search.
/// Question words (how, what, when, where, which, who, why) are NOT here: "how
/// does it work" and "does it work" ask different things, and idf already makes
/// the common ones weigh little.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "actually", "after", "again", "all", "also", "am", "an", "and",
    "any", "anyone", "anything", "are", "arent", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "bro", "but", "by", "can", "cant", "could", "couldnt",
    "curious", "dear", "did", "didnt", "do", "does", "doesnt", "doing", "dont", "down", "dumb",
    "during", "each", "eh", "else", "ever", "every", "few", "folks", "for", "from", "further",
    "get", "gets", "getting", "go", "going", "gonna", "got", "guys", "had", "has", "hasnt",
    "have", "havent", "having", "he", "hello", "her", "here", "hers", "herself", "hey", "hi",
    "him", "himself", "his", "hmm", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt",
    "it", "its", "itself", "ive", "just", "kind", "know", "let", "lol", "me", "mine", "more",
    "most", "must", "my", "myself", "need", "no", "nor", "not", "now", "of", "off", "ok",
    "okay", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own",
    "please", "pls", "plz", "q", "question", "questions", "quick", "quite", "rather", "really",
    "said", "same", "say", "says", "she", "should", "so", "some", "someone", "something",
    "sorry", "sort", "still", "such", "sure", "tell", "than", "thank", "thanks", "that",
    "thats", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
    "thing", "things", "this", "those", "through", "thx", "to", "too", "u", "uh", "um", "under",
    "until", "up", "ur", "us", "very", "want", "wanted", "was", "wasnt", "way", "we", "were",
    "while", "will", "with", "wondering", "would", "wouldnt", "ya", "yeah", "yes", "yet", "yo",
    "you", "your", "youre", "yours", "yourself",
];

/// Question words: content for matching, but never a topic of their own.
pub const QUESTION_WORDS: &[&str] = &["how", "what", "whats", "when", "where", "which", "who", "whom", "why"];

/// True when `word` (folded, not stemmed) carries no topic.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]), "STOPWORDS must stay sorted");
    }

    #[test]
    fn topic_words_are_not_stopwords() {
        for w in ["exosomes", "safe", "cost", "stem", "cells", "bot", "how", "when"] {
            assert!(!is_stopword(w), "{w}");
        }
        for w in ["hey", "the", "quick"] {
            assert!(is_stopword(w), "{w}");
        }
    }
}
