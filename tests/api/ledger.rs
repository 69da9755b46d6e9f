//! The public-revenue ledger end to end: whole-fen entries, reversals as the only
//! correction, totals per month and category rolled up the tree, the notice-board
//! CSV, and a hash chain that catches an entry changed or removed in the database.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app, today_at};

const ZHENGJIE: &str = "nanan.nanping.zhengjie";

fn entry(id: &str, direction: &str, category: &str, fen: i64) -> Value {
    json!({"id": id, "scope": ZHENGJIE, "at": today_at(0), "direction": direction, "category": category,
           "amount_fen": fen, "counterparty": "正街物业", "reference": format!("凭证-{id}")})
}

async fn fill(app: &TestApp) {
    let batch = json!([
        entry("L1", "income", "parking", 120_000),
        entry("L2", "income", "advertising", 50_000),
        {"id": "bad", "scope": ZHENGJIE, "at": today_at(0), "direction": "income", "category": "parking", "amount_fen": 12.5, "counterparty": "x"},
        entry("L3", "spending", "cleaning", 30_000),
    ]);
    let (status, r) = app.post("/api/v1/ledger", &batch).await;
    assert_eq!(status, 422, "{r}");
    assert_eq!(r["accepted"].as_i64(), Some(3), "good entries land beside a bad one: {r}");
    assert_eq!(
        (r["rejected"][0]["index"].as_i64(), r["rejected"][0]["field"].as_str()),
        (Some(2), Some("amount_fen"))
    );
    let mut reversal = entry("L4", "spending", "cleaning", 30_000);
    reversal["reverses"] = json!("L3");
    reversal["note"] = json!("重复入账，冲销");
    app.ingest("/api/v1/ledger", reversal.clone()).await;
    reversal["id"] = json!("L5");
    let (status, r) = app.post("/api/v1/ledger", &reversal).await;
    assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("reverses")), "{r}");
    let mut wrong = entry("L6", "income", "parking", 1);
    wrong["reverses"] = json!("L1");
    let (status, r) = app.post("/api/v1/ledger", &wrong).await;
    assert_eq!((status, r["rejected"][0]["field"].as_str()), (422, Some("amount_fen")), "{r}");
    let mut edited = entry("L1", "income", "parking", 1);
    edited["note"] = json!("改一下");
    let (status, r) = app.post("/api/v1/ledger", &edited).await;
    assert_eq!(
        (status, r["rejected"][0]["field"].as_str()),
        (422, Some("id")),
        "entries never change: {r}"
    );
}

crate::per_backend! {
    async fn balances_roll_up_and_export_for_the_notice_board(b) {
        let app = spawn_app(&b).await;
        fill(&app).await;
        for scope in [ZHENGJIE, "nanan.nanping", "nanan"] {
            let (status, r) = app.get(&format!("/api/v1/scopes/{scope}/ledger")).await;
            assert_eq!(status, 200, "{r}");
            assert_eq!(
                (r["income_fen"].as_i64(), r["spending_fen"].as_i64(), r["balance_fen"].as_i64()),
                (Some(170_000), Some(0), Some(170_000)),
                "{scope}: {r}"
            );
            assert_eq!(r["months"].as_array().map(Vec::len), Some(1));
        }
        let d = app.dashboard(ZHENGJIE).await;
        assert_eq!(
            d["ledger"],
            json!({"income_fen": 170_000, "spending_fen": 0, "balance_fen": 170_000, "entries": 4}),
            "{d}"
        );
        let csv = app.text(&format!("/api/v1/scopes/{ZHENGJIE}/ledger.csv")).await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 5, "{csv}");
        assert!(lines[1].contains(",1200.00,正街物业,"), "{csv}");
        assert!(
            lines[4].contains(",-300.00,") && lines[4].contains(",L3,"),
            "a reversal takes back: {csv}"
        );
        let (status, v) = app.get(&format!("/api/v1/scopes/{ZHENGJIE}/ledger/verify")).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!((v["intact"].as_bool(), v["chains"][0]["entries"].as_i64()), (Some(true), Some(4)));
    }
}

/// Runs one SQL statement straight on the test's record store, as an intruder would.
async fn tamper(app: &TestApp, b: &Backend, sql: &'static str) {
    use sqlx::Connection;
    match b {
        Backend::Production { .. } => {
            let url = app.settings.database_url.as_ref().unwrap().expose().to_owned();
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        _ => {
            let path = app.settings.data_dir.join("cockpit.sqlite3");
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

crate::per_backend! {
    async fn a_rewritten_or_removed_entry_is_detected(b) {
        let app = spawn_app(&b).await;
        fill(&app).await;
        tamper(
            &app,
            &b,
            "UPDATE journal SET body = replace(body, '\"amount_fen\":50000', '\"amount_fen\":5000') WHERE record_id = 'L2'",
        )
        .await;
        let (status, v) = app.get(&format!("/api/v1/scopes/{ZHENGJIE}/ledger/verify")).await;
        assert_eq!(status, 409, "{b:?}: {v}");
        assert_eq!(v["chains"][0]["broken"]["n"].as_i64(), Some(2), "{v}");
        assert_eq!(v["chains"][0]["broken"]["id"], "L2");
        tamper(
            &app,
            &b,
            "UPDATE journal SET body = replace(body, '\"amount_fen\":5000', '\"amount_fen\":50000') WHERE record_id = 'L2'",
        )
        .await;
        let (status, v) = app.get(&format!("/api/v1/scopes/{ZHENGJIE}/ledger/verify")).await;
        assert_eq!(status, 200, "restored: {v}");
        tamper(&app, &b, "DELETE FROM journal WHERE kind = 'ledger' AND record_id = 'L4'").await;
        let (status, v) = app.get(&format!("/api/v1/scopes/{ZHENGJIE}/ledger/verify")).await;
        assert_eq!(status, 409, "{b:?}: losing the newest entry shows too: {v}");
        assert!(v["chains"][0]["broken"]["reason"].as_str().unwrap().contains("missing"), "{v}");
    }
}
