//! Outages: Redis stopped and restarted empty, PostgreSQL cut off, and a notice
//! lost between instances. The service degrades visibly and recovers by itself.

use std::time::Duration;

use cockpit::config::{Secret, Settings};
use cockpit::startup::Application;
use serde_json::{Value, json};

use crate::pg::services;
use crate::procs::{PgDb, Proxy, Redis, Workdir, Ws, next_json, today_at};

fn settings(dir: &Workdir) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.0.clone(),
        scopes_file: Some(dir.0.join("scopes.json")),
        coalesce_ms: 50,
        db_max_connections: 4,
        allow_open: true,
        // Screen health pushes an update of its own when a screen first shows up, which
        // would pass for the recovery these tests wait for: one report at start only.
        presence_ms: 600_000,
        ..Settings::default()
    }
}

async fn serve(s: Settings) -> (String, actix_web::dev::ServerHandle, u16) {
    let app = Application::build(s).await.unwrap();
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    (format!("http://127.0.0.1:{port}"), handle, port)
}

fn ticket(id: &str) -> Value {
    let at = today_at(1);
    json!({"id":id,"scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":at})
}

/// A screen on the district that has had its first snapshot.
async fn district_screen(port: u16) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/api/v1/ws?scope=nanan"))
        .await
        .unwrap();
    next_json(&mut ws, Duration::from_secs(3), |m| m["type"] == "snapshot")
        .await
        .unwrap();
    ws
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> reqwest::Response {
    client.post(url).json(body).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_down_keeps_ingesting_marks_screens_stale_and_catches_up() {
    let (db, _) = services();
    let dir = Workdir::new();
    let pg = PgDb::create(&db, "f").await;
    let mut redis = Redis::new();
    redis.start().await;
    let s = Settings {
        database_url: Some(Secret::new(pg.url.clone())),
        redis_url: Some(Secret::new(redis.url())),
        ..settings(&dir)
    };
    let (base, handle, port) = serve(s).await;
    let client = reqwest::Client::new();
    let mut ws = district_screen(port).await;
    assert_eq!(post(&client, &format!("{base}/api/v1/tickets"), &ticket("k0")).await.status(), 200);

    redis.stop();
    let r = post(
        &client,
        &format!("{base}/api/v1/tickets"),
        &json!([ticket("k1"), ticket("k2"), ticket("k3")]),
    )
    .await;
    assert_eq!(r.status(), 200, "records are durable in PostgreSQL: ingest goes on");
    // Within 2 s of the outage, /readyz says which backend is away.
    let mut ready = None;
    for _ in 0..20 {
        let r = client.get(format!("{base}/readyz")).send().await.unwrap();
        let status = r.status();
        let body = r.json::<Value>().await.unwrap();
        // Not ready at once (the record just acknowledged is not in the
        // figures); the backend is named once a check has found it away.
        if status == 503 && body["aggregates"] == "unavailable" {
            ready = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready.expect("not ready within 2 s")["aggregates"], "unavailable");
    let stale = next_json(&mut ws, Duration::from_secs(6), |m| m["type"] == "error")
        .await
        .expect("screens are told");
    assert_eq!(stale["code"], "stale");

    redis.start().await; // back, and empty
    let fresh = next_json(&mut ws, Duration::from_secs(15), |m| {
        m["type"] == "update" && m["data"]["figures"]["tickets_reported"] == 4
    })
    .await;
    assert!(fresh.is_some(), "the aggregates caught up from the journal with no operator action");
    assert_eq!(client.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);
    handle.stop(true).await;
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn postgres_cut_off_answers_503_acknowledges_nothing_and_recovers() {
    let (db, _) = services();
    let dir = Workdir::new();
    let pg = PgDb::create(&db, "f").await;
    let upstream: u16 = pg.url.rsplit_once(':').unwrap().1.split('/').next().unwrap().parse().unwrap();
    let mut proxy = Proxy::new(upstream).await;
    let via_proxy = pg.url.replacen(&format!(":{upstream}/"), &format!(":{}/", proxy.port), 1);
    let (base, handle, _) = serve(Settings {
        database_url: Some(Secret::new(via_proxy)),
        ..settings(&dir)
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/tickets");
    assert_eq!(post(&client, &url, &ticket("k0")).await.status(), 200);

    proxy.cut();
    let r = post(&client, &url, &ticket("k1")).await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "records_unavailable");
    // /readyz answers from the freshness clock's last check (every 250 ms, each
    // backend given 500 ms): it turns within about a second, not at once.
    let turned = async {
        loop {
            if client.get(format!("{base}/readyz")).send().await.unwrap().status() == 503 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(3), turned)
        .await
        .expect("/readyz says unavailable within 3 s of PostgreSQL being cut off");

    proxy.restore().await;
    let mut accepted = None;
    for _ in 0..100 {
        let r = post(&client, &url, &ticket("k1")).await;
        if r.status() == 200 {
            accepted = r.json::<Value>().await.unwrap()["accepted"].as_i64();
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(accepted, Some(1), "k1 was not acknowledged before, so it is new now");
    let d: Value = client
        .get(format!("{base}/api/v1/scopes/nanan/dashboard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["figures"]["tickets_reported"], 2);
    handle.stop(true).await;
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_notice_lost_between_instances_forces_a_refresh() {
    let (db, redis_url) = services();
    let dir = Workdir::new();
    let pg = PgDb::create(&db, "f").await;
    let prefix = format!("lost-{:x}", rand::random::<u32>());
    let s = Settings {
        database_url: Some(Secret::new(pg.url.clone())),
        redis_url: Some(Secret::new(redis_url.clone())),
        redis_prefix: prefix.clone(),
        ..settings(&dir)
    };
    let (base, handle, port) = serve(s).await;
    let mut ws = district_screen(port).await;
    assert_eq!(
        post(&reqwest::Client::new(), &format!("{base}/api/v1/tickets"), &ticket("k0"))
            .await
            .status(),
        200
    );
    let first = next_json(&mut ws, Duration::from_secs(3), |m| m["type"] == "update").await.unwrap();
    // Another instance's notice for journal entries 500-501 arrives, but the one for
    // everything between was lost: this notice names no scope of ours, yet the gap
    // must refresh every screen.
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("PUBLISH")
        .arg(format!("{{{prefix}}}:notices"))
        .arg(r#"{"scopes":[],"prev":500,"seq":501}"#)
        .query_async(&mut c)
        .await
        .unwrap();
    let refreshed = next_json(&mut ws, Duration::from_secs(3), |m| m["type"] == "update")
        .await
        .expect("a refresh after the gap");
    assert_eq!(refreshed["seq"].as_u64(), first["seq"].as_u64().map(|s| s + 1));
    handle.stop(true).await;
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{{{prefix}}}:*")).query_async(&mut c).await.unwrap();
    if !keys.is_empty() {
        let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut c).await.unwrap();
    }
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_subscription_that_hears_nothing_is_replaced_within_ten_seconds() {
    services();
    let dir = Workdir::new();
    let mut redis = Redis::new();
    redis.start().await;
    let s = Settings {
        redis_url: Some(Secret::new(redis.url())),
        ..settings(&dir)
    };
    let (base, handle, port) = serve(s).await;
    let mut ws = district_screen(port).await;
    assert_eq!(
        post(&reqwest::Client::new(), &format!("{base}/api/v1/tickets"), &ticket("k0"))
            .await
            .status(),
        200
    );
    next_json(&mut ws, Duration::from_secs(3), |m| m["type"] == "update").await.unwrap();
    // Every PUBLISH (heartbeats included) now stalls while the subscription stays connected.
    let client = redis::Client::open(redis.url().as_str()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let _: String = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(20_000)
        .arg("WRITE")
        .query_async(&mut c)
        .await
        .unwrap();
    let paused = std::time::Instant::now();
    // The broker notices the silence and refreshes every screen. (A write pause also
    // blocks PFCOUNT, so here the refresh itself fails and the screen is told its
    // figures are stale; either way the screen hears about it.)
    let told = next_json(&mut ws, Duration::from_secs(16), |m| m["type"] == "update" || m["code"] == "stale").await;
    let took = paused.elapsed();
    let _: String = redis::cmd("CLIENT").arg("UNPAUSE").query_async(&mut c).await.unwrap();
    assert!(told.is_some(), "the silent link was never noticed");
    assert!(
        took >= Duration::from_secs(8) && took <= Duration::from_secs(14),
        "noticed after {took:?}: the broker's silence limit is 10 s"
    );
    // And the link works again: a new record reaches the screen.
    assert_eq!(
        post(&reqwest::Client::new(), &format!("{base}/api/v1/tickets"), &ticket("k1"))
            .await
            .status(),
        200
    );
    let fresh = next_json(&mut ws, Duration::from_secs(5), |m| {
        m["type"] == "update" && m["data"]["figures"]["tickets_reported"] == 2
    })
    .await;
    assert!(fresh.is_some(), "screens are current again after the link was replaced");
    handle.stop(true).await;
}
