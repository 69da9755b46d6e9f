//! Ticket endpoints: list and search the tickets of a scope and everything
//! under it, and one ticket with its whole history. Read from the record
//! store's ticket book; readable with a screen token for the scope or above.

use actix_web::{HttpRequest, HttpResponse, web};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, json};

use super::AppState;
use super::openapi::{At, Doc, param, scope_param};
use super::query::readable;
use super::routes::Endpoint;
use crate::domain::scope::Scope;
use crate::domain::ticket::Status;
use crate::error::ApiError;
use crate::records::{After, TicketOrder, TicketQuery};
use crate::tickets::{DEFAULT_LIMIT, HistoryStep, LineageStep, MAX_LIMIT, TicketDetail, TicketPage, rfc3339, step, view};

pub fn routes() -> Vec<Endpoint> {
    vec![
        Endpoint::get("/api/v1/scopes/{scope}/tickets", list).about(about_list),
        Endpoint::get("/api/v1/tickets/{id}", one).about(about_one),
    ]
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    overdue: Option<String>,
    due_within: Option<String>,
    category: Option<String>,
    assignee: Option<String>,
    reported_since: Option<String>,
    reported_until: Option<String>,
    q: Option<String>,
    order: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let info = readable(&state, &req, &path).await?;
    let now = Timestamp::now().as_millisecond();
    let query = q.parse(info.id.clone(), now, state.dashboards.calendar())?;
    let mut tickets = state
        .tickets
        .tickets(&TicketQuery {
            limit: query.limit + 1,
            ..query.clone()
        })
        .await?;
    let more = tickets.len() as i64 > query.limit;
    tickets.truncate(query.limit as usize);
    let next_cursor = tickets.last().filter(|_| more).map(|t| cursor(&t.after(query.order), query.order));
    Ok(HttpResponse::Ok().json(TicketPage {
        scope: info.id,
        order: order_name(query.order),
        tickets: tickets.iter().map(|t| view(&state.registry, t, now)).collect(),
        next_cursor,
    }))
}

async fn one(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    if id.is_empty() || id.len() > 128 {
        return Err(ApiError::bad("invalid_ticket_id", "a ticket id is 1-128 characters"));
    }
    let Some((t, steps)) = state.tickets.ticket(&id).await? else {
        return Err(ApiError::NotFound(format!("no ticket {:?} has been reported", id.as_str())));
    };
    state.access.reader(&req, &t.report.scope)?;
    let now = Timestamp::now().as_millisecond();
    let lineage = t
        .report
        .scope
        .lineage()
        .into_iter()
        .map(|s| LineageStep {
            name: state.registry.get(&s).map(|i| i.name),
            scope: s,
        })
        .collect();
    let mut history = vec![HistoryStep {
        kind: "report",
        id: t.report.id.clone(),
        at: rfc3339(t.report.reported_at),
        from: None,
        to: Some(Status::Reported),
        assignee: None,
        note: None,
        late: false,
        fixed: None,
    }];
    history.extend(steps.iter().filter_map(step));
    Ok(HttpResponse::Ok().json(TicketDetail {
        ticket: view(&state.registry, &t, now),
        lineage,
        history,
    }))
}

fn order_name(o: TicketOrder) -> &'static str {
    match o {
        TicketOrder::Deadline => "deadline",
        TicketOrder::Reported => "reported_at",
    }
}

/// An opaque cursor: the order, the last ticket's sort key and its id (hex).
fn cursor(a: &After, order: TicketOrder) -> String {
    let tag = if order == TicketOrder::Deadline { 'd' } else { 'r' };
    format!("{tag}{}.{}", a.key, hex::encode(a.id.as_bytes()))
}

fn parse_cursor(raw: &str, order: TicketOrder) -> Result<After, ApiError> {
    // Any string may reach here (the document cannot spell the cursor's inside):
    // one that is not a cursor of this order is refused as unprocessable.
    let bad = || ApiError::unprocessable("invalid_cursor", "cursor: pass back a next_cursor as given, with the same order");
    let tag = if order == TicketOrder::Deadline { "d" } else { "r" };
    let (key, id) = raw.strip_prefix(tag).and_then(|r| r.split_once('.')).ok_or_else(bad)?;
    let key = key.parse::<i64>().map_err(|_| bad())?;
    let id = hex::decode(id).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
    Ok(After { key, id })
}

/// A comma-separated list of at most 50 values, each 1-128 characters.
fn list_of(name: &str, raw: &Option<String>) -> Result<Vec<String>, ApiError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let v: Vec<String> = raw.split(',').map(str::to_owned).collect();
    if v.len() > 50 || v.iter().any(|s| s.is_empty() || s.chars().count() > 128) {
        return Err(ApiError::bad(
            "invalid_query",
            format!("{name}: a comma-separated list of at most 50 values of 1-128 characters"),
        ));
    }
    Ok(v)
}

/// The shape the document gives `due_within`: `^[0-9]{1,8}[smhd]?$`.
fn duration_shaped(raw: &str) -> bool {
    let digits = raw.strip_suffix(['s', 'm', 'h', 'd']).unwrap_or(raw);
    (1..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `4h`, `30m`, `2d`, `90s`, or plain seconds, as milliseconds (at most a year).
fn duration_ms(raw: &str) -> Option<i64> {
    let (n, unit) = match raw.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&raw[..i], c),
        _ => (raw, 's'),
    };
    let n: i64 = n.parse().ok().filter(|n| *n >= 0)?;
    let ms = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        _ => return None,
    };
    n.checked_mul(ms).filter(|ms| *ms <= 366 * 86_400_000)
}

