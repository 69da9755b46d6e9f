//! What every part of the simulator shares: the API client, the random source, the
//! clock, the deadlines the server applies, and the run's id generator (a run id
//! prefixes every record id, so a restarted demo on the same data never collides).

use crate::domain::decide::Deadlines;

use super::api::Api;
use super::clock::Clock;
use super::rng::Rng;

pub struct Sim {
    pub api: Api,
    pub rng: Rng,
    pub clock: Clock,
    pub deadlines: Deadlines,
    run: String,
    next: u64,
}

impl Sim {
    pub fn new(api: Api, clock: Clock, deadlines: Deadlines) -> Sim {
        let mut rng = Rng::from_entropy();
        let run = run_id(clock.now_ms(), rng.next_u64());
        Sim {
            api,
            rng,
            clock,
            deadlines,
            run,
            next: 0,
        }
    }

    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// A fresh record id such as `d66a1f3c2-b7e1-t42`.
    pub fn id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{}-{kind}{}", self.run, self.next)
    }

    /// How long a ticket of `category` may stay open, in ms.
    pub fn deadline_ms(&self, category: &str) -> i64 {
        self.deadlines.deadline(category, 0)
    }
}

/// The start second in hex plus a random suffix: unique per run, short enough for logs.
fn run_id(now_ms: i64, salt: u64) -> String {
    format!("d{:x}-{:04x}", now_ms / 1000, salt & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_differ_by_start_and_salt() {
        assert_ne!(run_id(1_700_000_000_000, 1), run_id(1_700_000_000_000, 2));
        assert_ne!(run_id(1_700_000_000_000, 1), run_id(1_700_000_001_000, 1));
        assert_eq!(run_id(1_700_000_000_000, 0xabcd), "d6553f100-abcd");
    }
}
