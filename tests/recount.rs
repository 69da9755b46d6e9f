//! Property: for random streams of records (duplicates, moves, late and illegal
//! steps, split into random batches), every figure of every scope on every day
//! equals a naive recount from the records sent; and a rebuild gives the same.
//! Runs the real pipeline (record store → projection → aggregate store) on every backend.

#[path = "shared/pg.rs"]
mod pg;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use cockpit::aggregates::AggregateStore;
use cockpit::config::{Secret, Settings};
use cockpit::dashboard::Dashboards;
use cockpit::domain::day::Calendar;
use cockpit::domain::decide::Deadlines;
use cockpit::domain::record::{Attendance, Event, EventStatus, Record, TicketReport, Transition};
use cockpit::domain::scope::{Scope, ScopeInfo};
use cockpit::domain::ticket::Status;
use cockpit::ingest::Ingest;
use cockpit::metrics::Metrics;
use cockpit::projection::{Freshness, Projection};
use cockpit::registry::Registry;
use cockpit::startup::Backends;
use jiff::civil::Date;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const DAY: i64 = 86_400_000;
const CATEGORIES: [&str; 3] = ["garbage", "street_light", "dispute"];

#[derive(Clone, Debug)]
enum Op {
    Event {
        ev: u8,
        grid: u8,
        day: i64,
        status: u8,
    },
    Checkin {
        id: u8,
        ev: u8,
        grid: u8,
        minute: i64,
        count: i64,
        person: Option<u8>,
    },
    Report {
        t: u8,
        grid: u8,
        minute: i64,
        cat: u8,
    },
    Step {
        id: u8,
        t: u8,
        to: u8,
        minute: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let minute = 0..3 * 1440i64;
    prop_oneof![
        (0..4u8, 0..4u8, 0..3i64, 0..3u8).prop_map(|(ev, grid, day, status)| Op::Event { ev, grid, day, status }),
        (0..30u8, 0..5u8, 0..5u8, minute.clone(), 1..4i64, proptest::option::of(0..5u8)).prop_map(
            |(id, ev, grid, minute, count, person)| Op::Checkin {
                id,
                ev,
                grid,
                minute,
                count,
                person
            }
        ),
        (0..8u8, 0..4u8, minute.clone(), 0..3u8).prop_map(|(t, grid, minute, cat)| Op::Report { t, grid, minute, cat }),
        (0..40u8, 0..9u8, 0..5u8, minute).prop_map(|(id, t, to, minute)| Op::Step { id, t, to, minute }),
    ]
}

/// One case's world: a district `root` with two communities of two grids each.
struct World {
    root: String,
    base: i64,
}

impl World {
    fn grid(&self, g: u8) -> Scope {
        // grid 4 is the community itself: check-ins may land above a grid.
        let path = match g {
            0 => "a.g1",
            1 => "a.g2",
            2 => "b.g1",
            3 => "b.g2",
            _ => "a",
        };
        Scope::parse(&format!("{}.{path}", self.root)).unwrap()
    }

    fn scopes(&self) -> Vec<ScopeInfo> {
        ["", ".a", ".b", ".a.g1", ".a.g2", ".b.g1", ".b.g2"]
            .iter()
            .map(|s| ScopeInfo {
                id: Scope::parse(&format!("{}{s}", self.root)).unwrap(),
                name: format!("unit{s}"),
                theme: None,
                households: None,
            })
            .collect()
    }

