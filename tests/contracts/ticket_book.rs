//! The `TicketBook` contract: filters, deadline order, cursor paging that holds
//! while tickets keep arriving, holders as dispatches move them, and a ticket's
//! whole history, on both record stores.

use std::collections::HashSet;
use std::sync::Arc;

use cockpit::domain::decide::{Deadlines, Verdict};
use cockpit::domain::record::{Record, TicketReport, Transition};
use cockpit::domain::scope::{Scope, ScopeInfo};
use cockpit::domain::ticket::Status;
use cockpit::records::postgres::PgRecords;
use cockpit::records::sqlite::SqliteRecords;
use cockpit::records::{HolderLoad, RecordStore, TicketBook, TicketOrder, TicketQuery};

use super::pg_db;

const HOUR: i64 = 3_600_000;
/// "Now" for the test: every deadline is set relative to it.
const NOW: i64 = 1_700_000_000_000;

fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

/// Garbage is due in 24 hours, lights in 48, anything else in 72.
fn deadlines() -> Deadlines {
    Deadlines {
        by_category: [("garbage".to_owned(), 24 * 3600), ("street_light".to_owned(), 48 * 3600)].into(),
        default_secs: 72 * 3600,
        by_scope: Default::default(),
    }
}

fn report(id: &str, grid: &str, category: &str, hours_ago: i64, description: &str) -> Record {
    Record::Ticket(TicketReport {
        id: id.into(),
        scope: scope(grid),
        category: category.into(),
        reported_at: NOW - hours_ago * HOUR,
        description: description.into(),
        location: None,
    })
}

fn step(id: &str, ticket: &str, to: Status, at: i64, assignee: Option<&str>) -> Record {
    Record::Transition(Transition {
        id: id.into(),
        ticket_id: ticket.into(),
        to,
        at,
        assignee: assignee.map(str::to_owned),
        note: Some(format!("{id} note")),
        within: None,
    })
}

async fn commit(store: &dyn RecordStore, records: &[Record]) {
    let c = store.commit(records, &deadlines()).await.unwrap();
    for (r, v) in records.iter().zip(&c.verdicts) {
        assert!(matches!(v, Verdict::Accepted(_)), "{r:?}: {v:?}");
    }
}

fn ids(v: &[cockpit::records::StoredTicket]) -> Vec<&str> {
    v.iter().map(|t| t.report.id.as_str()).collect()
}

fn q(f: impl FnOnce(&mut TicketQuery)) -> TicketQuery {
    let mut q = TicketQuery {
        within: Some(scope("d")),
        order: TicketOrder::Deadline,
        limit: 100,
        ..TicketQuery::default()
    };
    f(&mut q);
    q
}

/// Registers `ids` as scopes named by their ids.
async fn register(store: &dyn RecordStore, ids: &[&str]) {
    let infos: Vec<ScopeInfo> = ids
        .iter()
        .map(|s| ScopeInfo {
            id: scope(s),
            name: s.to_string(),
            theme: None,
            households: None,
        })
        .collect();
    store.put_scopes(&infos).await.unwrap();
}

