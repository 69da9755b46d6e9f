//! The one wire type of the screens' WebSocket: what the hub serialises and what
//! the published JSON Schema (`dashboard-schema/v1/screen-message.json`) describes.
//!
//! `D` is the dashboard. The hub serialises the dashboard once per change and
//! sends [`ScreenMessage<&RawValue>`](ScreenMessage), so the bytes inside every
//! envelope are exactly the ones it hashed; the schema generator describes
//! `ScreenMessage<Dashboard>`. One definition, so they cannot drift apart.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::domain::scope::Scope;

/// A message from the server on `GET /api/v1/ws?scope=S`.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScreenMessage<'a, D> {
    /// The whole dashboard: first on connect, on request, and when a screen fell behind.
    Snapshot {
        scope: &'a Scope,
        /// Changes when the serving instance restarts; `seq` restarts with it.
        epoch: &'a str,
        /// Grows by one per message of this scope within an epoch, and never goes back.
        seq: u64,
        reason: SnapshotReason,
        /// The figures are not current (the aggregates are unreachable or behind
        /// the journal): these are the last good ones, to be shown marked stale.
        stale: bool,
        data: D,
    },
    /// The whole dashboard after a change (coalesced per scope). Always current.
    Update {
        scope: &'a Scope,
        epoch: &'a str,
        seq: u64,
        data: D,
    },
    /// Something is wrong. `stale`: the figures stopped being current; keep
    /// showing the last ones, marked stale, until the next `update`.
    Error {
        scope: &'a Scope,
        #[serde(skip_serializing_if = "Option::is_none")]
        epoch: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        code: &'a str,
        message: &'a str,
    },
}

/// Why a snapshot was sent; the client can tell a fresh start from a recovery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotReason {
    /// First message of a new connection.
    Connect,
    /// A reconnecting screen named its last `seq`: the snapshot replaces what it missed.
    Resume,
    /// The screen asked (`{"type":"resync"}`).
    Resync,
    /// The screen fell behind; intermediate updates were skipped.
    Lagged,
}

/// What the hub sends: the dashboard already serialised.
pub type Wire<'a> = ScreenMessage<'a, &'a RawValue>;

impl Wire<'_> {
    /// The message as one shared text frame.
    pub fn to_text(&self) -> bytestring::ByteString {
        // Serialising borrowed strings, a number and raw JSON cannot fail.
        bytestring::ByteString::from(serde_json::to_string(self).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashboard_goes_inside_unchanged() {
        let scope = Scope::parse("nanan").unwrap();
        let data = RawValue::from_string(r#"{"as_of":"x","figures":{"tickets_open":3}}"#.into()).unwrap();
        let m = Wire::Update {
            scope: &scope,
            epoch: "e1",
            seq: 7,
            data: &data,
        };
        assert_eq!(
            &*m.to_text(),
            r#"{"type":"update","scope":"nanan","epoch":"e1","seq":7,"data":{"as_of":"x","figures":{"tickets_open":3}}}"#
        );
    }

    #[test]
    fn an_error_escapes_its_message() {
        let scope = Scope::parse("nanan").unwrap();
        let m = Wire::Error {
            scope: &scope,
            epoch: None,
            seq: None,
            code: "stale",
            message: "say \"stale\"",
        };
        let v: serde_json::Value = serde_json::from_str(&m.to_text()).unwrap();
        assert_eq!(v["message"], "say \"stale\"");
        assert!(v.get("seq").is_none());
    }
}
