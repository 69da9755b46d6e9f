//! The ticket book at scale (PostgreSQL only): 1,000-ticket pages over a whole
//! district of a million tickets through `TicketBook::tickets`, beside a plain
//! indexed `SELECT` of the same rows written by hand, interleaved in the same run.
//!
//! The tickets are loaded with SQL (`INSERT … SELECT generate_series`) into a fresh
//! database migrated by `PgRecords::migrate`: each one a `tickets` row and its
//! report's `journal` row, whose body is what `serde_json::to_string(&Change::Ticket
//! { ticket, deadline })` gives (checked after the load). Ingesting them through the
//! server would take minutes; the listing reads only these two tables.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use cockpit::domain::decide::Change;
use cockpit::domain::scope::Scope;
use cockpit::domain::ticket::Status;
use cockpit::records::postgres::PgRecords;
use cockpit::records::{RecordStore, StoredTicket, TicketBook, TicketOrder, TicketQuery};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::report::{pct, sorted};

/// The district every ticket lies under: `nanan.<street>.cNN.gNN`, 5 streets × 20
/// communities × 10 grids = 1,000 grids.
pub const DISTRICT: &str = "nanan";
const STREETS: [&str; 5] = ["nanping", "huayan", "tongyuanju", "longmenhao", "tianwenshan"];
const CATEGORIES: [(&str, &str); 8] = [
    ("garbage", "垃圾未清运 garbage not collected"),
    ("streetlight", "路灯不亮 streetlight out"),
    ("road", "路面坑洼 pothole in the road"),
    ("noise", "夜间施工噪音 construction noise at night"),
    ("water", "水管漏水 leaking water pipe"),
    ("parking", "占道停车 car parked on the pavement"),
    ("greenery", "绿化带缺损 damaged green belt"),
    ("drainage", "下水道堵塞 blocked drain"),
];
pub const PAGE: i64 = 1_000;
/// The open statuses, as the listing asks for them.
const OPEN: [Status; 4] = [Status::Reported, Status::Dispatched, Status::InProgress, Status::Reopened];

/// The same columns, join, conditions and order as the ticket book's listing,
/// written by hand as fixed SQL (the status list is the `tickets_open` predicate),
/// followed by `$tail`.
macro_rules! base_select {
    ($tail:literal) => {
        concat!(
            "SELECT t.status, t.last_at, j.body, t.deadline, t.id, t.holder FROM tickets t \
             JOIN journal j ON j.kind = 'ticket' AND j.record_id = t.id \
             WHERE (t.scope = $1 OR t.scope LIKE $2) AND t.status IN ('reported', 'dispatched', 'in_progress', 'reopened')",
            $tail
        )
    };
}
const BASE_FIRST: &str = base_select!(" ORDER BY t.deadline, t.id LIMIT 1000");
const BASE_NEXT: &str = base_select!(" AND (t.deadline > $3 OR (t.deadline = $3 AND t.id > $4)) ORDER BY t.deadline, t.id LIMIT 1000");
const BASE_OVERDUE: &str = base_select!(" AND t.deadline < $3 ORDER BY t.deadline, t.id LIMIT 1000");

type RawRow = (String, i64, String, i64, String, Option<String>);

/// What the load made.
pub struct Loaded {
    pub tickets: i64,
    pub open: i64,
    pub overdue: i64,
    pub journal_bytes: i64,
    /// Seconds: generating the rows, inserting them (journal and tickets at once), ANALYZE.
    pub generate_secs: f64,
    pub insert_secs: f64,
    pub analyze_secs: f64,
    pub total_secs: f64,
}

