//! A secured deployment: filing needs an `api_key` (the ingest keys of the v1
//! API, given as a field), bound to a scope; reading requests needs one too.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use cockpit::config::Secret;

const ADMIN: &str = "admin-secret-for-open311-tests";
const REQUESTS: &str = "/open311/v2/requests.json";

async fn new_key(app: &TestApp, scope: &str) -> String {
    let r = app
        .post_json("/api/v1/admin/keys", &json!({"scope": scope, "label": "open311"}), Some(ADMIN))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["key"].as_str().unwrap().to_owned()
}

/// A street-light report at a point, with `key` as its `api_key`.
pub fn report(key: Option<&str>) -> Vec<(&str, &str)> {
    let mut f = vec![
        ("jurisdiction_id", "nanan"),
        ("service_code", "street_light"),
        ("lat", "29.55"),
        ("long", "106.57"),
    ];
    if let Some(k) = key {
        f.push(("api_key", k));
    }
    f
}

fn error(r: &crate::form::Raw, status: u16, about: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let body: Value = r.json();
    assert_eq!(body[0]["code"], status, "{body}");
    assert!(body[0]["description"].as_str().unwrap().contains(about), "{body}");
}

crate::per_backend! {
    async fn a_secured_deployment_needs_an_api_key_bound_to_the_scope(b) {
        let app = spawn_app_with(&b, |s| {
            s.admin_token = Some(Secret::new(ADMIN));
            s.screen_secret = Some(Secret::new("screen-secret-for-open311-tests"));
            s.allow_open = false;
        })
        .await;
        let zj = new_key(&app, "nanan.nanping.zhengjie").await;
        let xl = new_key(&app, "nanan.nanpingzhen.xinglong").await;

        error(&app.form(REQUESTS, &report(None)).await, 403, "api_key");
        error(&app.form(REQUESTS, &report(Some("ck_0000_nope"))).await, 403, "api_key");
        error(&app.form(REQUESTS, &report(Some("not-a-key"))).await, 403, "api_key");

        let r = app.form(REQUESTS, &report(Some(&zj))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let zj_id = r.json()[0]["service_request_id"].as_str().unwrap().to_owned();

        let mut away = report(Some(&zj));
        away.push(("address_id", "nanpingzhen.xinglong"));
        error(&app.form(REQUESTS, &away).await, 403, "only under nanan.nanping.zhengjie");
        let mut elsewhere = report(Some(&zj));
        elsewhere[0] = ("jurisdiction_id", "nanan.nanpingzhen");
        error(&app.form(REQUESTS, &elsewhere).await, 403, "not in jurisdiction nanan.nanpingzhen");

        let mut named = report(Some(&xl));
        named.push(("address_string", "第一网格 3栋"));
        let r = app.form(REQUESTS, &named).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let xl_id = r.json()[0]["service_request_id"].as_str().unwrap().to_owned();

        // The header works as for the v1 ingest API.
        let r = app
            .post_json(
                REQUESTS,
                &json!({"service_code": "garbage", "address_id": "nanan.nanping.zhengjie.g02"}),
                Some(&zj),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);

        error(&app.raw_get(REQUESTS).await, 403, "api_key");
        let seen = app.get_with(REQUESTS, &[("api_key", &zj)]).await;
        assert_eq!(seen.status, 200, "{}", seen.text);
        let seen = seen.json();
        let scopes: Vec<&str> = seen.as_array().unwrap().iter().map(|t| t["address_id"].as_str().unwrap()).collect();
        assert_eq!(scopes.len(), 2, "{seen}");
        assert!(scopes.contains(&"nanan.nanping.zhengjie"), "no finer place: the key's own scope");
        assert!(scopes.contains(&"nanan.nanping.zhengjie.g02"));
        let mine = app
            .get_with(&format!("/open311/v2/requests/{zj_id}.json"), &[("api_key", &zj)])
            .await;
        assert_eq!(mine.status, 200, "{}", mine.text);
        error(
            &app.get_with(&format!("/open311/v2/requests/{xl_id}.json"), &[("api_key", &zj)])
                .await,
            404,
            "not found",
        );
        let theirs = app
            .get_with(&format!("/open311/v2/requests/{xl_id}.json"), &[("api_key", &xl)])
            .await
            .json();
        assert_eq!(
            theirs[0]["address_id"], "nanan.nanpingzhen.xinglong.g01",
            "the name matched within the key's scope"
        );

        let services = app.raw_get("/open311/v2/services.json").await;
        assert_eq!(services.status, 200, "the service list is public");
        assert_eq!(app.raw_get("/open311/v2/services/dispute.json").await.status, 200);
        app.stop().await;
    }
}
