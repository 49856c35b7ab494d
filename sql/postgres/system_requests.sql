-- name: lock_user
SELECT id, is_system FROM users WHERE id = :user_id FOR UPDATE

-- name: find_pending
SELECT id FROM system_requests WHERE user_id = :user_id AND status = 'pending' LIMIT 1

-- name: insert
INSERT INTO system_requests (user_id, status, note, created_at, updated_at)
VALUES (:user_id, 'pending', :note, :created_at, :updated_at)

-- name: get
SELECT id, user_id, status, note, admin_notes, created_at, updated_at FROM system_requests WHERE id = :id

-- name: get_for_update
SELECT id, user_id, status FROM system_requests WHERE id = :id FOR UPDATE

-- name: list
-- user_id NULL: every user's requests (admins)
SELECT id, user_id, status, note, admin_notes, created_at, updated_at
FROM system_requests
WHERE id > :after
  AND (CAST(:user_id AS BIGINT) IS NULL OR user_id = :user_id)
  AND (CAST(:status AS VARCHAR) IS NULL OR status = :status)
ORDER BY id
LIMIT :limit

-- name: decide
UPDATE system_requests SET status = :status, admin_notes = :admin_notes, updated_at = :updated_at WHERE id = :id

-- name: make_user_system
UPDATE users SET is_system = TRUE, is_approved = TRUE, updated_at = :updated_at WHERE id = :user_id
