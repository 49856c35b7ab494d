-- the journal's entries; removed with their alter
CREATE TABLE journal_entries (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    alter_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    CONSTRAINT fk_journal_entries_alter_id FOREIGN KEY (alter_id) REFERENCES alters (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
