//! `GET /api/v1/ws?scope=S`: admits a screen. This handler decides (scope,
//! token, origin, capacity) and answers `101` with the [`Admitted`] screen in the
//! response's extensions; `http::upgrade` then writes that answer and hands the
//! TCP stream to `hub::session`. A request without `Upgrade: websocket` never
//! reaches that path and is refused here.

use actix_http::ws;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::AppState;
use super::query::readable;
use super::upgrade::ViaUpgrade;
use crate::domain::scope::ScopeInfo;
use crate::domain::screen::parse_screen_id;
use crate::error::ApiError;
use crate::presence::ScreenMeta;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/ws", web::get().to(upgrade));
}

/// A screen this handler let in, for the upgrade path to serve.
pub struct Admitted {
    pub info: ScopeInfo,
    pub meta: ScreenMeta,
    /// The client reconnected naming the last `seq` it saw.
    pub resuming: bool,
}

#[derive(Deserialize)]
struct WsQuery {
    scope: Option<String>,
    /// The last `seq` a reconnecting screen saw (with its `epoch`).
    since: Option<u64>,
    /// The screen's own stable name, for screen health (kept across reconnects).
    screen: Option<String>,
}

async fn upgrade(state: web::Data<AppState>, req: HttpRequest, q: web::Query<WsQuery>) -> Result<HttpResponse, ApiError> {
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
    let mut handshake = ws::handshake(req.head()).map_err(|e| ApiError::bad("not_websocket", e.to_string()))?;
    if !req.extensions().contains::<ViaUpgrade>() {
        return Err(ApiError::bad("not_websocket", "a WebSocket upgrade has no request body"));
    }
    let mut res = HttpResponse::from(handshake.finish().map_into_boxed_body());
    res.extensions_mut().insert(Admitted {
        info,
        meta,
        resuming: q.since.is_some(),
    });
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