    fn record(&self, op: &Op) -> Record {
        let r = &self.root;
        match *op {
            Op::Event { ev, grid, day, status } => Record::Event(Event {
                id: format!("{r}-e{ev}"),
                scope: self.grid(grid),
                category: "health".into(),
                event_type: (ev % 2 == 0).then(|| "lecture".to_owned()),
                title: "lecture".into(),
                starts_at: self.base + day * DAY + 14 * 3_600_000,
                status: [EventStatus::Scheduled, EventStatus::Held, EventStatus::Cancelled][status as usize],
            }),
            Op::Checkin {
                id,
                ev,
                grid,
                minute,
                count,
                person,
            } => Record::Attendance(Attendance {
                id: format!("{r}-a{id}"),
                event_id: format!("{r}-e{ev}"),
                scope: self.grid(grid),
                at: self.base + minute * 60_000,
                count,
                person: person.map(|p| format!("p{p}")),
            }),
            Op::Report { t, grid, minute, cat } => Record::Ticket(TicketReport {
                id: format!("{r}-k{t}"),
                scope: self.grid(grid),
                category: CATEGORIES[cat as usize].into(),
                reported_at: self.base + minute * 60_000,
                description: String::new(),
                location: None,
            }),
            Op::Step { id, t, to, minute } => Record::Transition(Transition {
                id: format!("{r}-s{id}"),
                ticket_id: format!("{r}-k{t}"),
                to: [
                    Status::Dispatched,
                    Status::InProgress,
                    Status::Resolved,
                    Status::Closed,
                    Status::Reopened,
                ][to as usize],
                at: self.base + minute * 60_000,
                assignee: None,
                note: None,
                within: None,
            }),
        }
    }
}

/// When a ticket entered (true) or left (false) the open set.
/// A ticket's in-order steps: when, and the status it entered.
type Steps = Vec<(i64, Status)>;

/// Figures per (scope, day) and live per scope, counted the naive way.
#[derive(Default, Debug)]
struct Recount {
    day: BTreeMap<(String, Date), BTreeMap<&'static str, i64>>,
    persons: HashMap<(String, Date), HashSet<String>>,
    /// The same per event type (`lecture`, `other`).
    persons_by_type: HashMap<(String, Date, &'static str), HashSet<String>>,
    /// Every wait (ms) to first dispatch / to resolution, per scope and day.
    waits: HashMap<(String, Date, &'static str), Vec<i64>>,
    live: BTreeMap<String, BTreeMap<&'static str, i64>>,
    /// Per ticket: its scope, category, deadline and its in-order steps.
    history: Vec<(Scope, String, i64, Steps)>,
}

fn recount(records: &[Record], cal: &Calendar, now: i64) -> Recount {
    let deadlines = Deadlines::default();
    let mut events: BTreeMap<String, Event> = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    // ticket id → (report, status, last_at, steps)
    let mut tickets: BTreeMap<String, (TicketReport, Status, i64, Steps)> = BTreeMap::new();
    let mut out = Recount::default();
    let bump = |out: &mut Recount, scope: &Scope, day: Date, k: &'static str, n: i64| {
        for s in scope.lineage() {
            *out.day.entry((s.to_string(), day)).or_default().entry(k).or_default() += n;
        }
    };
    for r in records {
        match r {
            Record::Survey(_) | Record::Response(_) | Record::Ledger(_) => {}
            Record::Event(e) => {
                events.insert(e.id.clone(), e.clone());
            }
            Record::Attendance(a) => {
                let ok = events.get(&a.event_id).is_some_and(|e| a.scope.is_within(&e.scope));
                if ok && seen.insert(a.id.clone()) {
                    let day = cal.day_of(a.at);
                    bump(&mut out, &a.scope, day, "attendance", a.count);
                    let lecture = events.get(&a.event_id).is_some_and(|e| e.event_type.is_some());
                    bump(&mut out, &a.scope, day, if lecture { "att:lecture" } else { "att:other" }, a.count);
                    if let Some(p) = &a.person {
                        let t = if lecture { "lecture" } else { "other" };
                        for s in a.scope.lineage() {
                            out.persons.entry((s.to_string(), day)).or_default().insert(p.clone());
                            out.persons_by_type.entry((s.to_string(), day, t)).or_default().insert(p.clone());
                        }
                    }
                }
            }
            Record::Ticket(t) => {
                if !tickets.contains_key(&t.id) {
                    bump(&mut out, &t.scope, cal.day_of(t.reported_at), "tickets_reported", 1);
                    tickets.insert(
                        t.id.clone(),
                        (t.clone(), Status::Reported, t.reported_at, vec![(t.reported_at, Status::Reported)]),
                    );
                }
            }
            Record::Transition(s) => {
                let Some((report, status, last_at, changes)) = tickets.get_mut(&s.ticket_id) else {
                    continue;
                };
                if seen.contains(&s.id) || (s.at >= *last_at && !status.can_move_to(s.to)) {
                    continue;
                }
                seen.insert(s.id.clone());
                if s.at < *last_at {
                    continue; // late: recorded only
                }
                changes.push((s.at, s.to));
                let first_dispatch = *status == Status::Reported && s.to == Status::Dispatched;
                *status = s.to;
                *last_at = s.at;
                let day = cal.day_of(s.at);
                let scope = report.scope.clone();
                let waited = (s.at - report.reported_at).max(0);
                if first_dispatch {
                    bump(&mut out, &scope, day, "tickets_dispatched", 1);
                    bump(&mut out, &scope, day, "dispatch_ms", waited);
                    for sc in scope.lineage() {
                        out.waits.entry((sc.to_string(), day, "dispatch")).or_default().push(waited);
                    }
                }
                match s.to {
                    Status::Resolved => {
                        bump(&mut out, &scope, day, "tickets_resolved", 1);
                        bump(&mut out, &scope, day, "resolve_ms", waited);
                        let deadline = deadlines.deadline(&report.category, report.reported_at);
                        bump(&mut out, &scope, day, "on_time", i64::from(s.at <= deadline));
                        for sc in scope.lineage() {
                            out.waits.entry((sc.to_string(), day, "resolve")).or_default().push(waited);
                        }
                    }
                    Status::Closed => bump(&mut out, &scope, day, "tickets_closed", 1),
                    Status::Reopened => bump(&mut out, &scope, day, "tickets_reopened", 1),
                    _ => {}
                }
            }
        }
    }
    for e in events.values() {
        let k = match e.status {
            EventStatus::Scheduled => "events_scheduled",
            EventStatus::Held => "events_held",
            EventStatus::Cancelled => "events_cancelled",
        };
        bump(&mut out, &e.scope, cal.day_of(e.starts_at), k, 1);
        let by_type = match (e.status, e.event_type.is_some()) {
            (EventStatus::Held, true) => "held:lecture",
            (EventStatus::Held, false) => "held:other",
            (EventStatus::Scheduled, true) => "scheduled:lecture",
            (EventStatus::Scheduled, false) => "scheduled:other",
            (EventStatus::Cancelled, true) => "cancelled:lecture",
            (EventStatus::Cancelled, false) => "cancelled:other",
        };
        bump(&mut out, &e.scope, cal.day_of(e.starts_at), by_type, 1);
    }
    for (report, status, _, changes) in tickets.into_values() {
        let deadline = deadlines.deadline(&report.category, report.reported_at);
        for s in report.scope.lineage() {
            let live = out.live.entry(s.to_string()).or_default();
            if status != Status::Closed {
                *live.entry(status.as_str()).or_default() += 1;
            }
            if status.is_open() {
                *live.entry("tickets_open").or_default() += 1;
                *live.entry("tickets_overdue").or_default() += i64::from(deadline <= now);
            }
        }
        out.history.push((report.scope, report.category, deadline, changes));
    }
    out
}

impl Recount {
    /// Open (and overdue) tickets of `scope` at the end of a day ending at `end`.
    fn open_at(&self, scope: &Scope, end: i64) -> (i64, i64) {
        let mut open = 0;
        let mut overdue = 0;
        for (_, deadline, status) in self.statuses_at(scope, end) {
            let is_open = status.is_open();
            open += i64::from(is_open);
            overdue += i64::from(is_open && deadline < end);
        }
        (open, overdue)
    }

