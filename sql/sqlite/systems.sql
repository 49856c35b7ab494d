-- name: list_for_user
-- keyset page of one user's systems (index ix_systems_user_id_id)
SELECT id, user_id, name, description, created_at, updated_at
FROM systems
WHERE user_id = :user_id AND id > :after
ORDER BY id
LIMIT :limit

-- name: get
SELECT id, user_id, name, description, created_at, updated_at
FROM systems
WHERE id = :id

-- name: get_for_update
-- the row to change; SQLite's write transaction (BEGIN IMMEDIATE) already keeps other writers out
SELECT id, user_id, name, description, created_at, updated_at
FROM systems
WHERE id = :id

-- name: insert
INSERT INTO systems (user_id, name, description, created_at, updated_at)
VALUES (:user_id, :name, :description, :created_at, :updated_at)

-- name: update
UPDATE systems
SET name = :name, description = :description, updated_at = :updated_at
WHERE id = :id

-- name: delete
-- alters, groups, subsystems and memberships go with it (ON DELETE CASCADE)
DELETE FROM systems WHERE id = :id
