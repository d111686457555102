//! The custom ids of the bot's buttons: everything a click needs is in the id,
//! so buttons keep working after a restart or a reload.

/// Discord's limit on a custom id's length.
pub const CUSTOM_ID_MAX: usize = 100;

const SHOW: &str = "faq:show:";
const VOTE: &str = "faq:vote:";
const TOPICS: &str = "faq:topics:";

/// What a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    /// Show this entry to the clicker ("did you mean").
    Show {
        /// The entry's id.
        entry: String,
    },
    /// Feedback on an answer from this entry.
    Vote {
        /// The id of the entry the answer came from.
        entry: String,
        /// "Helpful" (true) or "Not helpful" (false).
        helpful: bool,
    },
    /// Go to this page of `/faq-topics`.
    Topics {
        /// The page, from 0.
        page: usize,
    },
}

impl Button {
    /// The custom id, or `None` when it would be longer than Discord allows
    /// (an entry id near 100 characters): such a button is left out.
    pub fn id(&self) -> Option<String> {
        let id = match self {
            Button::Show { entry } => format!("{SHOW}{entry}"),
            Button::Vote { entry, helpful } => {
                format!("{VOTE}{}:{entry}", if *helpful { "up" } else { "down" })
            }
            Button::Topics { page } => format!("{TOPICS}{page}"),
        };
        (id.len() <= CUSTOM_ID_MAX).then_some(id)
    }

    /// Reads a custom id; `None` for anything the bot did not make.
    pub fn parse(id: &str) -> Option<Button> {
        if let Some(entry) = id.strip_prefix(SHOW) {
            return (!entry.is_empty()).then(|| Button::Show { entry: entry.to_string() });
        }
        if let Some(rest) = id.strip_prefix(VOTE) {
            let (vote, entry) = rest.split_once(':')?;
            let helpful = match vote {
                "up" => true,
                "down" => false,
                _ => return None,
            };
            return (!entry.is_empty()).then(|| Button::Vote { entry: entry.to_string(), helpful });
        }
        if let Some(page) = id.strip_prefix(TOPICS) {
            return page.parse().ok().map(|page| Button::Topics { page });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_round_trips() {
        for button in [
            Button::Show { entry: "exosome-size".into() },
            Button::Vote { entry: "exosome-size".into(), helpful: true },
            Button::Vote { entry: "a:b".into(), helpful: false },
            Button::Topics { page: 3 },
        ] {
            assert_eq!(Button::parse(&button.id().unwrap()), Some(button));
        }
    }

    #[test]
    fn foreign_and_broken_ids_are_ignored() {
        for id in
            ["", "faq:show:", "faq:vote:maybe:x", "faq:vote:up:", "faq:topics:-1", "faq:topics:x", "other"]
        {
            assert_eq!(Button::parse(id), None, "{id:?}");
        }
    }

    #[test]
    fn over_long_ids_are_not_made() {
        let entry = "a".repeat(95);
        assert_eq!(Button::Vote { entry: entry.clone(), helpful: true }.id(), None);
        assert!(Button::Show { entry: "a".repeat(91) }.id().is_some());
    }
}
