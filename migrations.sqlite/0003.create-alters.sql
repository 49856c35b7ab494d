-- Create the alters table (members of a system).
-- depends: 0002.create-systems

CREATE TABLE alters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    system_id   INTEGER NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT NULL,
    avatar_url  VARCHAR(500) NULL,
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_alters_system_id FOREIGN KEY (system_id) REFERENCES systems (id) ON DELETE CASCADE
);
