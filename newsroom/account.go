package newsroom

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"byline"
)

// Lifetimes of the links sent by email.
const (
	ResetLifetime      = time.Hour
	InvitationLifetime = 7 * 24 * time.Hour
)

// Limits on what a visitor or a staff member may ask for, counted in the store.
const (
	resetWindow     = time.Hour
	resetPerIP      = 10 // asking for resets from one address
	resetPerAccount = 3  // messages sent to one account: a mailbox is not to be flooded
	accountWindow   = 15 * time.Minute
	accountTries    = 10 // password or code checks on the account page, per account
	invitesPerHour  = 30
)

// errLinkGone answers a link that is malformed, unknown, used or expired alike.
var errLinkGone = byline.Errorf(byline.ENOTFOUND, "This link has expired or has been used already. Ask for a new one.")

// SetupToken returns the code the one-time setup asks for, making it if the newsroom has no
// staff and no code yet; "" once the newsroom has staff. `byline serve` prints it at start.
func (n *Newsroom) SetupToken(ctx context.Context) (string, error) {
	candidate, err := newToken()
	if err != nil {
		return "", err
	}
	return n.Store.SetupToken(ctx, candidate, n.now())
}

// SetUp creates the Owner's account with the setup code printed at start: a newsroom on a
// public address is not handed to the first visitor. Setup attempts are limited per address.
func (n *Newsroom) SetUp(ctx context.Context, code, email, name, password, ip string) (*byline.Staff, error) {
	if err := n.limit(ctx, "setup:ip:"+ip, signInWindow, signInPerIP, 0, ip,
		"Too many setup attempts from here. Wait a quarter of an hour."); err != nil {
		return nil, err
	}
	want, err := n.SetupToken(ctx)
	if err != nil {
		return nil, err
	}
	if want == "" {
		return nil, byline.Errorf(byline.ECONFLICT, "This newsroom is set up already: sign in.")
	}
	code = strings.TrimSpace(code)
	if subtle.ConstantTimeCompare([]byte(code), []byte(want)) != 1 {
		return nil, fieldError("code", byline.Errorf(byline.EINVALID,
			"That is not the setup code. `byline serve` prints it in its log at start (look for \"setup code\")."))
	}
	owner, err := n.AddStaff(ctx, email, name, byline.RoleOwner, password)
	if err != nil {
		return nil, err
	}
	return owner, n.audit(ctx, owner.ID, "set up the newsroom", owner.Email, ip)
}

// limit counts an attempt under key and refuses it past max with the message. The first
// attempt past the limit is audited (staffID may be 0): a guesser shows in the log once per
// window, not once per try.
func (n *Newsroom) limit(ctx context.Context, key string, window time.Duration, max int, staffID int64, ip, message string) error {
	return hit(ctx, n.Sessions, n.now(), key, window, max, staffID, ip, message)
}

func hit(ctx context.Context, sessions byline.SessionStore, now time.Time, key string, window time.Duration, max int, staffID int64, ip, message string) error {
	count, err := sessions.Hit(ctx, key, window, now)
	if err != nil {
		return err
	}
	if count <= max {
		return nil
	}
	if count == max+1 {
		subject, _, _ := strings.Cut(key, " ")
		if err := sessions.Audit(ctx, &byline.AuditEntry{At: now, StaffID: staffID, Action: "limited", Subject: subject, IP: ip}); err != nil {
			return err
		}
	}
	return byline.Errorf(byline.ELIMITED, "%s", message)
}

// fieldError names the form field an error concerns.
func fieldError(field string, err *byline.Error) error {
	err.Field = field
	return err
}

// link is an absolute link to a path of the site.
func (n *Newsroom) link(path string) string { return n.BaseURL + path }

