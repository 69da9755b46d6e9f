//! The trivial baselines, run as a child process (this binary with
//! `--trivial-server`) so that they are measured exactly like `cockpit serve`:
//! - `POST /api/v1/tickets` (and any ingest path): parses the JSON body, answers 202;
//! - `GET /ws`: an actix-ws screen that gets the latest frame, then every published one,
//!   through a bounded broadcast channel (skipping to the latest when it lags), the
//!   same structure as the cockpit hub minus the dashboards;
//! - `POST /publish`: the body becomes the latest frame and is broadcast, then 202.

use std::sync::Mutex;

use actix_web::web::{self, Bytes};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use bytestring::ByteString;
use futures_util::StreamExt;
use tokio::sync::broadcast;

struct Push {
    tx: broadcast::Sender<ByteString>,
    latest: Mutex<ByteString>,
}

async fn ingest(body: Bytes) -> HttpResponse {
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(_) => HttpResponse::Accepted().finish(),
        Err(e) => HttpResponse::BadRequest().body(e.to_string()),
    }
}

async fn publish(push: web::Data<Push>, body: Bytes) -> HttpResponse {
    let Ok(text) = ByteString::try_from(body) else {
        return HttpResponse::BadRequest().finish();
    };
    *push.latest.lock().unwrap_or_else(|p| p.into_inner()) = text.clone();
    let _ = push.tx.send(text);
    HttpResponse::Accepted().finish()
}

async fn ws(push: web::Data<Push>, req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    let (res, mut session, mut stream) = actix_ws::handle(&req, body)?;
    let mut rx = push.tx.subscribe();
    let first = push.latest.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let push = push.into_inner();
    actix_web::rt::spawn(async move {
        if session.text(first).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                m = rx.recv() => {
                    let text = match m {
                        Ok(t) => t,
                        Err(broadcast::error::RecvError::Lagged(_)) => push.latest.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                        Err(broadcast::error::RecvError::Closed) => return,
                    };
                    if session.text(text).await.is_err() { return; }
                }
                msg = stream.next() => match msg {
                    Some(Ok(actix_ws::Message::Ping(b))) => { if session.pong(&b).await.is_err() { return; } }
                    Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
            }
        }
    });
    Ok(res)
}

/// Runs the trivial server until killed; prints `TRIVIAL PORT n` once listening.
pub async fn serve() -> anyhow::Result<()> {
    let push = web::Data::new(Push {
        tx: broadcast::channel(16).0,
        latest: Mutex::new(ByteString::from_static(
            r#"{"type":"snapshot","data":{"figures":{"tickets_reported":0}}}"#,
        )),
    });
    let listener = cockpit::startup::listen("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(push.clone())
            .app_data(web::PayloadConfig::new(32 * 1024 * 1024))
            .route("/publish", web::post().to(publish))
            .route("/ws", web::get().to(ws))
            .route("/api/v1/{kind}", web::post().to(ingest))
    })
    .tcp_nodelay(true)
    .listen(listener)?
    .disable_signals()
    .run();
    println!("TRIVIAL PORT {port}");
    let handle = server.handle();
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
        handle.stop(false).await;
    });
    server.await?;
    Ok(())
}
