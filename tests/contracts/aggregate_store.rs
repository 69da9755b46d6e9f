//! The `AggregateStore` contract: atomic, in-order applies guarded by the
//! watermark; reads of counters, gauges, uniques, top units and the overdue clock.

use std::sync::Arc;

use cockpit::aggregates::memory::MemoryAggregates;
use cockpit::aggregates::redis::RedisAggregates;
use cockpit::aggregates::{AggregateStore, AlertClaims, Applied, Bucket, Delta, FigureQuery, ScreenBoard};
use cockpit::domain::day::Calendar;
use cockpit::domain::decide::{Change, TicketHead};
use cockpit::domain::figures::Spread;
use cockpit::domain::ledger::{Direction, Head, LedgerEntry};
use cockpit::domain::period::Period;
use cockpit::domain::record::{Attendance, TicketReport, Transition};
use cockpit::domain::scope::Scope;
use cockpit::domain::screen::ScreenReport;
use cockpit::domain::survey::{Answer, Response};
use cockpit::domain::ticket::Status;
use jiff::civil::Date;

pub(super) const T: i64 = 1_700_000_000_000; // 2023-11-14 22:13 UTC, 2023-11-15 in Shanghai
pub(super) const HOUR: i64 = 3_600_000;

pub(super) fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

pub(super) fn ticket(id: &str, grid: &str, deadline: i64) -> Change {
    Change::Ticket {
        ticket: TicketReport {
            id: id.into(),
            scope: scope(grid),
            category: "garbage".into(),
            reported_at: T,
            description: String::new(),
            location: None,
        },
        deadline,
    }
}

pub(super) fn step(ticket: &str, id: &str, from: Status, to: Status, at: i64) -> Change {
    let head = TicketHead {
        scope: scope("d.c.g1"),
        category: "garbage".into(),
        reported_at: T,
        deadline: if ticket == "k5" { T + 2 * HOUR } else { T + 99 * HOUR },
    };
    let transition = Transition {
        id: id.into(),
        ticket_id: ticket.into(),
        to,
        at,
        assignee: Some("王".into()),
        note: None,
        within: None,
    };
    Change::Transition {
        transition,
        ticket: head,
        from,
        late: false,
        holder: None,
    }
}

fn checkin(id: &str, person: &str) -> Change {
    Change::Attendance {
        checkin: Attendance {
            id: id.into(),
            event_id: "e".into(),
            scope: scope("d.c.g1"),
            at: T,
            count: 2,
            person: Some(person.into()),
        },
        event: None,
    }
}

