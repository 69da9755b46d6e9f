//! Open311 GeoReport v2 under `/open311/v2/`, so existing Open311 apps and client
//! libraries report tickets into the cockpit unchanged (docs/open311.md):
//!
//! - `GET services.{json,xml}`: one service per configured ticket category;
//! - `GET services/{code}.{json,xml}`: its attributes (only `dispute` has any);
//! - `POST requests.{json,xml}`: files a ticket through the ingest pipeline;
//! - `GET requests.{json,xml}` and `GET requests/{id}.{json,xml}`: tickets with
//!   the cockpit's closed loop mapped onto `open` / `closed`;
//! - `GET /open311/discovery.json`: the discovery document.
//!
//! Errors are GeoReport's `[{"code","description"}]` (XML for `.xml`).

mod catalogue;
mod place;
mod render;

use super::routes::Endpoint;
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::domain::decide::Verdict;
use crate::domain::key::hex;
use crate::domain::record::{FieldError, Kind, Record};
use crate::domain::scope::Scope;
use crate::domain::ticket::Status;
use crate::ingest::IngestError;
use crate::records::{StoredTicket, TicketQuery};
use place::Miss;
use render::{Fail, Format};

/// Most requests one `GET requests` returns (the spec's default cap).
const MAX_RESULTS: i64 = 1000;
/// The default and the widest `start_date`..`end_date` window.
const WINDOW_MS: i64 = 90 * 24 * 3600 * 1000;
/// Largest form or JSON body a `POST requests` may carry.
const MAX_BODY: usize = 64 * 1024;

/// Open311 is described by its own standard, and how it maps here.
const OPEN311: &str = "docs/open311.md";

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/open311/discovery.{format}", discovery).elsewhere(OPEN311),
        Endpoint::get("/open311/v2/discovery.{format}", discovery).elsewhere(OPEN311),
        Endpoint::get("/open311/v2/services.{format}", services).elsewhere(OPEN311),
        Endpoint::any("/open311/v2/services.{format}", not_allowed).elsewhere(OPEN311),
        Endpoint::get("/open311/v2/services/{code}.{format}", definition).elsewhere(OPEN311),
        Endpoint::any("/open311/v2/services/{code}.{format}", not_allowed).elsewhere(OPEN311),
        Endpoint::get("/open311/v2/requests.{format}", list).elsewhere(OPEN311),
        Endpoint::post("/open311/v2/requests.{format}", create).elsewhere(OPEN311),
        Endpoint::any("/open311/v2/requests.{format}", not_allowed).elsewhere(OPEN311),
        Endpoint::get("/open311/v2/requests/{id}.{format}", one).elsewhere(OPEN311),
        Endpoint::any("/open311/v2/requests/{id}.{format}", not_allowed).elsewhere(OPEN311),
        Endpoint::any("/open311/{tail:.*}", unknown).elsewhere(OPEN311),
    ]
}

/// The format of a request whose route did not parse it (by its path's extension).
fn format_of_path(req: &HttpRequest) -> Format {
    if req.path().ends_with(".xml") { Format::Xml } else { Format::Json }
}

async fn not_allowed(req: HttpRequest) -> HttpResponse {
    let mut res = Fail::new(
        format_of_path(&req),
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed on {}", req.method(), req.path()),
    )
    .error_response();
    let allow = req.match_pattern().map(|p| super::routes::allow_of(&p)).unwrap_or_default();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    res
}

async fn unknown(req: HttpRequest) -> HttpResponse {
    Fail::not_found(
        format_of_path(&req),
        format!(
            "{} is not an Open311 resource here: see /open311/v2/services.json, /open311/v2/requests.json",
            req.path()
        ),
    )
    .error_response()
}

