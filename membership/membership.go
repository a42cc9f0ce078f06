// Package membership holds the rules of members' accounts: sign-up and sign-in by a link
// and a six-digit code sent by email, sessions, the account's own settings, the data a
// member may take away and the deletion of an account. Tiers, payments and access come
// beside it.
package membership

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"math/big"
	"net/url"
	"strings"
	"time"
	"unicode"

	"byline"
)

// Lifetimes of what a member is sent, and of sessions. A code is typed within minutes; a
// link may wait in a mailbox until the morning. A reader stays signed in for months on
// their own device, unless they leave it unused.
const (
	LinkLifetime    = 24 * time.Hour
	CodeLifetime    = 10 * time.Minute
	SessionIdle     = 60 * 24 * time.Hour
	SessionLifetime = 365 * 24 * time.Hour
	// sessionTouch is how stale a session's last use may be before it is written again.
	sessionTouch = 10 * time.Minute
)

// Limits, counted in the store so that every node shares them.
const (
	requestWindow   = time.Hour
	requestsPerMail = 5  // messages to one address an hour: a mailbox is not to be flooded
	requestsPerIP   = 30 // a school or an office shares one address
	codeWindow      = CodeLifetime
	codesPerMail    = 5 // codes typed for one address: five guesses in a million
	codesPerIP      = 30
	accountWindow   = time.Hour
	emailChanges    = 5 // confirmation messages one member sends an hour
)

// Members signs members up and in, and keeps their accounts.
type Members struct {
	Store    byline.MemberStore
	Settings byline.SettingsStore // the blocked email domains
	Mail     byline.Mailer
	BaseURL  string // the site's absolute address, without a trailing slash
	Now      func() time.Time
}

func (m *Members) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// errLimited answers too many requests for sign-in messages.
var errLimited = byline.Errorf(byline.ELIMITED, "Too many sign-in messages were asked for. Wait an hour, then try again.")

// limit counts an attempt under key and refuses it past max with err.
func (m *Members) limit(ctx context.Context, key string, window time.Duration, max int, err *byline.Error) error {
	n, herr := m.Store.Hit(ctx, key, window, m.now())
	if herr != nil {
		return herr
	}
	if n > max {
		return err
	}
	return nil
}

// ReturnPath keeps a path to go back to only when it is a path on this site: anything else
// (another host, a scheme, a line break) becomes "/". It is never an open redirect.
func ReturnPath(p string) string {
	if len(p) > 2000 || !byline.SitePath(p) || strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "/"
	}
	return p
}

// RequestSignIn sends a link and a code to the address. With signUp, name is the name of
// the account made if the address has none; an address with an account is sent a sign-in
// either way, and one without an account asking to sign in is told how to join. The
// answer is the same whether or not the address has an account; only a malformed or
// blocked address, or a limit, is refused. ret is where the member goes afterwards.
func (m *Members) RequestSignIn(ctx context.Context, email, name, ret, ip string, signUp bool) error {
	if err := m.limit(ctx, "member:request:ip:"+ip, requestWindow, requestsPerIP, errLimited); err != nil {
		return err
	}
	email, err := byline.NormalizeEmail(email)
	if err != nil {
		return err
	}
	name = oneLine(name)
	if err := byline.CheckMemberProfile(name, ""); err != nil {
		return err
	}
	if err := m.checkDomain(ctx, email); err != nil {
		return err
	}
	if err := m.limit(ctx, "member:request:email:"+email, requestWindow, requestsPerMail, errLimited); err != nil {
		return err
	}
	ret = ReturnPath(ret)
	_, err = m.Store.FindMemberByEmail(ctx, email)
	if byline.ErrorCode(err) == byline.ENOTFOUND && !signUp {
		return m.sendNoAccount(ctx, email, ret)
	} else if err != nil && byline.ErrorCode(err) != byline.ENOTFOUND {
		return err
	}
	return m.sendSignIn(ctx, email, name, ret, ip)
}

// checkDomain refuses an address at a blocked domain, plainly: the answer tells nothing of
// who has an account, and a reader left waiting for a message that never comes is worse.
func (m *Members) checkDomain(ctx context.Context, email string) error {
	site, err := m.Settings.FindSettings(ctx)
	if err != nil {
		return err
	}
	if site.EmailDomainBlocked(email) {
		e := byline.Errorf(byline.EINVALID, "Addresses at %s cannot be used here. Use another address.", email[strings.LastIndexByte(email, '@')+1:])
		e.Field = "email"
		return e
	}
	return nil
}

