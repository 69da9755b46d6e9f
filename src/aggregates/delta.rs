//! Projects journal changes onto aggregate increments, merged per key, so that a
//! whole batch reaches the aggregate store as one atomic apply.
//!
//! Every figure counts in the record's scope and all its ancestors. Open and
//! overdue tickets are kept two ways: live (gauges, and a deadline index per scope
//! for the overdue clock) and as per-day nets, whose prefix sums give the
//! end-of-day value of any past day exactly:
//! a ticket entering the open set at `s` adds +1 overdue on day(max(s, deadline)),
//! leaving it at `e` adds −1 on day(max(e, deadline)); the two cancel when it was
//! resolved in time.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::civil::Date;

use crate::domain::day::Calendar;
use crate::domain::decide::{Change, TicketHead};
use crate::domain::figures::field;
use crate::domain::ledger::Chained;
use crate::domain::period::Period;
use crate::domain::record::{Event, EventKind, Transition};
use crate::domain::scope::Scope;
use crate::domain::survey::{Response, SATISFACTION, Tally};
use crate::domain::ticket::Status;

/// A delta's maps take a key per figure of every record merged; SipHash (the
/// standard library's flood-resistant default) was a tenth of a projection's CPU.
/// Keys here come from validated records, and `ahash` keeps a random seed.
pub type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, ahash::RandomState>;
/// Persons checked in, by scope, day or period, and event kind (`None`: every kind).
pub type Uniques<D> = HashMap<(Scope, D, Option<Arc<str>>), HashSet<Arc<str>>>;

/// Which hash of a scope a counter lives in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// Counters of one local day.
    Day(Scope, Date),
    /// Running totals of a week, a month, a year or all time: the sum of its
    /// days' counters, kept as they are written (see [`Delta::rollups`]).
    Period(Scope, Period),
    /// Live gauges.
    Gauge(Scope),
    /// Per-day nets of open / overdue tickets.
    Net(Scope),
    /// One survey's tallies (by question and option, and per day) under a scope.
    Survey(Scope, String),
    /// Ledger totals under a scope, by direction, month and category.
    Ledger(Scope),
}

/// Which closed-loop duration a value measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dur {
    /// Report to first dispatch.
    Dispatch,
    /// Report to resolution.
    Resolve,
}

impl Dur {
    pub fn key_part(self) -> &'static str {
        match self {
            Dur::Dispatch => "dz",
            Dur::Resolve => "rz",
        }
    }
}

/// What a step writes in every scope above its ticket, made once per step.
struct StepNames {
    /// The step's local day.
    date: Date,
    /// A resolution's member in the durations set (a ticket may resolve again).
    resolution: Option<Arc<str>>,
    /// A dispatch's assignee's workload field.
    assigned: Option<String>,
    /// A resolution's resolver's field: the step's assignee, else the ticket's holder.
    resolver: Option<String>,
    /// A first dispatch's member in the durations set, the ticket's (see [`member`]).
    dispatched: Option<Arc<str>>,
}

/// The month field a per-day nets field sums into: `figure:YYYY-MM-DD` gives
/// `figure:YYYY-MM`; anything else, none.
pub fn month_field(field: &str) -> Option<String> {
    let (figure, day) = field.rsplit_once(':')?;
    let _: Date = day.parse().ok().filter(|_| day.len() == 10)?;
    Some(format!("{figure}:{}", &day[..7]))
}

/// A durations set's member for the record named by `ids`: 16 hex digits of
/// their SHA-256. The member only has to be unique (a resolution counts once);
/// clients' ids can be long (two UUIDs are 73 bytes), and one member over 64
/// bytes turns Redis's sorted set from a compact list into a skiplist, about
/// 1 KiB for a grid's day of one resolution instead of about 100 bytes.
fn member(ids: &[&str]) -> Arc<str> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for id in ids {
        h.update(id.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8]).into()
}

/// A delta's memo of lineages: what a scope's ancestors are never changes, so
/// two deltas that differ only in what they have looked up are equal.
#[derive(Clone, Default)]
struct Lineages(HashMap<Scope, Arc<[Scope]>>);

impl PartialEq for Lineages {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Lineages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lineages")
    }
}

