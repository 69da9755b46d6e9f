//! Contract suites: one per seam, each run against every implementation.

mod aggregate_store;
mod broker;
#[path = "../shared/cluster.rs"]
mod cluster;
#[path = "../shared/pg.rs"]
mod pg;
mod record_store;
mod retention;
mod ticket_book;

pub use pg::PgDb;

/// A fresh database on the test server (dropped by `drop_db`).
pub async fn pg_db() -> PgDb {
    pg::fresh("c").await
}

/// The test Redis.
pub fn redis_url() -> String {
    pg::services().1
}
