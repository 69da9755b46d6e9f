//! How an endpoint describes itself in the OpenAPI 3.1 document: [`Doc`], the
//! document being built, with the schemas of the same Rust types as
//! `dashboard-schema/` (OpenAPI 3.1 speaks JSON Schema 2020-12). Every entry of
//! the route table carries its description ([`About`]); `routes::openapi`
//! builds the document by walking the table, so a route cannot be served
//! without being described, nor described at a path it is not served at.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// What a route says of itself.
#[derive(Clone, Copy)]
pub enum About {
    /// Its operation in this document, written by the function.
    Op(fn(&mut Doc, At)),
    /// Described by another standard's document (a file under `docs/`).
    Elsewhere(&'static str),
}

/// Where an operation is served: its method (lower case) and path pattern,
/// from the route table.
#[derive(Clone, Copy)]
pub struct At {
    pub method: &'static str,
    pub path: &'static str,
}

/// An error answer, `{code, message}` (Open311 uses its own format, see docs/open311.md).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ErrorBody {
    code: String,
    message: String,
}

/// The document being built.
pub struct Doc {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

/// A parameter. The edge refuses a NUL byte in any path or query text, so free
/// text says so.
pub fn param(name: &str, place: &str, required: bool, mut schema: Value, about: &str) -> Value {
    let free = schema["type"] == "string" && ["pattern", "enum", "format"].iter().all(|k| schema.get(k).is_none());
    if free {
        schema["pattern"] = json!("^[^\\u0000]*$");
    }
    json!({"name": name, "in": place, "required": required, "schema": schema, "description": about})
}

/// No control characters (what the server calls printable).
pub const PRINTABLE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// Printable, and not only spaces.
pub const PRINTABLE_WORDS: &str =
    "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The `{scope}` path parameter.
pub fn scope_param() -> Value {
    param(
        "scope",
        "path",
        true,
        json!({"$ref": "#/components/schemas/Scope"}),
        "A registered scope, e.g. nanan.nanping.zhengjie",
    )
}

impl Doc {
    pub fn new() -> Doc {
        let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into());
        Doc {
            generator: settings.into_generator(),
            paths: Map::new(),
        }
    }

    /// The schema of `T`, registered under components.
    pub fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// A JSON answer.
    pub fn json(&mut self, about: &str, schema: Value) -> Value {
        json!({"description": about, "content": {"application/json": {"schema": schema}}})
    }

    /// Error answers, `{code, message}` each.
    pub fn errors(&mut self, codes: &[(&str, &str)]) -> Map<String, Value> {
        let body = self.schema::<ErrorBody>();
        codes
            .iter()
            .map(|(c, about)| (c.to_string(), self.json(about, body.clone())))
            .collect()
    }

    /// Adds one operation; `security` names a scheme or is empty for public endpoints.
    #[allow(clippy::too_many_arguments)]
    pub fn op(
        &mut self,
        at: At,
        tag: &str,
        summary: &str,
        security: &str,
        params: Vec<Value>,
        body: Option<Value>,
        mut responses: Map<String, Value>,
    ) {
        let id = format!("{}_{}", at.method, at.path.replace(['/', '{', '}', '.'], "_"));
        let mut op = json!({"tags": [tag], "summary": summary, "parameters": params, "operationId": id});
        if let Some(b) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": b}}});
            // The edge refuses a body that does not say it is JSON.
            if !responses.contains_key("415") {
                responses.extend(self.errors(&[("415", "The body is not declared JSON (Content-Type: application/json)")]));
            }
        }
        if !security.is_empty() {
            // Optional: a deployment may run open (the embedded demo).
            op["security"] = json!([{ security: [] }, {}]);
            responses.extend(self.errors(&[
                ("401", "Missing or invalid credential (secured deployments)"),
                ("429", "Rate limited; see Retry-After"),
            ]));
        }
        op["responses"] = Value::Object(responses);
        let entry = self.paths.entry(at.path.to_owned()).or_insert_with(|| json!({}));
        entry[at.method] = op;
    }

    /// A scope read (screen token) answering `schema`.
    pub fn read(&mut self, at: At, summary: &str, params: Vec<Value>, schema: Value) {
        let mut r = Map::new();
        r.insert("200".into(), self.json(summary, schema));
        self.read_answering(at, summary, params, r);
    }

    /// A scope read (screen token) with its own successful answers in `r`.
    pub fn read_answering(&mut self, at: At, summary: &str, params: Vec<Value>, mut r: Map<String, Value>) {
        r.extend(self.errors(&[
            ("400", "Malformed scope or parameter"),
            ("422", "Well-formed parameters that do not go together"),
            ("403", "The token is for another scope"),
            ("404", "Unknown scope"),
        ]));
        self.op(at, "query", summary, "screenToken", params, None, r);
    }

    /// The whole document.
    pub fn finish(mut self) -> Value {
        let schemas = self.generator.take_definitions(true);
        json!({
            "openapi": "3.1.0",
            "info": {"title": "Community Cockpit", "version": env!("CARGO_PKG_VERSION"),
                     "description": "Live dashboards for a city's grassroots units. See docs/api.md. Open311 GeoReport v2 is served under /open311/v2 (docs/open311.md)."},
            "paths": self.paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "ingestKey": {"type": "http", "scheme": "bearer", "description": "An ingest API key ck_<id>_<secret>, bound to a scope"},
                    "screenToken": {"type": "http", "scheme": "bearer", "description": "A signed screen token st1~…, also accepted as ?token="},
                    "adminToken": {"type": "http", "scheme": "bearer", "description": "The admin token"},
                    "metricsToken": {"type": "http", "scheme": "bearer", "description": "The metrics token (`metrics_token`), when configured"}
                }
            }
        })
    }
}

impl Default for Doc {
    fn default() -> Doc {
        Doc::new()
    }
}
