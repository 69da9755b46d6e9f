-- Ingest API keys: each bound to a scope; only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    label      TEXT NOT NULL,
    hash       TEXT NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
