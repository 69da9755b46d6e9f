//! `decide` on a short stream of tickets, steps, events and check-ins, split into
//! chunks (batches) that carry the same `Known`, checked against a small model.
//!
//! Closed-loop invariants: a ticket's status only changes through an accepted,
//! non-late step whose `from.can_move_to(to)`; `closed` is entered only from
//! `resolved`; a late step (`at` < the ticket's `last_at`) never changes the state.
#![no_main]

use std::collections::{HashMap, HashSet};

use arbitrary::Arbitrary;
use cockpit::domain::decide::{Change, Deadlines, Known, Verdict, decide};
use cockpit::domain::record::{Attendance, Event, EventStatus, Record, TicketReport, Transition};
use cockpit::domain::scope::Scope;
use cockpit::domain::ticket::Status;
use libfuzzer_sys::fuzz_target;

const SCOPES: [&str; 6] = [
    "nanan",
    "nanan.nanping",
    "nanan.nanping.g01",
    "nanan.nanpingzhen",
    "nanan.nanping.g01.x",
    "yubei",
];
const CATEGORIES: [&str; 3] = ["street_light", "garbage", "unlisted"];
/// Steps may name `k3`, which is never reported.
const TICKETS: [&str; 4] = ["k0", "k1", "k2", "k3"];
const TARGETS: [Status; 5] = [
    Status::Dispatched,
    Status::InProgress,
    Status::Resolved,
    Status::Closed,
    Status::Reopened,
];
const EVENT_STATUS: [EventStatus; 3] = [EventStatus::Scheduled, EventStatus::Held, EventStatus::Cancelled];

#[derive(Arbitrary, Debug)]
enum Op {
    Ticket {
        ticket: u8,
        at: u8,
        scope: u8,
        category: u8,
    },
    Step {
        id: u8,
        ticket: u8,
        to: u8,
        at: u8,
        within: Option<u8>,
    },
    Event {
        id: u8,
        scope: u8,
        status: u8,
    },
    Checkin {
        id: u8,
        event: u8,
        scope: u8,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Each op, and whether the batch ends after it.
    ops: Vec<(Op, bool)>,
}

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn scope(i: u8) -> Scope {
    Scope::parse(pick(&SCOPES, i)).unwrap()
}

fn record(op: &Op) -> Record {
    match *op {
        Op::Ticket {
            ticket,
            at,
            scope: s,
            category,
        } => Record::Ticket(TicketReport {
            id: pick(&TICKETS[..3], ticket).into(),
            scope: scope(s),
            category: pick(&CATEGORIES, category).into(),
            reported_at: i64::from(at),
            description: String::new(),
            location: None,
        }),
        Op::Step {
            id,
            ticket,
            to,
            at,
            within,
        } => Record::Transition(Transition {
            id: format!("s{}", id % 16),
            ticket_id: pick(&TICKETS, ticket).into(),
            to: pick(&TARGETS, to),
            at: i64::from(at),
            assignee: None,
            note: None,
            within: within.map(scope),
        }),
        Op::Event { id, scope: s, status } => Record::Event(Event {
            id: format!("e{}", id % 3),
            scope: scope(s),
            category: "health".into(),
            title: "lecture".into(),
            starts_at: 1,
            status: pick(&EVENT_STATUS, status),
        }),
        Op::Checkin { id, event, scope: s } => Record::Attendance(Attendance {
            id: format!("a{}", id % 8),
            event_id: format!("e{}", event % 4),
            scope: scope(s),
            at: 1,
            count: 1,
            person: None,
        }),
    }
}

/// What the record store should hold, kept by the rules of the closed loop.
#[derive(Default)]
struct Model {
    /// status, last_at, scope, category, reported_at
    tickets: HashMap<String, (Status, i64, Scope, String, i64)>,
    transitions: HashSet<String>,
    events: HashMap<String, Event>,
    checkins: HashSet<String>,
}

impl Model {
    /// Checks one verdict against the model and applies it.
    fn step(&mut self, r: &Record, v: &Verdict, deadlines: &Deadlines) {
        match r {
            Record::Ticket(t) => {
                if self.tickets.contains_key(&t.id) {
                    assert_eq!(*v, Verdict::Duplicate, "a second report of {} must be a duplicate", t.id);
                    return;
                }
                let Verdict::Accepted(Change::Ticket { ticket, deadline }) = v else {
                    panic!("a first report of {} must be accepted, got {v:?}", t.id)
                };
                assert_eq!(ticket, t);
                assert_eq!(*deadline, deadlines.deadline(&t.category, t.reported_at));
                assert!(*deadline >= t.reported_at);
                let now = (Status::Reported, t.reported_at, t.scope.clone(), t.category.clone(), t.reported_at);
                self.tickets.insert(t.id.clone(), now);
            }
            Record::Transition(t) => {
                if self.transitions.contains(&t.id) {
                    assert_eq!(*v, Verdict::Duplicate, "step {} was accepted before", t.id);
                    return;
                }
                let Some((status, last_at, sc, category, reported_at)) = self.tickets.get_mut(&t.ticket_id) else {
                    assert!(matches!(v, Verdict::Rejected(e) if e.field == "ticket_id"), "unknown ticket: {v:?}");
                    return;
                };
                if let Some(w) = &t.within
                    && !sc.is_within(w)
                {
                    assert!(matches!(v, Verdict::Rejected(e) if e.field == "ticket_id"), "foreign ticket: {v:?}");
                    return;
                }
                let expect_late = t.at < *last_at;
                match v {
                    Verdict::Accepted(Change::Transition {
                        transition,
                        ticket,
                        from,
                        late,
                    }) => {
                        assert_eq!(transition, t);
                        assert_eq!(*from, *status, "the step's from must be the ticket's status");
                        assert_eq!(*late, expect_late, "late means at {} < last_at {}", t.at, last_at);
                        assert_eq!(&ticket.scope, sc);
                        assert_eq!(&ticket.category, category);
                        assert_eq!(ticket.reported_at, *reported_at);
                        if !late {
                            // Invariant: a status changes only by a legal, in-order step...
                            assert!(from.can_move_to(t.to), "accepted illegal move {from:?} -> {:?}", t.to);
                            // ...and closed is entered only from resolved.
                            assert!(t.to != Status::Closed || *from == Status::Resolved, "closed from {from:?}");
                            *status = t.to;
                            *last_at = t.at;
                        }
                        self.transitions.insert(t.id.clone());
                    }
                    Verdict::Rejected(e) => {
                        assert!(!expect_late, "a late step is recorded, not rejected: {e:?}");
                        assert_eq!(e.field, "to");
                        assert!(!status.can_move_to(t.to), "legal move {status:?} -> {:?} rejected", t.to);
                    }
                    Verdict::Duplicate => panic!("step {} was never accepted, yet is a duplicate", t.id),
                    other => panic!("unexpected verdict for a step: {other:?}"),
                }
            }
            Record::Event(e) => {
                let previous = self.events.get(&e.id).cloned();
                if previous.as_ref() == Some(e) {
                    assert_eq!(*v, Verdict::Duplicate);
                    return;
                }
                assert_eq!(
                    *v,
                    Verdict::Accepted(Change::Event {
                        event: e.clone(),
                        previous
                    })
                );
                self.events.insert(e.id.clone(), e.clone());
            }
            Record::Attendance(a) => {
                if self.checkins.contains(&a.id) {
                    assert_eq!(*v, Verdict::Duplicate);
                    return;
                }
                let Some(event) = self.events.get(&a.event_id) else {
                    assert!(matches!(v, Verdict::Rejected(e) if e.field == "event_id"), "{v:?}");
                    return;
                };
                if !a.scope.is_within(&event.scope) {
                    assert!(matches!(v, Verdict::Rejected(e) if e.field == "scope"), "{v:?}");
                    return;
                }
                assert_eq!(*v, Verdict::Accepted(Change::Attendance { checkin: a.clone() }));
                self.checkins.insert(a.id.clone());
            }
        }
    }