// site names the site in messages: its host.
func (n *Newsroom) site() string {
	if u, err := url.Parse(n.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "your newsroom"
}

// RequestPasswordReset sends a reset link to the account with the address, if there is
// one. The answer is the same whether or not there is (nobody learns who works here), and
// limited per address and per account.
func (n *Newsroom) RequestPasswordReset(ctx context.Context, email, ip string) error {
	if err := n.limit(ctx, "reset:ip:"+ip, resetWindow, resetPerIP, 0, ip,
		"Too many password resets were asked for from here. Wait an hour."); err != nil {
		return err
	}
	// An unknown address is answered at once, a known one after a reset and a message are
	// stored: both answers wait until ResetAnswerTime has passed, so that the time does not
	// tell them apart either.
	defer waitUntil(ctx, time.Now().Add(ResetAnswerTime))
	email, err := byline.NormalizeEmail(email)
	if err != nil {
		return err
	}
	staff, err := n.Store.FindStaffByEmail(ctx, email)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	// Past the account's limit the answer stays the same: only the mail is not sent.
	if count, err := n.Sessions.Hit(ctx, fmt.Sprintf("reset:staff:%d", staff.ID), resetWindow, n.now()); err != nil {
		return err
	} else if count > resetPerAccount {
		if count == resetPerAccount+1 {
			return n.audit(ctx, staff.ID, "limited", "password reset", ip)
		}
		return nil
	}
	link, err := n.resetLink(ctx, staff)
	if err != nil {
		return err
	}
	err = n.Mail.Send(ctx, byline.Message{To: staff.Email, Kind: KindReset,
		Subject: "Reset your password for " + n.site(),
		Text: fmt.Sprintf("Hello %s,\n\nSomeone, hopefully you, asked to reset the password of your staff account at %s (%s).\n\n"+
			"To choose a new password, open this link within an hour. It works once:\n\n%s\n\n"+
			"If you did not ask for this, ignore this message: your password stays as it is.\n", staff.Name, n.site(), staff.Email, link)})
	if err != nil {
		return err
	}
	return n.audit(ctx, staff.ID, "asked for a password reset", staff.Email, ip)
}

// ResetAnswerTime is the least time a password reset request takes, whether or not the
// address has an account: well above what storing a reset and its message takes (about
// 3 ms on one node), so that timing does not tell who works here. A mail relay slower than
// this would show again; it belongs behind the outbox, not in the request.
const ResetAnswerTime = 50 * time.Millisecond

// waitUntil sleeps until the time, or until ctx is done.
func waitUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// resetLink makes a reset for the account and returns its link.
func (n *Newsroom) resetLink(ctx context.Context, staff *byline.Staff) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	now := n.now()
	if err := n.Store.CreatePasswordReset(ctx, &byline.PasswordReset{TokenHash: tokenHash(token), StaffID: staff.ID,
		CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}); err != nil {
		return "", err
	}
	return n.link("/admin/reset/" + token), nil
}

// PasswordResetLink makes a reset link for the account with the address and returns it
// rather than sending it: for an operator at the server's shell (`byline staff
// reset-password`), who may know that nobody works there.
func (n *Newsroom) PasswordResetLink(ctx context.Context, email string) (string, error) {
	staff, err := n.Store.FindStaffByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	link, err := n.resetLink(ctx, staff)
	if err != nil {
		return "", err
	}
	return link, n.audit(ctx, 0, "made a password reset link at the shell", staff.Email, "")
}

// CheckPasswordReset reports whether a reset link still works: ENOTFOUND when it does not.
func (n *Newsroom) CheckPasswordReset(ctx context.Context, token string) error {
	if !wellFormedToken(token) {
		return errLinkGone
	}
	r, err := n.Store.FindPasswordReset(ctx, tokenHash(token))
	if err != nil {
		return err
	}
	if !n.now().Before(r.ExpiresAt) {
		return errLinkGone
	}
	return nil
}

// ResetPassword sets a new password with a reset link, once, and signs the account out
// everywhere.
func (n *Newsroom) ResetPassword(ctx context.Context, token, password, ip string) (*byline.Staff, error) {
	if !wellFormedToken(token) {
		return nil, errLinkGone
	}
	if err := n.CheckPasswordReset(ctx, token); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, passwordField("password", err)
	}
	staff, err := n.Store.ResetPassword(ctx, tokenHash(token), hash, n.now())
	if err != nil {
		return nil, err
	}
	return staff, n.audit(ctx, staff.ID, "reset the password", staff.Email, ip)
}

// passwordField names the field of a refused password.
func passwordField(field string, err error) error {
	if e, ok := err.(*byline.Error); ok {
		e.Field = field
	}
	return err
}

// wellFormedToken tells a token that may be one of ours from anything else a URL holds.
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

// mayManage checks that actor may manage accounts at all.
func mayManage(actor *byline.Staff) error {
	if !actor.Can(byline.ActionStaff) {
		return byline.Forbidden("manage staff accounts")
	}
	return nil
}

// oneLine is a name as one line of text: an account named before names were checked may
// hold line breaks, which a message's subject cannot.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// article is "a" or "an" before a role's name.
func article(r byline.Role) string {
	if strings.ContainsRune("aeiou", rune(string(r)[0])) {
		return "an " + string(r)
	}
	return "a " + string(r)
}

