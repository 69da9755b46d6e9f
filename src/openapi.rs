//! The OpenAPI 3.1 document of the whole HTTP API, generated from the same Rust
//! types as `dashboard-schema/` (OpenAPI 3.1 speaks JSON Schema 2020-12), served at
//! `GET /api/v1/openapi.json` and committed as `docs/openapi.json` (a test fails
//! when the committed copy is stale).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::alerts::{Alert, RuleSpec};
use crate::contract::{
    AttendanceIn, Batch, EventIn, LedgerIn, ResponseIn, SurveyIn, ThemeDefinition, TicketIn, TicketStepIn, TransitionIn,
};
use crate::dashboard::{Dashboard, Series};
use crate::domain::dictionary::{Dictionary, Names};
use crate::domain::figures::Metric;
use crate::domain::scope::Assignee;
use crate::http::ingest::IngestReport;
use crate::hub::message::ScreenMessage;
use crate::ledger::{LedgerCheck, LedgerReport};
use crate::map::ScopeMap;
use crate::presence::ScreenHealth;
use crate::registry::Node;
use crate::surveys::SurveyReport;
use crate::tickets::{MAX_LIMIT, TicketDetail, TicketPage};

/// An error answer, `{code, message}` (Open311 uses its own format, see docs/open311.md).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ErrorBody {
    code: String,
    message: String,
}

struct Doc {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

/// A parameter. The edge refuses a NUL byte in any path or query text, so free
/// text says so.
fn param(name: &str, place: &str, required: bool, mut schema: Value, about: &str) -> Value {
    let free = schema["type"] == "string" && ["pattern", "enum", "format"].iter().all(|k| schema.get(k).is_none());
    if free {
        schema["pattern"] = json!("^[^\\u0000]*$");
    }
    json!({"name": name, "in": place, "required": required, "schema": schema, "description": about})
}

/// No control characters (what the server calls printable).
const PRINTABLE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// Printable, and not only spaces.
const PRINTABLE_WORDS: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

fn scope_param() -> Value {
    param(
        "scope",
        "path",
        true,
        json!({"$ref": "#/components/schemas/Scope"}),
        "A registered scope, e.g. nanan.nanping.zhengjie",
    )
}

impl Doc {
    fn schema<T: JsonSchema>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    fn json(&mut self, about: &str, schema: Value) -> Value {
        json!({"description": about, "content": {"application/json": {"schema": schema}}})
    }

    fn errors(&mut self, codes: &[(&str, &str)]) -> Map<String, Value> {
        let body = self.schema::<ErrorBody>();
        codes
            .iter()
            .map(|(c, about)| (c.to_string(), self.json(about, body.clone())))
            .collect()
    }

