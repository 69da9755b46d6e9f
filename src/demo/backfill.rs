//! The back-fill: the last seven local days of Nanan, sent in a few batches before
//! the live simulator starts, so trends and series have history, today's figures are
//! not zero, and stalled tickets are already overdue. The coming week's programme is
//! sent as scheduled events. Ticket steps still in the future are handed to the live
//! simulator, which plays them out on its compressed clock.
//!
//! The year before that week follows in the background, a month at a time, newest
//! first, while live traffic already flows: the week, month, year and all-time
//! totals reach the seed's scale (Tongjing's hundreds of health lectures and tens
//! of thousands of attendances, thousands of questionnaires) without holding up
//! the start. Its tickets all end closed: nothing a year old is left overdue.

use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::Value;

use super::clock::{HOUR, MINUTE};
use super::events::Gathering;
use super::sim::Sim;
use super::tickets::Ticket;
use super::world::{COMMUNITIES, Community};

/// Days of history sent before live traffic starts, today included.
const DAYS_BACK: i64 = 7;
/// Days of history in all, the year sent in the background included.
const YEAR_BACK: i64 = 365;
/// Days of the year sent at a time.
const CHUNK_DAYS: i64 = 30;
/// Days of programme scheduled ahead, after today.
const DAYS_AHEAD: i64 = 7;
/// Records per ingest request: small enough to keep each request short.
const BATCH: usize = 500;
/// Relative chance of a report in each local hour: residents report by day.
const REPORT_HOURS: [u32; 24] = [0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 8, 7, 5, 6, 7, 7, 6, 6, 6, 5, 4, 3, 2, 1];

/// A ticket whose next step falls after now, due at `due` (ms, simulated).
pub struct Pending {
    pub due: i64,
    pub ticket: Ticket,
}

/// The records of the back-fill, by endpoint, in the order they must be sent.
#[derive(Default)]
struct History {
    events: Vec<Value>,
    checkins: Vec<Value>,
    tickets: Vec<Value>,
    /// Transitions with their time: sent in time order so none arrives "late".
    steps: Vec<(i64, Value)>,
    pending: Vec<Pending>,
}

/// Builds and sends the history; returns the tickets the live simulator must carry on.
pub async fn seed(sim: &mut Sim) -> Vec<Pending> {
    let now = sim.clock.now_ms();
    let mut h = History::default();
    let today = sim.clock.today();
    for back in (-DAYS_AHEAD..DAYS_BACK).rev() {
        let Ok(day) = today.checked_sub(back.days()) else { continue };
        for community in &COMMUNITIES {
            programme(sim, &mut h, community, day, now);
            if back >= 0 {
                tickets(sim, &mut h, community, day, now);
            }
        }
    }
    let pending = send(sim, h, "the last 7 days").await;
    super::voices::seed(sim, DAYS_BACK).await;
    pending
}

/// Sends the year before the last week, a month at a time, newest first.
pub async fn seed_year(mut sim: Sim) {
    let started = std::time::Instant::now();
    let now = sim.clock.now_ms();
    let today = sim.clock.today();
    let mut back = DAYS_BACK;
    while back < YEAR_BACK {
        let last = (back + CHUNK_DAYS).min(YEAR_BACK);
        let mut h = History::default();
        for b in back..last {
            let Ok(day) = today.checked_sub(b.days()) else { continue };
            for community in &COMMUNITIES {
                programme(&mut sim, &mut h, community, day, now);
                tickets(&mut sim, &mut h, community, day, now);
            }
        }
        debug_assert!(h.pending.is_empty(), "settled plans end before now");
        h.pending.clear();
        send(&mut sim, h, &format!("days {back} to {} back", last - 1)).await;
        super::voices::seed_between(&mut sim, back, last).await;
        back = last;
    }
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "demo: back-filled the year before the last {DAYS_BACK} days"
    );
}

/// The sessions of `community` on `day`: held (with check-ins) when past, scheduled when ahead.
fn programme(sim: &mut Sim, h: &mut History, community: &'static Community, day: Date, now: i64) {
    for session in community.programme.iter().filter(|s| s.weekday == day.weekday()) {
        let Some(starts_at) = sim.clock.local_ms(day, session.hour, session.minute) else {
            continue;
        };
        let mut g = Gathering::new(sim, community, session, starts_at);
        if starts_at > now {
            h.events.push(g.event_json("scheduled", sim));
        } else if sim.rng.percent(5) {
            // Rain or a clash: the occasional session is called off.
            h.events.push(g.event_json("cancelled", sim));
        } else {
            h.events.push(g.event_json("held", sim));
            while !g.arrivals.is_empty() {
                // Residents arrive from 20 minutes before the start to 40 after.
                let at = starts_at + sim.rng.between(-20 * MINUTE, 40 * MINUTE);
                if at <= now {
                    h.checkins.extend(g.check_in(sim, 1, at));
                } else {
                    g.arrivals.pop();
                }
            }
        }
    }
}

/// The tickets `community` reported on `day` up to now, and their steps so far.
fn tickets(sim: &mut Sim, h: &mut History, community: &'static Community, day: Date, now: i64) {
    let n = sim.rng.between(community.daily_tickets.0, community.daily_tickets.1);
    for _ in 0..n {
        let hour = sim.rng.weighted(&REPORT_HOURS) as i8;
        let minute = sim.rng.between(0, 59) as i8;
        let Some(reported_at) = sim.clock.local_ms(day, hour, minute) else {
            continue;
        };
        if reported_at > now {
            continue;
        }
        let mut ticket = Ticket::report_in(sim, community, reported_at);
        if now - reported_at > DAYS_BACK * 86_400_000 {
            // An hour a step of slack keeps the squeezed plan before now.
            let latest = now - (ticket.steps.len() as i64 + 2) * MINUTE - HOUR;
            ticket.settle_before(&mut sim.rng, latest);
        }
        h.tickets.push(ticket.report_json(sim));
        walk(sim, h, ticket, now);
    }
}

/// Sends the steps of `ticket` that already happened; keeps the rest pending.
fn walk(sim: &mut Sim, h: &mut History, mut ticket: Ticket, now: i64) {
    let mut at = ticket.reported_at;
    while let Some(step) = ticket.steps.front() {
        let due = at + step.after;
        if due > now {
            h.pending.push(Pending { due, ticket });
            return;
        }
        let Some(step) = ticket.steps.pop_front() else { return };
        h.steps.push((due, ticket.step_json(&step, due, sim)));
        at = due;
    }
}

async fn send(sim: &mut Sim, mut h: History, what: &str) -> Vec<Pending> {
    let counts = (h.events.len(), h.checkins.len(), h.tickets.len(), h.steps.len());
    h.steps.sort_by_key(|(at, _)| *at);
    sim.api.post_all("/api/v1/events", h.events, BATCH).await;
    sim.api.post_all("/api/v1/attendance", h.checkins, BATCH).await;
    sim.api.post_all("/api/v1/tickets", h.tickets, BATCH).await;
    sim.api
        .post_all("/api/v1/transitions", h.steps.into_iter().map(|(_, v)| v).collect(), BATCH)
        .await;
    tracing::info!(
        events = counts.0,
        checkins = counts.1,
        tickets = counts.2,
        transitions = counts.3,
        still_open_steps = h.pending.len(),
        "demo: back-filled {what}"
    );
    h.pending
}
