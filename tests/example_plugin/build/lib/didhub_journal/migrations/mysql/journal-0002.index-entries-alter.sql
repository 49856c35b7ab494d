-- keeps an alter's journal list an index range scan; it replaces InnoDB's own foreign-key
-- index (named after the constraint), so the rollback puts that one back
-- depends: journal-0001.create-entries
ALTER TABLE journal_entries ADD INDEX ix_journal_entries_alter_id_id (alter_id, id), DROP INDEX fk_journal_entries_alter_id
