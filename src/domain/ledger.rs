//! The public-revenue ledger (公共收益): append-only entries of income and
//! spending per scope in integer fen, corrected only by reversing entries, and
//! chained by hash per scope so anyone can check that history was not rewritten.
//!
//! Entry `n` of a scope carries `prev_hash` (entry `n − 1`'s hash, or 64 zeros for
//! the first) and `hash = sha256(prev_hash ‖ "\n" ‖ canonical JSON of the entry)`.
//! Changing, removing or reordering any stored entry breaks the chain at that
//! point; [`verify`] says where.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::field::{FieldError, Fields, SKEW_MS};
use super::scope::Scope;

/// The `prev_hash` of a scope's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// At most 10 billion yuan in one entry.
const MAX_FEN: i64 = 1_000_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Income,
    Spending,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Income => "income",
            Direction::Spending => "spending",
        }
    }
}

/// One ledger entry as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    pub scope: Scope,
    pub at: i64,
    pub direction: Direction,
    pub category: String,
    /// Always positive; a reversal takes back the entry it names.
    pub amount_fen: i64,
    pub counterparty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The entry this one reverses (a correction), in the same scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverses: Option<String>,
}

/// An entry as chained in its scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chained {
    pub entry: LedgerEntry,
    /// Position in its scope's chain, from 1.
    pub n: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The newest link of a scope's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub n: i64,
    pub hash: String,
}

impl Head {
    pub fn genesis() -> Head {
        Head {
            n: 0,
            hash: GENESIS.into(),
        }
    }
}

impl LedgerEntry {
    pub fn parse(value: &Value, now_ms: i64) -> Result<LedgerEntry, FieldError> {
        let f = Fields::of(value)?;
        let direction = match f.text("direction", 16)?.as_str() {
            "income" => Direction::Income,
            "spending" => Direction::Spending,
            other => return Err(FieldError::new("direction", format!("{other:?} is not one of income, spending"))),
        };
        let amount_fen = match f.get("amount_fen").map(|v| (v, v.as_i64())) {
            Some((_, Some(n))) if (1..=MAX_FEN).contains(&n) => n,
            Some((v, _)) => {
                return Err(FieldError::new(
                    "amount_fen",
                    format!("must be a whole number of fen from 1 to {MAX_FEN}, got {v} (money is never a fraction)"),
                ));
            }
            None => return Err(FieldError::new("amount_fen", "is required")),
        };
        let reverses = match f.get("reverses") {
            Some(_) => Some(f.id("reverses")?),
            None => None,
        };
        Ok(LedgerEntry {
            id: f.id("id")?,
            scope: f.scope()?,
            at: f.time("at", now_ms + SKEW_MS)?,
            direction,
            category: f.code("category")?,
            amount_fen,
            counterparty: f.text("counterparty", 200)?,
            note: f.opt_text("note", 2000)?,
            reference: f.opt_text("reference", 128)?,
            reverses,
        })
    }

    /// What this entry adds to its direction's total: negative for a reversal.
    pub fn signed_fen(&self) -> i64 {
        if self.reverses.is_some() {
            -self.amount_fen
        } else {
            self.amount_fen
        }
    }

    /// Links this entry after `head`.
    pub fn chain(self, head: &Head) -> Chained {
        let hash = link_hash(&head.hash, &self);
        Chained {
            n: head.n + 1,
            prev_hash: head.hash.clone(),
            hash,
            entry: self,
        }
    }

    /// Checks that this entry can reverse `original` (same scope, same figures).
    pub fn check_reversal(&self, original: &LedgerEntry) -> Result<(), FieldError> {
        let mismatch = |field: &'static str, want: String| {
            FieldError::new(field, format!("must equal the reversed entry {:?}'s {field} ({want})", original.id))
        };
        if original.reverses.is_some() {
            return Err(FieldError::new(
                "reverses",
                format!("{:?} is itself a reversal; post a new entry instead", original.id),
            ));
        }
        if self.scope != original.scope {
            return Err(mismatch("scope", original.scope.to_string()));
        }
        if self.direction != original.direction {
            return Err(mismatch("direction", original.direction.as_str().into()));
        }
        if self.category != original.category {
            return Err(mismatch("category", original.category.clone()));
        }
        if self.amount_fen != original.amount_fen {
            return Err(mismatch("amount_fen", original.amount_fen.to_string()));
        }
        Ok(())
    }
}

fn link_hash(prev: &str, entry: &LedgerEntry) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    // Field order is the struct's, so the JSON is canonical for a given entry. Every
    // hash ever written depends on it: a field added later must be optional and
    // skipped when absent, so entries written before it hash as they did.
    h.update(serde_json::to_string(entry).unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

/// The outcome of checking one scope's chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verification {
    #[schemars(with = "String")]
    pub scope: Scope,
    /// True when every entry links to the one before and hashes to what it claims.
    pub intact: bool,
    pub entries: i64,
    /// The newest entry's hash: publish it, and a later check proves nothing before it changed.
    pub head: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<Break>,
}