async fn contract(store: Arc<dyn AggregateStore>) {
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let day: Date = "2023-11-15".parse().unwrap();
    store.clear().await.unwrap();
    assert_eq!(store.watermark().await.unwrap(), 0);

    let mut d = Delta::after(0);
    d.add(1, &ticket("k1", "d.c.g1", T + HOUR), &cal);
    d.add(2, &ticket("k2", "d.c.g1", T + 5 * HOUR), &cal);
    d.add(3, &ticket("k3", "d.c.g2", T + 9 * HOUR), &cal);
    d.add(4, &checkin("a1", "p1"), &cal);
    d.add(5, &checkin("a2", "p2"), &cal);
    d.add(6, &checkin("a3", "p1"), &cal);
    assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    assert_eq!(store.watermark().await.unwrap(), 6);
    assert_eq!(store.apply(&d).await.unwrap(), Applied::Already, "a replayed delta changes nothing");

    let mut gap = Delta::after(9);
    gap.add(10, &ticket("k9", "d.c.g1", T), &cal);
    assert_eq!(
        store.apply(&gap).await.unwrap(),
        Applied::Gap { watermark: 6 },
        "entries 7-9 are missing"
    );

    let q = |s: &str, top| FigureQuery {
        scope: scope(s),
        top,
        nets: Some(day),
        due_within_ms: 4 * HOUR,
        overdue: 5,
    };
    let now = T + 6 * HOUR; // k1 and k2 are overdue, k3 is next
    let r = store
        .read(&[q("d", 5), q("d.c.g1", 0), q("d.c.g2", 0)], &[Period::Day(day)], now)
        .await
        .unwrap()
        .figures;
    assert_eq!(r[0].day.get("tickets_reported"), Some(&3));
    assert_eq!(r[0].day.get("attendance"), Some(&6));
    assert_eq!(r[0].unique, 2);
    assert_eq!(r[0].gauge.get("status:reported"), Some(&3));
    assert_eq!(r[0].overdue_now, 2);
    assert_eq!(r[0].next_deadline, Some(T + 9 * HOUR));
    assert_eq!(r[0].top, vec![("d.c.g1".to_string(), 2), ("d.c.g2".to_string(), 1)]);
    assert_eq!(r[0].nets.get("open:2023-11-15"), Some(&3));
    assert_eq!((r[1].overdue_now, r[2].overdue_now), (2, 0));
    assert!(r[1].top.is_empty(), "top 0 reads none");
    assert_eq!(r[0].due_soon, 1, "k3 falls due within 4 hours");
    assert_eq!(
        r[0].overdue_oldest,
        vec![("k1".to_string(), T + HOUR), ("k2".to_string(), T + 5 * HOUR)],
        "oldest first"
    );

    // Closed-loop durations: k4 dispatched after 10 min and resolved after 1 h, k5 resolved after 3 h.
    let mut d2 = Delta::after(6);
    d2.add(7, &ticket("k4", "d.c.g1", T + 99 * HOUR), &cal);
    d2.add(8, &step("k4", "s1", Status::Reported, Status::Dispatched, T + 10 * 60_000), &cal);
    d2.add(9, &step("k4", "s2", Status::Dispatched, Status::Resolved, T + HOUR), &cal);
    d2.add(10, &ticket("k5", "d.c.g1", T + 2 * HOUR), &cal);
    d2.add(11, &step("k5", "s3", Status::Reported, Status::Resolved, T + 3 * HOUR), &cal);
    assert_eq!(store.apply(&d2).await.unwrap(), Applied::Done);
    let r = store.read(&[q("d", 0)], &[Period::Day(day)], now).await.unwrap().figures;
    assert_eq!(
        r[0].resolve,
        Spread {
            n: 2,
            p50: Some(HOUR),
            p90: Some(3 * HOUR)
        }
    );
    assert_eq!(
        r[0].dispatch,
        Spread {
            n: 1,
            p50: Some(600_000),
            p90: Some(600_000)
        }
    );
    assert_eq!(r[0].day.get("resolved_on_time"), Some(&1), "k5 was resolved after its deadline");
    assert_eq!(r[0].day.get("assigned:王"), Some(&1));
    let s = store.series(&scope("d"), &[Period::Day(day)]).await.unwrap();
    assert_eq!(s.days[0].resolve, r[0].resolve);

    let s = store
        .series(&scope("d.c"), &[Period::Day(day.yesterday().unwrap()), Period::Day(day)])
        .await
        .unwrap();
    assert_eq!(s.days.len(), 2);
    assert!(s.days[0].day.is_empty());
    assert_eq!((s.days[1].day.get("attendance"), s.days[1].unique), (Some(&6), 2));

    store.clear().await.unwrap();
    assert_eq!(store.watermark().await.unwrap(), 0);
    let r = store.read(&[q("d", 5)], &[Period::Day(day)], now).await.unwrap().figures;
    assert!(r[0].day.is_empty() && r[0].top.is_empty() && r[0].overdue_now == 0);
    store.ping().await.unwrap();
    counter_hashes(store.as_ref()).await;
    long_runs(store.as_ref()).await;
}

/// Deltas whose runs of one key pass what one script command takes (1,000 members
/// or pairs): 2,500 open tickets in one grid, 1,200 of them then resolved, and
/// 1,500 people checking in.
async fn long_runs(store: &dyn AggregateStore) {
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let day: Date = "2023-11-15".parse().unwrap();
    store.clear().await.unwrap();
    let mut d = Delta::after(0);
    for i in 0..2_500 {
        d.add(i + 1, &ticket(&format!("L{i}"), "d.c.g1", T + HOUR), &cal);
    }
    for i in 0..1_500 {
        d.add(2_501 + i, &checkin(&format!("c{i}"), &format!("p{i}")), &cal);
    }
    assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    let mut resolved = Delta::after(4_000);
    for i in 0..1_200 {
        let change = step(&format!("L{i}"), &format!("r{i}"), Status::Reported, Status::Resolved, T + 2 * HOUR);
        resolved.add(4_001 + i, &change, &cal);
    }
    assert_eq!(store.apply(&resolved).await.unwrap(), Applied::Done);
    let q = |s: &str| FigureQuery {
        scope: scope(s),
        top: 0,
        nets: None,
        due_within_ms: 0,
        overdue: 0,
    };
    let r = store
        .read(&[q("d"), q("d.c.g1")], &[Period::Day(day)], T + 6 * HOUR)
        .await
        .unwrap()
        .figures;
    for (r, s) in r.iter().zip(["d", "d.c.g1"]) {
        assert_eq!(r.overdue_now, 1_300, "{s}: 2,500 overdue, 1,200 resolved");
        assert_eq!(r.gauge.get("status:reported"), Some(&1_300), "{s}");
        assert_eq!(r.gauge.get("status:resolved"), Some(&1_200), "{s}");
        assert_eq!(r.day.get("tickets_reported"), Some(&2_500), "{s}");
        // A HyperLogLog in Redis: within its 0.81% standard error, with room.
        assert!((1_460..=1_540).contains(&r.unique), "{s}: {} unique of 1,500", r.unique);
    }
    store.clear().await.unwrap();
}

