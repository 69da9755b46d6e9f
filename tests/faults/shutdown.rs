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
