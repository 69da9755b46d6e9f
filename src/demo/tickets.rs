//! Simulated tickets: what gets reported where, and each ticket's planned closed
//! loop (上报 → 下派 → 处置 → 办结), drawn once at report time as a list of steps
//! with simulated delays. The back-fill walks a plan on the real calendar; the live
//! simulator walks the rest of it on a compressed clock. Some plans run late, some
//! reopen and some stall, so the cockpit has overdue work to show.

use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::domain::ticket::Status;

use super::clock::{HOUR, MINUTE};
use super::rng::Rng;
use super::sim::Sim;
use super::world::{COMMUNITIES, Community, descriptions};

/// The corners of each unit's outline in the demo's scopes file, read once.
fn outlines() -> &'static HashMap<String, Vec<(f64, f64)>> {
    static OUTLINES: OnceLock<HashMap<String, Vec<(f64, f64)>>> = OnceLock::new();
    OUTLINES.get_or_init(|| {
        let file: Value = serde_json::from_str(super::NANAN_SCOPES).unwrap_or_default();
        let scopes = file.get("scopes").and_then(Value::as_array).cloned().unwrap_or_default();
        scopes
            .iter()
            .filter_map(|s| {
                let id = s.get("id")?.as_str()?.to_owned();
                let ring = s.pointer("/geometry/coordinates/0")?.as_array()?;
                let corners: Vec<(f64, f64)> = ring
                    .iter()
                    .skip(1) // the first position is repeated last
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect();
                (!corners.is_empty()).then_some((id, corners))
            })
            .collect()
    })
}

/// A random point inside a grid's outline, `(longitude, latitude)`: a weighted mean of
/// its corners, which lies inside because the demo's outlines are convex.
fn point_in(grid: &str, rng: &mut Rng) -> Option<(f64, f64)> {
    let corners = outlines().get(grid)?;
    let weights: Vec<f64> = corners.iter().map(|_| rng.between(1, 100) as f64).collect();
    let total: f64 = weights.iter().sum();
    let mean = |f: fn(&(f64, f64)) -> f64| corners.iter().zip(&weights).map(|(c, w)| f(c) * w).sum::<f64>() / total;
    let round = |x: f64| (x * 100_000.0).round() / 100_000.0;
    Some((round(mean(|c| c.0)), round(mean(|c| c.1))))
}

/// One planned transition, `after` ms (simulated) after the previous step.
#[derive(Clone, Debug)]
pub struct Step {
    pub to: Status,
    pub after: i64,
    pub assignee: String,
    pub note: String,
}

/// A reported ticket and the steps of its plan not yet sent.
pub struct Ticket {
    pub id: String,
    pub community: &'static Community,
    /// Grid index 0…3 (`.g01` … `.g04`).
    pub grid: usize,
    pub category: &'static str,
    pub reported_at: i64,
    pub steps: VecDeque<Step>,
    sent: u32,
}

/// How a ticket's story ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// The grid worker fixes it on the spot (即知即改).
    OnTheSpot,
    Normal,
    /// Resolved, but after its deadline.
    Late,
    /// Resolved and closed, then the resident says it is back.
    Reopened,
    /// Dispatched and then forgotten: it runs overdue on the screens.
    Stalled,
}

const FATES: [(Fate, u32); 5] = [
    (Fate::OnTheSpot, 12),
    (Fate::Normal, 60),
    (Fate::Late, 8),
    (Fate::Reopened, 8),
    (Fate::Stalled, 12),
];

