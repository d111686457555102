//! Integration tests: one binary, one module per area.

mod fake_discord;
mod support;

mod cli;
mod discord;
mod faq_validation;
mod matching;
mod shipped_faq;
