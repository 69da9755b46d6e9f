//! `cargo bench --bench pipeline -- [--short] [--backend embedded|production|both] [--json PATH]`
//!
//! Starts `cockpit serve` as a child process (release build) on loopback, drives it
//! from this process and prints each figure beside a baseline measured in the same
//! run, as a ratio, with the target of issue 6. See docs/benchmarks.md.
//!
//! Figures: batch ingest, single-record ingest, ingest → screen latency, fan-out,
//! memory per idle screen and after N records, rebuild, ticket pages (`tickets.rs`,
//! against a hand-written SELECT of the same rows), the projection's cost per record
//! and the dashboard read over all time (`projection.rs`, against day counters only
//! and a read of today). Baselines: the trivial
//! actix-web servers of `trivial.rs` (this binary, run as a child with
//! `--trivial-server`), `redis-benchmark`, a PostgreSQL `COPY` / SQLite bulk insert of
//! the same journal rows, and a plain read of the journal.
//!
//! Production (PostgreSQL + Redis) needs `TEST_DATABASE_URL` and `TEST_REDIS_URL`
//! (`scripts/with-services.sh`, or simply `scripts/bench.sh`); the bench creates its
//! own database and Redis key prefix and removes them at the end.

#[path = "pipeline/baselines.rs"]
mod baselines;
#[path = "pipeline/client.rs"]
mod client;
#[path = "pipeline/data.rs"]
mod data;
#[path = "pipeline/phases.rs"]
mod phases;
#[path = "pipeline/procs.rs"]
mod procs;
#[path = "pipeline/projection.rs"]
mod projection;
#[path = "pipeline/reads.rs"]
mod reads;
#[path = "pipeline/report.rs"]
mod report;
#[path = "pipeline/retention.rs"]
mod retention;
#[path = "pipeline/tickets.rs"]
mod tickets;
#[path = "pipeline/trivial.rs"]
mod trivial;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use cockpit::aggregates::AggregateStore;
use cockpit::aggregates::memory::MemoryAggregates;
use cockpit::aggregates::redis::RedisAggregates;
use cockpit::config::{Secret, Settings};
use cockpit::domain::day::Calendar;
use serde_json::{Value, json};

use crate::data::{Clock, Tree};
use crate::phases::{Meter, Prober};
use crate::procs::Child;
use crate::report::{Row, fmt, pct, thousands};

const PHASES: [&str; 9] = [
    "batch",
    "single",
    "latency",
    "fanout",
    "rebuild",
    "slow",
    "tickets",
    "projection",
    "reads",
];
/// What `--city` runs unless `--phases` says otherwise.
const CITY_PHASES: [&str; 3] = ["batch", "reads", "rebuild"];
/// Phases that start no server.
const SERVERLESS: [&str; 2] = ["tickets", "projection"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Embedded,
    Production,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Embedded => "embedded",
            Backend::Production => "production",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Backend::Embedded => "SQLite+memory",
            Backend::Production => "PG+Redis",
        }
    }
}

struct Args {
    short: bool,
    /// Run by `cargo test` (no `--bench`): the short mode in the test profile, failing
    /// unless every figure was measured. This is how CI keeps the command working.
    smoke: bool,
    backends: Vec<Backend>,
    json: Option<PathBuf>,
    markdown: bool,
    communities: usize,
    records: usize,
    screens: usize,
    /// Tickets loaded for the ticket book's pages (PostgreSQL).
    tickets: i64,
    phases: BTreeSet<String>,
    perf: Option<PathBuf>,
    /// Log the plans of slow PostgreSQL statements (auto_explain) to `<logs>/pg-slow.log`.
    pg_explain: bool,
    /// A city's breadth (`Tree::city`), records over the last year (`Clock::days`).
    city: bool,
    /// With `--city`: the records' days, ending today (365 unless `--days` says).
    days: i64,
    /// After `batch` on PostgreSQL + Redis: move the days before the last N to the day archive (`retention.rs`).
    retain_days: Option<u32>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench --bench pipeline -- [--short] [--backend embedded|production|both] [--json PATH]\n\
         \x20      [--markdown] [--scopes COMMUNITIES] [--records N] [--screens N] [--phases batch,single,latency,fanout,rebuild,slow,tickets,projection,reads]\n\
         \x20      [--tickets N] [--perf DIR] [--pg-explain] [--city [--days N]] [--retain-days N]\n\
         production needs TEST_DATABASE_URL and TEST_REDIS_URL (scripts/bench.sh starts throwaway services)"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let smoke = !argv.iter().any(|a| a == "--bench");
    if smoke && !argv.is_empty() {
        // `cargo test <filter>` passes the filter to every test binary.
        eprintln!(
            "pipeline bench: skipped under `cargo test {}` (run it with scripts/bench.sh)",
            argv.join(" ")
        );
        std::process::exit(0);
    }
    let mut a = Args {
        short: smoke,
        smoke,
        backends: Vec::new(),
        json: None,
        markdown: false,
        communities: 30,
        records: 0,
        screens: 0,
        tickets: 0,
        // `reads` is `--city`'s (or asked for by name).
        phases: PHASES.iter().filter(|p| **p != "reads").map(|s| s.to_string()).collect(),
        perf: None,
        pg_explain: false,
        city: false,
        days: 365,
        retain_days: None,
    };
    let mut phases_given = false;
    let mut backend: Option<String> = None;
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--short" => a.short = true,
            "--backend" => backend = Some(value("--backend")),
            "--json" => a.json = Some(PathBuf::from(value("--json"))),
            "--markdown" => a.markdown = true,
            "--scopes" => a.communities = value("--scopes").parse().unwrap_or_else(|_| usage()),
            "--records" => a.records = value("--records").parse().unwrap_or_else(|_| usage()),
            "--screens" => a.screens = value("--screens").parse().unwrap_or_else(|_| usage()),
            "--tickets" => a.tickets = value("--tickets").parse().unwrap_or_else(|_| usage()),
            "--city" => a.city = true,
            "--days" => a.days = value("--days").parse().ok().filter(|d| *d > 0).unwrap_or_else(|| usage()),
            "--retain-days" => a.retain_days = Some(value("--retain-days").parse().ok().filter(|d| *d > 0).unwrap_or_else(|| usage())),
            "--phases" => {
                phases_given = true;
                a.phases = value("--phases").split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = a.phases.iter().find(|p| !PHASES.contains(&p.as_str())) {
                    eprintln!("unknown phase {bad}");
                    usage();
                }
            }
            "--perf" => a.perf = Some(PathBuf::from(value("--perf"))),
            "--pg-explain" => a.pg_explain = true,
            // cargo passes --bench to harness = false targets.
            "--bench" => {}
            "-h" | "--help" => usage(),
            other => {
                eprintln!("unknown argument {other}");
                usage()
            }
        }
    }
    if a.city && !phases_given {
        a.phases = CITY_PHASES.iter().map(|s| s.to_string()).collect();
    }
    let services = std::env::var("TEST_DATABASE_URL").is_ok() && std::env::var("TEST_REDIS_URL").is_ok();
    a.backends = match backend.as_deref() {
        Some("embedded") => vec![Backend::Embedded],
        Some("production") => vec![Backend::Production],
        Some("both") => vec![Backend::Embedded, Backend::Production],
        None if services => vec![Backend::Embedded, Backend::Production],
        None => {
            eprintln!("bench: TEST_DATABASE_URL / TEST_REDIS_URL not set: embedded backend only (scripts/bench.sh runs both)");
            vec![Backend::Embedded]
        }
        Some(_) => usage(),
    };
    if a.backends.contains(&Backend::Production) && !services {
        eprintln!("bench: the production backend needs TEST_DATABASE_URL and TEST_REDIS_URL: run scripts/bench.sh");
        std::process::exit(2);
    }
    if a.records == 0 {
        // The smoke run is a test build: enough records to cover every phase, no more.
        a.records = if a.smoke {
            32_000
        } else if a.short {
            96_000
        } else {
            1_000_000
        };
    }
    if a.screens == 0 {
        a.screens = if a.short { 1_000 } else { 10_000 };
    }
    if a.tickets <= 0 {
        // Enough open and overdue tickets for two full pages, at any size.
        a.tickets = if a.smoke {
            40_000
        } else if a.short {
            100_000
        } else {
            1_000_000
        };
    }
    if a.tickets < 40_000 {
        eprintln!(
            "bench: --tickets {} is too few for two pages of open and of overdue tickets: using 40,000",
            a.tickets
        );
        a.tickets = 40_000;
    }
    a
}

