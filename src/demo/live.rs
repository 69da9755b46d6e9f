//! The live simulator: an agenda of timed actions (report a ticket, move one a step,
//! announce / hold a session, let residents check in) worked off every 0.5–2 s, a
//! few actions per tick, so the rate stays bounded at a handful of requests a second.
//! Records carry the real time; the delays between a ticket's steps run on a
//! compressed clock (an hour of city time in a few seconds) so loops close while
//! a newcomer watches.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::backfill::Pending;
use super::events::Gathering;
use super::sim::Sim;
use super::tickets::Ticket;
use super::voices;
use super::world::{COMMUNITIES, Community};
use crate::domain::ticket::Status;

/// Simulated time runs this many times faster than real time between ticket steps.
const COMPRESSION: i64 = 600;
/// Bounds of one compressed delay, so nothing is instant and nothing waits for ever.
const MIN_DELAY_MS: i64 = 2_000;
const MAX_DELAY_MS: i64 = 120_000;
/// Actions worked off per tick: with ticks of 0.5–2 s this bounds the request rate.
const ACTIONS_PER_TICK: usize = 4;
/// How often the simulator logs what it has sent.
const REPORT_EVERY: Duration = Duration::from_secs(30);

enum Action {
    NewTicket,
    Step(Ticket),
    Announce(&'static Community, usize),
    Hold(Gathering),
    CheckIn(Gathering),
    /// A resident answers "was it fixed?" about a resolved ticket.
    Satisfy(Ticket),
    /// A household returns Tongjing's questionnaire.
    Answer,
    /// A booked community records public revenue or spending.
    Book,
    Report,
}

struct Due {
    at: Instant,
    seq: u64,
    action: Action,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    /// Reversed, so the max-heap pops the earliest action first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Timed actions, earliest first.
#[derive(Default)]
struct Agenda {
    heap: BinaryHeap<Due>,
    seq: u64,
}

impl Agenda {
    fn after(&mut self, delay: Duration, action: Action) {
        self.seq += 1;
        self.heap.push(Due {
            at: Instant::now() + delay,
            seq: self.seq,
            action,
        });
    }

