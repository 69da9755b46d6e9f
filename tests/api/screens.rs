//! Screen health: screens that acknowledge what they render are listed online,
//! turn `behind` when they stop acknowledging, and `gone` when they leave; the
//! counts roll up the tree into every dashboard, live.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, production, spawn_app_with, start, today_at};

const WAIT: Duration = Duration::from_secs(3);

fn quick(s: &mut cockpit::config::Settings) {
    s.presence_ms = 100;
    s.screen_behind_secs = 1;
}

/// Polls the screen list of `scope` until `pred` holds for the entry of `screen`.
async fn until_screen(app: &TestApp, scope: &str, screen: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    loop {
        let (status, body) = app.get(&format!("/api/v1/scopes/{scope}/screens")).await;
        assert_eq!(status, 200, "{body}");
        let entry = body["screens"]
            .as_array()
            .and_then(|l| l.iter().find(|e| e["screen"] == screen))
            .cloned();
        if let Some(e) = entry.filter(|e| pred(e)) {
            return e;
        }
        assert!(tokio::time::Instant::now() < deadline, "{screen} never matched; last list: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

crate::per_backend! {
    async fn a_screen_is_online_then_behind_when_it_stops_acknowledging_then_gone(b) {
        let app = spawn_app_with(&b, quick).await;
        let mut lobby = app.screen_with("scope=nanan.nanping.zhengjie&screen=zhengjie-lobby").await;
        let snap = lobby.next(WAIT).await.expect("snapshot");
        let seq = snap["seq"].as_u64().unwrap();
        lobby.send(&json!({"type":"ack","seq":seq}).to_string()).await;
        let e = until_screen(&app, "nanan", "zhengjie-lobby", |e| e["acked_seq"] == seq).await;
        assert_eq!(e["status"], "online", "{e}");
        assert_eq!(e["scope"], "nanan.nanping.zhengjie");
        assert_eq!(e["address"], "127.0.0.1");

        // It renders an update but never says so: behind once the patience (1 s) runs out.
        let t = json!({"id":"k1","scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":today_at(10)});
        app.ingest("/api/v1/tickets", t).await;
        let up = lobby.until(WAIT, |m| m["type"] == "update").await.expect("an update");
        let e = until_screen(&app, "nanan", "zhengjie-lobby", |e| e["status"] == "behind").await;
        assert_eq!(e["acked_seq"], seq, "{e}");
        assert!(e["sent_seq"].as_u64() >= up["seq"].as_u64(), "{e}");

        // It catches up: online again.
        lobby.send(&json!({"type":"ack","seq":up["seq"]}).to_string()).await;
        until_screen(&app, "nanan", "zhengjie-lobby", |e| e["status"] == "online").await;

        // It leaves: listed as gone, with since when.
        lobby.close().await;
        let e = until_screen(&app, "nanan", "zhengjie-lobby", |e| e["status"] == "gone").await;
        assert!(e["gone_since"].is_string(), "{e}");

        // Another district's list does not show it.
        let (_, other) = app.get("/api/v1/scopes/nanan.nanpingzhen/screens").await;
        assert_eq!(other["screens"], json!([]), "{other}");
    }
}

crate::per_backend! {
    async fn screens_that_never_acknowledge_stay_online_and_anonymous_ones_are_forgotten(b) {
        let app = spawn_app_with(&b, quick).await;
        let mut plain = app.screen("nanan.nanping").await;
        plain.next(WAIT).await.expect("snapshot");
        let t = json!({"id":"k1","scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":today_at(10)});
        app.ingest("/api/v1/tickets", t).await;
        plain.until(WAIT, |m| m["type"] == "update").await.expect("an update");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (_, body) = app.get("/api/v1/scopes/nanan/screens").await;
        let list = body["screens"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(
            (list[0]["status"].as_str(), list[0]["acked_seq"].is_null()),
            (Some("online"), true),
            "{body}"
        );
        assert_eq!(body["counts"], json!({"online":1,"behind":0,"gone":0}));
        plain.close().await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let (_, body) = app.get("/api/v1/scopes/nanan/screens").await;
            if body["screens"] == json!([]) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "an anonymous screen that left is forgotten: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

crate::per_backend! {
    async fn the_district_dashboard_counts_its_screens_live(b) {
        let app = spawn_app_with(&b, quick).await;
        let mut wall = app.screen_with("scope=nanan&screen=district-wall").await;
        let snapshot = wall.next(WAIT).await.expect("snapshot");
        // Its own presence reaches its own dashboard within a report or two. A
        // report can land between the screen joining and its snapshot being
        // read, and then the snapshot already counts it (no update follows).
        if snapshot["data"]["screens"]["online"] != 1 {
            wall.until(WAIT, |m| m["data"]["screens"]["online"] == 1)
                .await
                .expect("itself, counted");
        }
        let mut lobby = app.screen_with("scope=nanan.nanping.zhengjie&screen=zhengjie-lobby").await;
        lobby.next(WAIT).await.expect("snapshot");
        let up = wall
            .until(WAIT, |m| m["data"]["screens"]["online"] == 2)
            .await
            .expect("the community screen appears on the district wall without any ingest");
        assert_eq!(up["type"], "update");
        lobby.close().await;
        wall.until(WAIT, |m| m["data"]["screens"] == json!({"online":1,"behind":0,"gone":1}))
            .await
            .expect("and its going");
        // Past days have no screen health.
        let (_, past) = app
            .get(&format!("/api/v1/scopes/nanan/dashboard?day={}", crate::helpers::local_day(3)))
            .await;
        assert!(past.get("screens").is_none(), "{past}");
    }
}

crate::per_backend! {
    async fn a_screen_name_that_is_not_plain_is_refused(b) {
        let app = spawn_app_with(&b, quick).await;
        let res = app
            .client
            .get(format!("{}/api/v1/ws?scope=nanan&screen=a%20b", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_screen", "{body}");
    }
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn each_instance_sees_the_screens_of_the_other() {
    let Some(b) = production() else { return };
    let a = spawn_app_with(&b, quick).await;
    let second = start(&b, a.resources.clone(), a.settings.clone()).await;
    let mut on_b = second.screen_with("scope=nanan.nanpingzhen.xinglong&screen=xinglong-hall").await;
    on_b.next(WAIT).await.expect("snapshot");
    let e = until_screen(&a, "nanan", "xinglong-hall", |e| e["status"] == "online").await;
    assert_ne!(e["instance"], Value::Null);
    // B stops without saying goodbye for its screen: A lists it gone once B's reports age out.
    second.stop().await;
    drop(on_b);
    until_screen(&a, "nanan", "xinglong-hall", |e| e["status"] == "gone").await;
}
