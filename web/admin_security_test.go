package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"

	"github.com/pquerna/otp/totp"
)

// outboxShows reports whether the outbox page, read by b, shows the link.
func (b *browser) outboxShows(link string) (shown bool, withheld string) {
	b.t.Helper()
	res, doc := b.page("GET", "/admin/outbox", nil)
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("outbox: status %d", res.StatusCode)
	}
	html, _ := doc.Html()
	return strings.Contains(html, link), doc.Find(".outbox-withheld").Text()
}

// TestOutboxTakeover: an Administrator who asks for the Owner's password reset cannot read
// its link on the outbox page, nor another Administrator's; the Owner reads an
// Administrator's but not their own; everyone who reads the outbox reads the links of the
// roles they manage, invitations included.
func TestOutboxTakeover(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		admin := a.account(byline.RoleAdministrator, "dan@news.example")
		a.account(byline.RoleAdministrator, "ada@news.example")
		a.account(byline.RoleAuthor, "ana@news.example")
		mallory, boss := a.browser().signedInAs(admin), a.browser().signedInAs(owner)

		// The takeover: a reset for the Owner's address, then the outbox.
		if res, _ := a.browser().page("POST", "/admin/reset", url.Values{"email": {"olga@news.example"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("reset request: status %d", res.StatusCode)
		}
		ownerLink := a.lastLink("olga@news.example")
		shown, why := mallory.outboxShows(ownerLink)
		if shown || !strings.Contains(why, "byline outbox") {
			t.Fatalf("an Administrator reads the Owner's reset link: shown %v, note %q", shown, why)
		}
		if shown, why := boss.outboxShows(ownerLink); shown || !strings.Contains(why, "Owner's account") {
			t.Fatalf("the Owner's own reset link on the page: shown %v, note %q", shown, why)
		}
		// Its text is nowhere in the page, not even the token.
		token := strings.TrimPrefix(ownerLink, "/admin/reset/")
		if _, doc := mallory.page("GET", "/admin/outbox?limit=500", nil); strings.Contains(doc.Text(), token) {
			t.Fatal("the Owner's reset token is on the page")
		}

		// Another Administrator's reset: the Owner only.
		a.browser().page("POST", "/admin/reset", url.Values{"email": {"ada@news.example"}})
		adaLink := a.lastLink("ada@news.example")
		if shown, why := mallory.outboxShows(adaLink); shown || !strings.Contains(why, "only the Owner") {
			t.Fatalf("an Administrator reads another's reset link: shown %v, note %q", shown, why)
		}
		if shown, _ := boss.outboxShows(adaLink); !shown {
			t.Fatal("the Owner does not read an Administrator's reset link")
		}

		// An author's reset and an invitation as Administrator: both read them.
		a.browser().page("POST", "/admin/reset", url.Values{"email": {"ana@news.example"}})
		anaLink := a.lastLink("ana@news.example")
		if res, _ := boss.page("POST", "/admin/staff/invite", url.Values{"email": {"new@news.example"}, "name": {"New"}, "role": {"administrator"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: status %d", res.StatusCode)
		}
		inviteLink := a.lastLink("new@news.example")
		for _, link := range []string{anaLink, inviteLink} {
			if shown, _ := mallory.outboxShows(link); !shown {
				t.Errorf("an Administrator does not read %s", link)
			}
			if shown, _ := boss.outboxShows(link); !shown {
				t.Errorf("the Owner does not read %s", link)
			}
		}

		// A promotion counts at once: Ana made an Administrator, her reset link hides.
		ana, _ := db.FindStaffByEmail(t.Context(), "ana@news.example")
		if err := db.UpdateStaffRole(t.Context(), ana.ID, byline.RoleAuthor, byline.RoleAdministrator); err != nil {
			t.Fatal(err)
		}
		if shown, _ := mallory.outboxShows(anaLink); shown {
			t.Fatal("a reset link of an account promoted to Administrator is still shown to an Administrator")
		}
		// The takeover fails: the Administrator has no link to follow, and the Owner's
		// password stands.
		if _, _, err := a.auth.SignIn(t.Context(), "olga@news.example", "a long enough password", "10.0.0.9"); err != nil {
			t.Fatalf("the Owner's password: %v", err)
		}
	})
}

// TestInvitationOutlivesNoInviter: an Administrator invites an alias as Administrator and
// is removed by the Owner (or demoted): the alias's link no longer works. The audit page
// still names the removed Administrator.
func TestInvitationOutlivesNoInviter(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		boss := a.browser().signedInAs(owner)
		accept := func(link string) int {
			res, _ := a.browser().page("POST", link, url.Values{"name": {"Alias"}, "password": {"an alias's password"}, "password2": {"an alias's password"}})
			return res.StatusCode
		}
		for _, c := range []struct {
			email, how string
			form       url.Values
		}{
			{"mal@news.example", "remove", url.Values{}},
			{"dem@news.example", "role", url.Values{"role": {"editor"}}},
		} {
			admin := a.account(byline.RoleAdministrator, c.email)
			alias := "alias-" + c.email
			if res, _ := a.browser().signedInAs(admin).page("POST", "/admin/staff/invite", url.Values{"email": {alias}, "name": {"Alias"}, "role": {"administrator"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("invite: status %d", res.StatusCode)
			}
			link := a.lastLink(alias)
			if res, _ := boss.page("POST", "/admin/staff/"+strconv.FormatInt(admin.ID, 10)+"/"+c.how, c.form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: status %d", c.how, res.StatusCode)
			}
			if res, _ := a.browser().page("GET", link, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("after %s, the inviter's invitation page: status %d, want 404", c.how, res.StatusCode)
			}
			if got := accept(link); got != http.StatusNotFound {
				t.Errorf("after %s, the alias accepts: status %d, want 404", c.how, got)
			}
			if _, err := db.FindStaffByEmail(t.Context(), alias); byline.ErrorCode(err) != byline.ENOTFOUND {
				t.Errorf("after %s, the alias has an account: %v", c.how, err)
			}
		}
		_, doc := boss.page("GET", "/admin/audit?action=invited", nil)
		rows := doc.Find("tbody tr")
		if who := rows.Last().Find("td").Eq(1).Text(); rows.Length() != 2 || !strings.Contains(who, "mal@news.example") || !strings.Contains(who, "removed") {
			t.Errorf("the removed Administrator's invitation is logged by %q", who)
		}
		if who := rows.First().Find("td").Eq(1).Text(); strings.TrimSpace(who) != "dem" {
			t.Errorf("the demoted Administrator's invitation is logged by %q", who)
		}
	})
}

// TestTwoFactorReplaceNeedsProof: with two-factor on, a session alone cannot swap the
// secret for one of its own: the new secret needs a code of the old one or the password.
func TestTwoFactorReplaceNeedsProof(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := newAdminSite(t, db)
		owner := a.account(byline.RoleOwner, "olga@news.example")
		b := a.browser().signedInAs(owner)
		newSecret := func() string {
			_, doc := b.page("POST", "/admin/account/totp/new", url.Values{})
			return doc.Find(`input[name="secret"]`).AttrOr("value", "")
		}
		code := func(secret string) string {
			c, err := totp.GenerateCode(secret, a.now())
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		stored := func() string {
			s, err := db.FindStaffByID(t.Context(), owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			return s.TOTPSecret
		}
		first := newSecret()
		if res, _ := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {first}, "code": {code(first)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: status %d", res.StatusCode)
		}
		a.move(time.Minute)

		// The thief's secret, with no proof, or a wrong one: refused, the old secret stays.
		thief := newSecret()
		if thief == "" {
			t.Fatal("no way to move two-factor to a new app")
		}
		for _, proof := range []url.Values{
			{},
			{"current": {"not the password!"}},
			{"old-code": {code(thief)}},
		} {
			form := url.Values{"secret": {thief}, "code": {code(thief)}}
			for k, v := range proof {
				form[k] = v
			}
			res, doc := b.page("POST", "/admin/account/totp/enable", form)
			if res.StatusCode != http.StatusUnprocessableEntity || stored() != first {
				t.Fatalf("replacing the secret with %v: status %d, secret replaced %v", proof, res.StatusCode, stored() != first)
			}
			if doc.Find(`input[name="old-code"]`).Length() != 1 {
				t.Error("the refused form does not ask for the old code")
			}
		}

		// A code of the old secret moves it; then the password does.
		second := newSecret()
		if res, _ := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {second}, "code": {code(second)}, "old-code": {code(first)}}); res.StatusCode != http.StatusSeeOther || stored() != second {
			t.Fatalf("moving with an old code: status %d", res.StatusCode)
		}
		a.move(time.Minute)
		third := newSecret()
		if res, _ := b.page("POST", "/admin/account/totp/enable", url.Values{"secret": {third}, "code": {code(third)}, "current": {"a long enough password"}}); res.StatusCode != http.StatusSeeOther || stored() != third {
			t.Fatalf("moving with the password: status %d", res.StatusCode)
		}
	})
}