// Invite sends an invitation to join the staff with a role the actor may give.
func (n *Newsroom) Invite(ctx context.Context, actor *byline.Staff, email, name string, role byline.Role, ip string) (*byline.Invitation, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, fieldError("role", byline.Errorf(byline.EINVALID, "%q is not a role.", role))
	}
	if !actor.Role.CanManage(role, role) {
		return nil, byline.Forbidden("invite someone as " + article(role))
	}
	if err := n.limit(ctx, fmt.Sprintf("invite:staff:%d", actor.ID), time.Hour, invitesPerHour, actor.ID, ip,
		"You have sent many invitations this hour. Wait a while."); err != nil {
		return nil, err
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	now := n.now()
	inv := &byline.Invitation{TokenHash: tokenHash(token), Email: email, Name: strings.TrimSpace(name), Role: role,
		InvitedBy: actor.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)}
	if inv.Email, err = byline.NormalizeEmail(email); err != nil {
		return nil, err
	}
	// The invitation and its message are checked before either is stored: nothing is half
	// done when one is refused.
	if err := inv.Validate(); err != nil {
		return nil, err
	}
	link := n.link("/admin/invite/" + token)
	msg := byline.Message{To: inv.Email, Kind: KindInvitation,
		Subject: fmt.Sprintf("%s invites you to join %s", oneLine(actor.Name), n.site()),
		Text: fmt.Sprintf("Hello %s,\n\n%s (%s) invites you to join the staff of %s as %s.\n\n"+
			"To accept, open this link within seven days and choose your password. It works once:\n\n%s\n\n"+
			"If you were not expecting this, ignore this message.\n", inv.Name, oneLine(actor.Name), actor.Email, n.site(), article(role), link)}
	if err := msg.Validate(); err != nil {
		return nil, err
	}
	if err := n.Store.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	if err := n.Mail.Send(ctx, msg); err != nil {
		return nil, err
	}
	return inv, n.audit(ctx, actor.ID, "invited", inv.Email+" as "+string(role), ip)
}

// Invitations lists the invitations still open, newest first.
func (n *Newsroom) Invitations(ctx context.Context) ([]*byline.Invitation, error) {
	return n.Store.FindInvitations(ctx, n.now())
}

// RevokeInvitation withdraws an invitation the actor could have sent.
func (n *Newsroom) RevokeInvitation(ctx context.Context, actor *byline.Staff, id int64, ip string) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	list, err := n.Store.FindInvitations(ctx, time.Time{})
	if err != nil {
		return err
	}
	for _, inv := range list {
		if inv.ID != id {
			continue
		}
		if !actor.Role.CanManage(inv.Role, inv.Role) {
			return byline.Forbidden("revoke an invitation as " + article(inv.Role))
		}
		if err := n.Store.DeleteInvitation(ctx, id); err != nil {
			return err
		}
		return n.audit(ctx, actor.ID, "revoked an invitation", inv.Email+" as "+string(inv.Role), ip)
	}
	return byline.Errorf(byline.ENOTFOUND, "No such invitation: it may have been accepted or revoked already.")
}

// CheckInvitation returns the invitation of a link that still works, or ENOTFOUND: also
// when the account that sent it is gone or may no longer give its role.
func (n *Newsroom) CheckInvitation(ctx context.Context, token string) (*byline.Invitation, error) {
	if !wellFormedToken(token) {
		return nil, errLinkGone
	}
	inv, err := n.Store.FindInvitation(ctx, tokenHash(token))
	if err != nil {
		return nil, err
	}
	if !n.now().Before(inv.ExpiresAt) {
		return nil, errLinkGone
	}
	// An invitation is worth what its sender may give now (the store checks it again as
	// the account is made).
	inviter, err := n.Store.FindStaffByID(ctx, inv.InvitedBy)
	if byline.ErrorCode(err) == byline.ENOTFOUND || err == nil && !inviter.Role.CanManage(inv.Role, inv.Role) {
		return nil, errInviterGone
	} else if err != nil {
		return nil, err
	}
	return inv, nil
}

// errInviterGone answers an invitation whose sender can no longer give its role.
var errInviterGone = byline.Errorf(byline.ENOTFOUND, "This invitation no longer works: whoever sent it can no longer give that role. Ask for a new one.")

// AcceptInvitation creates the invitee's account with the name and password they chose,
// once per invitation.
func (n *Newsroom) AcceptInvitation(ctx context.Context, token, name, password, ip string) (*byline.Staff, error) {
	if _, err := n.CheckInvitation(ctx, token); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, passwordField("password", err)
	}
	s := &byline.Staff{Name: strings.TrimSpace(name), PasswordHash: hash}
	if err := n.Store.AcceptInvitation(ctx, tokenHash(token), s, n.now()); err != nil {
		return nil, err
	}
	return s, n.audit(ctx, s.ID, "accepted an invitation", s.Email+" as "+string(s.Role), ip)
}

