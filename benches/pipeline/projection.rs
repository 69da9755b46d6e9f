//! The projection's cost per record with and without the period totals (week,
//! month, year, all time), and the dashboard read at `period=all`, in process on
//! an aggregate store (memory, or Redis under a key prefix of its own): no server.
//!
//! A stream of changes over the bench's scope tree, spread over the last 60 days
//! (ticket reports and their steps to closure, events posted and then held,
//! check-ins with persons), is applied in deltas of `BATCH` records, once with
//! `Delta::after` (the projection as it is) and once with `Delta::days_only` (day
//! counters only: the projection before period totals, the same-run baseline),
//! alternating on a cleared store. The last round keeps the period totals, and the
//! root's dashboard read is timed over all time, a one-year range and today.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use cockpit::aggregates::{AggregateStore, Applied, Delta, FigureQuery};
use cockpit::config::Settings;
use cockpit::domain::day::Calendar;
use cockpit::domain::decide::{Change, TicketHead};
use cockpit::domain::period::{Period, Span};
use cockpit::domain::record::{Attendance, Event, EventKind, EventStatus, TicketReport, Transition};
use cockpit::domain::scope::Scope;
use cockpit::domain::ticket::Status;
use jiff::civil::Date;

use crate::data::{Rng, Tree};
use crate::report::sorted;

/// Records per delta: the batch phase's POST size, the live ingest's unit.
pub const BATCH: usize = 1_000;
/// How far back the stream reaches.
pub const DAYS: i64 = 60;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Residents who check in (the persons of the unique counts).
const RESIDENTS: usize = 20_000;
const TICKET_CATEGORIES: [(&str, i64); 6] = [
    ("street_light", 72),
    ("garbage", 24),
    ("parking", 24),
    ("dispute", 120),
    ("noise", 48),
    ("water", 48),
];
const EVENT_CATEGORIES: [(&str, &str); 4] = [
    ("health", "lecture"),
    ("dance", "activity"),
    ("calligraphy", "training"),
    ("legal_aid", "service"),
];

/// The changes, in journal order, and what they are.
pub struct Stream {
    pub changes: Vec<Change>,
    pub tickets: usize,
    pub steps: usize,
    pub events: usize,
    pub checkins: usize,
}

impl Stream {
    pub fn describe(&self) -> String {
        format!(
            "{} ticket reports, {} steps, {} event posts, {} check-ins over {DAYS} days",
            self.tickets, self.steps, self.events, self.checkins
        )
    }
}

fn scope(s: &str) -> anyhow::Result<Scope> {
    Scope::parse(s).map_err(|e| anyhow::anyhow!("scope {s}: {e}"))
}

