//! Who may do what: scope-bound ingest keys, signed expiring screen tokens, the
//! admin token, Origin checks, rate limits, and no accidental open production.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with, today_at};
use cockpit::config::Secret;

pub(crate) const ADMIN: &str = "admin-secret-for-tests";
const SCREENS: &str = "screen-secret-for-tests";

pub(crate) async fn secured(b: &crate::helpers::Backend) -> TestApp {
    spawn_app_with(b, |s| {
        s.admin_token = Some(Secret::new(ADMIN));
        s.screen_secret = Some(Secret::new(SCREENS));
        s.allow_open = false;
    })
    .await
}

pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = app.client.request(method, format!("{}{path}", app.address));
    if let Some(b) = bearer {
        r = r.bearer_auth(b);
    }
    if let Some(body) = body {
        r = r.json(&body);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A ten-minute screen token for `scope`, issued with the admin token.
pub(crate) async fn screen_token(app: &TestApp, scope: &str) -> String {
    let body = serde_json::json!({"scope": scope, "ttl_secs": 600});
    let (status, t) = send(app, reqwest::Method::POST, "/api/v1/admin/screen-tokens", Some(ADMIN), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["token"].as_str().unwrap_or_default().to_owned()
}

async fn new_key(app: &TestApp, scope: &str) -> (String, String) {
    let (status, k) = send(
        app,
        reqwest::Method::POST,
        "/api/v1/admin/keys",
        Some(ADMIN),
        Some(json!({"scope": scope, "label": "kiosk"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{k}");
    (k["id"].as_str().unwrap().to_owned(), k["key"].as_str().unwrap().to_owned())
}

fn ticket(id: &str, scope: &str) -> Value {
    json!({"id": id, "scope": scope, "category": "garbage", "reported_at": today_at(10)})
}

crate::per_backend! {
    async fn ingest_keys_write_only_under_their_scope(b) {
        let app = secured(&b).await;
        let post = reqwest::Method::POST;
        let (status, _) = send(
            &app,
            post.clone(),
            "/api/v1/tickets",
            None,
            Some(ticket("k0", "nanan.nanping.zhengjie")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = send(&app, post.clone(), "/api/v1/admin/keys", None, Some(json!({"scope": "nanan"}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "creating keys needs the admin token");
        let (zj_id, zj) = new_key(&app, "nanan.nanping.zhengjie").await;
        let (_, xl) = new_key(&app, "nanan.nanpingzhen.xinglong").await;
        let (status, r) = send(
            &app,
            post.clone(),
            "/api/v1/tickets",
            Some(&zj),
            Some(ticket("k1", "nanan.nanping.zhengjie.g01")),
        )
        .await;
        assert_eq!((status, r["accepted"].as_i64()), (StatusCode::OK, Some(1)));
        let batch = json!([ticket("k2", "nanan.nanpingzhen.xinglong"), ticket("k3", "nanan")]);
        let (status, r) = send(&app, post.clone(), "/api/v1/tickets", Some(&zj), Some(batch)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["field"] == "scope" && x["reason"].as_str().unwrap().contains("outside")),
            "{r}"
        );
        // Xinglong's key cannot move Zhengjie's ticket.
        let step = json!({"id": "s1", "to": "dispatched", "at": today_at(20)});
        let (status, r) = send(&app, post.clone(), "/api/v1/tickets/k1/transitions", Some(&xl), Some(step.clone())).await;
        assert_eq!(
            (status, r["rejected"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("ticket_id")),
            "{r}"
        );
        let (status, _) = send(&app, post.clone(), "/api/v1/tickets/k1/transitions", Some(&zj), Some(step)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, listed) = send(&app, reqwest::Method::GET, "/api/v1/admin/keys", Some(ADMIN), None).await;
        assert_eq!(status, StatusCode::OK);
        let secret = zj.rsplit('_').next().unwrap();
        assert!(!listed.to_string().contains(secret), "secrets are never shown again");
        let (status, _) = send(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/admin/keys/{zj_id}"),
            Some(ADMIN),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(
            &app,
            post,
            "/api/v1/tickets",
            Some(&zj),
            Some(ticket("k4", "nanan.nanping.zhengjie")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked key is refused");
    }
}

crate::per_backend! {
    async fn screen_tokens_open_only_their_subtree(b) {
        let app = secured(&b).await;
        let token = |scope: &'static str| {
            let app = &app;
            async move {
                let (status, t) = send(
                    app,
                    reqwest::Method::POST,
                    "/api/v1/admin/screen-tokens",
                    Some(ADMIN),
                    Some(json!({"scope": scope, "ttl_secs": 600})),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{t}");
                t["token"].as_str().unwrap().to_owned()
            }
        };
        let community = token("nanan.nanping.zhengjie").await;
        let district = token("nanan").await;
        let ws = |scope: &str, token: Option<&str>| {
            let q = token.map(|t| format!("&token={t}")).unwrap_or_default();
            format!("ws://127.0.0.1:{}/api/v1/ws?scope={scope}{q}", app.port)
        };
        let (mut own, _) = tokio_tungstenite::connect_async(ws("nanan.nanping.zhengjie.g01", Some(&community)))
            .await
            .unwrap();
        use futures_util::StreamExt;
        assert!(own.next().await.unwrap().unwrap().to_text().unwrap().contains("snapshot"));
        for (scope, t, code) in [
            ("nanan.nanpingzhen.xinglong", Some(community.as_str()), "403"),
            ("nanan", Some(community.as_str()), "403"),
            ("nanan", None, "401"),
        ] {
            let err = tokio_tungstenite::connect_async(ws(scope, t)).await.expect_err("refused");
            assert!(err.to_string().contains(code), "{scope}: {err}");
        }
        tokio_tungstenite::connect_async(ws("nanan.nanpingzhen.xinglong", Some(&district)))
            .await
            .expect("the district wall sees everything under it");
        let (status, _) = send(&app, reqwest::Method::GET, "/api/v1/scopes/nanan/dashboard", Some(&community), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = send(
            &app,
            reqwest::Method::GET,
            "/api/v1/scopes/nanan.nanping.zhengjie/series?metric=attendance",
            Some(&community),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let expired = cockpit::auth::ScreenTokens::new(SCREENS).issue(&cockpit::domain::scope::Scope::parse("nanan").unwrap(), 1);
        let (status, body) = send(&app, reqwest::Method::GET, "/api/v1/scopes/nanan/dashboard", Some(&expired), None).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("screen token has expired"))
        );
    }
}

crate::per_backend! {
    async fn websocket_origins_are_checked(b) {
        let app = spawn_app_with(&b, |s| s.allowed_origins = vec!["https://wall.nanan.example".into()]).await;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let connect = |origin: &str| {
            let mut req = format!("ws://127.0.0.1:{}/api/v1/ws?scope=nanan", app.port)
                .into_client_request()
                .unwrap();
            req.headers_mut().insert("origin", origin.parse().unwrap());
            tokio_tungstenite::connect_async(req)
        };
        let err = connect("https://evil.example")
            .await
            .expect_err("a foreign page cannot open a screen");
        assert!(err.to_string().contains("403"), "{err}");
        connect("https://wall.nanan.example").await.expect("a configured origin can");
        connect(&format!("http://127.0.0.1:{}", app.port))
            .await
            .expect("the server's own pages can");
    }
}

crate::per_backend! {
    async fn rate_limits_answer_429_with_retry_after(b) {
        let app = spawn_app_with(&b, |s| {
            s.rate_per_second = 1;
            s.rate_burst = 3;
        })
        .await;
        let mut statuses = Vec::new();
        for i in 0..6 {
            let res = app
                .client
                .post(format!("{}/api/v1/tickets", app.address))
                .json(&ticket(&format!("k{i}"), "nanan"))
                .send()
                .await
                .unwrap();
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
            }
            statuses.push(res.status().as_u16());
        }
        assert_eq!(&statuses[..3], &[200, 200, 200], "the burst passes");
        assert!(statuses[3..].contains(&429), "then the address is slowed: {statuses:?}");
    }
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn production_refuses_to_start_open_unless_told() {
    let Some(b) = crate::helpers::production() else { return };
    let (_resources, mut settings) = crate::helpers::Resources::create(&b).await;
    settings.allow_open = false;
    let err = cockpit::startup::Application::build(settings.clone()).await.err().expect("refused");
    assert!(err.to_string().contains("OPEN"), "{err}");
    settings.admin_token = Some(Secret::new(ADMIN));
    let err = cockpit::startup::Application::build(settings)
        .await
        .err()
        .expect("half-secured is refused too");
    assert!(err.to_string().contains("screen_secret"), "{err}");
}

crate::per_backend! {
    async fn free_text_answers_need_an_api_key_for_the_scope(b) {
        let app = secured(&b).await;
        let (_, zj) = new_key(&app, "nanan.nanping.zhengjie").await;
        let (_, xl) = new_key(&app, "nanan.nanpingzhen.xinglong").await;
        let post = reqwest::Method::POST;
        let survey = json!({"id": "s1", "scope": "nanan.nanping.zhengjie", "title": "意见征集",
            "questions": [{"id": "say", "kind": "text", "title": "您的意见"}]});
        let (status, r) = send(&app, post.clone(), "/api/v1/surveys", Some(&zj), Some(survey)).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let answer = json!({"id": "r1", "scope": "nanan.nanping.zhengjie.g01", "at": today_at(5), "answers": {"say": "垃圾站太臭"}});
        let (status, r) = send(&app, post, "/api/v1/surveys/s1/responses", Some(&zj), Some(answer)).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let path = "/api/v1/scopes/nanan.nanping.zhengjie/surveys/s1/responses";
        let get = reqwest::Method::GET;
        let (status, _) = send(&app, get.clone(), path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no credential");
        let (_, token) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/admin/screen-tokens",
            Some(ADMIN),
            Some(json!({"scope": "nanan"})),
        )
        .await;
        let token = token["token"].as_str().unwrap().to_owned();
        let (status, _) = send(&app, get.clone(), path, Some(&token), None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a screen token shows figures, not what residents wrote"
        );
        let (status, _) = send(&app, get.clone(), path, Some(&xl), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another community's key");
        let (status, r) = send(&app, get.clone(), path, Some(&zj), None).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["responses"][0]["answers"]["say"], "垃圾站太臭");
        let (status, r) = send(&app, get, "/api/v1/scopes/nanan.nanping.zhengjie/surveys", Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "tallies read with a screen token: {r}");
        assert!(!r.to_string().contains("垃圾站太臭"), "tallies never quote free text");
    }
}