/// Form (or query) fields; empty values count as absent, as HTML forms send them.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(s: &str) -> Params {
        Params(
            web::Query::<Vec<(String, String)>>::from_query(s)
                .map(|q| q.into_inner())
                .unwrap_or_default(),
        )
    }

    fn query(req: &HttpRequest) -> Params {
        Params::parse(req.query_string())
    }

    /// A POST's fields: its form (or JSON object) body, then the query string.
    fn body(req: &HttpRequest, body: &[u8], format: Format) -> Result<Params, Fail> {
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        // Before the text check: a photo in a multipart body is not UTF-8.
        if content_type.contains("multipart/") {
            return Err(Fail::bad(
                format,
                "multipart bodies (media uploads) are not accepted: send the fields form-encoded, with media_url",
            ));
        }
        let text = std::str::from_utf8(body).map_err(|_| Fail::bad(format, "the body is not UTF-8"))?;
        let mut fields = if content_type.contains("json") || text.trim_start().starts_with('{') {
            Params::json(text, format)?
        } else {
            Params::parse(text)
        };
        fields.0.extend(Params::query(req).0);
        Ok(fields)
    }

    /// A JSON object of fields; `attribute` may be an object of code → value(s).
    fn json(text: &str, format: Format) -> Result<Params, Fail> {
        let v: Value = serde_json::from_str(text).map_err(|e| Fail::bad(format, format!("the body is not valid JSON: {e}")))?;
        let Value::Object(map) = v else {
            return Err(Fail::bad(format, "a JSON body must be an object of fields"));
        };
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let mut out = Vec::new();
        for (k, v) in &map {
            match (k.as_str(), v) {
                ("attribute", Value::Object(attrs)) => {
                    for (code, a) in attrs {
                        let values: Vec<&Value> = match a {
                            Value::Array(items) => items.iter().collect(),
                            one => vec![one],
                        };
                        out.extend(values.into_iter().filter_map(scalar).map(|s| (format!("attribute[{code}]"), s)));
                    }
                }
                _ => out.extend(scalar(v).map(|s| (k.clone(), s))),
            }
        }
        Ok(Params(out))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// `attribute[code]=v` and `attribute[code][]=v` pairs.
    fn attributes(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("attribute[")?;
                let code = code.strip_suffix("][]").or_else(|| code.strip_suffix(']'))?;
                Some((code.to_owned(), v.trim().to_owned()))
            })
            .collect()
    }
}

fn zone(state: &AppState) -> TimeZone {
    TimeZone::get(&state.settings.time_zone).unwrap_or(TimeZone::UTC)
}

/// W3C date-time in the deployment's zone: `2024-11-26T14:00:00+08:00`.
fn w3c(ms: i64, tz: &TimeZone) -> Value {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string().into(),
        Err(_) => Value::Null,
    }
}

/// A date-time as clients send it: RFC 3339 / W3C with an offset, or a local
/// date-time or date in the deployment's zone. A `+` that arrived as a space
/// (an unencoded query string) is put back.
fn parse_time(raw: &str, tz: &TimeZone, edge: Edge) -> Option<i64> {
    let one = |s: &str| -> Option<i64> {
        if let Ok(ts) = s.parse::<Timestamp>() {
            return Some(ts.as_millisecond());
        }
        // A date alone (jiff would also read it as a date-time at midnight).
        let Some(d) = s.parse::<jiff::civil::Date>().ok().filter(|_| s.len() == 10) else {
            let dt = s.parse::<jiff::civil::DateTime>().ok()?;
            return dt.to_zoned_datetime(tz.clone()).ok().map(|z| z.timestamp().as_millisecond());
        };
        let start = |d: jiff::civil::Date| d.to_zoned_datetime(tz.clone()).ok().map(|z| z.timestamp().as_millisecond());
        match edge {
            Edge::Start => start(d),
            // A date-only end_date includes that whole day.
            Edge::End => start(d.tomorrow().ok()?).map(|ms| ms - 1),
        }
    };
    one(raw).or_else(|| one(&raw.replace(' ', "+")))
}

