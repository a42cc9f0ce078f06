package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

// TestAdminSetupAndSignIn walks the admin's door on both engines: the one-time setup of the
// Owner with the setup code printed at start, the session cookie, sign-out, a refused and an accepted sign-in; forms from another
// origin are refused, admin pages are never cached, public pages set no cookie.
func TestAdminSetupAndSignIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		staff := &newsroom.Newsroom{Store: db, Sessions: db}
		s := newSite(t, db, func(c *web.Config) {
			c.Staff = staff
			c.Auth = &newsroom.Auth{Staff: db, Sessions: db, Now: c.Now}
		})
		code, err := staff.SetupToken(context.Background())
		if err != nil || len(code) < 40 {
			t.Fatalf("setup code %q, %v", code, err)
		}
		if again, _ := staff.SetupToken(context.Background()); again != code {
			t.Fatalf("a second node's setup code %q, want the first's", again)
		}
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		do := func(method, path string, form url.Values, header ...string) *http.Response {
			t.Helper()
			var body *strings.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			} else {
				body = strings.NewReader("")
			}
			req, _ := http.NewRequest(method, s.srv.URL+path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { res.Body.Close() })
			return res
		}
		doc := func(res *http.Response) *goquery.Document {
			t.Helper()
			d, err := goquery.NewDocumentFromReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}

		res := do("GET", "/admin/", nil)
		if res.StatusCode != http.StatusOK || doc(res).Find(`form[action="/admin/setup"]`).Length() != 1 {
			t.Fatalf("a newsroom without staff: status %d, want the setup form", res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("admin Cache-Control %q, want no-store", cc)
		}
		owner := url.Values{"name": {"Olga Martin"}, "email": {"olga@news.example"}, "password": {"a long enough password"}}
		for _, bad := range []string{"", "not-the-code"} {
			owner.Set("code", bad)
			if res := do("POST", "/admin/setup", owner); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(res).Find(".form-error").Text(), "setup code") {
				t.Fatalf("setup with the code %q: status %d, want 422", bad, res.StatusCode)
			}
		}
		owner.Set("code", code)
		if res := do("POST", "/admin/setup", owner, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("setup posted from another site: status %d, want 403", res.StatusCode)
		}
		short := url.Values{"name": {"Olga"}, "email": {"olga@news.example"}, "password": {"short"}, "code": {code}}
		if res := do("POST", "/admin/setup", short); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(res).Find(".form-error").Text(), "at least 12") {
			t.Fatalf("a short password: status %d, want 422 and the reason", res.StatusCode)
		}
		res = do("POST", "/admin/setup", owner)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/" {
			t.Fatalf("setup: status %d to %q, want 303 to /admin/", res.StatusCode, res.Header.Get("Location"))
		}
		cookie := res.Header.Get("Set-Cookie")
		for _, want := range []string{"byline_staff=", "Path=/admin/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("session cookie %q lacks %s", cookie, want)
			}
		}
		if text := doc(do("GET", "/admin/", nil)).Find("main").Text(); !strings.Contains(text, "Signed in as Olga Martin") {
			t.Fatalf("admin home after setup: %q", text)
		}
		if code, _ := staff.SetupToken(context.Background()); code != "" {
			t.Fatalf("after the setup, the setup code is %q, want none", code)
		}
		if res := do("POST", "/admin/setup", url.Values{"name": {"Mallory"}, "email": {"m@evil.example"}, "password": {"a long enough password"}, "code": {code}}); res.Header.Get("Location") != "/admin/signin" {
			t.Fatalf("a second setup: status %d to %q, want a redirect to sign-in", res.StatusCode, res.Header.Get("Location"))
		}
		if res := do("POST", "/admin/signout", url.Values{}); res.Header.Get("Location") != "/admin/signin" {
			t.Fatalf("sign out: status %d", res.StatusCode)
		}
		if res := do("GET", "/admin/", nil); res.Header.Get("Location") != "/admin/signin" {
			t.Fatalf("after signing out: status %d to %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
		}
		res = do("POST", "/admin/signin", url.Values{"email": {"olga@news.example"}, "password": {"not the password!"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc(res).Find(".form-error").Text(), "Wrong email or password") {
			t.Fatalf("a wrong password: status %d", res.StatusCode)
		}
		if res := do("POST", "/admin/signin", url.Values{"email": {"Olga@news.example"}, "password": {"a long enough password"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: status %d", res.StatusCode)
		}
		if text := doc(do("GET", "/admin/", nil)).Find("main").Text(); !strings.Contains(text, "Signed in as Olga Martin") {
			t.Fatalf("admin home after sign-in: %q", text)
		}
		if res := do("GET", "/", nil); res.Header.Get("Set-Cookie") != "" {
			t.Errorf("the front page sets a cookie: %q", res.Header.Get("Set-Cookie"))
		}
	})
}
