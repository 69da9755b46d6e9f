//! Alert endpoints: `GET /api/v1/alerts?scope=S` (what is firing, pending or
//! recently resolved under a scope), and the admin API for rules, guarded like
//! the other admin endpoints.

use super::routes::Endpoint;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::query::readable;
use crate::alerts::{RuleChangeError, RuleSpec};
use crate::error::ApiError;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/api/v1/alerts", list),
        Endpoint::post("/api/v1/admin/alerts/rules", put_rule),
        Endpoint::get("/api/v1/admin/alerts/rules", rules),
        Endpoint::delete("/api/v1/admin/alerts/rules/{id}", delete_rule),
    ]
}

#[derive(Deserialize)]
struct ScopeQuery {
    scope: Option<String>,
}

async fn list(state: web::Data<AppState>, req: HttpRequest, q: web::Query<ScopeQuery>) -> Result<HttpResponse, ApiError> {
    let Some(raw) = &q.scope else {
        return Err(ApiError::bad("invalid_scope", "scope: required, e.g. ?scope=nanan"));
    };
    let info = readable(&state, &req, raw).await?;
    Ok(HttpResponse::Ok().json(json!({ "scope": info.id, "alerts": state.alerts.within(&info.id, true) })))
}

impl From<RuleChangeError> for ApiError {
    fn from(e: RuleChangeError) -> Self {
        match e {
            RuleChangeError::Invalid(e) if e.conflicting => ApiError::unprocessable("invalid_rule", e.to_string()),
            RuleChangeError::Invalid(e) => ApiError::bad("invalid_rule", e.to_string()),
            e @ RuleChangeError::FromConfig(_) => ApiError::conflict("config_rule", e.to_string()),
            RuleChangeError::Store(e) => e.into(),
        }
    }
}

/// Adds a rule, or replaces the admin rule with the same id.
async fn put_rule(state: web::Data<AppState>, req: HttpRequest, body: web::Json<Value>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    let spec = RuleSpec::from_json(body.into_inner()).map_err(RuleChangeError::from)?;
    let rule = state.alerts.put(spec).await?;
    Ok(HttpResponse::Created().json(json!({ "rule": rule.spec, "source": "api" })))
}

async fn rules(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "rules": state.alerts.rules() })))
}

async fn delete_rule(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    if state.alerts.delete(&id).await? {
        Ok(HttpResponse::Ok().json(json!({ "deleted": id.into_inner() })))
    } else {
        Err(ApiError::NotFound(format!("no alert rule {id}")))
    }
}