async fn contract(store: Arc<dyn RecordStore>, book: Arc<dyn TicketBook>) {
    store.migrate().await.unwrap();
    register(
        store.as_ref(),
        &["d", "d.s", "d.s.c", "d.s.c.g1", "d.s.c.g2", "d.t", "d.t.x", "d.t.x.g1"],
    )
    .await;
    // Deadlines: a1 NOW-6h (overdue), a2 NOW+12h, a3 NOW-26h (most overdue), b1 NOW+47h, b2 NOW-2h.
    commit(
        store.as_ref(),
        &[
            report("a1", "d.s.c.g1", "garbage", 30, "垃圾桶满了"),
            report("a2", "d.s.c.g2", "garbage", 12, "垃圾清运不及时"),
            report("a3", "d.s.c.g1", "street_light", 74, "路灯不亮"),
            report("b1", "d.t.x.g1", "street_light", 1, "Lamp flickers"),
            report("b2", "d.t.x.g1", "noise", 74, "50%_off sign noise"),
        ],
    )
    .await;
    let at = NOW - HOUR;
    commit(
        store.as_ref(),
        &[
            step("a1-d", "a1", Status::Dispatched, at, Some("sanitation")),
            step("a3-d", "a3", Status::Dispatched, at, Some("lights")),
            step("b2-d", "b2", Status::Dispatched, at, Some("police")),
            step("b2-r", "b2", Status::Resolved, at + 1, None),
        ],
    )
    .await;

    // Deadline order over the whole district, resolved included; open ones only; overdue only.
    assert_eq!(ids(&book.tickets(&q(|_| {})).await.unwrap()), ["a3", "a1", "b2", "a2", "b1"]);
    let open = Status::ALL.into_iter().filter(|s| s.is_open()).collect::<Vec<_>>();
    assert_eq!(
        ids(&book.tickets(&q(|q| q.statuses = open.clone())).await.unwrap()),
        ["a3", "a1", "a2", "b1"]
    );
    let overdue = book.tickets(&q(|q| q.deadline_before = Some(NOW))).await.unwrap();
    assert_eq!(ids(&overdue), ["a3", "a1"], "resolved b2 is past its deadline but not overdue");
    assert_eq!(
        ids(&book
            .tickets(&q(|q| (q.deadline_from, q.deadline_before) = (Some(NOW), Some(NOW + 24 * HOUR))))
            .await
            .unwrap()),
        ["a2"],
        "due within a day"
    );
    // Reported order, newest first.
    assert_eq!(
        ids(&book.tickets(&q(|q| q.order = TicketOrder::Reported)).await.unwrap()),
        ["b1", "a2", "a1", "a3", "b2"]
    );

    // Filters: subtree, category, status, holder, report window, id or description prefix.
    assert_eq!(
        ids(&book.tickets(&q(|q| q.within = Some(scope("d.s.c.g1")))).await.unwrap()),
        ["a3", "a1"]
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.within = Some(scope("d.t")))).await.unwrap()),
        ["b2", "b1"]
    );
    assert!(
        book.tickets(&q(|q| q.within = Some(scope("d.s.c.g")))).await.unwrap().is_empty(),
        "a scope, not a prefix"
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.categories = vec!["garbage".into()])).await.unwrap()),
        ["a1", "a2"]
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.statuses = vec![Status::Resolved])).await.unwrap()),
        ["b2"]
    );
    assert_eq!(
        ids(&book
            .tickets(&q(|q| q.holders = vec!["lights".into(), "sanitation".into()]))
            .await
            .unwrap()),
        ["a3", "a1"]
    );
    assert_eq!(
        ids(&book
            .tickets(&q(|q| (q.from, q.until) = (Some(NOW - 31 * HOUR), Some(NOW - 11 * HOUR))))
            .await
            .unwrap()),
        ["a1", "a2"]
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.text = Some("a".into()))).await.unwrap()),
        ["a3", "a1", "a2"]
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.text = Some("垃圾".into()))).await.unwrap()),
        ["a1", "a2"]
    );
    assert_eq!(
        ids(&book.tickets(&q(|q| q.text = Some("50%_".into()))).await.unwrap()),
        ["b2"],
        "wildcards are literal"
    );
    assert!(book.tickets(&q(|q| q.text = Some("5_%".into()))).await.unwrap().is_empty());
    assert!(
        book.tickets(&q(|q| q.text = Some("灯不".into()))).await.unwrap().is_empty(),
        "a prefix, not a substring"
    );

    // Holders: a re-dispatch moves the ticket; a close ends the holding.
    let a1 = &book.tickets(&q(|q| q.ids = vec!["a1".into()])).await.unwrap()[0];
    assert_eq!(a1.holder.as_deref(), Some("sanitation"));
    commit(
        store.as_ref(),
        &[step("a1-d2", "a1", Status::Dispatched, at + 10, Some("g1-worker"))],
    )
    .await;
    let a1 = &book.tickets(&q(|q| q.ids = vec!["a1".into()])).await.unwrap()[0];
    assert_eq!(a1.holder.as_deref(), Some("g1-worker"), "the newest dispatch holds it");
    let loads = book.holders(&scope("d"), NOW, 10).await.unwrap();
    let load = |h: &str, open, overdue| HolderLoad {
        holder: h.into(),
        open,
        overdue,
    };
    assert_eq!(
        loads,
        [load("g1-worker", 1, 1), load("lights", 1, 1)],
        "resolved b2 no longer weighs on police"
    );
    assert_eq!(book.holders(&scope("d.t"), NOW, 10).await.unwrap(), []);
    assert_eq!(
        book.holders(&scope("d"), NOW - 7 * HOUR, 10).await.unwrap(),
        [load("g1-worker", 1, 0), load("lights", 1, 1)],
        "overdue is judged at the time asked"
    );
    assert_eq!(
        book.holders(&scope("d"), NOW - 6 * HOUR, 10).await.unwrap(),
        [load("g1-worker", 1, 1), load("lights", 1, 1)],
        "a ticket is overdue from its deadline's millisecond on, as the dashboard counts it"
    );
    commit(
        store.as_ref(),
        &[
            step("b2-c", "b2", Status::Closed, at + 20, None),
            // Late: an older step than the newest changes nothing, but is history.
            step("a1-late", "a1", Status::Dispatched, at - 10, Some("nobody")),
        ],
    )
    .await;
    let b2 = &book.tickets(&q(|q| q.ids = vec!["b2".into()])).await.unwrap()[0];
    assert_eq!(
        (b2.status, b2.holder.as_deref()),
        (Status::Closed, None),
        "closing ends the holding"
    );

    // One ticket's whole history, late steps included, in the order recorded.
    let (t, history) = book.ticket("a1").await.unwrap().unwrap();
    assert_eq!(
        (t.report.description.as_str(), t.holder.as_deref()),
        ("垃圾桶满了", Some("g1-worker"))
    );
    let steps: Vec<&str> = history.iter().map(|e| e.change.record_id()).collect();
    assert_eq!(steps, ["a1-d", "a1-d2", "a1-late"]);
    assert!(book.ticket("nope").await.unwrap().is_none());

    subtrees_are_not_prefixes(store.as_ref(), book.as_ref()).await;
    paging_holds_while_tickets_arrive(store.as_ref(), book.as_ref()).await;
}

