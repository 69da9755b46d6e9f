//! The map endpoint: a scope's outline, its children's and its open tickets
//! with coordinates, for the screen's map panel. Readable like the dashboard
//! (a screen token for the scope or above).

use actix_web::{HttpRequest, HttpResponse, web};
use jiff::Timestamp;

use super::AppState;
use super::openapi::scope_param;
use super::query::readable;
use super::routes::Endpoint;
use crate::error::ApiError;
use crate::map::ScopeMap;

pub fn routes() -> Vec<Endpoint> {
    vec![Endpoint::get("/api/v1/scopes/{scope}/map", map).about(|d, at| {
        let map = d.schema::<ScopeMap>();
        let summary = "A scope's point or outline, its children's (from the scopes file), whether they are schematic, and its open tickets that carry coordinates";
        d.read(at, summary, vec![scope_param()], map)
    })]
}

async fn map(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let now = Timestamp::now().as_millisecond();
    Ok(HttpResponse::Ok().json(crate::map::map_of(&state.registry, state.tickets.as_ref(), &info, now).await))
}
