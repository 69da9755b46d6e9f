//! `POST /api/v1/{events,attendance,tickets,transitions}` and
//! `POST /api/v1/tickets/{id}/transitions`: one object or an array of records.
//!
//! Good records in a batch land even when others are rejected. The answer is 200
//! when nothing was rejected, 422 otherwise; both carry the same report:
//! `{accepted, duplicates, rejected: [{index, id, field, reason}]}`.

use super::routes::Endpoint;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use super::AppState;
use super::openapi::{At, Doc, param};
use crate::contract::{AttendanceIn, Batch, EventIn, IngestReport, Rejection, TicketIn, TicketStepIn, TransitionIn};
use crate::domain::decide::Verdict;
use crate::domain::dictionary::Vocabulary;
use crate::domain::record::{FieldError, Kind, Record};
use crate::domain::scope::Scope;
use crate::error::ApiError;
use crate::ingest::IngestError;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::post("/api/v1/events", |s, r, b| ingest(s, r, b, Kind::Event, None))
            .about(|d, at| describe::<EventIn>(d, at, "Send events; re-posting an id moves its status", vec![])),
        Endpoint::post("/api/v1/attendance", |s, r, b| ingest(s, r, b, Kind::Attendance, None))
            .about(|d, at| describe::<AttendanceIn>(d, at, "Send check-ins", vec![])),
        Endpoint::post("/api/v1/tickets", |s, r, b| ingest(s, r, b, Kind::Ticket, None))
            .about(|d, at| describe::<TicketIn>(d, at, "Report tickets (上报)", vec![])),
        Endpoint::post("/api/v1/transitions", |s, r, b| ingest(s, r, b, Kind::Transition, None)).about(|d, at| {
            let summary = "Move tickets through the closed loop (each record names its ticket_id)";
            describe::<TransitionIn>(d, at, summary, vec![])
        }),
        Endpoint::post("/api/v1/tickets/{id}/transitions", transitions_of).about(|d, at| {
            let id = param("id", "path", true, json!({"type": "string"}), "The ticket");
            describe::<TicketStepIn>(d, at, "Move one ticket through the closed loop", vec![id])
        }),
    ]
}

/// Describes an ingest endpoint taking a batch of `T`.
pub fn describe<T: JsonSchema>(d: &mut Doc, at: At, summary: &str, params: Vec<Value>) {
    let body = d.schema::<Batch<T>>();
    let report = d.schema::<IngestReport>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every record accepted or a duplicate", report.clone()));
    let some = "Some records rejected (listed by index and field); the others were processed";
    r.insert("422".into(), d.json(some, report));
    r.extend(d.errors(&[
        ("400", "Not JSON, not an object or array, or empty"),
        ("413", "More records than max_batch"),
        ("503", "The record store is unavailable; nothing was acknowledged"),
    ]));
    d.op(at, "ingest", summary, "ingestKey", params, Some(body), r);
}

async fn transitions_of(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Bytes,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    ingest(state, req, body, Kind::Transition, Some(path.into_inner())).await
}

/// Ingests one object or an array of `kind` records; `parent` is the ticket or
/// survey the URL names.
pub(super) async fn ingest(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Bytes,
    kind: Kind,
    parent: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let writer = state.access.writer(&req).await?;
    let items = elements(&body, state.settings.max_batch)?;
    let now = jiff::Timestamp::now().as_millisecond();
    let mut report = IngestReport::default();
    let mut valid = Vec::with_capacity(items.len());
    let mut positions = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if let Err(e) = no_nul(item) {
            report.rejected.push(rejection(index, item, e));
            continue;
        }
        match check(&state, writer.as_ref(), kind, item, parent.as_deref(), now).await {
            Ok(r) => {
                valid.push(r);
                positions.push(index);
            }
            Err(e) => report.rejected.push(rejection(index, item, e)),
        }
    }
    let verdicts = state.ingest.submit(valid).await.map_err(|e| match e {
        IngestError::Records(r) => ApiError::RecordsDown(r.to_string()),
        IngestError::Stopped => ApiError::Internal("ingest writer stopped".into()),
    })?;
    for (v, index) in verdicts.into_iter().zip(positions) {
        match v {
            Verdict::Accepted(_) => report.accepted += 1,
            Verdict::Duplicate => report.duplicates += 1,
            Verdict::Rejected(e) => report.rejected.push(rejection(index, &items[index], e)),
        }
    }
    report.rejected.sort_by_key(|r| r.index);
    count(&state, kind, &report);
    if report.rejected.is_empty() {
        return Ok(HttpResponse::Ok().json(report));
    }
    report.code = Some("rejected_records");
    report.message = Some(format!(
        "{} of {} records were rejected (see `rejected`); the others were processed",
        report.rejected.len(),
        items.len()
    ));
    Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).json(report))
}

