//! How the scope reads describe themselves in the OpenAPI document.

use serde_json::{Map, json};

use crate::contract::ThemeDefinition;
use crate::dashboard::{Dashboard, Series};
use crate::domain::dictionary::Names;
use crate::domain::figures::Metric;
use crate::http::openapi::{At, Doc, param, scope_param};
use crate::presence::ScreenHealth;
use crate::registry::Node;

pub fn scopes(d: &mut Doc, at: At) {
    let tree = json!({"type": "object", "properties": {"scopes": {"type": "array", "items": d.schema::<Node>()}}, "required": ["scopes"]});
    let mut r = Map::new();
    r.insert("200".into(), d.json("The registered tree, roots first", tree));
    d.op(at, "query", "The scope tree", "", vec![], None, r);
}

pub fn dashboard(d: &mut Doc, at: At) {
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
        at,
        "A scope's dashboard: exactly what a screen receives",
        vec![scope_param(), day, period, range("from", "The first"), range("to", "The last")],
        dash,
    );
}

pub fn series(d: &mut Doc, at: At) {
    let metric = d.schema::<Metric>();
    let series = d.schema::<Series>();
    d.read(
        at,
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
}

pub fn overdue(d: &mut Doc, at: At) {
    d.read(
        at,
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
}

pub fn screens(d: &mut Doc, at: At) {
    let screens = d.schema::<ScreenHealth>();
    d.read(
        at,
        "Screen health: the screens showing the scope or anything under it, online, behind or gone",
        vec![scope_param()],
        screens,
    );
}

pub fn dictionary(d: &mut Doc, at: At) {
    let names = d.schema::<Names>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("Every code's names and every ticket holder's", names));
    d.op(
        at,
        "query",
        "Chinese and English names of ticket categories (with their groups and deadlines), event categories and types, ledger categories and ticket holders",
        "",
        vec![],
        None,
        r,
    );
}

pub fn theme(d: &mut Doc, at: At) {
    let theme = d.schema::<ThemeDefinition>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("The theme's dashboard definition", theme));
    r.extend(d.errors(&[("404", "No such theme")]));
    let name = param("theme", "path", true, json!({"type": "string"}), "e.g. health");
    d.op(at, "query", "Which panels a theme's screen leads with", "", vec![name], None, r);
}

pub fn metrics(d: &mut Doc, at: At) {
    let mut r = Map::new();
    r.insert(
        "200".into(),
        json!({"description": "Prometheus text exposition", "content": {"text/plain": {"schema": {"type": "string"}}}}),
    );
    d.op(at, "operations", "Prometheus metrics", "metricsToken", vec![], None, r);
}
