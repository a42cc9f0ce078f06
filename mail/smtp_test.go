package mail_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/jobs"
	"byline/mail"
	"byline/mail/mailtest"
	"byline/store"
	"byline/store/storetest"
)

// TestNewSMTP: the URL says the server, the port and TLS; a bad URL or From is refused with
// a sentence that never shows the password.
func TestNewSMTP(t *testing.T) {
	const from = "The Daily <news@daily.example>"
	for _, c := range []struct{ url, want string }{
		{"smtp://user:s3cret@mail.example:587", "smtp://user:xxxxx@mail.example:587"},
		{"smtps://user:s3cret@mail.example", "smtps://user:xxxxx@mail.example"},
		{"smtp://relay.internal:25", "smtp://relay.internal:25"},
		{"smtp://us%40er:p%40ss@mail.example:2525/", "smtp://us%40er:xxxxx@mail.example:2525/"},
	} {
		s, err := mail.NewSMTP(c.url, from)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if s.String() != c.want {
			t.Errorf("%s shows as %s, want %s", c.url, s, c.want)
		}
	}
	for _, c := range []struct{ url, from, want string }{
		{"", from, "empty"},
		{"http://user:s3cret@mail.example", from, "must start with smtp://"},
		{"smtp://user:s3cret@", from, "names no host"},
		{"smtp://user:s3cret@mail.example:99999", from, "not a port number"},
		{"smtp://user:s3cret@mail.example:x", from, "does not parse"},
		{"smtp://user:s3#cret@mail.example", from, "does not parse"},
		{"smtp://user:s3cret@mail.example?tls=off", from, "path, query or fragment"},
		{"smtp://:s3cret@mail.example", from, "no user name"},
		{"smtp://user:s3cret@mail.example", "", "BYLINE_MAIL_FROM"},
		{"smtp://user:s3cret@mail.example", "not an address", "is not an email address"},
		{"smtp://user:s3cret@mail.example", "a@b.example\r\nBcc: c@d.example", "is not an email address"},
	} {
		_, err := mail.NewSMTP(c.url, c.from)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q from %q: %v, want an error saying %q", c.url, c.from, err, c.want)
		} else if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "s3#cret") {
			t.Errorf("%q: the error shows the password: %v", c.url, err)
		}
	}
}

// newSender is the SMTP sender to the address, From the newsroom.
func newSender(t *testing.T, addr string) *mail.SMTP {
	t.Helper()
	s, err := mail.NewSMTP("smtp://"+addr, "The Daily <news@daily.example>")
	if err != nil {
		t.Fatal(err)
	}
	s.Timeout = 5 * time.Second
	return s
}