/// About `records` changes over the tree's grids in the `DAYS` days before `now`:
/// per day, events (posted as scheduled three days ahead, re-posted as held after
/// they start) with 10–40 check-ins each, about half the records; tickets reported
/// at any hour, dispatched, taken up, resolved (a fifth of them after their
/// deadline) and mostly closed, the other half. Steps not yet due by `now` are
/// left out, so the newest tickets stay open and some are overdue.
pub fn stream(tree: &Tree, records: usize, now: i64) -> anyhow::Result<Stream> {
    let grids: Vec<Scope> = tree.grids.iter().map(|g| scope(g)).collect::<anyhow::Result<_>>()?;
    let mut rng = Rng::new(0x5EED_0021);
    let per_day = (records as i64 / DAYS).max(20);
    let (events_per_day, tickets_per_day) = ((per_day / 52).max(1), (per_day / 10).max(1));
    let start = now - DAYS * DAY_MS;
    let mut timed: Vec<(i64, Change)> = Vec::with_capacity(records + records / 10);
    let (mut tickets, mut steps) = (0, 0);
    for d in 0..DAYS {
        let day0 = start + d * DAY_MS;
        for i in 0..events_per_day {
            let (category, kind) = EVENT_CATEGORIES[rng.below(EVENT_CATEGORIES.len())];
            let starts_at = day0 + rng.between(8 * HOUR_MS, 20 * HOUR_MS);
            let scheduled = Event {
                id: format!("e{d}-{i}"),
                scope: grids[rng.below(grids.len())].clone(),
                category: category.to_owned(),
                event_type: Some(kind.to_owned()),
                title: format!("健康大讲堂 lecture {i}"),
                starts_at,
                status: EventStatus::Scheduled,
            };
            let held = Event {
                status: EventStatus::Held,
                ..scheduled.clone()
            };
            timed.push((
                (starts_at - 3 * DAY_MS).max(start),
                Change::Event {
                    event: scheduled.clone(),
                    previous: None,
                },
            ));
            timed.push((
                starts_at + 2 * HOUR_MS,
                Change::Event {
                    event: held,
                    previous: Some(Box::new(scheduled.clone())),
                },
            ));
            for k in 0..10 + rng.below(31) {
                let at = starts_at + rng.between(0, 2 * HOUR_MS);
                timed.push((
                    at,
                    Change::Attendance {
                        checkin: Attendance {
                            id: format!("a{d}-{i}-{k}"),
                            event_id: scheduled.id.clone(),
                            scope: scheduled.scope.clone(),
                            at,
                            count: if rng.below(10) == 0 { 2 } else { 1 },
                            person: Some(format!("p{}", rng.below(RESIDENTS))),
                        },
                        event: Some(EventKind::of(&scheduled)),
                    },
                ));
            }
        }
        for i in 0..tickets_per_day {
            let (category, hours) = TICKET_CATEGORIES[rng.below(TICKET_CATEGORIES.len())];
            let at = day0 + rng.between(0, DAY_MS);
            let head = TicketHead {
                scope: grids[rng.below(grids.len())].clone(),
                category: category.to_owned(),
                reported_at: at,
                deadline: at + hours * HOUR_MS,
            };
            let id = format!("t{d}-{i}");
            timed.push((
                at,
                Change::Ticket {
                    ticket: TicketReport {
                        id: id.clone(),
                        scope: head.scope.clone(),
                        category: category.to_owned(),
                        reported_at: at,
                        description: "路灯不亮 street light out".to_owned(),
                        location: None,
                    },
                    deadline: head.deadline,
                },
            ));
            tickets += 1;
            let worker = format!("worker-{}", rng.below(40));
            let dispatched = at + rng.between(10 * 60_000, 2 * HOUR_MS);
            let taken = dispatched + rng.between(HOUR_MS, 6 * HOUR_MS);
            // A fifth are resolved after their deadline.
            let within = (hours * HOUR_MS - (taken - at)).max(HOUR_MS);
            let resolved = if rng.below(5) == 0 {
                taken + within + rng.between(HOUR_MS, 48 * HOUR_MS)
            } else {
                taken + rng.between(HOUR_MS / 2, within)
            };
            let closed = (rng.below(5) != 0).then(|| resolved + rng.between(HOUR_MS, 48 * HOUR_MS));
            let path = [
                (Status::Reported, Status::Dispatched, dispatched),
                (Status::Dispatched, Status::InProgress, taken),
                (Status::InProgress, Status::Resolved, resolved),
            ]
            .into_iter()
            .chain(closed.map(|c| (Status::Resolved, Status::Closed, c)));
            for (n, (from, to, when)) in path.enumerate() {
                if when > now {
                    break;
                }
                timed.push((
                    when,
                    Change::Transition {
                        transition: Transition {
                            id: format!("{id}-s{n}"),
                            ticket_id: id.clone(),
                            to,
                            at: when,
                            assignee: (to == Status::Dispatched).then(|| worker.clone()),
                            note: None,
                            within: None,
                        },
                        ticket: head.clone(),
                        from,
                        late: false,
                        holder: (from != Status::Reported).then(|| worker.clone()),
                    },
                ));
                steps += 1;
            }
        }
    }
    // Journal order: by time (a stable sort keeps a ticket's report before its steps).
    timed.retain(|(at, _)| *at <= now);
    timed.sort_by_key(|(at, _)| *at);
    let events_kept = timed.iter().filter(|(_, c)| matches!(c, Change::Event { .. })).count();
    let checkins_kept = timed.iter().filter(|(_, c)| matches!(c, Change::Attendance { .. })).count();
    Ok(Stream {
        changes: timed.into_iter().map(|(_, c)| c).collect(),
        tickets,
        steps,
        events: events_kept,
        checkins: checkins_kept,
    })
}

/// One load of the whole stream: time building the deltas and applying them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load {
    pub build: Duration,
    pub apply: Duration,
    pub records: usize,
}

impl Load {
    pub fn per_record_us(&self) -> f64 {
        (self.build + self.apply).as_secs_f64() * 1e6 / self.records.max(1) as f64
    }
    pub fn apply_us(&self) -> f64 {
        self.apply.as_secs_f64() * 1e6 / self.records.max(1) as f64
    }
}

