-- Create the api_tokens table (hashed API tokens; scopes is space-separated, e.g. 'read write').
-- depends: 0011.create-system-requests

CREATE TABLE api_tokens (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id      BIGINT NOT NULL,
    name         VARCHAR(100) NOT NULL,
    token_hash   CHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    scopes       VARCHAR(50) NOT NULL,
    created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at   DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NULL,
    CONSTRAINT fk_api_tokens_user_id FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
