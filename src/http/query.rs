//! Read endpoints: the scope tree, a scope's dashboard, its daily series, and
//! `/metrics` (figures of every scope as gauges, refreshed at scrape).

mod about;

use super::routes::Endpoint;
use actix_web::{HttpRequest, HttpResponse, web};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::aggregates::FigureQuery;
use crate::domain::figures::{Figures, Metric};
use crate::domain::period::{MAX_RANGE_DAYS, Period, PeriodKind, Span};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::error::ApiError;
use crate::records::TicketQuery;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/api/v1/scopes", scopes).about(about::scopes),
        Endpoint::get("/api/v1/scopes/{scope}/dashboard", dashboard).about(about::dashboard),
        Endpoint::get("/api/v1/scopes/{scope}/series", series).about(about::series),
        Endpoint::get("/api/v1/scopes/{scope}/overdue", overdue).about(about::overdue),
        Endpoint::get("/api/v1/scopes/{scope}/screens", screens).about(about::screens),
        Endpoint::get("/api/v1/themes/{theme}", theme).about(about::theme),
        Endpoint::get("/api/v1/dictionary", dictionary).about(about::dictionary),
        Endpoint::get("/metrics", metrics).about(about::metrics),
    ]
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

/// Screen health: which screens show the scope or anything under it, and how they are.
async fn screens(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let presence = state.hub.presence();
    Ok(HttpResponse::Ok().json(presence.view().health(&info.id, presence.patience())))
}

#[derive(Deserialize)]
struct DayQuery {
    day: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// A local day from the query: `code` names the parameter in the error.
fn local_day(code: &'static str, name: &str, value: &str) -> Result<Date, ApiError> {
    value
        .parse::<Date>()
        .map_err(|_| ApiError::bad(code, format!("{name} {value:?} is not a date such as 2024-11-28")))
}

async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let board = &state.dashboards;
    let d = match (&q.from, &q.to) {
        (None, None) => {
            let day = q.day.as_deref().map(|d| local_day("invalid_day", "day", d)).transpose()?;
            let kind = match q.period.as_deref() {
                None => PeriodKind::Day,
                Some(p) => PeriodKind::parse(p)
                    .ok_or_else(|| ApiError::bad("invalid_period", format!("period must be one of {}", PeriodKind::NAMES)))?,
            };
            board.dashboard_of(&info, day, kind).await?
        }
        (Some(from), Some(to)) if q.day.is_none() && q.period.is_none() => {
            let (from, to) = (local_day("invalid_from", "from", from)?, local_day("invalid_to", "to", to)?);
            let span = Span::range(from, to).ok_or_else(|| {
                ApiError::unprocessable(
                    "invalid_range",
                    format!("from must not be after to, and the range at most {MAX_RANGE_DAYS} days"),
                )
            })?;
            board.dashboard_between(&info, span).await?
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable(
                "invalid_range",
                "from and to are given without day or period",
            ));
        }
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_range",
                "from and to go together: give both, or neither",
            ));
        }
    };
    Ok(HttpResponse::Ok().json(d))
}

#[derive(Deserialize)]
struct SeriesQuery {
    metric: Option<String>,
    days: Option<String>,
    interval: Option<String>,
    points: Option<String>,
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
    let interval = match q.interval.as_deref() {
        None => PeriodKind::Day,
        Some(i) => PeriodKind::parse(i)
            .filter(|k| matches!(k, PeriodKind::Day | PeriodKind::Week | PeriodKind::Month))
            .ok_or_else(|| ApiError::bad("invalid_interval", "interval must be day, week or month"))?,
    };
    let (name, code, raw) = match (&q.points, &q.days) {
        (Some(p), _) => ("points", "invalid_points", Some(p)),
        (None, d) => ("days", "invalid_days", d.as_ref()),
    };
    let n = match raw {
        None => 30,
        Some(d) => d
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=366).contains(n))
            .ok_or_else(|| ApiError::bad(code, format!("{name} must be a whole number from 1 to 366")))?,
    };
    Ok(HttpResponse::Ok().json(state.dashboards.series(&info.id, metric, interval, n).await?))
}

