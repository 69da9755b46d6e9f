//! The map over HTTP: a scope's outline and its children's from the scopes
//! file, the schematic note, its open tickets with coordinates (Open311's
//! `lat`/`long` and a ticket's own `location`), and who may read it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::auth::{ADMIN, screen_token, send};
use crate::helpers::{SCOPES, hours_ago, spawn_app_with};
use cockpit::config::Secret;

const ZJ: &str = "nanan.nanping.zhengjie";

fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]})
}

/// The test tree with outlines for Zhengjie's grids 1 and 2 (grid 3 has none), a point
/// for Zhengjie itself, and the file's `map` note.
fn scopes_with_geometry() -> Value {
    let mut scopes: Vec<Value> = serde_json::from_str(SCOPES).unwrap();
    for s in &mut scopes {
        let g = match s["id"].as_str().unwrap_or_default() {
            "nanan.nanping.zhengjie" => json!({"type": "Point", "coordinates": [106.57, 29.53]}),
            "nanan.nanping.zhengjie.g01" => square(106.56, 29.52, 0.01),
            "nanan.nanping.zhengjie.g02" => square(106.57, 29.52, 0.01),
            _ => continue,
        };
        s["geometry"] = g;
    }
    json!({"map": {"schematic": true, "note": "示意图，非实际边界"}, "scopes": scopes})
}

async fn app_with_map(b: &crate::helpers::Backend, secured: bool) -> crate::helpers::TestApp {
    spawn_app_with(b, |s| {
        let file = s.data_dir.join("map-scopes.json");
        std::fs::write(&file, scopes_with_geometry().to_string()).unwrap();
        s.scopes_file = Some(file);
        if secured {
            s.admin_token = Some(Secret::new(ADMIN));
            s.screen_secret = Some(Secret::new("screen-secret-for-map-tests"));
            s.allow_open = false;
        }
    })
    .await
}

crate::per_backend! {
    async fn a_map_has_the_outlines_of_the_scopes_file_and_the_open_tickets_that_carry_coordinates(b) {
        let app = app_with_map(&b, false).await;
        app.ingest(
            "/api/v1/tickets",
            json!([
                // Overdue (garbage is due in a day), with Open311's lat/long.
                {"id":"late","scope":format!("{ZJ}.g01"),"category":"garbage","reported_at":hours_ago(30),
                 "location":{"lat":29.525,"long":106.565,"address":"解放东路"}},
                {"id":"fresh","scope":format!("{ZJ}.g02"),"category":"garbage","reported_at":hours_ago(1),
                 "location":{"type":"Point","coordinates":[106.575,29.525]}},
                {"id":"words","scope":format!("{ZJ}.g02"),"category":"parking","reported_at":hours_ago(1),"location":"正街社区第二网格"},
                {"id":"done","scope":format!("{ZJ}.g01"),"category":"parking","reported_at":hours_ago(2),
                 "location":{"lat":29.521,"long":106.561}},
                {"id":"away","scope":"nanan.nanpingzhen.xinglong.g01","category":"dispute","reported_at":hours_ago(1),
                 "location":{"lat":29.5,"long":106.6}},
            ]),
        )
        .await;
        app.ingest(
            "/api/v1/transitions",
            json!([{"id":"d1","ticket_id":"done","to":"resolved","at":jiff::Timestamp::now().to_string()}]),
        )
        .await;

        let (status, map) = app.get(&format!("/api/v1/scopes/{ZJ}/map")).await;
        assert_eq!(status, 200, "{map}");
        assert_eq!(map["scope"], ZJ);
        assert_eq!(map["name"], "正街社区");
        assert_eq!(map["geometry"], json!({"type": "Point", "coordinates": [106.57, 29.53]}));
        assert_eq!(map["schematic"], true);
        assert_eq!(map["note"], "示意图，非实际边界");
        let kids = map["children"].as_array().unwrap();
        let ids: Vec<&str> = kids.iter().map(|c| c["id"].as_str().unwrap_or_default()).collect();
        assert_eq!(ids, [format!("{ZJ}.g01"), format!("{ZJ}.g02"), format!("{ZJ}.g03")]);
        assert_eq!(kids[0]["name"], "第一网格");
        assert_eq!(kids[0]["geometry"], square(106.56, 29.52, 0.01));
        assert_eq!(kids[2]["geometry"], Value::Null, "a unit without an outline is listed with null");
        assert_eq!(
            map["tickets"],
            json!([
                {"id":"late","category":"garbage","status":"reported","overdue":true,"lat":29.525,"long":106.565,"grid":format!("{ZJ}.g01")},
                {"id":"fresh","category":"garbage","status":"reported","overdue":false,"lat":29.525,"long":106.575,"grid":format!("{ZJ}.g02")},
            ]),
            "open tickets under the scope with coordinates, the most overdue first; a free-text place and a resolved ticket are left out"
        );
        assert!(
            map.get("tickets_unavailable").is_none() && map.get("tickets_truncated").is_none(),
            "{map}"
        );

        let (_, district) = app.get("/api/v1/scopes/nanan/map").await;
        assert_eq!(district["geometry"], Value::Null);
        assert!(district["children"].as_array().unwrap().iter().all(|c| c["geometry"].is_null()));
        assert_eq!(district["tickets"].as_array().map(Vec::len), Some(3), "{district}");

        let (status, e) = app.get("/api/v1/scopes/Nanan!/map").await;
        assert_eq!((status, e["code"].as_str()), (400, Some("invalid_scope")), "{e}");
        assert!(e["message"].as_str().unwrap_or_default().contains("scope"), "{e}");
        let (status, e) = app.get("/api/v1/scopes/nanan.nowhere/map").await;
        assert_eq!(status, 404, "{e}");
        assert!(e["message"].as_str().unwrap_or_default().contains("nanan.nowhere"), "{e}");
    }
}

