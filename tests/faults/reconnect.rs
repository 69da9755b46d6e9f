//! A server restart with 1,000 screens connected: every screen, reconnecting by
//! itself with jittered back-off (as the wall screen does), is back on the new
//! instance with current figures within 10 s.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::procs::{Server, Workdir, today_at};

const SCREENS: usize = 1000;

/// One screen: connects, and after any loss reconnects with jittered exponential
/// back-off; counts itself "current" once a snapshot shows `want` tickets.
async fn screen(port: u16, want: Arc<AtomicUsize>, current: Arc<AtomicUsize>) {
    let mut backoff = Duration::from_millis(100);
    let mut counted = false;
    loop {
        if let Ok((mut ws, _)) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/api/v1/ws?scope=nanan")).await {
            backoff = Duration::from_millis(100);
            while let Some(Ok(m)) = ws.next().await {
                let Ok(text) = m.to_text() else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text) else { continue };
                let shows = v["data"]["figures"]["tickets_reported"].as_u64().unwrap_or(0) as usize;
                let is_current = shows == want.load(Ordering::SeqCst);
                if is_current && !counted {
                    counted = true;
                    current.fetch_add(1, Ordering::SeqCst);
                } else if !is_current && counted {
                    counted = false;
                    current.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
        if counted {
            counted = false;
            current.fetch_sub(1, Ordering::SeqCst);
        }
        let jitter = rand::random_range(0.7..1.3);
        tokio::time::sleep(backoff.mul_f64(jitter)).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn wait_for(current: &AtomicUsize, n: usize, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if current.load(Ordering::SeqCst) >= n {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_screens_are_back_and_current_within_ten_seconds_of_a_restart() {
    let dir = Workdir::new();
    let mut server = Server::new(&dir.0, &[]);
    server.start().await;
    let client = reqwest::Client::new();
    let url = server.url("/api/v1/tickets");
    let post = |id: &str| {
        client
            .post(&url)
            .json(&json!({"id": id, "scope": "nanan.nanping", "category": "garbage", "reported_at": today_at(5)}))
            .send()
    };
    assert_eq!(post("k1").await.unwrap().status(), 200);
    let want = Arc::new(AtomicUsize::new(1));
    let current = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..SCREENS)
        .map(|_| tokio::spawn(screen(server.port, want.clone(), current.clone())))
        .collect();
    assert!(
        wait_for(&current, SCREENS, Duration::from_secs(30)).await.is_some(),
        "all {SCREENS} screens connect first"
    );

    server.term();
    want.store(2, Ordering::SeqCst); // what "current" means after the restart
    server.start().await;
    let restarted = Instant::now();
    assert_eq!(post("k2").await.unwrap().status(), 200);
    let back = wait_for(&current, SCREENS, Duration::from_secs(10)).await;
    let n = current.load(Ordering::SeqCst);
    eprintln!("{n}/{SCREENS} screens current {:?} after the restart", restarted.elapsed());
    assert!(back.is_some(), "only {n} of {SCREENS} screens were back and current within 10 s");
    for t in tasks {
        t.abort();
    }
}
