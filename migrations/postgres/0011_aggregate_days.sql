-- Days of the Redis aggregates past their hot window (retention_days), kept
-- here so that Redis holds a bounded number of days: every key of a scope on
-- an archived day (`part`: `d` its counters, `u` or `u:KIND` its unique
-- attendees, `dz` / `rz` its dispatch and resolve durations) as Redis held
-- it, under the epoch Redis names for that day (`{prefix}:LAYOUT:cold`).
-- Rows of any other epoch are leftovers of an archiving that did not finish,
-- never read. `deployment` is the Redis prefix and key layout they came from.
-- aggregates/cold.rs writes and reads them; rebuildable: `cockpit rebuild`
-- clears them with the Redis keys and the server archives the days again.
CREATE TABLE aggregate_days (
    deployment TEXT NOT NULL,
    day TEXT NOT NULL,
    epoch TEXT NOT NULL,
    scope TEXT NOT NULL COLLATE "C",
    part TEXT NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (deployment, day, epoch, scope, part)
);
