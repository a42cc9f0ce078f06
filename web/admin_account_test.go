package web_test

import (
	"context"
	"fmt"
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
	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"
)

// adminSite is a test site with the whole newsroom: staff, sessions, the outbox as its
// mail, and a clock the test moves.
type adminSite struct {
	*site
	staff *newsroom.Newsroom
	auth  *newsroom.Auth
	mu    sync.Mutex
	clock time.Time
}

func (a *adminSite) now() time.Time { a.mu.Lock(); defer a.mu.Unlock(); return a.clock }

// move moves the site's clock on.
func (a *adminSite) move(d time.Duration) { a.mu.Lock(); a.clock = a.clock.Add(d); a.mu.Unlock() }

func newAdminSite(t *testing.T, db *store.DB) *adminSite {
	t.Helper()
	a := &adminSite{clock: now}
	a.staff = &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db, Now: a.now}, BaseURL: base, Now: a.now}
	a.auth = &newsroom.Auth{Staff: db, Sessions: db, Now: a.now}
	a.site = newSite(t, db, func(c *web.Config) { c.Now, c.Staff, c.Auth = a.now, a.staff, a.auth })
	db.Now = a.now
	return a
}

// account adds a staff account with the password "a long enough password".
func (a *adminSite) account(role byline.Role, email string) *byline.Staff {
	a.t.Helper()
	s, err := a.staff.AddStaff(context.Background(), email, strings.Split(email, "@")[0], role, "a long enough password")
	if err != nil {
		a.t.Fatal(err)
	}
	return s
}

// browser is one visitor's browser: its own cookies, redirects not followed.
type browser struct {
	t   *testing.T
	a   *adminSite
	jar *cookiejar.Jar
	c   *http.Client
}

func (a *adminSite) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, a: a, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedInAs gives the browser a session of the account, as a sign-in would.
func (b *browser) signedInAs(s *byline.Staff) *browser {
	b.t.Helper()
	token, err := b.a.auth.StartSession(context.Background(), s, "127.0.0.1")
	if err != nil {
		b.t.Fatal(err)
	}
	u, _ := url.Parse(b.a.srv.URL + "/admin/")
	b.jar.SetCookies(u, []*http.Cookie{{Name: "byline_staff", Value: token, Path: "/admin/"}})
	return b
}

