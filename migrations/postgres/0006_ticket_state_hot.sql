-- Every transition rewrites its ticket's row. `tickets_scope` indexed `status`, so
-- each rewrite also wrote two new index entries; the ticket listing never used it
-- (its scope filter is a pattern, its order is by report time). Index what the
-- listing orders by instead, a column a transition never changes, and leave room
-- in each page: a status change is then a heap-only (HOT) update, with no index
-- writes at all.
DROP INDEX tickets_scope;
CREATE INDEX tickets_reported ON tickets (reported_at DESC, id);
ALTER TABLE tickets SET (fillfactor = 80);
