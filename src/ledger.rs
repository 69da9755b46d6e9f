//! The read side of the public-revenue ledger: totals per month and category
//! from the aggregates, the CSV for a residents' notice board, and verification
//! of each scope's hash chain against the journal (and of the journal's length
//! against what the aggregates counted, so losing the newest entries shows too).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::aggregates::{AggregateStore, Bucket};
use crate::domain::day::Calendar;
use crate::domain::decide::Change;
use crate::domain::figures::field;
use crate::domain::ledger::{self, Break, Chained, Verification};
use crate::domain::record::Kind;
use crate::domain::scope::Scope;
use crate::error::ApiError;
use crate::records::{EntryQuery, RecordStore, walk_entries};

/// Entries read from the journal per round.
const PAGE: i64 = 10_000;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LedgerReport {
    #[schemars(with = "String")]
    pub scope: Scope,
    pub income_fen: i64,
    pub spending_fen: i64,
    pub balance_fen: i64,
    /// Month (YYYY-MM) totals, oldest first.
    pub months: Vec<MonthTotals>,
    /// All-time totals per direction and category.
    pub categories: Vec<CategoryTotal>,
}

#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct MonthTotals {
    pub month: String,
    pub income_fen: i64,
    pub spending_fen: i64,
    pub balance_fen: i64,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct CategoryTotal {
    pub direction: &'static str,
    pub category: String,
    pub fen: i64,
}

/// Totals of `scope` (and everything under it) from its ledger hash.
pub fn report(scope: &Scope, totals: &HashMap<String, i64>) -> LedgerReport {
    let mut months: BTreeMap<String, MonthTotals> = BTreeMap::new();
    let mut categories = Vec::new();
    for (k, fen) in totals {
        let mut parts = k.splitn(3, ':');
        let (Some(dir), Some(when), rest) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let direction = match dir {
            "income" => "income",
            "spending" => "spending",
            _ => continue,
        };
        match (when, rest) {
            ("all", Some(category)) => categories.push(CategoryTotal {
                direction,
                category: category.to_owned(),
                fen: *fen,
            }),
            (month, None) => {
                let m = months.entry(month.to_owned()).or_default();
                m.month = month.to_owned();
                if direction == "income" {
                    m.income_fen += fen
                } else {
                    m.spending_fen += fen
                }
            }
            _ => {}
        }
    }
    categories.sort_by(|a, b| (a.direction, &a.category).cmp(&(b.direction, &b.category)));
    let months: Vec<MonthTotals> = months
        .into_values()
        .map(|m| MonthTotals {
            balance_fen: m.income_fen - m.spending_fen,
            ..m
        })
        .collect();
    let income_fen = months.iter().map(|m| m.income_fen).sum();
    let spending_fen = months.iter().map(|m| m.spending_fen).sum();
    LedgerReport {
        scope: scope.clone(),
        income_fen,
        spending_fen,
        balance_fen: income_fen - spending_fen,
        months,
        categories,
    }
}

pub async fn read_report(aggregates: &dyn AggregateStore, scope: &Scope) -> Result<LedgerReport, ApiError> {
    let hashes = aggregates
        .hashes(&[Bucket::Ledger(scope.clone())])
        .await
        .map_err(ApiError::AggregatesDown)?;
    Ok(report(scope, hashes.first().unwrap_or(&HashMap::new())))
}

/// Every chained entry of `scope` (and, with `subtree`, of scopes under it), in journal order.
pub async fn chains(records: &dyn RecordStore, scope: &Scope, subtree: bool) -> Result<Vec<Chained>, ApiError> {
    let q = EntryQuery {
        kind: Kind::Ledger,
        scope: scope.clone(),
        subtree,
        after: 0,
        limit: PAGE,
    };
    let mut out = Vec::new();
    walk_entries(records, q, |e| {
        if let Change::Ledger { chained } = e.change {
            out.push(*chained);
        }
        true
    })
    .await
    .map_err(|e| ApiError::RecordsDown(e.to_string()))?;
    Ok(out)
}

/// The outcome of verifying every chain under a scope.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LedgerCheck {
    /// True when every chain below is intact.
    pub intact: bool,
    pub chains: Vec<Verification>,
}

/// Verifies the chain of `scope` and of every scope under it that has entries.
pub async fn verify(records: &dyn RecordStore, aggregates: &dyn AggregateStore, scope: &Scope) -> Result<LedgerCheck, ApiError> {
    let mut by_scope: BTreeMap<Scope, Vec<Chained>> = BTreeMap::new();
    for c in chains(records, scope, true).await? {
        by_scope.entry(c.entry.scope.clone()).or_default().push(c);
    }
    by_scope.entry(scope.clone()).or_default();
    let scopes: Vec<Scope> = by_scope.keys().cloned().collect();
    let buckets: Vec<Bucket> = scopes.iter().map(|s| Bucket::Ledger(s.clone())).collect();
    let counted = aggregates.hashes(&buckets).await.map_err(ApiError::AggregatesDown)?;
    let chains: Vec<Verification> = by_scope
        .iter()
        .zip(counted)
        .map(|((s, chain), counted)| {
            let mut v = ledger::verify(s, chain);
            let expected = counted.get(field::LEDGER_OWN).copied().unwrap_or(0);
            if v.intact && v.entries < expected {
                v.intact = false;
                v.broken = Some(Break {
                    n: v.entries + 1,
                    id: String::new(),
                    reason: format!(
                        "the journal holds {} entries but {expected} were counted: the newest entries are missing",
                        v.entries
                    ),
                });
            }
            v
        })
        .collect();
    Ok(LedgerCheck {
        intact: chains.iter().all(|v| v.intact),
        chains,
    })
}

/// The entries as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese).
pub fn csv(chain: &[Chained], calendar: &Calendar) -> String {
    let mut out = String::from("\u{feff}scope,n,date,id,direction,category,amount_yuan,counterparty,note,reference,reverses,hash\n");
    for c in chain {
        let e = &c.entry;
        let amount = ledger::yuan(e.signed_fen());
        let row = [
            e.scope.to_string(),
            c.n.to_string(),
            calendar.day_of(e.at).to_string(),
            e.id.clone(),
            e.direction.as_str().to_owned(),
            e.category.clone(),
            amount,
            e.counterparty.clone(),
            e.note.clone().unwrap_or_default(),
            e.reference.clone().unwrap_or_default(),
            e.reverses.clone().unwrap_or_default(),
            c.hash.clone(),
        ];
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a cell when it needs it, and defuses spreadsheet formulas.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '@', '\t', '\r']) || (s.starts_with('-') && s.parse::<f64>().is_err()) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_by_month_and_category() {
        let totals: HashMap<String, i64> = [
            ("income:2024-10", 1000),
            ("income:2024-11", 500),
            ("spending:2024-11", 300),
            ("income:all:parking", 1500),
            ("spending:all:cleaning", 300),
            ("own_n", 3),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let r = report(&Scope::parse("d").unwrap(), &totals);
        assert_eq!((r.income_fen, r.spending_fen, r.balance_fen), (1500, 300, 1200));
        assert_eq!(r.months.len(), 2);
        assert_eq!(r.months[1].balance_fen, 200);
        assert_eq!(r.categories[0].category, "parking");
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("\t=1"), "'\t=1");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
