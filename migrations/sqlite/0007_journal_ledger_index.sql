-- `journal_scope (scope, kind)` took an index entry for every journal row, the
-- high-volume check-ins, reports and transitions included, but only the ledger's
-- lookups by scope (a scope's chain head, its reversals) ever used it. A partial
-- index over ledger rows serves those lookups, in seq order, and leaves every
-- other insert one index write lighter.
DROP INDEX journal_scope;
CREATE INDEX journal_ledger ON journal (scope, seq) WHERE kind = 'ledger';
