//! Admin endpoints, guarded by the admin bearer token when the deployment is secured:
//! register scopes, create / list / revoke ingest API keys, issue screen tokens.

mod about;

use super::routes::Endpoint;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use std::collections::BTreeMap;

use crate::domain::dictionary::Dictionary;
use crate::domain::geometry::{Geometry, MapNote};
use crate::domain::scope::{Assignee, Scope, ScopeInfo};
use crate::error::ApiError;

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::post("/api/v1/admin/scopes", register).about(about::register),
        Endpoint::post("/api/v1/admin/keys", create_key).about(about::create_key),
        Endpoint::get("/api/v1/admin/keys", list_keys).about(about::list_keys),
        Endpoint::delete("/api/v1/admin/keys/{id}", revoke_key).about(about::revoke_key),
        Endpoint::post("/api/v1/admin/screen-tokens", screen_token).about(about::screen_token),
    ]
}

#[derive(Deserialize)]
struct ScopeDto {
    id: String,
    name: String,
    theme: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::field::opt_whole")]
    households: Option<i64>,
}

/// A scopes file (or registration body): the scopes, and optionally the display
/// names of ticket holders.
#[derive(Debug, Default)]
pub struct Directory {
    pub scopes: Vec<ScopeInfo>,
    pub assignees: BTreeMap<String, Assignee>,
    /// Names of codes, added to (or renaming) the shipped dictionary.
    pub dictionary: Dictionary,
    /// Scopes' points or outlines (a scope's optional `geometry`).
    pub geometry: BTreeMap<Scope, Geometry>,
    /// Whether those outlines are schematic (the file's optional `map`).
    pub map: Option<MapNote>,
}

/// Parses either an array of scopes (or one scope), or an object
/// `{"scopes": [...], "assignees": {id: {zh, en, unit}}, "dictionary": {...}}`.
pub fn parse_directory(v: Value) -> Result<Directory, ApiError> {
    let Value::Object(mut o) = v else {
        return Ok(Directory {
            geometry: geometries(&v)?,
            scopes: parse_scopes(v)?,
            ..Directory::default()
        });
    };
    if !o.contains_key("scopes") {
        let v = Value::Object(o);
        return Ok(Directory {
            geometry: geometries(&v)?,
            scopes: parse_scopes(v)?,
            ..Directory::default()
        });
    }
    let listed = o.remove("scopes").unwrap_or_default();
    let geometry = geometries(&listed)?;
    let scopes = parse_scopes(listed)?;
    let map: Option<MapNote> = match o.remove("map") {
        None => None,
        Some(m) => {
            let m: MapNote = serde_json::from_value(m).map_err(|e| ApiError::bad("invalid_map", format!("map: {e}")))?;
            if m.note
                .as_deref()
                .is_some_and(|n| n.trim().is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control))
            {
                return Err(ApiError::bad("invalid_map", "map.note: must be 1-200 printable characters"));
            }
            Some(m)
        }
    };
    let assignees: BTreeMap<String, Assignee> = match o.remove("assignees") {
        None => BTreeMap::new(),
        Some(a) => serde_json::from_value(a).map_err(|e| ApiError::bad("invalid_assignee", format!("assignees: {e}")))?,
    };
    let dictionary: Dictionary = match o.remove("dictionary") {
        None => Dictionary::default(),
        Some(d) => serde_json::from_value(d).map_err(|e| ApiError::bad("invalid_dictionary", format!("dictionary: {e}")))?,
    };
    dictionary
        .check()
        .map_err(|e| ApiError::bad("invalid_dictionary", format!("dictionary.{e}")))?;
    if let Some(k) = o.keys().next() {
        return Err(ApiError::bad(
            "invalid_body",
            format!("{k}: unknown field; expected scopes, assignees, dictionary and map"),
        ));
    }
    for (id, a) in &assignees {
        let printable = |s: &str| !s.trim().is_empty() && s.chars().count() <= 100 && !s.chars().any(char::is_control);
        if !printable(id) || !printable(&a.zh) || !a.en.as_deref().is_none_or(printable) || !a.unit.as_deref().is_none_or(printable) {
            return Err(ApiError::bad(
                "invalid_assignee",
                format!("assignees.{id}: id, zh, en and unit must be 1-100 printable characters"),
            ));
        }
    }
    Ok(Directory {
        scopes,
        assignees,
        dictionary,
        geometry,
        map,
    })
}

