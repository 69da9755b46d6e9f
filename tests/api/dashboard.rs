//! Dashboard figures at every level of the tree, series and past days.

use serde_json::Value;

use crate::helpers::{local_day, spawn_app};
use crate::scenario;

crate::per_backend! {
    async fn a_known_day_gives_exact_figures_at_every_level(b) {
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        scenario::assert_figures(&app).await;
    }
}

crate::per_backend! {
    async fn dashboard_details_children_top_grids_categories_and_statuses(b) {
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        let d = app.dashboard("nanan").await;
        assert_eq!(d["name"], "南岸区");
        assert_eq!(d["live"], true);
        assert_eq!(d["day"], local_day(0));
        assert_eq!(d["figures"]["mean_resolve_seconds"].as_f64(), Some(5400.0), "{b:?}");
        let children: Vec<(&str, i64)> = d["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["scope"].as_str().unwrap(), c["figures"]["tickets_reported"].as_i64().unwrap()))
            .collect();
        assert_eq!(children, [("nanan.nanping", 3), ("nanan.nanpingzhen", 1)]);
        let top: Vec<(&str, i64)> = d["top_grids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["scope"].as_str().unwrap(), t["tickets_open"].as_i64().unwrap()))
            .collect();
        assert_eq!(top, [("nanan.nanping.zhengjie.g03", 2), ("nanan.nanping.zhengjie.g01", 1)], "{b:?}");
        assert_eq!(d["top_grids"][0]["name"], "第三网格");
        let status = &d["tickets_by_status"];
        assert_eq!(
            (
                status["reported"].as_i64(),
                status["dispatched"].as_i64(),
                status["in_progress"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(
            status["resolved"].as_i64(),
            Some(1),
            "k1 resolved awaits verification; k4 is closed"
        );
        let cat = |name: &str| {
            d["categories"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["category"] == name)
                .cloned()
                .unwrap_or(Value::Null)
        };
        assert_eq!(
            (cat("garbage")["reported"].as_i64(), cat("garbage")["open"].as_i64()),
            (Some(1), Some(2))
        );
        assert_eq!(
            (cat("dispute")["reported"].as_i64(), cat("dispute")["open"].as_i64()),
            (Some(1), Some(0))
        );
        assert_eq!(d["approximate"][0], "unique_attendees");
    }
}

crate::per_backend! {
    async fn series_and_past_days_count_on_local_days(b) {
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        let (status, s) = app.get("/api/v1/scopes/nanan/series?metric=tickets_reported&days=3").await;
        assert_eq!(status, 200);
        let points = s["points"].as_array().unwrap();
        assert_eq!(points.len(), 3);
        assert_eq!(points[2]["day"], local_day(0));
        assert_eq!(points[2]["value"].as_f64(), Some(4.0));
        let before: f64 = points[..2].iter().map(|p| p["value"].as_f64().unwrap()).sum();
        assert_eq!(before, 1.0, "k5 was reported 30 hours ago: {s}");
        let (_, open) = app
            .get("/api/v1/scopes/nanan.nanping.zhengjie.g03/series?metric=tickets_open&days=2")
            .await;
        assert_eq!(
            open["points"][0]["value"].as_f64(),
            Some(1.0),
            "end of yesterday only k5 was open: {open}"
        );
        assert_eq!(open["points"][1]["value"].as_f64(), Some(2.0));
        let (_, past) = app
            .get(&format!("/api/v1/scopes/nanan.nanping.zhengjie.g03/dashboard?day={}", local_day(1)))
            .await;
        assert_eq!(past["live"], false);
        assert_eq!(past["figures"]["tickets_open"].as_i64(), Some(1), "{past}");
    }
}

crate::per_backend! {
    async fn query_errors_are_clear_4xx(b) {
        let app = spawn_app(&b).await;
        for (path, status, code) in [
            ("/api/v1/scopes/Nanan/dashboard", 400, "invalid_scope"),
            ("/api/v1/scopes/nanan.nowhere/dashboard", 404, "not_found"),
            ("/api/v1/scopes/nanan/dashboard?day=tuesday", 400, "invalid_day"),
            ("/api/v1/scopes/nanan/series?metric=happiness", 400, "invalid_metric"),
            ("/api/v1/scopes/nanan/series?metric=attendance&days=0", 400, "invalid_days"),
        ] {
            let (got, body) = app.get(path).await;
            assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{path}: {body}");
        }
    }
}

crate::per_backend! {
    async fn scope_tree_and_admin_registration(b) {
        let app = spawn_app(&b).await;
        let (_, tree) = app.get("/api/v1/scopes").await;
        assert_eq!(tree["scopes"][0]["id"], "nanan");
        assert_eq!(tree["scopes"][0]["children"][0]["children"][0]["theme"], "heritage");
        let orphan = serde_json::json!([{"id":"nanan.nowhere.x","name":"孤儿"}]);
        let (status, body) = app.post("/api/v1/admin/scopes", &orphan).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("unknown_parent")), "{body}");
        let new = serde_json::json!([{"id":"nanan.danzishi.qunhuicun","name":"群慧村社区","theme":"smart"},{"id":"nanan.danzishi","name":"弹子石街道"}]);
        let (status, _) = app.post("/api/v1/admin/scopes", &new).await;
        assert_eq!(status, 200);
        assert_eq!(app.dashboard("nanan.danzishi.qunhuicun").await["theme"], "smart");
    }
}

crate::per_backend! {
    async fn metrics_and_health_answer(b) {
        let app = spawn_app(&b).await;
        scenario::send(&app).await;
        let text = app.text("/metrics").await;
        assert!(text.contains(r#"cockpit_tickets_open{scope="nanan"} 3"#), "{text}");
        assert!(
            text.contains(r#"cockpit_records_total{kind="ticket",outcome="accepted"} 5"#),
            "{text}"
        );
        assert!(
            text.contains(r#"route="/api/v1/tickets/{id}/transitions""#),
            "routes are labelled by template"
        );
        assert_eq!(app.get("/healthz").await.0, 200);
        let (status, ready) = app.get("/readyz").await;
        assert_eq!((status, ready["status"].as_str()), (200, Some("ready")), "{b:?}: {ready}");
    }
}

crate::per_backend! {
    async fn periods_total_every_day_in_them_and_series_run_by_week_or_month(b) {
        let app = spawn_app(&b).await;
        let g = "nanan.nanping.zhengjie.g01";
        app.ingest(
            "/api/v1/tickets",
            serde_json::json!([
                {"id":"now","scope":g,"category":"garbage","reported_at":crate::helpers::hours_ago(0)},
                {"id":"then","scope":g,"category":"garbage","reported_at":crate::helpers::hours_ago(40 * 24)},
            ]),
        )
        .await;
        let reported = |period: &'static str| {
            let app = &app;
            async move {
                let (status, d) = app.get(&format!("/api/v1/scopes/nanan/dashboard?period={period}")).await;
                assert_eq!(status, 200, "{d}");
                assert_eq!(d["period"]["kind"], period);
                d["figures"]["tickets_reported"].as_i64()
            }
        };
        assert_eq!(reported("day").await, Some(1));
        assert_eq!(reported("week").await, Some(1), "forty days back is another week");
        assert_eq!(reported("month").await, Some(1));
        assert_eq!(reported("all").await, Some(2), "since launch");
        let year = reported("year").await;
        assert!(matches!(year, Some(1 | 2)), "{year:?}");
        let (_, d) = app
            .get(&format!("/api/v1/scopes/nanan/dashboard?period=month&day={}", local_day(40)))
            .await;
        assert_eq!(d["figures"]["tickets_reported"].as_i64(), Some(1), "that month: {}", d["period"]);
        assert_eq!(d["live"], false);
        let (status, e) = app.get("/api/v1/scopes/nanan/dashboard?period=fortnight").await;
        assert_eq!((status, e["code"].as_str()), (400, Some("invalid_period")), "{e}");

        // A past day shows that day's end: one ticket open, in its category and status.
        let (_, d) = app.get(&format!("/api/v1/scopes/nanan/dashboard?day={}", local_day(40))).await;
        assert_eq!(d["figures"]["tickets_open"].as_i64(), Some(1), "{d}");
        assert_eq!(d["categories"], serde_json::json!([{"category":"garbage","reported":1,"open":1}]));
        assert_eq!(d["tickets_by_status"]["reported"].as_i64(), Some(1), "not today's 2: {d}");

        // Any range of days.
        let range = |from: i64, to: i64| format!("/api/v1/scopes/nanan/dashboard?from={}&to={}", local_day(from), local_day(to));
        let (status, d) = app.get(&range(45, 0)).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(
            (d["period"]["kind"].as_str(), d["figures"]["tickets_reported"].as_i64(), &d["live"]),
            (Some("range"), Some(2), &serde_json::json!(true)),
            "{}",
            d["period"]
        );
        let (_, d) = app.get(&range(45, 41)).await;
        assert_eq!(
            (
                d["figures"]["tickets_reported"].as_i64(),
                d["figures"]["tickets_open"].as_i64(),
                &d["live"]
            ),
            (Some(0), Some(0), &serde_json::json!(false)),
            "before both reports: {d}"
        );
        let (_, d) = app.get(&range(40, 39)).await;
        assert_eq!(d["figures"]["tickets_reported"].as_i64(), Some(1), "{}", d["period"]);
        // Not a date: 400; dates that do not go together: 422.
        for (query, status_code, code) in [
            (format!("from={}", local_day(3)), 422, "invalid_range"),
            (format!("from={}&to={}", local_day(1), local_day(3)), 422, "invalid_range"),
            (format!("from=yesterday&to={}", local_day(1)), 400, "invalid_from"),
            (format!("from={}&to=2024-13-01", local_day(1)), 400, "invalid_to"),
            (
                format!("from={}&to={}&period=week", local_day(3), local_day(1)),
                422,
                "invalid_range",
            ),
            ("from=2000-01-01&to=2024-01-01".to_owned(), 422, "invalid_range"),
        ] {
            let (status, e) = app.get(&format!("/api/v1/scopes/nanan/dashboard?{query}")).await;
            assert_eq!((status, e["code"].as_str()), (status_code, Some(code)), "{query}: {e}");
        }

        let (status, s) = app
            .get("/api/v1/scopes/nanan/series?metric=tickets_reported&interval=month&points=3")
            .await;
        assert_eq!(status, 200, "{s}");
        let points: Vec<i64> = s["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_f64().unwrap_or(-1.0) as i64)
            .collect();
        assert_eq!(points.iter().sum::<i64>(), 2, "both reports within the last three months: {s}");
        assert_eq!(points.last(), Some(&1));
        assert!(
            s["points"][2]["day"].as_str().is_some_and(|d| d.len() == 7),
            "months are named YYYY-MM: {s}"
        );
        let (status, _) = app.get("/api/v1/scopes/nanan/series?metric=tickets_reported&interval=year").await;
        assert_eq!(status, 400, "series run by day, week or month");
    }
}

crate::per_backend! {
    async fn events_count_by_type_and_untyped_ones_as_other(b) {
        let app = spawn_app(&b).await;
        let c = "nanan.nanping.zhengjie";
        // The start of the local day: today whatever the hour (an hour ago is yesterday
        // just after midnight in Asia/Shanghai).
        let at = crate::helpers::today_at(0);
        app.ingest(
            "/api/v1/events",
            serde_json::json!([
                {"id":"lec","scope":c,"category":"health","type":"lecture","title":"健康大讲堂","starts_at":at,"status":"held"},
                {"id":"dance","scope":c,"category":"dance","type":"activity","title":"广场舞","starts_at":at,"status":"held"},
                {"id":"old","scope":c,"category":"health","title":"名中医义诊","starts_at":at,"status":"held"},
            ]),
        )
        .await;
        app.ingest(
            "/api/v1/attendance",
            serde_json::json!([
                {"id":"a1","event_id":"lec","scope":format!("{c}.g01"),"at":at,"count":40},
                {"id":"a2","event_id":"dance","scope":c,"at":at,"count":15},
                {"id":"a3","event_id":"old","scope":c,"at":at,"count":5},
                {"id":"a4","event_id":"lec","scope":c,"at":at,"person":"zj-1"},
                {"id":"a5","event_id":"lec","scope":c,"at":at,"person":"zj-2"},
                {"id":"a6","event_id":"dance","scope":c,"at":at,"person":"zj-1"},
            ]),
        )
        .await;
        let (status, e) = app
            .post(
                "/api/v1/events",
                &serde_json::json!({"id":"bad","scope":c,"category":"health","type":"Lecture!","title":"t","starts_at":at,"status":"held"}),
            )
            .await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("type"), "the refusal names the field: {e}");
        for period in ["day", "all"] {
            let (_, d) = app.get(&format!("/api/v1/scopes/nanan/dashboard?period={period}")).await;
            let rows: Vec<(String, String, i64, i64, i64)> = d["events_by_kind"]
                .as_array()
                .unwrap_or_else(|| panic!("{d}"))
                .iter()
                .map(|g| {
                    let s = |k: &str| g[k].as_str().unwrap_or_default().to_owned();
                    (
                        s("category"),
                        s("type"),
                        g["events_held"].as_i64().unwrap_or(-1),
                        g["attendance"].as_i64().unwrap_or(-1),
                        g["unique_attendees"].as_i64().unwrap_or(-1),
                    )
                })
                .collect();
            let want = |c: &str, t: &str, n, a, u| (c.to_owned(), t.to_owned(), n, a, u);
            assert_eq!(
                rows,
                [
                    want("health", "lecture", 1, 42, 2),
                    want("dance", "activity", 1, 16, 1),
                    want("health", "other", 1, 5, 0)
                ],
                "{period}"
            );
            assert_eq!(d["figures"]["attendance"].as_i64(), Some(63), "the totals count every type");
            assert_eq!(d["figures"]["unique_attendees"].as_i64(), Some(2), "zj-1 once in all");
        }
    }
}

crate::per_backend! {
    async fn every_code_has_names_and_an_unknown_one_is_counted(b) {
        let app = spawn_app(&b).await;
        let (status, n) = app.get("/api/v1/dictionary").await;
        assert_eq!(status, 200, "{n}");
        let d = &n["dictionary"];
        assert_eq!(
            d["ticket_categories"]["facility"]["zh"], "物业设施",
            "no raw code reaches a Chinese screen"
        );
        assert_eq!(d["ticket_categories"]["vending"]["en"], "Street vending");
        assert_eq!(d["event_types"]["lecture"]["zh"], "讲座");
        assert_eq!(d["ledger_categories"]["carried_forward"]["zh"], "上年结转");
        let extra = serde_json::json!({"scopes": [], "dictionary": {"ticket_categories": {"pets": {"zh": "宠物扰民", "en": "Pets", "group": "order"}}}});
        let (status, r) = app.post("/api/v1/admin/scopes", &extra).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(
            app.get("/api/v1/dictionary").await.1["dictionary"]["ticket_categories"]["pets"]["zh"],
            "宠物扰民"
        );
        let bad = serde_json::json!({"scopes": [], "dictionary": {"event_types": {"Bad": {"zh": "x"}}}});
        let (status, e) = app.post("/api/v1/admin/scopes", &bad).await;
        assert_eq!((status, e["code"].as_str()), (400, Some("invalid_dictionary")), "{e}");

        let unknown = |text: &str| {
            text.lines()
                .find(|l| l.starts_with("cockpit_unknown_codes_total{vocabulary=\"ticket_category\"}"))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.parse::<i64>().ok())
        };
        assert_eq!(unknown(&app.text("/metrics").await), Some(0));
        app.ingest(
            "/api/v1/tickets",
            serde_json::json!([
                {"id":"u1","scope":"nanan.nanping.zhengjie.g01","category":"graffiti","reported_at":crate::helpers::hours_ago(1)},
                {"id":"u2","scope":"nanan.nanping.zhengjie.g01","category":"pets","reported_at":crate::helpers::hours_ago(1)},
            ]),
        )
        .await;
        assert_eq!(unknown(&app.text("/metrics").await), Some(1), "graffiti is unknown, pets now named");
        let cats = app.dashboard("nanan").await["categories"].to_string();
        assert!(cats.contains("graffiti"), "an unknown code still counts, as itself: {cats}");
    }
}
