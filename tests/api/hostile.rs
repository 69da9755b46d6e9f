//! A corpus of hostile records: each is refused with a 4xx naming its index and
//! field, the good records sent with them land, and the server stays up.

use serde_json::{Value, json};

use crate::helpers::{spawn_app, today_at};

fn good(id: &str) -> Value {
    json!({"id": id, "scope": "nanan.nanping", "category": "garbage", "reported_at": today_at(10)})
}

fn with(field: &str, value: Value) -> Value {
    let mut v = good("bad");
    v[field] = value;
    v
}

crate::per_backend! {
    async fn every_hostile_record_is_named_and_the_good_ones_land(b) {
        let corpus: Vec<(Value, &str)> = vec![
            (with("id", json!(42)), "id"),
            (with("id", json!("")), "id"),
            (with("id", json!("a\u{0}b")), "id"),
            (with("id", json!("x".repeat(129))), "id"),
            (with("scope", json!(null)), "scope"),
            (with("scope", json!("nanan.nowhere")), "scope"),
            (with("scope", json!("NANAN")), "scope"),
            (with("scope", json!(["nanan"])), "scope"),
            (with("category", json!("Street Light")), "category"),
            (with("category", json!({"$gt": ""})), "category"),
            (with("reported_at", json!("9999-12-31T23:59:59Z")), "reported_at"),
            (with("reported_at", json!("1969-12-31T23:59:59Z")), "reported_at"),
            (with("reported_at", json!("2024-02-30T10:00:00+08:00")), "reported_at"),
            (with("reported_at", json!(1_700_000_000)), "reported_at"),
            (with("reported_at", json!("2024-11-26T10:00:00+25:00")), "reported_at"),
            (with("reported_at", json!("2024-11-26T10:00:00")), "reported_at"),
            (with("description", json!("a\u{0}b")), "description"),
            (with("location", json!({"note": "x\u{0}"})), "location"),
            (with("description", json!("长".repeat(1_000_000))), "description"),
            (with("location", json!([1, 2])), "location"),
            (with("location", json!({"note": "x".repeat(2000)})), "location"),
            (json!(["not", "an", "object"]), "(record)"),
            (json!(null), "(record)"),
        ];
        let app = spawn_app(&b).await;
        let mut batch = vec![good("first")];
        batch.extend(corpus.iter().map(|(v, _)| v.clone()));
        batch.push(good("last"));
        let (status, r) = app.post("/api/v1/tickets", &json!(batch)).await;
        assert_eq!(status, 422);
        assert_eq!(r["accepted"].as_u64(), Some(2), "the good records land: {r}");
        let rejected = r["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), corpus.len());
        for (i, (_, field)) in corpus.iter().enumerate() {
            assert_eq!(rejected[i]["index"].as_u64(), Some(i as u64 + 1));
            assert_eq!(rejected[i]["field"].as_str(), Some(*field), "record {}: {}", i + 1, rejected[i]);
        }
        assert_eq!(app.figures("nanan").await["tickets_reported"].as_i64(), Some(2), "{b:?}");
    }
}

crate::per_backend! {
    async fn hostile_bodies_are_refused_whole_and_the_server_stays_up(b) {
        let app = spawn_app(&b).await;
        let url = format!("{}/api/v1/attendance", app.address);
        let bodies: Vec<(Vec<u8>, u16)> = vec![
            (b"[{\"id\":\"a\",\"count\":NaN}]".to_vec(), 400),
            (vec![b'[', b'"', 0xff, 0xfe, b'"', b']'], 400),
            (format!("{}1{}", "[".repeat(200_000), "]".repeat(200_000)).into_bytes(), 400),
            (vec![b'{'; 64], 400),
        ];
        for (body, want) in bodies {
            let res = app
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), want);
        }
        let (status, r) = app
            .post(
                "/api/v1/attendance",
                &json!([{"id":"a1","event_id":"nope","scope":"nanan","at":today_at(5),"count":-5},{"id":"a2","event_id":"nope","scope":"nanan","at":today_at(5),"count":"NaN"}]),
            )
            .await;
        assert_eq!(status, 422);
        assert!(r["rejected"].as_array().unwrap().iter().all(|x| x["field"] == "count"), "{r}");
        let (status, r) = app
            .post(
                "/api/v1/tickets/ghost/transitions",
                &json!({"id":"s","to":"resolved","at":today_at(5)}),
            )
            .await;
        assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("ticket_id")));
        assert_eq!(app.get("/healthz").await.0, 200);
    }
}
