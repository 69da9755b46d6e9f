//! Alert endpoints: `GET /api/v1/alerts?scope=S` (what is firing, pending or
//! recently resolved under a scope), and the admin API for rules, guarded like
//! the other admin endpoints.

use super::openapi::{At, Doc, param};
use super::routes::Endpoint;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppState;
use super::query::readable;
use crate::alerts::{Alert, RuleChangeError, RuleSpec};
use crate::error::ApiError;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/api/v1/alerts", list).about(about_list),
        Endpoint::post("/api/v1/admin/alerts/rules", put_rule).about(about_put_rule),
        Endpoint::get("/api/v1/admin/alerts/rules", rules).about(about_rules),
        Endpoint::delete("/api/v1/admin/alerts/rules/{id}", delete_rule).about(about_delete_rule),
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

fn about_list(d: &mut Doc, at: At) {
    let alert = d.schema::<Alert>();
    let list = json!({"type": "object", "properties": {"scope": {"$ref": "#/components/schemas/Scope"}, "alerts": {"type": "array", "items": alert}}, "required": ["scope", "alerts"]});
    let scope = param(
        "scope",
        "query",
        true,
        json!({"$ref": "#/components/schemas/Scope"}),
        "Alerts of rules on this scope or under it",
    );
    let summary = "Alerts firing, pending or resolved in the last few minutes, most urgent first";
    d.read(at, summary, vec![scope], list);
}

/// A rule as listed: where it was defined.
fn listed(d: &mut Doc) -> Value {
    let spec = d.schema::<RuleSpec>();
    json!({"type": "object", "properties": {"rule": spec, "source": {"enum": ["config", "api"]}}, "required": ["rule", "source"]})
}

fn about_put_rule(d: &mut Doc, at: At) {
    let spec = d.schema::<RuleSpec>();
    let listed = listed(d);
    let mut r = Map::new();
    r.insert(
        "201".into(),
        d.json("Stored; it is evaluated at once and survives restarts", listed),
    );
    r.extend(d.errors(&[
        ("400", "A malformed rule (the message names the field)"),
        ("409", "The id of a rule from the configuration"),
        (
            "422",
            "Fields that do not go together (a relative threshold on a screen figure, from equal to until) or an unregistered scope",
        ),
    ]));
    let summary = "Add an alert rule, or replace the API rule with the same id";
    d.op(at, "admin", summary, "adminToken", vec![], Some(spec), r);
}

fn about_rules(d: &mut Doc, at: At) {
    let all = json!({"type": "object", "properties": {"rules": {"type": "array", "items": listed(d)}}, "required": ["rules"]});
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every rule, from the configuration and the API", all));
    d.op(at, "admin", "List alert rules", "adminToken", vec![], None, r);
}

fn about_delete_rule(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("200".into(), d.json("Deleted", json!({"type": "object"})));
    r.extend(d.errors(&[("409", "The rule is defined in the configuration"), ("404", "No such rule")]));
    let id = param("id", "path", true, json!({"type": "string"}), "Rule id");
    let summary = "Delete an alert rule defined through the API";
    d.op(at, "admin", summary, "adminToken", vec![id], None, r);
}
