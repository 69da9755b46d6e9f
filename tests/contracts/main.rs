//! Contract suites: one per seam, each run against every implementation.

mod aggregate_store;
mod broker;
#[path = "../shared/pg.rs"]
mod pg;
mod record_store;
mod ticket_book;

/// A fresh PostgreSQL database URL (dropped by the returned guard), if configured.
pub use pg::PgDb;

/// A fresh database on the test server, or `None` (said loudly) without one.
pub async fn pg_db() -> Option<PgDb> {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "COCKPIT_REQUIRE_SERVICES=1 but no TEST_DATABASE_URL"
        );
        skipped("PostgreSQL");
        return None;
    };
    Some(PgDb::create(&admin, "c").await)
}

pub fn redis_url() -> Option<String> {
    let url = std::env::var("TEST_REDIS_URL").ok();
    if url.is_none() {
        assert!(
            std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "COCKPIT_REQUIRE_SERVICES=1 but no TEST_REDIS_URL"
        );
        skipped("Redis");
    }
    url
}

fn skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "!! SKIPPING the {what} contract suite: set TEST_DATABASE_URL / TEST_REDIS_URL (scripts/test.sh does)"
    );
}