// target finds the account an actor means to change: never their own (the account page is
// for that, and the Owner hands ownership over rather than stepping down).
func (n *Newsroom) target(ctx context.Context, actor *byline.Staff, id int64, what string) (*byline.Staff, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	if id == actor.ID {
		return nil, byline.Errorf(byline.EFORBIDDEN, "You cannot %s your own account: ask another administrator.", what)
	}
	return n.Store.FindStaffByID(ctx, id)
}

// ChangeRole gives an account another role, as far as the actor's role allows
// (byline.Role.CanManage): Editors move Contributors and Authors between those two roles,
// Administrators everyone but the Owner; nobody makes an Owner this way.
func (n *Newsroom) ChangeRole(ctx context.Context, actor *byline.Staff, id int64, to byline.Role, ip string) error {
	t, err := n.target(ctx, actor, id, "change the role of")
	if err != nil {
		return err
	}
	if !to.Valid() {
		return fieldError("role", byline.Errorf(byline.EINVALID, "%q is not a role.", to))
	}
	if to == t.Role {
		return nil
	}
	if to == byline.RoleOwner {
		return byline.Errorf(byline.EFORBIDDEN, "Nobody is made the Owner by a role change: the Owner hands ownership over.")
	}
	if !actor.Role.CanManage(t.Role, to) {
		return byline.Forbidden(fmt.Sprintf("make %s %s", t.Name, article(to)))
	}
	if err := n.Store.UpdateStaffRole(ctx, id, t.Role, to); err != nil {
		return err
	}
	return n.audit(ctx, actor.ID, "changed a role", fmt.Sprintf("%s: %s to %s", t.Email, t.Role, to), ip)
}

// RemoveStaff removes an account the actor may manage and ends its sessions; its articles
// stay.
func (n *Newsroom) RemoveStaff(ctx context.Context, actor *byline.Staff, id int64, ip string) error {
	t, err := n.target(ctx, actor, id, "remove")
	if err != nil {
		return err
	}
	if !actor.Role.CanManage(t.Role, t.Role) {
		return byline.Forbidden(fmt.Sprintf("remove %s, %s", t.Name, article(t.Role)))
	}
	if err := n.Store.DeleteStaff(ctx, id, t.Role); err != nil {
		return err
	}
	return n.audit(ctx, actor.ID, "removed an account", fmt.Sprintf("%s (%s)", t.Email, t.Role), ip)
}

// HandOverOwnership makes another account the Owner, and the Owner an Administrator, in one
// transaction. The Owner confirms with their password.
func (n *Newsroom) HandOverOwnership(ctx context.Context, actor *byline.Staff, id int64, password, ip string) error {
	if !actor.Can(byline.ActionOwnership) {
		return byline.Forbidden("hand ownership over")
	}
	if err := n.checkPassword(ctx, actor, password, ip); err != nil {
		return err
	}
	t, err := n.Store.FindStaffByID(ctx, id)
	if err != nil {
		return err
	}
	if err := n.Store.HandOverOwnership(ctx, actor.ID, t.ID); err != nil {
		return err
	}
	return n.audit(ctx, actor.ID, "handed ownership over", t.Email, ip)
}

// checkPassword confirms that the actor knows their password, within the account page's
// limit.
func (n *Newsroom) checkPassword(ctx context.Context, actor *byline.Staff, password, ip string) error {
	if err := n.limit(ctx, fmt.Sprintf("account:staff:%d", actor.ID), accountWindow, accountTries, actor.ID, ip,
		"Too many tries. Wait a quarter of an hour."); err != nil {
		return err
	}
	if !VerifyPassword(actor.PasswordHash, password) {
		return fieldError("current", byline.Errorf(byline.EINVALID, "That is not your current password."))
	}
	return nil
}

// ChangePassword sets the actor's new password after checking the current one, and ends
// their other sessions (the one with keepSession's token stays).
func (n *Newsroom) ChangePassword(ctx context.Context, actor *byline.Staff, current, password, keepSession, ip string) error {
	if err := n.checkPassword(ctx, actor, current, ip); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return passwordField("password", err)
	}
	if err := n.Store.UpdateStaffPassword(ctx, actor.ID, hash, tokenHash(keepSession)); err != nil {
		return err
	}
	return n.audit(ctx, actor.ID, "changed the password", actor.Email, ip)
}
