//! A sturdier wall (issue 21), each in headless Chromium against an in-process server on
//! the embedded backend:
//! - the alert strip has its styles (red chips, flex, large text) while an alert fires;
//! - figures of 12,345 and 1,234,567 fit their boxes with every digit showing, through
//!   ingest and, for the worst case, with every count on the page at seven digits;
//! - a browser in UTC shows the deployment's time (Asia/Shanghai) on its clock;
//! - every visible text is at least 20 px at 1920×1080 and 40 px at 3840×2160;
//! - a kiosk rebooted during an outage shows its last figures, marked stale with their
//!   age, and goes live again by itself when the server returns.
//!
//! Screenshots go to `target/screenshots/`; with `COCKPIT_UPDATE_SCREENSHOT=1` the ones
//! docs/screen.md shows are copied to `docs/screenshots/`.

use super::*;

/// The smallest text allowed on the wall: readable at 5 m on a 55-inch 1080p panel.
const MIN_TEXT_1080P: f64 = 20.0;

/// A figure wider than any column was drawn for.
const BIG: i64 = 1_234_567;

/// Every figure element on the screen that is not where it should be: wider than its own
/// box (cut, or ellipsised), or spilling out of a box that clips it (a panel, a cell, a
/// chevron), or off the screen. Each as `where “text”: why`.
pub(super) const FIGURES_THAT_DO_NOT_FIT: &str = r#"(() => {
  const sel = '.kpi .num, .units td.n, .step b, .rank-v, .cat-v, .stat-v b, .duo-v, .tile b, .ring-text b, .chip-line, .alert .a-value, .spark-x span, .late, .od-cat, .panel h2 .note, .th-v b';
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.id ? '#' + e.id : e.tagName.toLowerCase() + [...e.classList].map((c) => '.' + c).join(''));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    let why = '';
    if (el.scrollWidth > el.clientWidth + 1) why = `scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`;
    for (let a = el.parentElement; !why && a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.clipPath === 'none') continue;
      const b = a.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1) why = `spills out of ${describe(a)} (${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(b.left)}–${Math.round(b.right)})`;
    }
    if (!why && (r.left < 0 || r.right > innerWidth)) why = 'off the screen';
    if (why) out.push(`${describe(el)} “${el.textContent}”: ${why}`);
  }
  return out;
})()"#;

/// Every visible text node whose computed font size is under `MIN` px, as `size where “text”`.
fn small_text(min: f64) -> String {
    format!(
        r#"(() => {{
  const MIN = {min};
  const describe = (el) => {{
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {{
      parts.unshift(e.id ? '#' + e.id : e.tagName.toLowerCase() + [...e.classList].map((c) => '.' + c).join(''));
      if (e.id) break;
    }}
    return parts.join(' > ');
  }};
  const bad = [];
  let seen = 0;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {{
    const text = n.data.trim();
    const el = n.parentElement;
    if (!text || !el || !el.checkVisibility({{ opacityProperty: true, visibilityProperty: true }})) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth || r.top >= innerHeight) continue;
    seen += 1;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < MIN - 0.01) bad.push(`${{px.toFixed(1)}}px ${{describe(el)}} “${{text.slice(0, 40)}}”`);
  }}
  return {{ seen, bad }};
}})()"#
    )
}

