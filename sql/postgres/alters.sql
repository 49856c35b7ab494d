-- name: system_owner
SELECT id, user_id AS owner_id FROM systems WHERE id = :system_id

-- name: get
-- the alter and, in the same query, the user who owns its system
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at, s.user_id AS owner_id
FROM alters a
JOIN systems s ON s.id = a.system_id
WHERE a.id = :id

-- name: get_for_update
-- the row to change, locked until the transaction ends so concurrent PATCHes do not lose fields;
-- the owner comes from a subquery so that only the alter's row is locked, not its system's
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at,
       (SELECT s.user_id FROM systems s WHERE s.id = a.system_id) AS owner_id
FROM alters a
WHERE a.id = :id
FOR UPDATE

-- name: list_in_system
-- keyset page in id order from ix_alters_system_id_id; :pattern is '%' when there is no search.
-- Both bounds are on (system_id, id), which only that index serves: with `system_id = :system_id
-- AND id > :after` the generic plan of the prepared statement (used from its sixth run) may walk
-- the primary key from :after filtering on system_id, reading every later alter of every other
-- system (100,000 rows for the last page of a small system beside a large one, make bench).
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at
FROM alters a
WHERE (a.system_id, a.id) > (:system_id, :after) AND (a.system_id, a.id) <= (:system_id, 9223372036854775807)
  AND LOWER(a.name) LIKE :pattern ESCAPE '!'
ORDER BY a.system_id, a.id
LIMIT :limit

-- name: list_in_group
-- the cursor bounds every side of the join (here and below): PostgreSQL carries no inequality through a
-- join's equality, and a merge join would otherwise read from the first id again on every later page
-- read in alter id order from ix_alter_groups_group_id_alter_id; a group of another system matches nothing
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at
FROM alter_groups ag
JOIN alters a ON a.id = ag.alter_id
WHERE ag.group_id = :group_id AND ag.alter_id > :after AND a.id > :after
  AND a.system_id = :system_id AND LOWER(a.name) LIKE :pattern ESCAPE '!'
ORDER BY ag.alter_id
LIMIT :limit

-- name: list_in_subsystem
-- read in alter id order from the primary key (subsystem_id, alter_id)
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at
FROM subsystem_members sm
JOIN alters a ON a.id = sm.alter_id
WHERE sm.subsystem_id = :subsystem_id AND sm.alter_id > :after AND a.id > :after
  AND a.system_id = :system_id AND LOWER(a.name) LIKE :pattern ESCAPE '!'
ORDER BY sm.alter_id
LIMIT :limit

-- name: list_in_group_and_subsystem
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at
FROM alter_groups ag
JOIN subsystem_members sm ON sm.subsystem_id = :subsystem_id AND sm.alter_id = ag.alter_id AND sm.alter_id > :after
JOIN alters a ON a.id = ag.alter_id
WHERE ag.group_id = :group_id AND ag.alter_id > :after AND a.id > :after
  AND a.system_id = :system_id AND LOWER(a.name) LIKE :pattern ESCAPE '!'
ORDER BY ag.alter_id
LIMIT :limit

-- name: insert
INSERT INTO alters (system_id, name, description, avatar_url, created_at, updated_at)
VALUES (:system_id, :name, :description, :avatar_url, :created_at, :updated_at)

-- name: update
UPDATE alters
SET name = :name, description = :description, avatar_url = :avatar_url, updated_at = :updated_at
WHERE id = :id

-- name: delete
-- its group and subsystem memberships go with it (ON DELETE CASCADE)
DELETE FROM alters WHERE id = :id
