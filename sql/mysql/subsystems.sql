-- name: system_owner
SELECT id, user_id AS owner_id FROM systems WHERE id = :system_id

-- name: alter_owner
-- an alter's system and the user who owns it, in one query
SELECT a.id, a.system_id, s.user_id AS owner_id
FROM alters a
JOIN systems s ON s.id = a.system_id
WHERE a.id = :alter_id

-- name: get
-- the subsystem and, in the same query, the user who owns its system
SELECT ss.id, ss.system_id, ss.name, ss.description, ss.color, ss.created_at, ss.updated_at, s.user_id AS owner_id
FROM subsystems ss
JOIN systems s ON s.id = ss.system_id
WHERE ss.id = :id

-- name: get_for_update
-- the row to change, locked until the transaction ends so concurrent PATCHes do not lose fields;
-- the owner comes from a subquery so that only the subsystem's row is locked, not its system's
SELECT ss.id, ss.system_id, ss.name, ss.description, ss.color, ss.created_at, ss.updated_at,
       (SELECT s.user_id FROM systems s WHERE s.id = ss.system_id) AS owner_id
FROM subsystems ss
WHERE ss.id = :id
FOR UPDATE

-- name: list_in_system
-- keyset page in id order from ix_subsystems_system_id_id
SELECT id, system_id, name, description, color, created_at, updated_at
FROM subsystems
WHERE system_id = :system_id AND id > :after
ORDER BY id
LIMIT :limit

-- name: list_for_alter
-- the cursor bounds every side of the join (here and below): PostgreSQL carries no inequality through a
-- join's equality, and a merge join would otherwise read from the first id again on every later page
-- the alter's subsystems with its role, in id order from ix_subsystem_members_alter_id_subsystem_id
SELECT ss.id, ss.system_id, ss.name, ss.description, ss.color, ss.created_at, ss.updated_at, sm.role
FROM subsystem_members sm
JOIN subsystems ss ON ss.id = sm.subsystem_id
WHERE sm.alter_id = :alter_id AND sm.subsystem_id > :after AND ss.id > :after
ORDER BY sm.subsystem_id
LIMIT :limit

-- name: list_members
-- the member alters with their roles, in alter id order from the primary key (subsystem_id, alter_id)
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at, sm.role
FROM subsystem_members sm
JOIN alters a ON a.id = sm.alter_id
WHERE sm.subsystem_id = :subsystem_id AND sm.alter_id > :after AND a.id > :after
ORDER BY sm.alter_id
LIMIT :limit

-- name: insert
INSERT INTO subsystems (system_id, name, description, color, created_at, updated_at)
VALUES (:system_id, :name, :description, :color, :created_at, :updated_at)

-- name: update
UPDATE subsystems
SET name = :name, description = :description, color = :color, updated_at = :updated_at
WHERE id = :id

-- name: delete
-- its memberships go with it (ON DELETE CASCADE)
DELETE FROM subsystems WHERE id = :id

-- name: membership
SELECT subsystem_id, alter_id, role FROM subsystem_members WHERE subsystem_id = :subsystem_id AND alter_id = :alter_id

-- name: set_member
-- add the alter, or change its role when it is already a member
INSERT INTO subsystem_members (subsystem_id, alter_id, role, created_at)
VALUES (:subsystem_id, :alter_id, :role, :created_at)
ON DUPLICATE KEY UPDATE role = VALUES(role)

-- name: remove_member
DELETE FROM subsystem_members WHERE subsystem_id = :subsystem_id AND alter_id = :alter_id
