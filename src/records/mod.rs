//! The record store: the durable truth. PostgreSQL in production, SQLite when
//! embedded. Every accepted record is committed here before it is acknowledged,
//! as an entry of an append-only journal whose `seq` orders all changes; the
//! aggregates are a projection of that journal and can always be rebuilt from it.

mod archive;
mod decode;
mod migrations;
pub mod postgres;
mod sql;
pub mod sqlite;
pub mod tickets;

pub use tickets::{After, HolderLoad, StoredTicket, TicketBook, TicketOrder, TicketQuery};

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;

pub use crate::domain::decide::Deadlines;
use crate::domain::decide::{Change, Known, TicketHead, TicketNow, Verdict};
use crate::domain::key::ApiKey;
use crate::domain::ledger::{Chained, Head};
use crate::domain::record::{Event, Kind, Record};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::domain::ticket::Status;

/// Failure of the record backend.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("record store unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// The database refused a value (a data exception, a size limit): the
    /// fault lies in what was sent, not in the database, and retrying the same
    /// data fails the same way.
    #[error("the record store refused a value: {0}")]
    Refused(String),
    #[error("record store migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("record store holds a row it cannot read: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for RecordError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if refuses_data(db.code().as_deref()) => RecordError::Refused(db.message().to_owned()),
            sqlx::Error::Encode(why) => RecordError::Refused(why.to_string()),
            _ => RecordError::Unavailable(e),
        }
    }
}

/// Error codes that blame the data: PostgreSQL's SQLSTATE classes 22 (data
/// exception, e.g. a NUL in text) and 54 (a program limit, e.g. an index row
/// too large); SQLite's SQLITE_TOOBIG (18) and SQLITE_MISMATCH (20).
fn refuses_data(code: Option<&str>) -> bool {
    code.is_some_and(|c| c.starts_with("22") || c.starts_with("54") || c == "18" || c == "20")
}

/// One committed journal entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub seq: i64,
    pub change: Change,
}

/// What one commit decided and wrote.
#[derive(Debug)]
pub struct Commit {
    /// One per record, in order.
    pub verdicts: Vec<Verdict>,
    /// The journal position just before `entries` (the newest position when
    /// `entries` is empty: the caller may catch the aggregates up to it).
    pub prev: i64,
    /// The accepted changes as journal entries, oldest first.
    pub entries: Vec<Entry>,
}

/// The durable record of every accepted change.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), RecordError>;

    async fn scopes(&self) -> Result<Vec<ScopeInfo>, RecordError>;

    /// Registers or renames scopes (parents are checked by the caller).
    async fn put_scopes(&self, scopes: &[ScopeInfo]) -> Result<(), RecordError>;

    /// Decides every record against the stored state and commits the accepted
    /// ones in one transaction. Writers are serialised (across instances too), so
    /// each commit's `prev` is the previous commit's last entry.
    async fn commit(&self, records: &[Record], deadlines: &Deadlines) -> Result<Commit, RecordError>;

    /// Journal entries after position `after`, oldest first, at most `limit`.
    async fn journal(&self, after: i64, limit: i64) -> Result<Vec<Entry>, RecordError>;

    async fn ping(&self) -> Result<(), RecordError>;

    /// The journal's newest position (0 when empty).
    async fn head(&self) -> Result<i64, RecordError>;

    /// Journal entries of one kind in a scope (or under it), oldest first: a
    /// ledger's chain, a scope's surveys, a survey's responses.
    async fn entries(&self, q: &EntryQuery) -> Result<Vec<Entry>, RecordError>;
}

/// Ingest API keys, kept beside the journal (same database, not journal entries).
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores a new API key (its hash, never its secret).
    async fn put_key(&self, key: &ApiKey) -> Result<(), RecordError>;

    /// Revokes a key; false when there is no such key.
    async fn revoke_key(&self, id: &str) -> Result<bool, RecordError>;

    /// Every key, revoked ones included.
    async fn keys(&self) -> Result<Vec<ApiKey>, RecordError>;
}

/// Alert rules defined through the admin API, kept beside the journal.
#[async_trait]
pub trait RuleStore: Send + Sync {
    /// Stores (or replaces) an alert rule, as its JSON spec.
    async fn put_alert_rule(&self, id: &str, body: &str) -> Result<(), RecordError>;

