//! Holders' caseloads (open and overdue tickets per holder under a scope), as
//! the live dashboards show them, remembered per scope for as long as nothing
//! they count can have changed.
//!
//! The caseloads are a `GROUP BY` over every open held ticket under the scope:
//! at a district's root, tens of thousands of rows, far more than the rest of
//! a dashboard costs. Every dashboard a screen is pushed reads them, and most
//! updates (a new report, a check-in) cannot change them. So each scope's last
//! answer is kept with a fingerprint of the figures that move whenever a held
//! ticket does (from the same read as the dashboard, so as current as it):
//! the count of ticket steps ever applied under the scope, whatever day they
//! are dated (a dispatch, a transfer, a resolution, a close, a reopening; a
//! back-dated transfer moves no status count and no figure of today), and the
//! scope's overdue count (a held ticket's deadline passing). A dashboard whose
//! fingerprint matches uses the kept answer; any other reads the record store
//! again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use crate::domain::figures::{RawFigures, field};
use crate::domain::scope::Scope;
use crate::records::HolderLoad;

/// Scopes remembered at most; past it the memory starts afresh (screens
/// watch far fewer scopes than this per instance).
const KEPT: usize = 4096;

/// A scope's last answer and the fingerprint it was read under.
type Kept = HashMap<Scope, (u64, Arc<[HolderLoad]>)>;

/// The kept caseloads (cheap to clone).
#[derive(Clone, Default)]
pub struct Caseloads {
    kept: Arc<Mutex<Kept>>,
}

impl Caseloads {
    /// The kept answer for `scope`, if `own` (its figures as just read) gives
    /// the fingerprint it was kept under.
    pub fn get(&self, scope: &Scope, own: &RawFigures) -> Option<Arc<[HolderLoad]>> {
        let print = fingerprint(own);
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(scope).filter(|(p, _)| *p == print).map(|(_, loads)| loads.clone())
    }

    /// Keeps `loads`, read for `scope` when its figures were `own`.
    pub fn keep(&self, scope: &Scope, own: &RawFigures, loads: Arc<[HolderLoad]>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= KEPT && !kept.contains_key(scope) {
            kept.clear();
        }
        kept.insert(scope.clone(), (fingerprint(own), loads));
    }
}

/// What moves whenever a held ticket under the scope does (see the module doc).
fn fingerprint(own: &RawFigures) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    own.gauge.get(field::TICKET_STEPS).hash(&mut h);
    own.overdue_now.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(holder: &str, open: i64) -> Arc<[HolderLoad]> {
        Arc::from(vec![HolderLoad {
            holder: holder.to_owned(),
            open,
            overdue: 0,
        }])
    }

    #[test]
    fn a_new_report_keeps_the_caseloads_and_a_step_does_not() {
        let c = Caseloads::default();
        let scope = Scope::parse("d.s").unwrap_or_else(|e| panic!("{e}"));
        let mut own = RawFigures::default();
        own.gauge.insert(field::TICKET_STEPS.into(), 3);
        c.keep(&scope, &own, load("li", 3));
        own.gauge.insert(field::status("reported"), 7);
        own.day.insert("tickets_reported".into(), 7);
        assert!(c.get(&scope, &own).is_some(), "reports change no caseload");
        for change in [
            |o: &mut RawFigures| *o.gauge.entry(field::TICKET_STEPS.into()).or_default() += 1,
            |o: &mut RawFigures| o.overdue_now += 1,
        ] {
            let mut moved = own.clone();
            change(&mut moved);
            assert!(c.get(&scope, &moved).is_none(), "a held ticket moved");
        }
        let other = Scope::parse("d.t").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.get(&other, &own).is_none(), "kept per scope");
    }
}
