//! The tickets behind the numbers, in headless Chromium against an in-process server on
//! the embedded backend:
//! - a district's (and a street's) screen lists the most overdue tickets with their grid,
//!   category name, age past deadline and holder name, in Chinese and in English;
//! - a grid's screen shows its open tickets (overdue first) and its holders' caseload
//!   where "no units below" and "no grids below" would be;
//! - the lists follow a dispatch, a resolution and a deadline passing, say "unavailable"
//!   when the record store does not answer, and fit with 1,234-day ages and seven-digit
//!   caseloads;
//! - at 1920×1080 and 3840×2160, nothing in them spills out of its panel and every text
//!   is readable.
//!
//! Screenshots go to `target/screenshots/`; with `COCKPIT_UPDATE_SCREENSHOT=1` the ones
//! docs/screen.md shows are copied to `docs/` (`screen-overdue-*.png`, `screen-grid-*.png`).

use super::sturdy::{FIGURES_THAT_DO_NOT_FIT, assert_readable, launch, open_live, settle_at, switch_to_english};
use super::*;

const GRID: &str = "nanan.nanping.zhengjie.g01";
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// Holders' display names, as a deployment's scopes file gives them (long ones included:
/// they must end in "…" rather than push the figures out).
const ASSIGNEES: &str = r#"{
  "zhengjie-g01": {"zh": "张伟", "en": "Zhang Wei", "unit": "nanan.nanping.zhengjie.g01"},
  "zhengjie-g02": {"zh": "李娜", "en": "Li Na", "unit": "nanan.nanping.zhengjie.g02"},
  "zhengjie-property": {"zh": "正街社区物业管家", "en": "Zhengjie property manager", "unit": "nanan.nanping.zhengjie"},
  "nanan-justice": {"zh": "区司法局调解员", "en": "District justice bureau mediators", "unit": "nanan"},
  "nanan-streetlights": {"zh": "区城管局路灯所", "en": "District street-light office", "unit": "nanan"},
  "jinyan-property": {"zh": "金堰社区物业管家", "en": "Jinyan property manager", "unit": "nanan.huayuanlu.jinyan"}
}"#;

/// Every element of the ticket panels that is not where it should be: a row or cell
/// outside its panel's body, a figure, age, category, count or heading cut (wider than
/// its box), or a name or description cut without an ellipsis. Each as `where “text”: why`.
const TICKET_PANELS_THAT_DO_NOT_FIT: &str = r#"(() => {
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.id ? '#' + e.id : e.tagName.toLowerCase() + [...e.classList].map((c) => '.' + c).join(''));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  const px = (r) => `${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)}`;
  const within = (r, b) => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
  const out = [];
  for (const panel of document.querySelectorAll('#overdue-panel, #tickets-panel, #workload-panel')) {
    if (!panel.checkVisibility()) continue;
    const p = panel.getBoundingClientRect();
    if (!within(p, { left: 0, top: 0, right: innerWidth, bottom: innerHeight })) out.push(`${describe(panel)}: off the screen (${px(p)})`);
    const h2 = panel.querySelector('h2');
    if (h2.scrollWidth > h2.clientWidth + 1) out.push(`${describe(h2)} “${h2.textContent}”: heading wider than its panel`);
    const body = panel.querySelector('.body').getBoundingClientRect();
    for (const el of panel.querySelectorAll('.od, .od > *, .od-what > *, tr, th, td, .empty')) {
      if (!el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      if (!within(r, body)) out.push(`${describe(el)} “${el.textContent.slice(0, 40)}”: outside the panel (${px(r)} in ${px(body)})`);
    }
    for (const el of panel.querySelectorAll('h2 .note, h2 .page, .late, .od-cat, td.n, th:not(.unit), .t-cat, .t-status')) {
      if (el.checkVisibility() && el.scrollWidth > el.clientWidth + 1) out.push(`${describe(el)} “${el.textContent}”: cut (${el.scrollWidth} > ${el.clientWidth})`);
    }
    for (const el of panel.querySelectorAll('.od-where, .od-who, .od-desc, .t-desc, td.t-who, td.unit, th.unit')) {
      if (el.checkVisibility() && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).textOverflow !== 'ellipsis')
        out.push(`${describe(el)} “${el.textContent.slice(0, 40)}”: cut without an ellipsis`);
    }
  }
  return out;
})()"#;

