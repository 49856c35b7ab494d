-- keeps an alter's journal list an index range scan
-- depends: journal-0001.create-entries
CREATE INDEX ix_journal_entries_alter_id_id ON journal_entries (alter_id, id)
