//! The ticket closed loop (上报 → 下派 → 处置 → 办结): its states and the legal moves.
//!
//! ```text
//! reported ──▶ dispatched ──▶ in_progress ──▶ resolved ──▶ closed
//!    │            ▲  │  ▲          │            ▲  │           │
//!    │            └──┘  └──────────┘            │  ▼           ▼
//!    └────────────────────────────────────────▶ │ reopened ◀──┘
//!                                               └────┘ (via dispatched / in_progress / resolved)
//! ```
//! `dispatched → dispatched` and `in_progress → dispatched` reassign a ticket;
//! `reported → resolved` is the grid worker fixing it on the spot (即知即改);
//! `closed` (verified) only follows `resolved`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Reported,
    Dispatched,
    InProgress,
    Resolved,
    Closed,
    Reopened,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Reported,
        Status::Dispatched,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Dispatched => "dispatched",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
        }
    }

    /// A status a transition may name as its `to` (a ticket is only *reported* by its report).
    pub fn parse_target(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s && *st != Status::Reported)
    }

    /// Open means still waiting to be fixed; this is what the overdue clock watches.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Reported | Status::Dispatched | Status::InProgress | Status::Reopened)
    }

    /// Whether a ticket in `self` may move to `to`.
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Reported, Dispatched | Resolved)
                | (Dispatched, Dispatched | InProgress | Resolved)
                | (InProgress, Dispatched | Resolved)
                | (Resolved, Closed | Reopened)
                | (Closed, Reopened)
                | (Reopened, Dispatched | InProgress | Resolved)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn closing_needs_a_resolution_first() {
        assert!(!Reported.can_move_to(Closed));
        assert!(!Dispatched.can_move_to(Closed));
        assert!(!InProgress.can_move_to(Closed));
        assert!(Resolved.can_move_to(Closed));
    }

    #[test]
    fn the_whole_loop_is_walkable() {
        let path = [
            Reported, Dispatched, InProgress, Resolved, Reopened, Dispatched, Resolved, Closed, Reopened,
        ];
        for w in path.windows(2) {
            assert!(w[0].can_move_to(w[1]), "{:?} -> {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn reported_is_not_a_target() {
        assert_eq!(Status::parse_target("reported"), None);
        assert_eq!(Status::parse_target("in_progress"), Some(InProgress));
        assert_eq!(Status::parse_target("done"), None);
    }

    #[test]
    fn open_means_not_yet_resolved() {
        let open: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [Reported, Dispatched, InProgress, Reopened]);
    }
}
