//! Filing requests through the whole pipeline, reading them back with every
//! filter, and the closed loop mapped onto `open` / `closed`.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, hours_ago, spawn_app, today_at};

const REQUESTS: &str = "/open311/v2/requests.json";

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn file_street_light(app: &TestApp) -> String {
    let r = app
        .form(
            REQUESTS,
            &[
                ("jurisdiction_id", "nanan"),
                ("service_code", "street_light"),
                ("lat", "29.5545"),
                ("long", "106.5753"),
                ("address_string", "正街社区第三网格 解放东路 路灯杆 ZJ-031"),
                ("description", "路灯不亮 The street light is out"),
                ("email", "resident@example.com"),
                ("first_name", "Wei"),
                ("phone", "13800000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let body = r.json();
    let id = body[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("o311-") && id.len() == 21, "{id}");
    assert_eq!(body[0]["account_id"], Value::Null);
    assert!(body[0]["service_notice"].as_str().unwrap().contains("+08:00"), "{body}");
    id
}

crate::per_backend! {
    async fn a_street_light_report_filed_via_open311_reaches_the_zhengjie_screen(b) {
        let app = spawn_app(&b).await;
        let mut screen = app.screen("nanan.nanping.zhengjie").await;
        let id = file_street_light(&app).await;

        let update = screen
            .until(Duration::from_secs(10), |m| m["data"]["figures"]["tickets_reported"] == 1)
            .await;
        let update = update.unwrap_or_else(|| panic!("{b:?}: the Zhengjie screen never showed the report"));
        assert_eq!(update["data"]["figures"]["tickets_open"], 1);
        assert_eq!(update["data"]["top_grids"][0]["scope"], "nanan.nanping.zhengjie.g03");
        assert_eq!(app.figures("nanan.nanping.zhengjie").await["tickets_reported"], 1);
        assert_eq!(app.figures("nanan").await["tickets_reported"], 1);
        assert_eq!(app.figures("nanan.nanpingzhen").await["tickets_reported"], 0);

        let r = app.raw_get(&format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let got = r.json();
        assert_eq!(got.as_array().unwrap().len(), 1);
        let t = &got[0];
        assert_eq!(t["service_request_id"], id.as_str());
        assert_eq!(t["status"], "open");
        assert_eq!(t["service_code"], "street_light");
        assert_eq!(t["service_name"], "路灯 Street light");
        assert_eq!(t["address_id"], "nanan.nanping.zhengjie.g03");
        assert_eq!(t["address"], "正街社区第三网格 解放东路 路灯杆 ZJ-031");
        assert_eq!(t["agency_responsible"], "南坪街道 · 正街社区 · 第三网格");
        assert_eq!((t["lat"].as_f64(), t["long"].as_f64()), (Some(29.5545), Some(106.5753)));
        let requested: jiff::Timestamp = t["requested_datetime"].as_str().unwrap().parse().unwrap();
        let expected: jiff::Timestamp = t["expected_datetime"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            expected - requested,
            jiff::SignedDuration::from_hours(48),
            "the street-light deadline"
        );
        assert!(t["requested_datetime"].as_str().unwrap().ends_with("+08:00"), "{t}");
        assert!(
            !r.text.contains("resident@example.com") && !r.text.contains("13800000000"),
            "no personal data kept"
        );
        app.stop().await;
    }
}

crate::per_backend! {
    async fn the_closed_loop_maps_onto_open_and_closed(b) {
        let app = spawn_app(&b).await;
        let id = file_street_light(&app).await;
        let steps = format!("/api/v1/tickets/{id}/transitions");
        for (to, open, note) in [
            ("dispatched", "open", "已派单"),
            ("in_progress", "open", "处置中"),
            ("resolved", "closed", "已处置，待核验"),
            ("reopened", "open", "已重新打开"),
            ("resolved", "closed", "已处置，待核验"),
            ("closed", "closed", "已办结"),
        ] {
            let at = jiff::Timestamp::now().to_string();
            let body = json!({"id": format!("{id}-{to}-{}", rand::random::<u32>()), "to": to, "at": at});
            app.ingest(&steps, body).await;
            let t = app.raw_get(&format!("/open311/v2/requests/{id}.json")).await.json()[0].clone();
            assert_eq!(t["status"], open, "{to}: {t}");
            assert!(t["status_notes"].as_str().unwrap().starts_with(note), "{to}: {t}");
            let updated: jiff::Timestamp = t["updated_datetime"].as_str().unwrap().parse().unwrap();
            let step_at: jiff::Timestamp = at.parse().unwrap();
            assert_eq!(updated.as_second(), step_at.as_second(), "updated_datetime is the newest step");
        }
        app.stop().await;
    }
}

crate::per_backend! {
    async fn get_requests_filters_by_id_code_status_dates_and_jurisdiction(b) {
        let app = spawn_app(&b).await;
        let ticket = |id: &str, scope: &str, category: &str, at: String| json!({"id": id, "scope": scope, "category": category, "reported_at": at, "description": id});
        app.ingest(
            "/api/v1/tickets",
            json!([
                ticket("v1-light", "nanan.nanping.zhengjie.g01", "street_light", hours_ago(2)),
                ticket("v1-fixed", "nanan.nanping.zhengjie.g02", "garbage", hours_ago(30)),
                ticket("v1-late", "nanan.nanping.zhengjie.g01", "garbage", hours_ago(30)),
                ticket("v1-xl", "nanan.nanpingzhen.xinglong.g01", "garbage", hours_ago(5)),
                ticket("v1-old", "nanan.nanping.zhengjie", "garbage", hours_ago(100 * 24)),
            ]),
        )
        .await;
        for (ticket, to) in [("v1-fixed", "resolved"), ("v1-xl", "resolved"), ("v1-xl", "closed")] {
            let body = json!({"id": format!("{ticket}-{to}"), "to": to, "at": hours_ago(1)});
            app.ingest(&format!("/api/v1/tickets/{ticket}/transitions"), body).await;
        }
        let o311 = file_street_light(&app).await;
        let o = o311.as_str();
        let q = |fields: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = app.get_with(REQUESTS, &f).await;
                assert_eq!(r.status, 200, "{f:?}: {}", r.text);
                ids(&r.json())
            }
        };
        let s = |v: &str| v.to_owned();

        let recent = set(&["v1-light", "v1-fixed", "v1-late", "v1-xl", o]);
        assert_eq!(q(vec![]).await, recent, "default: the most recent 90 days");
        assert_eq!(q(vec![("jurisdiction_id", s("nanan"))]).await, recent);
        assert_eq!(
            q(vec![("jurisdiction_id", s("nanan.nanping"))]).await,
            set(&["v1-light", "v1-fixed", "v1-late", o]),
            "a finer jurisdiction"
        );
        assert_eq!(
            q(vec![("service_code", s("garbage"))]).await,
            set(&["v1-fixed", "v1-late", "v1-xl"])
        );
        assert_eq!(q(vec![("service_code", s("garbage,street_light"))]).await, recent);
        assert_eq!(q(vec![("status", s("open"))]).await, set(&["v1-light", "v1-late", o]));
        assert_eq!(q(vec![("status", s("closed"))]).await, set(&["v1-fixed", "v1-xl"]));
        assert_eq!(q(vec![("status", s("open,closed"))]).await, recent);
        assert_eq!(
            q(vec![("start_date", hours_ago(10))]).await,
            set(&["v1-light", "v1-xl", o]),
            "start_date alone"
        );
        assert_eq!(
            q(vec![("end_date", hours_ago(3))]).await,
            set(&["v1-fixed", "v1-late", "v1-xl"]),
            "end_date alone: the 90 days before it"
        );
        assert_eq!(
            q(vec![("start_date", hours_ago(101 * 24)), ("end_date", hours_ago(95 * 24))]).await,
            set(&["v1-old"]),
            "an older window"
        );
        assert_eq!(
            q(vec![("service_request_id", format!("v1-old,{o}, v1-xl")), ("status", s("closed"))]).await,
            set(&["v1-old", "v1-xl", o]),
            "ids override every other filter"
        );
        assert_eq!(
            q(vec![("service_request_id", s("v1-xl")), ("jurisdiction_id", s("nanan.nanping"))]).await,
            set(&[]),
            "but not the jurisdiction"
        );

        let late = app.raw_get("/open311/v2/requests/v1-late.json").await.json();
        assert!(late[0]["status_notes"].as_str().unwrap().contains("overdue"), "{late}");
        let v1 = app.raw_get("/open311/v2/requests/v1-light.json").await.json();
        assert_eq!(v1[0]["description"], "v1-light");
        assert_eq!(v1[0]["address"], Value::Null);
        assert_eq!(v1[0]["agency_responsible"], "南坪街道 · 正街社区 · 第一网格");

        let x = app
            .get_with("/open311/v2/requests.xml", &[("status", "closed"), ("service_code", "garbage")])
            .await;
        assert_eq!(x.status, 200);
        assert!(
            x.text
                .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>"),
            "{}",
            x.text
        );
        assert_eq!(x.text.matches("<request>").count(), 2, "{}", x.text);
        assert!(x.text.contains("<service_request_id>v1-xl</service_request_id>"));
        assert!(x.text.contains("<status>closed</status>") && !x.text.contains("<status>open</status>"));
        app.ingest(
            "/api/v1/tickets",
            ticket("zj.2024.001", "nanan.nanping.zhengjie", "noise", hours_ago(1)),
        )
        .await;
        let dotted = app.raw_get("/open311/v2/requests/zj.2024.001.json").await;
        assert_eq!(
            dotted.json()[0]["service_request_id"],
            "zj.2024.001",
            "ids may contain dots: {}",
            dotted.text
        );
        let empty = app.get_with(REQUESTS, &[("service_code", "water")]).await;
        assert_eq!((empty.status, empty.json()), (200, json!([])));
        app.stop().await;
    }
}

crate::per_backend! {
    async fn an_idempotency_key_makes_a_retried_post_count_once(b) {
        let app = spawn_app(&b).await;
        let fields = [
            ("jurisdiction_id", "nanan"),
            ("service_code", "garbage"),
            ("address_id", "nanping.zhengjie"),
            ("description", "垃圾未清运"),
        ];
        let first = app.form_with(REQUESTS, &fields, Some("kiosk-7-0001")).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let again = app.form_with(REQUESTS, &fields, Some("kiosk-7-0001")).await;
        assert_eq!(again.status, 200, "{}", again.text);
        let id = first.json()[0]["service_request_id"].clone();
        assert_eq!(again.json()[0]["service_request_id"], id, "the retry names the same request");
        let other = app.form_with(REQUESTS, &fields, Some("kiosk-7-0002")).await;
        assert_eq!(other.status, 201);
        assert_ne!(other.json()[0]["service_request_id"], id);
        let plain = app.form(REQUESTS, &fields).await;
        assert_eq!(plain.status, 201, "no key: every POST is a new request");
        assert_eq!(app.figures("nanan.nanping.zhengjie").await["tickets_reported"], 3);
        let t = app
            .raw_get(&format!("/open311/v2/requests/{}.json", id.as_str().unwrap()))
            .await
            .json();
        assert_eq!(
            t[0]["address_id"], "nanan.nanping.zhengjie",
            "address_id relative to the jurisdiction"
        );
        app.stop().await;
    }
}

crate::per_backend! {
    async fn json_bodies_attributes_and_requested_datetime_are_accepted(b) {
        let app = spawn_app(&b).await;
        let at = today_at(1);
        let body = json!({
            "service_code": "dispute",
            "address_string": "兴隆社区 3栋",
            "description": "楼上漏水 leak from upstairs",
            "requested_datetime": at,
            "attribute": {"parties": 2, "kind": "neighbour"},
            "media_url": "https://photos.example/1.jpg",
        });
        let r = app.post_json(REQUESTS, &body, None).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()[0]["service_request_id"].as_str().unwrap().to_owned();
        let t = app.raw_get(&format!("/open311/v2/requests/{id}.json")).await.json();
        assert_eq!(
            t[0]["address_id"], "nanan.nanpingzhen.xinglong",
            "no jurisdiction_id: the only root; the name picks the unit"
        );
        assert_eq!(t[0]["media_url"], "https://photos.example/1.jpg");
        let requested: jiff::Timestamp = t[0]["requested_datetime"].as_str().unwrap().parse().unwrap();
        let given: jiff::Timestamp = at.parse().unwrap();
        assert_eq!(requested.as_second(), given.as_second());
        let expected: jiff::Timestamp = t[0]["expected_datetime"].as_str().unwrap().parse().unwrap();
        assert_eq!(expected - requested, jiff::SignedDuration::from_hours(168), "the dispute deadline");
        assert_eq!(app.figures("nanan.nanpingzhen.xinglong").await["tickets_reported"], 1);

        let form = app
            .form(
                "/open311/v2/requests.xml",
                &[
                    ("service_code", "dispute"),
                    ("lat", "29.5"),
                    ("long", "106.5"),
                    ("attribute[kind][]", "family"),
                ],
            )
            .await;
        assert_eq!(form.status, 201, "{}", form.text);
        assert!(
            form.text
                .contains("<service_requests><request><account_id></account_id><service_notice>"),
            "{}",
            form.text
        );
        let id = form
            .text
            .split("<service_request_id>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        let t = app.raw_get(&format!("/open311/v2/requests/{id}.json")).await.json();
        assert_eq!(t[0]["address_id"], "nanan", "lat/long alone: the jurisdiction");
        app.stop().await;
    }
}