fn report(screen: &str, scope_id: &str, seen_at: i64) -> Arc<ScreenReport> {
    Arc::new(ScreenReport {
        screen: screen.into(),
        named: true,
        scope: scope(scope_id),
        instance: "i1".into(),
        address: "10.1.2.3".into(),
        user_agent: "wall".into(),
        connected_at: T,
        sent_seq: 4,
        acked_seq: Some(3),
        waiting_since: Some(T + 1),
        seen_at,
        gone_at: None,
    })
}

/// Screen presence: reports are upserted by screen id and forgotten on request.
async fn presence_contract(store: Arc<dyn ScreenBoard>) {
    assert!(store.screens().await.unwrap().is_empty());
    let (a, b) = (report("a", "d.c", T), report("b", "d.c.g1", T));
    store.put_screens(&[a.clone(), b.clone()], &[]).await.unwrap();
    let mut all = store.screens().await.unwrap();
    all.sort_by(|x, y| x.screen.cmp(&y.screen));
    assert_eq!(all, vec![a.clone(), b.clone()], "reports come back exactly as written");
    let a2 = Arc::new(ScreenReport {
        gone_at: Some(T + 9),
        ..(*report("a", "d.c", T + 9)).clone()
    });
    store.put_screens(std::slice::from_ref(&a2), &["b".to_owned()]).await.unwrap();
    assert_eq!(
        store.screens().await.unwrap(),
        vec![a2],
        "a newer report replaces the older; b is forgotten"
    );
    store.put_screens(&[], &[]).await.unwrap();
}

/// A check-in of `person` at `at` in grid 1.
pub(super) fn checkin_at(id: &str, person: &str, at: i64) -> Change {
    let Change::Attendance { mut checkin, event } = checkin(id, person) else {
        unreachable!("checkin makes an attendance")
    };
    checkin.at = at;
    Change::Attendance { checkin, event }
}

