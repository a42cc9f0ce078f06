package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"byline"
	"byline/membership"
)

// Members: sign-up and sign-in by a link and a code sent by email (/members/signup,
// /members/signin, /members/code, /members/link/{token}), and the account
// (/members/account). A member's session travels in the byline_member cookie, set only
// when they sign in: anonymous pages set no cookie, so a CDN keeps caching them, and must
// pass requests that carry byline_member to Byline uncached. Every member page is no-store;
// every form is protected from other origins.

// memberCookie names the member session's cookie.
const memberCookie = "byline_member"

// membersData is what the members' pages show.
type membersData struct {
	Page          string // signup, signin, check, link, used, expired, unknown, account, deleted
	Error, Notice string
	Email, Name   string
	Return        string // where the member goes afterwards: a path on this site
	Token         string // a link's token, on its page
	Link          *byline.MemberLink
	Member        *byline.Member
}

// memberHandler serves a signed-in member; token is their session's.
type memberHandler func(r *http.Request, member *byline.Member, token string) (*response, error)

// memberRoutes adds the members' routes, when the site has members.
func (s *Server) memberRoutes(mux *http.ServeMux) {
	if s.members == nil {
		return
	}
	protect := http.NewCrossOriginProtection()
	open := func(pattern string, h handlerFunc) { mux.Handle(pattern, protect.Handler(s.handle(h))) }
	signedIn := func(pattern string, h memberHandler) { open(pattern, s.memberOnly(h)) }
	open("GET /members/signup", s.memberDoor("signup"))
	open("POST /members/signup", s.memberRequest("signup"))
	open("GET /members/signin", s.memberDoor("signin"))
	open("POST /members/signin", s.memberRequest("signin"))
	open("POST /members/code", s.memberCode)
	open("GET /members/link/{token}", s.memberLinkPage)
	open("POST /members/link/{token}", s.memberLinkUse)
	open("POST /members/link/{token}/resend", s.memberResend)
	open("POST /members/signout", s.memberSignOut)
	signedIn("GET /members/account", s.memberAccount)
	signedIn("POST /members/account", s.memberProfile)
	signedIn("POST /members/account/email", s.memberEmail)
	signedIn("POST /members/account/delete", s.memberDelete)
	mux.Handle("GET /members/account/data", protect.Handler(http.HandlerFunc(s.memberData)))
	mux.HandleFunc("GET /members/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/members/account", http.StatusSeeOther)
	})
}

// memberReader is Server.readerOf with members: the member the request's session names,
// or an anonymous reader. A request without the cookie costs no query.
func (s *Server) memberReader(r *http.Request) byline.Reader {
	member, _, err := s.member(r)
	if err != nil {
		s.log.Warn("read a member's session", "err", err)
	}
	if member == nil {
		return byline.Reader{}
	}
	return member.Reader()
}

// member returns the member whose session the request carries, and its token, or nil.
func (s *Server) member(r *http.Request) (*byline.Member, string, error) {
	c, err := r.Cookie(memberCookie)
	if err != nil || c.Value == "" {
		return nil, "", nil
	}
	member, err := s.members.Session(r.Context(), c.Value)
	if byline.ErrorCode(err) == byline.EUNAUTHORIZED {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	return member, c.Value, nil
}

// memberOnly runs h for the signed-in member; a stranger is sent to sign in (a GET) or
// refused.
func (s *Server) memberOnly(h memberHandler) handlerFunc {
	return func(r *http.Request) (*response, error) {
		member, token, err := s.member(r)
		if err != nil {
			return nil, err
		}
		if member == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return redirect("/members/signin?return=" + r.URL.EscapedPath()), nil
			}
			return nil, byline.Errorf(byline.EUNAUTHORIZED, "Your session has ended: sign in again (what you sent was not saved).")
		}
		return h(r, member, token)
	}
}

// membersPage renders templates/members.html for its one reader: never cached anywhere.
func (s *Server) membersPage(r *http.Request, status int, title string, d *membersData) (*response, error) {
	data, err := s.basePage(r.Context(), r)
	if err != nil {
		return nil, err
	}
	data.Members, data.Canonical = d, ""
	data.Title = title + " – " + data.Site.Title
	res, err := s.render(status, "members", data)
	if err != nil {
		return nil, err
	}
	res.cacheControl = "no-store"
	return res, nil
}

// memberRefuse renders a page again with the refusal, in the status its code stands for.
func (s *Server) memberRefuse(r *http.Request, title string, d *membersData, err error) (*response, error) {
	if !formRefusal(err) {
		return nil, err
	}
	d.Error = byline.ErrorMessage(err)
	return s.membersPage(r, statusOf(byline.ErrorCode(err)), title, d)
}

