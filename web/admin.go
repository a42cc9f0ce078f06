package web

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"byline"
	"byline/newsroom"
)

// The admin: the one-time setup of the Owner, sign-in and sign-out. Staff sessions live in
// the store (newsroom.Auth), so any node serves any staff member. Every admin response is
// no-store and depends on its reader; forms are protected from other origins
// (http.CrossOriginProtection) and sign-in is limited per account and per address.

// staffCookie names the staff session's cookie. A CDN in front must pass requests that
// carry it (it is only sent to /admin/) to Byline uncached.
const staffCookie = "byline_staff"

// maxForm bounds the body of an admin form.
const maxForm = 64 << 10

// adminData is what the admin's pages show.
type adminData struct {
	Page    string // the template under templates/admin/, or a page of the door (see doorPages)
	Title   string // the page's heading and <title>
	Section string // which item of the admin's navigation is current
	Staff   *byline.Staff
	Error   string // a refusal, shown above the form
	Notice  string // what the last action did
	Email   string // kept in the form after a refusal
	Name    string
	// Data is what the page itself shows: each admin file has its own type.
	Data any
}

// staffHandler serves a signed-in staff member.
type staffHandler func(r *http.Request, staff *byline.Staff) (*response, error)

// adminMux registers the admin's routes: every one behind cross-origin protection, every
// staff route behind a session.
type adminMux struct {
	s       *Server
	mux     *http.ServeMux
	protect *http.CrossOriginProtection
}

// open registers a route anyone may reach (setup, sign-in, links sent by email).
func (m adminMux) open(pattern string, h handlerFunc) {
	m.mux.Handle(pattern, m.protect.Handler(m.s.handle(h)))
}

// staff registers a route for signed-in staff; a stranger is sent to the sign-in page (a
// GET) or refused (anything else). What each staff member may do there, the handler and
// the domain decide.
func (m adminMux) staff(pattern string, h staffHandler) {
	m.open(pattern, m.s.staffOnly(h))
}

// adminRoutes adds the admin's routes; each admin file registers its own.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	if s.auth == nil {
		return
	}
	m := adminMux{s: s, mux: mux, protect: http.NewCrossOriginProtection()}
	m.open("GET /admin/{$}", s.adminHome)
	m.open("POST /admin/setup", s.adminSetup)
	m.open("GET /admin/signin", s.adminSignInPage)
	m.open("POST /admin/signin", s.adminSignIn)
	m.open("POST /admin/signout", s.adminSignOut)
	for _, add := range s.adminAreas() {
		add(m)
	}
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
}

// staffOnly runs h for the staff member the request's session names.
func (s *Server) staffOnly(h staffHandler) handlerFunc {
	return func(r *http.Request) (*response, error) {
		staff, err := s.signedIn(r)
		if err != nil {
			return nil, err
		}
		if staff == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return redirect("/admin/signin"), nil
			}
			return nil, byline.Errorf(byline.EUNAUTHORIZED, "Your session has ended: sign in again (what you sent was not saved).")
		}
		return h(r, staff)
	}
}

// adminPage renders templates/admin/<a.Page>.html for its one reader: never cached anywhere.
func (s *Server) adminPage(r *http.Request, status int, a *adminData) (*response, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	data := s.pageWith(site, r)
	data.Admin, data.Canonical = a, ""
	name := a.Page
	if doorPages[name] {
		name = "door"
	}
	data.Title = a.Title + " – " + site.Title
	res, err := s.render(status, "admin/"+name, data)
	if err != nil {
		return nil, err
	}
	res.cacheControl = "no-store"
	return res, nil
}

// doorPages are the pages of templates/admin/door.html: what a visitor without a session
// sees (setup, sign-in and its second step, password reset, invitations).
var doorPages = map[string]bool{"setup": true, "signin": true, "code": true, "reset-request": true,
	"reset": true, "invite": true, "gone": true}

// adminJSON answers the admin's scripts (autosave, preview) for one reader.
func adminJSON(status int, v any) (*response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return newResponse(status, "application/json", "no-store", body), nil
}

// signedIn returns the staff member whose session the request carries, or nil.
func (s *Server) signedIn(r *http.Request) (*byline.Staff, error) {
	c, err := r.Cookie(staffCookie)
	if err != nil {
		return nil, nil
	}
	staff, err := s.auth.Session(r.Context(), c.Value)
	if byline.ErrorCode(err) == byline.EUNAUTHORIZED {
		return nil, nil
	}
	return staff, err
}

