-- the journal's entries; removed with their alter
CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alter_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT fk_journal_entries_alter_id FOREIGN KEY (alter_id) REFERENCES alters (id) ON DELETE CASCADE
)
