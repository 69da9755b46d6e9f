//! SIGTERM: screens are closed with 1001 (going away) and the process exits promptly.

use std::time::Duration;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::procs::{Server, Workdir};

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_closes_screens_with_going_away_and_exits() {
    let dir = Workdir::new();
    let mut server = Server::new(&dir.0, &[]);
    server.start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws?scope=nanan", server.port))
        .await
        .unwrap();
    let first = ws.next().await.unwrap().unwrap();
    assert!(first.to_text().unwrap().contains(r#""type":"snapshot""#));
    let pid = server.pid();
    let took = tokio::task::spawn_blocking(move || server.term()).await.unwrap();
    let close = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Close(c) = m {
                return c;
            }
        }
        None
    })
    .await
    .unwrap();
    assert_eq!(
        close.map(|c| c.code),
        Some(CloseCode::Away),
        "pid {pid}: screens are told the server is going away"
    );
    assert!(took < Duration::from_secs(12), "exited in {took:?}");
}

/// SIGTERM while keep-alive clients ingest: new work stops at once (the
/// listener closes, each keep-alive connection gets `Connection: close` on its
/// next answer), what is in flight is finished, and the process exits as soon
/// as it is done. Every acknowledged record is there after a restart.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_drains_keep_alive_clients_and_exits_as_soon_as_done() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let dir = Workdir::new();
    let mut server = Server::new(&dir.0, &[("COCKPIT_RATE_PER_SECOND", "100000"), ("COCKPIT_RATE_BURST", "100000")]);
    server.start().await;
    let signalled = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let after_signal = Arc::new(AtomicUsize::new(0));
    let closing_answers = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (url, signalled, acked, after, closing) = (
            server.url("/api/v1/tickets"),
            signalled.clone(),
            acked.clone(),
            after_signal.clone(),
            closing_answers.clone(),
        );
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0.. {
                let t = serde_json::json!({"id": format!("c{c}-{i}"), "scope": "nanan.nanping", "category": "garbage", "reported_at": crate::procs::today_at(3)});
                let sent_after = signalled.load(Ordering::SeqCst);
                match client.post(&url).json(&t).timeout(Duration::from_secs(5)).send().await {
                    Ok(r) if r.status() == 200 => {
                        acked.fetch_add(1, Ordering::SeqCst);
                        if sent_after {
                            after.fetch_add(1, Ordering::SeqCst);
                            if r.headers().get("connection").is_some_and(|v| v == "close") {
                                closing.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                    }
                    Ok(r) => panic!("client {c}: {}", r.status()),
                    Err(_) if signalled.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("client {c}: {e}"),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    signalled.store(true, Ordering::SeqCst);
    let took = tokio::task::spawn_blocking(move || {
        let took = server.term();
        (took, server)
    })
    .await
    .unwrap();
    let (took, mut server) = took;
    for c in clients {
        c.await.unwrap();
    }
    let (after, closing) = (after_signal.load(Ordering::SeqCst), closing_answers.load(Ordering::SeqCst));
    eprintln!("exited {took:?} after SIGTERM; {after} answers after it, {closing} of them with Connection: close");
    assert!(took < Duration::from_secs(2), "exited {took:?} after SIGTERM");
    assert!(
        after <= 2 * 8,
        "{after} requests were taken after the signal: new work did not stop"
    );
    server.start().await;
    let figures: serde_json::Value = reqwest::get(server.url("/api/v1/scopes/nanan/dashboard"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        figures["figures"]["tickets_reported"].as_u64(),
        Some(acked.load(Ordering::SeqCst) as u64),
        "every acknowledged record is there, none twice"
    );
}