// adminHome serves /admin/: the setup page while the newsroom has no staff, the sign-in
// page to a stranger, the admin's home to staff.
func (s *Server) adminHome(r *http.Request) (*response, error) {
	n, err := s.staff.Store.CountStaff(r.Context())
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return s.adminPage(r, http.StatusOK, &adminData{Page: "setup", Title: "Set up your newsroom"})
	}
	staff, err := s.signedIn(r)
	if err != nil {
		return nil, err
	}
	if staff == nil {
		return redirect("/admin/signin"), nil
	}
	return s.dashboard(r, staff)
}

// adminSetup creates the Owner's account, once, and signs them in. It asks for the setup
// code that `byline serve` prints at start, so that a newsroom on a public address is not
// handed to whoever finds it first.
func (s *Server) adminSetup(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	n, err := s.staff.Store.CountStaff(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return redirect("/admin/signin"), nil
	}
	a := &adminData{Page: "setup", Title: "Set up your newsroom", Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name")}
	owner, err := s.staff.SetUp(ctx, r.PostForm.Get("code"), a.Email, a.Name, r.PostForm.Get("password"), clientIP(r))
	if code := byline.ErrorCode(err); code == byline.EINVALID || code == byline.ECONFLICT || code == byline.ELIMITED {
		a.Error = byline.ErrorMessage(err)
		return s.adminPage(r, statusOf(code), a)
	} else if err != nil {
		return nil, err
	}
	token, err := s.auth.StartSession(ctx, owner, clientIP(r))
	if err != nil {
		return nil, err
	}
	return redirect("/admin/", s.sessionCookie(token)), nil
}

// adminSignInPage serves the sign-in form.
func (s *Server) adminSignInPage(r *http.Request) (*response, error) {
	a := &adminData{Page: "signin", Title: "Sign in"}
	if r.URL.Query().Get("done") == "reset" {
		a.Notice = "Your new password is set, and every session of your account has ended. Sign in with it."
	}
	return s.adminPage(r, http.StatusOK, a)
}

// adminSignIn checks the form and starts a session with a new token.
func (s *Server) adminSignIn(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	a := &adminData{Page: "signin", Title: "Sign in", Email: r.PostForm.Get("email")}
	token, staff, err := s.auth.SignIn(r.Context(), a.Email, r.PostForm.Get("password"), clientIP(r))
	if code := byline.ErrorCode(err); code == byline.EUNAUTHORIZED || code == byline.ELIMITED {
		a.Error = byline.ErrorMessage(err)
		return s.adminPage(r, statusOf(code), a)
	} else if err != nil {
		return nil, err
	}
	if staff.TwoFactor() {
		return redirect("/admin/signin/code", s.pendingCookie(token)), nil
	}
	return redirect("/admin/", s.sessionCookie(token)), nil
}

// adminSignOut ends this session, or every session of the account.
func (s *Server) adminSignOut(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	if c, err := r.Cookie(staffCookie); err == nil {
		if err := s.auth.SignOut(r.Context(), c.Value, clientIP(r), r.PostForm.Get("everywhere") == "1"); err != nil {
			return nil, err
		}
	}
	gone := s.sessionCookie("")
	gone.MaxAge = -1
	return redirect("/admin/signin", gone), nil
}

// sessionCookie carries a staff session: only to the admin, never to scripts, Secure when
// the site is served over https.
func (s *Server) sessionCookie(token string) *http.Cookie {
	return &http.Cookie{Name: staffCookie, Value: token, Path: "/admin/", HttpOnly: true,
		Secure: strings.HasPrefix(s.baseURL, "https://"), SameSite: http.SameSiteLaxMode,
		MaxAge: int(newsroom.SessionLifetime.Seconds())}
}

// pendingCookie carries a sign-in waiting for its two-factor code, only to the code's page,
// for as long as the sign-in waits; an empty token deletes it.
func (s *Server) pendingCookie(token string) *http.Cookie {
	c := &http.Cookie{Name: pendingCookie, Value: token, Path: "/admin/signin/code", HttpOnly: true,
		Secure: strings.HasPrefix(s.baseURL, "https://"), SameSite: http.SameSiteLaxMode,
		MaxAge: int(newsroom.PendingLifetime.Seconds())}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// pendingCookie names the cookie of a sign-in waiting for its two-factor code.
const pendingCookie = "byline_signin"

// parseForm reads a form of at most maxForm bytes.
func parseForm(r *http.Request) error {
	if r.Body == nil {
		return byline.Errorf(byline.EINVALID, "The form is empty.")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return byline.Errorf(byline.EINVALID, "The form could not be read (it may be too large).")
	}
	return nil
}

// clientIP is the address the request came from, for limits and the audit log. Behind a
// proxy it is the proxy's: trusting X-Forwarded-For is a setting still to come.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