/// Sizes that differ between the full and the short run.
struct Plan {
    single_warm: Duration,
    single_measure: Duration,
    fan_measure: Duration,
    /// (screens, probes at window 0, probes at the default window)
    latency: [(usize, usize, usize); 3],
    /// Rounds of ticket pages (each page read three ways), and the time they may take.
    ticket_rounds: usize,
    ticket_budget: Duration,
    /// Records of the projection's stream, pairs of loads (days only, with period
    /// totals), and dashboard reads of each cover.
    projection_records: usize,
    projection_pairs: usize,
    projection_reads: usize,
}

impl Plan {
    fn of(short: bool) -> Plan {
        if short {
            Plan {
                single_warm: Duration::from_millis(300),
                single_measure: Duration::from_secs(2),
                fan_measure: Duration::from_secs(2),
                latency: [(1, 40, 6), (100, 15, 5), (1000, 8, 4)],
                ticket_rounds: 50,
                ticket_budget: Duration::from_secs(10),
                projection_records: 60_000,
                projection_pairs: 2,
                projection_reads: 1_000,
            }
        } else {
            Plan {
                single_warm: Duration::from_secs(1),
                single_measure: Duration::from_secs(8),
                fan_measure: Duration::from_secs(8),
                latency: [(1, 200, 40), (100, 60, 25), (1000, 30, 15)],
                ticket_rounds: 200,
                ticket_budget: Duration::from_secs(90),
                projection_records: 300_000,
                projection_pairs: 3,
                projection_reads: 2_000,
            }
        }
    }
}

/// Everything one backend's run needs.
struct Ctx {
    args: Args,
    plan: Plan,
    bin: PathBuf,
    tmp: PathBuf,
    run: String,
    tree: Arc<Tree>,
    /// Settings keys this build of `cockpit` knows (some are newer than others).
    known_keys: BTreeSet<String>,
    rows: Vec<Row>,
    details: serde_json::Map<String, Value>,
}

/// Where a backend keeps its data for this run.
struct Stores {
    backend: Backend,
    dir: PathBuf,
    database: Option<String>,
    redis: Option<String>,
    prefix: String,
    redis_pid: Option<u32>,
    pg_pid: Option<u32>,
}

impl Stores {
    fn sqlite(&self) -> PathBuf {
        self.dir.join("cockpit.sqlite3")
    }

    fn settings(&self) -> Settings {
        Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: self.dir.clone(),
            database_url: self.database.clone().map(Secret::new),
            redis_url: self.redis.clone().map(Secret::new),
            redis_prefix: self.prefix.clone(),
            ..Settings::default()
        }
    }
}

