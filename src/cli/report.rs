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

fn open(db: &Path) -> anyhow::Result<store::Connection> {
    store::open_read(db).with_context(|| {
        format!("cannot read the question database {} (another file: --db PATH)", db.display())
    })
}

pub fn gaps(db: &Path, faq: &Path, days: u32, rows: usize, format: Format) -> anyhow::Result<ExitCode> {
    let conn = open(db)?;
    // Grouping uses the matcher's own normalisation, synonyms included.
    let (engine, _) = super::load_engine(faq)?;
    let gaps = report::gaps(&conn, engine.analyzer(), store::now(), days, rows)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&gaps)?),
        Format::Csv => print!("{}", report::gaps_csv(&gaps)),
        Format::Text => report::gaps_lines(&gaps).iter().for_each(|l| println!("{l}")),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(db: &Path, days: u32, rows: usize, format: Format) -> anyhow::Result<ExitCode> {
    let conn = open(db)?;
    let stats = report::stats(&conn, store::now(), days, rows)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Csv => print!("{}", report::stats_csv(&stats)),
        Format::Text => report::stats_lines(&stats).iter().for_each(|l| println!("{l}")),
    }
    Ok(ExitCode::SUCCESS)
}