    /// Adds one operation; `security` names a scheme or is empty for public endpoints.
    #[allow(clippy::too_many_arguments)]
    fn op(
        &mut self,
        method: &str,
        path: &str,
        tag: &str,
        summary: &str,
        security: &str,
        params: Vec<Value>,
        body: Option<Value>,
        mut responses: Map<String, Value>,
    ) {
        let mut op = json!({"tags": [tag], "summary": summary, "parameters": params, "operationId": format!("{method}_{}", path.replace(['/', '{', '}', '.'], "_"))});
        if let Some(b) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": b}}});
            // The edge refuses a body that does not say it is JSON.
            for (code, about) in [("415", "The body is not declared JSON (Content-Type: application/json)")] {
                if !responses.contains_key(code) {
                    responses.extend(self.errors(&[(code, about)]));
                }
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
        let entry = self.paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        entry[method] = op;
    }

    fn ingest<T: JsonSchema>(&mut self, path: &str, summary: &str, params: Vec<Value>) {
        let body = self.schema::<Batch<T>>();
        let report = self.schema::<IngestReport>();
        let mut r = Map::new();
        r.insert("200".into(), self.json("Every record accepted or a duplicate", report.clone()));
        r.insert(
            "422".into(),
            self.json(
                "Some records rejected (listed by index and field); the others were processed",
                report,
            ),
        );
        r.extend(self.errors(&[
            ("400", "Not JSON, not an object or array, or empty"),
            ("413", "More records than max_batch"),
            ("503", "The record store is unavailable; nothing was acknowledged"),
        ]));
        self.op("post", path, "ingest", summary, "ingestKey", params, Some(body), r);
    }

    fn read(&mut self, path: &str, summary: &str, params: Vec<Value>, schema: Value) {
        let mut r = Map::new();
        r.insert("200".into(), self.json(summary, schema));
        self.read_answering(path, summary, params, r);
    }

    /// A scope read (screen token) with its own successful answers in `r`.
    fn read_answering(&mut self, path: &str, summary: &str, params: Vec<Value>, mut r: Map<String, Value>) {
        r.extend(self.errors(&[
            ("400", "Malformed scope or parameter"),
            ("422", "Well-formed parameters that do not go together"),
            ("403", "The token is for another scope"),
            ("404", "Unknown scope"),
        ]));
        self.op("get", path, "query", summary, "screenToken", params, None, r);
    }
}

/// `GET /api/v1/scopes/{scope}/tickets` and `GET /api/v1/tickets/{id}`.
fn tickets(d: &mut Doc) {
    let text = |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max});
    let list = json!({"type": "string", "pattern": "^[^,\\u0000]{1,128}(,[^,\\u0000]{1,128}){0,49}$"});
    let status = "(open|reported|dispatched|in_progress|resolved|closed|reopened)";
    let statuses = json!({"type": "string", "pattern": format!("^{status}(,{status}){{0,49}}$")});
    let when = json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]});
    let page = d.schema::<TicketPage>();
    d.read(
        "/api/v1/scopes/{scope}/tickets",
        "The tickets of a scope and everything under it: filtered, the most overdue (or the newest) first, a page at a time",
        vec![
            scope_param(),
            param(
                "status",
                "query",
                false,
                statuses,
                "Comma-separated statuses; `open` stands for reported, dispatched, in_progress and reopened",
            ),
            param(
                "overdue",
                "query",
                false,
                json!({"type": "string", "enum": ["true", "false"]}),
                "true: open and past the deadline; false: open and not yet past it",
            ),
            param(
                "due_within",
                "query",
                false,
                json!({"type": "string", "pattern": "^[0-9]{1,8}[smhd]?$"}),
                "Open and falling due within this long from now: 4h, 30m, 2d, or seconds",
            ),
            param("category", "query", false, list.clone(), "Comma-separated categories"),
            param("assignee", "query", false, list, "Comma-separated holders"),
            param(
                "reported_since",
                "query",
                false,
                when.clone(),
                "Reported at or after: RFC 3339, or a local day (YYYY-MM-DD)",
            ),
            param(
                "reported_until",
                "query",
                false,
                when,
                "Reported before: RFC 3339, or a local day (its start)",
            ),
            param("q", "query", false, text(100), "A prefix of the ticket id or of its description"),
            param(
                "order",
                "query",
                false,
                json!({"type": "string", "enum": ["deadline", "reported_at"]}),
                "deadline (default): the most overdue first; reported_at: the newest first",
            ),
            param("cursor", "query", false, text(400), "The previous page's next_cursor"),
            param(
                "limit",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
                "At most this many (default 100)",
            ),
        ],
        page,
    );
    let detail = d.schema::<TicketDetail>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("The ticket, its lineage and its whole history", detail));
    r.extend(d.errors(&[
        ("400", "Malformed id"),
        ("403", "The token is for another scope"),
        ("404", "No such ticket"),
    ]));
    d.op(
        "get",
        "/api/v1/tickets/{id}",
        "query",
        "One ticket with every step it took",
        "screenToken",
        vec![param("id", "path", true, text(128), "The ticket id")],
        None,
        r,
    );
}