    fn pop_due(&mut self, now: Instant) -> Option<Action> {
        if self.heap.peek().is_some_and(|d| d.at <= now) {
            return self.heap.pop().map(|d| d.action);
        }
        None
    }
}

/// A simulated delay of `ms` on the compressed clock.
fn compressed(ms: i64) -> Duration {
    let real = (ms / COMPRESSION).clamp(MIN_DELAY_MS, MAX_DELAY_MS);
    Duration::from_millis(real.unsigned_abs())
}

fn secs(sim: &mut Sim, lo: i64, hi: i64) -> Duration {
    Duration::from_millis(sim.rng.between(lo * 1000, hi * 1000).unsigned_abs())
}

/// Runs until the server stops answering (the caller also aborts it when the server stops).
pub async fn run(sim: &mut Sim, pending: Vec<Pending>) {
    let mut agenda = opening(sim, pending);
    loop {
        let tick = sim.rng.between(500, 2000).unsigned_abs();
        tokio::time::sleep(Duration::from_millis(tick)).await;
        let now = Instant::now();
        for _ in 0..ACTIONS_PER_TICK {
            let Some(action) = agenda.pop_due(now) else { break };
            act(sim, &mut agenda, action).await;
        }
        if sim.api.gone() {
            tracing::info!("demo: the server no longer answers; the simulator stops");
            return;
        }
    }
}

/// The first agenda: Tongjing's health lecture opens the show, the other communities
/// follow, tickets start coming in, and the back-fill's open tickets carry on.
fn opening(sim: &mut Sim, pending: Vec<Pending>) -> Agenda {
    let mut agenda = Agenda::default();
    let now = sim.clock.now_ms();
    for (i, community) in COMMUNITIES.iter().enumerate() {
        let first = if i == 0 { 0 } else { sim.rng.below(community.programme.len()) };
        let delay = if i == 0 { Duration::from_secs(1) } else { secs(sim, 5, 40) };
        agenda.after(delay, Action::Announce(community, first));
    }
    agenda.after(Duration::from_secs(2), Action::NewTicket);
    agenda.after(REPORT_EVERY, Action::Report);
    agenda.after(secs(sim, 3, 8), Action::Answer);
    agenda.after(secs(sim, 10, 20), Action::Book);
    for p in pending {
        agenda.after(compressed(p.due - now), Action::Step(p.ticket));
    }
    agenda
}

async fn act(sim: &mut Sim, agenda: &mut Agenda, action: Action) {
    match action {
        Action::NewTicket => new_ticket(sim, agenda).await,
        Action::Step(ticket) => step(sim, agenda, ticket).await,
        Action::Announce(community, session) => announce(sim, agenda, community, session).await,
        Action::Hold(g) => hold(sim, agenda, g).await,
        Action::CheckIn(g) => check_in(sim, agenda, g).await,
        Action::Satisfy(ticket) => satisfy(sim, agenda, ticket).await,
        Action::Answer => {
            voices::answer(sim).await;
            agenda.after(secs(sim, 3, 10), Action::Answer);
        }
        Action::Book => {
            voices::book(sim).await;
            agenda.after(secs(sim, 20, 60), Action::Book);
        }
        Action::Report => {
            let s = sim.api.stats;
            tracing::info!(
                requests = s.requests,
                accepted = s.accepted,
                duplicates = s.duplicates,
                rejected = s.rejected,
                failed = s.failed,
                "demo: simulator running"
            );
            agenda.after(REPORT_EVERY, Action::Report);
        }
    }
}

/// A resident or grid worker reports something; the next report follows in a few seconds.
async fn new_ticket(sim: &mut Sim, agenda: &mut Agenda) {
    let now = sim.clock.now_ms();
    let ticket = Ticket::report(sim, now);
    let body = ticket.report_json(sim);
    if posted(sim, "/api/v1/tickets", &body).await {
        schedule_step(agenda, ticket);
    }
    let next = secs(sim, 2, 7);
    agenda.after(next, Action::NewTicket);
}

/// Sends the ticket's next planned step, now; a refused step ends the ticket's story.
async fn step(sim: &mut Sim, agenda: &mut Agenda, mut ticket: Ticket) {
    let Some(step) = ticket.steps.pop_front() else { return };
    let body = ticket.step_json(&step, sim.clock.now_ms(), sim);
    let path = format!("/api/v1/tickets/{}/transitions", ticket.id);
    if !posted(sim, &path, &body).await {
        return;
    }
    // Half the residents answer "was it fixed?" once their problem is resolved.
    if step.to == Status::Resolved && sim.rng.percent(50) {
        let wait = secs(sim, 3, 10);
        agenda.after(wait, Action::Satisfy(ticket));
    } else {
        schedule_step(agenda, ticket);
    }
}

/// "Was it fixed?": a "no" reopens the ticket on the server, so its loop starts over.
async fn satisfy(sim: &mut Sim, agenda: &mut Agenda, mut ticket: Ticket) {
    let now = sim.clock.now_ms();
    let (body, fixed) = voices::satisfaction_json(sim, &ticket.id, now);
    if posted(sim, "/api/v1/surveys/satisfaction/responses", &body).await && !fixed {
        ticket.replan(sim);
    }
    schedule_step(agenda, ticket);
}

fn schedule_step(agenda: &mut Agenda, ticket: Ticket) {
    if let Some(next) = ticket.steps.front() {
        agenda.after(compressed(next.after), Action::Step(ticket));
    }
}

/// A session of the community's programme is put on the screens as scheduled, starting now.
async fn announce(sim: &mut Sim, agenda: &mut Agenda, community: &'static Community, index: usize) {
    let Some(session) = community.programme.get(index) else { return };
    let now = sim.clock.now_ms();
    let g = Gathering::new(sim, community, session, now - now % 60_000);
    let body = g.event_json("scheduled", sim);
    if posted(sim, "/api/v1/events", &body).await {
        let delay = secs(sim, 4, 10);
        agenda.after(delay, Action::Hold(g));
    } else {
        next_session(sim, agenda, community, index);
    }
}

/// The session takes place (or, now and then, is called off).
async fn hold(sim: &mut Sim, agenda: &mut Agenda, g: Gathering) {
    let cancelled = sim.rng.percent(6);
    let body = g.event_json(if cancelled { "cancelled" } else { "held" }, sim);
    if posted(sim, "/api/v1/events", &body).await && !cancelled {
        agenda.after(Duration::from_secs(1), Action::CheckIn(g));
    } else {
        next_session(sim, agenda, g.community, session_index(&g));
    }
}

/// A few residents check in; when all have, the community's next session follows.
async fn check_in(sim: &mut Sim, agenda: &mut Agenda, mut g: Gathering) {
    let n = sim.rng.between(2, 6).unsigned_abs() as usize;
    let now = sim.clock.now_ms();
    let batch = g.check_in(sim, n, now);
    if !batch.is_empty() {
        sim.api.post("/api/v1/attendance", &Value::Array(batch)).await;
    }
    if g.arrivals.is_empty() {
        next_session(sim, agenda, g.community, session_index(&g));
    } else {
        let delay = secs(sim, 1, 3);
        agenda.after(delay, Action::CheckIn(g));
    }
}

fn next_session(sim: &mut Sim, agenda: &mut Agenda, community: &'static Community, index: usize) {
    let next = (index + 1) % community.programme.len().max(1);
    let delay = secs(sim, 20, 60);
    agenda.after(delay, Action::Announce(community, next));
}

fn session_index(g: &Gathering) -> usize {
    g.community.programme.iter().position(|s| std::ptr::eq(s, g.session)).unwrap_or(0)
}

/// Posts one record; true when it was accepted or already known.
async fn posted(sim: &mut Sim, path: &str, body: &Value) -> bool {
    sim.api.post(path, body).await.is_some_and(|r| r.clean())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_delays_stay_bounded() {
        assert_eq!(compressed(-5), Duration::from_millis(2_000));
        assert_eq!(compressed(super::super::clock::HOUR), Duration::from_secs(6));
        assert_eq!(compressed(30 * 24 * super::super::clock::HOUR), Duration::from_secs(120));
    }

    #[test]
    fn the_agenda_pops_earliest_first_and_only_when_due() {
        let mut a = Agenda::default();
        a.after(Duration::from_secs(60), Action::Report);
        a.after(Duration::ZERO, Action::NewTicket);
        assert!(matches!(a.pop_due(Instant::now()), Some(Action::NewTicket)));
        assert!(a.pop_due(Instant::now()).is_none());
    }
}
