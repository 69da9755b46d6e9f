//! Resident surveys end to end: definitions, responses with good and bad answers
//! in one batch, live tallies rolled up the tree and equal to a recount of the
//! stored responses, the response rate against households, free text kept off
//! screens, and "was it fixed?" joining the ticket's closed loop.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, production, spawn_app, start, today_at};

const ZHENGJIE: &str = "nanan.nanping.zhengjie";
const SECRET_TEXT: &str = "楼道灯坏了三个月没人管";

fn survey() -> Value {
    json!({"id": "theme-2024", "scope": ZHENGJIE, "title": "正街社区主题问卷", "questions": [
        {"id": "theme", "kind": "single", "title": "您希望社区以什么为主题？", "options": ["health", "culture", "elderly"]},
        {"id": "wants", "kind": "multiple", "title": "您想参加哪些活动？", "options": ["lecture", "dance", "legal"]},
        {"id": "score", "kind": "rating", "title": "对社区服务的评分"},
        {"id": "say", "kind": "text", "title": "其他意见"}
    ]})
}

fn response(id: &str, grid: &str, theme: &str, wants: Value, score: i64) -> Value {
    json!({"id": id, "scope": format!("{ZHENGJIE}.{grid}"), "at": today_at(5),
           "answers": {"theme": theme, "wants": wants, "score": score, "say": SECRET_TEXT}})
}

async fn report(app: &TestApp, scope: &str, survey: &str) -> Value {
    let (status, r) = app.get(&format!("/api/v1/scopes/{scope}/surveys")).await;
    assert_eq!(status, 200, "{r}");
    r["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == survey)
        .cloned()
        .unwrap_or_else(|| panic!("{survey} not listed at {scope}: {r}"))
}

/// Tallies recounted from the stored responses themselves.
async fn recount(app: &TestApp, scope: &str) -> BTreeMap<String, i64> {
    let (status, raw) = app.get(&format!("/api/v1/scopes/{scope}/surveys/theme-2024/responses")).await;
    assert_eq!(status, 200, "{raw}");
    let mut counts = BTreeMap::new();
    for r in raw["responses"].as_array().unwrap() {
        let a = &r["answers"];
        *counts.entry(format!("theme={}", a["theme"].as_str().unwrap())).or_default() += 1;
        for w in a["wants"].as_array().unwrap() {
            *counts.entry(format!("wants={}", w.as_str().unwrap())).or_default() += 1;
        }
        *counts.entry(format!("score={}", a["score"])).or_default() += 1;
    }
    counts
}

fn tallied(report: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for q in report["questions"].as_array().unwrap() {
        for (option, n) in q["counts"].as_object().unwrap() {
            if n.as_i64().unwrap() > 0 {
                out.insert(format!("{}={option}", q["id"].as_str().unwrap()), n.as_i64().unwrap());
            }
        }
    }
    out
}

crate::per_backend! {
    async fn tallies_roll_up_and_equal_a_recount_of_the_responses(b) {
        let app = spawn_app(&b).await;
        let (status, r) = app
            .post(
                "/api/v1/admin/scopes",
                &json!({"id": ZHENGJIE, "name": "正街社区", "theme": "heritage", "households": 200}),
            )
            .await;
        assert_eq!(status, 200, "{r}");
        app.ingest("/api/v1/surveys", survey()).await;
        let batch = json!([
            response("r1", "g01", "health", json!(["lecture", "dance"]), 5),
            response("r2", "g01", "health", json!(["lecture"]), 4),
            response("r1", "g01", "health", json!(["lecture", "dance"]), 5),
            response("r3", "g02", "culture", json!(["legal"]), 3),
            {"id": "bad", "scope": format!("{ZHENGJIE}.g02"), "at": today_at(5), "answers": {"score": 9}},
            {"id": "stray", "scope": "nanan.nanpingzhen.xinglong.g01", "at": today_at(5), "answers": {"score": 2}},
        ]);
        let (status, got) = app.post("/api/v1/surveys/theme-2024/responses", &batch).await;
        assert_eq!(status, 422, "{got}");
        assert_eq!((got["accepted"].as_i64(), got["duplicates"].as_i64()), (Some(3), Some(1)), "{got}");
        let rejected = got["rejected"].as_array().unwrap();
        assert_eq!(
            (rejected[0]["index"].as_i64(), rejected[0]["field"].as_str()),
            (Some(4), Some("answers"))
        );
        assert!(rejected[0]["reason"].as_str().unwrap().contains("\"score\""), "{got}");
        assert_eq!(
            (rejected[1]["index"].as_i64(), rejected[1]["field"].as_str()),
            (Some(5), Some("scope"))
        );

        let at_community = report(&app, ZHENGJIE, "theme-2024").await;
        assert_eq!(at_community["responses"].as_i64(), Some(3), "{at_community}");
        assert_eq!(at_community["households"].as_i64(), Some(200));
        assert_eq!(at_community["response_rate"].as_f64(), Some(0.015));
        assert_eq!(at_community["questions"][2]["mean"].as_f64(), Some(4.0));
        assert_eq!(at_community["questions"][3]["answered"].as_i64(), Some(3), "free text is counted");
        assert_eq!(
            tallied(&at_community),
            recount(&app, ZHENGJIE).await,
            "{b:?}: tallies equal a recount"
        );
        let grid = report(&app, &format!("{ZHENGJIE}.g01"), "theme-2024").await;
        assert_eq!(tallied(&grid), recount(&app, &format!("{ZHENGJIE}.g01")).await);
        assert_eq!(grid["responses"].as_i64(), Some(2));
        assert_eq!(
            report(&app, "nanan", "theme-2024").await["responses"].as_i64(),
            Some(3),
            "rolled up"
        );

        let d = app.dashboard(ZHENGJIE).await;
        assert_eq!(d["surveys"]["theme-2024"].as_i64(), Some(3), "{d}");
        assert_eq!(d["figures"]["survey_responses"].as_i64(), Some(3));
        let shown = format!("{d}{at_community}{}", app.dashboard("nanan").await);
        assert!(!shown.contains(SECRET_TEXT), "free text never reaches a screen or a report");

        // The tallies are a projection of the stored responses: rebuilt from
        // PostgreSQL into Redis, or replayed into memory on restart, they agree.
        let again = if production().as_ref() == Some(&b) {
            cockpit::startup::rebuild(&app.settings).await.unwrap();
            app
        } else {
            app.stop().await;
            start(&b, app.resources.clone(), app.settings.clone()).await
        };
        assert_eq!(
            report(&again, ZHENGJIE, "theme-2024").await,
            at_community,
            "{b:?}: a rebuild gives the same tallies"
        );
    }
}

crate::per_backend! {
    async fn a_survey_never_changes_once_defined(b) {
        let app = spawn_app(&b).await;
        app.ingest("/api/v1/surveys", survey()).await;
        let (status, r) = app.post("/api/v1/surveys", &survey()).await;
        assert_eq!((status, r["duplicates"].as_i64()), (200, Some(1)), "{r}");
        let mut changed = survey();
        changed["title"] = json!("another title");
        let (status, r) = app.post("/api/v1/surveys", &changed).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["rejected"][0]["field"], "id");
        app.ingest(
            "/api/v1/surveys/theme-2024/responses",
            response("x", "g01", "health", json!(["dance"]), 1),
        )
        .await;
        let (status, r) = app
            .post(
                "/api/v1/surveys/theme-2024/responses",
                &response("x", "g01", "culture", json!(["dance"]), 1),
            )
            .await;
        assert_eq!(
            (status, r["rejected"][0]["field"].as_str()),
            (422, Some("id")),
            "an id answers once: {r}"
        );
        let (status, r) = app
            .post(
                "/api/v1/surveys/nope/responses",
                &response("y", "g01", "health", json!(["dance"]), 1),
            )
            .await;
        assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("survey_id")), "{r}");
    }
}

