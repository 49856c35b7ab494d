-- Create the subsystem_members table (many-to-many: subsystems <-> alters, with a role).
-- depends: 0006.create-alter-groups

CREATE TABLE subsystem_members (
    subsystem_id BIGINT NOT NULL,
    alter_id     BIGINT NOT NULL,
    role         VARCHAR(50) NOT NULL DEFAULT 'member',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (subsystem_id, alter_id),
    CONSTRAINT fk_subsystem_members_subsystem_id FOREIGN KEY (subsystem_id) REFERENCES subsystems (id) ON DELETE CASCADE,
    CONSTRAINT fk_subsystem_members_alter_id FOREIGN KEY (alter_id) REFERENCES alters (id) ON DELETE CASCADE
);
