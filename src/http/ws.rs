//! `GET /api/v1/ws?scope=S`: upgrade to a screen session (see `hub::session`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::query::readable;
use crate::domain::screen::parse_screen_id;
use crate::error::ApiError;
use crate::hub::session;
use crate::presence::ScreenMeta;

/// Largest frame a screen may send: screens only send tiny control messages.
const MAX_FRAME: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/ws", web::get().to(upgrade));
}

#[derive(Deserialize)]
struct WsQuery {
    scope: Option<String>,
    /// The last `seq` a reconnecting screen saw (with its `epoch`).
    since: Option<u64>,
    /// The screen's own stable name, for screen health (kept across reconnects).
    screen: Option<String>,
}

async fn upgrade(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
    q: web::Query<WsQuery>,
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
    let (res, session, stream) = actix_ws::handle(&req, body).map_err(|e| ApiError::bad("not_websocket", e.to_string()))?;
    let stream = stream.max_frame_size(MAX_FRAME);
    actix_web::rt::spawn(session::run(state.hub.clone(), info, meta, q.since.is_some(), session, stream));
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
