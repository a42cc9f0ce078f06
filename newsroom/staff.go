package newsroom

import (
	"context"
	"strings"
	"time"

	"byline"
)

// Newsroom manages the staff accounts: creating them, inviting, roles, ownership,
// passwords and two-factor. Everything but AddStaff needs Sessions (for limits, the audit
// log and ending sessions); resets and invitations need Mail and BaseURL too.
type Newsroom struct {
	Store    byline.StaffStore
	Sessions byline.SessionStore
	// Mail sends password resets and invitations (the outbox, package mail).
	Mail byline.Mailer
	// BaseURL is the site's absolute address without a trailing slash: links in messages
	// start with it.
	BaseURL string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (n *Newsroom) now() time.Time {
	if n.Now != nil {
		return n.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// audit records an entry in the audit log.
func (n *Newsroom) audit(ctx context.Context, staffID int64, action, subject, ip string) error {
	return n.Sessions.Audit(ctx, &byline.AuditEntry{At: n.now(), StaffID: staffID, Action: action, Subject: subject, IP: ip})
}

// AddStaff creates a staff account with the password given. The first account of a newsroom
// must be its Owner; only one Owner exists.
func (n *Newsroom) AddStaff(ctx context.Context, email, name string, role byline.Role, password string) (*byline.Staff, error) {
	count, err := n.Store.CountStaff(ctx)
	if err != nil {
		return nil, err
	}
	if count == 0 && role != byline.RoleOwner {
		return nil, byline.Errorf(byline.EINVALID, "The first staff account is the newsroom's Owner: give it the role owner.")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	s := &byline.Staff{Email: email, Name: strings.TrimSpace(name), Role: role, PasswordHash: hash}
	if err := n.Store.CreateStaff(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}
