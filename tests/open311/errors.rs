//! Every refusal is GeoReport's error format, `[{"code","description"}]` (or
//! `<errors>` for `.xml`), with the status the spec gives it.

use serde_json::Value;

use crate::form::Raw;
use crate::helpers::spawn_app;

const REQUESTS: &str = "/open311/v2/requests.json";

/// A located request with `extra` fields.
fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![("jurisdiction_id", "nanan"), ("lat", "29.5"), ("long", "106.5")];
    v.extend_from_slice(extra);
    v
}

/// Asserts `r` is one Open311 error with `status` whose description mentions `about`.
fn is_error(r: &Raw, status: u16, about: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.content_type.starts_with("application/json"), "{}", r.content_type);
    let body: Value = r.json();
    let list = body.as_array().unwrap_or_else(|| panic!("errors are a list: {body}"));
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["code"], status, "{body}");
    let d = list[0]["description"].as_str().unwrap_or_default();
    assert!(d.contains(about), "{d:?} should mention {about:?}");
}

crate::per_backend! {
    async fn bad_posts_are_400s_naming_the_field(b) {
        let app = spawn_app(&b).await;
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (with(&[]), "service_code is required"),
            (with(&[("service_code", "potholes")]), "service_code \"potholes\""),
            (vec![("service_code", "garbage")], "a location is required"),
            (vec![("service_code", "garbage"), ("lat", "29.5")], "lat and long"),
            (
                vec![("service_code", "garbage"), ("lat", "north"), ("long", "1")],
                "lat must be a number",
            ),
            (
                vec![("service_code", "garbage"), ("lat", "95"), ("long", "1")],
                "lat must be a number",
            ),
            (
                vec![("service_code", "garbage"), ("lat", "1"), ("long", "NaN")],
                "long must be a number",
            ),
            (
                vec![
                    ("service_code", "garbage"),
                    ("jurisdiction_id", "nowhere"),
                    ("lat", "1"),
                    ("long", "1"),
                ],
                "jurisdiction_id \"nowhere\"",
            ),
            (
                vec![
                    ("service_code", "garbage"),
                    ("jurisdiction_id", "nanan"),
                    ("address_id", "nanan.nanping.nowhere"),
                ],
                "address_id \"nanan.nanping.nowhere\"",
            ),
            (
                vec![
                    ("service_code", "garbage"),
                    ("jurisdiction_id", "nanan.nanping"),
                    ("address_id", "nanan.nanpingzhen.xinglong"),
                ],
                "not in jurisdiction nanan.nanping",
            ),
            (
                with(&[("service_code", "dispute"), ("attribute[parties]", "many")]),
                "attribute[parties]",
            ),
            (
                with(&[("service_code", "dispute"), ("attribute[kind]", "war")]),
                "neighbour, property, family, other",
            ),
            (
                with(&[("service_code", "garbage"), ("attribute[kind]", "family")]),
                "not an attribute of service garbage",
            ),
            (
                with(&[("service_code", "garbage"), ("requested_datetime", "yesterday")]),
                "requested_datetime",
            ),
            (
                with(&[("service_code", "garbage"), ("requested_datetime", "2099-01-01T00:00:00Z")]),
                "requested_datetime",
            ),
            (
                with(&[("service_code", "garbage"), ("requested_datetime", "1999-12-31T00:00:00Z")]),
                "before 2000",
            ),
        ];
        for (fields, about) in &cases {
            let r = app.form(REQUESTS, fields).await;
            assert_eq!(r.status, 400, "{fields:?}: {}", r.text);
            is_error(&r, 400, about);
        }
        let long = "x".repeat(4001);
        is_error(
            &app.form(REQUESTS, &with(&[("service_code", "garbage"), ("description", &long)]))
                .await,
            400,
            "description",
        );
        let address = "路".repeat(400);
        is_error(
            &app.form(REQUESTS, &with(&[("service_code", "garbage"), ("address_string", &address)]))
                .await,
            400,
            "too long",
        );
        let r = app.post_json(REQUESTS, &serde_json::json!([1, 2]), None).await;
        is_error(&r, 400, "object of fields");
        let huge = "a".repeat(70 * 1024);
        is_error(&app.form(REQUESTS, &with(&[("description", &huge)])).await, 413, "at most");
        assert_eq!(app.figures("nanan").await["tickets_reported"], 0, "nothing was filed");
        app.stop().await;
    }
}

crate::per_backend! {
    async fn bad_reads_and_unknown_things_are_400s_and_404s(b) {
        let app = spawn_app(&b).await;
        is_error(&app.raw_get("/open311/v2/requests/nope.json").await, 404, "\"nope\" was not found");
        is_error(&app.raw_get("/open311/v2/services/potholes.json").await, 404, "potholes");
        is_error(
            &app.raw_get("/open311/v2/services.json?jurisdiction_id=nowhere").await,
            404,
            "nowhere",
        );
        is_error(
            &app.raw_get("/open311/v2/requests.json?jurisdiction_id=nowhere").await,
            404,
            "nowhere",
        );
        is_error(&app.raw_get("/open311/v2/requests.json?status=pending").await, 400, "open, closed");
        is_error(
            &app.raw_get("/open311/v2/requests.json?start_date=last+week").await,
            400,
            "start_date",
        );
        is_error(
            &app.get_with(
                REQUESTS,
                &[("start_date", "2024-01-01T00:00:00Z"), ("end_date", "2024-06-01T00:00:00Z")],
            )
            .await,
            400,
            "90 days",
        );
        is_error(
            &app.get_with(
                REQUESTS,
                &[("start_date", "2024-06-01T00:00:00Z"), ("end_date", "2024-01-01T00:00:00Z")],
            )
            .await,
            400,
            "before start_date",
        );
        is_error(&app.raw_get("/open311/v2/requests.yaml").await, 404, "yaml");
        is_error(&app.raw_get("/open311/v2/tokens/abc.json").await, 404, "not an Open311 resource");
        let put = app.client.put(app.url(REQUESTS)).send().await.unwrap();
        assert_eq!(put.status().as_u16(), 405);
        let body: Value = put.json().await.unwrap();
        assert_eq!(body[0]["code"], 405);

        let x = app.raw_get("/open311/v2/requests/nope.xml").await;
        assert_eq!(x.status, 404);
        assert!(x.content_type.starts_with("text/xml"), "{}", x.content_type);
        assert_eq!(
            x.text,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>404</code>\
             <description>service_request_id &quot;nope&quot; was not found</description></error></errors>"
        );
        let x = app.form("/open311/v2/requests.xml", &[("lat", "1"), ("long", "1")]).await;
        assert_eq!(x.status, 400);
        assert!(
            x.text
                .contains("<errors><error><code>400</code><description>service_code is required"),
            "{}",
            x.text
        );
        app.stop().await;
    }
}