impl Ctx {
    fn env(&self, s: &Stores, coalesce_ms: u64) -> Vec<(String, String)> {
        let mut env = vec![
            ("COCKPIT_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("COCKPIT_DATA_DIR".to_owned(), s.dir.display().to_string()),
            ("COCKPIT_SCOPES_FILE".to_owned(), s.dir.join("scopes.json").display().to_string()),
            ("COCKPIT_COALESCE_MS".to_owned(), coalesce_ms.to_string()),
            ("COCKPIT_REDIS_PREFIX".to_owned(), s.prefix.clone()),
        ];
        // Open, unthrottled loopback deployment: the bench is the only client.
        for (key, value) in [
            ("allow_open", "true"),
            ("rate_per_second", "1000000000"),
            ("rate_burst", "1000000000"),
            ("max_screens", "1000000"),
        ] {
            if self.known_keys.contains(key) {
                env.push((format!("COCKPIT_{}", key.to_uppercase()), value.to_owned()));
            }
        }
        if let Some(db) = &s.database {
            env.push(("DATABASE_URL".to_owned(), db.clone()));
        }
        if let Some(r) = &s.redis {
            env.push(("REDIS_URL".to_owned(), r.clone()));
        }
        env
    }

    async fn start(&self, s: &Stores, coalesce_ms: u64, what: &str) -> anyhow::Result<Child> {
        let log = self.tmp.join(format!("{}-{what}.log", s.backend.name()));
        let child = Child::cockpit(&self.bin, &self.env(s, coalesce_ms), &s.dir, &log).await?;
        // Ready means answering, not only listening.
        let mut http = client::Http::connect(child.port).await?;
        let (status, _) = http.get("/healthz").await.context("the server does not answer")?;
        if status != 200 {
            bail!("/healthz answered {status}");
        }
        Ok(child)
    }

    fn meter(&self, s: &Stores, server: &Child) -> Meter {
        Meter {
            server: Some(server.pid),
            redis: s.redis_pid,
            pg: s.pg_pid,
        }
    }

    fn detail(&mut self, backend: Backend, key: &str, v: Value) {
        let entry = self.details.entry(backend.name().to_owned()).or_insert_with(|| json!({}));
        if let Some(m) = entry.as_object_mut() {
            m.insert(key.to_owned(), v);
        }
    }

    fn push(&mut self, row: Row) {
        let ratio = row.ratio().map_or_else(String::new, |r| format!(" → {r:.2}×"));
        let base = row
            .baseline
            .map_or_else(String::new, |b| format!(" vs {} {}", fmt(b, row.unit), row.baseline_what));
        eprintln!(
            "  = {} [{}]: {}{}{}",
            row.figure,
            row.backend,
            fmt(row.value, row.unit),
            base,
            ratio
        );
        self.rows.push(row);
    }
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn say(b: Backend, msg: impl AsRef<str>) {
    let t = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("[{t:6.1}s {}] {}", b.name(), msg.as_ref());
}

/// The single-record body: one ticket, a fresh id, a grid picked by a cheap hash.
fn single_body(tree: Arc<Tree>, run: String) -> phases::BodyFn {
    let at = data::ts(Clock::now().hi);
    Arc::new(move |c: usize, n: u64| {
        let h = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ c as u64) as usize;
        format!(
            r#"{{"id":"{run}-s{c}-{n}","scope":"{}","category":"garbage","reported_at":"{at}","description":"垃圾未清运 garbage not collected","location":"building {}"}}"#,
            tree.grids[h % tree.grids.len()],
            h % 40
        )
    })
}

async fn run_backend(ctx: &mut Ctx, s: &Stores) -> anyhow::Result<()> {
    let b = s.backend;
    let label = b.label();
    let ph = |p: &str| ctx.args.phases.contains(p);
    let (do_batch, do_single, do_latency, do_fanout, do_rebuild) = (ph("batch"), ph("single"), ph("latency"), ph("fanout"), ph("rebuild"));
    let do_reads = ph("reads");
    let server_phases = PHASES.iter().any(|p| !SERVERLESS.contains(p) && ph(p));
    let do_projection = ph("projection");
    // First, on a database of its own: nothing else runs meanwhile.
    if ph("tickets") {
        match b {
            Backend::Production => tickets_phase(ctx, b).await?,
            Backend::Embedded => say(b, "ticket pages: measured on PostgreSQL only"),
        }
    }
    // In process, on the aggregate store alone: no server either.
    if do_projection {
        projection_phase(ctx, s).await?;
    }
    if !server_phases {
        return Ok(());
    }
    let ws_path = format!("/api/v1/ws?scope={}", ctx.tree.root);
    let perf_dir = ctx.args.perf.clone();

    // a. A fresh server, window 0: batch ingest, single-record ingest, latency.
    say(b, "starting cockpit (coalesce 0 ms)");
    let server = ctx.start(s, 0, "w0").await?;
    let meter = ctx.meter(s, &server);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_start = server.rss_kib();
    let mut seq_span = (0i64, 0i64);
    let mut redis_ops = (0u64, 0u64);
    let mut batch_rate = f64::NAN;
    if do_batch {
        let conns = 4;
        let per_round = 8 * 1000 * conns;
        let rounds = ctx.args.records.div_ceil(per_round).max(1);
        let tree = ctx.tree.clone();
        let run = format!("{}-{}", ctx.run, b.name());
        let clock = if ctx.args.city { Clock::days(ctx.args.days) } else { Clock::now() };
        let plan = tokio::task::spawn_blocking(move || data::batch_plan(&tree, &run, conns, rounds, 1000, clock)).await?;
        seq_span.0 = max_seq(s).await?;
        if let Some(r) = &s.redis {
            baselines::redis_reset(r).await?;
        }
        say(
            b,
            format!(
                "batch ingest: {} records in batches of 1,000 over {conns} connections",
                thousands((rounds * per_round) as f64)
            ),
        );
        let perf = procs::Perf::start(perf_dir.as_deref(), server.pid, &format!("{}-batch", b.name()));
        let out = phases::batch(server.port, plan, meter).await?;
        perf.stop().await;
        say(b, out.cpu.describe());
        seq_span.1 = max_seq(s).await?;
        if let Some(r) = &s.redis {
            redis_ops = baselines::redis_ops(r).await?;
        }
        batch_rate = out.rate;
        let rss_after = server.rss_kib();
        ctx.detail(
            b,
            "batch",
            json!({"records": out.records, "secs": out.secs, "rate": out.rate, "batch_p50_ms": out.batch_p50_ms,
                   "batch_p99_ms": out.batch_p99_ms, "first_tenth_rate": out.first_tenth_rate, "last_tenth_rate": out.last_tenth_rate,
                   "redis_data_ops": redis_ops.0, "redis_script_calls": redis_ops.1, "cpu": out.cpu.to_json(),
                   "rss_start_kib": rss_start, "rss_after_kib": rss_after, "rss_peak_kib": procs::hwm_kib(server.pid)}),
        );
        let recs = out.records as f64;
        ctx.detail(b, "batch_detail_text", json!(format!(
            "1,000-record batch answered in p50 {:.0} ms / p99 {:.0} ms; first tenth {}/s, last tenth {}/s; Redis: {:.1} ops and {:.4} script calls per record",
            out.batch_p50_ms, out.batch_p99_ms, thousands(out.first_tenth_rate), thousands(out.last_tenth_rate),
            redis_ops.0 as f64 / recs, redis_ops.1 as f64 / recs
        )));
        ctx.push(
            Row::new(
                "rss_after_records",
                format!("RSS after {} records", thousands(recs)),
                label,
                rss_after / 1024.0,
                "MiB",
            )
            .detail(format!("peak {:.0} MiB", procs::hwm_kib(server.pid) / 1024.0))
            .baseline(rss_start / 1024.0, "(same server at start)"),
        );
        if let Some(r) = &s.redis {
            // Counted once the figures hold every acknowledged record: at a
            // city's breadth the projection is still catching up here.
            let waited = reads::caught_up(server.port, &ctx.tree.root, Duration::from_secs(900)).await?;
            say(b, format!("figures current {waited:.1} s after the last batch was acknowledged"));
            ctx.detail(b, "catch_up_after_batch_secs", json!(waited));
            // Everything the deployment keeps in Redis (periods, gauges, nets,
            // HyperLogLogs, deadlines), averaged over the scope-days with data.
            let f = baselines::redis_footprint(r, &s.prefix).await?;
            let (bytes, keys, days) = (f.bytes, f.keys, f.days);
            let kinds: Vec<String> = f
                .kinds
                .iter()
                .map(|(k, (b, n))| format!("{k} {:.1} MiB in {}", *b as f64 / 1048576.0, thousands(*n as f64)))
                .collect();
            say(b, format!("Redis by kind of key: {}", kinds.join("; ")));
            ctx.detail(b, "redis_kinds", json!(f.kinds));
            let per_day = bytes as f64 / days.max(1) as f64;
            ctx.push(
                Row::new(
                    "redis_bytes_per_scope_day",
                    format!("Redis memory per active scope-day after {} records", thousands(recs)),
                    label,
                    per_day,
                    "B",
                )
                .detail(format!(
                    "{:.1} MiB in {} keys, {} scope-days; {:.0} B per record",
                    bytes as f64 / 1048576.0,
                    thousands(keys as f64),
                    thousands(days as f64),
                    bytes as f64 / recs.max(1.0)
                ))
                .target("≤ 1 KiB", per_day <= 1024.0),
            );
        }
    }
    if do_reads {
        reads_rows(ctx, b, server.port, server.pid).await?;
    }
    if let (true, Some(keep), Some(r), Some(db)) = (do_batch, ctx.args.retain_days, &s.redis, &s.database) {
        retention_rows(ctx, b, server.port, (r, db, &s.prefix), keep).await?;
    }
    if do_single {
        say(b, "single-record ingest: 64 connections");
        let body = single_body(ctx.tree.clone(), format!("{}-{}", ctx.run, b.name()));
        let seq0 = max_seq(s).await?;
        if let Some(r) = &s.redis {
            baselines::redis_reset(r).await?;
        }
        let perf = procs::Perf::start(perf_dir.as_deref(), server.pid, &format!("{}-single", b.name()));
        let ours = phases::single(
            server.port,
            "/api/v1/tickets",
            64,
            ctx.plan.single_warm,
            ctx.plan.single_measure,
            body.clone(),
            meter,
        )
        .await?;
        perf.stop().await;
        say(b, ours.cpu.describe());
        // Each group commit is one Redis script call: records per call = the group size.
        if let Some(r) = &s.redis {
            let records = (max_seq(s).await? - seq0) as f64;
            let (_, scripts) = baselines::redis_ops(r).await?;
            let group = records / scripts.max(1) as f64;
            say(
                b,
                format!(
                    "{} records in {scripts} group commits: {group:.1} records per commit",
                    thousands(records)
                ),
            );
            ctx.detail(
                b,
                "single_group_commit",
                json!({"records": records, "commits": scripts, "records_per_commit": group}),
            );
        }
        let trivial = Child::trivial(&ctx.tmp.join("trivial-single.log")).await?;
        let tm = Meter {
            server: Some(trivial.pid),
            redis: None,
            pg: None,
        };
        let base = phases::single(
            trivial.port,
            "/api/v1/tickets",
            64,
            ctx.plan.single_warm,
            ctx.plan.single_measure,
            body,
            tm,
        )
        .await?;
        trivial.stop().await;
        say(b, format!("trivial handler: {}", base.cpu.describe()));
        ctx.detail(
            b,
            "single",
            json!({"cockpit": {"requests": ours.requests, "rate": ours.rate, "p50_ms": ours.p50_ms, "p99_ms": ours.p99_ms, "max_ms": ours.max_ms, "errors": ours.errors, "cpu": ours.cpu.to_json()},
                   "trivial": {"requests": base.requests, "rate": base.rate, "p50_ms": base.p50_ms, "p99_ms": base.p99_ms, "max_ms": base.max_ms, "errors": base.errors, "cpu": base.cpu.to_json()}}),
        );
        let ratio = ours.rate / base.rate;
        ctx.push(
            Row::new("single_rate", "single-record ingest req/s @64 conns", label, ours.rate, "/s")
                .detail(format!("p50 {:.2} ms", ours.p50_ms))
                .baseline(base.rate, "(trivial actix JSON handler)")
                .target("≥ 0.35× trivial", ratio >= 0.35),
        );
        ctx.push(
            Row::new("single_p99", "single-record ingest p99 @64 conns", label, ours.p99_ms, "ms")
                .detail(format!("max {:.1} ms", ours.max_ms))
                .baseline(base.p99_ms, "(trivial handler p99)")
                .target("≤ 3× trivial p99", ours.p99_ms <= 3.0 * base.p99_ms),
        );
    }
    let mut template: Option<String> = None;
    if do_latency {
        for (screens, probes, _) in ctx.plan.latency {
            say(b, format!("ingest → screen, window 0 ms, {screens} screens, {probes} probes"));
            let prober = Prober::Cockpit {
                grids: Arc::new(ctx.tree.grids.clone()),
                run: format!("{}-{}-lat0", ctx.run, b.name()),
            };
            let perf = procs::Perf::start(perf_dir.as_deref(), server.pid, &format!("{}-latency0-{screens}", b.name()));
            let ours = phases::latency(
                server.port,
                &ws_path,
                screens,
                probes,
                Duration::ZERO,
                prober,
                &format!("w0s{screens}"),
            )
            .await?;
            perf.stop().await;
            if template.is_none() {
                template = ours.sample.clone();
            }
            let trivial = Child::trivial(&ctx.tmp.join("trivial-latency.log")).await?;
            let prober = Prober::Trivial {
                template: Arc::new(template.clone().unwrap_or_default()),
            };
            let base = phases::latency(trivial.port, "/ws", screens, probes, Duration::ZERO, prober, "t").await?;
            trivial.stop().await;
            latency_rows(ctx, b, 0, &ours, Some(&base));
        }
    }
    server.stop().await;

    // b. The batch baselines, with nothing else running.
    if do_batch && seq_span.1 > seq_span.0 {
        let rows = (seq_span.1 - seq_span.0) as f64;
        match (&s.database, &s.redis) {
            (Some(db), Some(r)) => {
                let ops = redis_ops.0;
                say(b, format!("baseline: redis-benchmark, {} pipelined HINCRBY", thousands(ops as f64)));
                let rps = baselines::redis_benchmark(r, ops, &format!("{{{}}}:bench-hincrby", s.prefix)).await?;
                let per_record = ops as f64 / rows;
                let ceiling = rps / per_record.max(1e-9);
                ctx.detail(
                    b,
                    "redis_benchmark",
                    json!({"ops": ops, "ops_per_s": rps, "ops_per_record": per_record, "ceiling_records_per_s": ceiling}),
                );
                ctx.push(
                    Row::new("batch_vs_redis", "batch ingest records/s (vs Redis)", label, batch_rate, "/s")
                        .detail(format!("{per_record:.1} Redis ops/record"))
                        .baseline(ceiling, format!("(redis-benchmark {} HINCRBY/s ÷ ops/record)", thousands(rps)))
                        .target("≥ 100,000/s", batch_rate >= 100_000.0),
                );
                say(b, format!("baseline: PostgreSQL COPY of the same {} journal rows", thousands(rows)));
                let (n, copy_rate) = baselines::pg_copy(db, seq_span.0, seq_span.1, 1000).await?;
                ctx.detail(b, "pg_copy", json!({"rows": n, "rows_per_s": copy_rate}));
                ctx.push(
                    Row::new("batch_vs_copy", "batch ingest records/s (vs COPY)", label, batch_rate, "/s")
                        .baseline(copy_rate, "(PG COPY same rows, 4×1,000)")
                        .target("≥ 100,000/s", batch_rate >= 100_000.0),
                );
            }
            _ => {
                say(
                    b,
                    format!("baseline: SQLite bulk insert of the same {} journal rows", thousands(rows)),
                );
                let (n, rate) =
                    baselines::sqlite_insert(&s.sqlite(), &ctx.tmp.join("baseline.sqlite3"), seq_span.0, seq_span.1, 1000).await?;
                ctx.detail(b, "sqlite_insert", json!({"rows": n, "rows_per_s": rate}));
                ctx.push(
                    Row::new("batch_vs_insert", "batch ingest records/s (vs insert)", label, batch_rate, "/s")
                        .baseline(rate, "(SQLite INSERT same rows, 1,000/tx)")
                        .target("≥ 100,000/s", batch_rate >= 100_000.0),
                );
            }
        }
    }

    // c. Rebuild from the record store, against a plain read of the journal.
    if do_rebuild {
        let (rows, read_rate) = match &s.database {
            Some(db) => baselines::pg_read_journal(db).await?,
            None => baselines::sqlite_read_journal(&s.sqlite()).await?,
        };
        say(b, format!("rebuild of {} journal rows (in process)", thousands(rows as f64)));
        let settings = s.settings();
        let c0 = procs::cpu_snap(None, s.redis_pid, s.pg_pid);
        let perf = procs::Perf::start(perf_dir.as_deref(), std::process::id(), &format!("{}-rebuild", b.name()));
        let started = Instant::now();
        if let Some(r) = &s.redis {
            baselines::redis_reset(r).await?;
        }
        let wm = cockpit::startup::rebuild(&settings).await.context("rebuild")?;
        let secs = started.elapsed().as_secs_f64();
        perf.stop().await;
        let cpu = c0.until(&procs::cpu_snap(None, s.redis_pid, s.pg_pid));
        say(
            b,
            format!(
                "{} (the rebuild runs in the bench process: 'bench client' is the rebuild)",
                cpu.describe()
            ),
        );
        let rate = rows as f64 / secs;
        if let Some(r) = &s.redis {
            let (ops, scripts) = baselines::redis_ops(r).await?;
            ctx.detail(
                b,
                "rebuild_redis",
                json!({"ops": ops, "scripts": scripts, "ops_per_record": ops as f64 / rows.max(1) as f64}),
            );
        }
        ctx.detail(
            b,
            "rebuild",
            json!({"rows": rows, "watermark": wm, "secs": secs, "rate": rate, "read_rate": read_rate, "cpu": cpu.to_json()}),
        );
        ctx.push(
            Row::new("rebuild", "rebuild records/s", label, rate, "/s")
                .detail(format!("{} rows in {secs:.1} s", thousands(rows as f64)))
                .baseline(read_rate, "(plain paged read of the journal)")
                .target("≥ 200,000/s", rate >= 200_000.0),
        );
    }

    // d. Idle screens and fan-out on a fresh process (memory not yet reused by other work).
    if do_fanout {
        let n = ctx.args.screens;
        say(b, "starting a fresh cockpit (coalesce 0 ms) for screens");
        let server = ctx.start(s, 0, "screens").await?;
        let journal = max_seq(s).await?;
        ctx.detail(b, "start_secs", json!({"secs": server.ready_secs, "journal_rows": journal}));
        if b == Backend::Embedded {
            say(
                b,
                format!(
                    "restart with {} journal rows took {:.2} s (memory aggregates replayed from SQLite)",
                    thousands(journal as f64),
                    server.ready_secs
                ),
            );
        }
        let meter = ctx.meter(s, &server);
        let prober = Prober::Cockpit {
            grids: Arc::new(ctx.tree.grids.clone()),
            run: format!("{}-{}-fan", ctx.run, b.name()),
        };
        let (ours_mem, ours_fan) = screens_phase(ctx, b, &server, &ws_path, n, meter, prober).await?;
        server.stop().await;
        let trivial = Child::trivial(&ctx.tmp.join("trivial-screens.log")).await?;
        let tm = Meter {
            server: Some(trivial.pid),
            redis: None,
            pg: None,
        };
        let template = Arc::new(template.clone().or(ours_mem.sample.clone()).unwrap_or_default());
        {
            let mut http = client::Http::connect(trivial.port).await?;
            http.post("/publish", phases::with_reported(&template, 0).as_bytes()).await?;
        }
        let (base_mem, base_fan) = screens_phase(ctx, b, &trivial, "/ws", n, tm, Prober::Trivial { template }).await?;
        trivial.stop().await;
        ctx.push(
            Row::new(
                "idle_screen_rss",
                format!("RSS per idle screen @{}", thousands(n as f64)),
                label,
                ours_mem.per_screen_kib,
                "KiB",
            )
            .baseline(base_mem.per_screen_kib, "(trivial actix-ws server)")
            // A screen adds nothing of its own beyond what an actix-ws connection holds.
            .target("≤ 1.0× trivial", ours_mem.per_screen_kib <= base_mem.per_screen_kib),
        );
        ctx.push(
            Row::new(
                "connect_rate",
                format!("screens connected/s ({} at once)", thousands(n as f64)),
                label,
                ours_mem.connect_rate,
                "/s",
            )
            .detail(if ours_mem.at_5000.is_finite() {
                format!("{} in {:.2} s", thousands(n.min(5000) as f64), ours_mem.at_5000)
            } else {
                String::new()
            })
            .baseline(base_mem.connect_rate, "(trivial actix-ws server)")
            .target("5,000 ≤ 2.5 s (≥ 2,000/s)", ours_mem.connect_rate >= 2000.0),
        );
        ctx.push(
            Row::new(
                "fanout_rate",
                format!("fan-out updates delivered/s @{} screens", thousands(n as f64)),
                label,
                ours_fan.rate,
                "/s",
            )
            .detail(format!("{:.0} updates/s pushed", ours_fan.published as f64 / ours_fan.cpu.secs))
            .baseline(base_fan.rate, "(trivial broadcast server)"),
        );
        ctx.push(
            Row::new(
                "fanout_cpu",
                "server CPU per delivered update",
                label,
                ours_fan.cpu_per_delivery_us,
                "µs",
            )
            .baseline(base_fan.cpu_per_delivery_us, "(trivial broadcast server)")
            .target("≤ 1.0× trivial", ours_fan.cpu_per_delivery_us <= base_fan.cpu_per_delivery_us),
        );
    }

    // e. The default window.
    if do_latency {
        say(b, "starting cockpit (coalesce 200 ms, the default)");
        let server = ctx.start(s, 200, "w200").await?;
        for (screens, _, probes) in ctx.plan.latency {
            say(b, format!("ingest → screen, window 200 ms, {screens} screens, {probes} probes"));
            let prober = Prober::Cockpit {
                grids: Arc::new(ctx.tree.grids.clone()),
                run: format!("{}-{}-lat200", ctx.run, b.name()),
            };
            let ours = phases::latency(
                server.port,
                &ws_path,
                screens,
                probes,
                Duration::from_millis(200),
                prober,
                &format!("w200s{screens}"),
            )
            .await?;
            latency_rows(ctx, b, 200, &ours, None);
        }
        server.stop().await;
    }
    // f. Last, because it leaves fat dashboards behind.
    if ctx.args.phases.contains("slow") {
        slow_phase(ctx, s).await?;
    }
    Ok(())
}

/// The ticket book's 1,000-ticket pages over a district of `--tickets` tickets, in a
/// fresh database of their own, beside a hand-written indexed SELECT of the same rows.
async fn tickets_phase(ctx: &mut Ctx, b: Backend) -> anyhow::Result<()> {
    let admin = std::env::var("TEST_DATABASE_URL")?;
    let name = format!("cockpit_bench_{}_tickets", ctx.run);
    let url = baselines::create_pg_db(&admin, &name).await?;
    let r = tickets_measured(ctx, b, &url).await;
    baselines::drop_pg_db(&admin, &name).await;
    r
}

async fn tickets_measured(ctx: &mut Ctx, b: Backend, url: &str) -> anyhow::Result<()> {
    let n = ctx.args.tickets;
    let now = jiff::Timestamp::now().as_millisecond();
    say(
        b,
        format!(
            "ticket pages: loading {} tickets under `{}` (1,000 grids) with SQL",
            thousands(n as f64),
            tickets::DISTRICT
        ),
    );
    let load = tickets::load(url, n, now).await.context("loading tickets")?;
    say(
        b,
        format!(
            "loaded in {:.1} s (rows generated {:.1} s, journal and tickets inserted {:.1} s, ANALYZE {:.1} s): {} open, {} overdue; journal {:.0} MiB",
            load.total_secs,
            load.generate_secs,
            load.insert_secs,
            load.analyze_secs,
            thousands(load.open as f64),
            thousands(load.overdue as f64),
            load.journal_bytes as f64 / 1048576.0
        ),
    );
    let (mut rounds, mut budget) = (ctx.plan.ticket_rounds, ctx.plan.ticket_budget);
    if ctx.args.smoke {
        // A test build: enough rounds to see every page work, no more.
        (rounds, budget) = (10, Duration::from_secs(10));
    }
    say(
        b,
        format!(
            "ticket pages: {rounds} rounds of 3 pages × 3 ways (TicketBook::tickets, plain SELECT, plain SELECT without parallel workers), interleaved"
        ),
    );
    let out = tickets::measure(url, now, 10, rounds, budget).await?;
    let mut shapes = serde_json::Map::new();
    for m in &out {
        let parallel = m.plan.contains("Gather");
        say(
            b,
            format!(
                "{}: ticket book p50 {:.2} / p99 {:.2} ms; plain SELECT p50 {:.2} / p99 {:.2} ms ({} plan); without parallel workers p50 {:.2} / p99 {:.2} ms; {} samples each",
                m.what,
                m.ours.p50,
                m.ours.p99,
                m.base.p50,
                m.base.p99,
                if parallel { "parallel" } else { "serial" },
                m.serial.p50,
                m.serial.p99,
                m.samples
            ),
        );
        shapes.insert(
            m.key.to_owned(),
            json!({"what": m.what, "samples": m.samples, "ticket_book": m.ours.to_json(), "plain_select": m.base.to_json(),
                   "plain_select_serial": m.serial.to_json(), "plain_select_plan": m.plan, "serial_plan": m.serial_plan}),
        );
        let plan = if parallel { ", parallel plan" } else { "" };
        for (p, ours, base, serial, other) in [
            ("p50", m.ours.p50, m.base.p50, m.serial.p50, format!("p99 {:.2} ms", m.ours.p99)),
            (
                "p99",
                m.ours.p99,
                m.base.p99,
                m.serial.p99,
                format!("p50 {:.2} / max {:.1} ms", m.ours.p50, m.ours.max),
            ),
        ] {
            ctx.push(
                Row::new(
                    format!("tickets_{}_{p}", m.key),
                    format!("1,000-ticket page {p}, {} ({} tickets)", m.what, thousands(n as f64)),
                    TICKETS_LABEL,
                    ours,
                    "ms",
                )
                .detail(format!("{other}; {:.2}× the serial SELECT's {serial:.2} ms", ours / serial))
                .baseline(base, format!("(plain indexed SELECT {p}{plan})")),
            );
        }
    }
    ctx.detail(
        b,
        "tickets",
        json!({"tickets": load.tickets, "open": load.open, "overdue": load.overdue, "journal_bytes": load.journal_bytes,
               "load_secs": load.total_secs, "generate_secs": load.generate_secs, "insert_secs": load.insert_secs,
               "analyze_secs": load.analyze_secs, "page": tickets::PAGE, "rounds": rounds, "pages": shapes}),
    );
    Ok(())
}

/// The backend column of the ticket pages' rows: PostgreSQL alone, no Redis.
const TICKETS_LABEL: &str = "PostgreSQL";

/// The backend column of the projection's rows: the aggregate store alone.
fn projection_label(b: Backend) -> &'static str {
    match b {
        Backend::Embedded => "memory",
        Backend::Production => "Redis",
    }
}