impl Ticket {
    /// History's version of the plan: one that leaves the ticket open (stalled)
    /// gets a late resolution and a close days after its last step, and the whole
    /// plan is squeezed to end before `latest`, so history months back leaves no
    /// forgotten ticket and nothing for the live simulator to carry on.
    pub fn settle_before(&mut self, rng: &mut Rng, latest: i64) {
        if self.steps.back().is_none_or(|s| s.to.is_open()) {
            let handler = self.steps.back().map_or_else(String::new, |s| s.assignee.clone());
            let late = step(
                Status::Resolved,
                rng.between(2 * 24 * HOUR, 15 * 24 * HOUR),
                &handler,
                "督办后处置完毕",
            );
            self.steps.push_back(late);
            self.steps
                .push_back(step(Status::Closed, rng.between(HOUR, 12 * HOUR), &handler, "核查办结"));
        }
        let planned: i64 = self.steps.iter().map(|s| s.after).sum();
        let room = latest - self.reported_at;
        if planned > room && planned > 0 {
            for s in &mut self.steps {
                // At least a minute a step keeps them in order.
                s.after = (s.after as i128 * room.max(0) as i128 / planned as i128) as i64;
                s.after = s.after.max(MINUTE);
            }
        }
    }

    /// A new ticket somewhere in a community picked by its share of the district's load.
    pub fn report(sim: &mut Sim, reported_at: i64) -> Ticket {
        let weights: Vec<u32> = COMMUNITIES.iter().map(|c| c.weight).collect();
        let community = &COMMUNITIES[sim.rng.weighted(&weights)];
        Ticket::report_in(sim, community, reported_at)
    }

    /// A new ticket in `community`, its category and grid drawn from the community's habits.
    pub fn report_in(sim: &mut Sim, community: &'static Community, reported_at: i64) -> Ticket {
        let cats: Vec<u32> = community.categories.iter().map(|(_, w)| *w).collect();
        let category = community.categories[sim.rng.weighted(&cats)].0;
        let grid = sim.rng.weighted(&community.grids);
        let deadline = sim.deadline_ms(category);
        let steps = plan(
            &mut sim.rng,
            &handler_for(community, category),
            &worker_of(community, grid),
            deadline,
        );
        Ticket {
            id: sim.id("t"),
            community,
            grid,
            category,
            reported_at,
            steps: steps.into(),
            sent: 0,
        }
    }

    /// The resident said it is not fixed and the server reopened it: it runs the loop again.
    pub fn replan(&mut self, sim: &mut Sim) {
        let deadline = sim.deadline_ms(self.category);
        let worker = worker_of(self.community, self.grid);
        self.steps = plan(&mut sim.rng, &handler_for(self.community, self.category), &worker, deadline).into();
    }

    pub fn scope(&self) -> String {
        format!("{}.g{:02}", self.community.id, self.grid + 1)
    }

    /// The report record for `POST /api/v1/tickets`.
    pub fn report_json(&self, sim: &mut Sim) -> Value {
        let description = sim.rng.pick(descriptions(self.category)).copied().unwrap_or("居民反映问题");
        let place = sim.rng.pick(self.community.places).copied().unwrap_or(self.community.name);
        let address = format!("{}·{}", self.community.name, place);
        // Two reports in three come from the grid app, which sends where it stood (as
        // Open311 clients do); a hotline call gives only the place in words.
        let location = match sim.rng.percent(67).then(|| point_in(&self.scope(), &mut sim.rng)).flatten() {
            Some((long, lat)) => json!({"address": address, "lat": lat, "long": long}),
            None => json!(address),
        };
        json!({
            "id": self.id,
            "scope": self.scope(),
            "category": self.category,
            "reported_at": sim.clock.rfc3339(self.reported_at),
            "description": description,
            "location": location,
        })
    }

    /// The transition record of `step` at `at`; it names its ticket so it also fits
    /// the batch endpoint `POST /api/v1/transitions`.
    pub fn step_json(&mut self, step: &Step, at: i64, sim: &Sim) -> Value {
        self.sent += 1;
        json!({
            "id": format!("{}-s{}", self.id, self.sent),
            "ticket_id": self.id,
            "to": step.to.as_str(),
            "at": sim.clock.rfc3339(at),
            "assignee": step.assignee,
            "note": step.note,
        })
    }
}

