//! The pure heart of ingest: given what the record store already holds, decide
//! each record's fate (accepted, duplicate, rejected) and the change it makes.
//!
//! Both record stores call [`decide`] inside their write transaction, so the
//! rules live in one place and the stores only load state and persist changes.
//! A [`Change`] carries everything needed to project it onto the aggregates
//! (the previous event version, the ticket's status before the move), so the
//! aggregates can be rebuilt from the journal alone, in order, without replaying state.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::ledger::{Chained, Head, LedgerEntry};
use super::record::{Attendance, Event, EventKind, FieldError, Kind, Record, TicketReport, Transition};
use super::scope::Scope;
use super::survey::{Response, SATISFACTION, Survey, Tally};
use super::ticket::Status;

/// The facts of a ticket that never change after its report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketHead {
    pub scope: Scope,
    pub category: String,
    pub reported_at: i64,
    /// When it becomes overdue if not resolved (ms).
    pub deadline: i64,
}

/// A ticket as it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketNow {
    pub head: TicketHead,
    pub status: Status,
    /// Time of the newest applied step; an earlier `at` is late and does not rewind.
    pub last_at: i64,
    /// Who holds it: the assignee of its newest dispatch, until the next
    /// dispatch or until it is closed (a worker's or a department's free id).
    pub holder: Option<String>,
}

/// What an accepted record changed, as stored in the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Event {
        event: Event,
        /// The version it replaces (boxed: two events outweigh every other change).
        previous: Option<Box<Event>>,
    },
    Attendance {
        checkin: Attendance,
        /// The category and type of the event checked in to, decided once, so
        /// the aggregates count attendance by type without the event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<EventKind>,
    },
    Ticket {
        ticket: TicketReport,
        deadline: i64,
    },
    Transition {
        transition: Transition,
        ticket: TicketHead,
        from: Status,
        late: bool,
        /// The ticket's holder before this step (resolutions count for it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<String>,
    },
    Survey {
        survey: Survey,
    },
    /// A survey response, with what it adds to the tallies decided once, so the
    /// aggregates never need the survey's definition to replay it.
    Response {
        response: Response,
        scope: Scope,
        tallies: Vec<Tally>,
        /// The ticket a satisfaction response is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<TicketHead>,
        /// Set when "not fixed" reopened the ticket: the status it left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reopened_from: Option<Status>,
    },
    Ledger {
        /// Boxed: an entry and its two hashes dwarf every other change.
        chained: Box<Chained>,
    },
}

impl Change {
    pub fn kind(&self) -> Kind {
        match self {
            Change::Event { .. } => Kind::Event,
            Change::Attendance { .. } => Kind::Attendance,
            Change::Ticket { .. } => Kind::Ticket,
            Change::Transition { .. } => Kind::Transition,
            Change::Survey { .. } => Kind::Survey,
            Change::Response { .. } => Kind::Response,
            Change::Ledger { .. } => Kind::Ledger,
        }
    }

    pub fn record_id(&self) -> &str {
        match self {
            Change::Event { event, .. } => &event.id,
            Change::Attendance { checkin, .. } => &checkin.id,
            Change::Ticket { ticket, .. } => &ticket.id,
            Change::Transition { transition, .. } => &transition.id,
            Change::Survey { survey } => &survey.id,
            Change::Response { response, .. } => &response.id,
            Change::Ledger { chained } => &chained.entry.id,
        }
    }

    pub fn scope(&self) -> &Scope {
        match self {
            Change::Event { event, .. } => &event.scope,
            Change::Attendance { checkin, .. } => &checkin.scope,
            Change::Ticket { ticket, .. } => &ticket.scope,
            Change::Transition { ticket, .. } => &ticket.scope,
            Change::Survey { survey } => &survey.scope,
            Change::Response { scope, .. } => scope,
            Change::Ledger { chained } => &chained.entry.scope,
        }
    }
}

/// The fate of one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Accepted(Change),
    Duplicate,
    Rejected(FieldError),
}

