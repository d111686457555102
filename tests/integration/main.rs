//! Integration tests: one binary, one module per area.

mod support;

mod cli;
mod faq_validation;
mod matching;
mod shipped_faq;