/// Who takes a dispatched ticket (an id of the `assignees` roster in
/// deploy/nanan-scopes.json): a district department, the street's, or the
/// community's own. Xinglong's disputes go to its joint management group, the
/// "老辈子" who mediate with the district justice bureau.
fn handler_for(community: &Community, category: &str) -> String {
    let street = community.id.split('.').nth(1).unwrap_or("nanan");
    let key = community.key;
    match category {
        "dispute" if key == "xinglong" => "xinglong-joint-group".to_owned(),
        "street_light" => "nanan-streetlights".to_owned(),
        "parking" => "nanan-traffic-police".to_owned(),
        "dispute" => "nanan-justice".to_owned(),
        "water" => "nanan-water".to_owned(),
        "road" => "nanan-roads".to_owned(),
        "greening" => "nanan-greening".to_owned(),
        "garbage" => format!("{street}-sanitation"),
        "vending" => format!("{street}-enforcement"),
        "noise" => format!("{key}-police"),
        "facility" => format!("{key}-property"),
        _ => format!("{key}-office"),
    }
}

/// The grid worker of grid `grid` (0…3) of `community`, as the roster names them.
fn worker_of(community: &Community, grid: usize) -> String {
    format!("{}-g{:02}", community.key, grid + 1)
}

/// Draws a ticket's closed loop: its fate decides the steps, the category's
/// deadline (`deadline` ms) decides when it is resolved.
pub fn plan(rng: &mut Rng, handler: &str, worker: &str, deadline: i64) -> Vec<Step> {
    let weights: Vec<u32> = FATES.iter().map(|(_, w)| *w).collect();
    let fate = FATES[rng.weighted(&weights)].0;
    let worker = worker.to_owned();
    let mut steps = Vec::new();
    match fate {
        Fate::OnTheSpot => {
            steps.push(step(
                Status::Resolved,
                rng.between(10 * MINUTE, HOUR),
                &worker,
                "网格员现场处置（即知即改）",
            ));
            close(rng, &mut steps, &worker, 85);
        }
        Fate::Normal | Fate::Late | Fate::Reopened => {
            let (lo, hi) = if fate == Fate::Late { (110, 160) } else { (15, 85) };
            let resolve_in = deadline * rng.between(lo, hi) / 100;
            work(rng, &mut steps, handler, &worker, resolve_in);
            close(rng, &mut steps, &worker, if fate == Fate::Reopened { 100 } else { 85 });
            if fate == Fate::Reopened {
                steps.push(step(
                    Status::Reopened,
                    rng.between(2 * HOUR, 24 * HOUR),
                    &worker,
                    "居民反映问题复发，重新办理",
                ));
                let resolve_in = rng.between(2 * HOUR, 12 * HOUR);
                work(rng, &mut steps, handler, &worker, resolve_in);
                close(rng, &mut steps, &worker, 100);
            }
        }
        Fate::Stalled => {
            steps.push(dispatch(rng, handler));
            if rng.percent(50) {
                steps.push(step(
                    Status::InProgress,
                    rng.between(30 * MINUTE, 6 * HOUR),
                    handler,
                    "已到现场，等待配件/协调",
                ));
            }
        }
    }
    steps
}

/// Dispatch, perhaps a reassignment, work on site, and resolution about `resolve_in` ms after the report.
fn work(rng: &mut Rng, steps: &mut Vec<Step>, handler: &str, worker: &str, resolve_in: i64) {
    let first = steps.len();
    steps.push(dispatch(rng, handler));
    if rng.percent(10) {
        steps.push(step(
            Status::Dispatched,
            rng.between(30 * MINUTE, 2 * HOUR),
            worker,
            "转派网格员协同处置",
        ));
    }
    steps.push(step(
        Status::InProgress,
        rng.between(30 * MINUTE, 6 * HOUR),
        handler,
        "已到现场处置",
    ));
    let elapsed: i64 = steps[first..].iter().map(|s| s.after).sum();
    let rest = (resolve_in - elapsed).max(30 * MINUTE);
    steps.push(step(Status::Resolved, rest, handler, "处置完毕，已回访居民"));
}

