//! Two instances on one PostgreSQL and one Redis: a record ingested on A reaches
//! a screen connected to B (Redis pub/sub carries the notice).

use std::time::Duration;

use serde_json::json;

use crate::helpers::{production, spawn_app, start, today_at};

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_screen_on_b_sees_an_ingest_on_a() {
    let Some(b) = production() else { return };
    let a = spawn_app(&b).await;
    let second = start(&b, a.resources.clone(), a.settings.clone()).await;
    let mut screen = second.screen("nanan").await;
    screen.next(Duration::from_secs(3)).await.expect("snapshot");
    let t = json!({"id":"k1","scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":today_at(10)});
    a.ingest("/api/v1/tickets", t).await;
    let up = screen
        .until(Duration::from_secs(3), |m| {
            m["data"]["figures"]["tickets_reported"].as_i64() == Some(1)
        })
        .await;
    assert!(up.is_some(), "the update crossed instances");
    // Both instances write: the journal orders them and the figures agree.
    let t2 = json!({"id":"k2","scope":"nanan.nanping.zhengjie.g02","category":"garbage","reported_at":today_at(10)});
    second.ingest("/api/v1/tickets", t2).await;
    assert_eq!(a.figures("nanan").await["tickets_open"].as_i64(), Some(2));
    assert_eq!(second.figures("nanan").await, a.figures("nanan").await);
}
