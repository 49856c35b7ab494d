-- Portable backup and restore (core/backup.py): each core table is read in primary-key pages
-- (keyset, so memory stays bounded on every driver) and written back with its own ids.

-- name: begin_snapshot
-- InnoDB's REPEATABLE READ (the default): every page sees the same committed state
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY

-- name: end_snapshot
COMMIT

-- name: restart_ids
-- nothing to do: InnoDB's AUTO_INCREMENT moves past explicitly inserted ids by itself
SELECT 1

-- name: dump_users
SELECT id, username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at
FROM users
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_users
INSERT INTO users (id, username, username_key, password_hash, is_admin, is_system, is_approved, created_at, updated_at)
VALUES (:id, :username, :username_key, :password_hash, :is_admin, :is_system, :is_approved, :created_at, :updated_at)

-- name: count_users
SELECT COUNT(*) FROM users

-- name: empty_users
DELETE FROM users

-- name: dump_systems
SELECT id, user_id, name, description, created_at, updated_at
FROM systems
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_systems
INSERT INTO systems (id, user_id, name, description, created_at, updated_at)
VALUES (:id, :user_id, :name, :description, :created_at, :updated_at)

-- name: count_systems
SELECT COUNT(*) FROM systems

-- name: empty_systems
DELETE FROM systems

-- name: dump_alters
SELECT id, system_id, name, description, avatar_url, created_at, updated_at
FROM alters
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_alters
INSERT INTO alters (id, system_id, name, description, avatar_url, created_at, updated_at)
VALUES (:id, :system_id, :name, :description, :avatar_url, :created_at, :updated_at)

-- name: count_alters
SELECT COUNT(*) FROM alters

-- name: empty_alters
DELETE FROM alters

-- name: dump_groups
SELECT id, system_id, name, description, color, created_at, updated_at
FROM `groups`
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_groups
INSERT INTO `groups` (id, system_id, name, description, color, created_at, updated_at)
VALUES (:id, :system_id, :name, :description, :color, :created_at, :updated_at)

-- name: count_groups
SELECT COUNT(*) FROM `groups`

-- name: empty_groups
DELETE FROM `groups`

-- name: dump_subsystems
SELECT id, system_id, name, description, color, created_at, updated_at
FROM subsystems
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_subsystems
INSERT INTO subsystems (id, system_id, name, description, color, created_at, updated_at)
VALUES (:id, :system_id, :name, :description, :color, :created_at, :updated_at)

-- name: count_subsystems
SELECT COUNT(*) FROM subsystems

-- name: empty_subsystems
DELETE FROM subsystems

-- name: dump_alter_groups
SELECT alter_id, group_id, created_at
FROM alter_groups
WHERE alter_id > :after_alter_id OR (alter_id = :after_alter_id AND group_id > :after_group_id)
ORDER BY alter_id, group_id
LIMIT :limit

-- name: restore_alter_groups
INSERT INTO alter_groups (alter_id, group_id, created_at)
VALUES (:alter_id, :group_id, :created_at)

-- name: count_alter_groups
SELECT COUNT(*) FROM alter_groups

-- name: empty_alter_groups
DELETE FROM alter_groups

-- name: dump_subsystem_members
SELECT subsystem_id, alter_id, role, created_at
FROM subsystem_members
WHERE subsystem_id > :after_subsystem_id OR (subsystem_id = :after_subsystem_id AND alter_id > :after_alter_id)
ORDER BY subsystem_id, alter_id
LIMIT :limit

-- name: restore_subsystem_members
INSERT INTO subsystem_members (subsystem_id, alter_id, role, created_at)
VALUES (:subsystem_id, :alter_id, :role, :created_at)

-- name: count_subsystem_members
SELECT COUNT(*) FROM subsystem_members

-- name: empty_subsystem_members
DELETE FROM subsystem_members

-- name: dump_uploads
SELECT id, user_id, filename, original_filename, mime_type, file_size, alt_text, is_public, created_at, updated_at
FROM uploads
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_uploads
INSERT INTO uploads (id, user_id, filename, original_filename, mime_type, file_size, alt_text, is_public, created_at, updated_at)
VALUES (:id, :user_id, :filename, :original_filename, :mime_type, :file_size, :alt_text, :is_public, :created_at, :updated_at)

-- name: count_uploads
SELECT COUNT(*) FROM uploads

-- name: empty_uploads
DELETE FROM uploads

-- name: dump_audit_logs
SELECT id, user_id, action, entity_type, entity_id, details, ip_address, user_agent, created_at
FROM audit_logs
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_audit_logs
INSERT INTO audit_logs (id, user_id, action, entity_type, entity_id, details, ip_address, user_agent, created_at)
VALUES (:id, :user_id, :action, :entity_type, :entity_id, :details, :ip_address, :user_agent, :created_at)

-- name: count_audit_logs
SELECT COUNT(*) FROM audit_logs

-- name: empty_audit_logs
DELETE FROM audit_logs

-- name: dump_settings
SELECT `key`, value, updated_at
FROM settings
WHERE `key` > :after_key
ORDER BY `key`
LIMIT :limit

-- name: restore_settings
INSERT INTO settings (`key`, value, updated_at)
VALUES (:key, :value, :updated_at)

-- name: count_settings
SELECT COUNT(*) FROM settings

-- name: empty_settings
DELETE FROM settings

-- name: dump_system_requests
SELECT id, user_id, status, note, admin_notes, created_at, updated_at
FROM system_requests
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_system_requests
INSERT INTO system_requests (id, user_id, status, note, admin_notes, created_at, updated_at)
VALUES (:id, :user_id, :status, :note, :admin_notes, :created_at, :updated_at)

-- name: count_system_requests
SELECT COUNT(*) FROM system_requests

-- name: empty_system_requests
DELETE FROM system_requests

-- name: dump_api_tokens
SELECT id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at
FROM api_tokens
WHERE id > :after_id
ORDER BY id
LIMIT :limit

-- name: restore_api_tokens
INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at)
VALUES (:id, :user_id, :name, :token_hash, :scopes, :created_at, :expires_at, :last_used_at)

-- name: count_api_tokens
SELECT COUNT(*) FROM api_tokens

-- name: empty_api_tokens
DELETE FROM api_tokens
