//! The WebSocket upgrade path. actix-http hands every request that carries
//! `Upgrade: websocket` to this service, together with its connection, instead
//! of dispatching it as a plain request.
//!
//! Who may connect is not decided here: the request runs through the same
//! actix-web app (routes, middleware, `ws::upgrade`'s checks) as any other. What
//! changes is what follows a `101`: the connection leaves actix-http's HTTP/1
//! dispatcher, which would keep an 8 KiB read and an 8 KiB write buffer for the
//! life of every screen, and `hub::session` drives the bare TCP stream. Any other
//! answer (`401`, `404`, `503`, …) is written as it is and the connection closed.

use std::io;
use std::rc::Rc;

use actix_codec::Framed;
use actix_http::body::{BodySize, BoxBody, MessageBody};
use actix_http::{ConnectionType, HttpMessage, Request, Response, StatusCode, h1};
use actix_web::dev::{AppConfig, Service, ServiceFactory, ServiceResponse, fn_factory, fn_service};
use futures_util::SinkExt;
use tokio::net::TcpStream;

use super::ws::Admitted;
use crate::hub::socket::ScreenSocket;
use crate::hub::{Hub, session};

/// What actix-http gives the upgrade service.
pub type Upgrade = (Request, Framed<TcpStream, h1::Codec>);

/// Marks a request that came through this path: only such a request may be
/// answered `101` (a request actix-http dispatched normally, say a `GET` with
/// `Upgrade` headers and a chunked body, would get a 101 and no session).
pub struct ViaUpgrade;

/// The upgrade service for one worker, answering through its own instance of the
/// app (`app` is that app, already made into a factory).
pub fn service<A, B>(hub: Hub, app: A) -> impl ServiceFactory<Upgrade, Config = (), Response = (), Error = actix_web::Error, InitError = ()>
where
    A: ServiceFactory<Request, Config = AppConfig, Response = ServiceResponse<B>, Error = actix_web::Error, InitError = ()> + 'static,
    B: MessageBody + 'static,
{
    fn_factory(move || {
        let made = app.new_service(AppConfig::default());
        let hub = hub.clone();
        async move {
            let app = Rc::new(made.await?);
            Ok(fn_service(move |(req, framed): Upgrade| {
                answer(hub.clone(), app.clone(), req, framed)
            }))
        }
    })
}

/// Runs the request through the app; serves the screen it admitted, or writes the refusal.
async fn answer<S, B>(hub: Hub, app: Rc<S>, req: Request, framed: Framed<TcpStream, h1::Codec>) -> Result<(), actix_web::Error>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    req.extensions_mut().insert(ViaUpgrade);
    let mut res: Response<BoxBody> = match app.call(req).await {
        Ok(res) => res.map_into_boxed_body().into(),
        Err(e) => e.error_response().into(),
    };
    let admitted = res.extensions_mut().remove::<Admitted>();
    let (head, body) = res.into_parts();
    let written = match admitted {
        Some(screen) if head.status() == StatusCode::SWITCHING_PROTOCOLS => serve(hub, screen, head, framed).await,
        _ => refuse(framed, head, body).await,
    };
    // A client gone before its answer was written is not the server's error
    // (actix-http would log an upgrade error at error level).
    if let Err(e) = written {
        tracing::debug!(error = %e, "screen upgrade: the client left before its answer was written");
    }
    Ok(())
}

/// Writes the `101`, then hands the bare stream to the screen's session.
async fn serve(hub: Hub, screen: Admitted, head: Response<()>, mut framed: Framed<TcpStream, h1::Codec>) -> io::Result<()> {
    framed.send(h1::Message::Item((head, BodySize::None))).await?;
    let parts = framed.into_parts();
    let socket = ScreenSocket::new(parts.io, parts.read_buf);
    session::run(hub, screen.info, screen.meta, screen.resuming, socket).await;
    Ok(())
}

/// Writes a non-`101` answer whole, then closes the connection.
async fn refuse(mut framed: Framed<TcpStream, h1::Codec>, mut head: Response<()>, body: BoxBody) -> io::Result<()> {
    head.head_mut().set_connection_type(ConnectionType::Close);
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    framed.send(h1::Message::Item((head, BodySize::Sized(bytes.len() as u64)))).await?;
    framed.send(h1::Message::Chunk(Some(bytes))).await?;
    framed.send(h1::Message::Chunk(None)).await?;
    framed.close().await
}
