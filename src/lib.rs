//! faqbot: answers community questions about regenerative medicine from a
//! curated, sourced FAQ.
//!
//! The core (FAQ model and loading, text analysis, matching, safety triage,
//! reply composition) knows nothing of Discord or async runtimes; the CLI and
//! the Discord front end are thin adapters over [`engine::Engine`].

pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod faq;
pub mod feedback;
pub mod lint;
pub mod live;
pub mod matcher;
pub mod reply;
pub mod safety;
pub mod semantic;
pub mod store;
pub mod text;
pub mod throttle;
pub mod topics;

/// The Discord front end (an adapter: the modules above never use it).
pub mod discord;