/// The merged aggregate changes of one or more journal entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delta {
    /// Counter increments, by the hash they live in and then by field: a
    /// counter that is already there is found by `&str`, without a new key.
    pub counts: HashMap<Bucket, HashMap<String, i64>>,
    /// Persons checked in, per scope and day, in all (`None`) and per event
    /// kind (`Some("health:lecture")`).
    pub uniques: Uniques<Date>,
    /// Open-ticket rank of a unit (second) under an ancestor (first).
    pub ranks: HashMap<(Scope, Scope), i64>,
    /// Deadline index per scope: `Some(deadline)` while the ticket is open, `None` once not.
    pub deadlines: HashMap<(Scope, Arc<str>), Option<i64>>,
    /// Index entries this delta made that were not there before it: a ticket
    /// reported (or reopened) and closed again within the delta leaves its index
    /// as it found it, so neither its add nor its removal is sent (a rebuild page
    /// holds many whole loops).
    opened_here: HashSet<(Scope, Arc<str>)>,
    /// Durations (ms) per scope, day and kind, by a member unique to the event.
    pub durations: HashMap<(Scope, Date, Dur), HashMap<Arc<str>, i64>>,
    /// Every scope whose figures changed.
    pub scopes: BTreeSet<Scope>,
    /// Each record scope's lineage, made once per delta rather than once per figure.
    lineages: Lineages,
    /// Journal position just before the first change included: the watermark
    /// the aggregates must stand at for this delta to apply.
    pub prev_seq: i64,
    /// Journal position of the newest change included (the new watermark).
    pub last_seq: i64,
    /// Keep no period totals: the projection as it was before them, only for
    /// the benchmark's same-run baseline (see [`Delta::days_only`]).
    days_only: bool,
}

impl Delta {
    /// An empty delta that starts after journal position `prev_seq`.
    pub fn after(prev_seq: i64) -> Self {
        Delta {
            prev_seq,
            last_seq: prev_seq,
            ..Delta::default()
        }
    }

    /// A delta that writes day counters but no week, month, year or all-time
    /// totals: what the projection cost before them, measured beside it by the
    /// benchmark. Never used to serve figures.
    pub fn days_only(prev_seq: i64) -> Self {
        Delta {
            days_only: true,
            ..Delta::after(prev_seq)
        }
    }

    /// The running totals the day counters of this delta add to: every day
    /// bucket's increments, merged into its week's, month's, year's and all
    /// time's. Made once per apply, not per record, so a batch of one day costs
    /// four more hash writes per scope, whatever its size.
    pub fn rollups(&self) -> HashMap<Bucket, HashMap<&str, i64>> {
        let mut out: HashMap<Bucket, HashMap<&str, i64>> = HashMap::default();
        if self.days_only {
            return out;
        }
        for (bucket, fields) in &self.counts {
            let Bucket::Day(scope, day) = bucket else { continue };
            for p in Period::rollups(*day) {
                let into = out.entry(Bucket::Period(scope.clone(), p)).or_default();
                for (f, n) in fields {
                    *into.entry(f.as_str()).or_default() += n;
                }
            }
        }
        out
    }

    /// The month sums the per-day nets of this delta add to, by scope: each
    /// `figure:DAY` increment merged into `figure:MONTH` (`YYYY-MM`). They let a
    /// past day's end-of-day values be read without every day's field (see
    /// `aggregates/redis/nets.rs`). A month whose increments cancel out is
    /// there at 0: its sum names the figure, whose days' fields are written.
    pub fn net_months(&self) -> HashMap<&Scope, HashMap<String, i64>> {
        let mut out: HashMap<&Scope, HashMap<String, i64>> = HashMap::default();
        if self.days_only {
            return out;
        }
        for (bucket, fields) in &self.counts {
            let Bucket::Net(scope) = bucket else { continue };
            let into = out.entry(scope).or_default();
            for (field, n) in fields.iter().filter(|(_, n)| **n != 0) {
                if let Some(month) = month_field(field) {
                    *into.entry(month).or_default() += n;
                }
            }
        }
        out
    }

    /// The persons checked in, by scope and running-total period (see [`Delta::rollups`]).
    pub fn unique_rollups(&self) -> Uniques<Period> {
        let mut out: Uniques<Period> = HashMap::default();
        if self.days_only {
            return out;
        }
        for ((scope, day, kind), persons) in &self.uniques {
            for p in Period::rollups(*day) {
                out.entry((scope.clone(), p, kind.clone()))
                    .or_default()
                    .extend(persons.iter().cloned());
            }
        }
        out
    }

