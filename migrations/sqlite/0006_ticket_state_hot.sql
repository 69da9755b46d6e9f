-- Every transition rewrites its ticket's row; `tickets_scope` indexed `status`, so
-- each rewrite also moved an index entry, and the ticket listing never used it (its
-- scope filter is a pattern, its order is by report time). Index what the listing
-- orders by instead, a column a transition never changes (as in PostgreSQL's 0006).
DROP INDEX tickets_scope;
CREATE INDEX tickets_reported ON tickets (reported_at DESC, id);
