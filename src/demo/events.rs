//! Simulated events (活动) and their check-ins: one gathering of a community's weekly
//! programme, who comes (regulars nearly always, plus a changing crowd from the
//! resident pool, so unique attendees stay below person-times over a week), and the
//! records that announce, hold and fill it.

use serde_json::{Value, json};

use super::rng::Rng;
use super::sim::Sim;
use super::world::{Community, Session};

/// How often a regular turns up, in percent.
const REGULAR_TURNOUT: u64 = 85;

/// One occurrence of a programme session, and the residents who will check in.
pub struct Gathering {
    pub id: String,
    pub community: &'static Community,
    pub session: &'static Session,
    pub starts_at: i64,
    /// Person numbers still to check in, in arrival order.
    pub arrivals: Vec<u32>,
}

impl Gathering {
    pub fn new(sim: &mut Sim, community: &'static Community, session: &'static Session, starts_at: i64) -> Gathering {
        let size = sim.rng.between(session.size.0, session.size.1);
        let mut arrivals = attendees(&mut sim.rng, community, size);
        // Popped from the back: reverse so regulars, who come early, arrive first.
        arrivals.reverse();
        Gathering {
            id: sim.id("e"),
            community,
            session,
            starts_at,
            arrivals,
        }
    }

    /// The event record, in `status` (`scheduled`, `held` or `cancelled`).
    pub fn event_json(&self, status: &str, sim: &Sim) -> Value {
        json!({
            "id": self.id,
            "scope": self.community.id,
            "category": self.session.category,
            "type": self.session.kind,
            "title": self.session.title,
            "starts_at": sim.clock.rfc3339(self.starts_at),
            "status": status,
        })
    }

    /// The next `n` check-ins, at `at`, each in the resident's own grid.
    pub fn check_in(&mut self, sim: &mut Sim, n: usize, at: i64) -> Vec<Value> {
        let mut out = Vec::new();
        while out.len() < n {
            let Some(person) = self.arrivals.pop() else { break };
            out.push(self.checkin_json(sim, person, at));
        }
        out
    }

    pub fn checkin_json(&self, sim: &mut Sim, person: u32, at: i64) -> Value {
        json!({
            "id": sim.id("a"),
            "event_id": self.id,
            "scope": format!("{}.g{:02}", self.community.id, person % 4 + 1),
            "at": sim.clock.rfc3339(at),
            "count": 1,
            "person": format!("{}-{person:04}", self.community.key),
        })
    }
}

/// About `size` distinct residents: the regulars who show up, then others at random.
/// Person numbers are stable across runs, so the same residents keep coming back.
fn attendees(rng: &mut Rng, community: &Community, size: i64) -> Vec<u32> {
    let size = usize::try_from(size).unwrap_or(0).min(community.residents as usize);
    let mut chosen: Vec<u32> = (0..community.regulars).filter(|_| rng.percent(REGULAR_TURNOUT)).collect();
    chosen.truncate(size);
    let mut seen: std::collections::HashSet<u32> = chosen.iter().copied().collect();
    let mut tries = 0;
    while chosen.len() < size && tries < size * 20 {
        tries += 1;
        let p = rng.between(i64::from(community.regulars), i64::from(community.residents) - 1) as u32;
        if seen.insert(p) {
            chosen.push(p);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::super::world::COMMUNITIES;
    use super::*;

    #[test]
    fn attendees_are_distinct_and_mostly_regulars_first() {
        let mut rng = Rng::seeded(3);
        let tongjing = &COMMUNITIES[0];
        let a = attendees(&mut rng, tongjing, 60);
        assert_eq!(a.len(), 60);
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 60);
        assert!(a[..10].iter().all(|p| *p < tongjing.regulars));
    }
}
