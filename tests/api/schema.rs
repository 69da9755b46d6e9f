//! The published contract holds: the committed schemas are what the code generates,
//! the theme definitions validate against their schema, and a third-party screen
//! validating every live message and answer against `dashboard-schema/v1` finds no fault.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{spawn_app, today_at};

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboard-schema/v1").join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

fn valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} breaks its schema: {errors:?}\n{instance}");
}

#[test]
fn the_committed_schemas_are_current() {
    let stale = cockpit::contract::stale(&Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboard-schema/v1"));
    assert!(
        stale.is_empty(),
        "run `cargo run -- schema` and commit: {stale:?} differ from the code"
    );
}

crate::per_backend! {
    async fn the_committed_openapi_document_is_current_and_served(b) {
        let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json")).unwrap_or_default();
        assert!(
            committed == cockpit::http::routes::openapi_text(),
            "run `cargo run -- schema` and commit docs/openapi.json"
        );
        let doc = cockpit::http::routes::openapi();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/api/v1/events",
            "/api/v1/scopes/{scope}/dashboard",
            "/api/v1/ws",
            "/api/v1/admin/keys",
            "/metrics",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
        let refs = doc.to_string();
        for r in refs.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &r[..r.find('"').unwrap()];
            assert!(doc["components"]["schemas"][name].is_object(), "dangling $ref {name}");
        }
        let app = spawn_app(&b).await;
        let (status, served) = app.get("/api/v1/openapi.json").await;
        assert_eq!(status, 200, "{b:?}");
        assert_eq!(served, doc, "{b:?}: the server serves the document the code generates");
    }
}

#[test]
fn every_theme_definition_validates_and_leads_with_one_of_its_panels() {
    let theme = schema("theme.json");
    for (name, text) in cockpit::contract::THEMES {
        let v: Value = serde_json::from_str(text).unwrap();
        valid(&theme, &v, name);
        let def: cockpit::contract::ThemeDefinition = serde_json::from_value(v).unwrap();
        assert_eq!(def.theme, *name);
        assert!(
            def.panels.iter().any(|p| p.id == def.lead),
            "{name}: lead {} is not a panel",
            def.lead
        );
    }
    assert!(!schema("theme.json").is_valid(
        &json!({"theme":"x","name":{"zh":"x","en":"x"},"lead":"a","panels":[{"id":"a","title":{"zh":"","en":""},"figures":["happiness"]}]})
    ));
}

crate::per_backend! {
    async fn a_third_party_screen_finds_every_message_valid(b) {
        let message = schema("screen-message.json");
        let tickets = schema("ingest-tickets.json");
        let app = spawn_app(&b).await;
        let mut screen = app.screen("nanan").await;
        let snap = screen.next(Duration::from_secs(3)).await.unwrap();
        valid(&message, &snap, "snapshot");
        let batch = json!([{"id":"k1","scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":today_at(5),"location":{"lat":29.5,"long":106.6}}]);
        valid(&tickets, &batch, "ingest payload");
        let (_, answer) = app.post("/api/v1/tickets", &batch).await;
        valid(&schema("ingest-response.json"), &answer, "ingest answer");
        let up = screen.until(Duration::from_secs(3), |m| m["type"] == "update").await.unwrap();
        valid(&message, &up, "update");
        valid(&schema("dashboard.json"), &app.dashboard("nanan.nanping").await, "dashboard");
        let (_, series) = app.get("/api/v1/scopes/nanan/series?metric=p50_resolve_seconds&days=3").await;
        valid(&schema("series.json"), &series, "series");
        let (_, rejected) = app.post("/api/v1/tickets", &json!({"id":"bad"})).await;
        valid(&schema("ingest-response.json"), &rejected, "a 422 answer");
        let (status, theme) = app.get("/api/v1/themes/rule-of-law").await;
        assert_eq!((status, theme["lead"].as_str()), (200, Some("disputes")));
    }
}
