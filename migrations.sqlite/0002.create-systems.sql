-- Create the systems table (one or more systems per user).
-- depends: 0001.create-users

CREATE TABLE systems (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT NULL,
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_systems_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
