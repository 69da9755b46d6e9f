//! The published contract: JSON Schemas (draft 2020-12) of every message a screen
//! receives, the dashboard inside them, every ingest payload and its answer, and the
//! per-theme dashboard definitions. Generated from the Rust types by
//! `cockpit schema`, committed under `dashboard-schema/v1/`; a test fails when the
//! committed files differ from what the code generates.

#![allow(dead_code)] // The types below exist to be described, not constructed.

use std::path::Path;

use schemars::{JsonSchema, schema_for};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dashboard::{Dashboard, Series};
use crate::domain::figures::Metric;
use crate::domain::scope::Scope;
use crate::hub::message::ScreenMessage;
use crate::tickets::{TicketDetail, TicketPage};

/// One record refused: its index in the batch, its id when it had one, the field at fault and why.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Rejection {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub field: &'static str,
    pub reason: String,
}

/// The answer to an ingest batch: how many records were accepted or duplicates, and each one refused.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct IngestReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: Vec<Rejection>,
}

/// One record or a batch of up to 10,000.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum Batch<T> {
    One(T),
    Many(#[schemars(length(min = 1, max = 10000))] Vec<T>),
}

/// `POST /api/v1/events`: the `id` names the event; re-posting it moves it.
#[derive(JsonSchema)]
pub struct EventIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    pub scope: Scope,
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub category: String,
    /// What kind of gathering: `lecture`, `activity`, `meeting`, `training`,
    /// `service`, … (absent: counted as `other`).
    #[serde(rename = "type")]
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub event_type: Option<String>,
    #[schemars(length(max = 200))]
    pub title: String,
    /// RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    pub starts_at: String,
    pub status: EventStatusIn,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatusIn {
    Scheduled,
    Held,
    Cancelled,
}

/// `POST /api/v1/attendance`: a check-in at an event already sent.
#[derive(JsonSchema)]
pub struct AttendanceIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    #[schemars(length(min = 1, max = 128))]
    pub event_id: String,
    pub scope: Scope,
    #[schemars(extend("format" = "date-time"))]
    pub at: String,
    /// Person-times; default 1.
    #[schemars(range(min = 1, max = 10000))]
    pub count: Option<i64>,
    /// Opaque id of the person, for unique attendees.
    #[schemars(length(max = 128))]
    pub person: Option<String>,
}

/// `POST /api/v1/tickets`: a report (上报).
#[derive(JsonSchema)]
pub struct TicketIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    pub scope: Scope,
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub category: String,
    #[schemars(extend("format" = "date-time"))]
    pub reported_at: String,
    #[schemars(length(max = 4000))]
    pub description: Option<String>,
    /// An address, or an object such as `{"lat": 29.5, "long": 106.6}` (≤ 1,000 bytes).
    pub location: Option<Value>,
}

/// `POST /api/v1/transitions`: a step of the ticket it names.
#[derive(JsonSchema)]
pub struct TransitionIn {
    #[schemars(length(min = 1, max = 128))]
    pub ticket_id: String,
    #[serde(flatten)]
    pub step: StepIn,
}

/// `POST /api/v1/tickets/{id}/transitions`: a step of the ticket in the URL.
#[derive(JsonSchema)]
pub struct TicketStepIn {
    /// May be left out; must match the URL when given.
    #[schemars(length(min = 1, max = 128))]
    pub ticket_id: Option<String>,
    #[serde(flatten)]
    pub step: StepIn,
}

/// What every step carries.
#[derive(JsonSchema)]
pub struct StepIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    pub to: StepTarget,
    #[schemars(extend("format" = "date-time"))]
    pub at: String,
    #[schemars(length(max = 128))]
    pub assignee: Option<String>,
    #[schemars(length(max = 2000))]
    pub note: Option<String>,
}

/// `POST /api/v1/surveys`: a survey's questions (never changed once defined).
#[derive(JsonSchema)]
pub struct SurveyIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    /// Residents anywhere under this scope may answer.
    pub scope: Scope,
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    #[schemars(length(min = 1, max = 50))]
    pub questions: Vec<QuestionIn>,
}

#[derive(JsonSchema)]
pub struct QuestionIn {
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub id: String,
    pub kind: crate::domain::survey::QuestionKind,
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    /// 2 to 20 option codes for single and multiple choice; none otherwise.
    pub options: Option<Vec<String>>,
}

