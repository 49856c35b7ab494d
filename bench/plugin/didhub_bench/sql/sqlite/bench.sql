-- name: reference_alter
-- the reference handler's one primary-key select
SELECT id, system_id, name, description, avatar_url, created_at, updated_at
FROM alters
WHERE id = :id

-- name: insert_alters
-- :count alters named "Bench alter <n>", n from :first_number, in one statement
INSERT INTO alters (system_id, name, description, avatar_url, created_at, updated_at)
WITH RECURSIVE numbers(n) AS (
    SELECT :first_number
    UNION ALL
    SELECT n + 1 FROM numbers WHERE n < :first_number + :count - 1
)
SELECT :system_id, 'Bench alter ' || n, :description, NULL, :now, :now
FROM numbers

-- name: insert_account
-- an approved ordinary account (the accounts plugin's columns)
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username_key, :password_hash, 0, 0, 1, :now, :now)

-- name: refresh_statistics
-- nothing: SQLite keeps no statistics unless ANALYZE runs, and a DIDHub server never runs it
SELECT 1

-- name: alter_id_range
SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS count
FROM alters
WHERE system_id = :system_id
