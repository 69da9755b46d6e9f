//! What residents say and what the public purse does, simulated: Tongjing's theme
//! questionnaire (answered all week), "was it fixed?" after tickets are resolved
//! (a "no" sends the ticket back into the loop), and the public-revenue ledgers of
//! Jinyan and Zhengjie, a correction among them.

use serde_json::{Value, json};

use super::sim::Sim;
use super::world::{COMMUNITIES, Community};

pub const SURVEY: &str = "tongjing-theme";
const TONGJING: &str = "nanan.changshengqiao.tongjing";
/// Communities whose public revenue the demo books.
const LEDGERS: [&str; 2] = ["jinyan", "zhengjie"];

/// Tongjing chose its theme from residents' questionnaires.
pub fn survey_json() -> Value {
    json!({"id": SURVEY, "scope": TONGJING, "title": "同景社区主题意见征集", "questions": [
        {"id": "theme", "kind": "single", "title": "您最希望社区突出哪个主题？", "options": ["health", "culture", "elderly", "children"]},
        {"id": "wants", "kind": "multiple", "title": "您愿意参加哪些活动？", "options": ["lecture", "checkup", "dance", "calligraphy", "legal"]},
        {"id": "score", "kind": "rating", "title": "您对社区服务的满意度"},
        {"id": "say", "kind": "text", "title": "您还有什么建议？"}
    ]})
}

/// One Tongjing household's answers at `at`.
pub fn response_json(sim: &mut Sim, at: i64) -> Value {
    let theme = ["health", "health", "health", "elderly", "culture", "children"];
    let wants = ["lecture", "checkup", "dance", "calligraphy", "legal"];
    let mut picked: Vec<&str> = wants.iter().copied().filter(|_| sim.rng.percent(35)).collect();
    if picked.is_empty() {
        picked.push("lecture");
    }
    let says = ["希望多办健康讲座", "老人体检能不能每月一次", "广场舞音量小一点", "", ""];
    let mut answers = json!({
        "theme": sim.rng.pick(&theme).copied().unwrap_or("health"),
        "wants": picked,
        "score": sim.rng.between(3, 5),
    });
    if let Some(say) = sim.rng.pick(&says).filter(|s| !s.is_empty()) {
        answers["say"] = json!(say);
    }
    let grid = sim.rng.between(1, 4);
    json!({"id": sim.id("q"), "scope": format!("{TONGJING}.g{grid:02}"), "at": sim.clock.rfc3339(at), "answers": answers})
}

/// A resident's "was it fixed?" about `ticket` at `at`; about one in six says no.
pub fn satisfaction_json(sim: &mut Sim, ticket: &str, at: i64) -> (Value, bool) {
    let fixed = !sim.rng.percent(17);
    let rating = if fixed { sim.rng.between(4, 5) } else { sim.rng.between(1, 2) };
    let mut answers = json!({"fixed": if fixed { "yes" } else { "no" }, "rating": rating});
    if !fixed {
        answers["comment"] = json!("问题还在，请再来看看");
    }
    let body = json!({"id": sim.id("sat"), "ticket_id": ticket, "at": sim.clock.rfc3339(at), "answers": answers});
    (body, fixed)
}

fn ledger_communities() -> impl Iterator<Item = &'static Community> {
    COMMUNITIES.iter().filter(|c| LEDGERS.contains(&c.key))
}

/// An ordinary entry of a community's public revenue at `at`.
fn entry_json(sim: &mut Sim, community: &Community, at: i64) -> Value {
    const INCOME: [(&str, &str, i64, i64); 3] = [
        ("parking", "小区停车场", 80_000, 300_000),
        ("leasing", "临街门面租户", 200_000, 600_000),
        ("advertising", "电梯广告公司", 50_000, 150_000),
    ];
    const SPENDING: [(&str, &str, i64, i64); 4] = [
        ("property_fee", "物业服务中心", 100_000, 400_000),
        ("street_light", "路灯维修队", 20_000, 120_000),
        ("cleaning", "保洁公司", 50_000, 200_000),
        ("road", "市政养护站", 80_000, 500_000),
    ];
    let income = sim.rng.percent(55);
    let list: &[(&str, &str, i64, i64)] = if income { &INCOME } else { &SPENDING };
    let (category, counterparty, lo, hi) = sim.rng.pick(list).copied().unwrap_or(INCOME[0]);
    json!({
        "id": sim.id("l"),
        "scope": community.id,
        "at": sim.clock.rfc3339(at),
        "direction": if income { "income" } else { "spending" },
        "category": category,
        "amount_fen": sim.rng.between(lo / 100, hi / 100) * 100,
        "counterparty": counterparty,
        "reference": format!("{}-{}", community.key, sim.rng.between(1000, 9999)),
    })
}