    /// About how many keys applying this delta touches: its counter hashes,
    /// unique-attendee sets, duration sets, ranking and deadline entries (period
    /// totals add a few per day hash; those are not counted).
    pub fn keys(&self) -> usize {
        self.counts.len() + self.uniques.len() + self.durations.len() + self.ranks.len() + self.deadlines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.uniques.is_empty() && self.ranks.is_empty() && self.deadlines.is_empty() && self.durations.is_empty()
    }

    /// Adds one journal entry at position `seq`.
    pub fn add(&mut self, seq: i64, change: &Change, cal: &Calendar) {
        self.last_seq = self.last_seq.max(seq);
        match change {
            Change::Event { event, previous } => {
                if let Some(p) = previous {
                    self.event(p, -1, cal);
                }
                self.event(event, 1, cal);
            }
            Change::Attendance { checkin, event } => {
                let day = cal.day_of(checkin.at);
                // One copy of the person, shared by every scope's set.
                let person: Option<Arc<str>> = checkin.person.as_deref().map(Arc::from);
                let by_kind = event.as_ref().map(|k| field::attendance_by(&k.category, k.type_code()));
                let kind: Option<Arc<str>> = event.as_ref().map(|k| field::kind(&k.category, k.type_code()).into());
                self.each(&checkin.scope, |d, s| {
                    d.count(Bucket::Day(s.clone(), day), field::ATTENDANCE, checkin.count);
                    if let Some(f) = &by_kind {
                        d.count(Bucket::Day(s.clone(), day), f, checkin.count);
                    }
                    if let Some(p) = &person {
                        d.uniques.entry((s.clone(), day, None)).or_default().insert(p.clone());
                        if kind.is_some() {
                            d.uniques.entry((s.clone(), day, kind.clone())).or_default().insert(p.clone());
                        }
                    }
                });
            }
            Change::Ticket { ticket, deadline } => {
                let head = TicketHead {
                    scope: ticket.scope.clone(),
                    category: ticket.category.clone(),
                    reported_at: ticket.reported_at,
                    deadline: *deadline,
                };
                let day = cal.day_of(ticket.reported_at);
                let (category, reported) = (field::reported_in(&ticket.category), field::status(Status::Reported.as_str()));
                let reported_net = field::status_net(Status::Reported.as_str(), &day.to_string());
                self.each(&ticket.scope, |d, s| {
                    d.count(Bucket::Day(s.clone(), day), field::TICKETS_REPORTED, 1);
                    d.count(Bucket::Day(s.clone(), day), &category, 1);
                    d.count(Bucket::Gauge(s.clone()), &reported, 1);
                    d.count(Bucket::Net(s.clone()), &reported_net, 1);
                });
                self.open_set(&ticket.id, &head, ticket.reported_at, 1, cal);
            }
            Change::Transition { late: true, .. } => {}
            Change::Transition {
                transition: t,
                ticket,
                from,
                late: false,
                holder,
            } => self.step(t, ticket, *from, holder.as_deref(), cal),
            Change::Survey { .. } => {}
            Change::Response {
                response,
                scope,
                tallies,
                ticket,
                reopened_from,
            } => {
                self.response(response, scope, tallies, cal);
                if let (Some(ticket), Some(from)) = (ticket, reopened_from) {
                    self.reopen_unfixed(response, ticket, *from, cal);
                }
            }
            Change::Ledger { chained } => self.ledger(chained, cal),
        }
    }

    /// An event counted (`n = 1`) or taken back (`n = -1`, the version it replaces)
    /// on the day it starts, in total and by its category and type.
    fn event(&mut self, e: &Event, n: i64, cal: &Calendar) {
        let day = cal.day_of(e.starts_at);
        let kind = EventKind::of(e);
        let total = field::events(e.status.as_str());
        let by_kind = field::events_by(&kind.category, kind.type_code(), e.status.as_str());
        self.each(&e.scope, |d, s| {
            d.count(Bucket::Day(s.clone(), day), &total, n);
            d.count(Bucket::Day(s.clone(), day), &by_kind, n);
        });
    }

