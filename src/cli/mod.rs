//! Command-line adapter: parse arguments, call the core, print.

mod ask;
mod check;
mod eval;
mod render;
mod report;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};

use faqbot_core::encoder::Model;
use faqbot_core::engine::{Engine, Weights};
use faqbot_core::faq;

#[derive(Debug, Parser)]
#[command(
    name = "faqbot",
    version,
    about = "Answers regenerative-medicine questions from a curated, sourced FAQ"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a FAQ folder: report every error and warning with file:line:col.
    Check {
        /// The FAQ folder.
        #[arg(default_value = "faq")]
        faq_dir: PathBuf,
        /// Folder of source documents: check every quote appears verbatim in its document.
        #[arg(long, value_name = "DIR")]
        sources: Option<PathBuf>,
        /// Also print every entry's answer (sourced) apart from its background
        /// (not from the sources), with how many quotes and table rows back it.
        #[arg(long)]
        review: bool,
        /// Also list the paragraphs of the source documents that no entry
        /// quotes (needs --sources).
        #[arg(long, requires = "sources")]
        coverage: bool,
    },
    /// Ask a question, as the bot would answer it. `-` reads one question per line from stdin.
    Ask {
        /// The FAQ folder.
        #[arg(long, env = "FAQ_DIR", default_value = "faq")]
        faq: PathBuf,
        /// Print one JSON object per question (the stable contract in the README).
        #[arg(long)]
        json: bool,
        /// Also show how the question was analysed and why the top entries scored as they did.
        #[arg(long, conflicts_with = "json")]
        explain: bool,
        /// The question (several words are joined), or `-` for stdin.
        #[arg(required = true)]
        question: Vec<String>,
    },
    /// Compute the sentence vectors of every question and alternate ahead of
    /// time (kept in FAQBOT_VECTOR_CACHE, default data/vectors), with progress.
    Index {
        /// The FAQ folder.
        #[arg(long, env = "FAQ_DIR", default_value = "faq")]
        faq: PathBuf,
    },
    /// Run the Discord bot (configuration from the environment and `.env`; see `.env.example`).
    Serve,
    /// Run a cases file and report accuracy, abstention, safety and latency.
    Eval {
        /// The FAQ folder.
        #[arg(long, env = "FAQ_DIR", default_value = "faq")]
        faq: PathBuf,
        /// The cases file ([[case]] question = "...", expect = "id" | ["a", "b"] | "none" | "safety").
        cases: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// List at most this many failing cases (all with --json).
        #[arg(long, default_value_t = 40)]
        show_failures: usize,
        /// A cases file whose `expect = "none"` cases are look-alikes (worded
        /// like the entries' questions, asking something else): also report
        /// how well the top confidence tells the entry cases from them (ROC area).
        #[arg(long, value_name = "CASES")]
        look_alikes: Option<PathBuf>,
    },
    /// What people asked that the FAQ could not answer (or only with "did you mean"), grouped.
    Gaps {
        #[command(flatten)]
        report: ReportArgs,
        /// The FAQ folder (its synonyms and spelling rules group the questions).
        #[arg(long, env = "FAQ_DIR", default_value = "faq")]
        faq: PathBuf,
    },
    /// Questions per outcome, most-used entries, least helpful entries, safety triage count.
    Stats {
        #[command(flatten)]
        report: ReportArgs,
    },
}

/// What `gaps` and `stats` share.
#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// How many days to look back.
    #[arg(long, default_value_t = faqbot_store::report::DEFAULT_DAYS)]
    days: u32,
    /// The bot's database: an SQLite file or a postgres:// URL [default: DATABASE_URL if set,
    /// else data/faqbot.sqlite3]
    #[arg(long, env = "DATABASE_PATH")]
    db: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print CSV.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
    /// Show at most this many rows per list.
    #[arg(long, default_value_t = faqbot_store::report::DEFAULT_ROWS)]
    rows: usize,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if !matches!(cli.command, Command::Serve) {
        end_quietly_when_the_reader_goes();
    }
    match cli.command {
        Command::Check { faq_dir, sources, review, coverage } => {
            Ok(check::run(&faq_dir, sources.as_deref(), check::Show { review, coverage }))
        }
        Command::Ask { faq, json, explain, question } => ask::run(&faq, json, explain, &question),
        Command::Eval { faq, cases, json, show_failures, look_alikes } => {
            eval::run(&faq, &cases, json, show_failures, look_alikes.as_deref())
        }
        Command::Index { faq } => {
            let (engine, took) = load_engine(&faq)?;
            println!(
                "{} entries indexed in {:.1} s (sentence model {})",
                engine.faq().entries.len(),
                took.as_secs_f64(),
                if engine.meaning_is_on() { "on" } else { "OFF: words only" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => serve::run(),
        Command::Gaps { report: r, faq } => report::gaps(
            &report::location(r.db.as_deref()),
            &faq,
            r.days,
            r.rows,
            report::Format::new(r.json, r.csv),
        ),
        Command::Stats { report: r } => report::stats(
            &report::location(r.db.as_deref()),
            r.days,
            r.rows,
            report::Format::new(r.json, r.csv),
        ),
    }
}

/// Loads the FAQ and builds the engine, timing both; a broken FAQ is an error
/// that lists every problem.
fn load_engine(dir: &Path) -> anyhow::Result<(Engine, Duration)> {
    let start = Instant::now();
    let loaded = faq::load_dir(dir).with_context(|| {
        format!("cannot load the FAQ in {} (run `faqbot check {}`)", dir.display(), dir.display())
    })?;
    let model = Model::shared();
    if let Some(problem) = &model.problem {
        eprintln!("warning: the sentence model is off, so questions are matched by words alone: {problem}");
    }
    let bar = indicatif::ProgressBar::hidden();
    let engine = Engine::build(loaded.faq.clone(), Weights::DEFAULT, model, |done, total| {
        if bar.is_hidden() && total > 0 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "encoding FAQ texts {bar:40} {pos}/{len} ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    let engine = match engine {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!("warning: the sentence model failed, so questions are matched by words alone: {error}");
            Engine::build(loaded.faq, Weights::DEFAULT, &Model::none(), |_, _| {})?
        }
    };
    Ok((engine, start.elapsed()))
}

/// `faqbot ask ... | head` : when the reader of stdout goes away, end as
/// other command-line tools do (the default for SIGPIPE) instead of a panic
/// from `println!`. Not for `serve`, whose sockets rely on SIGPIPE being ignored.
fn end_quietly_when_the_reader_goes() {
    #[cfg(unix)]
    // SAFETY: called at start-up on the main thread, before any other thread
    // exists; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
