//! The analyzer: text -> terms, identical for FAQ entries, queries and safety rules.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

use super::fold::fold_words;
use super::spelling::americanize;
use super::stopwords::is_stopword;

/// One word of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The stemmed, American-spelled, synonym-resolved form.
    pub term: String,
    /// True for function words and chat filler (ignored by matching).
    pub stop: bool,
}

/// A synonym group from `faq/synonyms.toml`: every variant reads as `term`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    /// The word or phrase every variant is read as.
    pub term: String,
    /// Other words and phrases for it, e.g. abbreviations.
    pub variants: Vec<String>,
}

/// Words that, at the very start of a message, address the bot rather than ask
/// about it ("hey bot, ..."); the "bot" after them is dropped.
const GREETINGS: &[&str] = &["hey", "hi", "hello", "yo", "ok", "okay", "dear", "so", "um"];
const BOT_NAMES: &[&str] = &["bot", "faqbot"];

/// Turns text into terms. Built once per FAQ load (it holds the synonym table).
pub struct Analyzer {
    stemmer: Stemmer,
    /// Variant phrase (as stems) -> canonical phrase (as stems), longest first.
    phrases: Vec<(Vec<String>, Vec<String>)>,
    /// First stem of a variant -> indexes into `phrases`.
    by_first: HashMap<String, Vec<usize>>,
    /// Stems of the words the FAQ uses, worked out once ([`Analyzer::remember`]):
    /// most words of a question are among them.
    known_stems: HashMap<String, String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").field("phrases", &self.phrases.len()).finish()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl Analyzer {
    /// An analyzer that reads each synonym group's variants as its term.
    pub fn new(synonyms: &[Synonym]) -> Self {
        let mut analyzer = Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            phrases: Vec::new(),
            by_first: HashMap::new(),
            known_stems: HashMap::new(),
        };
        for group in synonyms {
            let canonical: Vec<String> = analyzer.base_stems(&group.term);
            if canonical.is_empty() {
                continue;
            }
            for variant in &group.variants {
                let stems = analyzer.base_stems(variant);
                if !stems.is_empty() && stems != canonical {
                    analyzer.phrases.push((stems, canonical.clone()));
                }
            }
        }
        analyzer.phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        analyzer.phrases.dedup_by(|a, b| a.0 == b.0);
        for (i, (variant, _)) in analyzer.phrases.iter().enumerate() {
            analyzer.by_first.entry(variant[0].clone()).or_default().push(i);
        }
        analyzer
    }

    /// Stems one folded word (spelling first, so "tumours" and "tumors" agree).
    pub fn stem_word(&self, word: &str) -> String {
        match self.known_stems.get(word) {
            Some(stem) => stem.clone(),
            None => self.stemmer.stem(&americanize(word)).into_owned(),
        }
    }

    /// Works out the stems of every word in `texts` once, so later analysis of
    /// text using the same words skips the stemmer.
    pub fn remember<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>) {
        for text in texts {
            for word in fold_words(text) {
                if !self.known_stems.contains_key(&word) {
                    let stem = self.stemmer.stem(&americanize(&word)).into_owned();
                    self.known_stems.insert(word, stem);
                }
            }
        }
    }

    /// Stems of `text` without synonym resolution (used to compile synonyms).
    fn base_stems(&self, text: &str) -> Vec<String> {
        fold_words(text).iter().map(|w| self.stem_word(w)).collect()
    }

    /// All tokens of `text`, stopwords included and flagged.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let words = fold_words(text);
        let mut base: Vec<Token> = Vec::with_capacity(words.len());
        let mut greeted = false;
        for (i, word) in words.iter().enumerate() {
            if i < 3 && GREETINGS.contains(&word.as_str()) {
                greeted = true;
            } else if greeted && base.iter().all(|t| t.stop) && BOT_NAMES.contains(&word.as_str()) {
                continue;
            }
            base.push(Token { term: self.stem_word(word), stop: is_stopword(word) });
        }
        self.resolve_synonyms(base)
    }

    /// The content terms of `text`: what matching compares.
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().filter(|t| !t.stop).map(|t| t.term).collect()
    }

    fn resolve_synonyms(&self, tokens: Vec<Token>) -> Vec<Token> {
        if self.phrases.is_empty() {
            return tokens;
        }
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        'outer: while i < tokens.len() {
            if let Some(candidates) = self.by_first.get(&tokens[i].term) {
                for &p in candidates {
                    let (variant, canonical) = &self.phrases[p];
                    let end = i + variant.len();
                    if end <= tokens.len() && tokens[i..end].iter().zip(variant).all(|(t, v)| &t.term == v) {
                        out.extend(canonical.iter().map(|c| Token { term: c.clone(), stop: false }));
                        i = end;
                        continue 'outer;
                    }
                }
            }
            out.push(tokens[i].clone());
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Vec<Synonym> {
        vec![
            Synonym {
                term: "mesenchymal stem cell".into(),
                variants: vec!["msc".into(), "mscs".into(), "mesenchymal stromal cells".into()],
            },
            Synonym { term: "osteoarthritis".into(), variants: vec!["oa".into()] },
        ]
    }

    #[test]
    fn spelling_and_inflection_meet() {
        let a = Analyzer::default();
        assert_eq!(a.terms("Tumours, signalling"), a.terms("tumor signaling"));
        assert_eq!(a.terms("lyophilised exosomes"), a.terms("lyophilized exosome"));
    }

    #[test]
    fn synonyms_expand_to_the_canonical_phrase() {
        let a = Analyzer::new(&synonyms());
        assert_eq!(a.terms("are MSCs"), a.terms("mesenchymal stem cells"));
        assert_eq!(a.terms("mesenchymal stromal cells"), a.terms("mesenchymal stem cell"));
        assert_eq!(a.terms("knee OA"), a.terms("knee osteoarthritis"));
    }

    #[test]
    fn greeting_then_bot_is_dropped_but_bot_as_topic_is_kept() {
        let a = Analyzer::default();
        assert_eq!(a.terms("hey bot, exosome size?"), a.terms("exosome size"));
        assert!(a.terms("what can this bot answer").contains(&"bot".to_string()));
    }

    #[test]
    fn stopwords_are_flagged_not_dropped_by_tokens() {
        let a = Analyzer::default();
        let tokens = a.tokens("should I stop");
        assert_eq!(tokens.len(), 3);
        assert!(tokens[0].stop && tokens[1].stop && !tokens[2].stop);
    }
}
