//! Alert thresholds: rules fire after their pending period and resolve, on data
//! and on the clock alone; blips do not fire; screens (of the scope and its
//! parents), `GET /api/v1/alerts` and `/metrics` show them; the webhook gets a
//! signed POST and retries; admin rules are durable; bad rules name their field.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use cockpit::alerts::RuleSpec;
use cockpit::config::{Secret, Settings};
use serde_json::{Value, json};

use crate::helpers::{TestApp, production, spawn_app_with, start, today_at};

const WAIT: Duration = Duration::from_secs(8);
const COMMUNITY: &str = "nanan.nanping.zhengjie";
const GRID: &str = "nanan.nanping.zhengjie.g01";

fn rule(v: Value) -> RuleSpec {
    RuleSpec::from_json(v).unwrap()
}

/// Evaluates every 50 ms with the given configuration rules.
fn with_rules(rules: Vec<RuleSpec>) -> impl FnOnce(&mut Settings) {
    move |s| {
        s.alerts.tick_ms = 50;
        s.alerts.rules = rules;
    }
}

/// Polls `GET /api/v1/alerts?scope=` until the alert of `rule` satisfies `pred`
/// (`None`: until the rule has no alert).
async fn until_alert(app: &TestApp, scope: &str, rule: &str, pred: impl Fn(Option<&Value>) -> bool) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = app.get(&format!("/api/v1/alerts?scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        let found = body["alerts"]
            .as_array()
            .and_then(|l| l.iter().find(|a| a["rule"] == rule))
            .cloned();
        if pred(found.as_ref()) {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "{rule} never matched; last list: {body}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn state_is(s: &'static str) -> impl Fn(Option<&Value>) -> bool {
    move |a| a.is_some_and(|a| a["state"] == s)
}

async fn metrics(app: &TestApp) -> String {
    app.text("/metrics").await
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

crate::per_backend! {
    async fn an_alert_fires_on_data_after_its_pending_period_and_resolves_when_data_goes_back(b) {
        let r = rule(json!({"id":"busy","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":1,"for_secs":1,"title":"正街积压"}));
        let app = spawn_app_with(&b, with_rules(vec![r])).await;
        let mut district = app.screen("nanan").await;
        district.next(WAIT).await.expect("snapshot");
        let tickets = json!([
            {"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)},
            {"id":"k2","scope":GRID,"category":"garbage","reported_at":today_at(0)},
        ]);
        app.ingest("/api/v1/tickets", tickets).await;

        let pending = until_alert(&app, "nanan", "busy", |a| a.is_some()).await.unwrap_or_default();
        assert_eq!(pending["state"], "pending", "the pending period comes first: {pending}");
        let firing = until_alert(&app, "nanan", "busy", state_is("firing")).await.unwrap_or_default();
        assert_eq!(firing["value"].as_f64(), Some(2.0), "{firing}");
        assert_eq!(firing["threshold"].as_f64(), Some(1.0));
        assert_eq!(
            (firing["scope"].as_str(), firing["scope_name"].as_str()),
            (Some(COMMUNITY), Some("正街社区"))
        );
        assert_eq!(firing["title"], "正街积压");
        assert_eq!(firing["since"], pending["since"], "since: when the condition began to hold");

        // The district's screen shows its community's alert; another district's list does not.
        let up = district
            .until(WAIT, |m| m["data"]["alerts"][0]["state"] == "firing")
            .await
            .expect("the parent's screen shows the firing alert");
        assert_eq!(up["data"]["alerts"][0]["rule"], "busy");
        let (_, other) = app.get("/api/v1/alerts?scope=nanan.nanpingzhen").await;
        assert_eq!(other["alerts"], json!([]), "{other}");
        let text = metrics(&app).await;
        assert!(text.contains(r#"cockpit_alerts{state="firing"} 1"#), "{text}");
        assert!(text.contains(r#"cockpit_alert_transitions_total{to="firing"} 1"#));

        // Data goes back below the threshold: resolved, and still shown for a while.
        app.ingest(
            "/api/v1/transitions",
            json!({"id":"s1","ticket_id":"k1","to":"resolved","at":now()}),
        )
        .await;
        let resolved = until_alert(&app, "nanan", "busy", state_is("resolved")).await.unwrap_or_default();
        assert!(resolved["resolved_at"].is_string(), "{resolved}");
        district
            .until(WAIT, |m| m["data"]["alerts"][0]["state"] == "resolved")
            .await
            .expect("the screen shows it resolved");
        let text = metrics(&app).await;
        assert!(text.contains(r#"cockpit_alert_transitions_total{to="resolved"} 1"#), "{text}");
        assert!(text.contains(r#"cockpit_alerts{state="firing"} 0"#));
    }
}

crate::per_backend! {
    async fn a_blip_shorter_than_the_pending_period_does_not_fire(b) {
        let r = rule(json!({"id":"blip","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0,"for_secs":2}));
        let app = spawn_app_with(&b, with_rules(vec![r])).await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
        until_alert(&app, COMMUNITY, "blip", state_is("pending")).await;
        app.ingest(
            "/api/v1/transitions",
            json!({"id":"s1","ticket_id":"k1","to":"resolved","at":now()}),
        )
        .await;
        until_alert(&app, COMMUNITY, "blip", |a| a.is_none()).await;
        // Past the pending period, it still never fired.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let (_, body) = app.get(&format!("/api/v1/alerts?scope={COMMUNITY}")).await;
        assert_eq!(body["alerts"], json!([]), "{body}");
        assert!(metrics(&app).await.contains(r#"cockpit_alert_transitions_total{to="firing"} 0"#));
    }
}

crate::per_backend! {
    async fn alerts_fire_on_the_clock_alone_as_a_deadline_passes_and_as_a_screen_goes(b) {
        let rules = vec![
            rule(json!({"id":"overdue","scope":COMMUNITY,"metric":"tickets_overdue","op":">","threshold":0})),
            rule(json!({"id":"wall-gone","scope":"nanan","metric":"screens_gone","op":">","threshold":0})),
        ];
        let app = spawn_app_with(&b, |s| {
            with_rules(rules)(s);
            s.deadlines.insert("garbage".into(), 2);
            s.presence_ms = 100;
        })
        .await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":now()}),
        )
        .await;
        let (_, early) = app.get(&format!("/api/v1/alerts?scope={COMMUNITY}")).await;
        assert!(
            early["alerts"].as_array().is_some_and(|l| l.iter().all(|a| a["rule"] != "overdue")),
            "not overdue yet: {early}"
        );
        // No more data: the deadline passes and the clock alone fires the alert.
        let a = until_alert(&app, "nanan", "overdue", state_is("firing")).await.unwrap_or_default();
        assert_eq!(a["value"].as_f64(), Some(1.0), "{a}");

        // A named wall screen goes away: screens_gone fires.
        let mut wall = app.screen_with(&format!("scope={COMMUNITY}&screen=zhengjie-wall")).await;
        wall.next(WAIT).await.expect("snapshot");
        let (_, before) = app.get("/api/v1/alerts?scope=nanan").await;
        assert!(
            before["alerts"]
                .as_array()
                .is_some_and(|l| l.iter().all(|a| a["rule"] != "wall-gone")),
            "{before}"
        );
        wall.close().await;
        let gone = until_alert(&app, "nanan", "wall-gone", state_is("firing"))
            .await
            .unwrap_or_default();
        assert_eq!(gone["metric"], "screens_gone");
    }
}

crate::per_backend! {
    async fn a_relative_threshold_compares_with_the_same_weekday_of_past_weeks(b) {
        let app = spawn_app_with(&b, with_rules(vec![])).await;
        let mut events = Vec::new();
        let mut checkins = Vec::new();
        for w in 0..=4 {
            let at = today_at(600 - w * 7 * 1440);
            events.push(json!({"id":format!("e{w}"),"scope":GRID,"category":"health","title":"健康大讲堂","starts_at":at,"status":"held"}));
            let count = if w == 0 { 4 } else { 10 };
            checkins.push(json!({"id":format!("c{w}"),"event_id":format!("e{w}"),"scope":GRID,"at":at,"count":count}));
        }
        app.ingest("/api/v1/events", Value::Array(events)).await;
        app.ingest("/api/v1/attendance", Value::Array(checkins)).await;
        // Attendance today below half the mean of the same weekday over four weeks.
        let r = json!({"id":"lecture","scope":COMMUNITY,"metric":"attendance","op":"<",
            "threshold":{"ratio":0.5,"of":"weekday_mean","weeks":4}});
        let (status, e) = app.post("/api/v1/admin/alerts/rules", &r).await;
        assert_eq!(status, 201, "{e}");
        let a = until_alert(&app, COMMUNITY, "lecture", state_is("firing"))
            .await
            .unwrap_or_default();
        assert_eq!((a["value"].as_f64(), a["threshold"].as_f64()), (Some(4.0), Some(5.0)), "{a}");
        let more = json!({"id":"c-late","event_id":"e0","scope":GRID,"at":today_at(610),"count":2});
        app.ingest("/api/v1/attendance", more).await;
        until_alert(&app, COMMUNITY, "lecture", state_is("resolved")).await;
    }
}

/// One request the receiver got, and how it answered.
#[derive(Clone)]
struct Hit {
    signature: Option<String>,
    timestamp: Option<String>,
    body: Vec<u8>,
    status: u16,
}

type Got = Arc<Mutex<Vec<Hit>>>;

/// A webhook receiver on 127.0.0.1:0: answers 500 to the first `fail` requests.
struct Receiver {
    url: String,
    got: Got,
}

async fn receiver(fail: usize) -> Receiver {
    let got: Got = Arc::default();
    let data = web::Data::new(got.clone());
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).default_service(web::to(
            move |req: HttpRequest, body: web::Bytes, got: web::Data<Got>| async move {
                let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let mut got = got.lock().unwrap();
                let status = if got.len() < fail { 500 } else { 200 };
                got.push(Hit {
                    signature: header("x-cockpit-signature"),
                    timestamp: header("x-cockpit-timestamp"),
                    body: body.to_vec(),
                    status,
                });
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
            },
        ))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Receiver {
        url: format!("http://127.0.0.1:{port}/hook"),
        got,
    }
}

impl Receiver {
    async fn until(&self, n: usize) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} webhook requests arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
}

crate::per_backend! {
    async fn the_webhook_gets_a_signed_post_per_transition_and_a_failure_is_retried(b) {
        let hook = receiver(1).await;
        let r = rule(json!({"id":"hooked","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0,"severity":"critical"}));
        let url = hook.url.clone();
        let app = spawn_app_with(&b, move |s| {
            with_rules(vec![r])(s);
            s.alerts.webhook_url = Some(url);
            s.alerts.webhook_secret = Some(Secret::new("hook-s3cret"));
            s.alerts.webhook_retry_ms = 20;
            s.alerts.webhook_attempts = 3;
        })
        .await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
        let got = hook.until(2).await;
        assert_eq!(
            (got[0].status, got[1].status),
            (500, 200),
            "the first attempt failed, the retry was accepted"
        );
        assert_eq!(got[0].body, got[1].body, "a retry sends the same body");
        let hit = &got[1];
        let ts: i64 = hit.timestamp.as_deref().and_then(|t| t.parse().ok()).expect("a timestamp header");
        assert_eq!(
            hit.signature.as_deref(),
            Some(expected_signature("hook-s3cret", ts, &hit.body).as_str()),
            "signed over timestamp.body"
        );
        let payload: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(payload["transition"], "firing", "{payload}");
        assert_eq!(
            (&payload["alert"]["rule"], &payload["alert"]["severity"]),
            (&json!("hooked"), &json!("critical"))
        );

        app.ingest(
            "/api/v1/transitions",
            json!({"id":"s1","ticket_id":"k1","to":"resolved","at":now()}),
        )
        .await;
        let got = hook.until(3).await;
        let payload: Value = serde_json::from_slice(&got[2].body).unwrap();
        assert_eq!(payload["transition"], "resolved", "{payload}");
        let text = metrics(&app).await;
        assert!(text.contains(r#"cockpit_alert_webhook_total{outcome="retried"} 1"#), "{text}");
        assert!(text.contains(r#"cockpit_alert_webhook_total{outcome="delivered"} 2"#), "{text}");
    }
}

/// What a receiver computes to check the signature (docs/alerts.md).
fn expected_signature(secret: &str, ts: i64, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.").as_bytes());
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!("sha256={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

crate::per_backend! {
    async fn admin_rules_persist_across_a_restart_and_config_rules_cannot_be_deleted(b) {
        let cfg = rule(json!({"id":"from-config","scope":"nanan","metric":"tickets_overdue","op":">","threshold":5}));
        let app = spawn_app_with(&b, with_rules(vec![cfg])).await;
        let body = json!({"id":"open-api","scope":COMMUNITY,"metric":"tickets_open","op":">=","threshold":1,"for_secs":0});
        let (status, created) = app.post("/api/v1/admin/alerts/rules", &body).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["rule"]["id"], "open-api");

        app.stop().await;
        let again = start(&b, app.resources.clone(), app.settings.clone()).await;
        let (status, list) = again.get("/api/v1/admin/alerts/rules").await;
        assert_eq!(status, 200, "{list}");
        let ids: Vec<(&str, &str)> = list["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| Some((r["rule"]["id"].as_str()?, r["source"].as_str()?)))
            .collect();
        assert_eq!(ids, vec![("from-config", "config"), ("open-api", "api")], "{list}");

        // The restored rule is evaluated.
        again
            .ingest(
                "/api/v1/tickets",
                json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
            )
            .await;
        until_alert(&again, COMMUNITY, "open-api", state_is("firing")).await;
        // A client retrying its POST does not reset the alert to pending.
        let (status, _) = again.post("/api/v1/admin/alerts/rules", &body).await;
        assert_eq!(status, 201);
        let (_, now) = again.get(&format!("/api/v1/alerts?scope={COMMUNITY}")).await;
        assert_eq!(now["alerts"][0]["state"], "firing", "{now}");

        let del = |id: &str| format!("{}/api/v1/admin/alerts/rules/{id}", again.address);
        let res = again.client.delete(del("from-config")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 409, "a configuration rule is the configuration's");
        let e: Value = res.json().await.unwrap();
        assert!(e["message"].as_str().is_some_and(|m| m.contains("from-config")), "{e}");
        let res = again.client.delete(del("open-api")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let res = again.client.delete(del("open-api")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        until_alert(&again, COMMUNITY, "open-api", |a| a.is_none()).await;
    }
}

crate::per_backend! {
    async fn bad_rules_get_a_4xx_naming_the_field(b) {
        let app = spawn_app_with(&b, |_| {}).await;
        let good = json!({"id":"r1","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":1});
        // Malformed fields are 400; well-formed ones the data refuses are 422.
        let cases = [
            ("op", json!("=>"), 400),
            ("metric", json!("tickets"), 400),
            ("threshold", json!("five"), 400),
            ("for_secs", json!(-5), 400),
            ("for_secs", json!(1.5), 400),
            ("scope", json!("nanan.nowhere"), 422),
            ("from", json!("25:00"), 400),
        ];
        for (field, value, code) in cases {
            let mut body = good.clone();
            body[field] = value;
            let (status, e) = app.post("/api/v1/admin/alerts/rules", &body).await;
            assert_eq!(status, code, "{field}: {e}");
            assert!(e["message"].as_str().is_some_and(|m| m.starts_with(field)), "{field}: {e}");
        }
        let (status, e) = app.get("/api/v1/alerts").await;
        assert_eq!(status, 400, "{e}");
        let (_, list) = app.get("/api/v1/admin/alerts/rules").await;
        assert_eq!(list["rules"], json!([]), "nothing bad was stored");
    }
}

/// The count of `name{label}` in a Prometheus text, 0 when absent.
fn counter(text: &str, series: &str) -> i64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse::<f64>().ok()))
        .map_or(0, |v| v as i64)
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn two_instances_on_one_redis_call_the_webhook_once_per_transition() {
    let Some(b) = production() else { return };
    let hook = receiver(0).await;
    let r = rule(json!({"id":"shared","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0}));
    let url = hook.url.clone();
    let a = spawn_app_with(&b, move |s| {
        with_rules(vec![r])(s);
        s.alerts.webhook_url = Some(url);
    })
    .await;
    let second = start(&b, a.resources.clone(), a.settings.clone()).await;
    a.ingest(
        "/api/v1/tickets",
        json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
    )
    .await;
    // Both instances see it fire, and both have handled the transition: one delivered it.
    for app in [&a, &second] {
        until_alert(app, COMMUNITY, "shared", state_is("firing")).await;
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    let (delivered, elsewhere) = loop {
        let (ta, tb) = (metrics(&a).await, metrics(&second).await);
        let outcome = |o: &str| {
            let series = format!("cockpit_alert_webhook_total{{outcome=\"{o}\"}}");
            counter(&ta, &series) + counter(&tb, &series)
        };
        let seen = (outcome("delivered"), outcome("claimed_elsewhere"));
        if seen.0 + seen.1 >= 2 || tokio::time::Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((delivered, elsewhere), (1, 1), "one instance delivers, the other stands down");
    assert_eq!(hook.until(1).await.len(), 1, "the receiver got one POST");
}

crate::per_backend! {
    async fn alert_rules_need_the_admin_token_and_alerts_a_token_for_the_scope(b) {
        let app = spawn_app_with(&b, |s| {
            s.admin_token = Some(Secret::new("admin-for-alerts"));
            s.screen_secret = Some(Secret::new("screens-for-alerts"));
            s.allow_open = false;
        })
        .await;
        let url = format!("{}/api/v1/admin/alerts/rules", app.address);
        let body = json!({"id":"r1","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":1});
        let res = app.client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "no token, no rule");
        let res = app.client.get(&url).bearer_auth("wrong").send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
        let res = app
            .client
            .post(&url)
            .bearer_auth("admin-for-alerts")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let res = app
            .client
            .get(format!("{}/api/v1/alerts?scope=nanan", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401, "alerts are not public");
        // A community's screen token reads its own alerts, not the district's.
        let token: Value = app
            .client
            .post(format!("{}/api/v1/admin/screen-tokens", app.address))
            .bearer_auth("admin-for-alerts")
            .json(&json!({"scope": COMMUNITY}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = token["token"].as_str().unwrap_or_default();
        let read = |scope: &str| {
            app.client
                .get(format!("{}/api/v1/alerts?scope={scope}", app.address))
                .bearer_auth(token)
                .send()
        };
        assert_eq!(read(COMMUNITY).await.unwrap().status().as_u16(), 200);
        assert_eq!(read("nanan").await.unwrap().status().as_u16(), 403);
    }
}

/// The transitions a receiver got, in order: (transition, rule).
fn transitions(hits: &[Hit]) -> Vec<(String, String)> {
    hits.iter()
        .filter_map(|h| serde_json::from_slice::<Value>(&h.body).ok())
        .map(|p| {
            (
                p["transition"].as_str().unwrap_or_default().to_owned(),
                p["alert"]["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

crate::per_backend! {
    async fn replacing_or_deleting_a_firing_rule_sends_its_resolved(b) {
        let hook = receiver(0).await;
        let url = hook.url.clone();
        let app = spawn_app_with(&b, move |s| {
            with_rules(vec![])(s);
            s.alerts.webhook_url = Some(url);
        })
        .await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
        let a = json!({"id":"swapped","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0});
        let d = json!({"id":"dropped","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0});
        for r in [&a, &d] {
            let (status, e) = app.post("/api/v1/admin/alerts/rules", r).await;
            assert_eq!(status, 201, "{e}");
        }
        until_alert(&app, COMMUNITY, "swapped", state_is("firing")).await;
        until_alert(&app, COMMUNITY, "dropped", state_is("firing")).await;
        hook.until(2).await;

        // Replaced by a rule that does not hold: the receiver hears the old one resolved.
        let calmer = json!({"id":"swapped","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":10});
        let (status, e) = app.post("/api/v1/admin/alerts/rules", &calmer).await;
        assert_eq!(status, 201, "{e}");
        let got = transitions(&hook.until(3).await);
        assert_eq!(got[2], ("resolved".into(), "swapped".into()), "{got:?}");

        let res = app
            .client
            .delete(format!("{}/api/v1/admin/alerts/rules/dropped", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let got = transitions(&hook.until(4).await);
        assert_eq!(got[3], ("resolved".into(), "dropped".into()), "{got:?}");
        let text = metrics(&app).await;
        assert!(text.contains(r#"cockpit_alert_transitions_total{to="resolved"} 2"#), "{text}");
    }
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn a_new_episode_after_every_instance_restarted_is_paged_even_if_no_resolved_was_sent() {
    let Some(b) = production() else { return };
    let hook = receiver(0).await;
    let r = rule(json!({"id":"again","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0}));
    let url = hook.url.clone();
    let first = spawn_app_with(&b, move |s| {
        with_rules(vec![r])(s);
        s.alerts.webhook_url = Some(url);
    })
    .await;
    first
        .ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
    hook.until(1).await;
    first.stop().await;

    // While no instance with the rule runs, the condition clears: nobody sends `resolved`.
    let mut quiet = first.settings.clone();
    quiet.alerts.rules = vec![];
    let between = start(&b, first.resources.clone(), quiet).await;
    between
        .ingest(
            "/api/v1/transitions",
            json!({"id":"s1","ticket_id":"k1","to":"resolved","at":now()}),
        )
        .await;
    between.stop().await;
    // "Days later" (past the claim's lifetime: ten ticks of 50 ms, at least 1 s).
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    // The rule truly fires again: a new page, not "claimed elsewhere".
    let later = start(&b, first.resources.clone(), first.settings.clone()).await;
    later
        .ingest(
            "/api/v1/tickets",
            json!({"id":"k2","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
    until_alert(&later, COMMUNITY, "again", state_is("firing")).await;
    let got = transitions(&hook.until(2).await);
    assert_eq!(
        got,
        vec![("firing".into(), "again".into()), ("firing".into(), "again".into())],
        "the second episode was paged"
    );
}

crate::per_backend! {
    async fn outside_its_time_of_day_window_a_rule_does_not_hold(b) {
        // A window two to three hours from now (local time), so never now.
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let local = jiff::Timestamp::now().to_zoned_datetime(tz).time();
        let hhmm = |h: i64| {
            let t = local.wrapping_add(jiff::SignedDuration::from_hours(h));
            format!("{:02}:{:02}", t.hour(), t.minute())
        };
        let rules = vec![
            rule(json!({"id":"all-day","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0})),
            rule(json!({"id":"later","scope":COMMUNITY,"metric":"tickets_open","op":">","threshold":0,"from":hhmm(2),"until":hhmm(3)})),
        ];
        let app = spawn_app_with(&b, with_rules(rules)).await;
        app.ingest(
            "/api/v1/tickets",
            json!({"id":"k1","scope":GRID,"category":"garbage","reported_at":today_at(0)}),
        )
        .await;
        // Both rules are stepped in the same evaluation: once one fires, the other was read too.
        until_alert(&app, COMMUNITY, "all-day", state_is("firing")).await;
        let (_, body) = app.get(&format!("/api/v1/alerts?scope={COMMUNITY}")).await;
        let rules: Vec<&str> = body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["rule"].as_str())
            .collect();
        assert_eq!(rules, ["all-day"], "outside its window the rule is not even pending: {body}");
        let (_, listed) = app.get("/api/v1/admin/alerts/rules").await;
        assert_eq!(listed["rules"][1]["rule"]["from"], hhmm(2), "{listed}");
    }
}
