//! SQL the two record stores share: statements with numbered placeholders
//! (`$1` on PostgreSQL, `?1` on SQLite) and the values to bind, built once;
//! [`SqlRows`], the little each store does with them (bind, run, hand back
//! rows); and the API keys and alert rules written once over it. The ticket
//! book is written the same way in `tickets.rs`.

use async_trait::async_trait;

use super::{KeyRow, KeyStore, RecordError, RuleStore};
use crate::domain::key::ApiKey;
use crate::domain::scope::Scope;

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

/// SQL with numbered placeholders (`$1` or `?1`) and the values to bind, in order.
pub(crate) struct Sql {
    placeholder: fn(usize) -> String,
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub(crate) fn new(placeholder: fn(usize) -> String) -> Sql {
        Sql {
            placeholder,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// The next placeholder, bound to `v`.
    pub(crate) fn bind(&mut self, v: Bind) -> String {
        self.binds.push(v);
        (self.placeholder)(self.binds.len())
    }

    pub(crate) fn text(&mut self, v: &str) -> String {
        self.bind(Bind::Text(v.to_owned()))
    }

    pub(crate) fn int(&mut self, v: i64) -> String {
        self.bind(Bind::Int(v))
    }

    /// `col IN (p1, p2, …)`.
    pub(crate) fn any(&mut self, col: &str, values: &[&str]) -> String {
        let ps: Vec<String> = values.iter().map(|v| self.text(v)).collect();
        format!("{col} IN ({})", ps.join(", "))
    }

    /// The scope and everything under it: the scope itself or an id from
    /// `scope.` on, within the one range from `scope` up to `scope/` (`/`
    /// follows `.`), byte-wise as both stores compare identifiers. One range
    /// rather than `= scope OR LIKE 'scope.%'`: an index on `col` serves it in
    /// SQLite too, whose LIKE ignores case and whose planner takes no index for
    /// an OR it would have to sort.
    pub(crate) fn within(&mut self, col: &str, s: &Scope) -> String {
        let own = self.text(s.as_str());
        let (under, until) = (self.text(&format!("{s}.")), self.text(&format!("{s}/")));
        format!("({col} >= {own} AND {col} < {until} AND ({col} = {own} OR {col} >= {under}))")
    }
}

/// `s` with LIKE's wildcards (and the escape character `!`) escaped by `!`.
pub(crate) fn like_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// A `tickets` row joined with its report's journal body:
/// status, last step, report body, deadline, id, holder.
pub(crate) type StoredTicketRow = (String, i64, String, i64, String, Option<String>);

/// What a SQL store does with a built statement: bind its values in order,
/// run it, and hand back its rows (or how many it changed).
#[async_trait]
pub(crate) trait SqlRows: Send + Sync {
    /// Its placeholders: `$1` or `?1`.
    fn placeholder(&self) -> fn(usize) -> String;
    /// The current time as the `alert_rules.updated_at` column holds it.
    fn now(&self) -> &'static str;
    /// Runs a statement; the rows it changed.
    async fn execute(&self, sql: Sql) -> Result<u64, RecordError>;
    async fn ticket_rows(&self, sql: Sql) -> Result<Vec<StoredTicketRow>, RecordError>;
    async fn entry_rows(&self, sql: Sql) -> Result<Vec<(i64, String)>, RecordError>;
    async fn holder_rows(&self, sql: Sql) -> Result<Vec<(String, i64, i64)>, RecordError>;
    async fn key_rows(&self, sql: Sql) -> Result<Vec<KeyRow>, RecordError>;
    async fn text_pairs(&self, sql: Sql) -> Result<Vec<(String, String)>, RecordError>;
    async fn archive_rows(&self, sql: Sql) -> Result<Vec<(String, String, Vec<u8>)>, RecordError>;
}

/// A statement whose values are all text.
fn statement(store: &dyn SqlRows, values: &[&str], text: impl FnOnce(&[String]) -> String) -> Sql {
    let mut sql = Sql::new(store.placeholder());
    let marks: Vec<String> = values.iter().map(|v| sql.text(v)).collect();
    sql.text = text(&marks);
    sql
}

#[async_trait]
impl<S: SqlRows> KeyStore for S {
    async fn put_key(&self, key: &ApiKey) -> Result<(), RecordError> {
        let sql = statement(self, &[&key.id, key.scope.as_str(), &key.label, &key.hash], |p| {
            format!(
                "INSERT INTO api_keys (id, scope, label, hash) VALUES ({}, {}, {}, {})",
                p[0], p[1], p[2], p[3]
            )
        });
        self.execute(sql).await.map(drop)
    }

    async fn revoke_key(&self, id: &str) -> Result<bool, RecordError> {
        let sql = statement(self, &[id], |p| format!("UPDATE api_keys SET revoked = TRUE WHERE id = {}", p[0]));
        Ok(self.execute(sql).await? > 0)
    }

    async fn keys(&self) -> Result<Vec<ApiKey>, RecordError> {
        let sql = statement(self, &[], |_| {
            "SELECT id, scope, label, hash, revoked FROM api_keys ORDER BY id".into()
        });
        super::key_rows(self.key_rows(sql).await?)
    }
}

#[async_trait]
impl<S: SqlRows> RuleStore for S {
    async fn put_alert_rule(&self, id: &str, body: &str) -> Result<(), RecordError> {
        let now = self.now();
        let sql = statement(self, &[id, body], |p| {
            format!(
                "INSERT INTO alert_rules (id, body) VALUES ({}, {}) \
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = {now}",
                p[0], p[1]
            )
        });
        self.execute(sql).await.map(drop)
    }

    async fn delete_alert_rule(&self, id: &str) -> Result<bool, RecordError> {
        let sql = statement(self, &[id], |p| format!("DELETE FROM alert_rules WHERE id = {}", p[0]));
        Ok(self.execute(sql).await? > 0)
    }

    async fn alert_rules(&self) -> Result<Vec<(String, String)>, RecordError> {
        let sql = statement(self, &[], |_| "SELECT id, body FROM alert_rules ORDER BY id".into());
        self.text_pairs(sql).await
    }
}

/// `SqlRows` for a store with a sqlx `pool` of one database: the same calls for
/// each, told apart only by the database's types (sqlx's generic bounds would say
/// the same at greater length). `sql_rows!(Store, sqlx::Postgres, placeholder fn,
/// "SQL for now")`.
macro_rules! sql_rows {
    ($store:ty, $db:ty, $placeholder:expr, $now:expr) => {
        /// Binds `binds` in order.
        fn bound<'q, O>(
            mut q: sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments>,
            binds: Vec<$crate::records::sql::Bind>,
        ) -> sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments> {
            for b in binds {
                q = match b {
                    $crate::records::sql::Bind::Text(v) => q.bind(v),
                    $crate::records::sql::Bind::Int(v) => q.bind(v),
                    $crate::records::sql::Bind::Bytes(v) => q.bind(v),
                };
            }
            q
        }

        /// Fetches every row of a built statement. Not kept prepared: a kept
        /// statement is planned once for any values after five runs (PostgreSQL's
        /// generic plan), and how much of the tree a scope's range holds decides
        /// the plan. A district's page ordered by deadline then sorted all its
        /// open tickets by the scope index (300 ms at 1,000,000 tickets) instead
        /// of walking the deadline index (7 ms); planned with its values, each
        /// listing gets its own plan.
        async fn rows<O>(pool: &sqlx::Pool<$db>, sql: $crate::records::sql::Sql) -> Result<Vec<O>, RecordError>
        where
            O: Send + Unpin + for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row>,
        {
            Ok(bound(sqlx::query_as(sqlx::AssertSqlSafe(sql.text)), sql.binds)
                .persistent(false)
                .fetch_all(pool)
                .await?)
        }

        #[async_trait]
        impl $crate::records::sql::SqlRows for $store {
            fn placeholder(&self) -> fn(usize) -> String {
                $placeholder
            }

            fn now(&self) -> &'static str {
                $now
            }

            async fn execute(&self, sql: $crate::records::sql::Sql) -> Result<u64, RecordError> {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.text));
                for b in sql.binds {
                    q = match b {
                        $crate::records::sql::Bind::Text(v) => q.bind(v),
                        $crate::records::sql::Bind::Int(v) => q.bind(v),
                        $crate::records::sql::Bind::Bytes(v) => q.bind(v),
                    };
                }
                Ok(q.execute(&self.pool).await?.rows_affected())
            }

            async fn ticket_rows(&self, sql: $crate::records::sql::Sql) -> Result<Vec<$crate::records::sql::StoredTicketRow>, RecordError> {
                rows(&self.pool, sql).await
            }

            async fn entry_rows(&self, sql: $crate::records::sql::Sql) -> Result<Vec<(i64, String)>, RecordError> {
                rows(&self.pool, sql).await
            }

            async fn holder_rows(&self, sql: $crate::records::sql::Sql) -> Result<Vec<(String, i64, i64)>, RecordError> {
                rows(&self.pool, sql).await
            }

            async fn key_rows(&self, sql: $crate::records::sql::Sql) -> Result<Vec<$crate::records::KeyRow>, RecordError> {
                rows(&self.pool, sql).await
            }

            async fn text_pairs(&self, sql: $crate::records::sql::Sql) -> Result<Vec<(String, String)>, RecordError> {
                rows(&self.pool, sql).await
            }

            async fn archive_rows(&self, sql: $crate::records::sql::Sql) -> Result<Vec<(String, String, Vec<u8>)>, RecordError> {
                rows(&self.pool, sql).await
            }
        }
    };
}
pub(crate) use sql_rows;
