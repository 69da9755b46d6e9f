//! Screens: a snapshot at once, coalesced updates with `seq` growing by one,
//! resync on request, and only the scopes a change touches.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{spawn_app, today_at};

const WAIT: Duration = Duration::from_secs(3);

crate::per_backend! {
    async fn a_screen_gets_a_snapshot_then_updates_in_sequence(b) {
        let app = spawn_app(&b).await;
        let mut screen = app.screen("nanan.nanping.zhengjie").await;
        let snap = screen.next(WAIT).await.expect("a snapshot at once");
        assert_eq!(
            (snap["type"].as_str(), snap["scope"].as_str()),
            (Some("snapshot"), Some("nanan.nanping.zhengjie"))
        );
        assert_eq!(snap["data"]["figures"]["tickets_reported"].as_i64(), Some(0));
        let seq = snap["seq"].as_u64().unwrap();
        let epoch = snap["epoch"].as_str().unwrap().to_owned();
        for (n, id) in ["k1", "k2"].iter().enumerate() {
            let t = json!({"id":id,"scope":"nanan.nanping.zhengjie.g01","category":"garbage","reported_at":today_at(10)});
            app.ingest("/api/v1/tickets", t).await;
            let want = n as i64 + 1;
            let up = screen
                .until(WAIT, |m| m["data"]["figures"]["tickets_reported"].as_i64() == Some(want))
                .await
                .expect("an update");
            assert_eq!(up["type"], "update");
            assert_eq!(up["seq"].as_u64(), Some(seq + n as u64 + 1), "seq grows by one per message: {up}");
            assert_eq!(up["epoch"].as_str(), Some(epoch.as_str()));
        }
        // A resync gets a new seq, never one the screen has seen already.
        screen.send(r#"{"type":"resync"}"#).await;
        let again = screen.next(WAIT).await.unwrap();
        assert_eq!((again["type"].as_str(), again["seq"].as_u64()), (Some("snapshot"), Some(seq + 3)));
        assert_eq!(again["reason"], "resync");
        assert_eq!(again["data"]["figures"]["tickets_reported"].as_i64(), Some(2));
    }
}

crate::per_backend! {
    async fn updates_reach_ancestors_and_only_them(b) {
        let app = spawn_app(&b).await;
        let mut district = app.screen("nanan").await;
        let mut other = app.screen("nanan.nanpingzhen.xinglong").await;
        district.next(WAIT).await.unwrap();
        other.next(WAIT).await.unwrap();
        let t = json!({"id":"k1","scope":"nanan.nanping.zhengjie.g03","category":"street_light","reported_at":today_at(10)});
        app.ingest("/api/v1/tickets", t).await;
        let up = district
            .until(WAIT, |m| m["type"] == "update")
            .await
            .expect("the district sees its grid");
        assert_eq!(up["data"]["figures"]["tickets_open"].as_i64(), Some(1));
        assert!(
            other.until(Duration::from_millis(500), |m| m["type"] == "update").await.is_none(),
            "Xinglong is not under Zhengjie"
        );
    }
}

crate::per_backend! {
    async fn a_burst_is_coalesced_into_few_updates(b) {
        let app = spawn_app(&b).await;
        let mut screen = app.screen("nanan").await;
        let first = screen.next(WAIT).await.unwrap();
        let started = std::time::Instant::now();
        for i in 0..20 {
            let t = json!({"id":format!("k{i}"),"scope":"nanan.nanping","category":"garbage","reported_at":today_at(10)});
            app.ingest("/api/v1/tickets", t).await;
        }
        // Every message up to the final figure: consecutive seqs, far fewer than 20.
        let mut seqs = vec![first["seq"].as_u64().unwrap()];
        loop {
            let m = screen.next(WAIT).await.expect("the final figure arrives");
            seqs.push(m["seq"].as_u64().unwrap());
            assert_eq!(m["type"], "update", "{m}");
            if m["data"]["figures"]["tickets_reported"].as_i64() == Some(20) {
                break;
            }
        }
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{b:?}: no gap: {seqs:?}");
        // At most one update per 50 ms window (the tests' coalesce_ms) while they arrived.
        let windows = started.elapsed().as_millis() as usize / 50 + 2;
        let updates = seqs.len() - 1;
        assert!(
            updates <= windows.min(19),
            "{b:?}: 20 ingests in {windows} windows gave {updates} updates: {seqs:?}"
        );
    }
}

crate::per_backend! {
    async fn unknown_scopes_are_refused_before_upgrade(b) {
        let app = spawn_app(&b).await;
        let res = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws?scope=nanan.nowhere", app.port)).await;
        let err = res.expect_err("no such scope");
        assert!(err.to_string().contains("404"), "{err}");
    }
}

crate::per_backend! {
    /// A refused upgrade is an ordinary API error (status, JSON body naming the
    /// problem) on a connection that then closes; a plain GET of the WebSocket URL,
    /// without `Upgrade`, is a 400 that says so.
    async fn refused_upgrades_answer_in_the_api_error_form(b) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app = spawn_app(&b).await;
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
        let request = "GET /api/v1/ws?scope=nanan.nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
                       Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(WAIT, tcp.read_to_string(&mut answer))
            .await
            .expect("the server closes a refused upgrade")
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(
            body["code"].is_string() && body["message"].as_str().unwrap().contains("nanan.nowhere"),
            "{body}"
        );

        let (status, body) = app.get("/api/v1/ws?scope=nanan").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("not_websocket")), "{body}");
    }
}
