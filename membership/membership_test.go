package membership_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/membership"
	"byline/store"
	"byline/store/storetest"
)

func TestReturnPath(t *testing.T) {
	for in, want := range map[string]string{
		"/quiet-story/":                  "/quiet-story/",
		"/tag/x/?page=2":                 "/tag/x/?page=2",
		"":                               "/",
		"//evil.example/":                "/",
		"https://evil.example/":          "/",
		"/\\evil.example":                "/",
		"javascript:alert(1)":            "/",
		"/a\nLocation: x":                "/",
		"/a b":                           "/",
		"quiet-story/":                   "/",
		"/" + string(make([]byte, 2001)): "/",
	} {
		if got := membership.ReturnPath(in); got != want {
			t.Errorf("ReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

var codeRE = regexp.MustCompile(`\n    (\d{3}) (\d{3})\n`)

// TestSessionExpiry signs a member in by code and lets the session go idle, then grow old;
// a code of another address or a code used twice does not sign in.
func TestSessionExpiry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		move := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
		db.Now = tick
		m := &membership.Members{Store: db, Settings: db, Mail: &mail.Outbox{Store: db, Now: tick}, BaseURL: "https://news.test", Now: tick}
		signIn := func() string {
			t.Helper()
			if err := m.RequestSignIn(ctx, "Ana@Example.org", "Ana", "/", "192.0.2.1", true); err != nil {
				t.Fatal(err)
			}
			list, err := db.FindOutbox(ctx, 1)
			if err != nil || len(list) != 1 {
				t.Fatal(err)
			}
			c := codeRE.FindStringSubmatch(list[0].Text)
			if _, _, _, err := m.UseCode(ctx, "bob@example.org", c[1]+c[2], "192.0.2.1"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
				t.Fatalf("another address's code: %v, want unauthorized", err)
			}
			token, _, member, err := m.UseCode(ctx, "ana@example.org", c[1]+"-"+c[2], "192.0.2.1")
			if err != nil || member.Email != "ana@example.org" || member.Name != "Ana" {
				t.Fatalf("sign in by code: %+v, %v", member, err)
			}
			if _, _, _, err := m.UseCode(ctx, "ana@example.org", c[1]+c[2], "192.0.2.1"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
				t.Fatalf("a code used twice: %v, want unauthorized", err)
			}
			return token
		}
		token := signIn()
		if _, err := m.Session(ctx, token); err != nil {
			t.Fatal(err)
		}
		move(membership.SessionIdle + time.Minute)
		if _, err := m.Session(ctx, token); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Fatalf("an idle session: %v, want unauthorized", err)
		}
		token = signIn()
		for range 13 {
			move(30 * 24 * time.Hour)
			if _, err := m.Session(ctx, token); err != nil && byline.ErrorCode(err) != byline.EUNAUTHORIZED {
				t.Fatal(err)
			}
		}
		if _, err := m.Session(ctx, token); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Fatalf("a session older than its lifetime: %v, want unauthorized", err)
		}
		// A code past its ten minutes does not sign in.
		if err := m.RequestSignIn(ctx, "ana@example.org", "", "/", "192.0.2.1", false); err != nil {
			t.Fatal(err)
		}
		list, _ := db.FindOutbox(ctx, 1)
		c := codeRE.FindStringSubmatch(list[0].Text)
		move(membership.CodeLifetime + time.Second)
		if _, _, _, err := m.UseCode(ctx, "ana@example.org", c[1]+c[2], "192.0.2.1"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Fatalf("an expired code: %v, want unauthorized", err)
		}
	})
}

func TestBlockedDomains(t *testing.T) {
	s := byline.DefaultSettings()
	s.BlockedEmailDomains = []string{"mailinator.com"}
	if s.Validate() != nil || !s.EmailDomainBlocked("a@mailinator.com") || !s.EmailDomainBlocked("a@eu.mailinator.com") || s.EmailDomainBlocked("a@notmailinator.com") {
		t.Fatal("blocked domains do not block as they should")
	}
	for _, bad := range []string{"Mailinator.com", "localhost", ".com", "a..b", "a b.com"} {
		s.BlockedEmailDomains = []string{bad}
		if p := s.Problems(); len(p) != 1 || p[0].Field != "blocked_email_domains" {
			t.Errorf("blocked domain %q: problems %v, want one on blocked_email_domains", bad, p)
		}
	}
}
