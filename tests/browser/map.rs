//! The district's themes and the map (issue 21) in headless Chromium, against the demo's
//! own Nanan tree (deploy/nanan-scopes.json, with its schematic outlines):
//! - the district wall draws its streets, shaded by their live figures (a street with an
//!   overdue ticket red, one with nothing dim), the open tickets that carry coordinates
//!   as points (overdue red), says the outlines are schematic, and lists its five theme
//!   communities, each with its theme's lead figure;
//! - a community's wall draws its grids, and a new overdue ticket turns its grid red with
//!   the next push (the outlines are only refetched every 30 s);
//! - the public-revenue ledger shows, as a sixth headline figure, on a screen that is not
//!   the home theme's (Zhengjie);
//! - Tongjing's 健康大讲堂 counts health lectures only, not the dance class beside them;
//! - a grid, with no units below, keeps the layout it had;
//! - every text is at least 20 px at 1920×1080 (40 px at 3840×2160), zh-CN and en, and no
//!   figure is cut.

use super::sturdy::{assert_figures_fit, assert_readable, launch, open_live, shots, switch_to_english};
use super::*;

const ZJ: &str = "nanan.nanping.zhengjie";
const TJ: &str = "nanan.changshengqiao.tongjing";

/// A point inside a unit's outline in the demo's scopes file (between its middle and its
/// first corner: the outlines are convex, and the label sits in the middle), as
/// `{lat, long}` the way Open311 reports are stored.
fn inside(scope: &str) -> Value {
    let file: Value = serde_json::from_str(cockpit::demo::NANAN_SCOPES).unwrap();
    let unit = file["scopes"].as_array().unwrap().iter().find(|s| s["id"] == scope).unwrap();
    let ring = unit["geometry"]["coordinates"][0].as_array().unwrap();
    let corners = &ring[..ring.len() - 1];
    let at = |i: usize| {
        let mean = corners.iter().map(|p| p[i].as_f64().unwrap()).sum::<f64>() / corners.len() as f64;
        0.5 * mean + 0.5 * corners[0][i].as_f64().unwrap()
    };
    json!({"lat": at(1), "long": at(0), "address": "浏览器测试"})
}

/// Tickets with and without coordinates (one overdue), a health lecture and a dance class
/// at Tongjing with their check-ins, and public-revenue entries at Zhengjie.
async fn seed_map(http: &reqwest::Client, base: &str) {
    let today = seconds_into_local_day().saturating_sub(30).clamp(10, 5 * 3600);
    let ticket = |id: &str, grid: &str, category: &str, reported: i64, location: Value| {
        json!({"id": id, "scope": format!("{ZJ}.{grid}"), "category": category, "reported_at": ago(reported),
               "description": "地图测试", "location": location})
    };
    let tickets = json!([
        ticket("late-1", "g01", "garbage", 5 * 86_400, inside(&format!("{ZJ}.g01"))),
        ticket("fresh-1", "g02", "garbage", today / 2, inside(&format!("{ZJ}.g02"))),
        ticket("words-1", "g02", "parking", today / 2, json!("正街社区第二网格 解放东路")),
    ]);
    post(http, base, "/api/v1/tickets", &tickets).await;
    let event = |id: &str, kind: &str, title: &str| {
        json!({"id": id, "scope": TJ, "category": "health", "type": kind, "title": title,
               "starts_at": ago(today * 9 / 10), "status": "held"})
    };
    post(
        http,
        base,
        "/api/v1/events",
        &json!([event("lecture-1", "lecture", "健康大讲堂"), event("dance-1", "activity", "坝坝舞")]),
    )
    .await;
    let checkins: Vec<Value> = [("lecture-1", 30), ("dance-1", 50)]
        .into_iter()
        .flat_map(|(event, n)| {
            (0..n).map(move |p| {
                json!({"id": format!("{event}-{p}"), "event_id": event, "scope": TJ, "at": ago(today / 2),
                       "count": 1, "person": format!("{event}-resident-{p}")})
            })
        })
        .collect();
    post(http, base, "/api/v1/attendance", &Value::Array(checkins)).await;
    let entry = |id: &str, direction: &str, fen: i64| {
        json!({"id": id, "scope": ZJ, "at": ago(3600), "direction": direction, "category": "parking",
               "amount_fen": fen, "counterparty": "正街停车场"})
    };
    post(
        http,
        base,
        "/api/v1/ledger",
        &json!([entry("ZL1", "income", 500_000), entry("ZL2", "spending", 120_000)]),
    )
    .await;
}

