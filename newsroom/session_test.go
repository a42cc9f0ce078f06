package newsroom_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
)

// TestSignIn walks the session's life on both engines: a wrong password and an unknown
// email get the same answer, a right one a session; the session expires when idle, and
// "sign out everywhere" ends every session at once; every step is in the audit log.
func TestSignIn(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		clock := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
		const pw = "a long enough password"
		if _, err := (&newsroom.Newsroom{Store: db}).AddStaff(ctx, "olga@news.example", "Olga", byline.RoleOwner, pw); err != nil {
			t.Fatal(err)
		}
		auth := &newsroom.Auth{Staff: db, Sessions: db, Now: now}
		_, _, errWrong := auth.SignIn(ctx, "olga@news.example", "not the password!", "192.0.2.1")
		_, _, errUnknown := auth.SignIn(ctx, "nobody@news.example", pw, "192.0.2.1")
		if byline.ErrorCode(errWrong) != byline.EUNAUTHORIZED || byline.ErrorMessage(errWrong) != byline.ErrorMessage(errUnknown) {
			t.Fatalf("wrong password %v, unknown email %v: want the same refusal", errWrong, errUnknown)
		}
		token, staff, err := auth.SignIn(ctx, " OLGA@news.example", pw, "192.0.2.1")
		if err != nil || staff.Role != byline.RoleOwner {
			t.Fatalf("sign in: %v %v", staff, err)
		}
		second, _, err := auth.SignIn(ctx, "olga@news.example", pw, "192.0.2.2")
		if err != nil || second == token {
			t.Fatalf("second session: %v (a new token each time)", err)
		}
		if s, err := auth.Session(ctx, token); err != nil || s.Email != "olga@news.example" {
			t.Fatalf("session: %v %v", s, err)
		}
		if _, err := auth.Session(ctx, token+"x"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Errorf("a made-up token: %v, want unauthorized", err)
		}
		advance(newsroom.SessionIdle - time.Minute) // used within the idle time: still valid
		if _, err := auth.Session(ctx, token); err != nil {
			t.Fatalf("a session used just in time: %v", err)
		}
		advance(newsroom.SessionIdle - time.Minute)
		if _, err := auth.Session(ctx, second); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Errorf("an idle session: %v, want it expired", err)
		}
		if _, err := auth.Session(ctx, token); err != nil {
			t.Fatalf("the session in use: %v", err)
		}
		third, _, err := auth.SignIn(ctx, "olga@news.example", pw, "192.0.2.3")
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.SignOut(ctx, token, "192.0.2.1", true); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{token, third} {
			if _, err := auth.Session(ctx, tok); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
				t.Errorf("after signing out everywhere: %v, want no session", err)
			}
		}
		log, err := db.FindAudit(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if len(log) != 6 || log[0].Action != "signed out everywhere" || log[len(log)-1].Action != "sign-in failed" {
			t.Errorf("audit log %v", actions)
		}
	})
}

// TestSignInLimits: past five attempts a quarter hour on one account from one address
// (counted in the store, so shared by every node), even the right password is refused there
// until the window passes; guesses from elsewhere do not lock the account's owner out, and
// what is not an email address is neither counted nor logged.
func TestSignInLimits(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
		const pw = "a long enough password"
		if _, err := (&newsroom.Newsroom{Store: db}).AddStaff(ctx, "olga@news.example", "Olga", byline.RoleOwner, pw); err != nil {
			t.Fatal(err)
		}
		nodeA := &newsroom.Auth{Staff: db, Sessions: db, Now: func() time.Time { return clock }}
		nodeB := &newsroom.Auth{Staff: db, Sessions: db, Now: func() time.Time { return clock }}
		for i := range 5 {
			node := nodeA
			if i%2 == 1 {
				node = nodeB
			}
			if _, _, err := node.SignIn(ctx, "olga@news.example", "guess number "+string(rune('a'+i)), "198.51.100.7"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, _, err := nodeB.SignIn(ctx, "olga@news.example", pw, "198.51.100.7"); byline.ErrorCode(err) != byline.ELIMITED {
			t.Fatalf("the sixth attempt from the guesser's address: %v, want refused as too many", err)
		}
		if _, _, err := nodeA.SignIn(ctx, "olga@news.example", pw, "203.0.113.9"); err != nil {
			t.Fatalf("the owner at her own desk while a guesser is locked out: %v", err)
		}
		clock = clock.Add(16 * time.Minute)
		if _, _, err := nodeA.SignIn(ctx, "olga@news.example", pw, "198.51.100.7"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		before, _ := db.FindAudit(ctx, 100)
		huge := strings.Repeat("x", 60000) + "\x00@news.example"
		if _, _, err := nodeA.SignIn(ctx, huge, pw, "192.0.2.50"); byline.ErrorCode(err) != byline.EUNAUTHORIZED {
			t.Fatalf("a 60 KB email with a NUL: %v, want the usual refusal", err)
		}
		if after, _ := db.FindAudit(ctx, 100); len(after) != len(before) {
			t.Errorf("a malformed email was written to the audit log")
		}
	})
}
