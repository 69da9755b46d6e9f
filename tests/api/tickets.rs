//! The tickets behind the numbers over HTTP: listing and searching a scope's
//! tickets, one ticket's history, holders' caseloads and the wall's ticket
//! panels, and who may read them.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::auth::{screen_token, secured, send};
use crate::helpers::{hours_ago, spawn_app, spawn_app_with};

const ZJ: &str = "nanan.nanping.zhengjie";

fn ids(page: &Value) -> Vec<String> {
    page["tickets"]
        .as_array()
        .unwrap_or_else(|| panic!("no tickets in {page}"))
        .iter()
        .map(|t| t["ticket_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Garbage is due in a day: `old` is 20 h overdue, `mid` 2 h; `new` is due in 23 h;
/// `xl` was resolved just now, 6 h late.
async fn seed(app: &crate::helpers::TestApp) {
    app.ingest(
        "/api/v1/tickets",
        json!([
            {"id":"old","scope":format!("{ZJ}.g01"),"category":"garbage","reported_at":hours_ago(44),"description":"垃圾桶满了"},
            {"id":"mid","scope":format!("{ZJ}.g02"),"category":"garbage","reported_at":hours_ago(26),"description":"垃圾清运不及时"},
            {"id":"new","scope":format!("{ZJ}.g01"),"category":"garbage","reported_at":hours_ago(1),"description":"楼道堆放杂物"},
            {"id":"xl","scope":"nanan.nanpingzhen.xinglong.g01","category":"garbage","reported_at":hours_ago(30)},
        ]),
    )
    .await;
    app.ingest(
        "/api/v1/transitions",
        json!([
            {"id":"o1","ticket_id":"old","to":"dispatched","at":hours_ago(40),"assignee":"nanping-sanitation"},
            {"id":"o2","ticket_id":"old","to":"dispatched","at":hours_ago(3),"assignee":"zhengjie-g01","note":"转派网格员"},
            {"id":"m1","ticket_id":"mid","to":"dispatched","at":hours_ago(25),"assignee":"zhengjie-g01"},
            {"id":"x1","ticket_id":"xl","to":"dispatched","at":hours_ago(29),"assignee":"xinglong-g01"},
            {"id":"x2","ticket_id":"xl","to":"resolved","at":jiff::Timestamp::now().to_string()},
        ]),
    )
    .await;
}

crate::per_backend! {
    async fn a_scopes_tickets_filter_page_and_order_by_deadline(b) {
        let app = spawn_app(&b).await;
        seed(&app).await;
        let list = |q: &str| {
            let app = &app;
            let path = format!("/api/v1/scopes/nanan/tickets{q}");
            async move {
                let (status, page) = app.get(&path).await;
                assert_eq!(status, 200, "{path}: {page}");
                page
            }
        };
        assert_eq!(ids(&list("").await), ["old", "xl", "mid", "new"], "the earliest deadline first");
        assert_eq!(ids(&list("?status=open").await), ["old", "mid", "new"]);
        assert_eq!(ids(&list("?overdue=true").await), ["old", "mid"]);
        assert_eq!(ids(&list("?overdue=false").await), ["new"]);
        assert_eq!(ids(&list("?due_within=1d").await), ["new"]);
        assert_eq!(
            ids(&list("?assignee=zhengjie-g01").await),
            ["old", "mid"],
            "a re-dispatch moves the holder"
        );
        assert_eq!(ids(&list("?q=垃圾").await), ["old", "mid"]);
        assert_eq!(ids(&list("?q=ne").await), ["new"]);
        assert_eq!(ids(&list("?order=reported_at").await), ["new", "mid", "xl", "old"]);
        assert_eq!(ids(&list(&format!("?reported_since={}", hours_ago(27))).await), ["mid", "new"]);
        let zj = app.get(&format!("/api/v1/scopes/{ZJ}.g01/tickets")).await.1;
        assert_eq!(ids(&zj), ["old", "new"], "a grid and nothing else");
        assert_eq!(zj["tickets"][0]["holder"], "zhengjie-g01");
        assert_eq!(zj["tickets"][0]["scope_name"], "第一网格");
        assert!(zj["tickets"][0]["overdue_seconds"].as_i64().unwrap() > 19 * 3600);

        // A page at a time, by cursor, to the end.
        let first = list("?limit=3").await;
        assert_eq!(ids(&first), ["old", "xl", "mid"]);
        let cursor = first["next_cursor"].as_str().expect("more to come");
        let rest = list(&format!("?limit=3&cursor={cursor}")).await;
        assert_eq!(ids(&rest), ["new"]);
        assert!(rest.get("next_cursor").is_none(), "the last page says so: {rest}");

        // Malformed: 400, as the document says; well-formed but refused: 422.
        for (q, field, code) in [
            ("?status=done", "status", 400),
            ("?status=open,%20closed", "status", 400),
            ("?overdue=maybe", "overdue", 400),
            ("?due_within=4x", "due_within", 400),
            ("?due_within=999999999", "due_within", 400),
            ("?due_within=99999d", "due_within", 422),
            ("?overdue=true&due_within=4h", "due_within", 422),
            ("?limit=501", "limit", 400),
            ("?limit=0", "limit", 400),
            ("?order=random", "order", 400),
            ("?cursor=zz", "cursor", 422),
            ("?reported_since=yesterday", "reported_since", 400),
        ] {
            let (status, e) = app.get(&format!("/api/v1/scopes/nanan/tickets{q}")).await;
            assert_eq!(status, code, "{q}: {e}");
            assert!(e["message"].as_str().unwrap_or_default().contains(field), "{q} names {field}: {e}");
        }
        let (status, _) = app.get("/api/v1/scopes/nanan.nowhere/tickets").await;
        assert_eq!(status, 404);
    }
}

crate::per_backend! {
    async fn one_ticket_shows_its_whole_history_and_lineage(b) {
        let app = spawn_app(&b).await;
        seed(&app).await;
        // A step older than the newest arrives late: kept in the history, applied to nothing.
        app.ingest(
            "/api/v1/transitions",
            json!([{"id":"late","ticket_id":"old","to":"in_progress","at":hours_ago(20)}]),
        )
        .await;
        let (status, t) = app.get("/api/v1/tickets/old").await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(
            (t["status"].as_str(), t["holder"].as_str()),
            (Some("dispatched"), Some("zhengjie-g01"))
        );
        let steps: Vec<(&str, &str, bool)> = t["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["to"].as_str().unwrap(), s["late"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [
                ("old", "reported", false),
                ("o1", "dispatched", false),
                ("o2", "dispatched", false),
                ("late", "in_progress", true)
            ]
        );
        assert_eq!(t["history"][2]["note"], "转派网格员");
        assert_eq!(t["history"][2]["assignee"], "zhengjie-g01");
        let lineage: Vec<&str> = t["lineage"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["scope"].as_str().unwrap())
            .collect();
        assert_eq!(lineage, [format!("{ZJ}.g01").as_str(), ZJ, "nanan.nanping", "nanan"]);
        assert_eq!(t["lineage"][1]["name"], "正街社区");
        let (status, _) = app.get("/api/v1/tickets/nope").await;
        assert_eq!(status, 404);
    }
}

crate::per_backend! {
    async fn the_wall_shows_who_holds_what_and_a_grids_open_tickets(b) {
        let app = spawn_app(&b).await;
        seed(&app).await;
        let d = app.dashboard("nanan").await;
        let overdue = d["overdue"].as_array().unwrap();
        assert_eq!(overdue.len(), 2, "{d}");
        assert_eq!(
            (
                &overdue[0]["ticket_id"],
                &overdue[0]["scope_name"],
                &overdue[0]["category"],
                &overdue[0]["holder"]
            ),
            (&json!("old"), &json!("第一网格"), &json!("garbage"), &json!("zhengjie-g01")),
        );
        let me = d["workload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["assignee"] == "zhengjie-g01")
            .cloned()
            .unwrap_or_else(|| panic!("zhengjie-g01 in {}", d["workload"]));
        assert_eq!((me["open"].as_i64(), me["overdue"].as_i64()), (Some(2), Some(2)), "{me}");
        let xl = d["workload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["assignee"] == "xinglong-g01")
            .cloned()
            .unwrap();
        assert_eq!((xl["open"].as_i64(), xl["resolved"].as_i64()), (Some(0), Some(1)), "{xl}");
        assert!(
            d.get("open_tickets").is_none(),
            "only a unit with none below lists its open tickets"
        );
        let g = app.dashboard(&format!("{ZJ}.g01")).await;
        let open: Vec<&str> = g["open_tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["ticket_id"].as_str().unwrap())
            .collect();
        assert_eq!(open, ["old", "new"], "overdue first: {g}");
        assert!(g["open_tickets"][1]["overdue_seconds"].as_i64().unwrap() < 0, "'new' is still due");
    }
}

crate::per_backend! {
    async fn a_ticket_crossing_its_deadline_reaches_the_wall_with_no_ingest(b) {
        let app = spawn_app_with(&b, |s| {
            s.deadlines.insert("blink".into(), 2);
        })
        .await;
        let mut screen = app.screen("nanan").await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"soon","scope":format!("{ZJ}.g03"),"category":"blink","reported_at":jiff::Timestamp::now().to_string()}),
        )
        .await;
        let crossed = screen
            .until(Duration::from_secs(6), |m| {
                m["data"]["overdue"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(|t| t["ticket_id"] == "soon"))
            })
            .await
            .expect("the overdue panel lists it once its deadline passes");
        assert_eq!(crossed["data"]["overdue"][0]["scope_name"], "第三网格");
    }
}

crate::per_backend! {
    async fn a_screen_token_reads_tickets_of_its_scope_and_below_only(b) {
        let app = secured(&b).await;
        let token = |scope: &'static str| screen_token(&app, scope);
        let community = token(ZJ).await;
        let get = |path: String, bearer: Option<String>| {
            let app = &app;
            async move { send(app, reqwest::Method::GET, &path, bearer.as_deref(), None).await.0 }
        };
        assert_eq!(get("/api/v1/scopes/nanan/tickets".into(), None).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            get("/api/v1/scopes/nanan/tickets".into(), Some(community.clone())).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get(format!("/api/v1/scopes/{ZJ}.g01/tickets"), Some(community.clone())).await,
            StatusCode::OK
        );
        assert_eq!(
            get("/api/v1/scopes/nanan/tickets".into(), Some(token("nanan").await)).await,
            StatusCode::OK
        );
    }
}