/// What does not fit at 1920×1080 and 3840×2160, in the ticket panels and among the
/// page's figures (empty when everything does); then the page is back at 1920×1080.
async fn misfits(page: &Page<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        settle_at(page, w, h).await;
        for check in [TICKET_PANELS_THAT_DO_NOT_FIT, FIGURES_THAT_DO_NOT_FIT] {
            let bad = page.eval(check).await.unwrap();
            out.extend(
                bad.as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| format!("{w}×{h}: {}", b.as_str().unwrap_or_default())),
            );
        }
    }
    settle_at(page, 1920, 1080).await;
    out
}

/// Shows `dash` through `cockpitScreen.show()` and returns what does not fit (see
/// [`misfits`]); `probe` (JS) reads what identifies the injected dashboard, which must
/// read `want` at once and still after the checks, or they are made again: an update from
/// the server may replace it meanwhile (screen health, a deadline passing).
async fn injected_misfits(page: &Page<'_>, dash: &Value, probe: &str, want: &Value, what: &str) -> Vec<String> {
    for _ in 0..3 {
        let now = page
            .eval(&format!("(() => {{ window.cockpitScreen.show({dash}); return {probe}; }})()"))
            .await
            .unwrap();
        assert_eq!(&now, want, "{what}: as injected");
        let bad = misfits(page).await;
        if page.eval(probe).await.unwrap() == *want {
            return bad;
        }
    }
    panic!("{what}: updates kept replacing the injected dashboard");
}

/// The ticket panels and every figure on the page fit, and every text is readable, at
/// 1920×1080 and 3840×2160; then the page is back at 1920×1080.
async fn assert_ticket_panels_fit(page: &Page<'_>, what: &str) {
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        settle_at(page, w, h).await;
        let bad = page.eval(TICKET_PANELS_THAT_DO_NOT_FIT).await.unwrap();
        assert_eq!(bad, json!([]), "{what} at {w}×{h}: ticket panels that do not fit");
        let bad = page.eval(FIGURES_THAT_DO_NOT_FIT).await.unwrap();
        assert_eq!(bad, json!([]), "{what} at {w}×{h}: figures that do not fit");
    }
    assert_readable(page, what).await;
}

/// A screenshot at `w`×`h`, lists at their first page, into `target/screenshots/{name}`,
/// copied to `docs/{name}` on request (`COCKPIT_UPDATE_SCREENSHOT=1`); then the page is
/// back at 1920×1080.
async fn shot(page: &Page<'_>, w: u32, h: u32, name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("target").join("screenshots").join(name);
    settle_at(page, w, h).await;
    page.eval("window.cockpitScreen.page(0)").await.unwrap();
    page.screenshot(w, h, &file).await.unwrap();
    if std::env::var("COCKPIT_UPDATE_SCREENSHOT").as_deref() == Ok("1") {
        std::fs::copy(&file, root.join("docs").join(name)).unwrap();
    }
    settle_at(page, 1920, 1080).await;
}

/// A server on the embedded backend with the small Nanan tree and named holders; under
/// Huayuanlu street, elevators are due 8 s after they are reported.
async fn server(dir: &Workdir) -> Running {
    let scopes: Value = serde_json::from_str(&SCOPES).unwrap();
    let assignees: Value = serde_json::from_str(ASSIGNEES).unwrap();
    let file = json!({"scopes": scopes, "assignees": assignees});
    std::fs::write(dir.0.join("scopes.json"), file.to_string()).unwrap();
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.0.join("data"),
        scopes_file: Some(dir.0.join("scopes.json")),
        time_zone: "Asia/Shanghai".into(),
        presence_ms: 200,
        ..Settings::default()
    };
    settings
        .scope_deadlines
        .insert("nanan.huayuanlu".into(), [("elevator".to_string(), 8)].into());
    Running::start(settings).await
}

