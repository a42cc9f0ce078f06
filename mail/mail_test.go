package mail_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/jobs"
	"byline/mail"
	"byline/store"
	"byline/store/storetest"
)

// relay is a sender behind the outbox: it records what it was given, or refuses.
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

// permanent is a refusal no retry mends.
type permanent struct{}

func (permanent) Error() string   { return "550 no such mailbox" }
func (permanent) Permanent() bool { return true }

// TestOutbox: every message is kept first; with no relay it stays unsent (the outbox is the
// delivery) and no job is queued; with a relay Send only queues it, in the same
// transaction, and the job's handler sends it once: a message marked sent is not sent again,
// a refused one stays unsent for the retry.
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
		if list, _ := db.FindJobs(ctx, byline.JobFilter{Kind: mail.SendJob}); len(list) != 0 {
			t.Fatalf("without a relay, %d send job(s) queued", len(list))
		}
		r := &relay{}
		o := &mail.Outbox{Store: db, Relay: r, Now: clock}
		withUnsub := msg
		withUnsub.Unsubscribe = "https://news.example/members/unsubscribe?t=abc"
		if err := o.Send(ctx, withUnsub); err != nil {
			t.Fatal(err)
		}
		if len(r.got) != 0 {
			t.Fatal("Send relayed the message itself instead of queueing it")
		}
		if err := m.Send(ctx, byline.Message{To: "olga@news.example", Subject: "a\nBcc: x@evil.example", Text: "x"}); byline.ErrorCode(err) != byline.EINVALID {
			t.Fatalf("a subject with a line break: %v, want invalid", err)
		}
		for _, bad := range []string{"javascript:alert(1)", "https://x.example/a>b", "https://x.example/a b", "/relative", "https://x.example/\r\nBcc: y"} {
			bm := msg
			bm.Unsubscribe = bad
			if err := o.Send(ctx, bm); byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("unsubscribe address %q: %v, want invalid", bad, err)
			}
		}
		list, err := db.FindOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || !list[0].SentAt.IsZero() || !list[1].SentAt.IsZero() {
			t.Fatalf("outbox %+v, want two unsent messages", list)
		}
		got := list[1]
		if got.To != "olga@news.example" || got.Subject != msg.Subject || got.Text != msg.Text || got.HTML != msg.HTML ||
			got.Kind != msg.Kind || !got.CreatedAt.Equal(at) {
			t.Fatalf("kept %+v", got)
		}
		queued := list[0]
		job, err := db.FindJobByKey(ctx, "mail:"+strconv.FormatInt(queued.ID, 10))
		if err != nil {
			t.Fatalf("the queued message's job: %v", err)
		}
		if job.Kind != mail.SendJob || !job.RunAt.Equal(at) {
			t.Fatalf("job %+v, want kind mail due at %v", job, at)
		}

		// The handler: a refusal leaves the message unsent and returns the error to retry.
		r.fail = errors.New("421 try again later")
		if err := o.Deliver(ctx, job); err == nil {
			t.Fatal("a refused send: no error")
		}
		if m, _ := db.FindOutboxMessage(ctx, queued.ID); !m.SentAt.IsZero() {
			t.Fatal("a refused message was marked sent")
		}
		r.fail = nil
		if err := o.Deliver(ctx, job); err != nil {
			t.Fatal(err)
		}
		if err := o.Deliver(ctx, job); err != nil {
			t.Fatal(err)
		}
		if len(r.got) != 1 || r.got[0].To != "olga@news.example" || r.got[0].Unsubscribe != withUnsub.Unsubscribe {
			t.Fatalf("the relay got %+v, want the message once with its unsubscribe address", r.got)
		}
		if m, _ := db.FindOutboxMessage(ctx, queued.ID); !m.SentAt.Equal(at) {
			t.Fatalf("sent at %v, want %v", m.SentAt, at)
		}
		// Only the first mark counts.
		if err := db.MarkOutboxSent(ctx, queued.ID, at.Add(time.Hour)); byline.ErrorCode(err) != byline.ECONFLICT {
			t.Fatalf("marking a sent message again: %v, want conflict", err)
		}
		if err := db.MarkOutboxSent(ctx, 1<<40, at); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("marking no message: %v, want not found", err)
		}

		// A permanent refusal gives the job up at its first attempt; a key naming nothing is
		// refused.
		if err := o.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		list, _ = db.FindOutbox(ctx, 1)
		key := "mail:" + strconv.FormatInt(list[0].ID, 10)
		r.fail = permanent{}
		runner := &jobs.Runner{Store: db, Handlers: map[string]jobs.Handler{mail.SendJob: o.Deliver}, Poll: 10 * time.Millisecond}
		runJobs(t, runner, func() bool {
			j, err := db.FindJobByKey(ctx, key)
			return err == nil && !j.FailedAt.IsZero()
		})
		if j, _ := db.FindJobByKey(ctx, key); j.Attempts != 1 || !strings.Contains(j.LastError, "550 no such mailbox") {
			t.Fatalf("a permanent refusal: %d attempts, error %q; want given up after one", j.Attempts, j.LastError)
		}
		for _, k := range []string{"mail:99999", "mail:x", "mail:-1"} {
			if err := o.Deliver(ctx, &byline.Job{Kind: "mail", Key: k}); err == nil {
				t.Fatalf("%s: no error", k)
			}
		}
		if list, _ := db.FindOutbox(ctx, 1); len(list) != 1 {
			t.Fatalf("limit 1: %d messages", len(list))
		}
	})
}

// runJobs runs the runner until cond holds (checked every 10ms), at most 20 seconds.
func runJobs(t *testing.T, r *jobs.Runner, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the jobs did not get there within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
