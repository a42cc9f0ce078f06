-- The newsroom's staff: accounts that sign in to the admin, each with one role. A newsroom
-- has at most one Owner.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('contributor', 'author', 'moderator', 'editor', 'administrator', 'owner')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_one_owner ON staff (role) WHERE role = 'owner';
