//! SQLite record store: the embedded default. One writer at a time (SQLite's own
//! rule, enforced here by a lock so writers queue instead of failing busy);
//! bulk reads and writes pass id lists as one JSON parameter through `json_each`.

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::Mutex;

use super::{Commit, Deadlines, Entry, RecordError, RecordStore, TicketRow};
use crate::domain::decide::{Known, Verdict, Wanted, decide};
use crate::domain::record::Record;
use crate::domain::scope::ScopeInfo;

static MIGRATOR: std::sync::LazyLock<sqlx::migrate::Migrator> =
    std::sync::LazyLock::new(|| super::migrations::migrator(super::migrations::SQLITE));

pub struct SqliteRecords {
    pool: SqlitePool,
    writer: Mutex<()>,
}

impl SqliteRecords {
    /// Opens (creating) the database file at `path`.
    pub async fn open(path: &Path) -> Result<Self, RecordError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| RecordError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a committed transaction survives a process crash; a power cut may lose the last few.
            .synchronous(SqliteSynchronous::Normal)
            // 32 MiB of page cache per connection (the default is 2 MiB): the journal's
            // indexes stay in memory for a district's year of records.
            .pragma("cache_size", "-32768")
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        Ok(SqliteRecords {
            pool,
            writer: Mutex::new(()),
        })
    }

    async fn locked_commit(conn: &mut SqliteConnection, records: &[Record], deadlines: &Deadlines) -> Result<Commit, RecordError> {
        let mut tx = conn.begin().await?;
        let (prev,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
            .fetch_one(&mut *tx)
            .await?;
        let mut known = load_known(&mut tx, &Wanted::of(records)).await?;
        let verdicts = decide(records, &mut known, deadlines);
        let entries = write_journal(&mut tx, &verdicts).await?;
        write_state(&mut tx, &verdicts, &known, entries.last().map_or(0, |e| e.seq)).await?;
        tx.commit().await?;
        Ok(Commit { verdicts, prev, entries })
    }
}

fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

async fn load_known(tx: &mut SqliteConnection, w: &Wanted) -> Result<Known, RecordError> {
    let mut known = Known::default();
    if !w.events.is_empty() {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, body FROM events WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(json_list(&w.events))
            .fetch_all(&mut *tx)
            .await?;
        for (id, body) in rows {
            known.events.insert(id, super::parse_event(&body)?);
        }
    }
    if !w.tickets.is_empty() {
        let rows: Vec<TicketRow> = sqlx::query_as(
            "SELECT id, scope, category, reported_at, deadline, status, last_at, holder FROM tickets WHERE id IN (SELECT value FROM json_each(?1))",
        )
        .bind(json_list(&w.tickets))
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            let (id, t) = super::parse_ticket(row)?;
            known.tickets.insert(id, t);
        }
    }
    // The partial index `journal_once` is used only when the query repeats its
    // condition (`kind <> 'event'`) word for word: SQLite does not infer it from
    // `kind = 'attendance'`. Without it this was a scan of the whole journal,
    // slower with every record.
    for (sql, ids, set) in [
        (
            "SELECT record_id FROM journal WHERE kind = 'attendance' AND kind <> 'event' AND record_id IN (SELECT value FROM json_each(?1))",
            &w.checkins,
            &mut known.checkins,
        ),
        (
            "SELECT record_id FROM journal WHERE kind = 'transition' AND kind <> 'event' AND record_id IN (SELECT value FROM json_each(?1))",
            &w.transitions,
            &mut known.transitions,
        ),
    ] {
        if !ids.is_empty() {
            let rows: Vec<(String,)> = sqlx::query_as(sql).bind(json_list(ids)).fetch_all(&mut *tx).await?;
            set.extend(rows.into_iter().map(|r| r.0));
        }
    }
    journal_facts(tx, w).await?.into_known(&mut known)?;
    Ok(known)
}

async fn journal_facts(tx: &mut SqliteConnection, w: &Wanted) -> Result<super::JournalFacts, RecordError> {
    let mut facts = super::JournalFacts::default();
    // `kind <> 'event'` lets SQLite use journal_once (see load_known); reversals and
    // chain heads are looked up by the batch's ledger scopes.
    let lookups = [
        (
            "SELECT body FROM journal WHERE kind = 'survey' AND kind <> 'event' AND record_id IN (SELECT value FROM json_each(?1))",
            &w.surveys,
            &mut facts.surveys,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'response' AND kind <> 'event' AND record_id IN (SELECT value FROM json_each(?1))",
            &w.responses,
            &mut facts.responses,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'ledger' AND kind <> 'event' AND record_id IN (SELECT value FROM json_each(?1))",
            &w.ledger,
            &mut facts.ledger,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'ledger' AND scope IN (SELECT value FROM json_each(?1)) \
             AND body LIKE '%\"reverses\":%'",
            &w.ledger_scopes,
            &mut facts.reversals,
        ),
        (
            "SELECT body FROM journal WHERE seq IN \
             (SELECT MAX(seq) FROM journal WHERE kind = 'ledger' AND scope IN (SELECT value FROM json_each(?1)) GROUP BY scope)",
            &w.ledger_scopes,
            &mut facts.heads,
        ),
    ];
    for (sql, keys, out) in lookups {
        if !keys.is_empty() {
            let rows: Vec<(String,)> = sqlx::query_as(sql).bind(json_list(keys)).fetch_all(&mut *tx).await?;
            *out = rows.into_iter().map(|r| r.0).collect();
        }
    }
    Ok(facts)
}