/// The `geometry` of each listed scope that has one, parsed once (the scopes
/// themselves are checked by [`parse_scopes`]); a bad one is named by the scope's
/// index and id, then the part of the geometry that is wrong.
fn geometries(listed: &Value) -> Result<BTreeMap<Scope, Geometry>, ApiError> {
    let items = match listed {
        Value::Array(a) => a.as_slice(),
        o @ Value::Object(_) => std::slice::from_ref(o),
        _ => return Ok(BTreeMap::new()),
    };
    let mut out = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some(g) = item.get("geometry").filter(|g| !g.is_null()) else {
            continue;
        };
        let raw = item.get("id").and_then(Value::as_str).unwrap_or_default();
        let bad = |why: String| ApiError::bad("invalid_geometry", format!("scope {i} ({raw}): geometry: {why}"));
        let id = Scope::parse(raw).map_err(|e| ApiError::bad("invalid_scope", format!("scope {i}: id: {e}")))?;
        out.insert(id, Geometry::parse(g).map_err(bad)?);
    }
    Ok(out)
}

/// Parses the body into scope infos, naming the index and field of the first bad one.
pub fn parse_scopes(v: Value) -> Result<Vec<ScopeInfo>, ApiError> {
    let items = match v {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        _ => return Err(ApiError::bad("invalid_body", "send a scope object or an array of them")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let dto: ScopeDto = serde_json::from_value(item).map_err(|e| ApiError::bad("invalid_scope", format!("scope {i}: {e}")))?;
            let id = Scope::parse(&dto.id).map_err(|e| ApiError::bad("invalid_scope", format!("scope {i}: id: {e}")))?;
            if dto.name.trim().is_empty() || dto.name.chars().count() > 100 || dto.name.chars().any(char::is_control) {
                return Err(ApiError::bad(
                    "invalid_scope",
                    format!("scope {i}: name must be 1-100 printable characters"),
                ));
            }
            if let Some(t) = &dto.theme
                && (t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            {
                return Err(ApiError::bad(
                    "invalid_scope",
                    format!("scope {i}: theme must be 1-32 characters of [a-z-]"),
                ));
            }
            if dto.households.is_some_and(|h| !(0..=100_000_000).contains(&h)) {
                return Err(ApiError::bad(
                    "invalid_scope",
                    format!("scope {i}: households must be 0 to 100000000"),
                ));
            }
            Ok(ScopeInfo {
                id,
                name: dto.name,
                theme: dto.theme,
                households: dto.households,
            })
        })
        .collect()
}

async fn register(state: web::Data<AppState>, req: HttpRequest, body: web::Json<Value>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    let Directory {
        scopes,
        assignees,
        dictionary,
        geometry,
        map,
    } = parse_directory(body.into_inner())?;
    match state.registry.register(&scopes).await? {
        Ok(()) => {
            state.registry.name_assignees(assignees);
            state.registry.name_codes(dictionary);
            state.registry.place(geometry, map);
            Ok(HttpResponse::Ok().json(json!({ "registered": scopes.len() })))
        }
        Err((index, reason)) => Err(ApiError::unprocessable("unknown_parent", format!("scope {index}: {reason}"))),
    }
}

#[derive(Deserialize)]
struct KeyRequest {
    scope: String,
    #[serde(default)]
    label: String,
}

/// Creates an ingest key bound to a registered scope; the plaintext is shown only here.
async fn create_key(state: web::Data<AppState>, req: HttpRequest, body: web::Json<KeyRequest>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    let scope = Scope::parse(&body.scope).map_err(|e| ApiError::bad("invalid_scope", e))?;
    if state.registry.find(&scope).await.is_none() {
        return Err(ApiError::NotFound(format!("scope {scope} is not registered")));
    }
    if body.label.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "invalid_key",
            "label: must be printable (no control characters such as NUL)",
        ));
    }
    let label: String = body.label.chars().take(100).collect();
    let (key, plain) = state.access.keys().create(scope, &label).await?;
    Ok(HttpResponse::Created().json(json!({ "id": key.id, "scope": key.scope, "label": key.label, "key": plain })))
}

