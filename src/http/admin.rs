//! `POST /api/v1/admin/scopes`: register or rename scopes. Guarded by the admin
//! bearer token when one is configured.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::domain::scope::{Scope, ScopeInfo};
use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/admin/scopes", web::post().to(register));
}

#[derive(Deserialize)]
struct ScopeDto {
    id: String,
    name: String,
    theme: Option<String>,
}

fn authorise(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let Some(token) = &state.settings.admin_token else { return Ok(()) };
    let given = req
        .headers()
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    if given == Some(token.expose()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Parses the body into scope infos, naming the index and field of the first bad one.
pub fn parse_scopes(v: Value) -> Result<Vec<ScopeInfo>, ApiError> {
    let items = match v {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        _ => return Err(ApiError::bad("invalid_body", "send a scope object or an array of them")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let dto: ScopeDto = serde_json::from_value(item).map_err(|e| ApiError::bad("invalid_scope", format!("scope {i}: {e}")))?;
            let id = Scope::parse(&dto.id).map_err(|e| ApiError::bad("invalid_scope", format!("scope {i}: id: {e}")))?;
            if dto.name.trim().is_empty() || dto.name.chars().count() > 100 {
                return Err(ApiError::bad("invalid_scope", format!("scope {i}: name must be 1-100 characters")));
            }
            if let Some(t) = &dto.theme
                && (t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            {
                return Err(ApiError::bad(
                    "invalid_scope",
                    format!("scope {i}: theme must be 1-32 characters of [a-z-]"),
                ));
            }
            Ok(ScopeInfo {
                id,
                name: dto.name,
                theme: dto.theme,
            })
        })
        .collect()
}

async fn register(state: web::Data<AppState>, req: HttpRequest, body: web::Json<Value>) -> Result<HttpResponse, ApiError> {
    authorise(&state, &req)?;
    let scopes = parse_scopes(body.into_inner())?;
    match state.registry.register(&scopes).await? {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({ "registered": scopes.len() }))),
        Err((index, reason)) => Err(ApiError::bad("unknown_parent", format!("scope {index}: {reason}"))),
    }
}