/// Migrates the fresh database at `url` and loads `n` tickets reported over the 180
/// days before `now` (ms). About a tenth are open: every ticket of the newest 5% (their
/// deadlines, 1–7 days after the report, partly past and partly to come) and 5% of the
/// older ones (all overdue). Journal and ticket rows are inserted in report order.
pub async fn load(url: &str, n: i64, now: i64) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let records = PgRecords::connect(url, 1).await.context("connecting to the tickets database")?;
    records.migrate().await.context("migrating the tickets database")?;
    records.pool().close().await;
    let mut c = PgConnection::connect(url).await?;
    // A load that has not finished in two minutes will not: fail rather than hang.
    sqlx::query("SET statement_timeout = '120s'").execute(&mut c).await?;

    let span: i64 = 180 * 86_400_000;
    let day: i64 = 86_400_000;
    let array = |v: &[&str]| format!("ARRAY['{}']", v.join("','"));
    let categories: Vec<&str> = CATEGORIES.iter().map(|c| c.0).collect();
    let descriptions: Vec<&str> = CATEGORIES.iter().map(|c| c.1).collect();
    // h: a cheap hash of i, spreading grids, categories, statuses and holders.
    let generate = format!(
        "CREATE UNLOGGED TABLE bench_ticket_src AS \
         SELECT i, id, scope, category, description, reported_at, deadline, status, \
                LEAST(reported_at + h % {day}, {now}) AS last_at, \
                CASE WHEN status IN ('dispatched', 'in_progress', 'reopened', 'resolved') \
                     THEN 'worker-' || lpad(((h / 31) % 200)::text, 3, '0') END AS holder \
         FROM (SELECT i, id, scope, category, description, reported_at, h, \
                      reported_at + (1 + h % 7) * {day} AS deadline, \
                      CASE WHEN fresh OR h % 100 < 5 \
                           THEN ('{{reported,dispatched,in_progress,reopened}}'::text[])[1 + (h / 7) % 4] \
                           WHEN (h / 7) % 5 = 0 THEN 'resolved' ELSE 'closed' END AS status \
               FROM (SELECT i, h, \
                            'tk-' || lpad(i::text, 8, '0') AS id, \
                            '{DISTRICT}.' || ({streets})[1 + g / 200] || '.c' || lpad((1 + (g / 10) % 20)::text, 2, '0') \
                                || '.g' || lpad((1 + g % 10)::text, 2, '0') AS scope, \
                            ({categories})[1 + h % 8] AS category, \
                            ({descriptions})[1 + h % 8] AS description, \
                            {now} - {span} + i * {span} / {n} - h % 60000 AS reported_at, \
                            i > {n} * 95 / 100 AS fresh \
                     FROM (SELECT i, (i * 7919) % 1000 AS g, (i * 2654435761) % 4294967291 AS h \
                           FROM generate_series(1::bigint, {n}::bigint) AS i) AS s) AS r) AS q",
        streets = array(&STREETS),
        categories = array(&categories),
        descriptions = array(&descriptions),
    );
    let t = Instant::now();
    sqlx::raw_sql(sqlx::AssertSqlSafe(generate)).execute(&mut c).await?;
    let generate_secs = t.elapsed().as_secs_f64();

    // serde_json's compact form of Change::Ticket (none of the values needs escaping).
    let journal_sql = "INSERT INTO journal (kind, record_id, scope, body) \
         SELECT 'ticket', id, scope, \
                format('{\"kind\":\"ticket\",\"ticket\":{\"id\":\"%s\",\"scope\":\"%s\",\"category\":\"%s\",\"reported_at\":%s,\"description\":\"%s\"},\"deadline\":%s}', \
                       id, scope, category, reported_at, description, deadline) \
         FROM bench_ticket_src ORDER BY i";
    let tickets_sql = "INSERT INTO tickets (id, scope, category, reported_at, deadline, status, last_at, holder) \
         SELECT id, scope, category, reported_at, deadline, status, last_at, holder FROM bench_ticket_src ORDER BY i";
    let t = Instant::now();
    let mut c2 = PgConnection::connect(url).await?;
    sqlx::query("SET statement_timeout = '120s'").execute(&mut c2).await?;
    let (a, b) = tokio::join!(sqlx::query(journal_sql).execute(&mut c), sqlx::query(tickets_sql).execute(&mut c2));
    a.context("inserting journal rows")?;
    b.context("inserting ticket rows")?;
    drop(c2);
    let insert_secs = t.elapsed().as_secs_f64();

    sqlx::query("DROP TABLE bench_ticket_src").execute(&mut c).await?;
    let t = Instant::now();
    sqlx::query("ANALYZE journal, tickets").execute(&mut c).await?;
    let analyze_secs = t.elapsed().as_secs_f64();
    let total_secs = started.elapsed().as_secs_f64();

    let (tickets, open, overdue): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), \
                COUNT(*) FILTER (WHERE status IN ('reported', 'dispatched', 'in_progress', 'reopened')), \
                COUNT(*) FILTER (WHERE status IN ('reported', 'dispatched', 'in_progress', 'reopened') AND deadline < $1) \
         FROM tickets",
    )
    .bind(now)
    .fetch_one(&mut c)
    .await?;
    let (journal_bytes,): (i64,) = sqlx::query_as("SELECT pg_total_relation_size('journal')").fetch_one(&mut c).await?;
    ensure!(tickets == n, "loaded {tickets} tickets, not {n}");
    check_bodies(&mut c, n).await?;
    Ok(Loaded {
        tickets,
        open,
        overdue,
        journal_bytes,
        generate_secs,
        insert_secs,
        analyze_secs,
        total_secs,
    })
}