async fn list_keys(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    Ok(HttpResponse::Ok().json(json!({ "keys": state.access.keys().list().await? })))
}

async fn revoke_key(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    if state.access.keys().revoke(&id).await? {
        Ok(HttpResponse::Ok().json(json!({ "revoked": id.into_inner() })))
    } else {
        Err(ApiError::NotFound(format!("no key {id}")))
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    scope: String,
    /// Validity in seconds (default 30 days, at most a year).
    #[serde(default, deserialize_with = "crate::domain::field::opt_whole")]
    ttl_secs: Option<i64>,
}

/// Issues a screen token for a scope and everything under it.
async fn screen_token(state: web::Data<AppState>, req: HttpRequest, body: web::Json<TokenRequest>) -> Result<HttpResponse, ApiError> {
    state.access.admin(&req)?;
    let Some(tokens) = state.access.screen_tokens() else {
        return Err(ApiError::conflict(
            "open_deployment",
            "this deployment runs open: screens need no token (set screen_secret to require them)",
        ));
    };
    let scope = Scope::parse(&body.scope).map_err(|e| ApiError::bad("invalid_scope", e))?;
    let ttl = body.ttl_secs.unwrap_or(30 * 86_400);
    if !(60..=366 * 86_400).contains(&ttl) {
        return Err(ApiError::bad("invalid_ttl", "ttl_secs must be from 60 to 31622400"));
    }
    let expires = jiff::Timestamp::now().as_second() + ttl;
    Ok(HttpResponse::Created().json(json!({ "scope": scope, "token": tokens.issue(&scope, expires), "expires_at": expires })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(v: Value) -> String {
        match parse_directory(v) {
            Ok(d) => panic!("accepted {d:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_scopes_file_carries_geometry_per_scope_and_a_map_note() {
        let dir = parse_directory(serde_json::json!({
            "map": {"schematic": true, "note": "示意"},
            "scopes": [
                {"id": "d", "name": "区", "geometry": {"type": "Point", "coordinates": [106.5, 29.5]}},
                {"id": "d.s", "name": "街道", "geometry": null},
            ]
        }))
        .unwrap();
        let d = Scope::parse("d").unwrap();
        assert_eq!(dir.geometry.get(&d).map(|g| g.positions().count()), Some(1));
        assert_eq!(dir.geometry.len(), 1, "null is no geometry");
        assert_eq!(
            dir.map,
            Some(MapNote {
                schematic: true,
                note: Some("示意".into())
            })
        );
        // A bare array of scopes may carry geometry too.
        let bare =
            parse_directory(serde_json::json!([{"id": "d", "name": "区", "geometry": {"type": "Point", "coordinates": [1.0, 2.0]}}]))
                .unwrap();
        assert!(bare.geometry.contains_key(&d));
    }

    #[test]
    fn a_bad_geometry_or_map_is_refused_naming_the_scope_and_field() {
        let open_ring = message(serde_json::json!({"scopes": [
            {"id": "d", "name": "区"},
            {"id": "d.s", "name": "街道", "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]}}
        ]}));
        assert!(
            open_ring.contains("scope 1 (d.s): geometry: coordinates[0]: the ring is not closed"),
            "{open_ring}"
        );
        let far = message(serde_json::json!([{"id": "d", "name": "区", "geometry": {"type": "Point", "coordinates": [181.0, 0.0]}}]));
        assert!(
            far.contains("scope 0 (d): geometry: coordinates: longitude 181 is outside -180..180"),
            "{far}"
        );
        let map = message(serde_json::json!({"scopes": [], "map": {"schematic": "yes"}}));
        assert!(map.starts_with("map:"), "{map}");
        let unknown = message(serde_json::json!({"scopes": [], "map": {"schematic": true, "scale": 1}}));
        assert!(unknown.contains("scale"), "{unknown}");
    }

    #[test]
    fn the_demo_outlines_every_street_community_and_grid_schematically() {
        let dir = parse_directory(serde_json::from_str(crate::demo::NANAN_SCOPES).unwrap()).unwrap();
        assert!(dir.map.as_ref().is_some_and(|m| m.schematic && m.note.is_some()));
        for s in &dir.scopes {
            assert!(dir.geometry.contains_key(&s.id), "{} has no outline", s.id);
        }
    }
}
