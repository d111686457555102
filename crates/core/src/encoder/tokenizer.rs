//! BERT's uncased tokenizer, as all-MiniLM-L6-v2 was trained with: clean the
//! text, lower-case it and strip accents, split at spaces, punctuation and
//! CJK ideographs, then split each word greedily into the longest vocabulary
//! pieces ("exosomes" -> "ex", "##oso", "##mes"); a word with no such split
//! is one `[UNK]`. Pinned to Hugging Face's tokenizer by the reference test.

use rustc_hash::FxHashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A word longer than this many characters is one `[UNK]` (as in BERT).
const MAX_WORD_CHARS: usize = 100;

/// The model's word-piece vocabulary and its special pieces.
#[derive(Debug)]
pub(crate) struct Tokenizer {
    ids: FxHashMap<String, u32>,
    longest: usize,
    cls: u32,
    sep: u32,
    unk: u32,
}

impl Tokenizer {
    /// From `vocab.txt` (one piece per line, id = line number).
    pub(crate) fn new(vocab: &str) -> Result<Tokenizer, String> {
        let ids: FxHashMap<String, u32> =
            vocab.lines().enumerate().map(|(i, p)| (p.to_string(), i as u32)).collect();
        let special = |name: &str| ids.get(name).copied().ok_or_else(|| format!("vocab.txt has no {name}"));
        let (cls, sep, unk) = (special("[CLS]")?, special("[SEP]")?, special("[UNK]")?);
        let longest = ids.keys().map(String::len).max().unwrap_or(0);
        Ok(Tokenizer { ids, longest, cls, sep, unk })
    }

    /// `[CLS] pieces… [SEP]`, at most `max_len` ids in all.
    pub(crate) fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut out = vec![self.cls];
        let mut word = String::new();
        let mut key = String::with_capacity(self.longest + 2);
        let normalised = text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase);
        for c in normalised {
            if c == '\0' || c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()) {
                continue;
            }
            if c.is_whitespace() {
                self.word(&word, &mut key, &mut out);
                word.clear();
            } else if is_punctuation(c) || is_cjk(c) {
                self.word(&word, &mut key, &mut out);
                word.clear();
                let mut buf = [0u8; 4];
                self.word(c.encode_utf8(&mut buf), &mut key, &mut out);
            } else {
                word.push(c);
            }
        }
        self.word(&word, &mut key, &mut out);
        out.truncate(max_len.saturating_sub(1).max(1));
        out.push(self.sep);
        out
    }

    /// Greedy longest-match-first split of one word, or one `[UNK]`.
    fn word(&self, word: &str, key: &mut String, out: &mut Vec<u32>) {
        if word.is_empty() {
            return;
        }
        if word.chars().count() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
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
                    out.push(self.unk);
                    return;
                }
            }
        }
    }
}

/// BERT's punctuation: the ASCII symbols, and the Latin-1, general and
/// supplemental punctuation blocks (std has no Unicode categories; these
/// cover what chat uses).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c as u32, 0x00A1..=0x00BF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x2E00..=0x2E7F | 0x3000..=0x303F)
}

/// CJK ideographs, which BERT splits one by one.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}