/// Tickets five to six days past their deadline (garbage, parking and water are due in a
/// day, street lights in two, disputes in seven), so they lead the district's ten beside
/// `seed`'s (at most five days late), dispatched to named holders; open ones not yet due
/// and one resolved today; most of them in Zhengjie's first grid.
async fn ingest_tickets(http: &reqwest::Client, base: &str) {
    let today = seconds_into_local_day().saturating_sub(30).clamp(10, 5 * HOUR);
    let report = |id: &str, scope: &str, category: &str, secs: i64, description: &str| json!({"id": id, "scope": scope, "category": category, "reported_at": ago(secs), "description": description});
    let tickets = json!([
        report(
            "od-water",
            GRID,
            "water",
            6 * DAY + HOUR + 600,
            "正街12号楼二单元自来水管爆裂，地下室积水"
        ),
        report(
            "od-garbage",
            GRID,
            "garbage",
            6 * DAY + 4 * HOUR + 600,
            "小区北门垃圾桶满溢三天无人清运，夏季异味严重，居民多次通过12345热线反映，要求尽快处理并增加清运频次"
        ),
        report(
            "od-dispute",
            "nanan.nanpingzhen.xinglong.g02",
            "dispute",
            13 * DAY + 2 * HOUR + 600,
            "楼上漏水引发邻里纠纷"
        ),
        report(
            "od-light",
            "nanan.changshengqiao.tongjing.g01",
            "street_light",
            7 * DAY + 5 * HOUR + 600,
            "同景路口路灯不亮"
        ),
        report("od-parking", GRID, "parking", 6 * DAY + 7 * HOUR + 600, "消防通道被私家车占用"),
        report("open-noise", GRID, "noise", (2 * HOUR).min(today * 4 / 5), "夜间广场舞音响扰民"),
        report("open-road", GRID, "road", (HOUR / 2).min(today / 5), "人行道地砖松动"),
        report("done-garbage", GRID, "garbage", (5 * HOUR).min(today * 9 / 10), "楼道堆放杂物"),
    ]);
    post(http, base, "/api/v1/tickets", &tickets).await;
    let step = |id: &str, ticket: &str, to: &str, secs: i64, assignee: Option<&str>| {
        let mut s = json!({"id": id, "ticket_id": ticket, "to": to, "at": ago(secs)});
        if let Some(a) = assignee {
            s["assignee"] = json!(a);
        }
        s
    };
    let steps = json!([
        step("s1", "od-water", "dispatched", 6 * DAY, Some("zhengjie-property")),
        step("s2", "od-water", "in_progress", 5 * DAY, None),
        step("s3", "od-garbage", "dispatched", 6 * DAY + 3 * HOUR, Some("zhengjie-g01")),
        step("s4", "od-garbage", "in_progress", 5 * DAY, None),
        step("s5", "od-dispute", "dispatched", 13 * DAY, Some("nanan-justice")),
        step("s6", "od-light", "dispatched", 7 * DAY + 4 * HOUR, Some("nanan-streetlights")),
        step("s7", "open-noise", "dispatched", HOUR.min(today / 2), Some("zhengjie-g01")),
        step(
            "s8",
            "done-garbage",
            "dispatched",
            (4 * HOUR).min(today * 3 / 5),
            Some("zhengjie-g01")
        ),
        step("s9", "done-garbage", "resolved", HOUR.min(today / 3), None),
    ]);
    post(http, base, "/api/v1/transitions", &steps).await;
}

/// The overdue row of `ticket` on the page: each part's text and the age's colour class.
async fn overdue_row(page: &Page<'_>, ticket: &str) -> Value {
    page.eval(&format!(
        "(() => {{ const r = document.querySelector('#overdue .od[data-ticket=\"{ticket}\"]');
                  const text = (s) => r.querySelector(s)?.textContent;
                  return r && {{ where: text('.od-where'), cat: text('.od-cat'), who: text('.od-who'), late: text('.od-late'),
                                 over: r.querySelector('.od-late').classList.contains('over') }}; }})()"
    ))
    .await
    .unwrap()
}

/// Waits until the overdue row of `ticket` has `part` equal to `want`.
async fn wait_overdue_part(page: &Page<'_>, ticket: &str, part: &str, want: &str) {
    let shown = page
        .wait_for(
            &format!("document.querySelector('#overdue .od[data-ticket=\"{ticket}\"] .{part}')?.textContent === '{want}'"),
            Duration::from_secs(10),
        )
        .await;
    if let Err(e) = shown {
        panic!(
            "{ticket}: {part} never showed “{want}”: {e}; row {}",
            overdue_row(page, ticket).await
        );
    }
}