/// `what` of the map's shape for `scope`: its shade (`overdue`, `open`, `none`) or fill.
fn shape(scope: &str, what: &str) -> String {
    match what {
        "fill" => format!("document.querySelector('#map .unit-shape[data-scope=\"{scope}\"]')?.getAttribute('fill')"),
        _ => format!("document.querySelector('#map .unit-shape[data-scope=\"{scope}\"]')?.dataset.shade"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_map_the_theme_communities_the_ledger_and_the_health_lectures() {
    let Some(exe) = chromium_or_skip("the_map_the_theme_communities_the_ledger_and_the_health_lectures") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    std::fs::write(dir.0.join("scopes.json"), cockpit::demo::NANAN_SCOPES).unwrap();
    let app = Running::start(Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.0.join("data"),
        scopes_file: Some(dir.0.join("scopes.json")),
        time_zone: "Asia/Shanghai".into(),
        ..Settings::default()
    })
    .await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    seed_map(&http, &base).await;
    let browser = launch(&exe, cdp::Launch::default()).await;
    let report = |what: &str| format!("{what}\n--- page log ---\n{}", browser.log_text());

    // 1. The district: five streets on the map, Nanping (Zhengjie's street, one overdue
    //    ticket) red, Danzishi (nothing) dim; the two tickets with coordinates as points.
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    page.wait_for(
        "document.querySelectorAll('#map svg .unit-shape').length === 5 && document.querySelectorAll('#themes .th-row').length === 5 \
         && document.querySelector('#themes .th-row[data-scope=\"nanan.changshengqiao.tongjing\"]')?.dataset.value !== ''",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&e)));
    assert_eq!(
        page.eval("[document.body.dataset.side, document.getElementById('themes-panel').hidden]")
            .await
            .unwrap(),
        json!(["map", false]),
        "the map in a fourth column, the theme communities under the headline numbers"
    );
    assert_eq!(page.eval(&shape("nanan.nanping", "shade")).await.unwrap(), "overdue");
    assert_eq!(page.eval(&shape("nanan.danzishi", "shade")).await.unwrap(), "none");
    assert_ne!(
        page.eval(&shape("nanan.nanping", "fill")).await.unwrap(),
        page.eval(&shape("nanan.danzishi", "fill")).await.unwrap(),
        "a street with overdue tickets is shaded apart"
    );
    let points = page
        .eval("[...document.querySelectorAll('#map .map-ticket')].map((c) => c.dataset.ticket + (c.classList.contains('over') ? ':over' : ''))")
        .await
        .unwrap();
    assert_eq!(
        points,
        json!(["fresh-1", "late-1:over"]),
        "open tickets with coordinates, overdue red and on top"
    );
    assert_eq!(
        page.eval("document.getElementById('map-note').textContent").await.unwrap(),
        "示意图"
    );
    assert!(
        page.eval("[...document.querySelectorAll('#map text.map-label')].map((t) => t.textContent).join(' ')")
            .await
            .unwrap()
            .as_str()
            .is_some_and(|t| t.contains("南坪街道") && t.contains("长生桥镇")),
        "a label per street"
    );

    // The theme communities, each with its theme's lead figure: Tongjing's lectures held
    // (not the dance class), Zhengjie's street-life tickets reported today.
    let rows = page
        .eval(
            "[...document.querySelectorAll('#themes .th-row')].map((r) => [r.dataset.scope, r.dataset.metric, r.dataset.value, \
             r.querySelector('.th-v b').textContent, r.querySelector('a').getAttribute('href')])",
        )
        .await
        .unwrap();
    let row = |scope: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r[0] == scope)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {scope} in {rows}"))
    };
    assert_eq!(row(TJ), json!([TJ, "events_held", "1", "1", format!("/screen/{TJ}")]), "{rows}");
    assert_eq!(
        row(ZJ).as_array().unwrap()[1..4],
        json!(["tickets_reported", "2", "2"]).as_array().unwrap()[..],
        "{rows}"
    );
    for scope in ["nanan.danzishi.qunhuicun", "nanan.nanpingzhen.xinglong", "nanan.huayuanlu.jinyan"] {
        assert_eq!(row(scope)[3], "0", "{rows}");
    }
    assert_eq!(
        page.eval("document.getElementById('themes-title').textContent").await.unwrap(),
        "主题社区 · 今日"
    );
    assert_readable(&page, "district with the map and the theme communities (zh)").await;
    assert_figures_fit(&page, "district with the map (zh)").await;
    shots(&page, "map-district").await;
    switch_to_english(&page).await;
    page.wait_for(
        "document.getElementById('map-note').textContent === 'schematic' \
         && document.getElementById('themes-title').textContent === 'Themes · today'",
        Duration::from_secs(3),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&e)));
    assert_readable(&page, "district with the map and the theme communities (en)").await;
    assert_figures_fit(&page, "district with the map (en)").await;
    shots(&page, "map-district-en").await;

    // 2. Zhengjie (heritage): its grids on the map; its ledger under the lead panel; a new
    //    overdue ticket turns its grid red with the next push.
    page.goto(&format!("{base}/screen/{ZJ}")).await.unwrap();
    page.wait_for(
        "document.body.dataset.conn === 'live' && document.querySelectorAll('#map svg .unit-shape').length === 4 \
         && document.getElementById('lead-panel').classList.contains('lead-heritage')",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&e)));
    assert_eq!(
        page.eval("[document.body.dataset.side, document.getElementById('themes-panel').hidden]")
            .await
            .unwrap(),
        json!(["map", true]),
        "a community lists no theme communities"
    );
    for (grid, shade) in [("g01", "overdue"), ("g02", "open"), ("g03", "none"), ("g04", "none")] {
        assert_eq!(page.eval(&shape(&format!("{ZJ}.{grid}"), "shade")).await.unwrap(), shade, "{grid}");
    }
    let ledger = page
        .eval("document.getElementById('ledger-kpi').hidden ? null : document.getElementById('ledger-kpi').textContent")
        .await
        .unwrap();
    assert!(
        ledger
            .as_str()
            .is_some_and(|l| l.contains("3,800") && l.contains("5,000") && l.contains("1,200")),
        "the ledger on a heritage screen: {ledger}"
    );
    let late = json!({"id": "late-3", "scope": format!("{ZJ}.g03"), "category": "garbage", "reported_at": ago(5 * 86_400),
                      "description": "地图测试"});
    post(&http, &base, "/api/v1/tickets", &late).await;
    page.wait_for(
        &format!("{} === 'overdue'", shape(&format!("{ZJ}.g03"), "shade")),
        Duration::from_secs(3),
    )
    .await
    .unwrap_or_else(|e| panic!("the shading follows the push: {}", report(&e)));
    assert_readable(&page, "Zhengjie with its map and ledger (zh)").await;
    assert_figures_fit(&page, "Zhengjie with its map and ledger (zh)").await;
    shots(&page, "map-community").await;
    switch_to_english(&page).await;
    assert_readable(&page, "Zhengjie with its map and ledger (en)").await;
    assert_figures_fit(&page, "Zhengjie with its map and ledger (en)").await;
    shots(&page, "map-community-en").await;

    // 3. Tongjing (health): 健康大讲堂 counts the lecture (1 held, 30 person-times), not the
    //    dance class; the headline numbers count both.
    for lang in ["zh", "en"] {
        let q = if lang == "en" { "?lang=en" } else { "" };
        page.goto(&format!("{base}/screen/{TJ}{q}")).await.unwrap();
        page.wait_for(
            "document.body.dataset.conn === 'live' && document.getElementById('health-stats') \
             && document.querySelector('[data-figure=events_held]').dataset.value === '2'",
            Duration::from_secs(10),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", report(&e)));
        let stats = page
            .eval("[...document.querySelectorAll('#health-stats .stat-v b')].map((b) => b.textContent)")
            .await
            .unwrap();
        assert_eq!(
            stats,
            json!(["1", "30", "0", "2"]),
            "{lang}: lectures held, their attendance, scheduled, all events"
        );
        assert_eq!(
            page.eval("document.querySelector('[data-figure=attendance]').dataset.value")
                .await
                .unwrap(),
            "80",
            "the headline counts every event"
        );
        assert_readable(&page, &format!("Tongjing's health lectures ({lang})")).await;
        shots(&page, if lang == "en" { "health-lectures-en" } else { "health-lectures" }).await;
    }

    // 4. A grid has no units below: no map, the layout it had.
    page.goto(&format!("{base}/screen/{ZJ}.g01")).await.unwrap();
    page.wait_for(
        "document.body.dataset.conn === 'live' && document.body.dataset.layout === 'grid'",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&e)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        page.eval("[document.getElementById('map-panel').hidden, document.body.dataset.side ?? null]")
            .await
            .unwrap(),
        json!([true, null])
    );
    browser.close().await;
    app.stop().await;
}
