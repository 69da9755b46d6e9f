//! The four kinds of record integrators send, parsed field by field from JSON so
//! that a bad record is rejected with the exact field and reason, never a 500.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::field::{FieldError, parse_rfc3339};
use super::field::{Fields, SKEW_MS};
use super::ledger::LedgerEntry;
use super::scope::Scope;
use super::survey::{Response, Survey};
use super::ticket::Status;

/// How far ahead an event may be scheduled.
const SCHEDULE_AHEAD_MS: i64 = 2 * 366 * 24 * 3600 * 1000;

/// Which endpoint a record came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Event,
    Attendance,
    Ticket,
    Transition,
    Survey,
    Response,
    Ledger,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Event,
        Kind::Attendance,
        Kind::Ticket,
        Kind::Transition,
        Kind::Survey,
        Kind::Response,
        Kind::Ledger,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Event => "event",
            Kind::Attendance => "attendance",
            Kind::Ticket => "ticket",
            Kind::Transition => "transition",
            Kind::Survey => "survey",
            Kind::Response => "response",
            Kind::Ledger => "ledger",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Scheduled,
    Held,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Held => "held",
            EventStatus::Cancelled => "cancelled",
        }
    }
}

/// A community event (活动); its `id` names it, so re-posting moves its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub scope: Scope,
    pub category: String,
    /// What kind of gathering (`lecture`, `activity`, `meeting`, `training`,
    /// `service`, …: a code of the dictionary); none counts as `other`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    pub title: String,
    pub starts_at: i64,
    pub status: EventStatus,
}

/// An event's category and type: what its figures are broken down by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventKind {
    pub category: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
}

impl EventKind {
    /// The type a record without one counts under.
    pub const OTHER: &'static str = "other";

    pub fn of(event: &Event) -> EventKind {
        EventKind {
            category: event.category.clone(),
            event_type: event.event_type.clone(),
        }
    }

    pub fn type_code(&self) -> &str {
        self.event_type.as_deref().unwrap_or(Self::OTHER)
    }
}

/// A check-in at an event: `count` person-times, optionally by an opaque `person`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub id: String,
    pub event_id: String,
    pub scope: Scope,
    pub at: i64,
    pub count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// A resident's problem as first reported (上报).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketReport {
    pub id: String,
    pub scope: Scope,
    pub category: String,
    pub reported_at: i64,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
}

/// One step of a ticket's closed loop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub id: String,
    pub ticket_id: String,
    pub to: Status,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The scope the sender's API key may write under, checked against the
    /// ticket's scope when the step is decided. Set at the edge; never stored.
    #[serde(skip)]
    pub within: Option<Scope>,
}