fn surveys_and_ledger(d: &mut Doc) {
    d.ingest::<SurveyIn>("/api/v1/surveys", "Define surveys (问卷)", vec![]);
    d.ingest::<ResponseIn>(
        "/api/v1/surveys/{id}/responses",
        "Answer a survey; `satisfaction` is the built-in \"was it fixed?\" (a \"no\" reopens the ticket)",
        vec![param("id", "path", true, json!({"type": "string"}), "The survey")],
    );
    d.ingest::<LedgerIn>(
        "/api/v1/ledger",
        "Append public-revenue entries (公共收益); a correction is a reversing entry",
        vec![],
    );
    let report = d.schema::<SurveyReport>();
    d.read(
        "/api/v1/scopes/{scope}/surveys",
        "Live tallies of every survey reaching the scope (free text counted, never quoted)",
        vec![scope_param()],
        json!({"type": "object", "properties": {"scope": {"type": "string"}, "surveys": {"type": "array", "items": report}}}),
    );
    let mut r = Map::new();
    r.insert(
        "200".into(),
        d.json(
            "Responses oldest first, free text included; page with next_after",
            json!({"type": "object"}),
        ),
    );
    r.extend(d.errors(&[
        ("400", "Malformed scope or limit"),
        ("403", "The key is for another scope"),
        ("404", "Unknown scope"),
    ]));
    d.op(
        "get",
        "/api/v1/scopes/{scope}/surveys/{id}/responses",
        "query",
        "Raw responses under the scope, readable with an API key for it",
        "ingestKey",
        vec![
            scope_param(),
            param("id", "path", true, json!({"type": "string"}), "The survey"),
            param(
                "after",
                "query",
                false,
                json!({"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX}),
                "Journal position to continue after",
            ),
            param(
                "limit",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": 1000}),
                "At most this many (default 100)",
            ),
        ],
        None,
        r,
    );
    let ledger = d.schema::<LedgerReport>();
    d.read(
        "/api/v1/scopes/{scope}/ledger",
        "Ledger totals per month and category, in fen",
        vec![scope_param()],
        ledger,
    );
    let csv = json!({"description": "Entries oldest first, for a notice board", "content": {"text/csv": {"schema": {"type": "string"}}}});
    let mut r = Map::new();
    r.insert("200".into(), csv);
    d.read_answering("/api/v1/scopes/{scope}/ledger.csv", "The ledger as CSV", vec![scope_param()], r);
    let check = d.schema::<LedgerCheck>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every chain under the scope holds", check.clone()));
    r.insert("409".into(), d.json("A chain is broken: where and why", check));
    d.read_answering(
        "/api/v1/scopes/{scope}/ledger/verify",
        "Verify the ledger's hash chains",
        vec![scope_param()],
        r,
    );
}

/// The OpenAPI document.
pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into());
    let mut d = Doc {
        generator: settings.into_generator(),
        paths: Map::new(),
    };
    d.ingest::<EventIn>("/api/v1/events", "Send events; re-posting an id moves its status", vec![]);
    d.ingest::<AttendanceIn>("/api/v1/attendance", "Send check-ins", vec![]);
    d.ingest::<TicketIn>("/api/v1/tickets", "Report tickets (上报)", vec![]);
    d.ingest::<TransitionIn>(
        "/api/v1/transitions",
        "Move tickets through the closed loop (each record names its ticket_id)",
        vec![],
    );
    d.ingest::<TicketStepIn>(
        "/api/v1/tickets/{id}/transitions",
        "Move one ticket through the closed loop",
        vec![param("id", "path", true, json!({"type": "string"}), "The ticket")],
    );
    surveys_and_ledger(&mut d);
    let tree = json!({"type": "object", "properties": {"scopes": {"type": "array", "items": d.schema::<Node>()}}, "required": ["scopes"]});
    let mut r = Map::new();
    r.insert("200".into(), d.json("The registered tree, roots first", tree));
    d.op("get", "/api/v1/scopes", "query", "The scope tree", "", vec![], None, r);
    let day = param(
        "day",
        "query",
        false,
        json!({"type": "string", "format": "date"}),
        "A local day; default today",
    );
    let period = param(
        "period",
        "query",
        false,
        json!({"type": "string", "enum": ["day", "week", "month", "year", "all"]}),
        "Count over the day (default), its ISO week, month, year, or all time",
    );
    let range = |name: &str, what: &str| {
        param(
            name,
            "query",
            false,
            json!({"type": "string", "format": "date"}),
            &format!("{what} local day of a range (with both from and to, instead of day and period; at most 3660 days)"),
        )
    };
    let dash = d.schema::<Dashboard>();
    d.read(
        "/api/v1/scopes/{scope}/dashboard",
        "A scope's dashboard: exactly what a screen receives",
        vec![scope_param(), day, period, range("from", "The first"), range("to", "The last")],
        dash,
    );
    let metric = d.schema::<Metric>();
    let series = d.schema::<Series>();
    d.read(
        "/api/v1/scopes/{scope}/series",
        "Values of one figure per day, week or month",
        vec![
            scope_param(),
            param("metric", "query", true, metric, "A figure name"),
            param(
                "interval",
                "query",
                false,
                json!({"type": "string", "enum": ["day", "week", "month"]}),
                "One point per day (default), ISO week or month",
            ),
            param(
                "points",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": 366}),
                "How many periods, ending with the current one (default 30)",
            ),
            param(
                "days",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": 366}),
                "The same as points (kept for daily series)",
            ),
        ],
        series,
    );
    d.read(
        "/api/v1/scopes/{scope}/overdue",
        "Open tickets past their deadline, oldest first, and how many fall due soon",
        vec![
            scope_param(),
            param(
                "limit",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": 1000}),
                "At most this many (default 50)",
            ),
            param(
                "due_within_hours",
                "query",
                false,
                json!({"type": "integer", "minimum": 1, "maximum": 2160}),
                "Due-soon horizon",
            ),
        ],
        json!({"type": "object"}),
    );
    tickets(&mut d);
    let map = d.schema::<ScopeMap>();
    d.read(
        "/api/v1/scopes/{scope}/map",
        "A scope's point or outline, its children's (from the scopes file), whether they are schematic, and its open tickets that carry coordinates",
        vec![scope_param()],
        map,
    );
    let screens = d.schema::<ScreenHealth>();
    d.read(
        "/api/v1/scopes/{scope}/screens",
        "Screen health: the screens showing the scope or anything under it, online, behind or gone",
        vec![scope_param()],
        screens,
    );
    let names = d.schema::<Names>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every code's names and every ticket holder's", names));
    d.op(
        "get",
        "/api/v1/dictionary",
        "query",
        "Chinese and English names of ticket categories (with their groups and deadlines), event categories and types, ledger categories and ticket holders",
        "",
        vec![],
        None,
        r,
    );
    let theme = d.schema::<ThemeDefinition>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("The theme's dashboard definition", theme));
    r.extend(d.errors(&[("404", "No such theme")]));
    d.op(
        "get",
        "/api/v1/themes/{theme}",
        "query",
        "Which panels a theme's screen leads with",
        "",
        vec![param("theme", "path", true, json!({"type": "string"}), "e.g. health")],
        None,
        r,
    );
    let message = d.schema::<ScreenMessage<'static, Dashboard>>();
    let mut r = Map::new();
    r.insert(
        "101".into(),
        json!({"description": "Switching to WebSocket; the server then sends ScreenMessage frames", "content": {"application/json": {"schema": message}}}),
    );
    r.extend(d.errors(&[
        ("400", "Missing or malformed scope"),
        ("403", "Token for another scope, or a foreign Origin"),
        ("404", "Unknown scope"),
        ("503", "This instance serves its maximum of screens"),
    ]));
    let ws_params = vec![
        param(
            "scope",
            "query",
            true,
            json!({"$ref": "#/components/schemas/Scope"}),
            "The scope to watch",
        ),
        param(
            "token",
            "query",
            false,
            json!({"type": "string"}),
            "A screen token (secured deployments)",
        ),
        param(
            "since",
            "query",
            false,
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
            "The last seq a reconnecting screen saw",
        ),
    ];
    d.op(
        "get",
        "/api/v1/ws",
        "screens",
        "Open a screen (WebSocket upgrade)",
        "screenToken",
        ws_params,
        None,
        r,
    );
    alerts(&mut d);
    admin(&mut d);
    health(&mut d);
    let schemas = d.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Community Cockpit", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Live dashboards for a city's grassroots units. See docs/api.md. Open311 GeoReport v2 is served under /open311/v2 (docs/open311.md)."},
        "paths": d.paths,
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

