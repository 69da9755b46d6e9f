//! The public-revenue ledger over HTTP: append entries, read totals, export the
//! entries as CSV for a notice board, and verify the hash chains.

use super::routes::Endpoint;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use super::AppState;
use super::ingest::ingest;
use super::query::readable;
use crate::domain::record::Kind;
use crate::error::ApiError;
use crate::ledger;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::post("/api/v1/ledger", append),
        Endpoint::get("/api/v1/scopes/{scope}/ledger", totals),
        Endpoint::get("/api/v1/scopes/{scope}/ledger.csv", export),
        Endpoint::get("/api/v1/scopes/{scope}/ledger/verify", verify),
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
