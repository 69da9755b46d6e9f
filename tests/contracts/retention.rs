//! Days past the hot window: the Redis store moves them into its day archive
//! (in PostgreSQL, or SQLite) and every read answers as the memory store,
//! which keeps every day, answers: after the move, on another instance that
//! has not seen it, after late records on archived days, with applies racing
//! the archiving, and after a clear.

use std::collections::HashMap;
use std::sync::Arc;

use cockpit::aggregates::archive::{ArchivedKey, DayArchive, Forget};
use cockpit::aggregates::memory::MemoryAggregates;
use cockpit::aggregates::redis::RedisAggregates;
use cockpit::aggregates::retention::retire_old;
use cockpit::aggregates::{AggregateError, AggregateStore, Applied, Delta, FigureQuery};
use cockpit::domain::day::Calendar;
use cockpit::domain::decide::Change;
use cockpit::domain::figures::RawFigures;
use cockpit::domain::period::{Period, PeriodKind, Span};
use cockpit::domain::record::EventKind;
use cockpit::domain::ticket::Status;
use cockpit::records::RecordStore;
use cockpit::records::postgres::PgRecords;
use cockpit::records::sqlite::SqliteRecords;
use jiff::civil::Date;

use super::aggregate_store::{HOUR, T, checkin_at, scope, step, ticket};

const DAY: i64 = 24 * HOUR;

/// Days of 2023 and 2024 the records fall on: years before any run of this test.
const DAYS: [i64; 4] = [0, 1, 15, 48];

/// The records of `round` on `day` (days after `T`): a ticket reported,
/// dispatched and resolved (its durations), one left open to fall overdue
/// (the per-day nets), a check-in at a lecture and one without a kind.
fn records_of(round: &str, day: i64) -> Vec<Change> {
    let at = T + day * DAY;
    let k = format!("{round}k{day}");
    let reported = |id: &str| {
        let mut report = ticket(id, "d.c.g1", at + 9 * HOUR);
        if let Change::Ticket { ticket, .. } = &mut report {
            ticket.reported_at = at;
        }
        report
    };
    let report = reported(&k);
    let left_open = reported(&format!("{round}o{day}"));
    let lecture = match checkin_at(&format!("{round}a{day}"), &format!("p{}", day % 3), at) {
        Change::Attendance { checkin, .. } => Change::Attendance {
            checkin,
            event: Some(EventKind {
                category: "health".into(),
                event_type: Some("lecture".into()),
            }),
        },
        other => other,
    };
    vec![
        report,
        left_open,
        step(&k, &format!("{k}s1"), Status::Reported, Status::Dispatched, at + HOUR + day),
        step(&k, &format!("{k}s2"), Status::Dispatched, Status::Resolved, at + 3 * HOUR + day),
        lecture,
        checkin_at(&format!("{round}b{day}"), &format!("{round}q"), at),
    ]
}

/// One delta of `changes` after `seq` (moved past them).
fn delta(seq: &mut i64, changes: Vec<Change>) -> Delta {
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let mut d = Delta::after(*seq);
    for c in &changes {
        *seq += 1;
        d.add(*seq, c, &cal);
    }
    d
}

/// One delta of `changes` after `seq`, applied to each store.
async fn apply(stores: &[&dyn AggregateStore], seq: &mut i64, changes: Vec<Change>) {
    let d = delta(seq, changes);
    for store in stores {
        assert_eq!(store.apply(&d).await.unwrap(), Applied::Done);
    }
}

/// Asserts `a` equals `b`, naming the first answer that differs.
#[track_caller]
fn same(a: &Answers, b: &Answers, what: &str) {
    for (i, (x, y)) in a.reads.iter().zip(&b.reads).enumerate() {
        for (j, (f, g)) in x.0.iter().zip(&y.0).enumerate() {
            assert_eq!(f, g, "{what}: read {i}, scope {j}");
        }
        assert_eq!(x.1, y.1, "{what}: read {i}'s watermark");
    }
    for (i, (x, y)) in a.series.iter().zip(&b.series).enumerate() {
        for (j, (f, g)) in x.0.iter().zip(&y.0).enumerate() {
            assert_eq!(f, g, "{what}: series {i}, day {j}");
        }
        assert_eq!(x.1, y.1, "{what}: series {i}'s nets");
    }
    assert_eq!(a, b, "{what}");
}

/// Everything the stores are read for, over days, weeks, months, years and ranges.
#[derive(Debug, PartialEq)]
struct Answers {
    reads: Vec<(Vec<RawFigures>, i64)>,
    series: Vec<(Vec<RawFigures>, HashMap<String, i64>)>,
    uniques: Vec<Vec<i64>>,
}

