//! One database handle over two backends: an SQLite file or a PostgreSQL
//! server. The rest of the store writes one SQL text for both (`?1`-style
//! placeholders, `ON CONFLICT DO NOTHING`, `CAST(... AS BIGINT)`) and passes
//! [`Value`]s; this module turns the placeholders into Postgres's `$1` and the
//! values into each driver's types.

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::postgres::{PgRead, PgValue};
use super::StoreError;

/// An open database.
pub enum Db {
    /// An SQLite file.
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL server (boxed: the client is large).
    Postgres(Box<::postgres::Client>),
}

/// A value passed to or read from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (SQLite INTEGER, Postgres BIGINT and smaller).
    Int(i64),
    /// A float (REAL, DOUBLE PRECISION).
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (BLOB, BYTEA).
    Bytes(Vec<u8>),
}

impl Value {
    /// The integer, or 0 for NULL and other kinds (counts and sums).
    pub fn int(&self) -> i64 {
        match self {
            Value::Int(v) => *v,
            Value::Real(v) => *v as i64,
            _ => 0,
        }
    }

    /// The text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// A row, its columns in the query's order.
pub type Row = Vec<Value>;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn from_sqlite(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// `?1`, `?2`, ... as Postgres writes them (`$1`, ...). The store's SQL has
/// no `?` anywhere else.
fn postgres_sql(sql: &str) -> String {
    sql.replace('?', "$")
}

type PgParam<'a> = &'a (dyn ::postgres::types::ToSql + Sync);

/// Calls `run` with `params` as the Postgres driver takes them.
fn with_pg_params<T>(params: &[Value], run: impl FnOnce(&[PgParam<'_>]) -> T) -> T {
    let values: Vec<PgValue<'_>> = params.iter().map(PgValue).collect();
    let refs: Vec<PgParam<'_>> = values.iter().map(|p| p as PgParam<'_>).collect();
    run(&refs)
}

impl Db {
    /// The SQLite connection, if this is one (SQLite-only tests and tools).
    pub fn sqlite(&mut self) -> Option<&mut rusqlite::Connection> {
        match self {
            Db::Sqlite(conn) => Some(conn),
            Db::Postgres(_) => None,
        }
    }

    /// Whether the connection is known to be gone (a Postgres server that
    /// closed it); the caller reconnects.
    pub fn is_closed(&self) -> bool {
        match self {
            Db::Sqlite(_) => false,
            Db::Postgres(client) => client.is_closed(),
        }
    }

    /// Runs a query and returns every row.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let n = stmt.column_count();
                let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
                    (0..n).map(|i| r.get_ref(i).map(from_sqlite)).collect::<Result<Row, _>>()
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Db::Postgres(client) => {
                let rows = with_pg_params(params, |refs| client.query(&postgres_sql(sql), refs))?;
                rows.iter()
                    .map(|row| {
                        (0..row.len()).map(|i| Ok(row.try_get::<_, PgRead>(i)?.into_value())).collect()
                    })
                    .collect()
            }
        }
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(conn) => {
                Ok(conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))? as u64)
            }
            Db::Postgres(client) => {
                Ok(with_pg_params(params, |refs| client.execute(&postgres_sql(sql), refs))?)
            }
        }
    }

    /// Runs `statements` (SQL and its values) in one transaction: all or nothing.
    pub fn in_transaction(&mut self, statements: &[(String, Vec<Value>)]) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(conn) => {
                let tx = conn.transaction()?;
                for (sql, params) in statements {
                    tx.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?;
                }
                tx.commit()?;
            }
            Db::Postgres(client) => {
                let mut tx = client.transaction()?;
                for (sql, params) in statements {
                    with_pg_params(params, |refs| tx.execute(&postgres_sql(sql), refs))?;
                }
                tx.commit()?;
            }
        }
        Ok(())
    }
}

/// `INSERT INTO {table} ({columns}) VALUES (?1, ...), (...) {tail}` for
/// `rows` rows: one statement for many rows (a round trip per row is what
/// makes a networked database slow). Both backends take the `?N` form.
pub fn insert_many(table_and_columns: &str, columns: usize, rows: usize, tail: &str) -> String {
    let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{}", r * columns + c + 1));
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_rows_make_one_statement_with_numbered_places() {
        assert_eq!(
            insert_many("t (a, b)", 2, 2, "ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(postgres_sql("WHERE at >= ?1 LIMIT ?2"), "WHERE at >= $1 LIMIT $2");
    }

    #[test]
    fn sqlite_values_go_in_and_come_back_alike() {
        let mut db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)", &[]).unwrap();
        let row =
            vec![Value::Int(-7), Value::Real(0.5), Value::from("é"), Value::Bytes(vec![0, 255]), Value::Null];
        db.in_transaction(&[(insert_many("t (i, r, s, b, n)", 5, 1, ""), row.clone())]).unwrap();
        assert_eq!(db.query("SELECT * FROM t WHERE i = ?1", &[Value::Int(-7)]).unwrap(), vec![row]);
    }
}
