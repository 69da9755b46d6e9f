//! `sqlx::migrate!` embeds `migrations/` at compile time; without the first
//! line, cargo would not notice a new migration file and would keep the old binary.
//!
//! `cfg(services)`: set when the build runs under `scripts/with-services.sh`
//! (`COCKPIT_REQUIRE_SERVICES=1`, a constant, so switching does not rebuild on
//! every run). Tests that need PostgreSQL and Redis are `#[ignore]`d without
//! it, so a plain `cargo test` lists them as ignored instead of passing them.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=COCKPIT_REQUIRE_SERVICES");
    println!("cargo::rustc-check-cfg=cfg(services)");
    if std::env::var("COCKPIT_REQUIRE_SERVICES").as_deref() == Ok("1") {
        println!("cargo:rustc-cfg=services");
    }
}