/// The days whose end-of-day values reads ask of the nets (and series from
/// which on): before every archived day, after one in the same month, and
/// between two, at a month's start and after one in its month (what moved
/// before it is read summed).
const NETS_FROM: [i64; 4] = [0, 1, 16, 50];

/// `r` without its counters at 0 (the memory store keeps a counter an apply
/// brought back to 0, Redis is sent no increment that cancelled out), and its
/// nets as what they answer: each figure's end-of-day value on the days
/// `from`..=`to` (Redis dates what moved before `from` differently, and a
/// read's nets answer for its day only).
fn nonzero(mut r: RawFigures, from: i64, to: i64) -> RawFigures {
    for map in [&mut r.day, &mut r.gauge] {
        map.retain(|_, n| *n != 0);
    }
    r.nets = end_of_days(&r.nets, from, to);
    r
}

/// Each figure's end-of-day values of days `from`..=`to`, keyed `figure:day`,
/// those not 0.
fn end_of_days(nets: &HashMap<String, i64>, from: i64, to: i64) -> HashMap<String, i64> {
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let figures: std::collections::BTreeSet<&str> = nets.keys().filter_map(|k| k.rsplit_once(':')).map(|(f, _)| f).collect();
    let mut out = HashMap::new();
    for n in from..=to {
        let day = cal.day_of(T + n * DAY).to_string();
        for f in &figures {
            let v = cockpit::domain::figures::prefix_sum(nets, &format!("{f}:"), &day);
            if v != 0 {
                out.insert(format!("{f}:{day}"), v);
            }
        }
    }
    out
}

async fn answers(store: &dyn AggregateStore) -> Answers {
    let day = |n: i64| Calendar::new("Asia/Shanghai").unwrap().day_of(T + n * DAY);
    // The records' days, and day 60, which late records land on while it is archived.
    let mut covers: Vec<Vec<Period>> = DAYS.iter().chain(&[60]).map(|n| vec![Period::Day(day(*n))]).collect();
    covers.extend([PeriodKind::Week, PeriodKind::Month, PeriodKind::Year, PeriodKind::All].map(|k| vec![Period::of(k, day(0))]));
    covers.push(Span::range(day(1), day(48)).unwrap().cover());
    covers.push(Span::range(day(0), day(15)).unwrap().cover());
    let queries = |from: i64| -> Vec<FigureQuery> {
        ["d", "d.c", "d.c.g1"]
            .map(|s| FigureQuery {
                scope: scope(s),
                top: 3,
                nets: Some(day(from)),
                due_within_ms: 4 * HOUR,
                overdue: 3,
            })
            .to_vec()
    };
    let kinds = ["health:lecture", "health:other"].map(String::from);
    let mut out = Answers {
        reads: Vec::new(),
        series: Vec::new(),
        uniques: Vec::new(),
    };
    for cover in &covers {
        for from in NETS_FROM {
            let r = store.read(&queries(from), cover, T + 50 * DAY).await.unwrap();
            let figures = r.figures.into_iter().map(|f| nonzero(f, from, from)).collect();
            out.reads.push((figures, r.watermark));
        }
        out.uniques.push(store.unique_by_kind(&scope("d.c"), cover, &kinds).await.unwrap());
    }
    for from in NETS_FROM {
        let days: Vec<Period> = (from..61).map(|n| Period::Day(day(n))).collect();
        for s in ["d", "d.c.g1"] {
            let r = store.series(&scope(s), &days).await.unwrap();
            let figures = r.days.into_iter().map(|f| nonzero(f, from, 100)).collect();
            out.series.push((figures, end_of_days(&r.nets, from, 100)));
        }
    }
    out
}

/// A day archive that, once told to, meddles the first time it is handed a
/// day: between an archiving's read of the day and its finish, it applies a
/// late delta (`Some`) or clears the store as a rebuild does (`None`).
struct Meddling {
    inner: Arc<dyn DayArchive>,
    late: tokio::sync::Mutex<Option<(RedisAggregates, Option<Delta>)>>,
}

#[async_trait::async_trait]
impl DayArchive for Meddling {
    async fn put_day(&self, deployment: &str, day: Date, epoch: &str, keys: &[ArchivedKey]) -> Result<(), AggregateError> {
        match self.late.lock().await.take() {
            Some((store, Some(late))) => assert_eq!(store.apply(&late).await.unwrap(), Applied::Done),
            Some((store, None)) => store.clear().await.unwrap(),
            None => {}
        }
        self.inner.put_day(deployment, day, epoch, keys).await
    }

