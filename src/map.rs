//! A scope's map as the API answers it: the scope's own point or outline, its
//! children's (from the scopes file, held by the registry), whether they are
//! schematic, and its open tickets that carry coordinates (from the ticket
//! book). The figures that shade the children are the dashboard's, which a
//! screen already has live; this answer is only what changes slowly.

use std::time::Duration;

use serde::Serialize;

use crate::domain::geometry::{Geometry, Position};
use crate::domain::scope::{Scope, ScopeInfo};
use crate::domain::ticket::Status;
use crate::records::{TicketBook, TicketOrder, TicketQuery};
use crate::registry::Registry;

/// The most open tickets a map reads (the most overdue first, so those stay on it).
pub const TICKETS_READ: i64 = 500;

/// How long the map waits on the record store, as the dashboard does: a map
/// without its points is better than a screen waiting.
const READ_PATIENCE: Duration = Duration::from_millis(1500);

/// `GET /api/v1/scopes/{scope}/map`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ScopeMap {
    pub scope: Scope,
    pub name: String,
    /// The scope's own point or outline (null when the scopes file gives none).
    pub geometry: Option<Geometry>,
    /// The outlines show how the units lie, not their true boundaries (the scopes file's `map.schematic`).
    pub schematic: bool,
    /// The scopes file's note on the outlines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Every registered unit directly below, with its point or outline (null when it has none).
    pub children: Vec<MapChild>,
    /// Open tickets under the scope that carry coordinates, the most overdue first.
    pub tickets: Vec<MapTicket>,
    /// True when the record store did not answer in time: `tickets` is missing, not empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tickets_unavailable: bool,
    /// True when more open tickets lie under the scope than the map reads (500).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tickets_truncated: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct MapChild {
    pub id: Scope,
    pub name: String,
    pub geometry: Option<Geometry>,
}

/// An open ticket where it was reported.
#[derive(Serialize, schemars::JsonSchema)]
pub struct MapTicket {
    pub id: String,
    pub category: String,
    pub status: Status,
    /// Past its deadline now.
    pub overdue: bool,
    pub lat: f64,
    pub long: f64,
    /// The unit it was reported in (a grid).
    pub grid: Scope,
}

/// The map of `info` at `now` (ms).
pub async fn map_of(registry: &Registry, book: &dyn TicketBook, info: &ScopeInfo, now: i64) -> ScopeMap {
    let note = registry.map_note();
    let children = registry
        .children(&info.id)
        .into_iter()
        .map(|c| MapChild {
            geometry: registry.geometry(&c.id),
            id: c.id,
            name: c.name,
        })
        .collect();
    let q = TicketQuery {
        within: Some(info.id.clone()),
        statuses: Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        order: TicketOrder::Deadline,
        limit: TICKETS_READ + 1,
        ..TicketQuery::default()
    };
    let (tickets, unavailable, truncated) = match tokio::time::timeout(READ_PATIENCE, book.tickets(&q)).await {
        Ok(Ok(mut found)) => {
            let truncated = found.len() as i64 > TICKETS_READ;
            found.truncate(TICKETS_READ as usize);
            let placed = found
                .into_iter()
                .filter_map(|t| {
                    let at = t.report.location.as_ref().and_then(Position::of_location)?;
                    Some(MapTicket {
                        id: t.report.id,
                        category: t.report.category,
                        status: t.status,
                        overdue: t.deadline < now,
                        lat: at.lat,
                        long: at.lon,
                        grid: t.report.scope,
                    })
                })
                .collect();
            (placed, false, truncated)
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "map: the record store did not list tickets");
            (Vec::new(), true, false)
        }
        Err(_) => {
            tracing::warn!("map: the record store did not list tickets in time");
            (Vec::new(), true, false)
        }
    };
    ScopeMap {
        scope: info.id.clone(),
        name: info.name.clone(),
        geometry: registry.geometry(&info.id),
        schematic: note.schematic,
        note: note.note,
        children,
        tickets,
        tickets_unavailable: unavailable,
        tickets_truncated: truncated,
    }
}