fn admin(d: &mut Doc) {
    let obj = json!({"type": "object"});
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
    r.insert("200".into(), d.json("Registered", obj.clone()));
    r.extend(d.errors(&[
        ("400", "A malformed scope, holder or dictionary entry"),
        ("422", "A parent that is not registered"),
    ]));
    let body = json!({"oneOf": [scope_in, scopes, directory]});
    d.op(
        "post",
        "/api/v1/admin/scopes",
        "admin",
        "Register or rename scopes",
        "adminToken",
        vec![],
        Some(body),
        r,
    );
    let mut r = Map::new();
    r.insert("201".into(), d.json("The key; its secret is shown only here", obj.clone()));
    r.extend(d.errors(&[("400", "Malformed scope"), ("404", "Unknown scope")]));
    let body = json!({"type": "object", "properties": {
        "scope": {"$ref": "#/components/schemas/Scope"},
        "label": {"type": "string", "pattern": PRINTABLE, "description": "Kept to its first 100 characters"}
    }, "required": ["scope"]});
    d.op(
        "post",
        "/api/v1/admin/keys",
        "admin",
        "Create an ingest key bound to a scope",
        "adminToken",
        vec![],
        Some(body),
        r,
    );
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every key, without secrets", obj.clone()));
    d.op(
        "get",
        "/api/v1/admin/keys",
        "admin",
        "List ingest keys",
        "adminToken",
        vec![],
        None,
        r,
    );
    let mut r = Map::new();
    r.insert("200".into(), d.json("Revoked", obj.clone()));
    r.extend(d.errors(&[("404", "No such key")]));
    d.op(
        "delete",
        "/api/v1/admin/keys/{id}",
        "admin",
        "Revoke an ingest key",
        "adminToken",
        vec![param("id", "path", true, json!({"type": "string"}), "Key id")],
        None,
        r,
    );
    let mut r = Map::new();
    r.insert("201".into(), d.json("A token for the scope and everything under it", obj));
    r.extend(d.errors(&[
        ("400", "Malformed scope or ttl"),
        ("409", "The deployment runs open: screens need no token"),
    ]));
    let body = json!({"type": "object", "properties": {
        "scope": {"$ref": "#/components/schemas/Scope"},
        "ttl_secs": {"type": "integer", "minimum": 60, "maximum": 31_622_400}
    }, "required": ["scope"]});
    d.op(
        "post",
        "/api/v1/admin/screen-tokens",
        "admin",
        "Issue a screen token",
        "adminToken",
        vec![],
        Some(body),
        r,
    );
}