impl ListQuery {
    fn parse(&self, within: Scope, now: i64, cal: &crate::domain::day::Calendar) -> Result<TicketQuery, ApiError> {
        let bad = |field: &str, why: &str| ApiError::bad("invalid_query", format!("{field}: {why}"));
        let order = match self.order.as_deref() {
            None | Some("deadline") => TicketOrder::Deadline,
            Some("reported_at") => TicketOrder::Reported,
            Some(_) => return Err(bad("order", "deadline or reported_at")),
        };
        let mut statuses = Vec::new();
        for s in list_of("status", &self.status)? {
            match s.as_str() {
                "open" => statuses.extend(Status::ALL.into_iter().filter(|s| s.is_open())),
                "reported" => statuses.push(Status::Reported),
                other => statuses.push(Status::parse_target(other).ok_or_else(|| {
                    bad(
                        "status",
                        "open, reported, dispatched, in_progress, resolved, closed or reopened (comma-separated)",
                    )
                })?),
            }
        }
        let (mut deadline_before, mut deadline_from) = (None, None);
        match self.overdue.as_deref() {
            None => {}
            Some("true") => deadline_before = Some(now),
            Some("false") => deadline_from = Some(now),
            Some(_) => return Err(bad("overdue", "true or false")),
        }
        if let Some(d) = &self.due_within {
            if !duration_shaped(d) {
                return Err(bad("due_within", "a duration such as 4h, 30m, 2d or 3600 (seconds), at most 366d"));
            }
            if deadline_before.is_some() {
                return Err(ApiError::unprocessable(
                    "invalid_query",
                    "due_within: tickets due within a time are not yet overdue; drop overdue=true",
                ));
            }
            let ms = duration_ms(d).ok_or_else(|| ApiError::unprocessable("invalid_query", "due_within: at most 366d"))?;
            (deadline_from, deadline_before) = (Some(now), Some(now + ms));
        }
        let time = |field: &str, raw: &Option<String>| -> Result<Option<i64>, ApiError> {
            raw.as_deref()
                .map(|r| {
                    instant(r, cal).ok_or_else(|| {
                        bad(
                            field,
                            "an RFC 3339 time such as 2024-11-26T08:00:00+08:00, or a day such as 2024-11-26",
                        )
                    })
                })
                .transpose()
        };
        let text = match &self.q {
            Some(q) if q.is_empty() || q.chars().count() > 100 => return Err(bad("q", "1-100 characters")),
            q => q.clone(),
        };
        let limit = match &self.limit {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| bad("limit", "1-500"))?,
        };
        Ok(TicketQuery {
            within: Some(within),
            categories: list_of("category", &self.category)?,
            holders: list_of("assignee", &self.assignee)?,
            statuses,
            from: time("reported_since", &self.reported_since)?,
            until: time("reported_until", &self.reported_until)?,
            deadline_before,
            deadline_from,
            text,
            order,
            after: self.cursor.as_deref().map(|c| parse_cursor(c, order)).transpose()?,
            limit,
            ..TicketQuery::default()
        })
    }
}

/// An RFC 3339 time, or the start of a local day in the deployment's zone.
fn instant(raw: &str, cal: &crate::domain::day::Calendar) -> Option<i64> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Some(t.as_millisecond());
    }
    let day = raw.parse::<jiff::civil::Date>().ok()?;
    cal.start_of(day)
}

fn about_list(d: &mut Doc, at: At) {
    let text = |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max});
    let list = json!({"type": "string", "pattern": "^[^,\\u0000]{1,128}(,[^,\\u0000]{1,128}){0,49}$"});
    let status = "(open|reported|dispatched|in_progress|resolved|closed|reopened)";
    let statuses = json!({"type": "string", "pattern": format!("^{status}(,{status}){{0,49}}$")});
    let when = json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]});
    let page = d.schema::<TicketPage>();
    d.read(
        at,
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
}

fn about_one(d: &mut Doc, at: At) {
    let text = |max: u64| json!({"type": "string", "minLength": 1, "maxLength": max});
    let detail = d.schema::<TicketDetail>();
    let mut r = Map::new();
    r.insert("200".into(), d.json("The ticket, its lineage and its whole history", detail));
    r.extend(d.errors(&[
        ("400", "Malformed id"),
        ("403", "The token is for another scope"),
        ("404", "No such ticket"),
    ]));
    d.op(
        at,
        "query",
        "One ticket with every step it took",
        "screenToken",
        vec![param("id", "path", true, text(128), "The ticket id")],
        None,
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit_or_seconds() {
        assert_eq!(duration_ms("4h"), Some(4 * 3_600_000));
        assert_eq!(duration_ms("90"), Some(90_000));
        assert_eq!(duration_ms("2d"), Some(2 * 86_400_000));
        assert_eq!(duration_ms("4x"), None);
        assert_eq!(duration_ms("-1h"), None);
        assert_eq!(duration_ms("400d"), None);
        assert_eq!(duration_ms(""), None);
    }

    #[test]
    fn a_cursor_round_trips_and_keeps_its_order() {
        let a = After {
            key: -5,
            id: "工单.1".into(),
        };
        let c = cursor(&a, TicketOrder::Deadline);
        assert_eq!(parse_cursor(&c, TicketOrder::Deadline).ok(), Some(a));
        assert!(parse_cursor(&c, TicketOrder::Reported).is_err());
        assert!(parse_cursor("d1.zz", TicketOrder::Deadline).is_err());
    }
}