// TestSMTPQueued: a reset message goes into the outbox and the job queue; the runner sends
// it through a real SMTP server, where it arrives with its text and HTML parts and its
// headers, and it is marked sent; running the job again sends nothing more.
func TestSMTPQueued(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pit := mailtest.Start(t)
		o := &mail.Outbox{Store: db, Relay: newSender(t, pit.SMTP)}
		msg := byline.Message{To: "Olga+News@Example.ORG", Subject: "Reset your password — Ünïcode",
			Text: "Open this link:\nhttps://daily.example/admin/reset?t=abc\n", HTML: `<p>Open <a href="https://daily.example/admin/reset?t=abc">this link</a>.</p>`,
			Kind: "password reset", Unsubscribe: "https://daily.example/members/unsubscribe?t=xyz"}
		start := time.Now()
		if err := o.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("Send took %s: it must not wait on the mail server", took)
		}
		if n := len(pit.Messages(t)); n != 0 {
			t.Fatalf("%d message(s) arrived before any job ran: Send sent inline", n)
		}
		kept, _ := db.FindOutbox(ctx, 1)
		key := "mail:" + strconv.FormatInt(kept[0].ID, 10)
		runner := &jobs.Runner{Store: db, Handlers: map[string]jobs.Handler{mail.SendJob: o.Deliver}, Poll: 10 * time.Millisecond}
		runJobs(t, runner, func() bool {
			m, err := db.FindOutboxMessage(ctx, kept[0].ID)
			return err == nil && !m.SentAt.IsZero()
		})
		list := pit.Wait(t, 1, 5*time.Second)
		got := pit.Message(t, list[0].ID)
		if got.Subject != msg.Subject || len(got.To) != 1 || got.To[0].Address != "olga+news@example.org" ||
			got.From.Address != "news@daily.example" || got.From.Name != "The Daily" {
			t.Fatalf("arrived: subject %q to %+v from %+v", got.Subject, got.To, got.From)
		}
		if !strings.Contains(got.Text, "https://daily.example/admin/reset?t=abc") || !strings.Contains(got.HTML, `<a href="https://daily.example/admin/reset?t=abc">this link</a>`) {
			t.Fatalf("parts: text %q html %q", got.Text, got.HTML)
		}
		if time.Since(got.Date) > time.Minute || time.Until(got.Date) > time.Minute {
			t.Fatalf("Date %v, want about now", got.Date)
		}
		h := pit.Headers(t, list[0].ID)
		want := map[string]string{
			"List-Unsubscribe":      "<https://daily.example/members/unsubscribe?t=xyz>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Message-Id":            fmt.Sprintf("<byline.%d.%d@daily.example>", kept[0].ID, kept[0].CreatedAt.UnixMicro()),
		}
		for name, v := range want {
			if vs := header(h, name); len(vs) != 1 || vs[0] != v {
				t.Errorf("header %s: %q, want %q", name, vs, v)
			}
		}
		if ct := header(h, "Content-Type"); len(ct) != 1 || !strings.HasPrefix(ct[0], "multipart/alternative") {
			t.Errorf("Content-Type %q, want multipart/alternative", ct)
		}
		if len(header(h, "Date")) != 1 {
			t.Error("no Date header")
		}
		// The job is done; running it again (as after a lost lease) sends nothing.
		if _, err := db.FindJobByKey(ctx, key); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("the job is not done: %v", err)
		}
		if err := o.Deliver(ctx, &byline.Job{Kind: mail.SendJob, Key: key}); err != nil {
			t.Fatal(err)
		}
		// A message without HTML or an unsubscribe address: one text part, no list headers.
		plain := byline.Message{To: "ana@example.org", Subject: "Invitation", Text: "Join us.", Kind: "staff invitation"}
		if err := o.Send(ctx, plain); err != nil {
			t.Fatal(err)
		}
		runJobs(t, runner, func() bool { list, _ := db.FindOutbox(ctx, 1); return !list[0].SentAt.IsZero() })
		list = pit.Wait(t, 2, 5*time.Second)
		if len(list) != 2 {
			t.Fatalf("%d messages in the mail server, want 2", len(list))
		}
		h = pit.Headers(t, list[0].ID)
		if ct := header(h, "Content-Type"); len(ct) != 1 || !strings.HasPrefix(ct[0], "text/plain") || len(header(h, "List-Unsubscribe")) != 0 {
			t.Errorf("a plain message: Content-Type %q, List-Unsubscribe %q", ct, header(h, "List-Unsubscribe"))
		}
	})
}