/// The record store's current state for just the ids a batch mentions.
#[derive(Debug, Default)]
pub struct Known {
    pub events: HashMap<String, Event>,
    pub tickets: HashMap<String, TicketNow>,
    pub checkins: HashSet<String>,
    pub transitions: HashSet<String>,
    pub surveys: HashMap<String, Survey>,
    /// Responses by id, as stored (ids are unique across surveys).
    pub responses: HashMap<String, Response>,
    /// Ledger entries by id: those the batch names, and those it reverses.
    pub ledger: HashMap<String, LedgerEntry>,
    /// Ids of entries already reversed.
    pub reversed: HashSet<String>,
    /// The chain head of each scope the batch writes to (absent: no entries yet).
    pub ledger_heads: HashMap<Scope, Head>,
}

/// The ids a batch mentions, by what the store must look up.
#[derive(Debug, Default)]
pub struct Wanted {
    pub events: Vec<String>,
    pub tickets: Vec<String>,
    pub checkins: Vec<String>,
    pub transitions: Vec<String>,
    pub surveys: Vec<String>,
    pub responses: Vec<String>,
    /// Entry ids and the ids they reverse.
    pub ledger: Vec<String>,
    /// Scopes whose chain heads are needed.
    pub ledger_scopes: Vec<String>,
}

impl Wanted {
    pub fn of(records: &[Record]) -> Self {
        let mut w = Wanted::default();
        for r in records {
            match r {
                Record::Event(e) => w.events.push(e.id.clone()),
                Record::Attendance(a) => {
                    w.checkins.push(a.id.clone());
                    w.events.push(a.event_id.clone());
                }
                Record::Ticket(t) => w.tickets.push(t.id.clone()),
                Record::Transition(t) => {
                    w.transitions.push(t.id.clone());
                    w.tickets.push(t.ticket_id.clone());
                }
                Record::Survey(s) => w.surveys.push(s.id.clone()),
                Record::Response(r) => {
                    w.responses.push(r.id.clone());
                    w.surveys.push(r.survey_id.clone());
                    w.tickets.extend(r.ticket_id.clone());
                }
                Record::Ledger(e) => {
                    w.ledger.push(e.id.clone());
                    w.ledger.extend(e.reverses.clone());
                    w.ledger_scopes.push(e.scope.to_string());
                }
            }
        }
        let lists = [
            &mut w.events,
            &mut w.tickets,
            &mut w.checkins,
            &mut w.transitions,
            &mut w.surveys,
            &mut w.responses,
            &mut w.ledger,
            &mut w.ledger_scopes,
        ];
        for v in lists {
            v.sort_unstable();
            v.dedup();
        }
        w
    }
}

/// How long a ticket of each category may stay open before it is overdue.
#[derive(Clone, Debug)]
pub struct Deadlines {
    pub by_category: HashMap<String, i64>,
    pub default_secs: i64,
    /// Overrides for a scope (a dotted path) and everything under it.
    pub by_scope: HashMap<String, HashMap<String, i64>>,
}

impl Deadlines {
    /// The deadline of a ticket of `category` reported at `reported_at`, district-wide.
    pub fn deadline(&self, category: &str, reported_at: i64) -> i64 {
        let secs = self.by_category.get(category).copied().unwrap_or(self.default_secs);
        reported_at.saturating_add(secs.saturating_mul(1000))
    }

    /// Like [`Deadlines::deadline`], honouring the nearest scope override.
    pub fn deadline_in(&self, scope: &Scope, category: &str, reported_at: i64) -> i64 {
        let local = scope
            .lineage()
            .into_iter()
            .find_map(|s| self.by_scope.get(s.as_str()).and_then(|m| m.get(category)).copied());
        match local {
            Some(secs) => reported_at.saturating_add(secs.saturating_mul(1000)),
            None => self.deadline(category, reported_at),
        }
    }
}

impl Default for Deadlines {
    fn default() -> Self {
        let hours = |h: i64| h * 3600;
        let by_category = [
            ("street_light", hours(48)),
            ("garbage", hours(24)),
            ("parking", hours(24)),
            ("noise", hours(24)),
            ("dispute", hours(168)),
            ("water", hours(24)),
            ("road", hours(72)),
            ("greening", hours(72)),
        ]
        .into_iter()
        .map(|(c, s)| (c.to_owned(), s))
        .collect();
        Deadlines {
            by_category,
            default_secs: hours(72),
            by_scope: HashMap::new(),
        }
    }
}

/// Decides every record of a batch in order, updating `known` as it goes so
/// that a record may refer to one sent earlier in the same batch.
pub fn decide(records: &[Record], known: &mut Known, deadlines: &Deadlines) -> Vec<Verdict> {
    records.iter().map(|r| decide_one(r, known, deadlines)).collect()
}

