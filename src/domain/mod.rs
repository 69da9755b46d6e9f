//! Domain types: parsed once at the edge, trusted after.

pub mod day;
pub mod decide;
pub mod dictionary;
pub mod field;
pub mod figures;
pub mod geometry;
pub mod key;
pub mod ledger;
pub mod period;
pub mod record;
pub mod rule;
pub mod scope;
pub mod screen;
pub mod survey;
pub mod ticket;
