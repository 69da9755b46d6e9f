//! How the admin API describes itself in the OpenAPI document.

use serde_json::{Map, Value, json};

use crate::domain::dictionary::Dictionary;
use crate::domain::scope::Assignee;
use crate::http::openapi::{At, Doc, PRINTABLE, PRINTABLE_WORDS, param};

fn obj() -> Value {
    json!({"type": "object"})
}

pub fn register(d: &mut Doc, at: At) {
    let scope_in = json!({"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Scope"},
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": PRINTABLE_WORDS},
        "theme": {"type": ["string", "null"], "pattern": "^[a-z-]{1,32}$"},
        "households": {"type": ["integer", "null"], "minimum": 0, "maximum": 100_000_000}
    }, "required": ["id", "name"]});
    let scopes = json!({"type": "array", "items": scope_in});
    let assignee = d.schema::<Assignee>();
    let dictionary = d.schema::<Dictionary>();
    let directory = json!({"type": "object", "properties": {
        "scopes": scopes,
        "assignees": {"type": "object", "additionalProperties": assignee, "propertyNames": {"maxLength": 100, "pattern": PRINTABLE_WORDS},
            "description": "Holders' display names by id"},
        "dictionary": dictionary
    }, "required": ["scopes"], "additionalProperties": false});
    let mut r = Map::new();
    r.insert("200".into(), d.json("Registered", obj()));
    r.extend(d.errors(&[
        ("400", "A malformed scope, holder or dictionary entry"),
        ("422", "A parent that is not registered"),
    ]));
    let body = json!({"oneOf": [scope_in, scopes, directory]});
    d.op(at, "admin", "Register or rename scopes", "adminToken", vec![], Some(body), r);
}

pub fn create_key(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("201".into(), d.json("The key; its secret is shown only here", obj()));
    r.extend(d.errors(&[("400", "Malformed scope"), ("404", "Unknown scope")]));
    let body = json!({"type": "object", "properties": {
        "scope": {"$ref": "#/components/schemas/Scope"},
        "label": {"type": "string", "pattern": PRINTABLE, "description": "Kept to its first 100 characters"}
    }, "required": ["scope"]});
    let summary = "Create an ingest key bound to a scope";
    d.op(at, "admin", summary, "adminToken", vec![], Some(body), r);
}

pub fn list_keys(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every key, without secrets", obj()));
    d.op(at, "admin", "List ingest keys", "adminToken", vec![], None, r);
}

pub fn revoke_key(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("200".into(), d.json("Revoked", obj()));
    r.extend(d.errors(&[("404", "No such key")]));
    let id = param("id", "path", true, json!({"type": "string"}), "Key id");
    d.op(at, "admin", "Revoke an ingest key", "adminToken", vec![id], None, r);
}

pub fn screen_token(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert("201".into(), d.json("A token for the scope and everything under it", obj()));
    r.extend(d.errors(&[
        ("400", "Malformed scope or ttl"),
        ("409", "The deployment runs open: screens need no token"),
    ]));
    let body = json!({"type": "object", "properties": {
        "scope": {"$ref": "#/components/schemas/Scope"},
        "ttl_secs": {"type": "integer", "minimum": 60, "maximum": 31_622_400}
    }, "required": ["scope"]});
    d.op(at, "admin", "Issue a screen token", "adminToken", vec![], Some(body), r);
}
