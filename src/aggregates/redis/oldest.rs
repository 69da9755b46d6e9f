//! Which days one pass of the archiving takes (`cold.rs`): the oldest days
//! found by a scan of the keys, each with all its keys, bounded in days and
//! keys, and apart from them the late keys of days already archived.

use std::collections::BTreeMap;

use jiff::civil::Date;

/// The oldest days offered after `horizon` and before a ceiling, with all
/// their keys: at least `min_days` of them, and more while they hold at most
/// `max_keys` keys. A day dropped to stay within bounds lowers the ceiling, so
/// the days kept are every day offered between the horizon and the ceiling,
/// whatever order their keys come in. Keys of days at or behind the horizon
/// (late records on archived days) are kept apart, up to `max_keys` of them.
pub(super) struct Oldest<K> {
    pub(super) days: BTreeMap<Date, Vec<K>>,
    pub(super) late: BTreeMap<Date, Vec<K>>,
    late_held: usize,
    horizon: Option<Date>,
    ceiling: Date,
    held: usize,
    min_days: usize,
    max_keys: usize,
}

impl<K> Oldest<K> {
    pub(super) fn new(horizon: Option<Date>, before: Date, min_days: usize, max_keys: usize) -> Self {
        Oldest {
            days: BTreeMap::new(),
            late: BTreeMap::new(),
            late_held: 0,
            horizon,
            ceiling: before,
            held: 0,
            min_days,
            max_keys,
        }
    }

    pub(super) fn offer(&mut self, day: Date, key: K) {
        if self.horizon.is_some_and(|h| day <= h) {
            if self.late_held < self.max_keys {
                self.late.entry(day).or_default().push(key);
                self.late_held += 1;
            }
            return;
        }
        if day >= self.ceiling {
            return;
        }
        self.days.entry(day).or_default().push(key);
        self.held += 1;
        while self.days.len() > self.min_days && self.held > self.max_keys {
            let Some((dropped, keys)) = self.days.pop_last() else { break };
            (self.ceiling, self.held) = (dropped, self.held - keys.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Oldest;
    use jiff::civil::{Date, date};

    /// Offers `keys` (day of 2024-01, key) in order; the days kept, with their keys.
    fn kept(keys: &[(i8, u32)], min_days: usize, max_keys: usize) -> Vec<(Date, Vec<u32>)> {
        let mut oldest = Oldest::new(Some(date(2024, 1, 1)), date(2024, 1, 30), min_days, max_keys);
        for (day, key) in keys {
            oldest.offer(date(2024, 1, *day), *key);
        }
        oldest.days.into_iter().collect()
    }

    #[test]
    fn the_oldest_days_are_kept_whole_and_without_a_gap() {
        // Days 2..=12 hold 3 keys each, 29 one; 1 is the horizon, 30 the ceiling.
        let keys: Vec<(i8, u32)> = (0..3u32)
            .flat_map(|k| (1..=12i8).rev().map(move |d| (d, u32::from(d.unsigned_abs()) * 10 + k)))
            .collect();
        let keys: Vec<_> = keys.into_iter().chain([(30, 0), (29, 1)]).collect();
        let days = |kept: &[(Date, Vec<u32>)]| kept.iter().map(|(d, _)| d.day()).collect::<Vec<i8>>();
        // At least 2 days, and more while they hold at most 9 keys: 2, 3, 4.
        let few = kept(&keys, 2, 9);
        assert_eq!(days(&few), [2, 3, 4]);
        assert!(few.iter().all(|(_, k)| k.len() == 3), "each day whole: {few:?}");
        // A bound on keys below one day's still keeps the minimum of days.
        assert_eq!(days(&kept(&keys, 2, 1)), [2, 3]);
        // Room for everything: every day after the horizon and before the ceiling.
        let every: Vec<i8> = (2..=12).chain([29]).collect();
        assert_eq!(days(&kept(&keys, 2, 1000)), every);
        // The newest days first, then an older one: the ceiling dropped to make
        // room does not let a newer day back in behind it.
        let late: Vec<(i8, u32)> = vec![(9, 1), (10, 2), (11, 3), (2, 4), (3, 5), (12, 6), (10, 7)];
        assert_eq!(days(&kept(&late, 2, 2)), [2, 3]);
        // Keys at or behind the horizon (late records on archived days) are kept
        // apart, up to the bound on keys.
        let late = |max_keys: usize| {
            let mut oldest = Oldest::new(Some(date(2024, 1, 2)), date(2024, 1, 30), 2, max_keys);
            keys.iter().for_each(|(d, k)| oldest.offer(date(2024, 1, *d), *k));
            oldest.late.into_iter().map(|(d, k)| (d.day(), k.len())).collect::<Vec<_>>()
        };
        assert_eq!(late(9), [(1, 3), (2, 3)]);
        assert_eq!(late(4).iter().map(|(_, n)| n).sum::<usize>(), 4);
        // A full day dropped for an older one leaves room, but not for a day after it.
        let gap: Vec<(i8, u32)> = vec![(5, 1), (5, 2), (5, 3), (2, 4), (7, 5)];
        assert_eq!(days(&kept(&gap, 1, 3)), [2]);
    }
}
