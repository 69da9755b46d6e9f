//! The ticket book: the read side of tickets as they stand (the `tickets` state
//! table beside the journal): listing and searching over a scope, one ticket
//! with its whole history, and who holds how many. Both record stores run the
//! same SQL, built here with their own placeholders; only values are bound,
//! never spliced.

use async_trait::async_trait;

use super::sql::{Sql, SqlRows, StoredTicketRow, like_escaped};
use super::{Entry, RecordError};
use crate::domain::decide::Change;
use crate::domain::record::TicketReport;
use crate::domain::scope::Scope;
use crate::domain::ticket::Status;

/// Reads of tickets as they stand, for people acting on them.
#[async_trait]
pub trait TicketBook: Send + Sync {
    /// Tickets matching `q`, in `q.order`, at most `q.limit`.
    async fn tickets(&self, q: &TicketQuery) -> Result<Vec<StoredTicket>, RecordError>;

    /// One ticket and every journal entry about it after its report (its steps,
    /// late ones included, and satisfaction responses), oldest first.
    async fn ticket(&self, id: &str) -> Result<Option<(StoredTicket, Vec<Entry>)>, RecordError>;

    /// Open tickets under `within` by holder: how many each holds and how many
    /// of those are past their deadline at `now`, busiest first, at most `limit`.
    async fn holders(&self, within: &Scope, now: i64, limit: i64) -> Result<Vec<HolderLoad>, RecordError>;
}

/// The ticket book, written once for every SQL store (`sql.rs`'s [`SqlRows`]
/// binds and runs what is built here).
#[async_trait]
impl<S: SqlRows> TicketBook for S {
    async fn tickets(&self, q: &TicketQuery) -> Result<Vec<StoredTicket>, RecordError> {
        stored_tickets(self.ticket_rows(q.sql(self.placeholder())).await?)
    }

    async fn ticket(&self, id: &str) -> Result<Option<(StoredTicket, Vec<Entry>)>, RecordError> {
        let q = TicketQuery {
            ids: vec![id.to_owned()],
            limit: 1,
            ..TicketQuery::default()
        };
        let Some(t) = self.tickets(&q).await?.pop() else {
            return Ok(None);
        };
        let rows = self.entry_rows(history_sql(id, self.placeholder())).await?;
        let steps = rows
            .iter()
            .map(|(seq, body)| super::parse_change(*seq, body))
            .collect::<Result<_, _>>()?;
        Ok(Some((t, steps)))
    }

    async fn holders(&self, within: &Scope, now: i64, limit: i64) -> Result<Vec<HolderLoad>, RecordError> {
        let rows = self.holder_rows(holders_sql(within, now, limit, self.placeholder())).await?;
        Ok(rows
            .into_iter()
            .map(|(holder, open, overdue)| HolderLoad { holder, open, overdue })
            .collect())
    }
}

/// How a listing is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TicketOrder {
    /// Newest report first.
    #[default]
    Reported,
    /// Earliest deadline first: the most overdue lead.
    Deadline,
}

/// Where the previous page ended: the last ticket's sort key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    pub key: i64,
    pub id: String,
}

/// Which tickets to list (all conditions must hold; empty lists mean "any").
#[derive(Clone, Debug, Default)]
pub struct TicketQuery {
    /// The scope and everything under it.
    pub within: Option<Scope>,
    pub ids: Vec<String>,
    pub categories: Vec<String>,
    pub statuses: Vec<Status>,
    /// Held by one of these.
    pub holders: Vec<String>,
    /// Reported at or after (ms).
    pub from: Option<i64>,
    /// Reported before (ms).
    pub until: Option<i64>,
    /// Open with a deadline before this (ms): overdue at that time.
    pub deadline_before: Option<i64>,
    /// Open with a deadline at or after this (ms).
    pub deadline_from: Option<i64>,
    /// An id prefix, or a prefix of the description.
    pub text: Option<String>,
    pub order: TicketOrder,
    pub after: Option<After>,
    pub limit: i64,
}

/// A ticket as stored: its report, current status, holder and newest step time.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredTicket {
    pub report: TicketReport,
    pub deadline: i64,
    pub status: Status,
    pub last_at: i64,
    pub holder: Option<String>,
}

impl StoredTicket {
    /// The position a page ending with this ticket continues from.
    pub fn after(&self, order: TicketOrder) -> After {
        let key = match order {
            TicketOrder::Reported => self.report.reported_at,
            TicketOrder::Deadline => self.deadline,
        };
        After {
            key,
            id: self.report.id.clone(),
        }
    }
}

