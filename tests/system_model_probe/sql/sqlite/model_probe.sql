-- name: counts
SELECT
  (SELECT COUNT(*) FROM systems) AS systems,
  (SELECT COUNT(*) FROM alters) AS alters,
  (SELECT COUNT(*) FROM "groups") AS groups_count,
  (SELECT COUNT(*) FROM subsystems) AS subsystems,
  (SELECT COUNT(*) FROM alter_groups) AS alter_groups,
  (SELECT COUNT(*) FROM subsystem_members) AS subsystem_members,
  (SELECT COUNT(*) FROM audit_logs) AS audit_logs

-- name: audit_rows
SELECT id, user_id, action, entity_type, entity_id, details FROM audit_logs ORDER BY id

-- name: systems
SELECT id, user_id, name, description, created_at, updated_at FROM systems ORDER BY id

-- name: alters
SELECT id, system_id, name, description, avatar_url, created_at, updated_at FROM alters ORDER BY id

-- name: groups
SELECT id, system_id, name, description, color, created_at, updated_at FROM "groups" ORDER BY id

-- name: subsystems
SELECT id, system_id, name, description, color, created_at, updated_at FROM subsystems ORDER BY id

-- name: alter_groups
SELECT group_id, alter_id FROM alter_groups ORDER BY group_id, alter_id

-- name: subsystem_members
SELECT subsystem_id, alter_id, role FROM subsystem_members ORDER BY subsystem_id, alter_id
