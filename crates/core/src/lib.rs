//! faqbot-core: answers community questions about regenerative medicine from
//! a curated, sourced FAQ.
//!
//! The FAQ model and loading, text analysis, the question pipeline (safety
//! triage, retrieval, re-scoring, the decision) and reply composition. Pure:
//! no async runtime, no Discord, no database, no command line. This crate's
//! manifest is what keeps it so; the front ends (`faqbot-discord`, the
//! `faqbot` binary) and the store (`faqbot-store`) depend on it, never the
//! other way round.

#![warn(missing_docs, unreachable_pub)]

pub mod diagnostic;
pub mod encoder;
pub mod engine;
pub mod eval;
pub mod faq;
pub mod lint;
pub mod live;
pub mod pipeline;
pub mod reply;
pub mod safety;
pub mod small_talk;
pub mod text;
pub mod topics;