/// Where a chain first fails to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Break {
    /// Position the entry should have in the chain (from 1).
    pub n: i64,
    pub id: String,
    pub reason: String,
}

/// Checks a scope's entries, in journal order.
pub fn verify(scope: &Scope, chain: &[Chained]) -> Verification {
    let mut head = Head::genesis();
    for c in chain {
        let fail = |reason: String| Break {
            n: head.n + 1,
            id: c.entry.id.clone(),
            reason,
        };
        let broken = if c.n != head.n + 1 {
            Some(fail(format!(
                "claims position {} after {}: an entry is missing or out of order",
                c.n, head.n
            )))
        } else if c.prev_hash != head.hash {
            Some(fail("does not link to the entry before it (prev_hash differs)".into()))
        } else if link_hash(&c.prev_hash, &c.entry) != c.hash {
            Some(fail(
                "its content does not match its hash: it was changed after it was written".into(),
            ))
        } else if &c.entry.scope != scope {
            Some(fail(format!("belongs to {}, not {scope}", c.entry.scope)))
        } else {
            None
        };
        if broken.is_some() {
            return Verification {
                scope: scope.clone(),
                intact: false,
                entries: chain.len() as i64,
                head: chain.last().map_or_else(|| GENESIS.into(), |l| l.hash.clone()),
                broken,
            };
        }
        head = Head {
            n: c.n,
            hash: c.hash.clone(),
        };
    }
    Verification {
        scope: scope.clone(),
        intact: true,
        entries: head.n,
        head: head.hash,
        broken: None,
    }
}

/// Renders fen as yuan with two decimals, exactly (no floating point).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.unsigned_abs() / 100, fen.unsigned_abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_732_780_800_000;

    fn entry(id: &str, fen: i64) -> LedgerEntry {
        LedgerEntry::parse(
            &json!({"id": id, "scope": "nanan.huayuanlu.jinyan", "at": "2024-11-20T10:00:00+08:00",
                    "direction": "income", "category": "parking", "amount_fen": fen, "counterparty": "停车场"}),
            NOW,
        )
        .unwrap()
    }

    fn chain(n: usize) -> Vec<Chained> {
        let mut head = Head::genesis();
        (0..n)
            .map(|i| {
                let c = entry(&format!("L{i}"), 100 + i as i64).chain(&head);
                head = Head {
                    n: c.n,
                    hash: c.hash.clone(),
                };
                c
            })
            .collect()
    }

    fn jinyan() -> Scope {
        Scope::parse("nanan.huayuanlu.jinyan").unwrap()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let v = verify(&jinyan(), &chain(5));
        assert!(v.intact, "{v:?}");
        assert_eq!(v.entries, 5);
        assert_eq!(v.head.len(), 64);
    }

    #[test]
    fn an_edited_amount_is_found_where_it_was_made() {
        let mut c = chain(5);
        c[2].entry.amount_fen += 1;
        let v = verify(&jinyan(), &c);
        assert!(!v.intact);
        assert_eq!(v.broken.as_ref().map(|b| (b.n, b.id.as_str())), Some((3, "L2")));
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link_and_a_removal_is_found() {
        let mut c = chain(5);
        c[1].entry.amount_fen = 1;
        c[1].hash = link_hash(&c[1].prev_hash, &c[1].entry);
        assert_eq!(verify(&jinyan(), &c).broken.map(|b| b.n), Some(3));
        let mut c = chain(5);
        c.remove(3);
        assert_eq!(verify(&jinyan(), &c).broken.map(|b| b.n), Some(4));
    }

    #[test]
    fn money_is_whole_fen_and_prints_exactly() {
        let e = LedgerEntry::parse(
            &json!({"id": "x", "scope": "nanan", "at": "2024-11-20T10:00:00Z", "direction": "income",
                    "category": "parking", "amount_fen": 12.5, "counterparty": "c"}),
            NOW,
        )
        .unwrap_err();
        assert_eq!(e.field, "amount_fen");
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(-5), "-0.05");
    }

    #[test]
    fn a_reversal_must_match_what_it_reverses() {
        let original = entry("L1", 500);
        let mut r = entry("L2", 400);
        r.reverses = Some("L1".into());
        assert_eq!(r.check_reversal(&original).unwrap_err().field, "amount_fen");
        r.amount_fen = 500;
        assert!(r.check_reversal(&original).is_ok());
        assert_eq!(r.signed_fen(), -500);
    }
}
