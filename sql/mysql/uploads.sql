-- name: insert
INSERT INTO uploads (user_id, filename, original_filename, mime_type, file_size, alt_text, is_public, created_at, updated_at)
VALUES (:user_id, :filename, :original_filename, :mime_type, :file_size, :alt_text, :is_public, :created_at, :updated_at)

-- name: get
SELECT id, user_id, filename, original_filename, mime_type, file_size, alt_text, is_public, created_at
FROM uploads WHERE id = :id

-- name: get_for_update
-- the row lock keeps two PATCHes of different fields from losing one of them
SELECT id, user_id, filename, alt_text, is_public FROM uploads WHERE id = :id FOR UPDATE

-- name: list_for_user
SELECT id, user_id, filename, original_filename, mime_type, file_size, alt_text, is_public, created_at
FROM uploads
WHERE user_id = :user_id AND id > :after
ORDER BY id
LIMIT :limit

-- name: update
UPDATE uploads SET alt_text = :alt_text, is_public = :is_public, updated_at = :updated_at WHERE id = :id

-- name: delete
DELETE FROM uploads WHERE id = :id

-- name: filenames_of_user
SELECT filename FROM uploads WHERE user_id = :user_id

-- name: all_filenames
SELECT filename FROM uploads