    async fn carry(&self, deployment: &str, day: Date, from: &str, to: &str) -> Result<(), AggregateError> {
        self.inner.carry(deployment, day, from, to).await
    }

    async fn day(&self, deployment: &str, day: Date, epoch: &str, scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError> {
        self.inner.day(deployment, day, epoch, scopes).await
    }

    async fn nets(&self, deployment: &str, days: &[(Date, String)], scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError> {
        self.inner.nets(deployment, days, scopes).await
    }

    async fn forget(&self, deployment: &str, which: Forget<'_>) -> Result<(), AggregateError> {
        self.inner.forget(deployment, which).await
    }
}

/// Where the test's Redis is: the store's URL, a fresh prefix, and the one
/// server that holds the prefix's keys (a cluster's keys are counted there).
struct Place {
    url: String,
    prefix: String,
    node: String,
}

impl Place {
    fn single() -> Place {
        let url = super::redis_url();
        Place {
            node: url.clone(),
            url,
            prefix: format!("r-{:x}", rand::random::<u64>()),
        }
    }

    fn on(cluster: &super::cluster::Cluster) -> Place {
        let prefix = format!("r-{:x}", rand::random::<u64>());
        Place {
            url: cluster.url(),
            node: format!("redis://127.0.0.1:{}/", cluster.primary_of(&format!("{{{prefix}}}"))),
            prefix,
        }
    }
}

/// The contract over `archive`, on a fresh prefix at `place`.
async fn retention(archive: Arc<dyn DayArchive>, place: Place) {
    let Place { url, prefix, node } = place;
    let meddling = Arc::new(Meddling {
        inner: archive,
        late: tokio::sync::Mutex::new(None),
    });
    let archive: Arc<dyn DayArchive> = meddling.clone();
    let open = || async { RedisAggregates::connect(&url, &prefix).await.unwrap().with_archive(archive.clone()) };
    let (redis, other, memory) = (open().await, open().await, MemoryAggregates::new());
    let stores: [&dyn AggregateStore; 2] = [&redis, &memory];
    let cal = Calendar::new("Asia/Shanghai").unwrap();
    let mut seq = 0;
    for day in DAYS {
        apply(&stores, &mut seq, records_of("a", day)).await;
    }
    let live = answers(&memory).await;
    assert!(
        live.reads[0].0[0].day.contains_key("tickets_resolved"),
        "the days hold figures: {live:?}"
    );
    for part in ["n", "nm"] {
        let days = nets_days(&node, &prefix, part, "d.c").await;
        assert!(
            days.contains(&"2023-11-15".into()) || days.contains(&"2023-11".into()),
            "{part} holds the days: {days:?}"
        );
    }
    same(&answers(&redis).await, &live, "every day live");

    assert_eq!(retire_old(&memory, &cal, 400).await.unwrap(), 0, "memory keeps every day");
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), DAYS.len(), "each day archived");
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), 0, "nothing left to archive");
    assert_eq!(
        day_keys(&node, &prefix, &["2023-??-??", "2024-??-??"]).await,
        0,
        "no day key left in Redis"
    );
    let horizon = cal.day_of(T + 48 * DAY).to_string();
    for s in ["d", "d.c", "d.c.g1"] {
        let behind: Vec<String> = nets_days(&node, &prefix, "n", s)
            .await
            .into_iter()
            .filter(|d| *d <= horizon)
            .collect();
        assert!(behind.is_empty(), "{s}'s nets hold no field of an archived day: {behind:?}");
        let months = nets_days(&node, &prefix, "nm", s).await;
        let behind: Vec<&String> = months.iter().filter(|m| m.as_str() < &horizon[..7]).collect();
        assert!(behind.is_empty(), "{s}'s month sums hold no month archived whole: {months:?}");
    }
    same(&answers(&redis).await, &live, "every day archived");
    same(&answers(&other).await, &live, "on an instance that did not see the days go");

    // Late records on archived days: written to live keys, read merged with the archive.
    for day in DAYS {
        apply(&stores, &mut seq, records_of("b", day)).await;
    }
    same(&answers(&redis).await, &answers(&memory).await, "late records on archived days");

    // The next pass folds late keys into their days' rows: none left in Redis.
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), 0, "no new day archived");
    assert_eq!(
        day_keys(&node, &prefix, &["2023-??-??", "2024-??-??"]).await,
        0,
        "late keys folded into the archive"
    );
    same(&answers(&redis).await, &answers(&memory).await, "late records folded");
    same(
        &answers(&other).await,
        &answers(&memory).await,
        "late records folded, on another instance",
    );

    // Late records landing on an archived day while its late keys are folded:
    // the fold overtaken does not finish, and the next attempt takes them along.
    // (A check-in alone: the day's other keys, durations and per-kind
    // attendees, are carried over from the rows it was archived with.)
    apply(&stores, &mut seq, vec![checkin_at("f0", "pf", T)]).await;
    let later = delta(&mut seq, records_of("g", 0));
    assert_eq!(memory.apply(&later).await.unwrap(), Applied::Done);
    *meddling.late.lock().await = Some((open().await, Some(later)));
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), 0, "a fold is no new day");
    assert!(meddling.late.lock().await.is_none(), "the late records landed mid-fold");
    let first = cal.day_of(T).to_string();
    assert_eq!(day_keys(&node, &prefix, &[&first]).await, 0, "the day's late keys folded");
    same(&answers(&redis).await, &answers(&memory).await, "an apply overtook the fold");

    // Late records landing on a day while it is being archived: the archiving
    // overtaken does not finish, and the next attempt takes them along.
    apply(&stores, &mut seq, records_of("c", 60)).await;
    let late = delta(&mut seq, records_of("d", 60));
    assert_eq!(memory.apply(&late).await.unwrap(), Applied::Done);
    *meddling.late.lock().await = Some((open().await, Some(late)));
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), 1, "the day archived");
    assert!(meddling.late.lock().await.is_none(), "the late records landed mid-archiving");
    let day = Calendar::new("Asia/Shanghai").unwrap().day_of(T + 60 * DAY).to_string();
    assert_eq!(day_keys(&node, &prefix, &[&day]).await, 0, "none of the day's keys left in Redis");
    same(&answers(&redis).await, &answers(&memory).await, "an apply overtook the archiving");

    // A clear (a rebuild) landing while a day is being archived: the
    // archiving does not finish, and nothing comes back from the archive.
    apply(&[&redis], &mut seq, records_of("e", 80)).await;
    *meddling.late.lock().await = Some((open().await, None));
    assert_eq!(retire_old(&redis, &cal, 400).await.unwrap(), 0, "the archiving a clear overtook");
    assert!(meddling.late.lock().await.is_none(), "the clear landed mid-archiving");
    same(
        &answers(&redis).await,
        &answers(&MemoryAggregates::new()).await,
        "a clear forgets the archived days too",
    );
}

