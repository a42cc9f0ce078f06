-- Corrections, clarifications and updates added to published articles, newest first on
-- /corrections/ and oldest first under each article; and the audit log's filters by staff
-- member and by action.
CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('correction', 'clarification', 'update')),
    text       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    staff_id   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX corrections_by_time ON corrections (at DESC, id DESC);
CREATE INDEX corrections_by_article ON corrections (article_id, at, id);

CREATE INDEX audit_log_by_staff ON audit_log (staff_id, at DESC, id DESC);
CREATE INDEX audit_log_by_action ON audit_log (action, at DESC, id DESC);
