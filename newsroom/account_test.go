package newsroom_test

import (
	"context"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
)

// TestLimitedSignInsAudited: a sign-in refused by the limit is audited, once per window
// rather than once per try, so that a guesser shows in the log without flooding it.
func TestLimitedSignInsAudited(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
		if _, err := (&newsroom.Newsroom{Store: db}).AddStaff(ctx, "olga@news.example", "Olga", byline.RoleOwner, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		auth := &newsroom.Auth{Staff: db, Sessions: db, Now: func() time.Time { return clock }}
		var limited int
		for range 8 {
			if _, _, err := auth.SignIn(ctx, "olga@news.example", "not the password!", "192.0.2.7"); byline.ErrorCode(err) == byline.ELIMITED {
				limited++
			}
		}
		if limited != 3 {
			t.Fatalf("%d of 8 attempts limited, want 3 (five a quarter hour)", limited)
		}
		entries, err := db.FindAudit(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var audited []*byline.AuditEntry
		for _, e := range entries {
			if e.Action == "limited" {
				audited = append(audited, e)
			}
		}
		if len(audited) != 1 || audited[0].IP != "192.0.2.7" || audited[0].Subject != "signin:email:olga@news.example" {
			t.Fatalf("limited attempts audited: %+v, want one entry naming the account and address", audited)
		}
	})
}

// TestSetupToken: every node gets the same setup code while nobody works here; the first
// account ends it.
func TestSetupToken(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := &newsroom.Newsroom{Store: db, Sessions: db}, &newsroom.Newsroom{Store: db, Sessions: db}
		code, err := a.SetupToken(ctx)
		if err != nil || code == "" {
			t.Fatalf("setup code %q, %v", code, err)
		}
		if other, _ := b.SetupToken(ctx); other != code {
			t.Fatalf("the second node's code %q, want %q", other, code)
		}
		if _, err := b.SetUp(ctx, code+"x", "olga@news.example", "Olga", "a long enough password", "192.0.2.1"); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("setup with a wrong code: %v", err)
		}
		if _, err := b.SetUp(ctx, code, "olga@news.example", "Olga", "a long enough password", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if after, _ := a.SetupToken(ctx); after != "" {
			t.Fatalf("after setup the code is %q, want none", after)
		}
		if _, err := a.SetUp(ctx, code, "m@evil.example", "M", "a long enough password", "192.0.2.1"); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Fatalf("a second setup: %v, want conflict", err)
		}
	})
}

// TestNamesAreOneLine: a staff name with a line break or another control character is
// refused, and an invitation refused for its name or its message leaves nothing stored.
func TestNamesAreOneLine(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db}, BaseURL: "https://news.example"}
		for _, name := range []string{"Olga\nBcc: x@evil.example", "Olga\tTab", "Ol\u0085ga", "Olga\rX"} {
			if _, err := n.AddStaff(ctx, "olga@news.example", name, byline.RoleOwner, "a long enough password"); byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("a name %q: %v, want invalid", name, err)
			}
		}
		owner, err := n.AddStaff(ctx, "olga@news.example", "Olga", byline.RoleOwner, "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		stored := func() (int, int) {
			invs, err := db.FindInvitations(ctx, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := db.FindOutbox(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(invs), len(msgs)
		}
		if _, err := n.Invite(ctx, owner, "ana@news.example", "Ana\nLópez", byline.RoleAuthor, "192.0.2.1"); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("an invitee's name with a line break: %v, want invalid", err)
		}
		if invs, msgs := stored(); invs != 0 || msgs != 0 {
			t.Fatalf("a refused invitation left %d invitations and %d messages", invs, msgs)
		}
		// An inviter named before names were checked: the subject takes the name on one
		// line, and the invitation is whole.
		legacy := *owner
		legacy.Name = "Olga\r\nBcc: x@evil.example"
		if _, err := n.Invite(ctx, &legacy, "ana@news.example", "Ana López", byline.RoleAuthor, "192.0.2.1"); err != nil {
			t.Fatalf("an invitation from a name with a line break: %v", err)
		}
		msgs, _ := db.FindOutbox(ctx, 1)
		if invs, count := stored(); invs != 1 || count != 1 || msgs[0].Subject != "Olga Bcc: x@evil.example invites you to join news.example" {
			t.Fatalf("%d invitations, %d messages, subject %q", invs, count, msgs[0].Subject)
		}
	})
}

// TestResetTiming: a reset request takes at least ResetAnswerTime for an unknown address
// as for a known one, so that its time does not tell who works here.
func TestResetTiming(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db}, BaseURL: "https://news.example"}
		if _, err := n.AddStaff(ctx, "olga@news.example", "Olga", byline.RoleOwner, "a long enough password"); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"nobody@news.example", "olga@news.example", "nobody2@news.example"} {
			start := time.Now()
			if err := n.RequestPasswordReset(ctx, email, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took < newsroom.ResetAnswerTime {
				t.Errorf("a reset for %s answered in %v, before %v", email, took, newsroom.ResetAnswerTime)
			}
		}
	})
}
