//! End-to-end tests over real HTTP and WebSockets, run against every backend
//! (SQLite + memory always; PostgreSQL + Redis when `scripts/test.sh` provides them).

mod alerts;
mod auth;
#[path = "../shared/clock.rs"]
mod clock;
mod closed_loop;
mod dashboard;
mod edge;
#[path = "../support/mod.rs"]
mod helpers;
mod hostile;
mod ingest;
mod instances;
mod ledger;
mod map;
mod rebuild;
mod scenario;
mod schema;
#[path = "../shared/scopes.rs"]
mod scopes;
mod screens;
mod surveys;
mod tickets;
mod ws;
mod ws_protocol;
