//! Screen health: what one instance reports about one connected (or lately
//! gone) screen, and how that report reads as online, behind or gone.
//!
//! Reports are written by the instance serving the screen every few seconds
//! and merged across instances in the aggregate store, so their status is
//! judged against their own age: an instance that died stops refreshing its
//! screens' reports, and they turn `gone` by themselves.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::scope::Scope;

/// Longest screen id a client may choose (`?screen=`).
pub const MAX_SCREEN_ID: usize = 64;

/// A screen's stable name: chosen by the screen (kept across reconnects) or
/// given by the server for screens that do not name themselves.
pub fn parse_screen_id(raw: &str) -> Result<String, String> {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if raw.is_empty() || raw.len() > MAX_SCREEN_ID || !raw.bytes().all(ok) {
        return Err(format!("screen must be 1-{MAX_SCREEN_ID} characters of [A-Za-z0-9_-]"));
    }
    Ok(raw.to_owned())
}

/// One screen as its instance last reported it. Times are Unix milliseconds.
/// Its text is shared (`Arc<str>`): a report is copied every few seconds into
/// the merged view and the store, and a copy should not cost every screen its
/// strings again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScreenReport {
    pub screen: Arc<str>,
    /// True when the screen named itself; anonymous screens are forgotten once gone.
    pub named: bool,
    pub scope: Scope,
    /// The epoch of the instance serving it.
    pub instance: Arc<str>,
    pub address: Arc<str>,
    pub user_agent: Arc<str>,
    pub connected_at: i64,
    /// The newest `seq` sent to the screen.
    pub sent_seq: u64,
    /// The newest `seq` the screen acknowledged having rendered (`{"type":"ack","seq":N}`);
    /// `None` for screens that never acknowledge.
    pub acked_seq: Option<u64>,
    /// Since when an acknowledging screen has had an unacknowledged message
    /// without making progress.
    pub waiting_since: Option<i64>,
    /// When its instance last reported it.
    pub seen_at: i64,
    pub gone_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScreenStatus {
    /// Connected and current (or not acknowledging at all).
    Online,
    /// Connected, but it has not acknowledged what it was sent for too long.
    Behind,
    /// Disconnected, or its instance stopped reporting it.
    Gone,
}

impl ScreenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenStatus::Online => "online",
            ScreenStatus::Behind => "behind",
            ScreenStatus::Gone => "gone",
        }
    }
}

/// How old reports and acknowledgements may be before they mean trouble.
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    /// An unacknowledged message older than this makes a screen `behind`.
    pub behind_ms: i64,
    /// A report not refreshed for this long means its instance is gone.
    pub report_ms: i64,
}

impl ScreenReport {
    pub fn status(&self, now_ms: i64, p: Patience) -> ScreenStatus {
        if self.gone_at.is_some() || now_ms - self.seen_at > p.report_ms {
            ScreenStatus::Gone
        } else if self.waiting_since.is_some_and(|t| now_ms - t > p.behind_ms) {
            ScreenStatus::Behind
        } else {
            ScreenStatus::Online
        }
    }

    /// Since when it has been gone (for a dead instance: its last report).
    pub fn gone_since(&self, now_ms: i64, p: Patience) -> Option<i64> {
        match self.status(now_ms, p) {
            ScreenStatus::Gone => Some(self.gone_at.unwrap_or(self.seen_at)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Patience = Patience {
        behind_ms: 10_000,
        report_ms: 15_000,
    };

    fn report() -> ScreenReport {
        ScreenReport {
            screen: "lobby-1".into(),
            named: true,
            scope: Scope::parse("nanan.nanping").unwrap_or_else(|e| panic!("{e}")),
            instance: "ab".into(),
            address: "10.0.0.7".into(),
            user_agent: "Chromium".into(),
            connected_at: 0,
            sent_seq: 3,
            acked_seq: Some(3),
            waiting_since: None,
            seen_at: 1_000,
            gone_at: None,
        }
    }

    #[test]
    fn a_screen_is_behind_only_after_waiting_longer_than_the_patience() {
        let mut r = report();
        r.waiting_since = Some(1_000);
        assert_eq!(r.status(5_000, P), ScreenStatus::Online);
        assert_eq!(r.status(11_001, P), ScreenStatus::Behind);
    }

    #[test]
    fn a_report_not_refreshed_turns_gone_by_itself() {
        let r = report();
        assert_eq!(r.status(16_000, P), ScreenStatus::Online);
        assert_eq!(r.status(16_001, P), ScreenStatus::Gone);
        assert_eq!(r.gone_since(16_001, P), Some(1_000));
    }

    #[test]
    fn screen_ids_are_short_and_plain() {
        assert!(parse_screen_id("lobby-1_a").is_ok());
        assert!(parse_screen_id("").is_err());
        assert!(parse_screen_id("a b").is_err());
        assert!(parse_screen_id(&"x".repeat(65)).is_err());
    }
}
