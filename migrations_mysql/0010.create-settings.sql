-- Create the settings table (key/value settings; value is JSON-encoded by the app).
-- depends: 0009.create-audit-logs

CREATE TABLE settings (
    `key`      VARCHAR(255) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