/// Any record, as accepted by the ingest endpoints.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Event(Event),
    Attendance(Attendance),
    Ticket(TicketReport),
    Transition(Transition),
    Survey(Survey),
    Response(Response),
    Ledger(LedgerEntry),
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Event(_) => Kind::Event,
            Record::Attendance(_) => Kind::Attendance,
            Record::Ticket(_) => Kind::Ticket,
            Record::Transition(_) => Kind::Transition,
            Record::Survey(_) => Kind::Survey,
            Record::Response(_) => Kind::Response,
            Record::Ledger(_) => Kind::Ledger,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Event(r) => &r.id,
            Record::Attendance(r) => &r.id,
            Record::Ticket(r) => &r.id,
            Record::Transition(r) => &r.id,
            Record::Survey(r) => &r.id,
            Record::Response(r) => &r.id,
            Record::Ledger(r) => &r.id,
        }
    }

    /// The scope a record names itself; transitions inherit their ticket's.
    pub fn scope(&self) -> Option<&Scope> {
        match self {
            Record::Event(r) => Some(&r.scope),
            Record::Attendance(r) => Some(&r.scope),
            Record::Ticket(r) => Some(&r.scope),
            Record::Transition(_) => None,
            Record::Survey(r) => Some(&r.scope),
            Record::Response(r) => r.scope.as_ref(),
            Record::Ledger(r) => Some(&r.scope),
        }
    }

    /// Parses one JSON element sent to the endpoint for `kind`. `parent` is the
    /// ticket (for transitions) or survey (for responses) named by the URL.
    pub fn parse(kind: Kind, value: &Value, parent: Option<&str>, now_ms: i64) -> Result<Record, FieldError> {
        let f = Fields::of(value)?;
        Ok(match kind {
            Kind::Survey => Record::Survey(Survey::parse(value)?),
            Kind::Response => Record::Response(Response::parse(value, parent, now_ms)?),
            Kind::Ledger => Record::Ledger(LedgerEntry::parse(value, now_ms)?),
            Kind::Event => Record::Event(Event {
                id: f.id("id")?,
                scope: f.scope()?,
                category: f.code("category")?,
                event_type: f.opt_code("type")?,
                title: f.text("title", 200)?,
                starts_at: f.time("starts_at", now_ms + SCHEDULE_AHEAD_MS)?,
                status: match f.text("status", 16)?.as_str() {
                    "scheduled" => EventStatus::Scheduled,
                    "held" => EventStatus::Held,
                    "cancelled" => EventStatus::Cancelled,
                    other => {
                        return Err(FieldError::new(
                            "status",
                            format!("{other:?} is not one of scheduled, held, cancelled"),
                        ));
                    }
                },
            }),
            Kind::Attendance => Record::Attendance(Attendance {
                id: f.id("id")?,
                event_id: f.id("event_id")?,
                scope: f.scope()?,
                at: f.time("at", now_ms + SKEW_MS)?,
                count: f.count()?,
                person: f.opt_text("person", 128)?,
            }),
            Kind::Ticket => Record::Ticket(TicketReport {
                id: f.id("id")?,
                scope: f.scope()?,
                category: f.code("category")?,
                reported_at: f.time("reported_at", now_ms + SKEW_MS)?,
                description: f.opt_text("description", 4000)?.unwrap_or_default(),
                location: f.location()?,
            }),
            Kind::Transition => Record::Transition(Transition {
                id: f.id("id")?,
                ticket_id: f.ticket_id(parent)?,
                to: {
                    let to = f.text("to", 16)?;
                    Status::parse_target(&to).ok_or_else(|| {
                        FieldError::new(
                            "to",
                            format!("{to:?} is not one of dispatched, in_progress, resolved, closed, reopened"),
                        )
                    })?
                },
                at: f.time("at", now_ms + SKEW_MS)?,
                assignee: f.opt_text("assignee", 128)?,
                note: f.opt_text("note", 2000)?,
                within: None,
            }),
        })
    }
}

