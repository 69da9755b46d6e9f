//! The simulator's pseudo-randomness: rand's seeded `StdRng`, so one seed
//! replays one run's choices and tests can pin them, behind the few questions
//! the simulator asks.

use rand::rngs::StdRng;
use rand::{Rng as _, RngExt, SeedableRng};

pub struct Rng(StdRng);

impl Rng {
    #[cfg(test)]
    pub fn seeded(seed: u64) -> Self {
        Rng(StdRng::seed_from_u64(seed))
    }

    /// Seeded from the operating system's randomness, so each run differs.
    pub fn from_entropy() -> Self {
        Rng(StdRng::seed_from_u64(rand::random::<u64>()))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A whole number in `lo..=hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        self.0.random_range(lo..=hi)
    }

    /// An index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        self.0.random_range(0..n)
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.0.random_bool((percent.min(100) as f64) / 100.0)
    }

    /// A uniformly chosen element; `None` only for an empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// An index chosen with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return 0;
        }
        let mut roll = self.0.random_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if roll < w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_replays_the_same_choices() {
        let (mut a, mut b) = (Rng::seeded(7), Rng::seeded(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn ranges_and_weights_stay_in_bounds() {
        let mut r = Rng::seeded(42);
        for _ in 0..1000 {
            let x = r.between(3, 9);
            assert!((3..=9).contains(&x));
            assert!(r.below(4) < 4);
            assert_ne!(r.weighted(&[0, 5, 0, 1]), 0);
        }
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.below(0), 0);
        assert!(r.pick::<u8>(&[]).is_none());
    }
}
