//! PostgreSQL record store. A commit is four round trips: open the transaction
//! and take the writers' advisory lock; read the journal's head and the stored
//! state of every id the batch mentions (one statement); write the journal and
//! the state tables (one statement); commit. Deciding happens in between, in Rust,
//! against what was read under the lock, so writers on several instances stay
//! serialised and the journal's order is the order of decisions.

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection};

use super::{Commit, Deadlines, Entry, RecordError, RecordStore};
use crate::domain::decide::{Known, Verdict, Wanted, decide};
use crate::domain::record::Record;
use crate::domain::scope::ScopeInfo;

static MIGRATOR: std::sync::LazyLock<sqlx::migrate::Migrator> =
    std::sync::LazyLock::new(|| super::migrations::migrator(super::migrations::POSTGRES));

/// Opens the transaction and takes the writer lock in one round trip. The lock is
/// its own statement, so the reads after it take a fresh snapshot and see every
/// batch committed before it was granted. The key is "cock" in ASCII. No parallel
/// workers: their start-up costs more than a commit's lookups. Generic plans: the
/// lookup and write statements are prepared once, and their shapes are fixed by
/// the SQL (one index probe per id), so planning them again for each commit's
/// arrays only cost time; without this PostgreSQL spent about a third more CPU
/// per commit of single-record ingest (measured in alternating runs, 4535a90).
const BEGIN_LOCKED: &str = "BEGIN; SET LOCAL max_parallel_workers_per_gather = 0; \
    SET LOCAL plan_cache_mode = force_generic_plan; SELECT pg_advisory_xact_lock(1668244331)";

/// Everything a batch must know, in one statement: the journal's newest position
/// (tag 0), then the stored state of each id the batch mentions. One row shape
/// for all: `(tag, id, body, scope, category, a, b, status, c)` (a ticket's
/// holder comes in `body`).
///
/// Each id is one index probe (`LATERAL … LIMIT 1` cannot be flattened into a
/// join), whatever the table statistics say. With a young table's statistics the
/// planner otherwise scanned every journal row of the kind, or the whole
/// `tickets` table, for a batch of a thousand ids: slower with every record.
/// Kinds are literals, not binds, so the probes can use the partial index
/// `journal_once`.
const LOAD: &str = "\
SELECT 0, NULL::text, NULL::text, NULL::text, NULL::text, (SELECT COALESCE(MAX(seq), 0) FROM journal)::int8, NULL::int8, NULL::text, NULL::int8 \
UNION ALL SELECT 1, x.id, x.body, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($1::text[]) AS w(id), \
    LATERAL (SELECT id, body FROM events WHERE id = w.id LIMIT 1) AS x \
UNION ALL SELECT 2, x.id, x.holder, x.scope, x.category, x.reported_at, x.deadline, x.status, x.last_at FROM UNNEST($2::text[]) AS w(id), \
    LATERAL (SELECT * FROM tickets WHERE id = w.id LIMIT 1) AS x \
UNION ALL SELECT 3, x.record_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($3::text[]) AS w(id), \
    LATERAL (SELECT record_id FROM journal WHERE kind = 'attendance' AND record_id = w.id LIMIT 1) AS x \
UNION ALL SELECT 4, x.record_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($4::text[]) AS w(id), \
    LATERAL (SELECT record_id FROM journal WHERE kind = 'transition' AND record_id = w.id LIMIT 1) AS x \
UNION ALL SELECT 5, NULL, x.body, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($5::text[]) AS w(id), \
    LATERAL (SELECT body FROM journal WHERE kind = 'survey' AND record_id = w.id LIMIT 1) AS x \
UNION ALL SELECT 6, NULL, x.body, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($6::text[]) AS w(id), \
    LATERAL (SELECT body FROM journal WHERE kind = 'response' AND record_id = w.id LIMIT 1) AS x \
UNION ALL SELECT 7, NULL, x.body, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($7::text[]) AS w(id), \
    LATERAL (SELECT body FROM journal WHERE kind = 'ledger' AND record_id = w.id LIMIT 1) AS x \
UNION ALL SELECT 8, NULL, body, NULL, NULL, NULL, NULL, NULL, NULL FROM journal \
    WHERE kind = 'ledger' AND scope = ANY($8) AND body LIKE '%\"reverses\":%' \
UNION ALL SELECT 9, NULL, x.body, NULL, NULL, NULL, NULL, NULL, NULL FROM UNNEST($8::text[]) AS w(s), \
    LATERAL (SELECT body FROM journal WHERE kind = 'ledger' AND scope = w.s ORDER BY seq DESC LIMIT 1) AS x";

