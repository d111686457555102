//! A fake Discord on 127.0.0.1: REST (axum) and gateway (tokio-tungstenite).
//!
//! The real serenity client connects to it through `DISCORD_HTTP_PROXY`; tests
//! send gateway events and assert on the JSON bodies the bot sends back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Only a guard against a bot that never connects: the wait itself is for
/// the IDENTIFY event. A `serve` process loads the model and may encode the
/// FAQ's vectors cold before it connects, two at once in the two-process
/// test, while the rest of the suite shares the same 2 cores (30 s was
/// once not enough on a busy CI machine).
const IDENTIFY_HANG_GUARD: Duration = Duration::from_secs(120);

pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_ID: u64 = 900_000_000_000_000_002;
pub const GUILD_ID: u64 = 900_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 900_000_000_000_000_004;
pub const TIMESTAMP: &str = "2026-11-22T10:00:00.000000+00:00";
/// Discord's MANAGE_GUILD permission bit.
pub const MANAGE_GUILD: u64 = 1 << 5;

/// The member an interaction comes from.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: u64,
    /// The permission bits Discord computed for the member in the channel.
    pub permissions: u64,
    pub roles: Vec<u64>,
}

impl Member {
    /// An ordinary member with no special permission.
    pub fn plain(user: u64) -> Member {
        Member { user, permissions: 0, roles: Vec::new() }
    }
}

/// A request the bot made.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// When the fake received it.
    pub at: std::time::Instant,
}

/// A fault the fake applies to the next requests matching a path fragment.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Applies to requests whose path contains this.
    pub path_contains: String,
    /// Answer with this status (with Discord's error body) instead of the usual one.
    pub status: Option<u16>,
    /// Answer only after this long.
    pub delay: Duration,
    /// How many matching requests it applies to.
    pub times: usize,
}

impl Fault {
    /// The next `times` requests whose path contains `path` get `status`.
    pub fn status(path: &str, status: u16, times: usize) -> Fault {
        Fault { path_contains: path.into(), status: Some(status), delay: Duration::ZERO, times }
    }

    /// The next `times` requests whose path contains `path` are answered after `delay`.
    pub fn delay(path: &str, delay: Duration, times: usize) -> Fault {
        Fault { path_contains: path.into(), status: None, delay, times }
    }
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Request>>,
    faults: Mutex<Vec<Fault>>,
    /// Replies per key: an interaction id (its callback) or a message id (a reply to it).
    replies: Mutex<std::collections::HashMap<u64, u32>>,
    /// Heartbeat interval sent in HELLO (ms); 0 means Discord's usual 41,250.
    heartbeat_ms: AtomicU64,
    /// When set, heartbeats get no ACK (a zombied connection).
    no_heartbeat_ack: std::sync::atomic::AtomicBool,
    /// Set to drop the current gateway connection without a close frame.
    drop_now: Notify,
    changed: Notify,
    /// Sends to the bot over the current gateway connection.
    gateway: Mutex<Option<mpsc::UnboundedSender<WsMessage>>>,
    /// Sends over the connection that identified as each shard id (several
    /// processes, or shards, on one fake).
    shard_gateways: Mutex<std::collections::HashMap<u64, mpsc::UnboundedSender<WsMessage>>>,
    identified: Notify,
    identifies: AtomicU64,
    /// The `shard` field ([id, total]) of each IDENTIFY, in order.
    shards_identified: Mutex<Vec<Value>>,
    /// The shard count `/gateway/bot` recommends (0 means 1).
    recommended_shards: AtomicU64,
    seq: AtomicU64,
    ids: AtomicU64,
    gateway_url: Mutex<String>,
}