/// Verification by the community (核查办结), `percent` of the time.
fn close(rng: &mut Rng, steps: &mut Vec<Step>, worker: &str, percent: u64) {
    if rng.percent(percent) {
        steps.push(step(Status::Closed, rng.between(HOUR, 12 * HOUR), worker, "居民确认满意，核查办结"));
    }
}

fn dispatch(rng: &mut Rng, handler: &str) -> Step {
    step(
        Status::Dispatched,
        rng.between(10 * MINUTE, 3 * HOUR),
        handler,
        "任务下派至责任单位",
    )
}

fn step(to: Status, after: i64, assignee: &str, note: &str) -> Step {
    Step {
        to,
        after,
        assignee: assignee.to_owned(),
        note: note.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ticket's point lies within its grid's outline (here: its corners' box), for every grid.
    #[test]
    fn points_fall_inside_their_grid() {
        let mut rng = Rng::seeded(3);
        for c in &COMMUNITIES {
            for g in 1..=4 {
                let grid = format!("{}.g{g:02}", c.id);
                let corners = outlines().get(&grid).unwrap_or_else(|| panic!("{grid} has no outline"));
                let (lo_x, hi_x) = corners.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
                let (lo_y, hi_y) = corners.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
                for _ in 0..50 {
                    let (x, y) = point_in(&grid, &mut rng).unwrap();
                    assert!((lo_x..=hi_x).contains(&x) && (lo_y..=hi_y).contains(&y), "{grid}: {x},{y}");
                }
            }
        }
    }

    /// Every drawn plan is a legal walk of the closed loop, with time moving forward.
    #[test]
    fn plans_are_legal_walks() {
        let mut rng = Rng::seeded(1);
        for _ in 0..2000 {
            let mut at = Status::Reported;
            for s in plan(&mut rng, "tongjing-property", "tongjing-g03", 24 * HOUR) {
                assert!(at.can_move_to(s.to), "{at:?} -> {:?}", s.to);
                assert!(s.after > 0);
                at = s.to;
            }
        }
    }

    #[test]
    fn some_plans_stall_and_some_reopen() {
        let mut rng = Rng::seeded(2);
        let plans: Vec<Vec<Step>> = (0..500).map(|_| plan(&mut rng, "h", "w", 24 * HOUR)).collect();
        assert!(plans.iter().any(|p| p.last().is_some_and(|s| s.to.is_open())));
        assert!(plans.iter().any(|p| p.iter().any(|s| s.to == Status::Reopened)));
    }

    /// History's plans all end closed (or resolved), legally, before the latest time.
    #[test]
    fn settled_plans_end_done_and_in_time() {
        let mut rng = Rng::seeded(3);
        for room in [30 * MINUTE * 10, 8 * 24 * HOUR, 300 * 24 * HOUR] {
            for _ in 0..500 {
                let mut t = Ticket {
                    id: "t".into(),
                    community: &COMMUNITIES[0],
                    grid: 0,
                    category: "garbage",
                    reported_at: 0,
                    steps: plan(&mut rng, "h", "w", 24 * HOUR).into(),
                    sent: 0,
                };
                t.settle_before(&mut rng, room);
                let mut at = Status::Reported;
                for s in &t.steps {
                    assert!(at.can_move_to(s.to) && s.after > 0, "{at:?} -> {:?}", s.to);
                    at = s.to;
                }
                assert!(!at.is_open(), "ends {at:?}");
                let end: i64 = t.steps.iter().map(|s| s.after).sum();
                assert!(end <= room + t.steps.len() as i64 * MINUTE, "{end} after {room}");
            }
        }
    }
}
