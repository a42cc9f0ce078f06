package newsroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"byline"
)

// Sessions: idle and absolute expiry. A desk signs in each morning; a session left open on a
// shared computer dies by itself.
const (
	SessionIdle     = 12 * time.Hour
	SessionLifetime = 14 * 24 * time.Hour
	// sessionTouch is how stale a session's last use may be before it is written again:
	// not every admin request writes to the database.
	sessionTouch = time.Minute
)

// Sign-in limits, counted in the store so that every node shares them.
const (
	signInWindow     = 15 * time.Minute
	signInPerAccount = 5  // failed or not: a password guesser gets five tries a quarter hour
	signInPerIP      = 20 // a newsroom's office shares one address
)

// Auth signs staff in and out and tells who is signed in.
type Auth struct {
	Staff    byline.StaffStore
	Sessions byline.SessionStore
	Now      func() time.Time
}

func (a *Auth) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// errWrongCredentials is the one answer to a wrong email or a wrong password: which one was
// wrong is nobody's business.
var errWrongCredentials = byline.Errorf(byline.EUNAUTHORIZED, "Wrong email or password.")

// dummyHash is verified against when no account has the email, so that an unknown address
// takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no account has this password at all")
	return h
})

// SignIn checks the email and password and starts a session. It returns the token for the
// cookie. Attempts are limited per account and per address before the password is checked;
// the first attempt past a limit is audited.
//
// When the account has two-factor on (staff.TwoFactor()), the password alone starts no
// session: the token returned names a pending sign-in, which SecondFactor completes with
// the code within PendingLifetime.
func (a *Auth) SignIn(ctx context.Context, email, password, ip string) (string, *byline.Staff, error) {
	now := a.now()
	// Only a well-formed address is counted, looked up and logged: what a visitor typed
	// otherwise (up to a form's size, or a password in the wrong field) is kept nowhere.
	email, bad := byline.NormalizeEmail(email)
	type limit struct {
		key string
		max int
	}
	limits := []limit{{"signin:ip:" + ip, signInPerIP}}
	if bad == nil {
		// Per account and address: guessers elsewhere cannot lock staff out of their own desk.
		limits = append(limits, limit{"signin:email:" + email + " " + ip, signInPerAccount})
	}
	for _, l := range limits {
		if err := hit(ctx, a.Sessions, now, l.key, signInWindow, l.max, 0, ip,
			"Too many sign-in attempts from here. Wait a quarter of an hour."); err != nil {
			return "", nil, err
		}
	}
	if bad != nil {
		VerifyPassword(dummyHash(), password)
		return "", nil, errWrongCredentials
	}
	staff, err := a.Staff.FindStaffByEmail(ctx, email)
	switch {
	case byline.ErrorCode(err) == byline.ENOTFOUND:
		VerifyPassword(dummyHash(), password)
		if err := a.audit(ctx, 0, "sign-in failed", email, ip); err != nil {
			return "", nil, err
		}
		return "", nil, errWrongCredentials
	case err != nil:
		return "", nil, err
	case !VerifyPassword(staff.PasswordHash, password):
		if err := a.audit(ctx, staff.ID, "sign-in failed", email, ip); err != nil {
			return "", nil, err
		}
		return "", nil, errWrongCredentials
	}
	if staff.TwoFactor() {
		token, err := newToken()
		if err != nil {
			return "", nil, err
		}
		err = a.Sessions.CreatePendingSignIn(ctx, &byline.PendingSignIn{TokenHash: tokenHash(token), StaffID: staff.ID, CreatedAt: now, IP: ip})
		return token, staff, err
	}
	token, err := a.StartSession(ctx, staff, ip)
	if err != nil {
		return "", nil, err
	}
	if err := a.audit(ctx, staff.ID, "signed in", email, ip); err != nil {
		return "", nil, err
	}
	return token, staff, nil
}

// StartSession starts a session for an account already proven (after setup, say) and
// returns its token: a new token each time, never one the browser brought.
func (a *Auth) StartSession(ctx context.Context, staff *byline.Staff, ip string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	now := a.now()
	err = a.Sessions.CreateStaffSession(ctx, &byline.StaffSession{TokenHash: tokenHash(token), StaffID: staff.ID,
		CreatedAt: now, SeenAt: now, IP: ip})
	return token, err
}