/// Running totals: what four days in three weeks, two months and two years add
/// up to, per period, read back as one figure each; uniques per period too.
async fn periods(store: &dyn AggregateStore) {
    use cockpit::domain::period::{PeriodKind, Span};
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    store.clear().await.unwrap();
    const DAY: i64 = 24 * HOUR;
    // 2023-11-15 (Wed, W46), 2023-11-16 (W46), 2023-11-30 (W48), 2024-01-02 (W01 of 2024).
    let days = [(T, "p1"), (T + DAY, "p2"), (T + 15 * DAY, "p1"), (T + 48 * DAY, "p3")];
    let mut seq = 0;
    for (i, (at, person)) in days.iter().enumerate() {
        // One delta per day, as live ingest would bring them, a ticket and two check-ins each.
        let mut d = Delta::after(seq);
        for c in [
            ticket(&format!("k{i}"), "d.c.g1", at + DAY),
            checkin_at(&format!("a{i}"), person, *at),
            checkin_at(&format!("b{i}"), "p9", *at),
        ] {
            seq += 1;
            let mut c = c;
            if let Change::Ticket { ticket, .. } = &mut c {
                ticket.reported_at = *at;
            }
            d.add(seq, &c, &cal);
        }
        assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    }
    let read = |kind: PeriodKind, day: &str| {
        let period = Period::of(kind, day.parse().unwrap());
        async move {
            let q = FigureQuery::headline(scope("d"), None);
            store.read(&[q], &[period], T).await.unwrap().figures.remove(0)
        }
    };
    for (kind, day, reported, attendance, unique) in [
        (PeriodKind::Day, "2023-11-16", 1, 4, 2),
        (PeriodKind::Week, "2023-11-15", 2, 8, 3),
        (PeriodKind::Week, "2023-11-30", 1, 4, 2),
        (PeriodKind::Month, "2023-11-01", 3, 12, 3),
        (PeriodKind::Year, "2023-12-31", 3, 12, 3),
        (PeriodKind::Year, "2024-01-02", 1, 4, 2),
        (PeriodKind::All, "2024-01-02", 4, 16, 4),
    ] {
        let r = read(kind, day).await;
        assert_eq!(
            (r.day.get("tickets_reported").copied(), r.day.get("attendance").copied(), r.unique),
            (Some(reported), Some(attendance), unique),
            "{kind:?} of {day}"
        );
    }
    // Any range of days: the sum of the whole periods that cover it, and the
    // union of their persons (p1 on 15 and 30 November counts once).
    for (from, to, reported, attendance, unique) in [
        ("2023-11-16", "2024-01-02", 3, 12, 4),
        ("2023-11-15", "2023-11-30", 3, 12, 3),
        ("2023-11-17", "2023-11-29", 0, 0, 0),
    ] {
        let span = Span::range(from.parse().unwrap(), to.parse().unwrap()).unwrap();
        let q = FigureQuery::headline(scope("d"), None);
        let r = store.read(&[q], &span.cover(), T).await.unwrap().figures.remove(0);
        assert_eq!(
            (
                r.day.get("tickets_reported").copied().unwrap_or(0),
                r.day.get("attendance").copied().unwrap_or(0),
                r.unique
            ),
            (reported, attendance, unique),
            "{from}..{to} read as {:?}",
            span.cover()
        );
    }
    let weeks = Period::ending(PeriodKind::Week, "2023-11-30".parse().unwrap(), 3);
    let s = store.series(&scope("d.c"), &weeks).await.unwrap();
    let reported: Vec<Option<i64>> = s.days.iter().map(|r| r.day.get("tickets_reported").copied()).collect();
    assert_eq!(
        reported,
        [Some(2), None, Some(1)],
        "weeks 46, 47 and 48, under the grid's community"
    );
    store.clear().await.unwrap();
    assert!(
        read(PeriodKind::All, "2024-01-02").await.day.is_empty(),
        "clearing forgets the running totals"
    );
}

/// Unique attendees per event kind: a person at two lectures on two days counts
/// once over the range, and not among the dancers.
async fn uniques_by_kind(store: &dyn AggregateStore) {
    use cockpit::domain::period::Span;
    use cockpit::domain::record::EventKind;
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    store.clear().await.unwrap();
    let at = |id: &str, person: &str, day: i64, kind: (&str, Option<&str>)| {
        let Change::Attendance { mut checkin, .. } = checkin_at(id, person, T + day * 24 * HOUR) else {
            unreachable!("checkin_at makes an attendance")
        };
        checkin.person = Some(person.into());
        let event = EventKind {
            category: kind.0.into(),
            event_type: kind.1.map(Into::into),
        };
        Change::Attendance {
            checkin,
            event: Some(event),
        }
    };
    let lecture = ("health", Some("lecture"));
    let mut d = Delta::after(0);
    for (seq, c) in [
        at("a1", "p1", 0, lecture),
        at("a2", "p1", 1, lecture),
        at("a3", "p2", 1, lecture),
        at("a4", "p3", 1, ("dance", Some("activity"))),
        at("a5", "p4", 1, ("health", None)),
    ]
    .iter()
    .enumerate()
    {
        d.add(seq as i64 + 1, c, &cal);
    }
    assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    let kinds: Vec<String> = ["health:lecture", "dance:activity", "health:other", "choir:activity"]
        .map(String::from)
        .to_vec();
    let first: Date = "2023-11-15".parse().unwrap();
    let two_days = Span::range(first, "2023-11-16".parse().unwrap()).unwrap().cover();
    for (cover, want) in [
        (two_days, [2, 1, 1, 0]),
        (vec![Period::Day(first)], [1, 0, 0, 0]),
        (vec![Period::All], [2, 1, 1, 0]),
    ] {
        let got = store.unique_by_kind(&scope("d"), &cover, &kinds).await.unwrap();
        assert_eq!(got, want, "{cover:?}");
    }
    assert!(store.unique_by_kind(&scope("d"), &[Period::All], &[]).await.unwrap().is_empty());
    store.clear().await.unwrap();
}

