//! `faqbot gaps` and `faqbot stats`: the moderators' reports, from the bot's database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use faqbot_store::{self as store, report};

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

impl Format {
    pub fn new(json: bool, csv: bool) -> Format {
        match (json, csv) {
            (true, _) => Format::Json,
            (_, true) => Format::Csv,
            _ => Format::Text,
        }
    }
}

/// The database `--db` (or `DATABASE_PATH`) names; else `DATABASE_URL`, as
/// `serve` reads it; else the default file.
pub fn location(db: Option<&str>) -> store::Location {
    let url = std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty());
    match (db.filter(|d| !d.trim().is_empty()), url) {
        (Some(db), _) => store::Location::parse(db),
        (None, Some(url)) => store::Location::parse(&url),
        (None, None) => store::Location::parse(store::DEFAULT_PATH),
    }
}

fn open(db: &store::Location) -> anyhow::Result<store::Db> {
    store::open_read(db).with_context(|| {
        format!("cannot read the question database {db} (another one: --db PATH or --db postgres://...)")
    })
}

pub fn gaps(
    db: &store::Location,
    faq: &Path,
    days: u32,
    rows: usize,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let mut conn = open(db)?;
    // Grouping uses the matcher's own normalisation, synonyms included.
    let (engine, _) = super::load_engine(faq)?;
    let gaps = report::gaps(&mut conn, engine.analyzer(), store::now(), days, rows)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&gaps)?),
        Format::Csv => print!("{}", report::gaps_csv(&gaps)),
        Format::Text => report::gaps_lines(&gaps).iter().for_each(|l| println!("{l}")),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(db: &store::Location, days: u32, rows: usize, format: Format) -> anyhow::Result<ExitCode> {
    let mut conn = open(db)?;
    let stats = report::stats(&mut conn, store::now(), days, rows)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Csv => print!("{}", report::stats_csv(&stats)),
        Format::Text => report::stats_lines(&stats).iter().for_each(|l| println!("{l}")),
    }
    Ok(ExitCode::SUCCESS)
}