// Session returns the account signed in with the token, or EUNAUTHORIZED when the token is
// unknown or its session has expired (idle or too old; an expired session is deleted).
func (a *Auth) Session(ctx context.Context, token string) (*byline.Staff, error) {
	if token == "" || len(token) > 100 {
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Please sign in.")
	}
	h := tokenHash(token)
	s, staff, err := a.Sessions.FindStaffSession(ctx, h)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Please sign in.")
	} else if err != nil {
		return nil, err
	}
	now := a.now()
	if now.Sub(s.SeenAt) > SessionIdle || now.Sub(s.CreatedAt) > SessionLifetime {
		if err := a.Sessions.DeleteStaffSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, byline.Errorf(byline.EUNAUTHORIZED, "Your session has expired. Please sign in again.")
	}
	if now.Sub(s.SeenAt) > sessionTouch {
		if err := a.Sessions.TouchStaffSession(ctx, h, now); err != nil {
			return nil, err
		}
	}
	return staff, nil
}

// SignOut ends the session of the token; everywhere ends all of its account's sessions.
func (a *Auth) SignOut(ctx context.Context, token, ip string, everywhere bool) error {
	h := tokenHash(token)
	s, _, err := a.Sessions.FindStaffSession(ctx, h)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !everywhere {
		return a.Sessions.DeleteStaffSession(ctx, h)
	}
	if err := a.Sessions.DeleteStaffSessions(ctx, s.StaffID); err != nil {
		return err
	}
	return a.audit(ctx, s.StaffID, "signed out everywhere", "", ip)
}

// audit records an entry in the audit log.
func (a *Auth) audit(ctx context.Context, staffID int64, action, subject, ip string) error {
	return a.Sessions.Audit(ctx, &byline.AuditEntry{At: a.now(), StaffID: staffID, Action: action, Subject: subject, IP: ip})
}

// newToken makes a random token for a cookie or a link: 256 bits, URL-safe.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// PendingLifetime is how long a sign-in waits for its two-factor code.
const PendingLifetime = 5 * time.Minute

// Two-factor code limits: per account (the password is known, so the code is the last
// door), and per address.
const (
	codePerAccount = 10
	codePerIP      = 20
)

// errPendingGone answers a second step whose first has expired or is unknown.
var errPendingGone = byline.Errorf(byline.EUNAUTHORIZED, "Your sign-in has expired. Sign in again.")

// SecondFactor completes a pending sign-in with the account's two-factor code and starts a
// session; it returns the session's token. A code works once, and tries are limited per
// account and per address.
func (a *Auth) SecondFactor(ctx context.Context, pending, code, ip string) (string, *byline.Staff, error) {
	if !wellFormedToken(pending) {
		return "", nil, errPendingGone
	}
	h := tokenHash(pending)
	p, staff, err := a.Sessions.FindPendingSignIn(ctx, h)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return "", nil, errPendingGone
	} else if err != nil {
		return "", nil, err
	}
	now := a.now()
	if now.Sub(p.CreatedAt) > PendingLifetime || !staff.TwoFactor() {
		if _, err := a.Sessions.DeletePendingSignIn(ctx, h); err != nil {
			return "", nil, err
		}
		return "", nil, errPendingGone
	}
	for _, l := range []struct {
		key string
		max int
	}{{fmt.Sprintf("code:staff:%d", staff.ID), codePerAccount}, {"code:ip:" + ip, codePerIP}} {
		if err := hit(ctx, a.Sessions, now, l.key, signInWindow, l.max, staff.ID, ip,
			"Too many codes were tried. Wait a quarter of an hour, then sign in again."); err != nil {
			return "", nil, err
		}
	}
	step, ok := matchCode(staff.TOTPSecret, code, now)
	if !ok {
		if err := a.audit(ctx, staff.ID, "two-factor code refused", staff.Email, ip); err != nil {
			return "", nil, err
		}
		return "", nil, byline.Errorf(byline.EUNAUTHORIZED, "%s", errWrongCode.Message)
	}
	if used, err := a.Staff.UseTOTPStep(ctx, staff.ID, step); err != nil {
		return "", nil, err
	} else if !used {
		return "", nil, byline.Errorf(byline.EUNAUTHORIZED, "%s", errCodeUsed.Message)
	}
	if gone, err := a.Sessions.DeletePendingSignIn(ctx, h); err != nil {
		return "", nil, err
	} else if !gone {
		return "", nil, errPendingGone // another request finished it
	}
	token, err := a.StartSession(ctx, staff, ip)
	if err != nil {
		return "", nil, err
	}
	if err := a.audit(ctx, staff.ID, "signed in", staff.Email+" (two-factor)", ip); err != nil {
		return "", nil, err
	}
	return token, staff, nil
}

// tokenHash is what the store keeps of a session token: a leaked table opens no session.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