/// The projection's cost per record with period totals beside the same stream's
/// with day counters only, and the dashboard read over all time and over a year
/// beside today's: in this process, on the backend's aggregate store (Redis under
/// a key prefix of its own, cleared at the end).
async fn projection_phase(ctx: &mut Ctx, s: &Stores) -> anyhow::Result<()> {
    let store: Box<dyn AggregateStore> = match &s.redis {
        Some(url) => Box::new(RedisAggregates::connect(url, &format!("{}proj", s.prefix)).await?),
        None => Box::new(MemoryAggregates::new()),
    };
    let r = projection_measured(ctx, s.backend, store.as_ref()).await;
    let cleared = store.clear().await;
    r?;
    Ok(cleared?)
}

async fn projection_measured(ctx: &mut Ctx, b: Backend, store: &dyn AggregateStore) -> anyhow::Result<()> {
    let label = projection_label(b);
    let cal = Calendar::new(&Settings::default().time_zone).map_err(anyhow::Error::msg)?;
    let (mut records, mut pairs, mut reads) = (ctx.plan.projection_records, ctx.plan.projection_pairs, ctx.plan.projection_reads);
    if ctx.args.smoke {
        // A test build: enough to see every figure measured, no more.
        (records, pairs, reads) = (6_000, 1, 100);
    }
    let tree = ctx.tree.clone();
    let now = jiff::Timestamp::now().as_millisecond();
    let stream = tokio::task::spawn_blocking(move || projection::stream(&tree, records, now)).await??;
    let n = stream.changes.len();
    say(
        b,
        format!(
            "projection on {label}: {} records ({}), deltas of {}; day counters only then with period totals, alternating {pairs} times",
            thousands(n as f64),
            stream.describe(),
            thousands(projection::BATCH as f64)
        ),
    );
    let (before, after) = projection::alternate(store, &stream, &cal, pairs).await?;
    for (i, (x, y)) in before.iter().zip(&after).enumerate() {
        say(
            b,
            format!(
                "pair {}: days only {:.2} µs/record (apply {:.2}), with period totals {:.2} µs/record (apply {:.2})",
                i + 1,
                x.per_record_us(),
                x.apply_us(),
                y.per_record_us(),
                y.apply_us()
            ),
        );
    }
    let total = |v: &[projection::Load]| {
        v.iter().fold(projection::Load::default(), |a, l| projection::Load {
            build: a.build + l.build,
            apply: a.apply + l.apply,
            records: a.records + l.records,
        })
    };
    let (was, is) = (total(&before), total(&after));
    let range = |v: &[projection::Load], f: fn(&projection::Load) -> f64| {
        let xs: Vec<f64> = v.iter().map(f).collect();
        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{lo:.2}–{hi:.2}")
    };
    let what = format!("{} records × {pairs}", thousands(n as f64));
    ctx.push(
        Row::new(
            "projection_cost",
            format!(
                "projection per record, build + apply (deltas of {})",
                thousands(projection::BATCH as f64)
            ),
            label,
            is.per_record_us(),
            "µs",
        )
        .detail(format!(
            "{what}; loads {} against {}",
            range(&after, projection::Load::per_record_us),
            range(&before, projection::Load::per_record_us)
        ))
        .baseline(was.per_record_us(), "(day counters only, Delta::days_only)"),
    );
    ctx.push(
        Row::new("projection_apply", "projection per record, apply alone", label, is.apply_us(), "µs")
            .detail(format!(
                "loads {} against {}",
                range(&after, projection::Load::apply_us),
                range(&before, projection::Load::apply_us)
            ))
            .baseline(was.apply_us(), "(day counters only, Delta::days_only)"),
    );

    // The store holds the last load, with period totals: read the root's dashboard.
    let queries = projection::dashboard_queries(&ctx.tree)?;
    let today = cal.day_of(jiff::Timestamp::now().as_millisecond());
    let year = projection::year_cover(today)?;
    say(
        b,
        format!(
            "dashboard reads of `{}` and its {} children: {reads} each over all time, the year to today ({} periods) and today, in rotating order",
            ctx.tree.root,
            queries.len() - 1,
            year.len()
        ),
    );
    let r = projection::reads(store, &queries, today, &year, reads).await?;
    ensure!(
        r.all_reported == stream.tickets as i64,
        "all time read {} tickets reported, the stream has {}",
        r.all_reported,
        stream.tickets
    );
    let summary = |v: &[f64]| json!({"p50_us": pct(v, 50.0), "p99_us": pct(v, 99.0), "max_us": pct(v, 100.0)});
    for (key, what, samples) in [
        ("all", "period=all".to_owned(), &r.all),
        ("year", format!("one-year range ({} periods)", year.len()), &r.year),
    ] {
        for q in [50.0, 99.0] {
            ctx.push(
                Row::new(
                    format!("read_{key}_p{q}"),
                    format!("dashboard read p{q}, {what}, root + {} children", queries.len() - 1),
                    label,
                    pct(samples, q),
                    "µs",
                )
                .detail(format!(
                    "p50 {:.1} / p99 {:.1} / max {:.0} µs; {reads} reads",
                    pct(samples, 50.0),
                    pct(samples, 99.0),
                    pct(samples, 100.0)
                ))
                .baseline(pct(&r.day, q), format!("(the same read of today, p{q})")),
            );
        }
    }
    let loads = |v: &[projection::Load]| {
        v.iter()
            .map(|l| json!({"per_record_us": l.per_record_us(), "apply_us": l.apply_us(), "records": l.records}))
            .collect::<Vec<_>>()
    };
    ctx.detail(
        b,
        "projection",
        json!({"store": label, "records": n, "tickets": stream.tickets, "steps": stream.steps, "event_posts": stream.events,
               "checkins": stream.checkins, "batch": projection::BATCH, "pairs": pairs, "days_only": loads(&before),
               "with_totals": loads(&after), "reads": reads, "children": queries.len() - 1, "year_periods": year.len(),
               "read_day": summary(&r.day), "read_all": summary(&r.all), "read_year": summary(&r.year)}),
    );
    Ok(())
}

