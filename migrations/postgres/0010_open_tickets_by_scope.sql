-- Open tickets by scope, in deadline order within each scope: a grid's or a
-- community's overdue panel, due-soon list and holders' caseloads read the few
-- open tickets under it from here. Through `tickets_open` alone they walked
-- every open ticket of the deployment in deadline order and dropped those of
-- other scopes: about 100 ms for a grid among 400,000 open tickets, under 1 ms
-- from here. A scope's subtree is one range of this index, `scope` up to
-- `scope/` (ids compare as bytes, 0008; records/sql.rs `within`). The root's panels still
-- walk `tickets_open`, where most open tickets are its own.
CREATE INDEX tickets_open_scope ON tickets (scope, deadline, id)
    WHERE status IN ('reported', 'dispatched', 'in_progress', 'reopened');
