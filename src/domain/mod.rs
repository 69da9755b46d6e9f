//! Domain types: parsed once at the edge, trusted after.

pub mod day;
pub mod decide;
pub mod figures;
pub mod ledger;
pub mod record;
pub mod scope;
pub mod screen;
pub mod survey;
pub mod ticket;
