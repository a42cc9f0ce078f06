package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"byline"
)

// CreateStaffSession stores a new staff session.
func (db *DB) CreateStaffSession(ctx context.Context, s *byline.StaffSession) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, created_at, seen_at, ip)
			VALUES ($1, $2, $3, $4, $5)`, s.TokenHash, s.StaffID, s.CreatedAt.UTC(), s.SeenAt.UTC(), s.IP)
		if err != nil {
			return db.dialect.classify(err, "session")
		}
		_, err = tx.ExecContext(ctx, `UPDATE staff SET signed_in_at = $1 WHERE id = $2`, s.CreatedAt.UTC(), s.StaffID)
		return db.dialect.classify(err, "staff account")
	})
}

// FindStaffSession returns the session with that token hash and its account.
func (db *DB) FindStaffSession(ctx context.Context, tokenHash string) (*byline.StaffSession, *byline.Staff, error) {
	var s byline.StaffSession
	var st staffFields
	err := db.queryRow(ctx, `SELECT s.token_hash, s.staff_id, s.created_at, s.seen_at, s.ip, `+staffColumnsOf("st")+`
		FROM staff_sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1`, tokenHash).
		Scan(append([]any{&s.TokenHash, &s.StaffID, &s.CreatedAt, &s.SeenAt, &s.IP}, st.dest()...)...)
	if err != nil {
		return nil, nil, db.dialect.classify(err, "session")
	}
	s.CreatedAt, s.SeenAt = s.CreatedAt.UTC(), s.SeenAt.UTC()
	return &s, st.staff(), nil
}

// TouchStaffSession records that the session was used at the time.
func (db *DB) TouchStaffSession(ctx context.Context, tokenHash string, at time.Time) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff_sessions SET seen_at = $1 WHERE token_hash = $2`, at.UTC(), tokenHash)
		return db.dialect.classify(err, "session")
	})
}

// DeleteStaffSession ends one session.
func (db *DB) DeleteStaffSession(ctx context.Context, tokenHash string) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, tokenHash)
		return db.dialect.classify(err, "session")
	})
}

// DeleteStaffSessions ends every session of the account.
func (db *DB) DeleteStaffSessions(ctx context.Context, staffID int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, staffID)
		return db.dialect.classify(err, "session")
	})
}

// Hit counts an attempt under key in a fixed window, in one statement, so that nodes and
// processes sharing the database share the count.
func (db *DB) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var n int
	err := db.inTx(ctx, func(tx *tx) error {
		// Windows long past are no one's count any more: the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start <= $1 AND key <> $2`, now.Add(-24*time.Hour), key); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, hits, window_start) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
				hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
				window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END
			RETURNING hits`, key, now, now.Add(-window)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count attempts: %w", err)
	}
	return n, nil
}

// Audit appends an entry to the audit log. It records the account's name and address
// with its id (unless the entry names them already), so that the entry still says whose
// it was once the account is removed.
func (db *DB) Audit(ctx context.Context, e *byline.AuditEntry) error {
	var staff any
	if e.StaffID != 0 {
		staff = e.StaffID
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	return db.inTx(ctx, func(tx *tx) error {
		name, email := e.StaffName, e.StaffEmail
		if e.StaffID != 0 && (name == "" || email == "") {
			err := tx.QueryRowContext(ctx, `SELECT name, email FROM staff WHERE id = $1`, e.StaffID).Scan(&name, &email)
			if err != nil && err != sql.ErrNoRows {
				return db.dialect.classify(err, "staff account")
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, staff_id, staff_name, staff_email, action, subject, ip)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, e.At.UTC(), staff, name, email, e.Action, e.Subject, e.IP).Scan(&e.ID)
		if err == nil {
			e.StaffName, e.StaffEmail = name, email
		}
		return db.dialect.classify(err, "audit entry")
	})
}

// auditColumns are the audit log's columns, as scanAudit reads them.
const auditColumns = `id, at, staff_id, staff_name, staff_email, action, subject, ip`

// scanAudit reads an audit entry.
func scanAudit(row interface{ Scan(...any) error }) (*byline.AuditEntry, error) {
	var e byline.AuditEntry
	var staff sql.NullInt64
	if err := row.Scan(&e.ID, &e.At, &staff, &e.StaffName, &e.StaffEmail, &e.Action, &e.Subject, &e.IP); err != nil {
		return nil, fmt.Errorf("scan audit entry: %w", err)
	}
	e.At, e.StaffID = e.At.UTC(), staff.Int64
	return &e, nil
}

// FindAudit lists the newest audit entries first (see FindAuditLog).
func (db *DB) FindAudit(ctx context.Context, limit int) ([]*byline.AuditEntry, error) {
	return db.FindAuditLog(ctx, byline.AuditFilter{Limit: limit})
}