/// `d.t-x` sorts between `d.t` and `d.t.`: inside the index range a subtree is
/// read from, yet not under `d.t`.
async fn subtrees_are_not_prefixes(store: &dyn RecordStore, book: &dyn TicketBook) {
    let sibling = ["d.t-x", "d.t-x.g1"].map(|s| ScopeInfo {
        id: scope(s),
        name: s.to_string(),
        theme: None,
        households: None,
    });
    store.put_scopes(&sibling).await.unwrap();
    commit(store, &[report("c1", "d.t-x.g1", "noise", 2, "Next door")]).await;
    let open = |within: &str| TicketQuery {
        within: Some(scope(within)),
        statuses: Status::ALL.into_iter().filter(|s| s.is_open()).collect(),
        order: TicketOrder::Deadline,
        limit: 50,
        ..TicketQuery::default()
    };
    assert_eq!(ids(&book.tickets(&open("d.t")).await.unwrap()), ["b1"]);
    assert_eq!(ids(&book.tickets(&open("d.t-x")).await.unwrap()), ["c1"]);
    assert_eq!(ids(&book.tickets(&open("d.t.x.g1")).await.unwrap()), ["b1"]);
}

/// Pages by cursor while new tickets arrive between pages: every ticket that was
/// there at the start is listed exactly once, in order.
async fn paging_holds_while_tickets_arrive(store: &dyn RecordStore, book: &dyn TicketBook) {
    let grid = "d.s.c.g2";
    let batch: Vec<Record> = (0..60)
        .map(|i| {
            report(
                &format!("p{i:02}"),
                grid,
                if i % 2 == 0 { "garbage" } else { "road" },
                i % 7,
                "paged",
            )
        })
        .collect();
    commit(store, &batch).await;
    let base = q(|q| {
        q.within = Some(scope(grid));
        q.text = Some("p".into());
        q.limit = 7;
    });
    let everything = book
        .tickets(&TicketQuery {
            limit: 500,
            ..base.clone()
        })
        .await
        .unwrap();
    assert_eq!(everything.len(), 60);
    let mut seen: Vec<String> = Vec::new();
    let mut after = None;
    let mut round = 0;
    loop {
        let page = book
            .tickets(&TicketQuery {
                after: after.clone(),
                ..base.clone()
            })
            .await
            .unwrap();
        seen.extend(page.iter().map(|t| t.report.id.clone()));
        let Some(last) = page.last() else { break };
        after = Some(last.after(TicketOrder::Deadline));
        // Newcomers land before and after the cursor alike.
        let newcomers: Vec<Record> = [(0, 80), (1, -5)]
            .iter()
            .map(|(n, hours_ago)| report(&format!("pn{round}-{n}"), grid, "garbage", *hours_ago, "paged"))
            .collect();
        commit(store, &newcomers).await;
        round += 1;
        assert!(round < 40, "paging ends");
    }
    let before: Vec<&str> = ids(&everything);
    let listed: Vec<&str> = seen.iter().map(String::as_str).filter(|id| !id.starts_with("pn")).collect();
    assert_eq!(listed, before, "every ticket there at the start, once, in deadline order");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no ticket twice");
}