    /// A ticket's step from `from` to `t.to`: gauges, closed-loop counters, open set.
    fn step(&mut self, t: &Transition, ticket: &TicketHead, from: Status, holder: Option<&str>, cal: &Calendar) {
        let date = cal.day_of(t.at).to_string();
        // The live gauge, and the day's net change whose prefix sums give a past day's end.
        let gauges: Vec<(String, String, i64)> = [(from, -1), (t.to, 1)]
            .into_iter()
            .filter(|(status, _)| *status != Status::Closed)
            .map(|(status, n)| (field::status(status.as_str()), field::status_net(status.as_str(), &date), n))
            .collect();
        let names = StepNames {
            date: cal.day_of(t.at),
            resolution: (t.to == Status::Resolved).then(|| member(&[&t.ticket_id, &t.id])),
            assigned: t.assignee.as_deref().filter(|_| t.to == Status::Dispatched).map(field::assigned),
            resolver: t
                .assignee
                .as_deref()
                .or(holder)
                .filter(|_| t.to == Status::Resolved)
                .map(field::resolved_by),
            dispatched: (t.to == Status::Dispatched && from == Status::Reported).then(|| member(&[&t.ticket_id])),
        };
        self.each(&ticket.scope, |d, s| {
            for (gauge, net, n) in &gauges {
                d.count(Bucket::Gauge(s.clone()), gauge, *n);
                d.count(Bucket::Net(s.clone()), net, *n);
            }
            d.count(Bucket::Gauge(s.clone()), field::TICKET_STEPS, 1);
            d.closed_loop(s, t, ticket, &names);
        });
        match (from.is_open(), t.to.is_open()) {
            (true, false) => self.open_set(&t.ticket_id, ticket, t.at, -1, cal),
            (false, true) => self.open_set(&t.ticket_id, ticket, t.at, 1, cal),
            _ => {}
        }
    }

    /// A survey response: its tallies, its day's count, and for the satisfaction
    /// survey the counters its rate is made of. Free text adds a count only.
    fn response(&mut self, r: &Response, scope: &Scope, tallies: &[Tally], cal: &Calendar) {
        let day = cal.day_of(r.at);
        let satisfaction = r.survey_id == SATISFACTION;
        self.each(scope, |d, s| {
            let survey = Bucket::Survey(s.clone(), r.survey_id.clone());
            d.count(survey.clone(), field::RESPONSES, 1);
            d.count(survey.clone(), &field::responses_on(&day.to_string()), 1);
            for (f, n) in tallies {
                d.count(survey.clone(), f, *n);
            }
            d.count(Bucket::Gauge(s.clone()), &field::survey(&r.survey_id), 1);
            d.count(Bucket::Day(s.clone(), day), field::SURVEY_RESPONSES, 1);
            if satisfaction {
                d.count(Bucket::Day(s.clone(), day), field::SAT_RESPONSES, 1);
                d.count(Bucket::Day(s.clone(), day), field::SAT_FIXED, i64::from(r.fixed()));
            }
        });
    }

    /// "Not fixed" sent a resolved or closed ticket back into the loop.
    fn reopen_unfixed(&mut self, r: &Response, ticket: &TicketHead, from: Status, cal: &Calendar) {
        let t = Transition {
            id: format!("{}#reopen", r.id),
            ticket_id: r.ticket_id.clone().unwrap_or_default(),
            to: Status::Reopened,
            at: r.at,
            assignee: None,
            note: None,
            within: None,
        };
        self.step(&t, ticket, from, None, cal);
        let day = cal.day_of(r.at);
        self.each(&ticket.scope, |d, s| {
            d.count(Bucket::Day(s.clone(), day), field::REOPENED_UNFIXED, 1)
        });
    }