/// `GET /api/v1/alerts` and the admin API of alert rules (docs/alerts.md).
fn alerts(d: &mut Doc) {
    let alert = d.schema::<Alert>();
    let list = json!({"type": "object", "properties": {"scope": {"$ref": "#/components/schemas/Scope"}, "alerts": {"type": "array", "items": alert}}, "required": ["scope", "alerts"]});
    let scope = param(
        "scope",
        "query",
        true,
        json!({"$ref": "#/components/schemas/Scope"}),
        "Alerts of rules on this scope or under it",
    );
    d.read(
        "/api/v1/alerts",
        "Alerts firing, pending or resolved in the last few minutes, most urgent first",
        vec![scope],
        list,
    );
    let spec = d.schema::<RuleSpec>();
    let listed = json!({"type": "object", "properties": {"rule": spec.clone(), "source": {"enum": ["config", "api"]}}, "required": ["rule", "source"]});
    let mut r = Map::new();
    r.insert(
        "201".into(),
        d.json("Stored; it is evaluated at once and survives restarts", listed.clone()),
    );
    r.extend(d.errors(&[
        ("400", "A malformed rule (the message names the field)"),
        ("409", "The id of a rule from the configuration"),
        (
            "422",
            "Fields that do not go together (a relative threshold on a screen figure, from equal to until) or an unregistered scope",
        ),
    ]));
    d.op(
        "post",
        "/api/v1/admin/alerts/rules",
        "admin",
        "Add an alert rule, or replace the API rule with the same id",
        "adminToken",
        vec![],
        Some(spec),
        r,
    );
    let all = json!({"type": "object", "properties": {"rules": {"type": "array", "items": listed}}, "required": ["rules"]});
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every rule, from the configuration and the API", all));
    d.op(
        "get",
        "/api/v1/admin/alerts/rules",
        "admin",
        "List alert rules",
        "adminToken",
        vec![],
        None,
        r,
    );
    let mut r = Map::new();
    r.insert("200".into(), d.json("Deleted", json!({"type": "object"})));
    r.extend(d.errors(&[("409", "The rule is defined in the configuration"), ("404", "No such rule")]));
    d.op(
        "delete",
        "/api/v1/admin/alerts/rules/{id}",
        "admin",
        "Delete an alert rule defined through the API",
        "adminToken",
        vec![param("id", "path", true, json!({"type": "string"}), "Rule id")],
        None,
        r,
    );
}

