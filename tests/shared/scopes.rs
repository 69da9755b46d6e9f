//! The scope tree the tests register (`scopes.json` beside this file): one
//! Nanan district, two streets, two themed communities and their grids.

/// The tree, as a scopes file.
pub const SCOPES: &str = include_str!("scopes.json");

/// The tree and `extra` (a JSON array of scopes, parents before children) as one scopes file.
#[allow(dead_code)]
pub fn with(extra: &str) -> String {
    let mut all: Vec<serde_json::Value> = serde_json::from_str(SCOPES).unwrap();
    all.extend(serde_json::from_str::<Vec<serde_json::Value>>(extra).unwrap());
    serde_json::to_string_pretty(&all).unwrap()
}
