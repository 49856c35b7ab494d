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

-- name: refresh_statistics
ANALYZE alters

-- name: alter_id_range
SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS count
FROM alters
WHERE system_id = :system_id
