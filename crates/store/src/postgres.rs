//! The PostgreSQL backend: connecting, the schema's migrations, and the
//! conversion of [`Value`]s to and from the driver's types.
//!
//! The driver is `postgres` (rust-postgres's blocking client): the store's
//! writer is a plain thread and reports run on a blocking pool, so a
//! synchronous client fits, and it is the maintained crate the async
//! `tokio-postgres` is built on, without sqlx's compile-time machinery.
//! Connections are plain TCP (no TLS): use a server on the same host or
//! private network, or a TLS tunnel.

use std::error::Error;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use postgres::NoTls;

/// The driver's blocking client, as [`connect`] gives it.
pub use postgres::Client;

use super::db::Value;
use super::StoreError;

/// A server that does not answer is given up on after this long (unless the
/// URL sets `connect_timeout`): the writer then drops and counts records and
/// tries again with the next batch.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection whose unacknowledged data waits this long is dead (a server
/// or network gone without a word): the writer gives up on it instead of
/// waiting for the kernel's default of about 15 minutes.
pub const TCP_USER_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle connections are probed after this long, so a dropped one is noticed.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
/// The advisory lock two processes take before migrating, so that two bots
/// starting at once do not both create the tables. Any fixed number will do;
/// this one is "faqbot" in ASCII.
const MIGRATION_LOCK: i64 = 0x6661_7162_6f74;

/// Migration `i` takes the schema from version `i` to `i + 1`. Append only:
/// never edit one that has shipped. The tables match the SQLite schema's
/// current version column for column.
pub const MIGRATIONS: &[&str] = &[
    // 1: questions handled, feedback votes, and the salt for voter hashes.
    "CREATE TABLE questions (
        id          BIGSERIAL PRIMARY KEY,
        at          BIGINT NOT NULL,          -- unix seconds
        guild_id    BIGINT,
        channel_id  BIGINT,
        entry_point TEXT NOT NULL,            -- slash, mention, context, auto
        outcome     TEXT NOT NULL,            -- answer, suggest, none, safety, small-talk
        entry_id    TEXT,                     -- the answered entry
        confidence  DOUBLE PRECISION NOT NULL,
        text        TEXT,                     -- normalised question, suggest and none only
        category    TEXT                      -- the safety category
    );
    CREATE INDEX questions_at ON questions (at);
    CREATE INDEX questions_outcome_at ON questions (outcome, at);
    CREATE TABLE votes (
        message_id  BIGINT NOT NULL,
        voter_hash  BYTEA NOT NULL,           -- sha256(salt || user id): one vote per voter, no id kept
        entry_id    TEXT NOT NULL,
        helpful     BIGINT NOT NULL,
        at          BIGINT NOT NULL,
        PRIMARY KEY (message_id, voter_hash)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);",
];

/// The schema version this build writes.
pub const CURRENT: usize = MIGRATIONS.len();

/// Connects to `url` with the store's timeouts (the URL's own settings win).
pub fn connect(url: &str) -> Result<Client, StoreError> {
    let mut config: postgres::Config = url.parse()?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("faqbot");
    }
    config.keepalives(true).keepalives_idle(KEEPALIVE_IDLE).tcp_user_timeout(TCP_USER_TIMEOUT);
    Ok(config.connect(NoTls)?)
}

/// The database's schema version; `None` when it has no faqbot tables.
pub fn version(client: &mut Client) -> Result<Option<usize>, StoreError> {
    let exists: Option<String> = client.query_one("SELECT to_regclass('faqbot_schema')::text", &[])?.get(0);
    if exists.is_none() {
        return Ok(None);
    }
    let row = client.query_opt("SELECT version FROM faqbot_schema", &[])?;
    Ok(Some(row.map_or(0, |r| usize::try_from(r.get::<_, i64>(0)).unwrap_or(0))))
}

/// Applies the migrations the database lacks, up to `target`, and makes the
/// voter salt if there is none: in one transaction, under an advisory lock,
/// so several processes may start at once.
pub fn migrate_to(client: &mut Client, target: usize) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS faqbot_schema (version BIGINT NOT NULL)")?;
    let found = match tx.query_opt("SELECT version FROM faqbot_schema", &[])? {
        Some(row) => usize::try_from(row.get::<_, i64>(0)).unwrap_or(0),
        None => {
            tx.execute("INSERT INTO faqbot_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    if found > CURRENT {
        return Err(StoreError::TooNew { found, known: CURRENT });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(found) {
        tx.batch_execute(sql)?;
        tx.execute("UPDATE faqbot_schema SET version = $1", &[&((i + 1) as i64)])?;
    }
    if target >= 1 {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| StoreError::Salt(e.to_string()))?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('voter_salt', $1) ON CONFLICT (key) DO NOTHING",
            &[&&salt[..]],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// `url` with its password (in the user part or a `password=` setting) hidden, for logs and errors.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        let authority_end = out[rest..].find(['/', '?']).map_or(out.len(), |i| rest + i);
        if let Some(at) = out[rest..authority_end].rfind('@') {
            if let Some(colon) = out[rest..rest + at].find(':') {
                out.replace_range(rest + colon + 1..rest + at, "***");
            }
        }
    }
    if let Some(start) = out.find("password=") {
        let value = start + "password=".len();
        let end = out[value..].find('&').map_or(out.len(), |i| value + i);
        out.replace_range(value..end, "***");
    }
    out
}

/// A [`Value`] as a query parameter: converted to the column's type.
pub(crate) struct PgValue<'a>(pub &'a Value);

impl std::fmt::Debug for PgValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for PgValue<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be passed as {ty}").into()),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => Err(format!("a float cannot be passed as {ty}").into()),
            },
            Value::Text(t) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    t.as_str().to_sql(ty, out)
                }
                _ => Err(format!("text cannot be passed as {ty}").into()),
            },
            Value::Bytes(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => Err(format!("bytes cannot be passed as {ty}").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column read as a [`Value`].
pub(crate) struct PgRead(Value);

impl PgRead {
    pub(crate) fn into_value(self) -> Value {
        self.0
    }
}

impl<'a> FromSql<'a> for PgRead {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<PgRead, BoxError> {
        Ok(PgRead(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BYTEA => Value::Bytes(Vec::<u8>::from_sql(ty, raw)?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Value::Text(String::from_sql(ty, raw)?)
            }
            _ => return Err(format!("the store cannot read a {ty} column (cast it)").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<PgRead, BoxError> {
        Ok(PgRead(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(
            redact("postgres://bot:s3cr@t@db.example:5432/faq"),
            "postgres://bot:***@db.example:5432/faq"
        );
        assert_eq!(
            redact("postgres://bot@db/faq?password=hunter2&x=1"),
            "postgres://bot@db/faq?password=***&x=1"
        );
        assert_eq!(redact("postgresql://db/faq"), "postgresql://db/faq");
    }
}