/// `count` tickets under the first grid, each in its own category: fat dashboards.
fn fat_batch(ctx: &Ctx, b: Backend, round: usize, count: usize) -> String {
    let at = data::ts(Clock::now().hi);
    let grid = &ctx.tree.grids[0];
    let items: Vec<String> = (0..count)
        .map(|i| {
            let (id, cat) = (format!("{}-{}-fat-{round}-{i}", ctx.run, b.name()), (round * count + i) % 400);
            format!(r#"{{"id":"{id}","scope":"{grid}","category":"cat-{cat}","reported_at":"{at}"}}"#)
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Posts the fat batches of `rounds` on one connection, each of which must be accepted.
async fn post_fat(ctx: &Ctx, b: Backend, port: u16, rounds: std::ops::Range<usize>) -> anyhow::Result<()> {
    let mut http = client::Http::connect(port).await?;
    for round in rounds {
        let (status, body) = http.post("/api/v1/tickets", fat_batch(ctx, b, round, 20).as_bytes()).await?;
        if status != 200 {
            bail!("fat batch {round} answered {status}: {}", String::from_utf8_lossy(&body));
        }
    }
    Ok(())
}

/// Screens that never read (issue 5): the healthy screens' ingest → screen p99 with 200
/// deaf screens choking on fat updates, against the same screens and data without them.
async fn slow_phase(ctx: &mut Ctx, s: &Stores) -> anyhow::Result<()> {
    let b = s.backend;
    let ws_path = format!("/api/v1/ws?scope={}", ctx.tree.root);
    say(b, "starting cockpit (coalesce 0 ms) for deaf screens");
    let server = ctx.start(s, 0, "deaf").await?;
    post_fat(ctx, b, server.port, 0..100).await?;
    let probes = if ctx.args.short { 10 } else { 30 };
    let prober = |tag: &str| Prober::Cockpit {
        grids: Arc::new(ctx.tree.grids.clone()),
        run: format!("{}-{}-{tag}", ctx.run, b.name()),
    };
    say(
        b,
        format!("ingest → screen, 100 screens, {probes} probes, fat dashboards, no deaf screens"),
    );
    let quiet = phases::latency(server.port, &ws_path, 100, probes, Duration::ZERO, prober("quiet"), "quiet").await?;
    let rss0 = server.rss_kib();
    let mut deaf = Vec::with_capacity(200);
    for _ in 0..200 {
        deaf.push(client::deaf_screen(server.port, &ws_path).await?);
    }
    // Enough fat updates to fill every deaf screen's socket and queue (on a new
    // connection: the first would have idled past the server's keep-alive by now).
    post_fat(ctx, b, server.port, 100..300).await?;
    say(b, format!("ingest → screen, 100 screens, {probes} probes, 200 deaf screens"));
    let loud = phases::latency(server.port, &ws_path, 100, probes, Duration::ZERO, prober("loud"), "loud").await?;
    let grown = (server.rss_kib() - rss0) / 1024.0;
    drop(deaf);
    server.stop().await;
    let (with, without) = (loud.p(99.0), quiet.p(99.0));
    ctx.detail(
        b,
        "slow_screens",
        json!({"deaf": 200, "healthy": 100, "probes": probes, "p99_ms": with, "p99_without_ms": without,
               "p50_ms": loud.p(50.0), "p50_without_ms": quiet.p(50.0), "missing": loud.missing, "rss_growth_mib": grown}),
    );
    ctx.push(
        Row::new("slow_screens", "ingest→screen p99, 100 screens + 200 deaf", b.label(), with, "ms")
            .detail(format!("p50 {:.2} ms; RSS +{grown:.1} MiB", loud.p(50.0)))
            .baseline(without, "(the same without the deaf screens)")
            .target("≤ 1.2× without", with <= 1.2 * without),
    );
    Ok(())
}

struct MemOut {
    per_screen_kib: f64,
    connect_rate: f64,
    at_5000: f64,
    sample: Option<String>,
}

/// Connects `n` idle screens (RSS per screen, connect rate), then drives fan-out to them.
async fn screens_phase(
    ctx: &mut Ctx,
    b: Backend,
    server: &Child,
    path: &str,
    n: usize,
    meter: Meter,
    prober: Prober,
) -> anyhow::Result<(MemOut, phases::FanOut)> {
    let who = if matches!(prober, Prober::Trivial { .. }) {
        "trivial"
    } else {
        "cockpit"
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss0 = server.rss_kib();
    say(b, format!("{who}: connecting {} screens", thousands(n as f64)));
    let (group, secs, at_5000) = client::connect_screens(server.port, path, n, 256)
        .await
        .context("connecting screens")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss1 = server.rss_kib();
    let per = (rss1 - rss0) / n as f64;
    say(
        b,
        format!(
            "{who}: {} screens in {secs:.2} s; RSS {:.1} → {:.1} MiB = {per:.1} KiB per screen",
            group.len(),
            rss0 / 1024.0,
            rss1 / 1024.0
        ),
    );
    say(b, format!("{who}: fan-out to {} screens", thousands(n as f64)));
    let perf = procs::Perf::start(ctx.args.perf.as_deref(), server.pid, &format!("{}-{who}-fanout", b.name()));
    let fan = phases::fanout(server.port, &group, Duration::from_millis(500), ctx.plan.fan_measure, prober, meter).await?;
    perf.stop().await;
    say(b, format!("{who}: {}", fan.cpu.describe()));
    let sample = group.shared.sample.get().cloned();
    group.close().await;
    ctx.detail(
        b,
        &format!("screens_{who}"),
        json!({"screens": n, "connect_secs": secs, "at_5000_secs": at_5000, "rss_before_kib": rss0, "rss_after_kib": rss1,
               "per_screen_kib": per, "deliveries": fan.deliveries, "deliveries_per_s": fan.rate, "published": fan.published,
               "cpu_per_delivery_us": fan.cpu_per_delivery_us, "closed_by_server": fan.closed, "cpu": fan.cpu.to_json()}),
    );
    Ok((
        MemOut {
            per_screen_kib: per,
            connect_rate: n as f64 / secs,
            at_5000,
            sample,
        },
        fan,
    ))
}

/// The hot window after the batch: the move, Redis memory, and a moved day's
/// reads against the same day read live (`retention.rs`).
async fn retention_rows(ctx: &mut Ctx, b: Backend, port: u16, stores: (&str, &str, &str), keep: u32) -> anyhow::Result<()> {
    let samples = ctx.tree.samples();
    let n = if ctx.args.short { 200 } else { 1_000 };
    say(b, format!("hot window: moving the days before the last {keep} to the day archive"));
    let r = retention::measure(port, stores, keep, &samples, n).await?;
    let mib = |f: &baselines::Footprint| f.bytes as f64 / 1048576.0;
    let moved_keys = r.before.keys.saturating_sub(r.after.keys) as f64;
    ctx.detail(
        b,
        "retention",
        json!({"keep_days": keep, "days_moved": r.days_moved, "secs": r.secs, "bytes_before": r.before.bytes,
               "bytes_after": r.after.bytes, "keys_before": r.before.keys, "keys_after": r.after.keys, "day_read": r.day,
               "kinds_before": r.before.kinds, "kinds_after": r.after.kinds}),
    );
    ctx.push(
        Row::new(
            "redis_after_retention",
            format!("Redis memory, the last {keep} days kept"),
            b.label(),
            mib(&r.after),
            "MiB",
        )
        .detail(format!(
            "{} days moved in {:.1} s ({} keys, {}/s)",
            r.days_moved,
            r.secs,
            thousands(moved_keys),
            thousands(moved_keys / r.secs.max(1e-9))
        ))
        .baseline(mib(&r.before), "(every day in Redis, same run)"),
    );
    for (live, cold) in r.live.iter().zip(&r.archived) {
        let key = format!("read_archived_day_{}", live.level.replace(' ', "_"));
        ctx.detail(b, &key, json!({"scope": cold.scope, "p50_ms": cold.p50_ms, "p99_ms": cold.p99_ms, "live_p50_ms": live.p50_ms, "live_p99_ms": live.p99_ms}));
        ctx.push(
            Row::new(
                key,
                format!("dashboard read p99 of an archived day ({}), {}", r.day, live.level),
                b.label(),
                cold.p99_ms,
                "ms",
            )
            .detail(format!("p50 {:.2} ms; live p50 {:.2} ms", cold.p50_ms, live.p50_ms))
            .baseline(live.p99_ms, "(the same day read live, same run)"),
        );
    }
    Ok(())
}

/// Dashboard reads at each level, today's and the year's (`reads.rs`).
async fn reads_rows(ctx: &mut Ctx, b: Backend, port: u16, pid: u32) -> anyhow::Result<()> {
    let samples = ctx.tree.samples();
    let n = if ctx.args.short { 200 } else { 1_000 };
    // Figures behind the journal are refused (503), never shown: wait for the catch-up.
    let waited = reads::caught_up(port, &ctx.tree.root, Duration::from_secs(900)).await?;
    if waited > 1.0 {
        say(b, format!("figures current after waiting {waited:.1} s more for the catch-up"));
    }
    say(
        b,
        format!("dashboard reads: {n} each of {} scopes, today and the year", samples.len()),
    );
    let perf = procs::Perf::start(ctx.args.perf.as_deref(), pid, &format!("{}-reads", b.name()));
    let reads = reads::dashboards(port, &samples, n).await?;
    perf.stop().await;
    let p99 = |level: &str, period: &str| {
        reads
            .iter()
            .find(|r| r.level == level && r.period == period)
            .map_or(f64::NAN, |r| r.p99_ms)
    };
    for r in &reads {
        ctx.detail(
            b,
            &format!("read_{}_{}", r.period, r.level.replace(' ', "_")),
            json!({"scope": r.scope, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "bytes": r.bytes, "reads": n}),
        );
        let row = Row::new(
            format!("read_{}_{}", r.period, r.level.replace(' ', "_")),
            format!("dashboard read p99, {}, period={}", r.level, r.period),
            b.label(),
            r.p99_ms,
            "ms",
        )
        .detail(format!("p50 {:.2} ms; {} B", r.p50_ms, thousands(r.bytes as f64)));
        let row = if r.level == "city root" {
            let district = p99("district", r.period);
            row.baseline(district, "(a district's read)")
                .target("≤ 20 ms, ≤ 3× a district", r.p99_ms <= 20.0 && r.p99_ms <= 3.0 * district)
        } else {
            row.baseline(p99("grid", r.period), "(a grid's read)")
        };
        ctx.push(row);
    }
    Ok(())
}

fn latency_rows(ctx: &mut Ctx, b: Backend, window: u64, ours: &phases::LatOut, base: Option<&phases::LatOut>) {
    let n = ours.screens;
    let p99 = ours.p(99.0);
    let mut detail = format!("p50 {:.2} / max {:.1} ms", ours.p(50.0), ours.max());
    if ours.missing > 0 {
        detail.push_str(&format!("; {} of {} frames missing", ours.missing, ours.probes * n));
    }
    let figure = format!("ingest→screen p99, window {window} ms, {n} screen{}", if n == 1 { "" } else { "s" });
    let mut row = Row::new(format!("latency_w{window}_s{n}"), figure, b.label(), p99, "ms").detail(detail);
    row = match base {
        Some(t) => row.baseline(t.p(99.0), "(trivial push server p99)"),
        None => row.baseline(window as f64, "(the window)"),
    };
    row = match (window, n) {
        (0, 100) => row.target("≤ 5 ms", p99 <= 5.0),
        (0, 1000) => row.target("≤ 40 ms", p99 <= 40.0),
        (0, _) => row,
        (w, _) => row.target(format!("≤ {} ms", w + 20), p99 <= (w + 20) as f64),
    };
    let mut d = json!({"screens": n, "probes": ours.probes, "missing": ours.missing, "p50_ms": ours.p(50.0), "p99_ms": p99,
                       "max_ms": ours.max(), "from_send_p50_ms": ours.p_send(50.0), "from_send_p99_ms": ours.p_send(99.0)});
    if let Some(t) = base {
        d["trivial"] = json!({"p50_ms": t.p(50.0), "p99_ms": t.p(99.0), "max_ms": t.max(), "missing": t.missing,
                              "from_send_p50_ms": t.p_send(50.0), "from_send_p99_ms": t.p_send(99.0)});
    }
    if let Some(frame) = &ours.sample {
        d["frame_bytes"] = json!(frame.len());
    }
    ctx.detail(b, &format!("latency_w{window}_s{n}"), d);
    ctx.push(row);
}

/// Groups the rows by figure, in the issue's order, the backends side by side.
fn order_rows(rows: &mut [Row]) {
    const ORDER: [&str; 20] = [
        "batch_vs_",
        "single_rate",
        "single_p99",
        "latency_w0_",
        "latency_w200_",
        "fanout_rate",
        "fanout_cpu",
        "idle_screen_rss",
        "connect_rate",
        "rss_after_records",
        "rebuild",
        "slow_screens",
        "tickets_open",
        "tickets_next",
        "tickets_overdue",
        "projection_cost",
        "projection_apply",
        "read_all_",
        "read_year_",
        "",
    ];
    let rank = |r: &Row| {
        let group = ORDER.iter().position(|p| r.key.starts_with(p)).unwrap_or(ORDER.len());
        let screens: usize = r.key.rsplit("_s").next().and_then(|n| n.parse().ok()).unwrap_or(0);
        (
            group,
            if r.key.starts_with("latency") { screens } else { 0 },
            r.key.clone(),
            r.backend.clone(),
        )
    };
    rows.sort_by_key(rank);
}

async fn max_seq(s: &Stores) -> anyhow::Result<i64> {
    match &s.database {
        Some(db) => baselines::pg_max_seq(db).await,
        None => baselines::sqlite_max_seq(&s.sqlite()).await,
    }
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let mem_kib: f64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(f64::NAN);
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu,
        "mem_gib": (mem_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        "open_files_limit": procs::open_files_limit(),
    })
}

fn known_keys(bin: &Path) -> BTreeSet<String> {
    let out = std::process::Command::new(bin)
        .arg("print-config")
        .current_dir(std::env::temp_dir())
        .output();
    let text = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
        .collect()
}

async fn open_stores(ctx: &Ctx, b: Backend) -> anyhow::Result<Stores> {
    let dir = ctx.tmp.join(b.name());
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("scopes.json"), ctx.tree.scopes_json())?;
    let prefix = format!("bench{}", ctx.run);
    Ok(match b {
        Backend::Embedded => Stores {
            backend: b,
            dir,
            database: None,
            redis: None,
            prefix,
            redis_pid: None,
            pg_pid: None,
        },
        Backend::Production => {
            let admin = std::env::var("TEST_DATABASE_URL")?;
            let redis = std::env::var("TEST_REDIS_URL")?;
            let name = format!("cockpit_bench_{}", ctx.run);
            let database = baselines::create_pg_db(&admin, &name).await?;
            if ctx.args.pg_explain {
                baselines::pg_auto_explain(&admin, &name).await?;
            }
            let redis_pid = baselines::redis_pid(&redis).await;
            let pg_pid = baselines::pg_postmaster(&database).await;
            Stores {
                backend: b,
                dir,
                database: Some(database),
                redis: Some(redis),
                prefix,
                redis_pid,
                pg_pid,
            }
        }
    })
}

async fn close_stores(ctx: &Ctx, s: &Stores) {
    if s.backend == Backend::Production
        && ctx.args.pg_explain
        && let (Ok(admin), Some(db)) = (std::env::var("TEST_DATABASE_URL"), &s.database)
    {
        match baselines::pg_slow_log(&admin, db, &ctx.tmp.join("pg-slow.log")).await {
            Ok(n) => eprintln!(
                "bench: {n} slow PostgreSQL statements logged in {}",
                ctx.tmp.join("pg-slow.log").display()
            ),
            Err(e) => eprintln!("bench: cannot copy the PostgreSQL log: {e:#}"),
        }
    }
    if s.backend == Backend::Production {
        if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
            baselines::drop_pg_db(&admin, &format!("cockpit_bench_{}", ctx.run)).await;
        }
        if let Some(r) = &s.redis {
            baselines::redis_forget(r, &s.prefix).await;
        }
    }
    let _ = std::fs::remove_dir_all(&s.dir);
}

/// Every figure of issue 6 on every backend run, as a finite number beside a finite baseline.
fn missing_figures(ctx: &Ctx) -> Vec<String> {
    let mut want = vec![
        "single_rate",
        "single_p99",
        "fanout_rate",
        "fanout_cpu",
        "idle_screen_rss",
        "connect_rate",
    ];
    want.extend(["rss_after_records", "rebuild", "slow_screens"]);
    let latency: Vec<String> = ctx
        .plan
        .latency
        .iter()
        .flat_map(|(n, _, _)| [format!("latency_w0_s{n}"), format!("latency_w200_s{n}")])
        .collect();
    let mut missing = Vec::new();
    for b in &ctx.args.backends {
        let batch = if *b == Backend::Production {
            "batch_vs_copy"
        } else {
            "batch_vs_insert"
        };
        let keys = want.iter().copied().chain([batch]).chain(latency.iter().map(String::as_str));
        let mut wanted: Vec<(String, &str)> = keys.map(|k| (k.to_owned(), b.label())).collect();
        for key in [
            "projection_cost",
            "projection_apply",
            "read_all_p50",
            "read_all_p99",
            "read_year_p50",
            "read_year_p99",
        ] {
            wanted.push((key.to_owned(), projection_label(*b)));
        }
        if *b == Backend::Production {
            for page in ["open", "next", "overdue"] {
                for p in ["p50", "p99"] {
                    wanted.push((format!("tickets_{page}_{p}"), TICKETS_LABEL));
                }
            }
        }
        for (key, label) in wanted {
            let ok = ctx
                .rows
                .iter()
                .any(|r| r.key == key && r.backend == label && r.value.is_finite() && r.baseline.is_none_or(f64::is_finite));
            if !ok {
                missing.push(format!("{key} ({label})"));
            }
        }
    }
    missing
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--trivial-server") {
        return tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(trivial::serve());
    }
    let args = parse_args();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(mut args: Args) -> anyhow::Result<()> {
    let started = *START.get_or_init(Instant::now);
    let limit = if args.short {
        Duration::from_secs(240)
    } else {
        Duration::from_secs(25 * 60)
    };
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(limit) => eprintln!("bench: time limit of {limit:?} exceeded; stopping"),
            _ = tokio::signal::ctrl_c() => eprintln!("bench: interrupted"),
        }
        procs::kill_all();
        std::process::exit(3);
    });
    let fd_limit = procs::open_files_limit() as usize;
    if args.screens + 2_000 > fd_limit {
        let fit = fd_limit.saturating_sub(2_000).max(100);
        eprintln!(
            "bench: open files limit {fd_limit} is too low for {} screens: using {fit} (raise it with `ulimit -n`; scripts/bench.sh does)",
            args.screens
        );
        args.screens = fit;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cockpit"));
    let run = format!(
        "{:08x}",
        data::Rng::new(std::process::id() as u64 ^ jiff::Timestamp::now().as_nanosecond() as u64).next() as u32
    );
    let tmp = std::env::temp_dir().join(format!("cockpit-bench-{run}"));
    std::fs::create_dir_all(&tmp)?;
    let tree = Arc::new(if args.city { Tree::city() } else { Tree::new(args.communities) });
    let mode = if args.short { "short" } else { "full" };
    eprintln!(
        "bench: {mode} run {run}: {} scopes ({} communities, {} grids), {} batch records, {} screens; logs in {}",
        tree.scopes.len(),
        tree.communities,
        tree.grids.len(),
        thousands(args.records as f64),
        thousands(args.screens as f64),
        tmp.display()
    );
    let mut ctx = Ctx {
        plan: Plan::of(args.short),
        known_keys: known_keys(&bin),
        args,
        bin,
        tmp: tmp.clone(),
        run,
        tree,
        rows: Vec::new(),
        details: serde_json::Map::new(),
    };
    let mut failed = None;
    for b in ctx.args.backends.clone() {
        let stores = open_stores(&ctx, b).await?;
        let t = Instant::now();
        let r = run_backend(&mut ctx, &stores).await;
        say(b, format!("done in {:.0} s", t.elapsed().as_secs_f64()));
        procs::kill_all();
        close_stores(&ctx, &stores).await;
        if let Err(e) = r {
            eprintln!("[{}] FAILED: {e:#}", b.name());
            failed = Some(e);
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let machine = machine();
    println!();
    println!(
        "Community Cockpit bench ({mode} mode, {} s; {} × {}, {} GiB; {} scopes)",
        elapsed.round(),
        machine["nproc"],
        machine["cpu"].as_str().unwrap_or("?"),
        machine["mem_gib"],
        ctx.tree.scopes.len()
    );
    order_rows(&mut ctx.rows);
    print!("{}", report::table(&ctx.rows));
    println!("ratio = value ÷ baseline (for latency and memory, lower is better; for rates, higher is better)");
    if ctx.args.markdown {
        println!();
        print!("{}", report::markdown(&ctx.rows));
    }
    if let Some(path) = &ctx.args.json {
        let doc = json!({
            "mode": mode,
            "command": std::env::args().collect::<Vec<_>>().join(" "),
            "started_at": jiff::Timestamp::now().to_string(),
            "elapsed_secs": elapsed,
            "machine": machine,
            "sizes": {"communities": ctx.tree.communities, "scopes": ctx.tree.scopes.len(), "grids": ctx.tree.grids.len(),
                      "records": ctx.args.records, "screens": ctx.args.screens},
            "rows": ctx.rows.iter().map(Row::to_json).collect::<Vec<_>>(),
            "details": ctx.details,
            "failed": failed.as_ref().map(|e| format!("{e:#}")),
        });
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
        eprintln!("bench: wrote {}", path.display());
    }
    if ctx.args.smoke && failed.is_none() {
        let missing = missing_figures(&ctx);
        if !missing.is_empty() {
            failed = Some(anyhow::anyhow!("figures not measured: {}", missing.join(", ")));
        } else {
            eprintln!("bench: every figure measured on every backend (smoke run: the values of a test build mean nothing)");
        }
    }
    match failed {
        Some(e) => {
            eprintln!("bench: logs kept in {}", tmp.display());
            bail!(e)
        }
        None if ctx.args.pg_explain => {
            eprintln!("bench: logs kept in {} (--pg-explain)", tmp.display());
            Ok(())
        }
        None => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(())
        }
    }
}
