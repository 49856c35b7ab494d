-- Create the subsystems table (subsystems within a system).
-- depends: 0004.create-groups

CREATE TABLE subsystems (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    system_id   INTEGER NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT NULL,
    color       VARCHAR(7) NULL,
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_subsystems_system_id FOREIGN KEY (system_id) REFERENCES systems (id) ON DELETE CASCADE
);
