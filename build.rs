//! `sqlx::migrate!` embeds `migrations/` at compile time; without this, cargo
//! would not notice a new migration file and would keep the old binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
