//! The edge: what every request passes on its way in and out, whatever its
//! route. On the way in:
//! - `HEAD` is served as `GET` (actix-http leaves the body out);
//! - a path or query holding a NUL byte (`%00`) is refused here, naming the
//!   parameter: no store takes NUL in text, and one client's bad URL must not
//!   reach a group commit that other clients' records share;
//! - an address that failed authentication too often is slowed down (429);
//! - a body sent to a JSON endpoint must say it is JSON (415 otherwise):
//!   browsers send `text/plain` cross-site without asking.
//!
//! On the way out, every error is the API's JSON `{code, message}`, whoever
//! produced it (actix's extractors, its CORS middleware, the router).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

use super::AppState;
use crate::error::ApiError;

/// Runs before the app's own middleware and routes, and after them, inside a
/// span carrying the request id, so every log line of the request names it.
/// The id is the client's (or proxy's) `X-Request-Id` when it is a plain token,
/// else a new one; it is answered in `X-Request-Id`.
///
/// The request's work is boxed: actix holds this future inside each
/// connection's state for as long as the connection lives, so its size is paid
/// by every open connection (an idle screen's most of all), not by the request.
pub async fn guard(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use tracing::Instrument;
    let id = request_id(&req);
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let mut res = Box::pin(checked(req, next).instrument(span)).await?;
    if let Ok(v) = header::HeaderValue::from_str(&id) {
        res.headers_mut().insert(header::HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

fn request_id(req: &ServiceRequest) -> String {
    let given = req.headers().get("x-request-id").and_then(|v| v.to_str().ok());
    match given {
        Some(id) if (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) => id.to_owned(),
        _ => format!("{:016x}", rand::random::<u64>()),
    }
}

async fn checked(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    if let Err(e) = admit(&req) {
        return Ok(req.into_response(e.error_response()));
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let peer = state.as_ref().map(|s| s.access.client_ip(req.request()));
    // Handlers, extractors and CORS answer errors as responses, which are
    // made JSON below; an `Err` left over is rendered by actix as it is.
    let res = next.call(req).await?.map_into_boxed_body();
    if let (Some(state), Some(Some(ip))) = (&state, peer)
        && matches!(res.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
    {
        state.access.failed(ip);
    }
    Ok(as_json(res).await)
}

/// Checks that need no route: NUL bytes, the failed-authentication budget, the body's type.
fn admit(req: &ServiceRequest) -> Result<(), ApiError> {
    if let Some(part) = nul_in_path(req) {
        return Err(ApiError::bad(
            "invalid_path",
            format!("`{part}` holds a NUL byte (%00); text may not contain NUL"),
        ));
    }
    if let Some(key) = nul_in_query(req.query_string()) {
        return Err(ApiError::bad(
            "invalid_query",
            format!("`{key}` holds a NUL byte (%00); text may not contain NUL"),
        ));
    }
    if let Some(state) = req.app_data::<web::Data<AppState>>()
        && let Some(ip) = state.access.client_ip(req.request())
        && state.access.failing(ip)
    {
        return Err(ApiError::RateLimited);
    }
    json_body_declared(req)
}

/// The route parameter (or, unrouted, the path segment) holding a `%00`.
fn nul_in_path(req: &ServiceRequest) -> Option<String> {
    let path = req.uri().path();
    let at = path.split('/').position(|seg| seg.contains("%00"))?;
    let pattern = req.match_pattern().unwrap_or_default();
    // `{id}`, `{id}.{format}`, `{tail:.*}`: the first parameter of the segment.
    let name = pattern
        .split('/')
        .nth(at)
        .and_then(|p| p.split_once('{'))
        .and_then(|(_, rest)| rest.split(['}', ':']).next())
        .map(str::to_owned);
    Some(name.unwrap_or_else(|| format!("path segment {at}")))
}

/// The query parameter whose name or value holds a `%00` (or a raw NUL).
fn nul_in_query(query: &str) -> Option<String> {
    query
        .split('&')
        .find(|kv| kv.contains("%00") || kv.contains('\0'))
        .map(|kv| kv.split('=').next().unwrap_or(kv).replace("%00", "\u{FFFD}"))
}

/// Bodies sent to JSON endpoints must be declared JSON: a cross-site form or
/// `text/plain` POST from a browser is refused before it is read.
fn json_body_declared(req: &ServiceRequest) -> Result<(), ApiError> {
    // The API's bodies all go to POST routes; any other method is answered by its route (405).
    if req.method() != Method::POST || !req.path().starts_with("/api/") {
        return Ok(());
    }
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|n| n.trim() != "0");
    let declared = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    match declared {
        Some(ct) if is_json(ct) => Ok(()),
        None if !has_body => Ok(()),
        other => Err(ApiError::UnsupportedMediaType(format!(
            "the body must be JSON (Content-Type: application/json), not {}",
            other.unwrap_or("undeclared")
        ))),
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// An error answer that is not JSON becomes one, keeping its status and headers.
async fn as_json(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let is_json_body = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Open311 answers in XML when asked; browser pages get an HTML page.
        .is_some_and(|ct| is_json(ct) || ct.starts_with("text/xml") || ct.starts_with("application/xml") || ct.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json_body {
        return res;
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let text = actix_web::body::to_bytes_limited(body, 4096)
        .await
        .ok()
        .and_then(Result::ok)
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let mut json = HttpResponse::build(status).json(serde_json::json!({
        "code": code_of(status),
        "message": message_of(status, &text),
    }));
    for (name, value) in head.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, json)
}

fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// What to tell the client: actix's own words when they are plain and short,
/// never Rust's debug output.
fn message_of(status: StatusCode, text: &str) -> String {
    let plain = !text.is_empty() && text.len() <= 200 && !text.contains('{') && !text.contains("Error(");
    match status {
        StatusCode::NOT_FOUND => "no such resource: see /api/v1/openapi.json".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => "the body is too large".to_owned(),
        _ if plain => text.to_owned(),
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_in_a_query_is_named_by_its_parameter() {
        assert_eq!(nul_in_query("scope=nanan&q=a%00b"), Some("q".to_owned()));
        assert_eq!(nul_in_query("scope=nanan"), None);
        assert_eq!(nul_in_query("a%00=1"), Some("a\u{FFFD}".to_owned()));
    }

    #[test]
    fn json_is_json_whatever_its_parameters() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/geo+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }

    #[test]
    fn debug_text_never_reaches_the_client() {
        let m = message_of(
            StatusCode::BAD_REQUEST,
            "Decompress(Custom { kind: InvalidData, error: \"corrupt deflate stream\" })",
        );
        assert_eq!(m, "bad request");
        assert_eq!(
            message_of(StatusCode::BAD_REQUEST, "Origin is not allowed to make this request"),
            "Origin is not allowed to make this request"
        );
    }
}
