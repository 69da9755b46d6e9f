//! Contract suites: one per seam, each run against every implementation.

mod aggregate_store;
mod broker;
mod record_store;

use sqlx::Connection;

/// A fresh PostgreSQL database URL (dropped by the returned guard), if configured.
pub struct PgDb {
    admin: String,
    name: String,
    pub url: String,
}

impl PgDb {
    pub async fn create() -> Option<PgDb> {
        let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "COCKPIT_REQUIRE_SERVICES=1 but no TEST_DATABASE_URL"
            );
            skipped("PostgreSQL");
            return None;
        };
        let name = format!("cockpit_c_{:x}", rand::random::<u64>());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        Some(PgDb { admin, name, url })
    }

    pub async fn drop_db(self) {
        let mut c = sqlx::PgConnection::connect(&self.admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
            .execute(&mut c)
            .await
            .unwrap();
    }
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
