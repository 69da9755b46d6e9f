//! The edge every request passes: NUL bytes refused where they enter, 405 with
//! `Allow`, HEAD wherever GET, JSON errors whoever produced them, JSON bodies
//! declared as JSON, bounded metric labels, failed authentication slowed down,
//! forwarded headers believed only from trusted proxies.

use std::io::Write;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{backends, spawn_app, spawn_app_with, today_at};
use cockpit::config::Secret;

fn ticket(id: &str) -> Value {
    json!({"id": id, "scope": "nanan.nanping", "category": "garbage", "reported_at": today_at(10)})
}

async fn send(app: &crate::helpers::TestApp, method: Method, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = app.client.request(method, format!("{}{path}", app.address)).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.unwrap())
}

/// The error form of the API: JSON `{code, message}`.
fn api_error(body: &str) -> Value {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
    v
}

crate::per_backend! {
    async fn a_nul_in_a_url_is_a_4xx_naming_the_parameter_on_every_route(b) {
        let cases = [
            (Method::POST, "/api/v1/tickets/%00/transitions", "id"),
            (Method::POST, "/api/v1/surveys/a%00b/responses", "id"),
            (Method::GET, "/open311/v2/requests/%00.json", "id"),
            (Method::GET, "/open311/v2/services/%00.json", "code"),
            (Method::DELETE, "/api/v1/admin/keys/%00", "id"),
            (Method::DELETE, "/api/v1/admin/alerts/rules/%00", "id"),
            (Method::GET, "/api/v1/scopes/nan%00an/dashboard", "scope"),
            (Method::GET, "/api/v1/scopes/nanan/series?metric=tickets_open%00&days=3", "metric"),
            (Method::GET, "/api/v1/scopes/nanan/dashboard?day=%00", "day"),
        ];
        let app = spawn_app(&b).await;
        for (method, path, field) in &cases {
            let res = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .header("content-type", "application/json")
                .body(json!({"id": "x", "to": "dispatched", "at": today_at(5)}).to_string())
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body = res.text().await.unwrap();
            assert_eq!(status, StatusCode::BAD_REQUEST, "{b:?} {method} {path}: {body}");
            let e = api_error(&body);
            assert!(e["message"].as_str().unwrap().contains(&format!("`{field}`")), "{path}: {e}");
        }
        // JSON bodies of the admin routes too: refused as bad input, never as an outage.
        let (status, e) = app
            .post("/api/v1/admin/scopes", &json!([{"id": "nanan.x", "name": "a\u{0}b"}]))
            .await;
        assert!((400..500).contains(&status), "{b:?}: {status} {e}");
        let (status, e) = app.post("/api/v1/admin/keys", &json!({"scope": "nanan", "label": "\u{0}"})).await;
        assert!((400..500).contains(&status), "{b:?}: {status} {e}");
        assert_eq!(app.get("/readyz").await.0, 200, "{b:?}: nothing looked like an outage");
    }
}