#[derive(Clone)]
pub struct FakeDiscord {
    state: Arc<State>,
    pub rest_url: String,
}

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": bot})
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with_heartbeat(Duration::ZERO).await
    }

    /// A fake whose HELLO asks for heartbeats every `interval` (zero: Discord's usual).
    pub async fn start_with_heartbeat(interval: Duration) -> FakeDiscord {
        let state = Arc::new(State { ids: AtomicU64::new(1_000), ..State::default() });
        state.heartbeat_ms.store(interval.as_millis() as u64, Ordering::SeqCst);
        let gateway = TcpListener::bind("127.0.0.1:0").await.unwrap();
        *state.gateway_url.lock().unwrap() = format!("ws://{}", gateway.local_addr().unwrap());
        tokio::spawn(gateway_loop(gateway, state.clone()));
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rest_url = format!("http://{}", rest.local_addr().unwrap());
        let app = axum::Router::new().fallback({
            let state = state.clone();
            move |method: Method, uri: Uri, body: Bytes| handle_rest(state.clone(), method, uri, body)
        });
        tokio::spawn(async move { axum::serve(rest, app).tcp_nodelay(true).await.unwrap() });
        FakeDiscord { state, rest_url }
    }

    pub fn next_id(&self) -> u64 {
        self.state.ids.fetch_add(1, Ordering::SeqCst) + 1_000_000_000_000_000_000
    }

    /// A fake whose `/gateway/bot` recommends `shards` shards.
    pub async fn start_recommending(shards: u64) -> FakeDiscord {
        let fake = FakeDiscord::start().await;
        fake.state.recommended_shards.store(shards, Ordering::SeqCst);
        fake
    }

    /// The `shard` field of every IDENTIFY so far, as `[id, total]`.
    pub fn shards_identified(&self) -> Vec<Value> {
        self.state.shards_identified.lock().unwrap().clone()
    }

    /// Waits until the bot has identified `n` times in all (READY sent).
    pub async fn wait_identified(&self, n: u64) {
        tokio::time::timeout(IDENTIFY_HANG_GUARD, async {
            while self.state.identifies.load(Ordering::SeqCst) < n {
                let notified = self.state.identified.notified();
                if self.state.identifies.load(Ordering::SeqCst) >= n {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
            }
        })
        .await
        .expect("the bot identified on the gateway");
    }

    /// Sends a dispatch event to the bot.
    pub fn dispatch(&self, kind: &str, data: Value) {
        let gateway = self.state.gateway.lock().unwrap();
        gateway.as_ref().expect("a gateway connection").send(self.frame(kind, data)).unwrap();
    }

    /// Sends a dispatch event over the connection that identified as `shard`.
    pub fn dispatch_on(&self, shard: u64, kind: &str, data: Value) {
        let gateways = self.state.shard_gateways.lock().unwrap();
        let gateway =
            gateways.get(&shard).unwrap_or_else(|| panic!("no connection identified as shard {shard}"));
        gateway.send(self.frame(kind, data)).unwrap();
    }

    /// A dispatch frame for `kind`, numbered in sequence.
    fn frame(&self, kind: &str, data: Value) -> WsMessage {
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        WsMessage::Text(json!({"op": 0, "t": kind, "s": s, "d": data}).to_string())
    }

    /// Any slash command from `member` in `guild`, sent on `shard`; returns the interaction id.
    pub fn slash_on(&self, shard: u64, guild: u64, member: &Member, name: &str, options: Vec<Value>) -> u64 {
        let (id, mut event) = self.slash_event(member, name, options);
        event["guild_id"] = json!(guild.to_string());
        self.dispatch_on(shard, "INTERACTION_CREATE", event);
        id
    }

    /// A vote click by `member` on the bot's message `message_id` in `guild`, sent on `shard`.
    pub fn click_on_shard(
        &self,
        shard: u64,
        guild: u64,
        member: &Member,
        custom_id: &str,
        message_id: u64,
    ) -> u64 {
        let (id, mut event) = self.click_event(member, custom_id, message_id);
        event["guild_id"] = json!(guild.to_string());
        self.dispatch_on(shard, "INTERACTION_CREATE", event);
        id
    }

    /// Closes the current gateway connection with `code`, as Discord does.
    pub fn close_gateway(&self, code: u16) {
        use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
        let gateway = self.state.gateway.lock().unwrap();
        let frame = CloseFrame { code: CloseCode::from(code), reason: "test".into() };
        let _ = gateway.as_ref().expect("a gateway connection").send(WsMessage::Close(Some(frame)));
    }

    /// Drops the gateway connection without a close frame (a network failure).
    pub fn drop_gateway(&self) {
        self.state.drop_now.notify_waiters();
    }

    /// Stops (or resumes) acknowledging heartbeats.
    pub fn ack_heartbeats(&self, ack: bool) {
        self.state.no_heartbeat_ack.store(!ack, Ordering::SeqCst);
    }

    /// Applies `fault` to the next matching requests.
    pub fn inject(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push(fault);
    }

    /// How many replies `key` (an interaction or message id) has had.
    pub fn replies_to(&self, key: u64) -> u32 {
        self.state.replies.lock().unwrap().get(&key).copied().unwrap_or(0)
    }

    /// Every key replied to, with its count.
    pub fn reply_counts(&self) -> std::collections::HashMap<u64, u32> {
        self.state.replies.lock().unwrap().clone()
    }

    /// Waits until `key` has had a reply; false after `timeout`.
    pub async fn wait_reply(&self, key: u64, timeout: Duration) -> bool {
        tokio::time::timeout(timeout, async {
            loop {
                let notified = self.state.changed.notified();
                if self.replies_to(key) > 0 {
                    return;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            }
        })
        .await
        .is_ok()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits for a request matching `pred` that arrived after the first `after`
    /// requests; panics after `timeout`.
    pub async fn wait_for(
        &self,
        after: usize,
        timeout: Duration,
        pred: impl Fn(&Request) -> bool,
    ) -> Request {
        let found = tokio::time::timeout(timeout, async {
            loop {
                let notified = self.state.changed.notified();
                if let Some(r) = self.state.requests.lock().unwrap().iter().skip(after).find(|r| pred(r)) {
                    return r.clone();
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            }
        })
        .await;
        match found {
            Ok(r) => r,
            Err(_) => panic!("no matching request within {timeout:?}; got: {:#?}", &self.requests()[after..]),
        }
    }

    pub fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// A /faq slash command from member 42; returns the interaction id.
    pub fn slash_faq(&self, question: &str, private: Option<bool>) -> u64 {
        self.slash_faq_as(&Member::plain(42), question, private)
    }

    /// A /faq slash command from `member`.
    pub fn slash_faq_as(&self, member: &Member, question: &str, private: Option<bool>) -> u64 {
        let mut options = vec![json!({"name": "question", "type": 3, "value": question})];
        if let Some(p) = private {
            options.push(json!({"name": "private", "type": 5, "value": p}));
        }
        self.slash(member, "faq", options)
    }

    /// Any slash command, with its options, from `member`; returns the interaction id.
    pub fn slash(&self, member: &Member, name: &str, options: Vec<Value>) -> u64 {
        let (id, event) = self.slash_event(member, name, options);
        self.dispatch("INTERACTION_CREATE", event);
        id
    }

    /// A new slash-command interaction, and its id.
    fn slash_event(&self, member: &Member, name: &str, options: Vec<Value>) -> (u64, Value) {
        let id = self.next_id();
        let data = json!({"id": "1", "name": name, "type": 1, "options": options});
        (id, self.interaction_as(id, 2, data, member))
    }

    /// The message context-menu command `name` on `target` (a message object) from `member`.
    pub fn context_menu(&self, member: &Member, name: &str, target: &Value) -> u64 {
        let id = self.next_id();
        let target_id = target["id"].as_str().unwrap().to_string();
        let data = json!({"id": "2", "name": name, "type": 3, "target_id": target_id,
            "resolved": {"messages": {target_id.clone(): target}}});
        self.dispatch("INTERACTION_CREATE", self.interaction_as(id, 2, data, member));
        id
    }

    /// Autocomplete of the question option while typing `partial`.
    pub fn autocomplete_faq(&self, partial: &str) -> u64 {
        let id = self.next_id();
        let options = vec![json!({"name": "question", "type": 3, "value": partial, "focused": true})];
        self.dispatch(
            "INTERACTION_CREATE",
            self.interaction(id, 4, json!({"id": "1", "name": "faq", "type": 1, "options": options})),
        );
        id
    }

    /// A button click with `custom_id` on a bot message.
    pub fn click(&self, custom_id: &str) -> u64 {
        self.click_on(&Member::plain(42), custom_id, self.next_id())
    }

    /// A click by `member` on a button of the bot's message `message_id`.
    pub fn click_on(&self, member: &Member, custom_id: &str, message_id: u64) -> u64 {
        let (id, event) = self.click_event(member, custom_id, message_id);
        self.dispatch("INTERACTION_CREATE", event);
        id
    }

    /// A new button-click interaction on the bot's message `message_id`, and its id.
    fn click_event(&self, member: &Member, custom_id: &str, message_id: u64) -> (u64, Value) {
        let id = self.next_id();
        let mut event =
            self.interaction_as(id, 3, json!({"custom_id": custom_id, "component_type": 2}), member);
        event["message"] = self.message_json(message_id, user(BOT_ID, "faqbot", true), "answer", vec![]);
        (id, event)
    }

    fn interaction(&self, id: u64, kind: u8, data: Value) -> Value {
        self.interaction_as(id, kind, data, &Member::plain(42))
    }

    fn interaction_as(&self, id: u64, kind: u8, data: Value, member: &Member) -> Value {
        let roles: Vec<String> = member.roles.iter().map(u64::to_string).collect();
        json!({
            "id": id.to_string(), "application_id": APP_ID.to_string(), "type": kind, "data": data,
            "guild_id": GUILD_ID.to_string(), "channel_id": CHANNEL_ID.to_string(),
            "member": {"user": user(member.user, "member", false), "roles": roles, "deaf": false, "mute": false,
                       "flags": 0, "joined_at": TIMESTAMP, "permissions": member.permissions.to_string()},
            "token": format!("token-{id}"), "version": 1, "locale": "en-US", "entitlements": [],
            "attachment_size_limit": 8_388_608, "app_permissions": "0"
        })
    }

    pub fn message_json(&self, id: u64, author: Value, content: &str, mentions: Vec<Value>) -> Value {
        json!({
            "id": id.to_string(), "channel_id": CHANNEL_ID.to_string(), "guild_id": GUILD_ID.to_string(),
            "author": author, "content": content, "timestamp": TIMESTAMP, "edited_timestamp": null,
            "tts": false, "mention_everyone": false, "mentions": mentions, "mention_roles": [],
            "attachments": [], "embeds": [], "pinned": false, "type": 0
        })
    }

    /// A guild message from `author`; mentions the bot when `mention_bot`. Returns its id.
    pub fn message(&self, author: Value, content: &str, mention_bot: bool) -> u64 {
        self.message_in(CHANNEL_ID, author, content, mention_bot)
    }

    /// A guild message in `channel`.
    pub fn message_in(&self, channel: u64, author: Value, content: &str, mention_bot: bool) -> u64 {
        let id = self.next_id();
        let mentions = if mention_bot { vec![user(BOT_ID, "faqbot", true)] } else { vec![] };
        let mut m = self.message_json(id, author, content, mentions);
        m["channel_id"] = json!(channel.to_string());
        m["member"] = json!({"roles": [], "deaf": false, "mute": false, "flags": 0, "joined_at": TIMESTAMP});
        self.dispatch("MESSAGE_CREATE", m);
        id
    }
}

/// What a request replies to: the interaction of a callback, or the message a
/// channel message refers to.
fn reply_key(method: &Method, path: &str, body: &Value) -> Option<u64> {
    if method != Method::POST {
        return None;
    }
    if let Some(rest) = path.strip_prefix("/interactions/") {
        return rest.split('/').next()?.parse().ok();
    }
    if path.starts_with("/channels/") && path.ends_with("/messages") {
        return body["message_reference"]["message_id"].as_str()?.parse().ok();
    }
    None
}

async fn handle_rest(state: Arc<State>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_string();
    let body_json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let fault = {
        let mut faults = state.faults.lock().unwrap();
        let found = faults.iter().position(|f| f.times > 0 && path.contains(&f.path_contains));
        found.map(|i| {
            faults[i].times -= 1;
            faults[i].clone()
        })
    };
    if let Some(fault) = &fault {
        tokio::time::sleep(fault.delay).await;
    }
    let failed = fault.as_ref().and_then(|f| f.status);
    state.requests.lock().unwrap().push(Request {
        method: method.to_string(),
        path: path.clone(),
        body: body_json.clone(),
        at: std::time::Instant::now(),
    });
    if failed.is_none() {
        if let Some(key) = reply_key(&method, &path, &body_json) {
            *state.replies.lock().unwrap().entry(key).or_default() += 1;
        }
    }
    state.changed.notify_waiters();
    if let Some(status) = failed {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = if status == StatusCode::TOO_MANY_REQUESTS {
            json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false, "code": 0})
        } else {
            json!({"message": "500: Internal Server Error", "code": 0})
        };
        return (status, [("retry-after", "1")], axum::Json(body)).into_response();
    }
    let gateway_url = state.gateway_url.lock().unwrap().clone();
    let ok = |v: Value| (StatusCode::OK, axum::Json(v)).into_response();
    match (method.as_str(), path.as_str()) {
        ("GET", "/gateway") => ok(json!({"url": gateway_url})),
        ("GET", "/gateway/bot") => ok(json!({"url": gateway_url,
            "shards": state.recommended_shards.load(Ordering::SeqCst).max(1),
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})),
        ("GET", "/oauth2/applications/@me") => ok(json!({
            "id": APP_ID.to_string(), "name": "faqbot", "icon": null, "description": "", "bot_public": true,
            "bot_require_code_grant": false, "verify_key": "0", "owner": user(7, "owner", false), "team": null})),
        ("GET", "/users/@me") => ok(user(BOT_ID, "faqbot", true)),
        ("PUT", p) if p.starts_with("/applications/") => ok(json!([])),
        ("POST", p) if p.starts_with("/interactions/") => StatusCode::NO_CONTENT.into_response(),
        ("POST", p)
            if (p.starts_with("/channels/") && p.ends_with("/messages")) || p.starts_with("/webhooks/") =>
        {
            let id = state.ids.fetch_add(1, Ordering::SeqCst) + 2_000_000_000_000_000_000;
            ok(
                json!({"id": id.to_string(), "channel_id": CHANNEL_ID.to_string(), "author": user(BOT_ID, "faqbot", true),
                "content": body_json.get("content").cloned().unwrap_or(json!("")), "timestamp": TIMESTAMP,
                "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
                "attachments": [], "embeds": [], "pinned": false, "type": 0}),
            )
        }
        _ => ok(json!({})),
    }
}

async fn gateway_loop(listener: TcpListener, state: Arc<State>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
            let (mut sink, mut source) = ws.split();
            let (tx, mut rx) = mpsc::unbounded_channel::<WsMessage>();
            *state.gateway.lock().unwrap() = Some(tx.clone());
            let writer = tokio::spawn(async move {
                while let Some(m) = rx.recv().await {
                    let close = matches!(m, WsMessage::Close(_));
                    if sink.send(m).await.is_err() || close {
                        break;
                    }
                }
            });
            let interval = match state.heartbeat_ms.load(Ordering::SeqCst) {
                0 => 41_250,
                ms => ms,
            };
            let _ = tx
                .send(WsMessage::Text(json!({"op": 10, "d": {"heartbeat_interval": interval}}).to_string()));
            loop {
                let frame = tokio::select! {
                    frame = source.next() => frame,
                    _ = state.drop_now.notified() => break,
                };
                let Some(Ok(frame)) = frame else { break };
                let WsMessage::Text(text) = frame else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) if !state.no_heartbeat_ack.load(Ordering::SeqCst) => {
                        let _ = tx.send(WsMessage::Text(json!({"op": 11}).to_string()));
                    }
                    Some(2) | Some(6) => {
                        if v["op"] == 2 {
                            state.shards_identified.lock().unwrap().push(v["d"]["shard"].clone());
                            let shard = v["d"]["shard"][0].as_u64().unwrap_or(0);
                            state.shard_gateways.lock().unwrap().insert(shard, tx.clone());
                        }
                        let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ready = json!({"op": 0, "t": "READY", "s": s, "d": {
                            "v": 10, "user": user(BOT_ID, "faqbot", true), "guilds": [],
                            "session_id": "fake-session", "resume_gateway_url": state.gateway_url.lock().unwrap().clone(),
                            "application": {"id": APP_ID.to_string(), "flags": 0}}});
                        let _ = tx.send(WsMessage::Text(ready.to_string()));
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                        state.identified.notify_waiters();
                    }
                    _ => {}
                }
            }
            writer.abort();
        });
    }
}