/// One row of [`LOAD`].
type LoadRow = (
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

pub struct PgRecords {
    pool: PgPool,
}

impl PgRecords {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, RecordError> {
        // One connection first, so that a refusal says why (the pool only
        // reports that it timed out, after retrying the same refusal for 5 s).
        let wait = std::time::Duration::from_secs(5);
        match tokio::time::timeout(wait, <PgConnection as sqlx::Connection>::connect(url)).await {
            Ok(Ok(c)) => drop(c),
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => {
                return Err(RecordError::Unavailable(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no answer within 5 s",
                ))));
            }
        }
        // No parallel workers in the server's sessions: its statements are index
        // walks of at most a page, and starting workers costs more than they save
        // (a 1,000-ticket page: 5.4 ms serial, 13.4 ms with two workers on two
        // cores, where a listing planned with its LIMIT's value chose them). Set
        // after connecting, not as a startup option, which connection poolers
        // (PgBouncer) refuse; where it cannot be set, the server still runs.
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    if let Err(e) = sqlx::Executor::execute(&mut *conn, "SET max_parallel_workers_per_gather = 0").await {
                        tracing::warn!(error = %e, "PostgreSQL: cannot turn parallel workers off; listings may plan them");
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(PgRecords { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn locked_commit(conn: &mut PgConnection, records: &[Record], deadlines: &Deadlines) -> Result<Commit, RecordError> {
        let mut tx = conn.begin_with(BEGIN_LOCKED).await?;
        let (prev, mut known) = load_known(&mut tx, &Wanted::of(records)).await?;
        let verdicts = decide(records, &mut known, deadlines);
        let entries = write(&mut tx, &verdicts, &known).await?;
        tx.commit().await?;
        Ok(Commit { verdicts, prev, entries })
    }
}

/// The journal's newest position and what the store knows of the batch's ids.
async fn load_known(tx: &mut PgConnection, w: &Wanted) -> Result<(i64, Known), RecordError> {
    let rows: Vec<LoadRow> = sqlx::query_as(LOAD)
        .bind(&w.events)
        .bind(&w.tickets)
        .bind(&w.checkins)
        .bind(&w.transitions)
        .bind(&w.surveys)
        .bind(&w.responses)
        .bind(&w.ledger)
        .bind(&w.ledger_scopes)
        .fetch_all(&mut *tx)
        .await?;
    let mut prev = 0;
    let mut known = Known::default();
    let mut facts = super::JournalFacts::default();
    for (tag, id, body, scope, category, a, b, status, c) in rows {
        let bad = || RecordError::Corrupt(format!("state lookup row of tag {tag} has a NULL"));
        match tag {
            0 => prev = a.ok_or_else(bad)?,
            1 => {
                let event = super::parse_event(&body.ok_or_else(bad)?)?;
                known.events.insert(id.ok_or_else(bad)?, event);
            }
            2 => {
                let row = (|| Some((id?, scope?, category?, a?, b?, status?, c?, body)))().ok_or_else(bad)?;
                let (id, t) = super::parse_ticket(row)?;
                known.tickets.insert(id, t);
            }
            3 => {
                known.checkins.insert(id.ok_or_else(bad)?);
            }
            4 => {
                known.transitions.insert(id.ok_or_else(bad)?);
            }
            5 => facts.surveys.push(body.ok_or_else(bad)?),
            6 => facts.responses.push(body.ok_or_else(bad)?),
            7 => facts.ledger.push(body.ok_or_else(bad)?),
            8 => facts.reversals.push(body.ok_or_else(bad)?),
            9 => facts.heads.push(body.ok_or_else(bad)?),
            _ => return Err(RecordError::Corrupt(format!("state lookup row of unknown tag {tag}"))),
        }
    }
    facts.into_known(&mut known)?;
    Ok((prev, known))
}

/// The journal rows, the newest version of each event and the state of each
/// ticket the batch touched, in one statement (data-modifying CTEs); returns the
/// new entries. Sequence values are drawn in `ord` order, so sorted seqs line up
/// with the changes.
const WRITE: &str = "\
WITH j AS (INSERT INTO journal (kind, record_id, scope, body, ticket) \
    SELECT k, r, s, b, t FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(k, r, s, b, t, ord) ORDER BY ord \
    RETURNING seq), \
e AS (INSERT INTO events (id, body, seq) SELECT i, b, (SELECT MAX(seq) FROM j) FROM UNNEST($6::text[], $7::text[]) AS u(i, b) \
    ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, seq = EXCLUDED.seq), \
t AS (INSERT INTO tickets (id, scope, category, reported_at, deadline, status, last_at, holder) \
    SELECT * FROM UNNEST($8::text[], $9::text[], $10::text[], $11::int8[], $12::int8[], $13::text[], $14::int8[], $15::text[]) \
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, last_at = EXCLUDED.last_at, holder = EXCLUDED.holder) \
SELECT seq FROM j";

async fn write(tx: &mut PgConnection, verdicts: &[Verdict], known: &Known) -> Result<Vec<Entry>, RecordError> {
    let changes = super::accepted(verdicts);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let mut cols: [Vec<String>; 4] = Default::default();
    let mut about: Vec<Option<String>> = Vec::with_capacity(changes.len());
    for c in &changes {
        let row = super::journal_row(c)?;
        for (col, v) in cols.iter_mut().zip(row.cols) {
            col.push(v);
        }
        about.push(row.ticket);
    }
    let w = super::state_writes(verdicts, known);
    let event_ids: Vec<&str> = w.events.iter().map(|e| e.id.as_str()).collect();
    let event_bodies = w
        .events
        .iter()
        .map(|e| serde_json::to_string(e).map_err(|e| RecordError::Corrupt(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut t = TicketColumns::default();
    for (id, now) in &w.tickets {
        t.0.push(id);
        t.1.push(now.head.scope.as_str());
        t.2.push(&now.head.category);
        t.3.push(now.head.reported_at);
        t.4.push(now.head.deadline);
        t.5.push(now.status.as_str());
        t.6.push(now.last_at);
        t.7.push(now.holder.as_deref());
    }
    let mut seqs: Vec<(i64,)> = sqlx::query_as(WRITE)
        .bind(&cols[0])
        .bind(&cols[1])
        .bind(&cols[2])
        .bind(&cols[3])
        .bind(&about)
        .bind(&event_ids)
        .bind(&event_bodies)
        .bind(&t.0)
        .bind(&t.1)
        .bind(&t.2)
        .bind(&t.3)
        .bind(&t.4)
        .bind(&t.5)
        .bind(&t.6)
        .bind(&t.7)
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

/// `tickets` rows as column arrays for one `UNNEST` upsert.
#[derive(Default)]
struct TicketColumns<'a>(
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<i64>,
    Vec<i64>,
    Vec<&'a str>,
    Vec<i64>,
    Vec<Option<&'a str>>,
);

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

    async fn commit(&self, records: &[Record], deadlines: &Deadlines) -> Result<Commit, RecordError> {
        let mut conn = self.pool.acquire().await?;
        Self::locked_commit(&mut conn, records, deadlines).await
    }

    async fn journal(&self, after: i64, limit: i64) -> Result<Vec<Entry>, RecordError> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT seq, body FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|(seq, body)| super::parse_change(*seq, body)).collect()
    }

    /// Answers, and takes writes: a standby (after a failover that left the
    /// connections on the old primary) or a read-only default answers every
    /// read while refusing every record.
    async fn ping(&self) -> Result<(), RecordError> {
        let (writable,): (bool,) = sqlx::query_as("SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'")
            .fetch_one(&self.pool)
            .await?;
        if writable {
            Ok(())
        } else {
            Err(RecordError::Unavailable(sqlx::Error::Protocol(
                "PostgreSQL is read-only (a standby, or default_transaction_read_only): records cannot be committed".into(),
            )))
        }
    }

    async fn head(&self) -> Result<i64, RecordError> {
        let (head,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM journal")
            .fetch_one(&self.pool)
            .await?;
        Ok(head)
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
}

super::sql::sql_rows!(PgRecords, sqlx::Postgres, dollar, "now()");

fn dollar(i: usize) -> String {
    format!("${i}")
}
