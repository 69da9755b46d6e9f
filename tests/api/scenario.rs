//! A known day in Nanan: a few events, check-ins, tickets and their steps,
//! with the figures each level of the tree must show afterwards.

use serde_json::json;

use crate::helpers::{TestApp, hours_ago, today_at};

/// Sends the scenario through the public API.
pub async fn send(app: &TestApp) {
    let zj = "nanan.nanping.zhengjie";
    app.ingest(
        "/api/v1/events",
        json!([
            {"id":"e1","scope":zj,"category":"health","title":"健康大讲堂","starts_at":today_at(1),"status":"held"},
            {"id":"e2","scope":format!("{zj}.g01"),"category":"dance","title":"坝坝舞","starts_at":today_at(2),"status":"scheduled"},
            {"id":"e3","scope":"nanan.nanpingzhen.xinglong","category":"legal","title":"法律援助","starts_at":today_at(3),"status":"scheduled"},
        ]),
    )
    .await;
    // Re-posting e2 with a new status moves it: counted once, as cancelled.
    app.ingest(
        "/api/v1/events",
        json!({"id":"e2","scope":format!("{zj}.g01"),"category":"dance","title":"坝坝舞","starts_at":today_at(2),"status":"cancelled"}),
    )
    .await;
    app.ingest(
        "/api/v1/attendance",
        json!([
            {"id":"a1","event_id":"e1","scope":format!("{zj}.g01"),"at":today_at(5),"person":"p1"},
            {"id":"a2","event_id":"e1","scope":format!("{zj}.g01"),"at":today_at(6),"count":2,"person":"p2"},
            {"id":"a3","event_id":"e1","scope":format!("{zj}.g01"),"at":today_at(7),"person":"p1"},
            {"id":"a4","event_id":"e3","scope":"nanan.nanpingzhen.xinglong","at":today_at(8),"count":5},
        ]),
    )
    .await;
    app.ingest(
        "/api/v1/tickets",
        json!([
            {"id":"k1","scope":format!("{zj}.g03"),"category":"street_light","reported_at":today_at(10),"description":"路灯不亮"},
            {"id":"k2","scope":format!("{zj}.g03"),"category":"garbage","reported_at":today_at(11),"description":"垃圾未清运"},
            {"id":"k3","scope":format!("{zj}.g01"),"category":"parking","reported_at":today_at(12),"description":"乱停车"},
            {"id":"k4","scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":today_at(13),"description":"邻里纠纷"},
            {"id":"k5","scope":format!("{zj}.g03"),"category":"garbage","reported_at":hours_ago(30),"description":"垃圾堆积"},
        ]),
    )
    .await;
    for (ticket, steps) in [
        ("k1", vec![("k1-1", "dispatched", 20), ("k1-2", "resolved", 70)]),
        ("k2", vec![("k2-1", "dispatched", 20), ("k2-2", "in_progress", 25)]),
        (
            "k4",
            vec![("k4-1", "dispatched", 20), ("k4-2", "resolved", 133), ("k4-3", "closed", 140)],
        ),
        // k3's second step arrives late (earlier than its newest): recorded, not rewinding.
        ("k3", vec![("k3-1", "dispatched", 30), ("k3-2", "in_progress", 15)]),
    ] {
        let body: Vec<_> = steps
            .iter()
            .map(|(id, to, m)| json!({"id":id,"to":to,"at":today_at(*m),"assignee":"网格员"}))
            .collect();
        app.ingest(&format!("/api/v1/tickets/{ticket}/transitions"), json!(body)).await;
    }
}

/// (scope, figure, expected value) after [`send`], today.
pub const EXPECTED: &[(&str, &str, i64)] = &[
    ("nanan.nanping.zhengjie.g03", "tickets_reported", 2),
    ("nanan.nanping.zhengjie.g03", "tickets_open", 2),
    ("nanan.nanping.zhengjie.g03", "tickets_overdue", 1),
    ("nanan.nanping.zhengjie.g03", "tickets_resolved", 1),
    ("nanan.nanping.zhengjie.g01", "tickets_reported", 1),
    ("nanan.nanping.zhengjie.g01", "tickets_open", 1),
    ("nanan.nanping.zhengjie.g01", "attendance", 4),
    ("nanan.nanping.zhengjie.g01", "unique_attendees", 2),
    ("nanan.nanping.zhengjie.g01", "events_cancelled", 1),
    ("nanan.nanping.zhengjie.g01", "events_scheduled", 0),
    ("nanan.nanping.zhengjie", "tickets_reported", 3),
    ("nanan.nanping.zhengjie", "tickets_open", 3),
    ("nanan.nanping.zhengjie", "tickets_overdue", 1),
    ("nanan.nanping.zhengjie", "events_held", 1),
    ("nanan.nanping.zhengjie", "attendance", 4),
    ("nanan.nanping", "tickets_open", 3),
    ("nanan.nanping", "unique_attendees", 2),
    ("nanan.nanpingzhen.xinglong", "tickets_reported", 1),
    ("nanan.nanpingzhen.xinglong", "tickets_open", 0),
    ("nanan.nanpingzhen.xinglong", "tickets_resolved", 1),
    ("nanan.nanpingzhen.xinglong", "tickets_closed", 1),
    ("nanan.nanpingzhen.xinglong", "attendance", 5),
    ("nanan.nanpingzhen.xinglong", "events_scheduled", 1),
    ("nanan", "tickets_reported", 4),
    ("nanan", "tickets_open", 3),
    ("nanan", "tickets_overdue", 1),
    ("nanan", "tickets_resolved", 2),
    ("nanan", "tickets_closed", 1),
    ("nanan", "attendance", 9),
    ("nanan", "unique_attendees", 2),
    ("nanan", "events_held", 1),
    ("nanan", "events_scheduled", 1),
    ("nanan", "events_cancelled", 1),
];

/// Asserts every expected figure, naming the first that is off.
pub async fn assert_figures(app: &TestApp) {
    for (scope, figure, want) in EXPECTED {
        let f = app.figures(scope).await;
        assert_eq!(f[figure].as_i64(), Some(*want), "{:?}: {scope} {figure} in {f}", app.backend);
    }
}
