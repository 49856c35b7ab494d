-- Create the alters table (members of a system).
-- depends: 0002.create-systems

CREATE TABLE alters (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    system_id   BIGINT NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT NULL,
    avatar_url  VARCHAR(500) NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_alters_system_id FOREIGN KEY (system_id) REFERENCES systems (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
