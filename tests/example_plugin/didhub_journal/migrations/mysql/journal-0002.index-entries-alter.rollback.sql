ALTER TABLE journal_entries ADD INDEX fk_journal_entries_alter_id (alter_id), DROP INDEX ix_journal_entries_alter_id_id