    /// Deletes an alert rule; false when there is none with this id.
    async fn delete_alert_rule(&self, id: &str) -> Result<bool, RecordError>;

    /// Every stored alert rule as `(id, JSON spec)`, by id.
    async fn alert_rules(&self) -> Result<Vec<(String, String)>, RecordError>;
}

/// Which journal entries [`RecordStore::entries`] returns.
#[derive(Clone, Debug)]
pub struct EntryQuery {
    pub kind: Kind,
    pub scope: Scope,
    /// Also entries of scopes under `scope`.
    pub subtree: bool,
    /// Only entries after this journal position.
    pub after: i64,
    pub limit: i64,
}

impl EntryQuery {
    /// The SQL both stores run (only an enum's name is spliced in, never input):
    /// the kind is a literal so the partial index
    /// `journal_once` applies (see `load_known`), binds are scope, subtree,
    /// subtree pattern, after and limit.
    fn sql(&self, placeholder: impl Fn(usize) -> String) -> String {
        let p = |i| placeholder(i);
        format!(
            "SELECT seq, body FROM journal WHERE kind = '{}' AND kind <> 'event' {} \
             AND (scope = {} OR ({} AND scope LIKE {})) AND seq > {} ORDER BY seq LIMIT {}",
            self.kind.as_str(),
            // Repeated word for word so both databases use the partial index `journal_read_back`.
            match self.kind {
                Kind::Survey | Kind::Response | Kind::Ledger => "AND kind IN ('survey', 'response', 'ledger')",
                _ => "",
            },
            p(1),
            p(2),
            p(3),
            p(4),
            p(5)
        )
    }

    fn pattern(&self) -> String {
        format!("{}.%", self.scope)
    }
}

/// Visits the entries `q` selects, from `q.after` on, reading `q.limit` at a time,
/// until `visit` answers false or the journal ends; true when it ended.
pub async fn walk_entries(store: &dyn RecordStore, mut q: EntryQuery, mut visit: impl FnMut(Entry) -> bool) -> Result<bool, RecordError> {
    loop {
        let page = store.entries(&q).await?;
        let ended = (page.len() as i64) < q.limit;
        for e in page {
            q.after = e.seq;
            if !visit(e) {
                return Ok(false);
            }
        }
        if ended {
            return Ok(true);
        }
    }
}

/// What a batch of the newer kinds needs to know, read as journal bodies:
/// surveys, responses and ledger entries by id, reversals in the batch's ledger
/// scopes, and each of those scopes' newest entry (its chain head).
#[derive(Default)]
pub(crate) struct JournalFacts {
    pub surveys: Vec<String>,
    pub responses: Vec<String>,
    pub ledger: Vec<String>,
    pub reversals: Vec<String>,
    pub heads: Vec<String>,
}

impl JournalFacts {
    pub(crate) fn into_known(self, known: &mut Known) -> Result<(), RecordError> {
        for body in self.surveys {
            if let Change::Survey { survey } = parse_body(&body)? {
                known.surveys.insert(survey.id.clone(), survey);
            }
        }
        for body in self.responses {
            if let Change::Response { response, .. } = parse_body(&body)? {
                known.responses.insert(response.id.clone(), response);
            }
        }
        for body in self.ledger {
            let c = chained(&body)?;
            known.ledger.insert(c.entry.id.clone(), c.entry);
        }
        for body in self.reversals {
            known.reversed.extend(chained(&body)?.entry.reverses);
        }
        for body in self.heads {
            let c = chained(&body)?;
            known.ledger_heads.insert(c.entry.scope.clone(), Head { n: c.n, hash: c.hash });
        }
        Ok(())
    }
}

fn parse_body(body: &str) -> Result<Change, RecordError> {
    serde_json::from_str(body).map_err(|e| RecordError::Corrupt(format!("journal body: {e}")))
}

fn chained(body: &str) -> Result<Chained, RecordError> {
    match parse_body(body)? {
        Change::Ledger { chained } => Ok(*chained),
        other => Err(RecordError::Corrupt(format!("{} is not a ledger entry", other.record_id()))),
    }
}

/// An `api_keys` row as read back.
pub(crate) type KeyRow = (String, String, String, String, bool);

/// Turns `(id, name, theme)` rows into scope infos.
pub(crate) type ScopeRow = (String, String, Option<String>, Option<i64>);