// memberCookieFor carries a member's session to every page of the site, never to scripts,
// Secure when the site is served over https; an empty token deletes it.
func (s *Server) memberCookieFor(token string) *http.Cookie {
	c := &http.Cookie{Name: memberCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: strings.HasPrefix(s.baseURL, "https://"), SameSite: http.SameSiteLaxMode,
		MaxAge: int(membership.SessionLifetime.Seconds())}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

var doorTitles = map[string]string{"signup": "Become a member", "signin": "Sign in"}

// memberDoor serves the sign-up or sign-in form; a member signed in already goes on.
func (s *Server) memberDoor(page string) handlerFunc {
	return func(r *http.Request) (*response, error) {
		q := r.URL.Query()
		ret := membership.ReturnPath(q.Get("return"))
		if member, _, err := s.member(r); err != nil {
			return nil, err
		} else if member != nil {
			return redirect(ret), nil
		}
		return s.membersPage(r, http.StatusOK, doorTitles[page], &membersData{Page: page, Email: q.Get("email"), Return: ret})
	}
}

// memberRequest sends a link and a code for signing up or in. The page that follows is the
// same whether the address has an account or not; a form whose honeypot field is filled
// gets it too, and nothing is sent.
func (s *Server) memberRequest(page string) handlerFunc {
	return func(r *http.Request) (*response, error) {
		if err := parseForm(r); err != nil {
			return nil, err
		}
		f := r.PostForm
		d := &membersData{Page: page, Email: strings.TrimSpace(f.Get("email")), Name: f.Get("name"), Return: membership.ReturnPath(f.Get("return"))}
		if f.Get("website") == "" {
			err := s.members.RequestSignIn(r.Context(), d.Email, d.Name, d.Return, clientIP(r), page == "signup")
			if err != nil {
				return s.memberRefuse(r, doorTitles[page], d, err)
			}
		}
		d.Page, d.Name = "check", ""
		return s.membersPage(r, http.StatusOK, "Check your mail", d)
	}
}

// memberCode signs in with a code typed on the "check your mail" page.
func (s *Server) memberCode(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	f := r.PostForm
	d := &membersData{Page: "check", Email: strings.TrimSpace(f.Get("email")), Return: membership.ReturnPath(f.Get("return"))}
	token, _, _, err := s.members.UseCode(r.Context(), d.Email, f.Get("code"), clientIP(r))
	if err != nil {
		return s.memberRefuse(r, "Check your mail", d, err)
	}
	return redirect(d.Return, s.memberCookieFor(token)), nil
}

// memberLinkPage shows what a link sent by email can do, and a button that does it: a mail
// scanner that opens links signs nobody in. A used sign-in link lets a browser that is
// signed in as its member go on.
func (s *Server) memberLinkPage(r *http.Request) (*response, error) {
	token := r.PathValue("token")
	link, state, err := s.members.Link(r.Context(), token)
	if err != nil {
		return nil, err
	}
	return s.linkState(r, token, link, state, nil)
}

// linkState renders a link's page for its state, with the error that led there, if any.
func (s *Server) linkState(r *http.Request, token string, link *byline.MemberLink, state membership.LinkState, err error) (*response, error) {
	d := &membersData{Token: token, Link: link}
	if err != nil {
		d.Error = byline.ErrorMessage(err)
	}
	switch state {
	case membership.LinkValid:
		d.Page = "link"
		status := http.StatusOK
		if err != nil {
			status = statusOf(byline.ErrorCode(err))
		}
		return s.membersPage(r, status, "Sign in", d)
	case membership.LinkUsed:
		if member, _, merr := s.member(r); merr != nil {
			return nil, merr
		} else if member != nil && (link.Purpose == byline.LinkSignIn && member.Email == link.Email || link.Purpose == byline.LinkEmail && member.ID == link.MemberID) {
			return redirect(membership.ReturnPath(link.Return)), nil
		}
		d.Page, d.Error = "used", ""
		return s.membersPage(r, http.StatusConflict, "This link was used already", d)
	case membership.LinkExpired:
		d.Page, d.Error = "expired", ""
		return s.membersPage(r, http.StatusGone, "This link has expired", d)
	}
	d.Page = "unknown"
	return s.membersPage(r, http.StatusNotFound, "This link does not work", d)
}

// memberLinkUse uses a link: a sign-in link signs in and goes back where the member came
// from; an email link changes the address.
func (s *Server) memberLinkUse(r *http.Request) (*response, error) {
	ctx, token := r.Context(), r.PathValue("token")
	session, link, _, err := s.members.UseLink(ctx, token, clientIP(r))
	if err != nil {
		if !formRefusal(err) && byline.ErrorCode(err) != byline.ENOTFOUND {
			return nil, err
		}
		link, state, lerr := s.members.Link(ctx, token)
		if lerr != nil {
			return nil, lerr
		}
		return s.linkState(r, token, link, state, err)
	}
	if session == "" {
		return redirect("/members/account?done=email"), nil
	}
	return redirect(membership.ReturnPath(link.Return), s.memberCookieFor(session)), nil
}

// memberResend sends a new link to the address of one that no longer works.
func (s *Server) memberResend(r *http.Request) (*response, error) {
	link, err := s.members.Resend(r.Context(), r.PathValue("token"), clientIP(r))
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return s.membersPage(r, http.StatusNotFound, "This link does not work", &membersData{Page: "unknown"})
	}
	d := &membersData{Page: "check"}
	if link != nil {
		d.Email, d.Return = link.Email, membership.ReturnPath(link.Return)
	}
	if err != nil {
		return s.memberRefuse(r, "Check your mail", d, err)
	}
	return s.membersPage(r, http.StatusOK, "Check your mail", d)
}

