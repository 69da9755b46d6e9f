//! `GET /api/v1/ws?scope=S`: admits a screen. This handler decides (scope,
//! token, origin, capacity), answers `101` through actix-ws and starts the
//! screen's session (`hub::session`). A request without `Upgrade: websocket` is
//! refused with 400 `not_websocket`.

use super::openapi::{At, Doc, param};
use super::routes::Endpoint;
use actix_http::BoxedPayloadStream;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, json};

use super::AppState;
use super::query::readable;
use crate::dashboard::Dashboard;
use crate::domain::screen::parse_screen_id;
use crate::error::ApiError;
use crate::hub::limit::FrameLimit;
use crate::hub::message::ScreenMessage;
use crate::hub::{Start, session};
use crate::presence::ScreenMeta;

pub fn routes() -> Vec<Endpoint> {
    vec![Endpoint::get("/api/v1/ws", upgrade).about(about)]
}

#[derive(Deserialize)]
struct WsQuery {
    scope: Option<String>,
    /// The last `seq` a reconnecting screen saw (with its `epoch`).
    since: Option<u64>,
    /// The epoch of `since`.
    epoch: Option<String>,
    /// The screen's own stable name, for screen health (kept across reconnects).
    screen: Option<String>,
}

async fn upgrade(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<WsQuery>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let raw = q
        .scope
        .as_deref()
        .ok_or_else(|| ApiError::bad("missing_scope", "add ?scope=<scope> to the URL"))?;
    state.access.origin(&req)?;
    let info = readable(&state, &req, raw).await?;
    if state.hub.screens() >= state.settings.max_screens {
        let max = state.settings.max_screens;
        return Err(ApiError::Overloaded(format!(
            "this instance serves its maximum of {max} screens; retry shortly or elsewhere"
        )));
    }
    let meta = screen_meta(&req, q.screen.as_deref())?;
    let start = match q.since {
        Some(since) => Start::Resume {
            since,
            epoch: q.epoch.clone(),
        },
        None => Start::Connect,
    };
    // Frames over the limit are refused as their header arrives, not once they are whole.
    let limited = FrameLimit::new(body.into_inner(), session::MAX_MESSAGE);
    let mut limited: Payload = Payload::Stream {
        payload: Box::pin(limited) as BoxedPayloadStream,
    };
    let body = web::Payload::from_request(&req, &mut limited)
        .await
        .map_err(|e| ApiError::bad("not_websocket", e.to_string()))?;
    let (res, ws, stream) = actix_ws::handle(&req, body).map_err(|e| ApiError::bad("not_websocket", e.to_string()))?;
    let stream = stream
        .max_frame_size(session::MAX_MESSAGE)
        .aggregate_continuations()
        .max_continuation_size(session::MAX_MESSAGE);
    actix_web::rt::spawn(session::run(state.hub.clone(), info, meta, start, ws, stream));
    Ok(res)
}

/// Who is connecting, as screen health lists it.
fn screen_meta(req: &HttpRequest, screen: Option<&str>) -> Result<ScreenMeta, ApiError> {
    let screen = screen
        .map(parse_screen_id)
        .transpose()
        .map_err(|why| ApiError::bad("invalid_screen", why))?;
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    Ok(ScreenMeta {
        screen,
        address: req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default(),
        user_agent,
    })
}

/// The upgrade, and the frames that follow it.
fn about(d: &mut Doc, at: At) {
    let message = d.schema::<ScreenMessage<'static, Dashboard>>();
    let mut r = Map::new();
    r.insert(
        "101".into(),
        json!({"description": "Switching to WebSocket; the server then sends ScreenMessage frames", "content": {"application/json": {"schema": message}}}),
    );
    r.extend(d.errors(&[
        ("400", "Missing or malformed scope"),
        ("403", "Token for another scope, or a foreign Origin"),
        ("404", "Unknown scope"),
        ("503", "This instance serves its maximum of screens"),
    ]));
    let ws_params = vec![
        param(
            "scope",
            "query",
            true,
            json!({"$ref": "#/components/schemas/Scope"}),
            "The scope to watch",
        ),
        param(
            "token",
            "query",
            false,
            json!({"type": "string"}),
            "A screen token (secured deployments)",
        ),
        param(
            "since",
            "query",
            false,
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
            "The last seq a reconnecting screen saw",
        ),
    ];
    d.op(
        at,
        "screens",
        "Open a screen (WebSocket upgrade)",
        "screenToken",
        ws_params,
        None,
        r,
    );
}
