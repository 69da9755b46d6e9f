//! Screens that never read: each connection's queue is bounded, so the server's
//! memory stays bounded and the healthy screens keep getting current figures.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::procs::{Server, Workdir, today_at};

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Completes a WebSocket handshake by hand, then never reads again.
async fn deaf_screen(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!(
        "GET /api/v1/ws?scope=nanan HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 101");
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_deaf_screens_bound_memory_and_delay_nobody() {
    let dir = Workdir::new();
    let mut server = Server::new(&dir.0, &[("COCKPIT_COALESCE_MS", "0")]);
    server.start().await;
    let client = reqwest::Client::new();
    let (mut healthy, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws?scope=nanan", server.port))
        .await
        .unwrap();
    let mut deaf = Vec::new();
    for _ in 0..200 {
        deaf.push(deaf_screen(server.port).await);
    }
    let before = rss_kib(server.pid());
    // Fat updates (many categories) fill the deaf screens' socket buffers quickly.
    for round in 0..300 {
        let batch: Vec<Value> = (0..20)
            .map(|i| json!({"id": format!("k{round}-{i}"), "scope": "nanan.nanping.zhengjie.g01", "category": format!("cat-{}", (round * 20 + i) % 400), "reported_at": today_at(5)}))
            .collect();
        let r = client.post(server.url("/api/v1/tickets")).json(&batch).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let last = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(m)) = healthy.next().await {
            if let Ok(t) = m.to_text()
                && t.contains(r#""tickets_reported":6000"#)
            {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        last.ok(),
        Some(true),
        "the healthy screen saw the final figure despite 200 deaf ones"
    );
    let after = rss_kib(server.pid());
    let grown_mib = after.saturating_sub(before) as f64 / 1024.0;
    eprintln!("RSS with 200 deaf screens: {before} KiB -> {after} KiB (+{grown_mib:.1} MiB)");
    assert!(grown_mib <= 64.0, "server memory grew by {grown_mib:.1} MiB");
    drop(deaf);
}

/// A screen that reads, but slowly (a message every 300 ms while the district is
/// busy): it is never more than a few seconds behind. It is caught up with a
/// `lagged` snapshot (or dropped, and told), whatever the kernel's buffers hold.
#[tokio::test(flavor = "multi_thread")]
async fn a_slow_reader_is_never_more_than_a_few_seconds_behind() {
    let dir = Workdir::new();
    let mut server = Server::new(&dir.0, &[("COCKPIT_COALESCE_MS", "20")]);
    server.start().await;
    let (mut slow, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws?scope=nanan", server.port))
        .await
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flood = {
        let (stop, url) = (stop.clone(), server.url("/api/v1/tickets"));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut round = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let batch: Vec<Value> = (0..20)
                    .map(|i| json!({"id": format!("s{round}-{i}"), "scope": "nanan.nanping.zhengjie.g01", "category": format!("cat-{}", (round * 20 + i) % 300), "reported_at": today_at(5)}))
                    .collect();
                let _ = client.post(&url).json(&batch).send().await;
                round += 1;
            }
        })
    };
    let started = std::time::Instant::now();
    let (mut worst, mut lagged, mut read, mut closed) = (Duration::ZERO, 0, 0, false);
    while started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        match tokio::time::timeout(Duration::from_secs(5), slow.next()).await {
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => {
                read += 1;
                let m: Value = serde_json::from_str(&t).unwrap();
                lagged += usize::from(m["reason"] == "lagged");
                let as_of: jiff::Timestamp = m["data"]["as_of"].as_str().unwrap().parse().unwrap();
                let behind = jiff::Timestamp::now().duration_since(as_of).unsigned_abs();
                if started.elapsed() > Duration::from_secs(3) {
                    worst = worst.max(behind);
                }
            }
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_)))) | Ok(None) => {
                closed = true;
                break;
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("the slow screen got {other:?}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = flood.await;
    eprintln!("slow screen: read {read}, {lagged} lagged snapshots, worst {worst:?} behind, closed: {closed}");
    assert!(lagged > 0 || closed, "it was told it fell behind");
    assert!(worst <= Duration::from_secs(5), "it was {worst:?} behind");
}
