//! Figures that cannot be written: a Redis that answers reads but refuses
//! writes (a replica: `READONLY`), and a Redis Cluster node that holds no slot
//! (`CLUSTERDOWN`). Records are still acknowledged (the journal is the truth),
//! but no figure is shown as current that misses one, `/readyz` says the
//! instance is not ready, and once Redis takes writes again the figures catch
//! up with everything acknowledged meanwhile.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cluster::cli as redis_cli;
use crate::pg::services;
use crate::procs::{PgDb, Redis, Server, Workdir, free_port, today_at};

fn ticket(id: &str) -> Value {
    json!({"id": id, "scope": "nanan.nanping.zhengjie.g01", "category": "garbage", "reported_at": today_at(1)})
}

async fn get(client: &reqwest::Client, server: &Server, path: &str) -> (u16, Value) {
    let r = client.get(server.url(path)).timeout(Duration::from_secs(5)).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn post(client: &reqwest::Client, server: &Server, body: Value) -> u16 {
    let r = client.post(server.url("/api/v1/tickets")).json(&body).send().await.unwrap();
    r.status().as_u16()
}

/// Polls `/readyz` until its status is `want`, for at most `within`; the last body.
async fn readyz_until(client: &reqwest::Client, server: &Server, want: u16, within: Duration) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = get(client, server, "/readyz").await;
        if status == want {
            return body;
        }
        assert!(started.elapsed() < within, "/readyz still {status} after {within:?}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An instance on PostgreSQL and a Redis of its own, which a test may reconfigure.
async fn instance(pg: &PgDb) -> (Workdir, Redis, Server) {
    let dir = Workdir::new();
    let mut redis = Redis::new();
    redis.start().await;
    let mut server = Server::new(&dir.0, &[("DATABASE_URL", &pg.url), ("REDIS_URL", &redis.url())]);
    server.start().await;
    (dir, redis, server)
}

/// The open tickets of the district as a current dashboard shows them, or the 503's code.
async fn open_tickets(client: &reqwest::Client, server: &Server) -> Result<i64, String> {
    let (status, body) = get(client, server, "/api/v1/scopes/nanan/dashboard").await;
    match status {
        200 => Ok(body["figures"]["tickets_open"].as_i64().unwrap()),
        503 => Err(body["code"].as_str().unwrap_or_default().to_owned()),
        _ => panic!("dashboard answered {status}: {body}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_redis_that_refuses_writes_makes_the_instance_unready_and_never_shows_a_short_figure() {
    let pg = PgDb::create(&services().0, "ro").await;
    let (_dir, redis, mut server) = instance(&pg).await;
    let client = reqwest::Client::new();
    assert_eq!(post(&client, &server, json!([ticket("k1"), ticket("k2")])).await, 200);
    readyz_until(&client, &server, 200, Duration::from_secs(5)).await;

    // The Redis becomes a replica of a master that is not there: reads answer, writes get READONLY.
    let nowhere = free_port().to_string();
    assert!(redis_cli(redis.port, &["REPLICAOF", "127.0.0.1", &nowhere]).contains("OK"));
    assert_eq!(
        post(&client, &server, json!(ticket("k3"))).await,
        200,
        "the journal still acknowledges"
    );
    let body = readyz_until(&client, &server, 503, Duration::from_secs(5)).await;
    assert_eq!(body["figures"], "behind", "{body}");
    for _ in 0..10 {
        match open_tickets(&client, &server).await {
            Ok(n) => assert!(n >= 3, "a dashboard showed {n} open tickets as current while 3 were acknowledged"),
            Err(code) => assert_eq!(code, "figures_not_current"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Writable again: the catch-up replays what was missed.
    assert!(redis_cli(redis.port, &["REPLICAOF", "NO", "ONE"]).contains("OK"));
    readyz_until(&client, &server, 200, Duration::from_secs(15)).await;
    assert_eq!(open_tickets(&client, &server).await, Ok(3));
    server.kill9();
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_cluster_node_that_serves_no_slot_is_not_ready_and_shows_no_figures() {
    let pg = PgDb::create(&services().0, "cl").await;
    let dir = Workdir::new();
    let mut redis = Redis::new();
    let nodes = dir.0.join("nodes.conf").display().to_string();
    redis
        .start_with(&["--cluster-enabled", "yes", "--cluster-config-file", &nodes])
        .await;
    assert!(redis_cli(redis.port, &["SET", "k", "v"]).contains("CLUSTERDOWN"));
    let mut server = Server::new(&dir.0, &[("DATABASE_URL", &pg.url), ("REDIS_URL", &redis.url())]);
    server.start().await;
    let client = reqwest::Client::new();
    let body = readyz_until(&client, &server, 503, Duration::from_secs(5)).await;
    assert_eq!(body["aggregates"], "unavailable", "{body}");
    assert_eq!(
        post(&client, &server, json!(ticket("k1"))).await,
        200,
        "the journal still acknowledges"
    );
    assert_eq!(open_tickets(&client, &server).await, Err("aggregates_unavailable".to_owned()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, body) = get(&client, &server, "/readyz").await;
    assert_eq!((status, &body["aggregates"]), (503, &json!("unavailable")), "{body}");
    server.kill9();
    pg.drop_db().await;
}

/// A Redis that may evict any key when full could drop a counter while the
/// watermark stays: a wrong figure shown as current. It is refused at start,
/// and a policy set while running makes the store fail its readiness check.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_redis_that_may_evict_figures_is_refused_at_start_and_unready_when_set_later() {
    use cockpit::aggregates::AggregateStore;
    use cockpit::aggregates::redis::RedisAggregates;
    let mut redis = Redis::new();
    redis
        .start_with(&["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"])
        .await;
    let why = RedisAggregates::connect(&redis.url(), "evict").await.err().map(|e| e.to_string());
    assert!(why.as_deref().unwrap_or("").contains("allkeys-lru"), "{why:?}");
    assert!(redis_cli(redis.port, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]).contains("OK"));
    let store = RedisAggregates::connect(&redis.url(), "evict")
        .await
        .expect("noeviction is accepted");
    store.ping().await.expect("ready while it keeps every key");
    assert!(redis_cli(redis.port, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]).contains("OK"));
    let why = store.ping().await.err().map(|e| e.to_string());
    assert!(why.as_deref().unwrap_or("").contains("allkeys-lfu"), "{why:?}");
}

/// The same policy set while the instance runs: it stops being ready within a
/// probe's period, and is ready again once Redis keeps every key.
#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn an_eviction_policy_set_while_running_makes_the_instance_unready() {
    let pg = PgDb::create(&services().0, "evict").await;
    let (_dir, redis, mut server) = instance(&pg).await;
    let client = reqwest::Client::new();
    assert_eq!(post(&client, &server, json!(ticket("e1"))).await, 200);
    readyz_until(&client, &server, 200, Duration::from_secs(5)).await;
    assert!(redis_cli(redis.port, &["CONFIG", "SET", "maxmemory", "64mb"]).contains("OK"));
    assert!(redis_cli(redis.port, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]).contains("OK"));
    let body = readyz_until(&client, &server, 503, Duration::from_secs(8)).await;
    assert_eq!(body["aggregates"], "unavailable", "{body}");
    assert!(redis_cli(redis.port, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]).contains("OK"));
    readyz_until(&client, &server, 200, Duration::from_secs(8)).await;
    server.kill9();
    pg.drop_db().await;
}