    /// Each ticket of `scope` that existed at `end`: its category, deadline and status then.
    fn statuses_at<'a>(&'a self, scope: &'a Scope, end: i64) -> impl Iterator<Item = (&'a str, i64, Status)> + 'a {
        self.history
            .iter()
            .filter(|(s, ..)| s.is_within(scope))
            .filter_map(move |(_, category, deadline, steps)| {
                let (_, status) = steps.iter().rev().find(|(at, _)| *at < end)?;
                Some((category.as_str(), *deadline, *status))
            })
    }

    /// Open tickets per category and tickets per status (closed left out) at `end`.
    fn breakdown_at(&self, scope: &Scope, end: i64) -> (BTreeMap<String, i64>, BTreeMap<&'static str, i64>) {
        let (mut categories, mut statuses) = (BTreeMap::new(), BTreeMap::new());
        for (category, _, status) in self.statuses_at(scope, end) {
            if status.is_open() {
                *categories.entry(category.to_owned()).or_insert(0) += 1;
            }
            if status != Status::Closed {
                *statuses.entry(status.as_str()).or_insert(0) += 1;
            }
        }
        (categories, statuses)
    }
}

struct Pipeline {
    ingest: Ingest,
    aggregates: Arc<dyn AggregateStore>,
    dashboards: Dashboards,
    registry: Arc<Registry>,
    calendar: Calendar,
    redis: bool,
}

