//! The life of one rule's alert, as a pure state machine over explicit clock
//! values: inactive → pending(since) → firing(since) → resolved(at). A pending
//! period filters blips: the condition must hold for `for_ms` without a break.

/// Where a rule's alert stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Inactive,
    /// The condition holds since `since` (ms), not yet long enough.
    Pending { since: i64 },
    /// Firing since `fired_at`; the condition first held at `since`.
    Firing { since: i64, fired_at: i64 },
    /// Was firing (from `fired_at`) until `at`: shown briefly, then forgotten.
    Resolved { fired_at: i64, at: i64 },
}

/// A change worth telling someone about (screens, `/metrics`, the webhook).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Fired,
    Resolved,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Fired => "firing",
            Transition::Resolved => "resolved",
        }
    }
}

impl Phase {
    /// The next phase given whether the condition holds at `now`, and the
    /// transition taken (pending ↔ inactive are not worth telling).
    pub fn step(self, holds: bool, now: i64, for_ms: i64) -> (Phase, Option<Transition>) {
        let fire = |since: i64| {
            if now - since >= for_ms {
                (Phase::Firing { since, fired_at: now }, Some(Transition::Fired))
            } else {
                (Phase::Pending { since }, None)
            }
        };
        match (self, holds) {
            (Phase::Inactive | Phase::Resolved { .. }, true) => fire(now),
            (Phase::Pending { since }, true) => fire(since),
            (Phase::Pending { .. }, false) => (Phase::Inactive, None),
            (Phase::Firing { fired_at, .. }, false) => (Phase::Resolved { fired_at, at: now }, Some(Transition::Resolved)),
            (p @ (Phase::Inactive | Phase::Resolved { .. } | Phase::Firing { .. }), _) => (p, None),
        }
    }

    /// Whether screens show this phase (firing and recently resolved alerts).
    pub fn shown(self) -> bool {
        matches!(self, Phase::Firing { .. } | Phase::Resolved { .. })
    }

    /// What screens show of this phase: pending and inactive look the same there.
    pub fn on_screens(self) -> Option<Phase> {
        self.shown().then_some(self)
    }

    /// Resolved alerts stay visible for `keep_ms`, then the rule reads as inactive.
    pub fn expire(self, now: i64, keep_ms: i64) -> Phase {
        match self {
            Phase::Resolved { at, .. } if now - at >= keep_ms => Phase::Inactive,
            p => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a series of (time, holds) observations and returns the transitions taken.
    fn run(for_ms: i64, steps: &[(i64, bool)]) -> (Phase, Vec<(i64, Transition)>) {
        let mut p = Phase::Inactive;
        let mut out = Vec::new();
        for &(now, holds) in steps {
            let (next, t) = p.step(holds, now, for_ms);
            p = next;
            out.extend(t.map(|t| (now, t)));
        }
        (p, out)
    }

    #[test]
    fn fires_once_the_condition_held_for_the_pending_period() {
        let (p, t) = run(1000, &[(0, true), (500, true), (999, true), (1000, true), (1500, true)]);
        assert_eq!(t, vec![(1000, Transition::Fired)]);
        assert_eq!(p, Phase::Firing { since: 0, fired_at: 1000 });
    }

    #[test]
    fn a_blip_shorter_than_the_pending_period_never_fires() {
        let (p, t) = run(1000, &[(0, true), (900, true), (950, false), (1000, true), (1900, true)]);
        assert!(t.is_empty(), "{t:?}");
        assert_eq!(p, Phase::Pending { since: 1000 }, "the pending period restarts after a break");
    }

    #[test]
    fn resolves_when_the_condition_stops_and_can_fire_again() {
        let (p, t) = run(0, &[(0, true), (10, false), (20, false), (30, true)]);
        assert_eq!(t, vec![(0, Transition::Fired), (10, Transition::Resolved), (30, Transition::Fired)]);
        assert_eq!(p, Phase::Firing { since: 30, fired_at: 30 });
    }

    #[test]
    fn resolved_alerts_expire_after_a_while() {
        let p = Phase::Resolved { fired_at: 0, at: 100 };
        assert_eq!(p.expire(150, 100), p);
        assert_eq!(p.expire(200, 100), Phase::Inactive);
        let f = Phase::Firing { since: 0, fired_at: 0 };
        assert_eq!(f.expire(1_000_000, 100), f, "firing alerts never expire");
    }
}
