//! The bad-input catalogue: each case names what it guards against. Every one
//! gets a clear error or a calm reply, never a panic, and nobody is pinged.

use std::time::{Duration, Instant};

use faqbot_core::diagnostic::Kind;
use serde_json::{json, Value};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

/// A folder case: its name, its files, and what loading it must give.
type FolderCase<'a> = (&'a str, Vec<(&'a str, &'a [u8])>, Loads);

/// What a FAQ folder case must give.
enum Loads {
    Yes,
    /// An error of this kind in a file whose name ends so.
    Error(Kind, &'static str),
}

#[test]
fn faq_folders() {
    let big_junk = "this is not toml at all ".repeat(10 * 1024 * 1024 / 24);
    let entry_b = ENTRY.replace("How big are exosomes?", "Another question?");
    let bom_crlf = format!("\u{feff}{}", ENTRY.replace('\n', "\r\n"));
    let cases: Vec<FolderCase> = vec![
        ("an empty folder", vec![], Loads::Error(Kind::MissingFile, "sources.toml")),
        (
            "a folder without sources.toml",
            vec![("entries.toml", ENTRY.as_bytes())],
            Loads::Error(Kind::MissingFile, "sources.toml"),
        ),
        (
            "a .toml file that is not TOML",
            vec![
                ("sources.toml", SOURCES.as_bytes()),
                ("entries.toml", ENTRY.as_bytes()),
                ("notes.toml", b"- item one\n- item two {{"),
            ],
            Loads::Error(Kind::Syntax, "notes.toml"),
        ),
        (
            "other files beside the TOML (a README, an editor's backup)",
            vec![
                ("sources.toml", SOURCES.as_bytes()),
                ("entries.toml", ENTRY.as_bytes()),
                ("README.md", b"# notes"),
                ("entries.toml~", b"junk {{"),
            ],
            Loads::Yes,
        ),
        (
            "a 10 MB file of junk",
            vec![
                ("sources.toml", SOURCES.as_bytes()),
                ("entries.toml", ENTRY.as_bytes()),
                ("big.toml", big_junk.as_bytes()),
            ],
            Loads::Error(Kind::Syntax, "big.toml"),
        ),
        (
            "binary bytes (not UTF-8)",
            vec![("sources.toml", SOURCES.as_bytes()), ("entries.toml", b"\xff\xfe\x00[[entry]]")],
            Loads::Error(Kind::Io, "entries.toml"),
        ),
        (
            "duplicate ids across files",
            vec![
                ("sources.toml", SOURCES.as_bytes()),
                ("a.toml", ENTRY.as_bytes()),
                ("b.toml", entry_b.as_bytes()),
            ],
            Loads::Error(Kind::DuplicateId, "b.toml"),
        ),
        (
            "a BOM and CRLF line ends",
            vec![("sources.toml", SOURCES.as_bytes()), ("entries.toml", bom_crlf.as_bytes())],
            Loads::Yes,
        ),
    ];
    for (name, files, expect) in cases {
        let folder = Folder::new(&[]);
        for (file, bytes) in files {
            std::fs::write(folder.path().join(file), bytes).unwrap();
        }
        let started = Instant::now();
        let result = folder.load();
        assert!(started.elapsed() < Duration::from_secs(20), "{name}: bounded time");
        match (expect, result) {
            (Loads::Yes, Ok(_)) => {}
            (Loads::Yes, Err(e)) => panic!("{name}: should load, got {e}"),
            (Loads::Error(..), Ok(_)) => panic!("{name}: should not load"),
            (Loads::Error(kind, file), Err(e)) => {
                let found = e.diagnostics.iter().any(|d| d.kind == kind && d.location.file.ends_with(file));
                assert!(found, "{name}: expected {kind:?} in {file}, got:\n{e}");
                for d in &e.diagnostics {
                    assert!(d.location.line >= 1 && d.location.column >= 1, "{name}: a position: {d}");
                }
            }
        }
    }
}

#[test]
fn a_symlink_loop_in_the_faq_folder() {
    let folder = Folder::with_entries(ENTRY);
    let link = folder.path().join("loop.toml");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    let errors = folder.errors();
    assert!(
        errors.iter().any(|d| d.kind == Kind::Io && d.location.file.ends_with("loop.toml")),
        "{errors:?}"
    );
}

/// What a message case must get.
enum Gets {
    /// One reply, whose text (content and embed) contains this.
    Reply(&'static str),
    Silence,
}

/// The text of a reply body: content, embed title, description and fields.
fn reply_text(body: &Value) -> String {
    let mut text = body["content"].as_str().unwrap_or_default().to_string();
    for embed in body["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            text.push_str(embed[key].as_str().unwrap_or_default());
        }
        for f in embed["fields"].as_array().into_iter().flatten() {
            text.push_str(f["value"].as_str().unwrap_or_default());
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages() {
    let bot = Bot::start().await;
    let mention = format!("<@{BOT_ID}>");
    let long = format!("{mention} how big are exosomes? {}", "I really want to know. ".repeat(200));
    let cases: Vec<(&str, String, bool, Gets)> = vec![
        ("only the bot mention", mention.clone(), true, Gets::Reply("Ask me a question")),
        ("whitespace after the mention", format!("{mention}   \n\t  "), true, Gets::Reply("Ask me a question")),
        ("an empty message", String::new(), false, Gets::Silence),
        ("whitespace only, not addressed", "   ".into(), false, Gets::Silence),
        ("4,000+ characters", long, true, Gets::Reply("How big are exosomes?")),
        (
            "mass mentions",
            format!("{mention} @everyone @here <@&123> <@42> <@!43> how big are exosomes"),
            true,
            Gets::Reply("How big are exosomes?"),
        ),
        (
            "markdown and link injection",
            format!("{mention} [click here](http://evil.example/x) <http://evil.example> ```js\nalert(1)``` **how big are exosomes**"),
            true,
            Gets::Reply("How big are exosomes?"),
        ),
        ("an invite link", format!("{mention} join discord.gg/evilinvite for exosome deals"), true, Gets::Reply("")),
        ("mojibake (non-UTF-8-looking text)", format!("{mention} Ã©xosomes Ã¢â‚¬â„¢ \u{fffd}\u{fffd} size?"), true, Gets::Reply("")),
        ("mixed scripts", format!("{mention} экзосомы exosomes エクソソーム 外泌体 size"), true, Gets::Reply("")),
        ("control characters and an RTL override", format!("{mention} \u{202e}\u{7}\u{0}how big are exosomes\u{200b}"), true, Gets::Reply("")),
        ("zalgo", format!("{mention} h̸̢o̴w̷ b̶i̵g̸ a̷r̴e̶ e̸x̷o̶s̵o̴m̵e̸s̶"), true, Gets::Reply("")),
    ];
    for (name, content, addressed, expect) in cases {
        let after = bot.fake.count();
        let id = bot.fake.message(user(42, "member", false), &content, addressed);
        match expect {
            Gets::Silence => {
                tokio::time::sleep(SILENCE).await;
                assert_eq!(bot.fake.replies_to(id), 0, "{name}: no reply");
            }
            Gets::Reply(expected) => {
                assert!(bot.fake.wait_reply(id, WAIT).await, "{name}: a reply");
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert_eq!(bot.fake.replies_to(id), 1, "{name}: exactly one reply");
                let sent = bot.fake.requests()[after..]
                    .iter()
                    .find(|r| r.body["message_reference"]["message_id"] == json!(id.to_string()))
                    .cloned()
                    .unwrap();
                assert_no_mentions(&sent.body);
                let text = reply_text(&sent.body);
                assert!(text.contains(expected), "{name}: {text}");
                assert!(sent.body["content"].as_str().unwrap_or_default().chars().count() <= 2000, "{name}");
                for echoed in ["evil.example", "discord.gg", "alert(1)", "@everyone"] {
                    assert!(!text.contains(echoed), "{name}: the reply echoes {echoed:?}: {text}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions() {
    let bot = Bot::start().await;
    let member = Member::plain(42);
    let clicks = [
        ("an unknown custom id", "something:else", "no longer in use"),
        ("a 100-character custom id", &*"x".repeat(100), "no longer in use"),
        ("a stale button: entry deleted since", "faq:show:deleted-entry", "no longer available"),
        ("a stale vote on a deleted entry", "faq:vote:down:deleted-entry", "recorded"),
        ("a broken vote id", "faq:vote:sideways:exosome-size", "no longer in use"),
        ("a topics page past the end", "faq:topics:999", "page"),
    ];
    for (name, custom_id, expected) in clicks {
        let after = bot.fake.count();
        let click = bot.fake.click_on(&member, custom_id, bot.fake.next_id());
        let body = bot.callback(after, click).await;
        assert!(content(&body).contains(expected), "{name}: {body}");
        assert_no_mentions(&body["data"]);
    }

    // Autocomplete with a 100-character value.
    let after = bot.fake.count();
    let id = bot.fake.autocomplete_faq(&"exosome size and dose ".repeat(5)[..100]);
    let body = bot.callback(after, id).await;
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(choices.len() <= 25);
    assert!(choices.iter().all(|c| c["name"].as_str().unwrap().chars().count() <= 100));

    // The required option missing: a calm reply, then business as usual.
    let after = bot.fake.count();
    let id = bot.fake.slash(&member, "faq", vec![]);
    let body = bot.callback(after, id).await;
    assert_no_mentions(&body["data"]);
    assert!(!content(&body).is_empty(), "tells the user something: {body}");

    // A command the bot does not have, and an event missing its fields: ignored.
    bot.fake.slash(&member, "faq-nope", vec![]);
    bot.fake.dispatch("INTERACTION_CREATE", json!({"id": "1", "type": 2}));
    bot.fake.dispatch("MESSAGE_CREATE", json!({"content": "no author"}));
    let body = bot.ask("how big are exosomes").await;
    assert_eq!(body["data"]["embeds"][0]["title"], "How big are exosomes?");
}
