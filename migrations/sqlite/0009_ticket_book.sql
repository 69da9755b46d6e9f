-- Mirror of migrations/postgres/0009_ticket_book.sql for the embedded record store.
ALTER TABLE tickets ADD COLUMN holder TEXT;
UPDATE tickets SET holder = (
    SELECT json_extract(d.body, '$.transition.assignee') FROM journal d
    WHERE d.kind = 'transition' AND json_extract(d.body, '$.transition.ticket_id') = tickets.id
      AND json_extract(d.body, '$.late') = 0 AND json_extract(d.body, '$.transition.to') = 'dispatched'
      AND NOT EXISTS (
          SELECT 1 FROM journal c
          WHERE c.kind = 'transition' AND c.seq > d.seq
            AND json_extract(c.body, '$.transition.ticket_id') = tickets.id AND json_extract(c.body, '$.transition.to') = 'closed'
      )
    ORDER BY d.seq DESC LIMIT 1
) WHERE status <> 'closed';
ALTER TABLE journal ADD COLUMN ticket TEXT;
UPDATE journal SET ticket = json_extract(body, '$.transition.ticket_id') WHERE kind = 'transition';
UPDATE journal SET ticket = json_extract(body, '$.response.ticket_id') WHERE kind = 'response' AND json_extract(body, '$.response.ticket_id') IS NOT NULL;
CREATE INDEX journal_ticket ON journal (ticket, seq) WHERE ticket IS NOT NULL;
CREATE INDEX tickets_deadline ON tickets (deadline, id);
CREATE INDEX tickets_open ON tickets (deadline, id) WHERE status IN ('reported', 'dispatched', 'in_progress', 'reopened');