/// The ids of `selector`'s rows, hidden pages included, in order.
async fn row_ids(page: &Page<'_>, selector: &str, key: &str) -> Value {
    page.eval(&format!("[...document.querySelectorAll('{selector}')].map((r) => r.dataset.{key})"))
        .await
        .unwrap()
}

fn ids_of(list: &Value, key: &str) -> Value {
    json!(list.as_array().into_iter().flatten().map(|t| t[key].clone()).collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overdue_and_open_tickets_show_grid_category_age_and_holder() {
    let Some(exe) = chromium_or_skip("overdue_and_open_tickets_show_grid_category_age_and_holder") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let app = server(&dir).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    seed(&http, &base).await;
    ingest_tickets(&http, &base).await;

    // The district: the overdue column beside the six panels, oldest deadline first.
    let browser = launch(&exe, cdp::Launch::default()).await;
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    let report = |what: &str| format!("{what}\n--- page log ---\n{}", browser.log_text());
    page.wait_for(
        "document.querySelector('#overdue .od[data-ticket=\"od-water\"]') && document.querySelectorAll('#trend rect.tb').length === 7",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the overdue tickets never showed: {e}"))));
    let dash = get_json(&http, &format!("{base}/api/v1/scopes/nanan/dashboard")).await.unwrap();
    assert_eq!(page.eval("document.body.dataset.layout").await.unwrap(), "overview");
    let shown = page
        .eval("['overdue-panel', 'lead-panel'].every((id) => document.getElementById(id).checkVisibility()) && ['.children', '.cats', '.pipeline', '.trend', '.grids'].every((c) => document.querySelector('.panel' + c).checkVisibility())")
        .await
        .unwrap();
    assert_eq!(shown, json!(true), "the overdue column is added, no panel is lost");
    assert_eq!(
        row_ids(&page, "#overdue .od", "ticket").await,
        ids_of(&dash["overdue"], "ticket_id"),
        "the dashboard's overdue tickets, in its order (oldest deadline first)"
    );
    assert!(
        dash["overdue"].as_array().is_some_and(|o| o.len() == 10),
        "ten listed: {}",
        dash["overdue"]
    );
    let want = [
        ("od-dispute", "兴隆社区 · 第二网格", "矛盾纠纷", "区司法局调解员", "6天2小时"),
        ("od-water", "正街社区 · 第一网格", "供水", "正街社区物业管家", "5天1小时"),
        ("od-garbage", "正街社区 · 第一网格", "垃圾清运", "张伟", "5天4小时"),
        ("od-light", "同景社区 · 第一网格", "路灯", "区城管局路灯所", "5天5小时"),
        ("od-parking", "正街社区 · 第一网格", "停车秩序", "未派单", "5天7小时"),
    ];
    for (id, place, cat, who, late) in want {
        assert_eq!(
            overdue_row(&page, id).await,
            json!({"where": place, "cat": cat, "who": who, "late": late, "over": true}),
            "{id}: grid, category name, holder name and age past deadline"
        );
    }
    let count = page.eval("document.getElementById('overdue-note').textContent").await.unwrap();
    assert_eq!(
        count,
        json!(format!("共 {} 件", dash["figures"]["tickets_overdue"])),
        "the heading counts every overdue ticket, not only the ten listed"
    );
    assert_ticket_panels_fit(&page, "district (zh-CN)").await;
    shot(&page, 1920, 1080, "screen-overdue-1080p.png").await;
    shot(&page, 3840, 2160, "screen-overdue-4k.png").await;

    // Pushed with the dashboard: a dispatch names the holder, a resolution takes the row away.
    let steps = json!([
        {"id": "live-1", "ticket_id": "od-parking", "to": "dispatched", "at": ago(0), "assignee": "zhengjie-g02"},
        {"id": "live-2", "ticket_id": "od-light", "to": "resolved", "at": ago(0)},
    ]);
    post(&http, &base, "/api/v1/transitions", &steps).await;
    wait_overdue_part(&page, "od-parking", "od-who", "李娜").await;
    page.wait_for(
        "!document.querySelector('#overdue .od[data-ticket=\"od-light\"]')",
        Duration::from_secs(5),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the resolved ticket stayed on the list: {e}"))));

    // English: category names and holders' English names; places keep their (Chinese) names.
    switch_to_english(&page).await;
    wait_overdue_part(&page, "od-dispute", "od-cat", "Disputes").await;
    let want = [
        (
            "od-dispute",
            "兴隆社区 · 第二网格",
            "Disputes",
            "District justice bureau mediators",
            "6d 2h",
        ),
        ("od-water", "正街社区 · 第一网格", "Water", "Zhengjie property manager", "5d 1h"),
        ("od-garbage", "正街社区 · 第一网格", "Garbage", "Zhang Wei", "5d 4h"),
        ("od-parking", "正街社区 · 第一网格", "Parking", "Li Na", "5d 7h"),
    ];
    for (id, place, cat, who, late) in want {
        assert_eq!(
            overdue_row(&page, id).await,
            json!({"where": place, "cat": cat, "who": who, "late": late, "over": true}),
            "{id} in English"
        );
    }
    assert_ticket_panels_fit(&page, "district (en)").await;
    shot(&page, 1920, 1080, "screen-overdue-1080p-en.png").await;

    // A grid: its open tickets and its holders in place of the two empty panels.
    page.goto(&format!("{base}/screen/{GRID}")).await.unwrap();
    page.wait_for(
        "document.body.dataset.conn === 'live' && document.body.dataset.layout === 'grid' && document.querySelector('#workload tbody tr')",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the grid's ticket panels never showed: {e}"))));
    let dash = get_json(&http, &format!("{base}/api/v1/scopes/{GRID}/dashboard")).await.unwrap();
    let panels = page
        .eval(
            "({ children: document.querySelector('.panel.children').checkVisibility(), grids: document.querySelector('.panel.grids').checkVisibility(),
                tickets: document.getElementById('tickets-panel').checkVisibility(), workload: document.getElementById('workload-panel').checkVisibility(),
                empty: ['本单位是最小治理单元', '下面没有网格'].some((t) => document.body.innerText.includes(t)) })",
        )
        .await
        .unwrap();
    assert_eq!(
        panels,
        json!({"children": false, "grids": false, "tickets": true, "workload": true, "empty": false}),
        "no empty 'no units below' / 'no grids below' panels on a grid"
    );
    assert_eq!(
        row_ids(&page, "#tickets tbody tr", "ticket").await,
        ids_of(&dash["open_tickets"], "ticket_id"),
        "the grid's open tickets, most overdue first"
    );
    let tickets = page
        .eval(
            "Object.fromEntries(['od-water', 'od-garbage', 'od-parking', 'open-noise'].map((id) => {
               const r = document.querySelector(`#tickets tr[data-ticket=\"${id}\"]`);
               return [id, [...r.cells].map((c) => c.textContent).concat(r.cells[0].classList.contains('over') ? 'over' : 'ahead')];
             }))",
        )
        .await
        .unwrap();
    assert_eq!(
        tickets["od-water"],
        json!([
            "超5天1小时",
            "供水",
            "正街12号楼二单元自来水管爆裂，地下室积水",
            "处置中",
            "正街社区物业管家",
            "over"
        ])
    );
    assert_eq!(tickets["od-parking"][4], "李娜");
    assert_eq!(tickets["od-garbage"][4], "张伟");
    let noise = &tickets["open-noise"];
    assert!(
        noise[0].as_str().is_some_and(|t| t.starts_with('剩')) && noise[5] == "ahead",
        "a ticket not yet due says how long it has left: {noise}"
    );
    assert_eq!(
        row_ids(&page, "#workload tbody tr", "holder").await,
        ids_of(&dash["workload"], "assignee"),
        "the holders, biggest caseload first"
    );
    let zhang = page
        .eval("[...document.querySelector('#workload tr[data-holder=\"zhengjie-g01\"]').cells].map((c) => c.textContent)")
        .await
        .unwrap();
    let w = dash["workload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["assignee"] == "zhengjie-g01")
        .unwrap();
    assert_eq!(
        zhang,
        json!([
            "张伟",
            w["open"].to_string(),
            w["overdue"].to_string(),
            w["dispatched"].to_string(),
            w["resolved"].to_string()
        ]),
        "name, open, overdue, dispatched today, resolved today: {w}"
    );
    assert!(w["open"] == 2 && w["overdue"] == 1 && w["resolved"] == 1, "{w}");
    assert_ticket_panels_fit(&page, "grid (zh-CN)").await;
    shot(&page, 1920, 1080, "screen-grid-1080p.png").await;
    settle_at(&page, 3840, 2160).await;
    page.eval("window.cockpitScreen.page(0)").await.unwrap();
    let grid_4k = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/screen-grid-4k.png");
    page.screenshot(3840, 2160, &grid_4k).await.unwrap();
    settle_at(&page, 1920, 1080).await;
    switch_to_english(&page).await;
    page.wait_for(
        "document.querySelector('#workload tr[data-holder=\"zhengjie-g01\"] td.unit')?.textContent === 'Zhang Wei' \
         && document.querySelector('#tickets tr[data-ticket=\"od-water\"] .t-cat')?.textContent === 'Water'",
        Duration::from_secs(2),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the grid's panels in English: {e}"))));
    assert_ticket_panels_fit(&page, "grid (en)").await;
    shot(&page, 1920, 1080, "screen-grid-1080p-en.png").await;

    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticket_panels_follow_deadlines_say_when_unavailable_and_fit_big_figures() {
    let Some(exe) = chromium_or_skip("ticket_panels_follow_deadlines_say_when_unavailable_and_fit_big_figures") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let app = server(&dir).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    ingest_tickets(&http, &base).await;
    let browser = launch(&exe, cdp::Launch::default()).await;
    let report = |what: &str| format!("{what}\n--- page log ---\n{}", browser.log_text());

    // A street: nothing overdue yet; an elevator ticket (due in 8 s here) joins the list
    // when its deadline passes, with no new input.
    let street = "nanan.huayuanlu";
    let page = open_live(&browser, &format!("{base}/screen/{street}")).await;
    page.wait_for(
        "document.body.dataset.layout === 'overview' && document.querySelector('#overdue .empty')?.textContent === '暂无超期工单'",
        Duration::from_secs(5),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the street's empty overdue list: {e}"))));
    let lift = json!({"id": "lift-1", "scope": "nanan.huayuanlu.jinyan.g01", "category": "elevator",
                      "reported_at": ago(0), "description": "3号楼电梯困人"});
    post(&http, &base, "/api/v1/tickets", &lift).await;
    let step = json!({"id": "lift-s1", "ticket_id": "lift-1", "to": "dispatched", "at": ago(0), "assignee": "jinyan-property"});
    post(&http, &base, "/api/v1/transitions", &step).await;
    let posted = Instant::now();
    let (_, took) = page
        .wait_for(
            "document.querySelector('#overdue .od[data-ticket=\"lift-1\"]')",
            Duration::from_secs(20),
        )
        .await
        .unwrap_or_else(|e| panic!("{}", report(&format!("the ticket never joined the overdue list: {e}"))));
    assert!(
        posted.elapsed() >= Duration::from_secs(6),
        "listed as overdue after {took:?}, before its 8 s deadline"
    );
    assert_eq!(
        overdue_row(&page, "lift-1").await,
        json!({"where": "金堰社区 · 第一网格", "cat": "电梯", "who": "金堰社区物业管家", "late": "1分钟", "over": true})
    );
    assert_ticket_panels_fit(&page, "street (zh-CN)").await;

    // The record store did not answer: the panels say so instead of showing empty lists.
    // (Injected and read in one evaluation, so no update from the server comes between.)
    let dash = get_json(&http, &format!("{base}/api/v1/scopes/nanan/dashboard")).await.unwrap();
    let mut down = dash.clone();
    down["tickets_unavailable"] = json!(true);
    down["overdue"] = json!([]);
    page.goto(&format!("{base}/screen/nanan")).await.unwrap();
    page.wait_for("document.body.dataset.conn === 'live'", Duration::from_secs(10))
        .await
        .unwrap();
    let said = page
        .eval(&format!(
            "(() => {{ window.cockpitScreen.show({down});
                      return [document.getElementById('overdue').textContent, document.getElementById('overdue-note').textContent]; }})()"
        ))
        .await
        .unwrap();
    assert_eq!(said, json!(["暂不可用", "工单详情暂不可用"]), "district, record store away");
    let grid = get_json(&http, &format!("{base}/api/v1/scopes/{GRID}/dashboard")).await.unwrap();
    let mut down = grid.clone();
    down["tickets_unavailable"] = json!(true);
    down.as_object_mut().unwrap().remove("open_tickets");
    for w in down["workload"].as_array_mut().unwrap() {
        let w = w.as_object_mut().unwrap();
        w.remove("open");
        w.remove("overdue");
    }
    page.goto(&format!("{base}/screen/{GRID}")).await.unwrap();
    page.wait_for("document.body.dataset.conn === 'live'", Duration::from_secs(10))
        .await
        .unwrap();
    for (lang, unavailable, caseload) in [
        ("zh", "在办事件暂不可用", "在办数暂不可用"),
        ("en", "Open tickets unavailable", "caseload unavailable"),
    ] {
        let said = page
            .eval(&format!(
                "(() => {{ window.cockpitScreen.show({down});
                          return {{ tickets: document.getElementById('tickets').textContent, note: document.getElementById('workload-note').textContent,
                                   zhang: [...document.querySelector('#workload tr[data-holder=\"zhengjie-g01\"]').cells].slice(1, 3).map((c) => c.textContent) }}; }})()"
            ))
            .await
            .unwrap();
        assert_eq!(
            said,
            json!({"tickets": unavailable, "note": caseload, "zhang": ["—", "—"]}),
            "grid ({lang}), record store away: caseloads missing, not zero"
        );
        if lang == "zh" {
            switch_to_english(&page).await;
        }
    }

    // Big figures: a ticket 1,234 days late; caseloads of five digits leave the holders'
    // names at least 6 rem; at seven digits every digit still shows and the names give way
    // (ending in "…").
    for count in [12_345, 1_234_567] {
        let mut big = grid.clone();
        for t in big["open_tickets"].as_array_mut().unwrap() {
            t["overdue_seconds"] = json!(1234 * DAY + 23 * HOUR);
        }
        for w in big["workload"].as_array_mut().unwrap() {
            for k in ["open", "overdue", "dispatched", "resolved"] {
                w[k] = json!(count);
            }
        }
        big["figures"]["tickets_open"] = json!(1_234_567);
        let shown = if count == 12_345 { "12,345" } else { "1,234,567" };
        for lang in ["en", "zh"] {
            let what = format!("grid, caseloads of {shown} ({lang})");
            let (late, note) = if lang == "en" {
                ("1,234d 23h over", "1,234,567 open")
            } else {
                ("超1,234天23小时", "共 1,234,567 件")
            };
            let texts = "[document.querySelector('#tickets td.t-late').textContent, document.querySelector('#workload td.n.open .v').textContent, document.getElementById('tickets-note').textContent]";
            let bad = injected_misfits(&page, &big, texts, &json!([late, shown, note]), &what).await;
            assert_eq!(bad, Vec::<String>::new(), "{what}: what does not fit");
            if count == 12_345 {
                for (w, h) in [(1920u32, 1080u32), (3840, 2160)] {
                    settle_at(&page, w, h).await;
                    let probe = "(() => { const w = [...document.querySelectorAll('#workload td.unit')].filter((c) => c.checkVisibility()).map((c) => c.getBoundingClientRect().width);
                                         return [document.querySelector('#workload td.n.open .v').textContent, Math.min(...w)]; })()";
                    let names = page.eval(probe).await.unwrap();
                    let rem = f64::from(h) / 67.5;
                    if names[0] == shown {
                        assert!(names[1].as_f64() >= Some(6.0 * rem), "{what} at {w}×{h}: names {names} px wide");
                    }
                }
                settle_at(&page, 1920, 1080).await;
            }
            page.eval("document.getElementById('lang').click()").await.unwrap();
        }
    }
    let mut big = dash.clone();
    for t in big["overdue"].as_array_mut().unwrap() {
        t["overdue_seconds"] = json!(1234 * DAY + 23 * HOUR);
    }
    big["figures"]["tickets_overdue"] = json!(1_234_567);
    page.goto(&format!("{base}/screen/nanan")).await.unwrap();
    page.wait_for("document.body.dataset.conn === 'live'", Duration::from_secs(10))
        .await
        .unwrap();
    let probe = "[document.getElementById('overdue-note').textContent, document.querySelector('#overdue .od-late').textContent]";
    let want = json!(["共 1,234,567 件", "1,234天23小时"]);
    let bad = injected_misfits(&page, &big, probe, &want, "district, big figures").await;
    assert_eq!(bad, Vec::<String>::new(), "district, big figures: what does not fit");
    assert_readable(&page, "district, big figures").await;

    browser.close().await;
    app.stop().await;
}
