package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"byline"
)

// Members, their sessions and the links that sign them in (see byline.MemberStore).

const memberColumns = `id, email, name, expertise, newsletter, status, created_at, signed_in_at, deleted_at, deleted_comments`

// memberFields are scanMember's destinations, for a query that reads more than the member.
type memberFields struct {
	m                 byline.Member
	email             sql.NullString
	signedIn, deleted sql.NullTime
}

func (f *memberFields) dest() []any {
	m := &f.m
	return []any{&m.ID, &f.email, &m.Name, &m.Expertise, &m.Newsletter, &m.Status, &m.CreatedAt, &f.signedIn, &f.deleted, &m.DeletedComments}
}

func (f *memberFields) member() *byline.Member {
	m := f.m
	m.Email, m.CreatedAt = f.email.String, m.CreatedAt.UTC()
	if f.signedIn.Valid {
		m.SignedInAt = f.signedIn.Time.UTC()
	}
	if f.deleted.Valid {
		m.DeletedAt = f.deleted.Time.UTC()
	}
	return &m
}

// scanMember reads a member of memberColumns.
func scanMember(row rowScanner) (*byline.Member, error) {
	var f memberFields
	if err := row.Scan(f.dest()...); err != nil {
		return nil, err
	}
	return f.member(), nil
}

// CreateMember stores a new member.
func (db *DB) CreateMember(ctx context.Context, m *byline.Member) error {
	return db.inTx(ctx, func(tx *tx) error { return db.createMember(ctx, tx, m) })
}

func (db *DB) createMember(ctx context.Context, tx *tx, m *byline.Member) error {
	email, err := byline.NormalizeEmail(m.Email)
	if err != nil {
		return err
	}
	if err := byline.CheckMemberProfile(m.Name, m.Expertise); err != nil {
		return err
	}
	if m.Status == "" {
		m.Status = byline.MemberFree
	}
	m.Email, m.CreatedAt = email, db.now()
	err = tx.QueryRowContext(ctx, `INSERT INTO members (email, name, expertise, newsletter, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.Email, m.Name, m.Expertise, m.Newsletter, string(m.Status), m.CreatedAt).Scan(&m.ID)
	if byline.ErrorCode(db.dialect.classify(err, "member")) == byline.ECONFLICT {
		return byline.Errorf(byline.ECONFLICT, "There is a member with the address %s already.", m.Email)
	}
	return db.dialect.classify(err, "member")
}

// FindMemberByID returns the member with the id.
func (db *DB) FindMemberByID(ctx context.Context, id int64) (*byline.Member, error) {
	m, err := scanMember(db.queryRow(ctx, `SELECT `+memberColumns+` FROM members WHERE id = $1`, id))
	return m, db.dialect.classify(err, "member")
}

// FindMemberByEmail returns the member with the address.
func (db *DB) FindMemberByEmail(ctx context.Context, email string) (*byline.Member, error) {
	m, err := scanMember(db.queryRow(ctx, `SELECT `+memberColumns+` FROM members WHERE email = $1`, email))
	return m, db.dialect.classify(err, "member")
}

// UpdateMemberProfile sets what the member says of themselves.
func (db *DB) UpdateMemberProfile(ctx context.Context, id int64, name, expertise string, newsletter bool) error {
	if err := byline.CheckMemberProfile(name, expertise); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE members SET name = $1, expertise = $2, newsletter = $3
			WHERE id = $4 AND deleted_at IS NULL`, name, expertise, newsletter, id))
		if err != nil {
			return db.dialect.classify(err, "member")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such member.")
		}
		return nil
	})
}

// DeleteMember erases the account but its id, dates and choice about its comments.
func (db *DB) DeleteMember(ctx context.Context, id int64, comments string, at time.Time) error {
	if comments != byline.CommentsKeep && comments != byline.CommentsRemove {
		return byline.Errorf(byline.EINVALID, "Choose what becomes of your comments: kept as a deleted member's, or removed.")
	}
	return db.inTx(ctx, func(tx *tx) error {
		// Sign-in links still out for the address would make a new account of it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_links WHERE email = (SELECT email FROM members WHERE id = $1)`, id); err != nil {
			return fmt.Errorf("end the member's links: %w", err)
		}
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE members SET email = NULL, name = '', expertise = '', newsletter = FALSE,
			deleted_at = $1, deleted_comments = $2 WHERE id = $3 AND deleted_at IS NULL`, at.UTC(), comments, id))
		if err != nil {
			return db.dialect.classify(err, "member")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such member.")
		}
		for _, q := range []string{`DELETE FROM member_sessions WHERE member_id = $1`, `DELETE FROM member_links WHERE member_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("end the member's sessions: %w", err)
			}
		}
		return nil
	})
}

