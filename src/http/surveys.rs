//! Surveys over HTTP: define one, answer one (the built-in `satisfaction` survey
//! included), read the live tallies of every survey reaching a scope, and read
//! raw responses, free text included, with an API key for the scope.

use super::routes::Endpoint;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use super::AppState;
use super::ingest::{describe, ingest};
use super::openapi::{At, Doc, param, scope_param};
use super::query::{readable, registered};
use crate::contract::{ResponseIn, SurveyIn};
use crate::domain::decide::Change;
use crate::domain::record::Kind;
use crate::domain::survey::Response;
use crate::error::ApiError;
use crate::records::{EntryQuery, walk_entries};
use crate::surveys;
use crate::surveys::SurveyReport;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::post("/api/v1/surveys", |s, r, b| ingest(s, r, b, Kind::Survey, None))
            .about(|d, at| describe::<SurveyIn>(d, at, "Define surveys (问卷)", vec![])),
        Endpoint::post("/api/v1/surveys/{id}/responses", respond).about(|d, at| {
            let summary = "Answer a survey; `satisfaction` is the built-in \"was it fixed?\" (a \"no\" reopens the ticket)";
            let id = param("id", "path", true, json!({"type": "string"}), "The survey");
            describe::<ResponseIn>(d, at, summary, vec![id])
        }),
        Endpoint::get("/api/v1/scopes/{scope}/surveys", reports).about(about_reports),
        Endpoint::get("/api/v1/scopes/{scope}/surveys/{id}/responses", responses).about(about_responses),
    ]
}

fn about_reports(d: &mut Doc, at: At) {
    let report = d.schema::<SurveyReport>();
    d.read(
        at,
        "Live tallies of every survey reaching the scope (free text counted, never quoted)",
        vec![scope_param()],
        json!({"type": "object", "properties": {"scope": {"type": "string"}, "surveys": {"type": "array", "items": report}}}),
    );
}

fn about_responses(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert(
        "200".into(),
        d.json(
            "Responses oldest first, free text included; page with next_after",
            json!({"type": "object"}),
        ),
    );
    r.extend(d.errors(&[
        ("400", "Malformed scope or limit"),
        ("403", "The key is for another scope"),
        ("404", "Unknown scope"),
    ]));
    let params = vec![
        scope_param(),
        param("id", "path", true, json!({"type": "string"}), "The survey"),
        param(
            "after",
            "query",
            false,
            json!({"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX}),
            "Journal position to continue after",
        ),
        param(
            "limit",
            "query",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": 1000}),
            "At most this many (default 100)",
        ),
    ];
    let summary = "Raw responses under the scope, readable with an API key for it";
    d.op(at, "query", summary, "ingestKey", params, None, r);
}

async fn respond(state: web::Data<AppState>, req: HttpRequest, body: Bytes, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    ingest(state, req, body, Kind::Response, Some(path.into_inner())).await
}

/// Live tallies of every survey that reaches the scope or was defined under it.
async fn reports(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let defined = surveys::reaching(state.records.as_ref(), &info.id).await?;
    let reports = surveys::reports(state.aggregates.as_ref(), &state.registry, &info.id, &defined).await?;
    Ok(HttpResponse::Ok().json(json!({ "scope": info.id, "surveys": reports })))
}

#[derive(Deserialize)]
struct Page {
    after: Option<i64>,
    limit: Option<i64>,
}

/// One stored response, as the resident gave it (with the scope it counted in).
#[derive(Serialize)]
struct Stored {
    seq: i64,
    #[serde(flatten)]
    response: Response,
}

/// Journal entries read per round while filling a page.
const SCAN: i64 = 1000;

/// Raw responses to one survey under the scope, oldest first, paged by journal
/// position: `next_after` continues the listing and is null at its end.
async fn responses(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let (scope, survey) = path.into_inner();
    let info = registered(&state, &scope).await?;
    state.access.private_reader(&req, &info.id).await?;
    let limit = page.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad("invalid_limit", "limit must be 1 to 1000"));
    }
    let q = EntryQuery {
        kind: Kind::Response,
        scope: info.id.clone(),
        subtree: true,
        after: page.after.unwrap_or(0),
        limit: SCAN,
    };
    let mut items: Vec<Stored> = Vec::new();
    let ended = walk_entries(state.records.as_ref(), q, |e| {
        if let Change::Response { mut response, scope, .. } = e.change
            && response.survey_id == survey
        {
            response.scope = Some(scope);
            items.push(Stored { seq: e.seq, response });
        }
        (items.len() as i64) < limit
    })
    .await
    .map_err(|e| ApiError::RecordsDown(e.to_string()))?;
    let next = if ended { None } else { items.last().map(|s| s.seq) };
    Ok(HttpResponse::Ok().json(json!({ "survey": survey, "responses": items, "next_after": next })))
}
