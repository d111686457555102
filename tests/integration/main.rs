//! Integration tests: one binary, one module per area.

mod bad_input;
mod bot;
mod fake_discord;
mod support;

mod backends;
mod cli;
mod community;
mod content;
mod discord;
mod faq_validation;
mod faults;
mod load;
mod matching;
mod properties;
mod security;
mod shipped_faq;
mod store;
