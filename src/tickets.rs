//! The tickets behind the numbers as the API answers them: a page of a
//! scope's tickets, and one ticket with its lineage and whole history, built
//! from the record store's ticket book and the scope registry.

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::decide::Change;
use crate::domain::scope::{Assignee, Scope};
use crate::domain::ticket::Status;
use crate::records::{Entry, StoredTicket};
use crate::registry::Registry;

/// The most a page holds.
pub const MAX_LIMIT: i64 = 500;
/// A page's size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 100;

/// A page of tickets.
#[derive(Serialize, schemars::JsonSchema)]
pub struct TicketPage {
    pub scope: Scope,
    /// `deadline` (the most overdue first) or `reported_at` (the newest first).
    pub order: &'static str,
    pub tickets: Vec<TicketView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A ticket as it stands.
#[derive(Serialize, schemars::JsonSchema)]
pub struct TicketView {
    pub ticket_id: String,
    /// The unit it was reported in (a grid), and that unit's name.
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_name: Option<String>,
    pub category: String,
    pub status: Status,
    pub description: String,
    /// RFC 3339.
    pub reported_at: String,
    pub deadline: String,
    /// Seconds past the deadline while open (negative: due in that many); absent once resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_seconds: Option<i64>,
    /// When its newest step happened.
    pub updated_at: String,
    /// Who holds it: the assignee of its newest dispatch, until the next or its close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_names: Option<Assignee>,
    /// Where, as reported (GeoJSON point or free form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<serde_json::Value>,
}

/// One ticket, where it is, and every step it took.
#[derive(Serialize, schemars::JsonSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    /// Its unit and every unit above it, nearest first.
    pub lineage: Vec<LineageStep>,
    /// The report, then every step and satisfaction response in the order recorded.
    pub history: Vec<HistoryStep>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct LineageStep {
    pub scope: Scope,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One entry of a ticket's history.
#[derive(Serialize, schemars::JsonSchema)]
pub struct HistoryStep {
    /// `report`, `transition` or `satisfaction`.
    pub kind: &'static str,
    /// The record's id (the ticket's own for the report).
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// The status it left, and the one it moved to (absent when it moved nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Recorded after a newer step: kept in the history, applied to nothing.
    pub late: bool,
    /// A satisfaction response's answer to "was it fixed".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<bool>,
}

pub fn step(e: &Entry) -> Option<HistoryStep> {
    match &e.change {
        Change::Transition {
            transition, from, late, ..
        } => Some(HistoryStep {
            kind: "transition",
            id: transition.id.clone(),
            at: rfc3339(transition.at),
            from: Some(*from).filter(|_| !late),
            to: Some(transition.to),
            assignee: transition.assignee.clone(),
            note: transition.note.clone(),
            late: *late,
            fixed: None,
        }),
        Change::Response {
            response, reopened_from, ..
        } => Some(HistoryStep {
            kind: "satisfaction",
            id: response.id.clone(),
            at: rfc3339(response.at),
            from: *reopened_from,
            to: reopened_from.map(|_| Status::Reopened),
            assignee: None,
            note: None,
            late: false,
            fixed: Some(response.fixed()),
        }),
        _ => None,
    }
}

pub fn view(registry: &Registry, t: &StoredTicket, now: i64) -> TicketView {
    TicketView {
        ticket_id: t.report.id.clone(),
        scope_name: registry.get(&t.report.scope).map(|i| i.name),
        scope: t.report.scope.clone(),
        category: t.report.category.clone(),
        status: t.status,
        description: t.report.description.clone(),
        reported_at: rfc3339(t.report.reported_at),
        deadline: rfc3339(t.deadline),
        overdue_seconds: t.status.is_open().then(|| (now - t.deadline).div_euclid(1000)),
        updated_at: rfc3339(t.last_at),
        holder_names: t.holder.as_deref().and_then(|h| registry.assignee(h)),
        holder: t.holder.clone(),
        location: t.report.location.clone(),
    }
}

pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}
