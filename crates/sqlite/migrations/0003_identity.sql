-- Users of the built-in identity provider; groups as a JSON array.
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    groups_json   TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);

-- Refresh tokens by hash; a family is every token rotated from one sign-in.
CREATE TABLE refresh_tokens (
    token_hash    TEXT    PRIMARY KEY,
    user_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family        TEXT    NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used          INTEGER NOT NULL DEFAULT 0,
    revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
