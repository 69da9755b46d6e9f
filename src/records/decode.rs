//! Reading a journal entry's body back into a `Change`.
//!
//! `Change` is an internally tagged enum, and serde's derive buffers every body
//! into a tree of `Content` before it can pick the variant by its tag: that was a
//! quarter of a rebuild's CPU. The journal always writes the tag first, so the
//! kinds that make up nearly all of a journal are read here straight into their
//! fields. Every other kind, and any body not in that shape, takes the derive.

use serde::Deserialize;

use crate::domain::decide::{Change, TicketHead};
use crate::domain::record::{Attendance, Event, EventKind, TicketReport, Transition};
use crate::domain::ticket::Status;

// The fields of the high-volume variants. A field added to or dropped from a
// variant breaks the struct literals below, so these cannot drift from `Change`.

#[derive(Deserialize)]
struct EventBody {
    event: Event,
    previous: Option<Box<Event>>,
}

#[derive(Deserialize)]
struct AttendanceBody {
    checkin: Attendance,
    #[serde(default)]
    event: Option<EventKind>,
}

#[derive(Deserialize)]
struct TicketBody {
    ticket: TicketReport,
    deadline: i64,
}

#[derive(Deserialize)]
struct TransitionBody {
    transition: Transition,
    ticket: TicketHead,
    from: Status,
    late: bool,
    #[serde(default)]
    holder: Option<String>,
}

/// Parses a journal body as written by `serde_json::to_string(&change)`.
pub(crate) fn change(body: &str) -> serde_json::Result<Change> {
    let tag = body
        .strip_prefix(r#"{"kind":""#)
        .and_then(|rest| rest.split_once('"'))
        .map(|(tag, _)| tag);
    match tag {
        Some("attendance") => serde_json::from_str(body).map(|b: AttendanceBody| Change::Attendance {
            checkin: b.checkin,
            event: b.event,
        }),
        Some("ticket") => serde_json::from_str(body).map(|b: TicketBody| Change::Ticket {
            ticket: b.ticket,
            deadline: b.deadline,
        }),
        Some("transition") => serde_json::from_str(body).map(|b: TransitionBody| Change::Transition {
            transition: b.transition,
            ticket: b.ticket,
            from: b.from,
            late: b.late,
            holder: b.holder,
        }),
        Some("event") => serde_json::from_str(body).map(|b: EventBody| Change::Event {
            event: b.event,
            previous: b.previous,
        }),
        _ => serde_json::from_str(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::EventStatus;
    use crate::domain::scope::Scope;
    use crate::domain::survey::Survey;

    fn scope() -> Scope {
        Scope::parse("d.s.c.g1").unwrap()
    }

    fn event(status: EventStatus) -> Event {
        Event {
            id: "e1".into(),
            scope: scope(),
            category: "lecture".into(),
            event_type: None,
            title: "健康大讲堂".into(),
            starts_at: 5,
            status,
        }
    }

    fn head() -> TicketHead {
        TicketHead {
            scope: scope(),
            category: "garbage".into(),
            reported_at: 10,
            deadline: 20,
        }
    }

    fn every_fast_kind() -> Vec<Change> {
        vec![
            Change::Event {
                event: event(EventStatus::Held),
                previous: Some(Box::new(event(EventStatus::Scheduled))),
            },
            Change::Event {
                event: event(EventStatus::Scheduled),
                previous: None,
            },
            Change::Attendance {
                checkin: Attendance {
                    id: "a1".into(),
                    event_id: "e1".into(),
                    scope: scope(),
                    at: 6,
                    count: 2,
                    person: Some("p\"1".into()),
                },
                event: Some(EventKind {
                    category: "health".into(),
                    event_type: Some("lecture".into()),
                }),
            },
            Change::Ticket {
                ticket: TicketReport {
                    id: "k1".into(),
                    scope: scope(),
                    category: "garbage".into(),
                    reported_at: 10,
                    description: "路灯不亮 \\ \"quoted\"".into(),
                    location: Some(serde_json::json!({"building": 4})),
                },
                deadline: 20,
            },
            Change::Transition {
                transition: Transition {
                    id: "k1-resolved".into(),
                    ticket_id: "k1".into(),
                    to: Status::Resolved,
                    at: 15,
                    assignee: Some("worker-7".into()),
                    note: None,
                    within: None,
                },
                ticket: head(),
                from: Status::Dispatched,
                late: false,
                holder: Some("worker-7".into()),
            },
        ]
    }

    #[test]
    fn every_fast_kind_reads_back_as_written() {
        for c in every_fast_kind() {
            let body = serde_json::to_string(&c).unwrap();
            assert!(body.starts_with(r#"{"kind":""#), "the tag leads: {body}");
            assert_eq!(change(&body).unwrap(), c, "{body}");
        }
    }

    #[test]
    fn other_kinds_and_other_shapes_take_the_derive() {
        let survey = Change::Survey {
            survey: serde_json::from_value::<Survey>(serde_json::json!({
                "id": "s1", "scope": "d", "title": "t", "questions": [
                    {"id": "q1", "title": "ok?", "kind": "single", "options": ["yes", "no"]}
                ]
            }))
            .unwrap(),
        };
        let body = serde_json::to_string(&survey).unwrap();
        assert_eq!(change(&body).unwrap(), survey);
        // The tag elsewhere than first: still read, by the derive.
        let moved =
            r#"{"deadline":20,"kind":"ticket","ticket":{"id":"k1","scope":"d","category":"garbage","reported_at":10,"description":""}}"#;
        assert!(matches!(change(moved).unwrap(), Change::Ticket { deadline: 20, .. }));
        // A body that is not a change fails, whichever path it takes.
        assert!(change(r#"{"kind":"ticket","ticket":{}}"#).is_err());
        assert!(change(r#"{"kind":"nonsense"}"#).is_err());
    }
}
