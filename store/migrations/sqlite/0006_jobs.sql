-- The job table that background work runs from (scheduled publishing, later mail and
-- newsletters). A key is unique among jobs not done yet; a runner claims a due job with a
-- lease (lease_token is its claim's secret), and a job whose node died is claimed again once
-- the lease has expired. Done jobs stay for a while for the record; failed ones until their
-- key is enqueued again or cancelled.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    run_at       TIMESTAMP NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    lease_holder TEXT NOT NULL DEFAULT '',
    lease_token  TEXT NOT NULL DEFAULT '',
    lease_until  TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    done_at      TIMESTAMP,
    failed_at    TIMESTAMP
);
CREATE UNIQUE INDEX jobs_key_not_done ON jobs (key) WHERE done_at IS NULL;
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX jobs_done ON jobs (done_at) WHERE done_at IS NOT NULL;