async fn pipeline(settings: &Settings) -> Pipeline {
    let b = Backends::open(settings).await.unwrap();
    b.records.migrate().await.unwrap();
    let calendar = Calendar::new(&settings.time_zone).unwrap();
    let registry = Arc::new(Registry::load(b.records.clone()).await.unwrap());
    let metrics = Metrics::new().unwrap();
    let projection = Arc::new(Projection::new(
        b.records.clone(),
        b.aggregates.clone(),
        b.broker.clone(),
        calendar.clone(),
        metrics,
    ));
    let ingest = Ingest::start(b.records.clone(), projection, Freshness::new(), Deadlines::default());
    let dashboards = Dashboards::new(b.aggregates.clone(), registry.clone(), calendar.clone(), 10, 4);
    Pipeline {
        ingest,
        aggregates: b.aggregates,
        dashboards,
        registry,
        calendar,
        redis: settings.redis_url.is_some(),
    }
}

async fn check(p: &Pipeline, world: &World, want: &Recount) -> Result<(), String> {
    let now = jiff::Timestamp::now().as_millisecond();
    let today = p.calendar.day_of(now);
    for info in world.scopes() {
        let s = info.id.to_string();
        for back in 0..4 {
            let day = today.checked_sub(jiff::Span::new().days(back)).unwrap();
            let d = p.dashboards.dashboard(&info, Some(day)).await.map_err(|e| e.to_string())?;
            let f = serde_json::to_value(&d.figures).unwrap();
            let counts = want.day.get(&(s.clone(), day)).cloned().unwrap_or_default();
            for k in [
                "events_held",
                "events_scheduled",
                "events_cancelled",
                "attendance",
                "tickets_reported",
                "tickets_resolved",
                "tickets_closed",
                "tickets_reopened",
            ] {
                let expected = counts.get(k).copied().unwrap_or(0);
                if f[k].as_i64() != Some(expected) {
                    return Err(format!("{s} {day} {k}: got {}, recount {expected}", f[k]));
                }
            }
            for g in &d.events_by_kind {
                let t = g.event_type.as_str();
                let got = [g.events_held, g.events_scheduled, g.events_cancelled, g.attendance];
                let want_of = |k: String| counts.get(k.as_str()).copied().unwrap_or(0);
                let expected = [
                    want_of(format!("held:{t}")),
                    want_of(format!("scheduled:{t}")),
                    want_of(format!("cancelled:{t}")),
                    want_of(format!("att:{t}")),
                ];
                if got != expected || g.category != "health" {
                    return Err(format!("{s} {day} {}/{t}: got {got:?}, recount {expected:?}", g.category));
                }
                let persons = want
                    .persons_by_type
                    .get(&(s.clone(), day, if t == "lecture" { "lecture" } else { "other" }))
                    .map_or(0, |p| p.len() as i64);
                let slack = if p.redis { 1 } else { 0 }; // HyperLogLog may merge two persons
                if (g.unique_attendees - persons).abs() > slack || g.unique_attendees > persons {
                    return Err(format!("{s} {day} {t} unique: got {}, recount {persons}", g.unique_attendees));
                }
            }
            let typed: i64 = d.events_by_kind.iter().map(|g| g.attendance).sum();
            if typed != counts.get("attendance").copied().unwrap_or(0) {
                return Err(format!(
                    "{s} {day}: attendance by type sums to {typed}, total {:?}",
                    counts.get("attendance")
                ));
            }
            let resolved = counts.get("tickets_resolved").copied().unwrap_or(0);
            let mean = (resolved > 0).then(|| counts.get("resolve_ms").copied().unwrap_or(0) as f64 / 1000.0 / resolved as f64);
            if d.figures.mean_resolve_seconds.map(|m| (m * 1000.0).round()) != mean.map(|m| (m * 1000.0).round()) {
                return Err(format!(
                    "{s} {day} mean: got {:?}, recount {mean:?}",
                    d.figures.mean_resolve_seconds
                ));
            }
            let n = |k: &str| counts.get(k).copied().unwrap_or(0);
            let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
            let spread = |kind| {
                let mut v = want.waits.get(&(s.clone(), day, kind)).cloned().unwrap_or_default();
                v.sort_unstable();
                cockpit::domain::figures::Spread::of_sorted(&v)
            };
            let secs = |ms: Option<i64>| ms.map(|m| m as f64 / 1000.0);
            let closed_loop = [
                (
                    "tickets_dispatched",
                    Some(d.figures.tickets_dispatched as f64),
                    Some(n("tickets_dispatched") as f64),
                ),
                (
                    "mean_dispatch_seconds",
                    d.figures.mean_dispatch_seconds,
                    ratio(n("dispatch_ms"), n("tickets_dispatched")).map(|m| m / 1000.0),
                ),
                ("p50_dispatch_seconds", d.figures.p50_dispatch_seconds, secs(spread("dispatch").p50)),
                ("p90_dispatch_seconds", d.figures.p90_dispatch_seconds, secs(spread("dispatch").p90)),
                ("p50_resolve_seconds", d.figures.p50_resolve_seconds, secs(spread("resolve").p50)),
                ("p90_resolve_seconds", d.figures.p90_resolve_seconds, secs(spread("resolve").p90)),
                (
                    "resolved_on_time_rate",
                    d.figures.resolved_on_time_rate,
                    ratio(n("on_time"), n("tickets_resolved")),
                ),
                (
                    "reopen_rate",
                    d.figures.reopen_rate,
                    ratio(n("tickets_reopened"), n("tickets_resolved")),
                ),
            ];
            for (k, got, expected) in closed_loop {
                let close = match (got, expected) {
                    (Some(a), Some(b)) => (a - b).abs() < 1e-6,
                    (a, b) => a == b,
                };
                if !close {
                    return Err(format!("{s} {day} {k}: got {got:?}, recount {expected:?}"));
                }
            }
            let persons = want.persons.get(&(s.clone(), day)).map_or(0, |p| p.len() as i64);
            let slack = if p.redis { 1 } else { 0 }; // HyperLogLog may merge two persons
            if (d.figures.unique_attendees - persons).abs() > slack || d.figures.unique_attendees > persons {
                return Err(format!("{s} {day} unique: got {}, recount {persons}", d.figures.unique_attendees));
            }
            if back > 0 {
                let end = p.calendar.end_of(day);
                let (open, overdue) = want.open_at(&info.id, end);
                if (d.figures.tickets_open, d.figures.tickets_overdue) != (open, overdue) {
                    return Err(format!(
                        "{s} end of {day}: open/overdue {:?}, recount {:?}",
                        (d.figures.tickets_open, d.figures.tickets_overdue),
                        (open, overdue)
                    ));
                }
                // A past day's breakdowns are that day's end too, not today's.
                let (categories, statuses) = want.breakdown_at(&info.id, end);
                let got: BTreeMap<String, i64> = d
                    .categories
                    .iter()
                    .filter(|c| c.open != 0)
                    .map(|c| (c.category.clone(), c.open))
                    .collect();
                let by_status: BTreeMap<&str, i64> = d
                    .tickets_by_status
                    .iter()
                    .filter(|(_, n)| **n != 0)
                    .map(|(k, n)| (*k, *n))
                    .collect();
                if got != categories || by_status != statuses {
                    return Err(format!(
                        "{s} end of {day}: open by category {got:?} by status {by_status:?}, recount {categories:?} {statuses:?}"
                    ));
                }
            }
        }
        check_periods(p, &info, want, today).await?;
        let d = p.dashboards.dashboard(&info, None).await.map_err(|e| e.to_string())?;
        let live = want.live.get(&s).cloned().unwrap_or_default();
        let got = [
            ("tickets_open", d.figures.tickets_open),
            ("tickets_overdue", d.figures.tickets_overdue),
        ];
        for (k, v) in got.into_iter().chain(d.tickets_by_status.iter().map(|(k, v)| (*k, *v))) {
            if v != live.get(k).copied().unwrap_or(0) {
                return Err(format!("{s} live {k}: got {v}, recount {:?}", live.get(k)));
            }
        }
    }
    Ok(())
}