/// The days (or months) of the fields of `scope`'s per-day nets (`part` n)
/// or their month sums (`nm`) in Redis.
async fn nets_days(url: &str, prefix: &str, part: &str, scope: &str) -> Vec<String> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let fields: Vec<String> = redis::cmd("HKEYS")
        .arg(format!("{{{prefix}}}:4:{part}:{scope}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    fields
        .into_iter()
        .filter_map(|f| f.rsplit_once(':').map(|(_, d)| d.to_owned()))
        .collect()
}

/// How many keys of `prefix` are keys of the days `days` matches (a glob).
async fn day_keys(url: &str, prefix: &str, days: &[&str]) -> usize {
    let mut conn = redis::Client::open(url).unwrap().get_multiplexed_async_connection().await.unwrap();
    let mut n = 0;
    for day in days {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{{{prefix}}}:*:{day}*"))
            .query_async(&mut conn)
            .await
            .unwrap();
        n += keys.len();
    }
    n
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_with_a_postgres_day_archive_answers_as_before() {
    let db = super::pg_db().await;
    let pg = Arc::new(PgRecords::connect(&db.url, 2).await.unwrap());
    pg.migrate().await.unwrap();
    retention(pg, Place::single()).await;
    db.drop_db().await;
}

/// On a Redis Cluster of three primaries and three replicas: a day's keys,
/// the marks and a read's staged keys all lie in the prefix's slot, so the
/// archiving's scripts and the reads' transactions run there.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_redis_cluster_with_a_postgres_day_archive_answers_as_before() {
    let cluster = super::cluster::Cluster::start();
    let db = super::pg_db().await;
    let pg = Arc::new(PgRecords::connect(&db.url, 2).await.unwrap());
    pg.migrate().await.unwrap();
    retention(pg, Place::on(&cluster)).await;
    db.drop_db().await;
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_with_a_sqlite_day_archive_answers_as_before() {
    let (dir, lite) = sqlite_archive().await;
    retention(lite, Place::single()).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A ticket reported on `day` (days after `T`) with its deadline 9 hours in,
/// and, when `resolved` names a later day, resolved then.
fn reported_and_resolved(id: &str, day: i64, resolved: Option<i64>) -> Vec<Change> {
    let at = T + day * DAY;
    let mut report = ticket(id, "d.c.g1", at + 9 * HOUR);
    if let Change::Ticket { ticket, .. } = &mut report {
        ticket.reported_at = at;
    }
    let mut out = vec![report];
    if let Some(r) = resolved {
        for (n, from, to) in [(1, Status::Reported, Status::Dispatched), (2, Status::Dispatched, Status::Resolved)] {
            let mut c = step(id, &format!("{id}s{n}"), from, to, T + r * DAY + n * HOUR);
            if let Change::Transition { ticket, .. } = &mut c {
                ticket.reported_at = at;
                ticket.deadline = at + 9 * HOUR;
            }
            out.push(c);
        }
    }
    out
}

/// A figure whose month sum an archiving brings to 0 (its fields on the
/// month's later, live days cancel out) moved into the base, and is named
/// there: those later days' fields still count at their days' ends. A field
/// at 0 moves too.
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_figure_gone_from_its_month_sum_still_counts_on_the_months_live_days() {
    let (dir, lite) = sqlite_archive().await;
    let Place { url, prefix, node } = Place::single();
    let redis = RedisAggregates::connect(&url, &prefix).await.unwrap().with_archive(lite);
    let memory = MemoryAggregates::new();
    let stores: [&dyn AggregateStore; 2] = [&redis, &memory];
    let day = |n: i64| Calendar::new("Asia/Shanghai").unwrap().day_of(T + n * DAY);
    let mut seq = 0;
    // Day 47 (1 January) has a ticket reported and resolved in two applies:
    // its open nets field is at 0 when the day moves. Day 48 keeps a ticket
    // open; one reported on day 50 is resolved on day 51.
    let mut z = reported_and_resolved("z47", 47, Some(47));
    let steps = z.split_off(1);
    apply(&stores, &mut seq, z).await;
    apply(&stores, &mut seq, steps).await;
    apply(&stores, &mut seq, reported_and_resolved("m48", 48, None)).await;
    apply(&stores, &mut seq, reported_and_resolved("m50", 50, Some(51))).await;
    let mut conn = redis::Client::open(node.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let nets = hash(&mut conn, &format!("{{{prefix}}}:4:n:d.c.g1")).await;
    assert_eq!(nets.get("open:2024-01-01"), Some(&0), "a field at 0 to move: {nets:?}");
    assert_eq!(
        redis.retire(day(49)).await.unwrap(),
        2,
        "days 47 and 48 archived, days 50 and 51 kept"
    );
    let months = hash(&mut conn, &format!("{{{prefix}}}:4:nm:d.c.g1")).await;
    for figure in ["open", "overdue"] {
        let field = format!("{figure}:2024-01");
        assert!(!months.contains_key(&field), "January's {figure} moved to 0: {months:?}");
    }
    assert!(nets_days(&node, &prefix, "n", "d.c.g1").await.contains(&"2024-01-04".into()));
    for n in [48, 49, 50, 51, 52] {
        let q = [FigureQuery::headline(scope("d.c.g1"), Some(day(n)))];
        let cover = [Period::Day(day(n))];
        let (r, m) = (
            redis.read(&q, &cover, T + 60 * DAY).await.unwrap(),
            memory.read(&q, &cover, T + 60 * DAY).await.unwrap(),
        );
        let at_end = |f: &RawFigures| end_of_days(&f.nets, n, n);
        assert_eq!(at_end(&r.figures[0]), at_end(&m.figures[0]), "end of day {n}");
        let open = at_end(&m.figures[0]).get(&format!("open:{}", day(n))).copied();
        assert_eq!(open, Some(if n == 50 { 2 } else { 1 }), "open at the end of day {n}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh SQLite day archive in a directory of its own (removed by the test).
async fn sqlite_archive() -> (std::path::PathBuf, Arc<SqliteRecords>) {
    let dir = std::env::temp_dir().join(format!("cockpit-archive-{:x}", rand::random::<u64>()));
    let lite = Arc::new(SqliteRecords::open(&dir.join("r.sqlite3")).await.unwrap());
    lite.migrate().await.unwrap();
    (dir, lite)
}

/// A counters hash as Redis holds it.
async fn hash(conn: &mut redis::aio::MultiplexedConnection, key: &str) -> HashMap<String, i64> {
    redis::cmd("HGETALL").arg(key).query_async(conn).await.unwrap()
}
