-- The ticket book: who holds each ticket, each ticket's history, and listings by deadline.
--
-- `holder` is the assignee of a ticket's newest dispatch, until the next dispatch
-- or its close. Existing tickets take it from their newest dispatch in the
-- journal, unless a close came after it.
ALTER TABLE tickets ADD COLUMN holder TEXT COLLATE "C";
UPDATE tickets t SET holder = d.assignee FROM (
    SELECT DISTINCT ON (body::jsonb #>> '{transition,ticket_id}')
        body::jsonb #>> '{transition,ticket_id}' AS ticket_id,
        body::jsonb #>> '{transition,assignee}' AS assignee, seq
    FROM journal
    WHERE kind = 'transition' AND body::jsonb ->> 'late' = 'false' AND body::jsonb #>> '{transition,to}' = 'dispatched'
    ORDER BY body::jsonb #>> '{transition,ticket_id}', seq DESC
) d
WHERE t.id = d.ticket_id AND t.status <> 'closed' AND NOT EXISTS (
    SELECT 1 FROM journal c
    WHERE c.kind = 'transition' AND c.seq > d.seq
      AND c.body::jsonb #>> '{transition,ticket_id}' = d.ticket_id AND c.body::jsonb #>> '{transition,to}' = 'closed'
);
-- The ticket a step or a satisfaction response is about: a ticket's history is
-- one index range. Only those rows take an index entry.
ALTER TABLE journal ADD COLUMN ticket TEXT COLLATE "C";
UPDATE journal SET ticket = body::jsonb #>> '{transition,ticket_id}' WHERE kind = 'transition';
UPDATE journal SET ticket = body::jsonb #>> '{response,ticket_id}' WHERE kind = 'response' AND body::jsonb #> '{response,ticket_id}' IS NOT NULL;
CREATE INDEX journal_ticket ON journal (ticket, seq) WHERE ticket IS NOT NULL;
-- Listings in deadline order (the most overdue first), and the open tickets
-- alone in that order: overdue panels, due-soon lists and holders' caseloads
-- read only open tickets, however many closed ones a year leaves behind. The
-- partial index names `status`, so a status change is no longer a heap-only
-- update (0006): the price of answering "which tickets are overdue" from here.
CREATE INDEX tickets_deadline ON tickets (deadline, id);
CREATE INDEX tickets_open ON tickets (deadline, id) WHERE status IN ('reported', 'dispatched', 'in_progress', 'reopened');
