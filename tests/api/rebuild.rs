//! The aggregates are a projection of the journal: rebuilding them, restarting
//! on memory, or losing Redis's data all give back the same figures.

use serde_json::{Value, json};

use crate::helpers::{TestApp, production, spawn_app, start, today_at};
use crate::scenario;

const SCOPES: [&str; 5] = [
    "nanan",
    "nanan.nanping",
    "nanan.nanping.zhengjie",
    "nanan.nanping.zhengjie.g03",
    "nanan.nanpingzhen.xinglong",
];

async fn dashboards(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for s in SCOPES {
        let mut d = app.dashboard(s).await;
        crate::clock::without_the_clock(&mut d);
        out.push(d);
    }
    out
}

crate::per_backend! {
    async fn rebuild_or_restart_gives_the_live_figures(b) {
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        let live = dashboards(&app).await;
        if production().as_ref() == Some(&b) {
            let wm = cockpit::startup::rebuild(&app.settings).await.unwrap();
            assert!(wm > 0);
            assert_eq!(dashboards(&app).await, live, "rebuild from PostgreSQL equals live ingest");
        }
        app.stop().await;
        let again = start(&b, app.resources.clone(), app.settings.clone()).await;
        assert_eq!(dashboards(&again).await, live, "{b:?}: restart equals live ingest");
    }
}

crate::per_backend! {
    /// A replay reads, merges and applies the journal in pages of 10,000 entries, in
    /// overlapping stages: across page boundaries nothing may be lost or counted twice.
    async fn a_replay_across_journal_pages_counts_each_entry_once(b) {
        const CHECKINS: usize = 25_000;
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        let g01 = "nanan.nanping.zhengjie.g01";
        for part in 0..CHECKINS / 5_000 {
            let batch: Vec<Value> = (0..5_000)
                .map(|i| json!({"id":format!("m{part}-{i}"),"event_id":"e1","scope":g01,"at":today_at(20),"person":format!("p{i}")}))
                .collect();
            app.ingest("/api/v1/attendance", Value::Array(batch)).await;
        }
        let live = dashboards(&app).await;
        let checkins = live[0]["figures"]["attendance"].as_i64();
        assert_eq!(checkins, Some(9 + CHECKINS as i64), "{b:?}: the live figure counts every check-in");
        if production().as_ref() == Some(&b) {
            cockpit::startup::rebuild(&app.settings).await.unwrap();
            assert_eq!(dashboards(&app).await, live, "a rebuild over three pages equals live ingest");
        }
        app.stop().await;
        let again = start(&b, app.resources.clone(), app.settings.clone()).await;
        assert_eq!(dashboards(&again).await, live, "{b:?}: restart equals live ingest");
    }
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn redis_losing_its_data_is_replayed_from_the_journal() {
    let Some(b) = production() else { return };
    let app = spawn_app(&b).await;
    scenario::send(&app).await;
    let live = dashboards(&app).await;
    let client = redis::Client::open(app.settings.redis_url.as_ref().unwrap().expose()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{{{}}}:*", app.settings.redis_prefix))
        .query_async(&mut c)
        .await
        .unwrap();
    let _: i64 = redis::cmd("DEL").arg(keys).query_async(&mut c).await.unwrap();
    // The loss is seen on the read path: no dashboard shows the emptied figures as current.
    let (status, body) = app.get("/api/v1/scopes/nanan/dashboard").await;
    assert_eq!((status, body["code"].as_str()), (503, Some("figures_not_current")), "{body}");
    // A batch (or the freshness clock) finds the watermark behind and replays everything first.
    let t = json!({"id":"k9","scope":"nanan.nanpingzhen.xinglong","category":"noise","reported_at":today_at(10)});
    app.ingest("/api/v1/tickets", t).await;
    let mut caught_up = None;
    for _ in 0..100 {
        let (status, body) = app.get("/api/v1/scopes/nanan/dashboard").await;
        if status == 200 {
            caught_up = body["figures"]["tickets_reported"].as_i64();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(caught_up, Some(5));
    assert_eq!(app.figures("nanan.nanping.zhengjie").await, live[2]["figures"]);
}
