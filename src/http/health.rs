//! `/healthz` (the process answers) and `/readyz` (its backends answer too).

use super::routes::Endpoint;
use actix_web::{HttpResponse, web};
use serde_json::{Map, json};

use super::AppState;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/healthz", || async { HttpResponse::Ok().json(json!({"status": "ok"})) }).about(|d, at| {
            let mut r = Map::new();
            r.insert("200".into(), d.json("The process answers", json!({"type": "object"})));
            d.op(at, "operations", "Liveness", "", vec![], None, r)
        }),
        Endpoint::get("/readyz", readyz).about(|d, at| {
            let mut r = Map::new();
            r.insert(
                "200".into(),
                d.json("The record and aggregate stores answer", json!({"type": "object"})),
            );
            r.insert(
                "503".into(),
                d.json("Degraded: names the backend that does not answer", json!({"type": "object"})),
            );
            d.op(at, "operations", "Readiness", "", vec![], None, r)
        }),
    ]
}

/// Answers from the freshness clock's last check (every 250 ms, each backend
/// given at most 500 ms), so it answers at once whatever the backends do: ready
/// when both answered, the figures are current, and the clock is not stuck.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let s = state.dashboards.freshness().status();
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let figures = if !s.aggregates {
        "unavailable"
    } else if s.current {
        "current"
    } else {
        "behind"
    };
    let ready = s.records && s.aggregates && s.current && s.checked;
    let body = json!({
        "status": if ready { "ready" } else { "degraded" },
        "records": word(s.records && s.checked),
        "aggregates": word(s.aggregates && s.checked),
        "figures": figures,
        "behind": s.behind,
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
