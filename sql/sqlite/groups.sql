-- name: system_owner
SELECT id, user_id AS owner_id FROM systems WHERE id = :system_id

-- name: alter_owner
-- an alter's system and the user who owns it, in one query
SELECT a.id, a.system_id, s.user_id AS owner_id
FROM alters a
JOIN systems s ON s.id = a.system_id
WHERE a.id = :alter_id

-- name: get
-- the group and, in the same query, the user who owns its system
SELECT g.id, g.system_id, g.name, g.description, g.color, g.created_at, g.updated_at, s.user_id AS owner_id
FROM "groups" g
JOIN systems s ON s.id = g.system_id
WHERE g.id = :id

-- name: get_for_update
-- the row to change; SQLite's write transaction (BEGIN IMMEDIATE) already keeps other writers out
SELECT g.id, g.system_id, g.name, g.description, g.color, g.created_at, g.updated_at,
       (SELECT s.user_id FROM systems s WHERE s.id = g.system_id) AS owner_id
FROM "groups" g
WHERE g.id = :id

-- name: list_in_system
-- keyset page in id order from ix_groups_system_id_id
SELECT id, system_id, name, description, color, created_at, updated_at
FROM "groups"
WHERE system_id = :system_id AND id > :after
ORDER BY id
LIMIT :limit

-- name: list_for_alter
-- the cursor bounds every side of the join (here and below): PostgreSQL carries no inequality through a
-- join's equality, and a merge join would otherwise read from the first id again on every later page
-- the alter's groups in id order from the primary key (alter_id, group_id)
SELECT g.id, g.system_id, g.name, g.description, g.color, g.created_at, g.updated_at
FROM alter_groups ag
JOIN "groups" g ON g.id = ag.group_id
WHERE ag.alter_id = :alter_id AND ag.group_id > :after AND g.id > :after
ORDER BY ag.group_id
LIMIT :limit

-- name: list_members
-- the member alters in id order from ix_alter_groups_group_id_alter_id
SELECT a.id, a.system_id, a.name, a.description, a.avatar_url, a.created_at, a.updated_at
FROM alter_groups ag
JOIN alters a ON a.id = ag.alter_id
WHERE ag.group_id = :group_id AND ag.alter_id > :after AND a.id > :after
ORDER BY ag.alter_id
LIMIT :limit

-- name: insert
INSERT INTO "groups" (system_id, name, description, color, created_at, updated_at)
VALUES (:system_id, :name, :description, :color, :created_at, :updated_at)

-- name: update
UPDATE "groups"
SET name = :name, description = :description, color = :color, updated_at = :updated_at
WHERE id = :id

-- name: delete
-- its memberships go with it (ON DELETE CASCADE)
DELETE FROM "groups" WHERE id = :id

-- name: membership
SELECT alter_id, group_id FROM alter_groups WHERE group_id = :group_id AND alter_id = :alter_id

-- name: add_member
-- a concurrent identical PUT may have added it first: that is not an error
INSERT INTO alter_groups (alter_id, group_id, created_at)
VALUES (:alter_id, :group_id, :created_at)
ON CONFLICT (alter_id, group_id) DO NOTHING

-- name: remove_member
DELETE FROM alter_groups WHERE group_id = :group_id AND alter_id = :alter_id
