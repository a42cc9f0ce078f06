-- Members: the readers' accounts, apart from staff. A member signs in by a link or a code
-- sent by email (member_links keeps only their hashes) and keeps a session in the database,
-- so that any node serves them and "sign out everywhere" takes effect at once. A deleted
-- account stays as a row without its address or name, with the choice its owner made about
-- their comments (deleted_comments: 'keep' as a deleted member's, or 'remove').
CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    email            TEXT UNIQUE,
    name             TEXT NOT NULL DEFAULT '',
    expertise        TEXT NOT NULL DEFAULT '',
    newsletter       BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL DEFAULT 'free' CHECK (status IN ('free', 'paid', 'comped')),
    created_at       TIMESTAMP NOT NULL,
    signed_in_at     TIMESTAMP,
    deleted_at       TIMESTAMP,
    deleted_comments TEXT NOT NULL DEFAULT '' CHECK (deleted_comments IN ('', 'keep', 'remove'))
);

CREATE TABLE member_sessions (
    token_hash TEXT PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    seen_at    TIMESTAMP NOT NULL,
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_sessions_by_member ON member_sessions (member_id);

CREATE TABLE member_links (
    token_hash      TEXT PRIMARY KEY,
    purpose         TEXT NOT NULL CHECK (purpose IN ('signin', 'email')),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    member_id       INTEGER REFERENCES members (id) ON DELETE CASCADE,
    code_hash       TEXT NOT NULL DEFAULT '',
    return_path     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    code_expires_at TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    ip              TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_links_by_email ON member_links (email, created_at);
CREATE INDEX member_links_by_time ON member_links (created_at);