#[tokio::test]
async fn memory_keeps_the_aggregate_store_contract() {
    uniques_by_kind(&MemoryAggregates::new()).await;
    periods(&MemoryAggregates::new()).await;
    contract(Arc::new(MemoryAggregates::new())).await;
    presence_contract(Arc::new(MemoryAggregates::new())).await;
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_keeps_the_aggregate_store_contract() {
    redis_contract(&super::redis_url()).await;
}

/// A Redis Cluster of three primaries and three replicas: every key of a
/// deployment lies in its prefix's slot, and the client follows the cluster.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_redis_cluster_keeps_the_aggregate_store_contract() {
    let cluster = super::cluster::Cluster::start();
    redis_contract(&cluster.url()).await;

    // One node named by a plain URL that does not hold the prefix's slot takes
    // no figure: refused at connect, naming the cluster URL to use instead.
    let prefix = format!("c-{:x}", rand::random::<u64>());
    let owner = cluster.primary_of(&format!("{{{prefix}}}"));
    let other = cluster.primaries().into_iter().find(|p| *p != owner).unwrap();
    let refused = RedisAggregates::connect(&format!("redis://127.0.0.1:{other}/"), &prefix).await;
    let why = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        why.contains("redis+cluster://") && why.contains(&format!("127.0.0.1:{owner}")),
        "a node without the slot refused, naming its owner: {why:?}"
    );
    let held = RedisAggregates::connect(&format!("redis://127.0.0.1:{owner}/"), &prefix).await;
    assert!(held.is_ok(), "the node that holds the slot taken as one server");
}

/// The whole contract on a fresh prefix at `url`, then `clear` leaves nothing.
async fn redis_contract(url: &str) {
    let prefix = format!("c-{:x}", rand::random::<u64>());
    let store = RedisAggregates::connect(url, &prefix).await.unwrap();
    uniques_by_kind(&store).await;
    periods(&store).await;
    contract(Arc::new(store.clone())).await;
    store.clear().await.unwrap();
    presence_contract(Arc::new(store.clone())).await;
    store.clear().await.unwrap();
    assert_eq!(
        store.watermark().await.unwrap(),
        0,
        "clear found every key (on a cluster, on the slot's node)"
    );
}

/// Survey tallies and ledger totals: counted in the scope and every ancestor,
/// read back whole.
async fn counter_hashes(store: &dyn AggregateStore) {
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let wm = store.watermark().await.unwrap();
    let answers = [("q".to_string(), Answer::Text("a".into()))].into_iter().collect();
    let response = Response {
        id: "r1".into(),
        survey_id: "s1".into(),
        scope: Some(scope("d.c.g1")),
        ticket_id: None,
        at: T,
        answers,
        within: None,
    };
    let entry = LedgerEntry {
        id: "L1".into(),
        scope: scope("d.c"),
        at: T,
        direction: Direction::Income,
        category: "parking".into(),
        amount_fen: 12_345,
        counterparty: "停车场".into(),
        note: None,
        reference: None,
        reverses: None,
    };
    let mut d = Delta::after(wm);
    d.add(
        wm + 1,
        &Change::Response {
            response,
            scope: scope("d.c.g1"),
            tallies: vec![("q=a".into(), 1)],
            ticket: None,
            reopened_from: None,
        },
        &cal,
    );
    d.add(
        wm + 2,
        &Change::Ledger {
            chained: Box::new(entry.chain(&Head::genesis())),
        },
        &cal,
    );
    assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    let h = store
        .hashes(&[
            Bucket::Survey(scope("d"), "s1".into()),
            Bucket::Ledger(scope("d")),
            Bucket::Ledger(scope("d.c")),
            Bucket::Ledger(scope("d.c.g1")),
        ])
        .await
        .unwrap();
    assert_eq!(
        (h[0].get("n"), h[0].get("q=a"), h[0].get("d:2023-11-15")),
        (Some(&1), Some(&1), Some(&1)),
        "{:?}",
        h[0]
    );
    assert_eq!(h[1].get("income:2023-11"), Some(&12_345), "{:?}", h[1]);
    assert_eq!(h[1].get("income:all:parking"), Some(&12_345));
    assert_eq!(
        (h[1].get("own_n"), h[2].get("own_n")),
        (None, Some(&1)),
        "a chain's length counts in its own scope only"
    );
    assert!(h[3].is_empty(), "nothing under the entry's scope");
}

