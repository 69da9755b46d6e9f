//! The closed loop's figures: dispatch and resolve times, on-time and reopen rates,
//! workload, due-soon and the oldest overdue tickets, and per-scope deadlines.

use serde_json::json;

use crate::helpers::{hours_ago, spawn_app, spawn_app_with, today_at};

crate::per_backend! {
    async fn closed_loop_figures_on_the_dashboard_series_and_metrics(b) {
        let app = spawn_app(&b).await;
        let g = "nanan.nanping.zhengjie.g01";
        let tickets = json!([
            {"id":"k1","scope":g,"category":"garbage","reported_at":today_at(0)},
            {"id":"k2","scope":g,"category":"garbage","reported_at":today_at(0)},
            {"id":"k3","scope":g,"category":"street_light","reported_at":today_at(0)},
        ]);
        app.ingest("/api/v1/tickets", tickets).await;
        let steps = json!([
            {"id":"a","ticket_id":"k1","to":"dispatched","at":today_at(10),"assignee":"老王"},
            {"id":"b","ticket_id":"k1","to":"resolved","at":today_at(60)},
            {"id":"c","ticket_id":"k2","to":"dispatched","at":today_at(30),"assignee":"老王"},
            {"id":"d","ticket_id":"k2","to":"resolved","at":today_at(120)},
            {"id":"e","ticket_id":"k2","to":"reopened","at":today_at(130)},
            {"id":"f","ticket_id":"k3","to":"dispatched","at":today_at(20),"assignee":"小李"},
        ]);
        app.ingest("/api/v1/transitions", steps).await;
        let d = app.dashboard("nanan.nanping").await;
        let f = &d["figures"];
        assert_eq!(f["tickets_dispatched"].as_i64(), Some(3), "{f}");
        assert_eq!(f["mean_dispatch_seconds"].as_f64(), Some(1200.0));
        assert_eq!(
            (f["p50_dispatch_seconds"].as_f64(), f["p90_dispatch_seconds"].as_f64()),
            (Some(1200.0), Some(1800.0))
        );
        assert_eq!(
            (f["p50_resolve_seconds"].as_f64(), f["p90_resolve_seconds"].as_f64()),
            (Some(3600.0), Some(7200.0))
        );
        assert_eq!(f["resolved_on_time_rate"].as_f64(), Some(1.0));
        assert_eq!(f["reopen_rate"].as_f64(), Some(0.5));
        assert_eq!(
            d["workload"],
            json!([
                {"assignee":"老王","open":1,"overdue":0,"dispatched":2,"resolved":2},
                {"assignee":"小李","open":1,"overdue":0,"dispatched":1,"resolved":0}
            ]),
            "k2 reopened stays with 老王, who resolved k1 and k2 today"
        );
        let (_, s) = app.get("/api/v1/scopes/nanan/series?metric=p90_resolve_seconds&days=1").await;
        assert_eq!(s["points"][0]["value"].as_f64(), Some(7200.0), "{s}");
        let text = app.text("/metrics").await;
        assert!(text.contains(r#"cockpit_reopen_rate{scope="nanan"} 0.5"#), "gauges for Grafana");
    }
}

crate::per_backend! {
    async fn overdue_lists_oldest_first_and_due_soon_counts_ahead(b) {
        let app = spawn_app(&b).await;
        let g = "nanan.nanpingzhen.xinglong.g01";
        let tickets = json!([
            {"id":"old","scope":g,"category":"garbage","reported_at":hours_ago(23 + 20),"description":"最老"},
            {"id":"older","scope":g,"category":"garbage","reported_at":hours_ago(23 + 22),"description":"更老"},
            {"id":"soon","scope":g,"category":"garbage","reported_at":hours_ago(22)},
            {"id":"later","scope":g,"category":"dispute","reported_at":hours_ago(1)},
        ]);
        app.ingest("/api/v1/tickets", tickets).await;
        let (status, o) = app.get("/api/v1/scopes/nanan.nanpingzhen/overdue?due_within_hours=4").await;
        assert_eq!(status, 200, "{o}");
        let ids: Vec<&str> = o["overdue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["ticket_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["older", "old"], "oldest deadline first");
        assert_eq!(o["overdue"][0]["description"], "更老");
        assert_eq!(o["tickets_due_soon"].as_i64(), Some(1), "'soon' falls due within 4 hours: {o}");
        assert_eq!(app.figures("nanan").await["tickets_due_soon"].as_i64(), Some(1));
        let d = app.dashboard("nanan").await;
        assert_eq!(d["overdue"][0]["ticket_id"], "older");
    }
}

crate::per_backend! {
    async fn a_scope_may_shorten_a_categorys_deadline(b) {
        let app = spawn_app_with(&b, |s| {
            s.scope_deadlines
                .insert("nanan.nanping.zhengjie".into(), [("garbage".to_string(), 3600)].into());
        })
        .await;
        let batch = json!([
            {"id":"zj","scope":"nanan.nanping.zhengjie.g02","category":"garbage","reported_at":hours_ago(2)},
            {"id":"xl","scope":"nanan.nanpingzhen.xinglong","category":"garbage","reported_at":hours_ago(2)},
        ]);
        app.ingest("/api/v1/tickets", batch).await;
        assert_eq!(
            app.figures("nanan.nanping.zhengjie").await["tickets_overdue"].as_i64(),
            Some(1),
            "Zhengjie's garbage deadline is 1 h"
        );
        assert_eq!(
            app.figures("nanan.nanpingzhen").await["tickets_overdue"].as_i64(),
            Some(0),
            "elsewhere it is 24 h"
        );
    }
}

crate::per_backend! {
    async fn a_screen_sees_a_ticket_turn_overdue_with_no_new_input(b) {
        let app = spawn_app_with(&b, |s| {
            s.scope_deadlines
                .insert("nanan.nanping.zhengjie".into(), [("street_light".to_string(), 2)].into());
        })
        .await;
        let now = jiff::Timestamp::now().to_string();
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"lamp","scope":"nanan.nanping.zhengjie.g03","category":"street_light","reported_at":now}),
        )
        .await;
        let mut screen = app.screen("nanan.nanping.zhengjie").await;
        let first = screen.next(std::time::Duration::from_secs(3)).await.unwrap();
        assert_eq!(first["data"]["figures"]["tickets_overdue"].as_i64(), Some(0), "not overdue yet");
        // Nothing is sent from here on: the deadline passing alone must move the figure.
        let later = screen
            .until(std::time::Duration::from_secs(6), |m| {
                m["data"]["figures"]["tickets_overdue"].as_i64() == Some(1)
            })
            .await;
        assert!(later.is_some(), "{b:?}: the screen was pushed the overdue ticket at its deadline");
        assert_eq!(later.unwrap()["type"], "update");
    }
}

