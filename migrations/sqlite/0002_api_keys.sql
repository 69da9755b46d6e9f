-- Mirror of migrations/postgres/0002_api_keys.sql.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    label      TEXT NOT NULL,
    hash       TEXT NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);
