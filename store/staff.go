package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"byline"
)

const staffColumns = `id, email, name, role, password_hash, created_at, totp_secret, signed_in_at`

// staffColumnsOf is staffColumns of the table under the alias.
func staffColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(staffColumns, ", ", ", "+alias+".")
}

// staffFields are scanStaff's destinations, for a query that reads more than the account.
type staffFields struct {
	s        byline.Staff
	signedIn sql.NullTime
}

func (f *staffFields) dest() []any {
	return []any{&f.s.ID, &f.s.Email, &f.s.Name, &f.s.Role, &f.s.PasswordHash, &f.s.CreatedAt, &f.s.TOTPSecret, &f.signedIn}
}

func (f *staffFields) staff() *byline.Staff {
	f.s.CreatedAt = f.s.CreatedAt.UTC()
	if f.signedIn.Valid {
		f.s.SignedInAt = f.signedIn.Time.UTC()
	}
	return &f.s
}

func scanStaff(row interface{ Scan(...any) error }) (*byline.Staff, error) {
	var f staffFields
	if err := row.Scan(f.dest()...); err != nil {
		return nil, err
	}
	return f.staff(), nil
}

// CreateStaff stores a new staff account; see byline.StaffStore.
func (db *DB) CreateStaff(ctx context.Context, s *byline.Staff) error {
	email, err := byline.NormalizeEmail(s.Email)
	if err != nil {
		return err
	}
	s.Email = email
	if err := s.Validate(); err != nil {
		return err
	}
	s.CreatedAt = db.now()
	return db.inTx(ctx, func(tx *tx) error {
		if s.Role == byline.RoleOwner {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE role = 'owner'`).Scan(&n); err != nil {
				return fmt.Errorf("count owners: %w", err)
			}
			if n > 0 {
				return byline.Errorf(byline.ECONFLICT, "The newsroom has an Owner already; there is only one.")
			}
		}
		// Any account ends the one-time setup.
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_setup`); err != nil {
			return fmt.Errorf("end the setup: %w", err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO staff (email, name, role, password_hash, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, s.Email, s.Name, string(s.Role), s.PasswordHash, s.CreatedAt).Scan(&s.ID)
		if byline.ErrorCode(db.dialect.classify(err, "staff account")) == byline.ECONFLICT {
			if s.Role == byline.RoleOwner { // another Owner was created meanwhile, or the email is taken
				return byline.Errorf(byline.ECONFLICT, "There is an Owner, or a staff account for %s, already.", s.Email)
			}
			return byline.Errorf(byline.ECONFLICT, "There is a staff account for %s already.", s.Email)
		}
		return db.dialect.classify(err, "staff account")
	})
}

// FindStaffByEmail returns the account with that address, in any case.
func (db *DB) FindStaffByEmail(ctx context.Context, email string) (*byline.Staff, error) {
	email, err := byline.NormalizeEmail(email)
	if err != nil {
		return nil, byline.Errorf(byline.ENOTFOUND, "No such staff account.")
	}
	s, err := scanStaff(db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
	return s, db.dialect.classify(err, "staff account")
}

// FindStaffByID returns the account with that id.
func (db *DB) FindStaffByID(ctx context.Context, id int64) (*byline.Staff, error) {
	s, err := scanStaff(db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
	return s, db.dialect.classify(err, "staff account")
}

// FindStaff lists every staff account by name.
func (db *DB) FindStaff(ctx context.Context) ([]*byline.Staff, error) {
	return collect(ctx, db, "find staff", scanStaff, `SELECT `+staffColumns+` FROM staff ORDER BY name, id`)
}

// CountStaff counts the staff accounts.
func (db *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM staff`).Scan(&n)
	return n, db.dialect.classify(err, "staff count")
}
