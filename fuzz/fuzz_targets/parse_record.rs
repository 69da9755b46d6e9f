//! `Record::parse` on arbitrary JSON: the first byte picks the kind (bits 0-1), whether
//! a transition's ticket comes from the URL (bit 2) and whether the rest is the whole
//! JSON element (bit 3 clear) or an object merged over a valid record of that kind
//! (bit 3 set: each field can then be tried alone while the others are good).
//!
//! Properties: it never panics; a rejection names one of the kind's fields or
//! "(record)"; an accepted record holds only values the contract allows.
#![no_main]

use cockpit::domain::record::{EventStatus, Kind, Record};
use cockpit::domain::scope::Scope;
use cockpit::domain::ticket::Status;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// A fixed server clock (2024-11-28) so that every crash reproduces.
const NOW_MS: i64 = 1_732_780_800_000;
/// 2000-01-01T00:00:00Z.
const EARLIEST_MS: i64 = 946_684_800_000;
const SKEW_MS: i64 = 24 * 3600 * 1000;
const SCHEDULE_AHEAD_MS: i64 = 2 * 366 * 24 * 3600 * 1000;

fn fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Event => &["id", "scope", "category", "title", "starts_at", "status"],
        Kind::Attendance => &["id", "event_id", "scope", "at", "count", "person"],
        Kind::Ticket => &["id", "scope", "category", "reported_at", "description", "location"],
        Kind::Transition => &["id", "ticket_id", "to", "at", "assignee", "note"],
    }
}

/// A valid element of each kind, for the merge mode.
fn template(kind: Kind) -> Value {
    let at = "2024-11-26T14:00:00+08:00";
    match kind {
        Kind::Event => json!({"id": "e1", "scope": "nanan.nanping.zhengjie", "category": "health",
            "title": "健康大讲堂", "starts_at": at, "status": "held"}),
        Kind::Attendance => json!({"id": "a1", "event_id": "e1", "scope": "nanan.nanping.zhengjie.g03",
            "at": at, "count": 3, "person": "p7"}),
        Kind::Ticket => json!({"id": "k1", "scope": "nanan.nanping.zhengjie.g03", "category": "street_light",
            "reported_at": at, "description": "路灯不亮", "location": {"lat": 29.5, "lng": 106.5}}),
        Kind::Transition => json!({"id": "s1", "ticket_id": "k1", "to": "dispatched", "at": at,
            "assignee": "w3", "note": "派单"}),
    }
}

fn check_id(what: &str, s: &str) {
    let n = s.chars().count();
    assert!((1..=128).contains(&n), "{what} has {n} characters: {s:?}");
    assert!(!s.chars().any(char::is_control), "{what} has a control character: {s:?}");
}

fn check_code(what: &str, s: &str) {
    assert!(
        (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'),
        "{what} is not a code: {s:?}"
    );
}

fn check_scope(scope: &Scope) {
    let again = Scope::parse(scope.as_str()).unwrap_or_else(|e| panic!("accepted scope {scope:?} does not re-parse: {e}"));
    assert_eq!(&again, scope);
}

fn check_time(what: &str, ms: i64, latest: i64) {
    assert!(ms >= EARLIEST_MS, "{what} {ms} is before 2000-01-01");
    assert!(ms <= latest, "{what} {ms} is after {latest}");
}

fn check_text(what: &str, s: Option<&str>, max: usize) {
    if let Some(s) = s {
        assert!(s.chars().count() <= max, "{what} is longer than {max} characters");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, body)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(head & 3)];
    let from_path = if head & 4 != 0 { Some("k1") } else { None };
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    if head & 8 != 0 {
        let Value::Object(edits) = value else {
            return;
        };
        let mut merged = template(kind);
        for (k, v) in edits {
            merged[k] = v;
        }
        value = merged;
    }
    let parsed = Record::parse(kind, &value, from_path, NOW_MS);
    // Parsing is a pure function of its inputs.
    assert_eq!(parsed, Record::parse(kind, &value, from_path, NOW_MS));
    let record = match parsed {
        Err(e) => {
            assert!(
                e.field == "(record)" || fields(kind).contains(&e.field),
                "{kind:?} rejected with field {:?}, not one of its fields: {}",
                e.field,
                e.reason
            );
            assert!(!e.reason.is_empty());
            return;
        }
        Ok(r) => r,
    };
    assert_eq!(record.kind(), kind);
    assert!(value.is_object());
    check_id("id", record.id());
    if let Some(scope) = record.scope() {
        check_scope(scope);
    }
    match &record {
        Record::Event(e) => {
            check_code("category", &e.category);
            check_text("title", Some(&e.title), 200);
            check_time("starts_at", e.starts_at, NOW_MS + SCHEDULE_AHEAD_MS);
            let status = value["status"].as_str();
            assert_eq!(status, Some(e.status.as_str()));
            assert!(matches!(
                e.status,
                EventStatus::Scheduled | EventStatus::Held | EventStatus::Cancelled
            ));
        }
        Record::Attendance(a) => {
            check_id("event_id", &a.event_id);
            check_time("at", a.at, NOW_MS + SKEW_MS);
            assert!((1..=10_000).contains(&a.count), "count {} is outside 1..=10000", a.count);
            check_text("person", a.person.as_deref(), 128);
        }
        Record::Ticket(t) => {
            check_code("category", &t.category);
            check_time("reported_at", t.reported_at, NOW_MS + SKEW_MS);
            check_text("description", Some(&t.description), 4000);
            if let Some(loc) = &t.location {
                assert!(loc.is_string() || loc.is_object(), "location {loc}");
                assert!(loc.to_string().len() <= 1000, "location is over 1000 bytes");
            }
        }
        Record::Transition(t) => {
            match from_path {
                Some(p) => assert_eq!(t.ticket_id, p, "the URL's ticket must win"),
                None => check_id("ticket_id", &t.ticket_id),
            }
            assert_ne!(t.to, Status::Reported, "reported is not a transition target");
            check_time("at", t.at, NOW_MS + SKEW_MS);
            check_text("assignee", t.assignee.as_deref(), 128);
            check_text("note", t.note.as_deref(), 2000);
            assert!(t.within.is_none(), "within is set at the edge, never parsed");
        }
    }
});