crate::per_backend! {
    async fn not_fixed_reopens_the_ticket_and_counts_in_its_figures(b) {
        let app = spawn_app(&b).await;
        let g = "nanan.nanpingzhen.xinglong.g01";
        app.ingest(
            "/api/v1/tickets",
            json!({"id": "k1", "scope": g, "category": "street_light", "reported_at": today_at(0)}),
        )
        .await;
        let answer = |id: &str, fixed: &str, at: i64| json!({"id": id, "ticket_id": "k1", "at": today_at(at), "answers": {"fixed": fixed, "rating": 2}});
        let rating_only = json!({"id": "x", "ticket_id": "k1", "at": today_at(1), "answers": {"rating": 4}});
        let (status, r) = app.post("/api/v1/surveys/satisfaction/responses", &rating_only).await;
        assert_eq!(
            (status, r["rejected"][0]["field"].as_str()),
            (422, Some("answers")),
            "fixed is the question: {r}"
        );
        let (status, r) = app.post("/api/v1/surveys/satisfaction/responses", &answer("early", "yes", 1)).await;
        assert_eq!(
            (status, r["rejected"][0]["field"].as_str()),
            (422, Some("ticket_id")),
            "asked only once resolved: {r}"
        );
        app.ingest(
            "/api/v1/transitions",
            json!({"id": "s1", "ticket_id": "k1", "to": "resolved", "at": today_at(10)}),
        )
        .await;
        app.ingest("/api/v1/surveys/satisfaction/responses", answer("a1", "no", 20)).await;
        let d = app.dashboard("nanan.nanpingzhen").await;
        assert_eq!(d["tickets_by_status"]["reopened"].as_i64(), Some(1), "{d}");
        assert_eq!(d["figures"]["tickets_reopened_unfixed"].as_i64(), Some(1));
        assert_eq!(d["figures"]["tickets_open"].as_i64(), Some(1), "back in the loop");
        assert_eq!(d["figures"]["satisfaction_rate"].as_f64(), Some(0.0));
        app.ingest(
            "/api/v1/transitions",
            json!({"id": "s2", "ticket_id": "k1", "to": "resolved", "at": today_at(30)}),
        )
        .await;
        app.ingest("/api/v1/surveys/satisfaction/responses", answer("a2", "yes", 40)).await;
        let f = app.figures("nanan").await;
        assert_eq!(f["satisfaction_rate"].as_f64(), Some(0.5), "{f}");
        assert_eq!(f["tickets_reopened"].as_i64(), Some(1));
        assert_eq!(f["tickets_open"].as_i64(), Some(0));
        let sat = report(&app, "nanan.nanpingzhen.xinglong", "satisfaction").await;
        assert_eq!(sat["responses"].as_i64(), Some(2), "{sat}");
        assert_eq!(sat["questions"][0]["counts"], json!({"yes": 1, "no": 1}));
        let (status, r) = app
            .post(
                "/api/v1/transitions",
                &json!({"id": "s3", "ticket_id": "k1", "to": "closed", "at": today_at(50)}),
            )
            .await;
        assert_eq!(status, 200, "a ticket reopened by a resident runs the loop as usual: {r}");
    }
}
