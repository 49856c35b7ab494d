-- name: reference_alter
-- the reference handler's one primary-key select
SELECT id, system_id, name, description, avatar_url, created_at, updated_at
FROM alters
WHERE id = :id

-- name: insert_alters
-- :count alters named "Bench alter <n>", n from :first_number, in one statement
INSERT INTO alters (system_id, name, description, avatar_url, created_at, updated_at)
SELECT CAST(:system_id AS BIGINT), 'Bench alter ' || n, CAST(:description AS TEXT), NULL,
       CAST(:now AS TIMESTAMPTZ), CAST(:now AS TIMESTAMPTZ)
FROM generate_series(CAST(:first_number AS BIGINT), CAST(:first_number AS BIGINT) + CAST(:count AS BIGINT) - 1) AS n

-- name: insert_account
-- an approved ordinary account (the accounts plugin's columns)
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username_key, :password_hash, FALSE, FALSE, TRUE, :now, :now)

-- name: refresh_statistics
-- what autovacuum does after a bulk insert (the hint bits set, statistics taken)
VACUUM ANALYZE alters

-- name: alter_id_range
SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS count
FROM alters
WHERE system_id = :system_id
