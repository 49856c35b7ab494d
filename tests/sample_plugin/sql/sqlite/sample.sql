-- name: list_notes
SELECT body FROM sample_notes ORDER BY id

-- name: add_note
INSERT INTO sample_notes (body) VALUES (:body)

-- name: insert_user
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username, 'x', :is_admin, 1, 1, :now, :now)

-- name: insert_system
INSERT INTO systems (user_id, name, created_at, updated_at) VALUES (:user_id, :name, :now, :now)

-- name: insert_alter
INSERT INTO alters (system_id, name, created_at, updated_at) VALUES (:system_id, :name, :now, :now)

-- name: insert_group
INSERT INTO "groups" (system_id, name, created_at, updated_at) VALUES (:system_id, :name, :now, :now)

-- name: insert_subsystem
INSERT INTO subsystems (system_id, name, created_at, updated_at) VALUES (:system_id, :name, :now, :now)

-- name: insert_alter_group
INSERT INTO alter_groups (alter_id, group_id, created_at) VALUES (:alter_id, :group_id, :now)

-- name: insert_subsystem_member
INSERT INTO subsystem_members (subsystem_id, alter_id, role, created_at) VALUES (:subsystem_id, :alter_id, 'host', :now)

-- name: delete_user
DELETE FROM users WHERE id = :id

-- name: get_user
SELECT id, username, is_admin, created_at FROM users WHERE id = :id

-- name: counts
SELECT
  (SELECT COUNT(*) FROM systems) AS systems,
  (SELECT COUNT(*) FROM alters) AS alters,
  (SELECT COUNT(*) FROM "groups") AS groups_count,
  (SELECT COUNT(*) FROM subsystems) AS subsystems,
  (SELECT COUNT(*) FROM alter_groups) AS alter_groups,
  (SELECT COUNT(*) FROM subsystem_members) AS subsystem_members

-- name: audit_user_ids
SELECT user_id FROM audit_logs ORDER BY id

-- name: count_notes
SELECT COUNT(*) FROM sample_notes

-- name: backend_pid
SELECT 0

-- name: tls_in_use
SELECT 0

-- name: schema_columns
SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, p."notnull" AS not_null, p.dflt_value AS column_default
FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
WHERE m.type = 'table' ORDER BY 1, 2

-- name: schema_indexes
SELECT tbl_name AS table_name, name AS index_name, sql AS definition FROM sqlite_master WHERE type = 'index' ORDER BY 2

-- name: schema_constraints
SELECT m.name AS table_name, f."table" || '.' || f."to" || '<-' || f."from" AS name, f.on_delete AS definition
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table' ORDER BY 1, 2

-- name: table_names
SELECT name AS table_name FROM sqlite_master WHERE type = 'table' ORDER BY 1
