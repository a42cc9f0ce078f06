package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"byline"
)

// Staff accounts beyond their creation: the setup code, roles, ownership, passwords,
// two-factor, password resets, invitations and sign-ins waiting for a code.

// errLinkGone answers a reset or invitation link that is unknown, used or expired alike.
var errLinkGone = byline.Errorf(byline.ENOTFOUND, "This link has expired or has been used already. Ask for a new one.")

// errInviterGone answers an invitation whose sender can no longer give its role.
var errInviterGone = byline.Errorf(byline.ENOTFOUND, "This invitation no longer works: whoever sent it can no longer give that role. Ask for a new one.")

// SetupToken returns the one-time setup code, storing candidate when there is none, or ""
// when the newsroom has staff. Nodes starting at once agree on one code.
func (db *DB) SetupToken(ctx context.Context, candidate string, at time.Time) (string, error) {
	var token string
	err := db.inTx(ctx, func(tx *tx) error {
		token = ""
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff`).Scan(&n); err != nil {
			return fmt.Errorf("count staff: %w", err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_setup (id, token, created_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO NOTHING`, candidate, at.UTC()); err != nil {
			return fmt.Errorf("store the setup code: %w", err)
		}
		return tx.QueryRowContext(ctx, `SELECT token FROM staff_setup WHERE id = 1`).Scan(&token)
	})
	return token, err
}

// rowsChanged returns how many rows a statement changed.
func rowsChanged(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// staffGoneOrChanged tells a change that touched no row why: the account is gone, or its
// role changed meanwhile.
func staffGoneOrChanged(ctx context.Context, tx *tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return byline.Errorf(byline.ENOTFOUND, "No such staff account.")
	}
	return byline.Errorf(byline.ECONFLICT, "Someone changed this account meanwhile: look at it again.")
}

// UpdateStaffRole changes an account's role if it still has role from, and withdraws the
// invitations it sent that the new role may not give.
func (db *DB) UpdateStaffRole(ctx context.Context, id int64, from, to byline.Role) error {
	if !to.Valid() || to == byline.RoleOwner {
		return byline.Errorf(byline.EINVALID, "%q is not a role an account can be given: ownership is handed over.", to)
	}
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET role = $1 WHERE id = $2 AND role = $3`, string(to), id, string(from)))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return staffGoneOrChanged(ctx, tx, id)
		}
		return dropInvitations(ctx, tx, id, to)
	})
}

// dropInvitations deletes the open invitations the account sent that its role (now) may not
// give; all of them when role is "" (the account is going).
func dropInvitations(ctx context.Context, tx *tx, id int64, role byline.Role) error {
	for _, r := range byline.Roles {
		if role != "" && role.CanManage(r, r) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_invitations WHERE invited_by = $1 AND role = $2`, id, string(r)); err != nil {
			return fmt.Errorf("withdraw the account's invitations: %w", err)
		}
	}
	return nil
}

// DeleteStaff removes an account that still has the role; its sessions and the invitations
// it sent go with it.
func (db *DB) DeleteStaff(ctx context.Context, id int64, role byline.Role) error {
	return db.inTx(ctx, func(tx *tx) error {
		if err := dropInvitations(ctx, tx, id, ""); err != nil {
			return err
		}
		n, err := rowsChanged(tx.ExecContext(ctx, `DELETE FROM staff WHERE id = $1 AND role = $2`, id, string(role)))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return staffGoneOrChanged(ctx, tx, id)
		}
		return nil
	})
}

// HandOverOwnership makes to the Owner and the Owner an Administrator. The Owner steps
// down first: the one-owner index holds after each statement.
func (db *DB) HandOverOwnership(ctx context.Context, ownerID, to int64) error {
	if ownerID == to {
		return byline.Errorf(byline.EINVALID, "You are the Owner already.")
	}
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET role = 'administrator' WHERE id = $1 AND role = 'owner'`, ownerID))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return byline.Errorf(byline.ECONFLICT, "Only the Owner hands ownership over, and this account is not the Owner any more.")
		}
		n, err = rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET role = 'owner' WHERE id = $1`, to))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such staff account.")
		}
		return nil
	})
}

// UpdateStaffPassword sets the password hash and ends every other way into the account.
func (db *DB) UpdateStaffPassword(ctx context.Context, id int64, hash, keepSession string) error {
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET password_hash = $1 WHERE id = $2`, hash, id))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such staff account.")
		}
		return endAccess(ctx, tx, id, keepSession)
	})
}

// endAccess ends an account's sessions but keep's, its pending sign-ins and resets.
func endAccess(ctx context.Context, tx *tx, id int64, keep string) error {
	for _, q := range []string{
		`DELETE FROM staff_sessions WHERE staff_id = $1 AND token_hash <> $2`,
		`DELETE FROM pending_signins WHERE staff_id = $1 AND token_hash <> $2`,
		`DELETE FROM password_resets WHERE staff_id = $1 AND token_hash <> $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, id, keep); err != nil {
			return fmt.Errorf("end the account's sessions: %w", err)
		}
	}
	return nil
}