/// Asserts every visible text is readable at 1920×1080 (≥ 20 px) and at 3840×2160
/// (scaled: ≥ 40 px), then leaves the page at 1920×1080.
pub(super) async fn assert_readable(page: &Page<'_>, what: &str) {
    for (w, h, min) in [(1920, 1080, MIN_TEXT_1080P), (3840, 2160, 2.0 * MIN_TEXT_1080P)] {
        settle_at(page, w, h).await;
        let r = page.eval(&small_text(min)).await.unwrap();
        let bad: Vec<&str> = r["bad"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(r["seen"].as_u64() > Some(20), "{what} {w}×{h}: hardly any text found: {r}");
        assert!(
            bad.is_empty(),
            "{what} at {w}×{h}: {} text(s) under {min} px:\n  {}",
            bad.len(),
            bad.join("\n  ")
        );
    }
    settle_at(page, 1920, 1080).await;
}

/// Asserts no figure on the page is cut or spills out of its box at 1080p and 4K.
pub(super) async fn assert_figures_fit(page: &Page<'_>, what: &str) {
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        settle_at(page, w, h).await;
        let bad = page.eval(FIGURES_THAT_DO_NOT_FIT).await.unwrap();
        assert_eq!(bad, json!([]), "{what} at {w}×{h}: figures that do not fit");
    }
    settle_at(page, 1920, 1080).await;
}

/// Sets the viewport, waits for the page's re-layout after a resize (120 ms), for the
/// animations that end (a changed figure's 1.8 s bump scales it by 8 %) and two frames:
/// what is measured is what the wall shows once it is still.
pub(super) async fn settle_at(page: &Page<'_>, w: u32, h: u32) {
    page.viewport(w, h).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    page.eval(
        "Promise.all(document.getAnimations().filter((a) => isFinite(a.effect?.getComputedTiming().endTime)).map((a) => a.finished.catch(() => {})))
           .then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))",
    )
    .await
    .unwrap();
}

/// Screenshots at 1080p and 4K into `target/screenshots/{name}-1080p.png` / `-4k.png`,
/// copied to `docs/screenshots/` on request (`COCKPIT_UPDATE_SCREENSHOT=1`).
pub(super) async fn shots(page: &Page<'_>, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("screenshots");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join("screenshots");
    for (w, h, size) in [(1920, 1080, "1080p"), (3840, 2160, "4k")] {
        let file = format!("{name}-{size}.png");
        page.screenshot(w, h, &dir.join(&file)).await.unwrap();
        if std::env::var("COCKPIT_UPDATE_SCREENSHOT").as_deref() == Ok("1") {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(dir.join(&file), docs.join(&file)).unwrap();
        }
    }
    settle_at(page, 1920, 1080).await;
}

/// A server on the embedded backend with the small Nanan tree, in `dir`.
async fn server(dir: &Workdir, port: u16) -> (Running, Settings) {
    std::fs::write(dir.0.join("scopes.json"), &*SCOPES).unwrap();
    let settings = Settings {
        bind: format!("127.0.0.1:{port}"),
        data_dir: dir.0.join("data"),
        scopes_file: Some(dir.0.join("scopes.json")),
        time_zone: "Asia/Shanghai".into(),
        ..Settings::default()
    };
    (Running::start(settings.clone()).await, settings)
}

pub(super) async fn launch(exe: &Path, how: cdp::Launch) -> Browser {
    Browser::launch_with(exe, how)
        .await
        .unwrap_or_else(|e| panic!("launching {}: {e}", exe.display()))
}

/// Opens `url` at 1080p and waits until the page is live.
pub(super) async fn open_live<'b>(browser: &'b Browser, url: &str) -> Page<'b> {
    let page = browser.new_page().await.unwrap();
    page.viewport(1920, 1080).await.unwrap();
    page.goto(url).await.unwrap();
    page.wait_for("document.body.dataset.conn === 'live'", Duration::from_secs(10))
        .await
        .unwrap_or_else(|e| panic!("{e}\n--- page log ---\n{}", browser.log_text()));
    page
}

/// Switches the page's language with its own button and waits for the relabel.
pub(super) async fn switch_to_english(page: &Page<'_>) {
    page.eval("document.getElementById('lang').click()").await.unwrap();
    page.wait_for("document.documentElement.lang === 'en'", Duration::from_secs(2))
        .await
        .unwrap();
}

