//! Instances on a real Redis Cluster (three primaries, three replicas on
//! loopback): a primary killed during ingest (its replica is promoted), the
//! deployment's slot moved to another primary during ingest, and two instances
//! fanning out to each other's screens over the sharded channel. Each time the
//! walls converge on exactly what was acknowledged: nothing lost, nothing
//! counted twice.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::pg::services;
use crate::procs::{PgDb, Server, Workdir, Ws, next_json, today_at};

async fn reported(client: &reqwest::Client, server: &Server) -> Option<i64> {
    let r = client
        .get(server.url("/api/v1/scopes/nanan/dashboard"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    let body: Value = r.json().await.ok()?;
    body["figures"]["tickets_reported"].as_i64()
}

/// A wall screen on `scope` of `server`, past its snapshot.
async fn wall(server: &Server, scope: &str) -> Ws {
    let url = format!("ws://127.0.0.1:{}/api/v1/ws?scope={scope}", server.port);
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let snapshot = next_json(&mut ws, Duration::from_secs(5), |m| m["type"] == "snapshot").await;
    assert!(snapshot.is_some(), "no snapshot");
    ws
}

/// Waits for `screen` to show exactly `n` tickets.
async fn shows(screen: &mut Ws, n: i64) {
    let shown = next_json(screen, Duration::from_secs(10), |m| {
        m["data"]["figures"]["tickets_reported"].as_i64() == Some(n)
    })
    .await;
    assert!(shown.is_some(), "the screen never showed {n} tickets");
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_primary_killed_during_ingest_fails_over_and_the_walls_converge_exactly() {
    let mut cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let pg = PgDb::create(&services().0, "fo").await;
    let dir = Workdir::new();
    let prefix = format!("fo{:x}", rand::random::<u32>());
    let key = format!("{{{prefix}}}");
    let url = cluster.url();
    let mut server = Server::new(
        &dir.0,
        &[("DATABASE_URL", &pg.url), ("REDIS_URL", &url), ("COCKPIT_REDIS_PREFIX", &prefix)],
    );
    server.start().await;
    let client = reqwest::Client::new();
    let mut screen = wall(&server, "nanan").await;
    for round in 0..20 {
        send(&client, &server, round).await;
    }
    let primary = cluster.primary_of(&key);
    cluster.kill(primary);
    let killed = Instant::now();
    for round in 20..60 {
        send(&client, &server, round).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let promoted = cluster.wait_failover(&key, primary);
    let promoted_after = killed.elapsed();
    let took = converges(&client, &server, 600, Duration::from_secs(20)).await;
    eprintln!(
        "failover: primary {primary} killed, {promoted} promoted after {promoted_after:?}; wall current {took:?} after the promotion"
    );
    // The wall screen connected before the kill shows it too.
    shows(&mut screen, 600).await;
    // Still exact a moment later: nothing applied twice by a retried transaction.
    stays(&client, &server, 600, Duration::from_secs(2)).await;
    server.kill9();
    pg.drop_db().await;
}

/// A batch of ten tickets, acknowledged.
async fn send(client: &reqwest::Client, server: &Server, round: usize) {
    let batch: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("k{round}-{i}"), "scope": "nanan.nanping.zhengjie.g01", "category": "garbage", "reported_at": today_at(1)}))
        .collect();
    let r = client.post(server.url("/api/v1/tickets")).json(&batch).send().await.unwrap();
    assert_eq!(r.status(), 200, "the journal acknowledges whatever Redis does");
}

/// Waits for the dashboard to show exactly `n` tickets; how long it took.
async fn converges(client: &reqwest::Client, server: &Server, n: i64, within: Duration) -> Duration {
    let started = Instant::now();
    while reported(client, server).await != Some(n) {
        assert!(
            started.elapsed() < within,
            "the wall did not converge on {n} within {within:?} (shows {:?})",
            reported(client, server).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

/// Polls the dashboard for `during`: every figure it answers is exactly `n`
/// (a refusal, when a read outlasts its patience while the client's view of
/// the cluster settles, is not a wrong number), and it answers at least once.
async fn stays(client: &reqwest::Client, server: &Server, n: i64, during: Duration) {
    let started = Instant::now();
    let mut answered = 0;
    while started.elapsed() < during || answered == 0 {
        if let Some(shown) = reported(client, server).await {
            assert_eq!(shown, n, "the wall showed {shown} after converging on {n}");
            answered += 1;
        }
        assert!(started.elapsed() < during * 10, "the dashboard stopped answering after converging");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two instances on one PostgreSQL database and one cluster.
async fn pair(cluster: &Cluster, pg: &PgDb, dir: &Workdir, prefix: &str) -> (Server, Server) {
    let url = cluster.url();
    let env = [
        ("DATABASE_URL", pg.url.as_str()),
        ("REDIS_URL", &url),
        ("COCKPIT_REDIS_PREFIX", prefix),
    ];
    let mut a = Server::new(&dir.0, &env);
    a.start().await;
    let mut b = Server::new(&dir.0, &env);
    b.start().await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn the_slot_moved_to_another_primary_during_ingest_loses_and_doubles_nothing() {
    let cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let pg = PgDb::create(&services().0, "rs").await;
    let dir = Workdir::new();
    let prefix = format!("rs{:x}", rand::random::<u32>());
    let key = format!("{{{prefix}}}");
    let (mut a, mut b) = pair(&cluster, &pg, &dir, &prefix).await;
    let client = reqwest::Client::new();
    let mut screen = wall(&b, "nanan").await;
    for round in 0..10 {
        send(&client, &a, round).await;
    }
    let from = cluster.primary_of(&key);
    let to = *cluster.primaries().iter().find(|p| **p != from).unwrap();
    let moving = {
        let key = key.clone();
        let cluster = std::sync::Arc::new(cluster);
        let c = cluster.clone();
        (tokio::task::spawn_blocking(move || c.move_slot(&key, from, to)), cluster)
    };
    for round in 10..40 {
        send(&client, &a, round).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    moving.0.await.unwrap();
    assert_eq!(moving.1.primary_of(&key), to, "the slot moved");
    let took = converges(&client, &b, 400, Duration::from_secs(20)).await;
    eprintln!("reshard: slot moved {from} -> {to} during ingest; the other instance's wall exact {took:?} after");
    shows(&mut screen, 400).await;
    // Still exact a moment later: nothing applied twice.
    stays(&client, &a, 400, Duration::from_secs(2)).await;
    a.kill9();
    b.kill9();
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn two_instances_fan_out_to_each_others_screens_over_the_sharded_channel() {
    let cluster = tokio::task::spawn_blocking(Cluster::start).await.unwrap();
    let pg = PgDb::create(&services().0, "fan").await;
    let dir = Workdir::new();
    let prefix = format!("fan{:x}", rand::random::<u32>());
    let (mut a, mut b) = pair(&cluster, &pg, &dir, &prefix).await;
    let client = reqwest::Client::new();
    let mut screens = vec![wall(&a, "nanan.nanping").await, wall(&b, "nanan.nanping").await];
    let channel = format!("{{{prefix}}}:notices");
    let holder = cluster.primary_of(&format!("{{{prefix}}}"));
    let started = Instant::now();
    // Both instances on the slot's primary, on the sharded channel, before anything is sent.
    while crate::cluster::cli(holder, &["PUBSUB", "SHARDNUMSUB", &channel])
        .lines()
        .nth(1)
        .map(str::trim)
        != Some("2")
    {
        assert!(started.elapsed() < Duration::from_secs(10), "both instances never subscribed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    send(&client, &a, 0).await;
    for ws in &mut screens {
        shows(ws, 10).await;
    }
    send(&client, &b, 1).await;
    for ws in &mut screens {
        shows(ws, 20).await;
    }
    a.kill9();
    b.kill9();
    pg.drop_db().await;
}
