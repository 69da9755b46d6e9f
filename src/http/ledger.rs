//! The public-revenue ledger over HTTP: append entries, read totals, export the
//! entries as CSV for a notice board, and verify the hash chains.

use super::routes::Endpoint;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use serde_json::{Map, json};

use super::AppState;
use super::ingest::{describe, ingest};
use super::openapi::scope_param;
use super::query::readable;
use crate::contract::LedgerIn;
use crate::domain::record::Kind;
use crate::error::ApiError;
use crate::ledger;
use crate::ledger::{LedgerCheck, LedgerReport};

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::post("/api/v1/ledger", append).about(|d, at| {
            let summary = "Append public-revenue entries (公共收益); a correction is a reversing entry";
            describe::<LedgerIn>(d, at, summary, vec![])
        }),
        Endpoint::get("/api/v1/scopes/{scope}/ledger", totals).about(|d, at| {
            let ledger = d.schema::<LedgerReport>();
            d.read(at, "Ledger totals per month and category, in fen", vec![scope_param()], ledger)
        }),
        Endpoint::get("/api/v1/scopes/{scope}/ledger.csv", export).about(|d, at| {
            let csv =
                json!({"description": "Entries oldest first, for a notice board", "content": {"text/csv": {"schema": {"type": "string"}}}});
            let r = Map::from_iter([("200".to_owned(), csv)]);
            d.read_answering(at, "The ledger as CSV", vec![scope_param()], r)
        }),
        Endpoint::get("/api/v1/scopes/{scope}/ledger/verify", verify).about(|d, at| {
            let check = d.schema::<LedgerCheck>();
            let mut r = Map::new();
            r.insert("200".into(), d.json("Every chain under the scope holds", check.clone()));
            r.insert("409".into(), d.json("A chain is broken: where and why", check));
            d.read_answering(at, "Verify the ledger's hash chains", vec![scope_param()], r)
        }),
    ]
}

async fn append(state: web::Data<AppState>, req: HttpRequest, body: Bytes) -> Result<HttpResponse, ApiError> {
    ingest(state, req, body, Kind::Ledger, None).await
}

async fn totals(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    Ok(HttpResponse::Ok().json(ledger::read_report(state.aggregates.as_ref(), &info.id).await?))
}

async fn export(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let chain = ledger::chains(state.records.as_ref(), &info.id, true).await?;
    let file = format!("attachment; filename=\"ledger-{}.csv\"", info.id);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", file))
        .body(ledger::csv(&chain, state.dashboards.calendar())))
}

/// 200 when every chain under the scope holds, 409 with where it breaks otherwise.
async fn verify(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let check = ledger::verify(state.records.as_ref(), state.aggregates.as_ref(), &info.id).await?;
    Ok(if check.intact {
        HttpResponse::Ok().json(check)
    } else {
        HttpResponse::Conflict().json(check)
    })
}
