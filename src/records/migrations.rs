//! The schema migrations of both record stores, embedded in the binary. Each
//! is `migrations/{store}/NNNN_description.sql`, listed here once; a test
//! checks the lists against the directories and that sqlx, reading the same
//! files from disk, makes the same migrations (version, description and
//! checksum), so a database migrated by any release agrees with this one.
//!
//! Migrations applied by a newer release are ignored, not fatal: during a
//! rolling upgrade (or a rollback) an older binary keeps starting on a schema a
//! newer one has moved on. Migrations only ever add, so the older code's
//! queries still hold.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Migrations whose comments were reworded after release, with the checksum of
/// the text as released: databases recorded that one, and sqlx refuses a
/// migration whose checksum changed. Only `--` comment lines may change: the
/// released checksum stands only while the statements hash as given here.
const REWORDED: &[Reworded] = &[Reworded {
    file: "0008_identifiers_collate_c.sql",
    released: "1ce73748ffad8b9b847e47a8aac6dbbb66a73b8334ed64a75c2b55a0e3f2b2e75e8cf51cae8f7e19091a3ff738df79be",
    statements: "e9f97295586847cae7b4f559b824ef2cfbf1ade0a8afc855c774fd06a23020bbf83a55fd6f9a8386f448d3fd022578f9",
}];

struct Reworded {
    file: &'static str,
    /// SHA-384 of the file as released (hex): what `_sqlx_migrations` holds.
    released: &'static str,
    /// SHA-384 of its lines that are not `--` comments, each with its newline.
    statements: &'static str,
}

/// `(file name, SQL)` of one store's migrations, oldest first.
pub type Files = &'static [(&'static str, &'static str)];

macro_rules! files {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../migrations/", $dir, "/", $name)))),*]
    };
}

pub const POSTGRES: Files = files!("postgres":
    "0001_records.sql",
    "0002_api_keys.sql",
    "0003_scope_households.sql",
    "0004_alert_rules.sql",
    "0005_journal_read_back.sql",
    "0006_ticket_state_hot.sql",
    "0007_journal_ledger_index.sql",
    "0008_identifiers_collate_c.sql",
    "0009_ticket_book.sql",
    "0010_open_tickets_by_scope.sql",
    "0011_aggregate_days.sql",
);

pub const SQLITE: Files = files!("sqlite":
    "0001_records.sql",
    "0002_api_keys.sql",
    "0003_scope_households.sql",
    "0004_alert_rules.sql",
    "0005_journal_read_back.sql",
    "0006_ticket_state_hot.sql",
    "0007_journal_ledger_index.sql",
    "0009_ticket_book.sql",
    "0010_open_tickets_by_scope.sql",
    "0011_aggregate_days.sql",
);

/// The migrator of `files`, as sqlx's own reading of the directory would make it.
pub fn migrator(files: Files) -> Migrator {
    let migrations = files.iter().filter_map(|(name, sql)| migration(name, sql)).collect();
    let mut m = Migrator::with_migrations(migrations);
    m.set_ignore_missing(true);
    m
}

/// `NNNN_some_words.sql` → version NNNN, description "some words" (sqlx's rule).
fn migration(name: &str, sql: &'static str) -> Option<Migration> {
    let (version, rest) = name.split_once('_')?;
    let description = rest.strip_suffix(".sql")?.replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    let mut m = Migration::new(
        version.parse().ok()?,
        Cow::Owned(description),
        MigrationType::Simple,
        sql.into_sql_str(),
        no_tx,
    );
    if let Some(r) = REWORDED.iter().find(|r| r.file == name)
        && statements_digest(sql) == r.statements
    {
        m.checksum = Cow::Owned(hex::decode(r.released).ok()?);
    }
    Some(m)
}

/// SHA-384 (hex) of a migration's lines that are not `--` comments.
fn statements_digest(sql: &str) -> String {
    use sha2::{Digest, Sha384};
    let mut h = Sha384::new();
    for line in sql.lines().filter(|l| !l.starts_with("--")) {
        h.update(line.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_embedded_migrations_are_the_directories_as_sqlx_reads_them() {
        for (dir, files) in [("postgres", POSTGRES), ("sqlite", SQLITE)] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
            let from_disk = Migrator::new(path.as_path()).await.unwrap();
            let embedded = migrator(files);
            let key = |m: &Migration| (m.version, m.description.to_string(), m.checksum.to_vec(), m.no_tx);
            let released = |m: &Migration| {
                let file = files.iter().map(|f| f.0).find(|f| f.starts_with(&format!("{:04}_", m.version)));
                match REWORDED.iter().find(|r| Some(r.file) == file) {
                    Some(r) => (m.version, m.description.to_string(), hex::decode(r.released).unwrap(), m.no_tx),
                    None => key(m),
                }
            };
            let disk: Vec<_> = from_disk.iter().map(released).collect();
            let ours: Vec<_> = embedded.iter().map(key).collect();
            assert_eq!(ours, disk, "{dir}: list every file of migrations/{dir} in records/migrations.rs");
            assert_eq!(ours.len(), files.len(), "{dir}: every listed file is a migration");
        }
    }

    #[test]
    fn a_reworded_migration_changed_only_its_comments() {
        use sha2::{Digest, Sha384};
        for r in REWORDED {
            let (_, sql) = POSTGRES.iter().chain(SQLITE).find(|f| f.0 == r.file).unwrap();
            assert_eq!(statements_digest(sql), r.statements, "{}", r.file);
            let changed = sql.replacen("ALTER TABLE", "ALTER  TABLE", 1);
            assert_ne!(statements_digest(&changed), r.statements, "a changed statement is seen");
            assert_ne!(hex::encode(Sha384::digest(sql.as_bytes())), r.released, "{}: not reworded", r.file);
        }
    }
}