pub(crate) fn scope_rows(rows: Vec<ScopeRow>) -> Result<Vec<ScopeInfo>, RecordError> {
    rows.into_iter()
        .map(|(id, name, theme, households)| {
            Ok(ScopeInfo {
                id: Scope::parse(&id).map_err(RecordError::Corrupt)?,
                name,
                theme,
                households,
            })
        })
        .collect()
}

pub(crate) fn key_rows(rows: Vec<KeyRow>) -> Result<Vec<ApiKey>, RecordError> {
    rows.into_iter()
        .map(|(id, scope, label, hash, revoked)| {
            Ok(ApiKey {
                id,
                scope: Scope::parse(&scope).map_err(RecordError::Corrupt)?,
                label,
                hash,
                revoked,
            })
        })
        .collect()
}

/// Columns of a journal row for a change: kind, record id, scope, JSON body,
/// and the ticket it is about (for a ticket's history).
pub(crate) struct JournalRow {
    pub cols: [String; 4],
    pub ticket: Option<String>,
}

pub(crate) fn journal_row(change: &Change) -> Result<JournalRow, RecordError> {
    let body = serde_json::to_string(change).map_err(|e| RecordError::Corrupt(e.to_string()))?;
    Ok(JournalRow {
        cols: [
            change.kind().as_str().to_owned(),
            change.record_id().to_owned(),
            change.scope().to_string(),
            body,
        ],
        ticket: tickets::ticket_of(change).map(str::to_owned),
    })
}

pub(crate) fn parse_change(seq: i64, body: &str) -> Result<Entry, RecordError> {
    decode::change(body)
        .map(|change| Entry { seq, change })
        .map_err(|e| RecordError::Corrupt(format!("journal {seq}: {e}")))
}

pub(crate) fn parse_event(body: &str) -> Result<Event, RecordError> {
    serde_json::from_str(body).map_err(|e| RecordError::Corrupt(format!("event: {e}")))
}

/// A `tickets` row as read back.
pub(crate) type TicketRow = (String, String, String, i64, i64, String, i64, Option<String>);

pub(crate) fn parse_ticket(row: TicketRow) -> Result<(String, TicketNow), RecordError> {
    let (id, scope, category, reported_at, deadline, status, last_at, holder) = row;
    let scope = Scope::parse(&scope).map_err(RecordError::Corrupt)?;
    let status = Status::ALL
        .into_iter()
        .find(|s| s.as_str() == status)
        .ok_or_else(|| RecordError::Corrupt(format!("ticket {id}: status {status}")))?;
    Ok((
        id,
        TicketNow {
            head: TicketHead {
                scope,
                category,
                reported_at,
                deadline,
            },
            status,
            last_at,
            holder,
        },
    ))
}

/// What a commit must write besides the journal: the newest version of each
/// event and the current state of each ticket the batch touched.
pub(crate) struct StateWrites<'a> {
    pub events: Vec<&'a Event>,
    pub tickets: Vec<(&'a String, &'a TicketNow)>,
}

pub(crate) fn state_writes<'a>(verdicts: &'a [Verdict], known: &'a Known) -> StateWrites<'a> {
    let mut events: HashMap<&str, &Event> = HashMap::new();
    let mut tickets: HashSet<&str> = HashSet::new();
    for v in verdicts {
        match v {
            Verdict::Accepted(Change::Event { event, .. }) => {
                events.insert(&event.id, event);
            }
            Verdict::Accepted(Change::Ticket { ticket, .. }) => {
                tickets.insert(&ticket.id);
            }
            Verdict::Accepted(Change::Transition {
                transition, late: false, ..
            }) => {
                tickets.insert(&transition.ticket_id);
            }
            Verdict::Accepted(Change::Response {
                response,
                reopened_from: Some(_),
                ..
            }) => {
                tickets.extend(response.ticket_id.as_deref());
            }
            _ => {}
        }
    }
    StateWrites {
        events: events.into_values().collect(),
        tickets: known.tickets.iter().filter(|(id, _)| tickets.contains(id.as_str())).collect(),
    }
}

/// The accepted changes of a decided batch, in order.
pub(crate) fn accepted(verdicts: &[Verdict]) -> Vec<&Change> {
    verdicts
        .iter()
        .filter_map(|v| if let Verdict::Accepted(c) = v { Some(c) } else { None })
        .collect()
}