// sendSignIn stores a sign-in link with its code and sends both.
func (m *Members) sendSignIn(ctx context.Context, email, name, ret, ip string) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	code, err := newCode()
	if err != nil {
		return err
	}
	now := m.now()
	l := &byline.MemberLink{TokenHash: tokenHash(token), Purpose: byline.LinkSignIn, Email: email, Name: name,
		CodeHash: codeHash(email, code), Return: ret, CreatedAt: now, ExpiresAt: now.Add(LinkLifetime),
		CodeExpiresAt: now.Add(CodeLifetime), IP: ip}
	msg := byline.Message{To: email, Kind: KindSignIn,
		Subject: fmt.Sprintf("Your sign-in code for %s: %s", m.site(), code),
		Text: fmt.Sprintf("Your code to sign in to %s:\n\n    %s %s\n\nType it on the page that asked for it, within ten minutes.\n\n"+
			"Or open this link, within 24 hours, in any browser:\n\n%s\n\n"+
			"Either works once. If you did not ask to sign in, ignore this message: nothing happens.\n",
			m.site(), code[:3], code[3:], m.BaseURL+"/members/link/"+token),
		HTML: fmt.Sprintf(`<p>Your code to sign in to %s:</p>
<p style="font-size:2em;font-weight:bold;letter-spacing:.2em;font-family:monospace">%s&#8201;%s</p>
<p>Type it on the page that asked for it, within ten minutes.</p>
<p>Or, within 24 hours, in any browser: <a href="%s">sign in to %[1]s</a>.</p>
<p>Either works once. If you did not ask to sign in, ignore this message: nothing happens.</p>
`, html.EscapeString(m.site()), code[:3], code[3:], html.EscapeString(m.BaseURL+"/members/link/"+token))}
	if err := msg.Validate(); err != nil {
		return err
	}
	if err := m.Store.CreateMemberLink(ctx, l); err != nil {
		return err
	}
	return m.Mail.Send(ctx, msg)
}

// sendNoAccount tells an address without an account, asked to sign in, how to join.
func (m *Members) sendNoAccount(ctx context.Context, email, ret string) error {
	q := url.Values{"email": {email}}
	if ret != "/" {
		q.Set("return", ret)
	}
	return m.Mail.Send(ctx, byline.Message{To: email, Kind: KindSignIn,
		Subject: "Signing in to " + m.site(),
		Text: fmt.Sprintf("Someone, hopefully you, asked to sign in to %s with this address, but no member has it.\n\n"+
			"To become a member, open:\n\n%s\n\nIf you did not ask, ignore this message.\n", m.site(), m.BaseURL+"/members/signup?"+q.Encode())})
}

// The kinds of messages members are sent, as the outbox shows them.
const (
	KindSignIn      = "member sign-in"
	KindEmailChange = "member address change"
)

// LinkState is what a link can still do.
type LinkState int

// The states of a link.
const (
	LinkUnknown LinkState = iota // no such link (mistyped, or forgotten long after it expired)
	LinkValid
	LinkUsed
	LinkExpired
)

// Link returns the link of the token and what it can still do. A used or expired link is
// returned too: its page offers a new one.
func (m *Members) Link(ctx context.Context, token string) (*byline.MemberLink, LinkState, error) {
	if !wellFormedToken(token) {
		return nil, LinkUnknown, nil
	}
	l, err := m.Store.FindMemberLink(ctx, tokenHash(token))
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, LinkUnknown, nil
	} else if err != nil {
		return nil, LinkUnknown, err
	}
	switch {
	case !l.UsedAt.IsZero():
		return l, LinkUsed, nil
	case !m.now().Before(l.ExpiresAt):
		return l, LinkExpired, nil
	}
	return l, LinkValid, nil
}

// UseLink uses a link once. A sign-in link starts a session, whose token it returns; an
// email link moves its member to the new address and starts no session (""). ENOTFOUND
// when the link is unknown, ECONFLICT when used, EINVALID when expired.
func (m *Members) UseLink(ctx context.Context, token, ip string) (string, *byline.MemberLink, *byline.Member, error) {
	if !wellFormedToken(token) {
		return "", nil, nil, byline.Errorf(byline.ENOTFOUND, "This link does not work: it may be mistyped. Ask for a new one.")
	}
	return m.use(ctx, tokenHash(token), false, ip)
}

func (m *Members) use(ctx context.Context, hash string, byCode bool, ip string) (string, *byline.MemberLink, *byline.Member, error) {
	session, s, err := m.newSession(ip)
	if err != nil {
		return "", nil, nil, err
	}
	l, member, err := m.Store.UseMemberLink(ctx, hash, byCode, s, m.now())
	if err != nil {
		return "", nil, nil, err
	}
	if l.Purpose != byline.LinkSignIn {
		session = ""
	}
	return session, l, member, nil
}