// header returns a header's values, whatever the case of its name.
func header(h map[string][]string, name string) []string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// clock is a runner's clock that the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSMTPDown: with nothing listening at the mail server's address, the job fails and is
// retried after the runner's growing pause (30s, then 60s), the message staying unsent in the
// outbox; once the server is up, the next attempt delivers it, once.
func TestSMTPDown(t *testing.T) {
	if mailtest.Binary() == "" {
		mailtest.Start(t) // skips, or fails in CI
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addr := mailtest.FreeAddr(t)
		o := &mail.Outbox{Store: db, Relay: newSender(t, addr)}
		clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
		o.Now = clk.now
		if err := o.Send(ctx, byline.Message{To: "olga@example.org", Subject: "Reset your password", Text: "A link.", Kind: "password reset"}); err != nil {
			t.Fatal(err)
		}
		kept, _ := db.FindOutbox(ctx, 1)
		key := "mail:" + strconv.FormatInt(kept[0].ID, 10)
		runner := &jobs.Runner{Store: db, Handlers: map[string]jobs.Handler{mail.SendJob: o.Deliver}, Poll: 10 * time.Millisecond, Now: clk.now}
		attempts := func(n int) func() bool {
			return func() bool {
				j, err := db.FindJobByKey(ctx, key)
				return err == nil && j.Attempts == n && j.LastError != "" && j.LeaseHolder == ""
			}
		}
		start := clk.now()
		runJobs(t, runner, attempts(1))
		j, _ := db.FindJobByKey(ctx, key)
		if !j.RunAt.Equal(start.Add(30*time.Second)) || !j.FailedAt.IsZero() {
			t.Fatalf("after the first failure: due %v (want %v), failed at %v; error %q", j.RunAt, start.Add(30*time.Second), j.FailedAt, j.LastError)
		}
		clk.add(31 * time.Second)
		runJobs(t, runner, attempts(2))
		j, _ = db.FindJobByKey(ctx, key)
		if want := clk.now().Add(60 * time.Second); !j.RunAt.Equal(want) {
			t.Fatalf("after the second failure: due %v, want %v", j.RunAt, want)
		}
		if m, _ := db.FindOutboxMessage(ctx, kept[0].ID); !m.SentAt.IsZero() {
			t.Fatal("an undelivered message is marked sent")
		}
		pit := mailtest.StartOn(t, addr)
		clk.add(61 * time.Second)
		runJobs(t, runner, func() bool { m, _ := db.FindOutboxMessage(ctx, kept[0].ID); return !m.SentAt.IsZero() })
		if list := pit.Wait(t, 1, 5*time.Second); len(list) != 1 || list[0].Subject != "Reset your password" {
			t.Fatalf("arrived %+v, want the reset message once", list)
		}
	})
}

// TestSMTPTwoNodes: two runners on one database (two connection pools, as two nodes have)
// share the queue, and each message arrives exactly once.
func TestSMTPTwoNodes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			pit := mailtest.Start(t)
			u := storetest.URL(t, engine)
			db1, err := store.Open(ctx, u, true)
			if err != nil {
				t.Fatal(err)
			}
			defer db1.Close()
			db2 := storetest.MustOpenURL(t, u)
			const n = 40
			o1 := &mail.Outbox{Store: db1, Relay: newSender(t, pit.SMTP)}
			o2 := &mail.Outbox{Store: db2, Relay: newSender(t, pit.SMTP)}
			for i := range n {
				o := o1
				if i%2 == 1 {
					o = o2
				}
				if err := o.Send(ctx, byline.Message{To: fmt.Sprintf("reader%d@example.org", i), Subject: fmt.Sprintf("Message %d", i), Text: "Hello."}); err != nil {
					t.Fatal(err)
				}
			}
			sent := func() bool {
				list, err := db1.FindOutbox(ctx, n)
				if err != nil || len(list) != n {
					return false
				}
				for _, m := range list {
					if m.SentAt.IsZero() {
						return false
					}
				}
				return true
			}
			r1 := &jobs.Runner{Store: db1, Handlers: map[string]jobs.Handler{mail.SendJob: o1.Deliver}, Poll: 5 * time.Millisecond, Node: "node-1", Concurrency: 4}
			r2 := &jobs.Runner{Store: db2, Handlers: map[string]jobs.Handler{mail.SendJob: o2.Deliver}, Poll: 5 * time.Millisecond, Node: "node-2", Concurrency: 4}
			ctx2, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { r2.Run(ctx2); close(done) }()
			runJobs(t, r1, sent)
			cancel()
			<-done
			list := pit.Wait(t, n, 10*time.Second)
			time.Sleep(200 * time.Millisecond) // a second copy would arrive now
			list = pit.Messages(t)
			seen := map[string]int{}
			for _, m := range list {
				seen[m.Subject]++
			}
			if len(list) != n || len(seen) != n {
				t.Fatalf("%d messages arrived (%d different), want %d once each", len(list), len(seen), n)
			}
			done1, _ := db1.FindJobs(ctx, byline.JobFilter{Done: true, Kind: mail.SendJob, Limit: 1000})
			for _, j := range done1 {
				if j.Attempts != 1 {
					t.Errorf("job %s ran %d times", j.Key, j.Attempts)
				}
			}
			if len(done1) != n {
				t.Fatalf("%d jobs done, want %d", len(done1), n)
			}
		})
	}
}