fn decide_one(record: &Record, known: &mut Known, deadlines: &Deadlines) -> Verdict {
    match record {
        Record::Event(e) => decide_event(e, known),
        Record::Attendance(a) => decide_checkin(a, known),
        Record::Ticket(t) => decide_ticket(t, known, deadlines),
        Record::Transition(t) => decide_transition(t, known),
        Record::Survey(s) => decide_survey(s, known),
        Record::Response(r) => decide_response(r, known),
        Record::Ledger(e) => decide_ledger(e, known),
    }
}

fn decide_survey(survey: &Survey, known: &mut Known) -> Verdict {
    match known.surveys.get(&survey.id) {
        Some(s) if s == survey => Verdict::Duplicate,
        Some(_) => Verdict::Rejected(FieldError::new(
            "id",
            format!(
                "survey {:?} already exists with other content; a survey never changes once defined, so use a new id",
                survey.id
            ),
        )),
        None => {
            known.surveys.insert(survey.id.clone(), survey.clone());
            Verdict::Accepted(Change::Survey { survey: survey.clone() })
        }
    }
}

fn decide_response(r: &Response, known: &mut Known) -> Verdict {
    if let Some(stored) = known.responses.get(&r.id) {
        if stored.same_as(r) {
            return Verdict::Duplicate;
        }
        let reason = format!(
            "response {:?} already exists with other content (response ids are unique across surveys; give each response its own)",
            r.id
        );
        return Verdict::Rejected(FieldError::new("id", reason));
    }
    let decided = if r.survey_id == SATISFACTION {
        satisfaction(r, known)
    } else {
        survey_response(r, known)
    };
    match decided {
        Ok(change) => {
            known.responses.insert(r.id.clone(), r.clone());
            Verdict::Accepted(change)
        }
        Err(e) => Verdict::Rejected(e),
    }
}

fn survey_response(r: &Response, known: &Known) -> Result<Change, FieldError> {
    let Some(survey) = known.surveys.get(&r.survey_id) else {
        return Err(FieldError::new(
            "survey_id",
            format!("no survey {:?} has been defined", r.survey_id),
        ));
    };
    let Some(scope) = r.scope.clone() else {
        return Err(FieldError::new("scope", "is required"));
    };
    if !scope.is_within(&survey.scope) {
        let reason = format!("{scope} is not within the survey's scope {}", survey.scope);
        return Err(FieldError::new("scope", reason));
    }
    Ok(Change::Response {
        tallies: survey.tally(&r.answers)?,
        response: r.clone(),
        scope,
        ticket: None,
        reopened_from: None,
    })
}

/// "Was it fixed?" after a ticket is resolved: "no" sends it back into the loop
/// (reopened), unless the answer is older than the ticket's newest step.
fn satisfaction(r: &Response, known: &mut Known) -> Result<Change, FieldError> {
    let ticket_id = r.ticket_id.as_deref().unwrap_or_default();
    let Some(now) = known.tickets.get_mut(ticket_id) else {
        return Err(FieldError::new("ticket_id", format!("no ticket {ticket_id:?} has been reported")));
    };
    if let Some(within) = &r.within
        && !now.head.scope.is_within(within)
    {
        let reason = format!(
            "ticket {ticket_id:?} is in {}, outside this API key's scope {within}",
            now.head.scope
        );
        return Err(FieldError::new("ticket_id", reason));
    }
    if !matches!(now.status, Status::Resolved | Status::Closed) {
        let reason = format!(
            "ticket {ticket_id:?} is {}; satisfaction is asked once it is resolved or closed",
            now.status.as_str()
        );
        return Err(FieldError::new("ticket_id", reason));
    }
    let tallies = Survey::satisfaction(now.head.scope.clone()).tally(&r.answers)?;
    let reopened_from = (r.unfixed() && r.at >= now.last_at).then_some(now.status);
    if reopened_from.is_some() {
        now.status = Status::Reopened;
        now.last_at = r.at;
    }
    Ok(Change::Response {
        response: r.clone(),
        scope: now.head.scope.clone(),
        tallies,
        ticket: Some(now.head.clone()),
        reopened_from,
    })
}

