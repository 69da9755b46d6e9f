//! Throwaway PostgreSQL databases for tests: one fresh database per test on
//! the server `scripts/with-services.sh` started, dropped when the test is done.
//! Shared by every test binary (`#[path]`), so each binary uses part of it.
#![allow(dead_code)]

use sqlx::Connection;

/// The URLs of the PostgreSQL server (its maintenance database) and the Redis
/// that `scripts/with-services.sh` started: `TEST_DATABASE_URL` and
/// `TEST_REDIS_URL`. Every test that needs them is `#[ignore]`d unless built
/// under that script (`cfg(services)`), so reaching here without them (say,
/// `cargo test -- --ignored` alone) fails the test: it never passes unrun.
pub fn services() -> (String, String) {
    match (std::env::var("TEST_DATABASE_URL"), std::env::var("TEST_REDIS_URL")) {
        (Ok(db), Ok(redis)) => (db, redis),
        _ => panic!(
            "this test needs PostgreSQL and Redis: TEST_DATABASE_URL and TEST_REDIS_URL are not set \
             (run it under scripts/with-services.sh; scripts/test.sh does)"
        ),
    }
}

/// A fresh database on the test server (see [`services`]).
pub async fn fresh(tag: &str) -> PgDb {
    PgDb::create(&services().0, tag).await
}

/// A fresh database named `cockpit_<tag>_<random>`, dropped by `drop_db`.
pub struct PgDb {
    admin: String,
    name: String,
    pub url: String,
}

impl PgDb {
    /// Creates it through `admin`, a URL of the server's maintenance database.
    pub async fn create(admin: &str, tag: &str) -> PgDb {
        let name = format!("cockpit_{tag}_{:x}", rand::random::<u64>());
        let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        PgDb {
            admin: admin.to_owned(),
            name,
            url,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub async fn drop_db(self) {
        drop_database(&self.admin, &self.name).await;
    }
}

/// Drops a test database, whoever is still connected to it.
pub async fn drop_database(admin: &str, name: &str) {
    if let Ok(mut c) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut c)
            .await;
    }
}