fn health(d: &mut Doc) {
    let obj = json!({"type": "object"});
    let mut r = Map::new();
    r.insert("200".into(), d.json("The process answers", obj.clone()));
    d.op("get", "/healthz", "operations", "Liveness", "", vec![], None, r);
    let mut r = Map::new();
    r.insert("200".into(), d.json("The record and aggregate stores answer", obj.clone()));
    r.insert("503".into(), d.json("Degraded: names the backend that does not answer", obj));
    d.op("get", "/readyz", "operations", "Readiness", "", vec![], None, r);
    let mut r = Map::new();
    r.insert(
        "200".into(),
        json!({"description": "Prometheus text exposition", "content": {"text/plain": {"schema": {"type": "string"}}}}),
    );
    d.op(
        "get",
        "/metrics",
        "operations",
        "Prometheus metrics",
        "metricsToken",
        vec![],
        None,
        r,
    );
    let mut r = Map::new();
    r.insert("200".into(), d.json("This document", json!({"type": "object"})));
    d.op(
        "get",
        "/api/v1/openapi.json",
        "operations",
        "The OpenAPI document",
        "",
        vec![],
        None,
        r,
    );
}

/// The document as committed: pretty, with a final newline.
pub fn render() -> String {
    serde_json::to_string_pretty(&document()).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths documented elsewhere: Open311 (docs/open311.md, its own standard),
    /// the wall screen's page and files.
    fn documented_elsewhere(path: &str) -> bool {
        path.starts_with("/open311")
            || path.contains("/open311/")
            || path.starts_with("/screen")
            || path.starts_with("/assets")
            || path == "/"
    }

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let doc = document();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        let table = crate::http::routes::table();
        for (method, path) in &table {
            let Some(m) = method else { continue };
            if documented_elsewhere(path) {
                continue;
            }
            let m = m.as_str().to_ascii_lowercase();
            assert!(
                paths.get(*path).and_then(|p| p.get(&m)).is_some(),
                "{m} {path} is served but not in the OpenAPI document"
            );
        }
        for (path, ops) in &paths {
            for m in ops.as_object().into_iter().flat_map(|o| o.keys()) {
                let served = table
                    .iter()
                    .any(|(tm, tp)| tp == path && tm.as_ref().is_some_and(|x| x.as_str().eq_ignore_ascii_case(m)));
                assert!(served, "{m} {path} is documented but not served");
            }
        }
    }
}
