//! Ingest: idempotency, mixed batches, the ticket state machine, and bad input.

use serde_json::{Value, json};

use crate::helpers::{spawn_app, today_at};

fn ticket(id: &str, scope: &str) -> Value {
    json!({"id":id,"scope":scope,"category":"garbage","reported_at":today_at(10),"description":"垃圾"})
}

crate::per_backend! {
    async fn the_same_batch_twice_counts_once(b) {
        let app = spawn_app(&b).await;
        let batch = json!([
            ticket("k1", "nanan.nanping.zhengjie.g01"),
            ticket("k2", "nanan.nanping.zhengjie.g02")
        ]);
        let (status, first) = app.post("/api/v1/tickets", &batch).await;
        assert_eq!(
            (status, first["accepted"].as_u64(), first["duplicates"].as_u64()),
            (200, Some(2), Some(0))
        );
        let (status, again) = app.post("/api/v1/tickets", &batch).await;
        assert_eq!(
            (status, again["accepted"].as_u64(), again["duplicates"].as_u64()),
            (200, Some(0), Some(2))
        );
        assert_eq!(app.figures("nanan").await["tickets_reported"].as_i64(), Some(2), "{b:?}");
    }
}

crate::per_backend! {
    async fn good_records_land_and_bad_ones_are_named(b) {
        let app = spawn_app(&b).await;
        let batch = json!([
            ticket("k1", "nanan.nanping.zhengjie.g01"),
            ticket("k2", "nanan.elsewhere"),
            {"id":"k3","scope":"nanan.nanping","category":"garbage","reported_at":"last tuesday"},
            ticket("k1", "nanan.nanping.zhengjie.g01"),
            {"id":"k4","scope":"nanan.nanping","category":"garbage","reported_at":"9999-01-01T00:00:00Z"},
            "not an object",
            ticket("k5", "nanan.nanping"),
        ]);
        let (status, r) = app.post("/api/v1/tickets", &batch).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["code"], "rejected_records");
        assert_eq!((r["accepted"].as_u64(), r["duplicates"].as_u64()), (Some(2), Some(1)), "{r}");
        let rejects: Vec<(u64, &str)> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["index"].as_u64().unwrap(), x["field"].as_str().unwrap()))
            .collect();
        assert_eq!(rejects, [(1, "scope"), (2, "reported_at"), (4, "reported_at"), (5, "(record)")]);
        assert_eq!(r["rejected"][0]["id"], "k2");
        assert_eq!(app.figures("nanan").await["tickets_reported"].as_i64(), Some(2));
    }
}

