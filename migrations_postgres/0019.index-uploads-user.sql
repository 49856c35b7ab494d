-- Add index ix_uploads_user_id_id on uploads (user_id, id).
-- depends: 0018.index-subsystem-members-alter

CREATE INDEX ix_uploads_user_id_id ON uploads (user_id, id);
