package byline

import "time"

// PasswordReset is a request to set a new password, proven by a link sent by email. The
// store keeps only the hash of the link's token; a reset is used once.
type PasswordReset struct {
	TokenHash string
	StaffID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Invitation asks someone to join the staff with a role: the link sent by email lets them
// choose a password and creates their account. It is used once; the store keeps the hash of
// its token.
type Invitation struct {
	ID        int64
	TokenHash string
	Email     string
	Name      string
	Role      Role
	InvitedBy int64 // the inviter's account; 0 once it is gone
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Validate checks an invitation before it is stored. Nobody is invited as the Owner.
func (i *Invitation) Validate() error {
	s := Staff{Email: i.Email, Name: i.Name, Role: i.Role, PasswordHash: "-"}
	if err := s.Validate(); err != nil {
		return err
	}
	if i.Role == RoleOwner {
		return onField("role", Errorf(EINVALID, "Nobody is invited as the Owner: the Owner hands ownership over to an account."))
	}
	return nil
}

// PendingSignIn is a sign-in halfway: the password was right, the account's two-factor
// code is still to come. It lives a few minutes, server-side, so that any node finishes it.
type PendingSignIn struct {
	TokenHash string
	StaffID   int64
	CreatedAt time.Time
	IP        string
}
