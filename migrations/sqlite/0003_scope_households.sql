-- Households under a scope, registered with it (optional): the denominator of a
-- survey's response rate.
ALTER TABLE scopes ADD COLUMN households BIGINT;
