//! One record's fields, read from its JSON object: each getter names its field
//! when it refuses, so a bad record is rejected with the exact field and reason.
//! Shared by every kind of record (`record.rs`, `survey.rs`, `ledger.rs`).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use super::scope::Scope;

/// A whole number as JSON may spell it: `65`, or `65.0` (JSON Schema's
/// `integer` counts both); none when it has a fraction or lies beyond ±2^53.
pub fn whole(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0)
            .map(|f| f as i64)
    })
}

/// Serde's view of [`whole`], for an optional field of a request body.
pub fn opt_whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => whole(&v)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{v} is not a whole number"))),
    }
}

/// Earliest instant any record may carry (2000-01-01T00:00:00Z).
const EARLIEST_MS: i64 = 946_684_800_000;
/// How far ahead of the server clock a past-tense time (`at`, `reported_at`) may be: clock skew.
pub(crate) const SKEW_MS: i64 = 24 * 3600 * 1000;
/// Why one field of one record was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        FieldError {
            field,
            reason: reason.into(),
        }
    }
}

/// Typed access to one record's JSON object, each getter naming its field on failure.
pub(crate) struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    pub(crate) fn of(value: &'a Value) -> Result<Self, FieldError> {
        value
            .as_object()
            .map(Fields)
            .ok_or_else(|| FieldError::new("(record)", "each record must be a JSON object"))
    }

    pub(crate) fn get(&self, name: &'static str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn text(&self, name: &'static str, max: usize) -> Result<String, FieldError> {
        self.opt_text(name, max)?.ok_or_else(|| FieldError::new(name, "is required"))
    }

    pub(crate) fn opt_text(&self, name: &'static str, max: usize) -> Result<Option<String>, FieldError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let s = v
            .as_str()
            .ok_or_else(|| FieldError::new(name, format!("must be a string, got {}", type_name(v))))?;
        if s.chars().count() > max {
            return Err(FieldError::new(name, format!("is longer than {max} characters")));
        }
        if s.contains('\0') {
            return Err(FieldError::new(
                name,
                "holds a NUL character (\\u0000), which no record may contain",
            ));
        }
        Ok(Some(s.to_owned()))
    }

    /// Idempotency keys and references: non-empty, printable, short.
    pub(crate) fn id(&self, name: &'static str) -> Result<String, FieldError> {
        let s = self.text(name, 128)?;
        if s.is_empty() || s.chars().any(char::is_control) {
            return Err(FieldError::new(name, "must be 1-128 printable characters"));
        }
        Ok(s)
    }

    /// Category codes such as `street_light`: they become aggregate key parts.
    pub(crate) fn code(&self, name: &'static str) -> Result<String, FieldError> {
        let s = self.text(name, 64)?;
        let ok = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return Err(FieldError::new(name, "must be 1-64 characters of [a-z0-9_-]"));
        }
        Ok(s)
    }

    /// An optional code (absent or null: none).
    pub(crate) fn opt_code(&self, name: &'static str) -> Result<Option<String>, FieldError> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.code(name).map(Some),
        }
    }

    pub(crate) fn scope(&self) -> Result<Scope, FieldError> {
        Scope::parse(&self.text("scope", 200)?).map_err(|e| FieldError::new("scope", e))
    }

    pub(crate) fn time(&self, name: &'static str, latest_ms: i64) -> Result<i64, FieldError> {
        let s = self.text(name, 64)?;
        let ts: Timestamp = parse_rfc3339(&s)
            .ok_or_else(|| FieldError::new(name, format!("{s:?} is not an RFC 3339 time such as 2024-06-18T14:00:00+08:00")))?;
        let ms = ts.as_millisecond();
        if ms < EARLIEST_MS {
            return Err(FieldError::new(name, "is before 2000-01-01"));
        }
        if ms > latest_ms {
            return Err(FieldError::new(name, "is too far in the future"));
        }
        Ok(ms)
    }
}

/// An RFC 3339 time. jiff also takes what RFC 3339 does not (offsets up to
/// ±25:59, seconds in the offset, no offset at all): the offset is checked
/// here to be `Z` or `±HH:MM` with HH ≤ 23 and MM ≤ 59.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let offset_ok = s.ends_with(['Z', 'z'])
        || s.len() > 6 && {
            let o = &s.as_bytes()[s.len() - 6..];
            let two = |a: u8, b: u8| (a as char).to_digit(10).zip((b as char).to_digit(10)).map(|(a, b)| a * 10 + b);
            matches!(o[0], b'+' | b'-')
                && o[3] == b':'
                && two(o[1], o[2]).is_some_and(|h| h <= 23)
                && two(o[4], o[5]).is_some_and(|m| m <= 59)
        };
    if !offset_ok {
        return None;
    }
    s.parse().ok()
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
