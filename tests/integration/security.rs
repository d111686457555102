//! Security: the token never shows (logs, errors, `Debug`), and moderator
//! commands are refused at run time to members without the permission or
//! role, whatever the client sent.

use std::time::Duration;

use faqbot_discord::{self as discord, Config};

use crate::bot::*;
use crate::fake_discord::*;
use crate::support::*;

const TOKEN: &str = "MTIzNDU2Nzg5.secret-token-value.abcdef";

#[test]
fn the_token_is_not_in_debug_output_of_the_config_or_the_http_client() {
    let config = Config::from_lookup(|k| (k == "DISCORD_TOKEN").then(|| TOKEN.to_string())).unwrap();
    assert!(!format!("{config:?}").contains(TOKEN));
    assert!(!format!("{config:#?}").contains(TOKEN));
    let http = discord::http(&config).unwrap();
    assert!(!format!("{http:?}").contains(TOKEN), "serenity's Http keeps the token as a redacted Secret");
    // A panic that formats them carries no token either.
    let message = std::panic::catch_unwind(|| panic!("state: {config:?}")).unwrap_err();
    assert!(!message.downcast_ref::<String>().unwrap().contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_gives_an_error_without_the_token() {
    let fake = FakeDiscord::start().await;
    for path in ["/gateway", "/users/@me", "/oauth2/applications/@me"] {
        fake.inject(Fault::status(path, 401, 100));
    }
    let data = tempfile::tempdir().unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_faqbot"))
            .arg("serve")
            .current_dir(repo())
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_HTTP_PROXY", &fake.rest_url)
            .env("FAQ_DIR", shipped_faq())
            .env("DATABASE_PATH", data.path().join("db.sqlite3"))
            .env("RUST_LOG", "debug")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("serve stops when Discord refuses the token")
    .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("refused DISCORD_TOKEN (401 Unauthorized)"), "says what went wrong: {all}");
    assert!(!all.contains(TOKEN), "the token never appears, even at debug level");
    assert!(!all.contains("secret-token-value"), "not even in part");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_moderator_command_is_hidden_by_default_and_refused_at_run_time() {
    let bot = Bot::configured(&shipped_faq(), &[("MODERATOR_ROLE_ID", "555")]).await;
    let registered =
        bot.fake.requests().into_iter().find(|r| r.method == "PUT" && r.path.contains("/commands")).unwrap();
    let not_moderators = [
        ("no permission at all", Member::plain(42)),
        ("send messages and another role", Member { user: 43, permissions: 1 << 11, roles: vec![556] }),
        ("ban members, but not manage server", Member { user: 44, permissions: 1 << 2, roles: vec![] }),
    ];
    for command in ["faq-reload", "faq-gaps", "faq-stats"] {
        let schema =
            registered.body.as_array().unwrap().iter().find(|c| c["name"] == command).unwrap().clone();
        assert_eq!(schema["default_member_permissions"], "32", "{command}: Manage Server by default");
        for (who, member) in &not_moderators {
            let after = bot.fake.count();
            let id = bot.fake.slash(member, command, vec![]);
            let body = bot.callback(after, id).await;
            assert!(content(&body).contains("Only moderators"), "{command} by {who}: {body}");
            assert!(is_ephemeral(&body));
            assert_no_mentions(&body["data"]);
        }
    }
}