crate::per_backend! {
    async fn the_closed_loop_refuses_illegal_steps_and_ignores_late_ones(b) {
        let app = spawn_app(&b).await;
        app.ingest("/api/v1/tickets", ticket("k1", "nanan.nanping.zhengjie.g01")).await;
        let path = "/api/v1/tickets/k1/transitions";
        let (status, r) = app.post(path, &json!({"id":"s0","to":"closed","at":today_at(20)})).await;
        assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("to")), "{r}");
        assert!(r["rejected"][0]["reason"].as_str().unwrap().contains("dispatched, resolved"), "{r}");
        app.ingest(
            path,
            json!([{"id":"s1","to":"dispatched","at":today_at(20)},{"id":"s2","to":"resolved","at":today_at(40)}]),
        )
        .await;
        // Late: earlier than the newest step. Recorded (accepted), the ticket stays resolved.
        let (status, r) = app.post(path, &json!({"id":"s3","to":"in_progress","at":today_at(30)})).await;
        assert_eq!((status, r["accepted"].as_u64()), (200, Some(1)), "{r}");
        let d = app.dashboard("nanan.nanping.zhengjie.g01").await;
        assert_eq!(d["tickets_by_status"]["resolved"].as_i64(), Some(1), "{d}");
        assert_eq!(d["tickets_by_status"]["in_progress"].as_i64(), Some(0));
        assert_eq!(d["figures"]["tickets_resolved"].as_i64(), Some(1));
        let (status, r) = app
            .post(
                "/api/v1/tickets/nope/transitions",
                &json!({"id":"x","to":"dispatched","at":today_at(20)}),
            )
            .await;
        assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("ticket_id")));
        app.ingest(
            path,
            json!([{"id":"s4","to":"closed","at":today_at(50)},{"id":"s5","to":"reopened","at":today_at(60)}]),
        )
        .await;
        let f = app.figures("nanan").await;
        assert_eq!(
            (
                f["tickets_open"].as_i64(),
                f["tickets_reopened"].as_i64(),
                f["tickets_closed"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
    }
}

crate::per_backend! {
    async fn checkins_need_their_event_and_events_move_by_status(b) {
        let app = spawn_app(&b).await;
        let ev = |status: &str| json!({"id":"e1","scope":"nanan.nanping.zhengjie","category":"health","title":"健康大讲堂","starts_at":today_at(600),"status":status});
        app.ingest("/api/v1/events", ev("scheduled")).await;
        let (_, r) = app.post("/api/v1/events", &ev("scheduled")).await;
        assert_eq!(r["duplicates"].as_u64(), Some(1));
        app.ingest("/api/v1/events", ev("held")).await;
        let f = app.figures("nanan").await;
        assert_eq!((f["events_held"].as_i64(), f["events_scheduled"].as_i64()), (Some(1), Some(0)));
        let (status, r) = app
            .post(
                "/api/v1/attendance",
                &json!([
                    {"id":"a1","event_id":"e9","scope":"nanan.nanping.zhengjie","at":today_at(601)},
                    {"id":"a2","event_id":"e1","scope":"nanan.nanpingzhen","at":today_at(601)},
                    {"id":"a3","event_id":"e1","scope":"nanan.nanping.zhengjie.g02","at":today_at(601),"count":3},
                    {"id":"a4","event_id":"e1","scope":"nanan.nanping.zhengjie","at":today_at(601),"count":-1},
                ]),
            )
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["event_id", "scope", "count"]);
        assert_eq!(app.figures("nanan.nanping").await["attendance"].as_i64(), Some(3));
    }
}

crate::per_backend! {
    async fn malformed_bodies_get_clear_errors(b) {
        let app = spawn_app(&b).await;
        let (status, r) = app.post_raw("/api/v1/tickets", "{not json").await;
        assert_eq!((status, r["code"].as_str()), (400, Some("invalid_json")));
        let (status, r) = app.post_raw("/api/v1/tickets", "42").await;
        assert_eq!((status, r["code"].as_str()), (400, Some("invalid_body")));
        let (status, r) = app.post_raw("/api/v1/tickets", "[]").await;
        assert_eq!((status, r["code"].as_str()), (400, Some("empty_batch")));
        let deep = Box::leak(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_boxed_str());
        let (status, _) = app.post_raw("/api/v1/tickets", deep).await;
        assert_eq!(status, 400, "deep nesting is refused, not a crash");
        let big: Vec<Value> = (0..10_001).map(|i| json!({"id": i})).collect();
        let (status, r) = app.post("/api/v1/tickets", &json!(big)).await;
        assert_eq!((status, r["code"].as_str()), (413, Some("too_large")));
        assert_eq!(app.get("/healthz").await.0, 200, "the server is still up");
    }
}

crate::per_backend! {
    async fn a_full_batch_of_ten_thousand_lands(b) {
        let app = spawn_app(&b).await;
        let batch: Vec<Value> = (0..10_000)
            .map(|i| ticket(&format!("k{i}"), &format!("nanan.nanping.zhengjie.g0{}", 1 + i % 3)))
            .collect();
        let (status, r) = app.post("/api/v1/tickets", &json!(batch)).await;
        assert_eq!((status, r["accepted"].as_u64()), (200, Some(10_000)), "{b:?}");
        let f = app.figures("nanan").await;
        assert_eq!(
            (f["tickets_reported"].as_i64(), f["tickets_open"].as_i64()),
            (Some(10_000), Some(10_000))
        );
        assert_eq!(app.figures("nanan.nanping.zhengjie.g02").await["tickets_open"].as_i64(), Some(3333));
    }
}