// memberLinkKeep is how long a link is kept after it expired: a second click within it
// hears "used" or "expired", not "unknown".
const memberLinkKeep = 7 * 24 * time.Hour

const memberLinkColumns = `token_hash, purpose, email, name, member_id, code_hash, return_path, created_at, expires_at, code_expires_at, used_at, ip`

func scanMemberLink(row rowScanner) (*byline.MemberLink, error) {
	var l byline.MemberLink
	var member sql.NullInt64
	var used sql.NullTime
	if err := row.Scan(&l.TokenHash, &l.Purpose, &l.Email, &l.Name, &member, &l.CodeHash, &l.Return, &l.CreatedAt, &l.ExpiresAt,
		&l.CodeExpiresAt, &used, &l.IP); err != nil {
		return nil, err
	}
	l.MemberID = member.Int64
	l.CreatedAt, l.ExpiresAt, l.CodeExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC(), l.CodeExpiresAt.UTC()
	if used.Valid {
		l.UsedAt = used.Time.UTC()
	}
	return &l, nil
}

// CreateMemberLink stores a link, and forgets those expired long ago.
func (db *DB) CreateMemberLink(ctx context.Context, l *byline.MemberLink) error {
	var member any
	if l.MemberID != 0 {
		member = l.MemberID
	}
	return db.inTx(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_links WHERE expires_at < $1`, l.CreatedAt.UTC().Add(-memberLinkKeep)); err != nil {
			return fmt.Errorf("forget old links: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO member_links (`+memberLinkColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11)`, l.TokenHash, l.Purpose, l.Email, l.Name, member, l.CodeHash,
			l.Return, l.CreatedAt.UTC(), l.ExpiresAt.UTC(), l.CodeExpiresAt.UTC(), l.IP)
		return db.dialect.classify(err, "sign-in link")
	})
}

// errMemberLinkGone answers a link the store does not know.
var errMemberLinkGone = byline.Errorf(byline.ENOTFOUND, "This link does not work: it may be mistyped, or too old. Ask for a new one.")

// FindMemberLink returns the link with the token hash, used or not.
func (db *DB) FindMemberLink(ctx context.Context, tokenHash string) (*byline.MemberLink, error) {
	l, err := scanMemberLink(db.queryRow(ctx, `SELECT `+memberLinkColumns+` FROM member_links WHERE token_hash = $1`, tokenHash))
	if err == sql.ErrNoRows {
		return nil, errMemberLinkGone
	}
	return l, db.dialect.classify(err, "sign-in link")
}

// FindMemberCodes lists the unused links to the address whose code still works.
func (db *DB) FindMemberCodes(ctx context.Context, email string, now time.Time) ([]*byline.MemberLink, error) {
	return collect(ctx, db, "find sign-in codes", scanMemberLink, `SELECT `+memberLinkColumns+` FROM member_links
		WHERE email = $1 AND purpose = 'signin' AND used_at IS NULL AND code_hash <> '' AND code_expires_at > $2
		ORDER BY created_at DESC LIMIT 20`, email, now.UTC())
}

// UseMemberLink uses a link once: the conditional update that marks it used lets one
// request through, however many nodes are asked at once.
func (db *DB) UseMemberLink(ctx context.Context, tokenHash string, byCode bool, session *byline.MemberSession, now time.Time) (*byline.MemberLink, *byline.Member, error) {
	now = now.UTC()
	var link *byline.MemberLink
	var member *byline.Member
	err := db.inTx(ctx, func(tx *tx) error {
		var err error
		link, err = scanMemberLink(tx.QueryRowContext(ctx, `UPDATE member_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL
			RETURNING `+memberLinkColumns, now, tokenHash))
		if err == sql.ErrNoRows {
			if _, ferr := scanMemberLink(tx.QueryRowContext(ctx, `SELECT `+memberLinkColumns+` FROM member_links WHERE token_hash = $1`, tokenHash)); ferr == nil {
				return byline.Errorf(byline.ECONFLICT, "This link was used already.")
			}
			return errMemberLinkGone
		} else if err != nil {
			return db.dialect.classify(err, "sign-in link")
		}
		end := link.ExpiresAt
		if byCode {
			end = link.CodeExpiresAt
		}
		if !now.Before(end) {
			return byline.Errorf(byline.EINVALID, "This link has expired.")
		}
		switch link.Purpose {
		case byline.LinkEmail:
			n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE members SET email = $1 WHERE id = $2 AND deleted_at IS NULL`, link.Email, link.MemberID))
			if byline.ErrorCode(db.dialect.classify(err, "member")) == byline.ECONFLICT {
				return byline.Errorf(byline.ECONFLICT, "Another account has the address %s now: your address stays as it was.", link.Email)
			} else if err != nil {
				return db.dialect.classify(err, "member")
			} else if n == 0 {
				return errMemberLinkGone
			}
		case byline.LinkSignIn:
			member, err = scanMember(tx.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members WHERE email = $1`, link.Email))
			if err == sql.ErrNoRows {
				member = &byline.Member{Email: link.Email, Name: link.Name}
				if err := db.createMember(ctx, tx, member); err != nil {
					return err
				}
			} else if err != nil {
				return db.dialect.classify(err, "member")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE members SET signed_in_at = $1 WHERE id = $2`, now, member.ID); err != nil {
				return db.dialect.classify(err, "member")
			}
			member.SignedInAt = now
			// The other links and codes sent to the address for signing in end with this one.
			if _, err := tx.ExecContext(ctx, `UPDATE member_links SET used_at = $1 WHERE email = $2 AND purpose = 'signin' AND used_at IS NULL`, now, link.Email); err != nil {
				return fmt.Errorf("end the address's other links: %w", err)
			}
			if session != nil {
				session.MemberID = member.ID
				if err := insertMemberSession(ctx, tx, session); err != nil {
					return db.dialect.classify(err, "session")
				}
			}
			return nil
		default:
			return errMemberLinkGone
		}
		member, err = scanMember(tx.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members WHERE id = $1`, link.MemberID))
		return db.dialect.classify(err, "member")
	})
	if err != nil {
		return nil, nil, err
	}
	return link, member, nil
}

func insertMemberSession(ctx context.Context, tx *tx, s *byline.MemberSession) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO member_sessions (token_hash, member_id, created_at, seen_at, ip) VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.MemberID, s.CreatedAt.UTC(), s.SeenAt.UTC(), s.IP)
	return err
}

// CreateMemberSession stores a session.
func (db *DB) CreateMemberSession(ctx context.Context, s *byline.MemberSession) error {
	return db.inTx(ctx, func(tx *tx) error { return db.dialect.classify(insertMemberSession(ctx, tx, s), "session") })
}

const memberSessionColumns = `s.token_hash, s.member_id, s.created_at, s.seen_at, s.ip`

func scanMemberSession(row rowScanner) (*byline.MemberSession, error) {
	var s byline.MemberSession
	if err := row.Scan(&s.TokenHash, &s.MemberID, &s.CreatedAt, &s.SeenAt, &s.IP); err != nil {
		return nil, err
	}
	s.CreatedAt, s.SeenAt = s.CreatedAt.UTC(), s.SeenAt.UTC()
	return &s, nil
}

// FindMemberSession returns the session and its member, in one query: it runs for every
// page a member reads.
func (db *DB) FindMemberSession(ctx context.Context, tokenHash string) (*byline.MemberSession, *byline.Member, error) {
	var s byline.MemberSession
	var f memberFields
	err := db.queryRow(ctx, `SELECT `+memberSessionColumns+`, m.`+strings.ReplaceAll(memberColumns, ", ", ", m.")+`
		FROM member_sessions s JOIN members m ON m.id = s.member_id WHERE s.token_hash = $1 AND m.deleted_at IS NULL`, tokenHash).
		Scan(append([]any{&s.TokenHash, &s.MemberID, &s.CreatedAt, &s.SeenAt, &s.IP}, f.dest()...)...)
	if err != nil {
		return nil, nil, db.dialect.classify(err, "session")
	}
	s.CreatedAt, s.SeenAt = s.CreatedAt.UTC(), s.SeenAt.UTC()
	return &s, f.member(), nil
}

// FindMemberSessions lists the member's sessions, newest first.
func (db *DB) FindMemberSessions(ctx context.Context, memberID int64) ([]*byline.MemberSession, error) {
	return collect(ctx, db, "find sessions", scanMemberSession, `SELECT `+memberSessionColumns+` FROM member_sessions s
		WHERE s.member_id = $1 ORDER BY s.created_at DESC`, memberID)
}

// TouchMemberSession records that the session was used at the time.
func (db *DB) TouchMemberSession(ctx context.Context, tokenHash string, at time.Time) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE member_sessions SET seen_at = $1 WHERE token_hash = $2`, at.UTC(), tokenHash)
		return db.dialect.classify(err, "session")
	})
}

// DeleteMemberSession ends one session.
func (db *DB) DeleteMemberSession(ctx context.Context, tokenHash string) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM member_sessions WHERE token_hash = $1`, tokenHash)
		return db.dialect.classify(err, "session")
	})
}

// DeleteMemberSessions ends every session of the member.
func (db *DB) DeleteMemberSessions(ctx context.Context, memberID int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM member_sessions WHERE member_id = $1`, memberID)
		return db.dialect.classify(err, "session")
	})
}

var _ byline.MemberStore = (*DB)(nil)
