//! The FAQ: its model, how it is read from a folder, and how it is checked.

mod date;
mod load;
mod model;
mod quotes;
mod raw;
mod toml_file;
mod validate;

pub use date::Date;
pub use load::{
    load_dir, load_dir_as_of, LoadError, Loaded, BOT_FILE, SAFETY_FILE, SOURCES_FILE, SYNONYMS_FILE,
};
pub use model::{BotTexts, Citation, Entry, EntryPlaces, Faq, Source, Thresholds};
pub use quotes::{check_quotes, closest_passage, fold_quote_text, uncovered_paragraphs, Uncovered};
pub use validate::{
    is_slug, row_text, ANSWER_MAX_CHARS, ANSWER_WORDS_FOR_CHAT, MIN_ALTERNATES, QUOTE_MAX_CHARS,
};