crate::per_backend! {
    async fn a_back_dated_transfer_moves_the_caseloads_at_once(b) {
        let app = spawn_app(&b).await;
        let g = "nanan.nanping.zhengjie.g01";
        let ticket = json!([{"id":"bt","scope":g,"category":"garbage","reported_at":hours_ago(50)}]);
        app.ingest("/api/v1/tickets", ticket).await;
        let dispatch = json!([{"id":"bt-1","ticket_id":"bt","to":"dispatched","at":hours_ago(49),"assignee":"老王"}]);
        app.ingest("/api/v1/transitions", dispatch).await;
        let holds = |d: &serde_json::Value, who: &str| {
            d["workload"]
                .as_array()
                .and_then(|w| w.iter().find(|l| l["assignee"] == who))
                .and_then(|l| l["open"].as_i64())
                .unwrap_or(0)
        };
        let before = app.dashboard("nanan.nanping").await;
        assert_eq!((holds(&before, "老王"), holds(&before, "小李")), (1, 0), "{}", before["workload"]);
        // Dated two days ago: no status count and no figure of today moves.
        let transfer = json!([{"id":"bt-2","ticket_id":"bt","to":"dispatched","at":hours_ago(48),"assignee":"小李"}]);
        app.ingest("/api/v1/transitions", transfer).await;
        let after = app.dashboard("nanan.nanping").await;
        assert_eq!((holds(&after, "老王"), holds(&after, "小李")), (0, 1), "{}", after["workload"]);
    }
}

crate::per_backend! {
    async fn metrics_export_whole_levels_within_the_cap(b) {
        let app = spawn_app_with(&b, |s| s.metrics_max_scopes = 1).await;
        let g = "nanan.nanping.zhengjie.g01";
        app.ingest("/api/v1/tickets", json!([{"id":"m1","scope":g,"category":"garbage","reported_at":today_at(0)}])).await;
        let text = app.text("/metrics").await;
        assert!(text.contains(r#"cockpit_tickets_reported{scope="nanan"} 1"#), "the root is always exported");
        let deeper: Vec<&str> = text.lines().filter(|l| l.starts_with("cockpit_tickets_reported{scope=\"nanan.")).collect();
        assert!(deeper.is_empty(), "no level below the cap: {deeper:?}");
        assert!(text.contains("cockpit_figures_depth 1"), "the level exported is said");
        let all = spawn_app(&b).await;
        all.ingest("/api/v1/tickets", json!([{"id":"m1","scope":g,"category":"garbage","reported_at":today_at(0)}])).await;
        let text = all.text("/metrics").await;
        assert!(text.contains(&format!(r#"cockpit_tickets_reported{{scope="{g}"}} 1"#)), "by default a district's every scope");
        assert!(text.contains("cockpit_figures_depth 4"), "down to the grids");
    }
}