    /// A ledger entry moves its direction's totals (a reversal takes back) in its
    /// scope and every ancestor; the scope's own chain length is kept beside them
    /// so a verification can tell a journal that lost its newest entries.
    fn ledger(&mut self, c: &Chained, cal: &Calendar) {
        let e = &c.entry;
        let date = cal.day_of(e.at);
        let month = format!("{:04}-{:02}", date.year(), date.month());
        let (dir, fen) = (e.direction.as_str(), e.signed_fen());
        self.each(&e.scope, |d, s| {
            let b = || Bucket::Ledger(s.clone());
            d.count(b(), &format!("{dir}:{month}:{}", e.category), fen);
            d.count(b(), &format!("{dir}:{month}"), fen);
            d.count(b(), &format!("{dir}:all:{}", e.category), fen);
            d.count(Bucket::Gauge(s.clone()), &field::ledger(dir), fen);
            d.count(Bucket::Gauge(s.clone()), field::LEDGER_ENTRIES, 1);
        });
        self.count(Bucket::Ledger(e.scope.clone()), field::LEDGER_OWN, 1);
    }

    /// The closed-loop counters of one step in one scope: resolutions (and whether on
    /// time), first dispatches and their wait, workload per assignee, durations.
    fn closed_loop(&mut self, s: &Scope, t: &Transition, ticket: &TicketHead, names: &StepNames) {
        let date = names.date;
        let day = || Bucket::Day(s.clone(), date);
        let waited = (t.at - ticket.reported_at).max(0);
        match t.to {
            Status::Resolved => {
                self.count(day(), field::TICKETS_RESOLVED, 1);
                if let Some(r) = &names.resolver {
                    self.count(day(), r, 1);
                }
                self.count(day(), field::RESOLVE_MS_SUM, waited);
                self.count(day(), field::RESOLVED_ON_TIME, i64::from(t.at <= ticket.deadline));
                if let Some(member) = &names.resolution {
                    self.durations
                        .entry((s.clone(), date, Dur::Resolve))
                        .or_default()
                        .insert(member.clone(), waited);
                }
            }
            Status::Closed => self.count(day(), field::TICKETS_CLOSED, 1),
            Status::Reopened => self.count(day(), field::TICKETS_REOPENED, 1),
            _ => {}
        }
        if t.to == Status::Dispatched {
            if let Some(member) = &names.dispatched {
                self.count(day(), field::TICKETS_DISPATCHED, 1);
                self.count(day(), field::DISPATCH_MS_SUM, waited);
                self.durations
                    .entry((s.clone(), date, Dur::Dispatch))
                    .or_default()
                    .insert(member.clone(), waited);
            }
            if let Some(a) = &names.assigned {
                self.count(day(), a, 1);
            }
        }
    }

    /// A ticket enters (`n = 1`) or leaves (`n = -1`) the open set at `at`.
    fn open_set(&mut self, ticket_id: &str, head: &TicketHead, at: i64, n: i64, cal: &Calendar) {
        let open = field::open_in(&head.category);
        let date = cal.day_of(at).to_string();
        let open_net = field::open_net(&date);
        let category_net = field::open_in_net(&head.category, &date);
        let overdue_net = field::overdue_net(&cal.day_of(at.max(head.deadline)).to_string());
        // One copy of the id, shared by every scope's index entry.
        let ticket_id: Arc<str> = ticket_id.into();
        self.each(&head.scope, |d, s| {
            d.count(Bucket::Gauge(s.clone()), &open, n);
            d.count(Bucket::Net(s.clone()), &open_net, n);
            d.count(Bucket::Net(s.clone()), &category_net, n);
            d.count(Bucket::Net(s.clone()), &overdue_net, n);
            d.index_deadline(s, &ticket_id, (n > 0).then_some(head.deadline));
            if s != &head.scope {
                *d.ranks.entry((s.clone(), head.scope.clone())).or_default() += n;
            }
        });
    }

    /// Runs `f` for the scope and each ancestor, marking them changed.
    fn each(&mut self, scope: &Scope, mut f: impl FnMut(&mut Self, &Scope)) {
        let lineage = match self.lineages.0.get(scope) {
            Some(l) => l.clone(),
            None => {
                let l: Arc<[Scope]> = scope.lineage().into();
                self.scopes.extend(l.iter().cloned());
                self.lineages.0.insert(scope.clone(), l.clone());
                l
            }
        };
        for s in lineage.iter() {
            f(self, s);
        }
    }

