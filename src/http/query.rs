//! Read endpoints: the scope tree, a scope's dashboard, its daily series, and
//! `/metrics` (figures of every scope as gauges, refreshed at scrape).

use actix_web::{HttpRequest, HttpResponse, web};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::aggregates::FigureQuery;
use crate::domain::figures::{Figures, Metric};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/scopes", web::get().to(scopes))
        .route("/api/v1/scopes/{scope}/dashboard", web::get().to(dashboard))
        .route("/api/v1/scopes/{scope}/series", web::get().to(series))
        .route("/metrics", web::get().to(metrics));
}

/// Parses a scope from the URL and finds it registered.
pub async fn registered(state: &AppState, raw: &str) -> Result<ScopeInfo, ApiError> {
    let scope = Scope::parse(raw).map_err(|e| ApiError::bad("invalid_scope", e))?;
    state
        .registry
        .find(&scope)
        .await
        .ok_or_else(|| ApiError::NotFound(format!("scope {scope} is not registered")))
}

/// Like [`registered`], after checking the caller may read the scope (its figures are not public).
pub async fn readable(state: &AppState, req: &HttpRequest, raw: &str) -> Result<ScopeInfo, ApiError> {
    let scope = Scope::parse(raw).map_err(|e| ApiError::bad("invalid_scope", e))?;
    state.access.reader(req, &scope)?;
    registered(state, raw).await
}

async fn scopes(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "scopes": state.registry.tree() }))
}

#[derive(Deserialize)]
struct DayQuery {
    day: Option<String>,
}

async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let day = match &q.day {
        Some(d) => Some(
            d.parse::<Date>()
                .map_err(|_| ApiError::bad("invalid_day", format!("day {d:?} is not a date such as 2024-11-28")))?,
        ),
        None => None,
    };
    Ok(HttpResponse::Ok().json(state.dashboards.dashboard(&info, day).await?))
}

#[derive(Deserialize)]
struct SeriesQuery {
    metric: Option<String>,
    days: Option<String>,
}

async fn series(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<SeriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    let metric = q
        .metric
        .as_deref()
        .and_then(Metric::parse)
        .ok_or_else(|| ApiError::bad("invalid_metric", format!("metric must be one of {}", names.join(", "))))?;
    let days = match &q.days {
        None => 30,
        Some(d) => d
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=366).contains(n))
            .ok_or_else(|| ApiError::bad("invalid_days", "days must be a whole number from 1 to 366"))?,
    };
    Ok(HttpResponse::Ok().json(state.dashboards.series(&info.id, metric, days).await?))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let all = state.registry.all();
    let cal = state.dashboards.calendar();
    let now = jiff::Timestamp::now().as_millisecond();
    let today = cal.day_of(now);
    let queries: Vec<FigureQuery> = all
        .iter()
        .map(|s| FigureQuery {
            scope: s.id.clone(),
            top: 0,
            nets: false,
        })
        .collect();
    match state.aggregates.read(&queries, today, now).await {
        Ok(raws) => {
            let day = today.to_string();
            for (_, g) in &state.metrics.figures {
                g.reset();
            }
            for (info, raw) in all.iter().zip(raws) {
                let f = Figures::compute(&raw, &day, true);
                for (m, g) in &state.metrics.figures {
                    if let Some(v) = m.value(&f) {
                        g.with_label_values(&[info.id.as_str()]).set(v);
                    }
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: figures unavailable");
            state.metrics.backend_errors.with_label_values(&["aggregates"]).inc();
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
