//! What a deployment meets with stock clients: a date-only window covers its
//! whole day, a photo upload gets the documented refusal, and on a secured
//! deployment with `open311.public_reads` clients that send no `api_key` can
//! read (never file).

use serde_json::json;

use crate::helpers::{backends, local_day, spawn_app, spawn_app_with};
use crate::secured::report;
use cockpit::config::Secret;

const REQUESTS: &str = "/open311/v2/requests.json";
const ADMIN: &str = "admin-secret-for-open311-public-reads";

crate::per_backend! {
    async fn a_date_only_window_covers_the_whole_day(b) {
        let app = spawn_app(&b).await;
        let r = app.form(REQUESTS, &report(None)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let today = local_day(0);
        let r = app.get_with(REQUESTS, &[("start_date", &today), ("end_date", &today)]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.json().as_array().map(Vec::len),
            Some(1),
            "{b:?}: today's report is in today's window: {}",
            r.text
        );
        let yesterday = local_day(1);
        let r = app
            .get_with(REQUESTS, &[("start_date", &yesterday), ("end_date", &yesterday)])
            .await;
        assert_eq!(r.json().as_array().map(Vec::len), Some(0), "{b:?}: {}", r.text);
    }
}

#[tokio::test]
async fn a_multipart_photo_upload_gets_the_documented_refusal() {
    let b = &backends()[0];
    let app = spawn_app(b).await;
    let boundary = "XyZ";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"service_code\"\r\n\r\nstreet_light\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"media\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x80, 0x81, 0xfe]);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = app
        .client
        .post(app.url(REQUESTS))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("multipart") && text.contains("media_url"), "{text}");
}

crate::per_backend! {
    async fn public_reads_let_keyless_clients_read_but_never_file(b) {
        let app = spawn_app_with(&b, |s| {
            s.admin_token = Some(Secret::new(ADMIN));
            s.screen_secret = Some(Secret::new("screen-secret-for-open311-public-reads"));
            s.allow_open = false;
            s.open311.public_reads = true;
        })
        .await;
        let r = app
            .post_json("/api/v1/admin/keys", &json!({"scope": "nanan", "label": "open311"}), Some(ADMIN))
            .await;
        let key = r.json()["key"].as_str().unwrap().to_owned();
        let r = app.form(REQUESTS, &report(Some(&key))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()[0]["service_request_id"].as_str().unwrap().to_owned();

        let list = app.raw_get(REQUESTS).await;
        assert_eq!(list.status, 200, "{b:?}: a keyless read: {}", list.text);
        assert_eq!(list.json()[0]["service_request_id"], id.as_str());
        let one = app.raw_get(&format!("/open311/v2/requests/{id}.json")).await;
        assert_eq!(one.status, 200, "{}", one.text);
        assert_eq!(app.form(REQUESTS, &report(None)).await.status, 403, "filing still needs a key");
        let wrong = app.get_with(REQUESTS, &[("api_key", "ck_0000_nope")]).await;
        assert_eq!(wrong.status, 403, "a wrong key is still wrong: {}", wrong.text);
    }
}