fn decide_ledger(e: &LedgerEntry, known: &mut Known) -> Verdict {
    if let Some(stored) = known.ledger.get(&e.id) {
        if stored == e {
            return Verdict::Duplicate;
        }
        let reason = format!(
            "ledger entry {:?} already exists with other content; entries never change (post a reversal)",
            e.id
        );
        return Verdict::Rejected(FieldError::new("id", reason));
    }
    if let Some(target) = &e.reverses {
        let Some(original) = known.ledger.get(target) else {
            return Verdict::Rejected(FieldError::new("reverses", format!("no ledger entry {target:?} has been recorded")));
        };
        if let Err(err) = e.check_reversal(original) {
            return Verdict::Rejected(err);
        }
        if !known.reversed.insert(target.clone()) {
            return Verdict::Rejected(FieldError::new("reverses", format!("entry {target:?} has already been reversed")));
        }
    }
    let head = known.ledger_heads.entry(e.scope.clone()).or_insert_with(Head::genesis);
    let chained = e.clone().chain(head);
    *head = Head {
        n: chained.n,
        hash: chained.hash.clone(),
    };
    known.ledger.insert(e.id.clone(), e.clone());
    Verdict::Accepted(Change::Ledger {
        chained: Box::new(chained),
    })
}

fn decide_event(event: &Event, known: &mut Known) -> Verdict {
    let previous = known.events.get(&event.id).cloned().map(Box::new);
    if previous.as_deref() == Some(event) {
        return Verdict::Duplicate;
    }
    known.events.insert(event.id.clone(), event.clone());
    Verdict::Accepted(Change::Event {
        event: event.clone(),
        previous,
    })
}

fn decide_checkin(checkin: &Attendance, known: &mut Known) -> Verdict {
    if known.checkins.contains(&checkin.id) {
        return Verdict::Duplicate;
    }
    let Some(event) = known.events.get(&checkin.event_id) else {
        return Verdict::Rejected(FieldError::new(
            "event_id",
            format!("no event {:?} has been sent", checkin.event_id),
        ));
    };
    if !checkin.scope.is_within(&event.scope) {
        let reason = format!("{} is not within the event's scope {}", checkin.scope, event.scope);
        return Verdict::Rejected(FieldError::new("scope", reason));
    }
    let event = Some(EventKind::of(event));
    known.checkins.insert(checkin.id.clone());
    Verdict::Accepted(Change::Attendance {
        checkin: checkin.clone(),
        event,
    })
}

fn decide_ticket(ticket: &TicketReport, known: &mut Known, deadlines: &Deadlines) -> Verdict {
    if known.tickets.contains_key(&ticket.id) {
        return Verdict::Duplicate;
    }
    let deadline = deadlines.deadline_in(&ticket.scope, &ticket.category, ticket.reported_at);
    let head = TicketHead {
        scope: ticket.scope.clone(),
        category: ticket.category.clone(),
        reported_at: ticket.reported_at,
        deadline,
    };
    known.tickets.insert(
        ticket.id.clone(),
        TicketNow {
            head,
            status: Status::Reported,
            last_at: ticket.reported_at,
            holder: None,
        },
    );
    Verdict::Accepted(Change::Ticket {
        ticket: ticket.clone(),
        deadline,
    })
}

fn decide_transition(t: &Transition, known: &mut Known) -> Verdict {
    if known.transitions.contains(&t.id) {
        return Verdict::Duplicate;
    }
    let Some(now) = known.tickets.get_mut(&t.ticket_id) else {
        return Verdict::Rejected(FieldError::new(
            "ticket_id",
            format!("no ticket {:?} has been reported", t.ticket_id),
        ));
    };
    if let Some(within) = &t.within
        && !now.head.scope.is_within(within)
    {
        let reason = format!(
            "ticket {:?} is in {}, outside this API key's scope {within}",
            t.ticket_id, now.head.scope
        );
        return Verdict::Rejected(FieldError::new("ticket_id", reason));
    }
    let from = now.status;
    let holder = now.holder.clone();
    let late = t.at < now.last_at;
    if !late {
        if !from.can_move_to(t.to) {
            let legal: Vec<&str> = Status::ALL
                .into_iter()
                .filter(|s| from.can_move_to(*s))
                .map(Status::as_str)
                .collect();
            let reason = format!(
                "a {} ticket cannot move to {}; it can move to: {}",
                from.as_str(),
                t.to.as_str(),
                legal.join(", ")
            );
            return Verdict::Rejected(FieldError::new("to", reason));
        }
        now.status = t.to;
        now.last_at = t.at;
        now.holder = holder_after(now.holder.take(), t);
    }
    let ticket = now.head.clone();
    known.transitions.insert(t.id.clone());
    Verdict::Accepted(Change::Transition {
        transition: t.clone(),
        ticket,
        from,
        late,
        holder,
    })
}