/// A few journal bodies are exactly what serde writes for their `Change::Ticket`,
/// and agree with their `tickets` rows.
async fn check_bodies(c: &mut PgConnection, n: i64) -> anyhow::Result<()> {
    let ids: Vec<String> = [1, 2, 3, n].iter().map(|i| format!("tk-{i:08}")).collect();
    let rows: Vec<(String, String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT t.id, t.scope, t.category, t.reported_at, t.deadline, j.body FROM tickets t \
         JOIN journal j ON j.kind = 'ticket' AND j.record_id = t.id WHERE t.id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *c)
    .await?;
    ensure!(rows.len() == 4, "expected 4 sample tickets, got {}", rows.len());
    for (id, scope, category, reported_at, deadline, body) in rows {
        let change: Change = serde_json::from_str(&body).with_context(|| format!("journal body of {id}: {body}"))?;
        ensure!(
            serde_json::to_string(&change)? == body,
            "journal body of {id} is not serde's own: {body}"
        );
        let Change::Ticket { ticket, deadline: d } = change else {
            anyhow::bail!("journal body of {id} is not a report: {body}");
        };
        ensure!(
            (
                ticket.id.as_str(),
                ticket.scope.as_str(),
                ticket.category.as_str(),
                ticket.reported_at,
                d
            ) == (id.as_str(), scope.as_str(), category.as_str(), reported_at, deadline),
            "journal body of {id} disagrees with its tickets row: {body}"
        );
    }
    Ok(())
}

/// One kind of page: the ticket book's query, and the hand-written SQL and its binds.
struct Shape {
    key: &'static str,
    what: &'static str,
    query: TicketQuery,
    sql: &'static str,
    after: Option<(i64, String)>,
    overdue_at: Option<i64>,
}

type Query<'q, O> = sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>;

impl Shape {
    /// `q` with the hand-written SQL's values bound.
    fn bound<'q, O>(&'q self, q: Query<'q, O>) -> Query<'q, O> {
        let q = q.bind(DISTRICT).bind(format!("{DISTRICT}.%"));
        match (&self.after, self.overdue_at) {
            (Some((key, id)), _) => q.bind(*key).bind(id.as_str()),
            (None, Some(at)) => q.bind(at),
            (None, None) => q,
        }
    }

    async fn base(&self, c: &mut PgConnection) -> Result<Vec<RawRow>, sqlx::Error> {
        self.bound(sqlx::query_as(self.sql)).fetch_all(c).await
    }

    /// The plan PostgreSQL chooses for the hand-written SQL on `c`.
    async fn plan(&self, c: &mut PgConnection) -> Result<String, sqlx::Error> {
        let explain = sqlx::AssertSqlSafe(format!("EXPLAIN (COSTS OFF) {}", self.sql));
        let lines: Vec<(String,)> = self.bound(sqlx::query_as(explain)).fetch_all(c).await?;
        Ok(lines.into_iter().map(|(l,)| l).collect::<Vec<_>>().join("\n"))
    }
}

/// p50 / p99 / max / mean of one way of reading one page, in ms.
pub struct Spread {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Spread {
    fn of(samples: Vec<f64>) -> Spread {
        let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
        let s = sorted(samples);
        Spread {
            p50: pct(&s, 50.0),
            p99: pct(&s, 99.0),
            max: s.last().copied().unwrap_or(f64::NAN),
            mean,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"p50_ms": self.p50, "p99_ms": self.p99, "max_ms": self.max, "mean_ms": self.mean})
    }
}

pub struct Measured {
    pub key: &'static str,
    pub what: &'static str,
    pub ours: Spread,
    pub base: Spread,
    /// The plain SELECT with `max_parallel_workers_per_gather = 0`.
    pub serial: Spread,
    pub samples: usize,
    /// The plain SELECT's plan, by default and with parallel workers off.
    pub plan: String,
    pub serial_plan: String,
}

