-- Create the alter_groups table (many-to-many: alters <-> groups).
-- depends: 0005.create-subsystems

CREATE TABLE alter_groups (
    alter_id   BIGINT NOT NULL,
    group_id   BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (alter_id, group_id),
    CONSTRAINT fk_alter_groups_alter_id FOREIGN KEY (alter_id) REFERENCES alters (id) ON DELETE CASCADE,
    CONSTRAINT fk_alter_groups_group_id FOREIGN KEY (group_id) REFERENCES "groups" (id) ON DELETE CASCADE
);
