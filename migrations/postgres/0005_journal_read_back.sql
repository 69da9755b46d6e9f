-- Surveys, responses and ledger entries are read back by kind in journal order
-- (a ledger's chain, a survey's responses page by page): this index serves those
-- reads without growing the index work of the high-volume kinds.
CREATE INDEX journal_read_back ON journal (kind, seq) WHERE kind IN ('survey', 'response', 'ledger');
