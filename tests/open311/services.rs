//! The service list and definitions, in JSON and XML.

use crate::helpers::{backends, spawn_app};

crate::per_backend! {
    async fn services_come_from_the_configured_categories(b) {
        let app = spawn_app(&b).await;
        let r = app.raw_get("/open311/v2/services.json").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.content_type.starts_with("application/json"), "{}", r.content_type);
        let list = r.json();
        let codes: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["service_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "dispute",
                "garbage",
                "greening",
                "noise",
                "parking",
                "road",
                "street_light",
                "water"
            ]
        );
        let light = &list[6];
        assert_eq!(light["service_name"], "路灯 Street light");
        assert_eq!(light["metadata"], false);
        assert_eq!(light["type"], "realtime");
        assert!(light["description"].as_str().unwrap().contains("48 h"), "{light}");
        assert_eq!(list[0]["metadata"], true, "dispute has attributes");

        let x = app.raw_get("/open311/v2/services.xml?jurisdiction_id=nanan").await;
        assert_eq!(x.status, 200);
        assert!(x.content_type.starts_with("text/xml"), "{}", x.content_type);
        assert!(
            x.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>"),
            "{}",
            x.text
        );
        assert_eq!(x.text.matches("<service>").count(), 8);
        assert!(x.text.contains("<service_code>street_light</service_code>"));

        let d = app.raw_get("/open311/v2/services/dispute.json").await.json();
        assert_eq!(d["service_code"], "dispute");
        assert_eq!(d["attributes"][0]["code"], "parties");
        assert_eq!(d["attributes"][0]["datatype"], "number");
        assert_eq!(d["attributes"][1]["datatype"], "singlevaluelist");
        assert_eq!(
            d["attributes"][1]["values"][0],
            serde_json::json!({"key": "neighbour", "name": "邻里 Between neighbours"})
        );
        let dx = app.raw_get("/open311/v2/services/dispute.xml").await;
        assert!(
            dx.text.contains("<service_definition>") && dx.text.contains("<value><key>family</key>"),
            "{}",
            dx.text
        );
        let plain = app.raw_get("/open311/v2/services/street_light.json").await.json();
        assert_eq!(
            plain["attributes"],
            serde_json::json!([]),
            "a service without attributes has an empty definition"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_category_configured_by_the_operators_is_a_service() {
    let app = crate::helpers::spawn_app_with(&backends()[0], |s| {
        s.deadlines.insert("stray_dogs".into(), 5400);
    })
    .await;
    let list = app.raw_get("/open311/v2/services.json").await.json();
    let dogs = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "stray_dogs")
        .unwrap()
        .clone();
    assert_eq!(dogs["service_name"], "stray dogs");
    assert_eq!(dogs["group"], "其他 Other");
    assert!(dogs["description"].as_str().unwrap().contains("90 min"), "{dogs}");
    app.stop().await;
}