    /// The store's state after a batch is exactly the model's.
    fn matches(&self, known: &Known) {
        assert_eq!(known.tickets.len(), self.tickets.len());
        for (id, (status, last_at, sc, _, _)) in &self.tickets {
            let now = &known.tickets[id];
            assert_eq!(now.status, *status, "ticket {id}");
            assert_eq!(now.last_at, *last_at, "ticket {id}");
            assert_eq!(&now.head.scope, sc, "ticket {id}");
        }
        assert_eq!(known.transitions, self.transitions);
        assert_eq!(known.checkins, self.checkins);
        assert_eq!(known.events, self.events);
    }
}

fuzz_target!(|input: Input| {
    let deadlines = Deadlines::default();
    let mut known = Known::default();
    let mut model = Model::default();
    let ops = &input.ops[..input.ops.len().min(64)];
    let mut batch = Vec::new();
    for (i, (op, cut)) in ops.iter().enumerate() {
        batch.push(record(op));
        if !*cut && i + 1 < ops.len() {
            continue;
        }
        let before: HashMap<String, Status> = known.tickets.iter().map(|(k, t)| (k.clone(), t.status)).collect();
        let verdicts = decide(&batch, &mut known, &deadlines);
        assert_eq!(verdicts.len(), batch.len());
        for (r, v) in batch.iter().zip(&verdicts) {
            model.step(r, v, &deadlines);
        }
        model.matches(&known);
        // A ticket whose status changed in this batch had an accepted, non-late step to it.
        for (id, old) in before {
            let new = known.tickets[&id].status;
            if new != old {
                let last_move = batch.iter().zip(&verdicts).rev().find_map(|(r, v)| match (r, v) {
                    (Record::Transition(t), Verdict::Accepted(Change::Transition { late: false, .. })) if t.ticket_id == id => Some(t.to),
                    _ => None,
                });
                assert_eq!(last_move, Some(new), "ticket {id} moved {old:?} -> {new:?} without a step");
            }
        }
        batch.clear();
    }
});