/// Names of every code (ticket and event categories, event types, ledger
/// categories) and of every ticket holder: public, like the scope tree.
async fn dictionary(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(crate::domain::dictionary::Names {
        dictionary: state.registry.dictionary(),
        assignees: state.registry.assignees(),
    })
}

/// A theme's dashboard definition (`dashboard-schema/themes/`): which panels lead.
async fn theme(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (_, body) = crate::contract::THEMES.iter().find(|(t, _)| *t == name.as_str()).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no theme {name}; themes: default, health, heritage, smart, rule-of-law, home"
        ))
    })?;
    Ok(HttpResponse::Ok().content_type("application/json").body(*body))
}

#[derive(Deserialize)]
struct OverdueQuery {
    limit: Option<usize>,
    due_within_hours: Option<i64>,
}

/// The open tickets past their deadline, oldest deadline first, with their reports;
/// and how many more fall due within `due_within_hours` (default 4).
async fn overdue(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<OverdueQuery>,
) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let limit = q.limit.unwrap_or(50);
    let hours = q.due_within_hours.unwrap_or(state.settings.due_soon_hours);
    if !(1..=1000).contains(&limit) || !(1..=24 * 90).contains(&hours) {
        return Err(ApiError::bad("invalid_query", "limit must be 1-1000 and due_within_hours 1-2160"));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let today = state.dashboards.calendar().day_of(now);
    let fq = FigureQuery {
        due_within_ms: hours * 3_600_000,
        overdue: limit,
        ..FigureQuery::headline(info.id.clone(), None)
    };
    let reading = state.aggregates.read(&[fq], &[Period::Day(today)], now).await?;
    state
        .dashboards
        .freshness()
        .judge(reading.watermark)
        .map_err(ApiError::NotCurrent)?;
    let Some(raw) = reading.figures.into_iter().next() else {
        return Err(ApiError::Internal("empty read".into()));
    };
    let ids: Vec<String> = raw.overdue_oldest.iter().map(|(id, _)| id.clone()).collect();
    let found = state
        .tickets
        .tickets(&TicketQuery {
            ids,
            limit: limit as i64,
            ..TicketQuery::default()
        })
        .await?;
    let rows: Vec<serde_json::Value> = raw
        .overdue_oldest
        .iter()
        .filter_map(|(id, deadline)| {
            let t = found.iter().find(|t| &t.report.id == id)?;
            Some(json!({
                "ticket_id": id,
                "scope": t.report.scope,
                "category": t.report.category,
                "status": t.status.as_str(),
                "description": t.report.description,
                "reported_at": jiff::Timestamp::from_millisecond(t.report.reported_at).map(|x| x.to_string()).unwrap_or_default(),
                "deadline": jiff::Timestamp::from_millisecond(*deadline).map(|x| x.to_string()).unwrap_or_default(),
                "overdue_seconds": (now - deadline) / 1000,
            }))
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "scope": info.id,
        "tickets_overdue": raw.overdue_now,
        "overdue": rows,
        "due_within_hours": hours,
        "tickets_due_soon": raw.due_soon,
    })))
}

async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    state.access.metrics(&req)?;
    let (depth, all) = state.registry.top_levels(state.settings.metrics_max_scopes);
    state.metrics.figures_depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    let cal = state.dashboards.calendar();
    let now = jiff::Timestamp::now().as_millisecond();
    let today = cal.day_of(now);
    let queries: Vec<FigureQuery> = all.iter().map(|s| FigureQuery::headline(s.id.clone(), None)).collect();
    for (_, g) in &state.metrics.figures {
        g.reset();
    }
    // Figures that are not current are left out (cockpit_aggregates_current says so), never
    // exported as zeros; a scrape waits on the aggregate store no longer than a dashboard does.
    match state.dashboards.figures(&queries, &[Period::Day(today)], now).await {
        Err(crate::dashboard::FiguresError::NotCurrent(_)) => {}
        Ok(figures) => {
            let day = today.to_string();
            for (info, raw) in all.iter().zip(figures) {
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
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()))
}
