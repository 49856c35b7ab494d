-- Create the settings table (key/value settings; value is JSON-encoded by the app).
-- depends: 0009.create-audit-logs

CREATE TABLE settings (
    key        VARCHAR(255) NOT NULL PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