/// The getters only records use.
impl Fields<'_> {
    fn count(&self) -> Result<i64, FieldError> {
        let Some(v) = self.get("count") else { return Ok(1) };
        match v.as_i64() {
            Some(n) if (1..=10_000).contains(&n) => Ok(n),
            _ => Err(FieldError::new("count", format!("must be a whole number from 1 to 10000, got {v}"))),
        }
    }

    fn location(&self) -> Result<Option<Value>, FieldError> {
        let Some(v) = self.get("location") else { return Ok(None) };
        if !(v.is_string() || v.is_object()) || v.to_string().len() > 1000 {
            return Err(FieldError::new("location", "must be a string or an object of at most 1000 bytes"));
        }
        Ok(Some(v.clone()))
    }

    /// A transition's ticket comes from the URL; a body that names another is refused.
    fn ticket_id(&self, from_path: Option<&str>) -> Result<String, FieldError> {
        let in_body = self.opt_text("ticket_id", 128)?;
        match (from_path, in_body) {
            (Some(p), Some(b)) if p != b => Err(FieldError::new(
                "ticket_id",
                format!("{b:?} differs from the ticket in the URL {p:?}"),
            )),
            (Some(p), _) => Ok(p.to_owned()),
            (None, _) => self.id("ticket_id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_732_780_800_000; // 2024-11-28

    fn parse(kind: Kind, v: Value) -> Result<Record, FieldError> {
        Record::parse(kind, &v, None, NOW)
    }

    #[test]
    fn a_good_event_parses() {
        let r = parse(
            Kind::Event,
            json!({"id":"e1","scope":"nanan.changshengqiao.tongjing","category":"health",
            "title":"健康大讲堂","starts_at":"2024-11-26T14:00:00+08:00","status":"held"}),
        )
        .unwrap();
        let Record::Event(e) = r else { panic!("not an event") };
        assert_eq!(e.status, EventStatus::Held);
        assert_eq!(e.starts_at, 1_732_600_800_000);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (
                json!({"scope":"nanan","category":"x","title":"t","starts_at":"2024-11-26T14:00:00Z","status":"held"}),
                "id",
            ),
            (
                json!({"id":"e","scope":"Nanan","category":"x","title":"t","starts_at":"2024-11-26T14:00:00Z","status":"held"}),
                "scope",
            ),
            (
                json!({"id":"e","scope":"nanan","category":"x","title":"t","starts_at":"yesterday","status":"held"}),
                "starts_at",
            ),
            (
                json!({"id":"e","scope":"nanan","category":"x","title":"t","starts_at":"9999-01-01T00:00:00Z","status":"held"}),
                "starts_at",
            ),
            (
                json!({"id":"e","scope":"nanan","category":"x","title":"t","starts_at":"1960-01-01T00:00:00Z","status":"held"}),
                "starts_at",
            ),
            (
                json!({"id":"e","scope":"nanan","category":"x","title":"t","starts_at":"2024-11-26T14:00:00Z","status":"done"}),
                "status",
            ),
            (
                json!({"id":"e","scope":"nanan","category":"X Y","title":"t","starts_at":"2024-11-26T14:00:00Z","status":"held"}),
                "category",
            ),
            (
                json!({"id":7,"scope":"nanan","category":"x","title":"t","starts_at":"2024-11-26T14:00:00Z","status":"held"}),
                "id",
            ),
        ];
        for (v, field) in cases {
            assert_eq!(parse(Kind::Event, v.clone()).unwrap_err().field, field, "{v}");
        }
    }

    #[test]
    fn times_are_rfc_3339_offsets_included() {
        for good in [
            "2024-11-26T14:00:00+08:00",
            "2024-11-26T06:00:00Z",
            "2024-11-26T06:00:00.5-23:59",
            "2024-11-26T06:00:00z",
        ] {
            assert!(parse_rfc3339(good).is_some(), "{good}");
        }
        for bad in [
            "2024-11-26T14:00:00+25:00",
            "2024-11-26T14:00:00+24:00",
            "2024-11-26T14:00:00+08:60",
            "2024-11-26T14:00:00+0800",
            "2024-11-26T14:00:00",
            "2024-11-26T14:00:00+08:00:00",
        ] {
            assert!(parse_rfc3339(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn counts_must_be_positive_whole_numbers() {
        for bad in [json!(0), json!(-3), json!(1.5), json!("2"), json!(10_001)] {
            let v = json!({"id":"a","event_id":"e","scope":"nanan","at":"2024-11-26T14:00:00Z","count":bad});
            assert_eq!(parse(Kind::Attendance, v).unwrap_err().field, "count");
        }
        let v = json!({"id":"a","event_id":"e","scope":"nanan","at":"2024-11-26T14:00:00Z"});
        let Ok(Record::Attendance(a)) = parse(Kind::Attendance, v) else {
            panic!("should parse")
        };
        assert_eq!(a.count, 1);
    }

    #[test]
    fn transition_ticket_comes_from_the_url() {
        let v = json!({"id":"t1","to":"dispatched","at":"2024-11-26T14:00:00Z","ticket_id":"other"});
        assert_eq!(Record::parse(Kind::Transition, &v, Some("k1"), NOW).unwrap_err().field, "ticket_id");
        let v = json!({"id":"t1","to":"reported","at":"2024-11-26T14:00:00Z"});
        assert_eq!(Record::parse(Kind::Transition, &v, Some("k1"), NOW).unwrap_err().field, "to");
    }

    #[test]
    fn huge_strings_are_refused() {
        let v =
            json!({"id":"k","scope":"nanan","category":"garbage","reported_at":"2024-11-26T14:00:00Z","description":"x".repeat(1_000_000)});
        assert_eq!(parse(Kind::Ticket, v).unwrap_err().field, "description");
    }
}
