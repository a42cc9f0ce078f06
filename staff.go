package byline

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Role is what a staff member may do in the newsroom. Roles are ordered: each may do what the
// ones before it may, and more (Moderator stands beside the desk: comments and members).
type Role string

// The staff roles, from the least to the most trusted.
const (
	RoleContributor   Role = "contributor"   // writes and edits own drafts, cannot publish
	RoleAuthor        Role = "author"        // publishes own articles
	RoleModerator     Role = "moderator"     // comments and member sanctions
	RoleEditor        Role = "editor"        // every article, tags, authors' and contributors' accounts
	RoleAdministrator Role = "administrator" // everything but the Owner
	RoleOwner         Role = "owner"         // one per newsroom; can hand ownership over
)

// Roles lists the roles in order, for forms and messages.
var Roles = []Role{RoleContributor, RoleAuthor, RoleModerator, RoleEditor, RoleAdministrator, RoleOwner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// Staff is a member of the newsroom's staff: an account that signs in to the admin. Staff
// and members (readers) are different accounts with different sessions.
type Staff struct {
	ID    int64
	Email string // lower-cased; signs in with it
	Name  string
	Role  Role
	// PasswordHash is the password's argon2id hash in the PHC string format; never the
	// password itself.
	PasswordHash string
	CreatedAt    time.Time
	// TOTPSecret is the base32 secret of the account's two-factor codes (RFC 6238), or
	// empty when two-factor is off.
	TOTPSecret string
	// SignedInAt is when the account last started a session; zero when it never did.
	SignedInAt time.Time
}

// TwoFactor reports whether signing in asks for a code besides the password.
func (s *Staff) TwoFactor() bool { return s.TOTPSecret != "" }

// MaxEmail bounds an email address (RFC 5321 allows 254 characters in a path).
const MaxEmail = 254

// NormalizeEmail returns the address lower-cased and trimmed, or EINVALID when it is not one
// address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := CheckText("email address", email, MaxEmail); err != nil {
		return "", onField("email", err)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", onField("email", Errorf(EINVALID, "%q is not an email address.", email))
	}
	return email, nil
}

// Validate checks a staff account before it is stored.
func (s *Staff) Validate() error {
	if _, err := NormalizeEmail(s.Email); err != nil {
		return err
	}
	if strings.TrimSpace(s.Name) == "" {
		return onField("name", Errorf(EINVALID, "Every staff member needs a name."))
	}
	if err := CheckText("name", s.Name, MaxName); err != nil {
		return onField("name", err)
	}
	if strings.IndexFunc(s.Name, unicode.IsControl) >= 0 {
		return onField("name", Errorf(EINVALID, "A name is one line of text: no line breaks, tabs or other control characters."))
	}
	if !s.Role.Valid() {
		return onField("role", Errorf(EINVALID, "%q is not a role: use contributor, author, moderator, editor, administrator or owner.", s.Role))
	}
	if s.PasswordHash == "" {
		return onField("password", Errorf(EINVALID, "A staff account needs a password."))
	}
	return nil
}

