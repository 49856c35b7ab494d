-- Add index ix_systems_user_id_id on systems (user_id, id).
-- depends: 0012.create-api-tokens

CREATE INDEX ix_systems_user_id_id ON systems (user_id, id);