// errWrongCode answers a code that is not one sent to the address, or no longer works.
var errWrongCode = byline.Errorf(byline.EUNAUTHORIZED, "That code does not work: it may be mistyped, used or older than ten minutes. Ask for a new one if need be.")

// UseCode signs in with a code sent to the address, within its ten minutes, once; tries are
// limited per address and per client address. It returns the session's token.
func (m *Members) UseCode(ctx context.Context, email, code, ip string) (string, *byline.MemberLink, *byline.Member, error) {
	tooMany := byline.Errorf(byline.ELIMITED, "Too many codes were tried. Ask for a new link, or wait ten minutes.")
	if err := m.limit(ctx, "member:code:ip:"+ip, codeWindow, codesPerIP, tooMany); err != nil {
		return "", nil, nil, err
	}
	email, err := byline.NormalizeEmail(email)
	if err != nil {
		return "", nil, nil, err
	}
	if err := m.limit(ctx, "member:code:email:"+email, codeWindow, codesPerMail, tooMany); err != nil {
		return "", nil, nil, err
	}
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "", nil, nil, errWrongCode
	}
	links, err := m.Store.FindMemberCodes(ctx, email, m.now())
	if err != nil {
		return "", nil, nil, err
	}
	want := codeHash(email, code)
	for _, l := range links {
		if subtle.ConstantTimeCompare([]byte(l.CodeHash), []byte(want)) == 1 {
			session, l, member, err := m.use(ctx, l.TokenHash, true, ip)
			if c := byline.ErrorCode(err); c == byline.ECONFLICT || c == byline.EINVALID || c == byline.ENOTFOUND {
				return "", nil, nil, errWrongCode // used or expired meanwhile
			}
			return session, l, member, err
		}
	}
	return "", nil, nil, errWrongCode
}

// Resend sends a new sign-in to the address of a used or expired sign-in link, back to the
// same page: the one click that a link which no longer works offers.
func (m *Members) Resend(ctx context.Context, token, ip string) (*byline.MemberLink, error) {
	l, state, err := m.Link(ctx, token)
	if err != nil {
		return nil, err
	}
	if state == LinkUnknown || l.Purpose != byline.LinkSignIn {
		return nil, byline.Errorf(byline.ENOTFOUND, "This link is unknown: ask for a new one from the sign-in page.")
	}
	return l, m.RequestSignIn(ctx, l.Email, l.Name, l.Return, ip, true)
}

// Session returns the member signed in with the token, or EUNAUTHORIZED when the token is
// unknown or its session has expired (an expired session is deleted).
func (m *Members) Session(ctx context.Context, token string) (*byline.Member, error) {
	if !wellFormedToken(token) {
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Please sign in.")
	}
	h := tokenHash(token)
	s, member, err := m.Store.FindMemberSession(ctx, h)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Please sign in.")
	} else if err != nil {
		return nil, err
	}
	now := m.now()
	if now.Sub(s.SeenAt) > SessionIdle || now.Sub(s.CreatedAt) > SessionLifetime {
		if err := m.Store.DeleteMemberSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Your session has expired. Please sign in again.")
	}
	if now.Sub(s.SeenAt) > sessionTouch {
		if err := m.Store.TouchMemberSession(ctx, h, now); err != nil {
			return nil, err
		}
	}
	return member, nil
}

// SignOut ends the session of the token; everywhere ends every session of its member.
func (m *Members) SignOut(ctx context.Context, token string, everywhere bool) error {
	if !wellFormedToken(token) {
		return nil
	}
	h := tokenHash(token)
	s, _, err := m.Store.FindMemberSession(ctx, h)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if everywhere {
		return m.Store.DeleteMemberSessions(ctx, s.MemberID)
	}
	return m.Store.DeleteMemberSession(ctx, h)
}

// UpdateProfile sets the member's name, expertise and newsletter preference.
func (m *Members) UpdateProfile(ctx context.Context, member *byline.Member, name, expertise string, newsletter bool) error {
	return m.Store.UpdateMemberProfile(ctx, member.ID, oneLine(name), oneLine(expertise), newsletter)
}