/// Clears the store and applies the stream in deltas of `BATCH`, with period
/// totals (`Delta::after`) or without (`Delta::days_only`).
pub async fn load(store: &dyn AggregateStore, stream: &Stream, cal: &Calendar, totals: bool) -> anyhow::Result<Load> {
    store.clear().await?;
    let mut out = Load::default();
    let mut seq = 0i64;
    for chunk in stream.changes.chunks(BATCH) {
        let t0 = Instant::now();
        let mut delta = if totals { Delta::after(seq) } else { Delta::days_only(seq) };
        for change in chunk {
            seq += 1;
            delta.add(seq, change, cal);
        }
        let t1 = Instant::now();
        let applied = store.apply(&delta).await?;
        let t2 = Instant::now();
        if applied != Applied::Done {
            bail!("delta after {} not applied: {applied:?}", delta.prev_seq);
        }
        out.build += t1 - t0;
        out.apply += t2 - t1;
        out.records += chunk.len();
    }
    Ok(out)
}

/// After an unmeasured warm-up, both loads alternated `pairs` times (days only,
/// then with totals), each on a cleared store: machine noise falls on both. The
/// store ends holding the totals.
pub async fn alternate(
    store: &dyn AggregateStore,
    stream: &Stream,
    cal: &Calendar,
    pairs: usize,
) -> anyhow::Result<(Vec<Load>, Vec<Load>)> {
    // Unmeasured: a fifth of the stream, so the first measured load is not the one
    // that warms caches, allocator and connection.
    let warm = Stream {
        changes: stream.changes[..stream.changes.len() / 5].to_vec(),
        tickets: 0,
        steps: 0,
        events: 0,
        checkins: 0,
    };
    load(store, &warm, cal, true).await.context("warming up")?;
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for _ in 0..pairs.max(1) {
        before.push(load(store, stream, cal, false).await.context("loading days only")?);
        after.push(load(store, stream, cal, true).await.context("loading with period totals")?);
    }
    Ok((before, after))
}

/// What a dashboard reads for a scope and its children (src/dashboard.rs,
/// `dashboard_over`, live): the scope with its top units, due-soon count and oldest
/// overdue tickets; each child's headline and due-soon count.
pub fn dashboard_queries(tree: &Tree) -> anyhow::Result<Vec<FigureQuery>> {
    let settings = Settings::default();
    let root = scope(&tree.root)?;
    let due = settings.due_soon_hours.max(1) * HOUR_MS;
    let mut queries = vec![FigureQuery {
        scope: root.clone(),
        top: settings.top_grids,
        nets: None,
        due_within_ms: due,
        overdue: 10,
    }];
    for (id, _) in &tree.scopes {
        let s = scope(id)?;
        if s.parent().as_ref() == Some(&root) {
            queries.push(FigureQuery {
                due_within_ms: due,
                ..FigureQuery::headline(s, None)
            });
        }
    }
    Ok(queries)
}

/// The year ending today, as the periods that cover it.
pub fn year_cover(today: Date) -> anyhow::Result<Vec<Period>> {
    let from = today.checked_sub(jiff::Span::new().days(364))?;
    Span::range(from, today).map(|s| s.cover()).context("a year's range")
}

/// Read latencies (µs), sorted, and what the reads saw.
pub struct Reads {
    pub day: Vec<f64>,
    pub all: Vec<f64>,
    pub year: Vec<f64>,
    /// Tickets reported under the root, read over all time.
    pub all_reported: i64,
}

/// `n` reads of each cover, in rotating order.
pub async fn reads(store: &dyn AggregateStore, queries: &[FigureQuery], today: Date, year: &[Period], n: usize) -> anyhow::Result<Reads> {
    let day = [Period::Day(today)];
    let all = [Period::All];
    let covers: [&[Period]; 3] = [&day, &all, year];
    let mut samples: [Vec<f64>; 3] = [Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n)];
    let mut all_reported = 0;
    for i in 0..n {
        for k in 0..3 {
            let which = (i + k) % 3;
            let now = jiff::Timestamp::now().as_millisecond();
            let t = Instant::now();
            let r = store.read(queries, covers[which], now).await?;
            samples[which].push(t.elapsed().as_secs_f64() * 1e6);
            ensure!(
                r.figures.len() == queries.len(),
                "a read answered {} of {} queries",
                r.figures.len(),
                queries.len()
            );
            if which == 1 {
                all_reported = r.figures[0].day.get("tickets_reported").copied().unwrap_or(0);
            }
        }
    }
    let [day, all, year] = samples.map(sorted);
    Ok(Reads {
        day,
        all,
        year,
        all_reported,
    })
}