async fn write_journal(tx: &mut SqliteConnection, verdicts: &[Verdict]) -> Result<Vec<Entry>, RecordError> {
    let changes = super::accepted(verdicts);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| super::journal_row(c).map(|r| serde_json::json!([r.cols[0], r.cols[1], r.cols[2], r.cols[3], r.ticket])))
        .collect::<Result<_, _>>()?;
    let mut seqs: Vec<(i64,)> = sqlx::query_as(
        "INSERT INTO journal (kind, record_id, scope, body, ticket) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), \
                json_extract(value, '$[4]') \
         FROM json_each(?1) ORDER BY key RETURNING seq",
    )
    .bind(json_list(&rows))
    .fetch_all(&mut *tx)
    .await?;
    seqs.sort_unstable();
    Ok(seqs
        .into_iter()
        .zip(changes)
        .map(|((seq,), change)| Entry {
            seq,
            change: change.clone(),
        })
        .collect())
}

async fn write_state(tx: &mut SqliteConnection, verdicts: &[Verdict], known: &Known, seq: i64) -> Result<(), RecordError> {
    let w = super::state_writes(verdicts, known);
    if !w.events.is_empty() {
        let rows: Vec<(String, String)> = w
            .events
            .iter()
            .map(|e| (e.id.clone(), serde_json::to_string(e).unwrap_or_default()))
            .collect();
        sqlx::query(
            "INSERT INTO events (id, body, seq) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2 FROM json_each(?1) WHERE true \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, seq = excluded.seq",
        )
        .bind(json_list(&rows))
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    }
    if !w.tickets.is_empty() {
        let rows: Vec<serde_json::Value> = w
            .tickets
            .iter()
            .map(|(id, t)| {
                serde_json::json!([
                    id,
                    t.head.scope.as_str(),
                    t.head.category,
                    t.head.reported_at,
                    t.head.deadline,
                    t.status.as_str(),
                    t.last_at,
                    t.holder
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO tickets (id, scope, category, reported_at, deadline, status, last_at, holder) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), \
                    json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), json_extract(value, '$[7]') \
             FROM json_each(?1) WHERE true \
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, last_at = excluded.last_at, holder = excluded.holder",
        )
        .bind(json_list(&rows))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl RecordStore for SqliteRecords {
    async fn migrate(&self) -> Result<(), RecordError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn scopes(&self) -> Result<Vec<ScopeInfo>, RecordError> {
        let rows = sqlx::query_as("SELECT id, name, theme, households FROM scopes ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        super::scope_rows(rows)
    }

    async fn put_scopes(&self, scopes: &[ScopeInfo]) -> Result<(), RecordError> {
        let _w = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        for s in scopes {
            sqlx::query(
                "INSERT INTO scopes (id, name, theme, households) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, theme = excluded.theme, households = COALESCE(excluded.households, scopes.households)",
            )
            .bind(s.id.as_str())
            .bind(&s.name)
            .bind(&s.theme)
            .bind(s.households)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn commit(&self, records: &[Record], deadlines: &Deadlines) -> Result<Commit, RecordError> {
        let _w = self.writer.lock().await;
        let mut conn = self.pool.acquire().await?;
        Self::locked_commit(&mut conn, records, deadlines).await
    }

    async fn journal(&self, after: i64, limit: i64) -> Result<Vec<Entry>, RecordError> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|(seq, body)| super::parse_change(*seq, body)).collect()
    }

    async fn ping(&self) -> Result<(), RecordError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn head(&self) -> Result<i64, RecordError> {
        let (head,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
            .fetch_one(&self.pool)
            .await?;
        Ok(head)
    }

    async fn entries(&self, q: &super::EntryQuery) -> Result<Vec<Entry>, RecordError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(q.sql(|i| format!("?{i}"))))
            .bind(q.scope.as_str())
            .bind(q.subtree)
            .bind(q.pattern())
            .bind(q.after)
            .bind(q.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|(seq, body)| super::parse_change(*seq, body)).collect()
    }
}

super::sql::sql_rows!(SqliteRecords, sqlx::Sqlite, numbered, "CAST(strftime('%s', 'now') AS INTEGER)");

fn numbered(i: usize) -> String {
    format!("?{i}")
}