crate::per_backend! {
    async fn one_clients_nul_never_fails_another_clients_records(b) {
        let app = spawn_app(&b).await;
        let mut good = Vec::new();
        for i in 0..200 {
            let (client, url) = (app.client.clone(), format!("{}/api/v1/tickets", app.address));
            good.push(tokio::spawn(async move {
                client.post(url).json(&ticket(&format!("g{i}"))).send().await.unwrap().status()
            }));
        }
        let mut bad = Vec::new();
        for i in 0..20 {
            let (client, base) = (app.client.clone(), app.address.clone());
            bad.push(tokio::spawn(async move {
                let step = json!({"id": format!("s{i}"), "to": "dispatched", "at": today_at(5)});
                let a = client
                    .post(format!("{base}/api/v1/tickets/%00/transitions"))
                    .json(&step)
                    .send()
                    .await
                    .unwrap();
                let mut t = ticket(&format!("b{i}"));
                t["description"] = json!("zero\u{0}byte");
                let b = client.post(format!("{base}/api/v1/tickets")).json(&t).send().await.unwrap();
                (a.status(), b.status(), b.json::<Value>().await.unwrap())
            }));
        }
        for g in good {
            assert_eq!(g.await.unwrap(), StatusCode::OK, "{b:?}: a good request failed");
        }
        for x in bad {
            let (a, b2, report) = x.await.unwrap();
            assert_eq!(a, StatusCode::BAD_REQUEST);
            assert_eq!(b2, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(report["rejected"][0]["field"], "description", "{report}");
        }
        assert_eq!(app.figures("nanan").await["tickets_reported"].as_i64(), Some(200), "{b:?}");
        let metrics = app.text("/metrics").await;
        let errors = metrics
            .lines()
            .find(|l| l.starts_with(r#"cockpit_backend_errors_total{backend="records"}"#))
            .map_or("0", |l| l.rsplit(' ').next().unwrap_or("0"));
        assert_eq!(errors, "0", "{b:?}: bad input is not a database error");
    }
}

crate::per_backend! {
    async fn an_undeclared_method_is_405_with_allow_and_head_works_wherever_get_does(b) {
        let app = spawn_app(&b).await;
        let (status, headers, body) = send(&app, Method::PUT, "/api/v1/tickets").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(headers["allow"], "POST");
        assert_eq!(api_error(&body)["code"], "method_not_allowed");
        let (status, headers, _) = send(&app, Method::DELETE, "/api/v1/scopes/nanan/dashboard").await;
        assert_eq!(
            (status, headers["allow"].to_str().unwrap()),
            (StatusCode::METHOD_NOT_ALLOWED, "GET, HEAD")
        );
        let brew = Method::from_bytes(b"BREW").unwrap();
        let (status, headers, _) = send(&app, brew, "/api/v1/admin/keys").await;
        assert_eq!(
            (status, headers["allow"].to_str().unwrap()),
            (StatusCode::METHOD_NOT_ALLOWED, "POST, GET, HEAD")
        );
        let (status, _, body) = send(&app, Method::GET, "/api/v1/nothing-here").await;
        assert_eq!(
            (status, api_error(&body)["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        for path in ["/healthz", "/api/v1/scopes", "/api/v1/scopes/nanan/dashboard", "/metrics", "/"] {
            let (status, headers, body) = send(&app, Method::HEAD, path).await;
            assert_eq!(status, StatusCode::OK, "HEAD {path}");
            assert!(body.is_empty(), "HEAD {path} has no body");
            assert!(headers.contains_key("content-type"), "HEAD {path} says what GET would send");
        }
    }
}

#[tokio::test]
async fn every_error_is_json_whoever_produced_it() {
    let b = &backends()[0];
    let app = spawn_app_with(b, |s| s.allowed_origins = vec!["https://wall.example".into()]).await;
    // Over the JSON limit of an admin route (1 MiB).
    let big = json!({"scope": "nanan", "label": "x".repeat(2 * 1024 * 1024)});
    let (status, e) = app.post("/api/v1/admin/keys", &big).await;
    assert_eq!((status, e["code"].as_str()), (413, Some("too_large")), "{e}");
    // A gzip body that is not gzip.
    let res = app
        .client
        .post(format!("{}/api/v1/tickets", app.address))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let e = api_error(&body);
    assert!(!body.contains("Custom {") && !body.contains("kind:"), "no Rust debug text: {e}");
    // A refused CORS preflight.
    let res = app
        .client
        .request(Method::OPTIONS, format!("{}/api/v1/tickets", app.address))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    api_error(&res.text().await.unwrap());
    // A good record still lands after all that.
    app.ingest("/api/v1/tickets", ticket("after")).await;
}

crate::per_backend! {
    async fn ingest_bodies_must_be_declared_json(b) {
        let app = spawn_app(&b).await;
        for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let res = app
                .client
                .post(format!("{}/api/v1/tickets", app.address))
                .header("content-type", ct)
                .body(ticket("t").to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
            assert_eq!(api_error(&res.text().await.unwrap())["code"], "unsupported_media_type");
        }
        let res = app
            .client
            .post(format!("{}/api/v1/tickets", app.address))
            .header("content-type", "application/json; charset=utf-8")
            .body(ticket("ok").to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.figures("nanan").await["tickets_reported"].as_i64(), Some(1), "{b:?}");
    }
}

#[tokio::test]
async fn made_up_methods_share_one_metrics_label() {
    let app = spawn_app(&backends()[0]).await;
    let before = app.text("/metrics").await.len();
    for i in 0..300 {
        let m = Method::from_bytes(format!("M{i:03}X").as_bytes()).unwrap();
        let _ = app
            .client
            .request(m, format!("{}/api/v1/scopes", app.address))
            .send()
            .await
            .unwrap();
    }
    let after = app.text("/metrics").await;
    assert!(!after.contains("M150X"), "a made-up method is not a label value");
    assert!(after.contains(r#"method="other""#));
    assert!(after.len() < before + 4096, "/metrics grew from {before} to {} bytes", after.len());
}

#[tokio::test]
async fn a_wrong_admin_token_is_slowed_down_on_every_route() {
    let app = spawn_app_with(&backends()[0], |s| {
        s.admin_token = Some(Secret::new("right"));
        s.screen_secret = Some(Secret::new("screens"));
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..60 {
        let res = app
            .client
            .get(format!("{}/api/v1/admin/keys", app.address))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(limited >= 30, "{limited} of 60 wrong tokens were refused with 429");
    // The same address is refused on other routes too, even with the right token.
    let res = app
        .client
        .get(format!("{}/api/v1/admin/keys", app.address))
        .bearer_auth("right")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app_with(&backends()[0], |s| {
        s.admin_token = Some(Secret::new("right"));
        s.screen_secret = Some(Secret::new("screens"));
    })
    .await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let res = app
            .client
            .get(format!("{}/api/v1/admin/keys", app.address))
            .header("authorization", format!("{scheme} right"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{scheme}");
    }
}

/// A WebSocket upgrade written by hand, with chosen headers; the status line's code.
async fn upgrade_status(port: u16, headers: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!(
        "GET /api/v1/ws?scope=nanan HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{headers}\r\n"
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tcp.read_exact(&mut head).await.unwrap();
    String::from_utf8_lossy(&head[9..12]).into_owned()
}

#[tokio::test]
async fn forwarded_headers_make_an_origin_ours_only_from_a_trusted_proxy() {
    let b = &backends()[0];
    let spoof = "Origin: http://evil.example\r\nX-Forwarded-Host: evil.example\r\nForwarded: host=evil.example\r\n";
    let direct = spawn_app(b).await;
    assert_eq!(
        upgrade_status(direct.port, spoof).await,
        "403",
        "a client's own forwarded headers are ignored"
    );
    let own = format!("Origin: http://127.0.0.1:{}\r\n", direct.port);
    assert_eq!(upgrade_status(direct.port, &own).await, "101", "the page's own origin is fine");
    let proxied = spawn_app_with(b, |s| s.trusted_proxies = vec!["127.0.0.1/32".into()]).await;
    assert_eq!(
        upgrade_status(proxied.port, spoof).await,
        "101",
        "a trusted proxy forwards the host the browser asked for"
    );
    let _ = std::io::stderr().flush();
}

/// A value only the database refuses (here a real PostgreSQL trigger, as a DBA's
/// constraint would) fails its own record, and no other client's record in the
/// same group commit.
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_value_the_database_refuses_fails_only_its_own_record() {
    let Some(b) = crate::helpers::production() else {
        panic!("no PostgreSQL and Redis: run scripts/test.sh");
    };
    let app = spawn_app(&b).await;
    let url = app.settings.database_url.as_ref().unwrap().expose().to_owned();
    let mut db = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
    for sql in [
        "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.body LIKE '%poison%' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '22023'; END IF; \
         RETURN NEW; END $$",
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
    ] {
        sqlx::query(sql).execute(&mut db).await.unwrap();
    }
    let mut requests = Vec::new();
    for i in 0..120 {
        let (client, url) = (app.client.clone(), format!("{}/api/v1/tickets", app.address));
        let body = if i % 10 == 0 {
            let mut bad = ticket(&format!("p{i}"));
            bad["description"] = json!("poison");
            json!([ticket(&format!("a{i}")), bad, ticket(&format!("z{i}"))])
        } else {
            ticket(&format!("g{i}"))
        };
        requests.push(tokio::spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            (i, r.status(), r.json::<Value>().await.unwrap())
        }));
    }
    for r in requests {
        let (i, status, body) = r.await.unwrap();
        if i % 10 == 0 {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["accepted"], 2, "{body}");
            assert_eq!(body["rejected"][0]["index"], 1, "{body}");
        } else {
            assert_eq!(status, StatusCode::OK, "request {i}: {body}");
        }
    }
    // 108 single tickets and 2 good ones from each of the 12 mixed batches. (An
    // answer waits at most 100 ms for its projection: under load the figure may
    // follow a moment later.)
    let mut reported = serde_json::Value::Null;
    for _ in 0..40 {
        reported = app.figures("nanan").await["tickets_reported"].clone();
        if reported == 132 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(reported, 132);
}

#[tokio::test]
async fn metrics_need_the_metrics_token_when_one_is_set_and_requests_carry_an_id() {
    let b = &backends()[0];
    let app = spawn_app_with(b, |s| s.metrics_token = Some(Secret::new("metrics-token-for-tests"))).await;
    let url = format!("{}/metrics", app.address);
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app.client.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app.client.get(&url).bearer_auth("metrics-token-for-tests").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert!(id.is_some_and(|id| !id.is_empty()), "every answer names its request");
    assert!(r.text().await.unwrap().contains("cockpit_build_info"));
    let r = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "nginx-4f2a")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "nginx-4f2a", "a proxy's request id is kept");
}