// UpdateStaffTOTP sets or clears the account's two-factor secret.
func (db *DB) UpdateStaffTOTP(ctx context.Context, id int64, secret string, usedStep int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET totp_secret = $1, totp_step = $2 WHERE id = $3`, secret, usedStep, id))
		if err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such staff account.")
		}
		return nil
	})
}

// UseTOTPStep records a used code's time step, in one statement: two nodes given the same
// code at once accept it once.
func (db *DB) UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error) {
	var n int64
	err := db.inTx(ctx, func(tx *tx) error {
		var err error
		n, err = rowsChanged(tx.ExecContext(ctx, `UPDATE staff SET totp_step = $1 WHERE id = $2 AND totp_step < $3`, step, id, step))
		return db.dialect.classify(err, "staff account")
	})
	return n == 1, err
}

// CreatePasswordReset stores a reset, and forgets resets long expired.
func (db *DB) CreatePasswordReset(ctx context.Context, r *byline.PasswordReset) error {
	return db.inTx(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE expires_at < $1`, r.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("forget expired resets: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			r.TokenHash, r.StaffID, r.CreatedAt.UTC(), r.ExpiresAt.UTC())
		return db.dialect.classify(err, "password reset")
	})
}

// FindPasswordReset returns the reset with the token hash.
func (db *DB) FindPasswordReset(ctx context.Context, tokenHash string) (*byline.PasswordReset, error) {
	var r byline.PasswordReset
	err := db.queryRow(ctx, `SELECT token_hash, staff_id, created_at, expires_at FROM password_resets WHERE token_hash = $1`, tokenHash).
		Scan(&r.TokenHash, &r.StaffID, &r.CreatedAt, &r.ExpiresAt)
	if err == sql.ErrNoRows {
		return nil, errLinkGone
	} else if err != nil {
		return nil, db.dialect.classify(err, "password reset")
	}
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	return &r, nil
}

// ResetPassword uses a reset once: the row is deleted in the transaction that sets the
// password, so two requests with one link cannot both succeed.
func (db *DB) ResetPassword(ctx context.Context, tokenHash, passwordHash string, now time.Time) (*byline.Staff, error) {
	var staff *byline.Staff
	err := db.inTx(ctx, func(tx *tx) error {
		var id int64
		var expires time.Time
		err := tx.QueryRowContext(ctx, `DELETE FROM password_resets WHERE token_hash = $1 RETURNING staff_id, expires_at`, tokenHash).Scan(&id, &expires)
		if err == sql.ErrNoRows {
			return errLinkGone
		} else if err != nil {
			return db.dialect.classify(err, "password reset")
		}
		if !now.Before(expires) {
			return errLinkGone
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = $1 WHERE id = $2`, passwordHash, id); err != nil {
			return db.dialect.classify(err, "staff account")
		}
		if err := endAccess(ctx, tx, id, ""); err != nil {
			return err
		}
		staff, err = scanStaff(tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
		return db.dialect.classify(err, "staff account")
	})
	return staff, err
}

const invitationColumns = `id, token_hash, email, name, role, invited_by, created_at, expires_at`

func scanInvitation(row interface{ Scan(...any) error }) (*byline.Invitation, error) {
	var inv byline.Invitation
	var by sql.NullInt64
	if err := row.Scan(&inv.ID, &inv.TokenHash, &inv.Email, &inv.Name, &inv.Role, &by, &inv.CreatedAt, &inv.ExpiresAt); err != nil {
		return nil, err
	}
	inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt = by.Int64, inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return &inv, nil
}

// CreateInvitation stores an invitation, replacing an earlier one to the same address.
func (db *DB) CreateInvitation(ctx context.Context, inv *byline.Invitation) error {
	email, err := byline.NormalizeEmail(inv.Email)
	if err != nil {
		return err
	}
	inv.Email = email
	if err := inv.Validate(); err != nil {
		return err
	}
	var by any
	if inv.InvitedBy != 0 {
		by = inv.InvitedBy
	}
	return db.inTx(ctx, func(tx *tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE email = $1`, inv.Email).Scan(&n); err != nil {
			return fmt.Errorf("look for the account: %w", err)
		}
		if n > 0 {
			return byline.Errorf(byline.ECONFLICT, "There is a staff account for %s already.", inv.Email)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_invitations WHERE email = $1 OR expires_at < $2`, inv.Email, inv.CreatedAt.UTC()); err != nil {
			return fmt.Errorf("replace the invitation: %w", err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO staff_invitations (token_hash, email, name, role, invited_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, inv.TokenHash, inv.Email, inv.Name, string(inv.Role), by,
			inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()).Scan(&inv.ID)
		return db.dialect.classify(err, "invitation")
	})
}

// FindInvitations lists the invitations still open at now, newest first.
func (db *DB) FindInvitations(ctx context.Context, now time.Time) ([]*byline.Invitation, error) {
	rows, err := db.query(ctx, `SELECT `+invitationColumns+` FROM staff_invitations ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	defer rows.Close()
	var list []*byline.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan invitation: %w", err)
		}
		if now.Before(inv.ExpiresAt) {
			list = append(list, inv)
		}
	}
	return list, rows.Err()
}

// FindInvitation returns the invitation with the token hash.
func (db *DB) FindInvitation(ctx context.Context, tokenHash string) (*byline.Invitation, error) {
	inv, err := scanInvitation(db.queryRow(ctx, `SELECT `+invitationColumns+` FROM staff_invitations WHERE token_hash = $1`, tokenHash))
	if err == sql.ErrNoRows {
		return nil, errLinkGone
	}
	return inv, db.dialect.classify(err, "invitation")
}

// DeleteInvitation revokes an invitation.
func (db *DB) DeleteInvitation(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *tx) error {
		n, err := rowsChanged(tx.ExecContext(ctx, `DELETE FROM staff_invitations WHERE id = $1`, id))
		if err != nil {
			return db.dialect.classify(err, "invitation")
		}
		if n == 0 {
			return byline.Errorf(byline.ENOTFOUND, "No such invitation: it may have been accepted or revoked already.")
		}
		return nil
	})
}