#[tokio::test]
async fn sqlite_keeps_the_ticket_book_contract() {
    let dir = std::env::temp_dir().join(format!("cockpit-book-{:x}", rand::random::<u64>()));
    let store = Arc::new(SqliteRecords::open(&dir.join("c.sqlite3")).await.unwrap());
    contract(store.clone(), store).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn postgres_keeps_the_ticket_book_contract() {
    let db = pg_db().await;
    let store = Arc::new(PgRecords::connect(&db.url, 4).await.unwrap());
    contract(store.clone(), store).await;
    db.drop_db().await;
}

/// A listing is planned with its own values, never kept as a prepared statement:
/// after five runs PostgreSQL would plan a kept one once for any values, and how
/// much of the tree a scope's range holds decides the plan (a district's page by
/// deadline then sorted every open ticket of the district).
#[tokio::test]
#[cfg_attr(not(services), ignore = "needs PostgreSQL and Redis: scripts/test.sh starts them")]
async fn postgres_plans_each_listing_with_its_values() {
    let db = pg_db().await;
    // One connection: the check below sees the session the listings ran in.
    let store = Arc::new(PgRecords::connect(&db.url, 1).await.unwrap());
    store.migrate().await.unwrap();
    register(store.as_ref(), &["d", "d.g1"]).await;
    commit(store.as_ref(), &[report("pp1", "d.g1", "garbage", 1, "bins")]).await;
    for within in ["d", "d.g1", "d", "d.g1", "d", "d.g1", "d"] {
        let page = store.tickets(&q(|q| q.within = Some(scope(within)))).await.unwrap();
        assert_eq!(ids(&page), ["pp1"], "within {within}");
    }
    let (kept,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM tickets t CROSS JOIN journal j%'")
            // Not kept itself: its own text would match.
            .persistent(false)
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(kept, 0, "listings are planned with their values, not kept prepared");
    // Planned with its LIMIT's value, a page would start parallel workers, which
    // cost more than the page on a few cores.
    let (workers,): (String,) = sqlx::query_as("SHOW max_parallel_workers_per_gather")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(workers, "0", "the server's sessions start no parallel workers");
    db.drop_db().await;
}
