//! The day archive (`aggregates::archive`) in either record store's database:
//! the table `aggregate_days`, written once over [`SqlRows`].

use async_trait::async_trait;
use jiff::civil::Date;

use super::sql::{Bind, Sql, SqlRows};
use crate::aggregates::AggregateError;
use crate::aggregates::archive::{ArchivedKey, DayArchive, Forget};

/// Rows per `INSERT`: six values each, well under either database's limit on
/// bound values (SQLite's 32,766, PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 500;

fn failed(e: super::RecordError) -> AggregateError {
    AggregateError(format!("day archive: {e}"))
}

#[async_trait]
impl<S: SqlRows> DayArchive for S {
    async fn put_day(&self, deployment: &str, day: Date, epoch: &str, keys: &[ArchivedKey]) -> Result<(), AggregateError> {
        let day = day.to_string();
        for chunk in keys.chunks(ROWS_PER_INSERT) {
            let mut sql = Sql::new(self.placeholder());
            let rows: Vec<String> = chunk
                .iter()
                .map(|k| {
                    let marks = [
                        sql.text(deployment),
                        sql.text(&day),
                        sql.text(epoch),
                        sql.text(&k.scope),
                        sql.text(&k.part),
                        sql.bind(Bind::Bytes(k.value.clone())),
                    ];
                    format!("({})", marks.join(", "))
                })
                .collect();
            // The same epoch written twice holds the same values (a retried write).
            sql.text = format!(
                "INSERT INTO aggregate_days (deployment, day, epoch, scope, part, value) VALUES {} \
                 ON CONFLICT (deployment, day, epoch, scope, part) DO NOTHING",
                rows.join(", ")
            );
            self.execute(sql).await.map_err(failed)?;
        }
        Ok(())
    }

    async fn carry(&self, deployment: &str, day: Date, from: &str, to: &str) -> Result<(), AggregateError> {
        let mut sql = Sql::new(self.placeholder());
        let (d, day, from, to) = (sql.text(deployment), sql.text(&day.to_string()), sql.text(from), sql.text(to));
        sql.text = format!(
            "INSERT INTO aggregate_days (deployment, day, epoch, scope, part, value) \
             SELECT deployment, day, {to}, scope, part, value FROM aggregate_days \
             WHERE deployment = {d} AND day = {day} AND epoch = {from} \
             ON CONFLICT (deployment, day, epoch, scope, part) DO NOTHING"
        );
        self.execute(sql).await.map(drop).map_err(failed)
    }

    async fn day(&self, deployment: &str, day: Date, epoch: &str, scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError> {
        if scopes.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.placeholder());
        let (d, day, epoch) = (sql.text(deployment), sql.text(&day.to_string()), sql.text(epoch));
        let among = sql.any("scope", scopes);
        sql.text =
            format!("SELECT scope, part, value FROM aggregate_days WHERE deployment = {d} AND day = {day} AND epoch = {epoch} AND {among}");
        let rows = self.archive_rows(sql).await.map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|(scope, part, value)| ArchivedKey { scope, part, value })
            .collect())
    }

    async fn nets(&self, deployment: &str, days: &[(Date, String)], scopes: &[&str]) -> Result<Vec<ArchivedKey>, AggregateError> {
        if days.is_empty() || scopes.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.placeholder());
        let d = sql.text(deployment);
        let among = sql.any("scope", scopes);
        let pairs: Vec<String> = days
            .iter()
            .map(|(day, epoch)| format!("({}, {})", sql.text(&day.to_string()), sql.text(epoch)))
            .collect();
        sql.text = format!(
            "SELECT scope, part, value FROM aggregate_days WHERE deployment = {d} AND part = 'n' AND {among} \
             AND (day, epoch) IN ({})",
            pairs.join(", ")
        );
        let rows = self.archive_rows(sql).await.map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|(scope, part, value)| ArchivedKey { scope, part, value })
            .collect())
    }

    async fn forget(&self, deployment: &str, which: Forget<'_>) -> Result<(), AggregateError> {
        let mut sql = Sql::new(self.placeholder());
        let d = sql.text(deployment);
        let rest = match which {
            Forget::All => String::new(),
            Forget::Epoch(day, epoch) => format!(" AND day = {} AND epoch = {}", sql.text(&day.to_string()), sql.text(epoch)),
            Forget::AllBut(day, epoch) => format!(" AND day = {} AND epoch <> {}", sql.text(&day.to_string()), sql.text(epoch)),
        };
        sql.text = format!("DELETE FROM aggregate_days WHERE deployment = {d}{rest}");
        self.execute(sql).await.map(drop).map_err(failed)
    }
}