/// Which end of a window a date-only time stands for.
#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn narrower_or_403(format: Format, jurisdiction: Option<Scope>, key: Option<Scope>) -> Result<Option<Scope>, Fail> {
    place::bound(jurisdiction, key).map_err(|m| Fail::forbidden(format, m))
}

// ---- discovery and services ---------------------------------------------------

async fn discovery(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, Fail> {
    let format = Format::of(&path)?;
    let info = req.connection_info();
    let url = format!("{}://{}/open311/v2", info.scheme(), info.host());
    let body = json!({
        "changeset": "2026-11-28T00:00:00+08:00",
        "contact": "Community Cockpit operators (see docs/open311.md)",
        "key_service": "API keys are issued by the operators: cockpit keys create, or POST /api/v1/admin/keys",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": url,
            "changeset": "2026-11-28T00:00:00+08:00",
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    Ok(format.respond(StatusCode::OK, "discovery", &body))
}

async fn services(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, Fail> {
    let format = Format::of(&path)?;
    let params = Params::query(&req);
    place::jurisdiction(&state.registry, params.get("jurisdiction_id"))
        .await
        .map_err(|m| Fail::not_found(format, m))?;
    let list: Vec<Value> = catalogue::all(&state.settings).iter().map(|s| s.summary()).collect();
    Ok(format.respond(StatusCode::OK, "services", &Value::Array(list)))
}

async fn definition(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>) -> Result<HttpResponse, Fail> {
    let (code, ext) = path.into_inner();
    let format = Format::of(&ext)?;
    let params = Params::query(&req);
    place::jurisdiction(&state.registry, params.get("jurisdiction_id"))
        .await
        .map_err(|m| Fail::not_found(format, m))?;
    let service = catalogue::find(&state.settings, &code)
        .ok_or_else(|| Fail::not_found(format, format!("service_code {code:?} is not a service here: see services.{ext}")))?;
    Ok(format.respond(StatusCode::OK, "service_definition", &service.definition()))
}

// ---- POST requests --------------------------------------------------------------

async fn create(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>, body: Bytes) -> Result<HttpResponse, Fail> {
    let format = Format::of(&path)?;
    let bad = |m: String| Fail::bad(format, m);
    if body.len() > MAX_BODY {
        return Err(Fail::new(
            format,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body may be at most {MAX_BODY} bytes"),
        ));
    }
    let params = Params::body(&req, &body, format)?;
    let key = state
        .access
        .writer_key(&req, params.get("api_key"))
        .await
        .map_err(|e| Fail::from_api(format, e))?;

    let code = params.get("service_code").ok_or_else(|| bad("service_code is required".into()))?;
    let service = catalogue::find(&state.settings, code).ok_or_else(|| {
        bad(format!(
            "service_code {code:?} is not a service here: see services.{}",
            if format == Format::Xml { "xml" } else { "json" }
        ))
    })?;
    let attributes = service.check(&params.attributes()).map_err(bad)?;

    let coordinate = |name: &str, range: f64| -> Result<Option<f64>, Fail> {
        let Some(raw) = params.get(name) else { return Ok(None) };
        match raw.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= range => Ok(Some(x)),
            _ => Err(Fail::bad(
                format,
                format!("{name} must be a number from -{range} to {range}, got {raw:?}"),
            )),
        }
    };
    let (lat, long) = (coordinate("lat", 90.0)?, coordinate("long", 180.0)?);
    if lat.is_some() != long.is_some() {
        return Err(bad("lat and long go together: give both, or neither".into()));
    }
    let address = params.get("address_string").or_else(|| params.get("address"));
    let address_id = params.get("address_id");
    if lat.is_none() && address.is_none() && address_id.is_none() {
        return Err(bad("a location is required: lat and long, address_string or address_id".into()));
    }

    let jurisdiction = place::jurisdiction(&state.registry, params.get("jurisdiction_id"))
        .await
        .map_err(bad)?;
    let bound = narrower_or_403(format, jurisdiction.clone(), key.clone())?;
    let scope = place::resolve(&state.registry, jurisdiction.as_ref(), bound.as_ref(), address_id, address)
        .await
        .map_err(|m| match m {
            Miss::Unknown(m) => Fail::bad(format, m),
            Miss::Outside(m) => Fail::forbidden(format, m),
        })?;

    let tz = zone(&state);
    let now = Timestamp::now().as_millisecond();
    let reported_at = match params.get("requested_datetime") {
        Some(raw) => parse_time(raw, &tz, Edge::Start).ok_or_else(|| {
            bad(format!(
                "requested_datetime {raw:?} is not a date-time such as 2024-11-26T14:00:00+08:00"
            ))
        })?,
        None => now,
    };
    let reported = Timestamp::from_millisecond(reported_at)
        .map_err(|_| bad("requested_datetime is out of range".into()))?
        .to_string();

    let mut location = Map::new();
    if let (Some(lat), Some(long)) = (lat, long) {
        location.insert("lat".into(), lat.into());
        location.insert("long".into(), long.into());
    }
    if let Some(a) = address {
        location.insert("address".into(), a.into());
    }
    if let Some(m) = params.get("media_url") {
        location.insert("media_url".into(), m.into());
    }
    if !attributes.is_empty() {
        location.insert("attributes".into(), attributes.into());
    }

    let id = request_id(&req, &params, key.as_ref());
    let value = json!({
        "id": id,
        "scope": scope.as_str(),
        "category": service.code,
        "reported_at": reported,
        "description": params.get("description").unwrap_or(""),
        "location": if location.is_empty() { Value::Null } else { Value::Object(location) },
    });
    let record = Record::parse(Kind::Ticket, &value, None, now).map_err(|e| bad(field_error(e)))?;
    let verdicts = state.ingest.submit(vec![record]).await.map_err(|e| {
        let e = match e {
            IngestError::Records(r) => crate::error::ApiError::RecordsDown(r.to_string()),
            IngestError::Stopped => crate::error::ApiError::Internal("ingest writer stopped".into()),
        };
        Fail::from_api(format, e)
    })?;
    let (status, outcome, notice) = match verdicts.into_iter().next() {
        Some(Verdict::Accepted(_)) => {
            let by = w3c(state.settings.deadlines().deadline(&service.code, reported_at), &tz);
            let by = by.as_str().unwrap_or("");
            (
                StatusCode::CREATED,
                "accepted",
                format!("已受理，处置时限至 {by} / Received; to be resolved by {by}"),
            )
        }
        Some(Verdict::Duplicate) => (
            StatusCode::OK,
            "duplicate",
            "此前已受理（重复提交） / Already received (a retry with the same Idempotency-Key)".to_owned(),
        ),
        Some(Verdict::Rejected(e)) => {
            state.metrics.records.with_label_values(&["ticket", "rejected"]).inc();
            return Err(bad(field_error(e)));
        }
        None => return Err(Fail::new(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error")),
    };
    state.metrics.records.with_label_values(&["ticket", outcome]).inc();
    let body = json!([{ "service_request_id": id, "service_notice": notice, "account_id": Value::Null }]);
    Ok(format.respond(status, "service_requests", &body))
}

/// `o311-` and 16 random hex digits; with an `Idempotency-Key` header (or an
/// `idempotency_key` field), a digest of it and the key's scope instead, so a
/// retried POST names the same ticket and counts once.
fn request_id(req: &HttpRequest, params: &Params, key_scope: Option<&Scope>) -> String {
    let given = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .or_else(|| params.get("idempotency_key"));
    match given {
        Some(k) => {
            let scope = key_scope.map(Scope::as_str).unwrap_or("");
            let digest = hex(&Sha256::digest(format!("{scope}\n{k}").as_bytes()));
            format!("o311-{}", &digest[..24])
        }
        None => format!("o311-{:016x}", rand::random::<u64>()),
    }
}

/// A ticket field's error in the names the Open311 client used.
fn field_error(e: FieldError) -> String {
    let field = match e.field {
        "category" => "service_code",
        "reported_at" => "requested_datetime",
        "location" => {
            return "address_string, media_url and the attributes are too long together (at most 1000 bytes)".into();
        }
        other => other,
    };
    format!("{field}: {}", e.reason)
}

// ---- GET requests ---------------------------------------------------------------

/// The scope a reader may see: open deployments, anything in the jurisdiction;
/// secured ones, also within the `api_key`'s scope (the same keys as ingest).
async fn readable(state: &AppState, req: &HttpRequest, params: &Params, format: Format) -> Result<Option<Scope>, Fail> {
    let jurisdiction = place::jurisdiction(&state.registry, params.get("jurisdiction_id"))
        .await
        .map_err(|m| Fail::not_found(format, m))?;
    // Open: no key needed (this applies the per-address rate limit only). With
    // public reads, a reader without a key sees the whole jurisdiction.
    let keyless = params.get("api_key").is_none() && req.headers().get("authorization").is_none();
    let key = if keyless && state.settings.open311.public_reads {
        state.access.reader_anyone(req).map_err(|e| Fail::from_api(format, e))?;
        None
    } else {
        state
            .access
            .writer_key(req, params.get("api_key"))
            .await
            .map_err(|e| Fail::from_api(format, e))?
    };
    narrower_or_403(format, jurisdiction, key)
}

async fn list(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, Fail> {
    let format = Format::of(&path)?;
    let params = Params::query(&req);
    let within = readable(&state, &req, &params, format).await?;
    let tz = zone(&state);
    let mut q = TicketQuery {
        within,
        limit: MAX_RESULTS,
        ..TicketQuery::default()
    };
    if let Some(ids) = params.get("service_request_id") {
        // The spec: a list of ids overrides every other filter.
        q.ids = split(ids);
        if q.ids.len() > MAX_RESULTS as usize {
            return Err(Fail::bad(format, format!("at most {MAX_RESULTS} service_request_id values")));
        }
    } else {
        q.categories = params.get("service_code").map(split).unwrap_or_default();
        q.statuses = statuses(params.get("status")).map_err(|m| Fail::bad(format, m))?;
        let time = |name: &str, edge: Edge| -> Result<Option<i64>, Fail> {
            let Some(raw) = params.get(name) else { return Ok(None) };
            parse_time(raw, &tz, edge).map(Some).ok_or_else(|| {
                Fail::bad(
                    format,
                    format!("{name} {raw:?} is not a date-time such as 2024-11-26T00:00:00+08:00"),
                )
            })
        };
        let (from, until) = window(
            time("start_date", Edge::Start)?,
            time("end_date", Edge::End)?,
            Timestamp::now().as_millisecond(),
        )
        .map_err(|m| Fail::bad(format, m))?;
        q.from = Some(from);
        q.until = until;
    }
    let tickets = state.tickets.tickets(&q).await.map_err(|e| Fail::from_api(format, e.into()))?;
    let now = Timestamp::now().as_millisecond();
    let body: Vec<Value> = tickets.iter().map(|t| request_json(&state, t, &tz, now)).collect();
    Ok(format.respond(StatusCode::OK, "service_requests", &Value::Array(body)))
}

async fn one(state: web::Data<AppState>, req: HttpRequest, path: web::Path<(String, String)>) -> Result<HttpResponse, Fail> {
    let (id, ext) = path.into_inner();
    let format = Format::of(&ext)?;
    let params = Params::query(&req);
    let within = readable(&state, &req, &params, format).await?;
    let q = TicketQuery {
        within,
        ids: vec![id.clone()],
        limit: 1,
        ..TicketQuery::default()
    };
    let tickets = state.tickets.tickets(&q).await.map_err(|e| Fail::from_api(format, e.into()))?;
    let Some(t) = tickets.first() else {
        return Err(Fail::not_found(format, format!("service_request_id {id:?} was not found")));
    };
    let body = json!([request_json(&state, t, &zone(&state), Timestamp::now().as_millisecond())]);
    Ok(format.respond(StatusCode::OK, "service_requests", &body))
}

/// `status=open,closed` as the cockpit's statuses (see [`open311_status`]).
fn statuses(raw: Option<&str>) -> Result<Vec<Status>, String> {
    let mut out = Vec::new();
    for s in raw.map(split).unwrap_or_default() {
        let closed = match s.as_str() {
            "open" => false,
            "closed" => true,
            other => return Err(format!("status {other:?} is not one of open, closed")),
        };
        out.extend(Status::ALL.into_iter().filter(|st| st.is_open() != closed));
    }
    Ok(out)
}

/// `[from, until)` in ms from the optional `start_date` / `end_date` (both inclusive):
/// the most recent 90 days by default, never more than 90 days.
fn window(start: Option<i64>, end: Option<i64>, now: i64) -> Result<(i64, Option<i64>), String> {
    match (start, end) {
        (None, None) => Ok((now - WINDOW_MS, None)),
        (Some(s), None) => Ok((s, Some(s + WINDOW_MS + 1))),
        (None, Some(e)) => Ok((e - WINDOW_MS, Some(e + 1))),
        (Some(s), Some(e)) if e < s => Err("end_date is before start_date".into()),
        (Some(s), Some(e)) if e - s > WINDOW_MS => Err("start_date and end_date may span at most 90 days".into()),
        (Some(s), Some(e)) => Ok((s, Some(e + 1))),
    }
}

/// GeoReport's two states: a ticket is `open` until it is resolved, like the
/// cockpit's own "open" figure; `resolved` and `closed` (verified) are `closed`.
fn open311_status(s: Status) -> &'static str {
    if s.is_open() { "open" } else { "closed" }
}

fn status_notes(s: Status) -> &'static str {
    match s {
        Status::Reported => "已上报，待派单 Reported, awaiting dispatch",
        Status::Dispatched => "已派单 Dispatched to a handler",
        Status::InProgress => "处置中 Being handled",
        Status::Reopened => "已重新打开 Reopened after it was resolved",
        Status::Resolved => "已处置，待核验 Resolved, awaiting verification",
        Status::Closed => "已办结 Closed (verified)",
    }
}

/// One ticket as a GeoReport service request.
fn request_json(state: &AppState, t: &StoredTicket, tz: &TimeZone, now: i64) -> Value {
    let r = &t.report;
    let mut notes = status_notes(t.status).to_owned();
    if t.status.is_open() && t.deadline <= now {
        notes.push_str(" · 已超时 overdue");
    }
    let agency: Vec<String> = r
        .scope
        .lineage()
        .iter()
        .rev()
        .filter(|s| s.depth() > 1 || r.scope.depth() == 1)
        .map(|s| state.registry.get(s).map(|i| i.name).unwrap_or_else(|| s.to_string()))
        .collect();
    let (address, lat, long, media_url) = match &r.location {
        Some(Value::String(s)) => (Value::from(s.as_str()), Value::Null, Value::Null, Value::Null),
        Some(Value::Object(o)) => {
            let pick = |names: &[&str]| names.iter().find_map(|n| o.get(*n).filter(|v| !v.is_null()).cloned());
            let number = |names: &[&str]| match pick(names) {
                Some(Value::String(s)) => s.parse::<f64>().ok().map(Value::from).unwrap_or(Value::Null),
                Some(v @ Value::Number(_)) => v,
                _ => Value::Null,
            };
            (
                pick(&["address", "address_string"]).unwrap_or(Value::Null),
                number(&["lat", "latitude"]),
                number(&["long", "lng", "lon", "longitude"]),
                pick(&["media_url"]).unwrap_or(Value::Null),
            )
        }
        _ => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    let expected = w3c(t.deadline, tz);
    let notice = match expected.as_str() {
        Some(by) => format!("处置时限至 {by} / To be resolved by {by}").into(),
        None => Value::Null,
    };
    json!({
        "service_request_id": r.id,
        "status": open311_status(t.status),
        "status_notes": notes,
        "service_name": catalogue::name_of(&r.category),
        "service_code": r.category,
        "description": r.description,
        "agency_responsible": agency.join(" · "),
        "service_notice": notice,
        "requested_datetime": w3c(r.reported_at, tz),
        "updated_datetime": w3c(t.last_at.max(r.reported_at), tz),
        "expected_datetime": expected,
        "address": address,
        "address_id": r.scope.as_str(),
        "zipcode": Value::Null,
        "lat": lat,
        "long": long,
        "media_url": media_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_loop_maps_onto_open_and_closed() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| open311_status(*s) == "open").collect();
        assert_eq!(open, [Status::Reported, Status::Dispatched, Status::InProgress, Status::Reopened]);
        assert_eq!(statuses(Some("closed")).unwrap(), [Status::Resolved, Status::Closed]);
        assert_eq!(statuses(Some("open,closed")).unwrap().len(), 6);
        assert!(statuses(Some("pending")).is_err());
    }

    #[test]
    fn windows_default_to_ninety_days_and_never_exceed_them() {
        let day = 86_400_000;
        assert_eq!(window(None, None, 100 * day), Ok((10 * day, None)));
        assert_eq!(window(Some(day), None, 0), Ok((day, Some(91 * day + 1))));
        assert_eq!(window(None, Some(100 * day), 0), Ok((10 * day, Some(100 * day + 1))));
        assert!(window(Some(0), Some(91 * day), 0).is_err());
        assert!(window(Some(day), Some(0), 0).is_err());
    }

    #[test]
    fn times_parse_as_clients_send_them() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let at = |s: &str| parse_time(s, &tz, Edge::Start);
        let expected = Some(1_732_600_800_000); // 2024-11-26T14:00:00+08:00
        assert_eq!(at("2024-11-26T14:00:00+08:00"), expected);
        assert_eq!(at("2024-11-26T06:00:00Z"), expected);
        assert_eq!(at("2024-11-26T14:00:00 08:00"), expected, "an unencoded + arrives as a space");
        assert_eq!(at("2024-11-26T14:00:00"), expected, "local time in the deployment's zone");
        assert_eq!(at("2024-11-26"), Some(1_732_550_400_000));
        assert_eq!(at("yesterday"), None);
        assert_eq!(
            parse_time("2024-11-26", &tz, Edge::End),
            Some(1_732_550_400_000 + 86_400_000 - 1),
            "a date-only end_date includes its whole day"
        );
        assert_eq!(w3c(1_732_600_800_123, &tz), Value::from("2024-11-26T14:00:00+08:00"));
    }

    #[test]
    fn form_fields_and_attributes() {
        let p = Params::parse("service_code=dispute&attribute%5Bparties%5D=3&attribute[kind][]=family&lat=&description=+x+");
        assert_eq!(p.get("service_code"), Some("dispute"));
        assert_eq!(p.get("lat"), None, "empty means absent");
        assert_eq!(p.get("description"), Some("x"));
        assert_eq!(
            p.attributes(),
            [("parties".to_owned(), "3".to_owned()), ("kind".to_owned(), "family".to_owned())]
        );
        let j = Params::json(
            r#"{"service_code":"dispute","lat":29.5,"attribute":{"parties":2,"kind":["other"]}}"#,
            Format::Json,
        )
        .unwrap();
        assert_eq!(j.get("lat"), Some("29.5"));
        assert_eq!(j.attributes().len(), 2);
    }
}
