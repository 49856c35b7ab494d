-- Create the uploads table (uploaded files; filename is the generated storage name).
-- depends: 0007.create-subsystem-members

CREATE TABLE uploads (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           INTEGER NOT NULL,
    filename          VARCHAR(255) NOT NULL UNIQUE,
    original_filename VARCHAR(255) NOT NULL,
    mime_type         VARCHAR(100) NOT NULL,
    file_size         BIGINT NOT NULL,
    alt_text          TEXT NULL,
    is_public         INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    created_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_uploads_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
