-- name: alter_owner
-- the user who owns the alter's system, or nothing when the alter does not exist
SELECT s.user_id AS owner_id FROM alters AS a JOIN systems AS s ON s.id = a.system_id WHERE a.id = :alter_id

-- name: list_entries
SELECT id, alter_id, body, created_at FROM journal_entries
WHERE alter_id = :alter_id AND id > :after ORDER BY id LIMIT :limit

-- name: create_entry
INSERT INTO journal_entries (alter_id, body, created_at) VALUES (:alter_id, :body, :created_at)

-- name: get_entry
SELECT id, alter_id, body, created_at FROM journal_entries WHERE id = :id

-- name: delete_entry
DELETE FROM journal_entries WHERE id = :id

-- name: count_entries
SELECT COUNT(*) FROM journal_entries
