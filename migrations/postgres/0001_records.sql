-- The durable record: registered scopes, the append-only journal of accepted
-- changes (its seq orders everything and is the aggregates' watermark), and the
-- current state of events and tickets for idempotency and the state machine.
-- Times are milliseconds since the Unix epoch (identical in both record stores).
CREATE TABLE scopes (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    theme         TEXT,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE journal (
    seq         BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Check-ins, reports and transitions are accepted once per id; events have versions.
CREATE UNIQUE INDEX journal_once ON journal (kind, record_id) WHERE kind <> 'event';
CREATE INDEX journal_scope ON journal (scope, kind);

CREATE TABLE events (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    seq  BIGINT NOT NULL
);

CREATE TABLE tickets (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    category    TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    deadline    BIGINT NOT NULL,
    status      TEXT NOT NULL,
    last_at     BIGINT NOT NULL
);
CREATE INDEX tickets_scope ON tickets (scope, status);