// AcceptInvitation uses an invitation once and creates its account, if the account that
// sent it still exists and may still give its role.
func (db *DB) AcceptInvitation(ctx context.Context, tokenHash string, s *byline.Staff, now time.Time) error {
	return db.inTx(ctx, func(tx *tx) error {
		var role string
		var expires time.Time
		var by sql.NullInt64
		err := tx.QueryRowContext(ctx, `DELETE FROM staff_invitations WHERE token_hash = $1 RETURNING email, role, expires_at, invited_by`, tokenHash).
			Scan(&s.Email, &role, &expires, &by)
		if err == sql.ErrNoRows {
			return errLinkGone
		} else if err != nil {
			return db.dialect.classify(err, "invitation")
		}
		if !now.Before(expires) {
			return errLinkGone
		}
		// The inviter must still be able to give the role: an account removed or demoted
		// since takes its invitations' power with it. The no-op update locks the inviter's
		// row, so that a removal at the same moment waits for this transaction.
		var inviter string
		if by.Valid {
			err = tx.QueryRowContext(ctx, `UPDATE staff SET role = role WHERE id = $1 RETURNING role`, by.Int64).Scan(&inviter)
			if err != nil && err != sql.ErrNoRows {
				return db.dialect.classify(err, "staff account")
			}
		}
		if !byline.Role(inviter).CanManage(byline.Role(role), byline.Role(role)) {
			return errInviterGone
		}
		s.Role, s.CreatedAt = byline.Role(role), db.now()
		if err := s.Validate(); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO staff (email, name, role, password_hash, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, s.Email, s.Name, string(s.Role), s.PasswordHash, s.CreatedAt).Scan(&s.ID)
		if byline.ErrorCode(db.dialect.classify(err, "staff account")) == byline.ECONFLICT {
			return byline.Errorf(byline.ECONFLICT, "There is a staff account for %s already: sign in with it.", s.Email)
		}
		return db.dialect.classify(err, "staff account")
	})
}

// CreatePendingSignIn stores a sign-in waiting for its code, and forgets stale ones.
func (db *DB) CreatePendingSignIn(ctx context.Context, p *byline.PendingSignIn) error {
	return db.inTx(ctx, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_signins WHERE created_at < $1`, p.CreatedAt.UTC().Add(-time.Hour)); err != nil {
			return fmt.Errorf("forget stale sign-ins: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pending_signins (token_hash, staff_id, created_at, ip) VALUES ($1, $2, $3, $4)`,
			p.TokenHash, p.StaffID, p.CreatedAt.UTC(), p.IP)
		return db.dialect.classify(err, "sign-in")
	})
}

// FindPendingSignIn returns a sign-in waiting for its code, and its account.
func (db *DB) FindPendingSignIn(ctx context.Context, tokenHash string) (*byline.PendingSignIn, *byline.Staff, error) {
	var p byline.PendingSignIn
	var st staffFields
	err := db.queryRow(ctx, `SELECT p.token_hash, p.staff_id, p.created_at, p.ip, `+staffColumnsOf("st")+`
		FROM pending_signins p JOIN staff st ON st.id = p.staff_id WHERE p.token_hash = $1`, tokenHash).
		Scan(append([]any{&p.TokenHash, &p.StaffID, &p.CreatedAt, &p.IP}, st.dest()...)...)
	if err != nil {
		return nil, nil, db.dialect.classify(err, "sign-in")
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, st.staff(), nil
}

// DeletePendingSignIn removes a sign-in waiting for its code.
func (db *DB) DeletePendingSignIn(ctx context.Context, tokenHash string) (bool, error) {
	var n int64
	err := db.inTx(ctx, func(tx *tx) error {
		var err error
		n, err = rowsChanged(tx.ExecContext(ctx, `DELETE FROM pending_signins WHERE token_hash = $1`, tokenHash))
		return db.dialect.classify(err, "sign-in")
	})
	return n == 1, err
}
