-- Alert rules defined through the admin API (rules from the configuration are not
-- stored). `body` is the rule as posted (JSON), parsed again at start-up.
CREATE TABLE alert_rules (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
