package web

import (
	"encoding/base64"
	"html/template"
	"net/http"

	"byline"
	"byline/newsroom"
)

// The account: a staff member's own password, two-factor and sessions at /admin/account,
// and the door's other ways in: the two-factor step of signing in (/admin/signin/code),
// password resets (/admin/reset, then the emailed /admin/reset/{token}) and invitations
// (the emailed /admin/invite/{token}).

// accountAdmin registers the account's routes.
func (s *Server) accountAdmin(m adminMux) {
	m.open("GET /admin/signin/code", s.adminCodePage)
	m.open("POST /admin/signin/code", s.adminCode)
	m.open("GET /admin/reset", s.adminResetRequestPage)
	m.open("POST /admin/reset", s.adminResetRequest)
	m.open("GET /admin/reset/{token}", s.adminResetPage)
	m.open("POST /admin/reset/{token}", s.adminReset)
	m.open("GET /admin/invite/{token}", s.adminInvitePage)
	m.open("POST /admin/invite/{token}", s.adminInviteAccept)
	m.staff("GET /admin/account", s.accountPage)
	m.staff("POST /admin/account/password", s.accountPassword)
	m.staff("POST /admin/account/totp/new", s.accountTOTPNew)
	m.staff("POST /admin/account/totp/enable", s.accountTOTPEnable)
	m.staff("POST /admin/account/totp/disable", s.accountTOTPDisable)
}

// doorData is what the door's link pages carry.
type doorData struct {
	Token      string
	Invitation *byline.Invitation
}

// formRefusal reports whether err is one a form shows beside itself, rather than an error
// page: bad input, a conflict, a refusal, a limit.
func formRefusal(err error) bool {
	switch byline.ErrorCode(err) {
	case byline.EINVALID, byline.ECONFLICT, byline.EUNAUTHORIZED, byline.EFORBIDDEN, byline.ELIMITED:
		return true
	}
	return false
}

// refuse renders a page again with the refusal, in the status its code stands for.
func (s *Server) refuse(r *http.Request, a *adminData, err error) (*response, error) {
	a.Error = byline.ErrorMessage(err)
	return s.adminPage(r, statusOf(byline.ErrorCode(err)), a)
}

// linkGone answers a reset or invitation link that no longer works, with a page of its own:
// never the shared, cacheable 404 page.
func (s *Server) linkGone(r *http.Request, err error) (*response, error) {
	if byline.ErrorCode(err) != byline.ENOTFOUND {
		return nil, err
	}
	return s.refuse(r, &adminData{Page: "gone", Title: "This link no longer works"}, err)
}

// samePasswords checks the two copies of a new password a form asks for.
func samePasswords(r *http.Request) error {
	if r.PostForm.Get("password") != r.PostForm.Get("password2") {
		return byline.Errorf(byline.EINVALID, "The two passwords differ: type the same one twice.")
	}
	return nil
}

// adminCodePage asks for the two-factor code of a sign-in that waits for it.
func (s *Server) adminCodePage(r *http.Request) (*response, error) {
	if _, err := r.Cookie(pendingCookie); err != nil {
		return redirect("/admin/signin"), nil
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "code", Title: "Your two-factor code"})
}

// adminCode completes a sign-in with its two-factor code.
func (s *Server) adminCode(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return redirect("/admin/signin"), nil
	}
	token, _, err := s.auth.SecondFactor(r.Context(), c.Value, r.PostForm.Get("code"), clientIP(r))
	if formRefusal(err) {
		return s.refuse(r, &adminData{Page: "code", Title: "Your two-factor code"}, err)
	} else if err != nil {
		return nil, err
	}
	return redirect("/admin/", s.pendingCookie(""), s.sessionCookie(token)), nil
}

// adminResetRequestPage asks for the address to send a reset link to.
func (s *Server) adminResetRequestPage(r *http.Request) (*response, error) {
	return s.adminPage(r, http.StatusOK, &adminData{Page: "reset-request", Title: "Reset your password"})
}

// adminResetRequest sends a reset link, if the address has an account, and answers the
// same either way.
func (s *Server) adminResetRequest(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	a := &adminData{Page: "reset-request", Title: "Reset your password", Email: r.PostForm.Get("email")}
	err := s.staff.RequestPasswordReset(r.Context(), a.Email, clientIP(r))
	if formRefusal(err) {
		return s.refuse(r, a, err)
	} else if err != nil {
		return nil, err
	}
	a.Notice = "If a staff account has the address " + a.Email + ", we sent it a link to choose a new password. " +
		"It works for an hour. Nothing arrived? Ask an administrator: they can read the site's outbox."
	return s.adminPage(r, http.StatusOK, a)
}

// adminResetPage asks for the new password of a reset link that still works.
func (s *Server) adminResetPage(r *http.Request) (*response, error) {
	token := r.PathValue("token")
	if err := s.staff.CheckPasswordReset(r.Context(), token); err != nil {
		return s.linkGone(r, err)
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "reset", Title: "Choose a new password", Data: doorData{Token: token}})
}

// adminReset sets the new password, ends every session of the account and sends its owner
// to sign in.
func (s *Server) adminReset(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	token := r.PathValue("token")
	a := &adminData{Page: "reset", Title: "Choose a new password", Data: doorData{Token: token}}
	if err := samePasswords(r); err != nil {
		return s.refuse(r, a, err)
	}
	_, err := s.staff.ResetPassword(r.Context(), token, r.PostForm.Get("password"), clientIP(r))
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return s.linkGone(r, err)
	} else if formRefusal(err) {
		return s.refuse(r, a, err)
	} else if err != nil {
		return nil, err
	}
	return redirect("/admin/signin?done=reset"), nil
}