/// Instances on one Redis applying the same journal at once (each projecting, or
/// replaying after a restart) count every change once: each delta is `Done` for
/// exactly one of them and `Already` for the rest, whichever order their
/// transactions reach Redis in.
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_counts_each_delta_once_when_instances_race() {
    let url = super::redis_url();
    let prefix = format!("c-{:x}", rand::random::<u64>());
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    const DELTAS: i64 = 30;
    const PER: i64 = 50;
    let deltas: Arc<Vec<Delta>> = Arc::new(
        (0..DELTAS)
            .map(|i| {
                let mut d = Delta::after(i * PER);
                for j in 1..=PER {
                    let seq = i * PER + j;
                    d.add(seq, &checkin(&format!("a{seq}"), &format!("p{seq}")), &cal);
                }
                d
            })
            .collect(),
    );
    let mut racers = Vec::new();
    for _ in 0..4 {
        let store = RedisAggregates::connect(&url, &prefix).await.unwrap();
        let deltas = deltas.clone();
        racers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            for d in deltas.iter() {
                match store.apply(d).await.unwrap() {
                    Applied::Done => done.push(d.last_seq),
                    Applied::Already => {}
                    gap => panic!("in-order applies never leave a gap: {gap:?}"),
                }
            }
            done
        }));
    }
    let mut done: Vec<i64> = Vec::new();
    for r in racers {
        done.extend(r.await.unwrap());
    }
    done.sort_unstable();
    let want: Vec<i64> = (1..=DELTAS).map(|i| i * PER).collect();
    assert_eq!(done, want, "every delta applied by exactly one instance");
    let store = RedisAggregates::connect(&url, &prefix).await.unwrap();
    assert_eq!(store.watermark().await.unwrap(), DELTAS * PER);
    let day: Date = "2023-11-15".parse().unwrap();
    let q = FigureQuery {
        scope: scope("d"),
        top: 0,
        nets: None,
        due_within_ms: 0,
        overdue: 0,
    };
    let r = store.read(&[q], &[Period::Day(day)], T).await.unwrap().figures;
    assert_eq!(
        r[0].day.get("attendance"),
        Some(&(2 * DELTAS * PER)),
        "two per check-in, counted once"
    );
    store.clear().await.unwrap();
}

/// Instances on one Redis claim each alert transition once, so a webhook is called once.
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_lets_one_instance_claim_each_alert_transition() {
    let url = super::redis_url();
    let prefix = format!("c-{:x}", rand::random::<u64>());
    let one = RedisAggregates::connect(&url, &prefix).await.unwrap();
    let two = RedisAggregates::connect(&url, &prefix).await.unwrap();
    const TTL: u64 = 60_000;
    assert!(one.claim_alert("r", "firing", TTL).await.unwrap());
    assert!(
        !two.claim_alert("r", "firing", TTL).await.unwrap(),
        "the same transition is claimed once"
    );
    assert!(two.claim_alert("other", "firing", TTL).await.unwrap(), "rules are claimed apart");
    assert!(two.claim_alert("r", "resolved", TTL).await.unwrap());
    assert!(!one.claim_alert("r", "resolved", TTL).await.unwrap());
    assert!(
        one.claim_alert("r", "firing", TTL).await.unwrap(),
        "firing again after resolving is new"
    );
    one.clear().await.unwrap();
    assert!(
        MemoryAggregates::new().claim_alert("r", "firing", TTL).await.unwrap(),
        "one instance always claims"
    );
}

/// A claim dedupes instances taking the same transition together, not later
/// episodes: after every instance restarted (forgetting a `firing` whose condition
/// cleared meanwhile, so no `resolved` was claimed) the next `firing` is a new page.
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn an_alert_claim_expires_so_a_later_episode_is_claimed_again() {
    let url = super::redis_url();
    let prefix = format!("c-{:x}", rand::random::<u64>());
    let before_restart = RedisAggregates::connect(&url, &prefix).await.unwrap();
    assert!(before_restart.claim_alert("x", "firing", 30).await.unwrap());
    let after_restart = RedisAggregates::connect(&url, &prefix).await.unwrap();
    // Wait for the claim to lapse (no timing is asserted: only that it does lapse).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !after_restart.claim_alert("x", "firing", 60_000).await.unwrap() {
        assert!(tokio::time::Instant::now() < deadline, "a claim of 30 ms never lapsed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        !before_restart.claim_alert("x", "firing", 60_000).await.unwrap(),
        "within its lifetime the new claim still dedupes"
    );
    after_restart.clear().await.unwrap();
}
