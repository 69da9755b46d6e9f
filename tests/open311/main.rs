//! Open311 GeoReport v2 (`/open311/v2/`, docs/open311.md) end to end over real HTTP,
//! on every backend (SQLite + memory always; PostgreSQL + Redis under
//! `scripts/with-services.sh`), and driven by Open311 client libraries from PyPI.

mod clients;
mod deploy;
mod errors;
mod form;
#[path = "../support/mod.rs"]
mod helpers;
mod requests;
#[path = "../shared/scopes.rs"]
mod scopes;
mod secured;
mod services;
