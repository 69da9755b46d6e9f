//! The dictionary: Chinese and English names for every code a record carries
//! (ticket categories and their groups, event categories and types, ledger
//! categories), and for ticket categories a group and a deadline. Defaults ship
//! with the binary (`deploy/dictionary.json`); a scopes file's `dictionary`
//! adds codes or renames them. Codes stay free: an unknown one still works, is
//! shown as itself, and is counted (`cockpit_unknown_codes_total`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::scope::Assignee;

/// The dictionary the binary ships with (the demo's codes and the common ones).
pub const DEFAULTS: &str = include_str!("../../deploy/dictionary.json");

/// One code's names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// 1-100 printable characters, not only spaces (so are `en` and a holder's names).
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 100),
        regex(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$")
    )]
    pub en: Option<String>,
    /// A ticket category's group (a code of `ticket_groups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A ticket category's deadline, for categories the `deadlines` setting does not name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::domain::field::opt_whole"
    )]
    #[schemars(range(min = 1, max = 8784))]
    pub deadline_hours: Option<i64>,
}

/// What `GET /api/v1/dictionary` answers: every code's names and every
/// ticket holder's, so a screen never shows a raw code it could name.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Names {
    pub dictionary: Dictionary,
    pub assignees: BTreeMap<String, Assignee>,
}

/// Which list a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocabulary {
    TicketCategory,
    EventCategory,
    EventType,
    LedgerCategory,
}

impl Vocabulary {
    pub const ALL: [Vocabulary; 4] = [
        Vocabulary::TicketCategory,
        Vocabulary::EventCategory,
        Vocabulary::EventType,
        Vocabulary::LedgerCategory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Vocabulary::TicketCategory => "ticket_category",
            Vocabulary::EventCategory => "event_category",
            Vocabulary::EventType => "event_type",
            Vocabulary::LedgerCategory => "ledger_category",
        }
    }
}

/// Every list of codes and their names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dictionary {
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9_-]{1,64}$"}))]
    pub ticket_categories: BTreeMap<String, Term>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9_-]{1,64}$"}))]
    pub ticket_groups: BTreeMap<String, Term>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9_-]{1,64}$"}))]
    pub event_categories: BTreeMap<String, Term>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9_-]{1,64}$"}))]
    pub event_types: BTreeMap<String, Term>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9_-]{1,64}$"}))]
    pub ledger_categories: BTreeMap<String, Term>,
}

impl Dictionary {
    /// The shipped defaults (an empty dictionary if they ever failed to parse,
    /// which a unit test rules out).
    pub fn defaults() -> Dictionary {
        serde_json::from_str(DEFAULTS).unwrap_or_default()
    }

    /// Adds `other`'s codes, its names winning over these.
    pub fn extend(&mut self, other: Dictionary) {
        self.ticket_categories.extend(other.ticket_categories);
        self.ticket_groups.extend(other.ticket_groups);
        self.event_categories.extend(other.event_categories);
        self.event_types.extend(other.event_types);
        self.ledger_categories.extend(other.ledger_categories);
    }

    fn list(&self, v: Vocabulary) -> &BTreeMap<String, Term> {
        match v {
            Vocabulary::TicketCategory => &self.ticket_categories,
            Vocabulary::EventCategory => &self.event_categories,
            Vocabulary::EventType => &self.event_types,
            Vocabulary::LedgerCategory => &self.ledger_categories,
        }
    }

    pub fn knows(&self, v: Vocabulary, code: &str) -> bool {
        self.list(v).contains_key(code)
    }

    /// Deadlines (seconds) of the ticket categories that name one.
    pub fn deadlines(&self) -> impl Iterator<Item = (&str, i64)> {
        self.ticket_categories
            .iter()
            .filter_map(|(code, t)| t.deadline_hours.map(|h| (code.as_str(), h.saturating_mul(3600))))
    }

    /// The first entry that is not a usable name, as `list.code: why`.
    pub fn check(&self) -> Result<(), String> {
        let printable = |s: &str| !s.trim().is_empty() && s.chars().count() <= 100 && !s.chars().any(char::is_control);
        let lists = [
            ("ticket_categories", &self.ticket_categories),
            ("ticket_groups", &self.ticket_groups),
            ("event_categories", &self.event_categories),
            ("event_types", &self.event_types),
            ("ledger_categories", &self.ledger_categories),
        ];
        for (name, list) in lists {
            for (code, t) in list {
                let code_ok = !code.is_empty()
                    && code.len() <= 64
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
                if !code_ok {
                    return Err(format!("{name}.{code}: a code is 1-64 characters of [a-z0-9_-]"));
                }
                if !printable(&t.zh) || !t.en.as_deref().is_none_or(printable) {
                    return Err(format!("{name}.{code}: zh and en must be 1-100 printable characters"));
                }
                if t.deadline_hours.is_some_and(|h| !(1..=24 * 366).contains(&h)) {
                    return Err(format!("{name}.{code}: deadline_hours must be 1 to 8784"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_defaults_name_every_demo_code() {
        let d: Dictionary = serde_json::from_str(DEFAULTS).expect("deploy/dictionary.json is a dictionary");
        d.check().expect("every default is a usable name");
        for code in ["facility", "vending", "street_light", "garbage", "dispute"] {
            assert!(d.knows(Vocabulary::TicketCategory, code), "{code}");
        }
        for t in ["lecture", "activity", "meeting", "training", "service", "other"] {
            assert!(d.knows(Vocabulary::EventType, t), "{t}");
        }
        for (code, t) in &d.ticket_categories {
            let group = t.group.as_deref().unwrap_or_default();
            assert!(d.ticket_groups.contains_key(group), "{code}'s group {group:?} is named");
        }
    }

    #[test]
    fn a_scopes_file_adds_and_renames_codes() {
        let mut d = Dictionary::defaults();
        let extra: Dictionary = serde_json::from_value(serde_json::json!({
            "ticket_categories": {"garbage": {"zh": "生活垃圾"}, "pets": {"zh": "宠物扰民", "deadline_hours": 48}}
        }))
        .unwrap();
        d.extend(extra);
        assert_eq!(d.ticket_categories["garbage"].zh, "生活垃圾");
        assert_eq!(d.deadlines().collect::<Vec<_>>(), [("pets", 48 * 3600)]);
        assert!(d.knows(Vocabulary::EventType, "lecture"), "defaults stay");
        let bad: Dictionary = serde_json::from_value(serde_json::json!({"event_types": {"Bad Code": {"zh": "x"}}})).unwrap();
        assert!(bad.check().unwrap_err().contains("event_types.Bad Code"));
    }
}
