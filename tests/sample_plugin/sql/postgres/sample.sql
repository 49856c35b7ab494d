-- name: list_notes
SELECT body FROM sample_notes ORDER BY id

-- name: add_note
INSERT INTO sample_notes (body) VALUES (:body)

-- name: insert_user
INSERT INTO users (username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:username, :username, 'x', :is_admin, TRUE, TRUE, :now, :now)

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
SELECT pg_backend_pid() FROM (SELECT pg_sleep(0.05)) AS pause

-- name: tls_in_use
SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()

-- name: schema_columns
SELECT table_name, column_name, data_type, is_nullable AS not_null, column_default
FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2

-- name: schema_indexes
SELECT tablename AS table_name, indexname AS index_name, indexdef AS definition
FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 2

-- name: schema_constraints
SELECT CAST(conrelid AS regclass)::text AS table_name, conname AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE connamespace = CAST(current_schema() AS regnamespace) ORDER BY 1, 2

-- name: table_names
SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1
