-- Create the system_requests table (users asking to become a system).
-- depends: 0010.create-settings

CREATE TABLE system_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    status      VARCHAR(20) NOT NULL DEFAULT 'pending',
    note        TEXT NULL,
    admin_notes TEXT NULL,
    created_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ck_system_requests_status CHECK (status IN ('pending', 'approved', 'rejected')),
    CONSTRAINT fk_system_requests_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
