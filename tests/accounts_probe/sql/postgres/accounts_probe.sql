-- name: audit_rows
SELECT id, user_id, action, entity_type, entity_id, details, ip_address, user_agent FROM audit_logs ORDER BY id

-- name: user_rows
SELECT
    (SELECT COUNT(*) FROM users WHERE id = :user_id) AS users,
    (SELECT COUNT(*) FROM api_tokens WHERE user_id = :user_id) AS api_tokens,
    (SELECT COUNT(*) FROM system_requests WHERE user_id = :user_id) AS system_requests,
    (SELECT COUNT(*) FROM systems WHERE user_id = :user_id) AS systems,
    (SELECT COUNT(*) FROM alters WHERE system_id = :system_id) AS alters

-- name: system_requests
SELECT status, note FROM system_requests WHERE user_id = :user_id ORDER BY id

-- name: insert_system
INSERT INTO systems (user_id, name, created_at, updated_at) VALUES (:user_id, :name, :now, :now)

-- name: insert_alter
INSERT INTO alters (system_id, name, created_at, updated_at) VALUES (:system_id, :name, :now, :now)

-- name: expire_token
UPDATE api_tokens SET expires_at = :expires_at WHERE id = :id

-- name: tokens
SELECT id, token_hash, scopes, expires_at, last_used_at FROM api_tokens WHERE user_id = :user_id ORDER BY id