/// One holder's open caseload under a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderLoad {
    pub holder: String,
    pub open: i64,
    pub overdue: i64,
}

/// The open statuses as SQL literals, word for word the predicate of the partial
/// index `tickets_open`, so both databases use it.
const OPEN: &str = "t.status IN ('reported', 'dispatched', 'in_progress', 'reopened')";

impl TicketQuery {
    /// The listing's SQL for a database with the given placeholders.
    pub(crate) fn sql(&self, placeholder: fn(usize) -> String) -> Sql {
        let mut sql = Sql::new(placeholder);
        let mut wh: Vec<String> = Vec::new();
        if let Some(s) = &self.within {
            wh.push(sql.within("t.scope", s));
        }
        if !self.ids.is_empty() {
            wh.push(sql.any("t.id", &self.ids.iter().map(String::as_str).collect::<Vec<_>>()));
        }
        if !self.categories.is_empty() {
            wh.push(sql.any("t.category", &self.categories.iter().map(String::as_str).collect::<Vec<_>>()));
        }
        if !self.statuses.is_empty() {
            wh.push(sql.any("t.status", &self.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        }
        if !self.holders.is_empty() {
            wh.push(sql.any("t.holder", &self.holders.iter().map(String::as_str).collect::<Vec<_>>()));
        }
        if let Some(v) = self.from {
            wh.push(format!("t.reported_at >= {}", sql.int(v)));
        }
        if let Some(v) = self.until {
            wh.push(format!("t.reported_at < {}", sql.int(v)));
        }
        let open_only = self.deadline_before.is_some() || self.deadline_from.is_some() || self.only_open();
        if open_only {
            wh.push(OPEN.to_owned());
        }
        if let Some(v) = self.deadline_before {
            wh.push(format!("t.deadline < {}", sql.int(v)));
        }
        if let Some(v) = self.deadline_from {
            wh.push(format!("t.deadline >= {}", sql.int(v)));
        }
        if let Some(q) = &self.text {
            wh.push(text_match(&mut sql, q));
        }
        let (key, order) = match self.order {
            TicketOrder::Reported => ("t.reported_at", "t.reported_at DESC, t.id"),
            TicketOrder::Deadline => ("t.deadline", "t.deadline, t.id"),
        };
        if let Some(a) = &self.after {
            wh.push(match self.order {
                // A row comparison starts the index scan at the cursor; the
                // spelled-out OR made every page read and drop all pages before it.
                TicketOrder::Deadline => {
                    let (k, id) = (sql.int(a.key), sql.text(&a.id));
                    format!("({key}, t.id) > ({k}, {id})")
                }
                // Newest first, then ids ascending: the columns run opposite ways.
                TicketOrder::Reported => {
                    let (k1, k2, id) = (sql.int(a.key), sql.int(a.key), sql.text(&a.id));
                    format!("({key} < {k1} OR ({key} = {k2} AND t.id > {id}))")
                }
            });
        }
        let limit = sql.int(self.limit);
        // `j.kind <> 'event'` repeats journal_once's condition so SQLite uses it.
        wh.push("j.kind = 'ticket' AND j.kind <> 'event' AND j.record_id = t.id".to_owned());
        // CROSS JOIN: SQLite then walks `tickets` (by the scope, open or
        // order index) and looks each report up, instead of scanning every
        // report first; PostgreSQL plans it as the inner join it is.
        sql.text = format!(
            "SELECT t.status, t.last_at, j.body, t.deadline, t.id, t.holder FROM tickets t CROSS JOIN journal j \
             WHERE {} ORDER BY {order} LIMIT {limit}",
            wh.join(" AND ")
        );
        sql
    }

    /// Whether the statuses asked for are all open ones (the open index then serves).
    fn only_open(&self) -> bool {
        !self.statuses.is_empty() && self.statuses.iter().all(|s| s.is_open())
    }
}

/// An id starting with `q`, or a description starting with it. The journal body
/// is serde's compact JSON, so a description starting with `q` appears in it as
/// `"description":` followed by `q` encoded as a JSON string without its closing quote.
fn text_match(sql: &mut Sql, q: &str) -> String {
    let id = sql.text(&format!("{}%", like_escaped(q)));
    let encoded = serde_json::to_string(q).unwrap_or_default();
    let open = encoded.strip_suffix('"').unwrap_or(&encoded);
    let desc = sql.text(&format!("%\"description\":{}%", like_escaped(open)));
    format!("(t.id LIKE {id} ESCAPE '!' OR j.body LIKE {desc} ESCAPE '!')")
}

/// The caseload of open tickets by holder under a scope. Overdue as the aggregates
/// count it (a deadline at or before `now`), so a kept caseload agrees with the
/// overdue count it is checked against.
fn holders_sql(within: &Scope, now: i64, limit: i64, placeholder: fn(usize) -> String) -> Sql {
    let mut sql = Sql::new(placeholder);
    let scope = sql.within("t.scope", within);
    let now = sql.int(now);
    let limit = sql.int(limit);
    sql.text = format!(
        "SELECT t.holder, COUNT(*), SUM(CASE WHEN t.deadline <= {now} THEN 1 ELSE 0 END) FROM tickets t \
         WHERE {OPEN} AND t.holder IS NOT NULL AND {scope} GROUP BY t.holder ORDER BY 2 DESC, 1 LIMIT {limit}"
    );
    sql
}

/// One ticket's journal entries after its report, oldest first.
fn history_sql(id: &str, placeholder: fn(usize) -> String) -> Sql {
    let mut sql = Sql::new(placeholder);
    let id = sql.text(id);
    sql.text = format!("SELECT seq, body FROM journal WHERE ticket = {id} ORDER BY seq");
    sql
}

fn stored_tickets(rows: Vec<StoredTicketRow>) -> Result<Vec<StoredTicket>, RecordError> {
    rows.into_iter()
        .map(|(status, last_at, body, deadline, id, holder)| {
            let Change::Ticket { ticket, .. } =
                serde_json::from_str(&body).map_err(|e| RecordError::Corrupt(format!("ticket {id}: {e}")))?
            else {
                return Err(RecordError::Corrupt(format!("ticket {id}: journal entry is not a report")));
            };
            let status = Status::ALL
                .into_iter()
                .find(|s| s.as_str() == status)
                .ok_or_else(|| RecordError::Corrupt(format!("ticket {id}: status")))?;
            Ok(StoredTicket {
                report: ticket,
                deadline,
                status,
                last_at,
                holder,
            })
        })
        .collect()
}

/// The ticket a journal entry is about, for its `ticket` column (steps and
/// satisfaction responses; a report is found by its own id).
pub(crate) fn ticket_of(change: &Change) -> Option<&str> {
    match change {
        Change::Transition { transition, .. } => Some(&transition.ticket_id),
        Change::Response { response, .. } => response.ticket_id.as_deref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::sql::Bind;

    fn pg(i: usize) -> String {
        format!("${i}")
    }

    #[test]
    fn only_values_are_bound_and_placeholders_count_up() {
        let q = TicketQuery {
            within: Scope::parse("nanan.x").ok(),
            categories: vec!["a".into(), "b'; DROP".into()],
            text: Some("50%_off".into()),
            order: TicketOrder::Deadline,
            after: Some(After { key: 5, id: "t9".into() }),
            limit: 10,
            ..TicketQuery::default()
        };
        let sql = q.sql(pg);
        assert!(!sql.text.contains("DROP"), "{}", sql.text);
        assert!(sql.text.contains("$10"), "{}", sql.text);
        assert_eq!(sql.binds.len(), 10);
        assert_eq!(sql.binds[1], Bind::Text("nanan.x.".into()));
        assert_eq!(sql.binds[2], Bind::Text("nanan.x/".into()));
        assert_eq!(sql.binds[5], Bind::Text("50!%!_off%".into()));
        assert!(sql.text.contains("(t.deadline, t.id) > ($8, $9)"), "{}", sql.text);
        assert!(sql.text.ends_with("ORDER BY t.deadline, t.id LIMIT $10"), "{}", sql.text);
    }

    #[test]
    fn overdue_listings_use_the_open_index_predicate() {
        let q = TicketQuery {
            deadline_before: Some(1),
            limit: 1,
            ..TicketQuery::default()
        };
        assert!(q.sql(pg).text.contains(OPEN));
        let all = TicketQuery {
            limit: 1,
            ..TicketQuery::default()
        };
        assert!(!all.sql(pg).text.contains(OPEN));
    }

    #[test]
    fn a_description_prefix_matches_its_json_encoding() {
        let mut sql = Sql::new(pg);
        text_match(&mut sql, "路灯\"坏");
        assert_eq!(sql.binds[1], Bind::Text("%\"description\":\"路灯\\\"坏%".into()));
    }
}
