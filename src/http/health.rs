//! `/healthz` (the process answers) and `/readyz` (its backends answer too).

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/healthz",
        web::get().to(|| async { HttpResponse::Ok().json(json!({"status": "ok"})) }),
    )
    .route("/readyz", web::get().to(readyz));
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let records = state.records.ping().await.map_err(|e| e.to_string());
    let aggregates = state.aggregates.ping().await.map_err(|e| e.to_string());
    let word = |r: &Result<(), String>| if r.is_ok() { "ok" } else { "unavailable" };
    let body = json!({
        "status": if records.is_ok() && aggregates.is_ok() { "ready" } else { "degraded" },
        "records": word(&records),
        "aggregates": word(&aggregates),
    });
    if records.is_ok() && aggregates.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
