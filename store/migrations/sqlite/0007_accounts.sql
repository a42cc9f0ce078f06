-- Staff accounts beyond the door: two-factor secrets, the last sign-in, the one-time setup
-- code, password resets and invitations by email link, sign-ins waiting for their code, and
-- the outbox every message goes through.
ALTER TABLE staff ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN signed_in_at TIMESTAMP;

CREATE TABLE staff_setup (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    token      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX password_resets_by_staff ON password_resets (staff_id);

CREATE TABLE staff_invitations (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('contributor', 'author', 'moderator', 'editor', 'administrator')),
    invited_by INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE pending_signins (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pending_signins_by_staff ON pending_signins (staff_id);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL DEFAULT '',
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP
);
CREATE INDEX outbox_by_time ON outbox (created_at DESC, id DESC);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
