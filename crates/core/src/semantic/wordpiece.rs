//! BERT's uncased word-piece tokenizer, as all-MiniLM-L6-v2 was trained with:
//! lower-case, strip accents, split at spaces and punctuation, then split each
//! word greedily into the longest vocabulary pieces ("exosomes" -> "ex",
//! "##osome", "##s").

use rustc_hash::FxHashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// BERT gives a word longer than this one unknown piece; so do we.
pub(crate) const MAX_WORD_CHARS: usize = 100;

/// A word-piece vocabulary: piece -> row of the vector table.
#[derive(Debug)]
pub(crate) struct WordPieces {
    ids: FxHashMap<&'static str, u32>,
    /// The longest piece, in bytes: the lookup buffer's capacity.
    longest: usize,
    /// Pieces that are one punctuation mark, sorted.
    marks: Vec<u32>,
}

impl WordPieces {
    /// From the model's `vocab.txt` (one piece per line, row = line number).
    pub(crate) fn new(vocab: &'static str) -> WordPieces {
        let ids: FxHashMap<&'static str, u32> =
            vocab.lines().enumerate().map(|(i, p)| (p, i as u32)).collect();
        let longest = ids.keys().map(|p| p.len()).max().unwrap_or(0);
        let mut marks: Vec<u32> = ids
            .iter()
            .filter(|(p, _)| {
                let mut chars = p.chars();
                matches!((chars.next(), chars.next()), (Some(c), None) if is_punctuation(c))
            })
            .map(|(_, &id)| id)
            .collect();
        marks.sort_unstable();
        WordPieces { ids, longest, marks }
    }

    /// Whether piece `id` is one punctuation mark.
    pub(crate) fn is_mark(&self, id: u32) -> bool {
        self.marks.binary_search(&id).is_ok()
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The pieces of `text`, in order; words with no split into known pieces are skipped.
    pub(crate) fn pieces(&self, text: &str, out: &mut Vec<u32>) {
        out.clear();
        if text.is_ascii() {
            self.split(text.chars().map(|c| c.to_ascii_lowercase()), out);
        } else {
            self.split(text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase), out);
        }
    }

    fn split(&self, chars: impl Iterator<Item = char>, out: &mut Vec<u32>) {
        let mut word = String::new();
        let mut key = String::with_capacity(self.longest + 2);
        for c in chars {
            if c.is_whitespace() || c.is_control() {
                self.word(&word, &mut key, out);
                word.clear();
            } else if is_punctuation(c) {
                self.word(&word, &mut key, out);
                word.clear();
                // Discord's markup ("<@42>", "<#7>", "@everyone") is not part of the question.
                let mut buf = [0u8; 4];
                match self.ids.get(&*c.encode_utf8(&mut buf)) {
                    Some(&id) if !MARKUP.contains(&c) => out.push(id),
                    _ => {}
                }
            } else {
                word.push(c);
            }
        }
        self.word(&word, &mut key, out);
    }

    /// Greedy longest-match-first split of one word, all or nothing.
    fn word(&self, word: &str, key: &mut String, out: &mut Vec<u32>) {
        // Numbers (ids in mentions, prices, doses) say nothing about the topic either.
        if word.is_empty()
            || word.chars().count() > MAX_WORD_CHARS
            || word.chars().all(|c| c.is_ascii_digit())
        {
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            // No piece is longer than the longest in the vocabulary ("##" included).
            let mut end = word.len().min(start + self.longest);
            let mut found = None;
            while end > start {
                if word.is_char_boundary(end) {
                    key.clear();
                    if start > 0 {
                        key.push_str("##");
                    }
                    key.push_str(&word[start..end]);
                    if let Some(&id) = self.ids.get(key.as_str()) {
                        found = Some(id);
                        break;
                    }
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(first);
                    return;
                }
            }
        }
    }
}

/// Characters of chat markup, split off but given no piece.
const MARKUP: [char; 5] = ['<', '>', '@', '&', '#'];

/// BERT's punctuation: ASCII symbols, and the Latin-1, general and CJK
/// punctuation blocks (std has no Unicode categories; these cover chat).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x00A1..=0x00BF | 0x2000..=0x206F | 0x2E00..=0x2E7F | 0x3000..=0x303F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&'static str> {
        let vocab = super::super::vectors::VOCAB;
        let wp = WordPieces::new(vocab);
        let names: Vec<&str> = vocab.lines().collect();
        let mut out = Vec::new();
        wp.pieces(text, &mut out);
        out.into_iter().map(|i| names[i as usize]).collect()
    }

    #[test]
    fn splits_like_bert() {
        assert_eq!(pieces("Exosomes?"), vec!["ex", "##oso", "##mes", "?"]);
        assert_eq!(pieces("  Café—IV  "), vec!["cafe", "—", "iv"]);
        assert_eq!(pieces("stem-cell"), vec!["stem", "-", "cell"]);
        assert!(pieces("").is_empty());
        // Discord markup and numbers give no piece; other punctuation does.
        assert_eq!(pieces("<@42> <#7> @everyone hi!"), vec!["everyone", "hi", "!"]);
        // The ASCII fast path and the Unicode path agree.
        assert_eq!(pieces("CAFE"), pieces("Café"));
        assert!(pieces(&"a".repeat(MAX_WORD_CHARS + 1)).is_empty());
    }
}
