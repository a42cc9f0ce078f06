-- Staff sessions, kept in the database so that any node serves any signed-in staff member;
-- counters that limit sign-in attempts across nodes; and the audit log of what staff did.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    seen_at    TIMESTAMP NOT NULL,
    ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    hits         INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    ip       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);