// StaffStore keeps staff accounts.
type StaffStore interface {
	// CreateStaff stores a new account and sets its ID; ECONFLICT when the email is taken,
	// or when s is an Owner and the newsroom has one already.
	CreateStaff(ctx context.Context, s *Staff) error
	// FindStaffByEmail and FindStaffByID return ENOTFOUND when there is none.
	FindStaffByEmail(ctx context.Context, email string) (*Staff, error)
	FindStaffByID(ctx context.Context, id int64) (*Staff, error)
	// FindStaff lists every account, by name.
	FindStaff(ctx context.Context) ([]*Staff, error)
	// CountStaff counts the accounts: with none, the admin offers the one-time setup.
	CountStaff(ctx context.Context) (int, error)
	// SetupToken returns the code that the one-time setup asks for while the newsroom has
	// no staff, storing candidate first when there is none. Creating any account ends it.
	SetupToken(ctx context.Context, candidate string, at time.Time) (string, error)

	// UpdateStaffRole changes an account's role from one to another: ECONFLICT when its
	// role is no longer from (someone changed it meanwhile), or to is Owner. The account's
	// open invitations that role to may not give are withdrawn with it.
	UpdateStaffRole(ctx context.Context, id int64, from, to Role) error
	// DeleteStaff removes an account that still has the role (ECONFLICT otherwise), and
	// with it its sessions and the invitations it sent; its articles and audit entries stay.
	DeleteStaff(ctx context.Context, id int64, role Role) error
	// HandOverOwnership makes account to the Owner and the Owner ownerID an Administrator,
	// in one transaction; ECONFLICT when ownerID is not the Owner any more.
	HandOverOwnership(ctx context.Context, ownerID, to int64) error
	// UpdateStaffPassword sets an account's password hash and ends its sessions but the one
	// with keepSession's hash (none when empty), its pending sign-ins and password resets.
	UpdateStaffPassword(ctx context.Context, id int64, hash, keepSession string) error
	// UpdateStaffTOTP sets (or with "" clears) the account's two-factor secret; usedStep is
	// the time step of the code that confirmed it, which cannot be used again.
	UpdateStaffTOTP(ctx context.Context, id int64, secret string, usedStep int64) error
	// UseTOTPStep records that the account used a code of the time step, and reports false
	// when a code of that step or a later one was used already (a code works once).
	UseTOTPStep(ctx context.Context, id int64, step int64) (bool, error)

	// CreatePasswordReset stores a reset.
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// FindPasswordReset returns the reset with the token hash, or ENOTFOUND; it may have
	// expired.
	FindPasswordReset(ctx context.Context, tokenHash string) (*PasswordReset, error)
	// ResetPassword uses the reset with the token hash, once: it sets the account's password
	// hash and ends its sessions, in one transaction. ENOTFOUND when the reset is unknown,
	// used or has expired at now.
	ResetPassword(ctx context.Context, tokenHash, passwordHash string, now time.Time) (*Staff, error)

	// CreateInvitation stores an invitation and sets its ID, replacing an earlier one to the
	// same address; ECONFLICT when an account has the address.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// FindInvitations lists the invitations that have not expired at now, newest first.
	FindInvitations(ctx context.Context, now time.Time) ([]*Invitation, error)
	// FindInvitation returns the invitation with the token hash, or ENOTFOUND; it may have
	// expired.
	FindInvitation(ctx context.Context, tokenHash string) (*Invitation, error)
	// DeleteInvitation revokes an invitation; ENOTFOUND when there is none.
	DeleteInvitation(ctx context.Context, id int64) error
	// AcceptInvitation uses the invitation with the token hash, once, and creates the
	// account s with its address and role, in one transaction. ENOTFOUND when the
	// invitation is unknown, used or has expired at now, or when the account that sent it
	// is gone or may no longer give its role; ECONFLICT when the address has an account
	// already.
	AcceptInvitation(ctx context.Context, tokenHash string, s *Staff, now time.Time) error
}

// StaffSession is a signed-in staff member's session, kept server-side so that any node
// serves it and "sign out everywhere" takes effect at once. The cookie carries a random
// token; the store keeps only its hash.
type StaffSession struct {
	TokenHash string
	StaffID   int64
	CreatedAt time.Time
	SeenAt    time.Time
	IP        string
}

// AuditEntry is one line of the audit log: who did what, when, from which address.
type AuditEntry struct {
	ID      int64
	At      time.Time
	StaffID int64 // 0 when nobody was signed in (a failed sign-in) or the account is gone
	// StaffName and StaffEmail name the account as it was when the entry was written (the
	// store fills them in from StaffID): they outlive the account.
	StaffName, StaffEmail string
	Action                string
	Subject               string
	IP                    string
}

// SessionStore keeps staff sessions, the counters that limit sign-in attempts, and the
// audit log.
type SessionStore interface {
	// CreateStaffSession stores a new session.
	CreateStaffSession(ctx context.Context, s *StaffSession) error
	// FindStaffSession returns the session with that token hash and its account, or
	// ENOTFOUND.
	FindStaffSession(ctx context.Context, tokenHash string) (*StaffSession, *Staff, error)
	// TouchStaffSession records that the session was used at the time.
	TouchStaffSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteStaffSession ends one session; DeleteStaffSessions ends all of an account's.
	DeleteStaffSession(ctx context.Context, tokenHash string) error
	DeleteStaffSessions(ctx context.Context, staffID int64) error
	// Hit counts one attempt under key in the window that started at most window ago, and
	// returns the count including this one. Nodes that share the store share the counts.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	// Audit appends an entry to the audit log; FindAudit lists the newest first.
	Audit(ctx context.Context, e *AuditEntry) error
	FindAudit(ctx context.Context, limit int) ([]*AuditEntry, error)
	// CreatePendingSignIn stores a sign-in waiting for its two-factor code;
	// FindPendingSignIn returns it and its account, or ENOTFOUND; DeletePendingSignIn
	// removes it and reports whether it was there (so that only one request finishes it).
	CreatePendingSignIn(ctx context.Context, p *PendingSignIn) error
	FindPendingSignIn(ctx context.Context, tokenHash string) (*PendingSignIn, *Staff, error)
	DeletePendingSignIn(ctx context.Context, tokenHash string) (bool, error)
}
