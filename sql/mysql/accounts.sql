-- Accounts: users, their API tokens, and the system request a registration may carry.
-- A user row is never selected with password_hash except by the queries that check a password.

-- name: get_user
SELECT id, username, is_admin, is_system, is_approved, created_at, updated_at FROM users WHERE id = :id

-- name: get_login
-- username_key is username.casefold(), set by the app: case-insensitive on every backend
SELECT id, password_hash, is_approved FROM users WHERE username_key = :username_key

-- name: get_password_hash
SELECT password_hash FROM users WHERE id = :id

-- name: insert_user
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username_key, :password_hash, :is_admin, :is_system, :is_approved, :created_at, :updated_at)

-- name: set_username
UPDATE users SET username = :username, username_key = :username_key, updated_at = :updated_at WHERE id = :id

-- name: set_password_hash
UPDATE users SET password_hash = :password_hash, updated_at = :updated_at WHERE id = :id

-- name: rehash_password
-- only when the hash is still the one just verified: a concurrent password change wins
UPDATE users SET password_hash = :password_hash WHERE id = :id AND password_hash = :old_hash

-- name: update_user
-- NULL leaves a column as it is (the admin's PATCH sends only some fields)
UPDATE users SET
    is_admin = COALESCE(:is_admin, is_admin),
    is_system = COALESCE(:is_system, is_system),
    is_approved = COALESCE(:is_approved, is_approved),
    password_hash = COALESCE(:password_hash, password_hash),
    updated_at = :updated_at
WHERE id = :id

-- name: delete_user
DELETE FROM users WHERE id = :id

-- name: list_users
-- NULL filters match everything; :pattern is a LIKE pattern over username_key, escaped with '!'
SELECT id, username, is_admin, is_system, is_approved, created_at, updated_at
FROM users
WHERE id > :after
  AND (:pattern IS NULL OR username_key LIKE :pattern ESCAPE '!')
  AND (:is_admin IS NULL OR is_admin = :is_admin)
  AND (:is_system IS NULL OR is_system = :is_system)
  AND (:is_approved IS NULL OR is_approved = :is_approved)
ORDER BY id
LIMIT :limit

-- name: lock_admins
-- The active admins, locked (in id order) so two concurrent demotions cannot both pass.
SELECT id FROM users WHERE is_admin AND is_approved ORDER BY id FOR UPDATE

-- name: find_admin
SELECT id FROM users WHERE is_admin AND is_approved LIMIT 1

-- name: insert_system_request
INSERT INTO system_requests (user_id, status, note, created_at, updated_at)
VALUES (:user_id, 'pending', :note, :created_at, :updated_at)

-- name: insert_token
INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at)
VALUES (:user_id, :name, :token_hash, :scopes, :created_at, :expires_at)

-- name: authenticate
-- the one query per authenticated request
SELECT t.id AS token_id, t.scopes, t.last_used_at, t.expires_at,
       u.id, u.username, u.is_admin, u.is_system, u.is_approved
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = :token_hash AND t.expires_at > :now

-- name: touch_token
UPDATE api_tokens SET last_used_at = :now
WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :stale_before)

-- name: list_tokens
SELECT id, name, scopes, created_at, expires_at, last_used_at
FROM api_tokens
WHERE user_id = :user_id AND expires_at > :now AND id > :after
ORDER BY id
LIMIT :limit

-- name: get_token
SELECT id, name FROM api_tokens WHERE id = :id AND user_id = :user_id

-- name: delete_token
DELETE FROM api_tokens WHERE id = :id

-- name: delete_other_tokens
DELETE FROM api_tokens WHERE user_id = :user_id AND id <> :keep_id

-- name: delete_user_tokens
DELETE FROM api_tokens WHERE user_id = :user_id

-- name: expired_tokens
SELECT id FROM api_tokens WHERE user_id = :user_id AND expires_at <= :now
