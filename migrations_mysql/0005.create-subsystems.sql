-- Create the subsystems table (subsystems within a system).
-- depends: 0004.create-groups

CREATE TABLE subsystems (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    system_id   BIGINT NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT NULL,
    color       VARCHAR(7) NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_subsystems_system_id FOREIGN KEY (system_id) REFERENCES systems (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
