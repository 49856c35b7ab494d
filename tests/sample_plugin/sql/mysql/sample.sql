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
INSERT INTO `groups` (system_id, name, created_at, updated_at) VALUES (:system_id, :name, :now, :now)

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
  (SELECT COUNT(*) FROM `groups`) AS groups_count,
  (SELECT COUNT(*) FROM subsystems) AS subsystems,
  (SELECT COUNT(*) FROM alter_groups) AS alter_groups,
  (SELECT COUNT(*) FROM subsystem_members) AS subsystem_members

-- name: audit_user_ids
SELECT user_id FROM audit_logs ORDER BY id

-- name: count_notes
SELECT COUNT(*) FROM sample_notes

-- name: backend_pid
SELECT CONNECTION_ID() FROM (SELECT SLEEP(0.05)) AS pause

-- name: tls_in_use
SELECT VARIABLE_VALUE <> '' FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'

-- name: schema_columns
SELECT table_name AS table_name, column_name AS column_name, column_type AS data_type, is_nullable AS not_null,
       column_default AS column_default, collation_name AS collation
FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, 2

-- name: schema_indexes
SELECT table_name AS table_name, index_name AS index_name,
       CONCAT(IF(non_unique = 0, 'UNIQUE ', ''), GROUP_CONCAT(column_name ORDER BY seq_in_index)) AS definition
FROM information_schema.statistics WHERE table_schema = DATABASE()
GROUP BY table_name, index_name, non_unique ORDER BY 1, 2

-- name: schema_constraints
SELECT k.table_name AS table_name, k.constraint_name AS name,
       CONCAT(k.column_name, '->', COALESCE(k.referenced_table_name, ''), '.', COALESCE(k.referenced_column_name, ''), ' ', COALESCE(r.delete_rule, '')) AS definition
FROM information_schema.key_column_usage AS k
LEFT JOIN information_schema.referential_constraints AS r
  ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
WHERE k.table_schema = DATABASE() ORDER BY 1, 2, 3

-- name: table_names
SELECT table_name AS table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1
