package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/membership"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

// memberClient is a browser of its own: a cookie jar, redirects not followed.
type memberClient struct {
	t      *testing.T
	srv    string
	client *http.Client
}

func newMemberClient(t *testing.T, s *site) *memberClient {
	jar, _ := cookiejar.New(nil)
	return &memberClient{t: t, srv: s.srv.URL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request (a form when form is not nil) and returns the response and its body.
func (c *memberClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.srv+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var (
	linkRE = regexp.MustCompile(`http://news\.test(/members/link/[A-Za-z0-9_-]+)`)
	codeRE = regexp.MustCompile(`\n    (\d{3} \d{3})\n`)
)

// mailTo returns the newest message in the outbox, which must be to the address.
func mailTo(t *testing.T, db *store.DB, to string) *byline.OutboxMessage {
	t.Helper()
	list, err := db.FindOutbox(context.Background(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("outbox: %v, %d messages", err, len(list))
	}
	if list[0].To != to {
		t.Fatalf("the newest message is to %q, want %q", list[0].To, to)
	}
	return list[0]
}

func outboxCount(t *testing.T, db *store.DB) int {
	t.Helper()
	list, err := db.FindOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func linkOf(t *testing.T, m *byline.OutboxMessage) string {
	t.Helper()
	match := linkRE.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no link in %q", m.Text)
	}
	return match[1]
}

func pageDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestMembersSignIn walks a member's sign-up, sign-in by link and by code, the links' second
// clicks and expiry, the limits, the honeypot, blocked domains, return paths, the account
// page, signing out everywhere, the data download and deleting the account, on both engines.
func TestMembersSignIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		clock := now
		tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		setClock := func(c time.Time) { mu.Lock(); clock = c; mu.Unlock() }
		s := newSite(t, db, func(c *web.Config) {
			c.Now = tick
			c.Members = &membership.Members{Store: db, Settings: db, Mail: &mail.Outbox{Store: db, Now: tick}, BaseURL: base, Now: tick}
		})
		db.Now = tick
		s.article("Quiet Story", time.Hour)
		ctx := context.Background()

		anon := newMemberClient(t, s)
		for _, p := range []string{"/", "/quiet-story/", "/members/signup", "/members/signin"} {
			if res, _ := anon.do("GET", p, nil); res.StatusCode != http.StatusOK || len(res.Header.Values("Set-Cookie")) != 0 {
				t.Fatalf("anonymous GET %s: status %d, Set-Cookie %q; want 200 and no cookie", p, res.StatusCode, res.Header.Values("Set-Cookie"))
			}
		}

		// Sign up with a mixed-case address with a +, from the article.
		asker := newMemberClient(t, s)
		res, body := asker.do("POST", "/members/signup", url.Values{"email": {" Rita+News@Example.ORG "}, "name": {"Rita Reader"}, "return": {"/quiet-story/"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Check your mail") || len(res.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("sign-up: status %d, cookies %q", res.StatusCode, res.Header.Values("Set-Cookie"))
		}
		const rita = "rita+news@example.org"
		msg := mailTo(t, db, rita)
		link := linkOf(t, msg)
		if c := codeRE.FindStringSubmatch(msg.Text); c == nil || !strings.Contains(msg.Subject, strings.ReplaceAll(c[1], " ", "")) ||
			!strings.Contains(msg.HTML, strings.Replace(c[1], " ", "&#8201;", 1)) || !strings.Contains(msg.HTML, `href="`+base+link+`"`) {
			t.Fatalf("the message has no code: %q / %q", msg.Subject, msg.Text)
		}

		// Another browser (an in-app one) opens the link: a button, no session yet.
		other := newMemberClient(t, s)
		res, body = other.do("GET", link, nil)
		if res.StatusCode != http.StatusOK || pageDoc(t, body).Find(`form[method="post"][action="`+link+`"] button`).Length() != 1 || len(res.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("GET the link: status %d, want the page with a Sign in button and no cookie", res.StatusCode)
		}
		if res, _ := other.do("GET", "/members/account", nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/members/signin") {
			t.Fatalf("after a GET of the link, the account: status %d to %q, want sign-in", res.StatusCode, res.Header.Get("Location"))
		}
		res, _ = other.do("POST", link, url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/quiet-story/" {
			t.Fatalf("POST the link: status %d to %q, want 303 to the article", res.StatusCode, res.Header.Get("Location"))
		}
		cookie := strings.Join(res.Header.Values("Set-Cookie"), "; ")
		for _, want := range []string{"byline_member=", "Path=/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("member cookie %q lacks %s", cookie, want)
			}
		}
		if _, body := other.do("GET", "/members/account", nil); !strings.Contains(pageDoc(t, body).Find("main").Text(), "Rita Reader ("+rita+")") {
			t.Fatalf("the account page does not show the member: %s", body)
		}
		if res, _ := other.do("GET", "/quiet-story/", nil); !strings.Contains(res.Header.Get("Cache-Control"), "private") {
			t.Fatalf("a member's article page: Cache-Control %q, want private", res.Header.Get("Cache-Control"))
		}
		// The same link again: this browser goes on, another is told it was used.
		if res, _ := other.do("GET", link, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/quiet-story/" {
			t.Fatalf("the used link in the signed-in browser: status %d to %q, want to go on", res.StatusCode, res.Header.Get("Location"))
		}
		res, body = asker.do("GET", link, nil)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "used already") || pageDoc(t, body).Find(`form[action="`+link+`/resend"]`).Length() != 1 {
			t.Fatalf("the used link elsewhere: status %d, want 409, used, and a resend button", res.StatusCode)
		}
		if res, _ := asker.do("POST", link, url.Values{}); res.StatusCode != http.StatusConflict || len(res.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("POST a used link: status %d, want 409 and no session", res.StatusCode)
		}

		// A code typed instead of the link; the link of that message is then used.
		res, _ = asker.do("POST", "/members/signin", url.Values{"email": {"RITA+news@example.org"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("sign-in request: status %d", res.StatusCode)
		}
		msg = mailTo(t, db, rita)
		code := codeRE.FindStringSubmatch(msg.Text)[1]
		if res, _ := asker.do("POST", "/members/code", url.Values{"email": {rita}, "code": {"000 000"}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong code: status %d, want 401", res.StatusCode)
		}
		res, _ = asker.do("POST", "/members/code", url.Values{"email": {rita}, "code": {code}, "return": {"/quiet-story/"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/quiet-story/" || !strings.Contains(res.Header.Get("Set-Cookie"), "byline_member=") {
			t.Fatalf("the code: status %d to %q, want a session", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := anon.do("GET", linkOf(t, msg), nil); res.StatusCode != http.StatusConflict {
			t.Fatalf("the link of a message whose code was used: status %d, want 409", res.StatusCode)
		}
		if res, _ := anon.do("POST", "/members/code", url.Values{"email": {rita}, "code": {code}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a code used twice: status %d, want 401", res.StatusCode)
		}

		// Known and unknown addresses get the same page.
		_, known := anon.do("POST", "/members/signin", url.Values{"email": {rita}})
		_, unknown := anon.do("POST", "/members/signin", url.Values{"email": {"nobody@example.org"}})
		known = strings.ReplaceAll(strings.ReplaceAll(known, rita, "X"), strings.ReplaceAll(rita, "+", "&#43;"), "X")
		if known != strings.ReplaceAll(unknown, "nobody@example.org", "X") || !strings.Contains(known, "Check your mail") {
			t.Fatalf("known and unknown addresses get different pages:\n%s\n%s", known, unknown)
		}
		if m := mailTo(t, db, "nobody@example.org"); !strings.Contains(m.Text, "/members/signup?email=nobody%40example.org") {
			t.Fatalf("an unknown address is not told how to join: %q", m.Text)
		}

		// The honeypot: the same page, nothing sent.
		n := outboxCount(t, db)
		res, body = anon.do("POST", "/members/signup", url.Values{"email": {"bot@example.org"}, "name": {"Bot"}, "website": {"http://spam.example"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Check your mail") || outboxCount(t, db) != n {
			t.Fatalf("the honeypot: status %d, %d messages, want 200 and none sent", res.StatusCode, outboxCount(t, db)-n)
		}
		if pageDoc(t, body).Find(`.hp[aria-hidden="true"] input[name="website"][autocomplete="off"][tabindex="-1"]`).Length() != 0 {
			t.Fatal("the check page has the honeypot")
		}
		if _, body := anon.do("GET", "/members/signup", nil); pageDoc(t, body).Find(`.hp[aria-hidden="true"] input[name="website"][autocomplete="off"][tabindex="-1"]`).Length() != 1 {
			t.Fatal("the sign-up form lacks its honeypot")
		}

		// A blocked domain is refused plainly: it says nothing of who has an account.
		site, _ := db.FindSettings(ctx)
		site.BlockedEmailDomains = []string{"mailinator.com"}
		if err := db.SaveSettings(ctx, site); err != nil {
			t.Fatal(err)
		}
		res, body = anon.do("POST", "/members/signup", url.Values{"email": {"x@Sub.Mailinator.com"}, "name": {"X"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot be used here") || outboxCount(t, db) != n {
			t.Fatalf("a blocked domain: status %d, want 422 and nothing sent", res.StatusCode)
		}

		// Return paths stay on the site (an hour later: each address may ask five times an hour).
		setClock(now.Add(61 * time.Minute))
		for _, evil := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			if _, body := anon.do("GET", "/members/signin?return="+url.QueryEscape(evil), nil); pageDoc(t, body).Find(`input[name="return"]`).AttrOr("value", "") != "/" {
				t.Fatalf("the return path %q is kept on the form", evil)
			}
			asker.do("POST", "/members/signout", url.Values{})
			anon.do("POST", "/members/signin", url.Values{"email": {rita}, "return": {evil}})
			if res, _ := asker.do("POST", linkOf(t, mailTo(t, db, rita)), url.Values{}); res.Header.Get("Location") != "/" {
				t.Fatalf("the return path %q: sent to %q, want /", evil, res.Header.Get("Location"))
			}
		}

		// An expired link says so and sends a new one in one click.
		anon.do("POST", "/members/signin", url.Values{"email": {rita}, "return": {"/quiet-story/"}})
		old := linkOf(t, mailTo(t, db, rita))
		setClock(now.Add(26 * time.Hour))
		res, body = anon.do("GET", old, nil)
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
			t.Fatalf("an expired link: status %d, want 410", res.StatusCode)
		}
		res, body = anon.do("POST", old+"/resend", url.Values{})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Check your mail") {
			t.Fatalf("resend: status %d", res.StatusCode)
		}
		fresh := linkOf(t, mailTo(t, db, rita))
		if fresh == old {
			t.Fatal("resend sent the old link")
		}
		if res, _ := anon.do("POST", fresh, url.Values{}); res.Header.Get("Location") != "/quiet-story/" {
			t.Fatalf("the new link: to %q, want the article", res.Header.Get("Location"))
		}

		// Sign out everywhere ends the other browsers' sessions too.
		if res, _ := other.do("GET", "/members/account", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("before signing out: status %d", res.StatusCode)
		}
		res, _ = asker.do("POST", "/members/signout", url.Values{"everywhere": {"1"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("sign out everywhere: status %d, cookie %q", res.StatusCode, res.Header.Get("Set-Cookie"))
		}
		for _, c := range []*memberClient{other, anon} {
			if res, _ := c.do("GET", "/members/account", nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("after signing out everywhere: status %d, want a redirect to sign in", res.StatusCode)
			}
		}

		// Sign in again; the profile, the data, an address change.
		anon.do("POST", "/members/signin", url.Values{"email": {rita}})
		other.do("POST", linkOf(t, mailTo(t, db, rita)), url.Values{})
		if res, _ := other.do("POST", "/members/account", url.Values{"name": {"Rita R."}, "expertise": {"Nurse in Lyon"}, "newsletter": {"1"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the profile: status %d", res.StatusCode)
		}
		res, body = other.do("GET", "/members/account/data", nil)
		var data membership.Export
		if err := json.Unmarshal([]byte(body), &data); err != nil || res.Header.Get("Content-Type") != "application/json" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("data: %v, %q %q", err, res.Header.Get("Content-Type"), body)
		}
		if data.Email != rita || data.Name != "Rita R." || data.Expertise != "Nurse in Lyon" || !data.Newsletter || data.Status != "free" || len(data.Sessions) != 1 {
			t.Fatalf("data: %+v", data)
		}
		if res, _ := other.do("POST", "/members/account/email", url.Values{"email": {"Rita@New.Example"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change the address: status %d", res.StatusCode)
		}
		change := linkOf(t, mailTo(t, db, "rita@new.example"))
		if _, body := other.do("GET", "/members/account", nil); !strings.Contains(pageDoc(t, body).Find("main").Text(), rita) {
			t.Fatal("the address changed before it was confirmed")
		}
		if res, body := anon.do("GET", change, nil); res.StatusCode != http.StatusOK || !strings.Contains(body, "rita@new.example") {
			t.Fatalf("the confirmation page: status %d", res.StatusCode)
		}
		if res, _ := anon.do("POST", change, url.Values{}); res.StatusCode != http.StatusSeeOther || len(res.Header.Values("Set-Cookie")) != 0 {
			t.Fatalf("confirm the address: status %d, cookies %q (want none: it signs nobody in)", res.StatusCode, res.Header.Values("Set-Cookie"))
		}
		if _, body := other.do("GET", "/members/account", nil); !strings.Contains(body, "rita@new.example") {
			t.Fatal("the address did not change")
		}

		// Delete the account, once confirmed; the choice about comments is kept.
		m, err := db.FindMemberByEmail(ctx, "rita@new.example")
		if err != nil {
			t.Fatal(err)
		}
		anon.do("POST", "/members/signin", url.Values{"email": {"rita@new.example"}})
		if codes, _ := db.FindMemberCodes(ctx, "rita@new.example", tick()); len(codes) != 1 {
			t.Fatalf("before deleting, %d codes out, want 1", len(codes))
		}
		if res, _ := other.do("POST", "/members/account/delete", url.Values{"comments": {"remove"}, "confirm": {"wrong@example.org"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("delete without confirming: status %d, want 422", res.StatusCode)
		}
		res, body = other.do("POST", "/members/account/delete", url.Values{"comments": {"remove"}, "confirm": {"Rita@New.Example"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "deleted") || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("delete: status %d", res.StatusCode)
		}
		gone, err := db.FindMemberByID(ctx, m.ID)
		if err != nil || gone.DeletedAt.IsZero() || gone.DeletedComments != byline.CommentsRemove || gone.Email != "" || gone.Name != "" {
			t.Fatalf("the deleted member: %+v, %v", gone, err)
		}
		if _, err := db.FindMemberByEmail(ctx, "rita@new.example"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("the deleted address still finds a member: %v", err)
		}
		if codes, _ := db.FindMemberCodes(ctx, "rita@new.example", tick()); len(codes) != 0 {
			t.Fatalf("the deleted member's address keeps %d sign-in codes", len(codes))
		}
		if sessions, _ := db.FindMemberSessions(ctx, m.ID); len(sessions) != 0 {
			t.Fatalf("the deleted member keeps %d sessions", len(sessions))
		}
	})
}

// TestMembersLimits checks the limits per address and per client address, counted in the
// database, and the forms' cross-origin protection.
func TestMembersLimits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, func(c *web.Config) {
			c.Members = &membership.Members{Store: db, Settings: db, Mail: &mail.Outbox{Store: db, Now: c.Now}, BaseURL: base, Now: c.Now}
		})
		c := newMemberClient(t, s)
		for i := 1; i <= 6; i++ {
			res, _ := c.do("POST", "/members/signin", url.Values{"email": {"Limit@Example.org"}})
			if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i <= 5]; res.StatusCode != want {
				t.Fatalf("request %d for one address: status %d, want %d", i, res.StatusCode, want)
			}
		}
		for i := 1; i <= 6; i++ {
			res, _ := c.do("POST", "/members/code", url.Values{"email": {"other@example.org"}, "code": {"123456"}})
			if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i <= 5]; res.StatusCode != want {
				t.Fatalf("code %d for one address: status %d, want %d", i, res.StatusCode, want)
			}
		}
		limited := 0
		for i := range 40 {
			res, _ := c.do("POST", "/members/signup", url.Values{"email": {"r" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.org"}})
			if res.StatusCode == http.StatusTooManyRequests {
				limited = i + 1
				break
			}
		}
		if limited == 0 || limited > 30 {
			t.Fatalf("requests from one client address: limited at the %dth, want by the 30th", limited)
		}
		req, _ := http.NewRequest("POST", s.srv.URL+"/members/signin", strings.NewReader("email=a%40example.org"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("a form posted from another site: status %d, want 403", res.StatusCode)
		}
	})
}

// TestMembersSecureCookie checks that a site served over https sends the session cookie
// only over https.
func TestMembersSecureCookie(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, func(c *web.Config) {
			c.BaseURL = "https://news.test"
			c.Members = &membership.Members{Store: db, Settings: db, Mail: &mail.Outbox{Store: db, Now: c.Now}, BaseURL: c.BaseURL, Now: c.Now}
		})
		c := newMemberClient(t, s)
		c.do("POST", "/members/signup", url.Values{"email": {"sam@example.org"}, "name": {"Sam"}})
		msg := mailTo(t, db, "sam@example.org")
		code := codeRE.FindStringSubmatch(msg.Text)[1]
		res, _ := c.do("POST", "/members/code", url.Values{"email": {"sam@example.org"}, "code": {code}})
		if cookie := res.Header.Get("Set-Cookie"); !strings.Contains(cookie, "byline_member=") || !strings.Contains(cookie, "; Secure") {
			t.Fatalf("the session cookie of an https site: %q, want Secure", cookie)
		}
	})
}
