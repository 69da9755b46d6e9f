//! PostgreSQL record store. A commit takes a session advisory lock, decides the
//! batch against the locked state, writes it with one `UNNEST` insert per table,
//! commits, projects, and only then unlocks: batches reach the aggregates in
//! journal order even when several instances share the database.

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres};

use super::{Deadlines, Entry, Projector, RecordError, RecordStore, TicketRow};
use crate::auth::ApiKey;
use crate::domain::decide::{Known, Verdict, Wanted, decide};
use crate::domain::record::Record;
use crate::domain::scope::ScopeInfo;

/// Advisory lock key serialising writers ("cock" in ASCII).
const WRITE_LOCK: i64 = 0x636f_636b;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PgRecords {
    pool: PgPool,
}

impl PgRecords {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, RecordError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(PgRecords { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn locked_commit(
        conn: &mut PgConnection,
        records: &[Record],
        deadlines: &Deadlines,
    ) -> Result<(Vec<Verdict>, i64, Vec<Entry>), RecordError> {
        let mut tx = conn.begin().await?;
        let (prev,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0)::int8 FROM journal")
            .fetch_one(&mut *tx)
            .await?;
        let mut known = load_known(&mut tx, &Wanted::of(records)).await?;
        let verdicts = decide(records, &mut known, deadlines);
        let entries = write_journal(&mut tx, &verdicts).await?;
        write_state(&mut tx, &verdicts, &known, entries.last().map_or(0, |e| e.seq)).await?;
        tx.commit().await?;
        Ok((verdicts, prev, entries))
    }
}

async fn load_known(tx: &mut PgConnection, w: &Wanted) -> Result<Known, RecordError> {
    let mut known = Known::default();
    if !w.events.is_empty() {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, body FROM events WHERE id = ANY($1)")
            .bind(&w.events)
            .fetch_all(&mut *tx)
            .await?;
        for (id, body) in rows {
            known.events.insert(id, super::parse_event(&body)?);
        }
    }
    if !w.tickets.is_empty() {
        let rows: Vec<TicketRow> =
            sqlx::query_as("SELECT id, scope, category, reported_at, deadline, status, last_at FROM tickets WHERE id = ANY($1) FOR UPDATE")
                .bind(&w.tickets)
                .fetch_all(&mut *tx)
                .await?;
        for row in rows {
            let (id, t) = super::parse_ticket(row)?;
            known.tickets.insert(id, t);
        }
    }
    // The kind is written into the SQL, not bound: a generic plan for `kind = $1`
    // cannot use the partial index `journal_once` (`WHERE kind <> 'event'`) and
    // scanned the whole journal, slower with every record.
    for (sql, ids, set) in [
        (
            "SELECT record_id FROM journal WHERE kind = 'attendance' AND record_id = ANY($1)",
            &w.checkins,
            &mut known.checkins,
        ),
        (
            "SELECT record_id FROM journal WHERE kind = 'transition' AND record_id = ANY($1)",
            &w.transitions,
            &mut known.transitions,
        ),
    ] {
        if !ids.is_empty() {
            let rows: Vec<(String,)> = sqlx::query_as(sql).bind(ids).fetch_all(&mut *tx).await?;
            set.extend(rows.into_iter().map(|r| r.0));
        }
    }
    journal_facts(tx, w).await?.into_known(&mut known)?;
    Ok(known)
}

async fn journal_facts(tx: &mut PgConnection, w: &Wanted) -> Result<super::JournalFacts, RecordError> {
    let mut facts = super::JournalFacts::default();
    // Reversals and chain heads are looked up by the batch's ledger scopes.
    let lookups = [
        (
            "SELECT body FROM journal WHERE kind = 'survey' AND record_id = ANY($1)",
            &w.surveys,
            &mut facts.surveys,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'response' AND record_id = ANY($1)",
            &w.responses,
            &mut facts.responses,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'ledger' AND record_id = ANY($1)",
            &w.ledger,
            &mut facts.ledger,
        ),
        (
            "SELECT body FROM journal WHERE kind = 'ledger' AND scope = ANY($1) AND body LIKE '%\"reverses\":%'",
            &w.ledger_scopes,
            &mut facts.reversals,
        ),
        (
            "SELECT DISTINCT ON (scope) body FROM journal WHERE kind = 'ledger' AND scope = ANY($1) ORDER BY scope, seq DESC",
            &w.ledger_scopes,
            &mut facts.heads,
        ),
    ];
    for (sql, keys, out) in lookups {
        if !keys.is_empty() {
            let rows: Vec<(String,)> = sqlx::query_as(sql).bind(keys).fetch_all(&mut *tx).await?;
            *out = rows.into_iter().map(|r| r.0).collect();
        }
    }
    Ok(facts)
}

async fn write_journal(tx: &mut PgConnection, verdicts: &[Verdict]) -> Result<Vec<Entry>, RecordError> {
    let changes = super::accepted(verdicts);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let mut cols: [Vec<String>; 4] = Default::default();
    for c in &changes {
        for (col, v) in cols.iter_mut().zip(super::journal_row(c)?) {
            col.push(v);
        }
    }
    // Sequence values are drawn in `ord` order, so sorted seqs line up with the changes.
    let mut seqs: Vec<(i64,)> = sqlx::query_as(
        "INSERT INTO journal (kind, record_id, scope, body) \
         SELECT k, r, s, b FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(k, r, s, b, ord) ORDER BY ord \
         RETURNING seq",
    )
    .bind(&cols[0])
    .bind(&cols[1])
    .bind(&cols[2])
    .bind(&cols[3])
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

async fn write_state(tx: &mut PgConnection, verdicts: &[Verdict], known: &Known, seq: i64) -> Result<(), RecordError> {
    let w = super::state_writes(verdicts, known);
    if !w.events.is_empty() {
        let ids: Vec<&str> = w.events.iter().map(|e| e.id.as_str()).collect();
        let bodies: Vec<String> = w.events.iter().map(|e| serde_json::to_string(e).unwrap_or_default()).collect();
        sqlx::query(
            "INSERT INTO events (id, body, seq) SELECT i, b, $3 FROM UNNEST($1::text[], $2::text[]) AS u(i, b) \
             ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, seq = EXCLUDED.seq",
        )
        .bind(&ids)
        .bind(&bodies)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    }
    if !w.tickets.is_empty() {
        let mut c = TicketColumns::default();
        for (id, t) in &w.tickets {
            c.0.push(id);
            c.1.push(t.head.scope.as_str());
            c.2.push(&t.head.category);
            c.3.push(t.head.reported_at);
            c.4.push(t.head.deadline);
            c.5.push(t.status.as_str());
            c.6.push(t.last_at);
        }
        sqlx::query(
            "INSERT INTO tickets (id, scope, category, reported_at, deadline, status, last_at) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::text[], $7::int8[]) \
             ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, last_at = EXCLUDED.last_at",
        )
        .bind(&c.0)
        .bind(&c.1)
        .bind(&c.2)
        .bind(&c.3)
        .bind(&c.4)
        .bind(&c.5)
        .bind(&c.6)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// `tickets` rows as column arrays for one `UNNEST` upsert.
#[derive(Default)]
struct TicketColumns<'a>(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>, Vec<i64>, Vec<i64>, Vec<&'a str>, Vec<i64>);

/// Releases the writer lock; a connection that cannot say so is closed, which releases it too.
async fn unlock(mut conn: PoolConnection<Postgres>) {
    let released = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(WRITE_LOCK)
        .execute(&mut *conn)
        .await;
    if released.is_err() {
        drop(conn.detach());
    }
}

#[async_trait]
impl RecordStore for PgRecords {
    async fn migrate(&self) -> Result<(), RecordError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn scopes(&self) -> Result<Vec<ScopeInfo>, RecordError> {
        let rows: Vec<super::ScopeRow> = sqlx::query_as("SELECT id, name, theme, households FROM scopes ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        super::scope_rows(rows)
    }

    async fn put_scopes(&self, scopes: &[ScopeInfo]) -> Result<(), RecordError> {
        let ids: Vec<&str> = scopes.iter().map(|s| s.id.as_str()).collect();
        let names: Vec<&str> = scopes.iter().map(|s| s.name.as_str()).collect();
        let themes: Vec<Option<&str>> = scopes.iter().map(|s| s.theme.as_deref()).collect();
        sqlx::query(
            "INSERT INTO scopes (id, name, theme, households) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[]) \
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, theme = EXCLUDED.theme, households = COALESCE(EXCLUDED.households, scopes.households)",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&themes)
        .bind(scopes.iter().map(|s| s.households).collect::<Vec<_>>())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn commit(&self, records: &[Record], deadlines: &Deadlines, projector: &dyn Projector) -> Result<Vec<Verdict>, RecordError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *conn)
            .await?;
        let result = Self::locked_commit(&mut conn, records, deadlines).await;
        if let Ok((_, prev, entries)) = &result {
            projector.project(*prev, entries).await;
        }
        unlock(conn).await;
        result.map(|(verdicts, _, _)| verdicts)
    }

    async fn journal(&self, after: i64, limit: i64) -> Result<Vec<Entry>, RecordError> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2")
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

    async fn put_key(&self, key: &ApiKey) -> Result<(), RecordError> {
        sqlx::query("INSERT INTO api_keys (id, scope, label, hash) VALUES ($1, $2, $3, $4)")
            .bind(&key.id)
            .bind(key.scope.as_str())
            .bind(&key.label)
            .bind(&key.hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn revoke_key(&self, id: &str) -> Result<bool, RecordError> {
        let done = sqlx::query("UPDATE api_keys SET revoked = TRUE WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn keys(&self) -> Result<Vec<ApiKey>, RecordError> {
        let rows: Vec<super::KeyRow> = sqlx::query_as("SELECT id, scope, label, hash, revoked FROM api_keys ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        super::key_rows(rows)
    }

    async fn entries(&self, q: &super::EntryQuery) -> Result<Vec<Entry>, RecordError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(q.sql(|i| format!("${i}"))))
            .bind(q.scope.as_str())
            .bind(q.subtree)
            .bind(q.pattern())
            .bind(q.after)
            .bind(q.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|(seq, body)| super::parse_change(*seq, body)).collect()
    }

    async fn tickets(&self, q: &super::TicketQuery) -> Result<Vec<super::StoredTicket>, RecordError> {
        let statuses: Vec<&str> = q.statuses.iter().map(|s| s.as_str()).collect();
        let within = q.within.as_ref().map(|s| s.to_string());
        let rows: Vec<super::StoredTicketRow> = sqlx::query_as(
            "SELECT t.status, t.last_at, j.body, t.deadline, t.id FROM tickets t \
             JOIN journal j ON j.kind = 'ticket' AND j.record_id = t.id \
             WHERE ($1::text IS NULL OR t.scope = $1 OR t.scope LIKE $1 || '.%') \
               AND (cardinality($2::text[]) = 0 OR t.id = ANY($2)) \
               AND (cardinality($3::text[]) = 0 OR t.category = ANY($3)) \
               AND (cardinality($4::text[]) = 0 OR t.status = ANY($4)) \
               AND ($5::int8 IS NULL OR t.reported_at >= $5) AND ($6::int8 IS NULL OR t.reported_at < $6) \
             ORDER BY t.reported_at DESC, t.id LIMIT $7",
        )
        .bind(within)
        .bind(&q.ids)
        .bind(&q.categories)
        .bind(&statuses)
        .bind(q.from)
        .bind(q.until)
        .bind(q.limit)
        .fetch_all(&self.pool)
        .await?;
        super::stored_tickets(rows)
    }

    async fn put_alert_rule(&self, id: &str, body: &str) -> Result<(), RecordError> {
        sqlx::query(
            "INSERT INTO alert_rules (id, body) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = now()",
        )
        .bind(id)
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_alert_rule(&self, id: &str) -> Result<bool, RecordError> {
        let done = sqlx::query("DELETE FROM alert_rules WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn alert_rules(&self) -> Result<Vec<(String, String)>, RecordError> {
        Ok(sqlx::query_as("SELECT id, body FROM alert_rules ORDER BY id")
            .fetch_all(&self.pool)
            .await?)
    }
}