// adminInvitePage shows an invitation that still works, and asks for a name and password.
func (s *Server) adminInvitePage(r *http.Request) (*response, error) {
	token := r.PathValue("token")
	inv, err := s.staff.CheckInvitation(r.Context(), token)
	if err != nil {
		return s.linkGone(r, err)
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "invite", Title: "Join the newsroom", Name: inv.Name,
		Data: doorData{Token: token, Invitation: inv}})
}

// adminInviteAccept creates the invitee's account and signs them in.
func (s *Server) adminInviteAccept(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	ctx, token := r.Context(), r.PathValue("token")
	inv, err := s.staff.CheckInvitation(ctx, token)
	if err != nil {
		return s.linkGone(r, err)
	}
	a := &adminData{Page: "invite", Title: "Join the newsroom", Name: r.PostForm.Get("name"), Data: doorData{Token: token, Invitation: inv}}
	if err := samePasswords(r); err != nil {
		return s.refuse(r, a, err)
	}
	staff, err := s.staff.AcceptInvitation(ctx, token, a.Name, r.PostForm.Get("password"), clientIP(r))
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return s.linkGone(r, err)
	} else if formRefusal(err) {
		return s.refuse(r, a, err)
	} else if err != nil {
		return nil, err
	}
	session, err := s.auth.StartSession(ctx, staff, clientIP(r))
	if err != nil {
		return nil, err
	}
	return redirect("/admin/", s.sessionCookie(session)), nil
}

// accountData is what the account page shows.
type accountData struct {
	// Key is a two-factor secret being set up, shown until a code confirms it.
	Key *newsroom.TOTPKey
	// QR is Key's QR code as a data: URL for an <img>; URL is Key.URL, an otpauth: link
	// that html/template would otherwise refuse.
	QR, URL template.URL
}

// accountPage serves the staff member's own account.
func (s *Server) accountPage(r *http.Request, staff *byline.Staff) (*response, error) {
	a := &adminData{Page: "account", Title: "Your account", Section: "account", Staff: staff, Data: accountData{}}
	switch r.URL.Query().Get("done") {
	case "password":
		a.Notice = "Your password is changed, and your other sessions have ended."
	case "totp-on":
		a.Notice = "Two-factor is on: signing in now asks for a code from your app."
	case "totp-moved":
		a.Notice = "Two-factor now uses your new app: the old one's codes no longer work."
	case "totp-off":
		a.Notice = "Two-factor is off."
	}
	return s.adminPage(r, http.StatusOK, a)
}

// accountRefuse renders the account page again with a refusal.
func (s *Server) accountRefuse(r *http.Request, staff *byline.Staff, data accountData, err error) (*response, error) {
	if !formRefusal(err) {
		return nil, err
	}
	return s.refuse(r, &adminData{Page: "account", Title: "Your account", Section: "account", Staff: staff, Data: data}, err)
}

// sessionToken is the token of the request's own session.
func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(staffCookie); err == nil {
		return c.Value
	}
	return ""
}

// accountPassword changes the staff member's password and ends their other sessions.
func (s *Server) accountPassword(r *http.Request, staff *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if err := samePasswords(r); err != nil {
		return s.accountRefuse(r, staff, accountData{}, err)
	}
	err := s.staff.ChangePassword(r.Context(), staff, r.PostForm.Get("current"), r.PostForm.Get("password"), sessionToken(r), clientIP(r))
	if err != nil {
		return s.accountRefuse(r, staff, accountData{}, err)
	}
	return redirect("/admin/account?done=password"), nil
}

// withKey describes a two-factor secret for the page.
func withKey(key *newsroom.TOTPKey) accountData {
	return accountData{Key: key, URL: template.URL(key.URL),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(key.PNG))}
}

// accountTOTPNew shows a new two-factor secret to add to an app, and asks for a code.
func (s *Server) accountTOTPNew(r *http.Request, staff *byline.Staff) (*response, error) {
	key, err := s.staff.NewTOTPKey(staff)
	if err != nil {
		return nil, err
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "account", Title: "Your account", Section: "account", Staff: staff, Data: withKey(key)})
}

// accountTOTPEnable turns two-factor on once a code proves the app has the secret; when it
// is on already, moving it to the new secret also needs an old code or the password.
func (s *Server) accountTOTPEnable(r *http.Request, staff *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	secret := r.PostForm.Get("secret")
	err := s.staff.EnableTOTP(r.Context(), staff, secret, r.PostForm.Get("code"), r.PostForm.Get("old-code"), r.PostForm.Get("current"), clientIP(r))
	if err != nil {
		data := accountData{}
		if key, kerr := s.staff.TOTPKeyOf(staff, secret); kerr == nil {
			data = withKey(key)
		}
		return s.accountRefuse(r, staff, data, err)
	}
	if staff.TwoFactor() {
		return redirect("/admin/account?done=totp-moved"), nil
	}
	return redirect("/admin/account?done=totp-on"), nil
}

// accountTOTPDisable turns two-factor off, with a code or the password.
func (s *Server) accountTOTPDisable(r *http.Request, staff *byline.Staff) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if err := s.staff.DisableTOTP(r.Context(), staff, r.PostForm.Get("code"), r.PostForm.Get("current"), clientIP(r)); err != nil {
		return s.accountRefuse(r, staff, accountData{}, err)
	}
	return redirect("/admin/account?done=totp-off"), nil
}