/// 12,345 open tickets in one grid (two batches: a batch holds at most 10,000) and
/// 1,234,567 person-times at one lecture (check-ins count at most 10,000 each).
async fn ingest_big_figures(http: &reqwest::Client, base: &str) {
    let tickets: Vec<Value> = (0..12_345)
        .map(|n| {
            json!({"id": format!("big-{n}"), "scope": "nanan.nanping.zhengjie.g01", "category": "garbage",
                   "reported_at": ago(5), "description": "大数测试"})
        })
        .collect();
    for batch in tickets.chunks(10_000) {
        post(http, base, "/api/v1/tickets", &Value::Array(batch.to_vec())).await;
    }
    let lecture = json!({"id": "big-lecture", "scope": "nanan.changshengqiao.tongjing", "category": "health", "type": "lecture",
                         "title": "健康大讲堂", "starts_at": ago(120), "status": "held"});
    post(http, base, "/api/v1/events", &lecture).await;
    let checkins: Vec<Value> = (0..124i64)
        .map(|i| {
            let count = if i < 123 { 10_000 } else { BIG - 1_230_000 };
            json!({"id": format!("big-in-{i}"), "event_id": "big-lecture", "scope": "nanan.changshengqiao.tongjing",
                   "at": ago(60), "count": count, "person": format!("resident-{i}")})
        })
        .collect();
    post(http, base, "/api/v1/attendance", &Value::Array(checkins)).await;
}