// page sends a request (a form when form is not nil) and returns the response and its
// document.
func (b *browser) page(method, path string, form url.Values) (*http.Response, *goquery.Document) {
	b.t.Helper()
	body := ""
	if form != nil {
		body = form.Encode()
	}
	req, _ := http.NewRequest(method, b.a.srv.URL+path, strings.NewReader(body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, doc
}

// signedIn reports whether the browser's session opens the admin.
func (b *browser) signedIn() bool {
	b.t.Helper()
	res, _ := b.page("GET", "/admin/account", nil)
	return res.StatusCode == http.StatusOK
}

// lastLink returns the path of the link in the newest outbox message to the address.
func (a *adminSite) lastLink(to string) string {
	a.t.Helper()
	list, err := a.db.FindOutbox(context.Background(), 100)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, m := range list {
		if m.To == to {
			link := regexp.MustCompile(regexp.QuoteMeta(base) + `(/admin/\S+)`).FindStringSubmatch(m.Text)
			if link == nil {
				a.t.Fatalf("message to %s has no link: %q", to, m.Text)
			}
			return link[1]
		}
	}
	a.t.Fatalf("no message to %s in the outbox", to)
	return ""
}

// outboxCount counts the outbox's messages to the address.
func (a *adminSite) outboxCount(to string) int {
	list, err := a.db.FindOutbox(context.Background(), 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	n := 0
	for _, m := range list {
		if m.To == to {
			n++
		}
	}
	return n
}

// TestAdminPasswordReset walks a reset: the same answer for known and unknown addresses,
// the link from the outbox, a new password that ends every session, a link that works once
// and not after an hour, and the limits.
func TestAdminPasswordReset(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		desk := a.browser().signedInAs(owner)
		phone := a.browser().signedInAs(owner)
		visitor := a.browser()

		res, doc := visitor.page("GET", "/admin/signin", nil)
		if doc.Find(`a[href="/admin/reset"]`).Length() != 1 {
			t.Fatal("the sign-in page has no link to reset a password")
		}
		res, known := visitor.page("POST", "/admin/reset", url.Values{"email": {"olga@news.example"}})
		knownText := strings.ReplaceAll(known.Find("main").Text(), "olga@news.example", "X")
		res2, unknown := visitor.page("POST", "/admin/reset", url.Values{"email": {"nobody@news.example"}})
		unknownText := strings.ReplaceAll(unknown.Find("main").Text(), "nobody@news.example", "X")
		if res.StatusCode != http.StatusOK || res2.StatusCode != http.StatusOK || knownText != unknownText {
			t.Fatalf("known and unknown addresses answered differently: %d %q, %d %q", res.StatusCode, knownText, res2.StatusCode, unknownText)
		}
		if a.outboxCount("nobody@news.example") != 0 || a.outboxCount("olga@news.example") != 1 {
			t.Fatal("the outbox should hold one message, to the account")
		}
		link := a.lastLink("olga@news.example")
		if !strings.HasPrefix(link, "/admin/reset/") {
			t.Fatalf("reset link %q", link)
		}
		if res, _ := visitor.page("GET", link, nil); res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the reset page: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if res, doc := visitor.page("POST", link, url.Values{"password": {"a brand new password"}, "password2": {"another password!"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".form-error").Text(), "differ") {
			t.Fatalf("different passwords: status %d", res.StatusCode)
		}
		if res, doc := visitor.page("POST", link, url.Values{"password": {"short"}, "password2": {"short"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".form-error").Text(), "at least 12") {
			t.Fatalf("a short password: status %d", res.StatusCode)
		}
		if !desk.signedIn() {
			t.Fatal("refused attempts ended the sessions")
		}
		res, _ = visitor.page("POST", link, url.Values{"password": {"a brand new password"}, "password2": {"a brand new password"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin?done=reset" {
			t.Fatalf("reset: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if desk.signedIn() || phone.signedIn() {
			t.Fatal("the account's sessions survived the reset")
		}
		if res, doc := visitor.page("GET", link, nil); res.StatusCode != http.StatusNotFound || !strings.Contains(doc.Text(), "expired or has been used") {
			t.Fatalf("a used link: status %d", res.StatusCode)
		}
		if res, _ := visitor.page("POST", link, url.Values{"password": {"yet another password"}, "password2": {"yet another password"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a used link posted again: status %d", res.StatusCode)
		}
		if _, _, err := a.auth.SignIn(context.Background(), "olga@news.example", "a brand new password", "10.0.0.9"); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
		if _, _, err := a.auth.SignIn(context.Background(), "olga@news.example", "a long enough password", "10.0.0.9"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Fatalf("the old password: %v", err)
		}
		if res, _ := visitor.page("GET", "/admin/reset/not-a-token", nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a made-up link: status %d", res.StatusCode)
		}

		// A link is good for an hour.
		visitor.page("POST", "/admin/reset", url.Values{"email": {"olga@news.example"}})
		late := a.lastLink("olga@news.example")
		a.move(61 * time.Minute)
		if res, _ := visitor.page("GET", late, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an expired link: status %d", res.StatusCode)
		}
		if res, _ := visitor.page("POST", late, url.Values{"password": {"yet another password"}, "password2": {"yet another password"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an expired link posted: status %d", res.StatusCode)
		}

		// Three messages an hour to one account, answered alike; ten requests an hour from one address.
		a.move(2 * time.Hour)
		for range 5 {
			if res, _ := visitor.page("POST", "/admin/reset", url.Values{"email": {"olga@news.example"}}); res.StatusCode != http.StatusOK {
				t.Fatalf("a reset past the account's limit: status %d, want the same 200", res.StatusCode)
			}
		}
		if n := a.outboxCount("olga@news.example"); n != 2+3 {
			t.Fatalf("%d messages to the account, want 5 (3 this hour)", n)
		}
		var last int
		for range 6 {
			res, _ := visitor.page("POST", "/admin/reset", url.Values{"email": {"someone@news.example"}})
			last = res.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("the eleventh request from one address: status %d, want 429", last)
		}
	})
}

// TestAdminOutbox: messages go through the Mailer into the outbox; administrators read
// it, with a warning about its secrets, and editors may not.
func TestAdminOutbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		editor := a.account(byline.RoleEditor, "ed@news.example")
		ctx := context.Background()
		var m byline.Mailer = a.staff.Mail
		if err := m.Send(ctx, byline.Message{To: "Reader@Example.org", Subject: "Hello <there>", Text: "Line one.\nhttp://news.test/admin/reset/x", Kind: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []byline.Message{
			{To: "not an address", Subject: "S", Text: "T"},
			{To: "a@example.org", Subject: "Two\r\nBcc: x@evil.example", Text: "T"},
			{To: "a@example.org", Subject: "S", Text: " "},
		} {
			if err := m.Send(ctx, bad); byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("Send(%+v) = %v, want invalid", bad, err)
			}
		}
		res, doc := a.browser().signedInAs(owner).page("GET", "/admin/outbox", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("outbox: status %d", res.StatusCode)
		}
		if !strings.Contains(doc.Find(".outbox-warning").Text(), "secret links") {
			t.Error("the outbox does not warn of its secret links")
		}
		msg := doc.Find(".outbox-message")
		if msg.Length() != 1 || msg.Find("h2").Text() != "Hello <there>" || !strings.Contains(msg.Find(".meta").Text(), "reader@example.org") ||
			!strings.Contains(msg.Find("pre").Text(), "http://news.test/admin/reset/x") {
			t.Fatalf("outbox message: %q", msg.Text())
		}
		if res, _ := a.browser().signedInAs(editor).page("GET", "/admin/outbox", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an editor reads the outbox: status %d, want 403", res.StatusCode)
		}
		if res, _ := a.browser().page("GET", "/admin/outbox", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a stranger: status %d, want a redirect to sign in", res.StatusCode)
		}
		if res, _ := a.browser().signedInAs(owner).page("GET", "/admin/outbox?limit=99999999999999999999", nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a huge limit: status %d, want 422", res.StatusCode)
		}
	})
}

// TestAdminInvitation: an invitation by email link creates the account and signs the
// invitee in, once; editors invite only contributors and authors; invitations are listed
// and revocable.
func TestAdminInvitation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		editor := a.account(byline.RoleEditor, "ed@news.example")
		boss, desk := a.browser().signedInAs(owner), a.browser().signedInAs(editor)

		if res, _ := desk.page("POST", "/admin/staff/invite", url.Values{"email": {"x@news.example"}, "name": {"X"}, "role": {"editor"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an editor invites an editor: status %d, want 403", res.StatusCode)
		}
		if res, _ := desk.page("POST", "/admin/staff/invite", url.Values{"email": {"ed@news.example"}, "name": {"Ed"}, "role": {"author"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("inviting an address that has an account: status %d, want 409", res.StatusCode)
		}
		if res, doc := desk.page("POST", "/admin/staff/invite", url.Values{"email": {"nope"}, "name": {"N"}, "role": {"author"}}); res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#invite-email`).AttrOr("value", "") != "nope" {
			t.Fatalf("a bad address: status %d, want 422 with the form kept", res.StatusCode)
		}
		res, _ := desk.page("POST", "/admin/staff/invite", url.Values{"email": {"Ana@News.example"}, "name": {"Ana <b>López</b>"}, "role": {"author"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: status %d", res.StatusCode)
		}
		boss.page("POST", "/admin/staff/invite", url.Values{"email": {"admin2@news.example"}, "name": {"Second"}, "role": {"administrator"}})
		_, doc := desk.page("GET", "/admin/staff/", nil)
		if items := doc.Find(".invitations li"); items.Length() != 2 || !strings.Contains(items.Text(), "Ana <b>López</b>") {
			t.Fatalf("open invitations: %q", items.Text())
		}
		if doc.Find(`form[action$="/revoke"]`).Length() != 1 {
			t.Error("an editor may revoke only the author's invitation")
		}

		link := a.lastLink("ana@news.example")
		invitee := a.browser()
		res, doc = invitee.page("GET", link, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(doc.Find("main").Text(), "as author") {
			t.Fatalf("invitation page: status %d %q", res.StatusCode, doc.Find("main").Text())
		}
		if res, _ := invitee.page("POST", link, url.Values{"name": {"Ana López"}, "password": {"short"}, "password2": {"short"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a short password: status %d", res.StatusCode)
		}
		res, _ = invitee.page("POST", link, url.Values{"name": {"Ana López"}, "password": {"ana's long password"}, "password2": {"ana's long password"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/" || !invitee.signedIn() {
			t.Fatalf("accept: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		ana, err := db.FindStaffByEmail(context.Background(), "ana@news.example")
		if err != nil || ana.Role != byline.RoleAuthor || ana.Name != "Ana López" {
			t.Fatalf("the invitee's account: %+v, %v", ana, err)
		}
		if res, _ := a.browser().page("GET", link, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a used invitation: status %d", res.StatusCode)
		}

		// The administrator's invitation: the editor may not revoke it, the Owner does.
		invs, _ := db.FindInvitations(context.Background(), now)
		if len(invs) != 1 {
			t.Fatalf("%d open invitations, want 1", len(invs))
		}
		revoke := fmt.Sprintf("/admin/staff/invitations/%d/revoke", invs[0].ID)
		if res, _ := desk.page("POST", revoke, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an editor revokes an administrator's invitation: status %d", res.StatusCode)
		}
		second := a.lastLink("admin2@news.example")
		if res, _ := boss.page("POST", revoke, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: status %d", res.StatusCode)
		}
		if res, _ := a.browser().page("GET", second, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a revoked invitation: status %d", res.StatusCode)
		}

		// Seven days.
		boss.page("POST", "/admin/staff/invite", url.Values{"email": {"late@news.example"}, "name": {"Late"}, "role": {"editor"}})
		late := a.lastLink("late@news.example")
		a.move(7*24*time.Hour + time.Second)
		if res, _ := a.browser().page("POST", late, url.Values{"name": {"Late"}, "password": {"a long enough password"}, "password2": {"a long enough password"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an expired invitation: status %d", res.StatusCode)
		}
		if res, _ := a.browser().page("POST", "/admin/staff/invitations/99999999999999999999/revoke", url.Values{}); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a stranger revokes: status %d", res.StatusCode)
		}
		if res, _ := a.browser().signedInAs(owner).page("POST", "/admin/staff/invitations/99999999999999999999/revoke", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a huge id: status %d, want 404", res.StatusCode)
		}
	})
}

// TestAdminRoleChanges walks role changes and removals through the staff page's forms:
// the server allows exactly what byline.Role.CanManage allows.
func TestAdminRoleChanges(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		n := 0
		fresh := func(role byline.Role) *byline.Staff {
			if role == byline.RoleOwner {
				return owner
			}
			n++
			return a.account(role, fmt.Sprintf("%s%d@news.example", role, n))
		}
		const (
			C, A, M, E, D, O = byline.RoleContributor, byline.RoleAuthor, byline.RoleModerator, byline.RoleEditor, byline.RoleAdministrator, byline.RoleOwner
		)
		for _, c := range []struct {
			actor, target, to byline.Role
			want              int
		}{
			{E, C, A, http.StatusSeeOther},
			{E, A, C, http.StatusSeeOther},
			{E, C, E, http.StatusForbidden}, // an Editor promotes nobody to Editor
			{E, A, M, http.StatusForbidden},
			{E, E, A, http.StatusForbidden},
			{E, D, A, http.StatusForbidden},
			{E, O, D, http.StatusForbidden},
			{D, E, A, http.StatusSeeOther},
			{D, C, D, http.StatusSeeOther},
			{D, D, E, http.StatusSeeOther},
			{D, M, E, http.StatusSeeOther},
			{D, O, D, http.StatusForbidden}, // nobody edits the Owner
			{D, A, O, http.StatusForbidden}, // nobody is made Owner by a role change
			{O, D, E, http.StatusSeeOther},
			{O, E, D, http.StatusSeeOther},
			{O, A, O, http.StatusForbidden},
			{A, C, A, http.StatusForbidden},
			{M, C, A, http.StatusForbidden},
			{C, C, A, http.StatusForbidden},
		} {
			actor, target := fresh(c.actor), fresh(c.target)
			res, _ := a.browser().signedInAs(actor).page("POST", fmt.Sprintf("/admin/staff/%d/role", target.ID), url.Values{"role": {string(c.to)}})
			got, _ := db.FindStaffByID(context.Background(), target.ID)
			changed := got.Role == c.to
			if res.StatusCode != c.want || changed != (c.want == http.StatusSeeOther) {
				t.Errorf("%s makes %s %s: status %d, role now %s; want %d", c.actor, c.target, c.to, res.StatusCode, got.Role, c.want)
			}
			if allowed := c.actor.CanManage(c.target, c.to); allowed != (c.want == http.StatusSeeOther) {
				t.Errorf("the table disagrees with CanManage(%s, %s, %s) = %v", c.actor, c.target, c.to, allowed)
			}
		}

		// Nobody changes their own role; an unknown role is refused.
		admin := fresh(D)
		b := a.browser().signedInAs(admin)
		if res, _ := b.page("POST", fmt.Sprintf("/admin/staff/%d/role", admin.ID), url.Values{"role": {"editor"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("an administrator changes their own role: status %d", res.StatusCode)
		}
		if res, _ := b.page("POST", fmt.Sprintf("/admin/staff/%d/role", fresh(C).ID), url.Values{"role": {"king"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("an unknown role: status %d", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/staff/99999999999999999999/role", url.Values{"role": {"author"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a huge id: status %d", res.StatusCode)
		}

		// Removal: as the actor may manage; the account's sessions end, its audit stays.
		for _, c := range []struct {
			actor, target byline.Role
			want          int
		}{
			{E, A, http.StatusSeeOther}, {E, E, http.StatusForbidden}, {D, E, http.StatusSeeOther},
			{D, O, http.StatusForbidden}, {O, D, http.StatusSeeOther}, {A, C, http.StatusForbidden},
		} {
			target := fresh(c.target)
			victim := a.browser().signedInAs(target)
			res, _ := a.browser().signedInAs(fresh(c.actor)).page("POST", fmt.Sprintf("/admin/staff/%d/remove", target.ID), url.Values{})
			_, err := db.FindStaffByID(context.Background(), target.ID)
			gone := byline.ErrorCode(err) == byline.ENOTFOUND
			if res.StatusCode != c.want || gone != (c.want == http.StatusSeeOther) || victim.signedIn() == gone {
				t.Errorf("%s removes %s: status %d, gone %v; want %d", c.actor, c.target, res.StatusCode, gone, c.want)
			}
		}

		// The staff page offers only what the reader may do.
		_, doc := a.browser().signedInAs(fresh(E)).page("GET", "/admin/staff/", nil)
		doc.Find(`select[name="role"] option`).Each(func(_ int, o *goquery.Selection) {
			if v := o.AttrOr("value", ""); v != "contributor" && v != "author" {
				t.Errorf("an editor is offered the role %q", v)
			}
		})
		if doc.Find(`form[action="/admin/staff/owner"]`).Length() != 0 {
			t.Error("an editor is offered the hand-over of ownership")
		}
		entries, err := db.FindAudit(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		var changes, removals int
		for _, e := range entries {
			switch e.Action {
			case "changed a role":
				changes++
			case "removed an account":
				removals++
			}
		}
		if changes != 8 || removals != 3 {
			t.Errorf("audit log: %d role changes and %d removals, want 8 and 3", changes, removals)
		}
	})
}

// TestAdminOwnership: the Owner hands ownership over with their password, in one step.
func TestAdminOwnership(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		heir := a.account(byline.RoleEditor, "hana@news.example")
		admin := a.account(byline.RoleAdministrator, "dan@news.example")
		ctx := context.Background()
		to := url.Values{"to": {fmt.Sprint(heir.ID)}, "current": {"a long enough password"}}
		if res, _ := a.browser().signedInAs(admin).page("POST", "/admin/staff/owner", to); res.StatusCode != http.StatusForbidden {
			t.Fatalf("an administrator hands ownership over: status %d", res.StatusCode)
		}
		b := a.browser().signedInAs(owner)
		if _, doc := b.page("GET", "/admin/staff/", nil); doc.Find(`select[name="to"] option[value="`+fmt.Sprint(heir.ID)+`"]`).Length() != 1 {
			t.Fatal("the Owner is not offered the hand-over")
		}
		if res, _ := b.page("POST", "/admin/staff/owner", url.Values{"to": {fmt.Sprint(heir.ID)}, "current": {"not my password"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong password: status %d, want 422", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/staff/owner", url.Values{"to": {"99999"}, "current": {"a long enough password"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an unknown account: status %d, want 404", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/staff/owner", to); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hand over: status %d", res.StatusCode)
		}
		old, _ := db.FindStaffByID(ctx, owner.ID)
		heirNow, _ := db.FindStaffByID(ctx, heir.ID)
		if old.Role != byline.RoleAdministrator || heirNow.Role != byline.RoleOwner {
			t.Fatalf("after the hand-over: old Owner %s, heir %s", old.Role, heirNow.Role)
		}
		if res, _ := b.page("POST", "/admin/staff/owner", url.Values{"to": {fmt.Sprint(admin.ID)}, "current": {"a long enough password"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the former Owner hands over again: status %d", res.StatusCode)
		}
		// The store refuses a hand-over from an account that is no longer the Owner.
		if err := db.HandOverOwnership(ctx, owner.ID, admin.ID); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Fatalf("a stale hand-over: %v, want conflict", err)
		}
		if list, _ := db.FindStaff(ctx); func() int {
			n := 0
			for _, s := range list {
				if s.Role == byline.RoleOwner {
					n++
				}
			}
			return n
		}() != 1 {
			t.Fatal("the newsroom has not exactly one Owner")
		}
	})
}

// TestAdminTwoFactor turns two-factor on with a code computed at the test's clock, then
// signs in with it: a wrong code is refused, a code works once, tries are limited.
func TestAdminTwoFactor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		b := a.browser().signedInAs(owner)
		res, doc := b.page("POST", "/admin/account/totp/new", url.Values{})
		secret := doc.Find(`input[name="secret"]`).AttrOr("value", "")
		if res.StatusCode != http.StatusOK || secret == "" || doc.Find(".totp-secret").Text() != secret ||
			!strings.HasPrefix(doc.Find(".totp-url a").AttrOr("href", ""), "otpauth://totp/") || doc.Find("img.totp-qr").Length() != 1 {
			t.Fatalf("setting up two-factor: status %d, secret %q", res.StatusCode, secret)
		}
		code := func() string {
			c, err := totp.GenerateCode(secret, a.now())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		wrong := func() string { // a code of no nearby step
			c, _ := totp.GenerateCode(secret, a.now().Add(10*time.Minute))
			return c
		}
		if res, doc := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {secret}, "code": {wrong()}}); res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`input[name="secret"]`).AttrOr("value", "") != secret {
			t.Fatalf("a wrong code: status %d, want 422 with the secret kept", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {"AAAA"}, "code": {code()}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a tampered secret: status %d", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {secret}, "code": {code()}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: status %d", res.StatusCode)
		}
		if _, doc := b.page("GET", "/admin/account", nil); !strings.Contains(doc.Find(".totp-state").Text(), "on") {
			t.Fatal("the account page does not say two-factor is on")
		}
		if _, doc := b.page("GET", "/admin/staff/", nil); !strings.Contains(doc.Find(".staff-list td").Eq(3).Text(), "on") {
			t.Error("the staff page does not say two-factor is on")
		}

		// Sign-in: the password, then the code.
		signIn := func(v *browser) {
			t.Helper()
			res, _ := v.page("POST", "/admin/signin", url.Values{"email": {"olga@news.example"}, "password": {"a long enough password"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin/code" {
				t.Fatalf("the password of a two-factor account: status %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
		}
		v := a.browser()
		signIn(v)
		if v.signedIn() {
			t.Fatal("the password alone signed in")
		}
		if res, doc := v.page("GET", "/admin/signin/code", nil); res.StatusCode != http.StatusOK || doc.Find(`input[name="code"]`).Length() != 1 {
			t.Fatalf("the code page: status %d", res.StatusCode)
		}
		if res, _ := v.page("POST", "/admin/signin/code", url.Values{"code": {wrong()}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a wrong code: status %d, want 401", res.StatusCode)
		}
		a.move(30 * time.Second) // the code that enabled two-factor is spent; this is the next one
		res, _ = v.page("POST", "/admin/signin/code", url.Values{"code": {code()}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/" || !v.signedIn() {
			t.Fatalf("the right code: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		// The same code again, in the same window: refused.
		w := a.browser()
		signIn(w)
		if res, doc := w.page("POST", "/admin/signin/code", url.Values{"code": {code()}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".form-error").Text(), "used already") {
			t.Fatalf("a code used twice: status %d", res.StatusCode)
		}
		// A pending sign-in lasts five minutes.
		a.move(6 * time.Minute)
		if res, doc := w.page("POST", "/admin/signin/code", url.Values{"code": {code()}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".form-error").Text(), "expired") {
			t.Fatalf("a stale pending sign-in: status %d", res.StatusCode)
		}
		// Ten tries a quarter hour per account.
		a.move(time.Hour)
		x := a.browser()
		signIn(x)
		var last int
		for range 11 {
			res, _ := x.page("POST", "/admin/signin/code", url.Values{"code": {wrong()}})
			last = res.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("the eleventh code: status %d, want 429", last)
		}
		if res, _ := x.page("POST", "/admin/signin/code", url.Values{"code": {code()}}); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the right code past the limit: status %d, want 429", res.StatusCode)
		}

		// Turning it off needs a code or the password.
		if res, _ := b.page("POST", "/admin/account/totp/disable", url.Values{"current": {"wrong password!"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("turning two-factor off with a wrong password: status %d", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/account/totp/disable", url.Values{"current": {"a long enough password"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("turning two-factor off: status %d", res.StatusCode)
		}
		if got, _ := db.FindStaffByID(context.Background(), owner.ID); got.TwoFactor() {
			t.Fatal("two-factor is still on")
		}
	})
}

// TestAdminAccountPassword: changing the password needs the current one and ends the
// other sessions, not this one.
func TestAdminAccountPassword(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		b, other := a.browser().signedInAs(owner), a.browser().signedInAs(owner)
		if res, _ := b.page("POST", "/admin/account/password", url.Values{"current": {"nope nope nope"}, "password": {"a new long password"}, "password2": {"a new long password"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong current password: status %d", res.StatusCode)
		}
		if res, _ := b.page("POST", "/admin/account/password", url.Values{"current": {"a long enough password"}, "password": {"a new long password"}, "password2": {"a new long password"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: status %d", res.StatusCode)
		}
		if !b.signedIn() || other.signedIn() {
			t.Fatalf("after a password change: this session %v, the other %v; want true, false", b.signedIn(), other.signedIn())
		}
		if _, doc := b.page("GET", "/admin/account", nil); doc.Find(`form[action="/admin/signout"] button[name="everywhere"]`).Length() == 0 {
			t.Error("the account page offers no way to sign out everywhere")
		}
	})
}