// memberSignOut ends this session, or every session of the member.
func (s *Server) memberSignOut(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if c, err := r.Cookie(memberCookie); err == nil {
		if err := s.members.SignOut(r.Context(), c.Value, r.PostForm.Get("everywhere") == "1"); err != nil {
			return nil, err
		}
	}
	return redirect("/", s.memberCookieFor("")), nil
}

// memberAccount serves the account page.
func (s *Server) memberAccount(r *http.Request, member *byline.Member, _ string) (*response, error) {
	d := &membersData{Page: "account", Member: member}
	switch r.URL.Query().Get("done") {
	case "profile":
		d.Notice = "Saved."
	case "email":
		d.Notice = "Your address is changed."
	case "email-sent":
		d.Notice = "We sent a link to your new address: your address changes when you open it."
	}
	return s.membersPage(r, http.StatusOK, "Your membership", d)
}

// memberProfile saves the name, expertise and newsletter preference.
func (s *Server) memberProfile(r *http.Request, member *byline.Member, _ string) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	f := r.PostForm
	err := s.members.UpdateProfile(r.Context(), member, f.Get("name"), f.Get("expertise"), f.Get("newsletter") == "1")
	if err != nil {
		kept := *member
		kept.Name, kept.Expertise = f.Get("name"), f.Get("expertise")
		return s.memberRefuse(r, "Your membership", &membersData{Page: "account", Member: &kept}, err)
	}
	return redirect("/members/account?done=profile"), nil
}

// memberEmail sends a link to confirm a new address.
func (s *Server) memberEmail(r *http.Request, member *byline.Member, _ string) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if err := s.members.RequestEmailChange(r.Context(), member, r.PostForm.Get("email"), clientIP(r)); err != nil {
		return s.memberRefuse(r, "Your membership", &membersData{Page: "account", Member: member}, err)
	}
	return redirect("/members/account?done=email-sent"), nil
}

// memberDelete deletes the account, once the member typed their address.
func (s *Server) memberDelete(r *http.Request, member *byline.Member, _ string) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	f := r.PostForm
	if err := s.members.Delete(r.Context(), member, f.Get("comments"), f.Get("confirm")); err != nil {
		return s.memberRefuse(r, "Your membership", &membersData{Page: "account", Member: member}, err)
	}
	res, err := s.membersPage(r, http.StatusOK, "Your account is deleted", &membersData{Page: "deleted"})
	if err != nil {
		return nil, err
	}
	res.cookies = append(res.cookies, s.memberCookieFor(""))
	return res, nil
}

// memberData downloads the member's data as a JSON file.
func (s *Server) memberData(w http.ResponseWriter, r *http.Request) {
	res, err := s.memberOnly(func(r *http.Request, member *byline.Member, _ string) (*response, error) {
		e, err := s.members.Export(r.Context(), member)
		if err != nil {
			return nil, err
		}
		body, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			return nil, err
		}
		return newResponse(http.StatusOK, "application/json", "no-store", append(body, '\n')), nil
	})(r)
	if err != nil {
		res = s.errorPage(r, err, w.Header().Get("X-Request-Id"))
	} else if res.status == http.StatusOK {
		w.Header().Set("Content-Disposition", `attachment; filename="membership.json"`)
	}
	res.write(w, r)
}
