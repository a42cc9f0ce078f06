package web

import (
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
	Page  string // "setup", "signin" or "home"
	Staff *byline.Staff
	Error string
	Email string // kept in the form after a refusal
	Name  string
}

// adminRoutes adds the admin's routes, behind cross-origin protection.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	if s.auth == nil {
		return
	}
	protect := http.NewCrossOriginProtection()
	for pattern, h := range map[string]handlerFunc{
		"GET /admin/{$}":      s.adminHome,
		"POST /admin/setup":   s.adminSetup,
		"GET /admin/signin":   s.adminSignInPage,
		"POST /admin/signin":  s.adminSignIn,
		"POST /admin/signout": s.adminSignOut,
	} {
		mux.Handle(pattern, protect.Handler(s.handle(h)))
	}
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
}

// adminPage renders an admin page for its one reader: never cached anywhere.
func (s *Server) adminPage(r *http.Request, status int, a *adminData) (*response, error) {
	site, err := s.settings(r.Context())
	if err != nil {
		return nil, err
	}
	data := s.pageWith(site, r)
	data.Admin, data.Canonical = a, ""
	data.Title = map[string]string{"setup": "Set up your newsroom", "signin": "Sign in", "home": "Newsroom"}[a.Page] + " – " + site.Title
	res, err := s.render(status, "admin", data)
	if err != nil {
		return nil, err
	}
	res.cacheControl = "no-store"
	return res, nil
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
		return s.adminPage(r, http.StatusOK, &adminData{Page: "setup"})
	}
	staff, err := s.signedIn(r)
	if err != nil {
		return nil, err
	}
	if staff == nil {
		return redirect("/admin/signin"), nil
	}
	return s.adminPage(r, http.StatusOK, &adminData{Page: "home", Staff: staff})
}

// adminSetup creates the Owner's account, once, and signs them in.
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
	a := &adminData{Page: "setup", Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name")}
	owner, err := s.staff.AddStaff(ctx, a.Email, a.Name, byline.RoleOwner, r.PostForm.Get("password"))
	if code := byline.ErrorCode(err); code == byline.EINVALID || code == byline.ECONFLICT {
		a.Error = byline.ErrorMessage(err)
		return s.adminPage(r, statusOf(code), a)
	} else if err != nil {
		return nil, err
	}
	if err := s.auth.Sessions.Audit(ctx, &byline.AuditEntry{StaffID: owner.ID, Action: "set up the newsroom", Subject: owner.Email, IP: clientIP(r)}); err != nil {
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
	return s.adminPage(r, http.StatusOK, &adminData{Page: "signin"})
}

// adminSignIn checks the form and starts a session with a new token.
func (s *Server) adminSignIn(r *http.Request) (*response, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	a := &adminData{Page: "signin", Email: r.PostForm.Get("email")}
	token, _, err := s.auth.SignIn(r.Context(), a.Email, r.PostForm.Get("password"), clientIP(r))
	if code := byline.ErrorCode(err); code == byline.EUNAUTHORIZED || code == byline.ELIMITED {
		a.Error = byline.ErrorMessage(err)
		return s.adminPage(r, statusOf(code), a)
	} else if err != nil {
		return nil, err
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

// parseForm reads a form of at most maxForm bytes.
func parseForm(r *http.Request) error {
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