/// Times `iterations` rounds (after `warm` unmeasured ones, and stopping early when
/// `budget` is spent), each reading every page in three ways, in rotating order:
/// through the ticket book, by the plain SELECT, and by the plain SELECT on a
/// connection with parallel workers off.
pub async fn measure(url: &str, now: i64, warm: usize, iterations: usize, budget: Duration) -> anyhow::Result<Vec<Measured>> {
    let records = PgRecords::connect(url, 1).await?;
    let mut c = PgConnection::connect(url).await?;
    let district = Scope::parse(DISTRICT).map_err(anyhow::Error::msg)?;
    let open = TicketQuery {
        within: Some(district),
        statuses: OPEN.to_vec(),
        order: TicketOrder::Deadline,
        limit: PAGE,
        ..TicketQuery::default()
    };
    let first = records.tickets(&open).await?;
    ensure!(first.len() == PAGE as usize, "the first page holds {} tickets", first.len());
    let cursor = first.last().map(|t| t.after(TicketOrder::Deadline)).context("an empty page")?;
    let shapes = [
        Shape {
            key: "open",
            what: "open, first page",
            query: open.clone(),
            sql: BASE_FIRST,
            after: None,
            overdue_at: None,
        },
        Shape {
            key: "next",
            what: "open, second page (cursor)",
            query: TicketQuery {
                after: Some(cursor.clone()),
                ..open.clone()
            },
            sql: BASE_NEXT,
            after: Some((cursor.key, cursor.id.clone())),
            overdue_at: None,
        },
        Shape {
            key: "overdue",
            what: "overdue now, first page",
            query: TicketQuery {
                deadline_before: Some(now),
                ..open.clone()
            },
            sql: BASE_OVERDUE,
            after: None,
            overdue_at: Some(now),
        },
    ];
    // Both ways read the same 1,000 tickets, in the same order.
    for s in &shapes {
        let ours: Vec<String> = records.tickets(&s.query).await?.into_iter().map(|t| t.report.id).collect();
        let base: Vec<String> = s.base(&mut c).await?.into_iter().map(|r| r.4).collect();
        ensure!(ours.len() == PAGE as usize, "{}: {} tickets, not {PAGE}", s.key, ours.len());
        ensure!(
            ours == base,
            "{}: the ticket book and the plain SELECT list different tickets",
            s.key
        );
    }
    // The ways: 0 the ticket book, 1 the plain SELECT, 2 the plain SELECT with
    // parallel workers off (the planner's own choice of plan may be a parallel one).
    let mut serial = PgConnection::connect(url).await?;
    sqlx::query("SET max_parallel_workers_per_gather = 0").execute(&mut serial).await?;
    let mut plans = Vec::new();
    for s in &shapes {
        plans.push((s.plan(&mut c).await?, s.plan(&mut serial).await?));
    }
    let mut samples: Vec<[Vec<f64>; 3]> = (0..shapes.len()).map(|_| Default::default()).collect();
    let stop = Instant::now() + budget;
    for round in 0..warm + iterations {
        if Instant::now() > stop {
            break;
        }
        for (k, s) in shapes.iter().enumerate() {
            for j in 0..3 {
                let way = (round + j) % 3;
                let t = Instant::now();
                let n = match way {
                    0 => {
                        let page: Vec<StoredTicket> = records.tickets(&s.query).await?;
                        std::hint::black_box(&page).len()
                    }
                    1 => std::hint::black_box(s.base(&mut c).await?).len(),
                    _ => std::hint::black_box(s.base(&mut serial).await?).len(),
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                ensure!(n == PAGE as usize, "{}: a page of {n}", s.key);
                if round >= warm {
                    samples[k][way].push(ms);
                }
            }
        }
    }
    records.pool().close().await;
    Ok(shapes
        .iter()
        .zip(samples.into_iter().zip(plans))
        .map(|(s, ([o, b, z], (plan, serial_plan)))| Measured {
            key: s.key,
            what: s.what,
            samples: o.len(),
            ours: Spread::of(o),
            base: Spread::of(b),
            serial: Spread::of(z),
            plan,
            serial_plan,
        })
        .collect())
}