/// A week of answers and books, before the live simulator starts.
pub async fn seed(sim: &mut Sim, days: i64) {
    let now = sim.clock.now_ms();
    let day_ms = 86_400_000;
    sim.api.post("/api/v1/surveys", &survey_json()).await;
    answer_between(sim, days * 40, now - days * day_ms, now).await;
    let mut entries = Vec::new();
    for community in ledger_communities() {
        let start = now - days * day_ms;
        entries.push(json!({
            "id": sim.id("l"), "scope": community.id, "at": sim.clock.rfc3339(start),
            "direction": "income", "category": "carried_forward", "amount_fen": sim.rng.between(5_000, 20_000) * 100,
            "counterparty": "上年结余", "note": "上年度公共收益结转",
        }));
        let mut at = start;
        while at < now {
            at += sim.rng.between(2, 12) * 3_600_000;
            if at < now {
                entries.push(entry_json(sim, community, at));
            }
        }
    }
    // A double-booked bill, corrected the way a ledger must be: by reversing it.
    if let Some(mut twice) = entries.iter().rev().find(|e| e["direction"] == "spending").cloned() {
        let original = twice["id"].clone();
        twice["id"] = json!(sim.id("l"));
        twice["reverses"] = original;
        twice["note"] = json!("重复入账，予以冲销");
        entries.push(twice);
    }
    sim.api.post_all("/api/v1/ledger", entries, 500).await;
}

/// `n` households answer Tongjing's questionnaire at random times from `oldest` to `newest`.
async fn answer_between(sim: &mut Sim, n: i64, oldest: i64, newest: i64) {
    let responses: Vec<Value> = (0..n)
        .map(|_| {
            let at = sim.rng.between(oldest, newest - 1);
            response_json(sim, at)
        })
        .collect();
    sim.api
        .post_all(&format!("/api/v1/surveys/{SURVEY}/responses"), responses, 500)
        .await;
}

/// Questionnaires and books of the days `from` to `to` (exclusive) back, for
/// the year's back-fill: about 15 questionnaires a day (the seed counts 5,140 in
/// its year) and the ledgers' ordinary entries.
pub async fn seed_between(sim: &mut Sim, from: i64, to: i64) {
    let now = sim.clock.now_ms();
    let day_ms = 86_400_000;
    let (newest, oldest) = (now - from * day_ms, now - to * day_ms);
    answer_between(sim, (to - from) * 15, oldest, newest).await;
    let mut entries = Vec::new();
    for community in ledger_communities() {
        let mut at = oldest;
        while at < newest {
            entries.push(entry_json(sim, community, at));
            at += sim.rng.between(6, 36) * 3_600_000;
        }
    }
    sim.api.post_all("/api/v1/ledger", entries, 500).await;
}

/// One more questionnaire comes in now.
pub async fn answer(sim: &mut Sim) {
    let now = sim.clock.now_ms();
    let body = response_json(sim, now);
    sim.api.post(&format!("/api/v1/surveys/{SURVEY}/responses"), &body).await;
}

/// One more ledger entry in one of the booked communities, now.
pub async fn book(sim: &mut Sim) {
    let now = sim.clock.now_ms();
    let communities: Vec<&Community> = ledger_communities().collect();
    if let Some(c) = sim.rng.pick(&communities).copied() {
        let body = entry_json(sim, c, now);
        sim.api.post("/api/v1/ledger", &body).await;
    }
}