/// The dashboard with every count on it (figures, units below, loop steps, ranking,
/// categories, the ledger) at 1,234,567: the widest a seven-digit figure gets, everywhere at once.
/// Durations and rates keep their values.
fn every_count_at_seven_digits(mut dash: Value) -> Value {
    fn counts(obj: &mut Value, only: Option<&[&str]>) {
        if let Some(map) = obj.as_object_mut() {
            for (k, v) in map.iter_mut() {
                let wanted = only.is_none_or(|o| o.contains(&k.as_str()));
                if wanted && v.is_i64() && !k.ends_with("_seconds") && !k.ends_with("_rate") {
                    *v = json!(BIG);
                }
            }
        }
    }
    counts(&mut dash["figures"], None);
    counts(&mut dash["tickets_by_status"], None);
    for c in dash["children"].as_array_mut().into_iter().flatten() {
        counts(&mut c["figures"], None);
    }
    for g in dash["top_grids"].as_array_mut().into_iter().flatten() {
        counts(g, Some(&["tickets_open"]));
    }
    for c in dash["categories"].as_array_mut().into_iter().flatten() {
        counts(c, Some(&["open", "reported"]));
    }
    // The public-revenue ledger as a sixth headline figure: 1,234,567 yuan.
    dash["ledger"] = json!({"income_fen": BIG * 100, "spending_fen": 0, "balance_fen": BIG * 100, "entries": BIG});
    dash
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_alert_strip_is_a_red_strip_while_an_alert_fires() {
    let Some(exe) = chromium_or_skip("the_alert_strip_is_a_red_strip_while_an_alert_fires") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let (app, _) = server(&dir, 0).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    // A day's traffic, with tickets past their deadline: the overdue headline box then has
    // a class `alert` of its own, which the strip's styles must leave alone.
    seed(&http, &base).await;
    let rule = json!({"id": "zhengjie-backlog", "scope": "nanan.nanping.zhengjie", "metric": "tickets_open",
                      "op": ">", "threshold": 0, "title": "正街积压"});
    post(&http, &base, "/api/v1/admin/alerts/rules", &rule).await;

    let browser = launch(&exe, cdp::Launch::default()).await;
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    page.wait_for(
        "document.querySelector('#alerts:not([hidden]) .alert.firing')",
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("the alert never showed: {e}\n{}", browser.log_text()));

    // The stylesheet parsed as written: no rule ended up nested inside another (what a
    // missing `}` does), and the alert rules are top-level rules.
    let parsed = page
        .eval(
            "(() => { const rules = [...document.styleSheets].flatMap((s) => [...s.cssRules]);
                     return { nested: rules.filter((r) => r.cssRules && r.cssRules.length && r instanceof CSSStyleRule).map((r) => r.selectorText),
                              alert: rules.some((r) => r.selectorText === '.alerts .alert'), alerts: rules.some((r) => r.selectorText === '.alerts') }; })()",
        )
        .await
        .unwrap();
    assert_eq!(
        parsed,
        json!({"nested": [], "alert": true, "alerts": true}),
        "screen.css as the browser read it"
    );

    for (w, h) in [(1920u32, 1080u32), (3840, 2160)] {
        settle_at(&page, w, h).await;
        let rem = f64::from(h) / 67.5;
        let s = page
            .eval(
                "(() => { const box = document.getElementById('alerts'), chip = box.querySelector('.alert.firing');
                          const cs = getComputedStyle(chip), r = chip.getBoundingClientRect();
                          const title = chip.querySelector('.a-title').getBoundingClientRect(), value = chip.querySelector('.a-value').getBoundingClientRect();
                          return { strip: getComputedStyle(box).display, display: cs.display, background: cs.backgroundColor,
                                   border: cs.borderTopColor, color: cs.color, font: parseFloat(cs.fontSize), height: r.height,
                                   gap: value.left - title.right }; })()",
            )
            .await
            .unwrap();
        let at = format!("the firing alert at {w}×{h}: {s}");
        assert_eq!(s["strip"], "flex", "{at}");
        assert_eq!(s["display"], "flex", "{at}");
        assert_eq!(s["background"], "rgba(150, 14, 28, 0.9)", "{at}");
        assert_eq!(s["border"], "rgb(255, 91, 95)", "{at}");
        assert_eq!(s["color"], "rgb(255, 255, 255)", "{at}");
        let font = s["font"].as_f64().unwrap();
        assert!(font >= 1.25 * rem - 0.01, "{at}: text under 1.25 rem");
        assert!(
            s["height"].as_f64().unwrap() >= 1.6 * font,
            "{at}: a padded strip, not a line of text"
        );
        assert!(
            s["gap"].as_f64().unwrap() >= 0.5 * rem,
            "{at}: title and value apart, not run together"
        );
        let kpi = page
            .eval(
                "(() => { const k = document.querySelector('.kpi.k-overdue.alert');
                          return k && { display: getComputedStyle(k).display, num: parseFloat(getComputedStyle(k.querySelector('.num')).fontSize) }; })()",
            )
            .await
            .unwrap();
        assert_eq!(
            kpi["display"], "block",
            "the overdue headline box (class alert) is not styled as an alert: {kpi}"
        );
        assert!(
            kpi["num"].as_f64().unwrap() >= 5.0 * rem,
            "the overdue figure keeps its size: {kpi}"
        );
    }
    settle_at(&page, 1920, 1080).await;
    shots(&page, "alert").await;
    switch_to_english(&page).await;
    page.wait_for(
        "document.querySelector('.alert.firing .a-state').textContent === 'Alert'",
        Duration::from_secs(2),
    )
    .await
    .unwrap();
    shots(&page, "alert-en").await;

    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn figures_of_five_and_seven_digits_fit_their_boxes() {
    let Some(exe) = chromium_or_skip("figures_of_five_and_seven_digits_fit_their_boxes") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let (app, _) = server(&dir, 0).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    ingest_big_figures(&http, &base).await;

    // Through ingest: 12,345 open tickets, 1,234,567 person-times, in every place they land.
    let browser = launch(&exe, cdp::Launch::default()).await;
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    page.wait_for(
        &format!("{} && {}", figure_is("tickets_open", 12_345), figure_is("attendance", BIG)),
        Duration::from_secs(10),
    )
    .await
    .unwrap_or_else(|e| panic!("the big figures never showed: {e}"));
    let shown = page
        .eval(
            "(() => { const row = (s) => [...document.querySelectorAll(`#children tr[data-scope='${s}'] td.n`)].map((td) => td.textContent);
                     return { nanping: row('nanan.nanping')[0], changshengqiao: row('nanan.changshengqiao')[4],
                              rank: document.querySelector('#top-grids .rank .rank-v')?.textContent,
                              step: document.querySelector('.step.s-reported b')?.textContent,
                              open: document.querySelector('[data-figure=tickets_open]').textContent,
                              attendance: document.querySelector('[data-figure=attendance]').textContent }; })()",
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!({"nanping": "12,345", "changshengqiao": "1,234,567", "rank": "12,345", "step": "12,345",
               "open": "12,345", "attendance": "1,234,567"}),
        "every digit, in the units table, the ranking, the loop and the headline"
    );
    assert_figures_fit(&page, "district (ingest)").await;
    shots(&page, "wide-ingest").await;
    switch_to_english(&page).await;
    assert_figures_fit(&page, "district (ingest, English)").await;

    // The health community leads with attendance: 1,234,567 in its big figure.
    page.goto(&format!("{base}/screen/nanan.changshengqiao.tongjing")).await.unwrap();
    page.wait_for(
        &format!("document.body.dataset.conn === 'live' && {}", figure_is("attendance", BIG)),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    page.wait_for(
        "document.getElementById('lead-panel').classList.contains('lead-health')",
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_figures_fit(&page, "tongjing (ingest)").await;

    // The worst case, injected: every count on the district screen at seven digits.
    page.goto(&format!("{base}/screen/nanan")).await.unwrap();
    page.wait_for("document.body.dataset.conn === 'live'", Duration::from_secs(10))
        .await
        .unwrap();
    let dash = get_json(&http, &format!("{base}/api/v1/scopes/nanan/dashboard")).await.unwrap();
    let worst = every_count_at_seven_digits(dash);
    let injected =
        "[...document.querySelectorAll('.step b, .rank-v, #children td.n .v, .kpi .num')].every((e) => e.textContent === '1,234,567')";
    for lang in ["zh", "en"] {
        page.eval(&format!("window.cockpitScreen.show({worst})")).await.unwrap();
        let all = page.eval(injected).await.unwrap();
        assert_eq!(all, json!(true), "{lang}: every count shows as 1,234,567");
        assert_figures_fit(&page, &format!("district, every count at 1,234,567 ({lang})")).await;
        assert_eq!(
            page.eval(injected).await.unwrap(),
            json!(true),
            "{lang}: an update replaced the injected dashboard"
        );
        shots(&page, &format!("wide-worst-{lang}")).await;
        if lang == "zh" {
            switch_to_english(&page).await;
        }
    }

    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_browser_in_utc_shows_the_deployments_time() {
    let Some(exe) = chromium_or_skip("a_browser_in_utc_shows_the_deployments_time") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let (app, _) = server(&dir, 0).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let browser = launch(&exe, cdp::Launch { tz: "UTC", profile: None }).await;
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    let zone = page.eval("Intl.DateTimeFormat().resolvedOptions().timeZone").await.unwrap();
    assert!(zone == "UTC" || zone == "Etc/UTC", "the browser itself is in UTC: {zone}");
    assert_clock_is_shanghai(&page, "zh").await;
    shots(&page, "clock-utc-browser").await;
    switch_to_english(&page).await;
    assert_clock_is_shanghai(&page, "en").await;
    browser.close().await;
    app.stop().await;
}

/// The header clock shows Asia/Shanghai's time (within a few seconds of the test's own
/// reading) and date, in the page's language.
async fn assert_clock_is_shanghai(page: &Page<'_>, lang: &str) {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let shown = page
            .eval("[document.getElementById('clock-time').textContent, document.getElementById('clock-date').textContent]")
            .await
            .unwrap();
        let now = jiff::Timestamp::now().in_tz("Asia/Shanghai").unwrap();
        let secs = |h: i64, m: i64, s: i64| h * 3600 + m * 60 + s;
        let want = secs(now.hour().into(), now.minute().into(), now.second().into());
        let time = shown[0].as_str().unwrap_or_default();
        let hms: Vec<i64> = time.split(':').filter_map(|p| p.trim().parse().ok()).collect();
        let off = match hms[..] {
            [h, m, s] => ((secs(h, m, s) - want).rem_euclid(86_400) + 43_200) % 86_400 - 43_200,
            _ => i64::MAX,
        };
        let date = shown[1].as_str().unwrap_or_default();
        let day = if lang == "zh" {
            format!("{}月{}日", now.month(), now.day())
        } else {
            format!("{} {}", now.day(), months[now.month() as usize - 1])
        };
        if off.abs() <= 5 && date.contains(&day) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{lang}: the clock shows {time} {date}; Asia/Shanghai is {} on {day} (off by {off} s)",
            now.time()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_text_is_readable_from_five_metres() {
    let Some(exe) = chromium_or_skip("every_text_is_readable_from_five_metres") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let (app, _) = server(&dir, 0).await;
    let base = format!("http://127.0.0.1:{}", app.port);
    let http = reqwest::Client::new();
    seed(&http, &base).await;
    let rule = json!({"id": "zhengjie-backlog", "scope": "nanan.nanping.zhengjie", "metric": "tickets_open",
                      "op": ">", "threshold": 0, "title": "正街积压"});
    post(&http, &base, "/api/v1/admin/alerts/rules", &rule).await;
    let jinyan = "nanan.huayuanlu.jinyan";
    let entry = json!({"id": "L1", "scope": jinyan, "at": ago(3600), "direction": "income", "category": "parking",
                       "amount_fen": 1_234_500, "counterparty": "金堰停车场"});
    post(&http, &base, "/api/v1/ledger", &entry).await;

    let browser = launch(&exe, cdp::Launch::default()).await;
    let page = open_live(&browser, &format!("{base}/screen/nanan")).await;
    page.wait_for(
        "document.querySelector('#alerts .alert.firing') && document.querySelectorAll('#trend rect.tb').length === 7",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    for lang in ["zh", "en"] {
        for scope in [
            "nanan",
            "nanan.changshengqiao.tongjing",
            "nanan.nanping.zhengjie",
            "nanan.nanpingzhen.xinglong",
            jinyan,
        ] {
            let q = if lang == "en" { "?lang=en" } else { "" };
            page.goto(&format!("{base}/screen/{scope}{q}")).await.unwrap();
            page.wait_for(
                "document.body.dataset.conn === 'live' && document.querySelector('#lead').childElementCount",
                Duration::from_secs(10),
            )
            .await
            .unwrap();
            // Let the series and the theme's definition arrive, as on a wall.
            tokio::time::sleep(Duration::from_millis(600)).await;
            assert_readable(&page, &format!("{scope} ({lang})")).await;
        }
    }
    page.goto(&format!("{base}/screen/nanan")).await.unwrap();
    page.wait_for(
        "document.body.dataset.conn === 'live' && document.querySelector('#alerts .alert.firing')",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shots(&page, "district").await;
    switch_to_english(&page).await;
    shots(&page, "district-en").await;
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kiosk_rebooted_in_an_outage_shows_its_last_figures_marked_stale() {
    let Some(exe) = chromium_or_skip("a_kiosk_rebooted_in_an_outage_shows_its_last_figures_marked_stale") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Workdir::new();
    let (app, settings) = server(&dir, 0).await;
    let port = app.port;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    seed(&http, &base).await;
    // The kiosk's disk: one profile across the reboot. Its clock is in UTC, as an
    // unconfigured kiosk's often is, so the clock must come from the stored figures too.
    let kiosk = cdp::Launch {
        tz: "UTC",
        profile: Some(dir.0.join("kiosk-profile")),
    };
    let url = format!("{base}/screen/nanan");
    let browser = launch(&exe, kiosk.clone()).await;
    let page = open_live(&browser, &url).await;
    let before = settled_dashboard(&http, &base, &page).await.unwrap();
    let shown = "(() => ({ kpis: [...document.querySelectorAll('.kpi .num')].map((e) => e.textContent),
                           units: [...document.querySelectorAll('#children tbody tr')].map((r) => r.textContent),
                           grids: [...document.querySelectorAll('#top-grids .rank')].map((r) => r.textContent) }))()";
    let figures = page.eval(shown).await.unwrap();
    assert!(figures["units"].as_array().is_some_and(|u| u.len() == 4), "{figures}");
    // The page keeps what it needs for a cold start; give it a moment, as a wall would have.
    if let Err(e) = page
        .wait_for("window.cockpitScreen.status().offline === 'ready'", Duration::from_secs(10))
        .await
    {
        eprintln!("browser: the page never said it was ready for a cold start offline: {e}");
    }

    // The outage: the server goes away, then the kiosk reboots.
    app.kill().await;
    browser.close().await;
    let down_at = Instant::now();
    let browser = launch(&exe, kiosk.clone()).await;
    let page = browser.new_page().await.unwrap();
    page.viewport(1920, 1080).await.unwrap();
    page.goto(&url)
        .await
        .unwrap_or_else(|e| panic!("the rebooted kiosk could not open its screen with the server down: {e}"));
    let report = |what: &str| format!("{what}\n--- page log ---\n{}", browser.log_text());
    page.wait_for(
        "document.querySelector('[data-figure=tickets_open]').dataset.value",
        Duration::from_secs(5),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("no figures on the rebooted kiosk: {e}"))));
    assert_eq!(page.eval(shown).await.unwrap(), figures, "the figures from before the outage");
    assert_eq!(
        figure(&page, "tickets_open").await,
        before["figures"]["tickets_open"].as_i64().unwrap()
    );
    // Marked stale, with their age, from the first moment and after the screen gives up
    // waiting (disconnected): never shown as live.
    for state in ["connecting", "disconnected"] {
        let (banner, _) = page
            .wait_for(
                &format!(
                    "document.body.dataset.conn === '{state}' && !document.getElementById('banner').hidden && document.getElementById('banner').textContent"
                ),
                Duration::from_secs(10),
            )
            .await
            .unwrap_or_else(|e| panic!("{}", report(&format!("no stale banner while {state}: {e}"))));
        let banner = banner.as_str().unwrap_or_default().to_owned();
        let age = page.eval("document.getElementById('age').textContent").await.unwrap();
        let secs = down_at.elapsed().as_secs();
        assert!(
            banner.contains("本机保存") && (banner.contains("秒前") || banner.contains("分钟前")),
            "{state}: the banner says the figures are stored ones, and how old: {banner}"
        );
        let n: u64 = age
            .as_str()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        assert!(
            n >= secs.min(1),
            "{state}: the age counts from before the outage: {age} ({secs} s down)"
        );
        assert_eq!(page.eval("document.body.dataset.cached").await.unwrap(), "yes");
    }
    assert_clock_is_shanghai(&page, "zh").await;
    assert_readable(&page, "rebooted kiosk, stored figures").await;
    shots(&page, "kiosk-stale").await;
    switch_to_english(&page).await;
    let banner = page.eval("document.getElementById('banner').textContent").await.unwrap();
    assert!(banner.as_str().is_some_and(|b| b.contains("ago")), "English banner: {banner}");
    shots(&page, "kiosk-stale-en").await;

    // The server returns: the kiosk goes live by itself and drops the stale marks.
    let again = Settings {
        bind: format!("127.0.0.1:{port}"),
        ..settings
    };
    let app = Running::start(again).await;
    page.wait_for(
        "document.body.dataset.conn === 'live' && document.body.dataset.cached !== 'yes' && document.getElementById('banner').hidden",
        Duration::from_secs(20),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", report(&format!("the kiosk did not go live again: {e}"))));
    browser.close().await;
    app.stop().await;
}