crate::per_backend! {
    async fn a_map_is_read_with_a_screen_token_for_the_scope_or_above(b) {
        let app = app_with_map(&b, true).await;
        let token = |scope: &'static str| screen_token(&app, scope);
        let community = token(ZJ).await;
        let get = |path: String, bearer: Option<String>| {
            let app = &app;
            async move { send(app, reqwest::Method::GET, &path, bearer.as_deref(), None).await }
        };
        assert_eq!(get("/api/v1/scopes/nanan/map".into(), None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            get("/api/v1/scopes/nanan/map".into(), Some(community.clone())).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, map) = get(format!("/api/v1/scopes/{ZJ}/map"), Some(community.clone())).await;
        assert_eq!(status, StatusCode::OK, "{map}");
        assert_eq!(map["children"][1]["geometry"], square(106.57, 29.52, 0.01));
        assert_eq!(get(format!("/api/v1/scopes/{ZJ}.g01/map"), Some(community)).await.0, StatusCode::OK);
        assert_eq!(
            get(format!("/api/v1/scopes/{ZJ}/map"), Some(token("nanan").await)).await.0,
            StatusCode::OK
        );
    }
}

crate::per_backend! {
    async fn a_registration_with_a_bad_geometry_names_the_scope_and_what_is_wrong(b) {
        let app = app_with_map(&b, false).await;
        let bad = json!({"scopes": [{"id": "nanan.nanping.zhengjie.g09", "name": "第九网格",
            "geometry": {"type": "Polygon", "coordinates": [[[106.5, 29.5], [106.6, 29.5], [106.6, 95.0], [106.5, 29.5]]]}}]});
        let (status, e) = app.post("/api/v1/admin/scopes", &bad).await;
        assert_eq!((status, e["code"].as_str()), (400, Some("invalid_geometry")), "{e}");
        let message = e["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("nanan.nanping.zhengjie.g09") && message.contains("geometry") && message.contains("latitude 95"),
            "{message}"
        );
        assert_eq!(
            app.get("/api/v1/scopes/nanan.nanping.zhengjie.g09/map").await.0,
            404,
            "nothing was registered"
        );
        // A good one is held and served.
        let good = json!([{"id": "nanan.nanping.zhengjie.g09", "name": "第九网格", "geometry": {"type": "Point", "coordinates": [106.58, 29.52]}}]);
        assert_eq!(app.post("/api/v1/admin/scopes", &good).await.0, 200);
        let (_, map) = app.get(&format!("/api/v1/scopes/{ZJ}/map")).await;
        let g09 = map["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "nanan.nanping.zhengjie.g09")
            .cloned();
        assert_eq!(
            g09.map(|c| c["geometry"].clone()),
            Some(json!({"type": "Point", "coordinates": [106.58, 29.52]}))
        );
    }
}
