-- name: last_insert_id
SELECT LAST_INSERT_ID()

-- name: ping
SELECT 1

-- name: mysql_ssl_cipher
-- PyMySQL stays in plaintext when the server offers no TLS; this tells whether TLS is on
SHOW SESSION STATUS LIKE 'Ssl_cipher'

-- name: insert_audit_log
INSERT INTO audit_logs (user_id, action, entity_type, entity_id, details, ip_address, user_agent, created_at)
VALUES (:user_id, :action, :entity_type, :entity_id, :details, :ip_address, :user_agent, :created_at)

-- name: get_setting_values
SELECT `key`, value, updated_at FROM settings


-- name: upsert_setting
INSERT INTO settings (`key`, value, updated_at) VALUES (:key, :value, :updated_at)
ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)

-- name: delete_setting
DELETE FROM settings WHERE `key` = :key

-- name: row_counts
-- for /metrics: how much the instance holds
SELECT
  (SELECT COUNT(*) FROM users) AS users,
  (SELECT COUNT(*) FROM systems) AS systems,
  (SELECT COUNT(*) FROM alters) AS alters,
  (SELECT COUNT(*) FROM uploads) AS uploads