    /// Puts a ticket in scope `s`'s deadline index (`Some`) or takes it out. The
    /// first touch of an entry tells whether it was in the index before this
    /// delta: an open means it was not.
    fn index_deadline(&mut self, s: &Scope, ticket_id: &Arc<str>, deadline: Option<i64>) {
        let key = (s.clone(), ticket_id.clone());
        match deadline {
            Some(_) if !self.deadlines.contains_key(&key) => {
                self.opened_here.insert(key.clone());
            }
            None if self.opened_here.contains(&key) => {
                self.deadlines.remove(&key);
                return;
            }
            _ => {}
        }
        self.deadlines.insert(key, deadline);
    }

    fn count(&mut self, bucket: Bucket, field: &str, n: i64) {
        let fields = self.counts.entry(bucket).or_default();
        match fields.get_mut(field) {
            Some(v) => *v += n,
            None => {
                fields.insert(field.to_owned(), n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Attendance, TicketReport, Transition};

    fn cal() -> Calendar {
        Calendar::new("UTC").unwrap()
    }

    const DAY: i64 = 86_400_000;

    fn counter(d: &Delta, bucket: &Bucket, field: &str) -> Option<i64> {
        d.counts.get(bucket).and_then(|f| f.get(field)).copied()
    }

    /// A month whose increments cancel out is summed at 0 (the field names its
    /// figure); a field brought back to 0 within the delta adds no month.
    #[test]
    fn net_months_sum_each_figures_days_by_month() {
        let g = Scope::parse("d.s.c.g1").unwrap();
        let mut d = Delta::after(0);
        d.count(Bucket::Net(g.clone()), "open:2024-01-11", 1);
        d.count(Bucket::Net(g.clone()), "open:2024-01-12", -1);
        d.count(Bucket::Net(g.clone()), "oc:water:leak:2024-02-01", 2);
        d.count(Bucket::Net(g.clone()), "oc:water:leak:2024-02-03", 1);
        d.count(Bucket::Net(g.clone()), "overdue:2024-01-11", 1);
        d.count(Bucket::Net(g.clone()), "overdue:2024-01-11", -1);
        d.count(Bucket::Day(g.clone(), "2024-01-11".parse().unwrap()), "tickets_reported", 1);
        let months = d.net_months();
        let want: HashMap<String, i64> = [("open:2024-01", 0), ("oc:water:leak:2024-02", 3)]
            .into_iter()
            .map(|(f, n)| (f.to_owned(), n))
            .collect();
        assert_eq!(months.get(&g), Some(&want));
        assert_eq!(months.len(), 1);
        assert_eq!(month_field("open:2024-W01"), None);
    }

    fn report(id: &str) -> Change {
        Change::Ticket {
            ticket: TicketReport {
                id: id.into(),
                scope: Scope::parse("d.s.c.g1").unwrap(),
                category: "garbage".into(),
                reported_at: 10 * DAY,
                description: String::new(),
                location: None,
            },
            deadline: 11 * DAY,
        }
    }

    #[test]
    fn a_report_counts_in_every_ancestor() {
        let mut d = Delta::default();
        d.add(1, &report("k1"), &cal());
        for s in ["d", "d.s", "d.s.c", "d.s.c.g1"] {
            let bucket = Bucket::Gauge(Scope::parse(s).unwrap());
            assert_eq!(counter(&d, &bucket, "status:reported"), Some(1), "{s}");
        }
        assert_eq!(d.ranks.len(), 3, "every proper ancestor ranks the grid");
        assert_eq!(d.last_seq, 1);
        // Four scopes' day counters roll into their week, month, year and all time.
        assert_eq!(d.rollups().len(), 4 * 4);
        let mut bare = Delta::days_only(0);
        bare.add(1, &report("k1"), &cal());
        assert_eq!(
            (bare.counts.len(), bare.rollups().len()),
            (d.counts.len(), 0),
            "the bench's baseline"
        );
    }

    #[test]
    fn resolving_in_time_cancels_the_overdue_net() {
        let mut d = Delta::default();
        let head = TicketHead {
            scope: Scope::parse("d").unwrap(),
            category: "garbage".into(),
            reported_at: 10 * DAY,
            deadline: 11 * DAY,
        };
        let mut r = report("k1");
        if let Change::Ticket { ticket, .. } = &mut r {
            ticket.scope = head.scope.clone();
        }
        d.add(1, &r, &cal());
        let t = Transition {
            id: "t".into(),
            ticket_id: "k1".into(),
            to: Status::Resolved,
            at: 10 * DAY + 5,
            assignee: None,
            note: None,
            within: None,
        };
        d.add(
            2,
            &Change::Transition {
                transition: t,
                ticket: head,
                from: Status::Reported,
                late: false,
                holder: None,
            },
            &cal(),
        );
        let net = |f: &str| counter(&d, &Bucket::Net(Scope::parse("d").unwrap()), f);
        assert_eq!(net("overdue:1970-01-12"), Some(0));
        assert_eq!(net("open:1970-01-11"), Some(0));
        // Reported and resolved in one delta: the index is left as it was.
        assert_eq!(d.deadlines.get(&(Scope::parse("d").unwrap(), "k1".into())), None);
    }

    fn step(ticket: &str, to: Status, from: Status) -> Change {
        Change::Transition {
            transition: Transition {
                id: format!("{ticket}-{}", to.as_str()),
                ticket_id: ticket.into(),
                to,
                at: 10 * DAY + 5,
                assignee: None,
                note: None,
                within: None,
            },
            ticket: TicketHead {
                scope: Scope::parse("d.s.c.g1").unwrap(),
                category: "garbage".into(),
                reported_at: 10 * DAY,
                deadline: 11 * DAY,
            },
            from,
            late: false,
            holder: None,
        }
    }

    #[test]
    fn the_deadline_index_changes_only_where_a_delta_moved_it() {
        let key = |s: &str, t: &str| (Scope::parse(s).unwrap(), Arc::<str>::from(t));
        let mut d = Delta::default();
        // k1 was open before this delta: resolved, reopened, resolved again.
        d.add(1, &step("k1", Status::Resolved, Status::Dispatched), &cal());
        d.add(2, &step("k1", Status::Reopened, Status::Resolved), &cal());
        d.add(3, &step("k1", Status::Resolved, Status::Reopened), &cal());
        // k2 was closed before this delta: reopened, resolved, reopened.
        d.add(4, &step("k2", Status::Reopened, Status::Closed), &cal());
        d.add(5, &step("k2", Status::Resolved, Status::Reopened), &cal());
        d.add(6, &step("k2", Status::Reopened, Status::Resolved), &cal());
        // k3 reported, resolved and reopened here.
        d.add(7, &report("k3"), &cal());
        d.add(8, &step("k3", Status::Resolved, Status::Reported), &cal());
        d.add(9, &step("k3", Status::Reopened, Status::Resolved), &cal());
        for s in ["d", "d.s.c.g1"] {
            assert_eq!(d.deadlines.get(&key(s, "k1")), Some(&None), "k1 leaves {s}'s index");
            assert_eq!(d.deadlines.get(&key(s, "k2")), Some(&Some(11 * DAY)), "k2 enters {s}'s index");
            assert_eq!(d.deadlines.get(&key(s, "k3")), Some(&Some(11 * DAY)), "k3 enters {s}'s index");
        }
    }

    #[test]
    fn checkins_merge_into_one_counter_per_key() {
        let mut d = Delta::default();
        for i in 0..3 {
            let c = Attendance {
                id: format!("a{i}"),
                event_id: "e".into(),
                scope: Scope::parse("d.s").unwrap(),
                at: 5,
                count: 2,
                person: Some(format!("p{}", i % 2)),
            };
            d.add(i, &Change::Attendance { checkin: c, event: None }, &cal());
        }
        let day = cal().day_of(5);
        assert_eq!(counter(&d, &Bucket::Day(Scope::parse("d").unwrap(), day), "attendance"), Some(6));
        assert_eq!(d.uniques[&(Scope::parse("d").unwrap(), day, None)].len(), 2);
    }

    #[test]
    fn a_durations_member_is_short_and_tells_records_apart() {
        let uuid = "5f0c6a2e-8d1b-4b7a-9c3e-2a1f0d9e8b7c";
        let m = member(&[uuid, uuid]);
        assert_eq!(m.len(), 16, "well inside Redis's 64-byte compact sorted-set member");
        assert_eq!(m, member(&[uuid, uuid]), "the same record, the same member");
        assert_ne!(member(&["ab", "c"]), member(&["a", "bc"]), "ids are kept apart");
        assert_ne!(member(&["t1", "s1"]), member(&["t1", "s2"]), "a ticket resolved again");
    }
}