/// The body as a list of JSON elements: one object, or an array of at most `max`.
fn elements(body: &[u8], max: usize) -> Result<Vec<Value>, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| ApiError::bad("invalid_json", format!("the body is not valid JSON: {e}")))?;
    match v {
        Value::Array(items) if items.len() > max => Err(ApiError::TooLarge(format!(
            "a batch may hold at most {max} records, this one has {}",
            items.len()
        ))),
        Value::Array(items) if items.is_empty() => Err(ApiError::bad("empty_batch", "the batch is empty")),
        Value::Array(items) => Ok(items),
        Value::Object(_) => Ok(vec![v]),
        _ => Err(ApiError::bad(
            "invalid_body",
            "the body must be a JSON object or an array of objects",
        )),
    }
}

/// Parses one element, checks its scope is registered and that the sender's key
/// may write there (a step's ticket is checked when it is decided).
async fn check(
    state: &AppState,
    writer: Option<&Scope>,
    kind: Kind,
    item: &Value,
    parent: Option<&str>,
    now: i64,
) -> Result<Record, FieldError> {
    let mut record = Record::parse(kind, item, parent, now)?;
    if let Some(scope) = record.scope() {
        if state.registry.find(scope).await.is_none() {
            return Err(FieldError::new("scope", format!("{scope} is not a registered scope")));
        }
        if let Some(w) = writer
            && !scope.is_within(w)
        {
            return Err(FieldError::new("scope", format!("{scope} is outside this API key's scope {w}")));
        }
    }
    match &mut record {
        Record::Transition(t) => t.within = writer.cloned(),
        Record::Response(r) => r.within = writer.cloned(),
        _ => {}
    }
    count_unknown_codes(state, &record);
    Ok(record)
}

/// Codes are free (an unknown one is kept and shown as itself), but each
/// record carrying one the dictionary does not name is counted, so an operator
/// sees which names to add.
fn count_unknown_codes(state: &AppState, record: &Record) {
    let codes: Vec<(Vocabulary, &str)> = match record {
        Record::Ticket(t) => vec![(Vocabulary::TicketCategory, &t.category)],
        Record::Event(e) => {
            let mut v = vec![(Vocabulary::EventCategory, e.category.as_str())];
            v.extend(e.event_type.as_deref().map(|t| (Vocabulary::EventType, t)));
            v
        }
        Record::Ledger(l) => vec![(Vocabulary::LedgerCategory, &l.category)],
        _ => Vec::new(),
    };
    for (v, code) in codes {
        if !state.registry.knows(v, code) {
            state.metrics.unknown_codes.with_label_values(&[v.as_str()]).inc();
        }
    }
}

/// No string anywhere in a record may hold NUL: no store keeps it in text, and a
/// value one store refuses must be refused here, the same on every backend.
fn no_nul(item: &Value) -> Result<(), FieldError> {
    fn find(v: &Value, path: &mut String) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(a) => a.iter().enumerate().any(|(i, x)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = find(x, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Object(m) => m.iter().any(|(k, x)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = k.contains('\0') || find(x, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    if !find(item, &mut path) {
        return Ok(());
    }
    let top = path.split(['.', '[']).next().unwrap_or("");
    let field = FIELDS.iter().find(|f| **f == top).copied().unwrap_or("(record)");
    Err(FieldError::new(
        field,
        format!("`{path}` holds a NUL character (\\u0000), which no record may contain"),
    ))
}

/// Field names of every record kind, so a rejection can name the field.
const FIELDS: &[&str] = &[
    "id",
    "scope",
    "category",
    "type",
    "title",
    "starts_at",
    "status",
    "event_id",
    "at",
    "count",
    "person",
    "reported_at",
    "description",
    "location",
    "ticket_id",
    "to",
    "assignee",
    "note",
    "survey_id",
    "questions",
    "answers",
    "household",
    "amount_fen",
    "direction",
    "payer",
    "payee",
    "reverses",
    "voucher",
    "title_en",
    "closes_at",
    "opens_at",
];

fn rejection(index: usize, item: &Value, e: FieldError) -> Rejection {
    let id = item.get("id").and_then(Value::as_str).map(|s| s.chars().take(128).collect());
    Rejection {
        index,
        id,
        field: e.field,
        reason: e.reason,
    }
}

fn count(state: &AppState, kind: Kind, r: &IngestReport) {
    let c = &state.metrics.records;
    c.with_label_values(&[kind.as_str(), "accepted"]).inc_by(r.accepted as u64);
    c.with_label_values(&[kind.as_str(), "duplicate"]).inc_by(r.duplicates as u64);
    c.with_label_values(&[kind.as_str(), "rejected"]).inc_by(r.rejected.len() as u64);
}