/// A dispatch hands the ticket to its assignee (to nobody named when it names
/// none); closing ends the loop and its holding; other steps keep the holder.
fn holder_after(holder: Option<String>, t: &Transition) -> Option<String> {
    match t.to {
        Status::Dispatched => t.assignee.clone(),
        Status::Closed => None,
        _ => holder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::EventStatus;

    fn scope(s: &str) -> Scope {
        Scope::parse(s).unwrap()
    }

    fn ticket(id: &str, at: i64) -> Record {
        Record::Ticket(TicketReport {
            id: id.into(),
            scope: scope("nanan.nanping.zhengjie.g03"),
            category: "street_light".into(),
            reported_at: at,
            description: String::new(),
            location: None,
        })
    }

    fn step(id: &str, ticket: &str, to: Status, at: i64) -> Record {
        Record::Transition(Transition {
            id: id.into(),
            ticket_id: ticket.into(),
            to,
            at,
            assignee: None,
            note: None,
            within: None,
        })
    }

    #[test]
    fn same_batch_references_and_duplicates() {
        let mut known = Known::default();
        let recs = [
            ticket("k1", 1000),
            ticket("k1", 1000),
            step("s1", "k1", Status::Dispatched, 2000),
            step("s1", "k1", Status::Dispatched, 2000),
        ];
        let v = decide(&recs, &mut known, &Deadlines::default());
        assert!(matches!(v[0], Verdict::Accepted(_)));
        assert_eq!(v[1], Verdict::Duplicate);
        assert!(matches!(
            v[2],
            Verdict::Accepted(Change::Transition {
                from: Status::Reported,
                late: false,
                holder: None,
                ..
            })
        ));
        assert_eq!(v[3], Verdict::Duplicate);
        assert_eq!(known.tickets["k1"].status, Status::Dispatched);
    }

    #[test]
    fn illegal_moves_name_the_legal_ones() {
        let mut known = Known::default();
        let v = decide(
            &[ticket("k1", 1000), step("s1", "k1", Status::Closed, 2000)],
            &mut known,
            &Deadlines::default(),
        );
        let Verdict::Rejected(e) = &v[1] else {
            panic!("expected a reject, got {:?}", v[1])
        };
        assert_eq!(e.field, "to");
        assert!(e.reason.contains("dispatched, resolved"), "{}", e.reason);
        assert_eq!(known.tickets["k1"].status, Status::Reported);
    }

    proptest::proptest! {
        /// Any stream of steps (some late, some repeated) leaves the ticket in the state
        /// a walk of the legal graph over the in-order, legal steps reaches; `closed`
        /// is only ever entered from `resolved`; late steps never change the state.
        #[test]
        fn the_closed_loop_holds_for_any_stream(steps in proptest::collection::vec((0usize..5, 0i64..50, 0u8..8), 0..40)) {
            let targets = [Status::Dispatched, Status::InProgress, Status::Resolved, Status::Closed, Status::Reopened];
            let mut known = Known::default();
            decide(&[ticket("k", 0)], &mut known, &Deadlines::default());
            let (mut model, mut last) = (Status::Reported, 0i64);
            for (i, (to, at, id)) in steps.into_iter().enumerate() {
                let to = targets[to];
                let before = known.tickets["k"].status;
                let v = decide(&[step(&format!("s{id}"), "k", to, at)], &mut known, &Deadlines::default()).remove(0);
                let after = known.tickets["k"].status;
                match v {
                    Verdict::Accepted(Change::Transition { late: true, .. }) => proptest::prop_assert_eq!(before, after, "step {}", i),
                    Verdict::Accepted(Change::Transition { from, .. }) => {
                        proptest::prop_assert!(from.can_move_to(to));
                        proptest::prop_assert!(to != Status::Closed || from == Status::Resolved);
                        proptest::prop_assert!(at >= last);
                        model = to;
                        last = at;
                    }
                    Verdict::Duplicate | Verdict::Rejected(_) => proptest::prop_assert_eq!(before, after),
                    other => proptest::prop_assert!(false, "unexpected {:?}", other),
                }
                proptest::prop_assert_eq!(after, model);
            }
        }
    }

    #[test]
    fn the_nearest_scope_override_sets_the_deadline() {
        let mut d = Deadlines::default();
        d.by_scope.insert("nanan.nanping".into(), [("garbage".to_string(), 3600)].into());
        d.by_scope
            .insert("nanan.nanping.zhengjie".into(), [("garbage".to_string(), 60)].into());
        assert_eq!(d.deadline_in(&scope("nanan.nanping.zhengjie.g03"), "garbage", 0), 60_000);
        assert_eq!(d.deadline_in(&scope("nanan.nanping.other"), "garbage", 0), 3_600_000);
        assert_eq!(d.deadline_in(&scope("nanan.nanpingzhen"), "garbage", 0), 86_400_000);
        assert_eq!(d.deadline_in(&scope("nanan.nanping"), "dispute", 0), 604_800_000);
    }

    #[test]
    fn a_key_cannot_move_another_communitys_ticket() {
        let mut known = Known::default();
        let mut foreign = step("s1", "k1", Status::Dispatched, 2000);
        if let Record::Transition(t) = &mut foreign {
            t.within = Some(scope("nanan.nanpingzhen.xinglong"));
        }
        let v = decide(&[ticket("k1", 1000), foreign], &mut known, &Deadlines::default());
        assert!(
            matches!(&v[1], Verdict::Rejected(e) if e.field == "ticket_id" && e.reason.contains("outside")),
            "{:?}",
            v[1]
        );
        assert_eq!(known.tickets["k1"].status, Status::Reported);
    }

    #[test]
    fn late_steps_are_recorded_without_rewinding() {
        let mut known = Known::default();
        let recs = [
            ticket("k1", 1000),
            step("s1", "k1", Status::Dispatched, 5000),
            step("s2", "k1", Status::Resolved, 9000),
            step("s3", "k1", Status::InProgress, 7000),
        ];
        let v = decide(&recs, &mut known, &Deadlines::default());
        assert!(matches!(
            v[3],
            Verdict::Accepted(Change::Transition {
                late: true,
                holder: None,
                from: Status::Resolved,
                ..
            })
        ));
        assert_eq!(known.tickets["k1"].status, Status::Resolved);
        assert_eq!(known.tickets["k1"].last_at, 9000);
    }

    #[test]
    fn events_move_by_status_and_repeat_as_duplicates() {
        let mut known = Known::default();
        let mk = |status| {
            Record::Event(Event {
                id: "e1".into(),
                scope: scope("nanan"),
                category: "health".into(),
                event_type: None,
                title: "lecture".into(),
                starts_at: 1,
                status,
            })
        };
        let v = decide(
            &[mk(EventStatus::Scheduled), mk(EventStatus::Scheduled), mk(EventStatus::Held)],
            &mut known,
            &Deadlines::default(),
        );
        assert!(matches!(&v[0], Verdict::Accepted(Change::Event { previous: None, .. })));
        assert_eq!(v[1], Verdict::Duplicate);
        let Verdict::Accepted(Change::Event { previous: Some(p), .. }) = &v[2] else {
            panic!("expected a move")
        };
        assert_eq!(p.status, EventStatus::Scheduled);
    }

    #[test]
    fn checkins_need_a_known_event_in_scope() {
        let mut known = Known::default();
        known.events.insert(
            "e1".into(),
            Event {
                id: "e1".into(),
                scope: scope("nanan.a"),
                category: "c".into(),
                event_type: None,
                title: "t".into(),
                starts_at: 1,
                status: EventStatus::Held,
            },
        );
        let ck = |id: &str, ev: &str, sc: &str| {
            Record::Attendance(Attendance {
                id: id.into(),
                event_id: ev.into(),
                scope: scope(sc),
                at: 1,
                count: 1,
                person: None,
            })
        };
        let v = decide(
            &[ck("a1", "e9", "nanan.a"), ck("a2", "e1", "nanan.b"), ck("a3", "e1", "nanan.a.g1")],
            &mut known,
            &Deadlines::default(),
        );
        assert!(matches!(&v[0], Verdict::Rejected(e) if e.field == "event_id"));
        assert!(matches!(&v[1], Verdict::Rejected(e) if e.field == "scope"));
        assert!(matches!(&v[2], Verdict::Accepted(_)));
    }
}
