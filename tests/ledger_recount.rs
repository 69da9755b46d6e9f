//! Property: for random streams of ledger entries (duplicates, reversals good and
//! bad, several scopes, random batches), the rolled-up totals equal a naive recount
//! of the entries a bookkeeper would accept, and every scope's hash chain verifies.
//! Runs the pure path (decide → delta → memory aggregates); the stores' part of it is
//! covered on both backends by tests/contracts and tests/api/ledger.rs.

use std::collections::{BTreeMap, HashMap};

use cockpit::aggregates::memory::MemoryAggregates;
use cockpit::aggregates::{AggregateStore, Bucket, Delta};
use cockpit::domain::day::Calendar;
use cockpit::domain::decide::{Change, Deadlines, Known, Verdict, decide};
use cockpit::domain::ledger::{self, Chained};
use cockpit::domain::record::{Kind, Record};
use cockpit::domain::scope::Scope;
use proptest::prelude::*;

const SCOPES: [&str; 3] = ["d.s.a", "d.s.b", "d.t.c"];
const CATEGORIES: [&str; 2] = ["parking", "cleaning"];

#[derive(Clone, Debug)]
struct Op {
    id: u8,
    scope: u8,
    income: bool,
    cat: u8,
    fen: i64,
    /// Reverse the entry with this id instead (its figures copied when `faithful`).
    reverses: Option<(u8, bool)>,
    day: i64,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0u8..20,
        0u8..3,
        any::<bool>(),
        0u8..2,
        1i64..100_000,
        proptest::option::of((0u8..20, any::<bool>())),
        0i64..60,
    )
        .prop_map(|(id, scope, income, cat, fen, reverses, day)| Op {
            id,
            scope,
            income,
            cat,
            fen,
            reverses,
            day,
        })
}

fn json(op: &Op, copy: Option<&serde_json::Value>) -> serde_json::Value {
    let at = jiff::Timestamp::from_millisecond(1_700_000_000_000 + op.day * 86_400_000).unwrap();
    let mut v = serde_json::json!({
        "id": format!("L{}", op.id), "scope": SCOPES[op.scope as usize], "at": at.to_string(),
        "direction": if op.income { "income" } else { "spending" }, "category": CATEGORIES[op.cat as usize],
        "amount_fen": op.fen, "counterparty": "c",
    });
    if let Some((target, faithful)) = op.reverses {
        v["id"] = format!("R{}-{}", op.id, target).into();
        v["reverses"] = format!("L{target}").into();
        if let (true, Some(c)) = (faithful, copy) {
            for k in ["scope", "direction", "category", "amount_fen"] {
                v[k] = c[k].clone();
            }
        }
    }
    v
}

/// What a bookkeeper accepts: new ids; reversals of a plain entry, faithfully copied, once.
fn bookkeeper(sent: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut kept: Vec<serde_json::Value> = Vec::new();
    let mut reversed: Vec<String> = Vec::new();
    for v in sent {
        if kept.iter().any(|k| k["id"] == v["id"]) {
            continue;
        }
        if let Some(target) = v["reverses"].as_str() {
            let Some(original) = kept.iter().find(|k| k["id"] == target && k["reverses"].is_null()) else {
                continue;
            };
            let same = ["scope", "direction", "category", "amount_fen"]
                .iter()
                .all(|f| original[*f] == v[*f]);
            if !same || reversed.iter().any(|r| r == target) {
                continue;
            }
            reversed.push(target.to_owned());
        }
        kept.push(v.clone());
    }
    kept
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn totals_equal_a_recount_and_chains_verify(ops in proptest::collection::vec(op(), 1..60), cut in 1usize..10) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let cal = Calendar::new("Asia/Shanghai").unwrap();
        let mut sent: Vec<serde_json::Value> = Vec::new();
        for op in &ops {
            let copy = op.reverses.and_then(|(t, _)| sent.iter().find(|v| v["id"] == format!("L{t}").as_str()).cloned());
            sent.push(json(op, copy.as_ref()));
        }
        let records: Vec<Record> = sent
            .iter()
            .map(|v| Record::parse(Kind::Ledger, v, None, 1_800_000_000_000).unwrap())
            .collect();
        let store = MemoryAggregates::new();
        let mut known = Known::default();
        let mut chains: BTreeMap<Scope, Vec<Chained>> = BTreeMap::new();
        let mut seq = 0;
        for batch in records.chunks(cut) {
            let mut delta = Delta::after(seq);
            for v in decide(batch, &mut known, &Deadlines::default()) {
                if let Verdict::Accepted(change) = v {
                    seq += 1;
                    delta.add(seq, &change, &cal);
                    if let Change::Ledger { chained } = change {
                        chains.entry(chained.entry.scope.clone()).or_default().push(*chained);
                    }
                }
            }
            rt.block_on(store.apply(&delta)).unwrap();
        }
        let kept = bookkeeper(&sent);
        prop_assert_eq!(chains.values().map(Vec::len).sum::<usize>(), kept.len());
        for (scope, chain) in &chains {
            prop_assert!(ledger::verify(scope, chain).intact);
        }
        for s in ["d", "d.s", "d.t", "d.s.a", "d.s.b", "d.t.c"] {
            let scope = Scope::parse(s).unwrap();
            let mut expect: HashMap<&str, i64> = HashMap::new();
            for v in kept.iter().filter(|v| Scope::parse(v["scope"].as_str().unwrap()).unwrap().is_within(&scope)) {
                let sign = if v["reverses"].is_null() { 1 } else { -1 };
                *expect.entry(if v["direction"] == "income" { "income" } else { "spending" }).or_default() += sign * v["amount_fen"].as_i64().unwrap();
            }
            let hashes = rt.block_on(store.hashes(&[Bucket::Ledger(scope.clone())])).unwrap();
            let report = cockpit::ledger::report(&scope, &hashes[0]);
            prop_assert_eq!(report.income_fen, expect.get("income").copied().unwrap_or(0), "{}", s);
            prop_assert_eq!(report.spending_fen, expect.get("spending").copied().unwrap_or(0), "{}", s);
        }
    }
}