/// The week, month, year and all time containing `day` (and the day before the
/// stream's first, so periods in the past are checked too): every count and sum
/// is the sum of the recount's days in the period, and unique attendees its union.
async fn check_periods(p: &Pipeline, info: &ScopeInfo, want: &Recount, today: Date) -> Result<(), String> {
    use cockpit::domain::period::{Period, PeriodKind};
    let s = info.id.to_string();
    for day in [today, today.checked_sub(jiff::Span::new().days(4)).unwrap()] {
        for kind in [PeriodKind::Week, PeriodKind::Month, PeriodKind::Year, PeriodKind::All] {
            let period = Period::of(kind, day);
            let d = p.dashboards.dashboard_of(info, Some(day), kind).await.map_err(|e| e.to_string())?;
            let f = serde_json::to_value(&d.figures).unwrap();
            let inside = || {
                want.day
                    .iter()
                    .filter(|((sc, d), _)| *sc == s && period.contains(*d))
                    .map(|(_, c)| c)
            };
            for k in [
                "events_held",
                "events_scheduled",
                "events_cancelled",
                "attendance",
                "tickets_reported",
                "tickets_resolved",
                "tickets_closed",
                "tickets_reopened",
                "tickets_dispatched",
            ] {
                let expected: i64 = inside().map(|c| c.get(k).copied().unwrap_or(0)).sum();
                if f[k].as_i64() != Some(expected) {
                    return Err(format!("{s} {period} {k}: got {}, recount {expected}", f[k]));
                }
            }
            let resolved: i64 = inside().map(|c| c.get("tickets_resolved").copied().unwrap_or(0)).sum();
            let resolve_ms: i64 = inside().map(|c| c.get("resolve_ms").copied().unwrap_or(0)).sum();
            let mean = (resolved > 0).then(|| (resolve_ms as f64 / resolved as f64).round());
            if d.figures.mean_resolve_seconds.map(|m| (m * 1000.0).round()) != mean {
                return Err(format!(
                    "{s} {period} mean: got {:?}, recount {mean:?} ms",
                    d.figures.mean_resolve_seconds
                ));
            }
            let persons: HashSet<&String> = want
                .persons
                .iter()
                .filter(|((sc, d), _)| *sc == s && period.contains(*d))
                .flat_map(|(_, ps)| ps.iter())
                .collect();
            let (got, n) = (d.figures.unique_attendees, persons.len() as i64);
            let slack = if p.redis { 1 } else { 0 }; // HyperLogLog may merge two persons
            if (got - n).abs() > slack || got > n {
                return Err(format!("{s} {period} unique: got {got}, recount {n}"));
            }
        }
    }
    Ok(())
}

