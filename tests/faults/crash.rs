//! `kill -9` at random points while a client streams 100,000+ records and retries
//! whatever was not acknowledged: afterwards every acknowledged record is in the
//! record store and every figure equals a rebuild from it (nothing lost, nothing
//! counted twice), on both backends.

use std::time::Duration;

use cockpit::config::{Secret, Settings};
use serde_json::{Value, json};

use crate::procs::{PgDb, Server, Workdir, today_at};

const BATCH: usize = 2000;
const GRIDS: [&str; 3] = [
    "nanan.nanping.zhengjie.g01",
    "nanan.nanping.zhengjie.g02",
    "nanan.nanpingzhen.xinglong.g01",
];

/// The batches, in an order that makes every reference valid: events, then
/// tickets and their dispatch steps, then check-ins.
fn batches() -> Vec<(&'static str, Vec<Value>)> {
    let at = today_at(1);
    let later = today_at(2);
    let mut out = Vec::new();
    let events: Vec<Value> = (0..BATCH)
        .map(|i| json!({"id":format!("e{i}"),"scope":GRIDS[i % 3],"category":"health","title":"讲座","starts_at":at,"status":"held"}))
        .collect();
    out.push(("/api/v1/events", events));
    for b in 0..20 {
        let tickets: Vec<Value> = (0..BATCH)
            .map(|i| json!({"id":format!("k{b}-{i}"),"scope":GRIDS[i % 3],"category":"garbage","reported_at":at}))
            .collect();
        let steps: Vec<Value> = (0..BATCH)
            .map(|i| json!({"id":format!("s{b}-{i}"),"ticket_id":format!("k{b}-{i}"),"to":"dispatched","at":later}))
            .collect();
        out.push(("/api/v1/tickets", tickets));
        out.push(("/api/v1/transitions", steps));
    }
    for b in 0..10 {
        let checkins: Vec<Value> = (0..BATCH)
            .map(|i| json!({"id":format!("a{b}-{i}"),"event_id":format!("e{}", (b * 7 + i) % BATCH),"scope":GRIDS[(b * 7 + i) % BATCH % 3],"at":later,"count":2}))
            .collect();
        out.push(("/api/v1/attendance", checkins));
    }
    out
}

/// Posts until acknowledged; the server may be dead or restarting meanwhile.
async fn deliver(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    loop {
        if let Ok(r) = client.post(url).json(body).timeout(Duration::from_secs(10)).send().await
            && r.status().is_success()
            && let Ok(v) = r.json::<Value>().await
        {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn dashboards(client: &reqwest::Client, base: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for s in [
        "nanan",
        "nanan.nanping",
        "nanan.nanping.zhengjie",
        "nanan.nanping.zhengjie.g01",
        "nanan.nanpingzhen.xinglong.g01",
    ] {
        let mut d: Value = client
            .get(format!("{base}/api/v1/scopes/{s}/dashboard"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        crate::clock::without_the_clock(&mut d);
        out.push(d);
    }
    out
}

async fn crash_run(env: &[(&str, &str)], dir: &Workdir) -> (Server, Vec<Value>) {
    let mut server = Server::new(&dir.0, env);
    server.start().await;
    let client = reqwest::Client::new();
    let all = batches();
    let total: usize = all.iter().map(|(_, b)| b.len()).sum();
    assert!(total >= 100_000, "{total} records");
    let mut kills = 0;
    let mut acked = 0;
    let mut next_kill = rand::random_range(2..6usize);
    for (i, (path, batch)) in all.iter().enumerate() {
        let body = json!(batch);
        let url = server.url(path);
        if i == next_kill && kills < 6 {
            // Kill while this batch is in flight: it may or may not have committed.
            let c = client.clone();
            let b = body.clone();
            let u = url.clone();
            let inflight = tokio::spawn(async move { c.post(&u).json(&b).send().await.map(|r| r.status().as_u16()) });
            tokio::time::sleep(Duration::from_millis(rand::random_range(0..40))).await;
            server.kill9();
            let _ = inflight.await;
            kills += 1;
            next_kill = i + rand::random_range(3..8usize);
            server.start().await;
            // A client that lost the answer retries; one that got it may retry too.
            if i > 0 {
                let (p, prev) = &all[i - 1];
                let r = deliver(&client, &server.url(p), &json!(prev)).await;
                assert_eq!(
                    r["accepted"], 0,
                    "an acknowledged batch sent again is all duplicates: {}",
                    r["rejected"]
                );
            }
        }
        let r = deliver(&client, &url, &body).await;
        assert!(r["rejected"].as_array().is_some_and(|a| a.is_empty()), "{path}: {}", r["rejected"]);
        acked += batch.len();
    }
    assert!(kills >= 5, "killed {kills} times");
    assert_eq!(acked, total);
    let live = dashboards(&client, &server.url("")).await;
    let f = &live[0]["figures"];
    assert_eq!(f["tickets_reported"].as_i64(), Some(40_000), "every ticket counted exactly once");
    assert_eq!(live[0]["tickets_by_status"]["dispatched"].as_i64(), Some(40_000));
    assert_eq!(f["attendance"].as_i64(), Some(40_000), "20,000 check-ins of 2");
    assert_eq!(f["events_held"].as_i64(), Some(2_000));
    (server, live)
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn kill_9_on_postgres_and_redis_loses_and_doubles_nothing() {
    let (db, redis) = crate::pg::services();
    let pg = PgDb::create(&db, "f").await;
    let dir = Workdir::new();
    let prefix = format!("crash-{:x}", rand::random::<u32>());
    let (mut server, live) = crash_run(
        &[("DATABASE_URL", &pg.url), ("REDIS_URL", &redis), ("COCKPIT_REDIS_PREFIX", &prefix)],
        &dir,
    )
    .await;
    server.kill9();
    // Every acknowledged record is in the journal.
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&pg.url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM journal WHERE kind <> 'event'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 100_000, "tickets, steps and check-ins, each once");
    // A rebuild from the journal into a fresh prefix gives exactly the live figures.
    let rebuilt_prefix = format!("{prefix}-re");
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: Some(Secret::new(pg.url.clone())),
        redis_url: Some(Secret::new(redis.clone())),
        redis_prefix: rebuilt_prefix.clone(),
        data_dir: dir.0.clone(),
        allow_open: true,
        ..Settings::default()
    };
    let app = cockpit::startup::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    assert_eq!(
        dashboards(&reqwest::Client::new(), &base).await,
        live,
        "live figures equal a recount from the record store"
    );
    handle.stop(true).await;
    let client = redis::Client::open(redis.as_str()).unwrap();
    let mut r = client.get_multiplexed_async_connection().await.unwrap();
    for p in [prefix, rebuilt_prefix] {
        let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{{{p}}}:*")).query_async(&mut r).await.unwrap();
        if !keys.is_empty() {
            let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut r).await.unwrap();
        }
    }
    drop(c);
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_on_the_embedded_backend_loses_and_doubles_nothing() {
    let dir = Workdir::new();
    let (mut server, live) = crash_run(&[], &dir).await;
    // A clean restart rebuilds memory from SQLite: the same figures.
    server.kill9();
    server.start().await;
    assert_eq!(dashboards(&reqwest::Client::new(), &server.url("")).await, live);
}
