-- Mirror of migrations/postgres/0001_records.sql for the embedded record store.
CREATE TABLE scopes (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    theme         TEXT,
    registered_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);
CREATE UNIQUE INDEX journal_once ON journal (kind, record_id) WHERE kind <> 'event';
CREATE INDEX journal_scope ON journal (scope, kind);

CREATE TABLE events (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    seq  INTEGER NOT NULL
);

CREATE TABLE tickets (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    category    TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    deadline    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    last_at     INTEGER NOT NULL
);
CREATE INDEX tickets_scope ON tickets (scope, status);