/// Sends one case in its batches, checks, rebuilds, checks again.
async fn run_case(p: &Pipeline, case: usize, ops: &[Op], cuts: &[usize]) -> Result<(), String> {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(tz)
        .start_of_day()
        .unwrap()
        .timestamp()
        .as_millisecond();
    let world = World {
        root: format!("r{case}x{:x}", rand::random::<u32>()),
        base: today - 3 * DAY,
    };
    p.registry.register(&world.scopes()).await.unwrap().unwrap();
    let records: Vec<Record> = ops.iter().map(|o| world.record(o)).collect();
    let mut start = 0;
    let mut sent = Vec::new();
    for &cut in cuts.iter().chain([records.len()].iter()) {
        let end = cut.clamp(start, records.len());
        if end > start {
            // Each batch goes twice, as a retrying client would send it: the second
            // copy is all duplicates, except records the first copy rejected that are
            // now valid (a step sent before its ticket's report in the same batch).
            for _ in 0..2 {
                p.ingest.submit(records[start..end].to_vec()).await.map_err(|e| e.to_string())?;
                sent.extend_from_slice(&records[start..end]);
            }
        }
        start = end;
    }
    let want = recount(&sent, &p.calendar, jiff::Timestamp::now().as_millisecond());
    check(p, &world, &want).await.map_err(|e| format!("live: {e}"))?;
    p.aggregates.clear().await.map_err(|e| e.to_string())?;
    p.ingest.sync().await.map_err(|e| e.to_string())?;
    check(p, &world, &want).await.map_err(|e| format!("after rebuild: {e}"))
}

