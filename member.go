package byline

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// MemberStatus says what a member pays: free, paid (a subscription), or comped (given by
// staff). Paid and comped members read what paid members read.
type MemberStatus string

// The member statuses.
const (
	MemberFree   MemberStatus = "free"
	MemberPaid   MemberStatus = "paid"
	MemberComped MemberStatus = "comped"
)

// What becomes of a deleted member's comments, as they chose when they deleted the account.
const (
	CommentsKeep   = "keep"   // kept, signed "deleted member"
	CommentsRemove = "remove" // removed with the account
)

// Member is a reader's account: they sign in by a link or a code sent to their address, and
// have no password. Members and staff are different accounts with different sessions.
type Member struct {
	ID         int64
	Email      string // normalised (NormalizeEmail); "" once the account is deleted
	Name       string
	Expertise  string // a short line shown beside their comments, such as "Nurse in Lyon"
	Newsletter bool   // whether they want the newsletter
	Status     MemberStatus
	CreatedAt  time.Time
	SignedInAt time.Time // zero when they never signed in
	// DeletedAt is when the member deleted the account (zero while it lives), and
	// DeletedComments what they chose for their comments then (CommentsKeep or
	// CommentsRemove).
	DeletedAt       time.Time
	DeletedComments string
}

// Reader returns who the member is as a reader of articles.
func (m *Member) Reader() Reader {
	return Reader{MemberID: m.ID, Paid: m.Status == MemberPaid || m.Status == MemberComped}
}

// MaxExpertise bounds a member's expertise line.
const MaxExpertise = 100

// CheckMemberProfile checks what a member says of themselves: a name and an expertise line,
// each one line of text, the name possibly empty.
func CheckMemberProfile(name, expertise string) error {
	if err := CheckText("name", name, MaxName); err != nil {
		return onField("name", err)
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return onField("name", Errorf(EINVALID, "A name is one line of text: no line breaks, tabs or other control characters."))
	}
	if err := CheckText("expertise", expertise, MaxExpertise); err != nil {
		return onField("expertise", err)
	}
	if strings.IndexFunc(expertise, unicode.IsControl) >= 0 {
		return onField("expertise", Errorf(EINVALID, "Your expertise is one short line of text."))
	}
	return nil
}

// MemberSession is a signed-in member's session, kept server-side like a staff session: the
// cookie carries a random token, the store its hash.
type MemberSession struct {
	TokenHash string
	MemberID  int64
	CreatedAt time.Time
	SeenAt    time.Time
	IP        string
}

// What a member link is for.
const (
	LinkSignIn = "signin" // signs in, creating the account first on a sign-up
	LinkEmail  = "email"  // moves a member to a new address, sent to that address
)

// MemberLink is a link sent by email, with a six-digit code for a sign-in: either signs in
// once, and using one uses the other. The store keeps only hashes of the link's token and of
// the code, and keeps a used or expired link a while, so that a second click can be told
// "used" or "expired" rather than "unknown".
type MemberLink struct {
	TokenHash string
	Purpose   string // LinkSignIn or LinkEmail
	Email     string // the address it was sent to: the member's, or the new one
	Name      string // the name given on sign-up, for a new account
	MemberID  int64  // the member an email link moves; 0 for a sign-in
	CodeHash  string // "" when the link has no code
	// Return is the path on this site the member goes back to afterwards.
	Return        string
	CreatedAt     time.Time
	ExpiresAt     time.Time // the link's end
	CodeExpiresAt time.Time // the code's, sooner
	UsedAt        time.Time // zero until used
	IP            string
}

// MemberStore keeps members, their sessions and their links.
type MemberStore interface {
	// CreateMember stores a new member and sets its ID and CreatedAt; ECONFLICT when the
	// address has an account.
	CreateMember(ctx context.Context, m *Member) error
	// FindMemberByID and FindMemberByEmail return ENOTFOUND when there is none (a deleted
	// account has no address, and FindMemberByID returns it with DeletedAt set).
	FindMemberByID(ctx context.Context, id int64) (*Member, error)
	FindMemberByEmail(ctx context.Context, email string) (*Member, error)
	// UpdateMemberProfile sets what the member says of themselves.
	UpdateMemberProfile(ctx context.Context, id int64, name, expertise string, newsletter bool) error
	// DeleteMember deletes the account at the time: its address, name and expertise are
	// erased, its sessions and links end, and the row keeps comments (CommentsKeep or
	// CommentsRemove) for the comments to come.
	DeleteMember(ctx context.Context, id int64, comments string, at time.Time) error

	// CreateMemberLink stores a link, and forgets links long expired.
	CreateMemberLink(ctx context.Context, l *MemberLink) error
	// FindMemberLink returns the link with the token hash, used or not, or ENOTFOUND.
	FindMemberLink(ctx context.Context, tokenHash string) (*MemberLink, error)
	// FindMemberCodes lists the unused links sent to the address whose code still works at
	// now, newest first.
	FindMemberCodes(ctx context.Context, email string, now time.Time) ([]*MemberLink, error)
	// UseMemberLink uses the link once, at now, in one transaction: byCode says a code was
	// typed (the code's shorter life counts), else the link was followed. A sign-in link
	// signs its member in, creating the account with the link's address and name when there
	// is none, and stores session for them (its MemberID set here) when session is not
	// nil; an email link moves its member to the link's address. It returns the link and
	// the member. ENOTFOUND when the link is unknown, ECONFLICT when it was used, EINVALID
	// when it has expired, ECONFLICT too when the new address has an account meanwhile.
	UseMemberLink(ctx context.Context, tokenHash string, byCode bool, session *MemberSession, now time.Time) (*MemberLink, *Member, error)

	// CreateMemberSession stores a session; FindMemberSession returns it and its member, or
	// ENOTFOUND; FindMemberSessions lists the member's, newest first.
	CreateMemberSession(ctx context.Context, s *MemberSession) error
	FindMemberSession(ctx context.Context, tokenHash string) (*MemberSession, *Member, error)
	FindMemberSessions(ctx context.Context, memberID int64) ([]*MemberSession, error)
	// TouchMemberSession records that the session was used at the time.
	TouchMemberSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteMemberSession ends one session; DeleteMemberSessions ends all of a member's.
	DeleteMemberSession(ctx context.Context, tokenHash string) error
	DeleteMemberSessions(ctx context.Context, memberID int64) error

	// Hit counts one attempt under key in the window (see SessionStore.Hit): members' limits
	// share the staff's counters table.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
}