// RequestEmailChange sends a link to the new address; the address changes when it is
// followed. Whether another account has the address is told only then, to the new
// address's owner.
func (m *Members) RequestEmailChange(ctx context.Context, member *byline.Member, email, ip string) error {
	email, err := byline.NormalizeEmail(email)
	if err != nil {
		return err
	}
	if email == member.Email {
		e := byline.Errorf(byline.EINVALID, "That is your address already.")
		e.Field = "email"
		return e
	}
	if err := m.checkDomain(ctx, email); err != nil {
		return err
	}
	if err := m.limit(ctx, fmt.Sprintf("member:email:%d", member.ID), accountWindow, emailChanges,
		byline.Errorf(byline.ELIMITED, "You asked to change your address many times this hour. Wait a while.")); err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := m.now()
	l := &byline.MemberLink{TokenHash: tokenHash(token), Purpose: byline.LinkEmail, Email: email, MemberID: member.ID,
		Return: "/members/account", CreatedAt: now, ExpiresAt: now.Add(LinkLifetime), CodeExpiresAt: now, IP: ip}
	msg := byline.Message{To: email, Kind: KindEmailChange,
		Subject: "Confirm your new address for " + m.site(),
		Text: fmt.Sprintf("Someone, hopefully you, asked to use this address for their membership of %s.\n\n"+
			"To confirm, open this link within 24 hours. It works once:\n\n%s\n\n"+
			"If you did not ask for this, ignore this message: nothing changes.\n", m.site(), m.BaseURL+"/members/link/"+token)}
	if err := msg.Validate(); err != nil {
		return err
	}
	if err := m.Store.CreateMemberLink(ctx, l); err != nil {
		return err
	}
	return m.Mail.Send(ctx, msg)
}

// Export is what a member may download of their account: their fields and their sessions'
// dates.
type Export struct {
	ID         int64           `json:"id"`
	Email      string          `json:"email"`
	Name       string          `json:"name"`
	Expertise  string          `json:"expertise"`
	Newsletter bool            `json:"newsletter"`
	Status     string          `json:"status"`
	CreatedAt  time.Time       `json:"created_at"`
	SignedInAt *time.Time      `json:"signed_in_at,omitempty"`
	Sessions   []ExportSession `json:"sessions"`
}

// ExportSession is one session in an Export.
type ExportSession struct {
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"last_seen_at"`
	IP        string    `json:"ip"`
}

// Export gathers the member's data.
func (m *Members) Export(ctx context.Context, member *byline.Member) (*Export, error) {
	sessions, err := m.Store.FindMemberSessions(ctx, member.ID)
	if err != nil {
		return nil, err
	}
	e := &Export{ID: member.ID, Email: member.Email, Name: member.Name, Expertise: member.Expertise, Newsletter: member.Newsletter,
		Status: string(member.Status), CreatedAt: member.CreatedAt, Sessions: []ExportSession{}}
	if !member.SignedInAt.IsZero() {
		e.SignedInAt = &member.SignedInAt
	}
	for _, s := range sessions {
		e.Sessions = append(e.Sessions, ExportSession{CreatedAt: s.CreatedAt, SeenAt: s.SeenAt, IP: s.IP})
	}
	return e, nil
}

// Delete deletes the member's account, with their choice about their comments; confirm
// must be what the member typed to confirm: their address.
func (m *Members) Delete(ctx context.Context, member *byline.Member, comments, confirm string) error {
	if !strings.EqualFold(strings.TrimSpace(confirm), member.Email) {
		e := byline.Errorf(byline.EINVALID, "To delete your account, type your address, %s, in the box.", member.Email)
		e.Field = "confirm"
		return e
	}
	return m.Store.DeleteMember(ctx, member.ID, comments, m.now())
}

// newSession makes a session for a member about to sign in, and its token.
func (m *Members) newSession(ip string) (string, *byline.MemberSession, error) {
	token, err := newToken()
	if err != nil {
		return "", nil, err
	}
	now := m.now()
	return token, &byline.MemberSession{TokenHash: tokenHash(token), CreatedAt: now, SeenAt: now, IP: ip}, nil
}

// site names the site in messages: its host.
func (m *Members) site() string {
	if u, err := url.Parse(m.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "our site"
}

// newToken makes a random token for a cookie or a link: 256 bits, URL-safe.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// newCode makes a six-digit code.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// tokenHash is what the store keeps of a token: a leaked table opens no session.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// codeHash is what the store keeps of a code sent to an address.
func codeHash(email, code string) string {
	sum := sha256.Sum256([]byte("member code\x00" + email + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken tells a token that may be one of ours from anything else.
func wellFormedToken(token string) bool {
	if len(token) < 20 || len(token) > 100 {
		return false
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// oneLine is text as one line, its runs of spaces and control characters made one space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}