fn property(settings: Settings, cases: u32) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let p = rt.block_on(pipeline(&settings));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (proptest::collection::vec(op(), 1..80), proptest::collection::vec(0..80usize, 0..6));
    let case = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&strategy, |(ops, mut cuts)| {
        cuts.sort_unstable();
        let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let outcome = rt.block_on(run_case(&p, n, &ops, &cuts));
        prop_assert!(outcome.is_ok(), "{}", outcome.err().unwrap_or_default());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn embedded_aggregates_equal_a_recount() {
    let dir = std::env::temp_dir().join(format!("cockpit-recount-{:x}", rand::random::<u64>()));
    property(
        Settings {
            data_dir: dir.clone(),
            ..Settings::default()
        },
        48,
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
fn production_aggregates_equal_a_recount() {
    let (db, redis) = pg::services();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let prefix = format!("p-{:x}", rand::random::<u64>());
    let pg = rt.block_on(pg::PgDb::create(&db, "p"));
    let settings = Settings {
        database_url: Some(Secret::new(pg.url.clone())),
        redis_url: Some(Secret::new(redis.clone())),
        redis_prefix: prefix.clone(),
        db_max_connections: 4,
        ..Settings::default()
    };
    let outcome = std::panic::catch_unwind(|| property(settings, 16));
    rt.block_on(async {
        pg.drop_db().await;
        let client = redis::Client::open(redis.as_str()).unwrap();
        let mut r = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{{{prefix}}}:*")).query_async(&mut r).await.unwrap();
        if !keys.is_empty() {
            let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut r).await.unwrap();
        }
    });
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}