/// `POST /api/v1/surveys/{id}/responses`: one resident's answers.
#[derive(JsonSchema)]
pub struct ResponseIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    /// Where the resident lives; left out for `satisfaction`, which takes its ticket's.
    pub scope: Option<Scope>,
    /// Required for the built-in `satisfaction` survey ("was it fixed?").
    pub ticket_id: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub at: String,
    /// By question id: an option (single), options (multiple), 1-5 (rating) or text.
    #[schemars(extend("minProperties" = 1, "maxProperties" = 50))]
    pub answers: std::collections::BTreeMap<String, Value>,
}

/// `POST /api/v1/ledger`: one public-revenue entry, in whole fen.
#[derive(JsonSchema)]
pub struct LedgerIn {
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    pub scope: Scope,
    #[schemars(extend("format" = "date-time"))]
    pub at: String,
    pub direction: crate::domain::ledger::Direction,
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub category: String,
    #[schemars(range(min = 1, max = 1_000_000_000_000_i64))]
    pub amount_fen: i64,
    #[schemars(length(min = 1, max = 200))]
    pub counterparty: String,
    #[schemars(length(max = 2000))]
    pub note: Option<String>,
    #[schemars(length(max = 128))]
    pub reference: Option<String>,
    /// The entry this one takes back (same scope, direction, category and amount).
    pub reverses: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepTarget {
    Dispatched,
    InProgress,
    Resolved,
    Closed,
    Reopened,
}

/// Which panels a theme's wall screen leads with, and what each shows.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeDefinition {
    #[schemars(regex(pattern = r"^[a-z-]{1,32}$"))]
    pub theme: String,
    pub name: Localized,
    /// The `id` of the panel shown largest.
    pub lead: String,
    #[schemars(length(min = 1))]
    pub panels: Vec<Panel>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    pub id: String,
    pub title: Localized,
    /// Dashboard figures the panel shows, by name.
    pub figures: Vec<Metric>,
    /// Ticket categories the panel highlights, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Which events the panel's event figures count (all when absent): the
    /// dashboard's `events_by_kind` rows of these categories and types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventFilter>,
}

/// Event categories and types, each list empty for "any".
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

/// Every schema of the contract, by file name.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let v = |s: schemars::Schema| s.to_value();
    vec![
        ("screen-message.json", v(schema_for!(ScreenMessage<'static, Dashboard>))),
        ("dashboard.json", v(schema_for!(Dashboard))),
        ("series.json", v(schema_for!(Series))),
        ("tickets-page.json", v(schema_for!(TicketPage))),
        ("ticket.json", v(schema_for!(TicketDetail))),
        ("map.json", v(schema_for!(crate::map::ScopeMap))),
        ("dictionary.json", v(schema_for!(crate::domain::dictionary::Names))),
        ("ingest-events.json", v(schema_for!(Batch<EventIn>))),
        ("ingest-attendance.json", v(schema_for!(Batch<AttendanceIn>))),
        ("ingest-tickets.json", v(schema_for!(Batch<TicketIn>))),
        ("ingest-transitions.json", v(schema_for!(Batch<TransitionIn>))),
        ("ingest-ticket-steps.json", v(schema_for!(Batch<TicketStepIn>))),
        ("ingest-response.json", v(schema_for!(IngestReport))),
        ("theme.json", v(schema_for!(ThemeDefinition))),
    ]
}

fn render(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Writes every schema into `dir`.
pub fn write(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, v) in schemas() {
        std::fs::write(dir.join(name), render(&v))?;
    }
    Ok(())
}

/// The files in `dir` that are missing or differ from what the code generates.
pub fn stale(dir: &Path) -> Vec<&'static str> {
    schemas()
        .into_iter()
        .filter(|(name, v)| std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(render(v).as_str()))
        .map(|(n, _)| n)
        .collect()
}

/// The theme definitions shipped in `dashboard-schema/themes/`, embedded.
pub const THEMES: &[(&str, &str)] = &[
    ("default", include_str!("../dashboard-schema/themes/default.json")),
    ("health", include_str!("../dashboard-schema/themes/health.json")),
    ("heritage", include_str!("../dashboard-schema/themes/heritage.json")),
    ("smart", include_str!("../dashboard-schema/themes/smart.json")),
    ("rule-of-law", include_str!("../dashboard-schema/themes/rule-of-law.json")),
    ("home", include_str!("../dashboard-schema/themes/home.json")),
];
