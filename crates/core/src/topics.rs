//! Every FAQ entry grouped by tag, cut into pages that fit a message.
//!
//! An entry with several tags is listed under each. Tags come in alphabetical
//! order, entries in FAQ order within a tag. Entries without tags (the
//! benchmark banks have none) are listed under [`UNTAGGED`].

use std::collections::BTreeMap;

use crate::faq::Faq;
use crate::text::truncate;

/// The heading for entries that have no tag.
pub const UNTAGGED: &str = "other";

/// A heading that continues on the next page says so.
const CONTINUED: &str = " (continued)";
/// Pages are never smaller than this, so a heading and a line always fit.
const MIN_PAGE_CHARS: usize = 80;
/// An entry line keeps at least this much of its question, even beside a long tag.
const MIN_LINE_CHARS: usize = 20;

/// One line per entry: `• question`. A question longer than a page is cut.
fn entry_line(question: &str, max_chars: usize) -> String {
    truncate(&format!("• {question}"), max_chars)
}

/// Tag -> entry questions, tags sorted.
pub fn by_tag(faq: &Faq) -> BTreeMap<&str, Vec<&str>> {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for entry in &faq.entries {
        if entry.tags.is_empty() {
            groups.entry(UNTAGGED).or_default().push(&entry.question);
        }
        for tag in &entry.tags {
            groups.entry(tag).or_default().push(&entry.question);
        }
    }
    groups
}

/// The topic list as pages of at most `max_chars` characters each (at least
/// one page, possibly saying the FAQ is empty). A tag whose entries do not fit
/// on the page goes on, with its heading repeated and marked, on the next.
pub fn pages(faq: &Faq, max_chars: usize) -> Vec<String> {
    let max_chars = max_chars.max(MIN_PAGE_CHARS);
    let len = |s: &str| s.chars().count();
    let mut pages = Vec::new();
    let mut page = String::new();
    for (tag, questions) in by_tag(faq) {
        let heading = format!("**{tag}** ({})", questions.len());
        for (i, question) in questions.into_iter().enumerate() {
            let room = max_chars.saturating_sub(len(&heading) + len(CONTINUED) + 1).max(MIN_LINE_CHARS);
            let line = entry_line(question, room);
            let block = match (i, page.is_empty()) {
                (0, true) => format!("{heading}\n{line}"),
                (0, false) => format!("\n{heading}\n{line}"),
                _ => line.clone(),
            };
            if !page.is_empty() && len(&page) + len(&block) + 1 > max_chars {
                pages.push(std::mem::take(&mut page).trim_end().to_string());
                let continued = if i == 0 { "" } else { CONTINUED };
                page = format!("{heading}{continued}\n{line}\n");
            } else {
                page.push_str(&block);
                page.push('\n');
            }
        }
    }
    if !page.is_empty() {
        pages.push(page.trim_end().to_string());
    }
    if pages.is_empty() {
        pages.push("The FAQ has no entries yet.".to_string());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::load_dir;

    fn shipped() -> Faq {
        load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../faq")).unwrap().faq
    }

    #[test]
    fn every_entry_is_listed_under_each_of_its_tags_within_the_page_size() {
        let faq = shipped();
        let pages = pages(&faq, 2000);
        assert!(pages.len() >= 2, "the shipped FAQ needs more than one page");
        for page in &pages {
            assert!(page.chars().count() <= 2000, "{} chars", page.chars().count());
        }
        let all = pages.join("\n");
        for entry in &faq.entries {
            let listed = all.matches(&format!("• {}\n", entry.question)).count()
                + usize::from(all.ends_with(&format!("• {}", entry.question)));
            assert_eq!(listed, entry.tags.len(), "{} under each of {:?}", entry.id, entry.tags);
        }
    }

    #[test]
    fn small_pages_repeat_the_heading_as_continued() {
        let faq = shipped();
        let pages = pages(&faq, 300);
        assert!(pages.iter().all(|p| p.chars().count() <= 300));
        assert!(pages.iter().all(|p| p.starts_with("**")), "every page starts with a heading");
        assert!(pages.iter().any(|p| p.contains("(continued)")));
    }
}
