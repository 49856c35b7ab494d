-- name: reference_alter
-- the reference handler's one primary-key select
SELECT id, system_id, name, description, avatar_url, created_at, updated_at
FROM alters
WHERE id = :id

-- name: insert_alters
-- :count (at most 1,000,000) alters named "Bench alter <n>", n from :first_number, in one statement.
-- A thousand numbers crossed with themselves: MariaDB stops a recursive CTE at
-- max_recursive_iterations (1000 by default), MySQL at cte_max_recursion_depth (1000).
INSERT INTO alters (system_id, name, description, avatar_url, created_at, updated_at)
WITH RECURSIVE thousand(n) AS (
    SELECT 0
    UNION ALL
    SELECT n + 1 FROM thousand WHERE n < 999
)
SELECT :system_id, CONCAT('Bench alter ', :first_number + high.n * 1000 + low.n), :description, NULL, :now, :now
FROM thousand high CROSS JOIN thousand low
WHERE high.n * 1000 + low.n < :count

-- name: insert_account
-- an approved ordinary account (the accounts plugin's columns)
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username_key, :password_hash, FALSE, FALSE, TRUE, :now, :now)

-- name: refresh_statistics
-- what InnoDB's persistent statistics do by themselves after a tenth of a table changed
ANALYZE TABLE alters

-- name: alter_id_range
SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS count
FROM alters
WHERE system_id = :system_id
