package mail_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"byline"
	"byline/mail"
	"byline/store"
	"byline/store/storetest"
)

// relay is a sender behind the outbox, as the SMTP sender will be: it records what it was
// given, or refuses.
type relay struct {
	got  []byline.Message
	fail error
}

func (r *relay) Send(_ context.Context, m byline.Message) error {
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, m)
	return nil
}

// TestOutbox: every message is kept first; with no relay it stays unsent (the outbox is the
// delivery), with a relay it is handed on and marked sent, and a refused one stays unsent.
func TestOutbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return at }
		msg := byline.Message{To: "Olga@News.Example", Subject: "Reset your password", Text: "A link.", HTML: "<p>A link.</p>", Kind: "password reset"}

		var m byline.Mailer = &mail.Outbox{Store: db, Now: clock}
		if err := m.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		r := &relay{}
		if err := (&mail.Outbox{Store: db, Relay: r, Now: clock}).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		r.fail = errors.New("the mail server is down")
		if err := (&mail.Outbox{Store: db, Relay: r, Now: clock}).Send(ctx, msg); err == nil {
			t.Fatal("a refused relay: no error")
		}
		if err := m.Send(ctx, byline.Message{To: "olga@news.example", Subject: "a\nBcc: x@evil.example", Text: "x"}); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("a subject with a line break: %v, want invalid", err)
		}
		list, err := db.FindOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 {
			t.Fatalf("%d messages in the outbox, want 3", len(list))
		}
		// Newest first: refused, relayed, kept.
		if !list[0].SentAt.IsZero() || !list[1].SentAt.Equal(at) || !list[2].SentAt.IsZero() {
			t.Fatalf("sent times %v %v %v, want zero, %v, zero", list[0].SentAt, list[1].SentAt, list[2].SentAt, at)
		}
		got := list[2]
		if got.To != "olga@news.example" || got.Subject != msg.Subject || got.Text != msg.Text || got.HTML != msg.HTML ||
			got.Kind != msg.Kind || !got.CreatedAt.Equal(at) {
			t.Fatalf("kept %+v", got)
		}
		if len(r.got) != 1 || r.got[0].To != "olga@news.example" {
			t.Fatalf("the relay got %+v", r.got)
		}
		if list, _ := db.FindOutbox(ctx, 1); len(list) != 1 {
			t.Fatalf("limit 1: %d messages", len(list))
		}
	})
}
